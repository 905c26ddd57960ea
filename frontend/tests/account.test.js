import assert from "node:assert/strict";
import { test } from "node:test";

import {
  NOBODY, audienceOf, csrfHeaders, offersSignIn, signInFailure, ssoLabel, ssoOutcome, waitText, whoLabel,
} from "../lib/account.js";
import { problemError } from "../lib/problem.js";

/** GET /api/auth/session's answer for a signed-in officer. */
function officer(overrides = {}) {
  return {
    ...NOBODY, signed_in: true, username: "olive", display_name: "Olive Officer", role: "officer",
    agency: "police", via: "session", csrf_token: "t0k3n", expires_at: "2026-12-02T14:00:00Z", local: true,
    ...overrides,
  };
}

test("the header names the officer and their role with their agency", () => {
  assert.deepEqual(whoLabel(officer()), { name: "Olive Officer", role: "officer, police" });
});

test("without a display name the account's name, and without an agency the role alone", () => {
  assert.deepEqual(whoLabel(officer({ display_name: null, agency: null })), { name: "olive", role: "officer" });
});

test("names are kept as they came (the page sets them as text)", () => {
  assert.equal(whoLabel(officer({ display_name: "<img src=x onerror=alert(1)>" })).name, "<img src=x onerror=alert(1)>");
});

test("the single sign-on button names the partnership when the instance does", () => {
  assert.equal(ssoLabel("Sheffield City Partnership"), "Sign in with Sheffield City Partnership single sign-on");
  assert.equal(ssoLabel(null), "Sign in with single sign-on");
});

test("signing in is offered to the public when the instance has a way", () => {
  assert.equal(offersSignIn({ ...NOBODY, local: true }), true);
  assert.equal(offersSignIn({ ...NOBODY, sso: true }), true);
  assert.equal(offersSignIn(NOBODY), false, "neither single sign-on nor local accounts");
  assert.equal(offersSignIn(officer()), false, "already signed in");
});

test("the viewer's audience changes with the account, role or agency, not the token", () => {
  assert.equal(audienceOf(officer()), audienceOf(officer({ csrf_token: "other", expires_at: null })));
  assert.notEqual(audienceOf(officer()), audienceOf(NOBODY));
  assert.notEqual(audienceOf(officer()), audienceOf(officer({ agency: "fire" })));
  assert.notEqual(audienceOf(officer()), audienceOf(officer({ username: "someone" })));
});

test("requests that change something send the session's CSRF token", () => {
  assert.deepEqual(csrfHeaders(officer()), { "X-CSRF-Token": "t0k3n" });
  assert.deepEqual(csrfHeaders(NOBODY), {});
});

test("waits are said in words, rounded up", () => {
  assert.equal(waitText(1), "1 second");
  assert.equal(waitText(42), "42 seconds");
  assert.equal(waitText(60), "1 minute");
  assert.equal(waitText(61), "2 minutes");
  assert.equal(waitText(300), "5 minutes");
});

test("a wrong name or password gets the server's one message", () => {
  const detail = "The name or password is not right, or the account is disabled";
  const error = problemError(401, { status: 401, detail }, "api/auth/sign-in");
  assert.equal(signInFailure(error), detail);
});

test("too many tries say when to try again, from Retry-After", () => {
  const body = { status: 429, detail: "Too many failed attempts; try again later" };
  const error = problemError(429, body, "api/auth/sign-in", "287");
  assert.equal(signInFailure(error), "Too many failed attempts; try again later (in 5 minutes).");
  assert.equal(signInFailure(problemError(429, body, "api/auth/sign-in")), body.detail, "no header: no wait");
});

test("a server out of reach is said so", () => {
  assert.equal(signInFailure(new TypeError("Failed to fetch")), "The server could not be reached.");
});

test("a refused single sign-on is said in words, and taken out of the address", () => {
  assert.deepEqual(ssoOutcome("?sign_in=no-role&indicator=burglary"), {
    message: ssoOutcome("?sign_in=no-role").message,
    search: "?indicator=burglary",
  });
  assert.match(ssoOutcome("?sign_in=no-role").message, /no role/);
  assert.match(ssoOutcome("?sign_in=unavailable").message, /could not be reached/);
  // Whatever else the address says, only the page's own words are shown.
  assert.equal(ssoOutcome("?sign_in=<b>call 0800</b>").message, ssoOutcome("?sign_in=refused").message);
  assert.equal(ssoOutcome("?indicator=burglary"), null);
  assert.equal(ssoOutcome(""), null);
});
