// A grid's messages in a saved page, answered as SampleGrid's kernel side answers them
// (evallens/grid/widget.py): the same replies, the same `refresh` after a view edit or a
// heatmap click, the same errors. Rows go back already decoded (`handRows`).

import type { GridState, SortEntry, ViewEdit } from "../grid/types";
import type { CellRef } from "../heatmap/types";
import { handRows } from "../shared/arrow";
import { checkColumns, type GridAnswers, KernelError, type ViewQuery } from "./answer";
import type { PageModel, Reply } from "./model";

/** Rows per block (SampleGrid's FIRST_WINDOW) and the most a window may ask for. */
const BLOCK = 100;
const MOST = 2000;
/** Traits the grid asks the kernel to set (SampleGrid's VIEW_TRAITS). */
const VIEW_TRAITS = new Set([
  "columns",
  "sort",
  "search",
  "multiline",
  "compact_scores",
  "color_scales_enabled",
  "score_labels",
  "score_color_scales",
]);
/** Edits that change the rows (SampleGrid observes these and refreshes). */
const ROW_TRAITS = ["sort", "columns", "search"] as const;

function uint32(ids: number[]): DataView {
  return new DataView(Uint32Array.from(ids).buffer);
}

export class GridServer {
  private viewport = 0;
  private readonly cells: Record<string, CellRef[]> = {};
  private cached: { key: string; view: Uint32Array } | null = null;
  /** Called after each change of the rows on show, with the answers (the page's notes). */
  onChange: (() => void) | null = null;

  constructor(
    private readonly model: PageModel<GridState>,
    readonly answers: GridAnswers,
  ) {
    model.answerer = (content, reply) => this.answer(content, reply);
  }

  /** What decides the rows now. */
  query(): ViewQuery {
    return { sort: this.model.get("sort"), search: this.model.get("search"), cells: this.cells };
  }

  /** A linked heatmap's selection changed (`set_link_filter`): new rows follow, unless
   * `refresh` is false (the selection the page was saved with, which its rows reflect). */
  follow(source: string, cells: CellRef[], refresh = true): void {
    this.cells[source] = cells;
    if (refresh) this.refresh();
  }

  private view(): Uint32Array {
    const query = this.query();
    const key = JSON.stringify(query);
    if (this.cached?.key !== key) this.cached = { key, view: this.answers.view(query) };
    return this.cached.view;
  }

  private answer(content: Record<string, unknown>, reply: Reply): void {
    const type = String(content.type);
    const id = content.id;
    const send = (body: object, buffers: DataView[] = []) => reply({ type, id, ...body }, buffers);
    try {
      switch (type) {
        case "ping":
          send({});
          break;
        case "window": {
          const offset = Number(content.offset ?? 0);
          const limit = Math.min(Number(content.limit ?? BLOCK), MOST);
          this.viewport = Number(content.viewport ?? offset);
          const view = this.view();
          const rows = this.answers.window(view, offset, limit);
          send({ revision: this.model.get("_revision"), offset, count: view.length }, [handRows(rows)]);
          break;
        }
        case "rows_between": {
          const start = Number(content.start);
          const end = Number(content.end);
          const places = this.view().subarray(start, Math.max(start, end));
          send({}, [uint32(Array.from(places, (p) => this.answers.id(p)))]);
          break;
        }
        case "neighbour":
          send({ row: this.answers.neighbour(this.view(), Number(content.row), Number(content.step)) });
          break;
        case "detail":
          send({ ...this.answers.detail(Number(content.row)) });
          break;
        case "set_view":
          this.setView((content.view ?? {}) as ViewEdit);
          send({});
          break;
        case "sample_messages":
          throw new KernelError("a sample's messages are not in this saved page");
        case "download_csv":
          throw new KernelError("a saved page cannot write CSV: grid.export() in the notebook does");
        case "filter_names":
          send({ names: [] });
          break;
        case "set_filter":
          throw new KernelError("a saved page keeps the filter it was saved with: filtering needs the notebook");
        case "histograms":
          send({}); // the page shows the histograms saved with it, if any
          break;
        case "break_out":
          throw new KernelError("breaking out a column needs the notebook's kernel");
        default:
          break; // the kernel ignores what it has no handler for
      }
    } catch (err) {
      reply({ type: "error", id, message: err instanceof Error ? err.message : String(err) });
    }
  }

  /** ViewEdits.apply: every trait or none, then one refresh if the rows changed. */
  private setView(edit: ViewEdit): void {
    const m = this.model;
    const next: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(edit)) {
      if (name === "ranges" || name === "histograms") {
        throw new KernelError("a saved page shows the histograms as saved: brushing needs the notebook");
      }
      if (name === "transcript_search") {
        throw new KernelError("searching transcripts needs the notebook's kernel: messages are not in a saved page");
      }
      if (!VIEW_TRAITS.has(name)) throw new KernelError(`unknown view field ${name}`);
      next[name] = value;
    }
    if (edit.sort) next.sort = edit.sort.map((s): SortEntry => this.checkSort(s));
    if (edit.columns) next.columns = checkColumns(edit.columns, [...this.answers.facts.fieldOf.keys()]);
    const changed = ROW_TRAITS.some(
      (name) => name in next && JSON.stringify(next[name]) !== JSON.stringify(m.get(name)),
    );
    // Checked before anything is set: a sort or search the kernel would refuse changes nothing.
    this.answers.view({
      sort: (next.sort as SortEntry[] | undefined) ?? m.get("sort"),
      search: (next.search as string | undefined) ?? m.get("search"),
      cells: this.cells,
    });
    // The kernel sends the rows before the new traits (inside hold_sync), then answers.
    const set = () => {
      for (const [name, value] of Object.entries(next)) m.set(name as keyof GridState, value as never);
    };
    if (changed) this.refresh(next);
    set();
  }

  private checkSort(entry: SortEntry): SortEntry {
    const column = this.answers.facts.fieldOf.has(entry.column)
      ? entry.column
      : [...this.answers.facts.fieldOf].find(([, f]) => f === entry.column)?.[0];
    if (column === undefined) throw new KernelError(`no column ${entry.column}`);
    if (entry.dir !== "asc" && entry.dir !== "desc") {
      throw new KernelError(`sort direction must be 'asc' or 'desc', got ${String(entry.dir)}`);
    }
    return { column, dir: entry.dir };
  }

  /** SampleGrid._refresh: the new view's rows at the block the user is at. */
  private refresh(pending: Record<string, unknown> = {}): void {
    const m = this.model;
    const sort = (pending.sort as SortEntry[] | undefined) ?? m.get("sort");
    const search = (pending.search as string | undefined) ?? m.get("search");
    const key = JSON.stringify({ sort, search, cells: this.cells });
    const view = this.answers.view({ sort, search, cells: this.cells });
    this.cached = { key, view };
    const revision = m.get("_revision") + 1;
    const lastBlock = Math.floor(Math.max(0, view.length - 1) / BLOCK) * BLOCK;
    const offset = Math.min(Math.floor(this.viewport / BLOCK) * BLOCK, lastBlock);
    const rows = this.answers.window(view, offset, BLOCK);
    m.set("_revision", revision);
    m.set("_count", view.length);
    m.receive({ type: "refresh", revision, count: view.length, offset, sort }, [handRows(rows)]);
    this.onChange?.();
  }
}
