"""The static HTML copy in each widget's mime bundle: what it shows, that model output in it
is only ever text, and that nbconvert's HTML export shows it."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import nbformat
import polars as pl
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

import evallens
from evallens.figures.colours import cell_colour, css_fill
from evallens.static_html import HTML, MAX_BYTES, WIDGET_VIEW, with_html

HOSTILE = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"


def hostile_samples() -> pl.DataFrame:
    """The demo samples with one task, one model and one input named by an attacker."""
    samples = evallens.demo_samples()
    task = samples.get_column("task_display_name")[0]
    model = samples.get_column("model_display_name")[0]
    return samples.with_columns(
        pl.when(pl.col("task_display_name") == task).then(pl.lit(HOSTILE))
        .otherwise(pl.col("task_display_name")).alias("task_display_name"),
        pl.when(pl.col("model_display_name") == model).then(pl.lit(HOSTILE + "m"))
        .otherwise(pl.col("model_display_name")).alias("model_display_name"),
        pl.lit(HOSTILE + " what is 2 + 2?").alias("input"),
    )  # fmt: skip


def hostile_sample() -> dict[str, Any]:
    return {
        "id": "s-<b>1</b>", "epoch": 1,
        "messages": [
            {"role": "user", "content": f"Please {HOSTILE} list the files."},
            {"role": "assistant", "content": "", "tool_calls": [
                {"id": "c1", "function": "bash", "arguments": {"cmd": f"ls '{HOSTILE}'"}}]},
            {"role": "tool", "tool_call_id": "c1", "function": "bash", "content": "a.txt"},
        ],
        "scores": {"match": {"value": "C"}},
    }  # fmt: skip


def bundle_of(widget: Any) -> dict[str, Any]:
    bundle = widget._repr_mimebundle_()
    return bundle[0] if isinstance(bundle, tuple) else bundle


def static_html(widget: Any) -> str:
    data = bundle_of(widget)
    assert next(iter(data)) == WIDGET_VIEW, "the widget view stays first"
    page = data[HTML]
    assert len(page.encode()) < MAX_BYTES
    assert HOSTILE not in page and "<img" not in page and "<script" not in page
    return page


def assert_only_text(page: str) -> None:
    """No tag in the copy other than the table and paragraph markup it is built from."""
    tags = set(re.findall(r"<\s*([a-zA-Z]+)", page))
    assert tags <= {"div", "table", "caption", "thead", "tbody", "tr", "th", "td", "p", "strong"}
    assert "href" not in page and "src=" not in page.replace(ESCAPED, "")
    assert not re.search(r"\son\w+\s*=", page.replace(ESCAPED, ""))


def test_grid_shows_the_first_rows_of_its_view_escaped() -> None:
    samples = hostile_samples()
    grid = evallens.SampleGrid(samples)
    grid.filter = pl.col("task_display_name") == HOSTILE
    page = static_html(grid)
    assert_only_text(page)
    assert ESCAPED in page
    assert f"{grid.view_count:,} of {samples.height:,} samples (first 20 shown)" in page
    assert page.count("<tr valign='top'>") == 20
    assert ">Task<" in page and ">judge<" in page  # visible columns' headers


def test_grid_cuts_long_text_and_follows_the_columns() -> None:
    samples = evallens.demo_samples().with_columns(pl.lit("x" * 5000).alias("input"))
    grid = evallens.SampleGrid(samples)
    page = static_html(grid)
    assert "x" * 200 + "…" in page and "x" * 201 not in page
    grid.columns = [{**c, "visible": c["id"] != "input"} for c in grid.columns]
    assert ">Input<" not in static_html(grid)


def test_heatmap_cells_coloured_as_the_scheme() -> None:
    heatmap = evallens.ScoresHeatmap(hostile_samples(), score_value="score_match")
    page = static_html(heatmap)
    assert_only_text(page)
    assert ESCAPED in page and ESCAPED + "m" in page
    cells = heatmap.cells
    best = cells.sort("value", descending=True).row(0, named=True)
    lo, hi = heatmap._spec["domain"]
    fill, _opacity = css_fill(cell_colour(best["value"], "viridis", (lo, hi)))
    assert f"style='background:{fill};color:" in page
    assert f">{best['value']:.2f}<" in page


def test_a_large_heatmap_shows_its_first_tasks_and_models_within_the_size_limit() -> None:
    heatmap = evallens.ScoresHeatmap(evallens.synthetic_samples(200, 500, 1))
    page = static_html(heatmap)  # under MAX_BYTES
    assert "500 tasks × 200 models" in page and "(first 30 tasks × 16 models shown)" in page
    assert page.count("<tr valign='top'>") == 30
    x, y = heatmap.x_order, heatmap.y_order
    assert f">{x[29]}<" in page and f">{x[30]}<" not in page
    assert f">{y[15]}<" in page and f">{y[16]}<" not in page
    # The first row's cells are the kernel's values for its task and the first models.
    row = re.search(f"<tr valign='top'><td>{re.escape(x[0])}</td>(.*?)</tr>", page)
    assert row is not None
    shown = re.findall(r">([^<]*)</td>", row.group(1))
    means = heatmap.cells.filter(pl.col("task") == x[0]).select("model", "value").rows()
    expected = dict(means)
    assert shown == [f"{expected[m]:.2f}" for m in y[:16]]


def test_heatmap_with_a_baseline_shows_deltas() -> None:
    heatmap = evallens.ScoresHeatmap(evallens.demo_samples(), baseline="gpt-4.1")
    page = static_html(heatmap)
    assert "vs gpt-4.1 (diverging)" in page and "Δ" in page


def test_limits_table_success_rate_per_model() -> None:
    samples = evallens.synthetic_samples(3, 4, 50).with_columns(
        pl.when(pl.col("model_display_name") == "gpt-4.1").then(pl.lit(HOSTILE))
        .otherwise(pl.col("model_display_name")).alias("model_display_name")
    )  # fmt: skip
    chart = evallens.ScoresByLimit(samples)
    page = static_html(chart)
    assert_only_text(page)
    assert ESCAPED in page and "claude-sonnet-4" in page
    assert page.count("%</td>") == 3 * 5
    assert "Success rate by Tokens" in page


def test_sample_view_messages_as_role_and_text() -> None:
    page = static_html(evallens.SampleView(hostile_sample()))
    assert_only_text(page)
    assert "Sample s-&lt;b&gt;1&lt;/b&gt;, epoch 1" in page
    assert f"<strong>user:</strong> Please {ESCAPED} list the files." in page
    assert "<strong>bash:</strong> a.txt" in page
    assert "bash({" in page


def test_explorer_and_comparison_carry_their_parts() -> None:
    samples = hostile_samples()
    ui = evallens.explore(samples)
    page = static_html(ui)
    assert_only_text(page)
    assert "tasks ×" in page and "samples" in page and page.count("<table") == 2
    comparison = evallens.compare(evallens.demo_samples(), baseline="gpt-4.1")
    page = static_html(comparison)
    assert "Comparison(" in page and "Δ" in page and page.count("<table") == 2


def test_hostile_column_names_and_titles_are_text() -> None:
    samples = evallens.demo_samples().rename({"score_judge": "score_" + HOSTILE})
    grid = static_html(evallens.SampleGrid(samples))
    assert_only_text(grid)
    assert f">{ESCAPED}<" in grid  # the score's header
    heatmap = evallens.ScoresHeatmap(
        samples, score_value="score_" + HOSTILE, title=HOSTILE, task_label=HOSTILE
    )
    page = static_html(heatmap)
    assert_only_text(page)
    assert f"<strong>{ESCAPED}</strong>" in page and f"<th align='left'>{ESCAPED}</th>" in page
    chart = evallens.ScoresByLimit(samples, score="score_match", title=HOSTILE, limit_label=HOSTILE)
    page = static_html(chart)
    assert_only_text(page)
    assert f"<strong>{ESCAPED}</strong>" in page and f"{ESCAPED} ≤" in page


def test_a_failing_copy_leaves_the_widget_displayable() -> None:
    def broken() -> str:
        raise RuntimeError("boom")

    bundle = {"text/plain": "x", WIDGET_VIEW: {"model_id": "1"}}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert with_html(bundle, broken) == bundle
    assert "boom" in str(caught[0].message)
    assert with_html(None, broken) is None
    data, meta = with_html((bundle, {"m": 1}), lambda: "<p>hi</p>")
    assert list(data) == [WIDGET_VIEW, "text/plain", HTML] and meta == {"m": 1}


NOTEBOOK = [
    "import polars as pl, evallens, sys\n"
    f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
    "from test_static_html import hostile_samples, hostile_sample\n"
    "samples = hostile_samples()",
    "evallens.SampleGrid(samples)",
    "evallens.ScoresHeatmap(samples, score_value='score_match')",
    "evallens.ScoresByLimit(samples, score='score_match')",
    "evallens.SampleView(hostile_sample())",
    "evallens.explore(samples)",
]


@pytest.fixture(scope="module")
def exported() -> tuple[nbformat.NotebookNode, str]:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in NOTEBOOK])
    # As JupyterLab saves by default: outputs, no widget state.
    NotebookClient(nb, timeout=300, kernel_name="python3", store_widget_state=False).execute()
    body, _resources = HTMLExporter().from_notebook_node(nb)
    return nb, body


def test_nbconvert_html_shows_the_copies(exported: tuple[nbformat.NotebookNode, str]) -> None:
    nb, body = exported
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert errors == []
    outputs = [o for c in nb.cells[1:] for o in c.get("outputs", [])]
    assert len(outputs) == 5
    for output in outputs:
        assert next(iter(output["data"])) == WIDGET_VIEW and HTML in output["data"]
    assert "samples (first 20 shown)" in body  # the grid
    assert f"{ESCAPED} what is 2 + 2?" in body  # a sample's input
    assert re.search(r"<td align=.right.>17</td>", body)  # a sample id
    assert "Arith Hard" in body and "mean score_match" in body  # the heatmap
    assert "Success rate by Tokens" in body  # the limits chart
    assert f"<strong>user:</strong> Please {ESCAPED} list the files." in body  # the sample
    assert "Sample s-&lt;b&gt;1&lt;/b&gt;, epoch 1" in body
    assert len(re.findall(r"<table [^>]*class=.evallens-static.", body)) == 5  # explore: 2
    assert HOSTILE not in body and ESCAPED in body


def test_nbconvert_with_widget_state_shows_the_widget() -> None:
    """With widget state saved in the notebook, nbconvert renders the widget view instead."""
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("import evallens\nevallens.SampleView({'id': 1, "
                                         "'messages': [{'role': 'user', 'content': 'hi'}]})")]
    )  # fmt: skip
    NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    body, _resources = HTMLExporter().from_notebook_node(nb)
    assert "application/vnd.jupyter.widget-view+json" in body
    assert "<strong>user:</strong> hi" not in body
