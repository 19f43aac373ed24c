"""The pipeline end to end: a widget renders real rows in JupyterLab, offline."""

from __future__ import annotations

GRID = ".el-grid .el-row[data-row]:not([data-row=''])"


def test_grid_renders_first_rows_without_external_requests(notebook):
    nb = notebook(["import evallens\ngrid = evallens.SampleGrid(evallens.demo_samples())\ngrid"])
    nb.wait_for(GRID)
    rows = nb.page.locator(GRID)
    assert rows.count() >= 5
    first_input = nb.page.locator(f"{GRID} [data-column='input']").first.inner_text()
    expected = nb.value("grid.visible_rows(1)['input'][0]")
    assert first_input.strip() == expected[:400].strip()
    assert nb.page.locator(".el-status").inner_text() == "19,200 samples"
    assert nb.external_requests() == []
