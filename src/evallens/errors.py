"""Exceptions users can catch, and the near-match helper behind every "did you mean".

Every error about a name (a column, a score, a palette, a task) says which name was
wrong and lists the close ones, so a typo costs one glance:

    >>> import polars as pl, evallens
    >>> try:
    ...     evallens.SampleGrid(pl.DataFrame({"id": [1], "score_judge": [3]}), filter=pl.col("score_jugde") > 1)
    ... except evallens.ColumnNotFoundError as error:
    ...     print(error.name, error.near)
    score_jugde ['score_judge']
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence


class UnknownNameError(ValueError):
    """A name (column, score, palette, task, …) that is not there; lists the close ones."""

    def __init__(self, kind: str, name: str, candidates: Sequence[str]) -> None:
        self.kind = kind
        self.name = name
        self.candidates = list(candidates)
        self.near = close_matches(name, self.candidates)
        hint = f"; did you mean {', '.join(repr(c) for c in self.near)}?" if self.near else ""
        super().__init__(f"unknown {kind} {name!r}{hint} (available: {_listing(self.candidates)})")


class ColumnNotFoundError(UnknownNameError):
    """A column name the data does not have (a ``ValueError``, so old handlers still work)."""


class NoScoreError(ValueError):
    """A frame has no score to show by default; the message says what it has."""


_LISTED = 30
"""Names an error message lists at most (a log can hold thousands of sample ids)."""


def _listing(candidates: Sequence[str]) -> str:
    if len(candidates) <= _LISTED:
        return ", ".join(candidates)
    return f"{', '.join(candidates[:_LISTED])}, … ({len(candidates)} in all)"


def close_matches(name: str, candidates: Sequence[str], n: int = 5) -> list[str]:
    """Names in ``candidates`` close to ``name`` (spelling, case, or containing it).

    Example:
        >>> close_matches("score_jugde", ["score_judge", "tokens", "id"])
        ['score_judge']
    """
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.5)
    contains = [c for c in candidates if name.lower() in c.lower() and c.lower() not in hits]
    return [lowered[h] for h in hits] + contains[: max(0, n - len(hits))]


def unknown_name_error(kind: str, name: str, candidates: Sequence[str]) -> UnknownNameError:
    """The error for an unknown ``name`` of ``kind`` (a `ColumnNotFoundError` for columns).

    Example:
        >>> str(unknown_name_error("palette", "good-hi", ["good-high", "good-low"]))
        "unknown palette 'good-hi'; did you mean 'good-high', 'good-low'? (available: good-high, good-low)"
    """
    if kind == "column":
        return ColumnNotFoundError(kind, name, candidates)
    return UnknownNameError(kind, name, candidates)


class PatternError(ValueError):
    """A regular expression polars (Rust's ``regex`` crate) cannot compile; says where.

    ``position`` is the 0-based index in ``pattern`` of what is wrong (None: not known).
    """

    def __init__(self, pattern: str, position: int | None, reason: str) -> None:
        self.pattern = pattern
        self.position = position
        self.reason = reason
        where = f" at position {position}" if position is not None else ""
        caret = ""
        if position is not None and "\n" not in pattern:
            caret = f"\n    {pattern}\n    {' ' * position}^"
        super().__init__(
            f"invalid regular expression {pattern!r}{where}: {reason} "
            f"(polars' syntax, Rust's regex crate){caret}"
        )
