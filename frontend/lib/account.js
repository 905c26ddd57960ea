// @ts-check
// Who is using the page, as GET /api/auth/session says, and what the header tells of it:
// who is signed in and as what, how this instance lets officers sign in, and what a failed
// sign-in means. The page sets all of it as text.

import { ApiError, userMessage } from "./problem.js";

/**
 * @typedef {object} Who
 * @property {boolean} signed_in
 * @property {string | null} username
 * @property {string | null} display_name
 * @property {string} role            public | officer | analyst | admin
 * @property {string | null} agency
 * @property {"session" | "key" | "none"} via
 * @property {string | null} csrf_token   sent back with every request that changes something
 * @property {string | null} expires_at
 * @property {boolean} sso            single sign-on is offered
 * @property {boolean} local          local accounts' names and passwords are taken
 */

/** @type {Readonly<Who>} The viewer when nobody is signed in (or the server cannot say). */
export const NOBODY = Object.freeze({
  signed_in: false, username: null, display_name: null, role: "public", agency: null, via: "none",
  csrf_token: null, expires_at: null, sso: false, local: false,
});

/**
 * Who the header says is signed in: their display name (else their account's name), and
 * their role with their agency ("officer, police").
 * @param {Who} who
 * @returns {{ name: string, role: string }}
 */
export function whoLabel(who) {
  return {
    name: who.display_name || who.username || "",
    role: who.agency ? `${who.role}, ${who.agency}` : who.role,
  };
}

/**
 * The single sign-on button's words.
 * @param {string | null | undefined} partnership  the instance's partnership_name
 */
export function ssoLabel(partnership) {
  return partnership ? `Sign in with ${partnership} single sign-on` : "Sign in with single sign-on";
}

/**
 * Whether the page can offer to sign in: nobody is, and the instance has a way.
 * @param {Who} who
 */
export function offersSignIn(who) {
  return !who.signed_in && (who.sso || who.local);
}

/**
 * What the viewer's reads depend on: two answers with the same key see the same map.
 * @param {Who} who
 */
export function audienceOf(who) {
  return [who.signed_in ? who.username : "", who.role, who.agency ?? ""].join("|");
}

/**
 * The headers a request that changes something in a session sends (none outside one).
 * @param {Who} who
 * @returns {Record<string, string>}
 */
export function csrfHeaders(who) {
  return who.csrf_token ? { "X-CSRF-Token": who.csrf_token } : {};
}

/**
 * A wait in words, rounded up ("30 seconds", "1 minute", "5 minutes").
 * @param {number} seconds
 */
export function waitText(seconds) {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/**
 * What the sign-in form says when signing in failed: the server's words (one message for
 * every wrong name or password), with how long to wait when there were too many tries.
 * @param {unknown} error
 */
export function signInFailure(error) {
  const message = userMessage(error);
  if (error instanceof ApiError && error.status === 429 && error.retryAfter !== null) {
    return `${message} (in ${waitText(error.retryAfter)}).`;
  }
  return message;
}

/** What the page says when single sign-on came back refused (``?sign_in=CODE``). */
const SSO_OUTCOMES = {
  "no-role": "You signed in, but the partnership's directory gives you no role here: ask the administrator to add you to a NIS group.",
  refused: "The single sign-on did not complete (it was refused, expired or already used): try again.",
  unavailable: "The partnership's identity provider could not be reached: try again shortly.",
};

/**
 * The message of a single sign-on that came back refused, and the query without it; null
 * when the query says nothing of a sign-in. Only known codes are shown (the URL is
 * anyone's to write).
 * @param {string} search location.search
 * @returns {{ message: string, search: string } | null}
 */
export function ssoOutcome(search) {
  const params = new URLSearchParams(search);
  const code = params.get("sign_in");
  if (code === null) return null;
  params.delete("sign_in");
  const rest = params.toString();
  const message = Object.hasOwn(SSO_OUTCOMES, code)
    ? SSO_OUTCOMES[/** @type {keyof typeof SSO_OUTCOMES} */ (code)]
    : SSO_OUTCOMES.refused;
  return { message, search: rest ? `?${rest}` : "" };
}
