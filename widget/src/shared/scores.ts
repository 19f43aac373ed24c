// A sample's scores as Inspect's SampleScoreView lays them out (a list, chips or a sortable
// grid): the grid's detail panel and the sample view share it. Names and values are
// untrusted: text only.
import { h } from "./model";
import { formatNumber } from "./numbers";

/** Inspect's SampleScoreView: how a sample's scores are laid out. */
export interface SampleScoreView {
  default?: "chips" | "grid" | null;
  sort?: { column?: "name" | "value" | null; dir?: "asc" | "desc" } | null;
}

/** What laying scores out needs of one: its name and its value. */
export interface ScoreLike {
  name: string;
  value: unknown;
}

export function valueText(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "string") return v;
  return JSON.stringify(v, null, 2);
}

function numericValue(v: unknown): number | null {
  if (typeof v === "number" && Number.isFinite(v)) return v;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "string") {
    if (v === "C") return 1;
    if (v === "P") return 0.5;
    if (v === "I" || v === "N") return 0;
    const n = Number(v);
    return v.trim() !== "" && Number.isFinite(n) ? n : null;
  }
  return null;
}

/** Scores in the order a SampleScoreView asks for (missing values last). */
export function sortScores<S extends ScoreLike>(
  scores: S[],
  column: "name" | "value" | null | undefined,
  dir: "asc" | "desc" = "asc",
): S[] {
  if (!column) return scores.slice();
  const sign = dir === "desc" ? -1 : 1;
  return scores.slice().sort((a, b) => {
    if (column === "name") return sign * a.name.localeCompare(b.name);
    const x = numericValue(a.value);
    const y = numericValue(b.value);
    if (x === null && y === null) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    return sign * (x - y);
  });
}

/** "chips" for 3–6 scores, "grid" beyond, unless the view says otherwise; fewer than 3: a list. */
export function scoreLayout(count: number, view: SampleScoreView | null): "list" | "chips" | "grid" {
  if (count < 3) return "list";
  if (view?.default) return view.default;
  return count <= 6 ? "chips" : "grid";
}

/** `text` turns a name or value into nodes: plain text unless the caller shows more (the
 * sample view marks invisible characters in untrusted content). */
export function renderScores(
  scores: ScoreLike[],
  view: SampleScoreView | null,
  labels: Record<string, string>,
  text: (s: string) => Node = (s) => document.createTextNode(s),
): HTMLElement {
  const wrap = h("div", "el-detail-scores");
  const layout = scoreLayout(scores.length, view);
  wrap.dataset.layout = layout;
  let sortCol = view?.sort?.column ?? null;
  let sortDir: "asc" | "desc" = view?.sort?.dir ?? "asc";
  const label = (s: ScoreLike) => labels[s.name] ?? s.name;
  const cell = <K extends "td" | "span">(tag: K, className: string, content: string) => {
    const el = h(tag, className);
    el.append(text(content));
    return el;
  };

  const draw = () => {
    wrap.replaceChildren();
    const ordered = sortScores(scores, sortCol, sortDir);
    if (layout === "grid") {
      const table = h("table", "el-score-grid");
      const head = h("tr");
      for (const [key, text] of [
        ["name", "Score"],
        ["value", "Value"],
      ] as const) {
        const th = h("th", "", text);
        th.tabIndex = 0;
        th.setAttribute("role", "columnheader");
        th.setAttribute("aria-sort", sortCol === key ? (sortDir === "asc" ? "ascending" : "descending") : "none");
        const toggle = () => {
          if (sortCol === key) sortDir = sortDir === "asc" ? "desc" : "asc";
          else {
            sortCol = key;
            sortDir = "asc";
          }
          draw();
        };
        th.addEventListener("click", toggle);
        th.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            toggle();
          }
        });
        head.append(th);
      }
      table.append(head);
      for (const s of ordered) {
        const tr = h("tr");
        tr.append(cell("td", "el-score-name", label(s)), cell("td", "el-score-value", valueText(s.value)));
        table.append(tr);
      }
      wrap.append(table);
    } else {
      for (const s of ordered) {
        const chip = h("span", layout === "chips" ? "el-chip" : "el-score-item");
        chip.append(cell("span", "el-chip-name", label(s)), cell("span", "el-chip-value", valueText(s.value)));
        wrap.append(chip);
      }
    }
  };
  draw();
  return wrap;
}
