"""The Columns menu: a user's own columns show, metadata has its group, objects break out."""

from __future__ import annotations

from test_grid import column_text

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"

DATA = """
import polars as pl, evallens
df = pl.DataFrame({
    "id": [1, 2, 3],
    "input": ["a", "b", "c"],
    "target": ["x"] * 3,
    "answer": ["x", "y", "x"],
    "passed": [True, False, True],
    "metadata_cfg": ['{"level": 3, "src": "<img src=x onerror=alert(1)>"}', '{"level": 5}', None],
    "metadata_topic": ["x", "y", "z"],
})
grid = evallens.SampleGrid(df)
grid
"""


def test_own_columns_show_metadata_is_grouped_and_breaks_out_from_the_menu(notebook):
    nb = notebook([DATA])
    nb.wait_for(ROWS)
    assert nb.page.locator(".el-th[data-column='passed']").count() == 1  # the user's own
    assert nb.page.locator(".el-th[data-column='metadata_cfg']").count() == 0

    nb.page.click(".el-menu-toggle:has-text('Columns')")
    group = nb.page.locator(".el-menu-group[data-group='metadata']")
    assert nb.page.locator(".el-menu-heading").text_content() == "Metadata (2)"
    assert group.locator(".el-column-item").count() == 2
    assert group.locator(".el-break-out").count() == 1  # only the column of objects

    nb.page.get_by_role("button", name="Break out metadata_cfg").click()
    nb.page.wait_for_selector(".el-th[data-column='metadata_cfg.level']")
    assert column_text(nb, "metadata_cfg.level") == ["3", "5", ""]
    assert column_text(nb, "metadata_cfg.src") == ["<img src=x onerror=alert(1)>", "", ""]
    assert nb.page.locator(".el-grid img").count() == 0  # text, never markup
    ids = [c["id"] for c in nb.value("grid.columns") if c["visible"]]
    assert ids[-2:] == ["metadata_cfg.level", "metadata_cfg.src"]
    # the open menu lists the new columns in the metadata group
    nb.page.wait_for_function(
        "() => document.querySelectorAll('.el-menu-group .el-column-item').length === 4"
    )
