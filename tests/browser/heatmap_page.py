"""Reach a ScoresHeatmap's cells in the page: they are canvas pixels, not elements.

Each heatmap's root (``.el-heatmap``) carries ``evallensHeatmap``, a probe that scrolls a
task × model cell into view and gives its box, and says what each cell shows. Clicks and
hovers here are real pointer events at that box's centre, on the canvas, so they go
through the view's own hit-testing as a user's do.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page

HEATMAP = ".el-heatmap"

_CENTRE = """(e, [task, model]) => {
  const r = e.evallensHeatmap.cellRect(task, model);
  if (!r) return null;
  const c = e.querySelector('.el-hm-canvas').getBoundingClientRect();
  return { x: r.x - c.left + r.width / 2, y: r.y - c.top + r.height / 2 };
}"""


def wait_drawn(page: Page, count: int = 1, scope: str = HEATMAP, timeout: float = 60_000) -> None:
    """Wait until ``count`` heatmaps matching ``scope`` have drawn cells on their canvas
    (element handles, not document queries: marimo may put widgets in shadow roots)."""
    roots = page.locator(scope)
    roots.nth(count - 1).wait_for(timeout=timeout)
    for i in range(count):
        page.wait_for_function(
            "e => e.evallensHeatmap?.drawn() > 0",
            arg=roots.nth(i).element_handle(timeout=timeout),
            timeout=timeout,
        )


def wait_selected(root: Locator, cells: list[tuple[str, str]], timeout: float = 20_000) -> None:
    """Wait until the heatmap draws exactly these (task, model) cells as selected."""
    root.page.wait_for_function(
        "([e, want]) => { const key = (c) => JSON.stringify(c);"
        " const got = e.evallensHeatmap.cells().filter((c) => c.selected)"
        ".map((c) => key([c.task, c.model])).sort();"
        " return key(got) === key(want.map(key).sort()); }",
        arg=[root.element_handle(timeout=timeout), [list(c) for c in cells]],
        timeout=timeout,
    )


def _centre(root: Locator, task: str, model: str) -> dict[str, float]:
    pos = root.evaluate(_CENTRE, [task, model])
    assert pos is not None, f"no cell for task {task!r} × model {model!r} in this heatmap"
    return {"x": pos["x"], "y": pos["y"]}


def click_cell(root: Locator, task: str, model: str, modifiers: list[Any] | None = None) -> None:
    """Click the middle of a cell (scrolled into view first), as a user does."""
    pos = _centre(root, task, model)
    root.locator(".el-hm-canvas").click(position=pos, modifiers=modifiers or [])  # type: ignore[arg-type]


def hover_cell(root: Locator, task: str, model: str) -> None:
    """Move the pointer onto a cell (its tooltip opens)."""
    root.locator(".el-hm-canvas").hover(position=_centre(root, task, model))


def shown(root: Locator) -> list[dict[str, Any]]:
    """Every cell with data as drawn: task, model, x, y, text, empty, selected, significant."""
    result: list[dict[str, Any]] = root.evaluate("e => e.evallensHeatmap.cells()")
    return result


def selected(root: Locator) -> list[tuple[str, str]]:
    """The cells drawn as selected, as (task, model), sorted."""
    return sorted((c["task"], c["model"]) for c in shown(root) if c["selected"])


def pixel(root: Locator, task: str, model: str) -> list[int]:
    """The canvas's RGBA inside a cell's fill (the cell scrolled into view first)."""
    result: list[int] = root.evaluate("(e, [t, m]) => e.evallensHeatmap.pixel(t, m)", [task, model])
    return result
