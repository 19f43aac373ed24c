// @vitest-environment jsdom
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ColumnDef, GridState } from "../src/grid/types";
import { GridView } from "../src/grid/view";
import { gridModel, settle, stubResizeObserver } from "./fake_model";

const EVIL = '<img src=x onerror="window.__pwned=1">';
const DEFS: ColumnDef[] = [
  { id: "sampleId", field: "id", label: "Id", kind: "id", chars: 2 },
  { id: "input", field: "input", label: "Input", kind: "text" },
];
const opened: GridView[] = [];

function open(over: Partial<GridState>, kernel = true) {
  const model = gridModel({
    _column_defs: DEFS,
    columns: DEFS.map((d) => ({ id: d.id, visible: true })),
    view_name: "triage",
    _views: ["triage", EVIL],
    _storage_key: "evallens:grid:triage",
    ...over,
  });
  model.kernel = kernel;
  const el = document.createElement("div");
  document.body.append(el);
  opened.push(new GridView(model, el));
  const select = el.querySelector<HTMLSelectElement>("select.el-view-switcher") as HTMLSelectElement;
  return { model, el, select };
}

function choose(select: HTMLSelectElement, name: string): void {
  select.value = name;
  select.dispatchEvent(new Event("change"));
}

beforeAll(stubResizeObserver);

afterEach(() => {
  for (const view of opened.splice(0)) view.dispose();
  document.body.innerHTML = "";
  localStorage.clear();
});

describe("ViewSwitcher", () => {
  it("lists the views by name, as text, labelled; hidden with fewer than two", () => {
    const { el, select } = open({});
    expect([...select.options].map((o) => o.textContent)).toEqual(["triage", EVIL]);
    expect(select.value).toBe("triage");
    expect(select.getAttribute("aria-label")).toBe("Switch view");
    expect(select.hidden).toBe(false);
    expect(el.querySelector(".el-grid img")).toBeNull();
    expect(open({ _views: ["triage"] }).select.hidden).toBe(true);
    expect(open({ _views: undefined }).select.hidden).toBe(true); // state saved before views
  });

  it("a switch goes to the kernel; the list follows the kernel's view_name", async () => {
    const { model, select } = open({});
    model.answer(model.requests("ping")[0]);
    choose(select, EVIL);
    await settle();
    const [request] = model.requests("set_view");
    expect(request.view).toEqual({ view_name: EVIL });
    model.emit("view_name", EVIL);
    model.answer(request);
    await settle();
    expect(select.value).toBe(EVIL);
    model.emit("view_name", "triage"); // set from Python
    expect(select.value).toBe("triage");
  });

  it("without a kernel a switch is refused, says so, and the list goes back", async () => {
    const { el, model, select } = open({}, false);
    choose(select, EVIL);
    await settle();
    expect(el.querySelector(".el-notice")?.textContent).toBe(
      "The kernel is not answering: switching views needs it. Nothing was changed.",
    );
    expect(select.value).toBe("triage");
    expect(model.get("view_name")).toBe("triage");
  });

  it("each view's saved changes apply the first time it shows", async () => {
    localStorage.setItem("evallens:grid:other", JSON.stringify({ multiline: false }));
    const { model } = open({});
    expect(model.get("multiline")).toBe(true);
    model.emit("_storage_key", "evallens:grid:other");
    expect(model.get("multiline")).toBe(false);
    // Shown again later, the kernel's state for it stands (Python may have changed it since).
    model.emit("_storage_key", "evallens:grid:triage");
    model.emit("multiline", true);
    model.emit("_storage_key", "evallens:grid:other");
    expect(model.get("multiline")).toBe(true);
  });
});
