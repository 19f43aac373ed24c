// Colour schemes for the heatmap: sequential ramps by name (Observable Plot's names),
// sampled at evenly spaced stops and blended linearly in sRGB; plus Inspect's palettes.
import { type Palette, type RGBA, scaleColour } from "../shared/colour";
import type { Theme } from "../shared/theme";

// biome-ignore format: a table, one ramp a line
const RAMPS: Record<string, string[]> = {
  viridis: ["#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"],
  magma: ["#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55964", "#fb8761", "#fec287", "#fcfdbf"],
  inferno: ["#000004", "#1f0c48", "#550f6d", "#88226a", "#ba3655", "#e35933", "#f98c0a", "#f9c932", "#fcffa4"],
  plasma: ["#0d0887", "#46039f", "#7201a8", "#9c179e", "#bd3786", "#d8576b", "#ed7953", "#fb9f3a", "#fdca26", "#f0f921"],
  cividis: ["#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8678", "#a59c74", "#c3b369", "#e1cc55", "#fee838"],
  turbo: ["#30123b", "#4662d7", "#36aaf9", "#1ae4b6", "#72fe5e", "#c8ef34", "#faba39", "#f66b19", "#ca2a04", "#7a0403"],
  blues: ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
  greens: ["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"],
  greys: ["#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525", "#000000"],
  oranges: ["#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"],
  purples: ["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"],
  reds: ["#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"],
  rdylgn: ["#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b", "#a6d96a", "#66bd63", "#1a9850", "#006837"],
  ylgn: ["#ffffe5", "#f7fcb9", "#d9f0a3", "#addd8e", "#78c679", "#41ab5d", "#238443", "#006837", "#004529"],
  ylorrd: ["#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"],
};

const INSPECT: readonly string[] = ["good-high", "good-low", "neutral", "diverging"];

function hex(c: string): RGBA {
  const n = parseInt(c.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255, 1];
}

const PARSED: Record<string, RGBA[]> = Object.fromEntries(Object.entries(RAMPS).map(([k, v]) => [k, v.map(hex)]));

/** Position of `value` in the domain, clamped to [0, 1] (a flat domain sits mid-scale). */
export function position(value: number, domain: [number, number], reverse = false): number {
  const [lo, hi] = domain;
  const t = hi > lo ? (value - lo) / (hi - lo) : 0.5;
  const c = Math.min(1, Math.max(0, t));
  return reverse ? 1 - c : c;
}

/** The colour at `t` in [0, 1] of a scheme (unknown names fall back to viridis). */
export function schemeColour(scheme: string, t: number, theme: Theme): RGBA {
  if (INSPECT.includes(scheme)) {
    return scaleColour(t, 0, 1, scheme as Palette, theme) ?? [0, 0, 0, 0];
  }
  const stops = PARSED[scheme] ?? PARSED.viridis;
  const x = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const a = stops[i];
  const b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f, 1];
}

/** Relative luminance (WCAG) of an opaque colour. */
export function luminance(c: RGBA): number {
  const ch = (v: number) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2]);
}

/** Text colour readable on `background`: white on dark fills, near-black on light ones.
 * Translucent fills (Inspect's neutral/diverging) are read against the page theme. */
export function textOn(background: RGBA, theme: Theme): string {
  if (background[3] < 0.5) return theme === "dark" ? "#f2f2f2" : "#1f2328";
  return luminance(background) > 0.35 ? "#1f2328" : "#ffffff";
}

/** A CSS gradient for the legend bar, left (low) to right (high). */
export function legendGradient(scheme: string, theme: Theme, reverse = false, steps = 12): string {
  const parts: string[] = [];
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    const c = schemeColour(scheme, reverse ? 1 - t : t, theme);
    parts.push(`rgba(${Math.round(c[0])}, ${Math.round(c[1])}, ${Math.round(c[2])}, ${c[3]}) ${Math.round(t * 100)}%`);
  }
  return `linear-gradient(to right, ${parts.join(", ")})`;
}
