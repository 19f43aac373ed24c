// ScoresHeatmap's front end: a CSS grid of cells with sticky labels, a legend, a tooltip,
// and selection by mouse and keyboard synced to the `selection` trait.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import { type Theme, watchTheme } from "../shared/theme";
import { baselineOf, cellText, deltasByCell, markCell } from "./delta";
import { computeLayout, type Layout } from "./layout";
import { fillLegend } from "./legend";
import { paintCell } from "./paint";
import { legendGradient } from "./schemes";
import { cellKey, clickCell, clickLine, moveFocus, splitKey } from "./selection";
import { HoverCard } from "./tooltip";
import type { CellRef, CellRow, DeltaRow, HeatmapSpec, HeatmapState } from "./types";

export class HeatmapView {
  readonly root: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly tip = new HoverCard();
  private readonly legend: HTMLElement;
  private spec!: HeatmapSpec;
  private layout!: Layout;
  /** Cell elements by "x,y" (present cells only) and their data. */
  private cellEls = new Map<string, HTMLElement>();
  private cellData = new Map<string, CellRow>();
  /** In baseline mode, each cell's delta row by "x,y". */
  private deltaData = new Map<string, DeltaRow>();
  private selected = new Set<string>();
  /** What the cells currently show as selected, and the cells by their task × model key. */
  private shown = new Set<string>();
  private cellByKey = new Map<string, HTMLElement>();
  private focus: [number, number] | null = null;
  private theme: Theme = "light";
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly model: AnyModel<HeatmapState>,
    el: HTMLElement,
  ) {
    this.root = h("div", "evallens el-heatmap");
    this.scroller = h("div", "el-hm-scroll");
    this.scroller.tabIndex = 0;
    this.grid = h("div", "el-hm-grid");
    this.grid.setAttribute("role", "grid");
    this.scroller.append(this.grid);
    this.legend = h("div", "el-hm-legend");
    el.append(this.root);

    this.grid.addEventListener("click", (e) => this.onClick(e));
    this.scroller.addEventListener("keydown", (e) => this.onKey(e));
    this.grid.addEventListener("pointerover", (e) => this.onHover(e));
    this.grid.addEventListener("pointerleave", () => this.tip.hideSoon());

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
    this.root.style.width = `${width}px`;
    this.root.replaceChildren();
    if (spec.title) this.root.append(h("div", "el-hm-title", spec.title));
    if (spec.x_label) {
      const xt = h("div", "el-hm-axis-title", spec.x_label);
      xt.style.paddingLeft = `${L.labelW}px`;
      this.root.append(xt);
    }
    this.scroller.style.maxHeight = `${L.scrollH}px`;
    this.grid.style.gridTemplateColumns = `${L.labelW}px repeat(${spec.x.length}, ${L.cellW}px)`;
    this.grid.style.gridTemplateRows = `${L.headerH}px repeat(${spec.y.length}, ${L.cellH}px)`;
    this.grid.style.setProperty("--el-hm-inset", `${Math.max(0, spec.cell.inset ?? 1)}px`);
    this.grid.classList.toggle("el-hm-rotated", L.rotate);
    this.grid.setAttribute("aria-label", `${spec.score} by task and model`);
    this.grid.setAttribute("aria-rowcount", String(spec.y.length + 1));
    this.grid.setAttribute("aria-colcount", String(spec.x.length + 1));

    // Rows are `display: contents` wrappers: the CSS grid lays out their children, and
    // assistive tech sees the rows a grid role needs.
    const rowOf = (): HTMLElement => {
      const row = h("div", "el-hm-row");
      row.setAttribute("role", "row");
      return row;
    };
    const rows: HTMLElement[] = [];
    let parts = rowOf();
    rows.push(parts);
    const corner = h("div", "el-hm-corner", spec.y_label ?? "");
    parts.append(corner);
    for (const [i, label] of spec.x.entries()) parts.append(this.axisLabel("x", i, label, spec.tasks_on_x));
    this.cellData.clear();
    for (const c of spec.cells) this.cellData.set(`${c[0]},${c[1]}`, c);
    this.deltaData = deltasByCell(spec);
    const baseline = baselineOf(spec);
    this.cellEls.clear();
    this.cellByKey.clear();
    this.shown = new Set();
    spec.y.forEach((label, j) => {
      parts = rowOf();
      rows.push(parts);
      parts.append(this.axisLabel("y", j, label, !spec.tasks_on_x));
      for (let i = 0; i < spec.x.length; i++) {
        const key = `${i},${j}`;
        const data = this.cellData.get(key);
        const cell = h("div", data ? "el-hm-cell" : "el-hm-cell el-hm-missing");
        cell.setAttribute("role", "gridcell");
        cell.dataset.x = String(i);
        cell.dataset.y = String(j);
        if (data) {
          const { task, model } = this.names(i, j);
          cell.dataset.task = task;
          cell.dataset.model = model;
          this.cellEls.set(key, cell);
          this.cellByKey.set(cellKey(task, model), cell);
          cell.setAttribute("aria-selected", "false");
          if (L.showText) cell.append(h("span", "el-hm-value", cellText(spec, data[2])));
          if (baseline !== null) markCell(cell, data[2], this.deltaData.get(key));
        }
        parts.append(cell);
      }
    });
    this.grid.replaceChildren(...rows);
    this.root.append(this.scroller);
    if (spec.legend) this.root.append(this.buildLegend());
    this.root.append(this.tip.el);
    this.paint();
    this.readSelection();
  }

  private buildLegend(): HTMLElement {
    fillLegend(this.legend, this.spec, this.model.get("width") || 700);
    return this.legend;
  }

  /** A column or row label; a task's hover text names the score its cells average when
   * tasks differ, and the baseline model's says it is the baseline. */
  private axisLabel(axis: "x" | "y", index: number, label: string, isTask: boolean): HTMLElement {
    const node = h("div", `el-hm-${axis}label`);
    node.setAttribute("role", axis === "x" ? "columnheader" : "rowheader");
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

  /** Colours depend on the theme only for Inspect's palettes; repaint all cells. */
  private paint(): void {
    for (const [key, el] of this.cellEls) paintCell(el, this.cellData.get(key)?.[2] ?? null, this.spec, this.theme);
    const bar = this.legend.querySelector<HTMLElement>(".el-hm-legend-bar");
    if (bar) bar.style.background = legendGradient(this.spec.scheme, this.theme, this.spec.reverse);
  }

  private names(i: number, j: number): CellRef {
    const a = this.spec.x[i];
    const b = this.spec.y[j];
    return this.spec.tasks_on_x ? { task: a, model: b } : { task: b, model: a };
  }

  private keyAt(i: number, j: number): string {
    const { task, model } = this.names(i, j);
    return cellKey(task, model);
  }

  // -- selection --------------------------------------------------------------------------
  private readSelection(): void {
    this.selected = new Set(this.model.get("selection").map((c) => cellKey(String(c.task), String(c.model))));
    this.showSelection();
  }

  /** Restyle only the cells whose state changed: big grids stay quick to click. */
  private showSelection(): void {
    this.grid.classList.toggle("el-hm-has-selection", this.selected.size > 0);
    const mark = (key: string, on: boolean) => {
      const el = this.cellByKey.get(key);
      if (!el) return;
      el.classList.toggle("el-hm-selected", on);
      el.setAttribute("aria-selected", on ? "true" : "false");
    };
    for (const key of this.shown) if (!this.selected.has(key)) mark(key, false);
    for (const key of this.selected) if (!this.shown.has(key)) mark(key, true);
    this.shown = new Set(this.selected);
  }

  private commit(next: Set<string>): void {
    this.selected = next;
    // Send first: the linked grid's round trip is the slow part, the repaint here is not.
    this.model.set("selection", [...next].map(splitKey));
    this.model.save_changes();
    this.showSelection();
  }

  private lineKeys(line: string): string[] {
    const axis = line[0];
    const index = Number(line.slice(1));
    const keys: string[] = [];
    for (const c of this.spec.cells) {
      if ((axis === "x" ? c[0] : c[1]) === index) keys.push(this.keyAt(c[0], c[1]));
    }
    return keys;
  }

  private onClick(e: MouseEvent): void {
    const target = e.target instanceof Element ? e.target : null;
    const additive = e.shiftKey || e.ctrlKey || e.metaKey;
    const label = target?.closest<HTMLElement>("[data-line]");
    if (label?.dataset.line) {
      this.commit(clickLine(this.selected, this.lineKeys(label.dataset.line), additive));
      return;
    }
    const cell = target?.closest<HTMLElement>(".el-hm-cell:not(.el-hm-missing)");
    if (!cell) return;
    const i = Number(cell.dataset.x);
    const j = Number(cell.dataset.y);
    this.setFocus([i, j], false);
    this.commit(clickCell(this.selected, this.keyAt(i, j), additive));
  }

  private onKey(e: KeyboardEvent): void {
    const nx = this.spec.x.length;
    const ny = this.spec.y.length;
    if (e.key === "Escape") {
      if (this.selected.size) this.commit(new Set());
      e.preventDefault();
      return;
    }
    if (e.key === "Enter" || e.key === " ") {
      if (this.focus && this.cellData.has(`${this.focus[0]},${this.focus[1]}`)) {
        this.commit(clickCell(this.selected, this.keyAt(this.focus[0], this.focus[1]), true));
      }
      e.preventDefault();
      return;
    }
    if (e.key.startsWith("Arrow") || e.key === "Home" || e.key === "End") {
      this.setFocus(moveFocus(this.focus, e.key, nx, ny), true);
      e.preventDefault();
    }
  }

  private setFocus(pos: [number, number] | null, scroll: boolean): void {
    this.grid.querySelector(".el-hm-focus")?.classList.remove("el-hm-focus");
    this.focus = pos;
    if (!pos) return;
    const el = this.grid.querySelector<HTMLElement>(`[data-x="${pos[0]}"][data-y="${pos[1]}"]`);
    if (!el) return;
    el.classList.add("el-hm-focus");
    if (scroll) el.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }

  // -- tooltip ----------------------------------------------------------------------------
  private onHover(e: PointerEvent): void {
    if (!this.spec.tip) return;
    const target = e.target instanceof Element ? e.target : null;
    const cell = target?.closest<HTMLElement>(".el-hm-cell:not(.el-hm-missing)");
    if (!cell) {
      this.tip.hideSoon();
      return;
    }
    const i = Number(cell.dataset.x);
    const j = Number(cell.dataset.y);
    const data = this.cellData.get(`${i},${j}`);
    if (!data) return;
    const { task, model } = this.names(i, j);
    const content = {
      task,
      model,
      score: this.spec.task_scores?.[task] ?? this.spec.score,
      value: data[2],
      n: data[3],
      unit: this.spec.unit,
      stderr: data[4],
      link: data[5],
      baseline: baselineOf(this.spec),
      delta: this.deltaData.get(`${i},${j}`) ?? null,
    };
    this.tip.show(content, this.root, e.clientX, e.clientY);
  }
}
