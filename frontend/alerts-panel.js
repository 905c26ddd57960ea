// The alerts panel: the newest run's alerts by area type, each a plain sentence with the
// date it was raised, "new" when raised since the viewer's last visit, its statistics
// under "details", who acknowledged it or has it, and (signed in) acknowledge and assign.
// Choosing an alert calls onAlert(alert): app.js takes the map to it. Server text is only
// ever set as text.

import { viewer } from "./account.js";
import { $, api, el } from "./common.js";
import { groupAlerts } from "./lib/alerts.js";
import { csrfHeaders } from "./lib/account.js";
import { detailLines, handlingLines, isNewSince, raisedText } from "./lib/alert-view.js";
import { alertPath } from "./lib/paths.js";
import { userMessage } from "./lib/problem.js";

const LAST_VISIT = "nis.alerts.lastVisit";
let lastVisit; // the previous visit's time (ISO), read once a page load

// The time of the visit before this one; this visit's time is kept for the next.
export function previousVisit() {
  if (lastVisit === undefined) {
    try {
      lastVisit = localStorage.getItem(LAST_VISIT);
      localStorage.setItem(LAST_VISIT, new Date().toISOString());
    } catch {
      lastVisit = null; // storage refused (private mode): nothing is marked new
    }
  }
  return lastVisit;
}

// One alert: the button that opens it, then what is known of it and, signed in, the
// controls that record who has it in hand.
export function alertItem(alert, onAlert, { compact = false } = {}) {
  const item = el("article", "", `alert-item ${alert.kind}`);
  item.dataset.id = String(alert.id);
  const button = el("button", "", `alert ${alert.kind}`);
  button.type = "button";
  Object.assign(button.dataset, { area: alert.area_code || "", type: alert.area_type || "", indicators: alert.indicators.join(",") });
  button.append(el("span", alert.kind, "kind"), " ");
  if (alert.area_type_name) button.append(el("span", alert.area_type_name, "area-type"), " ");
  const fresh = isNewSince(alert, previousVisit());
  if (fresh) button.append(el("span", "New since your last visit", "new-badge"), " ");
  button.append(el("span", alert.sentence, "sentence"));
  button.addEventListener("click", () => onAlert(alert));
  if (fresh) item.classList.add("new");
  const facts = el("p", raisedText(alert), "raised");
  item.append(button, facts);
  const lines = detailLines(alert);
  if (lines.length) {
    const details = el("details", "", "alert-details");
    const list = el("ul");
    list.append(...lines.map((line) => el("li", line)));
    details.append(el("summary", "Details"), list);
    item.append(details);
  }
  const handling = el("p", handlingLines(alert).join(". "), "handling");
  handling.hidden = !handling.textContent;
  item.append(handling);
  if (!compact && viewer().signed_in && viewer().via === "session") item.append(handlingForm(alert, handling));
  return item;
}

// Acknowledge (with a note) and assign (to a signed-in user by name), recorded by the
// server; the answer's alert says who has it now.
function handlingForm(alert, handling) {
  const form = el("form", "", "handle-alert");
  form.setAttribute("aria-label", "Acknowledge or assign this alert");
  const note = el("input");
  Object.assign(note, { name: "note", maxLength: 2000, placeholder: "Note (optional)", autocomplete: "off" });
  note.setAttribute("aria-label", "Note");
  const ack = el("button", "Acknowledge", "acknowledge");
  ack.type = "submit";
  const assignee = el("input");
  Object.assign(assignee, { name: "assignee", maxLength: 128, placeholder: "User name", autocomplete: "off", spellcheck: false });
  assignee.setAttribute("aria-label", "Assign to (user name)");
  const assign = el("button", "Assign", "assign");
  assign.type = "button";
  const status = el("span", "", "handle-status");
  status.setAttribute("role", "status");
  const send = async (path, body, done) => {
    status.textContent = "Saving…";
    try {
      const answer = await api(path, {
        method: "POST", headers: { "Content-Type": "application/json", ...csrfHeaders(viewer()) }, body: JSON.stringify(body),
      });
      const updated = { ...alert, ...(answer.alert ?? answer) };
      alert.acknowledged = updated.acknowledged;
      alert.assigned_to = updated.assigned_to;
      handling.textContent = handlingLines(alert).join(". ");
      handling.hidden = !handling.textContent;
      status.textContent = done;
    } catch (error) {
      status.textContent = userMessage(error);
    }
  };
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    send(alertPath(alert.id, "acknowledgements"), { note: note.value.trim() || null }, "Acknowledged");
  });
  assign.addEventListener("click", () => {
    if (!assignee.value.trim()) {
      status.textContent = "Give the user name of the officer to assign it to";
      return;
    }
    send(alertPath(alert.id, "assignment"), { user: assignee.value.trim() }, "Assigned");
  });
  form.append(note, ack, assignee, assign, status);
  return form;
}

// An area's alerts (its profile), compact: no handling controls there.
export function alertList(alerts, onAlert) {
  if (!alerts.length) return [el("p", "No alerts.")];
  return alerts.map((a) => alertItem(a, onAlert, { compact: true }));
}

// The alerts of the newest run (/api/alerts), by area type (typeOrder: codes, finest
// first), correlated first within each, new ones counted.
export function showAlerts(body, onAlert, typeOrder = []) {
  if (body.run === null) {
    $("alerts").replaceChildren(el("p", "No analysis has run yet."));
    return;
  }
  const since = previousVisit();
  const fresh = body.alerts.filter((a) => isNewSince(a, since)).length;
  const groups = groupAlerts(body.alerts, typeOrder);
  const sections = groups.map((group) => {
    const section = el("section", "", "alert-group");
    section.dataset.type = group.type;
    const title = group.name || "Other alerts";
    section.append(
      el("h3", `${title}: ${group.alerts.length} alert${group.alerts.length === 1 ? "" : "s"}`),
      ...group.alerts.map((a) => alertItem(a, onAlert)),
    );
    return section;
  });
  const newText = since ? ` ${fresh} new since your last visit.` : "";
  const intro = el("p", `${body.alerts.length} alerts from analysis run ${body.run}, by area type, correlated first.${newText}`);
  intro.id = "alerts-intro";
  $("alerts").replaceChildren(intro, ...sections);
}
