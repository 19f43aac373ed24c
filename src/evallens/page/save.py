"""`save_html`: one self-contained HTML file that shows widgets and works offline.

The page runs the widgets' own front end (the ``page`` bundle, inline) against a small
stand-in for the kernel (``widget/src/page/``): each widget gets a model seeded with its
traits, and a grid's requests (rows, sorts, searches, a sample's details) are answered in
the page from facts computed here by the kernel's own rules (`evallens.page.grid`). Data
travels gzipped as base64 (`evallens.page.payload`), so no text from a log is ever markup.
"""

from __future__ import annotations

import datetime
import html
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anywidget
import ipywidgets

from evallens.base import bundle
from evallens.grid import SampleGrid
from evallens.heatmap import ScoresHeatmap
from evallens.limit import ScoresByLimit
from evallens.page.grid import MAX_ROWS, grid_page
from evallens.page.payload import Payload

KINDS: dict[type, str] = {SampleGrid: "grid", ScoresHeatmap: "heatmap", ScoresByLimit: "limit"}
"""The widgets a page can show, by the name its front end knows them by."""

_MACHINERY = {*anywidget.AnyWidget.class_trait_names(sync=True), "_esm", "_css", "_anywidget_id"}

# An inline <script> ends at its first "</script"; after a "<!--" in it, a "<script" followed
# by space, "/" or ">" would make the parser skip the real end tag (HTML's "double escaped"
# script state). A <style> ends at its first "</style". (Data never gets here: it is base64.)
_BREAKOUT = {
    "script": re.compile(r"</script|<script[\s/>]", re.IGNORECASE),
    "style": re.compile(r"</style", re.IGNORECASE),
}

SUPPORTED = "a SampleGrid, ScoresHeatmap, ScoresByLimit, explore()'s Explorer, or a Box of these"


def widget_state(widget: ipywidgets.Widget) -> dict[str, Any]:
    """A widget's own synced traits by name (bytes as bytes), without ipywidgets' own."""
    names = sorted(set(widget.trait_names(sync=True)) - _MACHINERY)
    return {name: getattr(widget, name) for name in names}


def _kind(widget: Any) -> str | None:
    for cls, kind in KINDS.items():
        if isinstance(widget, cls):
            return kind
    return None


class _Layout:
    """The page's widgets and how they are laid out, walked from what was passed."""

    def __init__(self) -> None:
        self.widgets: dict[str, Any] = {}

    def walk(self, obj: Any) -> dict[str, Any]:
        from evallens.compare import Comparison
        from evallens.explore import Explorer

        if isinstance(obj, Comparison):
            raise TypeError(
                "save_html cannot save a comparison yet: save its parts instead "
                f"(comparison.heatmap, comparison.grid); it saves {SUPPORTED}"
            )
        if isinstance(obj, Explorer):
            children: list[dict[str, Any]] = []
            if obj.heatmap is not None:
                children.append(self.walk(obj.heatmap))
            if obj.note:
                children.append({"note": obj.note})
            children.append(self.walk(obj.grid))
            return {"box": "column", "children": children}
        if _kind(obj) is not None:
            for page_id, known in self.widgets.items():
                if known is obj:
                    return {"widget": page_id}
            page_id = f"w{len(self.widgets)}"
            self.widgets[page_id] = obj
            return {"widget": page_id}
        if isinstance(obj, ipywidgets.Box):
            box = "row" if isinstance(obj, ipywidgets.HBox) else "column"
            return {"box": box, "children": [self.walk(child) for child in obj.children]}
        raise TypeError(f"save_html saves {SUPPORTED}; got {type(obj).__name__}")

    def grids(self) -> Iterator[tuple[str, SampleGrid]]:
        for page_id, widget in self.widgets.items():
            if isinstance(widget, SampleGrid):
                yield page_id, widget


def _blobs_to_refs(state: dict[str, Any], payload: Payload, page_id: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in state.items():
        if isinstance(value, bytes | bytearray | memoryview):
            out[name] = payload.blob(f"{page_id}:{name}", bytes(value))
        else:
            out[name] = value
    return out


def _title(layout: _Layout) -> str:
    for widget in layout.widgets.values():
        if isinstance(widget, SampleGrid):
            return f"evallens: {widget._total:,} samples"
    return "evallens"


def _inline(text: str, what: str, element: str) -> str:
    if _BREAKOUT[element].search(text):
        raise RuntimeError(
            f"the built {what} holds text that would end its inline element; rebuild the "
            "front end (cd widget && node build.mjs)"
        )
    return text


def page_html(obj: Any, *, title: str | None = None, max_rows: int = MAX_ROWS) -> str:
    """The page `save_html` writes, as text."""
    if max_rows < 1:
        raise ValueError(f"max_rows must be at least 1, got {max_rows}")
    layout = _Layout()
    tree = layout.walk(obj)
    if not layout.widgets:
        raise ValueError("nothing to save: the box holds no evallens widgets")
    state = Payload()
    data = Payload()
    live = {id(w): page_id for page_id, w in layout.widgets.items()}
    widgets: dict[str, Any] = {}
    facts: dict[str, Any] = {}
    notes: list[str] = []
    for page_id, widget in layout.widgets.items():
        if isinstance(widget, SampleGrid):
            widget._settle()  # the page shows its first rows and column descriptions
        traits = widget_state(widget)
        if isinstance(widget, SampleGrid):
            part = grid_page(widget, page_id, data, live, max_rows)
            traits.update(part.state)
            facts[page_id] = part.facts
            notes += part.notes
        widgets[page_id] = {"kind": _kind(widget), "state": _blobs_to_refs(traits, state, page_id)}
    heading = title if title is not None else _title(layout)
    saved = datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M")
    state.json = {
        "title": heading,
        "saved": saved,
        "notes": list(dict.fromkeys(notes)),
        "layout": tree,
        "widgets": widgets,
    }
    data.json = facts
    js = _inline(bundle("page.js").read_text(encoding="utf-8"), "page.js", "script")
    css = _inline(bundle("page.css").read_text(encoding="utf-8"), "page.css", "style")
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            # Nothing in the page may reach the network: scripts and styles are inline.
            '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
            "script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">",
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{html.escape(heading)}</title>",
            f"<style>{css}</style>",
            "</head>",
            "<body>",
            '<div id="evallens-page"></div>',
            f'<script type="application/octet-stream" id="evallens-state">{state.pack()}</script>',
            f'<script type="application/octet-stream" id="evallens-data">{data.pack()}</script>',
            f'<script type="module">{js}</script>',
            "</body>",
            "</html>",
            "",
        ]
    )


def save_html(
    widget: Any,
    path: str | os.PathLike[str],
    *,
    title: str | None = None,
    max_rows: int = MAX_ROWS,
) -> Path:
    """Write one HTML file that shows ``widget`` with no kernel, no server and no network.

    The heatmap, the grid (sorting, search, the detail panel, heatmap clicks filtering
    the grid) and the limits chart work in the page as in the notebook, on the data as it
    was when saved; sorts and searches give the kernel's answers. Hand it to a colleague:
    it opens from a file in any current browser. What needs the kernel is marked as not
    available there (a sample's whole transcript; the grid's Python filter stays as set).

    Args:
        widget: A `SampleGrid`, `ScoresHeatmap`, `ScoresByLimit`, the `Explorer` that
            `explore()` returns, or an ipywidgets Box of these.
        path: The file to write (``.html``).
        title: The page's title (default: how many samples it shows).
        max_rows: A grid holds at most this many samples (the first ones in its order
            when saved); the page says so when there were more.

    Returns:
        The path written.

    Raises:
        TypeError: ``widget`` is none of the above.

    Example:
        >>> import evallens, tempfile, pathlib
        >>> out = evallens.save_html(evallens.explore(), pathlib.Path(tempfile.mkdtemp()) / "demo.html")
        >>> out.stat().st_size < 3_000_000
        True
    """
    text = page_html(widget, title=title, max_rows=max_rows)
    out = Path(path)
    out.write_text(text, encoding="utf-8")
    return out
