// Reading what `evallens.page.payload` packed into the page: base64 text in a <script>
// element, gzipped, holding a JSON header and byte blobs. Base64 is inert in HTML, so no
// value from a log can end its element; the text is decoded here and never parsed as markup.

/** A blob's place in the payload, as the JSON refers to it. */
export interface BlobRef {
  $blob: string;
}

export interface Payload<J> {
  json: J;
  blob(ref: BlobRef): Uint8Array;
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function fromBase64(text: string): Uint8Array {
  const raw = atob(text.trim());
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** The payload in the element with this id. */
export async function readPayload<J>(id: string): Promise<Payload<J>> {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no #${id}`);
  return unpack<J>(await gunzip(fromBase64(el.textContent ?? "")));
}

/** The layout: a uint32 header length, the header (JSON), the blobs back to back. */
export function unpack<J>(raw: Uint8Array): Payload<J> {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const size = view.getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(raw.subarray(4, 4 + size))) as {
    json: J;
    blobs: Record<string, [number, number]>;
  };
  const body = 4 + size;
  return {
    json: header.json,
    blob(ref: BlobRef): Uint8Array {
      const at = header.blobs[ref.$blob];
      if (!at) throw new Error(`the page's data has no ${ref.$blob}`);
      return raw.subarray(body + at[0], body + at[0] + at[1]);
    },
  };
}

/** Unsigned integers stored 1, 2 or 4 bytes wide (little-endian), as one typed array. */
export interface UintRef extends BlobRef {
  width: 1 | 2 | 4;
}

export function uints(payload: Payload<unknown>, ref: UintRef): Uint8Array | Uint16Array | Uint32Array {
  const bytes = payload.blob(ref);
  // Copied so the array starts aligned.
  const buf = bytes.slice().buffer;
  if (ref.width === 1) return new Uint8Array(buf);
  if (ref.width === 2) return new Uint16Array(buf);
  return new Uint32Array(buf);
}
