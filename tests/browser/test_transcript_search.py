"""Transcript search in a real JupyterLab: a user types a regex in the search box's
transcript mode, sees hit counts and only the matching samples, opens one and lands on its
first hit; Python reads the same."""

from __future__ import annotations

from conftest_io import LOGS_DIR, require
from lab import Notebook
from test_sample_view import IN_VIEW

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"
PATTERN = "(?i)curl"


def setup_cell() -> str:
    logs = [str(require(LOGS_DIR / "control_arena" / f"bash_{i}.eval")) for i in (1, 2)]
    return f"""
import evallens, polars as pl
frame = evallens.read_samples({logs!r})
# one more row whose log is not on this machine: it cannot be searched, and the grid says so
elsewhere = frame.head(1).with_columns(log=pl.lit("/elsewhere/run.eval"))
grid = evallens.SampleGrid(pl.concat([frame, elsewhere]))
grid
"""


def shown(nb: Notebook, column: str) -> list[str]:
    return nb.page.evaluate(
        """(col) => [...document.querySelectorAll(".el-row[data-row]:not([data-row=''])")]
            .filter((r) => !r.hidden)
            .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
            .map((r) => r.querySelector(`[data-column="${col}"]`).textContent)""",
        column,
    )


def test_search_transcripts_see_hits_and_open_the_first(notebook) -> None:
    nb = notebook([setup_cell()])
    page = nb.page
    nb.wait_for(ROWS)
    total = nb.value("grid.data.height")

    # The user switches the box to transcripts and types a regular expression.
    page.click(".el-search-mode")
    assert page.get_attribute(".el-search-mode", "aria-pressed") == "true"
    page.fill(".el-search", PATTERN)
    assert nb.wait_value("grid.transcript_search", PATTERN, timeout=30) == PATTERN

    # Only samples with hits show, with their counts, as Python has them.
    hits = nb.value(
        "grid.transcript_hits().filter(pl.col('hits') > 0).select('id', 'hits', 'first_hit').rows()"
    )
    assert 0 < len(hits) < total - 1
    page.wait_for_function(
        "(n) => document.querySelector('.el-grid .el-status')?.textContent.startsWith(`${n} of `)",
        arg=len(hits),
        timeout=20_000,
    )
    assert page.locator(".el-th[data-column='__hits']").inner_text().strip() == "Hits"
    in_view = dict(zip(shown(nb, "sampleId"), shown(nb, "__hits"), strict=True))
    assert in_view == {str(i): str(h) for i, h, _ in hits}
    assert nb.value("grid.view_count") == len(hits)
    # The row whose log is elsewhere was not searched, and the grid says so (not 0 hits).
    note = page.locator(".el-search-note").inner_text()
    assert note == f"1 of {total} samples not searched: their logs are not on this machine"
    assert nb.value("grid.transcript_hits()['hits'].null_count()") == 1

    # Opening the sample whose first hit lies deepest lands there, the match marked as text.
    sample_id, _, first = max(hits, key=lambda h: h[2])
    pos = shown(nb, "sampleId").index(str(sample_id))
    page.click(f".el-row[data-pos='{pos}']")
    hit = f".el-detail .el-sv-msg.el-sv-hit[data-index='{first}']"
    page.wait_for_selector(hit, timeout=30_000)
    page.wait_for_function(IN_VIEW, arg=hit, timeout=10_000)
    assert page.locator(".el-detail .el-sv-hit").count() == 1
    marks = page.locator(f"{hit} mark.el-sv-match").all_inner_texts()
    assert marks and all(m.lower() == "curl" for m in marks)
    key = nb.value("grid.opened")
    text = nb.value(
        f"evallens.read_sample({key['log']!r}, {key['id']!r}, {key['epoch']})['messages'][{first}]"
    )
    assert "curl" in str(text).lower()

    # A pattern polars cannot compile stays in the box and the notice says where.
    page.fill(".el-search", "curl (")
    page.wait_for_function(
        "() => document.querySelector('.el-notice')?.textContent.includes('at position 5')",
        timeout=20_000,
    )
    assert page.get_attribute(".el-search", "aria-invalid") == "true"
    assert page.input_value(".el-search") == "curl ("
    assert nb.value("grid.transcript_search") == PATTERN

    # Python turns it off: every sample is back and the Hits column goes.
    nb.execute("grid.transcript_search = ''")
    page.wait_for_function(
        "(n) => document.querySelector('.el-grid .el-status')?.textContent.startsWith(`${n} samples`)",
        arg=total,
        timeout=20_000,
    )
    assert page.locator(".el-th[data-column='__hits']").count() == 0
