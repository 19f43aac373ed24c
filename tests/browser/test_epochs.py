"""Epochs grouped by sample in JupyterLab: the View menu's toggles, pills, a sort, a heatmap click."""

from __future__ import annotations

from heatmap_page import click_cell, shown
from test_grid import ROWS, column_text, header, wait_column

SETUP = """
import evallens, polars as pl
rows = []
for log, model in (("a.eval", "m1"), ("b.eval", "m2")):
    for sid, grades in ((1, "CIC"), (2, "CCC"), (3, "III"), (4, "ICI")):
        for epoch, grade in enumerate(grades, 1):
            rows.append({"log": log, "task_name": "quiz", "task_display_name": "Quiz",
                         "model": model, "model_display_name": model, "id": sid,
                         "epoch": epoch, "input": f"q{sid}", "target": "t",
                         "answer": grade.lower(), "score_match": grade})
df = pl.DataFrame(rows).sample(fraction=1.0, shuffle=True, seed=3)
heatmap = evallens.ScoresHeatmap(df)
grid = evallens.SampleGrid(df)
evallens.link(heatmap, grid)
"""


def test_group_epochs_from_the_view_menu_sort_disagree_and_heatmap(notebook):
    nb = notebook([SETUP, "heatmap", "grid"])
    page = nb.page
    nb.wait_for(ROWS)
    page.wait_for_function("() => document.querySelector('.el-grid').dataset.count === '24'")

    # The View menu: "Epochs disagree" waits for grouping.
    page.click(".el-grid .el-menu-toggle:has-text('View')")
    assert page.locator("[data-option='epochs_disagree']").is_disabled()
    page.click("[data-option='group_epochs']")
    page.wait_for_function("() => document.querySelector('.el-grid').dataset.count === '8'")
    assert nb.wait_value("grid.group_epochs", True) is True

    # One row per sample, its epochs as pills in the score's colours, in epoch order.
    wait_column(nb, "sampleId", ["1", "2", "3", "4", "1", "2", "3", "4"])
    pills = page.locator(".el-row[data-pos='0'] [data-column='epoch_values'] .el-epoch-pill")
    page.wait_for_selector(".el-row[data-pos='0'] [data-column='epoch_values'] .el-epoch-pill")
    assert pills.all_inner_texts() == ["C", "I", "C"]
    assert "epoch 2: I" == pills.nth(1).get_attribute("title")
    colours = [p.evaluate("(e) => getComputedStyle(e).backgroundColor") for p in pills.all()]
    assert colours[0] == colours[2] != colours[1]

    view_menu = ".el-grid .el-menu-toggle:has-text('View')"
    page.click(view_menu)  # closed: the header is clickable again
    # Sorting by the mean (C=1, I=0): highest first.
    header(nb, "score__match__match").click()
    header(nb, "score__match__match").click()
    wait_column(nb, "score__match__match", ["1", "1", "0.667", "0.667", "0.333", "0.333", "0", "0"])
    assert nb.value("grid.sort") == [{"column": "score__match__match", "dir": "desc"}]
    assert column_text(nb, "pass_at_k")[:2] == ["1", "1"]

    # "Epochs disagree": samples 1 and 4 of each log.
    page.click(view_menu)
    page.click("[data-option='epochs_disagree']")
    page.click(view_menu)
    page.wait_for_function("() => document.querySelector('.el-grid').dataset.count === '4'")
    assert nb.wait_value("grid.epochs_disagree", True) is True
    wait_column(nb, "sampleId", ["1", "1", "4", "4"])

    # A heatmap click filters the grouped rows.
    heatmap = page.locator(".el-heatmap")
    m2 = next(c for c in shown(heatmap) if c["model"] == "m2")
    click_cell(heatmap, m2["task"], m2["model"])
    page.wait_for_function("() => document.querySelector('.el-grid').dataset.count === '2'")
    assert nb.value("grid.view_frame('all')['log'].unique().to_list()") == ["b.eval"]

    # Python reads and sets the toggle back: every epoch of that cell.
    assert nb.value("grid.group_epochs") is True
    nb.execute("grid.group_epochs = False")
    page.wait_for_function("() => document.querySelector('.el-grid').dataset.count === '12'")
    assert page.locator(".el-grid [data-column='epoch_values']").count() == 0
    assert not page.locator("[data-option='group_epochs']").is_checked()
    assert nb.external_requests() == []
