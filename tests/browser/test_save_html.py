"""save_html's page in headless Chromium, opened offline from file:// with every non-file
request refused: what a colleague sees and clicks, and that its answers are the kernel's."""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from heatmap_page import click_cell, hover_cell, shown, wait_drawn

import evallens

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"
REAL_LOGS = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "logs" / "control_arena"
)
HOSTILE = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'


class Page:
    """One saved page open in its own offline browser context."""

    def __init__(self, context: Any, path: Path) -> None:
        self.context = context
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

        def refuse(route: Any) -> None:
            self.refused.append(route.request.url)
            route.abort()

        context.route(re.compile(r"^(?!file:)"), refuse)
        self.page = context.new_page()
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("#evallens-page[data-ready=answering]", timeout=30_000)

    def ids(
        self, grid: str, sort: list[dict[str, str]], search: str = "", cells: Any = None
    ) -> list[int]:
        """The page's rows for a view, by source row (as the grid's kernel lists them)."""
        return self.page.evaluate(
            "async ([id, q]) => (await evallensPage.grids())[id].ids(q)",
            [grid, {"sort": sort, "search": search, "cells": cells or {}}],
        )

    def shown(self) -> list[int]:
        """Source rows on screen, top to bottom."""
        return self.page.evaluate(
            f"""() => [...document.querySelectorAll("{ROWS}")].filter((r) => !r.hidden)
                .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
                .map((r) => Number(r.dataset.row))"""
        )

    def wait_shown(self, first: list[int]) -> None:
        self.page.wait_for_function(
            f"""(want) => {{
                const rows = [...document.querySelectorAll("{ROWS}")].filter((r) => !r.hidden)
                  .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
                  .map((r) => Number(r.dataset.row));
                return rows.length >= want.length && want.every((id, i) => rows[i] === id);
            }}""",
            arg=first,
            timeout=15_000,
        )

    def wait_status(self, text: str) -> None:
        self.page.wait_for_function(
            "(t) => document.querySelector('.el-status')?.textContent === t",
            arg=text,
            timeout=15_000,
        )


@pytest.fixture
def open_page(browser: Any, tmp_path: Path) -> Iterator[Callable[..., Page]]:
    opened: list[Page] = []

    def open_(widget: Any, name: str = "page.html") -> Page:
        path = evallens.save_html(widget, tmp_path / name)
        context = browser.browser.new_context(
            offline=True, viewport={"width": 1400, "height": 1000}, service_workers="block"
        )
        page = Page(context, path)
        opened.append(page)
        return page

    yield open_
    for page in opened:
        page.context.close()
        assert not page.refused, f"the page asked the network for {page.refused}"
        assert all(url.startswith("file://") for url in page.requests), page.requests
        assert not page.errors, page.errors
        assert not page.dialogs, page.dialogs


def kernel_ids(
    ui: Any, sort: list[dict[str, str]], search: str = "", cells: Any = None
) -> list[int]:
    ui.grid.sort = sort
    ui.grid.search = search
    if ui.heatmap is not None:
        ui.heatmap.selection = cells or []
    return ui.grid._model.query.view.to_list()


def queries(ui: Any) -> Iterator[tuple[list[dict[str, str]], str, list[dict[str, str]]]]:
    """Sorts by every column both ways, multi-sorts, searches, cells and mixes of them."""
    ids = [c["id"] for c in ui.grid._column_defs]
    for cid in ids:
        for direction in ("asc", "desc"):
            yield [{"column": cid, "dir": direction}], "", []
    scores = [c["id"] for c in ui.grid._column_defs if c["kind"] == "score"]
    yield [{"column": scores[0], "dir": "desc"}, {"column": scores[-1], "dir": "asc"}], "", []
    yield (
        [
            {"column": "model", "dir": "asc"},
            {"column": scores[1], "dir": "desc"},
            {"column": "sampleId", "dir": "desc"},
        ],
        "",
        [],
    )
    cells = ui.heatmap.cells
    first = {"task": cells["task"][0], "model": cells["model"][0]}
    last = {"task": cells["task"][-1], "model": cells["model"][-1]}
    for search in ("e", "  e ", "E", "1", "the", "no such text anywhere"):
        yield [], search, []
    yield [], "", [first]
    yield [], "", [first, last]
    yield [{"column": scores[0], "dir": "asc"}], "e", [first, last]
    yield [{"column": "sampleId", "dir": "desc"}], "1", [last]


def check_page_against_kernel(page: Page, ui: Any) -> int:
    grid = "w1" if ui.heatmap is not None else "w0"
    source = "w0"
    checked = 0
    for sort, search, cells in queries(ui):
        expected = kernel_ids(ui, sort, search, cells)
        got = page.ids(grid, sort, search, {source: cells})
        assert got == expected, (sort, search, cells)
        checked += 1
    return checked


def test_demo_explorer_answers_as_the_kernel(open_page: Callable[..., Page]) -> None:
    ui = evallens.explore()
    page = open_page(ui)
    assert check_page_against_kernel(page, ui) > 40


def test_real_logs_answer_as_the_kernel(open_page: Callable[..., Page]) -> None:
    if not REAL_LOGS.is_dir():
        pytest.skip(f"{REAL_LOGS} is not on this machine")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the directory holds a cancelled, empty log
        ui = evallens.explore(REAL_LOGS)
    page = open_page(ui)
    assert check_page_against_kernel(page, ui) > 30


def test_a_colleague_clicks_through_the_demo(open_page: Callable[..., Page]) -> None:
    ui = evallens.explore()
    page = open_page(ui)
    p = page.page
    # First rows, in the kernel's order, painted from the page alone.
    page.wait_shown(ui.grid._model.query.view.head(5).to_list())
    assert "19,200 samples" in p.locator(".el-status").text_content()

    # Sort by a score column: the kernel's order (pass/fail by value, ties by frame order).
    judge = p.locator(".el-th[data-column='score__match__match']")
    judge.click()
    page.wait_shown(kernel_ids(ui, [{"column": "score__match__match", "dir": "asc"}])[:8])
    judge.click()
    page.wait_shown(kernel_ids(ui, [{"column": "score__match__match", "dir": "desc"}])[:8])
    assert (
        p.locator(".el-th[data-column='score__match__match'] .el-sort-mark").text_content() == "▼"
    )

    # Search, as the kernel searches (literal, case-sensitive).
    sort = [{"column": "score__match__match", "dir": "desc"}]
    p.locator(".el-search").fill("plus 5")
    expected = kernel_ids(ui, sort, "plus 5")
    page.wait_status(f"{len(expected):,} of 19,200 samples")
    page.wait_shown(expected[:5])
    p.locator(".el-search").fill("")
    page.wait_status("19,200 samples")

    # A heatmap cell filters the grid, as evallens.link does in the notebook.
    wait_drawn(p)
    click_cell(p.locator(".el-heatmap"), "Trivia", "gpt-4.1")
    expected = kernel_ids(ui, sort, "", [{"task": "Trivia", "model": "gpt-4.1"}])
    page.wait_status(f"{len(expected):,} of 19,200 samples")
    page.wait_shown(expected[:5])

    # The detail panel: the sample's fields, here without a kernel.
    p.locator(f".el-row[data-row='{expected[1]}']").click()
    detail = p.locator(".el-detail")
    detail.locator(".el-detail-input").wait_for(timeout=10_000)
    row = ui.grid.data.row(expected[1], named=True)
    assert detail.locator(".el-detail-input").text_content() == row["input"]
    assert f"Sample {row['id']}" in detail.locator(".el-detail-title").text_content()
    p.keyboard.press("]")  # the next sample in the page's order
    nxt = ui.grid.data.row(expected[2], named=True)
    p.wait_for_function(
        "(t) => document.querySelector('.el-detail-input')?.textContent === t", arg=nxt["input"]
    )

    # Deselecting the cell shows every sample again (the clicked row stays selected).
    click_cell(p.locator(".el-heatmap"), "Trivia", "gpt-4.1")
    page.wait_status("19,200 samples · 1 selected")

    # What needs the notebook says so, and changes nothing.
    p.get_by_role("button", name="Download CSV").click()
    notice = p.locator(".el-notice")
    notice.wait_for(state="visible")
    assert "grid.export() in the notebook" in notice.text_content()
    assert "Nothing was changed" in notice.text_content()


def test_limits_chart_and_a_box(open_page: Callable[..., Page]) -> None:
    import ipywidgets

    samples = evallens.synthetic_samples(3, 4, 40)
    chart = evallens.ScoresByLimit(samples)
    page = open_page(ipywidgets.HBox([evallens.ScoresHeatmap(samples), chart]))
    p = page.page
    assert p.locator(".el-lim-svg").count() == 1
    assert p.locator(".el-lim-legend-item").count() == len(chart.models)
    wait_drawn(p)
    assert len(shown(p.locator(".el-heatmap"))) == 12
    p.locator(".el-lim-legend-item").first.click()  # legend clicks work in the page
    p.wait_for_function("() => document.querySelectorAll('.el-lim-legend-item.el-off').length > 0")


def test_hostile_text_stays_text(open_page: Callable[..., Page]) -> None:
    import polars as pl

    frame = (
        evallens.demo_samples()
        .head(60)
        .with_columns(
            pl.lit(HOSTILE).alias("input"),
            pl.lit(HOSTILE).alias("task_display_name"),
            pl.lit(HOSTILE).alias("metadata_category"),
            pl.col("score_closeness").alias(f"score_{HOSTILE}"),
        )
    )
    ui = evallens.explore(frame, score_value="score_judge")
    page = open_page(ui)
    p = page.page
    assert p.locator(".el-th", has_text="onerror=alert(1)").count() == 1  # a score's name, as text
    p.locator(ROWS).first.click()
    p.locator(".el-detail-input").wait_for()
    assert p.locator(".el-detail-input").text_content() == HOSTILE
    wait_drawn(p)
    first = shown(p.locator(".el-heatmap"))[0]
    hover_cell(p.locator(".el-heatmap"), first["task"], first["model"])
    p.locator(".el-hm-tip:not([hidden])").wait_for()
    assert HOSTILE in p.locator(".el-hm-tip").text_content()
    p.locator(".el-search").fill("<img")
    page.wait_status("60 samples · 1 selected")  # every input holds it; one row clicked
    assert p.evaluate("() => document.querySelectorAll('img, iframe').length") == 0
    assert p.title().startswith("evallens")
