"""SampleView: one sample's transcript, scores and scans (traits and messages; rules in model.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import traitlets

from evallens.base import EvalLensWidget, bundle_text
from evallens.sample.model import SampleModel
from evallens.sample.opened import INITIAL_MESSAGES, read_sample_model
from evallens.sample.types import MessagesReply

Reply = tuple[dict[str, Any], list[bytes]]


class SampleView(EvalLensWidget):
    """One sample: its messages (tool calls beside their results), scores and scans.

    Args:
        sample_or_log: A sample as a dict (``EvalSample.model_dump(mode="json")``, or the
            ``EvalSample`` itself), or the path of a log to read sample ``id`` from.
        id: The sample's id, when reading from a log.
        epoch: The sample's epoch, when reading from a log.
        viewer_config: The task's ``ViewerConfig`` (a dict or Inspect's model): trust,
            the score panel and the scans' sections. Without it, the log's own is used.
        height: Pixels.

    Example:
        >>> import evallens
        >>> view = evallens.SampleView({
        ...     "id": 1, "epoch": 1,
        ...     "messages": [
        ...         {"role": "user", "content": "List the files."},
        ...         {"role": "assistant", "content": "", "tool_calls": [
        ...             {"id": "c1", "function": "bash", "arguments": {"cmd": "ls"}}]},
        ...         {"role": "tool", "tool_call_id": "c1", "function": "bash", "content": "a.txt"},
        ...     ],
        ...     "scores": {"match": {"value": "C"}},
        ... })
        >>> view
        SampleView(id 1, epoch 1: 3 messages, 1 score, 0 scans)
        >>> view._initial_messages[1]["tool_calls"][0]["result_index"]
        2
    """

    _esm = bundle_text("sample.js")
    _css = bundle_text("sample.css")

    _head = traitlets.Dict().tag(sync=True)
    _initial_messages: traitlets.List[Any] = traitlets.List().tag(sync=True)
    _revision = traitlets.Int(0).tag(sync=True)

    def __init__(
        self,
        sample_or_log: Any,
        id: int | str | None = None,  # Inspect's name for a sample's id
        epoch: int = 1,
        *,
        viewer_config: Any = None,
        height: int = 600,
    ) -> None:
        self._viewer_config = viewer_config
        self._model = self._load(sample_or_log, id, epoch)
        super().__init__(
            height=height,
            _head=dict(self._model.head),
            _initial_messages=self._model.messages(0, INITIAL_MESSAGES),
        )
        self._handle("messages", self._on_messages)

    def __repr__(self) -> str:
        head = self._model.head
        scores, scans = len(head["scores"]), len(head["scans"])
        return (
            f"SampleView(id {head['id']}, epoch {head['epoch']}: "
            f"{head['message_count']:,} messages, {scores} score{'' if scores == 1 else 's'}, "
            f"{scans} scan{'' if scans == 1 else 's'})"
        )

    # -- public API ----------------------------------------------------------------------
    @property
    def sample(self) -> Mapping[str, Any]:
        """The sample shown, as a dict."""
        return self._model.sample

    def load(self, sample_or_log: Any, id: int | str | None = None, epoch: int = 1) -> None:
        """Show another sample (the constructor's first three arguments).

        (Not ``open``: every ipywidget's ``open()`` opens its comm.)
        """
        model = self._load(sample_or_log, id, epoch)
        replaced = self._model  # freed after the new sample is on its way (a long one takes ~0.1 s)
        with self.hold_sync():
            self._model = model
            self._revision += 1
            self._head = dict(model.head)
            self._initial_messages = model.messages(0, INITIAL_MESSAGES)
        del replaced

    # -- loading ---------------------------------------------------------------------------
    def _load(self, source: Any, id: int | str | None, epoch: int) -> SampleModel:
        if isinstance(source, str | os.PathLike):
            return self._read(os.fspath(source), id, epoch)
        if id is not None:
            raise TypeError("SampleView(sample, id=...): id and epoch are for reading from a log")
        if hasattr(source, "model_dump"):
            source = source.model_dump(mode="json")
        if not isinstance(source, Mapping):
            raise TypeError(
                "SampleView takes a sample (a dict, or an inspect_ai EvalSample) or a log path "
                f"and an id, got {type(source).__name__}"
            )
        return SampleModel(source, viewer_config=self._viewer_config)

    def _read(self, path: str, id: int | str | None, epoch: int) -> SampleModel:
        if id is None:
            raise TypeError(f"SampleView({path!r}, id): give the id of the sample to show")
        return read_sample_model(path, id, epoch, viewer_config=self._viewer_config)

    def _after_reply(self) -> None:
        # The page shows the sample and asks for more: the rest can wait as bytes (packing
        # before the view is displayed would delay its first paint).
        self._model.pack()

    # -- messages --------------------------------------------------------------------------
    def _on_messages(self, msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        offset = max(0, int(msg.get("offset", 0)))
        limit = int(msg.get("limit", INITIAL_MESSAGES))
        reply: MessagesReply = {
            "revision": self._revision,
            "offset": offset,
            "messages": self._model.messages(offset, limit),
        }
        return dict(reply), []
