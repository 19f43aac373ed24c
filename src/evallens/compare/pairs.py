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
from dataclasses import dataclass, field
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
ROW, ROW_BASELINE = "__row", "__row_baseline"
SIDES = ("log_baseline", "log", ROW_BASELINE, ROW)
"""Each side's row in the samples frame, carried through the joins (the first epoch's when
epochs are reduced), so the sides' other fields are a gather, not another join."""
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
            agg.alias("value"), value.count().alias("epochs"), pl.col("log", ROW).first()
        )
    odd = base.filter(value.is_not_null() & ~value.is_in([0.0, 1.0]))
    if odd.height:
        raise ValueError(
            f"{reduce} needs a pass/fail score (0 or 1), but task "
            f"{odd['task'][0]!r} has the value {odd['value'][0]}: reduce with 'mean'"
        )
    counted = base.group_by(keys, maintain_order=True).agg(
        value.count().alias("epochs"), value.sum().alias("__correct"), pl.col("log", ROW).first()
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


def _packed_keys(side: pl.DataFrame, keys: Sequence[str]) -> pl.Expr | None:
    """The keys packed into one UInt64 (mixed radix), when they are small integers.

    Categories count by their codes. None when a key is not an integer or the packed
    value could overflow, so the caller falls back to hashing the keys themselves.
    """
    parts = []
    for k in keys:
        dtype = side.schema[k]
        col = pl.col(k).to_physical() if isinstance(dtype, pl.Categorical) else pl.col(k)
        if not (isinstance(dtype, pl.Categorical) or dtype.is_integer()):
            return None
        parts.append(col)
    bounds = side.select(
        *(p.min().alias(f"lo{i}") for i, p in enumerate(parts)),
        *(p.max().alias(f"hi{i}") for i, p in enumerate(parts)),
    ).row(0)
    lows, highs = bounds[: len(parts)], bounds[len(parts) :]
    if any(v is None for v in bounds) or min(lows) < 0:
        return None
    packed: pl.Expr = pl.lit(0, pl.UInt64)
    span = 1
    for col, high in zip(parts, highs, strict=True):
        span *= high + 1
        if span >= 2**63:
            return None
        packed = packed * (high + 1) + col.cast(pl.UInt64)
    return packed


def _has_duplicates(side: pl.DataFrame, keys: Sequence[str]) -> bool:
    packed = _packed_keys(side, keys)
    if packed is not None:  # one integer column: a fraction of the cost of hashing rows
        return bool(side.select(packed.n_unique()).item() < side.height)
    return bool(side.select(keys).is_duplicated().any())


def _duplicates_error(side: pl.DataFrame, keys: Sequence[str]) -> ValueError | None:
    if not _has_duplicates(side, keys):
        return None
    dup = side.filter(pl.len().over(keys) > 1)
    first = dup.row(0, named=True)
    logs = dup.filter(pl.all_horizontal(pl.col(k) == first[k] for k in keys))["log"]
    where = ", ".join(sorted({str(x) for x in logs.to_list() if x is not None})) or "one log"
    key = ", ".join(f"{k} {first[k]!r}" for k in keys if k != "model")
    return ValueError(
        f"model {first['model']!r} has {dup.height} rows that share a task, sample id and "
        f"epoch with another row (e.g. {key}, in {where}): keep one run per model and task "
        "(filter the frame), or pass epochs='reduce' to pool the runs' epochs"
    )


def _missing_on_model_side(
    pairs: pl.DataFrame,
    base_side: pl.DataFrame,
    others: pl.DataFrame,
    keys: list[str],
    baseline: str,
) -> pl.DataFrame:
    """Baseline samples a model lacks on a task it ran (rows with no value on its side).

    Counted first, so the usual case, where every model ran every baseline sample of
    its tasks, costs two small group-bys and no join.
    """
    per_task = base_side.group_by("task").agg(pl.len().alias("b"))
    matched = pairs.group_by("task", "model").agg(
        pl.col("__b").count().alias("both"), pl.len().alias("m")
    )
    short = matched.join(per_task, on="task").filter(pl.col("both") < pl.col("b"))
    none = short.filter(pl.col("both") == 0).sort("task", "model")
    if none.height:
        task, model, _, m, b = none.select("task", "model", "both", "m", "b").row(0)
        more = f" ({none.height - 1} more task × model pairs alike)" if none.height > 1 else ""
        raise ValueError(
            f"no overlap on task {task!r}: {model!r} has {m} samples and baseline "
            f"{baseline!r} has {b}, but no sample id (and epoch) is in both{more}; check "
            "that they ran the same dataset, or leave that task out"
        )
    lacking = (
        base_side.join(short.select("task", "model"), on="task")
        .join(others.select(*keys, "model"), on=[*keys, "model"], how="anti")
        .with_columns(
            pl.lit(None, pl.Float64).alias("value"),
            pl.lit(None, pl.String).alias("log"),
            pl.lit(None, pl.UInt32).alias(ROW),
            pl.lit(True).alias("__b"),
        )
    )
    if "epochs" in others.columns:
        lacking = lacking.with_columns(pl.lit(None, others.schema["epochs"]).alias("epochs"))
    return lacking.select(pairs.columns)


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
    rows: pl.DataFrame | None = None
    """Per pair, the row of each side's sample in the samples frame (null: no sample)."""
    cache: ScoreCache = field(default_factory=dict)
    """Score expressions built for the samples frame (reused by views of the same frame)."""


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
    cache: ScoreCache | None = None,
) -> Pairs:
    """`paired`, with the baseline's name and the score compared per task.

    ``cache`` holds score expressions already built for this same frame.
    """
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
    cache = {} if cache is None else cache
    value, scores = _values(df, task, score, cache)
    # Task and model as categories: the duplicate check and the group-bys hash integers.
    base = df.select(
        pl.col(task).cast(pl.String).cast(pl.Categorical).alias("task"),
        pl.col("id"),
        *([pl.col("epoch").cast(pl.Int64)] if epochs == "align" else []),
        pl.col(by).cast(pl.String).cast(pl.Categorical).alias("model"),
        value.cast(pl.Float64).alias("value"),
        (pl.col("log").cast(pl.String) if "log" in df.columns else pl.lit(None, pl.String)).alias(
            "log"
        ),
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(ROW),
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
    renamed = {"value": "value_baseline", "log": "log_baseline", "epochs": "epochs_baseline",
               ROW: ROW_BASELINE}  # fmt: skip
    base_side = (
        base.filter(pl.col("model") == name)
        .drop("model")
        .rename({k: v for k, v in renamed.items() if k in base.columns})
    )
    # Tasks the baseline never ran have nothing to pair.
    others = base.filter(
        (pl.col("model") != name) & pl.col("task").is_in(base_side.get_column("task").implode())
    )
    if others.height == 0:
        raise ValueError(
            f"no task has samples from both baseline {name!r} and another model "
            f"(the baseline ran {base_side['task'].n_unique()} tasks, the other models "
            f"{base.filter(pl.col('model') != name)['task'].n_unique()})"
        )
    pairs = others.join(
        base_side.with_columns(pl.lit(True).alias("__b")), on=keys, how="left",
        maintain_order="left",
    )  # fmt: skip
    pairs = pl.concat([pairs, _missing_on_model_side(pairs, base_side, others, keys, name)])
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
        pairs.with_columns(delta.alias("delta"))
        .with_columns(status.cast(Status).alias("status"))
        .select(*keys, *side_counts, "model", *PAIR_COLUMNS[2:], *SIDES)
        .with_columns(pl.col("task", "model").cast(pl.String))
    )
    rows = frame.select(ROW_BASELINE, ROW)
    return Pairs(frame.drop(ROW_BASELINE, ROW), name, scores, higher_is_better, rows, cache)
