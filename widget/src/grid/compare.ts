// The detail panel of a paired row (a comparison): how the pair changed, then the two
// samples side by side, baseline first. Labels and values are untrusted: text only.
import { h } from "../shared/model";
import { renderScores, valueText } from "../shared/scores";
import { formatNumber } from "./format";
import type { CompareDetail, CompareSide, SampleScoreView } from "./types";

const STATUS_TEXT: Record<string, string> = {
  improved: "Improved",
  regressed: "Regressed",
  unchanged: "Unchanged",
  missing: "Missing",
};
/** The status line's colour role: better is good, worse is bad, the rest is muted. */
const STATUS_TONE: Record<string, "good" | "bad" | "muted"> = {
  improved: "good",
  regressed: "bad",
  unchanged: "muted",
  missing: "muted",
};
const SIDE_SUMMARY = ["total_tokens", "total_time", "retries"];

/** "Δ +0.5", "Δ −1" (a true minus sign), "Δ 0"; "" without a number. */
export function deltaText(delta: unknown): string {
  if (typeof delta !== "number" || !Number.isFinite(delta)) return "";
  const sign = delta > 0 ? "+" : delta < 0 ? "\u2212" : "";
  return `Δ ${sign}${formatNumber(Math.abs(delta))}`;
}

/** The pair in one line, e.g. "Regressed · Δ −1". */
export function compareSummary(compare: Pick<CompareDetail, "status" | "delta">): string {
  const status = STATUS_TEXT[compare.status] ?? String(compare.status ?? "");
  const delta = deltaText(compare.delta);
  return delta ? `${status} · ${delta}` : status;
}

function present(v: unknown): boolean {
  return v !== null && v !== undefined && v !== "";
}

/** One column: its heading, then Answer, Scores, Error and Limit, each when present. */
function renderSide(
  side: CompareSide,
  which: "baseline" | "compared",
  view: SampleScoreView | null,
  labels: Record<string, string>,
): HTMLElement {
  const col = h("section", "el-compare-side");
  col.dataset.side = which;
  const sample = side.sample ?? {};
  col.append(h("h3", "el-compare-label", String(side.label ?? "")));
  const stats = h("dl", "el-detail-summary el-compare-stats");
  for (const key of SIDE_SUMMARY) {
    if (present(sample[key])) stats.append(h("dt", "", key), h("dd", "", valueText(sample[key])));
  }
  if (stats.childElementCount) col.append(stats);
  const text = (key: string, title: string) => {
    if (present(sample[key]))
      col.append(h("h4", "", title), h("pre", `el-detail-text el-detail-${key}`, valueText(sample[key])));
  };
  text("answer", "Answer");
  const scores = side.scores ?? [];
  if (scores.length) col.append(h("h4", "", "Scores"), renderScores(scores, view, labels));
  text("error", "Error");
  text("limit", "Limit");
  return col;
}

/** The status line and the two columns (they stack when the panel is narrow, see grid.css). */
export function renderCompare(
  compare: CompareDetail,
  view: SampleScoreView | null,
  labels: Record<string, string>,
): HTMLElement {
  const wrap = h("div", "el-compare");
  const status = h(
    "div",
    `el-compare-status el-tone-${STATUS_TONE[compare.status] ?? "muted"}`,
    compareSummary(compare),
  );
  status.dataset.status = String(compare.status);
  const sides = h("div", "el-compare-sides");
  (compare.sides ?? []).forEach((side, i) => {
    sides.append(renderSide(side, i === 0 ? "baseline" : "compared", view, labels));
  });
  wrap.append(status, sides);
  return wrap;
}
