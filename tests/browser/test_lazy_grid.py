"""A SampleGrid over a polars LazyFrame in real JupyterLab: rows show, a header click sorts."""

from __future__ import annotations

from test_grid import ROWS, SORT_FRAME, column_text, header, wait_column

LAZY_DATA = (
    SORT_FRAME
    + """
import tempfile, pathlib
folder = pathlib.Path(tempfile.mkdtemp())
df.write_parquet(folder / "part-0.parquet")
grid = evallens.SampleGrid(pl.scan_parquet(folder / "*.parquet"))
grid
"""
)


def test_a_lazy_grid_shows_rows_in_source_order_and_sorts_by_a_header_click(notebook):
    nb = notebook([LAZY_DATA])
    nb.wait_for(ROWS)
    # No sort: the dataset's own order (a lazy source is never sorted whole to open).
    assert column_text(nb, "sampleId") == ["9", "10", "2", "1", "11", "3"]
    assert nb.value("type(grid._model).__name__") == "LazyGridModel"

    header(nb, "score__judge__judge").click()  # missing values (None, NaN) last
    wait_column(nb, "score__judge__judge", ["1", "5", "5.5", "10", "", ""])
    assert nb.value("grid.sort") == [{"column": "score__judge__judge", "dir": "asc"}]
    header(nb, "score__judge__judge").click()
    wait_column(nb, "sampleId", ["1", "3", "9", "2", "10", "11"])

    header(nb, "score__match__match").click()  # pass/fail by value: I before C, ties in order
    wait_column(nb, "sampleId", ["10", "1", "9", "2", "11", "3"])
