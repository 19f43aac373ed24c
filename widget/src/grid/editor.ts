// Applying the user's changes to the view. Those that change the rows (a sort, a search, a
// column the loaded rows lack: edits.ts says which) go to the kernel, which sets the traits
// and sends the rows in one round trip, so the screen changes only with them and an edit no
// kernel receives changes nothing, here or in the notebook's saved state. The rest apply at
// once, kernel or not. What the user chose is remembered in this browser, per task.
import type { AnyModel } from "@anywidget/types";
import { sync } from "../shared/model";
import type { BlockCache } from "./blocks";
import type { Columns } from "./columns";
import { needsKernel, same } from "./edits";
import type { Notice } from "./notice";
import type { GridQuery } from "./query";
import { clearOverrides, loadOverrides, saveOverride } from "./storage";
import { type GridState, VIEW_KEYS, type ViewEdit } from "./types";

export class ViewEditor {
  /** Edits sent to the kernel and not answered yet: the next click builds on them. */
  private inFlight: ViewEdit = {};
  /** Storage keys (one per eval view) whose saved view was applied. Once a view has shown,
   * the kernel keeps it as it was left, changes from Python included. */
  private readonly applied = new Set<string>();

  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly query: GridQuery,
    private readonly blocks: BlockCache,
    private readonly columns: Columns,
    private readonly notice: Notice,
  ) {}

  /** Whether an edit is on its way to the kernel. */
  pending(): boolean {
    return Object.keys(this.inFlight).length > 0;
  }

  /** The value a new edit builds on: what is in flight to the kernel, else what shows. */
  current<K extends keyof ViewEdit>(name: K): NonNullable<ViewEdit[K]> {
    const pending = this.inFlight[name];
    if (pending !== undefined) return pending as NonNullable<ViewEdit[K]>;
    if (name === "sort") return this.blocks.sort as NonNullable<ViewEdit[K]>;
    return this.model.get(name) as NonNullable<ViewEdit[K]>;
  }

  /** Apply a view edit; resolves whether it was applied. `action` names the user's action
   * for the notice when it cannot be done, and the edit is remembered in this browser;
   * null: an attempt the user did not make (no notice, nothing remembered). */
  async change(edit: ViewEdit, action: string | null): Promise<boolean> {
    const rows = {
      sort: this.current("sort"),
      search: this.current("search"),
      fields: this.blocks.fields(),
      defs: this.columns.defs,
    };
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
      if (action) this.notice.refuse(action, err);
      return false;
    } finally {
      for (const name of Object.keys(edit) as (keyof ViewEdit)[]) {
        if (this.inFlight[name] === edit[name]) delete this.inFlight[name];
      }
    }
    this.notice.hide();
    if (action) this.remember(edit);
    return true;
  }

  /** User > eval default > built-in: overrides saved in this browser win, if still valid.
   * Pure view settings apply at once; a saved sort or columns go through the kernel like a
   * click, so without one the rows saved with the notebook keep the sort they have. Each
   * eval view has its own saved view, applied the first time that view shows. */
  applySaved(): void {
    if (this.applied.has(this.key())) return;
    this.applied.add(this.key());
    const saved = loadOverrides(this.key());
    const defs = this.columns.defs;
    const edit: ViewEdit = {};
    const cols = saved.columns?.filter((c) => defs.has(c.id));
    if (cols?.length && !same(cols, this.model.get("columns"))) edit.columns = cols;
    const sort = saved.sort?.filter((s) => defs.has(s.column));
    if (sort && !same(sort, this.blocks.sort)) edit.sort = sort;
    for (const k of ["multiline", "compact_scores", "color_scales_enabled"] as const) {
      const value = saved[k];
      if (typeof value === "boolean" && value !== this.model.get(k)) {
        this.model.set(k, value);
        sync(this.model);
      }
    }
    if (Object.keys(edit).length) void this.change(edit, null);
  }

  /** Forget the view saved in this browser (column widths included). */
  forgetSaved(): void {
    clearOverrides(this.key());
  }

  /** Keep the user's view choices in this browser (per task), as Inspect's viewer does not. */
  private remember(edit: ViewEdit): void {
    for (const name of VIEW_KEYS) if (edit[name] !== undefined) saveOverride(this.key(), name, edit[name]);
  }

  private key(): string {
    return this.model.get("_storage_key");
  }
}
