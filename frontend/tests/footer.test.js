import assert from "node:assert/strict";
import { test } from "node:test";

import { printFooter } from "../lib/footer.js";

const printed = new Date("2026-12-06T10:30:00Z");

test("a printed page says who may see it, its source, when and the copyright", () => {
  const lines = printFooter({ marking: "Public", demo: false, source: "Burglary: data.police.uk (OGL v3.0)", printed });
  assert.deepEqual(lines.map((l) => l.className), ["marking", "source", "printed", "copyright"]);
  assert.equal(lines[0].text, "Public");
  assert.equal(lines[1].text, "Source: Burglary: data.police.uk (OGL v3.0)");
  assert.match(lines[2].text, /^Printed 6 December 2026 at 10:30 UTC from the Neighbourhood Information System$/);
  assert.match(lines[3].text, /Crown copyright/);
});

test("the demo is marked, and the partnership named", () => {
  const lines = printFooter({ marking: "Partners only — not for publication", demo: true, source: "", printed, partnership: "Sheffield" });
  assert.equal(lines[1].text, "DEMO: generated demonstration data, not real figures");
  assert.match(lines[2].text, /from the Sheffield Neighbourhood Information System/);
});
