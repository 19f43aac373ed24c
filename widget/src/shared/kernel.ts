// Whether the kernel behind a widget answers. Asked once at render (a ping) and again
// whenever something needs the kernel while the last answer was "no": a busy kernel comes
// back, and a notebook reopened without one fails fast instead of after a long timeout.
import type { Rpc } from "./rpc";

export const PING_MS = 2000;

export class KernelLink {
  private answered: boolean | null = null;
  private probe: Promise<boolean> | null = null;

  /** `back` runs when the kernel is heard from again after it did not answer. */
  constructor(
    private readonly rpc: Rpc,
    back: () => void,
    private readonly pingMs = PING_MS,
  ) {
    rpc.heard(() => {
      const was = this.answered;
      this.answered = true;
      if (was === false) back();
    });
  }

  /** The last thing learned: true (answered), false (did not), null (not asked yet). */
  get live(): boolean | null {
    return this.answered;
  }

  /** Resolves true at once while the kernel answers; otherwise pings it (one ping at a time). */
  answers(): Promise<boolean> {
    if (this.answered) return Promise.resolve(true);
    this.probe ??= this.rpc
      .request("ping", {}, this.pingMs)
      .then(
        () => true,
        () => false,
      )
      .then((ok) => {
        this.probe = null;
        this.answered = ok;
        return ok;
      });
    return this.probe;
  }

  /** A request went unanswered: ask again before relying on the kernel. */
  lost(): void {
    this.answered = false;
  }
}
