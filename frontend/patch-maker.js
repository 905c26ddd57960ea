// Making a custom area (a patch), for a signed-in officer: "Make a patch" switches the map
// to the small areas, each click on one adds it to the patch or takes it out again (the
// picked ones are outlined), or a polygon file (GeoJSON, as QGIS saves one) stands in for
// the picking; a name and who may see it, and POST /api/custom-areas makes it. The page
// then shows the new patch's type and profile. Server text is only ever set as text.

import { $, api } from "./common.js";
import { csrfHeaders } from "./lib/account.js";
import { userMessage } from "./lib/problem.js";

export const PATCHES = "api/custom-areas";

/**
 * Wire the patch maker. `hooks`:
 *   viewer()            who is signed in (lib/account.js's Who)
 *   start()             switch the map to the small areas (resolves once it shows them)
 *   outline(codes)      outline the picked areas (an empty list: the usual outline back)
 *   made(patch)         the patch was made: POST's answer
 */
export function patchMaker(hooks) {
  const picked = new Set();
  let picking = false;

  const say = (text) => { $("patch-status").textContent = text; };
  const counted = () => say(picked.size
    ? `${picked.size} area${picked.size === 1 ? "" : "s"} picked; click one again to take it out`
    : "Click areas on the map to pick them, or choose a polygon file");

  function stop() {
    picking = false;
    picked.clear();
    $("patch-form").hidden = true;
    $("patch-start").setAttribute("aria-pressed", "false");
    $("patch-form").reset();
    hooks.outline([]);
  }

  $("patch-start").addEventListener("click", async () => {
    if (picking) { stop(); return; }
    picking = true;
    $("patch-start").setAttribute("aria-pressed", "true");
    $("patch-form").hidden = false;
    counted();
    await hooks.start();
    $("patch-name").focus();
  });
  $("patch-cancel").addEventListener("click", stop);
  $("patch-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: $("patch-name").value.trim(), sharing: $("patch-sharing").value };
    const file = $("patch-file").files[0];
    try {
      if (file) body.geometry = JSON.parse(await file.text());
      else body.lsoas = [...picked];
    } catch {
      say(`${file.name} is not a GeoJSON file`);
      return;
    }
    if (!body.name) { say("Give the patch a name"); return; }
    if (!file && !picked.size) { say("Pick at least one area, or choose a polygon file"); return; }
    say("Saving…");
    try {
      const patch = await api(PATCHES, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...csrfHeaders(hooks.viewer()) },
        body: JSON.stringify(body),
      });
      stop();
      say(`Made ${patch.name} (${patch.small_areas} small areas)`);
      hooks.made(patch);
    } catch (error) {
      say(`The patch could not be made: ${userMessage(error)}`);
    }
  });

  return {
    /** Show the maker to those who may make patches (signed-in partners' officers). */
    offer(who) {
      $("patch-maker").hidden = !(who.signed_in && who.via === "session" && who.role !== "public");
      if ($("patch-maker").hidden && picking) stop();
    },
    /** Whether a click on the map picks an area (rather than opening its profile). */
    picking: () => picking,
    /** A click on an area while picking: in, or out again. */
    toggle(code) {
      if (picked.has(code)) picked.delete(code);
      else picked.add(code);
      hooks.outline([...picked]);
      counted();
    },
  };
}
