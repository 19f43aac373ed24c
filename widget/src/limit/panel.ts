// One plot panel (one facet): axes, a band, a line and an optional dashed line per model,
// a hover rule and the clicked-limit marker. Paints emphasis through classes only.
import { limitsOf } from "./hover";
import { formatLimit, makeScale, type Scale } from "./scale";
import { bandPath, linePath, svg } from "./svg";
import type { Series } from "./types";

export const MARGIN = { top: 10, right: 14, bottom: 38, left: 46 };

export interface PanelGeometry {
  left: number;
  top: number;
  width: number;
  height: number;
  yMax: number;
  xDomain: [number, number];
  log: boolean;
}

export interface ModelMarks {
  line: SVGPathElement;
  band: SVGPathElement | null;
  other: SVGPathElement | null;
}

export class Panel {
  readonly group: SVGGElement;
  readonly overlay: SVGRectElement;
  readonly x: Scale;
  readonly y: Scale;
  readonly limits: number[];
  readonly marks = new Map<string, ModelMarks>();
  private readonly rule: SVGLineElement;
  private readonly marker: SVGLineElement;
  private readonly markerLabel: SVGTextElement;

  constructor(
    readonly index: number,
    readonly series: Series[],
    readonly geometry: PanelGeometry,
    colourOf: (model: string) => string,
    labels: { facet: string | null; xLabel: string | null; yLabel: string | null },
  ) {
    const { left, top, width, height, yMax, xDomain, log } = geometry;
    this.x = makeScale(xDomain, [0, width], log);
    this.y = makeScale([0, yMax], [height, 0], false, 5);
    this.limits = limitsOf(series);
    this.group = svg("g", { class: "el-lim-panel", transform: `translate(${left},${top})` });

    const axes = svg("g", { class: "el-lim-axes" });
    for (const t of this.y.ticks()) {
      const py = this.y(t);
      axes.append(
        svg("line", { class: "el-lim-grid", x1: 0, x2: width, y1: py, y2: py }),
        svg(
          "text",
          { class: "el-lim-tick", x: -6, y: py, "text-anchor": "end", "dominant-baseline": "middle" },
          `${Math.round(t * 100)}%`,
        ),
      );
    }
    for (const t of this.x.ticks()) {
      const px = this.x(t);
      axes.append(
        svg("line", { class: "el-lim-grid el-lim-xgrid", x1: px, x2: px, y1: 0, y2: height }),
        svg("text", { class: "el-lim-tick", x: px, y: height + 14, "text-anchor": "middle" }, formatLimit(t)),
      );
    }
    axes.append(svg("line", { class: "el-lim-axis", x1: 0, x2: width, y1: height, y2: height }));
    if (labels.xLabel) {
      axes.append(
        svg(
          "text",
          { class: "el-lim-label", x: width / 2, y: height + 32, "text-anchor": "middle" },
          labels.xLabel + (log ? " (log scale)" : ""),
        ),
      );
    }
    if (labels.yLabel) {
      axes.append(
        svg(
          "text",
          { class: "el-lim-label", transform: `translate(${-36},${height / 2}) rotate(-90)`, "text-anchor": "middle" },
          labels.yLabel,
        ),
      );
    }
    if (labels.facet !== null) {
      axes.append(svg("text", { class: "el-lim-facet", x: width / 2, y: -4, "text-anchor": "middle" }, labels.facet));
    }

    const bands = svg("g", { class: "el-lim-bands" });
    const lines = svg("g", { class: "el-lim-lines" });
    const fx = (v: number) => this.x(v);
    const fy = (v: number) => this.y(v);
    for (const s of series) {
      const colour = colourOf(s.model);
      let band: SVGPathElement | null = null;
      if (s.lo && s.hi) {
        band = svg("path", { class: "el-lim-band", d: bandPath(s.x, s.lo, s.hi, fx, fy, [0, yMax]), fill: colour });
        band.dataset.model = s.model;
        bands.append(band);
      }
      let other: SVGPathElement | null = null;
      if (s.other) {
        other = svg("path", { class: "el-lim-other", d: linePath(s.x, s.other, fx, fy), stroke: colour });
        other.dataset.model = s.model;
        lines.append(other);
      }
      const line = svg("path", { class: "el-lim-line", d: linePath(s.x, s.y, fx, fy), stroke: colour });
      line.dataset.model = s.model;
      lines.append(line);
      this.marks.set(s.model, { line, band, other });
    }

    this.marker = svg("line", { class: "el-lim-marker", y1: 0, y2: height });
    this.markerLabel = svg("text", { class: "el-lim-marker-label", y: 10 });
    this.rule = svg("line", { class: "el-lim-rule", y1: 0, y2: height });
    this.overlay = svg("rect", { class: "el-lim-overlay", x: 0, y: 0, width, height });
    this.overlay.dataset.panel = String(index);
    this.group.append(axes, bands, lines, this.marker, this.markerLabel, this.rule, this.overlay);
    this.showRule(null);
    this.showMarker(null);
  }

  /** Pixel x of each snappable limit (ascending, like `limits`). */
  limitPixels(): number[] {
    return this.limits.map((v) => this.x(v));
  }

  showRule(limit: number | null): void {
    this.rule.style.display = limit === null ? "none" : "";
    if (limit !== null) {
      const px = String(this.x(limit));
      this.rule.setAttribute("x1", px);
      this.rule.setAttribute("x2", px);
    }
  }

  showMarker(limit: number | null): void {
    const inside = limit !== null && limit >= this.geometry.xDomain[0] && limit <= this.geometry.xDomain[1];
    this.marker.style.display = inside ? "" : "none";
    this.markerLabel.style.display = inside ? "" : "none";
    if (inside && limit !== null) {
      const px = this.x(limit);
      this.marker.setAttribute("x1", String(px));
      this.marker.setAttribute("x2", String(px));
      const flip = px > this.geometry.width - 60;
      this.markerLabel.setAttribute("x", String(flip ? px - 4 : px + 4));
      this.markerLabel.setAttribute("text-anchor", flip ? "end" : "start");
      this.markerLabel.textContent = `limit ${formatLimit(limit)}`;
    }
  }
}
