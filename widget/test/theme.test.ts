// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { cssLuminance, currentTheme, type Theme, watchTheme } from "../src/shared/theme";

let mediaListeners: (() => void)[] = [];

function media(dark: boolean) {
  window.matchMedia = vi.fn().mockReturnValue({
    matches: dark,
    addEventListener: (_: string, fn: () => void) => mediaListeners.push(fn),
    removeEventListener() {},
  });
}

afterEach(() => {
  delete document.body.dataset.jpThemeLight;
  delete document.body.dataset.vscodeThemeKind;
  delete document.body.dataset.theme;
  document.body.className = "";
  document.documentElement.removeAttribute("style");
  mediaListeners = [];
});

describe("currentTheme: JupyterLab", () => {
  it("follows JupyterLab's theme attribute over the OS preference", () => {
    media(true);
    document.body.dataset.jpThemeLight = "true";
    expect(currentTheme()).toBe("light");
    media(false);
    document.body.dataset.jpThemeLight = "false";
    expect(currentTheme()).toBe("dark");
  });
});

describe("currentTheme: VS Code", () => {
  it("follows VS Code's body classes", () => {
    media(false);
    document.body.classList.add("vscode-dark");
    expect(currentTheme()).toBe("dark");
    document.body.className = "vscode-high-contrast";
    expect(currentTheme()).toBe("dark");
    document.body.className = "vscode-light";
    media(true);
    expect(currentTheme()).toBe("light");
  });
  it("reads high-contrast light as light (it also carries vscode-high-contrast)", () => {
    media(true);
    document.body.className = "vscode-high-contrast vscode-high-contrast-light";
    expect(currentTheme()).toBe("light");
  });
  it("reads data-vscode-theme-kind without the classes", () => {
    media(false);
    document.body.dataset.vscodeThemeKind = "vscode-dark";
    expect(currentTheme()).toBe("dark");
    media(true);
    document.body.dataset.vscodeThemeKind = "vscode-light";
    expect(currentTheme()).toBe("light");
  });
  it("reads --vscode-editor-background's luminance when nothing else says", () => {
    media(false);
    document.documentElement.style.setProperty("--vscode-editor-background", "#1e1e1e");
    expect(currentTheme()).toBe("dark");
    media(true);
    document.documentElement.style.setProperty("--vscode-editor-background", "#ffffff");
    expect(currentTheme()).toBe("light");
  });
});

describe("currentTheme: marimo", () => {
  it("follows marimo's data-theme over the OS preference, both ways", () => {
    media(true);
    document.body.dataset.theme = "light";
    expect(currentTheme()).toBe("light");
    media(false);
    document.body.dataset.theme = "dark";
    expect(currentTheme()).toBe("dark");
  });
  it("ignores data-theme values that are not light or dark", () => {
    media(true);
    document.body.dataset.theme = "system";
    expect(currentTheme()).toBe("dark");
  });
});

describe("currentTheme: precedence", () => {
  it("puts JupyterLab before VS Code before marimo before prefers-color-scheme", () => {
    media(true);
    document.body.dataset.theme = "light";
    document.body.className = "vscode-dark";
    document.body.dataset.jpThemeLight = "true";
    expect(currentTheme()).toBe("light");
    delete document.body.dataset.jpThemeLight;
    expect(currentTheme()).toBe("dark");
    document.body.className = "";
    expect(currentTheme()).toBe("light");
    delete document.body.dataset.theme;
    expect(currentTheme()).toBe("dark");
  });
  it("falls back to prefers-color-scheme (Colab, plain pages)", () => {
    media(true);
    expect(currentTheme()).toBe("dark");
    media(false);
    expect(currentTheme()).toBe("light");
  });
});

describe("cssLuminance", () => {
  it("reads hex and rgb() colours, and refuses others", () => {
    expect(cssLuminance("#fff")).toBeCloseTo(1);
    expect(cssLuminance("#000000")).toBe(0);
    expect(cssLuminance("rgb(30, 30, 30)")).toBeLessThan(0.05);
    expect(cssLuminance("rgba(255,255,255,0.5)")).toBeCloseTo(1);
    expect(cssLuminance("var(--x)")).toBeNull();
  });
});

describe("watchTheme", () => {
  const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
  it("follows VS Code's class change, JupyterLab's attribute and the OS preference", async () => {
    media(false);
    const seen: Theme[] = [];
    const stop = watchTheme((t) => seen.push(t));
    document.body.className = "vscode-dark";
    await flush();
    document.body.className = "vscode-high-contrast vscode-high-contrast-light";
    await flush();
    document.body.dataset.jpThemeLight = "false";
    await flush();
    delete document.body.dataset.jpThemeLight;
    document.body.className = "";
    await flush();
    media(true);
    for (const fn of mediaListeners) fn();
    stop();
    document.body.dataset.jpThemeLight = "true";
    await flush();
    expect(seen).toEqual(["light", "dark", "light", "dark", "light", "dark"]);
  });
  it("follows marimo's data-theme when the user switches marimo's theme", async () => {
    media(false);
    const seen: Theme[] = [];
    const stop = watchTheme((t) => seen.push(t));
    document.body.dataset.theme = "dark";
    await flush();
    document.body.dataset.theme = "light";
    await flush();
    stop();
    expect(seen).toEqual(["light", "dark", "light"]);
  });
  it("follows VS Code's root style variable", async () => {
    media(false);
    const seen: Theme[] = [];
    const stop = watchTheme((t) => seen.push(t));
    document.documentElement.style.setProperty("--vscode-editor-background", "#1e1e1e");
    await flush();
    stop();
    expect(seen).toEqual(["light", "dark"]);
  });
});
