// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentTheme } from "../src/shared/theme";

function media(dark: boolean) {
  window.matchMedia = vi.fn().mockReturnValue({ matches: dark, addEventListener() {}, removeEventListener() {} });
}

afterEach(() => {
  delete document.body.dataset.jpThemeLight;
  document.body.className = "";
});

describe("currentTheme", () => {
  it("follows JupyterLab's theme attribute over the OS preference", () => {
    media(true);
    document.body.dataset.jpThemeLight = "true";
    expect(currentTheme()).toBe("light");
    media(false);
    document.body.dataset.jpThemeLight = "false";
    expect(currentTheme()).toBe("dark");
  });
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
  it("falls back to prefers-color-scheme (Colab, marimo, plain pages)", () => {
    media(true);
    expect(currentTheme()).toBe("dark");
    media(false);
    expect(currentTheme()).toBe("light");
  });
});
