// The grid's one query layer: every question the grid asks its kernel (rows, the ids
// between two rows, a sample, a view edit) and what the kernel sends on its own, over the
// widget's typed messages; plus whether the kernel answers at all.
import type { MessagesReply } from "../sample/types";
import { decodeRows, type Row } from "../shared/arrow";
import { KernelLink } from "../shared/kernel";
import { type MessageChannel, toUint32 } from "../shared/model";
import { NoAnswer, Rpc } from "../shared/rpc";
import type { Trace } from "../shared/trace";
import type {
  DetailReply,
  FilterName,
  FilterReply,
  GridPushes,
  GridRequests,
  Refresh,
  SortEntry,
  ViewEdit,
} from "./types";

/** A preview not back by then is of no use: the click has long sent its sort. */
const PREVIEW_MS = 2000;

export class GridQuery {
  readonly kernel: KernelLink;
  private readonly rpc: Rpc<GridRequests, GridPushes>;

  /** `back` runs when the kernel is heard from again after it did not answer; `trace`
   * notes when a view edit goes out and when its rows come back. */
  constructor(
    model: MessageChannel,
    back: () => void,
    private readonly trace?: Trace,
  ) {
    this.rpc = new Rpc(model);
    this.kernel = new KernelLink(this.rpc, back);
  }

  /** Rows [offset, offset + limit) of the view, with the revision they belong to;
   * `viewport` (the first row on screen) is where the kernel sends its next refresh. */
  async window(offset: number, limit: number, viewport: number): Promise<{ revision: number; rows: Row[] }> {
    const { content, buffers } = await this.ask("window", { offset, limit, viewport });
    return { revision: content.revision, rows: decodeRows(buffers[0]) };
  }

  /** Source-row ids of view positions [start, end): a range that reaches rows not loaded. */
  async rowsBetween(start: number, end: number): Promise<Uint32Array> {
    const { buffers } = await this.ask("rows_between", { start, end });
    return toUint32(buffers[0]);
  }

  /** Ask the kernel to set view traits; it answers once they are set and the rows they
   * give are sent (a `refresh`). A kernel that did not answer last time is pinged first,
   * so a click it cannot serve fails fast. */
  async setView(view: ViewEdit): Promise<void> {
    if (!(await this.kernel.answers())) throw new NoAnswer();
    const answer = this.ask("set_view", { view });
    this.trace?.mark("sent");
    await answer;
  }

  /** The rows `sort` would show, computed by the kernel without making it (a header
   * pressed, not yet released); null when no answer came (a saved page has no kernel). */
  async previewSort(sort: SortEntry[]): Promise<{ view: Refresh; rows: Row[] } | null> {
    const answer = this.rpc.request("preview_sort", { sort }, PREVIEW_MS);
    this.trace?.mark("sent");
    try {
      const { content, buffers } = await answer;
      this.trace?.received();
      this.trace?.kernel(content.timing);
      const rows = decodeRows(buffers[0]);
      this.trace?.mark("decoded");
      return { view: content, rows };
    } catch {
      return null; // the click still sends the sort
    }
  }

  /** Filter by Inspect filter text; the kernel compiles it (the rows follow as a refresh). */
  async setFilter(text: string): Promise<FilterReply> {
    if (!(await this.kernel.answers())) throw new NoAnswer();
    return (await this.ask("set_filter", { text })).content;
  }

  /** The names filter text can use here (variables, functions, keywords). */
  async filterNames(): Promise<FilterName[]> {
    return (await this.rpc.request("filter_names", {})).content.names;
  }

  /** One sample in full, by source-row index. */
  async detail(row: number): Promise<DetailReply> {
    return (await this.rpc.request("detail", { row })).content;
  }

  /** A window of the messages of the sample open at `row` (`side` of a compared row). */
  async sampleMessages(row: number, side: number, offset: number, limit: number): Promise<MessagesReply> {
    return (await this.rpc.request("sample_messages", { row, side, offset, limit })).content;
  }

  /** The source row `step` places from `row` in the kernel's current view order (-1: none). */
  async neighbour(row: number, step: number): Promise<number> {
    return (await this.rpc.request("neighbour", { row, step })).content.row;
  }

  /** The view changed in the kernel: its revision, count and sort, and rows at `offset`. */
  onRefresh(fn: (refresh: Refresh, rows: Row[]) => void): void {
    this.rpc.listen("refresh", (content, buffers) => {
      this.trace?.received();
      this.trace?.kernel(content.timing);
      const rows = decodeRows(buffers[0]);
      this.trace?.mark("decoded");
      fn(content, rows);
    });
  }

  /** The rows in view as CSV bytes, or null with how many rows there are when they are
   * more than the browser download takes. */
  async csv(): Promise<{ rows: number; limit: number; bytes: DataView | null }> {
    const reply = await this.rpc.request("download_csv", {}, 120_000);
    return { ...reply.content, bytes: reply.buffers[0] ?? null };
  }

  /** Break a column of objects out into a column per key; the ids of the new columns. */
  async breakOut(column: string): Promise<string[]> {
    return (await this.rpc.request("break_out", { column }, 60_000)).content.added;
  }

  /** Ask the kernel to count the header histograms (the `_histograms` trait brings them). */
  async histograms(): Promise<void> {
    await this.rpc.request("histograms", {}, 30_000);
  }

  /** Python's `reset_view()`: the view this browser saved is to be forgotten. */
  onResetView(fn: () => void): void {
    this.rpc.listen("reset_view", () => fn());
  }

  dispose(): void {
    this.rpc.dispose();
  }

  /** A request whose silence means the kernel is gone or busy: until it is heard from
   * again, the grid pings before relying on it. */
  private async ask<K extends "window" | "rows_between" | "set_view" | "set_filter">(
    type: K,
    body: GridRequests[K]["body"],
  ) {
    try {
      return await this.rpc.request(type, body);
    } catch (err) {
      if (err instanceof NoAnswer) this.kernel.lost();
      throw err;
    }
  }
}
