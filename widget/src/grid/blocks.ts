// The rows on hand: the view's revision, row count and sort, and which 100-row blocks of
// it are loaded or asked for. Answers for an older revision are dropped, and blocks far
// from where the user is are evicted, so memory stays flat however far the user scrolls.
import type { Row } from "../shared/arrow";
import type { Refresh, SortEntry } from "./types";

export const BLOCK = 100;
/** Beyond this many blocks in memory, those more than NEAR blocks from the newest go. */
const MAX_BLOCKS = 40;
const NEAR = 20;

/** The kernel's id for a row: its index in the source frame (what selections hold). */
export function rowId(row: Row): number {
  return Number(row.__row);
}

/** Where blocks come from (GridQuery.window). */
export type FetchWindow = (
  offset: number,
  limit: number,
  viewport: number,
) => Promise<{ revision: number; rows: Row[] }>;

export class BlockCache {
  private readonly blocks = new Map<number, Row[]>();
  private readonly pending = new Set<number>();

  /** `first`: the view's first rows, as the widget's state holds them. */
  constructor(
    private revisionNow: number,
    private countNow: number,
    private sortNow: SortEntry[],
    first: Row[],
  ) {
    if (first.length) this.blocks.set(0, first);
  }

  get revision(): number {
    return this.revisionNow;
  }

  get count(): number {
    return this.countNow;
  }

  /** The sort the rows on hand reflect: the header's arrows show this one, not a wish. */
  get sort(): SortEntry[] {
    return this.sortNow;
  }

  rowAt(pos: number): Row | undefined {
    return this.blocks.get(Math.floor(pos / BLOCK))?.[pos % BLOCK];
  }

  /** Fields the rows on hand carry (every block of a revision has the same), null if none. */
  fields(): Set<string> | null {
    for (const rows of this.blocks.values()) if (rows.length) return new Set(Object.keys(rows[0]));
    return null;
  }

  /** Blocks that rows first..last need and that are neither loaded nor asked for: those on
   * screen first, then one block either side as prefetch. */
  missing(first: number, last: number): number[] {
    if (this.countNow === 0) return [];
    const firstBlock = Math.floor(Math.max(0, first) / BLOCK);
    const lastBlock = Math.floor(Math.max(0, last) / BLOCK);
    const maxBlock = Math.floor((this.countNow - 1) / BLOCK);
    const wanted: number[] = [];
    for (let b = firstBlock; b <= Math.min(maxBlock, lastBlock); b++) wanted.push(b);
    if (lastBlock + 1 <= maxBlock) wanted.push(lastBlock + 1);
    if (firstBlock - 1 >= 0) wanted.push(firstBlock - 1);
    return wanted.filter((b) => !this.blocks.has(b) && !this.pending.has(b));
  }

  /** Fetch a block. Resolves true once it is on hand, false when the answer belongs to an
   * older revision (dropped); rejects as `fetch` does (NoAnswer: the kernel is silent). */
  async load(block: number, viewport: number, fetch: FetchWindow): Promise<boolean> {
    this.pending.add(block);
    const revision = this.revisionNow;
    let answer: { revision: number; rows: Row[] };
    try {
      answer = await fetch(block * BLOCK, BLOCK, viewport);
    } finally {
      this.pending.delete(block);
    }
    if (answer.revision !== this.revisionNow || revision !== this.revisionNow) return false;
    this.blocks.set(block, answer.rows);
    if (this.blocks.size > MAX_BLOCKS) {
      for (const b of this.blocks.keys()) if (Math.abs(b - block) > NEAR) this.blocks.delete(b);
    }
    return true;
  }

  /** Rows the kernel computed for a view of the rows on hand (a pressed header's sort),
   * shown before the kernel makes it: revision + 0.5, so its own refresh (revision + 1)
   * replaces them, and any answer for another revision is dropped. Returns `undo`, which
   * puts back what was on hand unless something newer came meanwhile; null (nothing
   * changed) when the preview is not of the rows on hand. */
  preview(view: Refresh, rows: Row[]): (() => boolean) | null {
    if (view.revision !== this.revisionNow) return null;
    const before = { sort: this.sortNow, count: this.countNow, blocks: new Map(this.blocks) };
    const revision = this.revisionNow + 0.5;
    this.revisionNow = revision;
    this.sortNow = view.sort;
    this.countNow = view.count;
    this.blocks.clear();
    this.pending.clear();
    if (rows.length) this.blocks.set(Math.floor(view.offset / BLOCK), rows);
    return () => {
      if (this.revisionNow !== revision) return false;
      this.revisionNow = view.revision;
      this.sortNow = before.sort;
      this.countNow = before.count;
      this.blocks.clear();
      for (const [b, r] of before.blocks) this.blocks.set(b, r);
      return true;
    };
  }

  /** A newer view from the kernel replaces everything on hand with its rows at `offset`;
   * returns false (and changes nothing) for one not newer than the rows on hand. */
  replace(refresh: Refresh, rows: Row[]): boolean {
    if (refresh.revision <= this.revisionNow) return false;
    this.revisionNow = refresh.revision;
    this.sortNow = refresh.sort;
    this.countNow = refresh.count;
    this.blocks.clear();
    this.pending.clear();
    if (rows.length) this.blocks.set(Math.floor(refresh.offset / BLOCK), rows);
    return true;
  }
}
