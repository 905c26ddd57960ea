// The header's account: who is signed in, and signing in and out. "Sign in" opens a small
// panel with the partnership's single sign-on (a link to the identity provider, which comes
// back to this page) and, where the instance takes them, a local account's name and
// password; once signed in, the header says who and as what, with "Sign out" and "Sign out
// everywhere". Whenever the viewer changes (here, in another tab, or by the session ending)
// `onChange` is called, and the page reloads what depends on the viewer. Server text is
// only ever set as text.

import { $, api, request } from "./common.js";
import {
  NOBODY, audienceOf, csrfHeaders, offersSignIn, signInFailure, ssoLabel, ssoOutcome, whoLabel,
} from "./lib/account.js";
import { AUTH, ssoStartPath } from "./lib/paths.js";
import { userMessage } from "./lib/problem.js";

/** @typedef {import("./lib/account.js").Who} Who */

let who = /** @type {Who} */ (NOBODY);
let changed = (/** @type {Who} */ _who) => {};

/** Who the page is for now. */
export const viewer = () => who;

/** Whether the page can offer to sign in (the legend's suppressed row does). */
export const canSignIn = () => offersSignIn(who);

/**
 * Show the account in the header. `current` is GET /api/auth/session's answer (null when
 * it could not be had: the page then works for the public, offering nothing).
 * @param {Who | null} current
 * @param {{ partnership?: string | null, onChange: (who: Who) => void }} options
 */
export function showAccount(current, { partnership = null, onChange }) {
  who = current ?? /** @type {Who} */ (NOBODY);
  changed = onChange;
  $("sso").textContent = ssoLabel(partnership);
  $("sign-in-toggle").addEventListener("click", () => (panelOpen() ? closePanel() : openSignIn()));
  $("sign-in").addEventListener("keydown", (e) => {
    if (e.key === "Escape") closePanel(true);
  });
  $("sign-in-form").addEventListener("submit", (e) => {
    e.preventDefault();
    signIn();
  });
  $("sign-out").addEventListener("click", () => signOut(AUTH.signOut));
  $("sign-out-everywhere").addEventListener("click", () => signOut(AUTH.signOutEverywhere));
  // Back to the page after a while: the session may have ended, or another tab signed in
  // or out.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refresh();
  });
  render();
  // Back from a single sign-on that was refused: say why, and leave the address clean.
  const outcome = ssoOutcome(location.search);
  if (outcome !== null) {
    history.replaceState(history.state, "", `${location.pathname}${outcome.search}${location.hash}`);
    openSignIn();
    say(outcome.message);
  }
}

/** Open the sign-in panel and put the focus in it (the legend's offer calls this too). */
export function openSignIn() {
  if (!offersSignIn(who)) return;
  $("sign-in").hidden = false;
  $("sign-in-toggle").setAttribute("aria-expanded", "true");
  $("sso").href = ssoStartPath(location.pathname, location.search, location.hash);
  (who.sso ? $("sso") : $("sign-in-name")).focus();
}

const panelOpen = () => !$("sign-in").hidden;

function closePanel(refocus = false) {
  $("sign-in").hidden = true;
  $("sign-in-toggle").setAttribute("aria-expanded", "false");
  if (refocus) $("sign-in-toggle").focus();
}

function render() {
  const offered = offersSignIn(who);
  $("signed-in").hidden = !who.signed_in;
  $("sign-in-toggle").hidden = !offered;
  if (!offered) closePanel();
  $("sso").hidden = !who.sso;
  $("sign-in-form").hidden = !who.local;
  if (who.signed_in) {
    const { name, role } = whoLabel(who);
    $("who-name").textContent = name;
    $("who-role").textContent = role;
  }
}

function say(text) {
  $("sign-in-error").textContent = text;
  $("sign-in-error").hidden = !text;
}

// A new viewer: the header shows them, and the page reloads what they see.
function become(next) {
  const before = audienceOf(who);
  who = next;
  render();
  if (audienceOf(next) !== before) changed(next);
}

// Ask the server again who this is (after a refusal, after signing out, on coming back to
// the page); when it cannot say, `fallback` (by default, what the header shows).
async function refresh(fallback = who) {
  let next = fallback;
  try {
    next = await api(AUTH.session);
  } catch {
    // keep the fallback
  }
  become(next);
}

async function signIn() {
  const form = $("sign-in-form");
  const submit = form.querySelector("button[type=submit]");
  const body = { username: $("sign-in-name").value, password: $("sign-in-password").value };
  say("");
  submit.disabled = true;
  form.setAttribute("aria-busy", "true");
  try {
    const response = await request(AUTH.signIn, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    });
    const signed = await response.json();
    form.reset();
    closePanel();
    become(signed);
    $("signed-in").focus(); // says who is signed in, where the form was
  } catch (error) {
    say(signInFailure(error));
    $("sign-in-password").value = "";
    $("sign-in-password").focus();
    if (error?.status !== 401 && error?.status !== 429) refresh(); // signed in elsewhere?
  } finally {
    submit.disabled = false;
    form.removeAttribute("aria-busy");
  }
}

async function signOut(path) {
  $("account-error").hidden = true;
  try {
    await request(path, { method: "POST", headers: csrfHeaders(who) });
  } catch (error) {
    // A session that had ended already (401) is signed out all the same.
    if (error?.status !== 401) {
      $("account-error").textContent = `Could not sign out: ${userMessage(error)}`;
      $("account-error").hidden = false;
      return;
    }
  }
  // The cookie is cleared: the public's, unless the server says otherwise (a key).
  await refresh({ ...NOBODY, sso: who.sso, local: who.local });
  if (!who.signed_in) $(offersSignIn(who) ? "sign-in-toggle" : "map").focus();
}
