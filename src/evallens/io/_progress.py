"""How far a long read has got: logs done out of total, once it has taken about a second.

In a notebook (a Jupyter kernel: JupyterLab, Notebook 7, VS Code, Colab) the count is an
ipywidgets progress bar under the cell, closed when the read ends; in a terminal it is a
line of text on stderr, rewritten in place, that stays with the time taken. Elsewhere
(output piped to a file, a test runner capturing it) nothing is shown. Reads shorter
than `SHOW_AFTER` show nothing at all, so quick reads stay quiet.
"""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Any, Protocol

SHOW_AFTER = 1.0
"""Seconds a read runs before its progress is shown."""
_REDRAW = 0.1
"""Seconds between redraws (every log would be too many for thousands of small logs)."""


class _View(Protocol):
    def update(self, done: int, total: int) -> None: ...
    def close(self, done: int, total: int, seconds: float) -> None: ...


class _Text:
    """``read_samples: 12/160 logs`` on stderr, rewritten in place."""

    def __init__(self, what: str, unit: str, stream: Any) -> None:
        self._what = what
        self._unit = unit
        self._stream = stream

    def _line(self, done: int, total: int) -> str:
        return f"{self._what}: {done}/{total} {self._unit}"

    def update(self, done: int, total: int) -> None:
        self._stream.write("\r" + self._line(done, total))
        self._stream.flush()

    def close(self, done: int, total: int, seconds: float) -> None:
        self._stream.write(f"\r{self._line(done, total)} in {seconds:.1f} s\n")
        self._stream.flush()


class _Bar:
    """An ipywidgets progress bar with the count beside it, shown under the running cell."""

    def __init__(self, what: str, unit: str, total: int) -> None:
        import ipywidgets
        from IPython.display import display

        self._unit = unit
        self._bar = ipywidgets.IntProgress(value=0, min=0, max=total, description=what)
        self._label = ipywidgets.Label(value=f"0/{total} {unit}")
        self._box = ipywidgets.HBox([self._bar, self._label])
        display(self._box)  # type: ignore[no-untyped-call]

    def update(self, done: int, total: int) -> None:
        self._bar.value = done
        self._label.value = f"{done}/{total} {self._unit}"

    def close(self, done: int, total: int, seconds: float) -> None:
        self.update(done, total)
        self._box.close()  # the read is over: the bar leaves the cell's output
        self._bar.close()
        self._label.close()


def in_kernel() -> bool:
    """True inside a Jupyter kernel, where a widget can be displayed."""
    if "ipykernel" not in sys.modules:
        return False
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - ipykernel always brings IPython
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _view(what: str, unit: str, total: int) -> _View | None:
    if in_kernel():
        try:
            return _Bar(what, unit, total)
        except Exception:  # a progress bar must never fail a read
            return None
    stream = sys.stderr
    isatty = getattr(stream, "isatty", None)
    if stream is not None and isatty is not None and isatty():
        return _Text(what, unit, stream)
    return None


class Progress:
    """Counts units done; shows the count once `SHOW_AFTER` seconds have passed.

    Example:
        >>> with Progress("read_samples", 3, "logs") as progress:
        ...     for _ in range(3):
        ...         progress.advance()
    """

    def __init__(self, what: str, total: int, unit: str, *, enabled: bool = True) -> None:
        self.what = what
        self.total = total
        self.unit = unit
        self.done = 0
        self._enabled = enabled and total > 1
        self._start = time.monotonic()
        self._drawn = 0.0
        self._view: _View | None = None

    def __enter__(self) -> Progress:
        return self

    def advance(self, count: int = 1) -> None:
        """Count ``count`` more units done, redrawing at most every tenth of a second."""
        self.done += count
        if not self._enabled:
            return
        now = time.monotonic()
        if self._view is None:
            if now - self._start < SHOW_AFTER:
                return
            self._view = _view(self.what, self.unit, self.total)
            if self._view is None:
                self._enabled = False  # nowhere to show it
                return
        elif now - self._drawn < _REDRAW and self.done < self.total:
            return
        self._drawn = now
        self._view.update(self.done, self.total)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._view is not None:
            view, self._view = self._view, None
            view.close(self.done, self.total, time.monotonic() - self._start)
