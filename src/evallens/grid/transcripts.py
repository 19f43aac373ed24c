"""Transcript search: a regular expression against every message of every sample of a frame.

The rows of a grid name their samples (``log``, ``id``, ``epoch``); each log's message text
comes from `evallens.io._transcripts` (read once, then cached), and the pattern runs over
all of it in polars. The syntax is polars' (Rust's ``regex`` crate: no look-around or
backreferences, and every search takes time linear in the text, whatever the pattern);
case-sensitive unless the pattern starts with ``(?i)``, as the search box is; ``.`` does
not match a newline and ``^``/``$`` are the text's ends unless ``(?s)``/``(?m)`` say so.

A sample's *hits* are its messages with a match; its *first hit* is the index (in the
sample's ``messages``) of the first of them. A row whose log is not on this machine, cannot
be read, or does not hold the row's sample, has no hits at all (null), not 0.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import polars as pl

from evallens.errors import PatternError
from evallens.io._errors import LogReadError
from evallens.io._remote import is_url
from evallens.io._transcripts import LogTexts, transcript_cache

HITS = "__hits"
"""The working frame's column of hit counts (null: not searched)."""

_SLICE_ROWS = 50_000
"""Messages per parallel piece: a long log's pattern pass is spread over the cores."""


def check_pattern(pattern: str) -> None:
    """Raise `PatternError` (naming the position) when polars cannot compile ``pattern``.

    Example:
        >>> try:
        ...     check_pattern("error (code")
        ... except PatternError as e:
        ...     print(e.position, e.reason)
        6 unclosed group
    """
    try:
        pl.Series("text", [""], dtype=pl.String).str.contains(pattern)
    except pl.exceptions.ComputeError as ex:
        raise _pattern_error(pattern, str(ex)) from None


def _pattern_error(pattern: str, message: str) -> PatternError:
    """Read the position off the regex crate's caret picture (one line, or numbered lines)."""
    lines = message.split("\n")
    reason = next((ln[len("error: ") :] for ln in lines if ln.startswith("error: ")), message)
    position: int | None = None
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() and set(line.replace(" ", "")) == {"^"}:
            above = lines[i - 1]
            numbered = re.match(r"\s*(\d+): ", above)
            column = line.index("^") - (numbered.end() if numbered else 4)
            row = int(numbered.group(1)) - 1 if numbered else 0
            before = pattern.split("\n")[:row]
            position = sum(len(text) + 1 for text in before) + max(0, column)
            break
    return PatternError(pattern, position, reason)


@dataclass(frozen=True)
class Hits:
    """Per frame row: messages with a match (null: not searched) and the first one's index."""

    hits: pl.Series
    first_hit: pl.Series

    @property
    def searched(self) -> int:
        """Rows searched (their logs were read)."""
        return self.hits.len() - self.hits.null_count()


class TranscriptSearch:
    """Searches the transcripts of a frame's samples (its ``log``, ``id``, ``epoch`` columns).

    Example:
        >>> import polars as pl
        >>> TranscriptSearch(pl.DataFrame({"id": [1]})).problem
        "transcript search reads the samples' logs, and this frame has no 'log' column"
    """

    def __init__(self, frame: pl.DataFrame) -> None:
        self.height = frame.height
        self.problem: str | None = None
        """Why no row can be searched (None: some may be)."""
        if "log" not in frame.columns or "id" not in frame.columns:
            missing = "log" if "log" not in frame.columns else "id"
            self.problem = f"transcript search reads the samples' logs, and this frame has no {missing!r} column"
            self._rows = pl.DataFrame()
            return
        epoch = (
            frame.get_column("epoch").cast(pl.Int64, strict=False)
            if "epoch" in frame.columns
            else pl.repeat(1, frame.height, dtype=pl.Int64, eager=True)
        )
        self._rows = pl.DataFrame(
            {
                "log": frame.get_column("log").cast(pl.String),
                "id": frame.get_column("id").cast(pl.String),
                "epoch": epoch.fill_null(1),
            }
        ).with_row_index("row")
        self._logs = [
            str(p) for p in self._rows.get_column("log").drop_nulls().unique(maintain_order=True)
        ]
        self._owners: tuple[tuple[int, ...], pl.Series] | None = None
        self._searched: list[tuple[int, LogTexts]] = []
        """The last search's logs (each with its first sample's number): where hits are."""

    def _texts(self) -> list[tuple[str, LogTexts | None]]:
        out: list[tuple[str, LogTexts | None]] = []
        for log in self._logs:
            try:
                out.append(
                    (
                        log,
                        transcript_cache.texts(log) if is_url(log) or os.path.isfile(log) else None,
                    )
                )
            except (OSError, LogReadError):
                out.append((log, None))  # its rows stay unsearched
        return out

    def _row_samples(self, texts: list[tuple[str, LogTexts | None]]) -> pl.Series:
        """Each frame row's sample among all logs' samples, numbered log after log (or null)."""
        stamp = tuple(id(t) for _, t in texts)
        if self._owners is not None and self._owners[0] == stamp:
            return self._owners[1]
        keys: list[pl.DataFrame] = []
        offset = 0
        for log, held in texts:
            if held is None:
                continue
            keys.append(
                held.samples.with_columns(
                    pl.lit(log).alias("log"),
                    (pl.int_range(pl.len(), dtype=pl.UInt32) + offset).alias("sample"),
                )
                # a sample logged twice: the last copy (inspect_ai reads the last record)
                .unique(["id", "epoch"], keep="last", maintain_order=True)
            )
            offset += held.samples.height
        if keys:
            joined = self._rows.join(
                pl.concat(keys), on=["log", "id", "epoch"], how="left", maintain_order="left"
            )
            owners = joined.sort("row").get_column("sample")
        else:
            owners = pl.Series("sample", [None] * self.height, dtype=pl.UInt32)
        self._owners = (stamp, owners)
        return owners

    def search(self, pattern: str) -> Hits:
        """Hits per frame row (see `Hits`).

        Raises `PatternError` for a bad pattern, ``ValueError`` when no row can be searched.
        """
        check_pattern(pattern)
        if self.problem is not None:
            raise ValueError(self.problem)
        texts = self._texts()
        if self.height and all(held is None for _, held in texts):
            example = f" (e.g. {self._logs[0]!r})" if self._logs else ""
            raise ValueError(
                f"none of the {self.height:,} samples can be searched: their logs are not on "
                f"this machine or cannot be read{example}"
            )
        owners = self._row_samples(texts)
        pieces: list[pl.LazyFrame] = []
        offset = 0
        self._searched = []
        for _, held in texts:
            if held is None:
                continue
            self._searched.append((offset, held))
            messages = held.messages
            for start in range(0, max(1, messages.height), _SLICE_ROWS):
                pieces.append(
                    messages.slice(start, _SLICE_ROWS)
                    .lazy()
                    .filter(pl.col("text").str.contains(pattern))
                    .select((pl.col("sample") + offset).alias("sample"), "position")
                )
            offset += held.samples.height
        if pieces:
            found = (
                pl.concat(pieces, parallel=True)
                .group_by("sample")
                .agg(pl.len().cast(pl.UInt32).alias("hits"), pl.col("position").min())
                .collect()
            )
        else:
            found = pl.DataFrame(
                schema={"sample": pl.UInt32, "hits": pl.UInt32, "position": pl.UInt32}
            )
        counts = pl.Series([0] * offset, dtype=pl.UInt32).scatter(found["sample"], found["hits"])
        first = pl.Series([None] * offset, dtype=pl.UInt32).scatter(
            found["sample"], found["position"]
        )
        return Hits(
            counts.gather(owners).alias("hits"),
            first.gather(owners).cast(pl.Int64).alias("first_hit"),
        )

    def message_text(self, row: int, position: int) -> str | None:
        """The searchable text of message ``position`` of frame ``row``'s sample (last search)."""
        if self._owners is None:
            return None
        sample = self._owners[1][row]
        for offset, held in reversed(self._searched):
            if sample is not None and sample >= offset:
                found = held.messages.filter(
                    (pl.col("sample") == sample - offset) & (pl.col("position") == position)
                ).get_column("text")
                return str(found[0]) if found.len() else None
        return None

    @staticmethod
    def matches(text: str, pattern: str, limit: int = 20) -> list[str]:
        """The distinct non-empty strings ``pattern`` matches in ``text`` (for highlighting)."""
        found = pl.Series([text]).str.extract_all(pattern).explode().drop_nulls()
        return [m for m in found.unique(maintain_order=True).to_list() if m][:limit]
