// The toolbar's menus. View: multiline rows, compact scores, score colours, and a reset to
// the eval's view. Columns: show, hide and move columns, and reset them. Every change goes
// through the editor, which decides whether it needs the kernel.
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import type { Columns } from "./columns";
import type { ViewEditor } from "./editor";
import { shiftColumn } from "./edits";
import type { GridState } from "./types";

type Toggle =
  | "multiline"
  | "compact_scores"
  | "color_scales_enabled"
  | "histograms"
  | "group_epochs"
  | "epochs_disagree";

const TOGGLES: [Toggle, string][] = [
  ["multiline", "Multiline"],
  ["compact_scores", "Compact scores"],
  ["color_scales_enabled", "Score colors"],
  ["histograms", "Histograms"],
  ["group_epochs", "Group epochs"],
  ["epochs_disagree", "Epochs disagree"],
];

export class Menus {
  readonly el = h("div", "el-menus");
  private readonly toggles: [Toggle, HTMLInputElement][] = [];
  private readonly columnPanel: HTMLElement;

  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly columns: Columns,
    private readonly editor: ViewEditor,
    /** Breaks a column of objects out into a column per key (the kernel does it). */
    private readonly breakOut: (column: string) => Promise<void> = async () => {},
  ) {
    const [viewMenu] = this.menu("View", (panel) => this.fillView(panel), false);
    // Refilled each time it opens: the columns may have changed since.
    const [columnMenu, columnPanel] = this.menu("Columns", (panel) => this.fillColumns(panel), true);
    this.columnPanel = columnPanel;
    this.el.append(viewMenu, columnMenu);
  }

  /** The View menu's boxes follow the model. */
  sync(): void {
    for (const [name, box] of this.toggles) box.checked = this.model.get(name);
    // "Epochs disagree" filters grouped rows: offered while they show.
    for (const [name, box] of this.toggles)
      if (name === "epochs_disagree") box.disabled = !this.model.get("group_epochs");
  }

  /** The model's columns changed: an open Columns menu follows (an edit the kernel applied
   * lands here, not at the click). */
  columnsChanged(): void {
    if (!this.columnPanel.hidden) this.fillColumns(this.columnPanel);
  }

  /** A toggle button and its panel; opening one menu closes the others. */
  private menu(label: string, fill: (panel: HTMLElement) => void, refill: boolean): [HTMLElement, HTMLElement] {
    const wrap = h("div", "el-menu");
    const button = h("button", "el-menu-toggle", label);
    button.setAttribute("aria-haspopup", "true");
    button.setAttribute("aria-expanded", "false");
    const panel = h("div", "el-menu-panel");
    panel.hidden = true;
    panel.dataset.menu = label.toLowerCase();
    fill(panel);
    button.addEventListener("click", () => {
      const open = panel.hidden;
      for (const other of this.el.querySelectorAll<HTMLElement>(".el-menu-panel")) other.hidden = true;
      for (const b of this.el.querySelectorAll(".el-menu-toggle")) b.setAttribute("aria-expanded", "false");
      if (open && refill) fill(panel);
      panel.hidden = !open;
      button.setAttribute("aria-expanded", String(open));
    });
    panel.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        panel.hidden = true;
        button.focus();
      }
    });
    wrap.append(button, panel);
    return [wrap, panel];
  }

  private fillView(panel: HTMLElement): void {
    for (const [name, label] of TOGGLES) {
      const row = h("label", "el-menu-item");
      const box = h("input");
      box.type = "checkbox";
      box.dataset.option = name;
      box.addEventListener("change", () => void this.editor.change({ [name]: box.checked }, label.toLowerCase()));
      row.append(box, document.createTextNode(label));
      panel.append(row);
      this.toggles.push([name, box]);
    }
    const reset = h("button", "el-menu-button", "Reset view");
    reset.addEventListener("click", () => void this.resetView());
    panel.append(reset);
  }

  private fillColumns(panel: HTMLElement): void {
    panel.replaceChildren();
    const state = this.model.get("columns");
    // Metadata columns are many and rarely wanted: a group of their own, after the rest.
    const metadata = h("div", "el-menu-group");
    metadata.dataset.group = "metadata";
    state.forEach((c, i) => {
      const def = this.columns.defs.get(c.id);
      if (!def) return;
      const row = this.columnItem(c.id, c.visible, def.label, i, state.length);
      if (def.nested) {
        const split = h("button", "el-break-out", "Break out");
        split.setAttribute("aria-label", `Break out ${def.id}`);
        split.title = "A column for each key of the objects this column holds";
        split.addEventListener("click", () => {
          split.disabled = true;
          void this.breakOut(c.id).finally(() => {
            split.disabled = false;
          });
        });
        row.append(split);
      }
      (def.group === "metadata" ? metadata : panel).append(row);
    });
    if (metadata.childElementCount) {
      const heading = h("div", "el-menu-heading", `Metadata (${metadata.childElementCount})`);
      panel.append(heading, metadata);
    }
    const reset = h("button", "el-menu-button", "Reset columns");
    reset.addEventListener("click", () => {
      void this.editor.change({ columns: this.model.get("_default_view").columns }, "resetting the columns");
    });
    panel.append(reset);
  }

  /** One column's row: show it, move it up or down. */
  private columnItem(id: string, visible: boolean, label: string, i: number, count: number): HTMLElement {
    const def = this.columns.defs.get(id);
    const name = (def && this.columns.labelOf(def)) || label || id;
    const row = h("div", "el-menu-item el-column-item");
    row.dataset.column = id;
    const box = h("input");
    box.type = "checkbox";
    box.checked = visible;
    box.setAttribute("aria-label", `Show ${name}`);
    box.addEventListener("change", () => {
      const next = this.editor.current("columns").map((x) => (x.id === id ? { id: x.id, visible: box.checked } : x));
      const action = box.checked ? "showing a column" : "hiding a column";
      void this.editor.change({ columns: next }, action).then((ok) => {
        if (!ok) box.checked = !box.checked;
      });
    });
    const up = h("button", "el-move", "↑");
    up.setAttribute("aria-label", `Move ${id} up`);
    up.disabled = i === 0;
    up.addEventListener("click", () => this.shift(id, -1));
    const down = h("button", "el-move", "↓");
    down.setAttribute("aria-label", `Move ${id} down`);
    down.disabled = i === count - 1;
    down.addEventListener("click", () => this.shift(id, 1));
    row.append(box, h("span", "el-column-name", name), up, down);
    return row;
  }

  private shift(id: string, delta: number): void {
    const cols = shiftColumn(this.editor.current("columns"), id, delta);
    if (cols) void this.editor.change({ columns: cols }, "moving a column");
  }

  /** Back to the eval's view, through the kernel like any edit; then what this browser
   * saved is forgotten. */
  private async resetView(): Promise<void> {
    if (!(await this.editor.change(this.model.get("_default_view"), "resetting the view"))) return;
    this.editor.forgetSaved();
    this.columns.forgetWidths();
  }
}
