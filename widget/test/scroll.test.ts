import { describe, expect, it } from "vitest";
import { MAX_CANVAS, canvasHeight, keepFirstRow, physicalTop, virtualTop, type Geometry } from "../src/grid/scroll";

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
