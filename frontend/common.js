// What the page's modules share: element lookup and building, and requests to this server,
// which throw the server's problem details (lib/problem.js) when it refuses.

import { problemError } from "./lib/problem.js";

export const $ = (id) => document.getElementById(id);

// An element holding text (never parsed as HTML).
export function el(tag, text = "", className = "") {
  const element = document.createElement(tag);
  if (text) element.textContent = text;
  if (className) element.className = className;
  return element;
}

export async function request(path, options) {
  const response = await fetch(path, options);
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw problemError(response.status, body, path, response.headers.get("Retry-After"));
  }
  return response;
}

export const api = async (path, options) => (await request(path, options)).json();
