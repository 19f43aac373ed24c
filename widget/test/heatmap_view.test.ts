// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import type { HeatmapSpec, HeatmapState } from "../src/heatmap/types";
import { HeatmapView } from "../src/heatmap/view";
import { FakeModel } from "./fake_model";

const NASTY = '<img src=x onerror="window.__pwned=1">';

function make(
  text: string | null = "auto",
  extra: Partial<HeatmapSpec> = {},
): { model: FakeModel<HeatmapState>; el: HTMLElement; view: HeatmapView } {
  const spec: HeatmapSpec = {
    x: ["t0", NASTY],
    y: ["m0", "<script>window.__pwned=2</script>"],
    tasks_on_x: true,
    x_label: "<i>tasks</i>",
    y_label: null,
    title: "<b>title</b>",
    tip: true,
    legend: true,
    scheme: "viridis",
    reverse: false,
    domain: [0, 1],
    cell: { text, inset: 1 },
    margin_left: null,
    x_tick_rotate: null,
    score: "score_x",
    task_scores: null,
    unit: "samples",
    cells: [
      [0, 0, 0.2, 10, 0.1, null],
      [1, 0, 0.9, 10, 0.05, "https://example.org/log"],
      [1, 1, null, 3, null, null],
    ],
    baseline: null,
    deltas: null,
    ...extra,
  };
  const model = new FakeModel<HeatmapState>({ _spec: spec, width: 700, height: 433, selection: [] });
  const el = document.createElement("div");
  document.body.append(el);
  const view = new HeatmapView(model, el);
  return { model, el, view };
}

describe("HeatmapView", () => {
  it("draws cells, empty and missing cells, as text only", () => {
    const { el } = make();
    expect(el.querySelectorAll(".el-hm-cell:not(.el-hm-missing)").length).toBe(3);
    expect(el.querySelectorAll(".el-hm-missing").length).toBe(1);
    expect(el.querySelectorAll(".el-hm-empty").length).toBe(1);
    expect(el.querySelector("img, script, b, i")).toBeNull();
    expect(el.textContent).toContain(NASTY);
    expect(el.querySelector('[data-x="1"][data-y="1"]')?.textContent).toBe("");
    expect(window.__pwned).toBeUndefined();
  });

  it("click, modifier click and labels set the selection", () => {
    const { el, model } = make();
    const cell = (x: number, y: number) => el.querySelector<HTMLElement>(`[data-x="${x}"][data-y="${y}"]`)!;
    cell(0, 0).dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.state.selection).toEqual([{ task: "t0", model: "m0" }]);
    expect(cell(0, 0).classList.contains("el-hm-selected")).toBe(true);
    expect(el.querySelector(".el-hm-has-selection")).not.toBeNull();
    cell(1, 0).dispatchEvent(new MouseEvent("click", { bubbles: true, ctrlKey: true }));
    expect(model.state.selection).toHaveLength(2);
    cell(1, 0).dispatchEvent(new MouseEvent("click", { bubbles: true, shiftKey: true }));
    expect(model.state.selection).toEqual([{ task: "t0", model: "m0" }]);
    cell(0, 0).dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.state.selection).toEqual([]);
    el.querySelector<HTMLElement>('[data-line="x1"]')!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.state.selection).toEqual([
      { task: NASTY, model: "m0" },
      { task: NASTY, model: "<script>window.__pwned=2</script>" },
    ]);
    // Missing cells do nothing.
    el.querySelector<HTMLElement>(".el-hm-missing")!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.state.selection).toHaveLength(2);
  });

  it("keyboard: arrows focus, Enter toggles, Escape clears", () => {
    const { el, model } = make();
    const scroller = el.querySelector<HTMLElement>(".el-hm-scroll")!;
    const key = (k: string) => scroller.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("ArrowDown");
    key("ArrowRight");
    expect(el.querySelector(".el-hm-focus")?.getAttribute("data-x")).toBe("1");
    key("ArrowUp");
    key("Enter");
    expect(model.state.selection).toEqual([{ task: NASTY, model: "m0" }]);
    key(" ");
    expect(model.state.selection).toEqual([]);
    key("Enter");
    key("Escape");
    expect(model.state.selection).toEqual([]);
  });

  it("follows selection set from Python", () => {
    const { el, model } = make();
    model.emit("selection", [{ task: NASTY, model: "m0" }]);
    const on = el.querySelectorAll(".el-hm-selected");
    expect(on).toHaveLength(1);
    expect((on[0] as HTMLElement).dataset.x).toBe("1");
    model.emit("selection", []);
    expect(el.querySelectorAll(".el-hm-selected")).toHaveLength(0);
    expect(el.querySelector(".el-hm-has-selection")).toBeNull();
  });

  it("tooltip shows the cell, links only to the web", () => {
    const { el } = make();
    const target = el.querySelector<HTMLElement>('[data-x="1"][data-y="0"]')!;
    target.dispatchEvent(new MouseEvent("pointerover", { bubbles: true }));
    const tip = el.querySelector<HTMLElement>(".el-hm-tip")!;
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toContain(NASTY);
    expect(tip.textContent).toContain("10 samples");
    expect(tip.querySelector("a")?.getAttribute("href")).toBe("https://example.org/log");
  });

  it("tasks with their own default score say which score their cells average", () => {
    const { el } = make("auto", {
      score: "Default score per task",
      task_scores: { t0: "score_match", [NASTY]: "score_judge" },
    });
    el.querySelector<HTMLElement>('[data-x="1"][data-y="0"]')!.dispatchEvent(
      new MouseEvent("pointerover", { bubbles: true }),
    );
    const tip = el.querySelector<HTMLElement>(".el-hm-tip")!;
    expect(tip.textContent).toContain("score_judge");
    expect(tip.textContent).not.toContain("score_match");
    expect(el.querySelector<HTMLElement>('[data-line="x0"]')!.title).toBe("t0 (score_match)");
    const legend = el.querySelector<HTMLElement>(".el-hm-legend-title")!;
    expect(legend.textContent).toBe("Default score per task");
    expect(legend.title).toContain("t0: score_match");
  });

  it("a user's text colour cannot smuggle in other styles", () => {
    const { el } = make("red; background-image: url(https://example.org/x.png)");
    const cell = el.querySelector<HTMLElement>('[data-x="0"][data-y="0"]')!;
    expect(cell.style.backgroundImage).toBe("");
    expect(cell.style.getPropertyValue("--el-hm-fill")).toMatch(/^rgba\(/);
  });
});
