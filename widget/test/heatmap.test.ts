// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { cellAt, computeLayout, formatValue, MIN_CELL_H, MIN_CELL_W, visibleRange } from "../src/heatmap/layout";
import { legendGradient, position, schemeColour, textOn } from "../src/heatmap/schemes";
import { cellKey, clickCell, clickLine, moveFocus, splitKey } from "../src/heatmap/selection";
import { fillTip, safeHref } from "../src/heatmap/tooltip";
import type { HeatmapSpec } from "../src/heatmap/types";
import { heatmapSpec } from "./heatmap_fixtures";

function spec(nx: number, ny: number, extra: Partial<HeatmapSpec> = {}): HeatmapSpec {
  return heatmapSpec({
    x: Array.from({ length: nx }, (_, i) => `task ${i}`),
    y: Array.from({ length: ny }, (_, i) => `model ${i}`),
    ...extra,
  });
}

describe("selection rules", () => {
  const a = cellKey("t1", "m1");
  const b = cellKey("t2", "m1");
  it("click selects one, again clears, modifier toggles", () => {
    expect([...clickCell(new Set(), a, false)]).toEqual([a]);
    expect(clickCell(new Set([a]), a, false).size).toBe(0);
    expect([...clickCell(new Set([a]), b, false)]).toEqual([b]);
    expect(clickCell(new Set([a]), b, true)).toEqual(new Set([a, b]));
    expect(clickCell(new Set([a, b]), a, true)).toEqual(new Set([b]));
  });
  it("label click selects the line; again clears; modifier adds or removes it", () => {
    expect(clickLine(new Set(), [a, b], false)).toEqual(new Set([a, b]));
    expect(clickLine(new Set([a, b]), [a, b], false).size).toBe(0);
    const c = cellKey("t3", "m2");
    expect(clickLine(new Set([c]), [a, b], true)).toEqual(new Set([a, b, c]));
    expect(clickLine(new Set([a, b, c]), [a, b], true)).toEqual(new Set([c]));
  });
  it("keys survive any names", () => {
    const nasty = '<img src=x onerror="1">';
    expect(splitKey(cellKey(nasty, "a,b"))).toEqual({ task: nasty, model: "a,b" });
  });
  it("focus moves inside the grid", () => {
    expect(moveFocus(null, "ArrowRight", 3, 2)).toEqual([0, 0]);
    expect(moveFocus([0, 0], "ArrowLeft", 3, 2)).toEqual([0, 0]);
    expect(moveFocus([2, 1], "ArrowRight", 3, 2)).toEqual([2, 1]);
    expect(moveFocus([1, 0], "ArrowDown", 3, 2)).toEqual([1, 1]);
    expect(moveFocus([1, 1], "End", 3, 2)).toEqual([2, 1]);
    expect(moveFocus([1, 1], "ArrowUp", 0, 0)).toBeNull();
  });
});

describe("layout", () => {
  it("fills the width when cells fit", () => {
    const l = computeLayout(spec(5, 4), 700, 433);
    expect(l.cellW * 5 + l.labelW).toBeLessThanOrEqual(700);
    expect(l.cellW).toBeGreaterThan(80);
    expect(l.rotate).toBe(false);
    expect(l.showText).toBe(true);
  });
  it("never shrinks cells below a readable size: large grids scroll", () => {
    const l = computeLayout(spec(300, 400), 700, 433);
    expect(l.cellW).toBe(MIN_CELL_W);
    expect(l.cellH).toBe(MIN_CELL_H);
    expect(l.rotate).toBe(true);
    expect(l.scrollH).toBeLessThanOrEqual(433);
  });
  it("keeps labels flat when told, and hides text when asked", () => {
    const l = computeLayout(spec(300, 4, { x_tick_rotate: 0, cell: { text: null, inset: 1 } }), 700, 433);
    expect(l.rotate).toBe(false);
    expect(l.showText).toBe(false);
  });
  it("hit-tests a point to the cell whose box holds it, and nothing outside the grid", () => {
    const L = { cellW: 40, cellH: 22 };
    for (let px = 0; px < 40 * 5; px += 7) {
      for (let py = 0; py < 22 * 3; py += 5) {
        const [i, j] = cellAt(px, py, L, 5, 3)!;
        expect(i * 40 <= px && px < (i + 1) * 40 && j * 22 <= py && py < (j + 1) * 22).toBe(true);
      }
    }
    expect(cellAt(200, 0, L, 5, 3)).toBeNull();
    expect(cellAt(0, 66, L, 5, 3)).toBeNull();
    expect(cellAt(-1, 0, L, 5, 3)).toBeNull();
    expect(cellAt(Number.NaN, 0, L, 5, 3)).toBeNull();
  });
  it("draws only the cells a window touches", () => {
    const L = { cellW: 40, cellH: 22 };
    expect(visibleRange(0, 0, 100, 50, L, 500, 200)).toEqual({ i0: 0, i1: 3, j0: 0, j1: 3 });
    expect(visibleRange(19_500, 4_000, 500, 400, L, 500, 200)).toEqual({ i0: 487, i1: 500, j0: 181, j1: 200 });
    expect(visibleRange(0, 0, 700, 400, L, 2, 2)).toEqual({ i0: 0, i1: 2, j0: 0, j1: 2 });
    const l = computeLayout(spec(500, 200), 700, 433);
    expect(l.areaW).toBe(500 * l.cellW);
    expect(l.areaH).toBe(200 * l.cellH);
  });
  it("formats values compactly", () => {
    expect(formatValue(0.35887)).toBe("0.359");
    expect(formatValue(0.5)).toBe("0.5");
    expect(formatValue(7)).toBe("7");
    expect(formatValue(12.345)).toBe("12.3");
    expect(formatValue(null)).toBe("");
    expect(formatValue(NaN)).toBe("");
  });
});

describe("colour", () => {
  it("maps the domain onto the scheme, clamped", () => {
    expect(position(0.5, [0, 1])).toBe(0.5);
    expect(position(2, [0, 1])).toBe(1);
    expect(position(5, [5, 5])).toBe(0.5);
    expect(position(0.25, [0, 1], true)).toBe(0.75);
    expect(schemeColour("viridis", 0, "light").slice(0, 3)).toEqual([0x44, 0x01, 0x54]);
    expect(schemeColour("viridis", 1, "light").slice(0, 3)).toEqual([0xfd, 0xe7, 0x25]);
    expect(schemeColour("nope", 1, "light")).toEqual(schemeColour("viridis", 1, "light"));
  });
  it("picks readable text", () => {
    expect(textOn(schemeColour("viridis", 0, "light"), "light")).toBe("#ffffff");
    expect(textOn(schemeColour("viridis", 1, "light"), "light")).toBe("#1f2328");
  });
  it("draws a legend gradient", () => {
    expect(legendGradient("greens", "light")).toMatch(/^linear-gradient\(to right, rgba/);
  });
});

describe("tooltip", () => {
  it("links only to http(s)", () => {
    expect(safeHref("https://example.org/x")).toBe("https://example.org/x");
    expect(safeHref("javascript:alert(1)")).toBeNull();
    expect(safeHref(" JaVaScRiPt:alert(1)")).toBeNull();
    expect(safeHref("data:text/html,<script>")).toBeNull();
    expect(safeHref("/local/file.eval")).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
  it("renders hostile names as text", () => {
    const node = document.createElement("div");
    fillTip(node, {
      task: '<img src=x onerror="window.__x=1">',
      model: "<script>window.__x=2</script>",
      score: "<b>s</b>",
      value: 0.5,
      n: 1200,
      unit: "samples",
      stderr: 0.01,
      link: "javascript:window.__x=3",
    });
    expect(node.querySelector("img, script, b, a")).toBeNull();
    expect(node.textContent).toContain('<img src=x onerror="window.__x=1">');
    expect(node.textContent).toContain("1,200 samples");
    fillTip(node, {
      task: "t",
      model: "m",
      score: "s",
      value: null,
      n: 0,
      unit: "logs",
      stderr: null,
      link: "https://x.org/",
    });
    const a = node.querySelector("a");
    expect(a?.getAttribute("href")).toBe("https://x.org/");
    expect(a?.rel).toContain("noopener");
  });
});
