// Request/response over the widget's custom messages. Each request carries an id;
// answers to requests that were superseded are dropped by the caller's own checks.
import type { Buffer, WidgetModel } from "./model";

export interface Reply {
  content: Record<string, any>;
  buffers: Buffer[];
}

/** No answer came: the kernel is gone, busy, or this page never had one (a notebook
 * reopened from its saved widget state). Unlike an error the kernel reports. */
export class NoAnswer extends Error {
  constructor() {
    super("no answer from the kernel");
  }
}

type Listener = (content: Record<string, any>, buffers: Buffer[]) => void;

export class Rpc {
  private next = 1;
  private pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void; timer: number }>();
  private listeners = new Map<string, Listener[]>();
  private hearers: (() => void)[] = [];
  private readonly onMsg = (content: any, buffers: Buffer[] = []) => this.receive(content, buffers);

  constructor(private readonly model: WidgetModel, private readonly timeoutMs = 8000) {
    model.on("msg:custom", this.onMsg);
  }

  /** Send a request; resolves with the kernel's answer, rejects when none comes in time. */
  request(type: string, body: Record<string, unknown> = {}, timeoutMs = this.timeoutMs): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new NoAnswer());
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      try {
        this.model.send({ type, id, ...body });
      } catch {
        // The widget manager throws when the kernel connection is already gone.
        window.clearTimeout(timer);
        this.pending.delete(id);
        reject(new NoAnswer());
      }
    });
  }

  /** Call `fn` on every message from the kernel, late answers included: it is there. */
  heard(fn: () => void): void {
    this.hearers.push(fn);
  }

  /** Listen to messages the kernel sends on its own (not answers to requests). */
  listen(type: string, fn: Listener): void {
    const list = this.listeners.get(type) ?? [];
    list.push(fn);
    this.listeners.set(type, list);
  }

  dispose(): void {
    this.model.off("msg:custom", this.onMsg);
    for (const p of this.pending.values()) window.clearTimeout(p.timer);
    this.pending.clear();
  }

  private receive(content: any, buffers: Buffer[]): void {
    if (!content || typeof content !== "object") return;
    for (const fn of this.hearers) fn();
    const waiting = typeof content.id === "number" ? this.pending.get(content.id) : undefined;
    if (waiting) {
      this.pending.delete(content.id);
      window.clearTimeout(waiting.timer);
      if (content.type === "error") waiting.reject(new Error(String(content.message)));
      else waiting.resolve({ content, buffers });
      return;
    }
    for (const fn of this.listeners.get(String(content.type)) ?? []) fn(content, buffers);
  }
}
