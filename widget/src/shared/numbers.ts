// Numbers and durations shown on their own (no column format to follow): the grid's
// detail panel and the sample view show them alike.

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

/** A lone number with no column to take a format from (the detail panel's values). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return "";
  if (Number.isInteger(v)) return Math.abs(v) >= 10000 ? integer.format(v) : String(v);
  const abs = Math.abs(v);
  if (abs >= 1000) return integer.format(v);
  if (abs >= 1) return v.toFixed(2).replace(/\.?0+$/, "");
  return v
    .toPrecision(3)
    .replace(/\.?0+$/, "")
    .replace(/\.$/, "");
}

/** Seconds as "4.2 s", "3m 5s" or "1h 2m". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  if (m < 60) return `${m}m ${s}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
