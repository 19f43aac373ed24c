// One sample in full, as an element any host can hold: the SampleView widget (index.ts) and,
// later, the grid's detail panel. It needs the sample's head, its first messages and a way to
// fetch more; it knows nothing of anywidget. Previous/next sample belong to the host: the
// view only asks, by a bubbling "evallens-sample-nav" event (and `onNavigate`).
import { h } from "../shared/model";
import { section } from "./blocks";
import { renderError, renderInfo, renderLimit, renderMetadata, renderSummary } from "./facts";
import { MessageList } from "./list";
import { renderScans } from "./scans";
import { renderScoring } from "./scoring";
import { MessageStore } from "./store";
import { plainText, type TextContext } from "./text";
import type { FetchMessages, Message, SampleHead } from "./types";

export const NAV_EVENT = "evallens-sample-nav";

/** The detail of NAV_EVENT: the previous (-1) or next (1) sample. */
export interface SampleNavDetail {
  dir: -1 | 1;
}

export interface SampleViewOptions {
  head: SampleHead;
  /** The first window of messages (the kernel sends up to 50). */
  messages: Message[];
  /** The sample's revision: answers from `fetchMessages` for another are dropped. */
  revision: number;
  fetchMessages: FetchMessages;
  /** Show the Previous / Next sample buttons (a host that can navigate). */
  navigation?: boolean;
  /** Called with the NAV_EVENT's direction. */
  onNavigate?: (dir: -1 | 1) => void;
}

/** Keys that are typed, not commands, in these elements. */
function typing(target: EventTarget | null): boolean {
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

export class SampleViewEl {
  readonly el = h("div", "el-sample");
  private readonly header = h("div", "el-sv-header");
  private readonly title = h("span", "el-sv-title");
  private readonly prevButton = h("button", "el-sv-nav", "Previous sample");
  private readonly nextButton = h("button", "el-sv-nav", "Next sample");
  private readonly body = h("div", "el-sv-body");
  private store: MessageStore;
  private readonly list: MessageList;
  private head: SampleHead;

  constructor(private readonly opts: SampleViewOptions) {
    this.head = opts.head;
    this.el.tabIndex = -1;
    for (const [button, dir] of [
      [this.prevButton, -1],
      [this.nextButton, 1],
    ] as const) {
      button.type = "button";
      button.hidden = !opts.navigation;
      button.addEventListener("click", () => this.navigate(dir));
    }
    this.prevButton.title = "Previous sample ([ or p)";
    this.nextButton.title = "Next sample (] or n)";
    this.header.append(this.title, this.prevButton, this.nextButton);
    this.el.append(this.header, this.body);
    this.el.addEventListener("keydown", (e) => this.onKey(e));
    this.store = this.newStore(opts.messages, opts.revision);
    this.list = new MessageList(this.store, this.context());
    this.build();
  }

  /** Show another sample, or the same one at a new revision. */
  show(head: SampleHead, messages: Message[], revision: number): void {
    this.store.dispose();
    this.head = head;
    this.store = this.newStore(messages, revision);
    this.list.reset(this.store, this.context());
    this.build();
  }

  /** Enable or disable the navigation buttons (null: hide them). */
  setNavigation(state: { previous: boolean; next: boolean } | null): void {
    this.prevButton.hidden = this.nextButton.hidden = state === null;
    this.prevButton.disabled = !state?.previous;
    this.nextButton.disabled = !state?.next;
  }

  /** Bring message `index` into view and flash it (what a citation does). */
  reveal(index: number): void {
    this.list.show(index);
  }

  /** A search's first hit: scroll to message `index`, mark it and the `matches` in it (as text). */
  markHit(index: number, matches: readonly string[]): void {
    this.list.markHit(index, matches);
  }

  /** Message indices in the DOM now. */
  get drawnMessages(): number[] {
    return this.list.drawnIndices;
  }

  /** Pages of messages held now. */
  get pagesHeld(): number {
    return this.store.pageCount;
  }

  dispose(): void {
    this.store.dispose();
    this.list.dispose();
    this.el.remove();
  }

  private newStore(messages: Message[], revision: number): MessageStore {
    return new MessageStore(revision, this.head.message_count ?? 0, messages ?? [], this.opts.fetchMessages);
  }

  private context(): TextContext {
    return {
      trust: this.head.trust_content !== false,
      count: this.head.message_count ?? 0,
      cite: (index) => this.cite(index),
    };
  }

  /** Lay out every section the sample has, then draw the messages on screen. */
  private build(): void {
    const head = this.head;
    const ctx = this.context();
    const epoch = head.epoch > 1 ? ` (epoch ${head.epoch})` : "";
    this.title.replaceChildren("Sample ", plainText(`${head.id ?? ""}${epoch}`, ctx.trust));
    const sections: HTMLElement[] = [renderSummary(head)];
    if (!ctx.trust) {
      sections.push(h("div", "el-sv-untrusted", "This log's content is not trusted: shown as plain text."));
    }
    if (head.error) sections.push(section("error", "Error", renderError(head.error, ctx.trust)));
    if (head.limit) sections.push(section("limit", "Limit", renderLimit(head.limit, ctx.trust)));
    const count = head.message_count ?? 0;
    if (count > 0) {
      const title = `Messages (${count.toLocaleString("en-US")})`;
      sections.push(section("messages", title, this.list.scroller));
    }
    if (head.scores?.length) {
      sections.push(section("scoring", "Scoring", renderScoring(head.scores, head.sample_score_view, ctx)));
    }
    if (head.scans?.length) sections.push(section("scans", "Scans", renderScans(head.scans, ctx)));
    if (head.metadata && Object.keys(head.metadata).length) {
      sections.push(section("metadata", "Metadata", renderMetadata(head.metadata, ctx.trust)));
    }
    const info = head.info ? renderInfo(head.info, ctx.trust) : null;
    if (info) sections.push(section("info", "Info", info));
    this.body.replaceChildren(...sections);
    this.list.render();
  }

  /** A citation: the message in the Messages section, and that section on the page (a
   * citation in Scoring sits below it). */
  private cite(index: number): void {
    this.list.show(index);
    const scroller = this.list.scroller;
    if (typeof scroller.scrollIntoView === "function") scroller.scrollIntoView({ block: "nearest" });
  }

  private navigate(dir: -1 | 1): void {
    this.el.dispatchEvent(
      new CustomEvent<SampleNavDetail>(NAV_EVENT, { detail: { dir }, bubbles: true, composed: true }),
    );
    this.opts.onNavigate?.(dir);
  }

  private onKey(e: KeyboardEvent): void {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    const action: Record<string, () => void> = {
      j: () => this.list.step(1),
      ArrowDown: () => this.list.step(1),
      k: () => this.list.step(-1),
      ArrowUp: () => this.list.step(-1),
      "[": () => this.navigate(-1),
      p: () => this.navigate(-1),
      "]": () => this.navigate(1),
      n: () => this.navigate(1),
    };
    const run = action[e.key];
    if (!run) return;
    e.preventDefault();
    e.stopPropagation();
    run();
  }
}
