"""Inspect's filter language: parsing, errors, and the same samples as Inspect's viewer.

The oracle is the real filtrex (the library Inspect's viewer evaluates filters with), run
by ``tests/oracle/inspect_filter.mjs`` on each log's raw sample summaries with variables
bound as the viewer binds them; the compiled polars expression must keep exactly the
samples it keeps, on the shared real logs, generated logs with errors, and the demo data.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_filter import inspect_matches, raw_summaries
from conftest_io import LOGS_DIR, real_log_paths
from hypothesis import given, settings
from hypothesis import strategies as st

import evallens
from evallens.grid.filter_language import (
    FilterNameError,
    FilterSyntaxError,
    FilterTypeError,
    Scope,
    compile_filter,
    parse,
    written,
)

# The examples of Inspect's own filter help (the viewer's "?" next to the box), as written;
# {score}, {text_score} and {key} stand for a log's names.
DOC_FILTERS = [
    "epoch == 1",
    "epoch <= 2",
    "has_error",
    "is_nan({score})",
    "not is_nan({score})",
    "has_retries",
    "id == 'sample123'",
    "metadata.{key} == 'value'",
    "10 <= {score} < 20",
    "{score} in (2, 3, 5)",
    'input_contains("the")',
    'target_contains("^[a-c]")',
    'error_contains("error")',
]
MORE_FILTERS = [
    '{text_score} == "C"',
    '{text_score} != "I"',
    'not {text_score} == "C"',
    'has_error or {text_score} == "C"',
    '{text_score} == "C" and epoch mod 2 == 1',
    '{text_score} in ("C", "P")',
    '{text_score} not in ("C")',
    "{text_score} == None",
    "{score} > 0.5",
    "not {score} > 0.5",
    "{score} >= 0.5 or has_error",
    "abs({score}) >= 1",
    "round({score}) == 1",
    "min({score}, 3) < 2",
    "max({score}, epoch) ^ 2 > 3",
    "-{score} < -0.5",
    "{score} != {score}",
    "{score} == None",
    "if has_error then False else {score} > 0",
    "sqrt({score}) > 0 and log10({score} + 1) < 1",
    "floor({score} * 3) mod 2 == 0 or ceil({score}) == 1",
    "tokens > 1000",
    "duration > 1 and not has_limit",
    "retries == 0 and completed",
    "error == None",
    "limit != None",
    'answer_contains("a")',
    'input ~= "[0-9]"',
    'id in (1, 2, 3) or id in ("x")',
    'uuid == "x"',
    "True",
    "not False",
    "epoch == 1 == True",
    "metadata.{key} == None",
    "exists(metadata.{key})",
    'input_contains("a") and target_contains("b") or not answer_contains("c")',
]


def _clean(value: Any) -> Any:
    """JSON for node: NaN scores survive as a marker node turns back into NaN."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def filters_for(scope: Scope) -> list[str]:
    names = [v for v in scope.variables.values() if v.kind.startswith("score")]
    numeric = [written(v.name) for v in names if "numeric" in v.kind or "binary" in v.kind]
    text = [written(v.name) for v in names if "passfail" in v.kind or "categorical" in v.kind]
    score = numeric[0] if numeric else "epoch"
    text_score = text[0] if text else "answer"
    key = scope.metadata[0] if scope.metadata else "nothing"
    out = []
    for template in DOC_FILTERS + MORE_FILTERS:
        if "{key}" in template and not scope.metadata:
            continue
        out.append(template.format(score=score, text_score=text_score, key=key))
    return out


def check_against_inspect(frame: pl.DataFrame, samples: list[dict[str, Any]]) -> int:
    """Compare every filter's kept (id, epoch) pairs; returns how many were compared."""
    scope = Scope(frame)
    filters = filters_for(scope)
    expected = inspect_matches([_clean(s) for s in samples], filters)
    keys = [(str(s["id"]), int(s["epoch"])) for s in samples]
    compared = 0
    for text, inspect in zip(filters, expected, strict=True):
        failed_everywhere = samples and inspect["errors"] == len(samples)
        # Inspect refuses a text score used as a number (on every sample it reaches);
        # here it takes the score's value (C is 1): a deliberate extension.
        text_as_number = "got a text instead" in str(inspect.get("message") or "")
        try:
            kept = frame.filter(compile_filter(text, scope))
        except (FilterNameError, FilterTypeError) as error:
            # Inspect fails on every sample it evaluates the name on (and shows them all,
            # unfiltered, when that is every sample); here it is an error at compile time.
            # Unknown metadata keys are undefined there.
            flagged = inspect["errors"] > 0 or "metadata." in text
            assert failed_everywhere or flagged, (text, str(error), inspect)
            continue
        if failed_everywhere or text_as_number:
            continue  # a deliberate extension, e.g. a C/I score used as a number
        ours = sorted(zip(kept["id"].cast(pl.String), kept["epoch"], strict=True))
        theirs = sorted(keys[i] for i in inspect["matches"])
        assert ours == theirs, (text, inspect["message"], len(ours), len(theirs))
        compared += 1
    return compared


def _logs_with_samples() -> list[Path]:
    paths = [p for p in real_log_paths() if p.suffix in (".eval", ".json") and "logs" in p.parts]
    return [p for p in paths if raw_summaries(p)]  # a log without samples filters nothing


@pytest.mark.parametrize(
    "path", _logs_with_samples(), ids=lambda p: str(p.relative_to(LOGS_DIR))[-60:]
)
def test_real_logs_keep_the_samples_inspect_keeps(path: Path) -> None:
    samples = raw_summaries(path)
    frame = evallens.read_samples(path)
    assert frame.height == len(samples)
    assert check_against_inspect(frame, samples) > 10


def test_generated_logs_with_errors_keep_the_samples_inspect_keeps(
    per_task_scorer_logs: Path,
) -> None:
    logs = sorted(per_task_scorer_logs.rglob("*.eval"))
    assert logs
    errored = 0
    for path in logs:
        samples = raw_summaries(path)
        errored += sum(1 for s in samples if s.get("error"))
        check_against_inspect(evallens.read_samples(path), samples)
    assert errored > 0  # the undefined-score rules were exercised


# ------------------------------------------------------------------------ the demo data
def _demo_summaries(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The demo frame's rows as Inspect sample summaries (scores nested as Inspect nests them)."""
    scores = evallens.describe_scores(frame)
    out = []
    for row in frame.iter_rows(named=True):
        by_scorer: dict[str, Any] = {}
        for s in scores:
            value = row[s.column]
            if s.name == s.scorer:
                by_scorer[s.scorer] = {"value": value, "answer": row["answer"]}
            else:
                entry = by_scorer.setdefault(s.scorer, {"value": {}, "answer": row["answer"]})
                entry["value"][s.name] = value
        out.append({
            "id": row["id"], "epoch": row["epoch"], "input": row["input"],
            "target": row["target"], "error": row["error"] or None, "limit": row["limit"],
            "retries": row["retries"], "total_time": row["total_time"],
            "model_usage": {"m": {"total_tokens": row["total_tokens"]}},
            "metadata": {k.removeprefix("metadata_"): v for k, v in row.items()
                         if k.startswith("metadata_")},
            "scores": by_scorer,
        })  # fmt: skip
    return out


@pytest.fixture(scope="module")
def demo() -> tuple[pl.DataFrame, list[dict[str, Any]]]:
    frame = evallens.demo_samples().head(2000)
    return frame, _demo_summaries(frame)


def test_demo_keeps_the_samples_inspect_keeps(demo: tuple[pl.DataFrame, list[Any]]) -> None:
    frame, samples = demo
    # The demo's rows are unique per task, model, id, epoch: compare within one log.
    first = frame["log"][0]
    one = frame.with_row_index("i").filter(pl.col("log") == first)
    assert check_against_inspect(one.drop("i"), [samples[i] for i in one["i"]]) > 30


_ATOMS = ["judge", "closeness", "epoch", "id", "retries", "tokens", "rubric.accuracy",
          "verbosity", "1", "0.5", "3", "None", "True", "False", '"C"', '"I"', "match",
          "has_error", "has_limit", "limit", "error", "metadata.category", '"easy"']  # fmt: skip


@st.composite
def filter_texts(draw: st.DrawFn, depth: int = 3) -> str:
    if depth == 0 or draw(st.booleans()):
        return draw(st.sampled_from(_ATOMS))
    left = draw(filter_texts(depth - 1))
    right = draw(filter_texts(depth - 1))
    op = draw(st.sampled_from(
        ["and", "or", "==", "!=", "<", ">=", "+", "-", "*", "/", "mod", "^", "in", "not in"]
    ))  # fmt: skip
    form = draw(st.sampled_from(["{l} {op} {r}", "not ({l} {op} {r})", "({l}) {op} ({r})",
                                 "abs({l}) {op} {r}", "{l} {op} {r} < 2", "({l}, {r}) {op} {r}"]))  # fmt: skip
    return form.format(l=left, r=right, op=op)


@settings(max_examples=40, deadline=None)
@given(st.lists(filter_texts(), min_size=20, max_size=20))
def test_generated_filters_keep_the_samples_inspect_keeps(
    demo: tuple[pl.DataFrame, list[Any]], texts: list[str]
) -> None:
    frame, samples = demo
    frame, samples = frame.head(300), samples[:300]
    scope = Scope(frame)
    expected = inspect_matches([_clean(s) for s in samples], texts)
    for text, inspect in zip(texts, expected, strict=True):
        try:
            kept = frame.with_row_index("i").filter(compile_filter(text, scope))["i"].to_list()
        except (FilterTypeError, FilterNameError, FilterSyntaxError):
            continue  # a static error: Inspect errs too, on every row it reaches
        if inspect["errors"] == len(samples):
            continue
        if "got a text instead" in str(inspect.get("message") or ""):
            continue  # a text grade compared with a number: read by its value here, on purpose
        assert kept == inspect["matches"], (text, inspect["message"])


# Letters whose case folds differently with and without Unicode rules: the long s and the
# Kelvin sign fold to "s"/"k" only under Unicode (Inspect's RegExp(text, "i") does not), the
# dotted/dotless i, the sharp s, accented letters.
_TRICKY = "sSkKiIaA \u017f\u212a\u0130\u0131\u00df\u00e9\u00c9\u00e5\u212b\u0445-_1"


@settings(max_examples=25, deadline=None)
@given(
    st.lists(st.text(alphabet=_TRICKY, max_size=12), min_size=30, max_size=30),
    st.lists(st.text(alphabet="sSkKiIaA -_1", min_size=1, max_size=3), min_size=6, max_size=6),
    st.lists(st.text(alphabet=_TRICKY, min_size=1, max_size=3), min_size=6, max_size=6),
)
def test_contains_folds_case_as_inspect_does(
    demo: tuple[pl.DataFrame, list[Any]], inputs: list[str], ascii: list[str], other: list[str]
) -> None:
    # Plain-text patterns take a substring search instead of a regex: the same samples as
    # Inspect's viewer keeps, on text with letters whose case folding differs by rules.
    frame, samples = demo
    frame = frame.head(len(inputs)).with_columns(input=pl.Series(inputs))
    samples = [{**_clean(s), "input": text} for s, text in zip(samples, inputs, strict=False)]
    texts = [f'input_contains("{p}")' for p in ascii + other] + ['input_contains("\u017f")']
    scope = Scope(frame)
    expected = inspect_matches(samples, texts)
    for text, inspect in zip(texts, expected, strict=True):
        kept = frame.with_row_index("i").filter(compile_filter(text, scope))["i"].to_list()
        assert kept == inspect["matches"], (text, inputs)


# ------------------------------------------------------------------------------ errors
def test_a_syntax_error_names_the_position_and_what_was_expected() -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse("has_error and (epoch == 1")
    assert caught.value.position == 25
    assert "')'" in caught.value.expected
    with pytest.raises(FilterSyntaxError) as caught:
        parse("epoch === 1")
    assert caught.value.position == 8
    assert "at position 9" in str(caught.value)


def test_an_unknown_variable_lists_near_matches() -> None:
    frame = evallens.demo_samples().head(10)
    with pytest.raises(FilterNameError) as caught:
        compile_filter("jugde > 5", frame)
    assert caught.value.near[0] == "judge"
    assert caught.value.position == 0
    with pytest.raises(FilterNameError, match=r"use rubric\.accuracy"):
        compile_filter("rubric > 1", frame)
    with pytest.raises(FilterNameError, match='write "sample123"'):
        compile_filter("id == 'sample123'", frame)


def test_type_errors_are_caught_before_running() -> None:
    frame = evallens.demo_samples().head(10)
    with pytest.raises(FilterTypeError, match="expected a number"):
        compile_filter('epoch > "a"', frame)
    with pytest.raises(FilterTypeError, match="true or false"):
        compile_filter("epoch + 1", frame)
    with pytest.raises(FilterTypeError, match="invalid regular expression"):
        compile_filter('input_contains("(")', frame)


def test_text_grades_used_as_numbers_take_their_score_value() -> None:
    frame = pl.DataFrame({"id": [1, 2, 3, 4], "epoch": [1] * 4, "error": ["", "", "", "x"],
                          "score_match": ["C", "I", "P", "C"]})  # fmt: skip
    kept = frame.filter(compile_filter("match > 0.4", frame))
    assert kept["id"].to_list() == [1, 3]  # P is 0.5; the errored sample has no score


# --------------------------------------------------------------------------- the grid
def test_grid_filter_takes_inspect_text_and_composes_with_search_and_links() -> None:
    frame = evallens.demo_samples()
    grid = evallens.SampleGrid(frame)
    grid.filter = 'match == "C" and epoch == 1'
    expected = frame.filter(compile_filter('match == "C" and epoch == 1', frame)).height
    assert grid.view_count == expected
    assert grid.filter == 'match == "C" and epoch == 1'
    assert grid._filter_text == grid.filter and not grid._filter_from_python
    grid.search = "7"
    searched = grid.view_count
    assert 0 < searched < expected
    grid.set_link_filter("heatmap", frame["task_name"] == frame["task_name"][0])
    assert grid.view_count <= searched
    grid.set_link_filter("heatmap", None)
    grid.search = ""
    grid.filter = pl.col("epoch") == 1  # polars expressions keep working
    assert grid._filter_text == "" and grid._filter_from_python
    assert grid.view_count == frame.filter(pl.col("epoch") == 1).height
    grid.filter = ""
    assert grid.filter is None and grid.view_count == frame.height


def test_grid_filter_text_errors_raise_and_leave_the_filter_alone() -> None:
    grid = evallens.SampleGrid(evallens.demo_samples().head(50))
    grid.filter = "epoch == 1"
    count = grid.view_count
    with pytest.raises(FilterSyntaxError):
        grid.filter = "epoch == 1 and"
    with pytest.raises(FilterNameError):
        grid.filter = "epoc == 1"
    assert grid.filter == "epoch == 1" and grid.view_count == count
    reply, _ = grid._on_set_filter({"text": "epoc == 1"}, [])
    assert reply["error"]["position"] == 0 and reply["error"]["near"][0] == "epoch"
    reply, _ = grid._on_set_filter({"text": "has_error"}, [])
    assert reply["count"] == grid.view_count and grid._filter_text == "has_error"
    names = {n["name"] for n in grid._model.filter_names()}
    assert {"judge", "rubric.accuracy", "metadata.category", "input_contains"} <= names


def test_a_bad_regex_says_what_is_wrong_with_it_and_where() -> None:
    grid = evallens.SampleGrid(evallens.demo_samples())
    with pytest.raises(FilterTypeError, match="invalid regular expression: unclosed group"):
        grid.filter = 'input_contains("(")'


def test_nested_metadata_keys_keep_their_json_type() -> None:
    """``metadata.config.difficulty`` is a number where the JSON holds numbers (as in
    Inspect's viewer), a boolean where it holds booleans, text otherwise."""
    import json as jsonlib
    import random

    rng = random.Random(1)
    frame = evallens.demo_samples().head(600)
    configs = [
        {
            "difficulty": rng.randint(1, 5),
            "src": rng.choice(["book", "web"]),
            "flag": rng.random() > 0.5,
        }
        for _ in range(frame.height)
    ]
    frame = frame.with_columns(pl.Series("metadata_config", [jsonlib.dumps(c) for c in configs]))
    grid = evallens.SampleGrid(frame)
    cases = {
        "metadata.config.difficulty == 3": lambda c: c["difficulty"] == 3,
        "metadata.config.difficulty > 3": lambda c: c["difficulty"] > 3,
        "metadata.config.difficulty in (1, 2)": lambda c: c["difficulty"] in (1, 2),
        "metadata.config.flag": lambda c: c["flag"],
        'metadata.config.src == "web"': lambda c: c["src"] == "web",
    }
    for text, keep in cases.items():
        grid.filter = text
        assert grid.view_count == sum(keep(c) for c in configs), text


def test_text_ids_from_several_logs_compared_with_a_number_say_so() -> None:
    """Logs with numeric ids read with logs with text ids give text ids: `id == 76105` would
    find nothing, so it is an error that says how to write it."""
    frame = pl.DataFrame(
        {"log": ["a.eval", "a.eval", "b.eval"], "id": ["76105", "3", "q7"], "epoch": [1, 1, 1]}
    )
    grid = evallens.SampleGrid(frame)
    with pytest.raises(FilterTypeError, match=r'compare it with text, e\.g\. id == "76105"'):
        grid.filter = "id == 76105"
    grid.filter = 'id == "76105"'
    assert grid.view_count == 1
    one_log = evallens.SampleGrid(frame.head(2))  # one log's text ids: Inspect's rules
    one_log.filter = "id == 3"
    assert one_log.view_count == 0
