// The performance framework page: the delivery boards; a board's measures with their
// three risks and reasons and trajectory charts, its actions with their latest updates
// (an update form for the action's owner), innovation flags and alerts; its report as a
// page and a PDF, and issuing it for the meeting (members). Server text is set as text.

import { $, api, el, request } from "./common.js";
import { NOBODY, csrfHeaders, whoLabel } from "./lib/account.js";
import { cycleOf, givesUpdates, mayIssue, riskRows, trajectoryChart } from "./lib/framework.js";
import { userMessage } from "./lib/problem.js";

const F = "api/framework";
const SVG = "http://www.w3.org/2000/svg";
const STATUSES = ["not_started", "on_track", "at_risk", "off_track", "complete", "cancelled"];
let who = NOBODY;
let shown = ""; // the board on show, so that a slower older answer never replaces a newer

async function start() {
  try {
    who = await api("api/auth/session");
  } catch {
    who = NOBODY;
  }
  const label = whoLabel(who);
  $("who").textContent = who.role === "public" ? "Not signed in" : `Signed in as ${label.name} (${label.role})`;
  if (who.role === "public") {
    $("signed-out").hidden = false;
    return;
  }
  $("framework").hidden = false;
  const boards = await api(`${F}/boards`);
  const list = $("board-list");
  for (const board of boards) {
    const button = el("button", board.name);
    button.type = "button";
    button.dataset.board = board.code;
    button.append(el("span", board.kind.replaceAll("_", " "), "kind"));
    button.addEventListener("click", () => showBoard(board.code));
    const item = el("li");
    item.append(button);
    list.append(item);
  }
  const wanted = new URLSearchParams(location.search).get("board");
  const first = boards.find((b) => b.code === wanted) ?? boards[0];
  if (first) await showBoard(first.code);
}

async function showBoard(code) {
  shown = code;
  history.replaceState(null, "", `?board=${encodeURIComponent(code)}`);
  for (const b of document.querySelectorAll("#board-list button")) {
    b.setAttribute("aria-current", String(b.dataset.board === code));
  }
  const report = await api(`${F}/boards/${encodeURIComponent(code)}/report`);
  if (shown !== code) return;
  const board = report.board;
  $("board-name").textContent = board.name;
  const meeting = report.meeting ? `next meeting ${report.meeting.meets_on}, updates due ${report.meeting.updates_due}` : "no meeting set";
  $("board-about").textContent = `${board.kind.replaceAll("_", " ")} board${board.parent ? `, reporting to ${board.parent}` : ""}; ${meeting}. ${report.marking}.`;
  $("board-report").hidden = false;
  $("report-html").href = `${F}/boards/${encodeURIComponent(code)}/report.html`;
  $("report-pdf").href = `${F}/boards/${encodeURIComponent(code)}/report.pdf`;
  const issue = $("issue");
  issue.hidden = !mayIssue(board, who);
  issue.onclick = () => issueReport(code);
  $("issue-status").textContent = "";
  showFlags(report.flags);
  $("measures").replaceChildren(...report.measures.map(measureCard));
  $("actions").replaceChildren(...report.actions.map((a) => actionCard(a, code)));
  $("alerts").replaceChildren(...(report.alerts.length ? report.alerts.map((a) => el("li", `${a.sentence} (${a.why})`)) : [el("li", "None in the newest analysis.")]));
}

function showFlags(flags) {
  $("flags").hidden = flags.length === 0;
  $("flag-list").replaceChildren(...flags.map((f) => el("li", `${f.title}: ${f.reason}`, "flag")));
}

function measureCard(entry) {
  const m = entry.measure;
  const card = el("article", "", "card");
  card.append(el("h4", m.title));
  card.append(el("p", `${m.indicator} · ${m.scope}${m.area_code ? ` ${m.area_code}` : ""} · ${m.statistic} · ${m.improvement} is better · baseline ${m.baseline_period}${entry.led ? "" : " · an interest of this board"}`, "meta"));
  if (!entry.risks) {
    card.append(el("p", "Not assessed yet."));
    return card;
  }
  const risks = entry.risks;
  if (risks.target) card.append(el("p", `Target ${risks.target.value}${risks.unit} by ${risks.target.due_period}`, "meta"));
  const table = el("table", "", "risks");
  for (const row of riskRows(risks, entry.flag)) {
    const tr = el("tr");
    tr.append(el("th", row.name), el("td", row.level, `level ${row.tone}`), el("td", row.reason));
    table.append(tr);
  }
  card.append(table);
  const chart = trajectoryChart(risks);
  if (chart) card.append(chartSvg(chart, `${m.title}: observed, planned trajectory and target`, risks.unit));
  return card;
}

function svgEl(tag, attrs) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

function chartSvg(chart, title, unit) {
  const svg = svgEl("svg", { viewBox: `0 0 ${chart.width} ${chart.height}`, class: "trajectory", role: "img" });
  const name = svgEl("title", {});
  name.textContent = title;
  svg.append(name);
  const bottom = chart.height - 34;
  svg.append(svgEl("line", { x1: 52, y1: bottom, x2: chart.width - 28, y2: bottom, stroke: "#333" }));
  svg.append(svgEl("line", { x1: 52, y1: 10, x2: 52, y2: bottom, stroke: "#333" }));
  for (const t of chart.yTicks) {
    svg.append(svgEl("line", { x1: 52, y1: t.y, x2: chart.width - 28, y2: t.y, stroke: "#e2e2e2" }));
    const label = svgEl("text", { x: t.x, y: t.y + 3, "text-anchor": "end" });
    label.textContent = t.label;
    svg.append(label);
  }
  for (const t of chart.xTicks) {
    const label = svgEl("text", { x: t.x, y: bottom + 13, "text-anchor": "middle" });
    label.textContent = t.label;
    svg.append(label);
  }
  const axis = svgEl("text", { x: 12, y: bottom / 2, transform: `rotate(-90 12 ${bottom / 2})`, "text-anchor": "middle" });
  axis.textContent = unit.trim() || "value";
  svg.append(axis);
  if (chart.band) svg.append(svgEl("polygon", { points: chart.band, fill: "#c9d9ea" }));
  if (chart.plan) svg.append(svgEl("polyline", { points: chart.plan, fill: "none", stroke: "#6b6b6b", "stroke-dasharray": "6 4" }));
  svg.append(svgEl("polyline", { points: chart.observed, fill: "none", stroke: "#1f4e79", "stroke-width": 2 }));
  if (chart.target) {
    const t = chart.target;
    const mark = svgEl("path", { d: `M${t.x - 6},${t.y} L${t.x},${t.y - 6} L${t.x + 6},${t.y} L${t.x},${t.y + 6} Z`, fill: "#b00020" });
    const tip = svgEl("title", {});
    tip.textContent = t.label;
    mark.append(tip);
    svg.append(mark);
  }
  return svg;
}

function actionCard(entry, board) {
  const a = entry.action;
  const card = el("article", "", "card");
  card.append(el("h4", a.title));
  card.append(el("p", `Owner ${a.owner_name}${a.lead_agency ? ` · lead ${a.lead_agency}` : ""}${a.partners.length ? ` · with ${a.partners.join(", ")}` : ""} · ${a.status.replaceAll("_", " ")}, ${a.percent_complete}% complete`, "meta"));
  if (a.alert_sentence) card.append(el("p", `Opened from an alert: ${a.alert_sentence}`, "meta"));
  const update = entry.latest_update;
  if (update) {
    const block = el("div", "", "update");
    block.append(el("strong", `Update for ${update.cycle} by ${update.author}: `), document.createTextNode(update.narrative));
    if (update.blockers) block.append(el("p", `Blockers: ${update.blockers}`));
    card.append(block);
  } else {
    card.append(el("p", "No update given yet.", "meta"));
  }
  if (givesUpdates(a, who)) card.append(updateForm(a, board));
  return card;
}

function updateForm(action, board) {
  const form = el("form", "", "update-form");
  form.setAttribute("aria-label", `Your update on ${action.title}`);
  const field = (label, input) => {
    const id = `${action.code}-${label.toLowerCase().replace(/\W+/g, "-")}`;
    input.id = id;
    const l = el("label", label);
    l.htmlFor = id;
    form.append(l, input);
    return input;
  };
  const cycle = field("Cycle", el("input"));
  cycle.value = cycleOf(new Date());
  cycle.pattern = "\\d{4}-\\d{2}";
  const status = field("Status", el("select"));
  for (const s of STATUSES) {
    const option = el("option", s.replaceAll("_", " "));
    option.value = s;
    option.selected = s === action.status;
    status.append(option);
  }
  const progress = field("Progress (%)", el("input"));
  progress.type = "number";
  progress.min = "0";
  progress.max = "100";
  progress.value = String(action.percent_complete);
  const narrative = field("Narrative", el("textarea"));
  narrative.required = true;
  const blockers = field("Blockers", el("textarea"));
  const send = el("button", "Give this cycle's update");
  send.type = "submit";
  const problem = el("p", "", "form-error");
  problem.setAttribute("role", "alert");
  form.append(send, problem);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.textContent = "";
    try {
      await request(`${F}/actions/${encodeURIComponent(action.code)}/updates`, {
        method: "POST",
        headers: { "Content-Type": "application/json", ...csrfHeaders(who) },
        body: JSON.stringify({ cycle: cycle.value, status: status.value, progress: Number(progress.value),
          narrative: narrative.value, blockers: blockers.value }),
      });
      await showBoard(board);
    } catch (error) {
      problem.textContent = userMessage(error);
    }
  });
  return form;
}

async function issueReport(code) {
  const status = $("issue-status");
  status.textContent = "Issuing…";
  try {
    const issued = await api(`${F}/boards/${encodeURIComponent(code)}/reports`, { method: "POST", headers: csrfHeaders(who) });
    await showBoard(code);
    $("issue-status").textContent = `Issued (report ${issued.report.id}); regenerate it as it stood with ?at=${issued.report.issued_at}`;
  } catch (error) {
    status.textContent = userMessage(error);
  }
}

start().catch((error) => {
  console.error(error);
  $("error").hidden = false;
  $("error").textContent = userMessage(error);
});
