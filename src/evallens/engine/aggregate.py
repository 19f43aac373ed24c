"""Heatmap cells and limit curves over a lazy source: group-bys its engine runs.

The same definitions as `evallens.heatmap.cells` and `evallens.limit.curves` (inspect_viz's),
with each pass over the samples a narwhals plan: per task × model means, counts and standard
deviations; per model × usage sums. Only those small results reach the kernel.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import polars as pl

from evallens.engine.source import LazySource, collect
from evallens.engine.values import descriptor_value_expr
from evallens.errors import unknown_name_error
from evallens.heatmap.cells import (
    HEADLINE,
    HeatmapColumns,
    HeatmapData,
    color_domain,
)
from evallens.limit import curves
from evallens.scores import MISSING_TASK_HINT, NUMERIC_KINDS, ScoreDescriptor, score_columns
from evallens.wire import ROW


def _require(source: LazySource, name: str) -> str:
    if name not in source.columns:
        if name in ("task_name", "model"):
            raise ValueError(
                f"the frame has no {name!r} column: {MISSING_TASK_HINT} "
                f"(columns: {', '.join(source.columns)})"
            )
        raise unknown_name_error("column", name, source.columns)
    return name


def _numeric(d: ScoreDescriptor, unit: bool) -> bool:
    if d.kind not in NUMERIC_KINDS:
        return False
    if not unit:
        return True
    from evallens.scores import text_value

    values = [v for v in (d.min, d.max, *(text_value(t) for t in d.non_numeric)) if v is not None]
    return all(0 <= v <= 1 for v in values)


def score_expr(source: LazySource, column: str, *, unit: bool = False) -> nw.Expr:
    """A score column as Float64 under the score rule; non-numeric scores raise as eagerly."""
    if column not in source.columns:
        raise unknown_name_error("column", column, source.columns)
    d = source.descriptor(column)
    if not _numeric(d, unit):
        from evallens.scores import _not_numeric

        if d.kind in NUMERIC_KINDS:
            raise ValueError(
                f"score column {column!r} has values in [{d.min}, {d.max}]; success needs "
                f"0/1 (or a fraction in [0, 1]): derive one first"
            )
        raise ValueError(_not_numeric(d, source.polars_schema[column]))
    return descriptor_value_expr(d, source.schema[column])


def default_scores(source: LazySource, by: str, *, unit: bool = False) -> dict[str, str]:
    """Per value of ``by``: the first numeric score column with values there (as eagerly)."""
    columns = score_columns(source.columns)
    counts = collect(
        source.frame.filter(~nw.col(by).is_null())
        .select(
            nw.col(by).cast(nw.String).alias("__by"),
            ROW,
            *((~nw.col(c).is_null()).cast(nw.Int64).alias(c) for c in columns),
        )
        .group_by("__by")
        .agg(nw.col(ROW).min().alias("__first"), *(nw.col(c).sum() for c in columns)),
        streaming=True,
    ).sort("__first")
    fits = {d.column: _numeric(d, unit) for d in source.scores if d.column in columns}
    heads = _headlines_by(source, by)
    pairs = {d.column: (d.scorer, d.name) for d in source.scores}
    chosen: dict[str, str] = {}
    for row in counts.iter_rows(named=True):
        # The eval's headline first (what inspect_ai reports for it), then column order.
        theirs = heads.get(row["__by"], set())
        for column in sorted(columns, key=lambda c: pairs.get(c) not in theirs):
            if row[column] and fits.get(column, False):
                chosen[row["__by"]] = column
                break
    if not chosen:
        from evallens.errors import NoScoreError

        raise NoScoreError(
            f"no {'pass/fail' if unit else 'numeric or pass/fail'} score to show in "
            f"{source.engine} data (score columns: {', '.join(columns) or 'none'})"
        )
    return chosen


def _headlines_by(source: LazySource, by: str) -> dict[str, set[tuple[str, str] | None]]:
    """Per value of ``by``: the headline (scorer, score) of its evals, as the readers noted."""
    from evallens.scores import _headlines

    if "eval_id" not in source.columns or not _headlines:
        return {}
    evals = collect(
        source.frame.filter(~nw.col(by).is_null())
        .select(nw.col(by).cast(nw.String).alias("__by"), nw.col("eval_id"))
        .unique(),
        streaming=True,
    )
    out: dict[str, set[tuple[str, str] | None]] = {}
    for key, eval_id in evals.iter_rows():
        out.setdefault(key, set()).add(_headlines.get(eval_id))
    return out


def _values_by(source: LazySource, by: str, choice: dict[str, str], *, unit: bool) -> nw.Expr:
    groups: dict[str, list[str]] = {}
    for key, column in choice.items():
        groups.setdefault(column, []).append(key)
    if len(groups) == 1:
        (column,) = groups
        return score_expr(source, column, unit=unit).alias("value")
    out: nw.Expr = nw.lit(None, dtype=nw.Float64)
    for column, keys in reversed(groups.items()):
        values = score_expr(source, column, unit=unit)
        out = nw.when(nw.col(by).cast(nw.String).is_in(keys)).then(values).otherwise(out)
    return out.alias("value")


def heatmap_columns(
    source: LazySource,
    task_name: str = "task_display_name",
    model_name: str = "model_display_name",
    score_value: str = HEADLINE,
) -> HeatmapColumns:
    """`evallens.heatmap.cells.resolve_columns` over a lazy source."""
    if task_name == "task_display_name" and task_name not in source.columns:
        task_name = "task_name"
    if model_name == "model_display_name" and model_name not in source.columns:
        model_name = "model"
    level: Any = "samples" if "id" in source.columns else "evals"
    task, model = _require(source, task_name), _require(source, model_name)
    viewer = "log_viewer" if "log_viewer" in source.columns else None
    if score_value == HEADLINE and HEADLINE not in source.columns and level == "samples":
        chosen = default_scores(source, task)
        if len(set(chosen.values())) == 1:
            return HeatmapColumns(
                task, model, next(iter(chosen.values())), level, log_viewer=viewer
            )
        return HeatmapColumns(task, model, None, level, log_viewer=viewer, task_scores=chosen)
    if score_value not in source.columns and f"score_{score_value}" in source.columns:
        score_value = f"score_{score_value}"
    score = _require(source, score_value)
    if level == "evals":
        raise ValueError("a lazy source's heatmap is over samples (an 'id' column); collect evals")
    return HeatmapColumns(task, model, score, level, log_viewer=viewer)


def heatmap_data(source: LazySource, columns: HeatmapColumns) -> HeatmapData:
    """Mean score per task × model, with counts and standard errors (as `cells.aggregate`)."""
    if columns.score is not None:
        value = score_expr(source, columns.score).alias("value")
    else:
        value = _values_by(source, columns.task, dict(columns.task_scores or {}), unit=False)
    base = source.frame.select(
        ROW,
        nw.col(columns.task).cast(nw.String).alias("task"),
        nw.col(columns.model).cast(nw.String).alias("model"),
        value,
        *(
            [nw.col(columns.log_viewer).cast(nw.String).alias("__link")]
            if columns.log_viewer
            else []
        ),
    ).filter(~nw.col("task").is_null() & ~nw.col("model").is_null())
    cells = collect(
        base.group_by("task", "model").agg(
            nw.col("value").mean().alias("value"),
            nw.col("value").count().alias("n"),
            nw.col("value").std().alias("sd"),
            nw.col(ROW).min().alias("__first"),
        ),
        streaming=True,
    )
    bounds = collect(
        base.select(nw.col("value").min().alias("lo"), nw.col("value").max().alias("hi"))
    )
    tasks = cells.group_by("task").agg(pl.col("__first").min()).sort("__first")["task"].to_list()
    models = cells.group_by("model").agg(pl.col("__first").min()).sort("__first")["model"].to_list()
    n = pl.col("n").cast(pl.Int64)
    links = _links(base, columns) if columns.log_viewer else None
    out = cells.with_columns(
        n,
        pl.col("value").cast(pl.Float64),
        pl.when(n > 1)
        .then(pl.col("sd") / n.cast(pl.Float64).sqrt())
        .cast(pl.Float64)
        .alias("stderr"),
        pl.col("task").replace_strict(tasks, list(range(len(tasks)))).alias("__t"),
        pl.col("model").replace_strict(models, list(range(len(models)))).alias("__m"),
    ).sort("__t", "__m")
    if links is not None:
        out = out.join(links, on=["task", "model"], how="left", maintain_order="left")
    else:
        out = out.with_columns(pl.lit(None, pl.String).alias("log_viewer"))
    lo, hi = bounds.row(0)
    domain = color_domain(pl.Series([v for v in (lo, hi) if v is not None], dtype=pl.Float64))
    return HeatmapData(
        columns=columns,
        cells=out.select("task", "model", "value", "n", "stderr", "log_viewer"),
        tasks=tasks,
        models=models,
        domain=domain,
    )


def _links(base: nw.LazyFrame[Any], columns: HeatmapColumns) -> pl.DataFrame:
    """Each cell's first web link (as eagerly: the first row with an http(s) link)."""
    link = nw.col("__link")
    web = link.str.to_lowercase().str.starts_with(
        "http://"
    ) | link.str.to_lowercase().str.starts_with("https://")
    firsts = collect(
        base.filter(web.fill_null(False))
        .group_by("task", "model")
        .agg(nw.col(ROW).min().alias(ROW)),
        streaming=True,
    )
    if firsts.height == 0:
        return pl.DataFrame(schema={"task": pl.String, "model": pl.String, "log_viewer": pl.String})
    rows = collect(
        base.filter(nw.col(ROW).is_in(firsts[ROW].to_list())).select("task", "model", "__link")
    )
    return rows.unique(["task", "model"], keep="first").rename({"__link": "log_viewer"})


def scores_by_limit(
    source: LazySource,
    score: str,
    limit: str = "total_tokens",
    scale: curves.Scale = "auto",
    steps: int = 100,
    *,
    model: str = "model",
    task: str | None = None,
    values: nw.Expr | None = None,
) -> pl.DataFrame:
    """`evallens.scores_by_limit_df` over a lazy source (a numeric limit column)."""
    if scale not in ("log", "linear", "auto"):
        raise ValueError(f"scale must be 'log', 'linear' or 'auto', not {scale!r}")
    if steps < 1:
        raise ValueError(f"steps must be at least 1, not {steps}")
    for name in (model, limit):
        if name not in source.columns:
            raise unknown_name_error("column", name, source.columns)
    if not source.schema[limit].is_numeric():
        raise ValueError(f"limit column {limit!r} must be numeric, not {source.schema[limit]}")
    task_column = curves._task_column(source.columns, task)
    score_value = values if values is not None else score_expr(source, score, unit=True)
    data = source.frame.select(
        nw.col(model).alias("model"),
        nw.col(limit).cast(nw.Float64).alias(curves._USAGE),
        score_value.alias(curves._SCORE),
        (nw.col(task_column) if task_column else nw.lit(None, nw.String)).alias(curves._TASK),
    ).filter(
        ~nw.col("model").is_null()
        & ~nw.col(curves._USAGE).is_null()
        & ~nw.col(curves._SCORE).is_null()
    )
    limits = None
    if data.implementation.is_polars():
        # usage's range first (one streamed pass), so the group-bys run on usage binned
        # to the limits: a few groups per model, however many distinct usage values
        usage = nw.col(curves._USAGE)
        lo, hi = collect(
            data.select(usage.min().alias("lo"), usage.max().alias("hi")), streaming=True
        ).row(0)
        if lo is None:
            raise ValueError(f"no samples with a model, a {score!r} score and a {limit!r} value")
        limits = curves.limit_grid(float(lo), float(hi), scale, steps)
    sums, failed, tasks = curves.aggregates(data, limits)
    if sums.height == 0:
        raise ValueError(f"no samples with a model, a {score!r} score and a {limit!r} value")
    if limits is None:
        lo, hi = float(sums[curves._USAGE].min()), float(sums[curves._USAGE].max())  # type: ignore[arg-type]
        limits = curves.limit_grid(lo, hi, scale, steps)
    present = [c for c in ("log", "model_display_name") if c in source.columns and c != model]
    extras = None
    if present:
        firsts = collect(
            source.frame.filter(~nw.col(model).is_null())
            .select(ROW, nw.col(model).alias("__model"))
            .group_by("__model")
            .agg(nw.col(ROW).min().alias(ROW)),
            streaming=True,
        )
        extras = source.rows(firsts[ROW].to_list(), [model, *present]).select(
            pl.col(model).alias("model"), *present
        )
    return curves.curves_from_sums(sums, failed, tasks, limits, extras=extras, limit=limit)


def default_limit_values(source: LazySource) -> tuple[nw.Expr, str]:
    """Each task's first pass/fail score (as `limit.model.with_default_score`), one expression."""
    task = next((c for c in ("task_name", "task_display_name") if c in source.columns), None)
    if task is None:
        columns = [d.column for d in source.scores if _numeric(d, True)]
        if not columns:
            raise ValueError("no pass/fail score (C/I, boolean or 0–1) to show; pass score=...")
        return score_expr(source, columns[0], unit=True), columns[0]
    chosen = default_scores(source, task, unit=True)
    if len(set(chosen.values())) == 1:
        column = next(iter(chosen.values()))
        return score_expr(source, column, unit=True), column
    return _values_by(source, task, chosen, unit=True), "__default_score"
