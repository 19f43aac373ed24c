// @vitest-environment jsdom
import { Int32, Table, tableToIPC, Utf8, vectorFromArray } from "apache-arrow";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ColumnDef } from "../src/grid/types";
import { GridView } from "../src/grid/view";
import { toUint32 } from "../src/shared/model";
import { gridModel, settle, stubResizeObserver } from "./fake_model";

const EVIL = '<img src=x onerror="window.__pwned=1">';
const DEFS: ColumnDef[] = [
  { id: "sampleId", field: "id", label: "Id", kind: "id", chars: 2 },
  { id: "input", field: "input", label: "Input", kind: "text" },
];

/** Rows as the kernel writes them: source-row id, then the visible columns. */
function arrow(rows: [number, number, string][]): Uint8Array {
  const table = new Table({
    __row: vectorFromArray(
      rows.map((r) => r[0]),
      new Int32(),
    ),
    id: vectorFromArray(
      rows.map((r) => r[1]),
      new Int32(),
    ),
    input: vectorFromArray(
      rows.map((r) => r[2]),
      new Utf8(),
    ),
  });
  return tableToIPC(table, "stream");
}

const opened: GridView[] = [];

function open(kernel: boolean) {
  const initial = arrow([
    [0, 9, EVIL],
    [2, 1, "one"],
    [1, 10, "ten"],
  ]);
  const model = gridModel({
    _column_defs: DEFS,
    columns: DEFS.map((d) => ({ id: d.id, visible: true })),
    _initial: new DataView(initial.buffer, initial.byteOffset, initial.byteLength),
    _revision: 1,
    _count: 3,
    _total: 3,
  });
  model.kernel = kernel;
  const el = document.createElement("div");
  document.body.append(el);
  const view = new GridView(model, el);
  opened.push(view);
  const column = (id: string) =>
    [...el.querySelectorAll<HTMLElement>(".el-row[data-row]:not([data-row=''])")].map(
      (r) => r.querySelector(`[data-column="${id}"]`)?.textContent,
    );
  const header = (id: string) => el.querySelector<HTMLElement>(`.el-th[data-column="${id}"]`) as HTMLElement;
  return { model, el, column, header };
}

beforeAll(stubResizeObserver);

afterEach(() => {
  for (const view of opened.splice(0)) view.dispose(); // stops its timers
  document.body.innerHTML = "";
  localStorage.clear();
});

describe("GridView", () => {
  it("shows the rows saved with the widget, as text", () => {
    const { el, column } = open(false);
    expect(column("sampleId")).toEqual(["9", "1", "10"]);
    expect(column("input")).toEqual([EVIL, "one", "ten"]);
    expect(el.querySelector(".el-grid img")).toBeNull();
    expect(el.querySelector(".el-status")?.textContent).toBe("3 samples");
  });

  it("without a kernel a sort is refused, says so, and changes nothing", async () => {
    const { el, header, column, model } = open(false);
    header("sampleId").click();
    await settle();
    expect(el.querySelector(".el-notice")?.textContent).toBe(
      "The kernel is not answering: sorting needs it. Nothing was changed.",
    );
    expect(header("sampleId").getAttribute("aria-sort")).toBe("none");
    expect(column("sampleId")).toEqual(["9", "1", "10"]);
    expect(model.get("sort")).toEqual([]);
  });

  it("a sort goes to the kernel first: the arrow shows with the rows it sends", async () => {
    const { header, column, model } = open(true);
    model.answer(model.requests("ping")[0]); // the kernel is there
    header("sampleId").click();
    await settle();
    const [request] = model.requests("set_view");
    expect(request.view).toEqual({ sort: [{ column: "sampleId", dir: "asc" }] });
    expect(header("sampleId").getAttribute("aria-sort")).toBe("none");
    expect(column("sampleId")).toEqual(["9", "1", "10"]);
    const rows = arrow([
      [2, 1, "one"],
      [0, 9, EVIL],
      [1, 10, "ten"],
    ]);
    model.receive({ type: "refresh", revision: 2, count: 3, offset: 0, sort: [{ column: "sampleId", dir: "asc" }] }, [
      rows,
    ]);
    model.answer(request);
    await settle();
    expect(column("sampleId")).toEqual(["1", "9", "10"]);
    expect(header("sampleId").getAttribute("aria-sort")).toBe("ascending");
  });

  it("a click selects the row for Python; hiding a column needs no kernel", async () => {
    const { el, model } = open(false);
    el.querySelector<HTMLElement>(".el-row[data-pos='1']")?.click();
    expect([...toUint32(model.get("_selected_rows"))]).toEqual([2]);
    expect(el.querySelector(".el-status")?.textContent).toBe("3 samples · 1 selected");
    model.emit("columns", [
      { id: "sampleId", visible: true },
      { id: "input", visible: false },
    ]);
    expect(el.querySelector(".el-th[data-column='input']")).toBeNull();
  });
});
