"""SampleGrid in a real JupyterLab: what a user sees and clicks, and what Python reads back."""

from __future__ import annotations

import json

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"

SORT_FRAME = """
import math, polars as pl, evallens
df = pl.DataFrame({
    "id": [9, 10, 2, 1, 11, 3],
    "input": ["nine", "ten", "two", "one", "eleven", "three"],
    "target": ["t"] * 6,
    "answer": ["a"] * 6,
    "score_judge": [5.0, None, 1.0, 10.0, math.nan, 5.5],
    "score_match": ["C", "I", "C", "I", "C", None],
})
"""
"""Six samples with ties, a missing and a NaN judge score, and pass/fail grades (`df`)."""

SORT_DATA = (
    SORT_FRAME
    + """
grid = evallens.SampleGrid(df, view={"score_color_scales": {"judge": "good-high"}})
grid
"""
)


def column_text(nb, column: str) -> list[str]:
    """Cell texts of one column, in on-screen order."""
    return nb.page.evaluate(
        """(col) => [...document.querySelectorAll(".el-row[data-row]:not([data-row=''])")]
            .filter((r) => !r.hidden)
            .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
            .map((r) => r.querySelector(`[data-column="${col}"]`).textContent)""",
        column,
    )


def header(nb, column: str):
    return nb.page.locator(f".el-th[data-column='{column}']")


def wait_column(nb, column: str, expected: list[str]) -> None:
    nb.page.wait_for_function(
        """([col, want]) => {
            const rows = [...document.querySelectorAll(".el-row[data-row]:not([data-row=''])")]
              .filter((r) => !r.hidden)
              .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
              .map((r) => r.querySelector(`[data-column="${col}"]`).textContent);
            return JSON.stringify(rows) === JSON.stringify(want);
        }""",
        arg=[column, expected],
        timeout=15_000,
    )


def test_sorting_by_clicks_numeric_ids_missing_last_and_multi_sort(notebook):
    nb = notebook([SORT_DATA])
    nb.wait_for(ROWS)
    # Stored in completion order; shown as Inspect's list starts: by id, numerically.
    assert column_text(nb, "sampleId") == ["1", "2", "3", "9", "10", "11"]

    header(nb, "sampleId").click()  # asc: integers sort as numbers, 9 before 10
    wait_column(nb, "sampleId", ["1", "2", "3", "9", "10", "11"])
    assert nb.value("grid.sort") == [{"column": "sampleId", "dir": "asc"}]
    assert header(nb, "sampleId").get_attribute("aria-sort") == "ascending"

    header(nb, "sampleId").click()  # desc
    wait_column(nb, "sampleId", ["11", "10", "9", "3", "2", "1"])
    header(nb, "sampleId").click()  # none: back to the default order
    wait_column(nb, "sampleId", ["1", "2", "3", "9", "10", "11"])
    assert nb.value("grid.sort") == []

    # Missing values (None, NaN) last in both directions, shown blank.
    header(nb, "score__judge__judge").click()
    wait_column(nb, "score__judge__judge", ["1", "5", "5.5", "10", "", ""])
    header(nb, "score__judge__judge").click()
    wait_column(nb, "score__judge__judge", ["10", "5.5", "5", "1", "", ""])

    # A plain click on another header replaces the sort; Shift-click adds a second key.
    header(nb, "score__match__match").click()
    header(nb, "sampleId").click(modifiers=["Shift"])
    # Pass/fail sorts by value (I=0 before C=1), missing last; ties broken by id.
    wait_column(nb, "sampleId", ["1", "10", "2", "9", "11", "3"])
    assert nb.value("grid.sort") == [
        {"column": "score__match__match", "dir": "asc"},
        {"column": "sampleId", "dir": "asc"},
    ]
    assert header(nb, "score__match__match").locator(".el-sort-order").inner_text() == "1"
    assert header(nb, "sampleId").locator(".el-sort-order").inner_text() == "2"

    # Keyboard-operable headers: Enter on a focused header sorts (id was asc: now desc, alone).
    header(nb, "sampleId").focus()
    nb.page.keyboard.press("Enter")
    wait_column(nb, "sampleId", ["11", "10", "9", "3", "2", "1"])

    # Python sets the sort: the browser follows.
    nb.execute("grid.sort = [{'column': 'sampleId', 'dir': 'asc'}]")
    wait_column(nb, "sampleId", ["1", "2", "3", "9", "10", "11"])
    assert header(nb, "sampleId").get_attribute("aria-sort") == "ascending"
    assert nb.external_requests() == []


COLOUR_DATA = """
import polars as pl, evallens
df = pl.DataFrame({
    "id": [1, 2, 3],
    "input": ["low", "mid", "high"],
    "score_judge": [0.0, 5.0, 10.0],
    "score_cost": [0.0, 5.0, 10.0],
    "score_bias": [-1.0, 0.0, 1.0],
    "score_size": [0.0, 5.0, 10.0],
    "score_pinned": [0.0, 5.0, 10.0],
    "score_same": [1.0, 1.0, 1.0],
    "score_match": ["C", "I", "P"],
    "score_ok": [True, False, True],
    "score_label": ["refused", "partial", "complied"],
})
grid = evallens.SampleGrid(df, view={
    "score_color_scales": {
        "judge": "good-high", "cost": "good-low", "bias": "diverging", "size": "neutral",
        "pinned": {"palette": "good-high", "min": 0, "max": 20}, "same": "good-high",
        "label": {"refused": "bad", "complied": "good"},
    },
    "score_labels": {"judge": "Judge score"},
})
grid
"""

RED, AMBER, GREEN = "rgb(248, 163, 163)", "rgb(252, 220, 130)", "rgb(134, 222, 160)"
BLUE = "rgb(120, 170, 245)"


def cell_background(nb, row: int, column: str) -> str:
    return nb.page.evaluate(
        """([pos, col]) => {
            const cell = document.querySelector(`.el-row[data-pos="${pos}"] [data-column="${col}"]`);
            return getComputedStyle(cell).backgroundColor;
        }""",
        [row, column],
    )


def test_colour_scales_pills_toggle_labels_and_compact_headers(notebook):
    nb = notebook([COLOUR_DATA])
    nb.wait_for(ROWS)
    judge = "score__judge__judge"
    assert [cell_background(nb, r, judge) for r in range(3)] == [RED, AMBER, GREEN]
    cost = "score__cost__cost"
    assert [cell_background(nb, r, cost) for r in range(3)] == [GREEN, AMBER, RED]
    bias = "score__bias__bias"
    assert cell_background(nb, 0, bias) == RED
    assert cell_background(nb, 1, bias).endswith(", 0)")  # transparent midpoint
    assert cell_background(nb, 2, bias) == GREEN
    size = "score__size__size"
    assert cell_background(nb, 0, size) == "rgba(120, 170, 245, 0)"  # transparent, blue hue
    assert cell_background(nb, 2, size) == BLUE
    # A pinned range: 10 of 0..20 is the midpoint, not the top.
    assert cell_background(nb, 2, "score__pinned__pinned") == AMBER
    # A column whose values are all equal is still painted (1.0 on a 0–1 score: good).
    assert cell_background(nb, 0, "score__same__same") == GREEN

    # Pass/fail and booleans are pills, whatever the scales.
    pills = nb.page.locator(".el-row[data-pos='0'] [data-column='score__match__match'] .el-pill")
    assert pills.inner_text() == "C" and "el-role-good" in pills.get_attribute("class")
    p = nb.page.locator(".el-row[data-pos='2'] [data-column='score__match__match'] .el-pill")
    assert "el-role-warn" in p.get_attribute("class")
    ok = nb.page.locator(".el-row[data-pos='1'] [data-column='score__ok__ok'] .el-pill")
    assert ok.inner_text() == "false" and "el-role-bad" in ok.get_attribute("class")
    label = nb.page.locator(".el-row[data-pos='0'] [data-column='score__label__label'] .el-pill")
    assert "el-role-bad" in label.get_attribute("class")

    # Labels relabel headers.
    assert header(nb, judge).inner_text().startswith("Judge score")

    # The View menu's "Score colors" toggle turns scales off, and Python sees it.
    nb.page.click(".el-menu-toggle:has-text('View')")
    nb.page.click("[data-option='color_scales_enabled']")
    nb.page.wait_for_function(
        """() => getComputedStyle(document.querySelector(
            '.el-row[data-pos="0"] [data-column="score__judge__judge"]')).backgroundColor === 'rgba(0, 0, 0, 0)'"""
    )
    assert nb.wait_value("grid.color_scales_enabled", False) is False
    # Pills stay: they ignore the toggle.
    assert (
        nb.page.locator(
            ".el-row[data-pos='0'] [data-column='score__match__match'] .el-pill"
        ).count()
        == 1
    )

    # Compact scores from Python: narrow columns with headers rotated 45°.
    nb.execute("grid.compact_scores = True")
    nb.page.wait_for_selector(".el-grid.el-compact-scores")
    transform = nb.page.evaluate(
        """() => getComputedStyle(document.querySelector(
            '.el-th[data-column="score__judge__judge"] .el-th-label')).transform"""
    )
    # matrix(cos, sin, -sin, cos, ...) for -45°: cos = 0.707…, sin = -0.707…
    a, b = (float(x) for x in transform.removeprefix("matrix(").split(",")[:2])
    assert abs(a - 0.7071) < 0.01 and abs(b + 0.7071) < 0.01
    width = nb.page.evaluate(
        """() => document.querySelector('.el-th[data-column="score__judge__judge"]').getBoundingClientRect().width"""
    )
    assert width < 50
    assert nb.external_requests() == []


def test_rows_selection_detail_columns_and_reload(notebook):
    nb = notebook(
        ["import evallens, polars as pl\ngrid = evallens.SampleGrid(evallens.demo_samples())\ngrid"]
    )
    nb.wait_for(ROWS)
    row_height = nb.page.evaluate(
        "() => document.querySelector(\".el-row[data-pos='0']\").getBoundingClientRect().height"
    )
    assert row_height == 70  # multiline by default

    # Click a row: it is selected, Python sees its key, the detail panel opens.
    nb.page.click(".el-row[data-pos='1']")
    nb.page.wait_for_selector(".el-row[data-pos='1'].el-selected")
    expected = nb.value(
        "[list(k) for k in grid.visible_rows(2).select('log', 'id', 'epoch').rows()][1:]"
    )
    assert nb.wait_value("grid.selected", expected) == expected
    assert nb.value("grid.selected_samples().height") == 1
    nb.page.wait_for_selector(".el-detail .el-detail-body")
    detail = nb.page.locator(".el-detail")
    assert (
        nb.value("grid.visible_rows(2)['input'][1]")
        in detail.locator(".el-detail-input").inner_text()
    )
    # Six scores: shown as chips.
    assert detail.locator(".el-detail-scores").get_attribute("data-layout") == "chips"
    assert detail.locator(".el-chip").count() == 6

    # Ctrl-click adds a second row; Shift-click selects a range.
    nb.page.click(".el-row[data-pos='3']", modifiers=["Control"])
    nb.page.wait_for_function("() => document.querySelectorAll('.el-row.el-selected').length === 2")
    nb.page.click(".el-row[data-pos='5']", modifiers=["Shift"])
    nb.page.wait_for_function("() => document.querySelectorAll('.el-row.el-selected').length === 3")
    assert nb.wait_value("len(grid.selected)", 3) == 3

    # Python sets the selection: the browser highlights it.
    nb.execute("grid.selected = [tuple(grid.visible_rows(8).select('log','id','epoch').row(7))]")
    nb.page.wait_for_function(
        "() => [...document.querySelectorAll('.el-row.el-selected')].map(r => r.dataset.pos).join() === '7'"
    )
    assert "1 selected" in nb.page.locator(".el-status").inner_text()

    # Keyboard: arrows move the focus, Enter opens the sample.
    nb.page.keyboard.press("ArrowDown")
    nb.page.keyboard.press("ArrowDown")
    nb.page.keyboard.press("Enter")
    nb.page.wait_for_function(
        "() => document.querySelector('.el-row.el-focused')?.dataset.pos === '7'"
    )

    # Column menu: hide a column, Python sees it.
    nb.page.click(".el-menu-toggle:has-text('Columns')")
    nb.page.click(".el-column-item[data-column='target'] input")
    nb.page.wait_for_function("() => !document.querySelector('.el-th[data-column=\"target\"]')")
    hidden = [{"id": "target", "visible": False}]
    assert nb.wait_value("[c for c in grid.columns if c['id'] == 'target']", hidden) == hidden

    # Compact rows from the View menu.
    nb.page.click(".el-menu-toggle:has-text('View')")
    nb.page.click("[data-option='multiline']")
    nb.page.wait_for_function(
        "() => document.querySelector('.el-row:not([hidden])').getBoundingClientRect().height === 30"
    )
    assert nb.wait_value("grid.multiline", False) is False

    # Reload the page and run again: the user's overrides survive.
    nb.page.reload()
    nb.open()
    nb.run_all()
    nb.wait_for(ROWS)
    nb.page.wait_for_function(
        "() => document.querySelector('.el-row:not([hidden])').getBoundingClientRect().height === 30"
    )
    assert nb.page.locator(".el-th[data-column='target']").count() == 0
    assert nb.wait_value("grid.multiline", False) is False
    assert nb.wait_value("[c for c in grid.columns if c['id'] == 'target']", hidden) == hidden

    # reset_view() goes back to the eval default and forgets the saved overrides.
    nb.execute("grid.reset_view()")
    nb.page.wait_for_selector(".el-th[data-column='target']")
    assert nb.value("grid.multiline") is True
    assert nb.external_requests() == []


XSS = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'

XSS_DATA = f"""
import polars as pl, evallens
evil = {XSS!r}
df = pl.DataFrame({{
    "id": [1, 2],
    "input": [evil, "fine"],
    "target": [evil, "t"],
    "answer": ["a", evil],
    "metadata_" + evil: [evil, evil],
    "score_" + evil: [1.0, 2.0],
    evil: [evil, "x"],
}})
grid = evallens.SampleGrid(df, view={{"columns": ["sampleId", "input", "target", "answer", evil, "score_" + evil]}})
grid
"""


def test_untrusted_text_is_never_html(notebook):
    nb = notebook([XSS_DATA])
    nb.wait_for(ROWS)
    nb.page.click(".el-row[data-pos='0']")
    nb.page.wait_for_selector(".el-detail .el-detail-body")
    nb.page.click(".el-menu-toggle:has-text('Columns')")
    assert nb.page.evaluate("() => window.__pwned") is None
    assert nb.page.locator(".el-grid img, .el-grid script").count() == 0
    assert XSS in nb.page.locator(".el-row[data-pos='0'] [data-column='input']").inner_text()
    assert XSS in nb.page.locator(".el-detail").inner_text()
    assert nb.external_requests() == []


def test_empty_frame_shows_an_empty_state(notebook):
    nb = notebook(
        [
            "import polars as pl, evallens\n"
            "grid = evallens.SampleGrid(evallens.demo_samples().clear())\n"
            "grid"
        ]
    )
    nb.wait_for(".el-grid .el-empty:not([hidden])")
    assert nb.page.locator(".el-empty").inner_text() == "No samples to show."
    assert nb.page.locator(".el-status").inner_text() == "0 samples"
    nb.execute(
        "grid2 = evallens.SampleGrid(evallens.demo_samples()); grid2.search = 'no such text anywhere'"
    )
    assert nb.value("grid2.view_count") == 0


def test_dark_theme_and_kernel_gone(notebook):
    nb = notebook(
        [
            "import evallens\n"
            "grid = evallens.SampleGrid(evallens.synthetic_samples(4, 5, 100),\n"
            "    view={'score_color_scales': {'judge': 'good-high'}})\n"
            "grid"
        ]
    )
    nb.wait_for(ROWS)
    light = nb.page.evaluate(
        "() => getComputedStyle(document.querySelector('.el-grid')).backgroundColor"
    )
    judge = nb.page.locator(".el-row[data-pos='0'] [data-column='score__judge__judge']")
    light_cell = judge.evaluate("(el) => getComputedStyle(el).backgroundColor")
    nb.command("apputils:change-theme", {"theme": "JupyterLab Dark"})
    nb.page.wait_for_selector(".el-grid.el-dark", timeout=30_000)
    dark = nb.page.evaluate(
        "() => getComputedStyle(document.querySelector('.el-grid')).backgroundColor"
    )
    assert light != dark
    nb.page.wait_for_function(
        "(before) => getComputedStyle(document.querySelector(\".el-row[data-pos='0'] [data-column='score__judge__judge']\")).backgroundColor !== before",
        arg=light_cell,
    )
    dark_cell = judge.evaluate("(el) => getComputedStyle(el).backgroundColor")

    def brightness(css: str) -> int:
        return sum(int(float(v)) for v in css[css.index("(") + 1 : -1].split(",")[:3])

    # Score colours follow the theme: deeper stops under light text in the dark theme.
    assert brightness(dark_cell) < brightness(light_cell) - 150
    nb.command("apputils:change-theme", {"theme": "JupyterLab Light"})
    nb.page.wait_for_selector(".el-grid:not(.el-dark)", timeout=30_000)

    # The first rows live in the widget's state: with the kernel gone they still show,
    # and scrolling further says why nothing more arrives.
    nb.lab.api("DELETE", f"/api/kernels/{nb.kernel_id()}")
    nb.page.evaluate(
        "() => { const s = document.querySelector('.el-scroller'); s.scrollTop = s.scrollHeight / 2; }"
    )
    nb.page.wait_for_selector(".el-notice:not([hidden])", timeout=30_000)
    assert "kernel" in nb.page.locator(".el-notice").inner_text()
    nb.page.evaluate("() => { document.querySelector('.el-scroller').scrollTop = 0; }")
    nb.page.wait_for_selector(ROWS)
    assert nb.external_requests() == []


def test_search_box_and_header_drag(notebook):
    nb = notebook(["import evallens\ngrid = evallens.SampleGrid(evallens.demo_samples())\ngrid"])
    nb.wait_for(ROWS)
    nb.page.fill(".el-search", "plus 5?")
    expected = nb.value(
        "int(evallens.demo_samples()['input'].str.contains('plus 5?', literal=True).sum())"
    )
    nb.page.wait_for_function(
        "(n) => document.querySelector('.el-status').textContent === `${n.toLocaleString('en-US')} of 19,200 samples`",
        arg=expected,
    )
    assert nb.value("grid.search") == "plus 5?"
    assert nb.value("grid.view_count") == expected
    nb.page.fill(".el-search", "")
    nb.page.wait_for_function(
        "() => document.querySelector('.el-status').textContent === '19,200 samples'"
    )

    # Drag the Answer header before Input: the order changes here and in Python.
    nb.page.drag_and_drop(".el-th[data-column='answer']", ".el-th[data-column='input']")
    nb.page.wait_for_function(
        """() => { const ids = [...document.querySelectorAll('.el-th')].map(h => h.dataset.column);
                   return ids.indexOf('answer') === ids.indexOf('input') - 1; }"""
    )
    moved = "(lambda ids: ids.index('answer') == ids.index('input') - 1)([c['id'] for c in grid.columns])"
    assert nb.wait_value(moved, True) is True


def test_column_resize_by_dragging_the_header_edge(notebook):
    nb = notebook(["import evallens\ngrid = evallens.SampleGrid(evallens.demo_samples())\ngrid"])
    nb.wait_for(ROWS)
    head = nb.page.locator(".el-th[data-column='sampleId']")
    before = head.bounding_box()
    handle = head.locator(".el-resize").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    nb.page.mouse.move(x, y)
    nb.page.mouse.down()
    nb.page.mouse.move(x + 60, y, steps=5)
    nb.page.mouse.up()
    after = head.bounding_box()
    assert abs(after["width"] - (before["width"] + 60)) < 3
    # Body cells follow the header, and resizing did not sort.
    cell = nb.page.locator(".el-row[data-pos='0'] [data-column='sampleId']").bounding_box()
    assert abs(cell["width"] - after["width"]) < 1 and abs(cell["x"] - after["x"]) < 1
    assert nb.value("grid.sort") == []
    # Double-click returns to the default width.
    nb.page.locator(".el-th[data-column='sampleId'] .el-resize").dblclick()
    assert abs(head.bounding_box()["width"] - before["width"]) < 1


DEFAULT_COLOURS = """
import polars as pl, evallens
df = pl.DataFrame({
    "id": [1, 2, 3],
    "input": ["a", "b", "c"],
    "score_accuracy": [0.0, 0.5, 1.0],
    "score_correct": [0, 1, 1],
    "score_judge": [0.0, 5.0, 10.0],
    "score_pinned": [0.0, 0.5, 1.0],
    "score_match": ["C", "I", "C"],
})
grid = evallens.SampleGrid(df, view={"score_color_scales": {"pinned": "good-low"}})
grid
"""


def test_scores_the_view_does_not_mention_get_default_colours(notebook):
    nb = notebook([DEFAULT_COLOURS])
    nb.wait_for(ROWS)
    # Values all in [0, 1]: accuracy-like, good-high (0/1 scores too).
    accuracy = "score__accuracy__accuracy"
    assert [cell_background(nb, r, accuracy) for r in range(3)] == [RED, AMBER, GREEN]
    correct = "score__correct__correct"
    assert [cell_background(nb, r, correct) for r in (0, 1)] == [RED, GREEN]
    # Any other numeric score: magnitude only (neutral).
    assert cell_background(nb, 0, "score__judge__judge") == "rgba(120, 170, 245, 0)"
    assert cell_background(nb, 2, "score__judge__judge") == BLUE
    # The view's own entry wins; pass/fail keeps its pills.
    assert cell_background(nb, 2, "score__pinned__pinned") == RED
    pill = nb.page.locator(".el-row[data-pos='0'] [data-column='score__match__match'] .el-pill")
    assert "el-role-good" in pill.get_attribute("class")


NUMBERS = """
import polars as pl, evallens
df = pl.DataFrame({
    "id": [225123, 2**53 + 1, 7],
    "input": ["a", "b", "c"],
    "score_p": [9.17e-7, 0.5, 1.2e-6],
    "score_judge": [5.0, 1.0, 5.5],
})
grid = evallens.SampleGrid(df)
grid
"""


def test_ids_whole_and_one_number_format_per_column(notebook):
    nb = notebook([NUMBERS])
    nb.wait_for(ROWS)
    # Ids: every digit (2**53 + 1 would round to ...992 as a float), no separators, not cut.
    assert column_text(nb, "sampleId") == ["7", "225123", "9007199254740993"]  # id order
    cut = nb.page.evaluate(
        """() => [...document.querySelectorAll(".el-row:not([hidden]) [data-column='sampleId'] span")]
            .filter((s) => s.scrollWidth > s.clientWidth).length"""
    )
    assert cut == 0
    # Tiny values: the whole column in scientific notation, never 0.0000012 beside 9.17e-7.
    assert column_text(nb, "score__p__p") == ["1.20e-6", "9.17e-7", "5.00e-1"]
    assert column_text(nb, "score__judge__judge") == ["5.5", "5", "1"]


def first_visible_row(nb) -> int:
    """Position of the topmost row showing below the header."""
    return nb.page.evaluate(
        """() => {
            const top = document.querySelector('.el-header').getBoundingClientRect().bottom;
            const shown = [...document.querySelectorAll('.el-row:not([hidden])')]
              .filter((r) => r.getBoundingClientRect().bottom > top + 1)
              .map((r) => Number(r.dataset.pos));
            return Math.min(...shown);
        }"""
    )


def test_toggling_multiline_keeps_the_first_visible_row(notebook):
    nb = notebook(
        [
            "import polars as pl, evallens\n"
            "n = 100_000\n"
            "grid = evallens.SampleGrid(pl.DataFrame({'id': range(n), 'input': [f'q{i}' for i in range(n)]}))\n"
            "grid"
        ]
    )
    nb.wait_for(ROWS)
    nb.page.evaluate(
        "() => { document.querySelector('.el-scroller').scrollTop = 27_000 * 70 + 20; }"
    )
    nb.page.wait_for_selector(".el-row[data-pos='27001'][data-row='27001']")
    assert first_visible_row(nb) == 27_000
    nb.page.click(".el-menu-toggle:has-text('View')")
    nb.page.click("[data-option='multiline']")  # off: rows 30 px instead of 70
    nb.page.wait_for_function(
        "() => document.querySelector('.el-row:not([hidden])').getBoundingClientRect().height === 30"
    )
    assert first_visible_row(nb) == 27_000
    nb.page.click("[data-option='multiline']")  # and back
    nb.page.wait_for_function(
        "() => document.querySelector('.el-row:not([hidden])').getBoundingClientRect().height === 70"
    )
    assert first_visible_row(nb) == 27_000


def test_detail_panel_keys_never_overlap_their_values(notebook):
    long_key = "metadata_" + "a_rather_long_metadata_key_" * 4
    nb = notebook(
        [
            "import evallens, polars as pl\n"
            f"df = evallens.demo_samples().head(50).with_columns(pl.lit('value').alias({long_key!r}))\n"
            "grid = evallens.SampleGrid(df)\n"
            "grid"
        ]
    )
    nb.wait_for(ROWS)
    nb.page.click(".el-row[data-pos='0']")
    nb.page.wait_for_selector(".el-detail .el-detail-body")
    # Compare where the text is drawn, not the boxes: text overflowing a narrow key box
    # is exactly what ran into the values.
    overlaps = nb.page.evaluate(
        """() => {
            const lines = (el) => { const r = document.createRange(); r.selectNodeContents(el);
              return [...r.getClientRects()].filter((b) => b.width > 0); };
            const cut = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
              && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
            const keys = [...document.querySelectorAll('.el-detail dt')];
            const values = [...document.querySelectorAll('.el-detail dd')];
            const hits = [];
            for (const k of keys) for (const v of values)
              if (lines(k).some((a) => lines(v).some((b) => cut(a, b)))) hits.push(`${k.textContent} / ${v.textContent}`);
            return hits;
        }"""
    )
    assert overlaps == []
    keys = nb.page.locator(".el-detail dt").all_inner_texts()
    assert {"task_display_name", "total_tokens"} <= set(keys)
    assert any(k.replace("\n", "") == long_key.removeprefix("metadata_") for k in keys)


def saved_grid_state(nb) -> dict:
    """The grid model's state as the notebook file holds it (JupyterLab's saved widget state)."""
    doc = json.loads((nb.lab.root / nb.name).read_text())
    models = doc["metadata"]["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    (state,) = [m["state"] for m in models.values() if "_column_defs" in m["state"]]
    return state


def click_sort_without_kernel(nb, data_order: list[str]) -> None:
    """A header click that cannot be served says so; neither the arrow nor the rows move."""
    header(nb, "sampleId").click()
    nb.page.wait_for_selector(".el-notice:not([hidden]):has-text('Nothing was changed')")
    assert nb.page.locator(".el-notice").inner_text() == (
        "The kernel is not answering: sorting needs it. Nothing was changed."
    )
    assert header(nb, "sampleId").get_attribute("aria-sort") == "none"
    assert nb.page.locator(".el-grid .el-sort-mark").count() == 0
    assert column_text(nb, "sampleId") == data_order


def test_kernel_gone_a_click_changes_nothing_and_says_so(notebook):
    nb = notebook([SORT_DATA])
    nb.wait_for(ROWS)
    key = nb.value("grid._storage_key")
    data_order = ["1", "2", "3", "9", "10", "11"]  # the default order: by id

    # The kernel shuts down under the open page: a click changes nothing, and the widget
    # state JupyterLab saves with the notebook has no stale sort in it.
    for session in nb.lab.api("GET", "/api/sessions"):
        if session["path"].endswith(nb.name):
            nb.lab.api("DELETE", f"/api/sessions/{session['id']}")
    click_sort_without_kernel(nb, data_order)
    nb.command("docmanager:save")
    assert saved_grid_state(nb).get("sort", []) == []

    # Reopened without its kernel, the rows come from that saved state: no arrow, and a
    # click is refused the same way.
    nb.page.reload()
    nb.open()
    nb.wait_for(ROWS)
    assert nb.page.locator(".el-grid .el-sort-mark").count() == 0
    assert column_text(nb, "sampleId") == data_order
    click_sort_without_kernel(nb, data_order)

    # A sort this browser saved in an earlier session waits for a kernel too (the rows on
    # hand do not have it); a pure view setting saved beside it still applies.
    override = {"sort": [{"column": "sampleId", "dir": "desc"}], "multiline": False}
    nb.page.evaluate("([k, v]) => localStorage.setItem(k, v)", [key, json.dumps(override)])
    nb.page.reload()
    nb.open()
    nb.wait_for(ROWS)
    nb.page.wait_for_function(
        "() => document.querySelector('.el-row:not([hidden])').getBoundingClientRect().height === 30"
    )
    assert nb.page.locator(".el-grid .el-sort-mark").count() == 0
    assert column_text(nb, "sampleId") == data_order
