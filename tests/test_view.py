"""TaskSamplesView handling: inspect_ai objects and dicts, resolution, bad input."""

from __future__ import annotations

import warnings

import pytest

from evallens.demo import demo_samples
from evallens.grid.columns import available_columns
from evallens.grid.view import normalize_view, resolve_view
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


# ------------------------------------------------ cases restated from Inspect's own tests
def test_a_viewer_config_without_task_samples_view_opens(columns) -> None:
    """A task that sets only sample_score_view or scanner_result_view."""
    from inspect_ai.viewer import SampleScoreView, ScannerResultView, ViewerConfig

    for config in (
        ViewerConfig(sample_score_view=SampleScoreView(default="grid")),
        ViewerConfig(scanner_result_view={"*": ScannerResultView(fields=["explanation"])}),
        {"trust_content": False},
    ):
        resolved = resolve_view(normalize_view(config), columns)
        assert resolved.columns == resolve_view(None, columns).columns
    view = normalize_view(ViewerConfig(sample_score_view=SampleScoreView(default="grid")))
    assert view is not None and view.sample_score_view == {"default": "grid"}


def test_the_legacy_sample_score_view_key_view_means_default(columns) -> None:
    """Inspect still accepts ``view`` for ``default`` on input (older logs)."""
    from inspect_ai.viewer import SampleScoreView

    assert SampleScoreView.model_validate({"view": "grid"}).default == "grid"  # the oracle
    view = normalize_view({"sample_score_view": {"view": "grid"}, "task_samples_view": None})
    assert view is not None and view.sample_score_view == {"default": "grid"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [("false", False), ("true", True), (0, False), (1, True), ("off", False), (None, None)],
)
def test_boolean_fields_read_as_inspects_models_read_them(given, expected) -> None:
    from inspect_ai.viewer import TaskSamplesView

    oracle = TaskSamplesView(name="v", multiline=given, compact_scores=given)
    view = normalize_view({"name": "v", "multiline": given, "compact_scores": given})
    assert view is not None
    assert view.multiline == oracle.multiline == expected
    assert view.compact_scores == oracle.compact_scores == expected


def test_boolean_fields_refuse_what_inspect_refuses() -> None:
    from inspect_ai.viewer import TaskSamplesView
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        TaskSamplesView(name="v", multiline="maybe")
    with pytest.raises(ValueError, match=r"'multiline' must be true or false, got 'maybe'"):
        normalize_view({"name": "v", "multiline": "maybe"})


def test_a_logged_view_naming_unknown_columns_is_honoured_as_far_as_it_fits(columns) -> None:
    """Inspect ignores ids it does not know in a logged view; a user's own view raises."""
    view = normalize_view(
        {
            "name": "Triage",
            "columns": [{"id": "status"}, {"id": "sampleId"}, {"id": "score__judge__judge"}],
            "sort": [{"column": "status"}, {"column": "score__judge__judge", "dir": "desc"}],
            "score_labels": {"ghost": "Ghost", "judge": "Judge"},
        }
    )
    with pytest.warns(UserWarning, match=r"'Triage'.*ignored: status, ghost"):
        resolved = resolve_view(view, columns, strict=False)
    assert [c["id"] for c in resolved.columns if c["visible"]] == [
        "sampleId",
        "score__judge__judge",
    ]
    assert resolved.sort == [{"column": "score__judge__judge", "dir": "desc"}]
    assert resolved.score_labels == {"judge": "Judge"}
    with pytest.raises(ValueError, match=r"unknown column 'status'"):
        resolve_view(view, columns)


def test_sample_uuid_resolves_on_frames_from_the_reader() -> None:
    import polars as pl

    frame = pl.DataFrame({"sample_id": ["u1", "u2"], "id": [1, 2], "input": ["a", "b"]})
    cols = available_columns(frame, [])
    (uuid,) = [c for c in cols if c.id == "sampleUuid"]
    assert uuid.field == "sample_id"
    resolved = resolve_view(normalize_view({"columns": ["sampleId", "sampleUuid"]}), cols)
    assert [c["id"] for c in resolved.columns if c["visible"]] == ["sampleId", "sampleUuid"]
