// How many samples show (of how many, and how many are selected), and the message in place
// of rows when none do.
import { h } from "../shared/model";

const fmt = (n: number) => n.toLocaleString("en-US");

export class StatusLine {
  readonly el = h("span", "el-status");
  /** Shown over the empty rows' area. */
  readonly empty = h("div", "el-empty");

  constructor() {
    this.el.setAttribute("role", "status");
    this.empty.hidden = true;
  }

  show(count: number, total: number, selected: number): void {
    let text = count === total ? `${fmt(total)} samples` : `${fmt(count)} of ${fmt(total)} samples`;
    if (selected) text += ` · ${fmt(selected)} selected`;
    this.el.textContent = text;
    this.empty.hidden = count > 0;
    this.empty.textContent = total === 0 ? "No samples to show." : "No samples match the current filters.";
  }
}
