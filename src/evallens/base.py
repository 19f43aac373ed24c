"""What every evallens widget shares: the bundled front end, request/reply messages, sizes."""

from __future__ import annotations

import pathlib
import sys
import time
from collections.abc import Callable
from typing import Any

import anywidget
import traitlets

STATIC = pathlib.Path(__file__).resolve().parent / "static"

DEFAULT_WIDTH = 700
"""Chart width in pixels when none is given (inspect_viz's default)."""

GOLDEN = 1.618
"""Charts are ``width / GOLDEN`` tall unless a height is given."""


def chart_size(width: float | None, height: float | None) -> tuple[int, int]:
    """Width and height in pixels, with the shared defaults.

    Example:
        >>> chart_size(None, None), chart_size(500, None), chart_size(500, 200)
        ((700, 433), (500, 309), (500, 200))
    """
    w = int(width) if width is not None else DEFAULT_WIDTH
    return w, int(height) if height is not None else round(w / GOLDEN)


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""Marker for "use the default" where None already means "none" (``legend=None`` hides it)."""


def bundle(name: str) -> pathlib.Path:
    """Path of a built front-end module; a clear error when the build is missing."""
    path = STATIC / name
    if not path.exists():
        raise FileNotFoundError(
            f"evallens front end {path} is missing: reinstall with `pip install -e .` "
            "(it runs the npm build), or run `npm run build` in widget/"
        )
    return path


def bundle_text(name: str) -> str:
    """A built front-end module's text, for a widget class's ``_esm`` or ``_css``.

    Text, not a path: anywidget ties every instance of a class whose ``_esm`` is a path
    to that file's change signal (for reloading it while developing), and the signal holds
    each widget ever made, with all its data, for as long as the kernel lives.
    """
    text = bundle(name).read_text(encoding="utf-8")
    return text if text.endswith("\n") else text + "\n"  # one line would be read as a path


def bytes_from_json(value: Any, _widget: Any) -> bytes:
    """Binary trait values arrive from the browser as memoryviews; Bytes traits want bytes."""
    return b"" if value is None else bytes(value)


Handler = Callable[[dict[str, Any], list[bytes]], tuple[dict[str, Any], list[bytes]] | None]
"""Answers one request type: its reply body and buffers, or None for no reply."""


class EvalLensWidget(anywidget.AnyWidget):
    """Base class: request/response messages from the front end, by ``type``.

    The front end sends ``{"type": ..., "id": n, ...}``; the handler's reply goes back
    with the same ``id`` so the front end can drop answers that are stale.
    """

    height = traitlets.Int(460).tag(sync=True)
    """Height in pixels."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._handlers: dict[str, Handler] = {}
        self._received_ms: float | None = None
        """When the request being handled arrived (ms since the epoch; None: none is)."""
        self._on_close: dict[Any, Callable[[], None]] = {}
        """What closing undoes, by key (`evallens.link` drops its links here)."""
        self.on_msg(self._dispatch)

    def close(self) -> None:
        """Close the widget: its views go, and what tied it to other widgets is undone."""
        # (also run from __del__ of a widget whose __init__ failed before it had hooks)
        hooks = list(getattr(self, "_on_close", {}).values())
        self._on_close = {}
        if not sys.is_finalizing():  # at exit nothing is left to update
            for hook in hooks:
                hook()
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widget's bundle plus a static ``text/html`` copy (`evallens.static_html`).

        GitHub, nbviewer and nbconvert show the copy; hosts with a widget front end still
        draw the widget.
        """
        from evallens.static_html import snapshot, with_html

        return with_html(super()._repr_mimebundle_(**kwargs), lambda: snapshot(self))

    def _handle(self, kind: str, handler: Handler) -> None:
        self._handlers[kind] = handler

    def _dispatch(self, _widget: Any, content: Any, buffers: list[bytes]) -> None:
        if not isinstance(content, dict):
            return
        handler = self._handlers.get(str(content.get("type")))
        if handler is None:
            return
        self._received_ms = time.time() * 1000
        try:
            reply = handler(content, buffers)
        except Exception as exc:  # the front end shows the message instead of hanging
            self.send({"type": "error", "id": content.get("id"), "message": str(exc)})
            raise
        finally:
            self._received_ms = None
        if reply is not None:
            body, out = reply
            self.send({"type": content["type"], "id": content.get("id"), **body}, out)
        self._after_reply()

    def _after_reply(self) -> None:
        """Work that can wait until the front end has its answer (freeing what it replaced)."""
