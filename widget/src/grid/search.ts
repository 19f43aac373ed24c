// The search box: what is typed is searched for (in input, target, answer and id) by the
// kernel once typing pauses; a search the kernel never ran is taken back out of the box.
// Its "In transcripts" toggle makes the box a transcript search instead: a regular
// expression (polars' syntax) over every message of every sample (`transcript_search`).
import type { AnyModel } from "@anywidget/types";
import { h } from "../shared/model";
import type { ViewEditor } from "./editor";
import type { GridQuery } from "./query";
import type { GridState, ViewEdit } from "./types";

/** Typing pauses this long before the kernel is asked: one search per word, not per key. */
const PAUSE_MS = 200;
const PLACEHOLDER = "Search input, target, answer, id";
const TRANSCRIPT_PLACEHOLDER = "Regex in every message, e.g. (?i)error";
const fmt = (n: number) => n.toLocaleString("en-US");

export class SearchBox {
  readonly el = h("span", "el-search-box");
  readonly input = h("input", "el-search");
  private readonly mode = h("button", "el-search-mode", "In transcripts");
  /** Says which samples a transcript search could not read. */
  private readonly note = h("span", "el-search-note");
  private timer = 0;
  /** Typing goes to `transcript_search` (else to `search`). */
  private transcripts = false;

  constructor(
    private readonly model: AnyModel<GridState>,
    private readonly editor: ViewEditor,
    private readonly query: GridQuery,
  ) {
    this.input.type = "search";
    this.input.setAttribute("aria-label", "Search samples");
    this.mode.type = "button";
    this.mode.title =
      "Search every message of every sample with a regular expression (Rust regex syntax, " +
      "case-sensitive; start with (?i) to ignore case). Opening a sample shows its first hit.";
    this.note.setAttribute("role", "note");
    this.el.append(this.input, this.mode, this.note);
    this.input.addEventListener("input", () => {
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => this.send(), PAUSE_MS);
    });
    this.mode.addEventListener("click", () => this.toggle());
    this.follow();
  }

  /** The searches changed in the kernel (set from Python, or by this box). */
  follow(): void {
    const transcript = this.model.get("transcript_search");
    if (transcript) this.transcripts = true;
    else if (this.model.get("search")) this.transcripts = false;
    const value = this.transcripts ? transcript : this.model.get("search");
    if (this.input.value !== value) this.input.value = value;
    this.input.removeAttribute("aria-invalid");
    this.render();
  }

  /** The mode's button, the placeholder and the note, as the mode and the kernel say. */
  private render(): void {
    this.mode.setAttribute("aria-pressed", String(this.transcripts));
    this.mode.classList.toggle("el-on", this.transcripts);
    this.input.placeholder = this.transcripts ? TRANSCRIPT_PLACEHOLDER : PLACEHOLDER;
    this.input.setAttribute("aria-label", this.transcripts ? "Search transcripts (regex)" : "Search samples");
    const info = this.model.get("_transcript_info");
    const missed = this.model.get("transcript_search") && info ? info.unsearched : 0;
    this.note.hidden = !missed;
    this.note.textContent = missed
      ? `${fmt(missed)} of ${fmt(missed + (info?.searched ?? 0))} samples not searched: their logs are not on this machine`
      : "";
  }

  /** Switch between searching fields and transcripts, taking the typed text along. */
  private toggle(): void {
    window.clearTimeout(this.timer);
    this.transcripts = !this.transcripts;
    this.render();
    const text = this.input.value;
    const edit: ViewEdit = this.transcripts
      ? { search: "", transcript_search: text }
      : { transcript_search: "", search: text };
    void this.editor.change(edit, "searching").then((ok) => {
      if (ok) return;
      this.transcripts = !this.transcripts;
      this.render();
    });
  }

  private send(): void {
    const text = this.input.value;
    const transcripts = this.transcripts;
    const edit: ViewEdit = transcripts ? { transcript_search: text } : { search: text };
    void this.editor.change(edit, transcripts ? "searching transcripts" : "searching").then((ok) => {
      if (ok || this.input.value !== text) return; // typing went on: the next search decides
      // A pattern the kernel refused stays in the box to be fixed (the notice says where);
      // otherwise nothing was searched, and the box must not claim otherwise.
      if (transcripts && this.query.kernel.live !== false) this.input.setAttribute("aria-invalid", "true");
      else this.follow();
    });
  }
}
