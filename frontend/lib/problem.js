// @ts-check
// The server's errors as the page keeps them: RFC 9457 problem details
// (`application/problem+json`: type, title, status, code, detail, instance, errors?), so the
// person using the page reads the server's own explanation, not a bare status.

/**
 * @typedef {object} Problem
 * @property {number} status
 * @property {string} path           what the page asked for
 * @property {string} [code]         the server's stable error code (e.g. "not_found")
 * @property {string} [title]
 * @property {string} [detail]       the explanation for people
 * @property {string} [instance]
 * @property {Array<Record<string, unknown>>} [errors]  per-field or per-row errors
 * @property {number | null} [retryAfter]  seconds to wait before asking again (429, 503)
 */

export class ApiError extends Error {
  /** @param {Problem} problem */
  constructor(problem) {
    super(problem.detail || problem.title || `${problem.path}: ${problem.status}`);
    this.name = "ApiError";
    this.status = problem.status;
    this.path = problem.path;
    this.code = problem.code ?? "";
    this.title = problem.title ?? "";
    this.detail = problem.detail ?? "";
    this.instance = problem.instance ?? "";
    /** @type {Array<Record<string, unknown>>} */
    this.errors = problem.errors ?? [];
    /** @type {number | null} */
    this.retryAfter = problem.retryAfter ?? null;
  }
}

/**
 * The seconds a Retry-After header says to wait (a number of seconds or an HTTP date), or
 * null without one.
 * @param {string | null | undefined} header
 * @param {number} [now]  milliseconds since the epoch
 * @returns {number | null}
 */
export function retryAfterSeconds(header, now = Date.now()) {
  if (!header) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text);
  const when = Date.parse(text);
  return Number.isNaN(when) ? null : Math.max(0, Math.ceil((when - now) / 1000));
}

/**
 * The error for a refused request: the problem details of `body` where it has them (any
 * member of the wrong type is left out), else the bare status.
 * @param {number} status
 * @param {unknown} body  the parsed response body, or null when it was not JSON
 * @param {string} path
 * @param {string | null} [retryAfter]  the response's Retry-After header
 * @returns {ApiError}
 */
export function problemError(status, body, path, retryAfter = null) {
  /** @type {Record<string, unknown>} */
  const members = body && typeof body === "object" && !Array.isArray(body) ? /** @type {Record<string, unknown>} */ (body) : {};
  /** @param {string} key */
  const text = (key) => (typeof members[key] === "string" ? /** @type {string} */ (members[key]) : undefined);
  const errors = Array.isArray(members.errors)
    ? members.errors.filter((e) => e && typeof e === "object")
    : undefined;
  return new ApiError({
    status, path, code: text("code"), title: text("title"), detail: text("detail"), instance: text("instance"), errors,
    retryAfter: retryAfterSeconds(retryAfter),
  });
}

/**
 * What to tell the person using the page about a failure: the server's detail, or what went
 * wrong on the way to it.
 * @param {unknown} error
 * @returns {string}
 */
export function userMessage(error) {
  if (error instanceof ApiError) {
    if (error.detail) return error.detail;
    return `The server answered ${error.status}${error.title ? ` (${error.title})` : ""}.`;
  }
  if (error instanceof TypeError) return "The server could not be reached.";
  if (error instanceof Error) return error.message;
  return String(error);
}
