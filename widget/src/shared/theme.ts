// Light or dark, from the host: JupyterLab's theme attribute first, then VS Code's
// notebook theme, then marimo's, then the OS preference (Colab, a plain page).

export type Theme = "light" | "dark";

/** JupyterLab (and Notebook 7): `data-jp-theme-light` on the body. */
function jupyterLabTheme(body: HTMLElement): Theme | null {
  const jp = body.dataset.jpThemeLight;
  if (jp === "true") return "light";
  if (jp === "false") return "dark";
  return null;
}

/** Relative luminance (WCAG) of a CSS colour written `#rgb`, `#rrggbb` or `rgb(a)(...)`. */
export function cssLuminance(colour: string): number | null {
  const c = colour.trim();
  let rgb: number[] | null = null;
  const hexMatch = /^#([0-9a-f]{3}|[0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(c);
  if (hexMatch) {
    const h = hexMatch[1].length === 3 ? [...hexMatch[1]].map((d) => d + d).join("") : hexMatch[1];
    rgb = [0, 2, 4].map((i) => parseInt(h.slice(i, i + 2), 16));
  } else {
    const fn = /^rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(c);
    if (fn) rgb = [fn[1], fn[2], fn[3]].map(Number);
  }
  if (!rgb || rgb.some((v) => Number.isNaN(v))) return null;
  const ch = (v: number) => {
    const s = Math.min(255, Math.max(0, v)) / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * ch(rgb[0]) + 0.7152 * ch(rgb[1]) + 0.0722 * ch(rgb[2]);
}

/** VS Code's notebook webview: body classes (`vscode-high-contrast-light` also carries
 * `vscode-high-contrast`, so it is read first), its `data-vscode-theme-kind`, else the
 * luminance of `--vscode-editor-background` (themes set it on the root element). */
function vsCodeTheme(doc: Document, body: HTMLElement): Theme | null {
  const has = (c: string) => body.classList.contains(c);
  if (has("vscode-high-contrast-light") || has("vscode-light")) return "light";
  if (has("vscode-dark") || has("vscode-high-contrast")) return "dark";
  const kind = body.dataset.vscodeThemeKind;
  if (kind === "vscode-light" || kind === "vscode-high-contrast-light") return "light";
  if (kind === "vscode-dark" || kind === "vscode-high-contrast") return "dark";
  const view = doc.defaultView;
  if (!view?.getComputedStyle) return null;
  const background =
    view.getComputedStyle(doc.documentElement).getPropertyValue("--vscode-editor-background") ||
    view.getComputedStyle(body).getPropertyValue("--vscode-editor-background");
  const lum = background ? cssLuminance(background) : null;
  if (lum === null) return null;
  return lum < 0.4 ? "dark" : "light";
}

/** marimo: `data-theme` on the body, its own setting resolved (a marimo page set to light
 * stays light on a system that prefers dark, and the other way round). */
function marimoTheme(body: HTMLElement): Theme | null {
  const theme = body.dataset.theme;
  return theme === "light" || theme === "dark" ? theme : null;
}

function preferredTheme(doc: Document): Theme {
  const view = doc.defaultView ?? (typeof window !== "undefined" ? window : null);
  const media = view?.matchMedia ? view.matchMedia("(prefers-color-scheme: dark)") : null;
  return media?.matches ? "dark" : "light";
}

/** The page's theme: JupyterLab > VS Code > marimo > prefers-color-scheme. */
export function currentTheme(doc: Document = document): Theme {
  const body = doc.body;
  if (!body) return preferredTheme(doc);
  return jupyterLabTheme(body) ?? vsCodeTheme(doc, body) ?? marimoTheme(body) ?? preferredTheme(doc);
}

const WATCHED = ["data-jp-theme-light", "class", "style", "data-vscode-theme-kind", "data-theme"];

/** Call `fn` with the theme now and whenever it changes; returns a function that stops watching.
 * Watches the body's and root's theme attributes (VS Code swaps classes and root style
 * variables when the user changes theme, marimo its `data-theme`) and the OS preference. */
export function watchTheme(fn: (t: Theme) => void, doc: Document = document): () => void {
  let last = currentTheme(doc);
  fn(last);
  const check = () => {
    const now = currentTheme(doc);
    if (now !== last) {
      last = now;
      fn(now);
    }
  };
  const view = doc.defaultView;
  const Observer = view?.MutationObserver ?? (typeof MutationObserver !== "undefined" ? MutationObserver : null);
  const observer = Observer ? new Observer(check) : null;
  if (doc.body) observer?.observe(doc.body, { attributes: true, attributeFilter: WATCHED });
  observer?.observe(doc.documentElement, { attributes: true, attributeFilter: WATCHED });
  const media = view?.matchMedia ? view.matchMedia("(prefers-color-scheme: dark)") : null;
  media?.addEventListener?.("change", check);
  return () => {
    observer?.disconnect();
    media?.removeEventListener?.("change", check);
  };
}
