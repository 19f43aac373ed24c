"""ScoresHeatmap in JupyterLab: clicks reach Python, Python reaches the page, links filter."""

from __future__ import annotations

from conftest_io import LOGS_DIR, require
from heatmap_page import click_cell, hover_cell, pixel, selected, shown, wait_drawn, wait_selected

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


def _expected_rows(nb, cells: list[tuple[str, str]]) -> int:
    cond = " | ".join(
        f"((pl.col('task_display_name') == {t!r}) & (pl.col('model_display_name') == {m!r}))"
        for t, m in cells
    )
    return nb.value(f"df.filter({cond}).height")


def _fill(nb, task: str, model: str) -> list[float]:
    """A cell's colour as the kernel computes it (0-255 RGB and alpha 0-1)."""
    return nb.value(
        "list(__import__('evallens.figures.colours', fromlist=['x']).cell_colour("
        f"heatmap.cells.filter((pl.col('task') == {task!r}) & (pl.col('model') == {model!r}))"
        "['value'][0], heatmap._spec['scheme'], tuple(heatmap._spec['domain'])))"
    )


def _close(rgba: list[int], colour: list[float]) -> bool:
    """An opaque canvas pixel is the colour within rounding."""
    return all(abs(rgba[i] - colour[i]) <= 2 for i in range(3)) and rgba[3] == 255


def test_click_selects_and_filters_linked_grid(notebook):
    # Each widget in its own cell, and each displayed twice.
    nb = notebook([SETUP, "heatmap", "grid", "display(heatmap)", "display(grid)"])
    page = nb.page
    wait_drawn(page, 2)
    page.wait_for_selector(".el-grid .el-row[data-row]", timeout=60_000)
    views = page.locator(".el-heatmap")
    assert views.count() == 2

    x, y = nb.value("heatmap.x_order"), nb.value("heatmap.y_order")
    task, model = x[-1], y[0]
    click_cell(views.nth(0), task, model)
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
    for i in (0, 1):
        wait_selected(views.nth(i), [(task, model)])
    assert page.locator(".el-hm-has-selection").count() == 2
    # The pixels say so too: the selected cell keeps its colour (the scheme's, computed
    # here by the Python port of the front end's colours); another cell is faded.
    expected = _fill(nb, task, model)
    assert _close(pixel(views.nth(0), task, model), expected)
    faded = (x[0], y[0])
    assert not _close(pixel(views.nth(0), *faded), _fill(nb, *faded))

    # Ctrl-click adds a second cell (in the other view of the heatmap).
    other = (x[0], y[-1])
    click_cell(views.nth(1), *other, modifiers=["Control"])
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
    assert selected(views.nth(0)) == selected(views.nth(1)) == []

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
    # The focus was on the first click's cell (last column, first row): right stays in
    # the last column, down moves a row; the live region says where it is.
    assert views.nth(0).evaluate("e => e.evallensHeatmap.focused()") == {
        "task": x[-1],
        "model": y[1],
    }
    live = views.nth(0).locator(".el-hm-live").text_content()
    assert live.startswith(f"Task {x[-1]}, model {y[1]}: ") and ", selected. 1 cell" in live
    page.wait_for_function(
        f"() => document.querySelector('{STATUS}').textContent.startsWith('40 of')",
        timeout=20_000,
    )
    sel = nb.value("heatmap.selection")
    horizontal = {"task": x[0], "model": y[0]}
    assert sel != [] and sel != [horizontal]

    # Python sets the selection: the page highlights it.
    nb.execute(f"heatmap.selection = [{{'task': {x[1]!r}, 'model': {y[2]!r}}}]")
    for i in (0, 1):
        wait_selected(views.nth(i), [(x[1], y[2])])
    assert selected(views.nth(0)) == selected(views.nth(1)) == [(x[1], y[2])]

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
    wait_drawn(page)
    root = page.locator(".el-heatmap")
    cells = shown(root)
    assert len(cells) == 3
    for c in reversed(cells):
        hover_cell(root, c["task"], c["model"])
        page.wait_for_function(
            "([t, m]) => { const tip = document.querySelector('.el-hm-tip:not([hidden])');"
            " return tip && tip.textContent.includes(t) && tip.textContent.includes(m); }",
            arg=[c["task"], c["model"]],
        )
    texts = root.inner_text()
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
    wait_drawn(page, 2)
    small, big = page.locator(".el-heatmap").nth(0), page.locator(".el-heatmap").nth(1)

    # Labels in the page are in inspect_viz's sort order; cell texts are the group means.
    assert small.locator(".el-hm-xlabel").all_inner_texts() == nb.value("small.x_order")
    assert small.locator(".el-hm-ylabel").all_inner_texts() == nb.value("small.y_order")
    cells = nb.value("small.cells.select('task','model','value').rows()")
    texts = {(c["task"], c["model"]): c["text"] for c in shown(small)}
    assert len(texts) == len(cells)
    for task, model, value in cells:
        assert abs(float(texts[task, model]) - value) < 5e-3
    # 4 tasks × 92 models: 119 cells missing, drawn empty (no value, not 0): no fill.
    drawn = shown(big)
    assert len(drawn) == 249
    have = {(c["task"], c["model"]) for c in drawn}
    bx, by = nb.value("big.x_order"), nb.value("big.y_order")
    missing = [(t, m) for t in bx for m in by if (t, m) not in have]
    assert len(missing) == 119
    for t, m in missing[:3] + missing[-3:]:
        assert pixel(big, t, m)[3] == 0
    t, m = sorted(have)[0]
    assert pixel(big, t, m)[3] == 255
    # The grid scrolls instead of shrinking rows; labels keep their full text in a tooltip.
    scroll = big.locator(".el-hm-scroll")
    sizes = scroll.evaluate("e => [e.scrollHeight, e.clientHeight]")
    assert sizes[0] > sizes[1] + 500
    y = nb.value("big.y_order")
    scroll.evaluate("e => { e.scrollTop = 0; }")
    label = big.locator(".el-hm-ylabel[data-line='y0']")
    row_h = label.evaluate("e => e.getBoundingClientRect().height")
    assert row_h >= 22
    assert label.get_attribute("title") == y[0]
    # Only the labels near the view are on the page; the last row's comes with scrolling,
    # and is clickable.
    assert 0 < big.locator(".el-hm-ylabel").count() < len(y)
    scroll.evaluate("e => { e.scrollTop = e.scrollHeight; }")
    last = big.locator(f".el-hm-ylabel[data-line='y{len(y) - 1}']")
    assert last.inner_text() == y[-1]
    last.click()
    picked = nb.wait_value("sorted({c['model'] for c in big.selection})", [y[-1]])
    assert picked == [y[-1]]
    # Hover shows the tooltip with a log viewer link (plain anchor, https only).
    first = shown(small)[0]
    hover_cell(small, first["task"], first["model"])
    page.wait_for_selector(".el-hm-tip:not([hidden]) a.el-hm-tip-link")
    href = small.locator(".el-hm-tip a").get_attribute("href")
    assert href.startswith("https://")
    assert nb.external_requests() == []


def test_explore_heatmap_above_linked_grid(notebook):
    nb = notebook(["import evallens\nui = evallens.explore()\nui"])
    page = nb.page
    wait_drawn(page)
    page.wait_for_selector(".el-grid .el-row[data-row]", timeout=60_000)
    top = page.locator(".el-heatmap").bounding_box()
    below = page.locator(".el-grid").bounding_box()
    assert top["y"] + top["height"] <= below["y"] + 1
    click_cell(page.locator(".el-heatmap"), "Trivia", "gpt-4.1")
    page.wait_for_function(
        f"() => document.querySelector('{STATUS}').textContent === '200 of 19,200 samples'",
        timeout=20_000,
    )
    rows = nb.value(
        "ui.grid.visible_rows().select('task_display_name','model_display_name').unique().rows()"
    )
    assert rows == [["Trivia", "gpt-4.1"]]
    assert nb.external_requests() == []


BIG = """
import evallens, polars as pl
df = evallens.synthetic_samples(200, 500, 2)
heatmap = evallens.ScoresHeatmap(df, score_value="score_closeness")
grid = evallens.SampleGrid(df)
evallens.link(heatmap, grid)
heatmap
"""


def test_500_by_200_cells_draw_a_window_and_a_far_click_selects_its_cell(notebook):
    nb = notebook([BIG, "grid"])
    page = nb.page
    wait_drawn(page)
    root = page.locator(".el-heatmap")
    x, y = nb.value("heatmap.x_order"), nb.value("heatmap.y_order")
    assert (len(x), len(y)) == (500, 200)
    # Only the visible window is drawn, and the canvas is no bigger than what shows.
    drawn = root.evaluate("e => e.evallensHeatmap.drawn()")
    assert 0 < drawn < 2_000
    canvas = root.locator(".el-hm-canvas").bounding_box()
    scroller = root.locator(".el-hm-scroll").bounding_box()
    assert canvas["width"] <= scroller["width"] and canvas["height"] <= scroller["height"]
    # Labels are text in the page, those near the view: not 700 of them.
    assert 0 < root.locator(".el-hm-xlabel").count() < 60
    assert 0 < root.locator(".el-hm-ylabel").count() < 60
    assert root.locator(".el-hm-xlabel[data-line='x0']").inner_text() == x[0]

    # The far corner: scrolled into view, clicked, selected in Python, the grid filtered.
    task, model = x[-1], y[-1]
    click_cell(root, task, model)
    assert nb.wait_value("heatmap.selection", [{"task": task, "model": model}]) == [
        {"task": task, "model": model}
    ]
    rows = nb.value(
        "df.filter((pl.col('task_display_name') == heatmap.selection[0]['task'])"
        " & (pl.col('model_display_name') == heatmap.selection[0]['model'])).height"
    )
    assert nb.wait_value("grid.view_count", rows) == rows
    assert selected(root) == [(task, model)]
    # Its column and row labels came into view with it.
    assert root.locator(f".el-hm-xlabel[data-line='x{len(x) - 1}']").inner_text() == task
    assert root.locator(f".el-hm-ylabel[data-line='y{len(y) - 1}']").inner_text() == model
    # The scroller moved to the far corner; the canvas drew it, and hovering it tells it.
    scroll = root.locator(".el-hm-scroll").evaluate("e => [e.scrollLeft, e.scrollTop]")
    assert scroll[0] > 10_000 and scroll[1] > 2_000
    hover_cell(root, x[-2], model)
    tip = page.locator(".el-hm-tip:not([hidden])")
    tip.wait_for()
    text = tip.inner_text()
    assert x[-2] in text and model in text
    n = nb.value(
        f"heatmap.cells.filter((pl.col('task') == {x[-2]!r}) & (pl.col('model') == {model!r}))"
        "['n'][0]"
    )
    assert f"{n} samples" in text
    # A cell in the middle, reached by its box: the hit-test agrees with the layout.
    mid = (x[250], y[100])
    click_cell(root, *mid, modifiers=["Shift"])
    both = nb.eventually("heatmap.selection", lambda v: len(v) == 2)
    assert sorted((c["task"], c["model"]) for c in both) == sorted([(task, model), mid])
    assert nb.external_requests() == []


def test_reopened_without_its_kernel_the_saved_heatmap_draws_the_same_cells(notebook):
    # The cells travel as byte buffers inside the spec: JupyterLab saves them with the
    # notebook and hands them back on reopening, with no kernel to ask.
    nb = notebook(
        [
            "import evallens\n"
            "heatmap = evallens.ScoresHeatmap(evallens.demo_samples(), baseline='gpt-4.1')\n"
            "heatmap"
        ]
    )
    page = nb.page
    wait_drawn(page)
    before = shown(page.locator(".el-heatmap"))
    assert any(c["significant"] for c in before) and len(before) == nb.value("heatmap.cells.height")
    for session in nb.lab.api("GET", "/api/sessions"):
        if session["path"].endswith(nb.name):
            nb.lab.api("DELETE", f"/api/sessions/{session['id']}")
    nb.command("docmanager:save")
    page.reload()
    nb.open()
    wait_drawn(page)
    root = page.locator(".el-heatmap")
    assert shown(root) == before
    hover_cell(root, before[0]["task"], before[0]["model"])
    tip = page.locator(".el-hm-tip:not([hidden])")
    tip.wait_for()
    assert "95% CI" in tip.inner_text() and "paired samples" in tip.inner_text()
