// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { deltasByCell, formatSigned } from "../src/heatmap/delta";
import type { HeatmapSpec, HeatmapState } from "../src/heatmap/types";
import { HeatmapView } from "../src/heatmap/view";
import { FakeModel } from "./fake_model";

const BASE = "<img src=x onerror=alert(1)>";

function spec(extra: Partial<HeatmapSpec> = {}): HeatmapSpec {
  return {
    x: ["t0", "t1"],
    y: ["m1", BASE],
    tasks_on_x: true,
    x_label: null,
    y_label: null,
    title: null,
    tip: true,
    legend: true,
    scheme: "diverging",
    reverse: false,
    domain: [-0.2, 0.2],
    cell: { text: "auto", inset: 1 },
    margin_left: null,
    x_tick_rotate: null,
    score: `Δ score_judge vs ${BASE}`,
    task_scores: null,
    unit: "samples",
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
  };
}

function mount(s: HeatmapSpec): HTMLElement {
  const model = new FakeModel<HeatmapState>({ _spec: s, width: 700, height: 433, selection: [] });
  const el = document.createElement("div");
  document.body.append(el);
  new HeatmapView(model, el);
  return el;
}

const cell = (el: HTMLElement, x: number, y: number) =>
  el.querySelector<HTMLElement>(`[data-x="${x}"][data-y="${y}"]`)!;

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

  it("pair delta rows with cells by position, only in baseline mode", () => {
    expect(deltasByCell(spec()).get("1,0")?.[4]).toBe(0.21);
    expect(deltasByCell(spec({ deltas: [[0, 1, 1, 0, null, true]] })).size).toBe(1);
    expect(deltasByCell(spec({ deltas: null })).size).toBe(0);
    expect(deltasByCell(spec({ baseline: null })).size).toBe(0);
  });
});

describe("HeatmapView in baseline mode", () => {
  it("shows signed cell text", () => {
    const el = mount(spec());
    expect(cell(el, 0, 0).textContent).toBe("+0.12");
    expect(cell(el, 1, 0).textContent).toBe("\u22120.05");
    expect(cell(el, 0, 1).textContent).toBe("0");
    expect(cell(el, 1, 1).textContent).toBe("");
  });

  it("marks significant cells by class and in words, not by colour alone", () => {
    const el = mount(spec());
    const marked = el.querySelectorAll(".el-hm-significant");
    expect(marked).toHaveLength(1);
    expect(marked[0]).toBe(cell(el, 0, 0));
    expect(cell(el, 0, 0).getAttribute("aria-label")).toBe("+0.12, significant");
    expect(cell(el, 1, 0).getAttribute("aria-label")).toBe("\u22120.05");
    expect(cell(el, 1, 1).getAttribute("aria-label")).toBe("no value");
  });

  it("renders a hostile baseline name as text and marks its label", () => {
    const el = mount(spec());
    expect(el.querySelector("img, script")).toBeNull();
    expect(el.textContent).toContain(BASE);
    const label = el.querySelector<HTMLElement>('[data-line="y1"]')!;
    expect(label.classList.contains("el-hm-baseline")).toBe(true);
    expect(label.title).toBe(`${BASE} (baseline)`);
    expect(el.querySelector<HTMLElement>('[data-line="y0"]')!.classList.contains("el-hm-baseline")).toBe(false);
  });

  it("leaves plain heatmaps as they were", () => {
    const el = mount(spec({ baseline: null, deltas: null, scheme: "viridis", domain: [0, 1] }));
    expect(cell(el, 0, 0).textContent).toBe("0.12");
    expect(cell(el, 1, 0).textContent).toBe("-0.05");
    expect(cell(el, 0, 0).hasAttribute("aria-label")).toBe(false);
    expect(el.querySelector(".el-hm-significant, .el-hm-baseline")).toBeNull();
  });
});
