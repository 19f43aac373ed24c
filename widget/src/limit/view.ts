// ScoresByLimit's front end: title, legend, one SVG with a panel per facet, a tooltip.
// Hover snaps to the nearest limit (tooltip + `hovered` trait); clicking the plot sets
// `limit`; clicking legend entries toggles `selected_models`.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import { type Theme, watchTheme } from "../shared/theme";
import { nearestIndex, nearestModel, toggleModel, valuesAt } from "./hover";
import { modelColour } from "./palette";
import { MARGIN, Panel } from "./panel";
import { yTop } from "./scale";
import { svg } from "./svg";
import { fillTip } from "./tooltip";
import type { Hover, LimitSpec, LimitState } from "./types";

const FACET_GAP = 16;

export class LimitView {
  readonly root: HTMLElement;
  private readonly titleEl: HTMLElement;
  private readonly legendEl: HTMLElement;
  private readonly plot: HTMLElement;
  private readonly tip: HTMLElement;
  private spec!: LimitSpec;
  private panels: Panel[] = [];
  private theme: Theme = "light";
  private selected = new Set<string>();
  private hover: Hover | null = null;
  private readonly stops: (() => void)[] = [];

  constructor(
    private readonly model: AnyModel<LimitState>,
    el: HTMLElement,
  ) {
    this.root = h("div", "evallens el-limit");
    this.titleEl = h("div", "el-lim-title");
    this.legendEl = h("div", "el-lim-legend");
    this.legendEl.setAttribute("role", "group");
    this.legendEl.setAttribute("aria-label", "Models");
    this.plot = h("div", "el-lim-plot");
    this.tip = h("div", "el-lim-tip");
    this.tip.hidden = true;
    this.plot.append(this.tip);
    this.root.append(this.titleEl, this.legendEl, this.plot);
    el.append(this.root);

    this.plot.addEventListener("pointermove", (e) => this.onMove(e));
    this.plot.addEventListener("pointerleave", () => this.setHover(null));
    this.plot.addEventListener("click", (e) => this.onClick(e));
    this.legendEl.addEventListener("click", (e) => this.onLegend(e));

    const rebuild = () => this.build();
    const selection = () => this.readSelection();
    const limit = () => this.paintLimit();
    const events: [string, () => void][] = [
      ["change:_spec", rebuild],
      ["change:width", rebuild],
      ["change:height", rebuild],
      ["change:selected_models", selection],
      ["change:limit", limit],
    ];
    for (const [name, fn] of events) model.on(name, fn);
    this.stops.push(() => {
      for (const [name, fn] of events) model.off(name, fn);
    });
    this.stops.push(
      watchTheme((t) => {
        this.theme = t;
        this.root.classList.toggle("el-dark", t === "dark");
        if (this.spec) this.build();
      }),
    );
    if (!this.spec) this.build();
  }

  dispose(): void {
    for (const stop of this.stops) stop();
    this.root.remove();
  }

  private colourOf = (model: string): string => modelColour(Math.max(0, this.spec.models.indexOf(model)), this.theme);

  // -- building ---------------------------------------------------------------------------
  private build(): void {
    this.spec = this.model.get("_spec");
    const spec = this.spec;
    const width = this.model.get("width") || 700;
    const height = this.model.get("height") || 433;
    this.root.style.width = `${width}px`;
    this.titleEl.textContent = spec.title ?? "";
    this.titleEl.hidden = !spec.title;
    this.buildLegend();

    const facets: (string | null)[] = spec.facets?.length ? spec.facets : [null];
    const chrome = (spec.title ? 26 : 0) + (spec.legend ? 30 : 0);
    const svgHeight = Math.max(160, height - chrome);
    const top = MARGIN.top + (facets[0] !== null ? 16 : 0);
    const innerHeight = svgHeight - top - MARGIN.bottom;
    const panelWidth = (width - MARGIN.left - MARGIN.right - FACET_GAP * (facets.length - 1)) / facets.length;
    const values: (number | null)[] = [];
    for (const s of spec.series) values.push(...s.y, ...(s.hi ?? []), ...(s.other ?? []));
    const yMax = yTop(values);

    const root = svg("svg", { class: "el-lim-svg", width, height: svgHeight, viewBox: `0 0 ${width} ${svgHeight}` });
    root.setAttribute("role", "img");
    root.setAttribute("aria-label", `${spec.y_label} by ${spec.x_label ?? "limit"} for ${spec.models.length} models`);
    this.panels = facets.map((facet, i) => {
      const series = spec.series.filter((s) => facet === null || s.facet === facet);
      const panel = new Panel(
        i,
        series,
        {
          left: MARGIN.left + i * (panelWidth + FACET_GAP),
          top,
          width: panelWidth,
          height: innerHeight,
          yMax,
          xDomain: spec.x_domain,
          log: spec.log,
        },
        this.colourOf,
        { facet, xLabel: spec.x_label, yLabel: i === 0 ? spec.y_label : null },
      );
      root.append(panel.group);
      return panel;
    });
    this.plot.querySelector("svg")?.remove();
    this.plot.prepend(root);
    this.hover = null;
    this.tip.hidden = true;
    this.readSelection();
    this.paintLimit();
  }

  private buildLegend(): void {
    const spec = this.spec;
    this.legendEl.hidden = !spec.legend;
    this.legendEl.replaceChildren(
      ...spec.models.map((m) => {
        const item = h("button", "el-lim-legend-item");
        item.type = "button";
        item.dataset.model = m;
        const swatch = h("span", "el-lim-swatch");
        swatch.style.background = this.colourOf(m);
        item.append(swatch, h("span", "el-lim-legend-name", m));
        return item;
      }),
    );
  }

  // -- state -> paint ---------------------------------------------------------------------
  private readSelection(): void {
    this.selected = new Set(this.model.get("selected_models"));
    for (const item of this.legendEl.querySelectorAll<HTMLElement>(".el-lim-legend-item")) {
      const on = this.selected.has(item.dataset.model ?? "");
      item.setAttribute("aria-pressed", String(on));
      item.classList.toggle("el-off", this.selected.size > 0 && !on);
    }
    this.paintEmphasis();
  }

  private paintEmphasis(): void {
    const hot = this.hover?.model ?? null;
    for (const panel of this.panels) {
      for (const [m, marks] of panel.marks) {
        const faded = this.selected.size > 0 && !this.selected.has(m);
        const dim = hot !== null && hot !== m;
        for (const node of [marks.line, marks.band, marks.other]) {
          if (!node) continue;
          node.classList.toggle("el-faded", faded);
          node.classList.toggle("el-dim", dim);
          node.classList.toggle("el-hot", hot === m);
        }
      }
    }
  }

  private paintLimit(): void {
    const limit = this.model.get("limit");
    for (const panel of this.panels) panel.showMarker(limit);
  }

  // -- events -----------------------------------------------------------------------------
  private locate(e: PointerEvent | MouseEvent): { panel: Panel; limit: number; py: number; px: number } | null {
    const target = e.target as Element | null;
    if (!target?.classList?.contains("el-lim-overlay")) return null;
    const panel = this.panels[Number((target as SVGElement).dataset.panel)];
    if (!panel?.limits.length) return null;
    const box = target.getBoundingClientRect();
    const px = e.clientX - box.left;
    const py = e.clientY - box.top;
    const i = nearestIndex(panel.limitPixels(), px);
    return { panel, limit: panel.limits[i], py, px };
  }

  private onMove(e: PointerEvent): void {
    const at = this.locate(e);
    if (!at) {
      this.setHover(null);
      return;
    }
    const values = valuesAt(at.panel.series, at.limit);
    const model = nearestModel(at.panel.series, values, at.py, (v) => at.panel.y(v));
    this.setHover({ panel: at.panel.index, limit: at.limit, model });
    this.placeTip(at.panel, at.limit);
  }

  private setHover(hover: Hover | null): void {
    const before = this.hover;
    const same =
      before === hover ||
      (before && hover && before.panel === hover.panel && before.limit === hover.limit && before.model === hover.model);
    if (same) return;
    this.hover = hover;
    for (const panel of this.panels) panel.showRule(hover && hover.panel === panel.index ? hover.limit : null);
    this.paintEmphasis();
    if (!hover) {
      this.tip.hidden = true;
    } else {
      const panel = this.panels[hover.panel];
      fillTip(this.tip, panel.series, hover.limit, hover.model, {
        xLabel: this.spec.x_label,
        ci: this.spec.ci,
        other: this.spec.other,
        facet: this.spec.facets ? (this.spec.facets[hover.panel] ?? null) : null,
        colourOf: this.colourOf,
      });
      this.tip.hidden = false;
    }
    // Python hears about hover only when the snapped limit or model changes
    this.model.set("hovered", hover ? { model: hover.model, limit: hover.limit } : null);
    this.model.save_changes();
  }

  private placeTip(panel: Panel, limit: number): void {
    const left = panel.geometry.left + panel.x(limit);
    const plotWidth = this.plot.clientWidth || this.model.get("width") || 700;
    const tipWidth = this.tip.offsetWidth || 220;
    const x = left + 14 + tipWidth > plotWidth ? left - 14 - tipWidth : left + 14;
    this.tip.style.transform = `translate(${Math.max(0, x)}px, ${panel.geometry.top}px)`;
  }

  private onClick(e: MouseEvent): void {
    const at = this.locate(e);
    if (!at) return;
    const current = this.model.get("limit");
    this.model.set("limit", current === at.limit ? null : at.limit);
    this.model.save_changes();
    this.paintLimit();
  }

  private onLegend(e: MouseEvent): void {
    const item = (e.target as Element | null)?.closest<HTMLElement>(".el-lim-legend-item");
    const m = item?.dataset.model;
    if (m === undefined) return;
    const next = toggleModel([...this.selected], m, this.spec.models);
    this.model.set("selected_models", next);
    this.model.save_changes();
    this.readSelection();
  }
}
