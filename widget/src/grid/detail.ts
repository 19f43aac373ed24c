// The detail panel: one sample in full, as text. Scores follow Inspect's SampleScoreView.

import type { AnyModel } from "@anywidget/types";
import { NAV_EVENT, type SampleNavDetail, SampleViewEl } from "../sample/element";
import { h, sync } from "../shared/model";
import { renderScores, type SampleScoreView, valueText } from "../shared/scores";
import { renderCompare } from "./compare";
import type { GridQuery } from "./query";
import type { CompareDetail, DetailScore, GridState, SampleViewData } from "./types";

const SECTIONS: [string, string][] = [
  ["input", "Input"],
  ["target", "Target"],
  ["answer", "Answer"],
  ["error", "Error"],
  ["limit", "Limit"],
];
const SUMMARY = ["task_display_name", "task_name", "model", "id", "epoch", "total_tokens", "total_time", "retries"];
/** What two compared samples share, shown once above them (the rest is per side). */
const SHARED = new Set(["task_display_name", "task_name", "id", "epoch", "input", "target"]);

/** One sample; with `compare`, a paired row: the shared Input and Target once, then the
 * two samples side by side (see compare.ts). */
export function renderDetail(
  sample: Record<string, unknown>,
  scores: DetailScore[],
  view: SampleScoreView | null,
  labels: Record<string, string>,
  compare: CompareDetail | null = null,
): HTMLElement {
  const body = h("div", "el-detail-body");
  const summary = h("dl", "el-detail-summary");
  for (const key of SUMMARY) {
    if (compare && !SHARED.has(key)) continue;
    // A task named the same by both columns is said once.
    if (key === "task_name" && sample.task_display_name === sample.task_name) continue;
    if (key in sample && sample[key] !== null && sample[key] !== "") {
      summary.append(h("dt", "", key), h("dd", "", valueText(sample[key])));
    }
  }
  body.append(summary);
  if (scores.length && !compare) {
    body.append(h("h4", "", "Scores"), renderScores(scores, view, labels));
  }
  for (const [key, title] of SECTIONS) {
    if (compare && !SHARED.has(key)) continue;
    // A paired row without its own input or target takes the baseline's.
    const v = compare ? (sample[key] ?? compare.sides?.[0]?.sample?.[key]) : sample[key];
    if (v === null || v === undefined || v === "") continue;
    body.append(h("h4", "", title), h("pre", `el-detail-text el-detail-${key}`, valueText(v)));
  }
  if (compare) body.append(renderCompare(compare, view, labels));
  const meta = Object.keys(sample).filter((k) => k.startsWith("metadata_") || k === "metadata");
  if (meta.length) {
    const dl = h("dl", "el-detail-meta");
    for (const k of meta) dl.append(h("dt", "", k.replace(/^metadata_/, "")), h("dd", "", valueText(sample[k])));
    body.append(h("h4", "", "Metadata"), dl);
  }
  return body;
}

/** The panel beside the rows. The sample it shows is the model's `focused` trait, so
 * Python opens and closes it too; the sample itself is asked of the kernel. */
export class DetailPanel {
  readonly el = h("aside", "el-detail");
  /** Source-row id of the sample shown (-1: none). */
  private row = -1;
  /** The sample views on show (one, or a compared row's two). */
  private samples: SampleViewEl[] = [];

  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly query: GridQuery,
  ) {
    this.el.hidden = true;
    this.el.tabIndex = -1;
    this.el.addEventListener("keydown", (e) => this.key(e));
    // The sample view's own previous/next ([ ] p n) steps through the grid's order.
    this.el.addEventListener(NAV_EVENT, (e) => this.step((e as CustomEvent<SampleNavDetail>).detail.dir));
  }

  get isOpen(): boolean {
    return !this.el.hidden;
  }

  /** Follow `focused` when it changed elsewhere (Python). */
  follow(): void {
    const row = this.model.get("focused");
    if (row >= 0 && row !== this.row) this.open(row);
    if (row < 0) this.close(false);
  }

  open(row: number): void {
    // `[` or `]` pressed in the sample on show: that sample is about to go, and the focus
    // with it. Keep the focus in the panel so the next key steps on.
    const focused = this.el.contains(document.activeElement);
    this.row = row;
    this.el.hidden = false;
    if (this.model.get("focused") !== row) {
      this.model.set("focused", row);
      sync(this.model);
    }
    const head = h("div", "el-detail-head");
    const title = h("span", "el-detail-title", "Sample");
    const close = h("button", "el-detail-close", "×");
    close.setAttribute("aria-label", "Close sample details");
    close.addEventListener("click", () => this.close(true));
    const steps = [-1, 1].map((step) => {
      const b = h("button", "el-detail-step", step < 0 ? "‹" : "›");
      b.setAttribute("aria-label", step < 0 ? "Previous sample ([)" : "Next sample (])");
      b.title = step < 0 ? "Previous sample ([)" : "Next sample (])";
      b.addEventListener("click", () => this.step(step));
      return b;
    });
    head.append(title, ...steps, close);
    this.el.replaceChildren(head, h("div", "el-detail-loading", "Loading…"));
    if (focused) this.el.focus({ preventScroll: true });
    this.query
      .detail(row)
      .then(({ row: shown, sample, scores, compare, sample_view, transcript_hit }) => {
        if (shown !== this.row) return; // another sample was opened meanwhile
        const epoch = sample.epoch && Number(sample.epoch) > 1 ? ` (epoch ${sample.epoch})` : "";
        title.textContent = `Sample ${sample.id ?? ""}${epoch}`;
        const view = this.model.get("_sample_score_view");
        // Two samples side by side want a wider panel (grid.css).
        this.el.classList.toggle("el-detail-compare", !!compare);
        this.disposeSamples();
        if (sample_view && !compare) {
          // The whole sample: its own sections replace the row's summary.
          const keep = this.el.contains(document.activeElement);
          const sampleEl = this.sampleView(row, 0, sample_view);
          this.el.replaceChildren(head, sampleEl);
          // A transcript search is on: open at the sample's first hit.
          if (transcript_hit) this.samples[0]?.markHit(transcript_hit.index, transcript_hit.matches);
          // The focus goes on into the sample, where its own keys (j, k, [ and ]) work.
          if (keep) sampleEl.focus({ preventScroll: true });
          return;
        }
        const body = renderDetail(sample, scores, view, this.model.get("score_labels"), compare ?? null);
        // A compared row: each side's transcript under its column, when its log is readable.
        const columns = body.querySelectorAll<HTMLElement>(".el-compare-side");
        compare?.sides.forEach((side, i) => {
          if (side.sample_view && columns[i]) columns[i].append(this.sampleView(row, i, side.sample_view));
        });
        this.el.replaceChildren(head, body);
      })
      .catch((err: Error) => {
        this.el.replaceChildren(head, h("div", "el-detail-loading", `Could not load the sample: ${err.message}`));
      });
  }

  /** A sample view of the row's sample (`side` of a compared row), fetching its messages. */
  private sampleView(row: number, side: number, data: SampleViewData): HTMLElement {
    const view = new SampleViewEl({
      head: data.head,
      messages: data.messages,
      revision: data.revision,
      fetchMessages: (offset, limit) => this.query.sampleMessages(row, side, offset, limit),
    });
    this.samples.push(view);
    return view.el;
  }

  private disposeSamples(): void {
    for (const view of this.samples) view.dispose();
    this.samples = [];
  }

  /** Open the sample `step` places away in the grid's current order (the kernel knows it). */
  step(step: number): void {
    if (this.row < 0) return;
    const from = this.row;
    this.query
      .neighbour(from, step)
      .then((row) => {
        if (row >= 0 && this.row === from) this.open(row);
      })
      .catch(() => {}); // no kernel: stay on this sample
  }

  /** `[` and `]` step through samples while the panel has focus or is open. */
  key(e: KeyboardEvent): boolean {
    if (!this.isOpen || (e.key !== "[" && e.key !== "]")) return false;
    e.preventDefault();
    this.step(e.key === "[" ? -1 : 1);
    return true;
  }

  /** `user`: closed here, so Python hears it; otherwise Python closed it. */
  close(user: boolean): void {
    this.disposeSamples();
    this.el.hidden = true;
    this.row = -1;
    if (user && this.model.get("focused") !== -1) {
      this.model.set("focused", -1);
      sync(this.model);
    }
  }
}
