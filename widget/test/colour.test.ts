import { describe, expect, it } from "vitest";
import { blendRGBA, paletteStops, passFailRole, scaleColour, scalePosition } from "../src/shared/colour";

describe("scalePosition", () => {
  it("clamps to [0, 1]", () => {
    expect(scalePosition(5, 0, 10)).toBe(0.5);
    expect(scalePosition(-3, 0, 10)).toBe(0);
    expect(scalePosition(30, 0, 10)).toBe(1);
  });
  it("still places values of a constant column (Inspect leaves them unpainted)", () => {
    expect(scalePosition(1, 1, 1)).toBe(1);
    expect(scalePosition(0, 0, 0)).toBe(0);
    expect(scalePosition(7, 7, 7)).toBe(0.5);
  });
});

describe("scaleColour", () => {
  it("good-high runs red → amber → green in both themes", () => {
    for (const theme of ["light", "dark"] as const) {
      const [red, amber, green] = paletteStops("good-high", theme);
      expect(scaleColour(0, 0, 10, "good-high", theme)).toEqual(red);
      expect(scaleColour(5, 0, 10, "good-high", theme)).toEqual(amber);
      expect(scaleColour(10, 0, 10, "good-high", theme)).toEqual(green);
    }
  });
  it("good-low is good-high reversed", () => {
    expect(scaleColour(0, 0, 1, "good-low", "light")).toEqual(scaleColour(1, 0, 1, "good-high", "light"));
  });
  it("neutral fades from transparent to blue without darkening", () => {
    const low = scaleColour(0, 0, 1, "neutral", "light")!;
    const high = scaleColour(1, 0, 1, "neutral", "light")!;
    expect(low[3]).toBe(0);
    expect(high[3]).toBe(1);
    expect(low.slice(0, 3)).toEqual(high.slice(0, 3));
  });
  it("diverging is transparent in the middle", () => {
    expect(scaleColour(0.5, 0, 1, "diverging", "dark")![3]).toBe(0);
  });
  it("missing values get no colour", () => {
    expect(scaleColour(NaN, 0, 1, "good-high", "light")).toBeNull();
  });
});

describe("blend and roles", () => {
  it("blends linearly in sRGB", () => {
    expect(blendRGBA([0, 0, 0, 1], [200, 100, 50, 1], 0.5)).toEqual([100, 50, 25, 1]);
  });
  it("maps pass/fail letters to roles", () => {
    expect(passFailRole("C")).toBe("good");
    expect(passFailRole("P")).toBe("warn");
    expect(passFailRole("I")).toBe("bad");
    expect(passFailRole("N")).toBe("bad");
    expect(passFailRole("X")).toBeNull();
  });
});
