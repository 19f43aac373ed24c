// A small reader for the Arrow IPC streams the kernel sends: enough of the format for
// the simple column types `evallens.wire.wire_frame` produces (ints, floats, bools,
// strings, nulls), in a few KB instead of apache-arrow's ~200 KB bundle. 64-bit integers
// are read exactly: a number while it is safe, a BigInt beyond 2**53 (ids can be that big).
// Format: https://arrow.apache.org/docs/format/Columnar.html#serialization-and-interprocess-communication-ipc
import { type Buffer, toBytes } from "./model";

export type Cell = string | number | bigint | boolean | null;
export type Row = Record<string, Cell>;

type ColumnType =
  | { kind: "null" }
  | { kind: "int"; bits: number; signed: boolean }
  | { kind: "float"; bits: number }
  | { kind: "bool" }
  | { kind: "utf8"; large: boolean };

interface Field {
  name: string;
  type: ColumnType;
}

// Flatbuffers: tables reached through vtables, offsets relative to where they are stored.
class Table {
  constructor(
    private readonly view: DataView,
    readonly pos: number,
  ) {}

  private field(index: number): number {
    const vtable = this.pos - this.view.getInt32(this.pos, true);
    const size = this.view.getUint16(vtable, true);
    const slot = 4 + index * 2;
    return slot < size ? this.view.getUint16(vtable + slot, true) : 0;
  }

  uint8(index: number, fallback = 0): number {
    const off = this.field(index);
    return off ? this.view.getUint8(this.pos + off) : fallback;
  }

  int16(index: number, fallback = 0): number {
    const off = this.field(index);
    return off ? this.view.getInt16(this.pos + off, true) : fallback;
  }

  int32(index: number, fallback = 0): number {
    const off = this.field(index);
    return off ? this.view.getInt32(this.pos + off, true) : fallback;
  }

  int64(index: number): number {
    const off = this.field(index);
    return off ? readInt64(this.view, this.pos + off) : 0;
  }

  bool(index: number): boolean {
    return this.uint8(index) !== 0;
  }

  private indirect(index: number): number {
    const off = this.field(index);
    if (!off) return 0;
    const at = this.pos + off;
    return at + this.view.getUint32(at, true);
  }

  table(index: number): Table | null {
    const at = this.indirect(index);
    return at ? new Table(this.view, at) : null;
  }

  string(index: number): string {
    const at = this.indirect(index);
    if (!at) return "";
    const len = this.view.getUint32(at, true);
    return decoder.decode(new Uint8Array(this.view.buffer, this.view.byteOffset + at + 4, len));
  }

  /** A vector: its element count and the position of its first element. */
  vector(index: number): { length: number; start: number } {
    const at = this.indirect(index);
    if (!at) return { length: 0, start: 0 };
    return { length: this.view.getUint32(at, true), start: at + 4 };
  }

  tables(index: number): Table[] {
    const { length, start } = this.vector(index);
    const out: Table[] = [];
    for (let i = 0; i < length; i++) {
      const at = start + i * 4;
      out.push(new Table(this.view, at + this.view.getUint32(at, true)));
    }
    return out;
  }
}

const decoder = new TextDecoder();

function readInt64(view: DataView, at: number): number {
  const lo = view.getUint32(at, true);
  const hi = view.getInt32(at + 4, true);
  return hi * 0x100000000 + lo;
}

const SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An int64 cell: a plain number when no digit is lost, else the BigInt itself. */
function exactInt64(v: bigint): number | bigint {
  return v >= -SAFE && v <= SAFE ? Number(v) : v;
}

// Message header and type ids from the Arrow flatbuffer schema (Message.fbs, Schema.fbs).
const HEADER_SCHEMA = 1;
const HEADER_RECORD_BATCH = 3;
const TYPE = { Null: 1, Int: 2, FloatingPoint: 3, Utf8: 5, Bool: 6, LargeUtf8: 20 } as const;

function fieldType(field: Table): ColumnType {
  const id = field.uint8(2);
  const spec = field.table(3);
  switch (id) {
    case TYPE.Null:
      return { kind: "null" };
    case TYPE.Int:
      return { kind: "int", bits: spec?.int32(0) ?? 32, signed: spec?.bool(1) ?? false };
    case TYPE.FloatingPoint: {
      const precision = spec?.int16(0) ?? 2;
      if (precision === 0) throw new Error("arrow: half floats are not supported");
      return { kind: "float", bits: precision === 1 ? 32 : 64 };
    }
    case TYPE.Bool:
      return { kind: "bool" };
    case TYPE.Utf8:
      return { kind: "utf8", large: false };
    case TYPE.LargeUtf8:
      return { kind: "utf8", large: true };
    default:
      throw new Error(`arrow: column type ${id} is not supported (the kernel sends simple types)`);
  }
}

function bufferCount(type: ColumnType): number {
  if (type.kind === "null") return 0;
  return type.kind === "utf8" ? 3 : 2;
}

function readColumn(
  view: DataView,
  body: number,
  type: ColumnType,
  length: number,
  nullCount: number,
  buffers: { offset: number; length: number }[],
): Cell[] {
  const out: Cell[] = new Array(length);
  if (type.kind === "null") return out.fill(null);
  const validity = buffers[0];
  const valid = (i: number) =>
    nullCount === 0 || validity.length === 0 || (view.getUint8(body + validity.offset + (i >> 3)) >> (i & 7)) & 1;
  const data = buffers[type.kind === "utf8" ? 2 : 1];
  const base = body + data.offset;
  for (let i = 0; i < length; i++) {
    if (!valid(i)) {
      out[i] = null;
      continue;
    }
    switch (type.kind) {
      case "bool":
        out[i] = ((view.getUint8(base + (i >> 3)) >> (i & 7)) & 1) === 1;
        break;
      case "float":
        out[i] = type.bits === 32 ? view.getFloat32(base + i * 4, true) : view.getFloat64(base + i * 8, true);
        break;
      case "int": {
        const w = type.bits / 8;
        const at = base + i * w;
        if (w === 1) out[i] = type.signed ? view.getInt8(at) : view.getUint8(at);
        else if (w === 2) out[i] = type.signed ? view.getInt16(at, true) : view.getUint16(at, true);
        else if (w === 4) out[i] = type.signed ? view.getInt32(at, true) : view.getUint32(at, true);
        else out[i] = exactInt64(type.signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true));
        break;
      }
      case "utf8": {
        const offsets = body + buffers[1].offset;
        const w = type.large ? 8 : 4;
        const start = type.large ? readInt64(view, offsets + i * w) : view.getInt32(offsets + i * w, true);
        const end = type.large ? readInt64(view, offsets + (i + 1) * w) : view.getInt32(offsets + (i + 1) * w, true);
        out[i] = decoder.decode(new Uint8Array(view.buffer, view.byteOffset + base + start, end - start));
        break;
      }
    }
  }
  return out;
}

/** Rows handed over already decoded, by the empty buffer that stands for them. */
const handed = new WeakMap<object, Row[]>();

/** Rows in place of Arrow bytes: a saved page answers the grid's requests itself (from
 * rows it decoded once), and `decodeRows` gives these rows back for the buffer. */
export function handRows(rows: Row[]): DataView {
  const stand = new DataView(new ArrayBuffer(0));
  handed.set(stand, rows);
  return stand;
}

/** Decode an Arrow IPC stream into row objects (all record batches, in order). */
export function decodeRows(buf: Buffer): Row[] {
  const given = buf ? handed.get(buf) : undefined;
  if (given) return given;
  const bytes = toBytes(buf);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fields: Field[] = [];
  const rows: Row[] = [];
  let at = 0;
  while (at + 4 <= view.byteLength) {
    let metaLength = view.getInt32(at, true);
    at += 4;
    if (metaLength === -1) {
      // Continuation marker (IPC format >= 0.15); the real length follows.
      metaLength = view.getInt32(at, true);
      at += 4;
    }
    if (metaLength === 0) break; // end of stream
    const message = new Table(view, at + view.getUint32(at, true));
    const headerType = message.uint8(1);
    const header = message.table(2);
    const bodyLength = message.int64(3);
    const body = at + metaLength;
    if (headerType === HEADER_SCHEMA && header) {
      fields = header.tables(1).map((f) => ({ name: f.string(0), type: fieldType(f) }));
    } else if (headerType === HEADER_RECORD_BATCH && header) {
      if (header.table(3)) throw new Error("arrow: compressed batches are not supported");
      const length = header.int64(0);
      const nodes = header.vector(1);
      const bufs = header.vector(2);
      const buffers: { offset: number; length: number }[] = [];
      for (let i = 0; i < bufs.length; i++) {
        buffers.push({
          offset: readInt64(view, bufs.start + i * 16),
          length: readInt64(view, bufs.start + i * 16 + 8),
        });
      }
      const columns: Cell[][] = [];
      let b = 0;
      fields.forEach((f, c) => {
        const nodeLength = readInt64(view, nodes.start + c * 16);
        const nullCount = readInt64(view, nodes.start + c * 16 + 8);
        const n = bufferCount(f.type);
        columns.push(readColumn(view, body, f.type, nodeLength, nullCount, buffers.slice(b, b + n)));
        b += n;
      });
      for (let r = 0; r < length; r++) {
        const row: Row = {};
        for (let c = 0; c < fields.length; c++) row[fields[c].name] = columns[c][r];
        rows.push(row);
      }
    }
    at = body + bodyLength;
  }
  return rows;
}
