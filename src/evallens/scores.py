"""Score descriptors: what kind of values each score column holds, and its bounds.

The kinds and the order they are tried in follow Inspect's log viewer, so a column paints
the way eval authors already know from ``inspect view``:

1. ``boolean``: every value is a bool.
2. ``binary``: numbers whose distinct values are exactly 0 and 1.
3. ``passfail``: strings, all among ``C``/``I``/``P``/``N`` (fewer than 5 distinct).
4. ``categorical``: strings with fewer than 10 distinct values.
5. ``numeric``: numbers, with ``min``/``max``.
6. ``list`` / ``object``: lists, or dicts.
7. ``other``: anything else (including a column with no values).

Beyond the viewer: NaN, ±inf and ``None`` are missing, never values (they do not widen
bounds or count as categories). Grades stored as text (``'10'``, ``'9'``, …, ``'0'``)
mixed with a letter (``'I'``) — 10 or more distinct strings, most of them numbers — are
``numeric``; the letters stay in the column, are listed in ``non_numeric`` and are left
unpainted. JSON text from frames made elsewhere (``samples_df`` writes lists as JSON) is
recognized as ``list``/``object``.

Which scorer and score a column holds: ``score_<scorer>_<key>`` cannot be split reliably
from the name (scorer names contain underscores). Frames made by `evallens.read_samples`
are looked up in a small registry the reader fills, keyed by the frame's score columns.
For other frames a documented heuristic applies; see `split_score_column`.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

ScoreKind = Literal[
    "boolean", "binary", "passfail", "categorical", "numeric", "list", "object", "other"
]

PASSFAIL_ORDER: tuple[str, ...] = ("C", "P", "I", "N")
"""Pass/fail values in the viewer's order: correct, partial, incorrect, refusal."""

_MISSING_TEXT = frozenset(
    {"", "nan", "NaN", "inf", "-inf", "Infinity", "-Infinity", "None", "null"}
)

# samples_df(columns=SampleScores) adds these per score; they describe a score, they are not one
_DETAIL_SUFFIXES = ("_answer", "_explanation", "_metadata", "_reason")

# Inspect's built-in scorers return one value; their names never denote a dict scorer's key.
_BUILTIN_SCORERS = frozenset(
    {
        "match",
        "includes",
        "pattern",
        "answer",
        "choice",
        "exact",
        "f1",
        "model_graded_qa",
        "model_graded_fact",
        "math",
        "expression_equivalence",
    }
)


@dataclass(frozen=True)
class ScoreDescriptor:
    """What one score column holds.

    Example:
        >>> d = ScoreDescriptor("score_rubric_accuracy", "rubric", "accuracy", "binary", 0.0, 1.0)
        >>> d.view_id
        'score__rubric__accuracy'
    """

    column: str
    """Frame column, e.g. ``score_rubric_accuracy``."""
    scorer: str
    """Scorer name (the key under ``sample.scores``)."""
    name: str
    """Score name: the dict key for dict-valued scorers, else the scorer name."""
    kind: ScoreKind
    min: float | None = None
    """Smallest finite value (numeric and binary kinds)."""
    max: float | None = None
    """Largest finite value (numeric and binary kinds)."""
    categories: tuple[str, ...] | None = None
    """Distinct values (passfail in C, P, I, N order; categorical sorted)."""
    non_numeric: tuple[str, ...] = field(default=())
    """Text values of a numeric column stored as text that are not numbers (left unpainted)."""

    @property
    def view_id(self) -> str:
        """Inspect's viewer column id, as used in ``TaskSamplesView`` configs."""
        return f"score__{self.scorer}__{self.name}"


# --------------------------------------------------------------- scorer/key registry
ScoreMap = Mapping[str, tuple[str, str]]

_REGISTRY_SIZE = 128
_by_columns: OrderedDict[frozenset[str], dict[str, tuple[str, str]]] = OrderedDict()
_by_column: dict[str, set[tuple[str, str]]] = {}


def _score_columns(columns: Iterable[str]) -> list[str]:
    return [c for c in columns if c.startswith("score_")]


def remember_score_map(mapping: ScoreMap) -> None:
    """Record which scorer/score each column holds (called by the readers)."""
    if not mapping:
        return
    key = frozenset(mapping)
    _by_columns[key] = dict(mapping)
    _by_columns.move_to_end(key)
    while len(_by_columns) > _REGISTRY_SIZE:
        _by_columns.popitem(last=False)
    for column, pair in mapping.items():
        _by_column.setdefault(column, set()).add(pair)


def remember_score_columns(frame: pl.DataFrame, mapping: ScoreMap) -> None:
    """Record ``mapping`` for ``frame``'s score columns (called by `read_samples`)."""
    columns = set(_score_columns(frame.columns))
    remember_score_map({c: pair for c, pair in mapping.items() if c in columns})


def _known_split(columns: Sequence[str]) -> dict[str, tuple[str, str]]:
    exact = _by_columns.get(frozenset(columns))
    if exact is not None:
        return exact
    known: dict[str, tuple[str, str]] = {}
    for column in columns:
        pairs = _by_column.get(column)
        if pairs is not None and len(pairs) == 1:
            known[column] = next(iter(pairs))
    return known


def split_score_column(column: str, columns: Sequence[str]) -> tuple[str, str] | None:
    """Guess (scorer, score) for ``column`` from the names alone; ``None`` if not a score.

    The heuristic, for frames the reader did not make:

    * ``score_headline_*`` (evals frames) and ``score_<x>_answer|explanation|metadata|reason``
      next to a ``score_<x>`` column (``samples_df`` score details) are not scores.
    * ``score_<p>_<key>`` is key ``<key>`` of dict scorer ``<p>`` when at least two columns
      start with ``score_<p>_``, there is no ``score_<p>`` column, and neither ``<p>`` nor
      the whole name is one of Inspect's built-in scorers; the longest such ``<p>`` wins
      (``score_scicode_scorer_Total Correct`` → ``scicode_scorer``, ``Total Correct``).
    * anything else is a single-valued scorer named after the rest of the column.

    Example:
        >>> columns = ["score_rubric_accuracy", "score_rubric_clarity"]
        >>> split_score_column("score_rubric_clarity", columns)
        ('rubric', 'clarity')
        >>> split_score_column("score_max_sus_scorer", ["score_max_sus_scorer"])
        ('max_sus_scorer', 'max_sus_scorer')
    """
    if not column.startswith("score_") or column.startswith("score_headline_"):
        return None
    names = set(columns)
    for suffix in _DETAIL_SUFFIXES:
        if column.endswith(suffix) and column[: -len(suffix)] in names:
            return None
    rest = column[len("score_") :]
    if rest in _BUILTIN_SCORERS:
        return (rest, rest)
    best: tuple[str, str] | None = None
    for index, char in enumerate(rest):
        if char != "_" or index == 0 or index == len(rest) - 1:
            continue
        prefix = rest[:index]
        if prefix in _BUILTIN_SCORERS or f"score_{prefix}" in names:
            continue
        siblings = sum(1 for c in names if c.startswith(f"score_{prefix}_"))
        if siblings >= 2:
            best = (prefix, rest[index + 1 :])
    return best if best is not None else (rest, rest)


# ------------------------------------------------------------------------- detection
def _finite(values: Iterable[Any]) -> list[float]:
    out: list[float] = []
    for v in values:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int | float) and math.isfinite(v):
            out.append(float(v))
    return out


def _as_number(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _describe_text(values: list[str]) -> dict[str, Any]:
    distinct = [v for v in dict.fromkeys(values) if v not in _MISSING_TEXT]
    if not distinct:
        return {"kind": "other"}
    if len(distinct) < 5 and all(v in PASSFAIL_ORDER for v in distinct):
        return {"kind": "passfail", "categories": tuple(c for c in PASSFAIL_ORDER if c in distinct)}
    if len(distinct) < 10:
        return {"kind": "categorical", "categories": tuple(sorted(distinct))}
    numbers = {v: _as_number(v) for v in distinct}
    numeric = [n for n in numbers.values() if n is not None]
    if len(numeric) >= 2 and len(numeric) * 2 > len(distinct):
        return {
            "kind": "numeric",
            "min": min(numeric),
            "max": max(numeric),
            "non_numeric": tuple(sorted(v for v, n in numbers.items() if n is None)),
        }
    stripped = [v.lstrip() for v in distinct]
    if all(v.startswith("[") for v in stripped) and _all_json(distinct, list):
        return {"kind": "list"}
    if all(v.startswith("{") for v in stripped) and _all_json(distinct, dict):
        return {"kind": "object"}
    return {"kind": "other"}


def _all_json(values: list[str], kind: type) -> bool:
    for v in values:
        try:
            if not isinstance(json.loads(v), kind):
                return False
        except ValueError:
            return False
    return True


def describe_column(series: pl.Series) -> dict[str, Any]:
    """Kind and bounds of one score column (the descriptor without its names).

    Example:
        >>> grades = [str(g) for g in range(10, -1, -1)] + ["I"]
        >>> describe_column(pl.Series(grades))
        {'kind': 'numeric', 'min': 0.0, 'max': 10.0, 'non_numeric': ('I',)}
    """
    dtype = series.dtype
    present = series.drop_nulls()
    if dtype.is_float():
        present = present.filter(present.is_finite())
    if present.len() == 0:
        return {"kind": "other"}
    if dtype == pl.Boolean:
        return {"kind": "boolean"}
    if dtype.is_numeric():
        distinct = present.unique()
        lo, hi = distinct.min(), distinct.max()
        if distinct.len() == 2 and lo == 0 and hi == 1:
            return {"kind": "binary", "min": 0.0, "max": 1.0}
        return {"kind": "numeric", "min": float(lo), "max": float(hi)}  # type: ignore[arg-type]
    if dtype == pl.String:
        return _describe_text(present.unique(maintain_order=True).to_list())
    if isinstance(dtype, pl.List | pl.Array):
        return {"kind": "list"}
    if isinstance(dtype, pl.Struct):
        return {"kind": "object"}
    if dtype == pl.Object:
        return _describe_objects(present.to_list())
    return {"kind": "other"}


def _describe_objects(values: list[Any]) -> dict[str, Any]:
    values = [v for v in values if not (isinstance(v, float) and not math.isfinite(v))]
    if not values:
        return {"kind": "other"}
    if all(isinstance(v, bool) for v in values):
        return {"kind": "boolean"}
    if all(isinstance(v, list) for v in values):
        return {"kind": "list"}
    if all(isinstance(v, dict) for v in values):
        return {"kind": "object"}
    if all(isinstance(v, str) for v in values):
        return _describe_text(values)
    numbers = _finite(values)
    if len(numbers) == len(values):
        return describe_column(pl.Series(numbers))
    return {"kind": "other"}


def describe_scores(df: pl.DataFrame) -> list[ScoreDescriptor]:
    """Describe every score column of a samples frame, in column order.

    Args:
        df: A samples frame (from `read_samples`, ``samples_df`` or parquet).

    Example:
        >>> df = pl.DataFrame({"score_match": ["C", "I", None], "score_judge": [3, 9, 7]})
        >>> [(d.column, d.kind) for d in describe_scores(df)]
        [('score_match', 'passfail'), ('score_judge', 'numeric')]
    """
    columns = _score_columns(df.columns)
    known = _known_split(columns)
    descriptors: list[ScoreDescriptor] = []
    for column in columns:
        pair = known.get(column) or split_score_column(column, columns)
        if pair is None:
            continue
        scorer, name = pair
        descriptors.append(ScoreDescriptor(column, scorer, name, **describe_column(df[column])))
    return descriptors
