// SampleGrid's front end: a virtualized list of rows fetched from the kernel in blocks.
import { decodeRows, type Row } from "../shared/arrow";
import type { AnyModel } from "@anywidget/types";
import { h, sync, toUint32 } from "../shared/model";
import { NoAnswer } from "../shared/rpc";
import { watchTheme, type Theme } from "../shared/theme";
import { BLOCK, BlockCache, rowId } from "./blocks";
import { renderDetail } from "./detail";
import { Columns } from "./columns";
import { moveColumn, needsKernel, same } from "./edits";
import { HeaderView } from "./header";
import { GridQuery } from "./query";
import { RowsView } from "./rows";
import { nextSort } from "./sort";
import { clearOverrides, loadOverrides, saveOverride } from "./storage";
import { VIEW_KEYS, type ColumnState, type GridState, type Refresh, type ViewEdit, type ViewState } from "./types";
import { Viewport } from "./viewport";

export class GridView {
  readonly root: HTMLElement;
  private readonly query: GridQuery;
  private readonly columns: Columns;
  private readonly header: HeaderView;
  private readonly viewport: Viewport;
  private readonly rows: RowsView;
  private readonly status: HTMLElement;
  private readonly notice: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly detail: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly menus: HTMLElement;
  private readonly blocks: BlockCache;
  private theme: Theme = "light";
  private selected = new Set<number>();
  private focusPos = -1;
  private anchorPos = -1;
  private detailRow = -1;
  private frame = 0;
  /** Edits sent to the kernel and not answered yet: the next click builds on them. */
  private inFlight: ViewEdit = {};
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly model: AnyModel<GridState>,
    el: HTMLElement,
  ) {
    this.query = new GridQuery(model, () => this.hideNotice());
    this.root = h("div", "evallens el-grid");
    this.root.tabIndex = -1;
    const toolbar = h("div", "el-toolbar");
    this.search = h("input", "el-search");
    this.search.type = "search";
    this.search.placeholder = "Search input, target, answer, id";
    this.search.setAttribute("aria-label", "Search samples");
    this.search.value = model.get("search") ?? "";
    this.status = h("span", "el-status");
    this.status.setAttribute("role", "status");
    this.menus = h("div", "el-menus");
    toolbar.append(this.search, this.status, this.menus);
    this.notice = h("div", "el-notice");
    this.notice.hidden = true;
    // The kernel keeps _initial in step with the sort, search and columns, so the saved
    // state's sort is the one these rows have.
    const first = decodeRows(model.get("_initial"));
    this.blocks = new BlockCache(model.get("_revision"), model.get("_count"), model.get("sort"), first);
    this.columns = new Columns(model, this.root);
    this.header = new HeaderView(this.columns, {
      sort: (column, additive) => {
        const sort = nextSort(this.current("sort"), column, additive);
        void this.changeView({ sort }, "sorting");
      },
      move: (id, before) => {
        const columns = moveColumn(this.current("columns"), id, before);
        if (columns) void this.changeView({ columns }, "moving a column");
      },
    });
    this.viewport = new Viewport(model, this.header.el);
    this.rows = new RowsView(this.viewport.layer, this.blocks, (pos, row, e) => this.onRowClick(pos, row, e));
    const main = h("div", "el-main");
    this.empty = h("div", "el-empty");
    this.empty.hidden = true;
    this.viewport.scroller.append(this.empty);
    this.detail = h("aside", "el-detail");
    this.detail.hidden = true;
    main.append(this.viewport.scroller, this.detail);
    this.root.append(toolbar, this.notice, main);
    el.append(this.root);
    this.readSelection();

    void this.query.kernel.answers(); // learn early whether a click can be served
    this.buildMenus();
    this.applySavedOverrides();
    this.layout();
    this.bind();
    this.stops.push(
      watchTheme((t) => {
        this.theme = t;
        this.root.classList.toggle("el-dark", t === "dark");
        this.renderRows(true);
      }),
    );
  }

  dispose(): void {
    this.query.dispose();
    for (const stop of this.stops) stop();
    cancelAnimationFrame(this.frame);
  }

  // -- state from the model ------------------------------------------------------------
  private readSelection(): void {
    this.selected = new Set(toUint32(this.model.get("_selected_rows")));
  }

  private get labels(): Record<string, string> {
    return this.model.get("score_labels") ?? {};
  }

  // -- user overrides ------------------------------------------------------------------
  private key(): string {
    return this.model.get("_storage_key") ?? "";
  }

  /** User > eval default > built-in: overrides saved in this browser win, if still valid.
   * Pure view settings apply at once; a saved sort or columns go through the kernel like a
   * click, so without one the rows saved with the notebook keep the sort they have. */
  private applySavedOverrides(): void {
    this.columns.loadWidths();
    const saved = loadOverrides(this.key());
    const edit: ViewEdit = {};
    const cols = saved.columns?.filter((c) => this.columns.defs.has(c.id));
    if (cols?.length && !same(cols, this.model.get("columns"))) edit.columns = cols;
    const sort = saved.sort?.filter((s) => this.columns.defs.has(s.column));
    if (sort && !same(sort, this.blocks.sort)) edit.sort = sort;
    for (const k of ["multiline", "compact_scores", "color_scales_enabled"] as const) {
      if (typeof saved[k] === "boolean" && saved[k] !== this.model.get(k)) {
        this.model.set(k, saved[k]);
        sync(this.model);
      }
    }
    if (Object.keys(edit).length) void this.changeView(edit, null);
  }

  /** The value a new edit builds on: what is in flight to the kernel, else what shows. */
  private current<K extends keyof ViewEdit>(name: K): NonNullable<ViewEdit[K]> {
    const pending = this.inFlight[name];
    if (pending !== undefined) return pending as NonNullable<ViewEdit[K]>;
    if (name === "sort") return this.blocks.sort as NonNullable<ViewEdit[K]>;
    return this.model.get(name) as NonNullable<ViewEdit[K]>;
  }

  /** Apply a view edit. `action` names the user's action for the notice when it cannot be
   * done, and the edit is remembered in this browser; null: an attempt the user did not make
   * (no notice, nothing remembered). Edits that change rows go to the kernel, which sets the
   * traits and sends the rows (one round trip): the screen changes only with them, and an
   * edit the kernel never sees changes nothing, here or in the notebook's saved state. Pure
   * view edits apply at once, kernel or not. Resolves whether the edit was applied. */
  private async changeView(edit: ViewEdit, action: string | null): Promise<boolean> {
    const rows = { sort: this.current("sort"), search: this.current("search"), fields: this.blocks.fields(), defs: this.columns.defs };
    // Behind an edit still on its way to the kernel, a pure one queues too: applied here
    // first, it would be overwritten when the kernel's answer to the earlier one lands.
    const queued = Object.keys(edit).some((name) => name in this.inFlight);
    if (!queued && !needsKernel(edit, rows)) {
      for (const name of Object.keys(edit) as (keyof ViewEdit)[]) {
        const value = edit[name];
        if (value !== undefined) this.model.set(name, value);
      }
      sync(this.model);
      if (action) this.remember(edit);
      return true;
    }
    Object.assign(this.inFlight, edit);
    try {
      await this.query.setView(edit);
    } catch (err) {
      if (action) this.refuse(action, err);
      return false;
    } finally {
      for (const name of Object.keys(edit) as (keyof ViewEdit)[]) {
        if (this.inFlight[name] === edit[name]) delete this.inFlight[name];
      }
    }
    this.hideNotice();
    if (action) this.remember(edit);
    return true;
  }

  /** Keep the user's view choices in this browser (per task), as Inspect's viewer does not. */
  private remember(edit: ViewEdit): void {
    for (const name of VIEW_KEYS) if (edit[name] !== undefined) saveOverride(this.key(), name, edit[name]);
  }

  private refuse(action: string, err: unknown): void {
    const why =
      err instanceof NoAnswer
        ? `The kernel is not answering: ${action} needs it.`
        : `The kernel could not do it (${action}): ${err instanceof Error ? err.message : String(err)}.`;
    this.showNotice(`${why} Nothing was changed.`);
  }

  private showNotice(text: string): void {
    this.notice.textContent = text;
    this.notice.hidden = false;
  }

  private hideNotice(): void {
    this.notice.hidden = true;
  }

  // -- events --------------------------------------------------------------------------
  private bind(): void {
    const m = this.model;
    m.on("change:columns", () => {
      this.layout();
      // An open column menu follows (an edit the kernel applied lands here, not at the click).
      if (this.columnPanel && !this.columnPanel.hidden) this.fillColumnMenu(this.columnPanel);
    });
    m.on("change:_column_defs", () => {
      this.columns.read();
      this.layout();
    });
    m.on("change:multiline", () => {
      this.syncMenus();
      this.layout();
    });
    m.on("change:compact_scores", () => {
      this.syncMenus();
      this.layout();
    });
    m.on("change:color_scales_enabled", () => {
      this.syncMenus();
      this.renderRows(true);
    });
    m.on("change:score_color_scales", () => this.renderRows(true));
    m.on("change:score_labels", () => this.layout());
    m.on("change:search", () => {
      if (this.search.value !== m.get("search")) this.search.value = m.get("search") ?? "";
    });
    m.on("change:_selected_rows", () => {
      this.readSelection();
      this.renderRows(true);
      this.renderStatus();
    });
    m.on("change:height", () => this.layout());
    m.on("change:focused", () => {
      const row = m.get("focused");
      if (row >= 0 && row !== this.detailRow) this.openDetail(row);
      if (row < 0) this.closeDetail(false);
    });
    this.query.onRefresh((refresh, rows) => this.onRefresh(refresh, rows));
    this.query.onResetView(() => {
      clearOverrides(this.key());
      this.columns.forgetWidths();
    });

    this.viewport.scroller.addEventListener("scroll", () => this.schedule());
    this.viewport.scroller.addEventListener("keydown", (e) => this.onKey(e));
    let timer = 0;
    this.search.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        const text = this.search.value;
        void this.changeView({ search: text }, "searching").then((ok) => {
          // Nothing was searched: the box must not claim otherwise (unless typing went on).
          if (!ok && this.search.value === text) this.search.value = m.get("search") ?? "";
        });
      }, 200);
    });
    const ro = new ResizeObserver(() => this.schedule());
    ro.observe(this.viewport.scroller);
    this.stops.push(() => ro.disconnect());
  }

  /** The kernel's new view: rows, count and sort change together. */
  private onRefresh(refresh: Refresh, rows: Row[]): void {
    if (!this.blocks.replace(refresh, rows)) return;
    if (this.focusPos >= this.blocks.count) this.focusPos = this.blocks.count - 1;
    this.renderHeader(); // the arrows change together with the rows they describe
    this.viewport.size(this.blocks.count);
    this.showEmpty();
    this.renderRows(true);
    this.renderStatus();
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.renderRows(false);
    });
  }

  private layout(): void {
    this.viewport.relayout(this.blocks.count, () => {
      this.columns.update();
      this.root.style.setProperty("--el-row-height", `${this.viewport.rowHeight}px`);
      this.root.style.height = `${this.model.get("height")}px`;
      this.root.classList.toggle("el-multiline", this.model.get("multiline"));
      this.root.classList.toggle("el-compact-scores", this.model.get("compact_scores"));
      this.rows.clear();
      this.renderHeader();
    });
    this.showEmpty();
    this.renderRows(true);
    this.renderStatus();
    this.syncMenus();
  }

  private renderHeader(): void {
    this.header.render(this.blocks.sort);
  }

  private showEmpty(): void {
    this.root.dataset.count = String(this.blocks.count);
    const total: number = this.model.get("_total") ?? 0;
    this.empty.hidden = this.blocks.count > 0;
    this.empty.textContent = total === 0 ? "No samples to show." : "No samples match the current filters.";
  }

  private rowAt(pos: number): Row | undefined {
    return this.blocks.rowAt(pos);
  }

  private renderRows(force: boolean): void {
    const frame = this.viewport.frame(this.blocks.count);
    this.requestMissing(frame.first, frame.last); // ask the kernel first: the round trip overlaps painting
    const look = {
      columns: this.columns.shown,
      scales: this.model.get("score_color_scales"),
      colours: this.model.get("color_scales_enabled"),
      theme: this.theme,
      selected: this.selected,
      focus: this.focusPos,
    };
    this.rows.render(frame, look, force);
  }

  private requestMissing(first: number, last: number): void {
    const missing = this.blocks.missing(first, last);
    if (!missing.length) return;
    const kernel = this.query.kernel;
    if (kernel.live === false) {
      // It did not answer last time: ask once more (a ping) rather than queue requests.
      void kernel.answers().then((ok) => (ok ? this.renderRows(false) : this.goOffline()));
      return;
    }
    const viewport = Math.floor(Math.max(0, first) / BLOCK) * BLOCK;
    const fetch = (offset: number, limit: number, at: number) => this.query.window(offset, limit, at);
    for (const block of missing) {
      this.blocks
        .load(block, viewport, fetch)
        .then((loaded) => {
          if (loaded) this.renderRows(false);
        })
        .catch((err) => {
          if (err instanceof NoAnswer) this.goOffline();
        });
    }
  }

  private goOffline(): void {
    this.showNotice(
      "The kernel is not answering: showing the rows saved with the notebook. Scrolling further, sorting and filtering need a running kernel.",
    );
  }

  private renderStatus(): void {
    const total: number = this.model.get("_total") ?? 0;
    const fmt = (n: number) => n.toLocaleString("en-US");
    let text = this.blocks.count === total ? `${fmt(total)} samples` : `${fmt(this.blocks.count)} of ${fmt(total)} samples`;
    if (this.selected.size) text += ` · ${fmt(this.selected.size)} selected`;
    this.status.textContent = text;
  }

  // -- selection, focus, keyboard ------------------------------------------------------
  private onRowClick(pos: number, row: number, e: MouseEvent): void {
    if (e.shiftKey && this.anchorPos >= 0) {
      void this.selectRange(this.anchorPos, pos, e.ctrlKey || e.metaKey);
    } else if (e.ctrlKey || e.metaKey) {
      const next = new Set(this.selected);
      if (next.has(row)) next.delete(row);
      else next.add(row);
      this.anchorPos = pos;
      this.commitSelection(next);
    } else {
      this.anchorPos = pos;
      this.commitSelection(new Set([row]));
    }
    this.setFocus(pos, true);
    this.viewport.scroller.focus({ preventScroll: true });
  }

  private async selectRange(a: number, b: number, keep: boolean): Promise<void> {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    const rows: number[] = [];
    let complete = true;
    for (let p = lo; p <= hi; p++) {
      const r = this.rowAt(p);
      if (!r) {
        complete = false;
        break;
      }
      rows.push(rowId(r));
    }
    let ids: Iterable<number> = rows;
    if (!complete) {
      try {
        ids = await this.query.rowsBetween(lo, hi + 1);
      } catch (err) {
        this.refuse("selecting rows not loaded yet", err);
        return;
      }
    }
    const next = keep ? new Set(this.selected) : new Set<number>();
    for (const id of ids) next.add(id);
    this.commitSelection(next);
  }

  private commitSelection(next: Set<number>): void {
    this.selected = next;
    const arr = Uint32Array.from([...next].sort((x, y) => x - y));
    this.model.set("_selected_rows", new DataView(arr.buffer));
    sync(this.model);
    this.renderRows(false);
    this.renderStatus();
  }

  private setFocus(pos: number, open: boolean): void {
    if (this.blocks.count === 0) return;
    this.focusPos = Math.max(0, Math.min(this.blocks.count - 1, pos));
    this.viewport.scrollTo(this.focusPos, this.blocks.count);
    this.renderRows(false);
    const row = this.rowAt(this.focusPos);
    if (open && row) this.openDetail(rowId(row));
  }

  private onKey(e: KeyboardEvent): void {
    const page = this.viewport.pageRows();
    const at = this.focusPos < 0 ? -1 : this.focusPos;
    const moves: Record<string, number> = {
      ArrowDown: at + 1,
      ArrowUp: Math.max(0, at - 1),
      PageDown: at + page,
      PageUp: Math.max(0, at - page),
      Home: 0,
      End: this.blocks.count - 1,
    };
    if (e.key in moves) {
      e.preventDefault();
      this.setFocus(moves[e.key], !this.detail.hidden);
      return;
    }
    const row = this.rowAt(this.focusPos);
    if (e.key === "Enter" && row) {
      e.preventDefault();
      this.openDetail(rowId(row));
    } else if (e.key === " " && row) {
      e.preventDefault();
      const id = rowId(row);
      const next = new Set(this.selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      this.commitSelection(next);
    } else if (e.key === "Escape") {
      this.closeDetail(true);
    }
  }

  // -- detail panel --------------------------------------------------------------------
  private openDetail(row: number): void {
    this.detailRow = row;
    this.detail.hidden = false;
    if (this.model.get("focused") !== row) {
      this.model.set("focused", row);
      sync(this.model);
    }
    const head = h("div", "el-detail-head");
    const title = h("span", "el-detail-title", "Sample");
    const close = h("button", "el-detail-close", "×");
    close.setAttribute("aria-label", "Close sample details");
    close.addEventListener("click", () => this.closeDetail(true));
    head.append(title, close);
    this.detail.replaceChildren(head, h("div", "el-detail-loading", "Loading…"));
    this.query
      .detail(row)
      .then((content) => {
        if (content.row !== this.detailRow) return;
        const sample = content.sample;
        title.textContent = `Sample ${sample.id ?? ""}${sample.epoch && Number(sample.epoch) > 1 ? ` (epoch ${sample.epoch})` : ""}`;
        const view = this.model.get("_sample_score_view");
        this.detail.replaceChildren(head, renderDetail(sample, content.scores, view, this.labels));
      })
      .catch((err: Error) => {
        this.detail.replaceChildren(head, h("div", "el-detail-loading", `Could not load the sample: ${err.message}`));
      });
  }

  private closeDetail(user: boolean): void {
    this.detail.hidden = true;
    this.detailRow = -1;
    if (user && this.model.get("focused") !== -1) {
      this.model.set("focused", -1);
      sync(this.model);
    }
  }

  // -- menus ---------------------------------------------------------------------------
  private viewToggles: [keyof ViewState, HTMLInputElement][] = [];
  private columnPanel: HTMLElement | null = null;

  private buildMenus(): void {
    const viewMenu = this.menu("View", (panel) => {
      const toggles: [keyof ViewState, string][] = [
        ["multiline", "Multiline"],
        ["compact_scores", "Compact scores"],
        ["color_scales_enabled", "Score colors"],
      ];
      for (const [name, label] of toggles) {
        const row = h("label", "el-menu-item");
        const box = h("input");
        box.type = "checkbox";
        box.dataset.option = name;
        box.addEventListener("change", () => void this.changeView({ [name]: box.checked }, label.toLowerCase()));
        row.append(box, document.createTextNode(label));
        panel.append(row);
        this.viewToggles.push([name, box]);
      }
      const reset = h("button", "el-menu-button", "Reset view");
      reset.addEventListener("click", () => void this.resetView());
      panel.append(reset);
    });
    const columnMenu = this.menu("Columns", (panel) => this.fillColumnMenu(panel));
    this.columnPanel = columnMenu.querySelector<HTMLElement>(".el-menu-panel");
    this.menus.append(viewMenu, columnMenu);
  }

  private menu(label: string, fill: (panel: HTMLElement) => void): HTMLElement {
    const wrap = h("div", "el-menu");
    const button = h("button", "el-menu-toggle", label);
    button.setAttribute("aria-haspopup", "true");
    button.setAttribute("aria-expanded", "false");
    const panel = h("div", "el-menu-panel");
    panel.hidden = true;
    panel.dataset.menu = label.toLowerCase();
    fill(panel);
    button.addEventListener("click", () => {
      const open = panel.hidden;
      for (const other of this.menus.querySelectorAll<HTMLElement>(".el-menu-panel")) other.hidden = true;
      for (const b of this.menus.querySelectorAll(".el-menu-toggle")) b.setAttribute("aria-expanded", "false");
      if (open && label === "Columns") fill(panel);
      panel.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
    });
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        panel.hidden = true;
        button.focus();
      }
    });
    wrap.append(button, panel);
    return wrap;
  }

  private fillColumnMenu(panel: HTMLElement): void {
    panel.replaceChildren();
    const state: ColumnState[] = this.model.get("columns") ?? [];
    state.forEach((c, i) => {
      const def = this.columns.defs.get(c.id);
      if (!def) return;
      const row = h("div", "el-menu-item el-column-item");
      row.dataset.column = c.id;
      const box = h("input");
      box.type = "checkbox";
      box.checked = c.visible;
      box.setAttribute("aria-label", `Show ${this.columns.labelOf(def) || def.id}`);
      box.addEventListener("change", () => {
        const next = this.current("columns").map((x) => (x.id === c.id ? { id: x.id, visible: box.checked } : x));
        const action = box.checked ? "showing a column" : "hiding a column";
        void this.changeView({ columns: next }, action).then((ok) => {
          if (!ok) box.checked = !box.checked;
        });
      });
      const name = h("span", "el-column-name", this.columns.labelOf(def) || def.id);
      const up = h("button", "el-move", "↑");
      up.setAttribute("aria-label", `Move ${def.id} up`);
      up.disabled = i === 0;
      up.addEventListener("click", () => this.shiftColumn(c.id, -1));
      const down = h("button", "el-move", "↓");
      down.setAttribute("aria-label", `Move ${def.id} down`);
      down.disabled = i === state.length - 1;
      down.addEventListener("click", () => this.shiftColumn(c.id, 1));
      row.append(box, name, up, down);
      panel.append(row);
    });
    const reset = h("button", "el-menu-button", "Reset columns");
    reset.addEventListener("click", () => {
      const def = this.model.get("_default_view");
      void this.changeView({ columns: def.columns }, "resetting the columns");
    });
    panel.append(reset);
  }

  private shiftColumn(id: string, delta: number): void {
    const cols = this.current("columns").slice();
    const i = cols.findIndex((c) => c.id === id);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= cols.length) return;
    [cols[i], cols[j]] = [cols[j], cols[i]];
    void this.changeView({ columns: cols }, "moving a column");
  }

  private syncMenus(): void {
    for (const [name, box] of this.viewToggles) box.checked = !!this.model.get(name);
  }

  private async resetView(): Promise<void> {
    const def: ViewEdit = this.model.get("_default_view");
    if (!(await this.changeView(def, "resetting the view"))) return;
    clearOverrides(this.key());
    this.columns.forgetWidths();
  }
}
