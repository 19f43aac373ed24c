"""Transcript search (``grid.transcript_search``) against an oracle: Python's ``re`` over the
messages `read_sample` returns, on the shared real logs and on generated ones.

The patterns used with the oracle mean the same in both dialects (Python's ``re`` and the
Rust ``regex`` crate polars uses): no ``$`` (Python's matches before a final newline too),
no look-around or backreferences (Rust has none).
"""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from conftest_io import LOGS_DIR, generate_logs, require
from hypothesis import given, settings
from hypothesis import strategies as st
from inspect_ai._util.format import format_function_call

import evallens
from evallens import PatternError, SampleGrid, read_sample, read_samples
from evallens.grid import transcripts
from evallens.io import _transcripts
from evallens.io._message_rows import tool_calls_text
from evallens.io._transcripts import TranscriptCache, read_log_texts, searchable_text

REAL_LOGS = [
    "control_arena/bash_1.eval",
    "control_arena/human_attack_1.eval",
    "inspect_scout/2025-09-23T08-09-58-04-00_security-guide_LuxZJVwvymC3S3SyoJczxB.eval",
    "metr_inspect_action/2025-12-13T23-15-44+00-00_class-eval_XDtHXBaqEHGUBoFoinn2wS.eval",
    "inspect_ai_tests/2025-05-12T20-28-13-04-00_popularity.json",
    "inspect_ai_tests/log_images.json",
]
PATTERNS = [
    r"(?i)error",
    r"\bls\b",
    r"def \w+\(",
    r"[0-9]{3,}",
    r"^The",
    r"(?s)import.*return",
    r"bash\(cmd=",
    r"(?i)\bflag\b|password",
    r"é|ü|→",
    r"zzz-never-there",
]


# -- the oracle -----------------------------------------------------------------------------
def oracle_text(message: dict[str, Any]) -> str:
    """A message's text, tool calls and tool error, written from Inspect's own formatting."""
    content = message.get("content")
    if isinstance(content, str):
        text = content
    else:
        text = "\n".join(
            str(p.get("text"))
            for p in content or []
            if isinstance(p, dict) and p.get("type") == "text"
        )
    parts = [text]
    calls = message.get("tool_calls")
    if message.get("role") == "assistant" and calls:
        parts.append(
            "\n".join(
                format_function_call(str(c.get("function")), c.get("arguments") or {}, width=1000)
                for c in calls
            )
        )
    if message.get("role") == "tool":
        error = message.get("error")
        if isinstance(error, dict) and error.get("message"):
            parts.append(str(error["message"]))
        elif message.get("tool_error"):
            parts.append(str(message["tool_error"]))
    return "\n".join(p for p in parts if p)


def oracle(frame: pl.DataFrame, pattern: str) -> list[tuple[int | None, int | None]]:
    """(hits, first hit) per frame row, from each sample read whole and Python's ``re``."""
    compiled = re.compile(pattern)
    out: list[tuple[int | None, int | None]] = []
    for log, sample_id, epoch in frame.select("log", "id", "epoch").iter_rows():
        if not log or not os.path.isfile(log):
            out.append((None, None))
            continue
        messages = read_sample(log, sample_id, epoch)["messages"]
        found = [i for i, m in enumerate(messages) if compiled.search(oracle_text(m))]
        out.append((len(found), found[0] if found else None))
    return out


def ours(grid: SampleGrid, pattern: str) -> list[tuple[int | None, int | None]]:
    hits = grid.transcript_hits(pattern)
    return list(zip(hits["hits"].to_list(), hits["first_hit"].to_list(), strict=True))


# -- fixtures -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_frame() -> pl.DataFrame:
    paths = [str(require(LOGS_DIR / p)) for p in REAL_LOGS]
    return read_samples(paths, errors="skip")


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("transcripts")
    generate_logs(out / "eval", "--models", "2", "--tasks", "1", "--samples", "6", "--epochs", "2")
    generate_logs(
        out / "json", "--models", "1", "--tasks", "1", "--samples", "5", "--format", "json"
    )
    return out


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    evallens.transcript_cache.clear()


# -- against the oracle ---------------------------------------------------------------------
@pytest.mark.parametrize("pattern", PATTERNS)
def test_real_logs_match_the_oracle(real_frame: pl.DataFrame, pattern: str) -> None:
    grid = SampleGrid(real_frame)
    assert ours(grid, pattern) == oracle(real_frame, pattern)


def test_generated_logs_match_the_oracle(generated: Path) -> None:
    frame = read_samples(generated)
    grid = SampleGrid(frame)
    assert frame.height > 20
    for pattern in (r"(?i)question \d", r"\d+", r"^\d+", r"arith", r"(?i)ANSWER"):
        assert ours(grid, pattern) == oracle(frame, pattern), pattern


def test_the_grid_shows_only_samples_with_hits(real_frame: pl.DataFrame) -> None:
    grid = SampleGrid(real_frame)
    grid.transcript_search = r"(?i)error"
    expected = [h for h, _ in oracle(real_frame, r"(?i)error")]
    assert grid.view_count == sum(1 for h in expected if h) > 0
    shown = grid.view_frame("all").select("log", "id", "epoch")
    hits = grid.transcript_hits().filter(pl.col("hits") > 0)
    assert sorted(shown.rows(), key=str) == sorted(
        hits.select("log", "id", "epoch").rows(), key=str
    )
    grid.transcript_search = ""
    assert grid.view_count == real_frame.height


def test_case_follows_the_search_box(real_frame: pl.DataFrame) -> None:
    """Case-sensitive, as the search box is; ``(?i)`` ignores case."""
    grid = SampleGrid(real_frame)
    lower = grid.transcript_hits("error")["hits"].sum()
    upper = grid.transcript_hits("Error")["hits"].sum()
    either = grid.transcript_hits("(?i)error")["hits"].sum()
    assert either >= max(lower, upper) and either > 0 and lower != upper


# -- fast paths equal slow ones -----------------------------------------------------------
def test_the_readers_fast_text_is_searchable_text(real_frame: pl.DataFrame) -> None:
    """read_log_texts' inline path for plain messages gives what searchable_text gives."""
    for log in real_frame["log"].unique().to_list():
        texts = read_log_texts(log).messages
        samples = read_log_texts(log).samples
        for sample_no, (sample_id, epoch) in enumerate(samples.iter_rows()):
            ids = real_frame.filter(pl.col("log") == log)["id"]
            real_id = next(i for i in ids.to_list() if str(i) == sample_id)
            messages = read_sample(log, real_id, epoch)["messages"]
            held = texts.filter(pl.col("sample") == sample_no)
            assert held["text"].to_list() == [searchable_text(m) for m in messages]
            assert held["text"].to_list() == [oracle_text(m) for m in messages]


def test_fast_tool_calls_equal_messages_df_format() -> None:
    cases = [
        {"role": "assistant", "tool_calls": [{"function": "bash", "arguments": {"cmd": c}}]}
        for c in ("ls", "x" * 985, "x" * 990, "x" * 2000, "it's", "a\nb")
    ]
    cases.append({"role": "assistant", "tool_calls": [{"function": "f", "arguments": {"n": 1}}]})
    cases.append({"role": "assistant", "tool_calls": [{"function": "f", "arguments": {}}]})
    for case in cases:
        calls = tool_calls_text(case)
        assert searchable_text(case) == calls
        assert calls == "\n".join(
            format_function_call(c["function"], c["arguments"], width=1000)
            for c in case["tool_calls"]
        )


_ARGUMENT = st.one_of(
    st.text(max_size=30), st.integers(), st.none(), st.lists(st.integers(), max_size=2),
    st.just("x" * 990),
)  # fmt: skip
_CALL = st.one_of(
    st.fixed_dictionaries({
        "function": st.sampled_from(["bash", "python", "f"]),
        "arguments": st.one_of(st.dictionaries(st.sampled_from(["cmd", "code", "n"]), _ARGUMENT,
                                               max_size=2), st.none(), st.just("text")),
    }),
    st.just("not a call"),
)  # fmt: skip
_MESSAGE = st.fixed_dictionaries(
    {"role": st.sampled_from(["assistant", "tool", "user", "system"])},
    optional={
        "content": st.one_of(
            st.text(max_size=20), st.none(),
            st.lists(st.fixed_dictionaries({"type": st.sampled_from(["text", "image"]),
                                            "text": st.text(max_size=10)}), max_size=2),
        ),
        "tool_calls": st.one_of(st.none(), st.lists(_CALL, max_size=3)),
        "error": st.one_of(st.none(), st.fixed_dictionaries({"message": st.text(max_size=10)})),
        "tool_error": st.one_of(st.none(), st.text(max_size=10)),
    },
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_MESSAGE)
def test_the_quick_text_of_any_message_is_searchable_text(message: dict[str, Any]) -> None:
    assert _transcripts.quick_text(message) == searchable_text(message)
    calls = message.get("tool_calls") or []
    both_errors = message.get("error") is not None and message.get("tool_error") is not None
    if not both_errors and all(
        isinstance(c, dict) and not isinstance(c["arguments"], str) for c in calls
    ):
        assert searchable_text(message) == oracle_text(message)  # as Inspect writes them


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(["the", "bash", "ls", "error", "file", "flag", "def", "=", "(", "1"]),
        min_size=1,
        max_size=3,
    ),
    insensitive=st.booleans(),
    slice_rows=st.sampled_from([1, 7, 50_000]),
)
def test_sliced_cached_search_equals_a_whole_one(
    real_frame: pl.DataFrame, words: list[str], insensitive: bool, slice_rows: int
) -> None:
    """Pieces searched in parallel, over cached text, equal one pass with Python's ``re``."""
    pattern = ("(?i)" if insensitive else "") + r"\s*".join(re.escape(w) for w in words)
    grid = SampleGrid(real_frame)
    old = transcripts._SLICE_ROWS
    transcripts._SLICE_ROWS = slice_rows
    try:
        assert ours(grid, pattern) == oracle(real_frame, pattern)
    finally:
        transcripts._SLICE_ROWS = old


# -- what cannot be searched, and bad patterns ----------------------------------------------
def test_rows_whose_logs_are_not_here_are_not_zero(real_frame: pl.DataFrame) -> None:
    moved = real_frame.with_columns(
        pl.when(pl.int_range(pl.len()) % 2 == 0)
        .then(pl.lit("/nowhere/gone.eval"))
        .otherwise(pl.col("log"))
        .alias("log")
    )
    grid = SampleGrid(moved)
    grid.transcript_search = "(?i)e"
    hits = grid.transcript_hits()
    gone = hits.filter(pl.col("log") == "/nowhere/gone.eval")
    assert gone["hits"].null_count() == gone.height > 0
    assert gone["first_hit"].null_count() == gone.height
    assert grid._transcript_info == {
        "searched": moved.height - gone.height,
        "unsearched": gone.height,
    }
    assert grid.view_count == int((hits["hits"] > 0).sum())


def test_a_frame_without_logs_says_so() -> None:
    grid = SampleGrid(evallens.demo_samples())  # its logs are made up
    with pytest.raises(ValueError, match=r"none of the 19,200 samples can be searched"):
        grid.transcript_search = "hello"
    assert grid.transcript_search == "" and grid.view_count == 19_200
    bare = SampleGrid(pl.DataFrame({"id": [1, 2], "score_x": [0.5, 1.0]}))
    with pytest.raises(ValueError, match="no 'log' column"):
        bare.transcript_search = "hello"


@pytest.mark.parametrize(
    ("pattern", "position", "reason"),
    [
        ("error (code", 6, "unclosed group"),
        ("[a-", 0, "unclosed character class"),
        ("(?<=a)b", 0, "look-around"),
        ("ab\\", 2, "incomplete escape"),
        ("x{3,1}", 1, "invalid repetition count range"),
        ("first\nsecond(", 12, "unclosed group"),
    ],
)
def test_a_bad_pattern_names_its_position(
    real_frame: pl.DataFrame, pattern: str, position: int, reason: str
) -> None:
    grid = SampleGrid(real_frame)
    grid.transcript_search = "bash"
    before = grid.view_count
    with pytest.raises(PatternError) as caught:
        grid.transcript_search = pattern
    assert caught.value.position == position
    assert reason in caught.value.reason
    assert f"at position {position}" in str(caught.value)
    assert grid.transcript_search == "bash" and grid.view_count == before


# -- the grid's wire ----------------------------------------------------------------------
def test_opening_a_row_goes_to_its_first_hit(real_frame: pl.DataFrame) -> None:
    grid = SampleGrid(real_frame)
    grid.transcript_search = r"(?i)ls -\w+"
    row = int(grid._model.query.view[0])
    reply = grid._model.detail(row)
    hits = grid.transcript_hits()
    first = hits["first_hit"][row]
    assert reply["transcript_hit"]["index"] == first
    log, sample_id, epoch = real_frame.select("log", "id", "epoch").row(row)
    text = oracle_text(read_sample(log, sample_id, epoch)["messages"][first])
    expected = list(dict.fromkeys(m.group(0) for m in re.finditer(r"(?i)ls -\w+", text)))
    assert reply["transcript_hit"]["matches"] == expected[:20]


def test_hits_travel_with_the_rows_and_sort(real_frame: pl.DataFrame) -> None:
    grid = SampleGrid(real_frame)
    grid.transcript_search = r"(?i)e"
    grid.sort = [{"column": "__hits", "dir": "desc"}]
    shown = grid._model.query.window(0, 1000, ["__hits"])["__hits"].to_list()
    assert shown == sorted(shown, reverse=True) and shown[-1] > 0
    grid.transcript_search = ""
    assert grid.view_count == real_frame.height  # the sort by hits is then a no-op


# -- the cache ------------------------------------------------------------------------------
def test_the_cache_rereads_a_changed_log_and_stays_bounded(tmp_path: Path) -> None:
    source = require(LOGS_DIR / REAL_LOGS[0])
    log = tmp_path / "copy.eval"
    shutil.copy(source, log)
    cache = TranscriptCache()
    first = cache.texts(str(log))
    assert cache.texts(str(log)) is first  # unchanged: kept
    os.utime(log, ns=(time.time_ns(), time.time_ns() + 10**9))
    again = cache.texts(str(log))
    assert again is not first and cache.info()["logs"] == 1  # re-read, the old one let go
    other = tmp_path / "other.eval"
    shutil.copy(require(LOGS_DIR / REAL_LOGS[1]), other)
    cache.max_bytes = again.nbytes + 1
    cache.texts(str(other))
    assert cache.info()["logs"] == 1 and cache.info()["bytes"] <= cache.max_bytes
    cache.max_bytes = 10
    assert cache.texts(str(log)).messages.height == first.messages.height  # searched, not kept
    assert cache.info()["logs"] <= 1


def test_a_second_search_reads_no_log(
    real_frame: pl.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    grid = SampleGrid(real_frame)
    grid.transcript_search = "bash"
    monkeypatch.setattr(
        _transcripts, "read_log_texts", lambda path: pytest.fail(f"{path} read again")
    )
    grid.transcript_search = "(?i)error"
    assert grid.view_count > 0


def test_an_empty_pattern_is_refused_not_read_as_every_message(real_frame: pl.DataFrame) -> None:
    grid = SampleGrid(real_frame)
    grid.transcript_search = "a"
    with pytest.raises(ValueError, match="empty pattern"):
        grid.transcript_hits("")


def test_hits_are_exported_and_sort_by_their_name(real_frame: pl.DataFrame) -> None:
    grid = SampleGrid(real_frame)
    grid.transcript_search = r"(?i)error"
    grid.sort = [{"column": "hits", "dir": "desc"}]
    rows = grid.view_frame()
    assert rows.columns[-1] == "hits"
    assert rows["hits"].to_list() == sorted(rows["hits"].to_list(), reverse=True)
    assert rows.height == grid.view_count and (rows["hits"] > 0).all()
    grid.transcript_search = ""
    assert "hits" not in grid.view_frame().columns
