"""Selected samples, both ways: the browser's row indices ↔ Python's sample keys.

The browser selects rows by their index in the source frame (a compact uint32 array);
Python sees ``(log, id, epoch)`` keys, which survive re-reading the logs.
"""

from __future__ import annotations

import array
from collections.abc import Sequence
from typing import Any, Protocol

import polars as pl
import traitlets

from evallens.errors import unknown_name_error

KEY_COLUMNS = ("log", "id", "epoch")
"""A sample's identity: the log it came from, its id, its epoch."""


def rows_from_bytes(raw: bytes) -> list[int]:
    """Row indices from the browser's uint32 bytes."""
    return list(memoryview(raw).cast("I")) if raw else []


def rows_to_bytes(rows: Sequence[int]) -> bytes:
    """Row indices as the uint32 bytes the browser reads."""
    return array.array("I", rows).tobytes()


def row_indices(keys: Sequence[Any], total: int) -> list[int]:
    """``keys`` as row indices of a frame of ``total`` rows (anything else raises).

    Example:
        >>> row_indices([2, 0], 3)
        [2, 0]
    """
    outside = [k for k in keys if not isinstance(k, int) or not 0 <= k < total]
    if outside:
        raise ValueError(f"selected rows must be row indices 0..{total - 1}; got {outside[:5]}")
    return [int(k) for k in keys]


class SampleKeys:
    """Maps source rows to sample keys and back, for one frame.

    Example:
        >>> keys = SampleKeys(pl.DataFrame({"log": ["a", "a"], "id": [1, 2], "epoch": [1, 1]}))
        >>> keys.keys_for_rows([1]), keys.rows_for_keys([("a", 1, 1)])
        ([('a', 2, 1)], [0])
    """

    def __init__(self, frame: pl.DataFrame, columns: Sequence[str] | None = None) -> None:
        self.frame = frame
        if columns is None:
            self.columns = [c for c in KEY_COLUMNS if c in frame.columns]
        else:
            for c in columns:
                if c not in frame.columns:
                    raise unknown_name_error("column", c, frame.columns)
            self.columns = list(columns)

    def keys_for_rows(self, rows: Sequence[int]) -> list[Any]:
        """The keys of source ``rows`` (the rows themselves when the frame has no keys)."""
        if not self.columns or not rows:
            return list(rows)
        picked = self.frame.select(self.columns)[list(rows)]
        return [tuple(r) for r in picked.iter_rows()]

    def rows_for_keys(self, keys: Sequence[Any]) -> list[int]:
        """Source rows of ``keys`` (or of row indices); unknown keys raise."""
        if not keys:
            return []
        if not self.columns or all(isinstance(k, int) for k in keys):
            return row_indices(keys, self.frame.height)
        key_frame = self.frame.select(self.columns)
        wanted = pl.DataFrame([tuple(k) for k in keys], schema=self.columns, orient="row").cast(
            key_frame.schema
        )
        found = key_frame.with_row_index("__r").join(wanted, on=self.columns, nulls_equal=True)
        missing = len(wanted) - found.height
        if missing > 0:
            raise ValueError(f"{missing} of the keys given to `selected` match no sample")
        return found.get_column("__r").to_list()


class KeyMap(Protocol):
    """Source rows ↔ sample keys (`SampleKeys`, or `evallens.grid.epochs.GroupedKeys`)."""

    def keys_for_rows(self, rows: Sequence[int]) -> list[Any]:
        """The keys of source ``rows``."""

    def rows_for_keys(self, keys: Sequence[Any]) -> list[int]:
        """The source rows of ``keys``."""


def sync_selection(widget: traitlets.HasTraits, keys: KeyMap) -> None:
    """Keep a grid's two selection traits in step, whichever side changes.

    ``selected`` holds keys, for Python; ``_selected_rows`` holds row bytes, for the browser.
    """
    syncing = False

    def from_browser(_change: Any) -> None:
        nonlocal syncing
        if syncing:
            return
        syncing = True
        try:
            widget.selected = keys.keys_for_rows(rows_from_bytes(widget._selected_rows))  # type: ignore[attr-defined]
        finally:
            syncing = False

    def from_python(change: Any) -> None:
        nonlocal syncing
        if syncing:
            return
        rows = keys.rows_for_keys(change["new"])
        syncing = True
        try:
            widget._selected_rows = rows_to_bytes(rows)  # type: ignore[attr-defined]
        finally:
            syncing = False

    widget.observe(from_browser, ["_selected_rows"])
    widget.observe(from_python, ["selected"])
