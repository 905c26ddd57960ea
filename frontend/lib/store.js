// @ts-check
// The page's one store: the view (indicator, type, period, scheme, classes, area), the values
// painted, and every request the page makes for them. Requests are made in named slots
// ("view", "deprived", "area"…): a new request in a slot aborts the one before it and, should
// that older answer come anyway, drops it, so a slow older answer never overwrites a newer
// one (the play timer asking for the next period while the user picks another indicator).

import { DEFAULT_VIEW } from "./view.js";

/** @typedef {import("./view.js").View} View */
/** @typedef {import("./values.js").MapValues} MapValues */
/** @typedef {(path: string, init?: { signal?: AbortSignal }) => Promise<any>} FetchJson */

/**
 * @template T
 * @typedef {{ current: true, value: T } | { current: false, value?: undefined }} Answer
 */

/** @typedef {{ abort: AbortController, done: boolean }} Request */

export class Store {
  /**
   * @param {FetchJson} fetchJson  asks the server for JSON; rejects on a refusal
   * @param {Partial<View>} [view]
   */
  constructor(fetchJson, view = {}) {
    this._fetch = fetchJson;
    /** @type {View} */
    this.view = { ...DEFAULT_VIEW, ...view };
    /** @type {MapValues | null} the values the map is painted with */
    this.shown = null;
    /** @type {Map<string, Request>} slot -> its newest request */
    this._slots = new Map();
    /** @type {Map<string, Promise<any>>} path -> answer kept for the page's life */
    this._kept = new Map();
    /** @type {{ path: string, answer: Promise<any> } | null} */
    this._early = null;
  }

  /**
   * Change the view (the controls and the URL do; nothing is fetched until asked).
   * @param {Partial<View>} patch
   * @returns {View}
   */
  set(patch) {
    this.view = { ...this.view, ...patch };
    return this.view;
  }

  /**
   * Ask for a view's values before the page knows it needs them (a link's, while the
   * catalogue is still loading). The next values() takes the answer if it asks for the same
   * path; otherwise it is forgotten.
   * @param {string} path
   */
  prefetch(path) {
    const answer = this._fetch(path);
    answer.catch(() => {}); // a failure is reported to the values() that takes it, if any
    this._early = { path, answer };
  }

  /**
   * A view's values (an /api/maps answer), for a request in a slot (pass its signal); the
   * first call takes a prefetched answer for the same path.
   * @param {string} path
   * @param {AbortSignal} [signal]
   * @returns {Promise<MapValues>}
   */
  values(path, signal) {
    const early = this._early;
    this._early = null;
    return early && early.path === path ? early.answer : this._fetch(path, { signal });
  }

  /**
   * JSON from the server, for a request in a slot (pass its signal).
   * @param {string} path
   * @param {AbortSignal} [signal]
   * @returns {Promise<any>}
   */
  json(path, signal) {
    return this._fetch(path, { signal });
  }

  /**
   * JSON that does not change while the page is open (an area type's geometries, its names),
   * fetched once however often and however concurrently it is asked for; a failure is not
   * kept, so the next ask tries again.
   * @param {string} path
   * @returns {Promise<any>}
   */
  kept(path) {
    let answer = this._kept.get(path);
    if (!answer) {
      answer = this._fetch(path);
      this._kept.set(path, answer);
      answer.catch(() => this._kept.delete(path));
    }
    return answer;
  }

  /**
   * Run `load` as the newest request of `slot`. Its answer is `{ current: true, value }`
   * while no newer request has been made in the slot, else `{ current: false }` (a failure
   * too, once superseded, since nobody wants it). The signal aborts when a newer request
   * starts: loaders pass it to fetch and check it before any side effect.
   * @template T
   * @param {string} slot
   * @param {(signal: AbortSignal) => Promise<T>} load
   * @returns {Promise<Answer<T>>}
   */
  async latest(slot, load) {
    this._slots.get(slot)?.abort.abort();
    /** @type {Request} */
    const request = { abort: new AbortController(), done: false };
    this._slots.set(slot, request);
    const current = () => this._slots.get(slot) === request;
    try {
      const value = await load(request.abort.signal);
      return current() ? { current: true, value } : { current: false };
    } catch (error) {
      if (current()) throw error;
      return { current: false };
    } finally {
      request.done = true;
    }
  }

  /**
   * Whether the newest request of `slot` is still on its way.
   * @param {string} slot
   */
  busy(slot) {
    const request = this._slots.get(slot);
    return Boolean(request && !request.done);
  }

  /**
   * Forget the slot's request: its answer, when it comes, is dropped.
   * @param {string} slot
   */
  cancel(slot) {
    this._slots.get(slot)?.abort.abort();
    this._slots.delete(slot);
  }
}
