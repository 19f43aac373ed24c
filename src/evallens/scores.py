"""What a score means: its kind, its bounds, and its value as a number — the one home for it.

Kinds, tried in this order (Inspect's log viewer names, so a column paints the way eval
authors know from ``inspect view``):

1. ``boolean``: every value is a bool.
2. ``passfail``: text, every value one of Inspect's letters ``C``/``P``/``I``/``N``.
3. ``binary`` / ``numeric``: numbers, or text that reads as numbers. Number-likeness is
   decided *first*, whatever the count of distinct values: a text column is numeric when
   every value is a number, a pass/fail letter or a yes/no word, or when more than half of
   its rows are numbers. ``binary`` when the numbers are exactly 0 and 1.
4. ``categorical``: other text with fewer than 10 distinct values.
5. ``list`` / ``object``: lists or dicts (also JSON text, as ``samples_df`` writes them).
6. ``other``: anything else (including a column with no values).

NaN, ±inf, ``None`` and empty text are missing, never values.

A score as a number (`score_values`), one rule for sorting, heatmap means and success
rates, following Inspect's ``value_to_float``: numbers as they are; booleans 1/0; the
letters ``C`` 1, ``P`` 0.5, ``I`` 0, ``N`` 0 (case-sensitive, as Inspect compares them);
``yes``/``true`` 1 and ``no``/``false`` 0 (any case); numeric text (``'10'``, ``'-1'``,
``'2.5e-3'``) as its number. Other text is missing, where Inspect's ``value_to_float``
would count it as 0 with a warning: a grade the judge did not give is not a zero. So a
judge writing grades as ``'0'`` … ``'10'`` with an odd ``'I'`` sorts, averages and paints
as numbers, and its ``'I'`` counts 0 as in Inspect's headline. The bounds of a numeric
text column (``min``/``max``) come from its numbers alone; its other values are listed in
``non_numeric``.

Which scorer and score a column holds: ``score_<scorer>_<key>`` cannot be split reliably
from the name (scorer names contain underscores). Frames made by `evallens.read_samples`
are looked up in a small registry the reader fills, keyed by the frame's score columns.
For other frames a documented heuristic applies; see `split_score_column`.
"""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import polars as pl

from evallens.errors import NoScoreError, unknown_name_error

ScoreKind = Literal[
    "boolean", "binary", "passfail", "categorical", "numeric", "list", "object", "other"
]

PASSFAIL_ORDER: tuple[str, ...] = ("C", "P", "I", "N")
"""Pass/fail values in the viewer's order: correct, partial, incorrect, refusal."""

PASSFAIL_VALUE: dict[str, float] = {"C": 1.0, "P": 0.5, "I": 0.0, "N": 0.0}
"""Inspect's letters as numbers (``value_to_float``): matched exactly, case-sensitive."""

WORD_VALUE: dict[str, float] = {"yes": 1.0, "true": 1.0, "no": 0.0, "false": 0.0}
"""Yes/no words as numbers (``value_to_float``): matched in any case."""

MISSING_TASK_HINT = (
    "no row says which task it belongs to; add task_name and model columns (e.g. "
    "samples_df(logs, columns=SampleSummary + EvalTask + EvalModel)), or read the logs "
    "with evallens.read_samples"
)

NUMERIC_KINDS: tuple[ScoreKind, ...] = ("boolean", "binary", "passfail", "numeric")
"""Kinds whose values are numbers under `score_values` (sortable, averageable)."""

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
    """Text values of a numeric column stored as text that are not numbers (letters such as
    ``'I'`` count by `score_values`' rule; any other text is missing)."""

    @property
    def is_numeric(self) -> bool:
        """Whether the values are numbers under `score_values` (sortable, averageable)."""
        return self.kind in NUMERIC_KINDS

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


_HEADLINES_SIZE = 100_000
_headlines: OrderedDict[str, tuple[str, str]] = OrderedDict()


def remember_headlines(mapping: Mapping[str, tuple[str, str]]) -> None:
    """Record each eval's headline (scorer, score), by eval id (called by the readers)."""
    for eval_id, pair in mapping.items():
        _headlines[eval_id] = pair
        _headlines.move_to_end(eval_id)
    while len(_headlines) > _HEADLINES_SIZE:
        _headlines.popitem(last=False)


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
def _as_number(text: str) -> float | None:
    if "_" in text:  # Python reads '1_000' as a number; polars (and people) do not
        return None
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def text_value(text: str) -> float | None:
    """One text score as a number under `score_values`' rule (None: not a number).

    Example:
        >>> [text_value(v) for v in ["10", "I", "P", "Yes", "n/a"]]
        [10.0, 0.0, 0.5, 1.0, None]
    """
    if text in PASSFAIL_VALUE:
        return PASSFAIL_VALUE[text]
    word = WORD_VALUE.get(text.strip().lower())
    return word if word is not None else _as_number(text.strip())


def _finite(values: Iterable[Any]) -> list[float]:
    out: list[float] = []
    for v in values:
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int | float) and math.isfinite(v):
            out.append(float(v))
    return out


def _describe_text(
    distinct: Sequence[str], counts: Callable[[], Mapping[str, int]]
) -> dict[str, Any]:
    """Kind of a text column from its distinct values and how many rows hold each.

    ``counts`` is asked only when the kind depends on them (some values are numbers and
    some are not): counting every row's value costs more than finding the distinct ones.
    """
    values = [v for v in distinct if v not in _MISSING_TEXT]
    if not values:
        return {"kind": "other"}
    if all(v in PASSFAIL_VALUE for v in values):
        return {"kind": "passfail", "categories": tuple(c for c in PASSFAIL_ORDER if c in values)}
    numbers = {v: _as_number(v.strip()) for v in values}
    mapped = {v: text_value(v) for v in values}

    def mostly_numbers() -> bool:
        rows = counts()
        number_rows = sum(rows[v] for v in values if numbers[v] is not None)
        return number_rows * 2 > sum(rows[v] for v in values)

    # Number-likeness first: every value reads as a number (letters and yes/no included),
    # or most rows are numbers (the rest, e.g. 'n/a', is missing as a number).
    if all(m is not None for m in mapped.values()) or mostly_numbers():
        found = [n for n in numbers.values() if n is not None] or [
            m for m in mapped.values() if m is not None
        ]
        lo, hi = min(found), max(found)
        values_as_numbers = {m for m in mapped.values() if m is not None}
        out: dict[str, Any] = {
            "kind": "binary" if values_as_numbers == {0.0, 1.0} else "numeric",
            "min": lo,
            "max": hi,
        }
        odd = tuple(sorted(v for v in values if numbers[v] is None))
        if odd:
            out["non_numeric"] = odd
        return out
    if len(values) < 10:
        return {"kind": "categorical", "categories": tuple(sorted(values))}
    stripped = [v.lstrip() for v in values]
    if all(v.startswith("[") for v in stripped) and _all_json(values, list):
        return {"kind": "list"}
    if all(v.startswith("{") for v in stripped) and _all_json(values, dict):
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


def describe_column(
    series: pl.Series, bounds: tuple[float | None, float | None] | None = None
) -> dict[str, Any]:
    """Kind and bounds of one score column (the descriptor without its names).

    ``bounds``: a numeric column's smallest and largest finite value, when already known
    (None, None: it has none), so they are not read again.

    Example:
        >>> describe_column(pl.Series(["10", "9", "8", "6", "3", "2", "1", "0", "I"]))
        {'kind': 'numeric', 'min': 0.0, 'max': 10.0, 'non_numeric': ('I',)}
    """
    dtype = series.dtype
    if dtype.is_numeric():
        # min, max and a 0/1 test in one pass over the column as it is (no copy without
        # its missing values): far cheaper than unique() on a million floats. min and max
        # skip NaN; infinities are left out by a second pass when there are any.
        v = pl.col("v")
        frame = series.to_frame("v")
        lo, hi = frame.select(v.min(), v.max().alias("hi")).row(0) if bounds is None else bounds
        if dtype.is_float() and not (lo is not None and math.isfinite(lo) and math.isfinite(hi)):
            frame = series.filter(series.is_finite()).to_frame("v")
            if frame.height == 0:
                return {"kind": "other"}
            lo, hi = frame.select(v.min(), v.max().alias("hi")).row(0)
        if lo is None:
            return {"kind": "other"}
        # NaN is missing; so are infinities (the bounds left them out)
        odd = ~v.is_finite() if dtype.is_float() else pl.lit(False)
        if lo == 0 and hi == 1 and frame.select(((v == 0) | (v == 1) | odd).all()).item():
            return {"kind": "binary", "min": 0.0, "max": 1.0}
        return {"kind": "numeric", "min": float(lo), "max": float(hi)}
    if series.null_count() == series.len():
        return {"kind": "other"}
    if dtype == pl.Boolean:
        return {"kind": "boolean"}
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        text = series.cast(pl.String)

        def counts() -> dict[str, int]:
            table = text.drop_nulls().value_counts(name="__n")
            return dict(zip(table.to_series(0).to_list(), table.get_column("__n"), strict=True))

        return _describe_text(distinct_text(text), counts)
    present = series.drop_nulls()
    if isinstance(dtype, pl.List | pl.Array):
        return {"kind": "list"}
    if isinstance(dtype, pl.Struct):
        return {"kind": "object"}
    if dtype == pl.Object:
        return _describe_objects(present.to_list())
    return {"kind": "other"}


_HEAD_ROWS = 10_000
_FEW = 16


def distinct_text(text: pl.Series) -> list[str]:
    """The distinct values of a text column (missing left out).

    A score column usually holds a few values, all among its first rows: when every row
    equals one of those (a comparison per value, no hashing), they are all there is.
    """
    head = text.head(_HEAD_ROWS).drop_nulls().unique()
    if head.len() <= _FEW:
        v = pl.col("v")
        known = pl.any_horizontal(v.is_null(), *(v == value for value in head))
        if text.to_frame("v").select(known.all()).item():
            return head.to_list()
    return text.drop_nulls().unique().to_list()


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
        counts: dict[str, int] = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        return _describe_text(list(counts), lambda: counts)
    numbers = _finite(values)
    if len(numbers) == len(values):
        return describe_column(pl.Series(numbers))
    return {"kind": "other"}


def score_columns(columns: Sequence[str]) -> list[str]:
    """The columns that hold scores (not ``score_headline_*`` or ``samples_df`` details).

    Example:
        >>> score_columns(["id", "score_match", "score_match_explanation", "score_headline_value"])
        ['score_match']
    """
    return [c for c in _score_columns(columns) if split_score_column(c, columns) is not None]


class TextValues(Protocol):
    """A text column described without converting it (`evallens.frames.LateText`)."""

    def len(self) -> int:
        """Rows in the column."""

    def null_count(self) -> int:
        """Missing values."""

    def distinct(self) -> list[str]:
        """Its distinct values, missing left out, in any order."""

    def value_counts(self) -> dict[str, int]:
        """How many rows hold each value (missing left out)."""


def describe_text_values(values: TextValues) -> dict[str, Any]:
    """`describe_column` of a text column, from its distinct values and their counts."""
    if values.null_count() == values.len():
        return {"kind": "other"}
    return _describe_text(values.distinct(), values.value_counts)


def describe_scores(
    df: pl.DataFrame,
    bounds: Mapping[str, tuple[float | None, float | None]] | None = None,
    text: Mapping[str, TextValues] | None = None,
) -> list[ScoreDescriptor]:
    """Describe every score column of a samples frame, in column order.

    Args:
        df: A samples frame (from `read_samples`, ``samples_df`` or parquet).
        bounds: Numeric columns' smallest and largest finite values, where already known.
        text: Text columns to describe from these values instead of the frame's.

    Example:
        >>> df = pl.DataFrame({"score_match": ["C", "I", None], "score_judge": [3, 9, 7]})
        >>> [(d.column, d.kind) for d in describe_scores(df)]
        [('score_match', 'passfail'), ('score_judge', 'numeric')]
    """
    known, given = bounds or {}, text or {}
    return [
        ScoreDescriptor(
            column,
            scorer,
            name,
            **(
                describe_text_values(given[column])
                if column in given
                else describe_column(df[column], known.get(column))
            ),
        )
        for column, scorer, name in score_names(df.columns)
    ]


def score_names(columns: Sequence[str]) -> list[tuple[str, str, str]]:
    """Each score column with its scorer and score name, from the names alone (no data read).

    Example:
        >>> score_names(["id", "score_match", "score_rubric_a", "score_rubric_b"])
        [('score_match', 'match', 'match'), ('score_rubric_a', 'rubric', 'a'), ('score_rubric_b', 'rubric', 'b')]
    """
    scored = _score_columns(columns)
    known = _known_split(scored)
    out: list[tuple[str, str, str]] = []
    for column in scored:
        pair = known.get(column) or split_score_column(column, scored)
        if pair is not None:
            out.append((column, *pair))
    return out


# ---------------------------------------------------------------------------- values
def value_expr(column: str, dtype: pl.DataType, odd: Iterable[str] | None = None) -> pl.Expr:
    """``column`` as Float64 under the rule in the module docstring (missing: null).

    ``odd`` lists the column's text values that are not numbers, when known (a descriptor's
    ``non_numeric`` or ``categories``): only those get a branch, which keeps the
    expression fast on a million rows. Without it every letter and word is handled.

    Example:
        >>> df = pl.DataFrame({"s": ["10", "I", "C", "no", "x", None]})
        >>> df.select(value_expr("s", pl.String()))["s"].to_list()
        [10.0, 0.0, 1.0, 0.0, None, None]
    """
    col = pl.col(column)
    if dtype == pl.Boolean or dtype.is_numeric() or dtype == pl.Null:
        out = col.cast(pl.Float64)  # a Null column (no value at all) is missing everywhere
    elif dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        text = col.cast(pl.String)
        out = text.str.strip_chars().cast(pl.Float64, strict=False)
        if odd is None:
            lowered = text.str.strip_chars().str.to_lowercase()
            out = (
                pl.when(lowered.is_in(list(WORD_VALUE)))
                .then(lowered.replace_strict(WORD_VALUE, default=None, return_dtype=pl.Float64))
                .otherwise(out)
            )
            odd = PASSFAIL_VALUE
        # A when-chain of equality tests is ~20x faster than replace_strict on 1M strings.
        for value in odd:
            number = text_value(value)
            if number is not None and _as_number(value.strip()) is None:
                out = pl.when(text == value).then(pl.lit(number)).otherwise(out)
    else:
        raise ValueError(f"score column {column!r} ({dtype}) holds no numbers")
    return pl.when(out.is_finite()).then(out).otherwise(None).alias(column)


def _descriptor_of(df: pl.DataFrame, column: str) -> ScoreDescriptor:
    return ScoreDescriptor(column, column, column, **describe_column(df.get_column(column)))


def descriptor_value_expr(d: ScoreDescriptor, dtype: pl.DataType) -> pl.Expr:
    """`value_expr` for a described column (branches only for the values it holds)."""
    return value_expr(d.column, dtype, d.non_numeric or d.categories or ())


def _not_numeric(d: ScoreDescriptor, dtype: pl.DataType, *, empty: bool = False) -> str:
    if empty or (d.kind == "other" and dtype.is_numeric()):
        # numbers described "other" have no finite value at all
        return (
            f"score column {d.column!r} ({dtype}) has no values: every row is missing"
            f"{', NaN or infinite' if dtype.is_float() else ''}; pick another score"
        )
    sample = f" such as {', '.join(repr(c) for c in d.categories[:4])}" if d.categories else ""
    return (
        f"score column {d.column!r} ({dtype}) is not numeric: it holds {d.kind} values"
        f"{sample}; pick a numeric, boolean or pass/fail (C/I) score"
    )


def _no_values(series: pl.Series) -> bool:
    """Whether every value is missing (null, or missing text such as "")."""
    if series.dtype == pl.String:
        return bool(series.is_null().all() or series.is_in(list(_MISSING_TEXT)).all())
    return series.null_count() == series.len()


ScoreCache = dict[tuple[str, bool], "pl.Expr | ValueError"]
"""Score expressions already built for one frame, by (column, unit): choosing a default
score and then reading it describes each column once, not twice."""


def score_values(
    df: pl.DataFrame, column: str, *, unit: bool = False, cache: ScoreCache | None = None
) -> pl.Expr:
    """A score column as Float64 numbers: the one rule for sorting, means and success.

    Args:
        df: The frame holding ``column`` (its values decide how text reads).
        column: The score column.
        unit: Also require every value in [0, 1] (success as a probability, e.g. for
            `scores_by_limit_df`): 0/1, booleans, pass/fail letters, fractions.
        cache: Expressions (and refusals) already built for this same ``df``.

    Raises:
        ValueError: naming the column, when it holds no numbers (or, with ``unit``,
            values outside [0, 1]).

    Example:
        >>> df = pl.DataFrame({"grade": ["10", "9", "I", None]})
        >>> df.select(score_values(df, "grade"))["grade"].to_list()
        [10.0, 9.0, 0.0, None]
    """
    if cache is not None:
        cached = cache.get((column, unit))
        if cached is None:
            try:
                cached = score_values(df, column, unit=unit)
            except ValueError as error:
                cached = error
            cache[(column, unit)] = cached
        if isinstance(cached, ValueError):
            raise cached
        return cached
    if column not in df.columns:
        raise unknown_name_error("column", column, df.columns)
    d = _descriptor_of(df, column)
    dtype = df.schema[column]
    if not d.is_numeric:
        empty = d.kind == "other" and _no_values(df.get_column(column))
        raise ValueError(_not_numeric(d, dtype, empty=empty))
    if unit:
        lows = [v for v in (d.min, *(text_value(t) for t in d.non_numeric)) if v is not None]
        highs = [v for v in (d.max, *(text_value(t) for t in d.non_numeric)) if v is not None]
        lo, hi = min(lows, default=0.0), max(highs, default=0.0)
        if lo < 0 or hi > 1:
            raise ValueError(
                f"score column {column!r} ({dtype}) has values in [{lo}, {hi}]; success "
                f"needs 0/1 (or a fraction in [0, 1]): derive one first, e.g. "
                f"pl.col({column!r}) >= threshold"
            )
    return descriptor_value_expr(d, dtype)


# --------------------------------------------------------------------------- defaults
def _fits(df: pl.DataFrame, column: str, unit: bool, cache: ScoreCache) -> bool:
    try:
        score_values(df, column, unit=unit, cache=cache)
    except ValueError:
        return False
    return True


def _no_score(df: pl.DataFrame, unit: bool, argument: str) -> NoScoreError:
    wanted = "pass/fail (C/I, boolean or 0–1)" if unit else "numeric or pass/fail"
    columns = score_columns(df.columns)
    if df.height == 0:
        found = "the samples frame has no rows"
    elif not columns:
        errors = 0
        if "error" in df.columns:
            err = df.get_column("error").cast(pl.String)
            errors = int((err.is_not_null() & (err != "")).sum())
        found = f"{df.height} samples and no score columns" + (
            f" ({errors} of the samples ended in an error)" if errors else ""
        )
    else:
        kinds = ", ".join(f"{c} ({describe_column(df.get_column(c))['kind']})" for c in columns)
        found = f"score columns {kinds}"
    hint = "" if not columns else f"; pass {argument}= naming one"
    return NoScoreError(f"no {wanted} score to show: found {found}{hint}")


def default_score(df: pl.DataFrame, *, unit: bool = False, argument: str = "score") -> str:
    """The score a frame shows by default: its first numeric or pass/fail score column.

    Args:
        df: A samples frame.
        unit: Only scores whose values lie in [0, 1] (success rates).
        argument: The argument a caller can pass instead (named in the error).

    Example:
        >>> default_score(pl.DataFrame({"score_notes": ["x"], "score_match": ["C"]}))
        'score_match'
    """
    cache: ScoreCache = {}
    for column in score_columns(df.columns):
        if _fits(df, column, unit, cache):
            return column
    raise _no_score(df, unit, argument)


def default_scores(
    df: pl.DataFrame,
    by: str,
    *,
    unit: bool = False,
    argument: str = "score",
    cache: ScoreCache | None = None,
) -> dict[str, str]:
    """Per value of ``by`` (a task column): the first numeric score with values there.

    Tasks scored by different scorers each get their own default: the score the task's
    logs lead their results with (their headline, when the frame came from the readers),
    else the first numeric or pass/fail score column with values in that task. A task
    whose rows have no numeric score at all is left out (it has nothing to show). Pass
    the same ``cache`` to `values_by` to read the chosen scores without describing them
    again.

    Example:
        >>> df = pl.DataFrame({"task": ["a", "b"], "score_x": ["C", None], "score_y": [None, 7]})
        >>> default_scores(df, "task")
        {'a': 'score_x', 'b': 'score_y'}
    """
    columns = score_columns(df.columns)
    if not columns or df.height == 0:
        raise _no_score(df, unit, argument)
    if df.get_column(by).null_count() == df.height:
        raise ValueError(f"the {by!r} column is empty: {MISSING_TASK_HINT}")
    aggregates = [pl.col(c).is_not_null().sum() for c in columns]
    with_headline = "eval_id" in df.columns and bool(_headlines)
    if with_headline:
        aggregates.append(pl.col("eval_id").unique().alias("__evals"))
    present = (
        df.group_by(pl.col(by).cast(pl.String), maintain_order=True)
        .agg(aggregates)
        .filter(pl.col(by).is_not_null())
    )
    split = _known_split(columns)
    pairs = {c: split.get(c) or split_score_column(c, columns) for c in columns}
    cache = {} if cache is None else cache
    chosen: dict[str, str] = {}
    for row in present.iter_rows(named=True):
        # The eval's headline first (what inspect_ai reports for it), then column order.
        heads = {_headlines.get(e) for e in row["__evals"]} if with_headline else set()
        ordered = sorted(columns, key=lambda c: pairs[c] not in heads)
        for column in ordered:
            if row[column] > 0 and _fits(df, column, unit, cache):
                chosen[row[by]] = column
                break
    if not chosen:
        raise _no_score(df, unit, argument)
    return chosen


def values_by(
    df: pl.DataFrame,
    by: str,
    choice: Mapping[str, str],
    *,
    unit: bool = False,
    cache: ScoreCache | None = None,
) -> pl.Expr:
    """One Float64 expression: each row's value of the score ``choice`` names for its ``by``.

    Example:
        >>> df = pl.DataFrame({"task": ["a", "b"], "score_x": ["C", None], "score_y": [None, 7]})
        >>> df.select(values_by(df, "task", {"a": "score_x", "b": "score_y"}))["value"].to_list()
        [1.0, 7.0]
    """
    groups: dict[str, list[str]] = {}
    for key, column in choice.items():
        groups.setdefault(column, []).append(key)
    if len(groups) == 1:
        (column,) = groups
        return score_values(df, column, unit=unit, cache=cache).alias("value")
    key_col = pl.col(by).cast(pl.String)
    out: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for column, keys in reversed(groups.items()):
        values = score_values(df, column, unit=unit, cache=cache)
        out = pl.when(key_col.is_in(keys)).then(values).otherwise(out)
    return out.alias("value")
