"""View edits from the browser: applied in the kernel first, all or nothing, one refresh.

The browser shows a new sort or column only with the rows it produces (mirrors
``widget/src/grid/edits.ts``), so an edit no kernel receives changes nothing on screen
or in the notebook's saved state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import ipywidgets

from evallens.errors import unknown_name_error


class ViewEdits:
    """Applies a batch of view-trait changes to a widget with a single refresh."""

    def __init__(self, widget: ipywidgets.Widget, allowed: Sequence[str]) -> None:
        self._widget = widget
        self._allowed = tuple(allowed)
        self._batching = False
        self._stale = False

    def collecting(self) -> bool:
        """Inside a batch, note that a refresh is due (True); outside, say so (False)."""
        if self._batching:
            self._stale = True
        return self._batching

    @contextmanager
    def batch(self, refresh: Callable[[], None]) -> Iterator[None]:
        """Changes made inside give one refresh at the end (none inside an outer batch)."""
        if self._batching:
            yield
            return
        self._batching, self._stale = True, False
        try:
            with self._widget.hold_sync():
                yield
                if self._stale:  # inside hold_sync: the rows go out before the new state
                    refresh()
        finally:
            self._batching = False

    @contextmanager
    def held(self) -> Iterator[None]:
        """Trait changes inside make no refresh each: the caller refreshes once after."""
        was = self._batching
        self._batching = True
        try:
            yield
        finally:
            self._batching = was

    def apply(self, view: dict[str, Any], refresh: Callable[[], None]) -> None:
        """Set every trait in ``view`` or none (the old values come back on an error)."""
        for name in view:
            if name not in self._allowed:
                raise unknown_name_error("view field", name, self._allowed)
        widget = self._widget
        before = {name: getattr(widget, name) for name in view}
        with self.batch(refresh):
            try:
                for name, value in view.items():
                    setattr(widget, name, value)
            except Exception:
                for name, value in before.items():
                    setattr(widget, name, value)
                raise
