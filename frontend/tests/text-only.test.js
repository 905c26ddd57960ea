// The page never parses server text as HTML: its modules build elements and set text
// (common.js's el), so none of them may use an HTML sink, nor give Leaflet a string where
// Leaflet reads one as HTML (tooltips, popups, div icons take elements here).
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

const FRONTEND = new URL("..", import.meta.url).pathname;
const SINKS = [
  /\.innerHTML\b/, /\.outerHTML\b/, /insertAdjacentHTML/, /document\.write/, /createContextualFragment/,
  /DOMParser/, /\.bind(Popup|Tooltip)\(\s*[`"']/, /\.set(Content|TooltipContent|PopupContent)\(\s*[`"']/,
  /divIcon\(\{[^}]*\bhtml:\s*[`"']/, /\son[a-z]+\s*=\s*["']/,
];

function modules() {
  const found = [];
  for (const folder of ["", "lib"]) {
    for (const name of readdirSync(join(FRONTEND, folder))) {
      if (name.endsWith(".js") || name.endsWith(".html")) found.push(join(folder, name));
    }
  }
  return found;
}

test("the page's modules and HTML have no HTML sink and no inline handler", () => {
  const files = modules();
  assert.ok(files.includes("app.js") && files.includes("lib/legend.js") && files.includes("index.html"));
  for (const file of files) {
    const source = readFileSync(join(FRONTEND, file), "utf8");
    for (const sink of SINKS) assert.doesNotMatch(source, sink, `${file} uses ${sink}`);
  }
});

test("the page has no inline script but its import map", () => {
  const page = readFileSync(join(FRONTEND, "index.html"), "utf8");
  const inline = [...page.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>/g)].map((m) => m[1].trim());
  assert.deepEqual(inline, ['type="importmap"']);
});
