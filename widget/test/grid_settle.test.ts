// @vitest-environment jsdom
import { Int32, Table, tableToIPC, vectorFromArray } from "apache-arrow";
import { beforeAll, describe, expect, it } from "vitest";
import grid from "../src/grid/index";
import { gridModel, stubResizeObserver } from "./fake_model";

function rows(ids: number[]): DataView {
  const bytes = tableToIPC(
    new Table({ __row: vectorFromArray(ids, new Int32()), id: vectorFromArray(ids, new Int32()) }),
    "stream",
  );
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

beforeAll(stubResizeObserver);

describe("a grid the kernel has not settled yet", () => {
  it("asks for its first rows and draws none before they and the columns' formats arrive", () => {
    const model = gridModel({ _settled: false, _total: 3 });
    const el = document.createElement("div");
    const stop = grid.render({ model, el } as never) as () => void;
    expect(model.requests("settle")).toHaveLength(1);
    expect(el.querySelector(".el-row")).toBeNull();
    expect(el.textContent).toContain("Reading 3 samples");
    // The kernel sets the state in one go, then says it is settled.
    model.state._column_defs = [{ id: "sampleId", field: "id", label: "Id", kind: "id", chars: 1 }];
    model.state.columns = [{ id: "sampleId", visible: true }];
    model.state._initial = rows([0, 1, 2]);
    model.state._count = 3;
    model.emit("_settled", true);
    expect(el.textContent).not.toContain("Reading");
    expect(el.querySelector(".el-grid")).not.toBeNull();
    stop();
  });

  it("draws at once from a settled state (a saved notebook, no kernel)", () => {
    const model = gridModel({ _initial: rows([0]), _count: 1, _total: 1 });
    model.kernel = false;
    const el = document.createElement("div");
    const stop = grid.render({ model, el } as never) as () => void;
    expect(el.textContent).not.toContain("Reading");
    expect(el.querySelector(".el-grid")).not.toBeNull();
    stop();
  });
});
