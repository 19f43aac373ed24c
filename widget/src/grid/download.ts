// The toolbar's Download button: the rows in view, as the kernel writes them to CSV
// (grid.export's own bytes), saved by the browser from memory. Nothing leaves the machine.
import { h } from "../shared/model";
import type { Notice } from "./notice";
import type { GridQuery } from "./query";

const fmt = (n: number) => n.toLocaleString("en-US");

export class DownloadButton {
  readonly el = h("button", "el-menu-toggle el-download", "Download CSV");
  private busy = false;

  constructor(
    private readonly query: GridQuery,
    private readonly notice: Notice,
    private readonly fileName = "samples.csv",
  ) {
    this.el.title = "Save the rows in view (filters, search and sort applied) as CSV";
    this.el.addEventListener("click", () => void this.download());
  }

  async download(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.el.disabled = true;
    try {
      const { rows, limit, bytes } = await this.query.csv();
      if (bytes === null) {
        this.notice.say(
          `${fmt(rows)} rows are more than a browser download takes (${fmt(limit)}): ` +
            `in Python, grid.export("samples.parquet") writes them all (or .csv, .jsonl).`,
        );
        return;
      }
      // A copy in a plain ArrayBuffer (the message's may be shared).
      const part = new Uint8Array(bytes.byteLength);
      part.set(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      const url = URL.createObjectURL(new Blob([part], { type: "text/csv;charset=utf-8" }));
      const link = h("a");
      link.href = url;
      link.download = this.fileName;
      link.hidden = true;
      document.body.append(link);
      link.click();
      link.remove();
      // The browser has the bytes once the click is handled; free them after.
      window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.notice.refuse("downloading", err);
    } finally {
      this.busy = false;
      this.el.disabled = false;
    }
  }
}
