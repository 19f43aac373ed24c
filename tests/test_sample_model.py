"""SampleModel: the head of real and generated samples, scans against scores, and windows of
a sample with 100k messages."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from conftest_io import generate_logs, logs_dir, require
from inspect_ai.log import (
    EvalSample,
    read_eval_log,
    read_eval_log_sample,
    read_eval_log_sample_summaries,
)
from inspect_ai.viewer import SampleScoreView, ViewerConfig

import evallens
from evallens.errors import UnknownNameError
from evallens.sample.model import MAX_WINDOW, SampleModel, score_view, trust_content
from evallens.sample.scanners import SCANNER_KEYS

REAL = [
    "control_arena/bash_tm_honest_baseline.eval",
    "control_arena/kube_test.eval",
    "metr_inspect_action/small.eval",
    "inspect_ai_tests/2025-05-12T20-27-36-04-00_browser.json",
    "inspect_flow/logs1/2025-12-11T18-00-43+00-00_gpqa-diamond_NL3aygdanSgqAJfzoMFuH6.eval",
    "scicode/2026-02-06T01-49-23-07-00_scicode_fXKJvoyJdbtWYQAWpTYDvJ.eval",
]

SCORERS = ["match", "judge", "rubric"]
SCANNERS = ["scan_answer_check", "scan_effort"]


def first_samples(path: str, most: int = 3) -> list[EvalSample]:
    return [
        read_eval_log_sample(path, s.id, s.epoch, resolve_attachments=True)
        for s in read_eval_log_sample_summaries(path)[:most]
    ]


@pytest.fixture(scope="module")
def scanner_logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One task scored by three scorers and two scanner-style scorers, with a ViewerConfig;
    some samples error and some hit the token limit."""
    out = tmp_path_factory.mktemp("scanner_logs")
    return generate_logs(
        out, "--models", "1", "--tasks", "1", "--samples", "24", "--viewer",
        "--scorers", ",".join(SCORERS + SCANNERS), "--error-rate", "0.15", "--limit-rate", "0.15",
    )  # fmt: skip


@pytest.fixture(scope="module")
def scanner_samples(scanner_logs: Path) -> tuple[ViewerConfig, list[EvalSample]]:
    (path,) = scanner_logs.glob("*.eval")
    viewer = read_eval_log(str(path), header_only=True).eval.viewer
    assert viewer is not None
    return viewer, first_samples(str(path), most=24)


# -- the head of real samples --------------------------------------------------------------
@pytest.mark.parametrize("name", REAL)
def test_the_head_of_real_samples(name: str) -> None:
    path = str(require(logs_dir() / name))
    for sample in first_samples(path):
        dumped = sample.model_dump(mode="json")
        head = SampleModel(dumped, log=path).head
        json.dumps(head, allow_nan=False)  # travels as JSON as it is
        assert head["log"] == path
        assert head["id"] == sample.id and head["epoch"] == sample.epoch
        assert head["target"] == sample.target
        assert head["metadata"] == dumped["metadata"]
        assert head["message_count"] == len(sample.messages)
        assert head["trust_content"] is True and head["sample_score_view"] is None
        info = head["info"]
        unset_dropped = {
            m: {k: v for k, v in u.items() if v is not None}
            for m, u in (dumped["model_usage"] or {}).items()
        }
        assert info["model_usage"] == (unset_dropped or None)
        assert info["total_tokens"] == (
            sum(u.total_tokens for u in sample.model_usage.values()) if sample.model_usage else None
        )
        assert info["total_time"] == sample.total_time
        assert info["working_time"] == sample.working_time
        retries = sample.error_retries
        assert info["retries"] == (None if retries is None else len(retries))  # as the grid has it
        names = [s["name"] for s in head["scores"]] + [s["name"] for s in head["scans"]]
        assert sorted(names) == sorted(sample.scores or {})
        for entry in head["scores"]:
            score = (sample.scores or {})[entry["name"]]
            assert entry["value"] == dumped["scores"][entry["name"]]["value"]
            assert entry["answer"] == score.answer
            assert entry["explanation"] == score.explanation
        assert head["error"] is None if sample.error is None else head["error"] is not None


# -- scans against scores, on logs written by Inspect --------------------------------------
def test_scans_and_scores_split_by_scanner_references(
    scanner_samples: tuple[ViewerConfig, list[EvalSample]],
) -> None:
    viewer, samples = scanner_samples
    scanned = 0
    for sample in samples:
        head = SampleModel(sample.model_dump(mode="json"), viewer_config=viewer).head
        scores = [s["name"] for s in head["scores"]]
        scans = [s["name"] for s in head["scans"]]
        # the log's order, split: a score is a scan when its metadata has scanner_references
        expected = list(sample.scores or {})
        assert scores == [n for n in expected if n in SCORERS]
        assert scans == [n for n in expected if n in SCANNERS]
        scanned += bool(scans)
    assert scanned > 0


def test_scan_sections_follow_the_logs_viewer_config(
    scanner_samples: tuple[ViewerConfig, list[EvalSample]],
) -> None:
    viewer, samples = scanner_samples
    # as written by gen_logs.py --viewer:
    #   "scan_*": fields [value, explanation (as "Rationale"), metadata "confidence"],
    #             exclude [validation]
    #   "scan_effort": exclude [metadata "rubric_version"]
    sample = next(s for s in samples if s.scores and "scan_effort" in s.scores)
    for config in (viewer, viewer.model_dump(mode="json")):
        head = SampleModel(sample.model_dump(mode="json"), viewer_config=config).head
        scans = {s["name"]: s["sections"] for s in head["scans"]}
        assert scans["scan_answer_check"] == [
            {"kind": "value"},
            {"kind": "explanation", "label": "Rationale"},
            {
                "kind": "metadata_key",
                "key": "confidence",
                "label": "Confidence",
                "collapsed": False,
            },
            {"kind": "label"},
            {"kind": "answer"},
            {"kind": "metadata", "hidden_keys": ["confidence", *SCANNER_KEYS]},
        ]
        # the exact name is more specific: its fields (none) give the default order, and
        # both patterns' exclusions apply
        assert scans["scan_effort"] == [
            {"kind": "explanation"},
            {"kind": "label"},
            {"kind": "value"},
            {"kind": "answer"},
            {"kind": "metadata", "hidden_keys": ["rubric_version", *SCANNER_KEYS]},
        ]
        assert head["sample_score_view"] == {
            "default": "grid",
            "sort": {"column": "value", "dir": "desc"},
        }
        assert head["trust_content"] is True


def test_scan_citations_count_messages_from_one(
    scanner_samples: tuple[ViewerConfig, list[EvalSample]],
) -> None:
    _, samples = scanner_samples
    checked = 0
    for sample in samples:
        model = SampleModel(sample.model_dump(mode="json"))
        messages = model.messages(0, MAX_WINDOW)
        for scan in model.head["scans"]:
            cited = re.findall(r"\[M(\d+)\]", scan["explanation"] or "")
            for ref in scan["metadata"]["scanner_references"]:
                number = int(ref["cite"][2:-1])
                assert str(number) in cited
                assert messages[number - 1]["id"] == ref["id"]  # M1 is index 0
                checked += 1
    assert checked > 0


def test_errors_and_limits(scanner_samples: tuple[ViewerConfig, list[EvalSample]]) -> None:
    _, samples = scanner_samples
    errors = limits = 0
    for sample in samples:
        head = SampleModel(sample.model_dump(mode="json")).head
        if sample.error is None:
            assert head["error"] is None
        else:
            errors += 1
            assert head["error"] == {
                "message": sample.error.message,
                "traceback": sample.error.traceback,
            }
        if sample.limit is None:
            assert head["limit"] is None
        else:
            limits += 1
            assert head["limit"] == {"type": sample.limit.type, "limit": sample.limit.limit}
    assert errors > 0 and limits > 0


# -- the viewer config ---------------------------------------------------------------------
SAMPLE = {
    "id": 1,
    "epoch": 2,
    "messages": [{"role": "user", "content": "hi"}],
    "scores": {
        "check": {"value": True, "metadata": {"scanner_references": [], "note": "n"}},
        "match": {"value": "C", "answer": "4", "explanation": None, "metadata": None},
    },
}


@pytest.mark.parametrize(
    ("value", "trusted"),
    [(None, True), (True, True), (False, False), ("true", False), (1, False), ("yes", False)],
)
def test_trust_content_as_inspect_reads_it(value: Any, trusted: bool) -> None:
    assert trust_content(value) is trusted
    assert (
        SampleModel(SAMPLE, viewer_config={"trust_content": value}, strict=False).head[
            "trust_content"
        ]
        is trusted
    )
    # the same as inspect_ai's own validator
    assert (ViewerConfig(trust_content=value).trust_content in (None, True)) is trusted


def test_an_inspect_viewer_config_object_is_accepted() -> None:
    config = ViewerConfig(
        trust_content=False,
        sample_score_view=SampleScoreView(default="chips"),
        scanner_result_view={"check": {"fields": ["metadata.note"]}},
    )
    head = SampleModel(SAMPLE, viewer_config=config).head
    assert head["trust_content"] is False
    assert head["sample_score_view"] == {"default": "chips", "sort": None}
    assert head["scans"][0]["sections"][0] == {
        "kind": "metadata_key",
        "key": "note",
        "label": None,
        "collapsed": False,
    }
    assert [s["name"] for s in head["scores"]] == ["match"]


def test_score_view_forms() -> None:
    assert score_view(None) is None
    assert score_view({"view": "grid"}) == {"default": "grid", "sort": None}  # legacy key
    assert score_view({"sort": {"column": None, "dir": "desc"}}) == {"default": None, "sort": None}
    assert score_view({"sort": {"column": "name"}}) == {
        "default": None,
        "sort": {"column": "name", "dir": "asc"},
    }
    with pytest.raises(UnknownNameError, match="'table'"):
        score_view({"default": "table"}, strict=True)
    assert score_view({"default": "table"}) == {"default": None, "sort": None}


def test_a_users_config_is_checked_and_a_logs_is_read_leniently() -> None:
    with pytest.raises(UnknownNameError, match="'trust'; did you mean 'trust_content'"):
        SampleModel(SAMPLE, viewer_config={"trust": False})
    with pytest.raises(UnknownNameError, match="'explantion'"):
        SampleModel(
            SAMPLE, viewer_config={"scanner_result_view": {"*": {"fields": ["explantion"]}}}
        )
    head = SampleModel(
        SAMPLE,
        viewer_config={"scanner_result_view": {"*": {"fields": ["explantion"]}}, "future": 1},
        strict=False,
    ).head
    assert head["scans"][0]["sections"][0] == {"kind": "explanation"}


def test_a_sample_without_much() -> None:
    head = SampleModel({"id": "x"}).head
    assert head["message_count"] == 0 and head["epoch"] == 1
    assert head["scores"] == [] and head["scans"] == [] and head["metadata"] is None
    assert head["info"] == {
        "model_usage": None,
        "total_time": None,
        "working_time": None,
        "retries": None,
        "total_tokens": None,
    }
    big = SampleModel({"id": 2**60, "epoch": 1}).head
    assert big["id"] == str(2**60)  # exact in the browser


# -- 100k messages -------------------------------------------------------------------------
def long_sample(turns: int) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [
        {"id": "s", "role": "system", "content": "You are an agent."},
        {"id": "u", "role": "user", "content": "Find the flag."},
    ]
    for t in range(turns):
        messages.append(
            {
                "id": f"a{t}",
                "role": "assistant",
                "model": "m",
                "content": [{"type": "text", "text": f"Step {t}"}],
                "tool_calls": [
                    {"id": f"call_{t}", "function": "bash", "arguments": {"cmd": f"ls /tmp/{t}"}}
                ],
            }
        )
        messages.append(
            {
                "id": f"t{t}",
                "role": "tool",
                "tool_call_id": f"call_{t}",
                "function": "bash",
                "content": f"file_{t}.txt",
            }
        )
    return {"id": "long", "epoch": 1, "messages": messages, "scores": {}}


def test_windows_of_a_sample_with_100k_messages() -> None:
    sample = long_sample(50_000)
    assert len(sample["messages"]) == 100_002
    started = time.perf_counter()
    model = SampleModel(sample)
    first = model.messages(0, 50)
    elapsed = time.perf_counter() - started
    print(
        f"100k messages: model + first window in {elapsed * 1000:.1f} ms"
    )  # measured, not asserted
    assert model.head["message_count"] == 100_002
    assert [m["index"] for m in first] == list(range(50))
    for offset in (0, 2, 777, 50_001, 99_950, 100_000):
        window = model.messages(offset, 60)
        assert [m["index"] for m in window] == list(range(offset, min(offset + 60, 100_002)))
        for message in window:
            i = message["index"]
            if message["role"] == "assistant":
                t = (i - 2) // 2
                (call,) = message["tool_calls"] or []
                assert call["id"] == f"call_{t}" and call["result_index"] == i + 1
            elif message["role"] == "tool":
                t = (i - 3) // 2
                assert message["tool_call_id"] == f"call_{t}"
                assert message["call_arguments"] == '{\n  "cmd": "ls /tmp/' + str(t) + '"\n}'
                assert message["parts"] == [{"type": "text", "text": f"file_{t}.txt"}]
    assert len(model.messages(10, 10_000)) == MAX_WINDOW
    assert model.messages(100_002, 50) == []


def test_lazily_resolved_samples_show_the_same_messages() -> None:
    """The view reads messages' attachments a window at a time: the same text as resolved."""
    from evallens.io._sample import read_sample_data

    for path in sorted(logs_dir().rglob("*.eval"))[:12]:
        for row in evallens.read_samples(path).head(2).iter_rows(named=True):
            full = read_sample_data(path, row["id"], row["epoch"])
            lazy = read_sample_data(path, row["id"], row["epoch"], lazy=True)
            eager_view = SampleModel(full).messages(0, 500)
            lazy_view = SampleModel(lazy).messages(0, 500)
            assert lazy_view == eager_view, (path, row["id"])


def test_a_packed_sample_shows_the_same_and_is_not_walked_by_the_collector() -> None:
    import gc

    messages = [
        {"role": "user", "content": f"question {i}", "meta": {"x": float("nan")}}
        if i % 2 == 0
        else {"role": "assistant", "content": [{"type": "text", "text": f"answer {i}"}]}
        for i in range(2_000)
    ]
    sample = {"id": 1, "epoch": 1, "messages": messages, "events": [{"event": "x"}] * 3}
    model = SampleModel(json.loads(json.dumps(sample, allow_nan=True)))
    before = [model.messages(o, 50) for o in (0, 700, 1_950)]
    tracked = len(gc.get_objects())
    model.pack()
    assert len(gc.get_objects()) < tracked - 2_500  # the messages' dicts and lists are gone
    assert [model.messages(o, 50) for o in (0, 700, 1_950)] == before
    again = model.sample
    assert again["messages"][10]["content"] == "question 10"
    assert str(again["messages"][0]["meta"]["x"]) == "nan"  # kept exactly
    assert again["events"] == [{"event": "x"}] * 3
    model.pack()  # twice is harmless
    assert model.head["message_count"] == 2_000
