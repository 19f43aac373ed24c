// Light or dark: JupyterLab's theme attribute, VS Code's body class, else the OS preference.

export type Theme = "light" | "dark";

export function currentTheme(doc: Document = document): Theme {
  const body = doc.body;
  const jp = body?.dataset.jpThemeLight;
  if (jp === "true") return "light";
  if (jp === "false") return "dark";
  if (body?.classList.contains("vscode-dark") || body?.classList.contains("vscode-high-contrast")) return "dark";
  if (body?.classList.contains("vscode-light")) return "light";
  const media =
    typeof window !== "undefined" && window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  return media?.matches ? "dark" : "light";
}

/** Call `fn` with the theme now and whenever it changes; returns a function that stops watching. */
export function watchTheme(fn: (t: Theme) => void): () => void {
  let last = currentTheme();
  fn(last);
  const check = () => {
    const now = currentTheme();
    if (now !== last) {
      last = now;
      fn(now);
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { attributes: true, attributeFilter: ["data-jp-theme-light", "class"] });
  const media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  media?.addEventListener?.("change", check);
  return () => {
    observer.disconnect();
    media?.removeEventListener?.("change", check);
  };
}
