import { describe, expect, it } from "vitest";
import {
  canvasHeight,
  type Geometry,
  keepFirstRow,
  MAX_CANVAS,
  physicalTop,
  scrollToRow,
  virtualTop,
  visibleRows,
} from "../src/grid/scroll";

const at = (count: number, rowHeight: number): Geometry => ({ count, rowHeight, viewport: 400 });
const firstRow = (scrollTop: number, g: Geometry) => Math.floor(virtualTop(scrollTop, g) / g.rowHeight);

describe("virtual scrolling", () => {
  it("maps pixels one to one below the canvas cap, linearly above it", () => {
    expect(virtualTop(1234, at(1000, 30))).toBe(1234);
    const big = at(1_000_000, 70); // 70 M virtual px on an 8 M px canvas
    expect(canvasHeight(big)).toBe(MAX_CANVAS);
    expect(virtualTop(MAX_CANVAS - 400, big)).toBe(70_000_000 - 400);
    expect(physicalTop(virtualTop(123_456, big), big)).toBeCloseTo(123_456, 6);
  });

  it("keeps the first visible row when the row height changes (row 27,000 of 100k, not 63,000)", () => {
    const multiline = at(100_000, 70);
    const compact = at(100_000, 30);
    const top = 27_000 * 70 + 20; // 20 px into row 27,000
    expect(firstRow(top, compact)).toBe(63_000); // what keeping the pixel offset showed
    const kept = keepFirstRow(top, multiline, compact);
    expect(kept).toBeCloseTo(27_000 * 30 + (20 / 70) * 30, 6);
    expect(firstRow(kept, compact)).toBe(27_000);
    expect(firstRow(keepFirstRow(kept, compact, multiline), multiline)).toBe(27_000);
  });

  it("keeps it on a scaled canvas too (1 M rows, both heights above the cap)", () => {
    const multiline = at(1_000_000, 70);
    const compact = at(1_000_000, 30);
    const top = physicalTop(270_000 * 70 + 5, multiline);
    expect(firstRow(top, multiline)).toBe(270_000);
    expect(firstRow(keepFirstRow(top, multiline, compact), compact)).toBe(270_000);
    // 200k rows: scaled at 70 px (14 M), not at 30 px (6 M).
    const tall = at(200_000, 70);
    const short = at(200_000, 30);
    const mid = physicalTop(150_000 * 70, tall);
    expect(mid).toBeLessThan(MAX_CANVAS);
    expect(keepFirstRow(mid, tall, short)).toBeCloseTo(150_000 * 30, 3);
    expect(firstRow(keepFirstRow(150_000 * 30, short, tall), tall)).toBe(150_000);
  });
});

describe("rows on screen above the browsers' element-height limit", () => {
  const huge = at(10_000_000, 30); // 300 M virtual px on an 8 M px canvas
  const bottom = canvasHeight(huge) - huge.viewport; // the largest scroll offset

  it("the top and the bottom of the scaled canvas show the first and the last rows", () => {
    expect(visibleRows(virtualTop(0, huge), huge, 3)).toEqual({ first: 0, last: 17 });
    // 400 px show 13⅓ rows: the last 14, plus 3 rows of overscan above them.
    expect(visibleRows(virtualTop(bottom, huge), huge, 3)).toEqual({ first: 9_999_983, last: 9_999_999 });
  });

  it("scrolling to a row anywhere shows it whole, moving as little as needed", () => {
    for (const row of [1_234_567, 5_000_000, 9_999_999]) {
      const down = scrollToRow(row, 0, huge);
      expect(down).not.toBeNull();
      const top = virtualTop(down as number, huge);
      expect(top + huge.viewport).toBeCloseTo((row + 1) * 30, 3); // at the bottom edge
      const shown = visibleRows(top, huge, 0);
      expect(row).toBeGreaterThanOrEqual(shown.first);
      expect(row).toBeLessThanOrEqual(shown.last);
      const up = scrollToRow(row - 100, down as number, huge); // above the screen now
      expect(virtualTop(up as number, huge)).toBeCloseTo((row - 100) * 30, 3); // at the top edge
      expect(scrollToRow(row - 5, down as number, huge)).toBeNull(); // already on screen
    }
    expect(scrollToRow(9_999_999, 0, huge)).toBeCloseTo(bottom, 6);
  });

  it("keeps the canvas within the limit and the scroll one to one below it", () => {
    expect(canvasHeight(at(1_000_000, 70))).toBe(MAX_CANVAS);
    expect(canvasHeight(at(100_000, 30))).toBe(3_000_000);
    const small = at(1000, 30);
    expect(scrollToRow(20, 0, small)).toBe(21 * 30 - 400);
    expect(scrollToRow(3, 300, small)).toBe(90);
    expect(visibleRows(300, small, 3)).toEqual({ first: 7, last: 27 });
  });
});
