"""The grid's Download button: the rows in view, saved by the browser as the kernel writes them."""

from __future__ import annotations

import io

import polars as pl

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"

DATA = """
import polars as pl, evallens
df = pl.DataFrame({
    "id": [1, 2, 3, 4, 5, 6],
    "input": ["one", "two, with a comma", 'three "quoted"', "four\\nlines", "five", "<b>six</b>"],
    "target": ["t"] * 6,
    "answer": ["a"] * 6,
    "score_judge": [5.0, None, 1.0, 10.0, 2.0, 5.5],
})
grid = evallens.SampleGrid(df)
grid
"""


def test_download_saves_the_rows_in_view_in_view_order_as_python_exports_them(notebook):
    nb = notebook([DATA])
    nb.wait_for(ROWS)
    nb.execute(
        "grid.filter = pl.col('score_judge') > 1.5\n"
        "grid.sort = [{'column': 'score_judge', 'dir': 'desc'}]"
    )
    nb.page.wait_for_function(
        "() => document.querySelector('.el-status').textContent.startsWith('4 of 6')"
    )
    with nb.page.expect_download() as info:
        nb.page.get_by_role("button", name="Download CSV").click()
    download = info.value
    assert download.suggested_filename == "samples.csv"
    with open(download.path(), "rb") as f:
        saved = f.read()
    rows = pl.read_csv(io.BytesIO(saved))
    assert rows["id"].to_list() == [4, 6, 1, 5]  # judge 10, 5.5, 5, 2: filtered and sorted
    assert rows["input"].to_list() == ["four\nlines", "<b>six</b>", "one", "five"]
    assert saved.decode() == nb.value("grid.view_frame().write_csv()")


def test_more_rows_than_a_browser_download_takes_says_to_export_from_python(notebook):
    nb = notebook([DATA, "import evallens.grid.export as ex\nex.BROWSER_ROWS = 3"])
    nb.wait_for(ROWS)
    nb.page.get_by_role("button", name="Download CSV").click()
    notice = nb.page.locator(".el-notice")
    notice.wait_for(state="visible")
    assert "6 rows are more than a browser download takes (3)" in notice.text_content()
    assert 'grid.export("samples.parquet")' in notice.text_content()
