// Which rows are selected, and which one has the keyboard focus. A click selects a row,
// Ctrl/Cmd-click toggles one, Shift-click selects a range: a range reaching rows not loaded
// here asks the kernel for the ids in between. The selection is the model's
// `_selected_rows` (uint32 source-row ids), so Python reads, observes and sets it.
import type { AnyModel } from "@anywidget/types";
import { sync, toUint32 } from "../shared/model";
import { type BlockCache, rowId } from "./blocks";
import type { DetailPanel } from "./detail";
import type { GridQuery } from "./query";
import type { GridState } from "./types";
import type { Viewport } from "./viewport";

/** The keys that change what a click does. */
export type Modifiers = Pick<MouseEvent, "shiftKey" | "ctrlKey" | "metaKey">;

export class Selection {
  /** Selected source-row ids. */
  ids = new Set<number>();
  /** View position of the last plain or Ctrl/Cmd click: Shift-click ranges start there. */
  private anchor = -1;

  /** `changed` runs after each change made here; `refused` when a range could not be had. */
  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly query: GridQuery,
    private readonly blocks: BlockCache,
    private readonly changed: () => void,
    private readonly refused: (action: string, err: unknown) => void,
  ) {
    this.read();
  }

  /** Take the selection from the model (Python may have set it). */
  read(): void {
    this.ids = new Set(toUint32(this.model.get("_selected_rows")));
  }

  /** A click on the row with id `row` at view position `pos`. */
  click(pos: number, row: number, keys: Modifiers): void {
    if (keys.shiftKey && this.anchor >= 0) {
      void this.selectRange(this.anchor, pos, keys.ctrlKey || keys.metaKey);
    } else if (keys.ctrlKey || keys.metaKey) {
      this.anchor = pos;
      this.toggle(row);
    } else {
      this.anchor = pos;
      this.commit(new Set([row]));
    }
  }

  toggle(row: number): void {
    const next = new Set(this.ids);
    if (next.has(row)) next.delete(row);
    else next.add(row);
    this.commit(next);
  }

  /** Select view positions a..b (in either order); `keep` adds them to the selection. */
  async selectRange(a: number, b: number, keep: boolean): Promise<void> {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    let ids: Iterable<number> | null = this.loadedIds(lo, hi);
    if (!ids) {
      try {
        ids = await this.query.rowsBetween(lo, hi + 1);
      } catch (err) {
        this.refused("selecting rows not loaded yet", err);
        return;
      }
    }
    const next = keep ? new Set(this.ids) : new Set<number>();
    for (const id of ids) next.add(id);
    this.commit(next);
  }

  /** The ids at view positions lo..hi, or null unless every one of those rows is loaded. */
  private loadedIds(lo: number, hi: number): number[] | null {
    const ids: number[] = [];
    for (let pos = lo; pos <= hi; pos++) {
      const row = this.blocks.rowAt(pos);
      if (!row) return null;
      ids.push(rowId(row));
    }
    return ids;
  }

  private commit(next: Set<number>): void {
    this.ids = next;
    const sorted = Uint32Array.from([...next].sort((x, y) => x - y));
    this.model.set("_selected_rows", new DataView(sorted.buffer));
    sync(this.model);
    this.changed();
  }
}

/** The keyboard's row: arrows, Page Up/Down, Home and End move it (opening each sample
 * while the detail panel is open); Enter opens its sample, Space toggles its selection,
 * Escape closes the panel. */
export class KeyboardFocus {
  /** View position of the focused row (-1: none yet). */
  pos = -1;

  /** `render` repaints the rows (the focus shows on them). */
  constructor(
    private readonly blocks: BlockCache,
    private readonly viewport: Viewport,
    private readonly selection: Selection,
    private readonly detail: DetailPanel,
    private readonly render: () => void,
  ) {}

  /** Focus view position `pos` (within the view) and scroll to it; `open` shows its sample. */
  set(pos: number, open: boolean): void {
    const count = this.blocks.count;
    if (count === 0) return;
    this.pos = Math.max(0, Math.min(count - 1, pos));
    this.viewport.scrollTo(this.pos, count);
    this.render();
    const row = this.blocks.rowAt(this.pos);
    if (open && row) this.detail.open(rowId(row));
  }

  /** The view now has `count` rows: a focus past them moves to the last. */
  clamp(count: number): void {
    if (this.pos >= count) this.pos = count - 1;
  }

  key(e: KeyboardEvent): void {
    const page = this.viewport.pageRows();
    const at = this.pos;
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
      this.set(moves[e.key], this.detail.isOpen);
      return;
    }
    const row = this.blocks.rowAt(this.pos);
    if (e.key === "Enter" && row) {
      e.preventDefault();
      this.detail.open(rowId(row));
    } else if (e.key === " " && row) {
      e.preventDefault();
      this.selection.toggle(rowId(row));
    } else if (e.key === "Escape") {
      this.detail.close(true);
    }
  }
}
