// Where one action's time goes: a few timestamps along its path (a header pressed → the
// request sent → the kernel's marks → the reply received, decoded → rows drawn → the next
// frame), kept on the widget's root as `data-trace` for the benchmarks to read. A handful of
// `performance.now()` calls and one attribute per action: always on.

/** Milliseconds on the page's `performance.now()` clock, by the step reached. */
export type Marks = Record<string, number>;

export class Trace {
  private marks: Marks = {};
  /** An action is on its way (started by the user, not yet painted). */
  private open = false;
  /** Rows shown ahead of the kernel (a preview): its next message confirms them. */
  private confirming = false;

  constructor(private readonly el: HTMLElement) {}

  /** A new action starts at `at` (an event's `timeStamp`, same clock as `performance.now()`). */
  start(step: string, at = performance.now()): void {
    this.marks = { [step]: at };
    this.open = true;
  }

  /** The action reached `step` (the first time counts). */
  mark(step: string, at = performance.now()): void {
    if (!(step in this.marks)) this.marks[step] = at;
  }

  /** The open action goes on to `step` if it has reached `after` and not `step` yet; any
   * other way `step` starts a new one (a header activated by keyboard has no press). */
  next(step: string, after: string): void {
    if (this.open && after in this.marks && !(step in this.marks)) this.mark(step);
    else this.start(step);
  }

  /** A message from the kernel arrived: it belongs to the open action when that one sent
   * something, else it starts its own (a linked widget's click arrives this way). */
  received(): void {
    if (this.confirming) {
      this.confirming = false;
      this.open = true;
      this.mark("confirmed"); // the same action: its marks so far stand
      return;
    }
    if (!this.open || !("sent" in this.marks)) this.start("received");
    else this.mark("received");
  }

  /** The kernel's own marks, on its wall clock (ms since the epoch): same machine, same time. */
  kernel(marks: Marks | undefined): void {
    for (const [step, ms] of Object.entries(marks ?? {})) this.mark(`kernel_${step}`, ms - performance.timeOrigin);
  }

  /** The rows drawn were shown ahead of the kernel: its next message is their confirmation,
   * noted on this action (`false`: no confirmation is coming). */
  awaitConfirm(waiting = true): void {
    this.confirming = waiting;
  }

  /** The rows are drawn: the action ends with the frame that paints them. */
  drawn(): void {
    this.mark("drawn");
    this.open = false;
    const marks = this.marks;
    requestAnimationFrame(() => {
      marks.frame ??= performance.now();
      this.el.dataset.trace = JSON.stringify(marks);
    });
  }
}
