import assert from "node:assert/strict";
import { test } from "node:test";

import { Store } from "../lib/store.js";
import { DEFAULT_VIEW } from "../lib/view.js";

/**
 * A server whose answers the test releases by hand, in any order. Like a real fetch it
 * rejects when its request is aborted, unless `deaf` (an answer already on its way).
 */
function server({ deaf = false } = {}) {
  /** @type {Map<string, { resolve: (v: any) => void, reject: (e: any) => void, signal?: AbortSignal }>} */
  const waiting = new Map();
  const asked = [];
  /** @param {string} path @param {{ signal?: AbortSignal }} [init] */
  const fetchJson = (path, init = {}) => {
    asked.push(path);
    return new Promise((resolve, reject) => {
      waiting.set(path, { resolve, reject, signal: init.signal });
      if (!deaf) init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    });
  };
  return {
    fetchJson,
    asked,
    answer: (path, body) => waiting.get(path).resolve(body),
    refuse: (path, error) => waiting.get(path).reject(error),
    signal: (path) => waiting.get(path).signal,
  };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

test("the store starts from the default view and takes changes", () => {
  const store = new Store(async () => ({}), { indicator: "burglary" });
  assert.deepEqual(store.view, { ...DEFAULT_VIEW, indicator: "burglary" });
  store.set({ period: "2023-06" });
  assert.equal(store.view.period, "2023-06");
  assert.equal(store.view.indicator, "burglary");
});

test("a slower older answer is dropped once a newer request is made", async () => {
  const api = server({ deaf: true }); // the older answer comes even though it was aborted
  const store = new Store(api.fetchJson);
  const older = store.latest("view", (signal) => store.json("period=2", signal));
  const newer = store.latest("view", (signal) => store.json("indicator=burglary", signal));
  assert.ok(api.signal("period=2").aborted, "the older request is aborted");
  api.answer("indicator=burglary", { indicator: "burglary" });
  assert.deepEqual(await newer, { current: true, value: { indicator: "burglary" } });
  api.answer("period=2", { indicator: "all_crime" });
  assert.deepEqual(await older, { current: false });
});

test("an aborted older request is dropped, not reported as a failure", async () => {
  const api = server();
  const store = new Store(api.fetchJson);
  const older = store.latest("view", (signal) => store.json("a", signal));
  const newer = store.latest("view", (signal) => store.json("b", signal));
  assert.deepEqual(await older, { current: false });
  api.answer("b", 2);
  assert.deepEqual(await newer, { current: true, value: 2 });
});

test("the newest request's failure is reported; an older one's is not", async () => {
  const api = server({ deaf: true });
  const store = new Store(api.fetchJson);
  const older = store.latest("view", (signal) => store.json("a", signal));
  const newer = store.latest("view", (signal) => store.json("b", signal));
  api.refuse("a", new Error("old"));
  assert.deepEqual(await older, { current: false });
  api.refuse("b", new Error("new"));
  await assert.rejects(newer, /new/);
});

test("slots are sequenced apart", async () => {
  const api = server();
  const store = new Store(api.fetchJson);
  const view = store.latest("view", (signal) => store.json("v", signal));
  const area = store.latest("area", (signal) => store.json("p", signal));
  api.answer("p", "profile");
  api.answer("v", "values");
  assert.deepEqual(await view, { current: true, value: "values" });
  assert.deepEqual(await area, { current: true, value: "profile" });
});

test("a slot is busy while its newest request is on its way", async () => {
  const api = server();
  const store = new Store(api.fetchJson);
  assert.equal(store.busy("view"), false);
  const answer = store.latest("view", (signal) => store.json("v", signal));
  assert.equal(store.busy("view"), true);
  api.answer("v", 1);
  await answer;
  assert.equal(store.busy("view"), false);
});

test("a cancelled slot drops its answer", async () => {
  const api = server({ deaf: true });
  const store = new Store(api.fetchJson);
  const answer = store.latest("deprived", (signal) => store.json("d", signal));
  store.cancel("deprived");
  api.answer("d", ["E01"]);
  assert.deepEqual(await answer, { current: false });
});

test("a loader sees the abort before its side effects", async () => {
  const api = server({ deaf: true });
  const store = new Store(api.fetchJson);
  const effects = [];
  const load = (path) => store.latest("view", async (signal) => {
    const body = await store.json(path, signal);
    if (!signal.aborted) effects.push(body);
    return body;
  });
  const older = load("a");
  const newer = load("b");
  api.answer("a", "A");
  api.answer("b", "B");
  await Promise.all([older, newer]);
  assert.deepEqual(effects, ["B"]);
});

test("a prefetched answer is taken by the first values request for the same path only", async () => {
  const api = server();
  const store = new Store(api.fetchJson);
  store.prefetch("api/maps/burglary?x");
  const first = store.values("api/maps/burglary?x");
  assert.deepEqual(api.asked, ["api/maps/burglary?x"]);
  api.answer("api/maps/burglary?x", "early");
  assert.equal(await first, "early");
  store.values("api/maps/burglary?x");
  assert.equal(api.asked.length, 2, "asked again: the early answer is used once");
});

test("a prefetched answer for another path is forgotten, and its failure is not unhandled", async () => {
  const api = server();
  const store = new Store(api.fetchJson);
  store.prefetch("old");
  api.refuse("old", new Error("stale link"));
  store.values("new");
  assert.deepEqual(api.asked, ["old", "new"]);
  await tick();
});

test("kept answers are fetched once, shared, and asked again after a failure", async () => {
  const api = server();
  const store = new Store(api.fetchJson);
  const one = store.kept("tiles/lsoa.json");
  const two = store.kept("tiles/lsoa.json");
  assert.equal(one, two);
  api.refuse("tiles/lsoa.json", new Error("down"));
  await assert.rejects(one);
  await tick();
  store.kept("tiles/lsoa.json");
  assert.deepEqual(api.asked, ["tiles/lsoa.json", "tiles/lsoa.json"]);
});
