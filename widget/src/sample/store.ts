// The messages on hand for one revision of one sample, in pages of PAGE. Pages are asked for
// as the user scrolls, answers for another revision are dropped, and pages far from where the
// user is are let go, so a sample with 100k messages keeps a few hundred in memory.
import type { FetchMessages, Message, MessagesReply } from "./types";

export const PAGE = 50;
/** Pages kept at most; beyond it, those farthest from the screen go. */
const MAX_PAGES = 8;
/** A page whose request failed (no kernel, a timeout) is not asked for again sooner. */
const RETRY_MS = 4000;

export class MessageStore {
  private readonly pages = new Map<number, (Message | undefined)[]>();
  private readonly pending = new Set<number>();
  private readonly failedAt = new Map<number, number>();
  private disposed = false;

  constructor(
    readonly revision: number,
    readonly count: number,
    initial: Message[],
    private readonly fetch: FetchMessages,
  ) {
    this.put(initial);
  }

  get(index: number): Message | undefined {
    return this.pages.get(Math.floor(index / PAGE))?.[index % PAGE];
  }

  /** Pages held now (the tests watch memory stay bounded). */
  get pageCount(): number {
    return this.pages.size;
  }

  /** Whether page p's request failed a moment ago (its messages say so rather than wait). */
  failing(page: number): boolean {
    const at = this.failedAt.get(page);
    return at !== undefined && Date.now() - at < RETRY_MS;
  }

  /** Pages that messages first..last need and nobody has asked for: those on screen, then
   * one page either side so a small scroll finds its messages there. */
  missing(first: number, last: number): number[] {
    if (this.count === 0) return [];
    const lastPage = Math.floor((this.count - 1) / PAGE);
    const from = Math.floor(Math.max(0, first) / PAGE);
    const to = Math.min(lastPage, Math.floor(Math.max(0, last) / PAGE));
    const wanted: number[] = [];
    for (let p = from; p <= to; p++) wanted.push(p);
    if (to + 1 <= lastPage) wanted.push(to + 1);
    if (from - 1 >= 0) wanted.push(from - 1);
    return wanted.filter((p) => !this.complete(p) && !this.pending.has(p) && !this.failing(p));
  }

  /** Ask for page p. Resolves true when its messages are on hand, false when the answer was
   * dropped or none came (the page is then not asked for again for a moment). */
  async load(page: number): Promise<boolean> {
    this.pending.add(page);
    const offset = page * PAGE;
    let reply: MessagesReply | null = null;
    try {
      reply = await this.fetch(offset, Math.min(PAGE, this.count - offset));
    } catch {
      // no kernel, or it did not answer in time: retried after RETRY_MS
    }
    this.pending.delete(page);
    if (this.disposed) return false;
    // An answer for another revision holds another sample's messages: dropped, and treated
    // as a failure so a kernel that keeps sending them is not asked again at once.
    if (!reply || reply.revision !== this.revision) {
      this.failedAt.set(page, Date.now());
      return false;
    }
    this.failedAt.delete(page);
    this.put(reply.messages ?? []);
    return true;
  }

  /** Let go of pages beyond MAX_PAGES, farthest from `center` first, never those in `keep`. */
  evict(center: number, keep: Set<number>): void {
    if (this.pages.size <= MAX_PAGES) return;
    const centerPage = Math.floor(center / PAGE);
    const far = [...this.pages.keys()]
      .filter((p) => !keep.has(p))
      .sort((a, b) => Math.abs(b - centerPage) - Math.abs(a - centerPage));
    for (const p of far) {
      if (this.pages.size <= MAX_PAGES) break;
      this.pages.delete(p);
    }
  }

  /** Stop: answers still on their way are dropped. */
  dispose(): void {
    this.disposed = true;
  }

  private complete(page: number): boolean {
    const held = this.pages.get(page);
    if (!held) return false;
    const size = Math.min(PAGE, this.count - page * PAGE);
    for (let i = 0; i < size; i++) if (!held[i]) return false;
    return true;
  }

  /** Each message goes where its own index says (not where the reply's offset puts it). */
  private put(messages: Message[]): void {
    for (const m of messages) {
      if (!Number.isInteger(m.index) || m.index < 0 || m.index >= this.count) continue;
      const page = Math.floor(m.index / PAGE);
      let held = this.pages.get(page);
      if (!held) {
        held = [];
        this.pages.set(page, held);
      }
      held[m.index % PAGE] = m;
    }
  }
}
