// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { compareSummary, deltaText } from "../src/grid/compare";
import { DetailPanel, renderDetail } from "../src/grid/detail";
import type { GridQuery } from "../src/grid/query";
import type { CompareDetail, DetailReply, DetailScore, GridState } from "../src/grid/types";
import { FakeModel } from "./fake_model";

const s = (name: string, value: unknown): DetailScore => ({
  name,
  scorer: name,
  column: `score_${name}`,
  type: "passfail",
  value,
});

const pair = (over: Partial<CompareDetail> = {}): CompareDetail => ({
  status: "regressed",
  delta: -1,
  sides: [
    {
      label: "gpt-4o (baseline)",
      sample: { answer: "Paris", total_tokens: 120 },
      scores: [s("match", "C")],
    },
    {
      label: "claude (compared)",
      sample: { answer: "Lyon", error: "timeout", limit: "tokens" },
      scores: [s("match", "I")],
    },
  ],
  ...over,
});

const row = { id: 7, epoch: 1, model: "gpt-4o", input: "Capital of France?", target: "Paris", answer: "Paris" };

const texts = (el: HTMLElement, selector: string) => [...el.querySelectorAll(selector)].map((e) => e.textContent);

describe("compared samples in the detail panel", () => {
  it("shows the shared input and target once, then both samples side by side", () => {
    const el = renderDetail(row, [s("match", "C")], null, {}, pair());
    expect(texts(el, ".el-detail-input")).toEqual(["Capital of France?"]);
    expect(texts(el, ".el-detail-target")).toEqual(["Paris"]);
    expect(texts(el, ".el-compare-label")).toEqual(["gpt-4o (baseline)", "claude (compared)"]);
    expect(texts(el, ".el-compare-side .el-detail-answer")).toEqual(["Paris", "Lyon"]);
    expect(el.querySelectorAll(".el-detail-answer")).toHaveLength(2); // not the row's own answer too
    const [baseline, compared] = [...el.querySelectorAll<HTMLElement>(".el-compare-side")];
    expect(baseline.dataset.side).toBe("baseline");
    expect(compared.dataset.side).toBe("compared");
    // Error and Limit only where present; each side has its own scores.
    expect(baseline.querySelector(".el-detail-error")).toBeNull();
    expect(compared.querySelector(".el-detail-error")?.textContent).toBe("timeout");
    expect(compared.querySelector(".el-detail-limit")?.textContent).toBe("tokens");
    expect(texts(el, ".el-compare-side .el-chip-value")).toEqual(["C", "I"]);
    expect(texts(baseline, "dt")).toEqual(["total_tokens"]);
    // Per-sample values of the row (its model, answer, scores) are left to the sides.
    expect(texts(el, ".el-detail-body > .el-detail-summary dt")).toEqual(["id", "epoch"]);
    expect(el.querySelectorAll(".el-detail-scores")).toHaveLength(2);
  });

  it("sums the pair up in one coloured line", () => {
    const el = renderDetail(row, [], null, {}, pair());
    const status = el.querySelector<HTMLElement>(".el-compare-status")!;
    expect(status.textContent).toBe("Regressed · Δ \u22121");
    expect(status.classList.contains("el-tone-bad")).toBe(true);
    const better = renderDetail(row, [], null, {}, pair({ status: "improved", delta: 0.5 }));
    expect(better.querySelector(".el-compare-status")?.textContent).toBe("Improved · Δ +0.5");
    expect(better.querySelector(".el-compare-status")?.classList.contains("el-tone-good")).toBe(true);
    const missing = renderDetail(row, [], null, {}, pair({ status: "missing", delta: null }));
    expect(missing.querySelector(".el-compare-status")?.textContent).toBe("Missing");
    expect(missing.querySelector(".el-compare-status")?.classList.contains("el-tone-muted")).toBe(true);
    expect(compareSummary({ status: "unchanged", delta: 0 })).toBe("Unchanged · Δ 0");
    expect(deltaText(-0.25)).toBe("Δ \u22120.25");
  });

  it("takes the baseline's input when the row has none", () => {
    const el = renderDetail(
      { id: 1 },
      [],
      null,
      {},
      pair({
        sides: [
          { label: "a", sample: { input: "from baseline" }, scores: [] },
          { label: "b", sample: {}, scores: [] },
        ],
      }),
    );
    expect(texts(el, ".el-detail-input")).toEqual(["from baseline"]);
  });

  it("is absent when the reply has no pair", () => {
    for (const compare of [null, undefined]) {
      const el = renderDetail(row, [s("match", "C")], null, {}, compare);
      expect(el.querySelector(".el-compare")).toBeNull();
      expect(texts(el, ".el-detail-answer")).toEqual(["Paris"]);
      expect(texts(el, ".el-detail-summary dt")).toContain("model");
    }
  });

  it("renders untrusted labels and answers as text", () => {
    const evil = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const compare = pair();
    compare.sides[0] = { label: evil, sample: { answer: evil, error: evil }, scores: [s(evil, evil)] };
    compare.sides[1] = { ...compare.sides[1], label: evil };
    const el = renderDetail(row, [], null, {}, compare);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("script")).toBeNull();
    expect(texts(el, ".el-compare-label")).toEqual([evil, evil]);
    expect(el.querySelector(".el-compare-side .el-detail-answer")?.textContent).toBe(evil);
  });

  it("widens the panel for a pair and narrows it again for a single sample", async () => {
    const model = new FakeModel({ focused: -1, _sample_score_view: null, score_labels: {} } as unknown as GridState);
    let reply: DetailReply = { row: 3, sample: row, scores: [], compare: pair() };
    const query = { detail: async () => reply } as unknown as GridQuery;
    const panel = new DetailPanel(model, query);
    panel.open(3);
    await new Promise((r) => setTimeout(r, 0));
    expect(panel.el.classList.contains("el-detail-compare")).toBe(true);
    expect(panel.el.querySelectorAll(".el-compare-side")).toHaveLength(2);
    reply = { row: 4, sample: row, scores: [] };
    panel.open(4);
    await new Promise((r) => setTimeout(r, 0));
    expect(panel.el.classList.contains("el-detail-compare")).toBe(false);
    expect(panel.el.querySelector(".el-compare")).toBeNull();
  });
});
