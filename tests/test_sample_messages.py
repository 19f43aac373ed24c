"""Messages as the view shows them, checked on real agentic transcripts and on every kind of part."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from conftest_io import logs_dir, require
from inspect_ai.log import EvalSample, read_eval_log_sample, read_eval_log_sample_summaries

from evallens.sample.messages import (
    DATA_PREVIEW_CHARS,
    ToolCallIndex,
    content_parts,
    message_window,
    pretty_json,
    to_message,
)

AGENTIC = [
    "control_arena/2025-03-17T11-22-10+00-00_k8s-infra-sabotage-simple_mLt7ppkmSRZsELzcRJuDYn.eval",
    "control_arena/kube_test.eval",
    "control_arena/bash_2.eval",
    "control_arena/bash_tm_honest_baseline.eval",
    "control_arena/gVisor-human.eval",
    "metr_inspect_action/small.eval",
    "metr_inspect_action/2025-12-13T23-15-44+00-00_class-eval_XDtHXBaqEHGUBoFoinn2wS.eval",
    "inspect_ai_tests/2025-05-12T20-27-36-04-00_browser.json",
    "inspect_ai_tests/log_message_deduplication.eval",
    "inspect_ai_tests/log_images.json",
    "inspect_flow/logs1/2025-12-11T18-00-43+00-00_gpqa-diamond_NL3aygdanSgqAJfzoMFuH6.eval",
    "ts_mono/ais-decoder.eval",
]
"""Real logs with tool calls, tool errors, reasoning (plain and redacted) and images."""


def read_samples(name: str, most: int = 2) -> Iterator[EvalSample]:
    path = str(require(logs_dir() / name))
    for summary in read_eval_log_sample_summaries(path)[:most]:
        yield read_eval_log_sample(path, summary.id, summary.epoch, resolve_attachments=True)


@pytest.fixture(scope="module", params=AGENTIC)
def real(request: pytest.FixtureRequest) -> list[EvalSample]:
    return list(read_samples(request.param))


def naive_pairing(messages: list[dict[str, Any]]) -> dict[int, tuple[int, int]]:
    """Tool message → the call it answers: the latest earlier unanswered call with its id."""
    answered: dict[int, tuple[int, int]] = {}
    taken: set[tuple[int, int]] = set()
    for t, message in enumerate(messages):
        if message["role"] != "tool" or message.get("tool_call_id") is None:
            continue
        for a in range(t - 1, -1, -1):
            calls = (
                messages[a].get("tool_calls") or [] if messages[a]["role"] == "assistant" else []
            )
            hits = [
                (a, p)
                for p, c in enumerate(calls)
                if c["id"] == message["tool_call_id"] and (a, p) not in taken
            ]
            if hits:
                answered[t] = hits[-1]
                taken.add(hits[-1])
                break
    return answered


def test_real_transcripts_keep_every_text_and_pair_every_call(real: list[EvalSample]) -> None:
    for sample in real:
        dumped = sample.model_dump(mode="json")
        raw = dumped["messages"]
        index = ToolCallIndex(raw)
        shown = message_window(raw, index, 0, len(raw))
        assert [m["index"] for m in shown] == list(range(len(raw)))  # M1 is index 0
        pairs = naive_pairing(raw)
        for original, message, dump in zip(sample.messages, shown, raw, strict=True):
            assert message["role"] == original.role
            assert message["id"] == original.id
            texts = [p["text"] for p in message["parts"] if p["type"] == "text"]
            assert "\n".join(texts) == original.text
            reasoning = [p for p in message["parts"] if p["type"] == "reasoning"]
            originals = [
                c for c in original.content if not isinstance(c, str) and c.type == "reasoning"
            ]
            assert len(reasoning) == len(originals)
            for part, content in zip(reasoning, originals, strict=True):
                assert part["redacted"] == content.redacted
                visible = "" if content.redacted else content.reasoning
                expected = visible or content.summary or ""
                assert part["text"] == expected
            lengths = [
                len(p["alt"]) if p["type"] == "image" else len(p["text"]) for p in message["parts"]
            ]
            calls = message["tool_calls"] or []
            assert message["chars"] == (
                sum(lengths) + sum(len(c["arguments"]) for c in calls) + len(message["error"] or "")
            )
            if original.role == "assistant":
                assert message["model"] == original.model
                assert [c["id"] for c in calls] == [c.id for c in original.tool_calls or []]
                for shown_call, source in zip(calls, dump["tool_calls"] or [], strict=True):
                    assert shown_call["function"] == source["function"]
                    assert json.loads(shown_call["arguments"]) == source["arguments"]
            if original.role == "tool":
                assert message["tool_call_id"] == original.tool_call_id
                assert message["error"] == (original.error.message if original.error else None)
        for t, (a, p) in pairs.items():
            assert shown[a]["tool_calls"][p]["result_index"] == t
            call = raw[a]["tool_calls"][p]
            assert shown[t]["call_arguments"] == pretty_json(call["arguments"])
            assert shown[t]["function"] == (raw[t].get("function") or call["function"])
        answered = {(a, p) for a, p in pairs.values()}
        for a, message in enumerate(shown):
            for p, call in enumerate(message["tool_calls"] or []):
                if (a, p) not in answered:
                    assert call["result_index"] is None


def test_the_real_logs_cover_what_the_view_must_show() -> None:
    seen = {"tool_call": 0, "paired": 0, "tool_error": 0, "reasoning": 0, "redacted": 0, "image": 0}
    for name in AGENTIC:
        for sample in read_samples(name):
            raw = sample.model_dump(mode="json")["messages"]
            for m in message_window(raw, ToolCallIndex(raw), 0, len(raw)):
                seen["tool_call"] += len(m["tool_calls"] or [])
                seen["paired"] += sum(c["result_index"] is not None for c in m["tool_calls"] or [])
                seen["tool_error"] += m["error"] is not None
                seen["reasoning"] += sum(p["type"] == "reasoning" for p in m["parts"])
                seen["redacted"] += sum(p.get("redacted") is True for p in m["parts"])
                seen["image"] += sum(
                    p["type"] == "image" and p["src"] is not None for p in m["parts"]
                )
    assert all(count > 0 for count in seen.values()), seen


def test_unresolved_attachments_are_resolved_from_the_sample() -> None:
    path = str(require(logs_dir() / "inspect_ai_tests" / "log_images.json"))
    summary = read_eval_log_sample_summaries(path)[0]
    raw = read_eval_log_sample(path, summary.id, summary.epoch, resolve_attachments=False)
    resolved = read_eval_log_sample(path, summary.id, summary.epoch, resolve_attachments=True)
    unresolved = raw.model_dump(mode="json")
    assert "attachment://" in json.dumps(unresolved["messages"])
    messages = resolved.model_dump(mode="json")["messages"]
    expected = message_window(messages, ToolCallIndex(messages), 0, 10)
    got = message_window(
        unresolved["messages"],
        ToolCallIndex(unresolved["messages"]),
        0,
        10,
        unresolved["attachments"],
    )
    assert got == expected
    image = next(p for m in got for p in m["parts"] if p["type"] == "image")
    assert image["src"] is not None and image["src"].startswith("data:image/png;base64,")
    assert image["alt"] == "image (image/png)"


# -- parts ---------------------------------------------------------------------------------
def test_text_content_is_one_text_part() -> None:
    assert content_parts("hello") == [{"type": "text", "text": "hello"}]
    assert content_parts("") == [{"type": "text", "text": ""}]
    assert content_parts(None) == []


def test_reasoning_shows_its_text_or_else_its_summary() -> None:
    parts = content_parts(
        [
            {"type": "reasoning", "reasoning": "step 1", "summary": "s", "redacted": False},
            {
                "type": "reasoning",
                "reasoning": "gAAAA-encrypted",
                "summary": "short",
                "redacted": True,
            },
            {"type": "reasoning", "reasoning": "gAAAA-encrypted", "redacted": True},
            {"type": "reasoning", "reasoning": "", "summary": "only a summary"},
        ]
    )
    assert parts == [
        {"type": "reasoning", "text": "step 1", "redacted": False},
        {"type": "reasoning", "text": "short", "redacted": True},
        {"type": "reasoning", "text": "", "redacted": True},
        {"type": "reasoning", "text": "only a summary", "redacted": False},
    ]


@pytest.mark.parametrize(
    ("source", "src", "alt"),
    [
        (
            "data:image/jpeg;base64,/9j/4AAQ",
            "data:image/jpeg;base64,/9j/4AAQ",
            "image (image/jpeg)",
        ),
        ("https://example.com/x.png", None, "image: https://example.com/x.png"),
        ("http://10.0.0.1/track.gif", None, "image: http://10.0.0.1/track.gif"),
        ("javascript:alert(1)", None, "image: javascript:alert(1)"),
        ("/home/me/picture.png", None, "image: /home/me/picture.png"),
        ("", None, "image"),
    ],
)
def test_images_keep_only_data_uris(source: str, src: str | None, alt: str) -> None:
    assert content_parts([{"type": "image", "image": source, "detail": "auto"}]) == [
        {"type": "image", "src": src, "alt": alt}
    ]


def test_other_parts_are_their_json_without_internals_and_with_short_media() -> None:
    audio = "data:audio/wav;base64," + "A" * 5000
    parts = content_parts(
        [
            {"type": "audio", "audio": audio, "format": "wav", "internal": {"x": 1}},
            {
                "type": "tool_use",
                "tool_type": "web_search",
                "id": "ws1",
                "name": "search",
                "arguments": '{"q": "evals"}',
                "result": "3 results",
                "error": None,
                "context": None,
                "internal": None,
            },
            {
                "type": "document",
                "document": "report.pdf",
                "filename": "report.pdf",
                "mime_type": "application/pdf",
            },
        ]
    )
    assert [p["type"] for p in parts] == ["other", "other", "other"]
    first = json.loads(parts[0]["text"])
    assert first["type"] == "audio" and "internal" not in first
    assert first["audio"] == audio[:DATA_PREVIEW_CHARS] + f"… ({len(audio):,} characters)"
    second = json.loads(parts[1]["text"])
    assert second == {
        "type": "tool_use",
        "tool_type": "web_search",
        "id": "ws1",
        "name": "search",
        "arguments": '{"q": "evals"}',
        "result": "3 results",
    }
    assert ", " not in parts[1]["text"].replace('", "', "")  # compact separators
    assert json.loads(parts[2]["text"])["filename"] == "report.pdf"


def test_untrusted_text_passes_through_unchanged() -> None:
    # the kernel never renders: markup and invisible characters reach the view as text
    text = '<img src=x onerror="alert(1)"><script>alert(2)</script>\u202etxt.exe\u200b'
    message = to_message([{"role": "user", "content": text}], 0, ToolCallIndex([]))
    assert message["parts"] == [{"type": "text", "text": text}]


# -- tool calls ----------------------------------------------------------------------------
def call(cid: str, function: str = "bash", **arguments: Any) -> dict[str, Any]:
    return {"id": cid, "function": function, "arguments": arguments}


def test_a_reused_call_id_pairs_with_the_latest_call() -> None:
    messages = [
        {"role": "assistant", "content": "", "tool_calls": [call("c0", cmd="ls")]},
        {"role": "tool", "tool_call_id": "c0", "content": "a"},
        {"role": "assistant", "content": "", "tool_calls": [call("c0", cmd="pwd")]},
        {"role": "tool", "tool_call_id": "c0", "content": "/"},
    ]
    shown = message_window(messages, ToolCallIndex(messages), 0, 10)
    assert shown[0]["tool_calls"][0]["result_index"] == 1
    assert shown[2]["tool_calls"][0]["result_index"] == 3
    assert shown[3]["call_arguments"] == pretty_json({"cmd": "pwd"})


def test_parallel_calls_answered_out_of_order() -> None:
    messages = [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [call("a", "ls"), call("b", "cat", path="x")],
        },
        {"role": "tool", "tool_call_id": "b", "content": "x", "function": "cat"},
        {"role": "tool", "tool_call_id": "a", "content": "y"},
    ]
    shown = message_window(messages, ToolCallIndex(messages), 0, 10)
    assert [c["result_index"] for c in shown[0]["tool_calls"]] == [2, 1]
    assert shown[2]["function"] == "ls"  # taken from the call when the tool message lacks it
    assert shown[1]["call_arguments"] == '{\n  "path": "x"\n}'


def test_unanswered_calls_and_orphan_results() -> None:
    messages = [
        {"role": "tool", "tool_call_id": "z", "content": "before any call", "function": "f"},
        {"role": "assistant", "content": "", "tool_calls": [call("a")]},
        {"role": "tool", "tool_call_id": "zz", "content": "no such call"},
    ]
    shown = message_window(messages, ToolCallIndex(messages), 0, 10)
    assert shown[1]["tool_calls"][0]["result_index"] is None
    assert shown[0]["call_arguments"] is None and shown[0]["function"] == "f"
    assert shown[2]["call_arguments"] is None and shown[2]["function"] is None


def test_a_result_never_comes_before_its_call() -> None:
    messages = [
        {"role": "tool", "tool_call_id": "a", "content": "early"},
        {"role": "assistant", "content": "", "tool_calls": [call("a")]},
    ]
    shown = message_window(messages, ToolCallIndex(messages), 0, 10)
    assert shown[1]["tool_calls"][0]["result_index"] is None


def test_windows_are_slices() -> None:
    messages = [{"role": "user", "content": str(i)} for i in range(10)]
    index = ToolCallIndex(messages)
    assert [m["index"] for m in message_window(messages, index, 8, 5)] == [8, 9]
    assert message_window(messages, index, 12, 5) == []
    assert [m["index"] for m in message_window(messages, index, -3, 2)] == [0, 1]
