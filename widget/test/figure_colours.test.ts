// The Python port of the heatmap's colours and number formats (evallens.figures) must
// paint what the front end paints: tests/data/figure_colours.json holds the port's
// results, and this checks them against the TypeScript; tests/test_figures.py checks
// the same file against the Python.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { formatSigned } from "../src/heatmap/delta";
import { formatValue } from "../src/heatmap/layout";
import { position, schemeColour, textOn } from "../src/heatmap/schemes";
import type { Theme } from "../src/shared/theme";

interface Fixture {
  colours: { scheme: string; t: number; theme: Theme; rgba: number[]; text: string }[];
  positions: { value: number; domain: [number, number]; reverse: boolean; t: number }[];
  formats: { value: number; plain: string; signed: string }[];
}

const here = dirname(fileURLToPath(import.meta.url));
const fixture: Fixture = JSON.parse(readFileSync(join(here, "../../tests/data/figure_colours.json"), "utf8"));

describe("figures' colours match the heatmap's", () => {
  it("has cases for every scheme", () => {
    expect(fixture.colours.length).toBeGreaterThan(100);
  });
  it.each(fixture.colours)("$scheme at $t ($theme)", ({ scheme, t, theme, rgba, text }) => {
    const c = schemeColour(scheme, t, theme);
    for (const [i, v] of c.entries()) expect(v).toBeCloseTo(rgba[i], 6);
    expect(textOn(c, theme)).toBe(text);
  });
  it.each(fixture.positions)("position of $value in $domain", ({ value, domain, reverse, t }) => {
    expect(position(value, domain, reverse)).toBeCloseTo(t, 12);
  });
  it.each(fixture.formats)("formats $value", ({ value, plain, signed }) => {
    expect(formatValue(value)).toBe(plain);
    expect(formatSigned(value)).toBe(signed);
  });
});
