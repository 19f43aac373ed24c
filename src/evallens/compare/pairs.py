"""Samples of two models aligned on the same task, sample and epoch: values, deltas, status.

Pure polars, no widgets. A *pair* is one sample (task, id, epoch) as the baseline model
answered it and as another model answered it. Scores become numbers by the project's one
rule (`evallens.scores.score_values`), so pass/fail letters, booleans and numeric text
compare as the heatmap and the grid show them.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import polars as pl

from evallens.errors import unknown_name_error
from evallens.frames import to_frame
from evallens.io._frames import identity_from_logs
from evallens.scores import MISSING_TASK_HINT, ScoreCache, default_scores, score_values, values_by

STATUSES = ("regressed", "improved", "unchanged", "missing")
"""A pair's status, in the order comparisons list them (regressions first)."""

Status = pl.Enum(list(STATUSES))

KEYS = ("task", "id", "epoch")
PAIR_COLUMNS = ("task", "model", "value_baseline", "value", "delta", "status")
"""The columns every `paired` frame has (besides the sample keys and logs)."""

Epochs = Literal["align", "reduce"]
REDUCERS = ("mean", "median", "max", "min")
_PASS_AT = re.compile(r"pass_at_(\d+)")


def _task_column(df: pl.DataFrame, task: str) -> str:
    if task == "task_display_name" and task not in df.columns:
        task = "task_name"
    if task not in df.columns:
        if task == "task_name":
            raise ValueError(f"the frame has no task column: {MISSING_TASK_HINT}")
        raise unknown_name_error("column", task, df.columns)
    return task


def _model_column(df: pl.DataFrame, by: str) -> str:
    if by not in df.columns:
        if by == "model":
            raise ValueError(f"the frame has no 'model' column: {MISSING_TASK_HINT}")
        raise unknown_name_error("column", by, df.columns)
    return by


def _baseline_name(df: pl.DataFrame, by: str, baseline: str) -> str:
    """``baseline`` as a value of ``by``; a display name standing for one model is accepted."""
    models = df.get_column(by).cast(pl.String).drop_nulls().unique(maintain_order=True).to_list()
    if baseline in models:
        return baseline
    if by == "model" and "model_display_name" in df.columns:
        named = (
            df.filter(pl.col("model_display_name").cast(pl.String) == baseline)
            .get_column(by)
            .cast(pl.String)
            .unique()
            .to_list()
        )
        if len(named) == 1:
            return str(named[0])
    raise unknown_name_error("baseline model", baseline, models)


def _values(
    df: pl.DataFrame, task: str, score: str | None, cache: ScoreCache
) -> tuple[pl.Expr, dict[str, str]]:
    """Each row's score as a number, and the score column behind each task."""
    if score is None:
        chosen = default_scores(df, task, argument="score", cache=cache)
        return values_by(df, task, chosen, cache=cache), chosen
    if score not in df.columns and f"score_{score}" in df.columns:
        score = f"score_{score}"  # a scorer's name is enough
    expr = score_values(df, score, cache=cache).alias("value")
    tasks = df.get_column(task).cast(pl.String).drop_nulls().unique(maintain_order=True)
    return expr, dict.fromkeys(tasks.to_list(), score)


def _reducer(reduce: str) -> tuple[str, int | None]:
    if reduce in REDUCERS:
        return reduce, None
    match = _PASS_AT.fullmatch(reduce)
    if match and int(match.group(1)) >= 1:
        return "pass_at", int(match.group(1))
    raise unknown_name_error("epoch reducer", reduce, [*REDUCERS, "pass_at_<k>"])


def pass_at_k(n: int, correct: int, k: int) -> float | None:
    """Chance that at least one of ``k`` of ``n`` epochs is correct (the unbiased estimator).

    As Inspect's ``pass_at`` reducer: ``1 - C(n - c, k) / C(n, k)``, 1 when fewer
    than ``k`` epochs failed, and undefined (None) with fewer than ``k`` scored epochs.

    Example:
        >>> pass_at_k(4, 1, 2), pass_at_k(3, 0, 1), pass_at_k(3, 2, 2), pass_at_k(2, 1, 3)
        (0.5, 0.0, 1.0, None)
    """
    if n < k:
        return None
    if n - correct < k:
        return 1.0
    return 1.0 - math.comb(n - correct, k) / math.comb(n, k)


def _reduce_epochs(base: pl.DataFrame, reduce: str) -> pl.DataFrame:
    """One row per (task, id, model): the epochs' values reduced, and how many there were."""
    kind, k = _reducer(reduce)
    keys = ["task", "id", "model"]
    value = pl.col("value")
    if kind != "pass_at":
        agg = {"mean": value.mean(), "median": value.median(), "max": value.max(),
               "min": value.min()}[kind]  # fmt: skip
        return base.group_by(keys, maintain_order=True).agg(
            agg.alias("value"), value.count().alias("epochs"), pl.col("log").first()
        )
    odd = base.filter(value.is_not_null() & ~value.is_in([0.0, 1.0]))
    if odd.height:
        raise ValueError(
            f"{reduce} needs a pass/fail score (0 or 1), but task "
            f"{odd['task'][0]!r} has the value {odd['value'][0]}: reduce with 'mean'"
        )
    counted = base.group_by(keys, maintain_order=True).agg(
        value.count().alias("epochs"), value.sum().alias("__correct"), pl.col("log").first()
    )
    combos = counted.select("epochs", "__correct").unique().drop_nulls()
    table = combos.with_columns(
        pl.Series(
            "value",
            [pass_at_k(int(n), int(c), k or 1) if n else None for n, c in combos.iter_rows()],
            dtype=pl.Float64,
        )
    )
    return counted.join(table, on=["epochs", "__correct"], how="left", nulls_equal=True).drop(
        "__correct"
    )


def _duplicates_error(side: pl.DataFrame, keys: Sequence[str]) -> ValueError | None:
    dup = side.filter(pl.len().over(keys) > 1)
    if dup.height == 0:
        return None
    first = dup.row(0, named=True)
    logs = dup.filter(pl.all_horizontal(pl.col(k) == first[k] for k in keys))["log"]
    where = ", ".join(sorted({str(x) for x in logs.to_list() if x is not None})) or "one log"
    key = ", ".join(f"{k} {first[k]!r}" for k in keys if k != "model")
    return ValueError(
        f"model {first['model']!r} has {dup.height} rows that share a task, sample id and "
        f"epoch with another row (e.g. {key}, in {where}): keep one run per model and task "
        "(filter the frame), or pass epochs='reduce' to pool the runs' epochs"
    )


def _overlap_error(joined: pl.DataFrame, baseline: str) -> ValueError | None:
    counts = joined.group_by("task", "model").agg(
        pl.col("__b").sum().alias("b"), pl.col("__m").sum().alias("m"),
        (pl.col("__b") & pl.col("__m")).sum().alias("both"),
    )  # fmt: skip
    none = counts.filter(pl.col("both") == 0).sort("task", "model")
    if none.height == 0:
        return None
    task, model, b, m, _ = none.row(0)
    more = f" ({none.height - 1} more task × model pairs alike)" if none.height > 1 else ""
    return ValueError(
        f"no overlap on task {task!r}: {model!r} has {m} samples and baseline {baseline!r} "
        f"has {b}, but no sample id (and epoch) is in both{more}; check that they ran the "
        "same dataset, or leave that task out"
    )


def paired(
    samples: Any,
    baseline: str,
    *,
    score: str | None = None,
    by: str = "model",
    task: str = "task_display_name",
    epochs: Epochs = "align",
    reduce: str = "mean",
    higher_is_better: bool = True,
) -> pl.DataFrame:
    """Each model's samples aligned with the baseline's: values, the delta and a status.

    Samples are aligned on (task, sample id, epoch); with ``epochs="reduce"`` on (task,
    sample id), each side's epochs reduced first (``mean``, ``median``, ``max``, ``min``
    or ``pass_at_<k>`` for pass/fail scores, as Inspect's epoch reducers).

    Args:
        samples: A samples frame (polars, pandas), a log file or a directory of logs.
        baseline: The model everyone is compared against (a value of ``by``; a model's
            display name is accepted too).
        score: The score column (or scorer name). By default each task uses its own
            default score, as the heatmap does.
        by: The column naming the models.
        task: The column naming the tasks (falls back to ``task_name``).
        epochs: ``"align"`` pairs epoch with epoch; ``"reduce"`` pairs samples.
        reduce: How epochs are reduced when ``epochs="reduce"``.
        higher_is_better: False when a lower score is better (a delta below 0 improves).

    Returns:
        One row per sample of each other model, and per baseline sample missing from it
        (on tasks that model ran): ``task``, ``id``, ``epoch`` (``epochs`` and
        ``epochs_baseline`` counts when reduced), ``model``, ``value_baseline``,
        ``value``, ``delta`` (``value - value_baseline``), ``status`` (``regressed``,
        ``improved``, ``unchanged`` or ``missing``: a side without a sample or without a
        value), and ``log_baseline`` / ``log`` where the samples came from.

    Raises:
        UnknownNameError: for a baseline that is not a model (listing the models).
        ValueError: for a score that is not numeric-like, a task where the two models
            share no sample, or a model with the same sample twice.

    Example:
        >>> import evallens
        >>> pairs = evallens.paired(evallens.demo_samples(), baseline="gpt-4.1",
        ...                         score="score_match")
        >>> pairs.filter(pl.col("model") == "openai/o4-mini")["status"].value_counts(
        ...     sort=True).rows()
        [('unchanged', 1525), ('regressed', 467), ('improved', 360), ('missing', 48)]
    """
    return pair_samples(
        samples, baseline, score=score, by=by, task=task, epochs=epochs, reduce=reduce,
        higher_is_better=higher_is_better,
    ).frame  # fmt: skip


@dataclass(frozen=True)
class Pairs:
    """A `paired` frame and what it was built from."""

    frame: pl.DataFrame
    baseline: str
    """The baseline model, as the ``by`` column names it."""
    scores: dict[str, str]
    """Per task, the score column compared."""
    higher_is_better: bool


def pair_samples(
    samples: Any,
    baseline: str,
    *,
    score: str | None = None,
    by: str = "model",
    task: str = "task_display_name",
    epochs: Epochs = "align",
    reduce: str = "mean",
    higher_is_better: bool = True,
) -> Pairs:
    """`paired`, with the baseline's name and the score compared per task."""
    df = to_frame(samples)
    if "id" in df.columns:
        df = identity_from_logs(df)
    task = _task_column(df, task)
    by = _model_column(df, by)
    for needed in ("id",) + (("epoch",) if epochs == "align" else ()):
        if needed not in df.columns:
            raise unknown_name_error("column", needed, df.columns)
    if epochs not in ("align", "reduce"):
        raise ValueError(f"epochs is 'align' or 'reduce', got {epochs!r}")
    name = _baseline_name(df, by, baseline)
    cache: ScoreCache = {}
    value, scores = _values(df, task, score, cache)
    base = df.select(
        pl.col(task).cast(pl.String).alias("task"),
        pl.col("id"),
        *([pl.col("epoch").cast(pl.Int64)] if epochs == "align" else []),
        pl.col(by).cast(pl.String).alias("model"),
        value.cast(pl.Float64).alias("value"),
        (pl.col("log").cast(pl.String) if "log" in df.columns else pl.lit(None, pl.String)).alias(
            "log"
        ),
    ).filter(pl.col("task").is_not_null() & pl.col("model").is_not_null())
    if epochs == "reduce":
        base = _reduce_epochs(base, reduce)
        keys = ["task", "id"]
        extra = ["epochs"]
    else:
        keys = ["task", "id", "epoch"]
        extra = []
        error = _duplicates_error(base, [*keys, "model"])
        if error:
            raise error
    renamed = {"value": "value_baseline", "log": "log_baseline", "epochs": "epochs_baseline"}
    base_side = (
        base.filter(pl.col("model") == name)
        .drop("model")
        .rename({k: v for k, v in renamed.items() if k in base.columns})
    )
    others = base.filter(pl.col("model") != name)
    # The baseline's samples once per model that ran the task, so a sample the model
    # lacks shows as missing; tasks only one side ran are left out (nothing to pair).
    runs = others.select("task", "model").unique()
    left = base_side.join(runs, on="task").with_columns(pl.lit(True).alias("__b"))
    right = others.with_columns(pl.lit(True).alias("__m"))
    joined = left.join(
        right, on=[*keys, "model"], how="full", coalesce=True, maintain_order="left_right"
    )
    # Right-only rows of tasks the baseline never ran are not pairs.
    joined = joined.filter(pl.col("task").is_in(base_side.get_column("task").unique().implode()))
    if joined.height == 0:
        raise ValueError(
            f"no task has samples from both baseline {name!r} and another model "
            f"(the baseline ran {base_side['task'].n_unique()} tasks, the other models "
            f"{others['task'].n_unique()})"
        )
    joined = joined.with_columns(pl.col("__b", "__m").fill_null(False))
    error = _overlap_error(joined, name)
    if error:
        raise error
    sign = 1.0 if higher_is_better else -1.0
    delta = pl.col("value") - pl.col("value_baseline")
    status = (
        pl.when(pl.col("delta").is_null())
        .then(pl.lit("missing"))
        .when(pl.col("delta") * sign > 0)
        .then(pl.lit("improved"))
        .when(pl.col("delta") * sign < 0)
        .then(pl.lit("regressed"))
        .otherwise(pl.lit("unchanged"))
    )
    side_counts = [pl.col("epochs_baseline"), pl.col("epochs")] if extra else []
    frame = (
        joined.with_columns(delta.alias("delta"))
        .with_columns(status.cast(Status).alias("status"))
        .select(*keys, *side_counts, "model", *PAIR_COLUMNS[2:], "log_baseline", "log")
    )
    return Pairs(frame, name, scores, higher_is_better)
