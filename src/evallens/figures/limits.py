"""A ScoresByLimit chart as an SVG figure, drawn from its spec as the front end draws it.

Title, legend (a swatch and name per model), then one panel per facet: y grid and
percent ticks, x ticks (log or linear, compact limits), axis titles, a CI band and a line
per model (a dashed line for the other-termination rate), in the models' colours.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from evallens.figures.colours import BACKGROUND, BORDER, FOREGROUND, MUTED, Theme
from evallens.figures.svg import DEFAULT_FONT, document, element, num, open_tag
from evallens.limit.types import LimitSpec, Num

# Tableau 10, as Observable Plot (and the front end's palette.ts) uses; lighter when dark.
# fmt: off
PALETTE: dict[Theme, tuple[str, ...]] = {
    "light": ("#4e79a7", "#f28e2c", "#e15759", "#76b7b2", "#59a14f", "#edc949", "#af7aa1", "#ff9da7", "#9c755f", "#bab0ab"),
    "dark": ("#7aa6d6", "#f5a354", "#f07c7e", "#8fd3cd", "#7dc472", "#f3d675", "#c99bbf", "#ffb3bb", "#c29b82", "#d4ccc7"),
}
# fmt: on
MARGIN = {"top": 10.0, "right": 14.0, "bottom": 38.0, "left": 46.0}
FACET_GAP = 16.0
BAND_OPACITY: dict[Theme, float] = {"light": 0.12, "dark": 0.2}

Fn = Callable[[float], float]


def model_colour(index: int, theme: Theme = "light") -> str:
    """The colour of the ``index``-th model (the legend's order)."""
    colours = PALETTE[theme]
    return colours[index % len(colours)]


def linear_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """Nice ticks (1, 2, 5 × 10^k steps) covering [lo, hi].

    Example:
        >>> linear_ticks(0, 1, 5)
        [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]
    """
    if not hi > lo:
        return [lo]
    raw = (hi - lo) / max(1, count)
    power = 10 ** math.floor(math.log10(raw))
    step = next((m * power for m in (1, 2, 5, 10) if m * power >= raw), 10 * power)
    out: list[float] = []
    v = math.ceil(lo / step - 1e-9) * step
    while v <= hi + step * 1e-9:
        out.append(float(f"{v:.12g}"))
        v += step
    return out


def log_ticks(lo: float, hi: float) -> list[float]:
    """Powers of ten inside [lo, hi]; with fewer than three, their 2× and 5× too.

    Example:
        >>> log_ticks(100, 100_000)
        [100.0, 1000.0, 10000.0, 100000.0]
    """
    if not lo > 0 or not hi > lo:
        return [lo]
    first, last = math.floor(math.log10(lo)), math.ceil(math.log10(hi))

    def inside(v: float) -> bool:
        return lo * (1 - 1e-9) <= v <= hi * (1 + 1e-9)

    powers = [float(10.0**e) for e in range(first, last + 1) if inside(10.0**e)]
    if len(powers) >= 3:
        return powers
    out = [
        v
        for e in range(first, last + 1)
        for m in (1, 2, 5)
        if inside(v := float(f"{m * 10.0**e:.12g}"))
    ]
    return out or [lo, hi]


def _trim(v: float) -> str:
    magnitude = abs(v)
    digits = 0 if magnitude >= 100 else 1 if magnitude >= 10 else 2
    r = round(v, digits)
    return str(int(r)) if r == int(r) else f"{r:.{digits}f}".rstrip("0")


def format_limit(value: float) -> str:
    """Compact limit labels: 950, 1.2k, 25k, 1M, 3.5B.

    Example:
        >>> [format_limit(v) for v in (950, 1200, 25_000, 1e6, 3.5e9, 0.25)]
        ['950', '1.2k', '25k', '1M', '3.5B', '0.25']
    """
    for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{_trim(value / size)}{unit}"
    return _trim(value)


def y_top(values: Sequence[Num]) -> float:
    """Top of the y axis: the highest point rounded up to a tenth, at most 1."""
    top = max((v for v in values if v is not None and math.isfinite(v)), default=0.0)
    return min(1.0, max(0.1, math.ceil(max(0.0, top) * 10 - 1e-9) / 10))


def _scale(domain: tuple[float, float], rng: tuple[float, float], log: bool) -> Fn:
    f: Fn = math.log10 if log else float
    a = f(domain[0])
    span = (f(domain[1]) - a) or 1.0
    return lambda v: rng[0] + (f(v) - a) / span * (rng[1] - rng[0])


def line_path(xs: Sequence[Num], ys: Sequence[Num], fx: Fn, fy: Fn) -> str:
    """A polyline through the defined points; a missing value breaks the line."""
    d: list[str] = []
    pen = False
    for x, y in zip(xs, ys, strict=False):
        if x is None or y is None:
            pen = False
            continue
        d.append(f"{'L' if pen else 'M'}{num(fx(x))},{num(fy(y))}")
        pen = True
    return "".join(d)


def band_path(xs: Sequence[Num], lo: Sequence[Num], hi: Sequence[Num], fx: Fn, fy: Fn,
              bounds: tuple[float, float]) -> str:  # fmt: skip
    """The area between ``lo`` and ``hi`` (clamped to ``bounds``), one shape per run."""

    def clamp(v: float) -> float:
        return min(bounds[1], max(bounds[0], v))

    d: list[str] = []
    run: list[tuple[float, float, float]] = []

    def flush() -> None:
        if len(run) > 1:
            top = [f"{num(fx(x))},{num(fy(clamp(h)))}" for x, _, h in run]
            bottom = [f"{num(fx(x))},{num(fy(clamp(low)))}" for x, low, _ in reversed(run)]
            d.append(f"M{'L'.join(top)}L{'L'.join(bottom)}Z")
        run.clear()

    for x, low, high in zip(xs, lo, hi, strict=False):
        if x is None or low is None or high is None:
            flush()
        else:
            run.append((x, low, high))
    flush()
    return "".join(d)


def limits_svg(
    spec: LimitSpec,
    *,
    width: float,
    height: float,
    font_size: float = 12,
    font_family: str = DEFAULT_FONT,
    theme: Theme = "light",
) -> str:
    """The chart as a standalone SVG document.

    Example:
        >>> import evallens
        >>> chart = evallens.ScoresByLimit(evallens.synthetic_samples(3, 4, 50))
        >>> limits_svg(chart._spec, width=600, height=400).count('class="line"')
        3
    """
    k = float(font_size) / 12
    fg, muted, border = FOREGROUND[theme], MUTED[theme], BORDER[theme]
    models = list(spec["models"])
    colour = {m: model_colour(i, theme) for i, m in enumerate(models)}
    out: list[str] = []
    top = 0.0
    left = MARGIN["left"] * k
    if spec["title"]:
        out.append(element("text", {"class": "title", "x": left, "y": 16 * k, "font-size": 14 * k,
                                    "font-weight": 600, "fill": fg}, spec["title"]))  # fmt: skip
        top += 26 * k
    if spec["legend"]:
        top = _legend(out, models, colour, left, top, width, k, fg)

    facets: list[str | None] = list(spec["facets"] or []) or [None]
    panel_top = top + MARGIN["top"] * k + (16 * k if facets[0] is not None else 0)
    plot_h = max(160.0, height - top)
    inner_h = max(10.0, top + plot_h - MARGIN["bottom"] * k - panel_top)
    gaps = FACET_GAP * (len(facets) - 1)
    panel_w = max(10.0, (width - left - MARGIN["right"] * k - gaps) / len(facets))
    values: list[Num] = []
    for s in spec["series"]:
        values += [*s["y"], *s.get("hi", []), *s.get("other", [])]
    y_max = y_top(values)
    domain = (float(spec["x_domain"][0]), float(spec["x_domain"][1]))
    for index, facet in enumerate(facets):
        x0 = left + index * (panel_w + FACET_GAP)
        fx = _scale(domain, (0.0, panel_w), spec["log"])
        fy = _scale((0.0, y_max), (inner_h, 0.0), False)
        out.append(
            open_tag("g", {"class": "panel", "transform": f"translate({num(x0)},{num(panel_top)})"})
        )
        for t in linear_ticks(0.0, y_max, 5):
            py = fy(t)
            out.append(element("line", {"class": "grid", "x1": 0.0, "x2": panel_w, "y1": py, "y2": py,
                                        "stroke": border}))  # fmt: skip
            out.append(element("text", {"class": "tick y", "x": -6 * k, "y": py, "text-anchor": "end",
                                        "dominant-baseline": "central", "font-size": 11 * k,
                                        "fill": muted}, f"{round(t * 100)}%"))  # fmt: skip
        ticks = log_ticks(*domain) if spec["log"] else linear_ticks(*domain)
        for t in ticks:
            px = fx(t)
            out.append(element("line", {"class": "grid x", "x1": px, "x2": px, "y1": 0.0, "y2": inner_h,
                                        "stroke": border}))  # fmt: skip
            out.append(element("text", {"class": "tick x", "x": px, "y": inner_h + 14 * k,
                                        "text-anchor": "middle", "font-size": 11 * k, "fill": muted},
                               format_limit(t)))  # fmt: skip
        out.append(element("line", {"class": "axis", "x1": 0.0, "x2": panel_w, "y1": inner_h,
                                    "y2": inner_h, "stroke": muted}))  # fmt: skip
        if spec["x_label"]:
            label = spec["x_label"] + (" (log scale)" if spec["log"] else "")
            out.append(element("text", {"class": "axis-title x", "x": panel_w / 2, "y": inner_h + 32 * k,
                                        "text-anchor": "middle", "fill": fg}, label))  # fmt: skip
        if index == 0 and spec["y_label"]:
            out.append(element("text", {"class": "axis-title y", "text-anchor": "middle", "fill": fg,
                                        "transform": f"translate({num(-36 * k)},{num(inner_h / 2)}) rotate(-90)"},
                               spec["y_label"]))  # fmt: skip
        if facet is not None:
            out.append(element("text", {"class": "facet", "x": panel_w / 2, "y": -4 * k, "font-weight": 600,
                                        "text-anchor": "middle", "fill": fg}, facet))  # fmt: skip
        series = [s for s in spec["series"] if facet is None or s["facet"] == facet]
        for s in series:
            lo, hi = s.get("lo"), s.get("hi")
            if lo is not None and hi is not None:
                out.append(element("path", {"class": "band", "data-model": s["model"],
                                            "d": band_path(s["x"], lo, hi, fx, fy, (0.0, y_max)),
                                            "fill": colour.get(s["model"], fg), "fill-opacity": BAND_OPACITY[theme],
                                            "stroke": "none"}))  # fmt: skip
        for s in series:
            stroke = colour.get(s["model"], fg)
            if "other" in s:
                out.append(element("path", {"class": "other", "data-model": s["model"], "fill": "none",
                                            "d": line_path(s["x"], s["other"], fx, fy), "stroke": stroke,
                                            "stroke-width": 1.5, "stroke-dasharray": "5 5",
                                            "stroke-opacity": 0.9}))  # fmt: skip
            out.append(element("path", {"class": "line", "data-model": s["model"], "fill": "none",
                                        "d": line_path(s["x"], s["y"], fx, fy), "stroke": stroke,
                                        "stroke-width": 2.0, "stroke-linejoin": "round"}))  # fmt: skip
        out.append("</g>")
    return document(width, top + plot_h, out, font_size=font_size, font_family=font_family,
                    background=BACKGROUND[theme])  # fmt: skip


def _legend(out: list[str], models: list[str], colour: dict[str, str], left: float, top: float,
            width: float, k: float, fg: str) -> float:  # fmt: skip
    # Entries flow left to right and wrap, as the on-screen legend's flex row does.
    char_w, row_h = 6.6 * k, 20 * k
    x, y = left, top + 4 * k
    out.append(open_tag("g", {"class": "legend"}))
    for m in models:
        w = 12 * k + 6 * k + len(m) * char_w + 22 * k
        if x > left and x + w > width:
            x, y = left, y + row_h
        out.append(open_tag("g", {"class": "legend-item", "data-model": m}))
        out.append(element("rect", {"class": "swatch", "x": x + 6 * k, "y": y + 3 * k, "width": 12 * k,
                                    "height": 12 * k, "rx": 2 * k, "fill": colour[m]}))  # fmt: skip
        out.append(
            element(
                "text", {"class": "legend-name", "x": x + 24 * k, "y": y + 13 * k, "fill": fg}, m
            )
        )
        out.append("</g>")
        x += w
    out.append("</g>")
    return y + row_h + 6 * k
