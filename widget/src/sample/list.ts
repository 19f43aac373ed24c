// The Messages section: a virtual list. Only the messages on screen (and a margin) are in the
// DOM; heights are estimated until drawn, then measured, and the message at the top of the
// screen stays put when measurements above it change. Pages of messages are asked for as the
// user scrolls and let go when far away (store.ts).
import { h } from "../shared/model";
import { Heights } from "./heights";
import { highlightMatches } from "./highlight";
import { LONG, messageLabel, renderMessage } from "./message";
import { canvasHeight, type Extent, physicalTop, virtualTop } from "./scale";
import { type MessageStore, PAGE } from "./store";
import type { TextContext } from "./text";
import type { Message } from "./types";

/** Height of a message never drawn or loaded, px. */
const UNKNOWN_HEIGHT = 96;
/** Drawn beyond each edge of the screen, px, so a small scroll shows no gap. */
const OVERSCAN = 400;
/** The screen's height when the page reports none (hidden, or no layout as in tests). */
const FALLBACK_VIEWPORT = 480;
/** A revealed message sits this far below the top edge. */
const REVEAL_MARGIN = 8;
const FLASH_MS = 1600;
/** Measure-and-adjust rounds per paint: measurements move what is on screen only so often. */
const PASSES = 3;

/** A loaded message's likely height before it is drawn: its text at ~100 characters a line. */
export function estimateHeight(msg: Message, expanded: boolean): number {
  const chars = msg.chars > LONG && !expanded ? 1400 : (msg.chars ?? 0);
  const lines = Math.ceil(chars / 100) + (msg.parts?.length ?? 0) + 3 * (msg.tool_calls?.length ?? 0);
  return Math.min(40 + 19 * lines, 4000);
}

interface Reveal {
  index: number;
  /** Citations flash the message; keyboard steps focus it. */
  how: "flash" | "focus";
}

export class MessageList {
  readonly scroller = h("div", "el-sv-scroller");
  private readonly canvas = h("div", "el-sv-canvas");
  private readonly layer = h("div", "el-sv-layer");
  private heights: Heights;
  private readonly drawn = new Map<number, HTMLElement>();
  /** Messages the user expanded ("show more"); kept while the sample is shown. */
  private readonly expanded = new Set<number>();
  private reveal: Reveal | null = null;
  /** The search hit shown: its message is marked, and what matched in it. */
  private hit: { index: number; matches: readonly string[] } | null = null;
  /** The message j/k last moved to (-1: none yet). */
  private current = -1;
  private frame = 0;
  /** Where the view last scrolled itself: a scroll elsewhere is the user's. */
  private ownScrollTop = -1;
  private readonly resize: ResizeObserver | null;
  private readonly timers = new Set<number>();

  constructor(
    private store: MessageStore,
    private ctx: TextContext,
  ) {
    this.heights = new Heights(store.count, UNKNOWN_HEIGHT);
    this.scroller.tabIndex = 0;
    this.scroller.setAttribute("role", "feed");
    this.scroller.setAttribute("aria-label", "Messages");
    this.canvas.append(this.layer);
    this.scroller.append(this.canvas);
    this.scroller.addEventListener("scroll", () => {
      // The user scrolled: a pending reveal gives way, and j/k start again from the top.
      if (Math.abs(this.scroller.scrollTop - this.ownScrollTop) > 1) {
        this.reveal = null;
        this.current = -1;
      }
      this.schedule();
    });
    // Reasoning opened, an image decoded: the message's height changed.
    this.layer.addEventListener("toggle", () => this.schedule(), true);
    this.layer.addEventListener("load", () => this.schedule(), true);
    this.resize = typeof ResizeObserver === "undefined" ? null : new ResizeObserver(() => this.schedule());
    this.resize?.observe(this.scroller);
  }

  /** Messages in the DOM now, by index (the tests count them). */
  get drawnIndices(): number[] {
    return [...this.drawn.keys()].sort((a, b) => a - b);
  }

  /** Another sample (or revision): a new store, nothing drawn kept. */
  reset(store: MessageStore, ctx: TextContext): void {
    this.store = store;
    this.ctx = ctx;
    this.heights = new Heights(store.count, UNKNOWN_HEIGHT);
    this.expanded.clear();
    this.reveal = null;
    this.hit = null;
    this.current = -1;
    for (const el of this.drawn.values()) el.remove();
    this.drawn.clear();
    this.scrollTo(0);
    this.render();
  }

  /** Scroll message `index` into view (asking for its page if needed) and flash it. */
  show(index: number, how: Reveal["how"] = "flash"): void {
    if (index < 0 || index >= this.store.count) return;
    this.reveal = { index, how };
    this.current = index;
    this.render();
  }

  /** A search's hit: message `index` drawn in full with `matches` marked, scrolled to. */
  markHit(index: number, matches: readonly string[]): void {
    if (index < 0 || index >= this.store.count) return;
    this.hit = { index, matches };
    this.expanded.add(index); // a match may lie beyond a long message's preview
    const el = this.drawn.get(index);
    if (el) {
      this.resize?.unobserve(el);
      el.remove();
      this.drawn.delete(index);
    }
    this.show(index);
  }

  /** Move to the next (1) or previous (-1) message, from the one at the top if none yet. */
  step(dir: 1 | -1): void {
    if (this.store.count === 0) return;
    const from = this.current >= 0 ? this.current : this.heights.indexAt(this.top()) - (dir > 0 ? 1 : 0);
    this.show(Math.max(0, Math.min(this.store.count - 1, from + dir)), "focus");
  }

  /** Draw after the next frame (scrolling fires many events per frame). */
  schedule(): void {
    if (this.frame) return;
    const run = () => {
      this.frame = 0;
      this.render();
    };
    this.frame = typeof requestAnimationFrame === "function" ? requestAnimationFrame(run) : window.setTimeout(run, 16);
  }

  /** Draw the messages on screen now. */
  render(): void {
    const count = this.store.count;
    let extent = this.resizeCanvas();
    let first = 0;
    let last = -1;
    let top = 0;
    for (let pass = 0; pass < PASSES && count > 0; pass++) {
      if (this.reveal) this.scrollTo(physicalTop(this.revealTop(this.reveal.index), extent));
      top = this.top(extent);
      const anchor = this.heights.indexAt(top);
      const anchorDelta = top - this.heights.offset(anchor);
      first = this.heights.indexAt(Math.max(0, top - OVERSCAN));
      last = this.heights.indexAt(top + extent.viewport + OVERSCAN);
      let changed = this.draw(first, last);
      this.place(first, top);
      changed = this.measure() || changed;
      if (!changed) break;
      // Heights above the top message changed: scroll so that it stays where it was.
      extent = this.resizeCanvas();
      this.scrollTo(physicalTop(this.heights.offset(anchor) + anchorDelta, extent));
      top = this.top(extent);
      this.place(first, top);
    }
    if (count === 0) return;
    const onScreenFirst = this.heights.indexAt(top);
    const onScreenLast = this.heights.indexAt(top + extent.viewport);
    for (const page of this.store.missing(onScreenFirst, onScreenLast)) {
      void this.store.load(page).then(() => this.schedule());
    }
    const keep = new Set<number>();
    for (let p = Math.floor(first / PAGE) - 1; p <= Math.floor(last / PAGE) + 1; p++) keep.add(p);
    this.store.evict(onScreenFirst, keep);
    this.finishReveal();
  }

  dispose(): void {
    if (this.frame) {
      if (typeof cancelAnimationFrame === "function") cancelAnimationFrame(this.frame);
      window.clearTimeout(this.frame);
    }
    for (const t of this.timers) window.clearTimeout(t);
    this.resize?.disconnect();
  }

  /** Size the canvas for the heights as they are now. */
  private resizeCanvas(): Extent {
    const extent = this.extent();
    this.canvas.style.height = `${canvasHeight(extent)}px`;
    return extent;
  }

  private extent(): Extent {
    return { total: this.heights.total, viewport: this.scroller.clientHeight || FALLBACK_VIEWPORT };
  }

  /** The first virtual pixel on screen. */
  private top(extent: Extent = this.extent()): number {
    return virtualTop(this.scroller.scrollTop, extent);
  }

  private revealTop(index: number): number {
    return Math.max(0, this.heights.offset(index) - REVEAL_MARGIN);
  }

  private scrollTo(scrollTop: number): void {
    this.scroller.scrollTop = scrollTop;
    this.ownScrollTop = this.scroller.scrollTop;
  }

  /** Make the DOM hold exactly messages first..last. True when an estimate changed. */
  private draw(first: number, last: number): boolean {
    let changed = false;
    for (const [i, el] of this.drawn) {
      if (i < first || i > last) {
        this.resize?.unobserve(el);
        el.remove();
        this.drawn.delete(i);
      }
    }
    const ordered: HTMLElement[] = [];
    for (let i = first; i <= last; i++) {
      const msg = this.store.get(i);
      let el = this.drawn.get(i);
      const kind = msg ? "message" : this.store.failing(Math.floor(i / PAGE)) ? "failed" : "loading";
      if (!el || el.dataset.kind !== kind) {
        if (el) {
          this.resize?.unobserve(el);
          el.remove();
        }
        el = msg ? this.message(msg) : this.placeholder(i, kind === "failed");
        el.dataset.kind = kind;
        this.drawn.set(i, el);
        this.resize?.observe(el);
      }
      if (msg && !this.heights.measured(i)) {
        changed = this.heights.set(i, estimateHeight(msg, this.expanded.has(i)), false) || changed;
      }
      if (!msg) el.style.height = `${this.heights.get(i)}px`;
      ordered.push(el);
    }
    // Only new messages go in: moving one already in place (as replaceChildren would)
    // makes the browser style and lay it out again, every frame of a scroll.
    let next = this.layer.firstElementChild;
    for (const el of ordered) {
      if (el === next) next = next.nextElementSibling;
      else this.layer.insertBefore(el, next);
    }
    while (next) {
      const after = next.nextElementSibling;
      next.remove();
      next = after;
    }
    return changed;
  }

  /** Put the layer so message `first` sits at its virtual offset relative to the screen. */
  private place(first: number, top: number): void {
    const y = this.scroller.scrollTop + this.heights.offset(first) - top;
    this.layer.style.transform = `translateY(${Math.round(y)}px)`;
  }

  /** Read the drawn messages' heights. True when any changed. */
  private measure(): boolean {
    let changed = false;
    for (const [i, el] of this.drawn) {
      if (el.dataset.kind !== "message") continue;
      const height = el.offsetHeight;
      // No layout (a hidden page, or tests): keep the estimate.
      if (height > 0 && Math.abs(height - this.heights.get(i)) > 0.5) {
        changed = this.heights.set(i, height, true) || changed;
      }
    }
    return changed;
  }

  private message(msg: Message): HTMLElement {
    const el = renderMessage(msg, {
      ctx: this.ctx,
      expanded: this.expanded.has(msg.index),
      toggle: (index) => this.toggle(index),
      callIndex: (id, before) => this.callIndex(id, before),
    });
    if (this.hit?.index === msg.index) {
      el.classList.add("el-sv-hit");
      const body = el.querySelector<HTMLElement>(".el-sv-msg-body");
      if (body) highlightMatches(body, this.hit.matches);
    }
    return el;
  }

  private placeholder(index: number, failed: boolean): HTMLElement {
    const el = h("div", "el-sv-msg el-sv-placeholder");
    el.dataset.index = String(index);
    el.append(
      h("span", "el-sv-num", messageLabel(index)),
      h("span", "el-sv-muted", failed ? "Could not load this message (is the kernel running?)" : "Loading…"),
    );
    return el;
  }

  /** Show more / show less: the message is drawn again, at the top of its old place. */
  private toggle(index: number): void {
    if (this.expanded.has(index)) this.expanded.delete(index);
    else this.expanded.add(index);
    const el = this.drawn.get(index);
    if (el) {
      this.resize?.unobserve(el);
      el.remove();
      this.drawn.delete(index);
    }
    const msg = this.store.get(index);
    if (msg) this.heights.set(index, estimateHeight(msg, this.expanded.has(index)), false);
    this.render();
  }

  /** The assistant message (on hand, within a page before `before`) that made call `id`. */
  private callIndex(id: string, before: number): number | null {
    for (let i = before - 1; i >= Math.max(0, before - PAGE); i--) {
      if (this.store.get(i)?.tool_calls?.some((c) => c.id === id)) return i;
    }
    return null;
  }

  /** The revealed message is on hand and drawn: flash or focus it, and stop holding it. */
  private finishReveal(): void {
    const reveal = this.reveal;
    if (!reveal) return;
    const el = this.drawn.get(reveal.index);
    if (el?.dataset.kind !== "message") return;
    this.reveal = null;
    for (const other of this.layer.querySelectorAll(".el-sv-current")) other.classList.remove("el-sv-current");
    el.classList.add("el-sv-current");
    if (reveal.how === "focus") el.focus({ preventScroll: true });
    el.classList.remove("el-sv-flash");
    // Restart the fade when the same message is cited twice in a row.
    void el.offsetWidth;
    el.classList.add("el-sv-flash");
    const timer = window.setTimeout(() => {
      el.classList.remove("el-sv-flash");
      this.timers.delete(timer);
    }, FLASH_MS);
    this.timers.add(timer);
  }
}
