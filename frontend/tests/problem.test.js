import assert from "node:assert/strict";
import { test } from "node:test";

import { ApiError, problemError, retryAfterSeconds, userMessage } from "../lib/problem.js";

const body = {
  type: "about:blank#invalid_parameter", title: "Bad request", status: 400, code: "invalid_parameter",
  detail: "burglary has no values for 1999-01 at lsoa; it has 2021-01 to 2023-12", instance: "/api/maps/burglary",
  errors: [{ location: "query.period", reason: "no values" }],
};

test("a problem+json body is kept: status, code, detail and errors", () => {
  const error = problemError(400, body, "api/maps/burglary?period=1999-01");
  assert.ok(error instanceof ApiError && error instanceof Error);
  assert.equal(error.status, 400);
  assert.equal(error.code, "invalid_parameter");
  assert.equal(error.detail, body.detail);
  assert.equal(error.title, "Bad request");
  assert.equal(error.instance, "/api/maps/burglary");
  assert.deepEqual(error.errors, body.errors);
  assert.equal(error.path, "api/maps/burglary?period=1999-01");
  assert.equal(error.message, body.detail);
});

test("the user is told the server's detail", () => {
  assert.equal(userMessage(problemError(400, body, "p")), body.detail);
});

test("without a body the user is told the status", () => {
  const error = problemError(502, null, "api/config");
  assert.equal(error.detail, "");
  assert.deepEqual(error.errors, []);
  assert.equal(error.message, "api/config: 502");
  assert.equal(userMessage(error), "The server answered 502.");
  assert.equal(userMessage(problemError(404, { title: "Not found" }, "x")), "The server answered 404 (Not found).");
});

test("members of the wrong type are left out", () => {
  const error = problemError(400, { detail: { html: "<b>" }, code: 7, errors: "no" }, "p");
  assert.equal(error.detail, "");
  assert.equal(error.code, "");
  assert.deepEqual(error.errors, []);
  assert.equal(problemError(400, ["detail"], "p").detail, "");
});

test("other failures are told plainly", () => {
  assert.equal(userMessage(new TypeError("Failed to fetch")), "The server could not be reached.");
  assert.equal(userMessage(new Error("boom")), "boom");
  assert.equal(userMessage("odd"), "odd");
});

test("Retry-After is kept in seconds, given as seconds or as an HTTP date", () => {
  assert.equal(problemError(429, null, "p", "120").retryAfter, 120);
  assert.equal(problemError(503, null, "p").retryAfter, null);
  assert.equal(retryAfterSeconds("Wed, 02 Dec 2026 10:00:30 GMT", Date.parse("2026-12-02T10:00:00Z")), 30);
  assert.equal(retryAfterSeconds("Wed, 02 Dec 2026 09:00:00 GMT", Date.parse("2026-12-02T10:00:00Z")), 0);
  assert.equal(retryAfterSeconds("soon"), null);
});
