// SampleGrid's front end: a virtualized list of rows fetched from the kernel in blocks.
// Each on-screen part has one job, and every question to the kernel goes through one query
// layer (query.ts); this class builds the parts, lays them out and passes changes on.
import type { AnyModel } from "@anywidget/types";
import { decodeRows, type Row } from "../shared/arrow";
import { h } from "../shared/model";
import { NoAnswer } from "../shared/rpc";
import { type Theme, watchTheme } from "../shared/theme";
import { Trace } from "../shared/trace";
import { BLOCK, BlockCache } from "./blocks";
import { Columns } from "./columns";
import { DetailPanel } from "./detail";
import { DownloadButton } from "./download";
import { ViewEditor } from "./editor";
import { moveColumn, same } from "./edits";
import { FilterBox } from "./filter";
import { HeaderView } from "./header";
import { histogramStrip } from "./histograms";
import { Menus } from "./menus";
import { Notice } from "./notice";
import { GridQuery } from "./query";
import { RowsView } from "./rows";
import { SearchBox } from "./search";
import { KeyboardFocus, Selection } from "./selection";
import { nextSort } from "./sort";
import { StatusLine } from "./status";
import { ViewSwitcher } from "./switcher";
import type { GridState, RangeSpec, Refresh, SortEntry } from "./types";
import { Viewport } from "./viewport";

/** A pressed header's sort on its way: the revision it previews, its rows once back, and
 * whether the click came (the rows then show as soon as they are here). */
interface Preview {
  sort: SortEntry[];
  revision: number;
  answer: { view: Refresh; rows: Row[] } | null;
  clicked: boolean;
  undo: (() => boolean) | null;
}

export class GridView {
  readonly root = h("div", "evallens el-grid");
  private readonly query: GridQuery;
  /** Where a view edit's time goes (read by bench/bench_grid.py). */
  private readonly trace = new Trace(this.root);
  private readonly notice = new Notice();
  private readonly status = new StatusLine();
  private readonly blocks: BlockCache;
  private readonly columns: Columns;
  private readonly header: HeaderView;
  private readonly viewport: Viewport;
  private readonly rows: RowsView;
  private readonly editor: ViewEditor;
  private readonly selection: Selection;
  private readonly detail: DetailPanel;
  private readonly focus: KeyboardFocus;
  private readonly search: SearchBox;
  private readonly filter: FilterBox;
  private readonly menus: Menus;
  private readonly switcher: ViewSwitcher;
  private theme: Theme = "light";
  /** The sort of the header pressed last, and the rows the kernel says it gives. */
  private preview: Preview | null = null;
  private frame = 0;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly model: AnyModel<GridState>,
    el: HTMLElement,
  ) {
    this.query = new GridQuery(model, () => this.notice.hide(), this.trace);
    // The kernel keeps _initial in step with the sort, search and columns, so the saved
    // state's sort is the one these rows have.
    const first = decodeRows(model.get("_initial"));
    this.blocks = new BlockCache(model.get("_revision"), model.get("_count"), model.get("sort"), first);
    this.columns = new Columns(model, this.root);
    this.editor = new ViewEditor(model, this.query, this.blocks, this.columns, this.notice);
    this.header = new HeaderView(this.columns, {
      pressed: (column, additive, at) => {
        this.trace.start("pointerdown", at);
        this.previewSort(nextSort(this.editor.current("sort"), column, additive));
      },
      sort: (column, additive) => {
        this.trace.next("click", "pointerdown");
        const sort = nextSort(this.editor.current("sort"), column, additive);
        const sorted = this.editor.change({ sort }, "sorting"); // sent before the preview shows
        const preview = this.clickPreview(sort);
        if (preview) void sorted.then((ok) => ok || this.dropPreview(preview));
      },
      move: (id, before) => {
        const columns = moveColumn(this.editor.current("columns"), id, before);
        if (columns) void this.editor.change({ columns }, "moving a column");
      },
      below: (def, label) => {
        if (!this.model.get("histograms")) return null;
        const hist = this.model.get("_histograms").find((x) => x.id === def.id);
        if (!hist) return null;
        const range = this.model.get("ranges")[def.id];
        return histogramStrip(hist, range, label, { set: (id, r) => this.setRange(id, r) }, def.format);
      },
    });
    this.viewport = new Viewport(model, this.header.el);
    this.rows = new RowsView(this.viewport.layer, this.blocks, (pos, row, e) => this.onRowClick(pos, row, e));
    const repaint = () => this.renderRows(false);
    const refuse = (action: string, err: unknown) => this.notice.refuse(action, err);
    const selected = () => {
      repaint();
      this.renderStatus();
    };
    this.selection = new Selection(model, this.query, this.blocks, selected, refuse);
    this.detail = new DetailPanel(model, this.query);
    this.focus = new KeyboardFocus(this.blocks, this.viewport, this.selection, this.detail, repaint);
    this.search = new SearchBox(model, this.editor, this.query);
    this.filter = new FilterBox(model, this.query);
    this.switcher = new ViewSwitcher(model, this.editor);
    this.menus = new Menus(model, this.columns, this.editor, async (column) => {
      try {
        await this.query.breakOut(column);
      } catch (err) {
        this.notice.refuse("breaking out a column", err);
      }
    });
    this.menus.el.append(new DownloadButton(this.query, this.notice).el);
    this.menus.el.prepend(this.switcher.el);

    this.root.tabIndex = -1;
    const toolbar = h("div", "el-toolbar");
    toolbar.append(this.search.el, this.filter.el, this.status.el, this.menus.el);
    this.viewport.scroller.append(this.status.empty);
    const main = h("div", "el-main");
    main.append(this.viewport.scroller, this.detail.el);
    this.root.append(toolbar, this.notice.el, main);
    el.append(this.root);

    void this.query.kernel.answers(); // learn early whether a click can be served
    // The histograms come after the first rows: counted once the grid shows.
    if (model.get("histograms")) void this.query.histograms().catch(() => undefined);
    this.columns.loadWidths();
    this.editor.applySaved();
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

  private bind(): void {
    const m = this.model;
    m.on("change:columns", () => {
      this.layout();
      this.menus.columnsChanged();
    });
    m.on("change:_column_defs", () => {
      this.columns.read();
      this.layout();
    });
    for (const name of ["multiline", "compact_scores"]) {
      m.on(`change:${name}`, () => {
        this.menus.sync();
        this.layout();
      });
    }
    m.on("change:color_scales_enabled", () => {
      this.menus.sync();
      this.renderRows(true);
    });
    m.on("change:score_color_scales", () => this.renderRows(true));
    for (const name of ["group_epochs", "epochs_disagree"]) m.on(`change:${name}`, () => this.menus.sync());
    m.on("change:score_labels", () => this.layout());
    m.on("change:_histograms", () => this.renderHeader());
    m.on("change:ranges", () => this.renderHeader());
    m.on("change:histograms", () => {
      this.menus.sync();
      this.layout();
      if (m.get("histograms")) void this.query.histograms().catch(() => undefined);
    });
    m.on("change:search", () => this.search.follow());
    m.on("change:view_name", () => this.switcher.follow());
    m.on("change:_storage_key", () => {
      // Another eval view: its own dragged widths and, the first time, its saved view.
      this.columns.loadWidths();
      this.layout();
      this.editor.applySaved();
    });
    m.on("change:_filter_text", () => this.filter.follow());
    m.on("change:_filter_from_python", () => this.filter.follow());
    m.on("change:transcript_search", () => {
      this.search.follow();
      this.layout(); // the Hits column comes or goes
    });
    m.on("change:_transcript_info", () => this.search.follow());
    m.on("change:_selected_rows", () => {
      this.selection.read();
      this.renderRows(true);
      this.renderStatus();
    });
    m.on("change:height", () => this.layout());
    m.on("change:focused", () => this.detail.follow());
    this.query.onRefresh((refresh, rows) => this.onRefresh(refresh, rows));
    this.query.onResetView(() => {
      this.editor.forgetSaved();
      this.columns.forgetWidths();
    });

    const scroller = this.viewport.scroller;
    scroller.addEventListener("scroll", () => this.schedule());
    scroller.addEventListener("keydown", (e) => this.detail.key(e) || this.focus.key(e));
    const ro = new ResizeObserver(() => this.schedule());
    ro.observe(scroller);
    this.stops.push(() => ro.disconnect());
  }

  /** A header is pressed: ask the kernel what its sort would show, so that when the click
   * comes (a press lasts a tenth of a second) the rows are here or on their way. Only on
   * rows the kernel made and no edit in flight: the preview is of the rows on hand. */
  private previewSort(sort: SortEntry[]): void {
    this.preview = null;
    const onHand = this.blocks.revision;
    if (!Number.isInteger(onHand) || this.editor.pending() || this.query.kernel.live !== true) return;
    if (same(sort, this.blocks.sort)) return;
    const preview: Preview = { sort, revision: onHand, answer: null, clicked: false, undo: null };
    this.preview = preview;
    void this.query.previewSort(sort).then((answer) => {
      if (this.preview !== preview || !answer) return;
      preview.answer = answer;
      if (preview.clicked) this.applyPreview(preview);
    });
  }

  /** The click on a pressed header: its rows show now if the kernel sent them already,
   * else as soon as they come (before the refresh that makes the sort, which follows).
   * The preview, or null when there is none for this sort. */
  private clickPreview(sort: SortEntry[]): Preview | null {
    const preview = this.preview;
    if (!preview || !same(preview.sort, sort) || preview.revision !== this.blocks.revision) {
      this.preview = null;
      return null;
    }
    preview.clicked = true;
    if (preview.answer) this.applyPreview(preview);
    return preview;
  }

  private applyPreview(preview: Preview): void {
    this.preview = null;
    if (!preview.answer) return;
    preview.undo = this.blocks.preview(preview.answer.view, preview.answer.rows);
    if (!preview.undo) return;
    this.redraw();
    this.trace.awaitConfirm();
  }

  /** The kernel refused the sort (or never heard of it): back to the rows it has. */
  private dropPreview(preview: Preview): void {
    if (this.preview === preview) this.preview = null;
    this.trace.awaitConfirm(false);
    if (preview.undo?.()) this.redraw();
  }

  /** The kernel's new view: rows, count and sort change together. */
  private onRefresh(refresh: Refresh, rows: Row[]): void {
    if (!this.blocks.replace(refresh, rows)) return;
    this.redraw();
  }

  /** Everything the rows on hand show: arrows, rows, count. */
  private redraw(): void {
    this.focus.clamp(this.blocks.count);
    this.header.showSort(this.blocks.sort); // the arrows change together with the rows they describe
    this.viewport.size(this.blocks.count);
    this.renderRows(true);
    this.renderStatus();
    this.trace.drawn();
  }

  private onRowClick(pos: number, row: number, e: MouseEvent): void {
    this.selection.click(pos, row, e);
    this.focus.set(pos, true);
    this.viewport.scroller.focus({ preventScroll: true });
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
    this.renderRows(true);
    this.renderStatus();
    this.menus.sync();
  }

  /** A range brushed or cleared on a header histogram: the kernel filters and recounts. */
  private setRange(id: string, range: RangeSpec | null): void {
    const ranges = { ...this.editor.current("ranges") };
    if (range) ranges[id] = range;
    else delete ranges[id];
    void this.editor.change({ ranges }, "filtering by a range");
  }

  private renderHeader(): void {
    this.header.render(this.blocks.sort);
  }

  private renderRows(force: boolean): void {
    const frame = this.viewport.frame(this.blocks.count);
    this.requestMissing(frame.first, frame.last); // ask the kernel first: the round trip overlaps painting
    const look = {
      columns: this.columns.shown,
      scales: this.model.get("score_color_scales"),
      colours: this.model.get("color_scales_enabled"),
      theme: this.theme,
      selected: this.selection.ids,
      focus: this.focus.pos,
    };
    this.rows.render(frame, look, force);
  }

  private requestMissing(first: number, last: number): void {
    const missing = this.blocks.missing(first, last);
    if (!missing.length) return;
    const kernel = this.query.kernel;
    if (kernel.live === false) {
      // It did not answer last time: ask once more (a ping) rather than queue requests.
      void kernel.answers().then((ok) => (ok ? this.renderRows(false) : this.notice.offline()));
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
          if (err instanceof NoAnswer) this.notice.offline();
        });
    }
  }

  private renderStatus(): void {
    this.root.dataset.count = String(this.blocks.count);
    this.status.show(
      this.blocks.count,
      this.model.get("_total"),
      this.selection.ids.size,
      this.model.get("_unit") || "samples",
    );
  }
}
