"""The heatmap's colour schemes as the front end paints them, for figures without a browser.

Ported from ``widget/src/heatmap/schemes.ts`` and ``widget/src/shared/colour.ts``.

Sequential ramps are sampled at evenly spaced stops and blended linearly in sRGB;
Inspect's palettes (``good-high``, ``good-low``, ``neutral``, ``diverging``) blend three
theme-aware stops, a transparent stop taking its neighbour's hue.
"""

from __future__ import annotations

import math
from typing import Literal

Theme = Literal["light", "dark"]
RGBA = tuple[float, float, float, float]

# fmt: off
RAMPS: dict[str, tuple[str, ...]] = {
    "viridis": ("#440154", "#472d7b", "#3b528b", "#2c728e", "#21918c", "#28ae80", "#5ec962", "#addc30", "#fde725"),
    "magma": ("#000004", "#1c1044", "#4f127b", "#812581", "#b5367a", "#e55964", "#fb8761", "#fec287", "#fcfdbf"),
    "inferno": ("#000004", "#1f0c48", "#550f6d", "#88226a", "#ba3655", "#e35933", "#f98c0a", "#f9c932", "#fcffa4"),
    "plasma": ("#0d0887", "#46039f", "#7201a8", "#9c179e", "#bd3786", "#d8576b", "#ed7953", "#fb9f3a", "#fdca26", "#f0f921"),
    "cividis": ("#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8678", "#a59c74", "#c3b369", "#e1cc55", "#fee838"),
    "turbo": ("#30123b", "#4662d7", "#36aaf9", "#1ae4b6", "#72fe5e", "#c8ef34", "#faba39", "#f66b19", "#ca2a04", "#7a0403"),
    "blues": ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"),
    "greens": ("#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"),
    "greys": ("#ffffff", "#f0f0f0", "#d9d9d9", "#bdbdbd", "#969696", "#737373", "#525252", "#252525", "#000000"),
    "oranges": ("#fff5eb", "#fee6ce", "#fdd0a2", "#fdae6b", "#fd8d3c", "#f16913", "#d94801", "#a63603", "#7f2704"),
    "purples": ("#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"),
    "reds": ("#fff5f0", "#fee0d2", "#fcbba1", "#fc9272", "#fb6a4a", "#ef3b2c", "#cb181d", "#a50f15", "#67000d"),
    "rdylgn": ("#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b", "#a6d96a", "#66bd63", "#1a9850", "#006837"),
    "ylgn": ("#ffffe5", "#f7fcb9", "#d9f0a3", "#addd8e", "#78c679", "#41ab5d", "#238443", "#006837", "#004529"),
    "ylorrd": ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#bd0026", "#800026"),
}
# fmt: on

# Inspect's palettes: light stops pale enough for dark text, dark ones deep enough for light.
STOPS: dict[Theme, dict[str, RGBA]] = {
    "light": {
        "red": (248, 163, 163, 1),
        "amber": (252, 220, 130, 1),
        "green": (134, 222, 160, 1),
        "blue": (120, 170, 245, 1),
    },
    "dark": {
        "red": (150, 36, 36, 1),
        "amber": (138, 100, 18, 1),
        "green": (22, 120, 60, 1),
        "blue": (32, 78, 170, 1),
    },
}

INSPECT = ("good-high", "good-low", "neutral", "diverging")

BACKGROUND: dict[Theme, str] = {"light": "#ffffff", "dark": "#1e1e1e"}
FOREGROUND: dict[Theme, str] = {"light": "#1f2328", "dark": "#e6e6e6"}
MUTED: dict[Theme, str] = {"light": "#6b7280", "dark": "#a0a0a0"}
BORDER: dict[Theme, str] = {"light": "#e1e4e8", "dark": "#3a3a3a"}


def _hex(c: str) -> RGBA:
    n = int(c[1:], 16)
    return ((n >> 16) & 255, (n >> 8) & 255, n & 255, 1)


_PARSED = {k: [_hex(c) for c in v] for k, v in RAMPS.items()}


def _clear(c: RGBA) -> RGBA:
    return (c[0], c[1], c[2], 0)


def blend(a: RGBA, b: RGBA, t: float) -> RGBA:
    """Mix ``a`` towards ``b``; a fully transparent end takes the other end's hue."""
    start = _clear(b) if a[3] == 0 else a
    end = _clear(a) if b[3] == 0 else b
    return (
        start[0] + (end[0] - start[0]) * t,
        start[1] + (end[1] - start[1]) * t,
        start[2] + (end[2] - start[2]) * t,
        start[3] + (end[3] - start[3]) * t,
    )


def palette_stops(palette: str, theme: Theme) -> tuple[RGBA, RGBA, RGBA]:
    """The low, mid and high stops of one of Inspect's palettes."""
    s = STOPS[theme]
    if palette == "good-high":
        return s["red"], s["amber"], s["green"]
    if palette == "good-low":
        return s["green"], s["amber"], s["red"]
    if palette == "neutral":
        return _clear(s["blue"]), blend(_clear(s["blue"]), s["blue"], 0.5), s["blue"]
    return s["red"], (0, 0, 0, 0), s["green"]


def position(value: float, domain: tuple[float, float], reverse: bool = False) -> float:
    """Where ``value`` sits in the domain, clamped to [0, 1] (a flat domain: mid-scale).

    Example:
        >>> position(0.25, (0.0, 1.0)), position(2.0, (0.0, 1.0)), position(5.0, (3.0, 3.0))
        (0.25, 1.0, 0.5)
    """
    lo, hi = domain
    t = (value - lo) / (hi - lo) if hi > lo else 0.5
    c = min(1.0, max(0.0, t))
    return 1 - c if reverse else c


def scheme_colour(scheme: str, t: float, theme: Theme = "light") -> RGBA:
    """The colour at ``t`` in [0, 1] of a scheme (unknown names fall back to viridis).

    Example:
        >>> scheme_colour("viridis", 0.0)
        (68.0, 1.0, 84.0, 1)
        >>> css_fill(scheme_colour("viridis", 0.5))
        ('#21918c', 1.0)
    """
    if scheme in INSPECT:
        if math.isnan(t):
            return (0, 0, 0, 0)
        low, mid, high = palette_stops(scheme, theme)
        u = min(1.0, max(0.0, t))
        return blend(low, mid, u * 2) if u < 0.5 else blend(mid, high, (u - 0.5) * 2)
    stops = _PARSED.get(scheme, _PARSED["viridis"])
    x = min(1.0, max(0.0, t)) * (len(stops) - 1)
    i = min(len(stops) - 2, math.floor(x))
    f = x - i
    a, b = stops[i], stops[i + 1]
    return (a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f, 1)


def _round(v: float) -> int:
    return math.floor(v + 0.5)  # JavaScript's Math.round: halves go up


def css_fill(c: RGBA) -> tuple[str, float]:
    """A colour as SVG paints it: ``#rrggbb`` (rounded as the front end does), opacity."""
    r, g, b = (min(255, max(0, _round(v))) for v in c[:3])
    return f"#{r:02x}{g:02x}{b:02x}", float(c[3])


def luminance(c: RGBA) -> float:
    """Relative luminance (WCAG) of an opaque colour."""

    def channel(v: float) -> float:
        s = v / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def text_on(background: RGBA, theme: Theme = "light") -> str:
    """Text colour readable on ``background``; translucent fills read against the page.

    Example:
        >>> text_on(scheme_colour("viridis", 0.0)), text_on(scheme_colour("viridis", 1.0))
        ('#ffffff', '#1f2328')
    """
    if background[3] < 0.5:
        return "#f2f2f2" if theme == "dark" else "#1f2328"
    return "#1f2328" if luminance(background) > 0.35 else "#ffffff"


def cell_colour(value: float, scheme: str, domain: tuple[float, float], reverse: bool = False,
                theme: Theme = "light") -> RGBA:  # fmt: skip
    """A heatmap cell's fill for ``value``, as the front end's ``paintCell`` computes it."""
    return scheme_colour(scheme, position(value, domain, reverse), theme)
