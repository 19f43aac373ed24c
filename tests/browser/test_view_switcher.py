"""The view switcher in JupyterLab: an eval's views by name, each keeping the user's changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_io import generate_logs

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"
SWITCH = "select.el-view-switcher"
JUDGE = "score__judge__judge"


@pytest.fixture(scope="module")
def viewer_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Logs whose ViewerConfig (gen_logs --viewer) lists two views: "triage" sorts by the
    judge's score, ascending; "compact" has single-line rows, compact scores, no sort."""
    out = tmp_path_factory.mktemp("viewer_logs")
    return generate_logs(out, "--models", "1", "--tasks", "1", "--samples", "8", "--viewer")


def arrow(nb, column: str) -> str | None:
    return nb.page.locator(f".el-th[data-column='{column}']").get_attribute("aria-sort")


def wait_arrow(nb, column: str, sort: str) -> None:
    nb.page.wait_for_function(
        "([col, sort]) => document.querySelector(`.el-th[data-column='${col}']`)"
        "?.getAttribute('aria-sort') === sort",
        arg=[column, sort],
        timeout=15_000,
    )


def wait_compact(nb, compact: bool) -> None:
    nb.page.wait_for_function(
        "(on) => document.querySelector('.el-grid').classList.contains('el-compact-scores') === on",
        arg=compact,
        timeout=15_000,
    )


def switch(nb, name: str) -> None:
    nb.page.locator(SWITCH).select_option(name)
    nb.wait_value("grid.view_name", name)


def test_switching_views_keeps_each_views_own_changes(notebook, viewer_logs: Path) -> None:
    nb = notebook([f"import evallens\ngrid = evallens.SampleGrid({str(viewer_logs)!r})\ngrid"])
    nb.wait_for(ROWS)
    switcher = nb.page.get_by_role("combobox", name="Switch view")
    assert switcher.is_visible()
    assert switcher.locator("option").all_text_contents() == ["triage", "compact"]
    assert switcher.input_value() == "triage"
    assert nb.value("grid.views") == ["triage", "compact"]
    wait_arrow(nb, JUDGE, "ascending")  # triage: the judge's score, lowest first
    wait_compact(nb, False)

    # The other view: its own layout and (no) sort, rows and arrows together.
    switch(nb, "compact")
    wait_compact(nb, True)
    wait_arrow(nb, JUDGE, "none")
    assert nb.value("grid.sort") == [] and nb.value("grid.multiline") is False

    # Changes in "compact": sort by id, hide the target.
    nb.page.click(".el-th[data-column='sampleId']")
    wait_arrow(nb, "sampleId", "ascending")
    nb.page.click(".el-menu-toggle:has-text('Columns')")
    nb.page.click(".el-column-item[data-column='target'] input")
    nb.page.wait_for_function("() => !document.querySelector('.el-th[data-column=\"target\"]')")
    nb.page.click(".el-menu-toggle:has-text('Columns')")
    nb.wait_value("grid.sort", [{"column": "sampleId", "dir": "asc"}])

    # Back to "triage": as its author made it; then the user's own change there.
    switch(nb, "triage")
    wait_compact(nb, False)
    wait_arrow(nb, JUDGE, "ascending")
    assert arrow(nb, "sampleId") == "none"
    assert nb.page.locator(".el-th[data-column='target']").count() == 1
    nb.page.click(f".el-th[data-column='{JUDGE}']")
    wait_arrow(nb, JUDGE, "descending")
    nb.wait_value("grid.sort", [{"column": JUDGE, "dir": "desc"}])

    # Back and forth: each view as the user left it, in the page and in Python.
    switch(nb, "compact")
    wait_arrow(nb, "sampleId", "ascending")
    assert arrow(nb, JUDGE) == "none"
    assert nb.page.locator(".el-th[data-column='target']").count() == 0
    assert nb.value("grid.sort") == [{"column": "sampleId", "dir": "asc"}]
    switch(nb, "triage")
    wait_arrow(nb, JUDGE, "descending")
    assert nb.page.locator(".el-th[data-column='target']").count() == 1

    # Python switches: the list and the grid follow.
    nb.execute("grid.view_name = 'compact'")
    nb.page.wait_for_function(f"() => document.querySelector({SWITCH!r}).value === 'compact'")
    wait_arrow(nb, "sampleId", "ascending")
    wait_compact(nb, True)
    message = nb.execute(
        "try:\n    grid.view_name = 'triag'\nexcept ValueError as e:\n    print(e)"
    )
    assert "unknown view 'triag'; did you mean 'triage'" in message
    assert nb.value("grid.view_name") == "compact"

    # A new grid over the same logs: this browser kept each view's changes apart.
    nb.run_all()
    wait_arrow(nb, JUDGE, "descending")
    nb.wait_value("grid.sort", [{"column": JUDGE, "dir": "desc"}])
    assert nb.page.locator(SWITCH).input_value() == "triage"
    switch(nb, "compact")
    wait_arrow(nb, "sampleId", "ascending")
    nb.page.wait_for_function("() => !document.querySelector('.el-th[data-column=\"target\"]')")
    nb.wait_value("grid.sort", [{"column": "sampleId", "dir": "asc"}])
    assert nb.external_requests() == []
