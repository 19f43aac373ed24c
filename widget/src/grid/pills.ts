// A grouped row's epochs (SampleGrid.group_epochs): the primary score's value in each epoch,
// in order, as small pills painted exactly as that score's cells are (paint.ts). The kernel
// sends them as JSON text (a list); each value goes in as text, never as HTML.
import type { Cell } from "../shared/arrow";
import { h } from "../shared/model";
import type { Theme } from "../shared/theme";
import { paintCell, roleBackground } from "./paint";
import type { ColumnDef, ScaleSpec } from "./types";

/** The epochs' values from the cell's JSON text (null: not a list, e.g. cut short). */
export function epochValues(text: Cell): Cell[] | null {
  if (typeof text !== "string") return null;
  try {
    const values: unknown = JSON.parse(text);
    if (!Array.isArray(values)) return null;
    return values.map((v) => (typeof v === "number" || typeof v === "string" || typeof v === "boolean" ? v : null));
  } catch {
    return null;
  }
}

/** Fill `span` with one pill per epoch; missing epochs show as an empty muted pill. */
export function fillPills(
  span: HTMLElement,
  def: ColumnDef,
  text: Cell,
  scales: Record<string, ScaleSpec>,
  colours: boolean,
  theme: Theme,
): void {
  const values = epochValues(text);
  span.className = "el-epoch-pills";
  if (values === null) {
    span.textContent = typeof text === "string" ? text : "";
    return;
  }
  const pills = values.map((value, i) => {
    const pill = h("span", "el-epoch-pill");
    const paint = paintCell(def, value, scales, colours, theme);
    pill.textContent = value === null ? "" : String(value);
    pill.title = `epoch ${i + 1}: ${value === null ? "missing" : String(value)}`;
    if (paint && "pill" in paint) pill.style.background = roleBackground(paint.pill, theme);
    else if (paint) pill.style.background = paint.background;
    else if (value === null) pill.classList.add("el-epoch-missing");
    return pill;
  });
  span.replaceChildren(...pills);
}
