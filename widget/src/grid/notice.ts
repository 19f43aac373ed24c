// The line under the toolbar that says why something did not happen: the kernel does not
// answer, or it refused. It goes once the kernel is heard from again or an edit succeeds.
import { h } from "../shared/model";
import { NoAnswer } from "../shared/rpc";

export class Notice {
  readonly el = h("div", "el-notice");

  constructor() {
    this.el.hidden = true;
  }

  /** The user's `action` (e.g. "sorting") could not be done: say why, and that nothing changed. */
  refuse(action: string, err: unknown): void {
    const why =
      err instanceof NoAnswer
        ? `The kernel is not answering: ${action} needs it.`
        : `The kernel could not do it (${action}): ${err instanceof Error ? err.message : String(err)}.`;
    this.show(`${why} Nothing was changed.`);
  }

  /** Rows beyond those saved with the notebook cannot come. */
  offline(): void {
    this.show(
      "The kernel is not answering: showing the rows saved with the notebook. Scrolling further, sorting and filtering need a running kernel.",
    );
  }

  /** Any other message (text only). */
  say(text: string): void {
    this.show(text);
  }

  hide(): void {
    this.el.hidden = true;
  }

  private show(text: string): void {
    this.el.textContent = text;
    this.el.hidden = false;
  }
}
