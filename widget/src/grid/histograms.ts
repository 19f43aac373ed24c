// The small distribution under a score or numeric column's header: bars of the rows in view
// (the kernel counts them). Clicking a bar of a categorical column keeps that value (click
// again to drop it); dragging across a binned column keeps the bins brushed. The active
// range is named under the bars, with a button to clear it. Values are data: text only.
import { h } from "../shared/model";
import { formatInColumn } from "./format";
import type { Histogram, NumberFormat, RangeSpec } from "./types";

export interface RangeActions {
  /** Keep rows in `range` for column `id` (null: clear its range). */
  set(id: string, range: RangeSpec | null): void;
}

const fmt = (n: number) => n.toLocaleString("en-US");

/** The lower edge of bin `i` of a binned histogram. */
export function binEdge(hist: Histogram, i: number): number {
  const lo = hist.min ?? 0;
  const hi = hist.max ?? lo;
  const width = hi > lo ? (hi - lo) / hist.counts.length : 1;
  return lo + i * width;
}

/** Which bars a range covers (by index). */
export function barsIn(hist: Histogram, range: RangeSpec | undefined): Set<number> {
  const on = new Set<number>();
  if (!range) return on;
  if ("values" in range) {
    hist.labels.forEach((label, i) => {
      if (range.values.includes(label)) on.add(i);
    });
  } else if ("bins" in range) {
    for (let i = range.bins[0]; i <= range.bins[1]; i++) on.add(i);
  } else {
    for (let i = 0; i < hist.counts.length; i++) {
      const lo = binEdge(hist, i);
      const hi = binEdge(hist, i + 1);
      if (hist.type === "bins" ? hi > range.min && lo <= range.max : false) on.add(i);
    }
    if (hist.type === "categories") {
      hist.labels.forEach((label, i) => {
        const v = Number(label);
        if (v >= range.min && v <= range.max) on.add(i);
      });
    }
  }
  return on;
}

/** The range in words, as the header shows it. */
export function describeRange(hist: Histogram, range: RangeSpec, format?: NumberFormat): string {
  const num = (v: number) => (format ? formatInColumn(v, format, true) : String(Number(v.toPrecision(4))));
  if ("values" in range) return range.values.join(", ");
  if ("bins" in range) {
    const last = range.bins[1] === hist.counts.length - 1;
    return `${num(binEdge(hist, range.bins[0]))} – ${last ? num(hist.max ?? 0) : `<${num(binEdge(hist, range.bins[1] + 1))}`}`;
  }
  return `${num(range.min)} – ${num(range.max)}`;
}

/** The histogram strip for one header cell. */
export function histogramStrip(
  hist: Histogram,
  range: RangeSpec | undefined,
  label: string,
  actions: RangeActions,
  format?: NumberFormat,
): HTMLElement {
  const wrap = h("div", "el-hist-wrap");
  const strip = h("div", `el-hist el-hist-${hist.type}`);
  strip.dataset.column = hist.id;
  const most = Math.max(1, ...hist.counts);
  const on = barsIn(hist, range);
  const bars: HTMLElement[] = hist.counts.map((count, i) => {
    const bar = h("span", "el-hist-bar");
    bar.dataset.index = String(i);
    const inner = h("span", "el-hist-fill");
    inner.style.height = `${count === 0 ? 0 : Math.max(8, (100 * count) / most)}%`;
    bar.append(inner);
    const what =
      hist.type === "categories" ? (hist.labels[i] ?? "") : `${describeRange(hist, { bins: [i, i] }, format)}`;
    bar.title = `${what}: ${fmt(count)}`;
    if (on.size && on.has(i)) bar.classList.add("el-hist-on");
    return bar;
  });
  strip.append(...bars);
  if (on.size) strip.classList.add("el-hist-active");
  strip.setAttribute("role", "group");
  strip.setAttribute("aria-label", `Distribution of ${label}`);
  // Clicks and drags here filter; they never sort or drag the column.
  for (const type of ["click", "dragstart", "mousedown"]) strip.addEventListener(type, (e) => e.stopPropagation());
  strip.draggable = false;

  if (hist.type === "categories") {
    bars.forEach((bar, i) => {
      bar.setAttribute("role", "button");
      bar.tabIndex = 0;
      bar.setAttribute("aria-pressed", String(on.has(i)));
      bar.setAttribute("aria-label", `${label}: ${hist.labels[i]} (${fmt(hist.counts[i])})`);
      const toggle = () => {
        const value = hist.labels[i];
        const values = range && "values" in range ? range.values.slice() : [];
        const at = values.indexOf(value);
        if (at >= 0) values.splice(at, 1);
        else values.push(value);
        actions.set(hist.id, values.length ? { values } : null);
      };
      bar.addEventListener("click", toggle);
      bar.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          e.stopPropagation();
          toggle();
        }
      });
    });
  } else if (hist.counts.length) {
    brush(strip, bars, (first, last) => actions.set(hist.id, { bins: [first, last] }));
  }
  wrap.append(strip);
  if (range) {
    const line = h("div", "el-hist-range");
    line.append(h("span", "el-hist-range-text", describeRange(hist, range, format)));
    const clear = h("button", "el-hist-clear", "×");
    clear.setAttribute("aria-label", `Clear the range of ${label}`);
    clear.addEventListener("click", (e) => {
      e.stopPropagation();
      actions.set(hist.id, null);
    });
    line.append(clear);
    wrap.append(line);
  }
  return wrap;
}

/** Drag across bars to pick bins first..last (a click picks one). */
function brush(strip: HTMLElement, bars: HTMLElement[], done: (first: number, last: number) => void): void {
  let start = -1;
  let end = -1;
  const at = (e: PointerEvent): number => {
    const box = strip.getBoundingClientRect();
    const x = Math.min(Math.max(e.clientX - box.left, 0), box.width - 1);
    return Math.min(bars.length - 1, Math.floor((x / Math.max(1, box.width)) * bars.length));
  };
  const paint = () => {
    const [a, b] = start <= end ? [start, end] : [end, start];
    bars.forEach((bar, i) => {
      bar.classList.toggle("el-hist-brush", i >= a && i <= b);
    });
  };
  strip.addEventListener("pointerdown", (e) => {
    e.preventDefault();
    e.stopPropagation();
    start = end = at(e);
    strip.setPointerCapture?.(e.pointerId);
    paint();
  });
  strip.addEventListener("pointermove", (e) => {
    if (start < 0) return;
    end = at(e);
    paint();
  });
  const finish = (e: PointerEvent) => {
    if (start < 0) return;
    end = at(e);
    const [a, b] = start <= end ? [start, end] : [end, start];
    start = end = -1;
    done(a, b);
  };
  strip.addEventListener("pointerup", finish);
  strip.addEventListener("pointercancel", () => {
    start = end = -1;
    paint();
  });
}
