// @ts-check
// The lines at the foot of a printed page: who may see it, DEMO on the demo, where the
// figures come from, when it was printed, and the copyright of the boundaries and data.

/**
 * @param {{ marking: string, demo: boolean, source: string, printed: Date, partnership?: string | null }} facts
 * @returns {Array<{ text: string, className: string }>}
 */
export function printFooter({ marking, demo, source, printed, partnership = null }) {
  const when = printed.toLocaleString("en-GB", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" });
  const lines = [{ text: marking, className: "marking" }];
  if (demo) lines.push({ text: "DEMO: generated demonstration data, not real figures", className: "marking demo" });
  if (source) lines.push({ text: `Source: ${source}`, className: "source" });
  lines.push({ text: `Printed ${when} UTC from the ${partnership ? `${partnership} ` : ""}Neighbourhood Information System`, className: "printed" });
  lines.push({ text: "Contains OS data © Crown copyright and database right. Contains public sector information licensed under the Open Government Licence v3.0.", className: "copyright" });
  return lines;
}
