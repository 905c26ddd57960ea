// @ts-check
// The view in the URL's hash (#indicator=…&type=…), so that a link opens the same map.

import { DEFAULT_VIEW, VIEW_KEYS } from "./view.js";

/** @typedef {import("./view.js").View} View */

/**
 * The view a hash names, over `base` for whatever it leaves out. A `classes` that is not a
 * whole number is ignored (the controls offer 3 to 9; the server judges the rest).
 * @param {string} hash  location.hash, with or without its "#"
 * @param {View} [base]
 * @returns {View}
 */
export function readView(hash, base = DEFAULT_VIEW) {
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  /** @type {View} */
  const view = { ...base };
  for (const key of VIEW_KEYS) {
    const text = params.get(key);
    if (text === null || text === "") continue;
    if (key === "classes") {
      const classes = Number(text);
      if (Number.isInteger(classes)) view.classes = classes;
    } else if (key === "scheme") {
      view.scheme = text;
    } else {
      view[key] = text;
    }
  }
  return view;
}

/**
 * The hash for a view (without "#"), its keys in VIEW_KEYS order, empty values left out.
 * @param {View} view
 * @returns {string}
 */
export function writeView(view) {
  const params = new URLSearchParams();
  for (const key of VIEW_KEYS) {
    const value = view[key];
    if (value !== null && value !== "") params.set(key, String(value));
  }
  return params.toString();
}
