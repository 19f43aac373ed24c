// Axis scales and ticks for the chart: linear or log x, linear y. Pure functions.

export interface Scale {
  (value: number): number;
  invert(px: number): number;
  ticks(): number[];
  log: boolean;
}

/** A scale from `domain` to pixel `range`; log scales need a positive domain. */
export function makeScale(domain: [number, number], range: [number, number], log = false, count = 6): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const f = log ? Math.log10 : (v: number) => v;
  const g = log ? (v: number) => 10 ** v : (v: number) => v;
  const a = f(d0);
  const span = f(d1) - a || 1;
  const scale = ((v: number) => r0 + ((f(v) - a) / span) * (r1 - r0)) as Scale;
  scale.invert = (px: number) => g(a + ((px - r0) / (r1 - r0 || 1)) * span);
  scale.ticks = () => (log ? logTicks(d0, d1) : linearTicks(d0, d1, count));
  scale.log = log;
  return scale;
}

/** "Nice" ticks (1, 2, 5 × 10^k steps) covering [lo, hi]. */
export function linearTicks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)));
  }
  return out;
}

/** Powers of ten inside [lo, hi]; with fewer than three of them, their 2× and 5× too. */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !(hi > lo)) return [lo];
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const inside = (v: number) => v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9);
  const powers: number[] = [];
  for (let k = first; k <= last; k++) if (inside(10 ** k)) powers.push(10 ** k);
  if (powers.length >= 3) return powers;
  const out: number[] = [];
  for (let k = first; k <= last; k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(12));
      if (inside(v)) out.push(v);
    }
  }
  return out.length ? out : [lo, hi];
}

/** Compact limit labels: 950, 1.2k, 25k, 1M, 3.5B; small values keep their decimals. */
export function formatLimit(value: number): string {
  const abs = Math.abs(value);
  const units: [number, string][] = [
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "k"],
  ];
  for (const [size, unit] of units) {
    if (abs >= size) return `${trim(value / size)}${unit}`;
  }
  return trim(value);
}

function trim(v: number): string {
  const abs = Math.abs(v);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return String(Number(v.toFixed(digits)));
}

/** A rate in [0, 1] as a percentage with one decimal. */
export function formatRate(value: number | null): string {
  return value === null || !Number.isFinite(value) ? "–" : `${(value * 100).toFixed(1)}%`;
}

/** Top of the y axis: the data's highest point (band included) rounded up to a tenth, at most 1. */
export function yTop(values: Iterable<number | null>): number {
  let top = 0;
  for (const v of values) if (v !== null && Number.isFinite(v) && v > top) top = v;
  return Math.min(1, Math.max(0.1, Math.ceil(top * 10 - 1e-9) / 10));
}
