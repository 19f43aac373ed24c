"""Score descriptors: each kind, the awkward real cases, and scorer/key splitting."""

from __future__ import annotations

import math

import polars as pl
import pytest
from conftest_io import logs_dir

import evallens
import evallens.io as eio
from evallens.scores import (
    ScoreDescriptor,
    default_score,
    default_scores,
    describe_column,
    describe_scores,
    score_values,
    split_score_column,
)


def kind_of(values: list[object], dtype: pl.DataType | None = None) -> dict[str, object]:
    return describe_column(pl.Series("s", values, dtype=dtype, strict=False))


def test_boolean() -> None:
    assert kind_of([True, False, None]) == {"kind": "boolean"}
    assert kind_of([True, True]) == {"kind": "boolean"}


def test_binary_is_exactly_zero_and_one() -> None:
    assert kind_of([0, 1, 1, None]) == {"kind": "binary", "min": 0.0, "max": 1.0}
    assert kind_of([0.0, 1.0, float("nan")]) == {"kind": "binary", "min": 0.0, "max": 1.0}
    # only ones: not binary (the viewer needs both values), plain numeric
    assert kind_of([1, 1])["kind"] == "numeric"
    assert kind_of([0, 0.5, 1])["kind"] == "numeric"


def test_passfail() -> None:
    assert kind_of(["C", "I", "C", None]) == {"kind": "passfail", "categories": ("C", "I")}
    assert kind_of(["N", "P", "I", "C"])["categories"] == ("C", "P", "I", "N")


def test_categorical_below_ten_strings() -> None:
    described = kind_of(["refused", "complied", "partial", "complied"])
    assert described == {"kind": "categorical", "categories": ("complied", "partial", "refused")}
    # C/I plus another string is categorical, not pass/fail
    assert kind_of(["C", "I", "maybe"])["kind"] == "categorical"


def test_numeric_bounds_ignore_nan_inf_and_none() -> None:
    described = kind_of([3.0, None, float("nan"), float("inf"), -math.inf, 9.5])
    assert described == {"kind": "numeric", "min": 3.0, "max": 9.5}
    assert kind_of([1, 5, 10]) == {"kind": "numeric", "min": 1.0, "max": 10.0}


def test_grades_as_text_with_a_letter_are_numeric_and_keep_the_letter() -> None:
    grades = [str(g) for g in range(10, -1, -1)] + ["I", None, "nan"]
    described = kind_of(grades)
    assert described == {"kind": "numeric", "min": 0.0, "max": 10.0, "non_numeric": ("I",)}


def test_list_object_and_other() -> None:
    assert kind_of([[1, 2], [3], None])["kind"] == "list"
    assert kind_of([{"a": 1}, {"a": 2}])["kind"] == "object"
    assert kind_of(["[1, 2]", "[]"] * 6 + [f"[{i}]" for i in range(9)])["kind"] == "list"
    assert kind_of([f'{{"k": {i}}}' for i in range(12)])["kind"] == "object"
    assert kind_of([f"free text {i}" for i in range(12)])["kind"] == "other"
    assert kind_of([None, None], dtype=pl.String) == {"kind": "other"}
    assert kind_of([float("nan"), None]) == {"kind": "other"}


def test_descriptor_view_id_and_frame_description() -> None:
    frame = pl.DataFrame(
        {
            "id": [1, 2, 3],
            "score_match": ["C", "I", "C"],
            "score_rubric_accuracy": [1.0, 0.0, 1.0],
            "score_rubric_clarity": [0.2, 0.9, 0.5],
            "score_judge": [3, 9, 7],
        }
    )
    described = {d.column: d for d in describe_scores(frame)}
    assert described["score_rubric_clarity"] == ScoreDescriptor(
        "score_rubric_clarity", "rubric", "clarity", "numeric", 0.2, 0.9
    )
    assert described["score_rubric_clarity"].view_id == "score__rubric__clarity"
    assert described["score_match"].view_id == "score__match__match"
    assert described["score_rubric_accuracy"].kind == "binary"
    assert described["score_judge"].kind == "numeric"


def test_heuristic_split_for_frames_from_elsewhere() -> None:
    columns = [
        "score_scorer_main_task_success",
        "score_scorer_side_task_success",
        "score_max_sus_scorer",
        "score_full_traj_monitor",
        "score_model_graded_fact",
        "score_model_graded_qa",
        "score_match",
        "score_match_explanation",
        "score_headline_value",
    ]
    split = {c: split_score_column(c, columns) for c in columns}
    assert split["score_scorer_main_task_success"] == ("scorer", "main_task_success")
    assert split["score_max_sus_scorer"] == ("max_sus_scorer", "max_sus_scorer")
    assert split["score_model_graded_fact"] == ("model_graded_fact", "model_graded_fact")
    assert split["score_match"] == ("match", "match")
    assert split["score_match_explanation"] is None  # a samples_df score detail
    assert split["score_headline_value"] is None  # an evals-frame column


def test_reader_records_the_split_of_ambiguous_names() -> None:
    """Scorer names with underscores next to dict keys: the reader knows, names alone don't."""
    frame = eio.read_samples(logs_dir() / "scicode")
    described = {d.column: d for d in describe_scores(frame)}
    total = described["score_scicode_scorer_Total Correct"]
    assert (total.scorer, total.name, total.kind) == ("scicode_scorer", "Total Correct", "numeric")
    control = eio.read_samples(logs_dir() / "control_arena")
    described = {d.column: d for d in describe_scores(control)}
    assert described["score_scorer_main_task_success"].scorer == "scorer"
    assert described["score_scorer_main_task_success"].kind == "boolean"
    assert described["score_max_sus_scorer"].name == "max_sus_scorer"
    assert described["score_main_task_correctness"].kind == "passfail"
    # a subset of the columns (as after a select) still resolves through the registry
    subset = control.select("id", "score_scorer_side_task_success")
    (only,) = describe_scores(subset)
    assert (only.scorer, only.name) == ("scorer", "side_task_success")


@pytest.mark.parametrize("name", ["writing_bench_samples.parquet"])
def test_parquet_scores(name: str) -> None:
    frame = eio.read_samples(logs_dir() / "inspect_viz_docs" / name)
    (score,) = describe_scores(frame)
    assert score.column == "score_multi_scorer_wrapper"
    assert score.kind == "numeric"
    assert score.min is not None and score.max is not None and 5 <= score.min < score.max <= 10


# ----------------------------------------------------------------- one rule for numbers
def test_grades_as_text_are_numbers_whatever_their_count() -> None:
    """Fewer than 10 distinct grades used to make the column categorical (sorted as text)."""
    described = kind_of(["10", "9", "8", "6", "3", "2", "1", "0", "I"])
    assert described == {"kind": "numeric", "min": 0.0, "max": 10.0, "non_numeric": ("I",)}
    assert kind_of(["3", "7", "7"]) == {"kind": "numeric", "min": 3.0, "max": 7.0}
    assert kind_of(["0", "1", "1"]) == {"kind": "binary", "min": 0.0, "max": 1.0}
    # floats in one log and C/I in another: every value reads as a number
    assert kind_of(["0.5", "C", "I", "0.25"])["kind"] == "numeric"
    assert kind_of(["yes", "no", "Yes"])["kind"] == "binary"
    # mostly numbers with a stray word: numeric, the word is missing as a number
    assert kind_of(["1", "2", "3", "n/a"]) == {
        "kind": "numeric",
        "min": 1.0,
        "max": 3.0,
        "non_numeric": ("n/a",),
    }
    # mostly words: categorical, even with a number among them
    assert kind_of(["refused", "complied", "complied", "3"])["kind"] == "categorical"


def test_score_values_follow_inspects_value_to_float() -> None:
    """Oracle: inspect_ai's own value_to_float, on every kind of value it knows."""
    from inspect_ai.scorer import value_to_float

    to_float = value_to_float()
    values = ["C", "P", "I", "N", "yes", "No", "TRUE", "false", "10", "0", "7", "2.5", "0.25"]
    frame = pl.DataFrame({"score_x": values})
    ours = frame.select(score_values(frame, "score_x")).to_series().to_list()
    assert ours == [to_float(v) for v in values]
    booleans = pl.DataFrame({"score_b": [True, False]})
    assert booleans.select(score_values(booleans, "score_b")).to_series().to_list() == [1.0, 0.0]


def test_score_values_departures_from_value_to_float_are_missing_not_zero() -> None:
    """Text that is not a grade is missing (Inspect counts it 0 with a warning); negative
    numbers are numbers (Inspect's isnumeric test reads '-1' as 0)."""
    frame = pl.DataFrame({"score_x": ["-1", "3", "4", "n/a", "nan", None]})
    assert frame.select(score_values(frame, "score_x")).to_series().to_list() == [
        -1.0, 3.0, 4.0, None, None, None
    ]  # fmt: skip


def test_score_values_errors_name_the_column() -> None:
    frame = pl.DataFrame({"score_label": ["complied", "refused"], "score_j": [1, 10]})
    with pytest.raises(ValueError, match=r"'score_label' \(String\) is not numeric.*'complied'"):
        score_values(frame, "score_label")
    with pytest.raises(ValueError, match=r"'score_j' \(Int64\) has values in \[1.0, 10.0\]"):
        score_values(frame, "score_j", unit=True)
    with pytest.raises(ValueError, match=r"unknown column 'score_jj'.*'score_j'"):
        score_values(frame, "score_jj")


def test_default_score_per_task_and_what_was_found() -> None:
    frame = pl.DataFrame(
        {
            "task_name": ["a", "a", "b", "b"],
            "score_label": ["x", "y", None, None],
            "score_match": ["C", "I", None, None],
            "score_judge": [None, None, "7", "I"],
        }
    )
    assert default_score(frame) == "score_match"
    assert default_scores(frame, "task_name") == {"a": "score_match", "b": "score_judge"}
    assert default_scores(frame, "task_name", unit=True) == {"a": "score_match"}
    empty = pl.DataFrame({"id": [1, 2], "error": ["boom", ""]})
    with pytest.raises(ValueError, match=r"found 2 samples and no score columns \(1 of the"):
        default_score(empty, argument="score_value")
    with pytest.raises(ValueError, match="the samples frame has no rows"):
        default_score(frame.clear())
    with pytest.raises(ValueError, match=r"score_label \(categorical\).*pass score="):
        default_score(frame.select("score_label"))


def test_choosing_and_reading_default_scores_describes_each_column_once(monkeypatch) -> None:
    import evallens.scores as scores

    frame = pl.DataFrame(
        {
            "task": ["a", "b"],
            "score_label": ["x", "y"],
            "score_m": ["C", None],
            "score_j": [None, "7"],
        }
    )
    described: list[str] = []
    real = scores.describe_column

    def counting(series: pl.Series) -> dict[str, object]:
        described.append(series.name)
        return real(series)

    monkeypatch.setattr(scores, "describe_column", counting)
    cache: scores.ScoreCache = {}
    chosen = scores.default_scores(frame, "task", cache=cache)
    values = frame.select(scores.values_by(frame, "task", chosen, cache=cache))
    assert chosen == {"a": "score_m", "b": "score_j"}
    assert values["value"].to_list() == [1.0, 7.0]
    assert sorted(described) == ["score_j", "score_label", "score_m"]  # once each
    with pytest.raises(ValueError, match=r"'score_label'.*not numeric"):
        scores.score_values(frame, "score_label", cache=cache)  # a refusal is kept too


@pytest.mark.parametrize(
    ("column", "lazy_too"),
    [
        (pl.lit(None, pl.Float64), True),
        (pl.lit(float("nan")), True),
        (pl.lit(None, pl.Int64), True),
        (pl.lit(None, pl.String), False),
        (pl.lit(""), False),
    ],
)
def test_a_score_with_no_values_says_so(column: pl.Expr, lazy_too: bool) -> None:
    # not "it holds other values": the column is empty, and the message says that
    df = evallens.synthetic_samples(2, 2, 3).with_columns(column.alias("score_empty"))
    for source in (df, df.lazy()) if lazy_too else (df,):
        with pytest.raises(ValueError, match=r"'score_empty' \(\w+\) has no values: every row"):
            evallens.ScoresHeatmap(source, score_value="score_empty")
    with pytest.raises(ValueError, match="has no values"):
        evallens.ScoresByLimit(df, score="score_empty")
