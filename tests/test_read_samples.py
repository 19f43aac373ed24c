"""read_samples against inspect_ai's own samples_df, log by log, on real logs."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import INSPECT_JSON_NAME, logs_dir, plain, real_log_paths, same_value
from hypothesis import given, settings
from hypothesis import strategies as st

import evallens.io as eio
from evallens.frames import to_frame

inspect_analysis = pytest.importorskip("inspect_ai.analysis")
inspect_log = pytest.importorskip("inspect_ai.log")

# Columns we deliberately produce differently from samples_df: `log` is an absolute path
# here, while samples_df echoes the path as given.
NOT_COMPARED = {"log"}


def _by_log_object(path: Path) -> bool:
    # samples_df ignores .json files whose names do not start with a timestamp (its log
    # file filter), even when named explicitly; for those we pass the EvalLog object
    return path.suffix == ".json" and not INSPECT_JSON_NAME.match(path.name)


def _reference(path: Path) -> object:
    """samples_df for one log, with the columns the issue names."""
    columns = (
        inspect_analysis.SampleSummary + inspect_analysis.EvalModel + inspect_analysis.EvalTask
    )
    logs: object = str(path)
    if _by_log_object(path):
        logs = inspect_log.read_eval_log(str(path))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return inspect_analysis.samples_df(logs, columns=columns, quiet=True)


@pytest.mark.parametrize("path", real_log_paths(), ids=lambda p: str(p.relative_to(p.parents[1])))
def test_samples_agree_with_samples_df(path: Path) -> None:
    theirs: Any = _reference(path)
    ours = eio.read_samples(path, errors="raise")
    assert ours.height == len(theirs)
    if ours.height == 0:
        return
    shared = [c for c in ours.columns if c in theirs.columns and c not in NOT_COMPARED]
    if _by_log_object(path):
        # from an EvalLog object samples_df renders `input` from the whole sample, not its
        # summary (so an image is dropped instead of shown as "(Image)"); check our input
        # against inspect_ai's rendering of the summaries, which is what a path read gives
        from inspect_ai.analysis._dataframe.extract import messages_as_str

        summaries = inspect_log.read_eval_log_sample_summaries(str(path))
        expected = {(str(s.id), s.epoch): messages_as_str(s.input) for s in summaries}
        got = {(str(r["id"]), r["epoch"]): r["input"] for r in ours.iter_rows(named=True)}
        assert got == expected
        shared.remove("input")
    # samples_df keeps a dict-valued score as JSON text in one `score_<scorer>` column;
    # we split it into `score_<scorer>_<key>` columns (issue 3), and compare key by key
    dict_scores = [c for c in theirs.columns if c.startswith("score_") and c not in ours.columns]
    wanted = [c for c in theirs.columns if c.startswith(("score_", "metadata_"))]
    assert set(wanted) - set(dict_scores) <= set(ours.columns)
    by_id = theirs.set_index("sample_id")
    mismatches = []
    for row in ours.iter_rows(named=True):
        reference = by_id.loc[row["sample_id"]]
        for column in shared:
            if column != "sample_id" and not same_value(column, row[column], reference[column]):
                mismatches.append((row["sample_id"], column, row[column], reference[column]))
        for column in dict_scores:
            text = reference[column]
            values = {} if plain(text) is None else json.loads(text)
            assert isinstance(values, dict), (column, text)
            for key, value in values.items():
                if not same_value(column, row[f"{column}_{key}"], value):
                    mismatches.append((row["sample_id"], f"{column}_{key}", row[column], value))
    assert not mismatches, mismatches[:5]


def test_directory_reads_every_log_without_loss() -> None:
    root = logs_dir()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        everything = eio.read_samples(root)
    # every real log is readable; the one warning names the copied eval (read once)
    assert [str(w.message).splitlines()[0] for w in caught] == [
        "evallens read 1 duplicate log once:"
    ]
    per_file = sum(eio.read_samples(p).height for p in real_log_paths())
    assert everything.height == per_file
    assert everything.select("eval_id", "id", "epoch").n_unique() <= everything.height
    assert everything["sample_id"].n_unique() == everything.height


def test_core_schema_and_types() -> None:
    frame = eio.read_samples(logs_dir() / "control_arena" / "bash_1.eval")
    assert frame.columns[:20] == [
        "eval_id",
        "sample_id",
        "log",
        "task_name",
        "task_display_name",
        "model",
        "model_display_name",
        "id",
        "epoch",
        "input",
        "target",
        "answer",
        "error",
        "limit",
        "retries",
        "total_tokens",
        "total_time",
        "working_time",
        "message_count",
        "model_usage",
    ]
    assert frame["id"].dtype == pl.Int64  # integer ids stay integers
    assert frame["model_usage"].dtype == eio.MODEL_USAGE_DTYPE
    assert frame["model_display_name"].to_list() == frame["model"].to_list()
    assert frame["task_display_name"].to_list() == ["bash_task"] * 3


def test_dict_scorers_keep_the_scorer_prefix() -> None:
    root = logs_dir()
    control = eio.read_samples(root / "control_arena" / "kube_test.eval")
    assert {"score_scorer_main_task_success", "score_scorer_side_task_success"} <= set(
        control.columns
    )
    scicode = eio.read_samples(root / "scicode")
    assert {
        "score_scicode_scorer_Problem Correctness",
        "score_scicode_scorer_Total Correct",
        "score_scicode_scorer_Total Steps",
    } <= set(scicode.columns)
    assert scicode.height == 50


def test_epochs_are_rows() -> None:
    frame = eio.read_samples(logs_dir() / "inspect_ai_tests" / "log_streaming.eval")
    assert sorted(frame["epoch"].unique().to_list()) == [1, 2]
    assert frame.select("id", "epoch").n_unique() == frame.height


def test_cancelled_log_keeps_its_samples_and_empty_logs_give_no_rows() -> None:
    root = logs_dir() / "control_arena"
    cancelled = (
        root / "2025-03-20T11-34-28+00-00_k8s-infra-sabotage-simple_hx7PdfkjREQJLXNYHQ25xS.eval"
    )
    empty = root / "2025-03-20T11-27-04+00-00_k8s-infra-sabotage-simple_KaUw8vyPaUEexPj7vYhjh5.eval"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert eio.read_samples(cancelled).height == 6
        assert eio.read_samples(empty).height == 0
        assert eio.read_samples([cancelled, empty]).height == 6


def test_log_without_scorer_has_no_score_columns() -> None:
    path = (
        logs_dir()
        / "inspect_ai_tests"
        / "2025-02-11T15-17-00-05-00_popularity_dPiJifoWeEQBrfWsAopzWr.eval"
    )
    frame = eio.read_samples(path)
    assert frame.height == 10
    assert not [c for c in frame.columns if c.startswith("score_")]


def test_zstd_compressed_eval_log() -> None:
    frame = eio.read_samples(logs_dir() / "ts_mono" / "ais-decoder.eval")
    assert frame.height == 1
    assert frame["score_model_graded_qa"].to_list() == ["I"]


def test_samples_df_frame_gives_the_same_schema() -> None:
    path = logs_dir() / "control_arena" / "bash_1.eval"
    columns = (
        inspect_analysis.SampleSummary + inspect_analysis.EvalModel + inspect_analysis.EvalTask
    )
    pandas_frame = inspect_analysis.samples_df(str(path), columns=columns, quiet=True)
    from_frame = eio.read_samples(pandas_frame)
    from_log = eio.read_samples(path)
    assert from_frame.columns[:20] == from_log.columns[:20]
    core = [c for c in from_log.columns[:20] if c not in ("log", "answer")]
    assert from_frame.select(core).sort("id").equals(from_log.select(core).sort("id"))
    for column in ("score_main_task_correctness", "score_max_sus_scorer"):
        assert from_frame.sort("id")[column].to_list() == from_log.sort("id")[column].to_list()


def test_parquet_export_gives_the_same_schema() -> None:
    path = logs_dir() / "inspect_viz_docs" / "writing_bench_samples.parquet"
    frame = eio.read_samples(path)
    assert frame.height == 100
    assert (
        frame.columns[:20]
        == eio.read_samples(logs_dir() / "control_arena" / "bash_1.eval").columns[:20]
    )
    assert frame["model_usage"].dtype == eio.MODEL_USAGE_DTYPE
    assert frame["model_usage"].list.len().min() >= 1  # parsed from its JSON text
    assert frame["model_display_name"].null_count() == 0
    assert "score_multi_scorer_wrapper" in frame.columns


def test_every_kind_of_input_becomes_the_same_frame() -> None:
    """One coercion: polars as is (no copy), lazy, pandas, Arrow PyCapsule objects, logs."""
    path = logs_dir() / "control_arena" / "bash_1.eval"
    frame = eio.read_samples(path)
    assert to_frame(frame) is frame
    assert to_frame(frame.lazy()).equals(frame)
    assert to_frame(path).equals(frame)
    assert to_frame(frame.to_arrow()).equals(frame)
    flat = frame.drop("model_usage")  # pandas has no list-of-struct round trip
    assert to_frame(flat.to_pandas()).equals(flat)

    class Stream:  # any object speaking the Arrow PyCapsule stream interface
        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            return flat.to_arrow().__arrow_c_stream__(requested_schema)

    assert to_frame(Stream()).equals(flat)


def test_scan_samples_matches_read_samples(tmp_path: Path) -> None:
    root = logs_dir() / "control_arena"
    eager = eio.read_samples(root)
    lazy = eio.scan_samples(root, cache_dir=tmp_path)
    assert isinstance(lazy, pl.LazyFrame)
    collected = lazy.collect()
    assert collected.columns == eager.columns
    assert collected.sort("sample_id").equals(eager.sort("sample_id"))
    # the second scan reuses the cache
    again = eio.scan_samples(root, cache_dir=tmp_path).collect()
    assert again.sort("sample_id").equals(eager.sort("sample_id"))


def test_threaded_process_and_serial_reads_agree() -> None:
    root = logs_dir() / "control_arena"
    serial = eio.read_samples(root, parallel=False)
    assert eio.read_samples(root).equals(serial)  # threads
    assert eio.read_samples(root, parallel=2).equals(serial)  # worker processes


def test_duplicate_logs_are_counted_once(tmp_path: Path) -> None:
    """inspect_ai reads a log named twice once; a copied log holds the same eval."""
    source = logs_dir() / "inspect_scout"
    original = next(source.glob("*popularity*.eval"))
    once = eio.read_samples(original)
    assert eio.read_samples([original, original]).height == once.height  # silently
    copy = tmp_path / "copy-of-popularity.eval"
    copy.write_bytes(original.read_bytes())
    with pytest.warns(eio.LogReadWarning, match=r"copy-of-popularity\.eval \(same eval as .*"):
        both = eio.read_samples([original, copy])
    assert both.height == once.height
    assert both["log"].unique().to_list() == [str(original.resolve())]
    # the heatmap's n and stderr are those of one copy
    import evallens

    one = evallens.ScoresHeatmap(once).cells
    assert evallens.ScoresHeatmap(both).cells.equals(one)
    with pytest.warns(eio.LogReadWarning, match="duplicate"):
        assert eio.read_evals([original, copy]).height == 1
    with pytest.warns(eio.LogReadWarning, match="duplicate"):
        lazy = eio.scan_samples([original, copy], cache_dir=tmp_path / "cache")
    assert lazy.collect().height == once.height


def test_a_directory_without_logs_says_so_every_time(tmp_path: Path) -> None:
    (tmp_path / "notes.json").write_text('{"not": "a log"}')
    for _ in range(2):  # the same call run again in a notebook warns again
        with pytest.warns(eio.LogReadWarning, match=r"no \.eval or \.json Inspect logs in"):
            assert eio.read_samples(tmp_path).height == 0


def test_skipped_files_are_reported_every_time(tmp_path: Path) -> None:
    (tmp_path / "broken.eval").write_bytes(b"not a zip")
    for _ in range(2):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("default")  # Python's default: once per location
            for _ in range(2):
                eio.read_samples(tmp_path)
        assert sum("broken.eval" in str(w.message) for w in caught) == 2


@settings(max_examples=300, deadline=None)
@given(base=st.text(max_size=30), suffix=st.text(max_size=30))
def test_made_up_sample_ids_are_inspect_ais(base: str, suffix: str) -> None:
    """Samples without a uuid get the id inspect_ai's readers give them (md5, base 57)."""
    from inspect_ai.analysis._dataframe.extract import auto_id

    from evallens.io._summary import _auto_id, _base57

    assert _auto_id(base, suffix) == auto_id(base, suffix)
    assert _base57(0) == "2" * 22 and _base57(0, pad=0) == ""
    assert _base57(57**5, pad=0) == "322222"
