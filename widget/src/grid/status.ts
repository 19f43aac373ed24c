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

  /** `unit`: what a row is (samples; a comparison's rows are pairs). */
  show(count: number, total: number, selected: number, unit = "samples"): void {
    let text = count === total ? `${fmt(total)} ${unit}` : `${fmt(count)} of ${fmt(total)} ${unit}`;
    if (selected) text += ` · ${fmt(selected)} selected`;
    this.el.textContent = text;
    this.empty.hidden = count > 0;
    this.empty.textContent = total === 0 ? `No ${unit} to show.` : `No ${unit} match the current filters.`;
  }
}
