// Building SVG: elements with attributes, text only through textContent, and path data.
import type { Num } from "./types";

const NS = "http://www.w3.org/2000/svg";

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  text?: string,
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

const r = (v: number) => Math.round(v * 10) / 10;

/** A polyline through the defined points; a missing value breaks the line. */
export function linePath(xs: Num[], ys: Num[], fx: (v: number) => number, fy: (v: number) => number): string {
  let d = "";
  let pen = false;
  xs.forEach((x, i) => {
    const y = ys[i];
    if (x === null || y === null || y === undefined) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${r(fx(x))},${r(fy(y))}`;
    pen = true;
  });
  return d;
}

/** The area between `lo` and `hi` (clamped to [min, max]), one closed shape per unbroken run. */
export function bandPath(
  xs: Num[],
  lo: Num[],
  hi: Num[],
  fx: (v: number) => number,
  fy: (v: number) => number,
  [min, max]: [number, number],
): string {
  const clamp = (v: number) => Math.min(max, Math.max(min, v));
  let d = "";
  let run: [number, number, number][] = [];
  const flush = () => {
    if (run.length > 1) {
      const top = run.map(([x, , h]) => `${r(fx(x))},${r(fy(clamp(h)))}`);
      const bottom = run.map(([x, l]) => `${r(fx(x))},${r(fy(clamp(l)))}`).reverse();
      d += `M${top.join("L")}L${bottom.join("L")}Z`;
    }
    run = [];
  };
  xs.forEach((x, i) => {
    const l = lo[i];
    const h = hi[i];
    if (x === null || l === null || h === null || l === undefined || h === undefined) flush();
    else run.push([x, l, h]);
  });
  flush();
  return d;
}
