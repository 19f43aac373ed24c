"""What a user sees on real logs with text grades and with tasks scored by their own scorer."""

from __future__ import annotations

from pathlib import Path

from heatmap_page import hover_cell, shown, wait_drawn

ROWS = ".el-grid .el-row[data-row]"


def test_text_grades_paint_and_sort_as_numbers(notebook, text_grade_logs: Path) -> None:
    # One sample per grade, and fewer than ten grades: what used to read as categories.
    nb = notebook(
        [
            "import evallens, polars as pl\n"
            f"df = evallens.read_samples({str(text_grade_logs)!r})\n"
            "df = df.filter(~pl.col('score_judge_text').is_in(['2', '4', '6']))\n"
            "one = df.group_by('score_judge_text').agg(pl.col('sample_id').first())['sample_id']\n"
            "df = df.filter(pl.col('sample_id').is_in(one))\n"
            "grid = evallens.SampleGrid(df, view={'score_color_scales': {'judge_text': "
            "'good-high'}, 'columns': ['sampleId', 'score__judge_text__judge_text']})\n"
            "grid"
        ]
    )
    nb.wait_for(ROWS)
    assert nb.value("df['score_judge_text'].n_unique()") < 10
    page = nb.page
    page.locator('.el-grid .el-th[data-column="score__judge_text__judge_text"]').click()
    page.locator('.el-grid .el-th[data-column="score__judge_text__judge_text"]').click()
    nb.wait_value("grid.sort[0]['dir']", "desc")
    page.wait_for_function(
        '() => document.querySelector(\'.el-grid .el-row[data-pos="0"] '
        "[data-column=\"score__judge_text__judge_text\"]')?.textContent === '10'",
        timeout=20_000,
    )
    cells = page.locator('.el-grid .el-row [data-column="score__judge_text__judge_text"]')
    shown = cells.all_inner_texts()
    numbers = [int(v) for v in shown if v.isdigit()]
    assert numbers == sorted(numbers, reverse=True) and len(set(numbers)) > 3
    colours = {
        text: cells.nth(i).evaluate("e => getComputedStyle(e).backgroundColor")
        for i, text in enumerate(shown)
    }
    top, low = colours["10"], colours[str(min(numbers))]
    # good-high: the best grade greener than it is red, the worst redder than it is green
    rgb = lambda c: [int(float(x)) for x in c[c.index("(") + 1 : c.index(")")].split(",")[:3]]  # noqa: E731
    assert rgb(top)[1] > rgb(top)[0] and rgb(low)[0] > rgb(low)[1]
    assert len(set(colours.values())) > 2  # not one amber for every middle grade


def test_tasks_scored_by_their_own_scorer_all_show(notebook, per_task_scorer_logs: Path) -> None:
    nb = notebook([f"import evallens\nui = evallens.explore({str(per_task_scorer_logs)!r})\nui"])
    page = nb.page
    wait_drawn(page)
    heatmap = page.locator(".el-heatmap")
    cells = shown(heatmap)
    assert len(cells) == 6 and all(c["text"] for c in cells)
    assert not any(c["empty"] for c in cells)  # no blank column
    trivia = next(c for c in cells if c["task"] == "trivia")
    hover_cell(heatmap, trivia["task"], trivia["model"])
    tip = page.locator(".el-hm-tip")
    tip.wait_for(state="visible")
    assert "score_judge_text" in tip.inner_text()
    assert "Default score per task" in page.locator(".el-hm-legend-title").inner_text()
