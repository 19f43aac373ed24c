// The user's view overrides, saved per task in the browser so they survive a reload.
import { VIEW_KEYS, type ViewState } from "./types";

function store(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // sandboxed iframes (some notebook hosts) forbid storage
  }
}

export function loadOverrides(key: string): Partial<ViewState> {
  const s = store();
  if (!s || !key) return {};
  try {
    const raw = s.getItem(key);
    const parsed: Record<string, unknown> = raw ? JSON.parse(raw) : {};
    const out: Record<string, unknown> = {};
    for (const k of VIEW_KEYS) if (k in parsed) out[k] = parsed[k];
    // What this page once saved for these keys: the caller checks ids against the columns.
    return out as Partial<ViewState>;
  } catch {
    return {};
  }
}

export function saveOverride<K extends keyof ViewState>(key: string, name: K, value: ViewState[K]): void {
  const s = store();
  if (!s || !key) return;
  const current = loadOverrides(key);
  current[name] = value;
  s.setItem(key, JSON.stringify(current));
}

export function clearOverrides(key: string): void {
  store()?.removeItem(key);
  store()?.removeItem(`${key}:widths`);
}

/** Column widths the user dragged; kept beside (not inside) the Inspect view fields. */
export function loadWidths(key: string): Record<string, number> {
  try {
    const raw = store()?.getItem(`${key}:widths`);
    const parsed = raw ? JSON.parse(raw) : {};
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(parsed)) if (typeof v === "number" && v > 0) out[k] = v;
    return out;
  } catch {
    return {};
  }
}

export function saveWidths(key: string, widths: Record<string, number>): void {
  if (key) store()?.setItem(`${key}:widths`, JSON.stringify(widths));
}
