"""TaskSamplesView handling: inspect_ai objects and dicts, resolution, bad input."""

from __future__ import annotations

import warnings

import pytest

from evallens.config import available_columns, normalize_view, resolve_view
from evallens.demo import demo_samples
from evallens.scores import describe_scores


@pytest.fixture(scope="module")
def columns():
    df = demo_samples()
    return available_columns(df, describe_scores(df))


def test_inspect_ai_objects_work_unchanged(columns) -> None:
    from inspect_ai.viewer import (
        ScoreColorScale,
        TaskSamplesColumn,
        TaskSamplesSort,
        TaskSamplesView,
        ViewerConfig,
    )

    view = TaskSamplesView(
        name="triage",
        columns=[TaskSamplesColumn(id="sampleId"), TaskSamplesColumn.score("judge")],
        sort=[TaskSamplesSort.score("judge", dir="desc")],
        multiline=False,
        compact_scores=True,
        score_labels={"judge": "Judge"},
        score_color_scales={"judge": ScoreColorScale(palette="good-high", min=1, max=10)},
    )
    for given in (view, ViewerConfig(task_samples_view=[view]), view.model_dump()):
        resolved = resolve_view(normalize_view(given), columns)
        visible = [c["id"] for c in resolved.columns if c["visible"]]
        assert visible == ["sampleId", "score__judge__judge"]
        assert resolved.sort == [{"column": "score__judge__judge", "dir": "desc"}]
        assert resolved.multiline is False and resolved.compact_scores is True
        assert resolved.score_color_scales["judge"] == {"palette": "good-high", "min": 1, "max": 10}


def test_defaults_follow_inspect(columns) -> None:
    resolved = resolve_view(None, columns)
    visible = [c["id"] for c in resolved.columns if c["visible"]]
    assert visible[:3] == ["sampleStatus", "task_name", "model"]
    assert "epoch" in visible  # the demo has tasks with two epochs
    assert "metadata_category" not in visible  # available in the menu, hidden
    assert any(c["id"] == "metadata_category" for c in resolved.columns)
    assert resolved.multiline is True and resolved.color_scales_enabled is True


def test_unknown_names_raise_with_near_matches(columns) -> None:
    with pytest.raises(ValueError, match=r"'score__judge__jduge'.*score__judge__judge"):
        resolve_view(normalize_view({"columns": ["sampleId", "score__judge__jduge"]}), columns)
    with pytest.raises(ValueError, match=r"'jduge'.*judge"):
        resolve_view(normalize_view({"score_color_scales": {"jduge": "good-high"}}), columns)
    with pytest.raises(ValueError, match="palette"):
        normalize_view({"score_color_scales": {"judge": "good-hi"}})


def test_view_with_only_unknown_columns_falls_back_with_one_warning(columns) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resolved = resolve_view(normalize_view({"columns": ["nope", "nada"]}), columns)
    assert len(caught) == 1 and "nope" in str(caught[0].message)
    assert resolved.columns == resolve_view(None, columns).columns
