// Baseline mode: every cell is a paired delta against one model. A delta's sign is the
// point, so it is always written out, and a significant difference is told in words and
// a corner mark (drawn by paint.ts) as well as colour (red and green alone fail colour-blind readers).
import { formatValue } from "./layout";
import type { DeltaRow, HeatmapSpec } from "./types";

const MINUS = "\u2212";

/** The baseline model, or null outside baseline mode (specs saved before it lack the field). */
export function baselineOf(spec: HeatmapSpec): string | null {
  return typeof spec.baseline === "string" ? spec.baseline : null;
}

/** A delta as text: formatValue's precision with its sign ("+0.12", "−0.05"); whatever
 * rounds to zero is a bare "0", so a tiny negative never reads "−0". */
export function formatSigned(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return "";
  const magnitude = formatValue(Math.abs(v));
  if (magnitude === "0") return "0";
  return `${v > 0 ? "+" : MINUS}${magnitude}`;
}

/** A cell's text: signed in baseline mode, as ever otherwise. */
export function cellText(spec: HeatmapSpec, v: number | null): string {
  return baselineOf(spec) === null ? formatValue(v) : formatSigned(v);
}

/** A cell's value in words, for assistive tech: the cell text, "no value" without one, and
 * in baseline mode whether the difference is significant. */
export function describeValue(spec: HeatmapSpec, value: number | null, delta: DeltaRow | null): string {
  const text = value === null || !Number.isFinite(value) ? "no value" : cellText(spec, value);
  return delta?.[5] === true ? `${text}, significant` : text;
}

/** An adjusted p-value: three decimals, and below that only that it is small. */
export function formatP(p: number): string {
  return p < 0.001 ? "< 0.001" : formatValue(p);
}

/** The hover card's figures for one cell in baseline mode, as [label, value] text. */
export function deltaTipRows(n: number, stderr: number | null, delta: DeltaRow | null): [string, string][] {
  const rows: [string, string][] = [];
  if (delta) {
    const [lo, hi, improved, regressed, p, significant] = delta;
    const ci = lo === null || hi === null ? "n/a" : `[${formatSigned(lo)}, ${formatSigned(hi)}]`;
    rows.push(["95% CI", ci]);
    rows.push(["Flips", `${count(improved)} improved · ${count(regressed)} regressed`]);
    if (p !== null) rows.push(["p (adjusted)", formatP(p)]);
    rows.push(["Significant", significant ? "yes (CI excludes 0)" : "no"]);
  }
  rows.push(["n", `${count(n)} paired samples`]);
  if (stderr !== null) rows.push(["stderr", formatValue(stderr)]);
  return rows;
}

function count(n: number): string {
  return n.toLocaleString("en-US");
}
