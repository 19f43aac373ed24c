// @vitest-environment jsdom
import { afterEach, describe, expect, it } from "vitest";
import { limitsOf, nearestIndex, nearestModel, toggleModel, valuesAt } from "../src/limit/hover";
import { formatLimit, formatRate, linearTicks, logTicks, makeScale, yTop } from "../src/limit/scale";
import { bandPath, linePath } from "../src/limit/svg";
import type { LimitSpec, LimitState, Series } from "../src/limit/types";
import { LimitView } from "../src/limit/view";
import { FakeModel } from "./fake_model";

const EVIL = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

const fakeModel = (state: Omit<LimitState, "hovered">) => new FakeModel<LimitState>({ ...state, hovered: null });

const series = (model: string, ys: number[], facet: string | null = null): Series => ({
  model,
  facet,
  x: [10, 100, 1000],
  y: ys,
  lo: ys.map((v) => v - 0.05),
  hi: ys.map((v) => v + 0.05),
});

function spec(over: Partial<LimitSpec> = {}): LimitSpec {
  return {
    models: ["a", EVIL],
    facets: null,
    facet_label: null,
    series: [series("a", [0.1, 0.3, 0.5]), series(EVIL, [0.2, 0.2, 0.6])],
    log: true,
    x_domain: [10, 1000],
    band: true,
    other: false,
    title: EVIL,
    x_label: "Tokens",
    y_label: "Success rate",
    ci: 0.95,
    legend: true,
    ...over,
  };
}

afterEach(() => {
  document.body.innerHTML = "";
  delete document.body.dataset.jpThemeLight;
});

describe("scales and ticks", () => {
  it("maps log and linear domains and inverts them", () => {
    const log = makeScale([10, 1000], [0, 200], true);
    expect(log(100)).toBeCloseTo(100);
    expect(log.invert(100)).toBeCloseTo(100);
    const lin = makeScale([0, 1], [100, 0]);
    expect(lin(0.25)).toBeCloseTo(75);
  });
  it("gives readable ticks", () => {
    expect(logTicks(24929, 6_345_671)).toEqual([5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6]);
    expect(logTicks(10, 100000)).toEqual([10, 100, 1000, 10000, 100000]);
    expect(logTicks(300, 9000)).toEqual([500, 1000, 2000, 5000]);
    expect(linearTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(formatLimit(1_500_000)).toBe("1.5M");
    expect(formatLimit(25_000)).toBe("25k");
    expect(formatLimit(2.345)).toBe("2.35");
    expect(formatRate(0.4567)).toBe("45.7%");
    expect(formatRate(null)).toBe("–");
    expect(yTop([0.12, 0.44, null, NaN])).toBe(0.5);
    expect(yTop([1.3])).toBe(1);
  });
});

describe("hover snapping", () => {
  it("finds the nearest limit and model", () => {
    expect(nearestIndex([0, 10, 20], 14)).toBe(1);
    expect(nearestIndex([0, 10, 20], 16)).toBe(2);
    expect(nearestIndex([0, 10, 20], -5)).toBe(0);
    const s = [series("a", [0.1, 0.3, 0.5]), series("b", [0.2, 0.2, 0.6])];
    expect(limitsOf(s)).toEqual([10, 100, 1000]);
    const ys = valuesAt(s, 100);
    expect(ys).toEqual([0.3, 0.2]);
    expect(nearestModel(s, ys, 0.21, (v) => v)).toBe("b");
    expect(toggleModel(["b"], "a", ["a", "b"])).toEqual(["a", "b"]);
    expect(toggleModel(["a", "b"], "a", ["a", "b"])).toEqual(["b"]);
  });
  it("breaks lines and bands at missing points", () => {
    const id = (v: number) => v;
    expect(linePath([1, 2, 3, 4], [1, null, 3, 4], id, id)).toBe("M1,1M3,3L4,4");
    expect(bandPath([1, 2], [0, 0], [2, 2], id, id, [0, 1])).toBe("M1,1L2,1L2,0L1,0Z");
  });
});

describe("LimitView", () => {
  it("draws a line and a band per model, untrusted names as text", () => {
    const el = document.createElement("div");
    document.body.append(el);
    const model = fakeModel({ _spec: spec(), width: 600, height: 400, selected_models: [], limit: null });
    const view = new LimitView(model, el);
    expect(el.querySelectorAll(".el-lim-line").length).toBe(2);
    expect(el.querySelectorAll(".el-lim-band").length).toBe(2);
    expect(el.querySelector("img")).toBeNull();
    expect(el.querySelector("script")).toBeNull();
    expect(el.querySelector(".el-lim-title")?.textContent).toBe(EVIL);
    expect(el.querySelectorAll(".el-lim-legend-name")[1].textContent).toBe(EVIL);
    expect(window.__pwned).toBeUndefined();
    view.dispose();
  });
  it("toggles models from the legend and fades the others", () => {
    const el = document.createElement("div");
    const model = fakeModel({ _spec: spec(), width: 600, height: 400, selected_models: [], limit: null });
    new LimitView(model, el);
    (el.querySelectorAll(".el-lim-legend-item")[0] as HTMLElement).click();
    expect(model.state.selected_models).toEqual(["a"]);
    const lines = [...el.querySelectorAll(".el-lim-line")];
    expect(lines.map((l) => l.classList.contains("el-faded"))).toEqual([false, true]);
    (el.querySelectorAll(".el-lim-legend-item")[0] as HTMLElement).click();
    expect(model.state.selected_models).toEqual([]);
    // set from Python
    model.emit("selected_models", [EVIL]);
    expect(el.querySelectorAll(".el-lim-legend-item")[1].getAttribute("aria-pressed")).toBe("true");
  });
  it("makes small multiples per facet", () => {
    const el = document.createElement("div");
    const s = spec({
      facets: ["x", "y"],
      series: [series("a", [0.1, 0.2, 0.3], "x"), series("a", [0.3, 0.2, 0.1], "y")],
      models: ["a"],
    });
    new LimitView(fakeModel({ _spec: s, width: 600, height: 400, selected_models: [], limit: null }), el);
    expect(el.querySelectorAll(".el-lim-panel").length).toBe(2);
    expect([...el.querySelectorAll(".el-lim-facet")].map((t) => t.textContent)).toEqual(["x", "y"]);
  });
  it("follows JupyterLab's theme attribute", async () => {
    document.body.dataset.jpThemeLight = "false";
    const el = document.createElement("div");
    document.body.append(el);
    new LimitView(fakeModel({ _spec: spec(), width: 600, height: 400, selected_models: [], limit: null }), el);
    const root = el.querySelector(".evallens") as HTMLElement;
    expect(root.classList.contains("el-dark")).toBe(true);
    document.body.dataset.jpThemeLight = "true";
    await new Promise((r) => setTimeout(r, 0));
    expect(root.classList.contains("el-dark")).toBe(false);
  });
});
