"""Header histograms in JupyterLab: bars of the rows in view; click and brush to filter."""

from __future__ import annotations

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"

DATA = """
import polars as pl, evallens
df = pl.DataFrame({
    "id": list(range(1, 41)),
    "input": [f"q{i}" for i in range(40)],
    "target": ["t"] * 40,
    "answer": ["a"] * 40,
    "score_match": ["C", "I", "C", "<b>x</b>"] * 10,
    "score_judge": [i / 4 for i in range(40)],
})
grid = evallens.SampleGrid(df)
grid
"""


def wait_status(nb, start: str) -> None:
    nb.page.wait_for_function(
        "(s) => document.querySelector('.el-status').textContent.startsWith(s)", arg=start
    )


def test_bars_filter_by_click_and_brush_and_python_sees_the_ranges(notebook):
    nb = notebook([DATA])
    nb.wait_for(ROWS)
    match = nb.page.locator(".el-hist[data-column='score__match__match']")
    match.wait_for()
    bars = match.locator(".el-hist-bar")
    # bars by value (I = 0, C = 1), then text; the hostile grade stays text
    labels = [bars.nth(i).get_attribute("aria-label") for i in range(bars.count())]
    assert labels == ["match: I (10)", "match: C (20)", "match: <b>x</b> (10)"]
    assert nb.page.locator(".el-grid b").count() == 0

    bars.nth(1).click()  # C
    wait_status(nb, "20 of 40")
    assert nb.wait_value("grid.ranges", {"score__match__match": {"values": ["C"]}}) == {
        "score__match__match": {"values": ["C"]}
    }
    assert "C" in match.locator("xpath=..").locator(".el-hist-range").text_content()

    # brush the judge histogram across its first quarter: the rows its bars counted
    judge = nb.page.locator(".el-hist[data-column='score__judge__judge']")
    box = judge.bounding_box()
    nb.page.mouse.move(box["x"] + 1, box["y"] + box["height"] / 2)
    nb.page.mouse.down()
    nb.page.mouse.move(box["x"] + box["width"] * 0.24, box["y"] + box["height"] / 2, steps=4)
    nb.page.mouse.up()
    judge.locator(".el-hist-on").first.wait_for()
    ranges = nb.value("grid.ranges")
    first, last = ranges["score__judge__judge"]["bins"]
    assert first == 0 and 3 <= last <= 5
    expected = nb.value("grid.data.filter(grid.filter).height")
    assert expected == nb.value("grid.view_count")
    wait_status(nb, f"{expected} of 40")

    # clear both from the headers: every row again
    nb.page.get_by_role("button", name="Clear the range of match").click()
    nb.page.get_by_role("button", name="Clear the range of judge").click()
    wait_status(nb, "40 samples")
    assert nb.value("grid.ranges") == {}

    # Python sets a range: the header shows it
    nb.execute("grid.ranges = {'score__match__match': {'values': ['I']}}")
    wait_status(nb, "10 of 40")
    assert match.locator(".el-hist-on").count() == 1
