"""grid.view_frame() and grid.export(): what the grid shows, as polars or a file."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from conftest_io import logs_dir

import evallens
from evallens.grid.export import csv_bytes

KEYS = ["log", "id", "epoch"]


def _grid() -> evallens.SampleGrid:
    return evallens.SampleGrid(evallens.demo_samples())


def test_view_frame_holds_the_filtered_rows_in_the_grids_sort_order() -> None:
    samples = evallens.demo_samples()
    grid = evallens.SampleGrid(samples)
    grid.filter = pl.col("model") == "openai/gpt-4.1"
    grid.sort = [{"column": "total_tokens", "dir": "desc"}]
    rows = grid.view_frame("all")
    # the same samples as filtering by hand (an independent oracle), in the sorted order
    expected = samples.filter(pl.col("model") == "openai/gpt-4.1")
    assert rows.height == expected.height == grid.view_count
    assert sorted(rows.select(KEYS).rows()) == sorted(expected.select(KEYS).rows())
    tokens = rows["total_tokens"].to_list()
    assert tokens == sorted(tokens, reverse=True)
    assert rows.columns == samples.columns


def test_shown_columns_follow_what_the_user_hid_and_moved() -> None:
    grid = _grid()
    grid.columns = [{"id": "answer"}, {"id": "sampleId"}, {"id": "score_match"}]
    rows = grid.view_frame()
    assert rows.columns == ["answer", "id", "score_match"]
    assert rows["score_match"].dtype == evallens.demo_samples()["score_match"].dtype  # as read
    assert grid.view_frame(["epoch", "score_match"]).columns == ["epoch", "score_match"]


def test_a_wrong_column_name_is_named_with_near_matches() -> None:
    with pytest.raises(ValueError, match="unknown column 'score_matc'; did you mean 'score_match'"):
        _grid().view_frame(["score_matc"])
    with pytest.raises(ValueError, match="'shown', 'all'"):
        _grid().view_frame("everything")


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl", ".ndjson"])
def test_export_writes_the_view_in_the_format_its_extension_names(
    tmp_path: Path, suffix: str
) -> None:
    grid = _grid()
    grid.filter = pl.col("task_name") == "trivia"
    grid.sort = [{"column": "score_match", "dir": "desc"}, {"column": "sampleId", "dir": "asc"}]
    shown = grid.view_frame()
    path = grid.export(tmp_path / f"rows{suffix}")
    assert path.exists()
    if suffix == ".csv":
        back = pl.read_csv(path, schema=shown.schema)
    elif suffix == ".parquet":
        back = pl.read_parquet(path)
    else:
        back = pl.read_ndjson(path, schema=shown.schema)
    assert back.equals(shown)


def test_export_refuses_an_extension_it_cannot_write_and_says_which_it_can(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"rows\.xlsx.*\.csv, \.parquet, \.jsonl, \.ndjson"):
        _grid().export(tmp_path / "rows.xlsx")


def test_nested_values_become_json_text_in_csv() -> None:
    frame = pl.DataFrame(
        {"id": [1, 2], "tags": [["a", "b"], []], "meta": [{"k": 1, "s": "x"}, None]}
    )
    rows = pl.read_csv(io.BytesIO(csv_bytes(frame)))
    assert [json.loads(t) for t in rows["tags"]] == [["a", "b"], []]
    assert json.loads(rows["meta"][0]) == {"k": 1, "s": "x"}
    assert rows["meta"][1] is None


def test_real_logs_export_and_read_back_the_same_rows(tmp_path: Path) -> None:
    logs = sorted(logs_dir().rglob("*.eval"))[:4]
    assert logs
    grid = evallens.SampleGrid(logs)
    grid.sort = [{"column": "sampleId", "dir": "desc"}]
    everything = grid.view_frame("all")
    assert everything.height == grid.view_count
    back = pl.read_parquet(grid.export(tmp_path / "all.parquet", columns="all"))
    assert back.equals(everything)
    shown = grid.view_frame()
    csv = pl.read_csv(grid.export(tmp_path / "shown.csv"), infer_schema=False)
    assert csv.height == shown.height
    assert csv.columns == shown.columns
