"""The same widgets in Notebook 7's single-document UI."""

from __future__ import annotations

from lab import Notebook

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"


def test_grid_renders_and_sorts_in_notebook7(lab, browser):
    nb = Notebook(
        lab, browser, ["import evallens\ngrid = evallens.SampleGrid(evallens.demo_samples())\ngrid"]
    )
    try:
        nb.open_notebook7()
        nb.wait_for(ROWS)
        assert nb.page.locator(".el-status").inner_text() == "19,200 samples"
        nb.page.click(".el-th[data-column='score__judge__judge']")
        # The header is drawn anew when the sorted rows arrive: wait for the new one.
        nb.page.wait_for_selector(
            ".el-th[data-column='score__judge__judge'][aria-sort='ascending']", timeout=30_000
        )
        expected = [{"column": "score__judge__judge", "dir": "asc"}]
        assert nb.wait_value("grid.sort", expected) == expected
        assert nb.external_requests() == []
    finally:
        nb.close()
