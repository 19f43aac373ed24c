"""evallens in a real marimo app (marimo from PyPI, `marimo run`) in headless Chromium.

A heatmap linked to a grid, each shown with `mo.ui.anywidget`: the grid's rows are the
frame's, a click on a cell filters the grid and reaches Python (a reactive cell prints
it), Python setting the selection reaches the page, the grid asks the kernel for rows
(Arrow windows in custom messages), ScoresByLimit's legend and `explore()` work too, and
no request leaves the marimo server. marimo draws each widget in a shadow root:
Playwright's locators pierce it, and the JavaScript below walks into it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from heatmap_page import click_cell, selected, shown, wait_drawn, wait_selected
from playwright.sync_api import expect

import evallens
from evallens.serve import free_port

NASTY = '<img src=x onerror="window.__pwned=1">'
# The demo, with one model named like markup: names are untrusted and must render as text.
FRAME = (
    "evallens.demo_samples().with_columns(model_display_name="
    f"pl.col('model_display_name').replace('claude-3-5-haiku', {NASTY!r}))"
)

APP = f"""
import marimo

app = marimo.App(width="full")


@app.cell
def imports():
    import json

    import marimo as mo
    import polars as pl

    import evallens

    return evallens, json, mo, pl


@app.cell
def data(evallens, pl):
    df = {FRAME}
    heatmap = evallens.ScoresHeatmap(df)
    grid = evallens.SampleGrid(df, height=420)
    evallens.link(heatmap, grid)
    return grid, heatmap


@app.cell
def linked_heatmap(heatmap, mo):
    hm = mo.ui.anywidget(heatmap)
    hm
    return (hm,)


@app.cell
def linked_grid(grid, mo):
    g = mo.ui.anywidget(grid)
    g
    return (g,)


@app.cell
def heatmap_selection(hm, json, mo):
    mo.plain_text("heatmap selection: " + json.dumps(hm.value["selection"]))
    return


@app.cell
def grid_selection(g, json, mo):
    _rows = g.widget.selected_samples().select("task_display_name", "id", "epoch").rows()
    mo.plain_text("grid selection: " + json.dumps(_rows))
    return


@app.cell
def pick_button(mo):
    pick = mo.ui.run_button(label="Select Trivia x o4-mini")
    pick
    return (pick,)


@app.cell
def pick_cell(heatmap, pick):
    if pick.value:
        heatmap.selection = [{{"task": "Trivia", "model": "o4-mini"}}]
    return


@app.cell
def limit_chart(evallens, mo):
    lim = mo.ui.anywidget(evallens.ScoresByLimit(evallens.synthetic_samples(3, 3, 40)))
    lim
    return (lim,)


@app.cell
def limit_selection(json, lim, mo):
    mo.plain_text("limit models: " + json.dumps(lim.value["selected_models"]))
    return


@app.cell
def explorer(evallens):
    evallens.explore(evallens.synthetic_samples(3, 4, 20))
    return


if __name__ == "__main__":
    app.run()
"""

# Rows of the grid in one cell's output, in on-screen order, as the user reads them:
# [position in the view, task, model, id, epoch].
ROWS_JS = """
(cell) => {
  const deep = (root, sel) => [
    ...root.querySelectorAll(sel),
    ...[...root.querySelectorAll("*")].filter((e) => e.shadowRoot).flatMap((e) => deep(e.shadowRoot, sel)),
  ];
  const scope = document.querySelector(`[data-cell-name="${cell}"]`);
  if (!scope) return [];
  return deep(scope, ".el-row[data-row]:not([data-row=''])")
    .filter((r) => !r.hidden)
    .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
    .map((r) => [Number(r.dataset.pos), ...["task_name", "model", "sampleId", "epoch"].map(
      (c) => r.querySelector(`[data-column="${c}"]`)?.textContent ?? null)]);
}
"""


def in_cell(name: str, selector: str) -> str:
    return f"[data-cell-name='{name}'] {selector}"


GRID = in_cell("linked_grid", ".el-grid")
HEATMAP = in_cell("linked_heatmap", ".el-heatmap")


def frame() -> pl.DataFrame:
    return eval(FRAME, {"evallens": evallens, "pl": pl})


def inspect_order(df: pl.DataFrame) -> pl.DataFrame:
    """Inspect's sample list order, written independently: logs as they first appear, then
    id, then epoch."""
    return (
        df.with_row_index("_row")
        .with_columns(_log=pl.col("_row").min().over("log"))
        .sort("_log", "id", "epoch")
    )


def as_shown(df: pl.DataFrame, *, epochs: bool = True) -> list[list[str | None]]:
    """Rows as the grid writes them (no epoch column when no task has more than one)."""
    return [
        [task, model, str(i), str(epoch) if epochs else None]
        for task, model, i, epoch in df.select(
            "task_display_name", "model_display_name", "id", "epoch"
        ).iter_rows()
    ]


class MarimoApp:
    """`marimo run APP` on a free loopback port, with config, cache and state of its own."""

    def __init__(self, directory: Path, source: str) -> None:
        self.dir = directory
        self.app = directory / "app.py"
        self.app.write_text(source)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = directory / "marimo.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        # The server runs the evallens this test imports (a worktree's, or the installed one).
        package_root = str(Path(evallens.__file__).resolve().parents[1])
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                p for p in (package_root, os.environ.get("PYTHONPATH")) if p
            ),
            "XDG_CONFIG_HOME": str(self.dir / "config"),
            "XDG_CACHE_HOME": str(self.dir / "cache"),
            "XDG_STATE_HOME": str(self.dir / "state"),
            "MARIMO_SKIP_UPDATE_CHECK": "1",  # no call to PyPI
        }
        args = [
            sys.executable, "-m", "marimo", "run", str(self.app),
            "--headless", "--host", "127.0.0.1", f"--port={self.port}",
            "--no-token", "--no-sandbox", "--session-ttl=1",
        ]  # fmt: skip
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(args, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"marimo exited early:\n{self.log.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.base}/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"marimo did not answer within {timeout:.0f}s:\n{self.log.read_text()}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture(scope="module")
def marimo_app(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarimoApp]:
    if importlib.util.find_spec("marimo") is None:
        message = "marimo not installed (pip install -e '.[test]'); the marimo test needs it"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    server = MarimoApp(tmp_path_factory.mktemp("marimo"), APP)
    try:
        server.start()
        yield server
    finally:
        server.stop()


class Page:
    """The app open in a fresh browser context (a fresh marimo session and kernel state)."""

    def __init__(
        self, app: MarimoApp, browser: Any, query: str = "", os_theme: str = "light"
    ) -> None:
        self.app = app
        self.context = browser.browser.new_context(
            viewport={"width": 1400, "height": 1000}, color_scheme=os_theme
        )
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("websocket", lambda ws: self.requests.append(ws.url))
        self.page.goto(app.base + query, timeout=60_000)

    def rows(self, cell: str = "linked_grid") -> list[list[Any]]:
        return self.page.evaluate(ROWS_JS, cell)

    def wait_rows(self, expected: list[list[str | None]], cell: str = "linked_grid") -> None:
        """Wait until the grid shows rows and each is ``expected``'s row at its position."""
        self.page.wait_for_function(
            f"""([cell, want]) => {{
                const rows = ({ROWS_JS})(cell);
                return rows.length > 0 && rows.every(([pos, ...row]) =>
                    pos < want.length && JSON.stringify(row) === JSON.stringify(want[pos]));
            }}""",
            arg=[cell, expected],
            timeout=20_000,
        )

    def wait_text(self, prefix: str, value: Any) -> None:
        expect(self.page.get_by_text(prefix)).to_have_text(
            prefix + json.dumps(value), timeout=20_000
        )

    def external_requests(self) -> list[str]:
        """Requests that left the marimo server (data: and blob: URLs are local)."""
        local = (self.app.base, self.app.base.replace("http", "ws", 1))
        return [
            u for u in self.requests
            if not (u.startswith(local) or u.startswith(("data:", "blob:", "about:")))
        ]  # fmt: skip

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def open_page(marimo_app: MarimoApp, browser: Any) -> Iterator[Callable[..., Page]]:
    """`open_page(query="", os_theme="light")`: the app in a fresh context."""
    opened: list[Page] = []

    def open_app(query: str = "", os_theme: str = "light") -> Page:
        opened.append(Page(marimo_app, browser, query, os_theme))
        return opened[-1]

    try:
        yield open_app
    finally:
        for page in opened:
            page.close()


@pytest.fixture
def app_page(open_page: Callable[..., Page]) -> Page:
    return open_page()


def test_linked_heatmap_and_grid_selections_both_ways(app_page: Page) -> None:
    p, page = app_page, app_page.page
    df = inspect_order(frame())
    status = page.locator(f"{GRID} .el-status")

    # The grid shows the frame's rows, in Inspect's order.
    expect(status).to_have_text(f"{df.height:,} samples", timeout=60_000)
    p.wait_rows(as_shown(df.head(100)))
    assert [r[0] for r in p.rows()][:4] == [0, 1, 2, 3]

    # Rows far down come from the kernel on request (Arrow windows in custom messages).
    page.locator(f"{GRID} .el-scroller").evaluate("(e) => { e.scrollTop = e.scrollHeight; }")
    last = df.height - 1
    page.locator(f"{GRID} .el-row[data-pos='{last}'][data-row='{df['_row'][last]}']").wait_for(
        timeout=20_000
    )
    bottom = p.rows()
    first = bottom[0][0]
    assert bottom[-1][0] == last
    assert [r[1:] for r in bottom] == as_shown(df.slice(first, last + 1 - first))

    # A click on a cell filters the grid to that task x model, and Python sees it.
    task, model = "Code Fix", "gpt-4.1"
    cell_rows = df.filter(
        (pl.col("task_display_name") == task) & (pl.col("model_display_name") == model)
    )
    wait_drawn(page, scope=HEATMAP)
    click_cell(page.locator(HEATMAP), task, model)
    expect(status).to_have_text(f"{cell_rows.height} of {df.height:,} samples", timeout=20_000)
    p.wait_rows(as_shown(cell_rows))
    p.wait_text("heatmap selection: ", [{"task": task, "model": model}])
    assert selected(page.locator(HEATMAP)) == [(task, model)]

    # A clicked row reaches Python: the grid's selected samples, printed by a reactive cell.
    # (The grid kept its scroll position through the filter: back to the top first.)
    page.locator(f"{GRID} .el-scroller").evaluate("(e) => { e.scrollTop = 0; }")
    second = cell_rows.row(1, named=True)
    row = page.locator(f"{GRID} .el-row[data-pos='1'][data-row='{second['_row']}']")
    row.wait_for(timeout=20_000)
    row.click()
    p.wait_text("grid selection: ", [[task, second["id"], second["epoch"]]])

    # Python sets the selection (a cell run by a button): the page follows.
    other_task, other_model = "Trivia", "o4-mini"
    other_rows = df.filter(
        (pl.col("task_display_name") == other_task) & (pl.col("model_display_name") == other_model)
    )
    page.get_by_role("button", name="Select Trivia x o4-mini").click()
    wait_selected(page.locator(HEATMAP), [(other_task, other_model)])
    # (The clicked row stays selected, so the status line goes on: "· 1 selected".)
    expect(status).to_have_text(
        re.compile(f"^{other_rows.height} of {df.height:,} samples"), timeout=20_000
    )
    p.wait_rows(as_shown(other_rows))

    # Names are text, never markup; nothing left the marimo server.
    assert NASTY in page.locator(f"{HEATMAP}").inner_text()
    assert page.locator(f"{HEATMAP} img, {GRID} img").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert p.external_requests() == []


def test_scores_by_limit_legend_reaches_python(app_page: Page) -> None:
    page = app_page.page
    chart = in_cell("limit_chart", ".el-limit")
    legend = page.locator(f"{chart} .el-lim-legend-item")
    expect(legend).to_have_count(3, timeout=60_000)
    expect(page.locator(f"{chart} .el-lim-line")).to_have_count(3)
    model = legend.first.get_attribute("data-model")
    legend.first.click()
    app_page.wait_text("limit models: ", [model])
    assert app_page.external_requests() == []


def test_explore_shows_live_linked_widgets(app_page: Page) -> None:
    page = app_page.page
    heatmap = in_cell("explorer", ".el-heatmap")
    status = page.locator(in_cell("explorer", ".el-grid .el-status"))
    samples = inspect_order(evallens.synthetic_samples(3, 4, 20))
    expect(status).to_have_text(f"{samples.height} samples", timeout=60_000)
    wait_drawn(page, scope=heatmap)
    first = shown(page.locator(heatmap))[0]
    task, model = first["task"], first["model"]
    click_cell(page.locator(heatmap), task, model)
    cell_rows = samples.filter(
        (pl.col("task_display_name") == task) & (pl.col("model_display_name") == model)
    )
    expect(status).to_have_text(f"{cell_rows.height} of {samples.height} samples", timeout=20_000)
    app_page.wait_rows(as_shown(cell_rows, epochs=False), cell="explorer")


@pytest.mark.parametrize("marimo_theme, os_theme", [("dark", "light"), ("light", "dark")])
def test_widgets_follow_marimos_theme_not_the_os(open_page, marimo_theme, os_theme) -> None:
    page = open_page(f"?theme={marimo_theme}", os_theme).page
    expect(page.locator("body")).to_have_attribute("data-theme", marimo_theme, timeout=60_000)
    dark = marimo_theme == "dark"
    for widget in (GRID, HEATMAP, in_cell("limit_chart", ".el-limit")):
        expect(page.locator(widget)).to_have_class(
            re.compile(r"\bel-dark\b") if dark else re.compile(r"^(?!.*\bel-dark\b)"),
            timeout=60_000,
        )
