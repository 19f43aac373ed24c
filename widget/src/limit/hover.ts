// Snapping the pointer to the nearest limit and the nearest model's line. Pure functions.
import type { Num, Series } from "./types";

/** Index of the value in ascending `sorted` nearest to `target` (-1 when empty). */
export function nearestIndex(sorted: number[], target: number): number {
  if (!sorted.length) return -1;
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < target) lo = mid + 1;
    else hi = mid;
  }
  if (lo > 0 && Math.abs(sorted[lo - 1] - target) <= Math.abs(sorted[lo] - target)) return lo - 1;
  return lo;
}

/** Sorted distinct x values over some series (the limits a panel can snap to). */
export function limitsOf(series: Series[]): number[] {
  const seen = new Set<number>();
  for (const s of series) for (const x of s.x) if (x !== null) seen.add(x);
  return [...seen].sort((a, b) => a - b);
}

/** Each series' y at limit `x` (null where it has no point there). */
export function valuesAt(series: Series[], x: number, field: "y" | "lo" | "hi" | "other" = "y"): Num[] {
  return series.map((s) => {
    const i = s.x.indexOf(x);
    const column = s[field];
    return i < 0 || !column ? null : (column[i] ?? null);
  });
}

/** The model whose value (in pixels, via `toPx`) is closest to the pointer's `py`. */
export function nearestModel(series: Series[], values: Num[], py: number, toPx: (v: number) => number): string | null {
  let best: string | null = null;
  let bestDistance = Infinity;
  values.forEach((v, i) => {
    if (v === null) return;
    const d = Math.abs(toPx(v) - py);
    if (d < bestDistance) {
      bestDistance = d;
      best = series[i].model;
    }
  });
  return best;
}

/** Legend toggle: add the model if absent, drop it if present, keeping legend order. */
export function toggleModel(selected: string[], model: string, order: string[]): string[] {
  const next = new Set(selected);
  if (next.has(model)) next.delete(model);
  else next.add(model);
  return order.filter((m) => next.has(m));
}
