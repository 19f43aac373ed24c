"""evallens.compare() in JupyterLab: a user picks a baseline, clicks cells, chips and rows."""

from __future__ import annotations

from heatmap_page import click_cell, hover_cell, selected, shown, wait_drawn

ROWS = ".el-grid .el-row[data-row]:not([data-row=''])"
HEATMAP = ".el-heatmap"
CHIPS = ".evallens-status-chips button"
PICKER = ".widget-dropdown select"
LEGEND = ".el-heatmap .el-hm-legend-title"
TIP = ".el-hm-tip:not([hidden])"
DETAIL = ".el-detail .el-compare"
STATUS_LINE = ".el-grid .el-status"

SETUP = """
import evallens, polars as pl
df = evallens.demo_samples()
ui = evallens.compare(df, baseline="gpt-4.1")
ui
"""


def _hover_each_cell(nb) -> None:
    """Hover every cell in turn: each one's card opens, naming its task and model."""
    root = nb.page.locator(HEATMAP)
    for c in shown(root):
        hover_cell(root, c["task"], c["model"])
        nb.page.wait_for_function(
            "([t, m]) => { const tip = document.querySelector('.el-hm-tip:not([hidden])');"
            " return !!tip && tip.textContent.includes(t) && tip.textContent.includes(m); }",
            arg=[c["task"], c["model"]],
        )


def _side(which: str, part: str) -> str:
    return f"{DETAIL} .el-compare-side[data-side='{which}'] {part}"


def chip_labels(nb) -> list[str]:
    return [t.strip() for t in nb.page.locator(CHIPS).all_inner_texts()]


def expected_chips(counts: dict[str, int]) -> list[str]:
    """The chip labels for these counts, as a reader sees them."""
    order = ("improved", "regressed", "unchanged", "missing")
    total = sum(counts.values())
    return [f"All {total:,}"] + [f"{s.capitalize()} {counts.get(s, 0):,}" for s in order]


def wait_chips(nb, labels: list[str]) -> None:
    nb.page.wait_for_function(
        """([sel, want]) => JSON.stringify([...document.querySelectorAll(sel)]
              .map((b) => b.textContent.trim())) === JSON.stringify(want)""",
        arg=[CHIPS, labels],
        timeout=20_000,
    )


def wait_status(nb, prefix: str) -> None:
    nb.page.wait_for_function(
        "([sel, p]) => document.querySelector(sel)?.textContent.startsWith(p)",
        arg=[STATUS_LINE, prefix],
        timeout=20_000,
    )


def shown_column(nb, column: str) -> list[str]:
    """One column's cell texts in the rows the page has drawn, top to bottom."""
    return nb.page.evaluate(
        """(col) => [...document.querySelectorAll(".el-row[data-row]:not([data-row=''])")]
            .filter((r) => !r.hidden)
            .sort((a, b) => Number(a.dataset.pos) - Number(b.dataset.pos))
            .map((r) => r.querySelector(`[data-column="${col}"]`).textContent)""",
        column,
    )


def pick_baseline(nb, typed: str, model: str) -> None:
    """Choose ``model`` in the Baseline dropdown from the keyboard (type-ahead on the
    focused <select>, as a user does without opening the list)."""
    select = nb.page.locator(PICKER)
    select.focus()
    nb.page.keyboard.type(typed)
    nb.page.wait_for_function(
        "([sel, m]) => document.querySelector(sel).selectedOptions[0]?.textContent === m",
        arg=[PICKER, model],
        timeout=10_000,
    )


def test_compare_baseline_cell_chip_row_selection_and_tooltip(notebook):
    nb = notebook([SETUP])
    page = nb.page
    nb.wait_for(ROWS)
    wait_drawn(page)
    heatmap = page.locator(HEATMAP)
    assert page.locator(LEGEND).inner_text().endswith("vs gpt-4.1")
    assert chip_labels(nb) == expected_chips(nb.value("ui.status_counts()"))

    # 1. Pick another baseline in the dropdown: Python follows, the heatmap is redrawn
    # against it (legend, rows, grid header name it; it has no cells of its own).
    pick_baseline(nb, "o4", "o4-mini")
    assert nb.wait_value("ui.baseline", "o4-mini") == "o4-mini"
    page.wait_for_function(
        "(sel) => document.querySelector(sel)?.textContent.endsWith('vs o4-mini')",
        arg=LEGEND,
        timeout=30_000,
    )
    nb.wait_for(ROWS)
    assert page.locator(".el-heatmap").count() == 1
    assert page.locator(LEGEND).inner_text() == "Δ score_match vs o4-mini"
    assert page.locator(".el-hm-ylabel").all_inner_texts() == nb.value("ui.heatmap.y_order")
    assert "o4-mini" not in nb.value("ui.heatmap.y_order")
    assert "gpt-4.1" in nb.value("ui.heatmap.y_order")
    assert [c for c in shown(heatmap) if c["model"] == "o4-mini"] == []
    baseline_head = page.locator(".el-th[data-column='score__baseline__baseline']")
    assert baseline_head.inner_text().startswith("o4-mini (baseline)")
    # Significant cells are marked, exactly those whose interval excludes 0.
    marked = [[c["task"], c["model"]] for c in shown(heatmap) if c["significant"]]
    significant = nb.value(
        "sorted(ui.stats.filter(pl.col('ci_excludes_zero')).select('task','model').rows())"
    )
    assert sorted(marked) == significant and significant
    total = nb.value("ui.grid.data.height")
    all_counts = nb.value("ui.status_counts()")
    assert sum(all_counts.values()) == total
    wait_chips(nb, expected_chips(all_counts))

    # The same counts computed independently from evallens.paired.
    nb.execute(
        "pairs = evallens.paired(df, baseline='o4-mini', by='model_display_name')\n"
        "def cell_counts(task, model):\n"
        "    rows = pairs.filter((pl.col('task') == task) & (pl.col('model') == model))\n"
        "    return {str(s): n for s, n in rows.group_by('status').len().rows()}"
    )
    assert nb.value("{str(s): n for s, n in pairs.group_by('status').len().rows()}") == all_counts

    # 2. Click the Trivia × gpt-4.1 cell: the grid shows that pair's rows only,
    # regressions first, and the chips count that cell.
    task, model = "Trivia", "gpt-4.1"
    counts = nb.value(f"cell_counts({task!r}, {model!r})")
    assert counts.get("regressed", 0) > 5  # more than the first screen of rows
    n_cell = sum(counts.values())
    click_cell(heatmap, task, model)
    wait_status(nb, f"{n_cell:,} of {total:,}")
    wait_chips(nb, expected_chips(counts))
    picked = [{"task": task, "model": model}]
    assert nb.wait_value("ui.heatmap.selection", picked) == picked
    assert nb.value("ui.status_counts()") == counts
    assert selected(heatmap) == [(task, model)]
    pairs = nb.value("ui.shown().select('task_name','model').unique().rows()")
    assert pairs == [[task, model]]
    assert page.locator(".el-row[data-pos='0'] [data-column='status']").inner_text() == (
        "regressed"
    )
    assert set(shown_column(nb, "status")) == {"regressed"}  # the first screen of rows
    assert set(shown_column(nb, "task_name")) == {task}
    assert set(shown_column(nb, "model")) == {model}
    # Python's order: deltas ascending, pairs without a delta last.
    deltas = nb.value("ui.shown()['score_delta'].to_list()")
    numbers = [d for d in deltas if d is not None]
    assert numbers == sorted(numbers) and deltas[: len(numbers)] == numbers
    statuses = nb.value("ui.shown()['status'].to_list()")
    assert statuses[: counts["regressed"]] == ["regressed"] * counts["regressed"]

    # 3. Click the "Regressed N" chip: N rows, all regressed.
    n = counts["regressed"]
    page.locator(CHIPS, has_text="Regressed").click()
    wait_status(nb, f"{n:,} of {total:,}")
    assert nb.wait_value("ui.status", "regressed") == "regressed"
    assert page.locator(f"{CHIPS}.mod-active").inner_text().strip() == f"Regressed {n:,}"
    assert nb.value("ui.shown().height") == n
    assert nb.value("ui.shown()['status'].unique().to_list()") == ["regressed"]
    assert set(shown_column(nb, "status")) == {"regressed"}
    # The chip keeps the cell's counts (it filters the grid, not the counts).
    assert chip_labels(nb) == expected_chips(counts)

    # 4. Open the first row: the detail panel shows the two samples side by side.
    page.click(".el-row[data-pos='0']")
    page.wait_for_selector(DETAIL)
    row = nb.value(
        "ui.shown().select('id','epoch','input','answer','answer_baseline','score_delta')"
        ".row(0, named=True)"
    )
    detail = page.locator(".el-detail")
    assert detail.locator(".el-detail-title").inner_text() == f"Sample {row['id']}"
    line = page.locator(f"{DETAIL} .el-compare-status")
    assert line.get_attribute("data-status") == "regressed"
    assert line.inner_text() == f"Regressed · Δ \u2212{abs(row['score_delta']):g}"
    assert page.locator(_side("baseline", ".el-compare-label")).inner_text() == (
        "o4-mini (baseline)"
    )
    assert page.locator(_side("compared", ".el-compare-label")).inner_text() == model
    assert (
        page.locator(_side("baseline", ".el-detail-answer")).inner_text()
        == (row["answer_baseline"])
    )
    assert page.locator(_side("compared", ".el-detail-answer")).inner_text() == row["answer"]
    # Input (shared by both sides) shows once.
    assert detail.locator(".el-detail-input").count() == 1
    assert detail.locator(".el-detail-input").inner_text() == row["input"]

    # 5. Select rows by clicks (Ctrl adds, Shift extends) and read them back in Python.
    page.click(".el-row[data-pos='2']", modifiers=["Control"])
    page.wait_for_function("() => document.querySelectorAll('.el-row.el-selected').length === 2")
    page.click(".el-row[data-pos='4']", modifiers=["Shift"])
    page.wait_for_function("() => document.querySelectorAll('.el-row.el-selected').length > 2")
    positions = sorted(
        int(p)
        for p in page.eval_on_selector_all(
            ".el-row.el-selected", "rs => rs.map(r => r.dataset.pos)"
        )
    )
    assert len(positions) >= 3
    keys = nb.value("ui.shown().select('id','epoch').rows()")
    expected = sorted(keys[p] for p in positions)
    picked = nb.eventually(
        "sorted(ui.selected_samples().select('id','epoch').rows())",
        lambda v: v == expected,
    )
    assert picked == expected
    assert nb.value("type(ui.selected_samples()).__module__").startswith("polars")
    got = nb.value("ui.selected_samples().select('status','task_name','model').unique().rows()")
    assert got == [["regressed", task, model]]
    assert nb.value("ui.selected_samples()['score_delta'].max()") < 0

    # 6. Hover a delta cell: the card gives the delta vs the baseline, its interval and
    # the flips (as the stats table counts them).
    other = "claude-sonnet-4"
    hover_cell(heatmap, task, other)
    page.wait_for_selector(TIP)
    tip = page.locator(TIP).inner_text()
    assert "Δ vs o4-mini" in tip and "95% CI" in tip and "Flips" in tip
    flips = nb.value(
        f"ui.stats.filter((pl.col('task') == {task!r}) & (pl.col('model') == {other!r}))"
        ".select('improved','regressed').row(0)"
    )
    assert f"{flips[0]:,} improved · {flips[1]:,} regressed" in tip

    # 7. Nothing left the Jupyter server.
    assert nb.external_requests() == []


IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "<script>window.__xss=1</script>"

HOSTILE = f"""
import evallens, polars as pl
IMG, SCRIPT = {IMG!r}, {SCRIPT!r}
df = evallens.demo_samples().filter(
    pl.col("task_display_name").is_in(["Trivia", "Arith Easy"])
    & pl.col("model_display_name").is_in(["gpt-4.1", "o4-mini", "claude-sonnet-4"])
).with_columns(
    pl.col("model_display_name").replace({{"gpt-4.1": IMG, "o4-mini": SCRIPT}}),
    pl.col("task_display_name").replace({{"Trivia": IMG}}),
    (pl.col("answer") + " " + IMG + SCRIPT).alias("answer"),
)
ui = evallens.compare(df, baseline=IMG)
ui
"""


def test_untrusted_names_and_answers_stay_text(notebook):
    nb = notebook([HOSTILE])
    page = nb.page
    nb.wait_for(ROWS)
    wait_drawn(page)
    hm = page.locator(HEATMAP)
    assert nb.value("ui.baseline") == IMG
    output = page.locator(".jp-OutputArea-output").first

    def no_markup() -> None:
        assert page.evaluate("() => window.__xss") is None
        assert output.locator("img, script").count() == 0

    # Heatmap labels, legend and hover cards.
    _hover_each_cell(nb)
    heatmap = hm.inner_text()
    assert IMG in heatmap and SCRIPT in heatmap
    assert page.locator(LEGEND).inner_text().endswith(f"vs {IMG}")
    hover_cell(hm, IMG, SCRIPT)
    page.wait_for_selector(TIP)
    assert f"Δ vs {IMG}" in page.locator(TIP).inner_text()

    # The cell with both hostile names, its regressions, one row's two sides.
    click_cell(hm, IMG, SCRIPT)
    n = nb.eventually("ui.status_counts().get('regressed', 0)", lambda v: v > 0)
    wait_chips(nb, expected_chips(nb.value("ui.status_counts()")))
    page.locator(CHIPS, has_text="Regressed").click()
    wait_status(nb, f"{n:,} of")
    assert set(shown_column(nb, "task_name")) == {IMG}
    assert set(shown_column(nb, "model")) == {SCRIPT}
    assert all(a.endswith(IMG + SCRIPT) for a in shown_column(nb, "answer"))
    head = page.locator(".el-th[data-column='score__baseline__baseline']").inner_text()
    assert head.startswith(f"{IMG} (baseline)")
    page.click(".el-row[data-pos='0']")
    page.wait_for_selector(DETAIL)
    assert page.locator(_side("baseline", ".el-compare-label")).inner_text() == (
        f"{IMG} (baseline)"
    )
    assert page.locator(_side("compared", ".el-compare-label")).inner_text() == SCRIPT
    for which in ("baseline", "compared"):
        answer = page.locator(_side(which, ".el-detail-answer")).inner_text()
        assert answer.endswith(IMG + SCRIPT)
    assert IMG in page.locator(".el-detail .el-detail-summary").first.inner_text()
    # ipywidgets shows spaces in options as no-break spaces.
    options = [o.replace("\xa0", " ") for o in page.locator(f"{PICKER} option").all_inner_texts()]
    assert IMG in options and SCRIPT in options
    no_markup()

    # The other hostile model as baseline: everything is drawn again with its name.
    pick_baseline(nb, "<s", SCRIPT)
    assert nb.wait_value("ui.baseline", SCRIPT) == SCRIPT
    page.wait_for_function(
        "([sel, want]) => document.querySelector(sel)?.textContent.endsWith(want)",
        arg=[LEGEND, f"vs {SCRIPT}"],
        timeout=30_000,
    )
    nb.wait_for(ROWS)
    click_cell(hm, IMG, IMG)
    picked = [{"task": IMG, "model": IMG}]
    assert nb.wait_value("ui.heatmap.selection", picked) == picked
    page.click(".el-row[data-pos='0']")
    page.wait_for_selector(DETAIL)
    assert page.locator(_side("baseline", ".el-compare-label")).inner_text() == (
        f"{SCRIPT} (baseline)"
    )
    assert page.locator(_side("compared", ".el-compare-label")).inner_text() == IMG
    _hover_each_cell(nb)
    chips = " ".join(chip_labels(nb))
    assert chips.startswith("All ") and "<" not in chips
    no_markup()
    assert nb.external_requests() == []
