// Decode the kernel's Arrow IPC windows into plain row objects.
import { tableFromIPC } from "apache-arrow";
import { toBytes, type Buffer } from "./model";

export type Cell = string | number | boolean | null;
export type Row = Record<string, Cell>;

export function decodeRows(buf: Buffer): Row[] {
  const bytes = toBytes(buf);
  if (bytes.byteLength === 0) return [];
  const table = tableFromIPC(bytes);
  const names = table.schema.fields.map((f) => f.name);
  const vectors = names.map((_, i) => table.getChildAt(i)!);
  const rows: Row[] = new Array(table.numRows);
  for (let r = 0; r < table.numRows; r++) {
    const row: Row = {};
    for (let c = 0; c < names.length; c++) {
      const v = vectors[c].get(r);
      row[names[c]] = v === undefined ? null : typeof v === "bigint" ? Number(v) : (v as Cell);
    }
    rows[r] = row;
  }
  return rows;
}
