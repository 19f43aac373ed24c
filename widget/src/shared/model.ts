// What every widget's front end shares about its model: anywidget's typed model (each
// widget's `State` lists its synced traits, see its types.ts), bytes, and DOM elements.

/** Binary values as the widget manager hands them over (a test may build any of these). */
export type Buffer = DataView | ArrayBuffer | Uint8Array;

type MessageHandler = (content: unknown, buffers: DataView[]) => void;

/** What request/reply messaging needs of a model: its custom messages, both ways. */
export interface MessageChannel {
  on(event: "msg:custom", callback: MessageHandler): void;
  off(event: "msg:custom", callback: MessageHandler): void;
  send(content: object): void;
}

/** Send the model's changes to the kernel. With none (a notebook reopened from its saved
 * widget state) the widget manager throws; the change still holds on this page. */
export function sync(model: { save_changes(): void }): void {
  try {
    model.save_changes();
  } catch {
    // no kernel to tell
  }
}

/** Bytes as a Uint8Array, whatever wrapper the widget manager used. */
export function toBytes(buf: Buffer | null | undefined): Uint8Array {
  if (!buf) return new Uint8Array(0);
  if (buf instanceof Uint8Array) return buf;
  if (buf instanceof ArrayBuffer) return new Uint8Array(buf);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/** Unsigned 32-bit integers (row ids) packed in bytes, copied so they start aligned. */
export function toUint32(buf: Buffer | null | undefined): Uint32Array {
  const bytes = toBytes(buf);
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** A DOM element with classes and (always plain-text) content. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className = "",
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}
