// How a score cell is painted: a pill (pass/fail, boolean, role maps) or a scaled background.
import type { Cell } from "../shared/arrow";
import { css, passFailRole, type Role, roleColour, scaleColour } from "../shared/colour";
import type { Theme } from "../shared/theme";
import type { ColumnDef, ScaleSpec } from "./types";

export type Paint = { pill: Role } | { background: string } | null;

/** The scale a score column is painted with: the view's entry, else a default by range.
 * Inspect's viewer leaves scores its view does not mention unpainted; here a score whose
 * values all lie in [0, 1] reads as accuracy-like (good-high) and any other numeric score
 * shows magnitude only (neutral). Pass/fail, boolean and text categories get no default. */
export function scaleFor(column: ColumnDef, scales: Record<string, ScaleSpec>): ScaleSpec | undefined {
  const s = column.score;
  if (!s) return undefined;
  const explicit = scales[s.name] ?? scales[column.id] ?? scales[column.field];
  if (explicit) return explicit;
  if (s.type !== "numeric" && s.type !== "binary") return undefined;
  const unit = s.min !== null && s.max !== null && s.min >= 0 && s.max <= 1;
  return { palette: unit ? "good-high" : "neutral", min: null, max: null };
}

function asNumber(value: Cell): number | null {
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return Number(value); // beyond 2**53 a colour needs no more precision
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

export function paintCell(
  column: ColumnDef,
  value: Cell,
  scales: Record<string, ScaleSpec>,
  enabled: boolean,
  theme: Theme,
): Paint {
  const s = column.score;
  if (!s || value === null) return null;
  // Pass/fail and boolean scores carry their meaning already: pills, whatever the scales say.
  if (s.type === "passfail" && typeof value === "string") {
    const role = passFailRole(value);
    return role ? { pill: role } : null;
  }
  if (s.type === "boolean" && typeof value === "boolean") return { pill: value ? "good" : "bad" };
  if (!enabled) return null;
  const spec = scaleFor(column, scales);
  if (!spec) return null;
  if ("roles" in spec) {
    const role = spec.roles[String(value)];
    return role ? { pill: role } : null;
  }
  const n = asNumber(value);
  if (n === null) return null; // e.g. an 'I' among text grades: kept, left unpainted
  const min = spec.min ?? s.min ?? n;
  const max = spec.max ?? s.max ?? n;
  const colour = scaleColour(n, min, max, spec.palette, theme);
  return colour ? { background: css(colour) } : null;
}

export function roleBackground(role: Role, theme: Theme): string {
  return css(roleColour(role, theme));
}

/** The status column's badge: a mark and the word it stands for (null: no badge). */
export function statusBadge(status: Cell): { mark: string; title: string } | null {
  switch (status) {
    case "error":
      return { mark: "!", title: "error" };
    case "cancelled":
      return { mark: "–", title: "cancelled" };
    case "limit":
      return { mark: "⏱", title: "limit reached" };
    default:
      return null;
  }
}
