"""What every evallens widget shares: the bundled front end and the message plumbing."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from typing import Any

import anywidget
import polars as pl
import traitlets

from evallens.io import to_samples_frame
from evallens.io._frames import from_pandas, identity_from_logs, is_pandas

STATIC = pathlib.Path(__file__).resolve().parent.parent / "static"


def bundle(name: str) -> pathlib.Path:
    """Path of a built front-end module; a clear error when the build is missing."""
    path = STATIC / name
    if not path.exists():
        raise FileNotFoundError(
            f"evallens front end {path} is missing: reinstall with `pip install -e .` "
            "(it runs the npm build), or run `npm run build` in widget/"
        )
    return path


def as_frame(data: Any) -> pl.DataFrame:
    """A polars frame as given (pandas converted, lazy collected), or logs read as samples.

    Chart widgets accept prepared frames (evals, scores-by-limit) as they are, so only
    paths and directories go through ``read_samples``' normalization.
    """
    if isinstance(data, pl.LazyFrame):
        data = data.collect()
    elif is_pandas(data):
        data = from_pandas(data)
    if isinstance(data, pl.DataFrame):
        # A samples frame without task or model (samples_df' default columns) names its
        # logs: their headers say.
        return identity_from_logs(data) if "id" in data.columns else data
    return to_samples_frame(data)  # log files or a directory of logs


def bytes_from_json(value: Any, _widget: Any) -> bytes:
    """Binary trait values arrive from the browser as memoryviews; Bytes traits want bytes."""
    return b"" if value is None else bytes(value)


Handler = Callable[[dict[str, Any], list[bytes]], tuple[dict[str, Any], list[bytes]] | None]


class EvalLensWidget(anywidget.AnyWidget):
    """Base class: request/response messages from the front end, by ``type``.

    The front end sends ``{"type": ..., "id": n, ...}``; the handler's reply goes
    back with the same ``id`` so the front end can drop answers that are stale.
    """

    height = traitlets.Int(460).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handlers: dict[str, Handler] = {}
        self.on_msg(self._dispatch)

    def _handle(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def _dispatch(self, _widget: Any, content: Any, buffers: list[bytes]) -> None:
        if not isinstance(content, dict):
            return
        handler = self._handlers.get(str(content.get("type")))
        if handler is None:
            return
        try:
            reply = handler(content, buffers)
        except Exception as exc:  # the front end shows the message instead of hanging
            self.send({"type": "error", "id": content.get("id"), "message": str(exc)})
            raise
        if reply is not None:
            body, out = reply
            self.send({"type": content["type"], "id": content.get("id"), **body}, out)
