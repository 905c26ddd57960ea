// The "Find a place" box: as the officer types (after a pause), it asks the server for the
// areas of every type whose name or code holds the text, or for a postcode's areas, and
// offers them in a listbox under the box (a combobox: arrow keys move, Enter chooses,
// Escape closes; a click chooses too). The line above the choices says what was found,
// "No match for “…”" included. Requests go through the store's "search" slot, so an answer
// to older text never replaces a newer one. Names are set as text.

import { $, el } from "./common.js";
import { areaSearchPath, moveActive, searchChoices, searchQuery, searchStatus } from "./lib/area-search.js";
import { userMessage } from "./lib/problem.js";

const PAUSE_MS = 250; // typing this long without a key is a pause

/**
 * @param {import("./lib/store.js").Store} store
 * @param {(choice: import("./lib/area-search.js").Choice) => void} choose
 */
export function placeSearch(store, choose) {
  const box = $("area-search");
  const panel = $("area-search-panel");
  const list = $("area-search-results");
  const status = $("area-search-status");
  let choices = [];
  let active = -1;
  let timer = null;

  function setActive(index) {
    active = index;
    [...list.children].forEach((item, n) => item.setAttribute("aria-selected", String(n === index)));
    const item = list.children[index];
    if (item) {
      box.setAttribute("aria-activedescendant", item.id);
      item.scrollIntoView({ block: "nearest" });
    } else {
      box.removeAttribute("aria-activedescendant");
    }
  }

  function open(text, found) {
    choices = found;
    status.textContent = text;
    list.replaceChildren(...found.map((choice, n) => {
      const item = el("li", choice.label);
      item.id = `area-search-option-${n}`;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.dataset.code = choice.code;
      item.dataset.type = choice.type;
      item.addEventListener("mousedown", (e) => e.preventDefault()); // the box keeps focus
      item.addEventListener("click", () => pick(n));
      return item;
    }));
    setActive(-1);
    panel.hidden = false;
    box.setAttribute("aria-expanded", String(found.length > 0));
  }

  function close() {
    clearTimeout(timer);
    store.cancel("search");
    panel.hidden = true;
    box.setAttribute("aria-expanded", "false");
    setActive(-1);
  }

  async function run(query) {
    try {
      const answer = await store.latest("search", (signal) => store.json(areaSearchPath(query), signal));
      if (answer.current && searchQuery(box.value) === query) open(searchStatus(answer.value), searchChoices(answer.value));
    } catch (error) {
      open(`The search failed: ${userMessage(error)}`, []);
    }
  }

  function pick(n) {
    const choice = choices[n];
    if (!choice) return;
    close();
    choose(choice);
  }

  box.addEventListener("input", () => {
    clearTimeout(timer);
    const query = searchQuery(box.value);
    if (!query) { close(); return; }
    timer = setTimeout(() => run(query), PAUSE_MS);
  });
  box.addEventListener("keydown", (e) => {
    if ((e.key === "ArrowDown" || e.key === "ArrowUp") && choices.length && !panel.hidden) {
      e.preventDefault();
      setActive(moveActive(active, choices.length, e.key));
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (!panel.hidden && active >= 0) pick(active);
      else if (!panel.hidden && choices.length === 1) pick(0);
      else {
        const query = searchQuery(box.value);
        if (query) { clearTimeout(timer); run(query); } // no pause to wait for
      }
    } else if (e.key === "Escape" && !panel.hidden) {
      e.preventDefault();
      close();
    }
  });
  box.addEventListener("blur", close);
}
