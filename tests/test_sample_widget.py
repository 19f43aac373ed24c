"""SampleView: its traits, the messages request and reply, showing another sample, logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest_io import generate_logs
from inspect_ai.log import read_eval_log, read_eval_log_sample

import evallens
from evallens.sample.model import SampleModel
from evallens.sample.widget import INITIAL_MESSAGES, SampleView


def sample(n: int = 120, sid: Any = 1) -> dict[str, Any]:
    messages: list[dict[str, Any]] = [{"role": "user", "content": "go"}]
    for t in range(n // 2):
        messages.append(
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [{"id": f"c{t}", "function": "bash", "arguments": {"n": t}}],
            }
        )
        messages.append({"role": "tool", "tool_call_id": f"c{t}", "content": str(t)})
    return {
        "id": sid,
        "epoch": 1,
        "messages": messages,
        "scores": {
            "match": {"value": "C"},
            "check": {"value": 0.5, "metadata": {"scanner_references": []}},
        },
    }


class Sent:
    """Records what the widget sends to the browser."""

    def __init__(self, view: SampleView) -> None:
        self.messages: list[tuple[dict[str, Any], list[bytes]]] = []
        view.send = self.record  # type: ignore[method-assign]

    def record(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        self.messages.append((content, list(buffers or [])))


def ask(view: SampleView, **request: Any) -> dict[str, Any]:
    sent = Sent(view)
    view._dispatch(view, {"type": "messages", "id": 7, **request}, [])
    ((reply, buffers),) = sent.messages
    assert buffers == []
    return reply


def test_exported_and_repr() -> None:
    assert evallens.SampleView is SampleView
    assert repr(SampleView(sample())) == "SampleView(id 1, epoch 1: 121 messages, 1 score, 1 scan)"


def test_traits_hold_the_head_and_the_first_window() -> None:
    view = SampleView(sample(), height=500)
    assert view.height == 500
    assert view._revision == 0
    assert view._head["message_count"] == 121
    assert [s["name"] for s in view._head["scores"]] == ["match"]
    assert [s["name"] for s in view._head["scans"]] == ["check"]
    assert [m["index"] for m in view._initial_messages] == list(range(INITIAL_MESSAGES))
    json.dumps({"head": view._head, "messages": view._initial_messages}, allow_nan=False)


def test_messages_request_and_reply() -> None:
    view = SampleView(sample())
    reply = ask(view, offset=100, limit=30)
    assert reply["type"] == "messages" and reply["id"] == 7
    assert reply["revision"] == 0 and reply["offset"] == 100
    assert [m["index"] for m in reply["messages"]] == list(range(100, 121))
    assert len(ask(view, offset=0, limit=5_000)["messages"]) == 121  # capped at 500 anyway
    assert ask(view, offset=-4, limit=2)["offset"] == 0


def test_load_shows_another_sample_under_a_new_revision() -> None:
    view = SampleView(sample(sid="a"))
    changes: list[str] = []
    view.observe(lambda change: changes.append(change["name"]), ["_head", "_revision"])
    view.load(sample(n=10, sid="b"))
    assert view._revision == 1 and view._head["id"] == "b"
    assert len(view._initial_messages) == 11
    assert view.sample["id"] == "b"
    assert set(changes) == {"_head", "_revision"}
    reply = ask(view, offset=0, limit=50)
    assert reply["revision"] == 1 and len(reply["messages"]) == 11


def test_an_eval_sample_object_and_a_viewer_config() -> None:
    from inspect_ai.log import EvalSample
    from inspect_ai.viewer import ViewerConfig

    eval_sample = EvalSample.model_validate({**sample(n=4), "input": "go", "target": "4"})
    view = SampleView(eval_sample, viewer_config=ViewerConfig(trust_content=False))
    assert view._head["trust_content"] is False
    assert view._head["message_count"] == 5


def test_wrong_arguments_say_what_is_wrong() -> None:
    with pytest.raises(TypeError, match="id and epoch are for reading from a log"):
        SampleView(sample(), 3)
    with pytest.raises(TypeError, match="give the id"):
        SampleView("logs/x.eval")
    with pytest.raises(TypeError, match="got int"):
        SampleView(42)
    with pytest.raises(evallens.UnknownNameError, match="trust_content"):
        SampleView(sample(), viewer_config={"trust": True})


# -- reading from a log (evallens.read_sample) ---------------------------------------------
def read_sample_available() -> bool:
    try:
        from evallens.io import read_sample  # noqa: F401
    except ImportError:
        return False
    return True


def inspect_read_sample(log: Any, id: Any, epoch: int = 1) -> dict[str, Any]:
    """What ``evallens.read_sample`` returns, read by inspect_ai (a test-only dependency)."""
    found = read_eval_log_sample(str(log), id, epoch, resolve_attachments=True)
    return found.model_dump(mode="json")


@pytest.fixture
def read_sample(monkeypatch: pytest.MonkeyPatch) -> None:
    """The log path's wiring, tested with inspect_ai's reader until evallens has its own."""
    if not read_sample_available():
        import evallens.io

        monkeypatch.setattr(evallens.io, "read_sample", inspect_read_sample, raising=False)


@pytest.fixture(scope="module")
def viewer_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("viewer_log")
    generate_logs(
        out, "--models", "1", "--tasks", "1", "--samples", "3", "--viewer",
        "--scorers", "match,scan_answer_check,scan_effort",
    )  # fmt: skip
    (path,) = out.glob("*.eval")
    return path


def test_a_sample_read_from_a_log_uses_the_logs_viewer_config(
    viewer_log: Path, read_sample: None
) -> None:
    header = read_eval_log(str(viewer_log), header_only=True)
    ids = header.eval.dataset.sample_ids or []
    view = SampleView(viewer_log, ids[0], 1)
    expected = read_eval_log_sample(str(viewer_log), ids[0], 1, resolve_attachments=True)
    head = view._head
    assert head["log"] == str(viewer_log.resolve())
    assert head["id"] == ids[0] and head["epoch"] == 1
    assert head["task"] == header.eval.task and head["model"] == header.eval.model
    assert head["message_count"] == len(expected.messages)
    assert [s["name"] for s in head["scans"]] == ["scan_answer_check", "scan_effort"]
    assert head["scans"][0]["sections"][0] == {"kind": "value"}  # from the log's "scan_*" view
    assert head["sample_score_view"] == {
        "default": "grid",
        "sort": {"column": "value", "dir": "desc"},
    }
    # the user's config replaces the log's
    mine = SampleView(viewer_log, ids[0], 1, viewer_config={"trust_content": False})
    assert mine._head["trust_content"] is False and mine._head["sample_score_view"] is None
    view.load(str(viewer_log), ids[1])
    assert view._revision == 1 and view._head["id"] == ids[1]
    assert view._head["scans"][0]["sections"][0] == {"kind": "value"}


@pytest.mark.skipif(
    not read_sample_available(),
    reason="evallens.io.read_sample is not on this branch yet (it comes with the readers' work)",
)
def test_evallens_read_sample_gives_what_inspect_gives(viewer_log: Path) -> None:
    from evallens.io import read_sample

    header = read_eval_log(str(viewer_log), header_only=True)
    for sid in header.eval.dataset.sample_ids or []:
        ours = SampleModel(read_sample(viewer_log, sid, 1)).head
        theirs = SampleModel(inspect_read_sample(viewer_log, sid, 1)).head
        assert ours == theirs


def test_a_replaced_sample_is_freed_after_the_reply() -> None:
    """Opening another sample keeps the one it replaces until the reply has gone."""
    from evallens.sample.opened import OpenSamples

    opened = OpenSamples()
    opened.sources = lambda values: [None]
    assert opened.open(0, {}) == [None]
    opened._held[(0, 0)] = (1, object())  # type: ignore[assignment]
    opened.open(1, {})
    assert opened._retired and not opened._held
    opened.release()
    assert opened._retired == []
