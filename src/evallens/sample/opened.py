"""Whole samples open in a host's panel (the grid's detail), read from their logs on demand.

The grid's rows name their samples (log, id, epoch); when the log is on this machine, the
detail panel shows the sample view, and its messages come from here window by window. Only
the samples on show are held: opening another drops the rest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from evallens.io._logfile import read_log
from evallens.io._remote import log_location
from evallens.io._samples import remove_namespace
from evallens.sample.model import SampleModel
from evallens.sample.types import MessagesReply, SampleViewData

INITIAL_MESSAGES = 50
"""Messages sent with the sample itself (the rest follow as the user scrolls)."""

Source = tuple[str, Any, int]
"""Where a sample is: its log's path, its id, its epoch."""


def read_sample_model(
    path: str, id: int | str, epoch: int = 1, *, viewer_config: Any = None
) -> SampleModel:
    """One sample of a log, as the sample view shows it (task, model and config from its header).

    A ``viewer_config`` given here is checked strictly; the log's own is honoured as far as
    Inspect's viewer would.
    """
    from evallens.io._sample import read_sample_data

    # Messages resolve a window at a time (SampleModel): a long sample opens sooner.
    sample = read_sample_data(path, id, epoch, lazy=True)
    spec = read_log(path, samples=False).header.get("eval") or {}
    task = spec.get("task")
    return SampleModel(
        sample,
        log=log_location(path),
        viewer_config=viewer_config if viewer_config is not None else spec.get("viewer"),
        task=remove_namespace(str(task)) if task else None,
        model=spec.get("model"),
        strict=viewer_config is not None,
    )


def row_source(values: Mapping[str, Any]) -> list[Source | None]:
    """A plain row's one sample: its own log, id and epoch."""
    log, id_ = values.get("log"), values.get("id")
    if not log or id_ is None:
        return [None]
    return [(str(log), id_, int(values.get("epoch") or 1))]


class OpenSamples:
    """The samples a panel shows now, by (row, side), each with the revision it was sent at."""

    def __init__(self) -> None:
        self._held: dict[tuple[int, int], tuple[int, SampleModel]] = {}
        # Samples just replaced: freeing a long one takes ~0.1 s, so it waits for `release`,
        # after the reply that shows the next one has gone.
        self._retired: list[tuple[int, SampleModel]] = []
        self._revision = 0
        self.sources: Callable[[Mapping[str, Any]], list[Source | None]] = row_source
        """Given a row's values, where its samples are (a compared row has two)."""

    def open(self, row: int, values: Mapping[str, Any]) -> list[SampleViewData | None]:
        """Read the row's samples whose logs are here; what the panel needs to show them.

        A log that is not on this machine (a frame from elsewhere) or cannot be read gives
        None: the panel then shows the row's own fields, as before.
        """
        self._retired.extend(self._held.values())
        self._held.clear()
        out: list[SampleViewData | None] = []
        for side, source in enumerate(self.sources(values)):
            model = self._read(source)
            if model is None:
                out.append(None)
                continue
            self._revision += 1
            self._held[(row, side)] = (self._revision, model)
            out.append(
                {
                    "head": model.head,
                    "messages": model.messages(0, INITIAL_MESSAGES),
                    "revision": self._revision,
                }
            )
        return out

    def messages(self, row: int, side: int, offset: int, limit: int) -> MessagesReply:
        """A window of an open sample's messages (none when it is no longer open)."""
        held = self._held.get((row, side))
        offset = max(0, offset)
        if held is None:
            return {"revision": -1, "offset": offset, "messages": []}
        revision, model = held
        return {"revision": revision, "offset": offset, "messages": model.messages(offset, limit)}

    def release(self) -> None:
        """Free the samples replaced by the last `open`, and pack the ones on show."""
        self._retired.clear()
        for _, model in self._held.values():
            model.pack()

    @staticmethod
    def _read(source: Source | None) -> SampleModel | None:
        if source is None or not os.path.isfile(source[0]):
            return None
        try:
            return read_sample_model(*source)
        except (OSError, ValueError, KeyError):
            return None
