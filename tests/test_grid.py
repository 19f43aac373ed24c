"""SampleGrid's Python side: views from logs, traits, filters, selection, windows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pytest
from conftest_io import logs_dir

import evallens
from evallens.wire import ROW


class Sent(list[tuple[dict[str, Any], list[bytes]]]):
    def __call__(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self.append((content, list(buffers or [])))


def grid_for(data: Any, **kwargs: Any) -> tuple[evallens.SampleGrid, Sent]:
    grid = evallens.SampleGrid(data, **kwargs)
    grid._repr_mimebundle_()  # displayed: its first rows and column descriptions are in the state
    sent = Sent()
    grid.send = sent  # type: ignore[method-assign]
    return grid, sent


def ask(grid: evallens.SampleGrid, kind: str, **body: Any) -> tuple[dict[str, Any], list[bytes]]:
    """A request as the browser sends it; the handler's reply (body, buffers)."""
    reply = grid._handlers[kind]({"type": kind, "id": 1, **body}, [])
    assert reply is not None
    return reply


def window(grid: evallens.SampleGrid, offset: int, limit: int = 100) -> pa.Table:
    _body, buffers = ask(grid, "window", offset=offset, limit=limit)
    return pa.ipc.open_stream(buffers[0]).read_all()


def test_grid_over_real_control_arena_logs() -> None:
    grid, _ = grid_for(logs_dir() / "control_arena")
    ids = {c["id"] for c in grid._column_defs}
    # pass/fail, numeric and dict-valued scorers side by side
    assert {
        "score__main_task_correctness__main_task_correctness",
        "score__max_sus_scorer__max_sus_scorer",
    } <= ids
    assert any(i.startswith("score__scorer__") for i in ids)
    kinds = {c["id"]: c["score"]["type"] for c in grid._column_defs if "score" in c}
    assert kinds["score__main_task_correctness__main_task_correctness"] == "passfail"
    assert kinds["score__max_sus_scorer__max_sus_scorer"] == "numeric"
    assert grid._total == grid.data.height > 70
    assert window(grid, 0).num_rows == min(100, grid.data.height)


def test_eval_authors_view_from_the_logs_is_the_default(tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log, write_eval_log
    from inspect_ai.viewer import TaskSamplesSort, TaskSamplesView, ViewerConfig

    log = read_eval_log(str(logs_dir() / "inspect_ai_tests" / "log_streaming.eval"))
    log.eval.viewer = ViewerConfig(
        task_samples_view=[
            TaskSamplesView(
                name="worst first",
                sort=[TaskSamplesSort.score("match", dir="asc")],
                multiline=False,
                score_color_scales={"match": {"C": "good", "I": "bad"}},
            )
        ]
    )
    write_eval_log(log, str(tmp_path / "configured.eval"))
    grid, _ = grid_for(tmp_path)
    assert grid.sort == [{"column": "score__match__match", "dir": "asc"}]
    assert grid.multiline is False
    assert grid.score_color_scales == {"match": {"roles": {"C": "good", "I": "bad"}}}
    # An explicit view= wins over the logs' own.
    explicit, _ = grid_for(tmp_path, view={"multiline": True})
    assert explicit.multiline is True and explicit.sort == []


def test_traits_validate_names_with_near_matches() -> None:
    grid, _ = grid_for(evallens.demo_samples())
    with pytest.raises(ValueError, match=r"'score__judge__jduge'.*score__judge__judge"):
        grid.sort = [{"column": "score__judge__jduge", "dir": "asc"}]
    with pytest.raises(ValueError, match="'jugde'"):
        grid.score_color_scales = {"jugde": "good-high"}
    with pytest.raises(ValueError, match="'scroe_judge'"):
        grid.filter = pl.col("scroe_judge") > 3
    # Frame column names work where Inspect ids do.
    grid.sort = [{"column": "score_judge", "dir": "desc"}]
    assert grid.sort == [{"column": "score__judge__judge", "dir": "desc"}]


def test_filter_search_and_sort_compose_and_refresh_the_browser() -> None:
    df = evallens.demo_samples()
    grid, sent = grid_for(df)
    grid.filter = pl.col("score_judge") <= 3
    grid.search = "plus 5"
    grid.sort = [{"column": "sampleId", "dir": "desc"}]
    expected = (
        df.with_row_index(ROW)
        .filter((pl.col("score_judge") <= 3) & pl.col("input").str.contains("plus 5", literal=True))
        .sort("id", descending=True, maintain_order=True)
    )
    assert grid.view_count == expected.height
    assert grid.visible_rows()["id"].to_list() == expected["id"].to_list()
    content, buffers = sent[-1]
    assert content["type"] == "refresh" and content["count"] == expected.height
    rows = pa.ipc.open_stream(buffers[0]).read_all()
    assert rows.column(ROW).to_pylist() == expected[ROW].head(100).to_list()
    grid.filter = None
    grid.search = ""
    assert grid.view_count == df.height


def test_selection_keys_both_ways() -> None:
    df = evallens.demo_samples()
    grid, _ = grid_for(df)
    seen: list[Any] = []
    grid.observe(lambda ch: seen.append(ch["new"]), "selected")
    # The browser selects rows 3 and 5: uint32 bytes, which arrive as a memoryview.
    import array

    grid.set_state({"_selected_rows": memoryview(array.array("I", [3, 5]).tobytes())})
    keys = [tuple(r) for r in df.select("log", "id", "epoch")[[3, 5]].iter_rows()]
    assert grid.selected == keys and seen[-1] == keys
    assert grid.selected_samples()["id"].to_list() == df["id"][[3, 5]].to_list()
    # Python selects by key: the bytes the browser gets follow.
    grid.selected = [keys[1]]
    assert memoryview(grid._selected_rows).cast("I").tolist() == [5]
    with pytest.raises(ValueError, match="match no sample"):
        grid.selected = [("nope.eval", 1, 1)]


def test_reset_view_returns_to_the_eval_default() -> None:
    grid, sent = grid_for(
        evallens.demo_samples(), view={"sort": [{"column": "sampleId", "dir": "desc"}]}
    )
    grid.sort = []
    grid.multiline = False
    grid.reset_view()
    assert grid.sort == [{"column": "sampleId", "dir": "desc"}]
    assert grid.multiline is True
    assert sent[-1][0] == {"type": "reset_view"}


def test_windows_and_details_carry_full_values() -> None:
    df = evallens.demo_samples().with_columns(pl.lit("x" * 5000).alias("input"))
    grid, _ = grid_for(df)
    assert len(window(grid, 0, 5).column("input")[0].as_py()) == 400  # cells get a preview
    body, _ = ask(grid, "detail", row=7)
    assert len(body["sample"]["input"]) == 5000  # the detail panel gets everything
    assert {s["name"] for s in body["scores"]} >= {"match", "judge", "accuracy"}
    last = window(grid, grid.view_count - 10)
    assert last.num_rows == 10


def test_initial_state_holds_the_first_rows() -> None:
    grid, _ = grid_for(evallens.demo_samples())
    first = pa.ipc.open_stream(grid._initial).read_all()
    assert first.num_rows == 100
    assert first.column(ROW).to_pylist() == list(range(100))


def test_a_logged_view_naming_a_column_this_data_lacks_still_opens(tmp_path: Path) -> None:
    from inspect_ai.log import read_eval_log, write_eval_log
    from inspect_ai.viewer import TaskSamplesColumn, TaskSamplesView, ViewerConfig

    log = read_eval_log(str(logs_dir() / "inspect_ai_tests" / "log_streaming.eval"))
    log.eval.viewer = ViewerConfig(
        task_samples_view=TaskSamplesView(
            name="Triage",
            columns=[TaskSamplesColumn(id="status"), TaskSamplesColumn(id="sampleId")],
        )
    )
    write_eval_log(log, str(tmp_path / "triage.eval"))
    with pytest.warns(UserWarning, match=r"'Triage'.*ignored: status"):
        grid, _ = grid_for(tmp_path)
    assert [c["id"] for c in grid.columns if c["visible"]] == ["sampleId"]
    with pytest.raises(ValueError, match="unknown column 'status'"):  # a user's own view
        grid_for(tmp_path, view={"columns": ["status", "sampleId"]})


def test_default_order_is_by_id_then_epoch_as_in_inspect() -> None:
    """Logs store samples in completion order; Inspect's list starts sorted by id, epoch."""
    df = pl.DataFrame(
        {
            "log": ["a.eval"] * 6 + ["b.eval"] * 2,
            "id": [1, 10, 9, 1, 10, 9, 2, 1],
            "epoch": [2, 1, 1, 1, 2, 2, 1, 1],
            "input": list("abcdefgh"),
        }
    )
    grid, _ = grid_for(df)
    rows = grid.visible_rows().select("log", "id", "epoch").rows()
    assert rows == [
        ("a.eval", 1, 1), ("a.eval", 1, 2), ("a.eval", 9, 1), ("a.eval", 9, 2),
        ("a.eval", 10, 1), ("a.eval", 10, 2), ("b.eval", 1, 1), ("b.eval", 2, 1),
    ]  # fmt: skip
    assert grid.sort == []  # the default order is no sort a user set
    # ids stored as text (logs mixing id types) still sort numerically
    text_ids = df.with_columns(pl.col("id").cast(pl.String))
    grid, _ = grid_for(text_ids)
    assert grid.visible_rows()["id"].to_list()[:6] == ["1", "1", "9", "9", "10", "10"]


def test_default_order_first_window_equals_the_full_order_at_scale() -> None:
    df = evallens.synthetic_samples(2, 3, 50_000).sample(fraction=1.0, shuffle=True, seed=1)
    grid, _ = grid_for(df)
    first = pa.ipc.open_stream(grid._initial).read_all().column(ROW).to_pylist()
    assert first == grid._model.query.view.head(100).to_list()
    grid.filter = pl.col("epoch") == 1
    content_rows = window(grid, 0).column(ROW).to_pylist()
    assert content_rows == grid._model.query.view.head(100).to_list()


def test_filter_accepts_expressions_masks_and_scalars_and_explains_the_rest() -> None:
    df = evallens.demo_samples()
    grid, _ = grid_for(df)
    with pytest.raises(evallens.FilterNameError, match=r"unknown filter variable 'score_x'"):
        grid.filter = "score_x > 0"  # text is Inspect's filter language
    mask = df["score_judge"] > 5
    grid.filter = mask
    assert grid.view_count == int(mask.sum())
    grid.filter = pl.lit(True)  # a scalar applies to every row
    assert grid.view_count == df.height
    grid.filter = pl.lit(False)
    assert grid.view_count == 0
    with pytest.raises(ValueError, match=r"one value per sample: got 3, the grid has 19200"):
        grid.filter = pl.Series([True, False, True])
    with pytest.raises(ValueError, match="boolean expression"):
        grid.filter = pl.col("score_judge") + 1


def test_sort_and_columns_accept_bare_ids_and_explain_bad_input() -> None:
    grid, _ = grid_for(evallens.demo_samples())
    grid.sort = ["sampleId"]
    assert grid.sort == [{"column": "sampleId", "dir": "asc"}]
    grid.sort = "epoch"  # type: ignore[assignment]
    assert grid.sort == [{"column": "epoch", "dir": "asc"}]
    with pytest.raises(Exception, match=r"sort.*(expected|takes) a list"):
        grid.sort = 3  # type: ignore[assignment]
    with pytest.raises(TypeError, match=r"grid.columns entries are column ids or dicts"):
        grid.columns = [3]


def test_selected_rows_are_checked_and_come_back_in_view_order() -> None:
    df = pl.DataFrame({"id": [5, 3, 9, 1], "input": list("abcd")})
    grid, _ = grid_for(df)
    with pytest.raises(ValueError, match=r"row indices 0\.\.3; got \[1000000\]"):
        grid.selected = [10**6]
    grid.selected = [0, 2, 3]
    grid.sort = [{"column": "sampleId", "dir": "desc"}]
    assert grid.selected_samples()["id"].to_list() == [9, 5, 1]
    grid.filter = pl.col("id") != 9  # a selected row the filter hides comes last
    assert grid.selected_samples()["id"].to_list() == [5, 1, 9]


def test_cancelled_samples_are_not_errors() -> None:
    # As Inspect's viewer: the error's type is the text before its first "(".
    df = pl.DataFrame(
        {
            "id": [1, 2, 3, 4, 5],
            "input": ["a", "b", "c", "d", "e"],
            "error": [
                "CancelledError()",
                "RuntimeError: boom (HTTP 500)",
                None,
                "CancelledError",
                "",
            ],
            "limit": [None, None, "token", None, None],
        }
    )
    grid, _ = grid_for(df)
    status = window(grid, 0).column("__status").to_pylist()
    assert status == ["cancelled", "error", "limit", "error", None]


def test_a_lone_score_column_is_headed_score() -> None:
    df = pl.DataFrame({"id": [1, 2], "input": ["a", "b"], "score_model_graded_fact": ["C", "I"]})
    grid, _ = grid_for(df)
    (score,) = [c for c in grid._column_defs if "score" in c]
    assert score["label"] == "Score"
    two, _ = grid_for(df.with_columns(score_judge=pl.Series([1.0, 2.0])))
    assert sorted(c["label"] for c in two._column_defs if "score" in c) == [
        "judge",
        "model_graded_fact",
    ]


def test_integers_travel_exactly_and_columns_carry_one_number_format() -> None:
    big = 2**53 + 1
    df = pl.DataFrame(
        {
            "id": [225123, big, 7],
            "input": ["a", "b", "c"],
            "total_tokens": [12, 1234567, None],
            "score_judge": [5.0, 1.0, 5.5],
            "score_p": [9.17e-7, 0.5, 1.2e-6],
        }
    )
    grid, _ = grid_for(df)
    ids = window(grid, 0).column("id")
    assert ids.type == pa.int64() and ids.to_pylist() == [7, 225123, big]  # in id order
    defs = {c["id"]: c for c in grid._column_defs}
    assert defs["sampleId"]["format"] == {"notation": "fixed", "digits": 0}
    assert defs["sampleId"]["chars"] >= len(str(big))
    assert defs["tokens"]["chars"] >= len("1,234,567")
    assert defs["score__judge__judge"]["format"] == {"notation": "fixed", "digits": 2}
    assert defs["score__p__p"]["format"] == {"notation": "scientific", "digits": 2}
    assert "format" not in defs["input"]
    body, _ = ask(grid, "detail", row=1)
    assert body["sample"]["id"] == str(big)  # JSON.parse would round the number


def test_view_edits_from_the_browser_are_applied_by_the_kernel_all_or_nothing() -> None:
    grid, sent = grid_for(evallens.demo_samples())
    assert ask(grid, "ping") == ({}, [])
    columns = [
        {**c, "visible": True} if c["id"] == "metadata_category" else c for c in grid.columns
    ]
    sort = [{"column": "sampleId", "dir": "desc"}]
    assert ask(grid, "set_view", view={"sort": sort, "columns": columns}) == ({}, [])
    assert grid.sort == sort and grid.columns == columns
    # One refresh for both, naming the sort its rows have.
    refreshes = [content for content, _ in sent if content["type"] == "refresh"]
    assert len(refreshes) == 1 and refreshes[0]["sort"] == sort
    # The first rows kept in the widget's state (what a saved notebook shows) follow the view.
    first = pa.ipc.open_stream(grid._initial).read_all()
    assert first.column("id").to_pylist() == grid.visible_rows(100)["id"].to_list()
    assert "metadata_category" in first.column_names

    # A bad edit changes nothing, not even the parts that were valid.
    bad = {"sort": [], "columns": [{"id": "no_such_column", "visible": True}]}
    with pytest.raises(ValueError, match="no_such_column"):
        ask(grid, "set_view", view=bad)
    assert grid.sort == sort
    with pytest.raises(ValueError, match="view field 'height'"):
        ask(grid, "set_view", view={"height": 3})
    assert len([c for c, _ in sent if c["type"] == "refresh"]) == 1


def test_a_pressed_headers_preview_changes_nothing_and_is_what_the_click_shows() -> None:
    df = evallens.demo_samples()
    grid, sent = grid_for(df, filter=pl.col("model") != "openai/gpt-4.1")
    grid.search = "plus"
    grid._viewport = 250  # the user scrolled: rows come at the block they are at
    before = (grid.sort, grid._revision, grid.view_frame(), len(sent))
    for sort in (
        [{"column": "score__judge__judge", "dir": "desc"}],
        [{"column": "model", "dir": "asc"}, {"column": "sampleId", "dir": "desc"}],
        [],
    ):
        grid.sort = [{"column": "tokens", "dir": "asc"}]
        before = (grid.sort, grid._revision, grid.view_frame(), len(sent))
        body, [rows] = ask(grid, "preview_sort", sort=sort)
        # Nothing changed: no trait, no revision, no message, the same rows in view.
        assert (grid.sort, grid._revision, len(sent)) == (before[0], before[1], before[3])
        assert grid.view_frame().equals(before[2])
        assert body["revision"] == grid._revision and body["count"] == grid.view_count
        assert body["offset"] == 200 and body["sort"] == sort
        # The click makes the sort: its refresh carries the same rows, and they are the
        # rows the sorted view holds there (filter and search still applied).
        ask(grid, "set_view", view={"sort": sort})
        refresh, [pushed] = next((c, b) for c, b in reversed(sent) if c["type"] == "refresh")
        assert refresh["revision"] == body["revision"] + 1 and pushed == rows
        view = grid.view_frame("all")
        got = pa.ipc.open_stream(rows).read_all()
        assert got.column("id").to_pylist() == view["id"].slice(200, 100).to_list()
        assert got.column("epoch").to_pylist() == view["epoch"].slice(200, 100).to_list()


def test_a_preview_made_stale_by_another_change_is_not_shown_as_the_sorts_rows() -> None:
    grid, sent = grid_for(evallens.demo_samples())
    sort = [{"column": "score__judge__judge", "dir": "asc"}]
    ask(grid, "preview_sort", sort=sort)
    grid.filter = pl.col("model") == "openai/gpt-4.1"  # a refresh between press and click
    ask(grid, "set_view", view={"sort": sort})
    _, [pushed] = next((c, b) for c, b in reversed(sent) if c["type"] == "refresh")
    ids = pa.ipc.open_stream(pushed).read_all().column(ROW).to_pylist()
    assert ids == grid._model.query.view.slice(0, 100).to_list()
    assert set(grid.data["model"].gather(ids).to_list()) == {"openai/gpt-4.1"}
    with pytest.raises(ValueError, match="no_such_column"):
        ask(grid, "preview_sort", sort=[{"column": "no_such_column", "dir": "asc"}])
    assert grid.sort == sort
