import assert from "node:assert/strict";
import { test } from "node:test";

import {
  MAX_QUERY, areaSearchPath, chooseArea, moveActive, searchChoices, searchQuery, searchStatus,
} from "../lib/area-search.js";

const ward = { type: "ward", type_name: "Ward", code: "E05010860", name: "Burngreave", vintage: 2020, match: "name" };
const hood = { type: "neighbourhood", type_name: "Neighbourhood", code: "12", name: "Burngreave", vintage: 2020, match: "name" };

test("text is searched for from two characters, its spaces tidied", () => {
  assert.equal(searchQuery(" b "), null);
  assert.equal(searchQuery("  burn   green "), "burn green");
  assert.equal(searchQuery("x".repeat(MAX_QUERY + 1)), null);
});

test("the search's path carries the text, encoded", () => {
  assert.equal(areaSearchPath("s4 7aa"), "api/areas/search?q=s4+7aa&limit=20");
  assert.equal(areaSearchPath("50%_&x", 5), "api/areas/search?q=50%25_%26x&limit=5");
});

test("each hit is a choice naming its type and code", () => {
  const choices = searchChoices({ query: "burn", postcode: null, hits: [ward, hood] });
  assert.deepEqual(choices, [
    { type: "ward", typeName: "Ward", code: "E05010860", label: "Burngreave — Ward (E05010860)" },
    { type: "neighbourhood", typeName: "Neighbourhood", code: "12", label: "Burngreave — Neighbourhood (12)" },
  ]);
  const unnamed = { ...ward, name: "E05010860" };
  assert.equal(searchChoices({ query: "e05", postcode: null, hits: [unnamed] })[0].label, "E05010860 — Ward");
});

test("nothing found says so, naming the text", () => {
  assert.equal(searchStatus({ query: "zzqx", postcode: null, hits: [] }), "No match for “zzqx”");
  assert.equal(searchStatus({ query: "burn", postcode: null, hits: [ward, hood] }), "2 areas found");
  assert.equal(searchStatus({ query: "burn", postcode: null, hits: [ward] }), "1 area found");
});

test("a postcode heads the areas holding it", () => {
  const postcode = { postcode: "S4 7AA" };
  assert.equal(searchStatus({ query: "s47aa", postcode, hits: [{ ...ward, match: "postcode" }] }), "S4 7AA is in:");
  assert.equal(searchStatus({ query: "s47aa", postcode, hits: [] }), "S4 7AA is in no area held here");
});

test("a choice of a type the indicator is mapped by is shown; another is explained", () => {
  const [choice] = searchChoices({ query: "burn", postcode: null, hits: [ward] });
  assert.deepEqual(chooseArea(choice, ["lsoa", "ward"]), { type: "ward", area: "E05010860" });
  const refused = chooseArea(choice, ["lsoa", "msoa"]);
  assert.ok("notice" in refused && refused.notice.includes("not mapped by Ward"));
});

test("arrow keys move through the choices and wrap around", () => {
  assert.equal(moveActive(-1, 3, "ArrowDown"), 0);
  assert.equal(moveActive(2, 3, "ArrowDown"), 0);
  assert.equal(moveActive(-1, 3, "ArrowUp"), 2);
  assert.equal(moveActive(0, 3, "ArrowUp"), 2);
  assert.equal(moveActive(-1, 0, "ArrowDown"), -1);
});
