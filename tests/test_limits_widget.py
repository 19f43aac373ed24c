"""ScoresByLimit (kernel side): data resolution, the spec it draws, and the grid link mask."""

from __future__ import annotations

import polars as pl
import pytest
from conftest_io import LOGS_DIR, require
from polars.testing import assert_frame_equal

import evallens
from evallens.limit import ScoresByLimit
from evallens.limit.model import z_score

SWEBENCH = LOGS_DIR / "inspect_viz_docs" / "swebench_token_limit.parquet"


@pytest.fixture(scope="module")
def swebench() -> pl.DataFrame:
    return pl.read_parquet(require(SWEBENCH))


def test_prepared_frame(swebench: pl.DataFrame) -> None:
    chart = ScoresByLimit(swebench)
    spec = chart._spec
    assert chart.limit_column == "total_tokens" and chart.model_column == "model_display_name"
    assert sorted(chart.models) == sorted(swebench["model_display_name"].unique().to_list())
    assert len(spec["series"]) == 4 and all(len(s["x"]) == 100 for s in spec["series"])
    assert spec["log"] is True and spec["x_label"] == "Tokens" and spec["band"] is True
    assert chart.height == round(700 / 1.618)
    first = spec["series"][0]
    z = z_score(0.95)
    row = swebench.filter(pl.col("model_display_name") == first["model"]).sort("total_tokens")
    assert first["hi"][50] == pytest.approx(row["success_rate"][50] + z * row["standard_error"][50])
    # hidden band / other-termination line / labels / scale
    plain = ScoresByLimit(
        swebench, stderr=None, other_termination_rate=True, scale="linear", limit_label=None
    )
    assert plain._spec["band"] is False and "lo" not in plain._spec["series"][0]
    assert plain._spec["other"] is True and len(plain._spec["series"][0]["other"]) == 100
    assert plain._spec["log"] is False and plain._spec["x_label"] is None
    assert ScoresByLimit(swebench, legend=None, title="t", width=500)._spec["legend"] is False


def test_facets_make_small_multiples(swebench: pl.DataFrame) -> None:
    data = pl.concat(
        [swebench.with_columns(split=pl.lit("a")), swebench.with_columns(split=pl.lit("b"))]
    )
    chart = ScoresByLimit(data, facet="split")
    assert chart._spec["facets"] == ["a", "b"]
    assert len(chart._spec["series"]) == 8


def test_errors_name_columns(swebench: pl.DataFrame) -> None:
    with pytest.raises(ValueError, match=r"unknown column 'standard_eror'.*'standard_error'"):
        ScoresByLimit(swebench, stderr="standard_eror")
    with pytest.raises(ValueError, match=r"unknown column 'splt'"):
        ScoresByLimit(swebench, facet="splt")
    with pytest.raises(ValueError, match="ci"):
        ScoresByLimit(swebench, ci=1.5)
    with pytest.raises(ValueError, match="limit_column="):
        ScoresByLimit(swebench.drop("total_tokens"))


def test_samples_frame_is_prepared_and_links() -> None:
    samples = evallens.synthetic_samples(3, 4, 50)
    chart = ScoresByLimit(samples, other_termination_rate=True)
    assert chart.samples is samples and chart.limit_column == "total_tokens"
    expected = evallens.scores_by_limit_df(samples, "score_match")
    assert_frame_equal(chart.data, expected)
    assert chart.selection_mask(samples) is None
    model = chart.models[1]
    chart.selected_models = [model]
    mask = chart.selection_mask(samples)
    assert mask is not None and mask.sum() == (samples["model_display_name"] == model).sum()
    limit = chart._spec["series"][0]["x"][40]
    chart.limit = limit
    cut = (samples["model_display_name"] == model) & (samples["total_tokens"] > limit)
    assert chart.selection_mask(samples).to_list() == cut.to_list()  # type: ignore[union-attr]
    chart.selected_models = []
    assert chart.selection_mask(samples).sum() == (samples["total_tokens"] > limit).sum()  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="score_judge"):
        ScoresByLimit(samples, score="score_judge")
    chart = ScoresByLimit(samples, score="score_closeness", limit_column="total_time")
    assert chart.limit_column == "total_time" and chart.limit is None
    # the old name of the column argument still works, with a warning
    with pytest.warns(DeprecationWarning, match="limit_column="):
        old = ScoresByLimit(samples, score="score_closeness", limit="total_time")
    assert old.limit_column == "total_time" and old.limit is None


def test_prepared_frame_links_through_model_ids(swebench: pl.DataFrame) -> None:
    # the prepared frame shows display names; these samples only carry model ids
    chart = ScoresByLimit(swebench)
    samples = pl.DataFrame(
        {
            "model": ["openai/o3", "openai/o3", "openai/o4-mini"],
            "total_tokens": [10, 10_000_000, 10_000_000],
        }
    )
    chart.selected_models = ["o3"]
    assert chart.selection_mask(samples).to_list() == [True, True, False]  # type: ignore[union-attr]
    chart.limit = 1_000_000.0
    assert chart.selection_mask(samples).to_list() == [False, True, False]  # type: ignore[union-attr]


def test_link_filters_grid() -> None:
    samples = evallens.synthetic_samples(3, 2, 40)
    chart, grid = ScoresByLimit(samples), evallens.SampleGrid(samples)
    evallens.link(chart, grid)
    chart.selected_models = [chart.models[0]]
    assert grid.view_count == (samples["model_display_name"] == chart.models[0]).sum()
    chart.limit = float(samples["total_tokens"].median())  # type: ignore[arg-type]
    rows = grid.visible_rows()
    assert (rows["total_tokens"] > chart.limit).all()
    assert set(rows["model_display_name"].to_list()) <= {chart.models[0]}
    chart.selected_models, chart.limit = [], None
    assert grid.view_count == samples.height
    evallens.unlink(chart, grid)
