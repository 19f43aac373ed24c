"""Which columns a grid shows at first and offers, and metadata objects broken out into columns."""

from __future__ import annotations

import json
import warnings

import polars as pl
import pytest
from conftest_io import logs_dir

import evallens
from evallens.grid.columns import BUILTIN_FIELDS

USER = pl.DataFrame(
    {
        "id": [1, 2, 3],
        "input": ["a", "b", "c"],
        "target": ["x"] * 3,
        "answer": ["x", "y", "x"],
        "score_match": ["C", "I", "C"],
        "passed": [True, False, True],
        "judge_notes": ["fine", "off", "fine"],
        "Unnamed: 0": [0, 1, 2],
        "metadata_cfg": ['{"level": 3, "src": "web", "tags": ["a"]}', '{"level": 5.5}', None],
        "metadata_topic": ["x", "y", "z"],
    }
)


def _state(grid: evallens.SampleGrid) -> dict[str, bool]:
    return {c["id"]: c["visible"] for c in grid.columns}


def _defs(grid: evallens.SampleGrid) -> dict[str, dict]:
    grid._repr_mimebundle_()  # displayed: the descriptions are in the state
    return {d["id"]: d for d in grid._column_defs}


def test_a_users_own_columns_show_and_inspects_are_offered_hidden() -> None:
    grid = evallens.SampleGrid(USER)
    shown = _state(grid)
    assert shown["passed"] and shown["judge_notes"]  # the user's own: shown
    assert not shown["Unnamed: 0"]  # a pandas index written out: plumbing
    assert not shown["metadata_cfg"] and not shown["metadata_topic"]  # offered, hidden


def _extras_shown(frame: pl.DataFrame) -> list[str]:
    grid = evallens.SampleGrid(frame)
    builtin = set(BUILTIN_FIELDS) | {"task_name", "model"}
    defs = _defs(grid)
    return [
        c["id"]
        for c in grid.columns
        if c["visible"] and c["id"] not in builtin and defs[c["id"]]["kind"] != "score"
    ]


def test_frames_inspect_makes_show_no_extra_columns_at_first() -> None:
    assert _extras_shown(evallens.demo_samples()) == []
    paths = sorted(logs_dir().rglob("*.eval"))
    assert paths
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = evallens.read_samples(path)
        assert _extras_shown(frame) == [], path


def test_metadata_columns_are_grouped_and_objects_are_marked_to_break_out() -> None:
    defs = _defs(evallens.SampleGrid(USER))
    assert defs["metadata_cfg"]["group"] == defs["metadata_topic"]["group"] == "metadata"
    assert defs["metadata_cfg"].get("nested") is True
    assert "nested" not in defs["metadata_topic"]
    assert "group" not in defs["passed"]


def test_breaking_out_makes_a_column_per_key_with_each_rows_value() -> None:
    grid = evallens.SampleGrid(USER)
    added = grid.break_out("metadata_cfg")
    assert added == ["metadata_cfg.level", "metadata_cfg.src", "metadata_cfg.tags"]
    ids = [c["id"] for c in grid.columns]
    assert ids[ids.index("metadata_cfg") + 1 : ids.index("metadata_cfg") + 4] == added
    assert all(_state(grid)[a] for a in added)
    assert _defs(grid)["metadata_cfg.level"]["group"] == "metadata"
    grid.sort = [{"column": "metadata_cfg.level", "dir": "desc"}]
    rows = grid.view_frame()
    assert rows["metadata_cfg.level"].to_list() == [5.5, 3.0, None]  # numbers, sorted
    assert rows["metadata_cfg.tags"].to_list() == [None, '["a"]', None]  # nested: JSON text
    grid.filter = pl.col("metadata_cfg.src") == "web"
    assert grid.view_count == 1


def test_breaking_out_what_holds_no_objects_says_which_columns_do() -> None:
    grid = evallens.SampleGrid(USER)
    with pytest.raises(ValueError, match=r"'metadata_topic'.*metadata_cfg"):
        grid.break_out("metadata_topic")
    with pytest.raises(ValueError, match="unknown column 'metadata_cgf'"):
        grid.break_out("metadata_cgf")


def test_real_metadata_objects_break_out_as_json_reads_them() -> None:
    found = 0
    paths = sorted(logs_dir().rglob("*.eval")) + sorted(logs_dir().rglob("*.json"))
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a manifest beside the logs is not a log
            frame = evallens.read_samples(path)
        if frame.is_empty():
            continue
        grid = evallens.SampleGrid(frame)
        for column, d in _defs(grid).items():
            if not d.get("nested"):
                continue
            added = grid.break_out(column)
            rows = grid.view_frame("all")
            objects = [
                json.loads(t) if isinstance(t, str) and t.startswith("{") else None
                for t in rows[column]
            ]
            for name in added:
                key = name[len(column) + 1 :]
                want = [o.get(key) if isinstance(o, dict) else None for o in objects]
                got = rows[name].to_list()
                assert [json.loads(g) if isinstance(g, str) and not isinstance(w, str) else g
                        for g, w in zip(got, want, strict=True)] == want  # fmt: skip
            found += 1
    assert found >= 1


def test_broken_out_metadata_keys_are_filter_variables() -> None:
    grid = evallens.SampleGrid(USER)
    grid.break_out("metadata_cfg")
    grid.filter = "metadata.cfg.level > 4"
    assert grid.view_frame()["id"].to_list() == [2]
