"""ScoresHeatmap in JupyterLab: clicks reach Python, Python reaches the page, links filter."""

from __future__ import annotations

from conftest_io import LOGS_DIR, require

INNER = ".el-hm-cell:not(.el-hm-missing)"
CELL = f".el-heatmap {INNER}"
STATUS = ".el-grid .el-status"

SETUP = """
import evallens, polars as pl
df = evallens.synthetic_samples(4, 5, 40)
heatmap = evallens.ScoresHeatmap(df, score_value="score_closeness")
grid = evallens.SampleGrid(df)
evallens.link(heatmap, grid)
seen = []
heatmap.observe(lambda c: seen.append(c["new"]), ["selection"])
"""


def _cell(task: str, model: str, scope: str = CELL) -> str:
    return f'{scope}[data-task="{task}"][data-model="{model}"]'


def _expected_rows(nb, cells: list[tuple[str, str]]) -> int:
    cond = " | ".join(
        f"((pl.col('task_display_name') == {t!r}) & (pl.col('model_display_name') == {m!r}))"
        for t, m in cells
    )
    return nb.value(f"df.filter({cond}).height")


def test_click_selects_and_filters_linked_grid(notebook):
    # Each widget in its own cell, and each displayed twice.
    nb = notebook([SETUP, "heatmap", "grid", "display(heatmap)", "display(grid)"])
    page = nb.page
    page.wait_for_selector(CELL, timeout=60_000)
    page.wait_for_selector(".el-grid .el-row[data-row]", timeout=60_000)
    views = page.locator(".el-heatmap")
    assert views.count() == 2

    x, y = nb.value("heatmap.x_order"), nb.value("heatmap.y_order")
    task, model = x[-1], y[0]
    page.locator(_cell(task, model)).first.click()
    page.wait_for_function(
        "n => [...document.querySelectorAll('.el-grid .el-status')].every("
        "e => e.textContent.startsWith(n + ' of'))",
        arg=f"{_expected_rows(nb, [(task, model)]):,}",
        timeout=20_000,
    )
    assert nb.value("heatmap.selection") == [{"task": task, "model": model}]
    # The grid shows exactly that cell's samples.
    shown = nb.value(
        "grid.visible_rows().select('task_display_name','model_display_name').unique().rows()"
    )
    assert shown == [[task, model]]
    # Both views of the heatmap show the selection; others are dimmed.
    assert page.locator(f"{CELL}.el-hm-selected").count() == 2
    assert page.locator(".el-hm-has-selection").count() == 2

    # Ctrl-click adds a second cell (in the other view of the heatmap).
    other = (x[0], y[-1])
    page.locator(_cell(*other)).nth(1).click(modifiers=["Control"])
    total = _expected_rows(nb, [(task, model), other])
    page.wait_for_function(
        f"() => document.querySelector('{STATUS}').textContent.startsWith('{total:,} of')",
        timeout=20_000,
    )
    assert nb.value("grid.view_count") == total
    assert len(nb.value("heatmap.selection")) == 2

    # Composes with the grid's own filter.
    nb.execute("grid.filter = pl.col('score_match') == 'C'")
    both = nb.value(
        "df.filter(((pl.col('task_display_name') == heatmap.selection[0]['task'])"
        " & (pl.col('model_display_name') == heatmap.selection[0]['model'])"
        " | (pl.col('task_display_name') == heatmap.selection[1]['task'])"
        " & (pl.col('model_display_name') == heatmap.selection[1]['model']))"
        " & (pl.col('score_match') == 'C')).height"
    )
    assert nb.value("grid.view_count") == both
    nb.execute("grid.filter = None")

    # Escape clears; every sample is back.
    page.locator(".el-hm-scroll").first.focus()
    page.keyboard.press("Escape")
    page.wait_for_function(
        f"() => document.querySelector('{STATUS}').textContent === '800 samples'",
        timeout=20_000,
    )
    assert nb.value("heatmap.selection") == []
    assert page.locator(f"{CELL}.el-hm-selected").count() == 0

    # Clicking a row label selects the whole row.
    page.locator(".el-hm-ylabel[data-line='y1']").first.click()
    page.wait_for_function(
        f"() => document.querySelector('{STATUS}').textContent.startsWith('200 of')",
        timeout=20_000,
    )
    assert {c["model"] for c in nb.value("heatmap.selection")} == {y[1]}

    # Keyboard: arrows move the focus ring, Enter toggles.
    page.keyboard.press("Escape")
    page.locator(".el-hm-scroll").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.el-hm-focus') !== null")
    page.wait_for_function(
        f"() => document.querySelector('{STATUS}').textContent.startsWith('40 of')",
        timeout=20_000,
    )
    sel = nb.value("heatmap.selection")
    horizontal = {"task": x[0], "model": y[0]}
    assert sel != [] and sel != [horizontal]

    # Python sets the selection: the page highlights it.
    nb.execute(f"heatmap.selection = [{{'task': {x[1]!r}, 'model': {y[2]!r}}}]")
    page.wait_for_function(
        "sel => [...document.querySelectorAll(sel)].length === 2"
        " && [...document.querySelectorAll(sel)].every(e => e.classList.contains('el-hm-selected'))",
        arg=_cell(x[1], y[2]),
        timeout=20_000,
    )
    assert page.locator(f"{CELL}.el-hm-selected").count() == 2

    # unlink: the grid shows everything and stops following.
    nb.execute("evallens.unlink(heatmap, grid)")
    assert nb.value("grid.view_count") == 800
    nb.execute("heatmap.selection = []")
    assert nb.external_requests() == []


XSS = """
import evallens, polars as pl
nasty_task = '<img src=x onerror="window.__pwned=1">'
nasty_model = '<script>window.__pwned=2</script>'
df = pl.DataFrame({
    "task_name": [nasty_task, nasty_task, "ok"],
    "model": [nasty_model, "m2", nasty_model],
    "score_headline_value": [0.5, 0.7, 0.9],
    "log_viewer": ["javascript:window.__pwned=3", "https://example.org/log", None],
})
heatmap = evallens.ScoresHeatmap(df, title='<b onmouseover="window.__pwned=4">t</b>',
                                 task_label="<i>x</i>", model_label="<u>y</u>")
heatmap
"""


def test_hostile_names_render_as_text(notebook):
    nb = notebook([XSS])
    page = nb.page
    page.wait_for_selector(CELL, timeout=60_000)
    for el in reversed(page.locator(CELL).all()):
        el.hover()
        page.wait_for_selector(".el-hm-tip:not([hidden])")
    texts = page.locator(".el-heatmap").inner_text()
    assert "<img src=x" in texts and "<script>" in texts
    assert page.locator(".el-heatmap img, .el-heatmap script, .el-heatmap b").count() == 0
    hrefs = page.eval_on_selector_all(".el-heatmap a", "as => as.map(a => a.href)")
    assert all(h.startswith("https://") for h in hrefs)
    assert page.evaluate("() => window.__pwned === undefined")
    assert nb.external_requests() == []


REAL = """
import evallens, polars as pl
from pathlib import Path
base = Path({base!r})
evals = pl.read_parquet(base / "evals.parquet")
bench = pl.read_parquet(base / "benchmarks.parquet")
small = evallens.ScoresHeatmap(evals, title="evals")
big = evallens.ScoresHeatmap(bench, model_name="model", title="benchmarks")
"""


def test_real_frames_values_order_missing_cells_and_scrolling(notebook):
    base = LOGS_DIR / "inspect_viz_docs"
    require(base / "benchmarks.parquet")
    nb = notebook([REAL.format(base=str(base)), "small", "big"])
    page = nb.page
    page.wait_for_selector(CELL, timeout=60_000)
    small, big = page.locator(".el-heatmap").nth(0), page.locator(".el-heatmap").nth(1)
    big.locator(INNER).first.wait_for()

    # Labels in the page are in inspect_viz's sort order; cell texts are the group means.
    assert small.locator(".el-hm-xlabel").all_inner_texts() == nb.value("small.x_order")
    assert small.locator(".el-hm-ylabel").all_inner_texts() == nb.value("small.y_order")
    cells = nb.value("small.cells.select('task','model','value').rows()")
    for task, model, value in cells:
        text = small.locator(_cell(task, model, INNER)).inner_text()
        assert abs(float(text) - value) < 5e-3
    # 4 tasks × 92 models: 119 cells missing, drawn empty (no value, not 0).
    assert big.locator(INNER).count() == 249
    assert big.locator(".el-hm-missing").count() == 119
    assert all(t == "" for t in big.locator(".el-hm-missing").all_inner_texts())
    # The grid scrolls instead of shrinking rows; labels keep their full text in a tooltip.
    scroll = big.locator(".el-hm-scroll")
    sizes = scroll.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert sizes[0] > sizes[1] + 500
    row_h = big.locator(".el-hm-ylabel").first.evaluate("e => e.getBoundingClientRect().height")
    assert row_h >= 22
    label = big.locator(".el-hm-ylabel").first
    assert label.get_attribute("title") == nb.value("big.y_order[0]")
    # The last row is reachable by scrolling, and clickable.
    last = big.locator(".el-hm-ylabel").last
    last.scroll_into_view_if_needed()
    last.click()
    y = nb.value("big.y_order")
    page.wait_for_function("() => document.querySelectorAll('.el-hm-selected').length > 0")
    picked = nb.wait_value("sorted({c['model'] for c in big.selection})", [y[-1]])
    assert picked == [y[-1]]
    # Hover shows the tooltip with a log viewer link (plain anchor, https only).
    small.locator(INNER).first.hover()
    page.wait_for_selector(".el-hm-tip:not([hidden]) a.el-hm-tip-link")
    href = small.locator(".el-hm-tip a").get_attribute("href")
    assert href.startswith("https://")
    assert nb.external_requests() == []


def test_explore_heatmap_above_linked_grid(notebook):
    nb = notebook(["import evallens\nui = evallens.explore()\nui"])
    page = nb.page
    page.wait_for_selector(CELL, timeout=60_000)
    page.wait_for_selector(".el-grid .el-row[data-row]", timeout=60_000)
    top = page.locator(".el-heatmap").bounding_box()
    below = page.locator(".el-grid").bounding_box()
    assert top["y"] + top["height"] <= below["y"] + 1
    page.locator(_cell("Trivia", "gpt-4.1")).click()
    page.wait_for_function(
        f"() => document.querySelector('{STATUS}').textContent === '200 of 19,200 samples'",
        timeout=20_000,
    )
    rows = nb.value(
        "ui.grid.visible_rows().select('task_display_name','model_display_name').unique().rows()"
    )
    assert rows == [["Trivia", "gpt-4.1"]]
    assert nb.external_requests() == []
