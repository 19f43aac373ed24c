"""The filter box in a real JupyterLab: Inspect's own filter examples, pasted, keep the
samples Inspect's viewer keeps on a real log (the real filtrex decides, see
tests/test_filter_language.py); errors point at their position; names complete; Python
reads and sets the same filter."""

from __future__ import annotations

import json

from conftest_filter import inspect_matches, raw_summaries
from conftest_io import LOGS_DIR, require

LOG = LOGS_DIR / "control_arena" / "bash_tm_honest_baseline.eval"

# Inspect's filter help (the "?" beside its filter box), with this log's score names.
PASTED = [
    "epoch == 1",
    "epoch <= 2",
    "has_error",
    "not is_nan(max_sus_scorer)",
    "3 <= max_sus_scorer < 8",
    "max_sus_scorer in (2, 3, 5)",
    'main_task_correctness == "C" or full_traj_monitor > 5',
    'input_contains("file") and not target_contains("xyz")',
]


def status_is(nb, count: int, total: int) -> None:
    want = f"{count:,} of {total:,} samples" if count != total else f"{total:,} samples"
    nb.page.wait_for_function(
        "(want) => document.querySelector('.el-status').textContent === want",
        arg=want,
        timeout=15_000,
    )


def test_pasted_inspect_filters_keep_what_inspect_keeps(notebook):
    samples = raw_summaries(require(LOG))
    expected = inspect_matches(samples, PASTED)
    nb = notebook([f"import evallens\ngrid = evallens.SampleGrid({json.dumps(str(LOG))})\ngrid"])
    nb.wait_for(".el-filter-input")
    box = nb.page.locator(".el-filter-input")
    for text, inspect in zip(PASTED, expected, strict=True):
        assert inspect["errors"] < len(samples), text  # Inspect applies it too
        box.fill(text)
        box.press("Enter")
        status_is(nb, len(inspect["matches"]), len(samples))
        assert nb.wait_value("grid.filter", text) == text
        assert nb.value("grid.view_count") == len(inspect["matches"])


def test_errors_point_at_their_position_and_names_complete(notebook):
    nb = notebook(
        [f"import evallens\ngrid = evallens.SampleGrid({json.dumps(str(require(LOG)))})\ngrid"]
    )
    nb.wait_for(".el-filter-input")
    box = nb.page.locator(".el-filter-input")
    box.fill("epoch == 1")
    box.press("Enter")
    status_is(nb, 50, 50)
    box.fill("epoch == 1 and (has_error")
    box.press("Enter")
    error = nb.page.locator(".el-filter-error")
    error.wait_for(state="visible")
    assert "expected ')'" in error.inner_text()
    assert "at position 26" in error.inner_text()
    pointer = nb.page.locator(".el-filter-pointer").inner_text()
    assert pointer.splitlines()[1] == " " * 25 + "^"
    assert nb.value("grid.filter") == "epoch == 1"  # the filter in force stays

    box.fill("max_sus <= 3")
    box.press("Enter")
    nb.page.wait_for_function(
        "() => document.querySelector('.el-filter-error').textContent.includes('max_sus_scorer')"
    )

    box.fill("")
    box.type("max_s")
    option = nb.page.locator(".el-filter-option").first
    option.wait_for(state="visible")
    assert option.inner_text().startswith("max_sus_scorer")
    box.press("Tab")
    assert box.input_value() == "max_sus_scorer"


def test_python_sets_the_filter_the_box_shows(notebook):
    nb = notebook(
        [f"import evallens\ngrid = evallens.SampleGrid({json.dumps(str(require(LOG)))})\ngrid"]
    )
    nb.wait_for(".el-filter-input")
    nb.execute('grid.filter = "full_traj_monitor > 5"')
    box = nb.page.locator(".el-filter-input")
    nb.page.wait_for_function(
        "() => document.querySelector('.el-filter-input').value === 'full_traj_monitor > 5'"
    )
    count = nb.value("grid.view_count")
    status_is(nb, count, 50)
    nb.execute('import polars as pl\ngrid.filter = pl.col("epoch") == 1')
    nb.page.wait_for_function("() => document.querySelector('.el-filter-input').value === ''")
    assert "Python" in (box.get_attribute("placeholder") or "")
