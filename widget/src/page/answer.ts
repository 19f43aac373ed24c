// The grid's kernel, in a saved page: rows, sorts, searches, heatmap filters and a sample's
// details, answered from what `evallens.page.grid` computed by the kernel's own rules.
// No order rule is re-derived here: a sort compares the kernel's ranks (0: missing, last
// either way), column after column, ties in frame order, as the kernel's stable sorts
// leave them; the default order is the kernel's permutation; search matches the text the
// kernel searches, literally and case-sensitively, after Python's `str.strip()`.

import type { ColumnState, DetailReply, DetailScore, SortEntry } from "../grid/types";
import type { CellRef } from "../heatmap/types";
import type { Row } from "../shared/arrow";

/** Typed arrays of unsigned integers, whichever width they were stored in. */
export type Uints = Uint8Array | Uint16Array | Uint32Array;

/** A heatmap in the page that filters the grid: each held row's cell code + 1 (0: none). */
export interface LiveLink {
  source: string;
  tasks: string[];
  models: string[];
  codes: Uints;
}

/** Text held in full beyond the wire's preview, by row place. */
export interface LongTexts {
  rows: number[];
  texts: string[];
  /** Characters cut beyond what the page holds (0: none). */
  more: number[];
}

export interface ScoreSpec {
  name: string;
  scorer: string;
  column: string;
  type: string;
}

export interface GridFacts {
  /** Held rows in frame order, as the kernel's windows carry them (all columns). */
  rows: Row[];
  /** The kernel's default order, as places in `rows`. */
  defaultOrder: Uints;
  /** Each sortable field's rank per held row (0: missing). */
  ranks: Map<string, Uints>;
  /** Fields the kernel cannot sort by, with its error. */
  unsortable: Record<string, string>;
  /** Column id → field, from the grid's column definitions. */
  fieldOf: Map<string, string>;
  long: Record<string, LongTexts>;
  /** Fields whose detail value is JSON (nested, dates...) as the kernel's reply has it, or
   * its JSON text cut when huge. */
  json: Record<string, ({ value: unknown } | { cut: string; more: number })[]>;
  /** The fields the detail panel shows. */
  detailFields: string[];
  search: { fields: string[]; texts: Record<string, (string | null)[]>; error: string | null };
  scores: ScoreSpec[];
  links: LiveLink[];
}

/** What decides the rows on show. */
export interface ViewQuery {
  sort: SortEntry[];
  search: string;
  /** Selected cells by heatmap page id. */
  cells: Record<string, CellRef[]>;
}

/** Python's `str.strip()`: its whitespace (str.isspace), not JavaScript's `trim()`'s. */
const PY_WHITESPACE = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const PY_SPACE = new RegExp(`^[${PY_WHITESPACE}]+|[${PY_WHITESPACE}]+$`, "g");

export function pyStrip(text: string): string {
  return text.replace(PY_SPACE, "");
}

export const TRUNCATED = (more: number) =>
  `\n… truncated: ${more.toLocaleString("en-US")} more characters are not in this saved page`;

/** An error the kernel would have answered with (the page shows its message). */
export class KernelError extends Error {}

export class GridAnswers {
  private readonly orders = new Map<string, Uint32Array>();
  private readonly placeOf = new Map<number, number>();
  private readonly longAt = new Map<string, Map<number, number>>();

  constructor(readonly facts: GridFacts) {
    for (let i = 0; i < facts.rows.length; i++) this.placeOf.set(Number(facts.rows[i].__row), i);
    for (const [name, long] of Object.entries(facts.long)) {
      this.longAt.set(name, new Map(long.rows.map((row, i) => [row, i])));
    }
  }

  get held(): number {
    return this.facts.rows.length;
  }

  /** The source-row id of a held row. */
  id(place: number): number {
    return Number(this.facts.rows[place].__row);
  }

  /** Places of all held rows in `sort` order (the default order when empty). */
  order(sort: SortEntry[]): Uint32Array {
    const key = JSON.stringify(sort);
    const cached = this.orders.get(key);
    if (cached) return cached;
    let out: Uint32Array;
    if (!sort.length) {
      out = Uint32Array.from(this.facts.defaultOrder);
    } else {
      const keys = sort.map((s) => {
        const field = this.field(s.column);
        const ranks = this.facts.ranks.get(field);
        if (!ranks) throw new KernelError(this.facts.unsortable[field] ?? `cannot sort by ${s.column}`);
        return { ranks, desc: s.dir === "desc" };
      });
      out = new Uint32Array(this.held);
      for (let i = 0; i < out.length; i++) out[i] = i;
      out.sort((a, b) => {
        for (const { ranks, desc } of keys) {
          const ra = ranks[a];
          const rb = ranks[b];
          if (ra === rb) continue;
          if (ra === 0) return 1;
          if (rb === 0) return -1;
          return desc ? rb - ra : ra - rb;
        }
        return a - b;
      });
    }
    if (this.orders.size >= 8) this.orders.delete(this.orders.keys().next().value as string);
    this.orders.set(key, out);
    return out;
  }

  /** Which held rows a search keeps (null: no search). */
  searchMask(search: string): Uint8Array | null {
    const text = pyStrip(search);
    const { fields, texts, error } = this.facts.search;
    if (!text || !fields.length) return null;
    if (error) throw new KernelError(error);
    const mask = new Uint8Array(this.held);
    for (const field of fields) {
      const given = texts[field];
      for (let i = 0; i < mask.length; i++) {
        if (mask[i]) continue;
        const hay = given ? given[i] : this.searchText(field, i);
        if (hay?.includes(text)) mask[i] = 1;
      }
    }
    return mask;
  }

  /** Held rows whose searched text is longer than the page holds and did not match: the
   * kernel might have found the text in what the page lacks. */
  uncertain(search: string, mask: Uint8Array | null): number {
    if (!mask) return 0;
    const rows = new Set<number>();
    for (const field of this.facts.search.fields) {
      const long = this.facts.long[field];
      if (!long) continue;
      long.rows.forEach((row, i) => {
        if (long.more[i] > 0 && !mask[row]) rows.add(row);
      });
    }
    return pyStrip(search) ? rows.size : 0;
  }

  /** Places of the rows on show, in order. */
  view(query: ViewQuery): Uint32Array {
    const order = this.order(query.sort);
    const masks: ArrayLike<number>[] = [];
    const search = this.searchMask(query.search);
    if (search) masks.push(search);
    for (const link of this.facts.links) {
      const cells = query.cells[link.source] ?? [];
      if (!cells.length) continue;
      const wanted = new Set(codesOf(cells, link.tasks, link.models).map((c) => c + 1));
      const mask = new Uint8Array(this.held);
      for (let i = 0; i < mask.length; i++) mask[i] = wanted.has(link.codes[i]) ? 1 : 0;
      masks.push(mask);
    }
    if (!masks.length) return order;
    return order.filter((place) => masks.every((m) => m[place] === 1));
  }

  /** Source-row ids of the rows on show (what the kernel's `visible_rows` lists). */
  ids(query: ViewQuery): number[] {
    return Array.from(this.view(query), (p) => this.id(p));
  }

  /** Held rows at view positions [offset, offset + limit). */
  window(view: Uint32Array, offset: number, limit: number): Row[] {
    const start = Math.max(0, Math.min(offset, view.length));
    return Array.from(view.subarray(start, start + Math.max(0, limit)), (p) => this.facts.rows[p]);
  }

  /** The source row `step` places from `row` in `view` (-1: none), as the kernel says. */
  neighbour(view: Uint32Array, row: number, step: number): number {
    const place = this.placeOf.get(row);
    const at = place === undefined ? -1 : view.indexOf(place);
    if (at < 0) return step > 0 && view.length ? this.id(view[0]) : -1;
    const next = at + step;
    return next >= 0 && next < view.length ? this.id(view[next]) : -1;
  }

  /** One sample for the detail panel: the kernel's reply without the whole transcript. */
  detail(row: number): DetailReply {
    const place = this.placeOf.get(row);
    if (place === undefined) throw new KernelError(`sample row ${row} is not in this saved page`);
    const sample: Record<string, unknown> = {};
    for (const field of this.facts.detailFields) sample[field] = this.detailValue(field, place);
    const scores: DetailScore[] = this.facts.scores.map((s) => ({ ...s, value: this.detailValue(s.column, place) }));
    return { row, sample, scores };
  }

  /** The column id a sort entry names (view ids; frame columns as the kernel accepts). */
  field(column: string): string {
    const field = this.facts.fieldOf.get(column);
    if (field !== undefined) return field;
    for (const f of this.facts.fieldOf.values()) if (f === column) return f;
    throw new KernelError(`no column ${column}`);
  }

  private searchText(field: string, place: number): string | null {
    const long = this.longAt.get(field)?.get(place);
    if (long !== undefined) return this.facts.long[field].texts[long];
    const v = this.facts.rows[place][field];
    return v === null || v === undefined ? null : String(v);
  }

  private detailValue(field: string, place: number): unknown {
    const json = this.facts.json[field];
    if (json) {
      const v = json[place];
      return "cut" in v ? v.cut + TRUNCATED(v.more) : v.value;
    }
    const long = this.longAt.get(field)?.get(place);
    if (long !== undefined) {
      const { texts, more } = this.facts.long[field];
      return more[long] > 0 ? texts[long] + TRUNCATED(more[long]) : texts[long];
    }
    const v = this.facts.rows[place][field];
    // The kernel's reply writes integers beyond 2**53 as their digits (json_safe).
    return typeof v === "bigint" ? String(v) : (v ?? null);
  }
}

/** Codes of selected cells (`evallens.heatmap.selection.selection_codes`). */
export function codesOf(cells: CellRef[], tasks: string[], models: string[]): number[] {
  const t = new Map(tasks.map((name, i) => [name, i]));
  const m = new Map(models.map((name, i) => [name, i]));
  const out: number[] = [];
  for (const cell of cells) {
    const ti = t.get(cell.task);
    const mi = m.get(cell.model);
    if (ti !== undefined && mi !== undefined) out.push(ti * models.length + mi);
  }
  return out;
}

/** `check_columns`: entries in order, each once; columns left out follow, hidden. */
export function checkColumns(value: ColumnState[], all: string[]): ColumnState[] {
  const seen = new Set<string>();
  const out: ColumnState[] = [];
  for (const c of value) {
    if (!all.includes(c.id)) throw new KernelError(`no column ${c.id}`);
    if (seen.has(c.id)) continue;
    seen.add(c.id);
    out.push({ id: c.id, visible: c.visible !== false });
  }
  for (const id of all) if (!seen.has(id)) out.push({ id, visible: false });
  return out;
}
