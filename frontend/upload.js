// The upload page for agency analysts: choose a CSV or workbook (its sheet and header
// row), see a preview, map its columns to indicators (the server's suggestions chosen
// first), choose the period, upload, and read the row errors as the API reports them.
// Server text is set as text only.

import { $, el } from "./common.js";
import { NOBODY, csrfHeaders, whoLabel } from "./lib/account.js";
import { problemError, userMessage } from "./lib/problem.js";
import { errorRows, formFields, initialChoice, isWorkbook, missing } from "./lib/upload.js";

let who = NOBODY;
/** @type {File | null} */
let file = null;
/** @type {any} */
let preview = null;
/** @type {any} */
let choice = null;

async function post(path, fields) {
  const form = new FormData();
  form.append("file", file, file.name);
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const response = await fetch(path, { method: "POST", body: form, headers: csrfHeaders(who) });
  const body = await response.json().catch(() => null);
  if (!response.ok) throw problemError(response.status, body, path, response.headers.get("Retry-After"));
  return body;
}

function showError(error) {
  $("error").hidden = !error;
  $("error").textContent = error ? userMessage(error) : "";
}

async function start() {
  try {
    const response = await fetch("api/auth/session");
    who = response.ok ? await response.json() : NOBODY;
  } catch {
    who = NOBODY;
  }
  const label = whoLabel(who);
  $("who").textContent = who.role === "public" ? "Not signed in" : `Signed in as ${label.name} (${label.role})`;
  if (who.role !== "analyst" && who.role !== "admin") {
    $("signed-out").hidden = false;
    return;
  }
  $("upload").hidden = false;
  $("file").addEventListener("change", () => {
    file = $("file").files[0] ?? null;
    $("preview-button").disabled = !file;
    $("sheet-box").hidden = true;
    $("sheet").replaceChildren();
    for (const id of ["preview", "mapping", "outcome"]) $(id).hidden = true;
    if (file) showPreview();
  });
  $("preview-button").addEventListener("click", showPreview);
  $("sheet").addEventListener("change", showPreview);
  $("upload-button").addEventListener("click", upload);
  $("period-column").addEventListener("change", () => {
    choice.periodColumn = $("period-column").value;
    $("period-box").hidden = Boolean(choice.periodColumn);
    checkMissing();
  });
  $("area-column").addEventListener("change", () => {
    choice.areaColumn = $("area-column").value;
    checkMissing();
  });
  $("period").addEventListener("input", () => {
    choice.period = $("period").value;
    checkMissing();
  });
  $("skip-outside").addEventListener("change", () => {
    choice.skipOutside = $("skip-outside").checked;
  });
  document.body.dataset.state = "ready";
}

async function showPreview() {
  if (!file) return;
  showError(null);
  const headerRow = Number($("header-row").value) || null;
  const sheet = isWorkbook(file.name) && $("sheet").value ? $("sheet").value : null;
  $("outcome").hidden = true;
  try {
    preview = await post("api/observations/preview", formFields({ sheet, headerRow }, true));
  } catch (error) {
    showError(error);
    return;
  }
  choice = initialChoice(preview);
  if (preview.format === "xlsx") {
    $("sheet-box").hidden = false;
    if ($("sheet").options.length !== preview.sheets.length) {
      $("sheet").replaceChildren(...preview.sheets.map((name) => option(name, name)));
    }
    $("sheet").value = preview.sheet;
  }
  $("header-row").value = String(preview.header_row);
  const shown = preview.rows.length;
  $("preview-about").textContent = `${preview.filename ?? "The file"}: ${preview.row_count.toLocaleString("en-GB")} rows under the header on row ${preview.header_row}` +
    `${preview.sheet ? ` of sheet ${preview.sheet}` : ""}; the first ${shown} are shown.`;
  const head = el("tr");
  head.append(el("th", "Row"), ...preview.columns.map((c) => Object.assign(el("th", c), { scope: "col" })));
  $("preview-table").tHead.replaceChildren(head);
  $("preview-table").tBodies[0].replaceChildren(...preview.rows.map((cells, i) => {
    const tr = el("tr");
    tr.append(el("td", String(preview.row_numbers[i])), ...preview.columns.map((_, j) => el("td", cells[j] ?? "")));
    return tr;
  }));
  $("preview").hidden = false;
  showMapping();
}

function option(value, text) {
  const o = el("option", text);
  o.value = value;
  return o;
}

function showMapping() {
  const columns = preview.columns.filter(Boolean);
  $("area-column").replaceChildren(option("", "(choose)"), ...columns.map((c) => option(c, c)));
  $("area-column").value = choice.areaColumn;
  $("period-column").replaceChildren(option("", "(one period for the whole file)"), ...columns.map((c) => option(c, c)));
  $("period-column").value = choice.periodColumn;
  $("period").value = choice.period;
  $("period-box").hidden = Boolean(choice.periodColumn);
  const indicators = preview.indicators.map((i) => option(i.code, `${i.title} (${i.code})`));
  $("mapping-table").tBodies[0].replaceChildren(...Object.keys(choice.mapping).map((column) => {
    const select = el("select");
    select.setAttribute("aria-label", `Indicator of column ${column}`);
    select.dataset.column = column;
    select.append(option("", "(not uploaded)"), ...indicators.map((o) => o.cloneNode(true)));
    select.value = choice.mapping[column];
    select.addEventListener("change", () => {
      choice.mapping[column] = select.value;
      checkMissing();
    });
    const cell = el("td", "", preview.suggestions.mapping[column] ? "suggested" : "");
    cell.append(select);
    const tr = el("tr");
    tr.append(Object.assign(el("th", column), { scope: "row" }), cell);
    return tr;
  }));
  $("skip-outside").checked = choice.skipOutside;
  $("mapping").hidden = false;
  checkMissing();
}

function checkMissing() {
  const problems = missing(choice);
  $("missing").replaceChildren(...problems.map((p) => el("li", p)));
  $("upload-button").disabled = problems.length > 0;
}

async function upload() {
  showError(null);
  $("upload-button").disabled = true;
  const errors = $("errors");
  try {
    const result = await post("api/observations", formFields(choice));
    $("outcome-text").textContent = result.message;
    $("outcome-notes").replaceChildren(...result.notes.map((n) => el("li", n)));
    errors.hidden = true;
    errors.tBodies[0].replaceChildren();
  } catch (error) {
    $("outcome-text").textContent = userMessage(error);
    $("outcome-notes").replaceChildren();
    const rows = errorRows(error.errors ?? []);
    errors.tBodies[0].replaceChildren(...rows.map((cells) => {
      const tr = el("tr");
      tr.append(...cells.map((c) => el("td", c)));
      return tr;
    }));
    errors.hidden = rows.length === 0;
  } finally {
    checkMissing();
  }
  $("outcome").hidden = false;
}

start().catch(showError);
