"""What a widget shows where no widget front end runs: GitHub, nbviewer, ``nbconvert --to html``.

Each widget's mime bundle carries, beside ipywidgets' widget view, a small ``text/html``
snapshot of what it shows (a table, a few messages) when it is displayed: later sorts and
clicks change the widget, not the saved copy, until it is displayed again. Hosts that
render widgets prefer the widget view (JupyterLab, Notebook 7 and VS Code rank it above
``text/html``); static renderers skip the widget view when the notebook holds no widget
state and show this.

Every piece of data is untrusted model output: it goes through `html.escape` (quotes
too), and the markup has no scripts, event handlers or URLs, only inline colours.
"""

from __future__ import annotations

import html
import math
import warnings
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from evallens.figures.colours import cell_colour, css_fill, text_on

if TYPE_CHECKING:
    from evallens.grid import SampleGrid
    from evallens.heatmap import ScoresHeatmap
    from evallens.limit import ScoresByLimit
    from evallens.sample import SampleView

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
HTML = "text/html"

MAX_BYTES = 50_000
"""A snapshot stays below this: it is saved in the notebook beside the widget."""
TEXT_CHARS = 200
"""Longer cell text is cut to this many characters (and an ellipsis)."""
GRID_ROWS = 20
GRID_COLUMNS = 12
HEATMAP_TASKS = 30
HEATMAP_MODELS = 16
"""A heatmap's copy shows at most this many tasks (rows) and models (columns), in axis order."""
SAMPLE_MESSAGES = 8
LIMIT_POINTS = 5

# Plain table attributes (border, cellpadding, align) rather than per-cell CSS: smaller, and
# they survive sanitizers (GitHub's) that drop style attributes.
_TABLE = "border='1' cellpadding='3' style='border-collapse:collapse;font-size:12px'"
_CAPTION = "caption-side:bottom;text-align:left;color:#6b7280"


def esc(value: Any) -> str:
    """Text for HTML, quotes included: model output is never markup."""
    return html.escape(str(value), quote=True)


def clip(text: str, limit: int = TEXT_CHARS) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def number(value: float, digits: int | None = None) -> str:
    """A number as a table shows it: fixed ``digits`` when given, else 4 significant.

    Example:
        >>> number(0.123456), number(3.0, 0), number(12345.6), number(float("nan"))
        ('0.1235', '3', '12,346', '')
    """
    if math.isnan(value):
        return ""
    if digits is not None:
        return f"{value:,.{digits}f}"
    if value == int(value) or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def cell_text(value: Any, digits: int | None = None) -> str:
    """One value as plain text (numbers formatted, long text clipped); '' for missing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return number(float(value), digits)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return clip(str(value))


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    caption: str,
    *,
    numeric: Sequence[bool] | None = None,
    styles: Sequence[Sequence[str]] | None = None,
) -> str:
    """An HTML table of plain text: headers, rows of cell text, a caption under it.

    ``styles`` gives inline CSS per cell (colours only, computed here, never from data).
    """
    right = list(numeric or [False] * len(headers))
    head = "".join(f"<th align='left'>{esc(h)}</th>" for h in headers)
    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, text in enumerate(row):
            attrs = " align='right'" if c < len(right) and right[c] else ""
            if styles and styles[r][c]:
                attrs += f" style='{styles[r][c]}'"
            cells.append(f"<td{attrs}>{esc(text)}</td>")
        body.append("<tr valign='top'>" + "".join(cells) + "</tr>")
    return (
        f"<table class='evallens-static' {_TABLE}>"
        f"<caption style='{_CAPTION}'>{esc(caption)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


def with_html(bundle: Any, snapshot: Callable[[], str]) -> Any:
    """A widget's bundle (a dict, or anywidget's ``(data, metadata)``) plus ``text/html``.

    The widget view stays the first entry; a snapshot that fails is left out with a
    warning, so the widget itself still displays.
    """
    if bundle is None:
        return None
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, None)
    try:
        page = snapshot()
    except Exception as error:  # a static copy must never stop the live widget
        warnings.warn(f"evallens: no static HTML copy of this widget: {error}", stacklevel=2)
        return bundle
    first = {k: v for k, v in data.items() if k == WIDGET_VIEW}
    out = {**first, **{k: v for k, v in data.items() if k != WIDGET_VIEW}, HTML: page}
    return out if metadata is None else (out, metadata)


def fit(parts: Sequence[str]) -> str:
    """Snapshot pieces joined while they fit in `MAX_BYTES` (the first always does)."""
    out: list[str] = []
    size = 0
    for part in parts:
        size += len(part.encode())
        if out and size > MAX_BYTES:
            out.append("<p>…</p>")
            break
        out.append(part)
    return "<div class='evallens-static'>" + "".join(out) + "</div>"


def title_of(spec: dict[str, Any]) -> list[str]:
    """A chart's title as a bold paragraph (none when it has none)."""
    return [f"<p><strong>{esc(spec['title'])}</strong></p>"] if spec.get("title") else []


# -- per widget ------------------------------------------------------------------------------
def grid_html(grid: SampleGrid) -> str:
    """The first `GRID_ROWS` rows of the grid's view, its visible columns, "N of M samples"."""
    grid._settle()  # a grid shown inside another widget: its state is completed here too
    model = grid._model
    defs = {d["id"]: d for d in grid._column_defs}
    shown = [
        defs[c["id"]]
        for c in grid.columns
        if c.get("visible") and c["id"] in defs and defs[c["id"]]["kind"] != "status"
    ][:GRID_COLUMNS]
    fields = list(dict.fromkeys(d["field"] for d in shown))
    frame = model.query.window(0, GRID_ROWS, fields)
    labels = {**grid.score_labels}
    headers = [
        labels.get(d["score"]["name"], d["label"]) if d.get("score") else d["label"] or d["id"]
        for d in shown
    ]
    digits = [(d.get("format") or {}).get("digits") for d in shown]
    numeric = [d["kind"] in ("number", "id", "duration") or "format" in d for d in shown]
    rows = [
        [cell_text(row.get(d["field"]), digits[i]) for i, d in enumerate(shown)]
        for row in frame.iter_rows(named=True)
    ]
    caption = f"{grid.view_count:,} of {grid._total:,} samples"
    if grid.view_count > len(rows):
        caption += f" (first {len(rows)} shown)"
    return fit([table(headers, rows, caption, numeric=numeric)])


def cell_style(value: float, scheme: str, domain: tuple[float, float], reverse: bool) -> str:
    """A heatmap cell's inline CSS: its fill as the widget paints it (light theme), readable text.

    Example:
        >>> cell_style(1.0, "viridis", (0.0, 1.0), False)
        'background:#fde725;color:#1f2328'
        >>> cell_style(0.5, "diverging", (-1.0, 1.0), False)
        'background:rgba(134,222,160,0.5);color:#1f2328'
    """
    colour = cell_colour(value, scheme, domain, reverse, "light")
    fill, opacity = css_fill(colour)
    if opacity < 1:
        r, g, b = (int(fill[i : i + 2], 16) for i in (1, 3, 5))
        fill = f"rgba({r},{g},{b},{round(opacity, 3):g})"
    return f"background:{fill};color:{text_on(colour, 'light')}"


def heatmap_html(heatmap: ScoresHeatmap) -> str:
    """The heatmap as a table (tasks down, models across), cells coloured by its scheme.

    At most `HEATMAP_TASKS` × `HEATMAP_MODELS` cells: a 500 × 200 heatmap's full table was
    6.8 MB, took the kernel 1.6 s to write and the page another second to sanitize.
    """
    spec = heatmap._spec
    tasks_on_x = bool(spec["tasks_on_x"])
    tasks, models = (spec["x"], spec["y"]) if tasks_on_x else (spec["y"], spec["x"])
    n_tasks, n_models = min(len(tasks), HEATMAP_TASKS), min(len(models), HEATMAP_MODELS)
    # The cells shown, from the frame the spec lists (a loop over 100,000 took ~40 ms).
    task_at, model_at = ("x", "y") if tasks_on_x else ("y", "x")
    shown = heatmap._model.cell_frame.filter(
        (pl.col(task_at) < n_tasks) & (pl.col(model_at) < n_models) & pl.col("value").is_not_null()
    ).select(task_at, model_at, "value")
    values = {(task, model): float(v) for task, model, v in shown.iter_rows()}
    domain = spec["domain"]
    lo, hi = (float(domain[0]), float(domain[1])) if domain else (0.0, 1.0)
    scheme, reverse = str(spec["scheme"]), bool(spec["reverse"])
    rows, styles = [], []
    for t, task in enumerate(tasks[:n_tasks]):
        row, style = [str(task)], [""]
        for m in range(n_models):
            value = values.get((t, m))
            if value is None:
                row.append("")
                style.append("")
                continue
            row.append(number(value, 2 if abs(value) < 100 else 0))
            style.append(cell_style(value, scheme, (lo, hi), reverse))
        rows.append(row)
        styles.append(style)
    score = spec.get("score") or "score per task"
    # With a baseline the score is already labelled as a delta ("Δ score_match").
    what = f"{score} vs {spec['baseline']}" if spec.get("baseline") else f"mean {score}"
    caption = f"{len(tasks)} tasks × {len(models)} models, {what} ({scheme})"
    if n_tasks < len(tasks) or n_models < len(models):
        caption += f" (first {n_tasks} tasks × {n_models} models shown)"
    header = [
        spec.get("x_label" if tasks_on_x else "y_label") or "Task",
        *map(str, models[:n_models]),
    ]
    numeric = [False] + [True] * n_models
    return fit([*title_of(spec), table(header, rows, caption, numeric=numeric, styles=styles)])


def _at(xs: Sequence[float], ys: Sequence[float], limit: float) -> float | None:
    """A step curve's value at ``limit``: its last point at or below it."""
    found = None
    for x, y in zip(xs, ys, strict=False):
        if x > limit:
            break
        found = y
    return found


def limits_html(chart: ScoresByLimit) -> str:
    """Success rate per model (and facet) at `LIMIT_POINTS` limits across the x domain."""
    spec = chart._spec
    series = spec["series"]
    lo, hi = (float(v) for v in spec["x_domain"])
    steps = LIMIT_POINTS - 1
    if spec.get("log") and lo > 0:
        limits = [lo * (hi / lo) ** (i / steps) for i in range(LIMIT_POINTS)]
    else:
        limits = [lo + (hi - lo) * i / steps for i in range(LIMIT_POINTS)]
    label = spec.get("x_label") or chart.limit_column
    headers = ["Model", *(f"{label} ≤ {number(limit)}" for limit in limits)]
    rows = []
    for s in series:
        name = str(s["model"]) + (f" ({s['facet']})" if s.get("facet") is not None else "")
        at = [_at(s["x"], s["y"], limit) for limit in limits]
        rows.append([name, *(f"{v:.0%}" if v is not None else "" for v in at)])
    caption = f"{spec.get('y_label') or 'Success rate'} by {label}"
    numeric = [False] + [True] * len(limits)
    return fit([*title_of(spec), table(headers, rows, caption, numeric=numeric)])


def _message_text(message: dict[str, Any]) -> str:
    parts = []
    for part in message.get("parts") or []:
        if part.get("type") == "text":
            parts.append(str(part.get("text") or ""))
        else:
            parts.append(f"[{part.get('type')}]")
    for call in message.get("tool_calls") or []:
        parts.append(f"{call.get('function')}({call.get('arguments') or ''})")
    if message.get("error"):
        parts.append(f"error: {message['error']}")
    return clip(" ".join(p for p in parts if p).strip())


def sample_html(view: SampleView) -> str:
    """The sample's id, scores and first `SAMPLE_MESSAGES` messages as ``role: text``."""
    head = view._head
    scores = ", ".join(f"{s['name']} {s['value']}" for s in head.get("scores") or [])
    title = f"Sample {head.get('id')}, epoch {head.get('epoch')}"
    if head.get("task"):
        title += f" · {head['task']}"
    if head.get("model"):
        title += f" · {head['model']}"
    parts = [f"<p><strong>{esc(title)}</strong>" + (f" — {esc(scores)}" if scores else "") + "</p>"]
    for message in view._initial_messages[:SAMPLE_MESSAGES]:
        role = message.get("function") or message.get("role") or ""
        parts.append(f"<p><strong>{esc(role)}:</strong> {esc(_message_text(message))}</p>")
    total = int(head.get("message_count") or 0)
    shown = min(total, SAMPLE_MESSAGES, len(view._initial_messages))
    if total > shown:
        parts.append(f"<p style='{_CAPTION}'>{esc(f'{shown} of {total:,} messages')}</p>")
    return fit(parts)


def snapshot(widget: Any) -> str:
    """The static copy of an evallens widget (an empty one for a kind it does not know)."""
    from evallens.grid import SampleGrid
    from evallens.heatmap import ScoresHeatmap
    from evallens.limit import ScoresByLimit
    from evallens.sample import SampleView

    if isinstance(widget, SampleGrid):
        return grid_html(widget)
    if isinstance(widget, ScoresHeatmap):
        return heatmap_html(widget)
    if isinstance(widget, ScoresByLimit):
        return limits_html(widget)
    if isinstance(widget, SampleView):
        return sample_html(widget)
    return fit([])


def boxes_html(*parts: Any) -> str:
    """A box of widgets (Explorer, Comparison): each widget's copy, or a note as text."""
    pieces = []
    for part in parts:
        if isinstance(part, str):
            pieces.append(f"<p>{esc(part)}</p>")
        elif part is not None:
            pieces.append(snapshot(part))
    return fit(pieces)
