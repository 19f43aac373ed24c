// @vitest-environment jsdom
import { tableFromArrays, tableToIPC } from "apache-arrow";
import { describe, expect, it } from "vitest";
import { BLOCK, BlockCache, type FetchWindow, rowId } from "../src/grid/blocks";
import { GridQuery } from "../src/grid/query";
import type { Row } from "../src/shared/arrow";
import { NoAnswer } from "../src/shared/rpc";
import { gridModel } from "./fake_model";

/** Block `b`'s rows; each row's id is its view position plus 10,000. */
const rowsOf = (b: number): Row[] => Array.from({ length: BLOCK }, (_, i) => ({ __row: 10_000 + b * BLOCK + i }));

/** A kernel that answers every window at once, from view revision `revision`. */
const answering =
  (revision: number): FetchWindow =>
  async (offset) => ({ revision, rows: rowsOf(offset / BLOCK) });

/** A kernel whose answers wait until the test gives them. */
function holding() {
  const asked: { offset: number; viewport: number; answer: (revision: number) => void; fail: (e: Error) => void }[] =
    [];
  const fetch: FetchWindow = (offset, _limit, viewport) =>
    new Promise((resolve, reject) =>
      asked.push({
        offset,
        viewport,
        answer: (revision) => resolve({ revision, rows: rowsOf(offset / BLOCK) }),
        fail: reject,
      }),
    );
  return { asked, fetch };
}

/** The blocks among 0..last that are on hand. */
function onHand(cache: BlockCache, last: number): number[] {
  const out: number[] = [];
  for (let b = 0; b <= last; b++) if (cache.rowAt(b * BLOCK)) out.push(b);
  return out;
}

describe("BlockCache", () => {
  it("asks for the blocks on screen first, then one block either side, and none twice", () => {
    const cache = new BlockCache(1, 10_000, [], rowsOf(0));
    expect(cache.missing(0, 150)).toEqual([1, 2]);
    expect(cache.missing(520, 730)).toEqual([5, 6, 7, 8, 4]);
    const { asked, fetch } = holding();
    void cache.load(5, 500, fetch);
    expect(asked).toMatchObject([{ offset: 500, viewport: 500 }]);
    expect(cache.missing(520, 730)).toEqual([6, 7, 8, 4]);
  });

  it("stays inside the view", () => {
    expect(new BlockCache(1, 250, [], []).missing(180, 260)).toEqual([1, 2, 0]);
    expect(new BlockCache(1, 0, [], []).missing(0, 10)).toEqual([]);
  });

  it("keeps memory flat: scrolling on evicts the blocks far behind, which load again when wanted", async () => {
    const cache = new BlockCache(1, 1_000_000, [], rowsOf(0));
    for (let b = 1; b <= 100; b++) expect(await cache.load(b, b * BLOCK, answering(1))).toBe(true);
    // Past 40 blocks, those more than 20 from the newest go.
    expect(onHand(cache, 200)).toEqual(Array.from({ length: 21 }, (_, i) => 80 + i));
    expect(cache.rowAt(100 * BLOCK + 7)).toEqual({ __row: 10_000 + 100 * BLOCK + 7 });
    expect(cache.missing(0, 50)).toEqual([0, 1]);
    expect(await cache.load(0, 0, answering(1))).toBe(true);
    expect(rowId(cache.rowAt(5) as Row)).toBe(10_005);
  });

  it("drops an answer for an older revision: a sort or filter replaced the rows meanwhile", async () => {
    const cache = new BlockCache(1, 1000, [{ column: "id", dir: "asc" }], rowsOf(0));
    const { asked, fetch } = holding();
    const loading = cache.load(3, 300, fetch);
    expect(cache.replace({ revision: 2, count: 500, offset: 0, sort: [] }, rowsOf(0))).toBe(true);
    asked[0].answer(1);
    expect(await loading).toBe(false);
    expect(cache.rowAt(300)).toBeUndefined();
    expect(cache.missing(300, 310)).toEqual([3, 4, 2]);
    expect(cache.count).toBe(500);
    expect(cache.sort).toEqual([]);
    // An answer from a revision newer than the rows on hand waits for its refresh too.
    const newer = cache.load(3, 300, fetch);
    asked[1].answer(3);
    expect(await newer).toBe(false);
  });

  it("shows a pressed header's rows until the kernel's refresh for its sort replaces them", async () => {
    const sorted = [{ column: "id", dir: "desc" as const }];
    const cache = new BlockCache(4, 1000, [], rowsOf(0));
    // A preview of another revision is not of the rows on hand: nothing changes.
    expect(cache.preview({ revision: 3, count: 1000, offset: 0, sort: sorted }, rowsOf(9))).toBeNull();
    expect(cache.sort).toEqual([]);
    const undo = cache.preview({ revision: 4, count: 1000, offset: 200, sort: sorted }, rowsOf(9));
    expect(undo).not.toBeNull();
    expect(cache.sort).toEqual(sorted);
    expect(cache.rowAt(200)).toEqual({ __row: 10_000 + 9 * BLOCK });
    expect(cache.rowAt(0)).toBeUndefined(); // the old order's rows are not this order's
    // Rows asked for meanwhile belong to no revision the kernel has: dropped.
    expect(await cache.load(1, 100, answering(4))).toBe(false);
    expect(await cache.load(1, 100, answering(5))).toBe(false);
    // The kernel's refresh for the sort (revision 5) is newer: it replaces the preview.
    expect(cache.replace({ revision: 5, count: 1000, offset: 200, sort: sorted }, rowsOf(2))).toBe(true);
    expect(undo?.()).toBe(false); // too late to put anything back
    expect(cache.revision).toBe(5);
  });

  it("puts the rows back when the kernel refuses the previewed sort", () => {
    const cache = new BlockCache(4, 1000, [], rowsOf(0));
    const undo = cache.preview({ revision: 4, count: 1000, offset: 0, sort: [{ column: "x", dir: "asc" }] }, rowsOf(7));
    expect(undo?.()).toBe(true);
    expect(cache.revision).toBe(4);
    expect(cache.sort).toEqual([]);
    expect(rowId(cache.rowAt(3) as Row)).toBe(10_003);
  });

  it("ignores a refresh that is not newer than the rows on hand", () => {
    const cache = new BlockCache(2, 1000, [], rowsOf(0));
    expect(cache.replace({ revision: 2, count: 10, offset: 0, sort: [] }, [])).toBe(false);
    expect(cache.count).toBe(1000);
    expect(cache.rowAt(0)).toBeDefined();
    expect(cache.replace({ revision: 3, count: 10, offset: 0, sort: [] }, [])).toBe(true);
    expect(cache.fields()).toBeNull();
  });

  it("a block the kernel never sends can be asked for again", async () => {
    const cache = new BlockCache(1, 1000, [], rowsOf(0));
    const { asked, fetch } = holding();
    const loading = cache.load(4, 400, fetch);
    asked[0].fail(new NoAnswer());
    await expect(loading).rejects.toBeInstanceOf(NoAnswer);
    expect(cache.missing(400, 410)).toEqual([4, 5, 3]);
  });

  it("loads through the kernel's window messages, the rows as Arrow IPC", async () => {
    const model = gridModel();
    const query = new GridQuery(model, () => {});
    const cache = new BlockCache(1, 1000, [], []);
    const loading = cache.load(2, 100, (offset, limit, viewport) => query.window(offset, limit, viewport));
    const [request] = model.requests("window");
    expect(request).toMatchObject({ offset: 200, limit: 100, viewport: 100 });
    const ids = Int32Array.from({ length: BLOCK }, (_, i) => 500 + i);
    const arrow = tableToIPC(tableFromArrays({ __row: ids, input: ids.map((i) => i * 2) }), "stream");
    model.answer(request, { revision: 1, offset: 200, count: 1000 }, [arrow]);
    expect(await loading).toBe(true);
    expect(cache.rowAt(203)).toEqual({ __row: 503, input: 1006 });
    expect(cache.fields()).toEqual(new Set(["__row", "input"]));
  });
});
