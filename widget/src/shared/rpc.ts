// Request/response over the widget's custom messages. Each request carries an id;
// answers to requests that were superseded are dropped by the caller's own checks.
// Every message is `{ type, id, ...body }` with snake_case keys, as the kernel writes them.
import type { MessageChannel } from "./model";

/** One request type: the body sent and the content of its answer (bytes travel beside
 * both in `buffers`). */
export interface Exchange<Body extends object, Answer extends object> {
  body: Body;
  reply: Answer;
}

/** A message with nothing but its type and id. */
export type Empty = Record<never, never>;

/** What every widget's kernel answers: a ping (the liveness check, see kernel.ts). */
export interface PingExchange {
  ping: Exchange<Empty, Empty>;
}

/** The kernel's answer to a request its handler failed (EvalLensWidget._dispatch). */
export interface ErrorMessage {
  type: "error";
  id: number | null;
  message: string;
}

export interface Reply<Answer = object> {
  content: Answer;
  buffers: DataView[];
}

/** No answer came: the kernel is gone, busy, or this page never had one (a notebook
 * reopened from its saved widget state). Unlike an error the kernel reports. */
export class NoAnswer extends Error {
  constructor() {
    super("no answer from the kernel");
  }
}

type Exchanges<R> = { [K in keyof R]: Exchange<object, object> };
type Listener = (content: object, buffers: DataView[]) => void;

interface Waiting {
  id: number;
  resolve: (reply: Reply<object>) => void;
  reject: (err: Error) => void;
  timer: number;
}

/** Any message's envelope; the rest of it depends on its type. */
interface Envelope {
  type?: unknown;
  id?: unknown;
}

function isError(message: Envelope): message is ErrorMessage {
  return message.type === "error";
}

/** `R`: the requests the kernel answers; `P`: the messages it sends on its own, by type. */
export class Rpc<R extends Exchanges<R> = PingExchange, P extends { [K in keyof P]: object } = Empty> {
  private next = 1;
  private pending = new Map<number, Waiting>();
  private listeners = new Map<string, Listener[]>();
  private hearers: (() => void)[] = [];
  private readonly onMsg = (content: unknown, buffers: DataView[] = []) => this.receive(content, buffers);

  constructor(
    private readonly model: MessageChannel,
    private readonly timeoutMs = 8000,
  ) {
    model.on("msg:custom", this.onMsg);
  }

  /** Send a request; resolves with the kernel's answer, rejects when none comes in time. */
  request<K extends keyof R & string>(
    type: K,
    body: R[K]["body"],
    timeoutMs = this.timeoutMs,
  ): Promise<Reply<R[K]["reply"]>> {
    const id = this.next++;
    const answer = new Promise<Reply<object>>((resolve, reject) => {
      const timer = window.setTimeout(() => {
        this.pending.delete(id);
        reject(new NoAnswer());
      }, timeoutMs);
      this.pending.set(id, { id, resolve, reject, timer });
      try {
        this.model.send({ type, id, ...body });
      } catch {
        // The widget manager throws when the kernel connection is already gone.
        window.clearTimeout(timer);
        this.pending.delete(id);
        reject(new NoAnswer());
      }
    });
    // The kernel's handler for `type` answers in that type's shape (the Python side mirrors
    // these interfaces); the wire itself carries no types to check against.
    return answer as Promise<Reply<R[K]["reply"]>>;
  }

  /** Call `fn` on every message from the kernel, late answers included: it is there. */
  heard(fn: () => void): void {
    this.hearers.push(fn);
  }

  /** Listen to messages the kernel sends on its own (not answers to requests). */
  listen<K extends keyof P & string>(type: K, fn: (content: P[K], buffers: DataView[]) => void): void {
    const list = this.listeners.get(type) ?? [];
    list.push(fn as Listener);
    this.listeners.set(type, list);
  }

  dispose(): void {
    this.model.off("msg:custom", this.onMsg);
    for (const p of this.pending.values()) window.clearTimeout(p.timer);
    this.pending.clear();
  }

  private receive(content: unknown, buffers: DataView[]): void {
    if (!content || typeof content !== "object") return;
    const message: Envelope = content;
    for (const fn of this.hearers) fn();
    const waiting = typeof message.id === "number" ? this.pending.get(message.id) : undefined;
    if (waiting) {
      this.pending.delete(waiting.id);
      window.clearTimeout(waiting.timer);
      if (isError(message)) waiting.reject(new Error(String(message.message)));
      else waiting.resolve({ content, buffers });
      return;
    }
    for (const fn of this.listeners.get(String(message.type)) ?? []) fn(content, buffers);
  }
}
