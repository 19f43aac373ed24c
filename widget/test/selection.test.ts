// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { BLOCK, BlockCache } from "../src/grid/blocks";
import { GridQuery } from "../src/grid/query";
import { Selection } from "../src/grid/selection";
import type { Row } from "../src/shared/arrow";
import { toUint32 } from "../src/shared/model";
import { NoAnswer } from "../src/shared/rpc";
import { gridModel, settle } from "./fake_model";

/** The sample at view position `pos` (ids differ from positions, as after a sort). */
const id = (pos: number) => 7000 - pos;
const rowsOf = (b: number): Row[] => Array.from({ length: BLOCK }, (_, i) => ({ __row: id(b * BLOCK + i) }));
const plain = { shiftKey: false, ctrlKey: false, metaKey: false };
const shift = { ...plain, shiftKey: true };
const ctrl = { ...plain, ctrlKey: true };

/** A 1,000-row view with blocks 0 and 2 loaded: rows 100–199 are not. */
async function grid() {
  const model = gridModel({ _count: 1000, _total: 1000 });
  const query = new GridQuery(model, () => {});
  const blocks = new BlockCache(1, 1000, [], rowsOf(0));
  await blocks.load(2, 200, async () => ({ revision: 1, rows: rowsOf(2) }));
  const refused: [string, unknown][] = [];
  let changes = 0;
  const selection = new Selection(
    model,
    query,
    blocks,
    () => changes++,
    (action, err) => refused.push([action, err]),
  );
  /** What Python reads: `_selected_rows` as ids. */
  const selected = () => [...toUint32(model.get("_selected_rows"))];
  return { model, query, selection, refused, selected, changes: () => changes };
}

const range = (lo: number, hi: number) => Array.from({ length: hi - lo + 1 }, (_, i) => id(lo + i));
const sorted = (ids: number[]) => ids.slice().sort((a, b) => a - b);

describe("Selection", () => {
  it("click selects a row, Ctrl toggles, Shift selects the loaded rows between (no kernel asked)", async () => {
    const { model, selection, selected, changes } = await grid();
    selection.click(5, id(5), plain);
    expect(selected()).toEqual([id(5)]);
    selection.click(8, id(8), ctrl);
    expect(selected()).toEqual(sorted([id(5), id(8)]));
    selection.click(8, id(8), ctrl);
    expect(selected()).toEqual([id(5)]);
    selection.click(12, id(12), shift); // from the last click (row 8) to row 12
    expect(selected()).toEqual(sorted(range(8, 12)));
    expect(model.sent).toEqual([]);
    expect(model.saves).toBe(4);
    expect(changes()).toBe(4);
  });

  it("a range reaching rows not loaded asks the kernel for the ids in between", async () => {
    const { model, selection, selected } = await grid();
    selection.click(250, id(250), plain);
    selection.click(50, id(50), shift);
    const [request] = model.requests("rows_between");
    expect(request).toMatchObject({ start: 50, end: 251 });
    expect(selected()).toEqual([id(250)]); // nothing changes before the answer
    model.answer(request, {}, [Uint32Array.from(range(50, 250))]);
    await settle();
    expect(selected()).toEqual(sorted(range(50, 250)));
    expect(selection.ids.size).toBe(201);
  });

  it("Ctrl+Shift adds the range to the selection", async () => {
    const { model, selection, selected } = await grid();
    selection.click(990, id(990), plain);
    selection.click(20, id(20), ctrl);
    selection.click(260, id(260), { ...shift, ctrlKey: true });
    const [request] = model.requests("rows_between");
    expect(request).toMatchObject({ start: 20, end: 261 });
    model.answer(request, {}, [Uint32Array.from(range(20, 260))]);
    await settle();
    expect(selected()).toEqual(sorted([id(990), ...range(20, 260)]));
  });

  it("a range the kernel cannot give is refused and changes nothing", async () => {
    const { model, query, selection, selected, refused } = await grid();
    selection.click(10, id(10), plain);
    selection.click(150, id(150), shift);
    model.receive({ type: "error", id: model.requests("rows_between")[0].id, message: "the view changed" });
    await settle();
    expect(refused).toEqual([["selecting rows not loaded yet", new Error("the view changed")]]);
    expect(selected()).toEqual([id(10)]);
    // No kernel at all: said so, and the next request pings first.
    model.kernel = false;
    selection.click(150, id(150), shift);
    await settle();
    expect(refused[1][1]).toBeInstanceOf(NoAnswer);
    expect(query.kernel.live).toBe(false);
    expect(selected()).toEqual([id(10)]);
  });

  it("follows a selection set from Python", async () => {
    const { model, selection } = await grid();
    model.emit("_selected_rows", new DataView(Uint32Array.from([3, 1]).buffer));
    selection.read();
    expect([...selection.ids]).toEqual([3, 1]);
  });
});
