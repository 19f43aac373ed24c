// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { describeValue, formatP, formatSigned } from "../src/heatmap/delta";
import { CellTable } from "../src/heatmap/table";
import { fillTip, type TipContent } from "../src/heatmap/tooltip";
import type { HeatmapSpec, HeatmapState } from "../src/heatmap/types";
import { type HeatmapProbe, HeatmapView } from "../src/heatmap/view";
import { type CanvasRecorder, recordCanvases } from "./canvas_recorder";
import { FakeModel } from "./fake_model";
import { heatmapSpec } from "./heatmap_fixtures";

const BASE = "<img src=x onerror=alert(1)>";

function spec(extra: Partial<HeatmapSpec> = {}): HeatmapSpec {
  return heatmapSpec({
    x: ["t0", "t1"],
    y: ["m1", BASE],
    scheme: "diverging",
    domain: [-0.2, 0.2],
    score: `Δ score_judge vs ${BASE}`,
    cells: [
      [0, 0, 0.12, 40, 0.03, "https://example.org/log"],
      [1, 0, -0.05, 38, 0.04, null],
      [0, 1, 0, 40, 0, null],
      [1, 1, null, 0, null, null],
    ],
    baseline: BASE,
    deltas: [
      [0.06, 0.18, 12, 3, 0.004, true],
      [-0.13, 0.03, 2, 4, 0.21, false],
      [null, null, 0, 0, null, false],
      [null, null, 0, 0, null, false],
    ],
    ...extra,
  });
}

interface Mounted {
  el: HTMLElement;
  pen: CanvasRecorder;
  probe: HeatmapProbe;
  cellW: number;
  cellH: number;
}

function mount(s: HeatmapSpec): Mounted {
  const pens = recordCanvases();
  const model = new FakeModel<HeatmapState>({ _spec: s, width: 700, height: 433, selection: [] });
  const el = document.createElement("div");
  document.body.append(el);
  const view = new HeatmapView(model, el);
  const { cellW, cellH } = (view as unknown as { layout: { cellW: number; cellH: number } }).layout;
  const probe = (view.root as HTMLElement & { evallensHeatmap: HeatmapProbe }).evallensHeatmap;
  return { el, pen: pens[0], probe, cellW, cellH };
}

/** The hover card's rows as [label, value] text, after pointing at a cell. */
function hover(m: Mounted, x: number, y: number): string[][] {
  m.el
    .querySelector("canvas")!
    .dispatchEvent(
      new MouseEvent("pointermove", { bubbles: true, clientX: (x + 0.5) * m.cellW, clientY: (y + 0.5) * m.cellH }),
    );
  const tip = m.el.querySelector<HTMLElement>(".el-hm-tip")!;
  expect(tip.hidden).toBe(false);
  return [...tip.querySelectorAll(".el-hm-tip-row")].map((r) => [...r.children].map((c) => c.textContent ?? ""));
}

/** The text drawn in cell (x, y), "" when none. */
const text = (m: Mounted, x: number, y: number) =>
  m.pen
    .inCell(x, y, m.cellW, m.cellH)
    .filter((o) => o.op === "fillText")
    .map((o) => o.text)
    .join("");

describe("signed deltas", () => {
  it("write the sign out, with a real minus, and zero bare", () => {
    expect(formatSigned(0.12)).toBe("+0.12");
    expect(formatSigned(-0.05)).toBe("\u22120.05");
    expect(formatSigned(0)).toBe("0");
    expect(formatSigned(-0.0001)).toBe("0");
    expect(formatSigned(0.35887)).toBe("+0.359");
    expect(formatSigned(-12.345)).toBe("\u221212.3");
    expect(formatSigned(-3)).toBe("\u22123");
    expect(formatSigned(null)).toBe("");
    expect(formatSigned(Number.NaN)).toBe("");
  });

  it("write small adjusted p-values as a bound", () => {
    expect(formatP(0.0123)).toBe("0.012");
    expect(formatP(0.0004)).toBe("< 0.001");
    expect(formatP(1)).toBe("1");
  });

  it("pair delta rows with cells by position, only in baseline mode", () => {
    const some = (s: HeatmapSpec) => {
      const t = new CellTable(s);
      return Array.from({ length: t.count }, (_, r) => t.delta(r)).filter((d) => d !== null).length;
    };
    const t = new CellTable(spec());
    expect(t.delta(t.at(1, 0))?.[4]).toBe(0.21);
    expect(some(spec({ deltas: [[0, 1, 1, 0, null, true]] }))).toBe(1);
    expect(some(spec({ deltas: null }))).toBe(0);
    expect(some(spec({ baseline: null }))).toBe(0);
  });

  it("say a value in words, with its significance", () => {
    expect(describeValue(spec(), 0.12, [0, 1, 0, 0, null, true])).toBe("+0.12, significant");
    expect(describeValue(spec(), -0.05, null)).toBe("\u22120.05");
    expect(describeValue(spec(), null, null)).toBe("no value");
    expect(describeValue(spec({ baseline: null }), 0.5, null)).toBe("0.5");
  });
});

describe("HeatmapView in baseline mode", () => {
  it("shows signed cell text", () => {
    const m = mount(spec());
    expect(text(m, 0, 0)).toBe("+0.12");
    expect(text(m, 1, 0)).toBe("\u22120.05");
    expect(text(m, 0, 1)).toBe("0");
    expect(text(m, 1, 1)).toBe("");
    expect(m.probe.cells().map((c) => c.text)).toEqual(["+0.12", "\u22120.05", "0", ""]);
  });

  it("marks significant cells with a corner mark in the text colour, and in words", () => {
    const m = mount(spec());
    const marks = m.pen.ops.filter((o) => o.op === "mark");
    expect(marks).toHaveLength(1);
    expect(m.pen.inCell(0, 0, m.cellW, m.cellH).filter((o) => o.op === "mark")).toHaveLength(1);
    // The mark is drawn in the cell's own text colour, so it reads on any fill.
    const ownText = m.pen.inCell(0, 0, m.cellW, m.cellH).find((o) => o.op === "fillText")!;
    expect(marks[0].style).toBe(ownText.style);
    expect(m.probe.cells().map((c) => c.significant)).toEqual([true, false, false, false]);
    const scroller = m.el.querySelector<HTMLElement>(".el-hm-scroll")!;
    scroller.dispatchEvent(new KeyboardEvent("keydown", { key: "ArrowRight", bubbles: true }));
    expect(m.el.querySelector(".el-hm-live")?.textContent).toBe(
      "Task t0, model m1: +0.12, significant. no cells selected.",
    );
  });

  it("renders a hostile baseline name as text and marks its label", () => {
    const { el } = mount(spec());
    expect(el.querySelector("img, script")).toBeNull();
    expect(el.textContent).toContain(BASE);
    const label = el.querySelector<HTMLElement>('[data-line="y1"]')!;
    expect(label.classList.contains("el-hm-baseline")).toBe(true);
    expect(label.title).toBe(`${BASE} (baseline)`);
    expect(el.querySelector<HTMLElement>('[data-line="y0"]')!.classList.contains("el-hm-baseline")).toBe(false);
  });

  it("tooltip gives the delta, its CI, flips, adjusted p and paired n, as text", () => {
    const m = mount(spec());
    const el = m.el;
    expect(hover(m, 0, 0)).toEqual([
      ["Task", "t0"],
      ["Model", "m1"],
      [`Δ vs ${BASE}`, "+0.12"],
      ["95% CI", "[+0.06, +0.18]"],
      ["Flips", "12 improved · 3 regressed"],
      ["p (adjusted)", "0.004"],
      ["Significant", "yes (CI excludes 0)"],
      ["n", "40 paired samples"],
      ["stderr", "0.03"],
    ]);
    const tip = el.querySelector<HTMLElement>(".el-hm-tip")!;
    expect(tip.querySelector("img, script")).toBeNull();
    expect(tip.querySelector("a")?.getAttribute("href")).toBe("https://example.org/log");
    expect(hover(m, 1, 0)).toContainEqual(["95% CI", "[\u22120.13, +0.03]"]);
    const own = hover(m, 0, 1);
    expect(own).toContainEqual(["95% CI", "n/a"]);
    expect(own).toContainEqual(["Significant", "no"]);
    expect(own.map((r) => r[0])).not.toContain("p (adjusted)");
    expect(tip.querySelector("a")).toBeNull();
  });

  it("tooltip without a delta row still shows the delta and paired n", () => {
    const m = mount(spec({ deltas: null }));
    expect(hover(m, 1, 0)).toEqual([
      ["Task", "t1"],
      ["Model", "m1"],
      [`Δ vs ${BASE}`, "\u22120.05"],
      ["n", "38 paired samples"],
      ["stderr", "0.04"],
    ]);
  });

  it("legend reads as centred on 0 and keys the significance mark", () => {
    const { el } = mount(spec());
    const ticks = [...el.querySelectorAll(".el-hm-legend-ticks span")].map((t) => t.textContent);
    expect(ticks).toEqual(["\u22120.2", "0", "+0.2"]);
    const title = el.querySelector<HTMLElement>(".el-hm-legend-title")!;
    expect(title.textContent).toBe(`Δ score_judge vs ${BASE}`);
    expect(title.title).toBe(`Δ score_judge vs ${BASE}`);
    expect(el.querySelector(".el-hm-legend-key")?.textContent).toBe("significant");
    expect(el.querySelector(".el-hm-legend img")).toBeNull();
  });

  it("leaves plain heatmaps as they were", () => {
    const m = mount(spec({ baseline: null, deltas: null, scheme: "viridis", domain: [0, 1] }));
    const el = m.el;
    expect(text(m, 0, 0)).toBe("0.12");
    expect(text(m, 1, 0)).toBe("-0.05");
    expect(m.pen.ops.filter((o) => o.op === "mark")).toHaveLength(0);
    expect(el.querySelector(".el-hm-baseline")).toBeNull();
    expect(el.querySelector(".el-hm-legend-key")).toBeNull();
    expect([...el.querySelectorAll(".el-hm-legend-ticks span")].map((t) => t.textContent)).toEqual(["0", "0.5", "1"]);
    expect(hover(m, 1, 0)).toEqual([
      ["Task", "t1"],
      ["Model", "m1"],
      [`Δ score_judge vs ${BASE}`, "-0.05"],
      ["n", "38 samples"],
      ["stderr", "0.04"],
    ]);
  });

  it("fillTip is unchanged without a baseline, whatever delta it is handed", () => {
    const plain: TipContent = {
      task: "t",
      model: "m",
      score: "s",
      value: 0.5,
      n: 1200,
      unit: "samples",
      stderr: 0.01,
      link: null,
    };
    const a = document.createElement("div");
    const b = document.createElement("div");
    fillTip(a, plain);
    fillTip(b, { ...plain, baseline: null, delta: [0, 1, 2, 3, 0.5, true] });
    expect(a.textContent).toBe("Taskt" + "Modelm" + "s0.5" + "n1,200 samples" + "stderr0.01");
    expect(b.innerHTML).toBe(a.innerHTML);
  });
});
