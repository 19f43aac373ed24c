"""A ScoresHeatmap as an SVG figure, drawn from its spec (what the front end draws).

The cells, their colours and text, the axis labels in the widget's order, the legend and,
with a baseline, signed deltas and the corner mark on significant cells, as on screen. A
figure is not a scrolling view: every row and column is drawn.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from evallens.figures.colours import (
    BACKGROUND,
    BORDER,
    FOREGROUND,
    MUTED,
    Theme,
    cell_colour,
    css_fill,
    scheme_colour,
    text_on,
)
from evallens.figures.svg import DEFAULT_FONT, document, element, escape, num, open_tag
from evallens.heatmap.types import HeatmapSpec

Formatter = Callable[[float | None], str]

MINUS = "\u2212"
LEGEND_STEPS = 12  # the front end's legend gradient has 13 stops
MARK = 9  # px: the corner mark of a significant cell (at 12 px text)


def _fixed(v: float, digits: int) -> str:
    # JavaScript's toFixed: the exact binary value, halves away from zero.
    q = Decimal(v).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return f"{q:f}"


def format_value(v: float | None) -> str:
    """A score as cell text, as the front end writes it (``formatValue`` in layout.ts).

    At most three significant decimals, no trailing zeros.

    Example:
        >>> [format_value(v) for v in (1.0, 0.5, 0.12345, 12.345, 123.6, 0.0005, None)]
        ['1', '0.5', '0.123', '12.3', '124', '0.001', '']
    """
    if v is None or not math.isfinite(v):
        return ""
    if v == int(v):
        return str(int(v))
    magnitude = abs(v)
    if magnitude >= 100:
        return _fixed(v, 0)
    if magnitude >= 10:
        return _fixed(v, 1)
    return _fixed(v, 2 if magnitude >= 1 else 3).rstrip("0").rstrip(".")


def format_signed(v: float | None) -> str:
    """A delta as text: its sign always written, a true minus, and no "−0".

    Example:
        >>> format_signed(0.12), format_signed(-0.05), format_signed(-0.0001)
        ('+0.12', '−0.05', '0')
    """
    if v is None or not math.isfinite(v):
        return ""
    magnitude = format_value(abs(v))
    if magnitude == "0":
        return "0"
    return f"{'+' if v > 0 else MINUS}{magnitude}"


def _fit(label: str, width: float, char_w: float) -> str:
    # No text measuring here: cut by an average glyph width, as the screen's ellipsis does.
    room = max(1, int(width / char_w))
    return label if len(label) <= room else label[: max(1, room - 1)] + "…"


def heatmap_svg(
    spec: HeatmapSpec,
    *,
    width: float,
    height: float | None = None,
    screen_height: float | None = None,
    font_size: float = 12,
    font_family: str = DEFAULT_FONT,
    theme: Theme = "light",
) -> str:
    """The heatmap as a standalone SVG document.

    Args:
        spec: The widget's ``_spec``.
        width: Figure width in pixels.
        height: Figure height; cells shrink or grow to fill it exactly. None: the
            widget's height (``screen_height``), growing so that no row is below the
            screen's minimum cell height.
        screen_height: The widget's height, used when ``height`` is None.
        font_size: Label size in pixels; titles and cell text scale with it.
        font_family: CSS font family.
        theme: ``"light"`` or ``"dark"`` (colours of Inspect's palettes and the page).

    Example:
        >>> import evallens
        >>> hm = evallens.ScoresHeatmap(evallens.demo_samples(), score_value="score_judge")
        >>> heatmap_svg(hm._spec, width=600).count('class="cell"') == len(hm.cells)
        True
    """
    fs = float(font_size)
    k = fs / 12  # the screen's sizes are for 12 px text
    char_w = 7 * k
    fg, muted = FOREGROUND[theme], MUTED[theme]
    xs, ys = list(spec["x"]), list(spec["y"])
    nx, ny = max(1, len(xs)), max(1, len(ys))
    baseline = spec.get("baseline")
    fmt: Formatter = format_value if baseline is None else format_signed
    domain = (float(spec["domain"][0]), float(spec["domain"][1]))

    longest_y = max((len(s) for s in ys), default=0)
    label_w = spec["margin_left"] or min(
        220 * k, max(60 * k, longest_y * char_w + 18 * k), width * 0.4
    )
    label_w = float(label_w)
    cell_w = max(1.0, (width - label_w) / nx)
    x_text = max((len(s) for s in xs), default=0) * char_w + 12 * k
    rotate = spec["x_tick_rotate"] != 0 and x_text > cell_w
    header_h = min(150 * k, max(40 * k, x_text)) if rotate else 30 * k
    title_h = 30 * k if spec["title"] else 0
    axis_h = 20 * k if spec["x_label"] else 0
    legend_h = 44 * k if spec["legend"] else 0
    chrome = title_h + axis_h + header_h + legend_h
    if height is None:
        target = screen_height if screen_height is not None else width / 1.618
        cell_h = max(22 * k, (target - chrome) / ny)
        total_h = chrome + cell_h * ny
    else:
        cell_h = max(1.0, (height - chrome) / ny)
        total_h = float(height)
    show_text = spec["cell"]["text"] is not None and cell_w >= 34 * k and cell_h >= 16 * k
    inset = max(0, spec["cell"]["inset"])

    out: list[str] = []
    top = 0.0
    if spec["title"]:
        out.append(element("text", {"class": "title", "x": 0.0, "y": 21 * k, "font-size": 15 * k,
                                    "font-weight": 600, "fill": fg}, spec["title"]))  # fmt: skip
        top += title_h
    if spec["x_label"]:
        out.append(element("text", {"class": "axis-title x", "x": label_w, "y": top + 14 * k,
                                    "fill": muted}, spec["x_label"]))  # fmt: skip
        top += axis_h
    grid_top = top + header_h

    # Axis labels, in the widget's order.
    if spec["y_label"]:
        out.append(element("text", {"class": "axis-title y", "x": label_w - 6 * k,
                                    "y": grid_top - 4 * k, "text-anchor": "end", "fill": muted},
                           _fit(spec["y_label"], label_w - 6 * k, char_w)))  # fmt: skip
    for i, label in enumerate(xs):
        cx = label_w + (i + 0.5) * cell_w
        attrs: dict[str, str | float | int | None] = {"class": "tick x", "fill": fg}
        if rotate:
            attrs |= {
                "transform": f"translate({num(cx + 4 * k)},{num(grid_top - 4 * k)}) rotate(-90)"
            }
            text = _fit(label, header_h - 4 * k, char_w)
        else:
            attrs |= {"x": cx, "y": grid_top - 6 * k, "text-anchor": "middle"}
            text = _fit(label, cell_w - 4 * k, char_w)
        out.append(_labelled("text", attrs, text, label))
    tasks_on_x = spec["tasks_on_x"]
    for j, label in enumerate(ys):
        attrs = {"class": "tick y", "x": label_w - 8 * k, "y": grid_top + (j + 0.5) * cell_h,
                 "text-anchor": "end", "dominant-baseline": "central", "fill": fg}  # fmt: skip
        if label == baseline:
            attrs["font-style"] = "italic"
            attrs["class"] = "tick y baseline"
        out.append(_labelled("text", attrs, _fit(label, label_w - 10 * k, char_w), label))

    # Cells: every task × model with data; missing ones dashed, as on screen.
    deltas = spec.get("deltas") if baseline is not None else None
    present: set[tuple[int, int]] = set()
    for index, (i, j, value, n, _se, _link) in enumerate(spec["cells"]):
        present.add((i, j))
        x0, y0 = label_w + i * cell_w + inset, grid_top + j * cell_h + inset
        w, h = max(0.0, cell_w - 2 * inset), max(0.0, cell_h - 2 * inset)
        task, model = (xs[i], ys[j]) if tasks_on_x else (ys[j], xs[i])
        if value is None or not math.isfinite(value):
            out.append(_missing(x0, y0, w, h, muted, "empty"))
            continue
        colour = cell_colour(value, spec["scheme"], domain, spec["reverse"], theme)
        fill, opacity = css_fill(colour)
        text_colour = spec["cell"]["text"]
        ink = text_colour if text_colour and text_colour != "auto" else text_on(colour, theme)
        significant = bool(deltas and index < len(deltas) and deltas[index][5])
        tip = f"{task} × {model}: {fmt(value)} (n={n})" + (", significant" if significant else "")
        out.append(open_tag("g", {"class": "cell-group"}))
        out.append(_labelled("rect", {"class": "cell", "data-x": i, "data-y": j, "x": x0, "y": y0, "width": w, "height": h,
                                      "fill": fill, "fill-opacity": None if opacity == 1 else opacity},
                             None, tip))  # fmt: skip
        if show_text:
            out.append(element("text", {"class": "value", "x": x0 + w / 2, "y": y0 + h / 2,
                                        "text-anchor": "middle", "dominant-baseline": "central",
                                        "font-weight": 600, "fill": ink}, fmt(value)))  # fmt: skip
        if significant:
            m = MARK * k
            out.append(element("path", {"class": "significant", "fill": ink,
                                        "d": f"M{num(x0 + w - m)},{num(y0)}H{num(x0 + w)}V{num(y0 + m)}Z"}))  # fmt: skip
        out.append("</g>")
    for j in range(len(ys)):
        for i in range(len(xs)):
            if (i, j) not in present:
                x0, y0 = label_w + i * cell_w + inset, grid_top + j * cell_h + inset
                out.append(
                    _missing(
                        x0, y0, cell_w - 2 * inset, cell_h - 2 * inset, BORDER[theme], "missing"
                    )
                )

    if spec["legend"]:
        out.append(_legend(spec, width, grid_top + ny * cell_h + 8 * k, k, fmt, theme))
    return document(width, total_h, out, font_size=fs, font_family=font_family,
                    background=BACKGROUND[theme])  # fmt: skip


def _labelled(
    tag: str, attrs: dict[str, str | float | int | None], text: str | None, tip: str
) -> str:
    # A <title> child: the full (escaped) name on hover, and for screen readers.
    inner = element("title", None, tip) + (escape(text) if text is not None else "")
    return open_tag(tag, attrs) + inner + f"</{tag}>"


def _missing(x: float, y: float, w: float, h: float, stroke: str, kind: str) -> str:
    return element("rect", {"class": kind, "x": x + 0.5, "y": y + 0.5, "width": max(0.0, w - 1),
                            "height": max(0.0, h - 1), "fill": "none", "stroke": stroke,
                            "stroke-dasharray": "3 3"})  # fmt: skip


def _legend(
    spec: HeatmapSpec, width: float, top: float, k: float, fmt: Formatter, theme: Theme
) -> str:
    lo, hi = float(spec["domain"][0]), float(spec["domain"][1])
    bar_w = min(370 * k, width / 2)
    title = spec["score"]
    title_w = min(200 * k, len(title) * 6.4 * k)
    key_w = 80 * k if spec.get("baseline") is not None else 0
    gap = 10 * k
    left = max(0.0, (width - (title_w + gap + bar_w + (gap + key_w if key_w else 0))) / 2)
    parts = [open_tag("g", {"class": "legend", "font-size": 11 * k})]
    # The full title on hover, and which score each task averages when they differ.
    scores = spec["task_scores"] or {}
    tip = "\n".join([title, *(f"{task}: {score}" for task, score in scores.items())])
    parts.append(_labelled("text", {"class": "legend-title", "x": left, "y": top + 10 * k,
                                    "fill": MUTED[theme]}, _fit(title, title_w, 6.4 * k), tip))  # fmt: skip
    stops = []
    for i in range(LEGEND_STEPS + 1):
        t = i / LEGEND_STEPS
        fill, opacity = css_fill(
            scheme_colour(spec["scheme"], 1 - t if spec["reverse"] else t, theme)
        )
        stops.append(element("stop", {"offset": f"{round(t * 100)}%", "stop-color": fill,
                                      "stop-opacity": opacity}))  # fmt: skip
    parts.append("<defs>" + open_tag("linearGradient", {"id": "evallens-legend", "x1": "0",
                                                        "x2": "1", "y1": "0", "y2": "0"})
                 + "".join(stops) + "</linearGradient></defs>")  # fmt: skip
    bx = left + title_w + gap
    parts.append(element("rect", {"class": "legend-bar", "x": bx, "y": top + 2 * k, "width": bar_w,
                                  "height": 10 * k, "fill": "url(#evallens-legend)"}))  # fmt: skip
    for frac, anchor, v in ((0.0, "start", lo), (0.5, "middle", (lo + hi) / 2), (1.0, "end", hi)):
        parts.append(element("text", {"class": "legend-tick", "x": bx + frac * bar_w, "y": top + 26 * k,
                                      "text-anchor": anchor, "fill": MUTED[theme]}, fmt(v)))  # fmt: skip
    if key_w:
        kx = bx + bar_w + gap
        m = MARK * k
        parts.append(element("path", {"class": "legend-key-mark", "fill": FOREGROUND[theme],
                                      "d": f"M{num(kx)},{num(top + 2 * k)}h{num(m)}v{num(m)}Z"}))  # fmt: skip
        parts.append(element("text", {"class": "legend-key", "x": kx + m + 4 * k, "y": top + 10 * k,
                                      "fill": MUTED[theme]}, "significant"))  # fmt: skip
    parts.append("</g>")
    return "".join(parts)
