// Score colour math: Inspect's three-stop sRGB blend, theme-aware, with its gaps fixed.
import type { Theme } from "./theme";

export type Palette = "good-high" | "good-low" | "neutral" | "diverging";
export type Role = "good" | "bad" | "warn" | "info" | "muted";
export type RGBA = [number, number, number, number];

interface Stops {
  red: RGBA;
  amber: RGBA;
  green: RGBA;
  blue: RGBA;
}

// Light stops are pale enough for dark text, dark stops deep enough for light text.
const STOPS: Record<Theme, Stops> = {
  light: {
    red: [248, 163, 163, 1],
    amber: [252, 220, 130, 1],
    green: [134, 222, 160, 1],
    blue: [120, 170, 245, 1],
  },
  dark: {
    red: [150, 36, 36, 1],
    amber: [138, 100, 18, 1],
    green: [22, 120, 60, 1],
    blue: [32, 78, 170, 1],
  },
};

const ROLE_COLOURS: Record<Theme, Record<Role, RGBA>> = {
  light: {
    good: [187, 240, 200, 1],
    bad: [252, 196, 196, 1],
    warn: [253, 226, 160, 1],
    info: [190, 215, 252, 1],
    muted: [226, 226, 230, 1],
  },
  dark: {
    good: [24, 100, 52, 1],
    bad: [128, 32, 32, 1],
    warn: [120, 86, 16, 1],
    info: [30, 66, 140, 1],
    muted: [70, 70, 78, 1],
  },
};

const clear = (c: RGBA): RGBA => [c[0], c[1], c[2], 0];

/** The low, mid and high stops of a palette. "Transparent" keeps its neighbour's hue
 * so blending only fades the colour instead of darkening it towards black. */
export function paletteStops(palette: Palette, theme: Theme): [RGBA, RGBA, RGBA] {
  const s = STOPS[theme];
  switch (palette) {
    case "good-high":
      return [s.red, s.amber, s.green];
    case "good-low":
      return [s.green, s.amber, s.red];
    case "neutral":
      return [clear(s.blue), blendRGBA(clear(s.blue), s.blue, 0.5), s.blue];
    case "diverging":
      return [s.red, [0, 0, 0, 0], s.green];
  }
}

export function blendRGBA(a: RGBA, b: RGBA, t: number): RGBA {
  // A fully transparent end takes the other end's hue (see paletteStops).
  const from: RGBA = a[3] === 0 ? clear(b) : a;
  const to: RGBA = b[3] === 0 ? clear(a) : b;
  return [
    from[0] + (to[0] - from[0]) * t,
    from[1] + (to[1] - from[1]) * t,
    from[2] + (to[2] - from[2]) * t,
    from[3] + (to[3] - from[3]) * t,
  ];
}

/** Position of `value` in [min, max], clamped to [0, 1].
 *
 * Inspect's viewer paints nothing when min == max; here a constant column is
 * still painted: values inside [0, 1] use the natural 0–1 range (an all-correct
 * column is green), anything else sits at the midpoint. */
export function scalePosition(value: number, min: number, max: number): number {
  let lo = min;
  let hi = max;
  if (!(hi > lo)) {
    if (value >= 0 && value <= 1) {
      lo = 0;
      hi = 1;
    } else {
      return 0.5;
    }
  }
  const t = (value - lo) / (hi - lo);
  return Math.min(1, Math.max(0, t));
}

export function scaleColour(value: number, min: number, max: number, palette: Palette, theme: Theme): RGBA | null {
  if (!Number.isFinite(value)) return null;
  const [low, mid, high] = paletteStops(palette, theme);
  const t = scalePosition(value, min, max);
  return t < 0.5 ? blendRGBA(low, mid, t * 2) : blendRGBA(mid, high, (t - 0.5) * 2);
}

export function roleColour(role: Role, theme: Theme): RGBA {
  return ROLE_COLOURS[theme][role];
}

export function css(c: RGBA): string {
  const r = Math.round(c[0]);
  const g = Math.round(c[1]);
  const b = Math.round(c[2]);
  const a = Math.round(c[3] * 1000) / 1000;
  return `rgba(${r}, ${g}, ${b}, ${a})`;
}

/** Pass/fail pills: C green, P orange (partial), I and N red. */
export function passFailRole(value: string): Role | null {
  switch (value) {
    case "C":
      return "good";
    case "P":
      return "warn";
    case "I":
    case "N":
      return "bad";
    default:
      return null;
  }
}
