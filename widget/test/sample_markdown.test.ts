// @vitest-environment jsdom
import { describe, expect, it } from "vitest";
import { extractMath } from "../src/sample/math";
import { richText } from "../src/sample/text";

const ctx = { trust: true, count: 10, cite: () => {} };
const md = (text: string) => richText(text, ctx);

describe("markdown and math (trusted content)", () => {
  it("renders bold, code and fenced code", () => {
    const el = md("**bold** and `x * y`\n\n```python\nprint(1)\n```");
    expect(el.querySelector("strong")?.textContent).toBe("bold");
    expect(el.querySelector("p code")?.textContent).toBe("x * y");
    expect(el.querySelector("pre code")?.textContent).toBe("print(1)\n");
  });

  it("keeps http(s) links, opened safely, and leaves others as text", () => {
    const el = md(
      "[good](https://example.com/a) [bad](javascript:alert(1)) [data](data:text/html,x) [file](file:///etc)",
    );
    const links = [...el.querySelectorAll("a")];
    expect(links.length).toBe(1);
    expect(links[0].getAttribute("href")).toBe("https://example.com/a");
    expect(links[0].getAttribute("target")).toBe("_blank");
    expect(links[0].getAttribute("rel")).toBe("noopener noreferrer");
    expect(el.textContent).toContain("[bad](javascript:alert(1))");
    expect(el.innerHTML).not.toMatch(/href="(?!https:)/);
  });

  it("turns remote markdown images into links and keeps inline ones", () => {
    const el = md("![chart](https://example.com/c.png) ![dot](data:image/png;base64,iVBORw0KGgo=)");
    const imgs = [...el.querySelectorAll("img")];
    expect(imgs.map((i) => i.getAttribute("src"))).toEqual(["data:image/png;base64,iVBORw0KGgo="]);
    expect(el.querySelector("a")?.getAttribute("href")).toBe("https://example.com/c.png");
    expect(el.querySelector("a")?.textContent).toBe("[image: chart]");
  });

  it("typesets TeX as MathML, inline and display, before markdown sees it", () => {
    const el = md("Area $x^2$ and \\(a_1 * b_1\\):\n\n$$\\sum_{i=1}^n i$$\n\n\\[E = mc^2\\]");
    const maths = [...el.querySelectorAll("math")];
    expect(maths.length).toBe(4);
    expect(maths[0].querySelector("msup")).not.toBeNull();
    expect(maths[1].textContent).toContain("a");
    expect(el.querySelector("em")).toBeNull(); // `_` and `*` inside math stayed math
    expect(maths[2].getAttribute("display")).toBe("block");
    expect(maths[3].getAttribute("display")).toBe("block");
  });

  it("leaves prices and code alone", () => {
    expect(extractMath("costs $5 and $10").math).toEqual([]);
    expect(extractMath("`$x$` and\n```\n$y$\n```\n").math).toEqual([]);
    expect(extractMath("\\$5 or $x$").math.map((m) => m.tex)).toEqual(["x"]);
    const el = md("costs $5 and $10, `$x$`");
    expect(el.querySelector("math")).toBeNull();
    expect(el.textContent).toContain("costs $5 and $10");
  });

  it("shows TeX it cannot typeset, or that asks for links, as text", () => {
    const el = md("$\\frac{a}{b$ and $\\href{javascript:alert(1)}{x}$ and $\\url{javascript:x}$");
    expect(el.querySelector(".el-math-error")?.textContent).toBe("$\\frac{a}{b$");
    expect(el.querySelector("a")).toBeNull();
    expect(el.querySelector("[href]")).toBeNull();
  });
});
