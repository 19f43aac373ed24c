// A widget's model in a saved page: anywidget's model interface over plain values, with no
// kernel behind it. Setting a trait fires `change:<name>` as the widget manager does; custom
// messages the widget sends go to the page's answerer, whose replies come back as the
// kernel's would (later, never inside `send`).
import type { AnyModel } from "@anywidget/types";

type Handler = (...args: never[]) => void;
type Call = (...args: unknown[]) => void;

/** Answers a widget's custom messages in the page; `reply` sends one message back. */
export type Answerer = (content: Record<string, unknown>, reply: Reply) => void;
export type Reply = (content: object, buffers?: DataView[]) => void;

export class PageModel<S extends object> implements AnyModel<S> {
  readonly widget_manager = {
    get_model: (): Promise<never> => Promise.reject(new Error("a saved page has no other models")),
  };
  private readonly handlers = new Map<string, Call[]>();
  /** Who answers this widget's messages (none: they go unanswered, as to a lost kernel). */
  answerer: Answerer | null = null;

  constructor(private readonly state: S) {}

  get<K extends keyof S>(key: K): S[K] {
    return this.state[key];
  }

  set<K extends keyof S>(key: K, value: S[K]): void {
    if (Object.is(this.state[key], value)) return;
    this.state[key] = value;
    this.emit(`change:${String(key)}`);
  }

  /** Nothing to sync with; the values already hold in the page. */
  save_changes(): void {}

  on(event: string, callback: Handler): void {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), callback as Call]);
  }

  off(event?: string | null, callback?: Handler | null): void {
    for (const [name, list] of this.handlers) {
      if (event && name !== event) continue;
      this.handlers.set(name, callback ? list.filter((fn) => fn !== callback) : []);
    }
  }

  send(content: object): void {
    const answerer = this.answerer;
    if (!answerer) return;
    // After the caller's own code, as a kernel's answer would arrive.
    queueMicrotask(() =>
      answerer(content as Record<string, unknown>, (reply, buffers = []) => this.receive(reply, buffers)),
    );
  }

  /** A message for the widget, as if from its kernel. */
  receive(content: object, buffers: DataView[] = []): void {
    for (const fn of this.handlers.get("msg:custom") ?? []) fn(content, buffers);
  }

  private emit(event: string): void {
    for (const fn of this.handlers.get(event) ?? []) fn();
  }
}
