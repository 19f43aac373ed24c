"""A sample read lazily (long arrays left parsed but unconverted) shows exactly what one read whole shows.

The sample view opens a long sample by parsing it with simdjson and converting only the
messages a window shows, and pairs tool calls with their results only as far as a window
needs. Both are fast paths: every test here holds them to the slow path (``json.loads`` of
the whole sample, and the pairing done in one pass over every message first).
"""

from __future__ import annotations

import json
import math
import random
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from conftest_io import logs_dir
from hypothesis import given, settings
from hypothesis import strategies as st

import evallens
from evallens.io._lazy_json import LazyArray, parse_lazily
from evallens.io._sample import read_sample_data
from evallens.sample.messages import ToolCallIndex
from evallens.sample.model import SampleModel

IDS = st.sampled_from(["c1", "c2", "c3", 7, "", "ü"])
TEXT = st.one_of(st.text(max_size=12), st.sampled_from(["attachment://a1", "</script>", '\\"{']))
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
JSONISH = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
CALL = st.fixed_dictionaries(
    {"id": IDS, "function": st.sampled_from(["bash", "python"]), "arguments": JSONISH}
)
MESSAGE = st.one_of(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user"]), "content": st.one_of(TEXT, JSONISH)}
    ),
    st.fixed_dictionaries(
        {"role": st.just("assistant"), "content": TEXT},
        optional={"tool_calls": st.one_of(st.lists(CALL, max_size=3), st.none(), JSONISH)},
    ),
    st.fixed_dictionaries(
        {"role": st.just("tool"), "content": TEXT},
        optional={"tool_call_id": st.one_of(IDS, JSONISH), "error": JSONISH},
    ),
    st.dictionaries(st.sampled_from(["role", "content", "tool_calls", "x"]), JSONISH, max_size=3),
)


class EagerIndex:
    """The pairing as first written: every message paired in one pass, up front."""

    def __init__(self, messages: Sequence[Any]) -> None:
        self.results: dict[tuple[int, int], int] = {}
        self.calls: dict[int, tuple[int, int]] = {}
        pending: dict[Any, tuple[int, int]] = {}
        for i, message in enumerate(messages):
            if not isinstance(message, Mapping):
                continue
            if message.get("role") == "assistant" and isinstance(message.get("tool_calls"), list):
                for position, call in enumerate(message["tool_calls"]):
                    if isinstance(call, Mapping) and isinstance(call.get("id"), str | int):
                        pending[call["id"]] = (i, position)
            elif message.get("role") == "tool":
                call_id = message.get("tool_call_id")
                if isinstance(call_id, str | int) and call_id in pending:
                    self.calls[i] = pending.pop(call_id)
                    self.results[self.calls[i]] = i


def _sample(messages: list[Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": "s1",
        "epoch": 1,
        "input": "q",
        "target": "t",
        "messages": messages,
        "scores": {"match": {"value": "C", "answer": "4"}},
        "events": [{"event": "sample_init"}, {"event": "model", "output": {"x": [1]}}],
        "attachments": {"a1": "the attached text"},
        **extra,
    }


@settings(max_examples=150, deadline=None)
@given(st.lists(MESSAGE, max_size=40), st.randoms(use_true_random=False))
def test_a_lazily_read_sample_shows_what_one_read_whole_shows(
    messages: list[Any], rnd: random.Random
) -> None:
    data = json.dumps(_sample(messages)).encode()
    lazy = parse_lazily(data)
    assert lazy is not None
    assert isinstance(lazy["messages"], LazyArray)
    whole = json.loads(data)
    eager_model, lazy_model = SampleModel(whole), SampleModel(lazy)
    assert lazy_model.head == eager_model.head
    # windows in a random order, as a user scrolls: the pairing goes only as far as asked
    starts = [rnd.randrange(0, len(messages) + 2) for _ in range(4)]
    for start in starts:
        size = rnd.randrange(1, 12)
        assert lazy_model.messages(start, size) == eager_model.messages(start, size)
    assert lazy_model.sample["messages"] == whole["messages"]
    assert lazy_model.sample["events"] == whole["events"]


@settings(max_examples=200, deadline=None)
@given(st.lists(MESSAGE, max_size=60), st.randoms(use_true_random=False))
def test_pairing_as_far_as_asked_equals_pairing_everything_first(
    messages: list[Any], rnd: random.Random
) -> None:
    oracle = EagerIndex(messages)
    for source in (messages, parse_lazily(json.dumps({"messages": messages}).encode())["messages"]):  # type: ignore[index]
        index = ToolCallIndex(source)
        questions = [(i, p) for i in range(len(messages) + 1) for p in range(4)]
        rnd.shuffle(questions)
        for i, position in questions:
            assert index.result(i, position) == oracle.results.get((i, position))
            assert index.call(i) == oracle.calls.get(i)


def test_ids_reused_across_turns_pair_with_the_latest_call_and_an_unanswered_one_stays_so() -> None:
    messages = [
        {"role": "assistant", "tool_calls": [{"id": "a"}, {"id": "b"}]},
        {"role": "tool", "tool_call_id": "a"},
        {"role": "assistant", "tool_calls": [{"id": "b"}]},  # the first "b" is never answered
        *[{"role": "user", "content": str(i)} for i in range(500)],
        {"role": "tool", "tool_call_id": "b"},
    ]
    index = ToolCallIndex(parse_lazily(json.dumps({"messages": messages}).encode())["messages"])  # type: ignore[index]
    assert index.result(0, 0) == 1
    assert index.result(0, 1) is None
    assert index.result(2, 0) == 503
    assert index.call(503) == (2, 0)


@pytest.mark.parametrize(
    "text",
    [
        b'{"id": 1, "messages": [{"role": "user", "content": NaN}]}',
        b'{"id": 1, "messages": [{"role": "user", "content": 18446744073709551616}]}',
        b'{"id": 1, "messages": [{"role": "user", "content": -9223372036854775809}]}',
        b'{"id": 1, "messages": [{"role": "user", "content": "\\ud800"}]}',
        b'{"id": 1, "messages": [{"role": "user", "content": 1e400}]}',
        b'{"id": 1, "id": 2, "messages": []}',
        b'[{"id": 1}]',
    ],
)
def test_what_simdjson_cannot_read_exactly_is_read_whole(text: bytes) -> None:
    """NaN, integers beyond 64 bits, lone surrogates, infinities, a key given twice:
    no lazy reading, so the whole parse (with Python's rules) decides."""
    assert parse_lazily(text) is None


def test_a_sample_simdjson_refuses_still_opens_in_the_view_as_read_whole(tmp_path: Any) -> None:
    sample = _sample(
        [
            {"role": "user", "content": "attachment://a1", "metadata": {"x": math.nan}},
            {"role": "assistant", "content": str(2**70)},
        ]
    )
    log = tmp_path / "nan.json"
    log.write_text(json.dumps({"version": 2, "eval": {"task": "t"}, "samples": [sample]}))
    lazy = read_sample_data(log, "s1", lazy=True)
    assert isinstance(lazy["messages"], list)  # read whole
    view = evallens.SampleView(log, "s1")
    assert [m["parts"][0]["text"] for m in view._model.messages(0, 5)] == [
        "the attached text",
        str(2**70),
    ]


def test_real_logs_read_lazily_show_the_same_samples_as_read_whole() -> None:
    paths = sorted(logs_dir().rglob("*.eval")) + sorted(logs_dir().rglob("*.json"))
    seen = 0
    for path in paths:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a manifest beside the logs is not a log
            rows = evallens.read_samples(path).head(3)
        for row in rows.iter_rows(named=True):
            full = read_sample_data(path, row["id"], row["epoch"], lazy=True)
            lazy_model = SampleModel(full)
            whole_model = SampleModel(_read_whole(path, row["id"], row["epoch"]))
            assert lazy_model.head == whole_model.head, (path, row["id"])
            count = lazy_model.head["message_count"]
            for start in (0, count // 2, max(0, count - 7)):
                assert lazy_model.messages(start, 200) == whole_model.messages(start, 200)
            seen += 1
    assert seen >= 20


def _read_whole(path: Any, id_: Any, epoch: int) -> dict[str, Any]:
    """The same lazy read (references left for their window), parsed by json.loads."""
    import evallens.io._sample as reader

    original = reader.parse_lazily
    reader.parse_lazily = lambda _data: None  # type: ignore[assignment]
    try:
        return read_sample_data(path, id_, epoch, lazy=True)
    finally:
        reader.parse_lazily = original
