// Which columns show, in what order, under which labels and how wide: the model's visible
// columns among those the kernel described, and the widths the user dragged (kept per task).
import type { AnyModel } from "@anywidget/types";
import { headerLabel } from "./format";
import { loadWidths, saveWidths } from "./storage";
import type { ColumnDef, GridState } from "./types";

/** The transcript search's hit counts: a column of their own while a search is on. */
export const HITS_COLUMN: ColumnDef = { id: "__hits", field: "__hits", label: "Hits", kind: "number" };

const WIDTHS: Record<ColumnDef["kind"], string> = {
  status: "28px",
  id: "64px",
  text: "minmax(130px, 1fr)",
  number: "72px",
  duration: "76px",
  score: "84px",
  other: "120px",
  pills: "minmax(96px, auto)",
};

// The kernel says how many characters a numeric or id column's longest value takes; at the
// grid's 13px font a digit is ~7.5px wide. Beyond MAX_CHARS an id is cut (its title has it).
const CHAR_PX = 8;
const CELL_PADDING = 18;
export const MAX_CHARS = 48;
/** Narrower than this, a dragged column could not be grabbed again. */
const MIN_DRAGGED_PX = 36;

/** Input usually carries the most text: give it twice the share of the other text columns.
 * Ids and numbers widen to fit their longest value, so "225123" never shows as "225,…". */
function widthOf(def: ColumnDef, compactScores: boolean): string {
  if (def.kind === "score" && compactScores) return "44px";
  if (def.id === "input") return "minmax(200px, 2fr)";
  const base = WIDTHS[def.kind];
  if ((def.kind === "id" || def.kind === "number") && def.chars) {
    const fit = Math.min(def.chars, MAX_CHARS) * CHAR_PX + CELL_PADDING;
    if (fit > parseInt(base, 10)) return `${fit}px`;
  }
  return base;
}

export class Columns {
  /** Every column the kernel described, by id. */
  defs = new Map<string, ColumnDef>();
  /** The visible ones, in order. */
  shown: ColumnDef[] = [];
  private scoreColumns = 0;
  /** Column widths the user dragged, in px, by column id. */
  private widths: Record<string, number> = {};

  /** Widths go on `root` as CSS variables, which the header and the rows both use. */
  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly root: HTMLElement,
  ) {
    this.read();
  }

  /** Read the kernel's column descriptions (they change with the data). */
  read(): void {
    const defs = this.model.get("_column_defs");
    this.defs = new Map(defs.map((d) => [d.id, d]));
    this.scoreColumns = defs.filter((d) => d.score).length;
  }

  labelOf(def: ColumnDef): string {
    return headerLabel(def, this.model.get("score_labels"), this.scoreColumns);
  }

  /** Follow the model's columns: which show, in which order, how wide. */
  update(): void {
    this.shown = this.model.get("columns").flatMap((c) => {
      const def = this.defs.get(c.id);
      return c.visible && def ? [def] : [];
    });
    if (this.model.get("transcript_search")) this.shown.unshift(HITS_COLUMN);
    this.applyWidths();
  }

  /** The widths this browser saved for these tasks. */
  loadWidths(): void {
    this.widths = loadWidths(this.key());
  }

  /** A header's edge dragged to `px`. */
  resize(id: string, px: number): void {
    this.widths[id] = Math.max(MIN_DRAGGED_PX, Math.round(px));
    this.applyWidths();
  }

  /** Keep the dragged widths for the next visit. */
  saveWidths(): void {
    saveWidths(this.key(), this.widths);
  }

  /** Back to a column's default width, here and in what is saved. */
  resetWidth(id: string): void {
    delete this.widths[id];
    this.applyWidths();
    this.saveWidths();
  }

  /** Forget every dragged width (the saved ones are cleared with the view, see storage.ts). */
  forgetWidths(): void {
    this.widths = {};
    this.applyWidths();
  }

  /** Grid template and minimum width: header and rows resolve `fr` against the same width. */
  private applyWidths(): void {
    const compact = this.model.get("compact_scores");
    const widths = this.shown.map((d) => (this.widths[d.id] ? `${this.widths[d.id]}px` : widthOf(d, compact)));
    this.root.style.setProperty("--el-cols", widths.join(" ") || "1fr");
    const minWidth = widths.reduce((sum, w) => sum + parseInt(w.replace("minmax(", ""), 10), 0);
    this.root.style.setProperty("--el-min-width", `${minWidth}px`);
  }

  private key(): string {
    return this.model.get("_storage_key");
  }
}
