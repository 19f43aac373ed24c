// ScoresHeatmap's front end: cells drawn on one canvas the size of the visible window (so
// 500 × 200 cells paint as fast as 5 × 4), labels as sticky DOM text, a legend, a tooltip,
// and selection by mouse and keyboard synced to the `selection` trait. Pointer positions
// are hit-tested against the layout; a live region says which cell the keyboard is on.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import { type Theme, watchTheme } from "../shared/theme";
import { baselineOf, cellText, describeValue } from "./delta";
import { cellAt, computeLayout, type Layout, visibleRange } from "./layout";
import { fillLegend } from "./legend";
import { type CellColours, type Chrome, cellColours, drawCells } from "./paint";
import { legendGradient } from "./schemes";
import { cellKey, clickCell, clickLine, moveFocus, splitKey } from "./selection";
import { CellTable } from "./table";
import { HoverCard } from "./tooltip";
import type { CellRef, HeatmapSpec, HeatmapState } from "./types";

/** What a cell shows, as `probe.cells()` reports it. */
export interface ShownCell extends CellRef {
  x: number;
  y: number;
  text: string;
  empty: boolean;
  selected: boolean;
  significant: boolean;
}

/** A handle on the drawn heatmap for tests and tools (`el.evallensHeatmap`): cells are
 * pixels, so this is how a page script finds one. */
export interface HeatmapProbe {
  /** Scroll the task × model cell into view and give its box in client pixels (null when
   * the task or model is not on the axes). */
  cellRect(task: string, model: string): { x: number; y: number; width: number; height: number } | null;
  /** Every cell with data: its text and whether it is drawn selected or marked significant. */
  cells(): ShownCell[];
  /** The cell under a client point, or null. */
  cellAt(clientX: number, clientY: number): CellRef | null;
  /** The canvas pixel (RGBA, 0–255) inside a cell's fill, after scrolling it into view. */
  pixel(task: string, model: string): number[] | null;
  /** Grid positions drawn by the last frame (the visible window, not the whole grid). */
  drawn(): number;
  /** How many frames have been drawn. */
  frames(): number;
  /** The cell the keyboard is on. */
  focused(): CellRef | null;
}

/** Labels kept on the page beyond each edge of the view, so a short scroll shows text at once. */
const LABEL_OVERSCAN = 6;

const FALLBACK: Record<Theme, Omit<Chrome, "font">> = {
  light: { fg: "#1f2328", accent: "#1a73e8", border: "#e1e4e8", fallbackText: "#1f2328" },
  dark: { fg: "#e6e6e6", accent: "#5b9cf5", border: "#3a3a3a", fallbackText: "#f2f2f2" },
};

export class HeatmapView {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly plane: HTMLElement;
  private readonly xaxis: HTMLElement;
  private readonly yaxis: HTMLElement;
  private readonly corner: HTMLElement;
  private readonly area: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly live: HTMLElement;
  private readonly tip = new HoverCard();
  private readonly legend: HTMLElement;
  private ctx: CanvasRenderingContext2D | null = null;
  private spec!: HeatmapSpec;
  private layout!: Layout;
  private table!: CellTable;
  /** Each row's colours, computed when first drawn (cleared when the theme changes). */
  private colourCache: (CellColours | null | undefined)[] = [];
  private chrome: Chrome = { ...FALLBACK.light, font: "600 12px sans-serif" };
  private selected = new Set<string>();
  private focus: [number, number] | null = null;
  /** The row under the pointer (its tooltip is showing), -1 for none. */
  private hovered = -1;
  /** Where the pointer is over the canvas, null when it is elsewhere. */
  private pointer: { clientX: number; clientY: number } | null = null;
  private theme: Theme = "light";
  private view = { w: 0, h: 0, dpr: 1 };
  private lastDrawn = 0;
  /** The label range on the page ("i0,i1,j0,j1"). */
  private labelRange = "";
  private stopPixelRatio: () => void = () => {};
  private frameCount = 0;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly model: AnyModel<HeatmapState>,
    el: HTMLElement,
  ) {
    this.root = h("div", "evallens el-heatmap");
    this.scroller = h("div", "el-hm-scroll");
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute("role", "group");
    this.scroller.setAttribute("aria-roledescription", "heatmap");
    this.scroller.setAttribute(
      "aria-keyshortcuts",
      "ArrowUp ArrowDown ArrowLeft ArrowRight Home End Enter Space Escape",
    );
    this.plane = h("div", "el-hm-plane");
    this.corner = h("div", "el-hm-corner");
    this.xaxis = h("div", "el-hm-xaxis");
    this.yaxis = h("div", "el-hm-yaxis");
    this.area = h("div", "el-hm-area");
    this.canvas = h("canvas", "el-hm-canvas");
    this.canvas.setAttribute("role", "img");
    this.area.append(this.canvas);
    this.plane.append(this.corner, this.xaxis, this.yaxis, this.area);
    this.scroller.append(this.plane);
    this.live = h("div", "el-hm-live");
    this.live.setAttribute("role", "status");
    this.live.setAttribute("aria-live", "polite");
    this.live.id = `el-hm-live-${Math.random().toString(36).slice(2)}`;
    this.scroller.setAttribute("aria-describedby", this.live.id);
    this.legend = h("div", "el-hm-legend");
    el.append(this.root);
    this.ctx = this.canvas.getContext?.("2d") ?? null;

    this.plane.addEventListener("click", (e) => this.onClick(e));
    this.scroller.addEventListener("keydown", (e) => this.onKey(e));
    this.scroller.addEventListener("scroll", () => {
      this.draw();
      // Cells move under a pointer that stays put: the card follows the cell now under it.
      if (this.pointer) this.onHover(this.pointer);
    });
    this.canvas.addEventListener("pointermove", (e) => {
      this.pointer = { clientX: e.clientX, clientY: e.clientY };
      this.onHover(this.pointer);
    });
    this.canvas.addEventListener("pointerleave", () => {
      this.pointer = null;
      this.hovered = -1;
      this.tip.hideSoon();
    });
    if (typeof ResizeObserver !== "undefined") {
      // Also when the widget is first attached: only then do the page's colours and font
      // resolve, and the scroller have its real size.
      const resize = new ResizeObserver(() => {
        this.readChrome();
        this.fitCanvas();
      });
      resize.observe(this.scroller);
      this.stops.push(() => resize.disconnect());
    }
    this.watchPixelRatio();
    this.stops.push(() => this.stopPixelRatio());

    const rebuild = () => this.build();
    const events: [string, () => void][] = [
      ["change:_spec", rebuild],
      ["change:width", rebuild],
      ["change:height", rebuild],
      ["change:selection", () => this.readSelection()],
    ];
    for (const [name, fn] of events) model.on(name, fn);
    this.stops.push(() => {
      for (const [name, fn] of events) model.off(name, fn);
    });
    this.stops.push(
      watchTheme((t) => {
        this.theme = t;
        this.root.classList.toggle("el-dark", t === "dark");
        if (this.spec) this.paint();
      }),
    );
    (this.root as HeatmapRoot).evallensHeatmap = this.probe();
    this.build();
  }

  dispose(): void {
    this.tip.dispose();
    for (const stop of this.stops) stop();
    this.root.remove();
  }

  // -- building ---------------------------------------------------------------------------
  private build(): void {
    this.spec = this.model.get("_spec");
    const spec = this.spec;
    const width = this.model.get("width") || 700;
    const height = this.model.get("height") || Math.round(width / 1.618);
    this.layout = computeLayout(spec, width, height);
    const L = this.layout;
    this.table = new CellTable(spec);
    this.colourCache = [];
    this.focus = null;
    this.hovered = -1;
    this.root.style.width = `${width}px`;
    this.root.replaceChildren();
    if (spec.title) this.root.append(h("div", "el-hm-title", spec.title));
    if (spec.x_label) {
      const xt = h("div", "el-hm-axis-title", spec.x_label);
      xt.style.paddingLeft = `${L.labelW}px`;
      this.root.append(xt);
    }
    this.scroller.style.maxHeight = `${L.scrollH}px`;
    this.plane.style.gridTemplateColumns = `${L.labelW}px ${L.areaW}px`;
    this.plane.style.gridTemplateRows = `${L.headerH}px ${L.areaH}px`;
    this.plane.classList.toggle("el-hm-rotated", L.rotate);
    const what = `${spec.score} by task and model`;
    this.scroller.setAttribute("aria-label", what);
    this.canvas.setAttribute(
      "aria-label",
      `${what}: ${spec.x.length} columns × ${spec.y.length} rows. Arrow keys move between cells, ` +
        "Enter selects, Escape clears the selection.",
    );
    this.canvas.style.top = `${L.headerH}px`;
    this.canvas.style.left = `${L.labelW}px`;
    this.area.style.width = `${L.areaW}px`;
    this.area.style.height = `${L.areaH}px`;
    this.corner.textContent = spec.y_label ?? "";

    // Labels stay DOM text, placed as the cells are drawn: those in view (and a few
    // either side), so 5,000 columns cost what 50 do.
    this.xaxis.style.width = `${L.areaW}px`;
    this.yaxis.style.height = `${L.areaH}px`;
    this.xaxis.replaceChildren();
    this.yaxis.replaceChildren();
    this.labelRange = "";

    this.root.append(this.scroller);
    if (spec.legend) this.root.append(this.buildLegend());
    this.root.append(this.tip.el, this.live);
    this.selected = this.modelSelection();
    this.table.select(this.selected);
    this.live.textContent = "";
    this.readChrome();
    this.fitCanvas();
    this.paintLegend();
  }

  private buildLegend(): HTMLElement {
    fillLegend(this.legend, this.spec, this.model.get("width") || 700);
    return this.legend;
  }

  /** A column or row label; a task's hover text names the score its cells average when
   * tasks differ, and the baseline model's says it is the baseline. */
  private axisLabel(axis: "x" | "y", index: number, label: string, isTask: boolean): HTMLElement {
    // No header roles: without the DOM grid of cells there is no grid for them to head.
    const node = h("div", `el-hm-${axis}label`);
    node.dataset.line = `${axis}${index}`;
    let note = isTask ? this.spec.task_scores?.[label] : undefined;
    if (!isTask && label === baselineOf(this.spec)) {
      note = "baseline";
      node.classList.add("el-hm-baseline");
    }
    node.title = note ? `${label} (${note})` : label;
    node.append(h("span", "el-hm-label-text", label));
    return node;
  }

  // -- drawing ----------------------------------------------------------------------------
  /** The theme's colours and font, as the page resolves them (canvas cannot read var()). */
  private readChrome(): void {
    const fallback = FALLBACK[this.theme];
    const style = typeof getComputedStyle === "function" ? getComputedStyle(this.root) : null;
    const css = (name: string, or: string) => style?.getPropertyValue(name).trim() || or;
    this.chrome = {
      fg: css("--el-fg", fallback.fg),
      accent: css("--el-accent", fallback.accent),
      border: css("--el-border", fallback.border),
      fallbackText: css("--el-fg", fallback.fallbackText),
      font: `600 12px ${style?.fontFamily || "sans-serif"}`,
    };
  }

  /** Theme change: colours depend on it for Inspect's palettes and the page's marks. */
  private paint(): void {
    this.colourCache = [];
    this.readChrome();
    this.paintLegend();
    this.draw();
  }

  private paintLegend(): void {
    const bar = this.legend.querySelector<HTMLElement>(".el-hm-legend-bar");
    if (bar) bar.style.background = legendGradient(this.spec.scheme, this.theme, this.spec.reverse);
  }

  /** Size the canvas to the part of the cell area the scroller shows (never the whole
   * area: a 500 × 200 grid is 20,000 px wide, past any browser's canvas limit). */
  private fitCanvas(): void {
    const L = this.layout;
    const viewW = this.scroller.clientWidth || this.model.get("width") || 700;
    const viewH = this.scroller.clientHeight || L.scrollH;
    const w = Math.max(0, Math.min(L.areaW, viewW - L.labelW));
    const h = Math.max(0, Math.min(L.areaH, viewH - L.headerH));
    const dpr = (typeof window !== "undefined" && window.devicePixelRatio) || 1;
    if (w !== this.view.w || h !== this.view.h || dpr !== this.view.dpr) {
      this.view = { w, h, dpr };
      this.canvas.style.width = `${w}px`;
      this.canvas.style.height = `${h}px`;
      this.canvas.width = Math.round(w * dpr);
      this.canvas.height = Math.round(h * dpr);
    }
    this.draw();
  }

  /** Redraw sharp when the device pixel ratio changes (browser zoom, another screen). */
  private watchPixelRatio(): void {
    if (typeof window === "undefined" || typeof window.matchMedia !== "function") return;
    const query = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    const changed = () => {
      query.removeEventListener("change", changed);
      this.fitCanvas();
      this.watchPixelRatio();
    };
    query.addEventListener("change", changed);
    this.stopPixelRatio = () => query.removeEventListener("change", changed);
  }

  /** The cell area's pixel under the canvas's top-left corner: the canvas is sticky, so
   * it sits at the scroll offset, held inside the area. */
  private origin(): [number, number] {
    const L = this.layout;
    const ox = Math.min(Math.max(0, this.scroller.scrollLeft), Math.max(0, L.areaW - this.view.w));
    const oy = Math.min(Math.max(0, this.scroller.scrollTop), Math.max(0, L.areaH - this.view.h));
    return [Math.round(ox), Math.round(oy)];
  }

  private colours(r: number): CellColours | null {
    let c = this.colourCache[r];
    if (c === undefined) {
      c = cellColours(this.table.value(r), this.spec, this.theme);
      this.colourCache[r] = c;
    }
    return c;
  }

  /** Put the labels of the columns and rows in view (and `LABEL_OVERSCAN` beyond) on the
   * page, when that range changed. */
  private placeLabels(): void {
    const L = this.layout;
    const [ox, oy] = this.origin();
    const padX = LABEL_OVERSCAN * L.cellW;
    const padY = LABEL_OVERSCAN * L.cellH;
    const w = this.view.w || L.areaW;
    const h = this.view.h || L.areaH;
    const r = visibleRange(ox - padX, oy - padY, w + 2 * padX, h + 2 * padY, L, this.table.nx, this.table.ny);
    const range = `${r.i0},${r.i1},${r.j0},${r.j1}`;
    if (range === this.labelRange) return;
    this.labelRange = range;
    const spec = this.spec;
    const xs = document.createDocumentFragment();
    for (let i = r.i0; i < r.i1; i++) {
      const node = this.axisLabel("x", i, spec.x[i], spec.tasks_on_x);
      node.style.left = `${i * L.cellW}px`;
      node.style.width = `${L.cellW}px`;
      xs.append(node);
    }
    this.xaxis.replaceChildren(xs);
    const ys = document.createDocumentFragment();
    for (let j = r.j0; j < r.j1; j++) {
      const node = this.axisLabel("y", j, spec.y[j], !spec.tasks_on_x);
      node.style.top = `${j * L.cellH}px`;
      node.style.height = `${L.cellH}px`;
      ys.append(node);
    }
    this.yaxis.replaceChildren(ys);
  }

  private draw(): void {
    this.placeLabels();
    const dpr = (typeof window !== "undefined" && window.devicePixelRatio) || 1;
    if (dpr !== this.view.dpr) {
      this.fitCanvas();
      return;
    }
    const ctx = this.ctx;
    if (!ctx || this.view.w === 0 || this.view.h === 0) return;
    const [ox, oy] = this.origin();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.view.w, this.view.h);
    ctx.translate(-ox, -oy);
    this.lastDrawn = drawCells(
      ctx,
      {
        table: this.table,
        spec: this.spec,
        layout: this.layout,
        colours: (r) => this.colours(r),
        chrome: this.chrome,
        hasSelection: this.selected.size > 0,
        focus: this.focus,
      },
      ox,
      oy,
      this.view.w,
      this.view.h,
    );
    this.frameCount++;
  }

  /** The grid position under a client point (the area's box is the grid's, scrolled). */
  private hit(clientX: number, clientY: number): [number, number] | null {
    const box = this.area.getBoundingClientRect();
    return cellAt(clientX - box.left, clientY - box.top, this.layout, this.table.nx, this.table.ny);
  }

  /** Scroll the scroller the least that shows cell (i, j) beside the sticky labels. */
  private reveal(i: number, j: number): void {
    const L = this.layout;
    const s = this.scroller;
    const viewW = (s.clientWidth || L.labelW + this.view.w) - L.labelW;
    const viewH = (s.clientHeight || L.headerH + this.view.h) - L.headerH;
    const x = i * L.cellW;
    const y = j * L.cellH;
    if (x < s.scrollLeft) s.scrollLeft = x;
    else if (x + L.cellW > s.scrollLeft + viewW) s.scrollLeft = x + L.cellW - viewW;
    if (y < s.scrollTop) s.scrollTop = y;
    else if (y + L.cellH > s.scrollTop + viewH) s.scrollTop = y + L.cellH - viewH;
  }

  // -- selection --------------------------------------------------------------------------
  private modelSelection(): Set<string> {
    return new Set((this.model.get("selection") ?? []).map((c) => cellKey(String(c.task), String(c.model))));
  }

  private readSelection(): void {
    this.selected = this.modelSelection();
    this.showSelection();
  }

  private showSelection(): void {
    this.table.select(this.selected);
    this.root.classList.toggle("el-hm-has-selection", this.selected.size > 0);
    this.draw();
  }

  private commit(next: Set<string>): void {
    this.selected = next;
    // Send first: the linked grid's round trip is the slow part, the repaint here is not.
    this.model.set("selection", [...next].map(splitKey));
    this.model.save_changes();
    this.showSelection();
    this.announce();
  }

  private onClick(e: MouseEvent): void {
    const target = e.target instanceof Element ? e.target : null;
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    const label = target?.closest<HTMLElement>("[data-line]");
    if (label?.dataset.line) {
      this.commit(clickLine(this.selected, this.table.lineKeys(label.dataset.line), additive));
      return;
    }
    if (target !== this.canvas) return;
    const at = this.hit(e.clientX, e.clientY);
    const r = at ? this.table.at(at[0], at[1]) : -1;
    if (!at || r < 0) return;
    this.focus = at;
    this.commit(clickCell(this.selected, this.table.key(r), additive));
  }

  private onKey(e: KeyboardEvent): void {
    const { nx, ny } = this.table;
    if (e.key === "Escape") {
      if (this.selected.size) this.commit(new Set());
      e.preventDefault();
      return;
    }
    if (e.key === "Enter" || e.key === " ") {
      const r = this.focus ? this.table.at(this.focus[0], this.focus[1]) : -1;
      if (r >= 0) this.commit(clickCell(this.selected, this.table.key(r), true));
      e.preventDefault();
      return;
    }
    if (e.key.startsWith("Arrow") || e.key === "Home" || e.key === "End") {
      this.focus = moveFocus(this.focus, e.key, nx, ny);
      if (this.focus) this.reveal(this.focus[0], this.focus[1]);
      this.draw();
      this.announce();
      e.preventDefault();
    }
  }

  /** Say which cell the keyboard is on, its value and whether it is selected. */
  private announce(): void {
    const f = this.focus;
    const count = this.selected.size;
    const total = count === 0 ? "no cells selected" : `${count} ${count === 1 ? "cell" : "cells"} selected`;
    if (!f) {
      this.live.textContent = total;
      return;
    }
    const { task, model } = this.table.names(f[0], f[1]);
    const r = this.table.at(f[0], f[1]);
    const value =
      r < 0
        ? "no data"
        : `${describeValue(this.spec, this.table.value(r), this.table.delta(r))}` +
          `${this.table.selected[r] ? ", selected" : ""}`;
    this.live.textContent = `Task ${task}, model ${model}: ${value}. ${total}.`;
  }

  // -- tooltip ----------------------------------------------------------------------------
  private onHover(e: { clientX: number; clientY: number }): void {
    const at = this.hit(e.clientX, e.clientY);
    const r = at ? this.table.at(at[0], at[1]) : -1;
    this.canvas.style.cursor = r >= 0 ? "pointer" : "default";
    if (!this.spec.tip || r === this.hovered) return;
    this.hovered = r;
    if (!at || r < 0) {
      this.tip.hideSoon();
      return;
    }
    const { task, model } = this.table.names(at[0], at[1]);
    this.tip.show(
      {
        task,
        model,
        score: this.spec.task_scores?.[task] ?? this.spec.score,
        value: this.table.value(r),
        n: this.table.n(r),
        unit: this.spec.unit,
        stderr: this.table.stderr(r),
        link: this.table.link(r),
        baseline: baselineOf(this.spec),
        delta: this.table.delta(r),
      },
      this.root,
      e.clientX,
      e.clientY,
    );
  }

  // -- the probe --------------------------------------------------------------------------
  private probe(): HeatmapProbe {
    const rectOf = (task: string, model: string) => {
      const at = this.table.position(task, model);
      if (!at) return null;
      this.reveal(at[0], at[1]);
      this.draw();
      const box = this.area.getBoundingClientRect();
      const L = this.layout;
      return { x: box.left + at[0] * L.cellW, y: box.top + at[1] * L.cellH, width: L.cellW, height: L.cellH };
    };
    return {
      cellRect: rectOf,
      cells: () =>
        Array.from({ length: this.table.count }, (_, r) => ({
          ...this.table.names(this.table.xs[r], this.table.ys[r]),
          x: this.table.xs[r],
          y: this.table.ys[r],
          text: this.layout.showText ? cellText(this.spec, this.table.value(r)) : "",
          empty: this.colours(r) === null,
          selected: this.table.selected[r] === 1,
          significant: this.table.significant(r),
        })),
      cellAt: (x, y) => {
        const at = this.hit(x, y);
        return at && this.table.at(at[0], at[1]) >= 0 ? this.table.names(at[0], at[1]) : null;
      },
      pixel: (task, model) => {
        const rect = rectOf(task, model);
        if (!rect || !this.ctx) return null;
        const box = this.canvas.getBoundingClientRect();
        const inset = Math.max(0, this.spec.cell.inset ?? 1) + 4;
        const dpr = this.view.dpr;
        const px = Math.floor((rect.x - box.left + inset) * dpr);
        const py = Math.floor((rect.y - box.top + inset) * dpr);
        return [...this.ctx.getImageData(px, py, 1, 1).data];
      },
      drawn: () => this.lastDrawn,
      frames: () => this.frameCount,
      focused: () => (this.focus ? this.table.names(this.focus[0], this.focus[1]) : null),
    };
  }
}

type HeatmapRoot = HTMLElement & { evallensHeatmap?: HeatmapProbe };
