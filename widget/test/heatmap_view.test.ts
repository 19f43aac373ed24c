// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import type { HeatmapSpec, HeatmapState } from "../src/heatmap/types";
import { type HeatmapProbe, HeatmapView } from "../src/heatmap/view";
import { type CanvasRecorder, recordCanvases } from "./canvas_recorder";
import { FakeModel } from "./fake_model";
import { heatmapSpec } from "./heatmap_fixtures";

const NASTY = '<img src=x onerror="window.__pwned=1">';

function make(
  text: string | null = "auto",
  extra: Partial<HeatmapSpec> = {},
): { model: FakeModel<HeatmapState>; el: HTMLElement; view: HeatmapView; pen: CanvasRecorder; probe: HeatmapProbe } {
  const pens = recordCanvases();
  const spec = heatmapSpec({
    x: ["t0", NASTY],
    y: ["m0", "<script>window.__pwned=2</script>"],
    x_label: "<i>tasks</i>",
    title: "<b>title</b>",
    cell: { text, inset: 1 },
    score: "score_x",
    cells: [
      [0, 0, 0.2, 10, 0.1, null],
      [1, 0, 0.9, 10, 0.05, "https://example.org/log"],
      [1, 1, null, 3, null, null],
    ],
    ...extra,
  });
  const model = new FakeModel<HeatmapState>({ _spec: spec, width: 700, height: 433, selection: [] });
  const el = document.createElement("div");
  document.body.append(el);
  const view = new HeatmapView(model, el);
  const probe = (view.root as HTMLElement & { evallensHeatmap: HeatmapProbe }).evallensHeatmap;
  return { model, el, view, pen: pens[0], probe };
}

/** A pointer event at the middle of cell (i, j): jsdom puts every box at 0, 0, so client
 * pixels are cell-area pixels. */
function at(view: HeatmapView, type: string, i: number, j: number, init: MouseEventInit = {}): void {
  const { cellW, cellH } = layoutOf(view);
  const canvas = view.root.querySelector("canvas")!;
  canvas.dispatchEvent(
    new MouseEvent(type, { bubbles: true, clientX: i * cellW + cellW / 2, clientY: j * cellH + cellH / 2, ...init }),
  );
}

function layoutOf(view: HeatmapView): { cellW: number; cellH: number } {
  return (view as unknown as { layout: { cellW: number; cellH: number } }).layout;
}

describe("HeatmapView", () => {
  it("draws cells on a canvas, labels as text only", () => {
    const { el, view, pen, probe } = make();
    const { cellW, cellH } = layoutOf(view);
    // One canvas, no DOM per cell.
    expect(el.querySelectorAll("canvas")).toHaveLength(1);
    expect(el.querySelectorAll("[data-x]")).toHaveLength(0);
    const texts = pen.ops.filter((o) => o.op === "fillText").map((o) => o.text);
    expect(texts.sort()).toEqual(["0.2", "0.9"]);
    // Filled: the two cells with values; outlined: the empty cell and the missing one.
    expect(pen.ops.filter((o) => o.op === "fillRect")).toHaveLength(2);
    const dashed = pen.ops.filter((o) => o.op === "strokeRect" && o.dashed);
    expect(dashed.map((o) => [Math.floor(o.x / cellW), Math.floor(o.y / cellH)]).sort()).toEqual([
      [0, 1],
      [1, 1],
    ]);
    expect(probe.cells().map((c) => [c.x, c.y, c.text, c.empty])).toEqual([
      [0, 0, "0.2", false],
      [1, 0, "0.9", false],
      [1, 1, "", true],
    ]);
    expect(el.querySelector("img, script, b, i")).toBeNull();
    expect(el.textContent).toContain(NASTY);
    expect(window.__pwned).toBeUndefined();
  });

  it("says what the canvas is, for assistive tech", () => {
    const { el } = make();
    const canvas = el.querySelector("canvas")!;
    expect(canvas.getAttribute("role")).toBe("img");
    expect(canvas.getAttribute("aria-label")).toContain("score_x by task and model: 2 columns × 2 rows");
    const scroller = el.querySelector<HTMLElement>(".el-hm-scroll")!;
    expect(scroller.tabIndex).toBe(0);
    const live = el.querySelector<HTMLElement>(`#${scroller.getAttribute("aria-describedby")}`)!;
    expect(live.getAttribute("role")).toBe("status");
  });

  it("click, modifier click and labels set the selection", () => {
    const { el, model, view, pen, probe } = make();
    const { cellW, cellH } = layoutOf(view);
    at(view, "click", 0, 0);
    expect(model.state.selection).toEqual([{ task: "t0", model: "m0" }]);
    expect(probe.cells().filter((c) => c.selected)).toMatchObject([{ task: "t0", model: "m0" }]);
    expect(el.querySelector(".el-hm-has-selection")).not.toBeNull();
    // The selected cell is outlined; the other cell is dimmed (a different fill than before).
    const outlined = pen.ops.filter((o) => o.op === "strokeRect" && !o.dashed && o.lineWidth === 2);
    expect(outlined.map((o) => [Math.floor(o.x / cellW), Math.floor(o.y / cellH)])).toEqual([[0, 0]]);
    at(view, "click", 1, 0, { ctrlKey: true });
    expect(model.state.selection).toHaveLength(2);
    at(view, "click", 1, 0, { shiftKey: true });
    expect(model.state.selection).toEqual([{ task: "t0", model: "m0" }]);
    at(view, "click", 0, 0);
    expect(model.state.selection).toEqual([]);
    el.querySelector<HTMLElement>('[data-line="x1"]')!.dispatchEvent(new MouseEvent("click", { bubbles: true }));
    expect(model.state.selection).toEqual([
      { task: NASTY, model: "m0" },
      { task: NASTY, model: "<script>window.__pwned=2</script>" },
    ]);
    // Missing cells and points past the grid do nothing.
    at(view, "click", 0, 1);
    at(view, "click", 5, 0);
    expect(model.state.selection).toHaveLength(2);
  });

  it("dims the cells left out, keeping the selected one's fill", () => {
    const { view, pen } = make();
    const fills = () => pen.ops.filter((o) => o.op === "fillRect").map((o) => o.style);
    const before = fills();
    at(view, "click", 0, 0);
    const after = fills();
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
  });

  it("keyboard: arrows focus, Enter toggles, Escape clears, and the live region says where", () => {
    const { el, model, probe } = make();
    const scroller = el.querySelector<HTMLElement>(".el-hm-scroll")!;
    const live = el.querySelector<HTMLElement>(".el-hm-live")!;
    const key = (k: string) => scroller.dispatchEvent(new KeyboardEvent("keydown", { key: k, bubbles: true }));
    key("ArrowDown"); // the first key lands on the first cell
    key("ArrowRight");
    key("ArrowDown");
    expect(probe.focused()).toEqual({ task: NASTY, model: "<script>window.__pwned=2</script>" });
    expect(live.textContent).toContain("no value");
    key("ArrowUp");
    expect(live.textContent).toBe(`Task ${NASTY}, model m0: 0.9. no cells selected.`);
    key("Enter");
    expect(model.state.selection).toEqual([{ task: NASTY, model: "m0" }]);
    expect(live.textContent).toBe(`Task ${NASTY}, model m0: 0.9, selected. 1 cell selected.`);
    key(" ");
    expect(model.state.selection).toEqual([]);
    key("Enter");
    key("Escape");
    expect(model.state.selection).toEqual([]);
    expect(el.querySelector("img, script")).toBeNull();
  });

  it("follows selection set from Python", () => {
    const { el, model, probe } = make();
    model.emit("selection", [{ task: NASTY, model: "m0" }]);
    const on = probe.cells().filter((c) => c.selected);
    expect(on.map((c) => [c.x, c.y])).toEqual([[1, 0]]);
    model.emit("selection", []);
    expect(probe.cells().filter((c) => c.selected)).toHaveLength(0);
    expect(el.querySelector(".el-hm-has-selection")).toBeNull();
  });

  it("tooltip shows the cell under the pointer, links only to the web", () => {
    const { el, view, probe } = make();
    at(view, "pointermove", 1, 0);
    const tip = el.querySelector<HTMLElement>(".el-hm-tip")!;
    expect(tip.hidden).toBe(false);
    expect(tip.textContent).toContain(NASTY);
    expect(tip.textContent).toContain("10 samples");
    expect(tip.querySelector("a")?.getAttribute("href")).toBe("https://example.org/log");
    at(view, "pointermove", 0, 0);
    expect(tip.textContent).toContain("t0");
    expect(tip.querySelector("a")).toBeNull();
    expect(probe.cellAt(5, 5)).toEqual({ task: "t0", model: "m0" });
  });

  it("tasks with their own default score say which score their cells average", () => {
    const { el, view } = make("auto", {
      score: "Default score per task",
      task_scores: { t0: "score_match", [NASTY]: "score_judge" },
    });
    at(view, "pointermove", 1, 0);
    const tip = el.querySelector<HTMLElement>(".el-hm-tip")!;
    expect(tip.textContent).toContain("score_judge");
    expect(tip.textContent).not.toContain("score_match");
    expect(el.querySelector<HTMLElement>('[data-line="x0"]')!.title).toBe("t0 (score_match)");
    const legend = el.querySelector<HTMLElement>(".el-hm-legend-title")!;
    expect(legend.textContent).toBe("Default score per task");
    expect(legend.title).toContain("t0: score_match");
  });

  it("a user's text colour is only ever a canvas colour, and text can be hidden", () => {
    const { el, pen } = make("red");
    expect(pen.ops.filter((o) => o.op === "fillText").every((o) => o.style === "red")).toBe(true);
    expect(el.querySelector("[style*='red']")).toBeNull();
    const hidden = make(null);
    expect(hidden.pen.ops.filter((o) => o.op === "fillText")).toHaveLength(0);
    expect(hidden.probe.cells().every((c) => c.text === "")).toBe(true);
  });

  it("sizes the canvas in device pixels on a HiDPI screen", () => {
    const before = window.devicePixelRatio;
    Object.defineProperty(window, "devicePixelRatio", { value: 2, configurable: true });
    try {
      const { el } = make();
      const canvas = el.querySelector("canvas")!;
      const cssW = Number.parseFloat(canvas.style.width);
      const cssH = Number.parseFloat(canvas.style.height);
      expect(cssW).toBeGreaterThan(0);
      expect(canvas.width).toBe(Math.round(cssW * 2));
      expect(canvas.height).toBe(Math.round(cssH * 2));
    } finally {
      Object.defineProperty(window, "devicePixelRatio", { value: before, configurable: true });
    }
  });

  it("draws only the visible window of a large grid, and finds a far cell", () => {
    const nx = 500;
    const ny = 200;
    const cells: HeatmapSpec["cells"] = [];
    for (let j = 0; j < ny; j++) for (let i = 0; i < nx; i++) cells.push([i, j, (i * j) % 7, 3, null, null]);
    const { view, model, probe } = make("auto", {
      x: Array.from({ length: nx }, (_, i) => `task ${i}`),
      y: Array.from({ length: ny }, (_, j) => `model ${j}`),
      domain: [0, 6],
      cells,
    });
    expect(probe.drawn()).toBeGreaterThan(0);
    expect(probe.drawn()).toBeLessThan(1000);
    // Labels too: those in view and a few beyond, as text, each at its column or row.
    const labels = () => [...view.root.querySelectorAll<HTMLElement>("[data-line]")];
    expect(labels().length).toBeLessThan(100);
    const first = view.root.querySelector<HTMLElement>('[data-line="x3"]')!;
    expect(first.textContent).toBe("task 3");
    expect(first.style.left).toBe(`${3 * layoutOf(view).cellW}px`);
    expect(view.root.querySelector('[data-line="x499"]')).toBeNull();
    const rect = probe.cellRect("task 499", "model 199")!;
    view.root.querySelector(".el-hm-scroll")!.dispatchEvent(new Event("scroll"));
    expect(view.root.querySelector('[data-line="x499"]')?.textContent).toBe("task 499");
    expect(view.root.querySelector('[data-line="y199"]')?.textContent).toBe("model 199");
    expect(view.root.querySelector('[data-line="x3"]')).toBeNull();
    expect(labels().length).toBeLessThan(100);
    // The scroller moved so the cell is in view (jsdom boxes do not move: only the offset).
    const scroller = view.root.querySelector<HTMLElement>(".el-hm-scroll")!;
    expect(scroller.scrollLeft).toBeGreaterThan(0);
    expect(rect.width).toBe(layoutOf(view).cellW);
    at(view, "click", 499, 199);
    expect(model.state.selection).toEqual([{ task: "task 499", model: "model 199" }]);
  });
});
