"""Success rate as a function of a token or time budget ("what if the limit had been L?").

``scores_by_limit_df`` follows the definition of inspect_viz's function of the same name,
computed with sort-based cumulative sums instead of a pass over the samples per limit:
a sample counts at limit ``L`` iff its usage is ``<= L``, so per model the success sum at
every limit is one as-of lookup into the usage-sorted running sum of scores.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, Literal

import narwhals as nw
import polars as pl

from evallens.errors import unknown_name_error
from evallens.frames import as_polars
from evallens.scores import score_values

Scale = Literal["log", "linear", "auto"]

LIMIT_COLUMNS = ("total_tokens", "total_time", "working_time")
"""Limit columns the chart recognises by name (in this order) in a prepared frame."""

TASK_COLUMNS = ("task_id", "eval_id", "task_name")
"""Columns that identify a model's task runs, tried in order for ``other_termination_rate``."""

_USAGE = "__usage"
_SCORE = "__score"
_TASK = "__task"
_STEP = "__step"


def scores_by_limit_df(
    samples: Any,
    score: str,
    limit: str = "total_tokens",
    scale: Scale = "auto",
    steps: int = 100,
    *,
    model: str = "model",
    task: str | None = None,
) -> pl.DataFrame:
    """Success rate, standard error and other-termination rate per model at ``steps`` limits.

    For each limit ``L`` (``steps`` values between the observed min and max usage of the
    ``limit`` column; log-spaced under ``scale="auto"`` when max/min >= 100, as inspect_viz
    does) a sample keeps its score when its usage is ``<= L`` and scores 0 otherwise. Per
    model and limit the result holds ``success_rate`` (mean), ``standard_error`` (sample
    standard error, ``ddof=1``; NaN for a single sample), ``other_termination_rate`` (share of
    samples that stopped below ``L`` with score 0, averaged over the model's tasks), ``count``
    and, when present in ``samples``, ``log`` and ``model_display_name`` (first per model).
    Rows are ordered by limit, then model.

    Scores become numbers by the project's one rule (`evallens.scores.score_values`):
    booleans 1/0, pass/fail letters ``C`` 1, ``P`` 0.5, ``I``/``N`` 0, ``yes``/``true`` 1 and
    ``no``/``false`` 0, numbers and numeric text as they are; every value must lie in [0, 1]
    (fractions are partial credit), otherwise ``ValueError``.

    Differences from inspect_viz, on purpose: ``samples`` is never modified; only rows with a
    missing model, score or usage are dropped (``total_time``/``working_time``/``model_usage``
    are not required); a ``total_tokens`` column is read as it is (otherwise it is taken from
    the evaluated model's entry of a JSON ``model_usage``, as inspect_viz does); under
    ``auto`` a minimum usage <= 0 selects a linear grid (a log grid cannot start at 0).

    Args:
        samples: samples frame (polars, pandas, or a polars LazyFrame).
        score: score column (``0`` = fail, ``1`` = success).
        limit: usage column the budget applies to (``total_tokens``, ``total_time``,
            ``working_time`` or any numeric column).
        scale: ``"log"``, ``"linear"`` or ``"auto"`` spacing of the limits.
        steps: number of limits.
        model: column identifying the model.
        task: column identifying a model's task runs for ``other_termination_rate``
            (default: the first of ``task_id``, ``eval_id``, ``task_name`` present).

    Example:
        >>> import evallens
        >>> df = evallens.synthetic_samples(2, 3, 50)
        >>> curve = evallens.scores_by_limit_df(df, "score_match", steps=20)
        >>> curve.columns[:4]
        ['total_tokens', 'model', 'success_rate', 'standard_error']
        >>> curve.height
        40
    """
    frame = _as_frame(samples)
    if scale not in ("log", "linear", "auto"):
        raise ValueError(f"scale must be 'log', 'linear' or 'auto', not {scale!r}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    columns = frame.columns
    for name in (model, score):
        if name not in columns:
            raise unknown_name_error("column", name, columns)
    task_column = _task_column(columns, task)

    data = (
        frame.lazy()
        .select(
            pl.col(model).alias("model"),
            usage_expr(frame, limit, model).alias(_USAGE),
            score_values(frame, score, unit=True).alias(_SCORE),
            (pl.col(task_column) if task_column else pl.lit(None, pl.String)).alias(_TASK),
        )
        .filter(
            pl.col("model").is_not_null()
            & pl.col(_USAGE).is_not_null()
            & pl.col(_USAGE).is_not_nan()
            & pl.col(_SCORE).is_not_null()
            & pl.col(_SCORE).is_not_nan()
        )
        .collect()
    )
    if data.height == 0:
        raise ValueError(f"no samples with a model, a {score!r} score and a {limit!r} value")

    lo, hi = data[_USAGE].min(), data[_USAGE].max()
    assert isinstance(lo, float) and isinstance(hi, float)
    limits = limit_grid(lo, hi, scale, steps)
    return curves_from_sums(
        *aggregates(nw.from_native(data.lazy()), limits),
        limits,
        extras=_first_per_model(frame, model, ("log", "model_display_name")),
        limit=limit,
    )


def curves_from_sums(
    sums: pl.DataFrame,
    failed: pl.DataFrame,
    tasks: pl.DataFrame,
    limits: list[float],
    *,
    extras: pl.DataFrame | None,
    limit: str,
) -> pl.DataFrame:
    """The curves from per-usage aggregates (`usage_sums`, `failed_counts`, `task_counts`).

    Every pass over the samples is one of those group-bys, so an engine holding the
    samples (a lazy source) computes them and only their small results come here.
    """
    grid = pl.DataFrame(
        {_STEP: pl.Series(range(len(limits)), dtype=pl.Int64), "limit": limits},
        schema={_STEP: pl.Int64, "limit": pl.Float64},
    )
    per_model = sums.group_by("model").agg(count=pl.col("n").sum())
    curves = _success_by_limit(sums, grid, per_model)
    other = _other_termination_by_limit(failed, tasks, grid)
    out = (
        curves.join(other, on=["model", _STEP], how="left")
        .with_columns(pl.col("other_termination_rate").fill_null(float("nan")))
        .sort(_STEP, "model")
    )
    if extras is not None:
        out = out.join(extras, on="model", how="left")
    keep = ["success_rate", "standard_error", "other_termination_rate", "count"]
    return out.select(
        pl.col("limit").alias(limit),
        "model",
        *keep,
        *[c for c in ("log", "model_display_name") if extras is not None and c in extras.columns],
    )


def limit_grid(lo: float, hi: float, scale: Scale, steps: int) -> list[float]:
    """The limits ``scores_by_limit_df`` evaluates: numpy's ``linspace``/``logspace`` values.

    Bit-identical to inspect_viz's grid so a sample whose usage sits on a grid point (the
    smallest one always does) falls on the same side: numpy's vectorised ``log10``/``power``
    can differ from libm's by an ulp, so numpy computes the log grid when it is installed
    (it is wherever pandas or inspect_viz are); otherwise the same formula runs on floats.

    Example:
        >>> limit_grid(1.0, 1000.0, "auto", 4)
        [1.0, 10.0, 100.0, 1000.0]
    """
    if not use_log_scale(lo, hi, scale):
        return _linspace(lo, hi, steps)
    if lo <= 0:
        raise ValueError(f"a log scale needs positive usage; the smallest value is {lo}")
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy comes with pyarrow/pandas in practice
        return [10.0**x for x in _linspace(math.log10(lo), math.log10(hi), steps)]
    return [float(x) for x in np.logspace(np.log10(lo), np.log10(hi), steps)]


def use_log_scale(lo: float, hi: float, scale: Scale) -> bool:
    """Whether ``scale`` resolves to log for usage in ``[lo, hi]`` (auto: >= 2 decades)."""
    if scale == "log":
        return True
    return scale == "auto" and lo > 0 and hi / lo >= 100


def _linspace(start: float, stop: float, n: int) -> list[float]:
    if n == 1:
        return [start]
    step = (stop - start) / (n - 1)
    if step == 0:
        return [start] * n
    return [i * step + start for i in range(n - 1)] + [stop]


def _as_frame(samples: Any) -> pl.DataFrame:
    frame = as_polars(samples)
    if frame is None:
        raise TypeError(
            f"samples must be a polars, pandas or Arrow frame, not {type(samples).__name__}"
        )
    return frame


def _task_column(columns: Sequence[str], task: str | None) -> str | None:
    if task is not None:
        if task not in columns:
            raise unknown_name_error("column", task, columns)
        return task
    return next((c for c in TASK_COLUMNS if c in columns), None)


def usage_expr(frame: pl.DataFrame, limit: str, model: str) -> pl.Expr:
    """Usage per sample: the ``limit`` column, or total tokens from a JSON ``model_usage``."""
    if limit in frame.columns:
        dtype = frame.schema[limit]
        if not dtype.is_numeric():
            raise ValueError(f"limit column {limit!r} must be numeric, not {dtype}")
        return pl.col(limit).cast(pl.Float64)
    if limit == "total_tokens" and frame.schema.get("model_usage") == pl.String:
        # model_usage maps every model the sample called (judges too) to its usage;
        # like inspect_viz, count the evaluated model's own tokens only
        models = [m for m in frame[model].unique().to_list() if m is not None]
        usage = pl.col("model_usage").str.json_decode(
            pl.Struct({m: pl.Struct({"total_tokens": pl.Float64}) for m in models})
        )
        expr: Any = pl
        for m in models:
            expr = expr.when(pl.col(model) == m).then(
                usage.struct.field(m).struct.field("total_tokens")
            )
        return expr.otherwise(None) if models else pl.lit(None, pl.Float64)
    raise unknown_name_error("column", limit, frame.columns)


def usage_sums(data: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Per model and usage: the scores' sum, sum of squares and count (one group-by).

    These three group-bys are every pass over the samples, written over narwhals so the
    engine holding them (polars, DuckDB, Dask...) runs them where they are.
    """
    squared = data.with_columns((nw.col(_SCORE) * nw.col(_SCORE)).alias("__s2"))
    return squared.group_by("model", _USAGE).agg(
        nw.col(_SCORE).sum().alias("s"), nw.col("__s2").sum().alias("s2"), nw.len().alias("n")
    )


def failed_counts(data: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Per model, task and usage: samples scored 0 (one group-by)."""
    return (
        data.filter(~nw.col(_TASK).is_null() & (nw.col(_SCORE) == 0))
        .group_by("model", _TASK, _USAGE)
        .agg(nw.len().alias("failed"))
    )


def task_counts(data: nw.LazyFrame[Any]) -> nw.LazyFrame[Any]:
    """Per model and task: samples (one group-by)."""
    return data.filter(~nw.col(_TASK).is_null()).group_by("model", _TASK).agg(nw.len().alias("n"))


def aggregates(
    data: nw.LazyFrame[Any], limits: Sequence[float] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """`usage_sums`, `failed_counts` and `task_counts` run, as polars frames.

    Given the ``limits`` (strictly increasing) and polars holding ``data``, usage is first
    binned to the limits, so the group-bys hold a few groups per model instead of one per
    distinct usage value (at 100M samples, millions of groups). Each sample's usage is
    replaced by a stand-in that sits on the same side of every limit as the usage does:
    for the sums (``usage <= L``) the first limit at or above it (+inf above the last), for
    the failures (``usage < L``) the last limit at or below it (-inf below the first).
    `curves_from_sums` then gives the same curves as from the usage itself.
    """
    binned = limits is not None and data.implementation.is_polars() and _increasing(limits)
    if binned and hasattr(pl.Expr, "bin_intervals"):  # polars >= 2.1 (elementwise, streamed)
        return _binned_aggregates(data.to_native(), list(limits or ()))
    out = []
    for plan in (usage_sums(data), failed_counts(data), task_counts(data)):
        if plan.implementation.is_polars():
            frame = plan.collect(engine="streaming").to_polars()
        else:
            frame = plan.collect().to_polars()
        out.append(
            frame.with_columns(
                pl.col(c).cast(pl.Int64) for c in ("n", "failed") if c in frame.columns
            )
        )
    return out[0], out[1], out[2]


def _binned_aggregates(
    data: pl.LazyFrame, limits: list[float]
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """`aggregates` in one streamed pass, usage binned to the (strictly increasing) limits.

    One group-by per (model, task, bin for ``<=``, bin for ``<``) holds everything the three
    aggregates need; they are summed from its few rows, and each bin becomes its stand-in.
    """
    le, lt = "__le", "__lt"
    score = pl.col(_SCORE)
    fine = (
        data.with_columns(
            # usage <= L: bin i is (L[i-1], L[i]]; usage < L: bin i is [L[i-1], L[i])
            pl.col(_USAGE).bin_intervals(limits, labels=False, right_closed=True).alias(le),
            pl.col(_USAGE).bin_intervals(limits, labels=False, right_closed=False).alias(lt),
        )
        .group_by("model", _TASK, le, lt)
        .agg(
            s=score.sum(),
            s2=(score * score).sum(),
            n=pl.len().cast(pl.Int64),
            failed=(score == 0).sum().cast(pl.Int64),
        )
        .collect(engine="streaming")
    )
    above = pl.Series([*limits, math.inf], dtype=pl.Float64)
    below = pl.Series([-math.inf, *limits], dtype=pl.Float64)
    sums = (
        fine.group_by("model", le)
        .agg(pl.col("s").sum(), pl.col("s2").sum(), pl.col("n").sum())
        .select("model", pl.lit(above).gather(pl.col(le)).alias(_USAGE), "s", "s2", "n")
    )
    tasks = fine.filter(pl.col(_TASK).is_not_null())
    failed = (
        tasks.filter(pl.col("failed") > 0)
        .group_by("model", _TASK, lt)
        .agg(pl.col("failed").sum())
        .select("model", _TASK, pl.lit(below).gather(pl.col(lt)).alias(_USAGE), "failed")
    )
    return sums, failed, tasks.group_by("model", _TASK).agg(pl.col("n").sum())


def _increasing(values: Sequence[float]) -> bool:
    return all(a < b for a, b in itertools.pairwise(values))


def _success_by_limit(
    sums: pl.DataFrame, grid: pl.DataFrame, per_model: pl.DataFrame
) -> pl.DataFrame:
    """success_rate / standard_error / count per (model, limit) from running sums over usage."""
    running = (
        sums.select("model", _USAGE, "s", "s2")
        .sort("model", _USAGE)
        .with_columns(
            s=pl.col("s").cum_sum().over("model"),
            s2=pl.col("s2").cum_sum().over("model"),
        )
        .sort(_USAGE)
    )
    # usage <= L: the last running total at or below L (backward as-of, exact matches allowed)
    at_limit = (
        per_model.join(grid, how="cross")
        .sort("limit")
        .join_asof(
            running,
            left_on="limit",
            right_on=_USAGE,
            by="model",
            strategy="backward",
            check_sortedness=False,
        )
        .with_columns(pl.col("s").fill_null(0.0), pl.col("s2").fill_null(0.0))
    )
    n = pl.col("count").cast(pl.Float64)
    variance = ((pl.col("s2") - pl.col("s") ** 2 / n) / (n - 1)).clip(lower_bound=0.0)
    return at_limit.select(
        "model",
        _STEP,
        "limit",
        success_rate=pl.col("s") / n,
        standard_error=pl.when(pl.col("count") > 1)
        .then((variance / n).sqrt())
        .otherwise(float("nan")),
        count=pl.col("count").cast(pl.Int64),
    )


def _other_termination_by_limit(
    failed_counts: pl.DataFrame, tasks: pl.DataFrame, grid: pl.DataFrame
) -> pl.DataFrame:
    """Share of a task's samples that failed below L (usage < L, score 0), averaged over tasks."""
    failed = (
        failed_counts.sort("model", _TASK, _USAGE)
        .with_columns(pl.col("failed").cum_sum().over("model", _TASK))
        .sort(_USAGE)
    )
    per_task = (
        tasks.join(grid, how="cross")
        .sort("limit")
        .join_asof(
            failed,
            left_on="limit",
            right_on=_USAGE,
            by=["model", _TASK],
            strategy="backward",
            allow_exact_matches=False,  # strictly below the limit
            check_sortedness=False,
        )
        .with_columns(rate=pl.col("failed").fill_null(0) / pl.col("n"))
    )
    return per_task.group_by("model", _STEP).agg(other_termination_rate=pl.col("rate").mean())


def _first_per_model(frame: pl.DataFrame, model: str, names: Sequence[str]) -> pl.DataFrame | None:
    present = [c for c in names if c in frame.columns and c != model]
    if not present:
        return None
    return (
        frame.lazy()
        .filter(pl.col(model).is_not_null())
        .group_by(pl.col(model).alias("model"))
        .agg(pl.col(c).drop_nulls().first() for c in present)
        .collect()
    )
