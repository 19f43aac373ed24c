"""Several TaskSamplesViews: names, switching by `view_name`, overrides kept per view."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from conftest_io import generate_logs

import evallens
from evallens.errors import UnknownNameError
from evallens.grid.view import normalize_views, views_of_tasks

BY_JUDGE = {
    "name": "by judge",
    "columns": ["sampleId", "input", "score__judge__judge"],
    "sort": [{"column": "score__judge__judge", "dir": "desc"}],
    "score_color_scales": {"judge": "good-high"},
}
COMPACT = {"name": "compact", "multiline": False, "compact_scores": True}


class Sent(list[dict[str, Any]]):
    def __call__(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self.append(content)


def grid_for(data: Any, **kwargs: Any) -> tuple[evallens.SampleGrid, Sent]:
    grid = evallens.SampleGrid(data, **kwargs)
    grid._repr_mimebundle_()  # displayed: its first rows and column descriptions are in the state
    sent = Sent()
    grid.send = sent  # type: ignore[method-assign]
    return grid, sent


def shown(grid: evallens.SampleGrid) -> list[str]:
    return [c["id"] for c in grid.columns if c["visible"]]


@pytest.fixture(scope="module")
def viewer_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two tasks whose logs carry gen_logs' ViewerConfig: views "triage" and "compact"."""
    out = tmp_path_factory.mktemp("viewer_logs")
    return generate_logs(out, "--models", "1", "--tasks", "2", "--samples", "6", "--viewer")


def test_views_get_names_a_user_can_pick_them_by() -> None:
    views = normalize_views([{"name": "judge"}, {}, {"name": "judge"}, {"name": " "}])
    assert [v.name for v in views] == ["judge", "View 2", "judge (2)", "View 4"]
    # A numbered name the list already holds is not taken twice.
    views = normalize_views([{"name": "a"}, {"name": "a (2)"}, {"name": "a"}])
    assert [v.name for v in views] == ["a", "a (2)", "a (3)"]


def test_inspects_own_objects_a_list_in_a_viewer_config() -> None:
    from inspect_ai.viewer import SampleScoreView, TaskSamplesSort, TaskSamplesView, ViewerConfig

    config = ViewerConfig(
        task_samples_view=[
            TaskSamplesView(name="worst", sort=[TaskSamplesSort.score("judge", dir="asc")]),
            TaskSamplesView(name="flat", multiline=False),
        ],
        sample_score_view=SampleScoreView(default="grid"),
    )
    views = normalize_views(config)
    assert [v.name for v in views] == ["worst", "flat"]
    assert all(v.sample_score_view == {"default": "grid"} for v in views)
    grid, _ = grid_for(evallens.demo_samples(), view=config)
    assert grid.views == ["worst", "flat"]
    assert grid.sort == [{"column": "score__judge__judge", "dir": "asc"}]


def test_one_view_or_none_is_a_single_named_view() -> None:
    df = evallens.demo_samples()
    assert grid_for(df)[0].views == ["Default"]
    assert grid_for(df, view=[])[0].views == ["Default"]
    assert grid_for(df, view={"multiline": False})[0].views == ["View 1"]
    one, _ = grid_for(df, view=BY_JUDGE)
    assert one.views == ["by judge"] and one.view_name == "by judge"
    # With one view, the browser keeps the user's changes where it always has.
    assert one._storage_key == grid_for(df, view={**BY_JUDGE, "name": "x"})[0]._storage_key


def test_switching_views_from_python() -> None:
    grid, sent = grid_for(evallens.demo_samples(), view=[BY_JUDGE, COMPACT])
    assert grid.views == ["by judge", "compact"] and grid._views == grid.views
    assert grid.view_name == "by judge"
    assert shown(grid)[:3] == ["sampleId", "input", "score__judge__judge"]
    judge_key = grid._storage_key

    grid.view_name = "compact"
    assert grid.sort == [] and grid.multiline is False and grid.compact_scores is True
    assert "score__judge__judge" in shown(grid) and "task_name" in shown(grid)
    assert grid.score_color_scales == {}
    assert grid._default_view["compact_scores"] is True
    assert grid._storage_key != judge_key  # the browser keeps each view's changes apart
    # One refresh for the switch, with the new view's sort.
    refreshes = [m for m in sent if m.get("type") == "refresh"]
    assert len(refreshes) == 1 and refreshes[0]["sort"] == []
    alone, _ = grid_for(evallens.demo_samples(), view=COMPACT)
    assert grid.visible_rows(5).equals(alone.visible_rows(5))  # the default order


def test_each_view_keeps_the_users_changes() -> None:
    grid, _ = grid_for(evallens.demo_samples(), view=[BY_JUDGE, COMPACT])
    grid.sort = [{"column": "sampleId", "dir": "desc"}]
    grid.color_scales_enabled = False
    grid.view_name = "compact"
    grid.columns = ["sampleId", "answer"]
    grid.multiline = True

    grid.view_name = "by judge"
    assert grid.sort == [{"column": "sampleId", "dir": "desc"}]
    assert grid.color_scales_enabled is False
    assert shown(grid) == ["sampleId", "input", "score__judge__judge"]
    grid.view_name = "compact"
    assert shown(grid) == ["sampleId", "answer"]
    assert grid.multiline is True and grid.sort == []

    # Reset: the view shown goes back to its own default; the other keeps its changes.
    grid.reset_view()
    assert grid.multiline is False and "task_name" in shown(grid)
    grid.view_name = "by judge"
    assert grid.sort == [{"column": "sampleId", "dir": "desc"}]
    grid.reset_view()
    assert grid.sort == [{"column": "score__judge__judge", "dir": "desc"}]
    assert grid.color_scales_enabled is True


def test_unknown_view_names_raise_naming_the_near_ones() -> None:
    grid, _ = grid_for(evallens.demo_samples(), view=[BY_JUDGE, COMPACT])
    with pytest.raises(UnknownNameError, match=r"unknown view 'compat'; did you mean 'compact'"):
        grid.view_name = "compat"
    assert grid.view_name == "by judge"


def test_the_browser_switches_through_set_view_all_or_nothing() -> None:
    grid, sent = grid_for(evallens.demo_samples(), view=[BY_JUDGE, COMPACT])
    grid._handlers["set_view"]({"type": "set_view", "id": 1, "view": {"view_name": "compact"}}, [])
    assert grid.view_name == "compact" and grid.multiline is False
    assert [m["type"] for m in sent] == ["refresh"]
    with pytest.raises(UnknownNameError):
        grid._handlers["set_view"]({"type": "set_view", "id": 2, "view": {"view_name": "x"}}, [])
    assert grid.view_name == "compact"


def test_a_bad_view_in_the_list_is_named_at_once() -> None:
    with pytest.raises(ValueError, match="score__judge__jduge"):
        grid_for(
            evallens.demo_samples(), view=[BY_JUDGE, {"name": "b", "sort": ["score__judge__jduge"]}]
        )
    with pytest.raises(TypeError, match="TaskSamplesView or a dict"):
        normalize_views([BY_JUDGE, 3])


def test_views_from_logs(viewer_logs: Path) -> None:
    grid, _ = grid_for(viewer_logs)
    assert grid.views == ["triage", "compact"]
    assert grid.sort == [{"column": "score__judge__judge", "dir": "asc"}]
    assert grid._sample_score_view == {
        "default": "grid",
        "sort": {"column": "value", "dir": "desc"},
    }
    grid.view_name = "compact"
    assert grid.sort == [] and grid.compact_scores is True and grid.multiline is False
    assert grid._sample_score_view == {
        "default": "grid",
        "sort": {"column": "value", "dir": "desc"},
    }


def test_tasks_with_different_views_show_the_built_in_one_as_inspect_does(
    viewer_logs: Path, tmp_path: Path
) -> None:
    from inspect_ai.log import read_eval_log, write_eval_log
    from inspect_ai.viewer import TaskSamplesView, ViewerConfig

    for path in sorted(viewer_logs.glob("*.eval")):
        log = read_eval_log(str(path))
        if log.eval.task.endswith("hard"):
            log.eval.viewer = ViewerConfig(task_samples_view=[TaskSamplesView(name="hard only")])
        write_eval_log(log, str(tmp_path / path.name))
    with pytest.warns(UserWarning, match=r"tasks arith_easy, arith_hard carry different"):
        grid, _ = grid_for(tmp_path)
    assert grid.views == ["Default"] and grid.sort == []


def test_which_tasks_views_count() -> None:
    views = [{"name": "a"}, {"name": "b"}]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # Tasks without a sample list view do not disagree; the same list twice agrees.
        same = views_of_tasks(
            {"x": {"task_samples_view": views}, "y": {"trust_content": True},
             "z": {"task_samples_view": views}}
        )  # fmt: skip
        assert [v.name for v in same] == ["a", "b"]
        assert views_of_tasks({}) == []
    with pytest.warns(UserWarning, match="x, z carry different"):
        assert (
            views_of_tasks(
                {"x": {"task_samples_view": views}, "z": {"task_samples_view": views[:1]}}
            )
            == []
        )


def test_a_saved_page_holds_the_view_shown_and_offers_no_list() -> None:
    from evallens.page.grid import grid_page
    from evallens.page.payload import Payload

    grid, _ = grid_for(evallens.demo_samples().head(50), view=[BY_JUDGE, COMPACT])
    grid.view_name = "compact"
    page = grid_page(grid, "g", Payload({}), {})
    assert page.state["_views"] == ["compact"]
