// Rows from `evallens.page.table`: the columns of a wire frame, rebuilt into exactly the row
// objects the Arrow reader makes of a kernel window (text, numbers, BigInt beyond 2**53,
// booleans, null), so the grid cannot tell the page's rows from the kernel's.
import type { Cell, Row } from "../shared/arrow";
import { type Payload, type UintRef, uints } from "./payload";

export type ColumnSpec =
  | { kind: "text"; values: (string | null)[] }
  | { kind: "text"; dict: string[]; codes: UintRef }
  | { kind: "number"; values: (number | null)[] }
  | { kind: "bigint"; values: (string | null)[] }
  | { kind: "bool"; values: (boolean | null)[] };

export interface TableSpec {
  length: number;
  columns: Record<string, ColumnSpec>;
}

function cells(spec: ColumnSpec, payload: Payload<unknown>): Cell[] {
  if (spec.kind === "bigint") {
    return spec.values.map((v) => {
      if (v === null) return null;
      const n = BigInt(v);
      return Number.isSafeInteger(Number(n)) ? Number(n) : n;
    });
  }
  if ("dict" in spec) {
    const dict = spec.dict;
    return Array.from(uints(payload, spec.codes), (c) => (c === 0 ? null : dict[c - 1]));
  }
  return spec.values;
}

/** The rows, in the order they were stored (frame order). */
export function decodeTable(spec: TableSpec, payload: Payload<unknown>): Row[] {
  const rows: Row[] = Array.from({ length: spec.length }, () => ({}));
  for (const [name, column] of Object.entries(spec.columns)) {
    const values = cells(column, payload);
    for (let i = 0; i < rows.length; i++) rows[i][name] = values[i];
  }
  return rows;
}
