"""How a heatmap cell's value is computed: task × model means of a score, and the colours' domain.

Pure polars, no widgets. Definitions follow inspect_viz's ``scores_heatmap`` so a
picture made there and here agree:

- Columns fall back the same way: ``task_display_name`` → ``task_name`` and
  ``model_display_name`` → ``model`` when the display column is absent.
- A cell is the mean of the score over the rows of that task × model (one row per
  log for an evals frame; one per sample × epoch for a samples frame). Scores become
  numbers by the one rule in `evallens.scores.score_values` (pass/fail letters, booleans,
  numeric text). On a samples frame the default score is chosen per task (tasks scored by
  different scorers each show their own); ``score_value=`` forces one for all.
- Colour domain: ``[0, 1]`` when every value lies in it, else ``[min, max]`` of the
  score column's values (not of the cell means).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import polars as pl

from evallens.errors import unknown_name_error
from evallens.scores import (
    MISSING_TASK_HINT,
    ScoreCache,
    default_scores,
    score_values,
    values_by,
)

HEADLINE = "score_headline_value"


@dataclass(frozen=True)
class HeatmapColumns:
    """Which frame columns the heatmap reads, after inspect_viz's fallbacks."""

    task: str
    model: str
    score: str | None
    """The score column every cell averages, or None when tasks use different scores."""
    level: Literal["evals", "samples"]
    """``samples`` when rows are samples (cells are means over them), else ``evals``."""
    stderr: str | None = None
    """An evals frame's own standard-error column for ``score`` (shown in the tooltip)."""
    log_viewer: str | None = None
    task_scores: Mapping[str, str] | None = None
    """Per task, the score column its cells average (only when ``score`` is None)."""

    def score_of(self, task: str) -> str | None:
        """The score column behind ``task``'s cells."""
        if self.task_scores is not None:
            return self.task_scores.get(task)
        return self.score


@dataclass(frozen=True)
class HeatmapData:
    """Aggregated cells and the axis orders, ready to draw.

    ``cells`` has one row per task × model present in the data: ``task``, ``model``,
    ``value`` (mean score, null when no row had a value), ``n`` (rows with a value),
    ``stderr`` and ``log_viewer`` (null where unknown).
    """

    columns: HeatmapColumns
    cells: pl.DataFrame
    tasks: list[str]
    """Every task, in order of first appearance (the index behind cell codes)."""
    models: list[str]
    domain: tuple[float, float]


def _has(df: pl.DataFrame, name: str) -> bool:
    return name in df.columns


def _require(df: pl.DataFrame, name: str) -> str:
    if not _has(df, name):
        if name in ("task_name", "model"):  # the defaults, after their display fallbacks
            raise ValueError(
                f"the frame has no {name!r} column: {MISSING_TASK_HINT} "
                f"(columns: {', '.join(df.columns)})"
            )
        raise unknown_name_error("column", name, df.columns)
    return name


def _stderr_column(df: pl.DataFrame, score: str) -> str | None:
    """``score_headline_value`` → ``score_headline_stderr``, ``score_x_accuracy`` → ``score_x_stderr``."""
    candidates = []
    if score.endswith("_value"):
        candidates.append(score[: -len("_value")] + "_stderr")
    head, _, _ = score.rpartition("_")
    if head:
        candidates.append(head + "_stderr")
    return next((c for c in candidates if c != score and _has(df, c)), None)


def resolve_columns(
    df: pl.DataFrame,
    task_name: str = "task_display_name",
    model_name: str = "model_display_name",
    score_value: str = HEADLINE,
    *,
    cache: ScoreCache | None = None,
) -> HeatmapColumns:
    """Apply inspect_viz's column fallbacks; unknown names raise with near matches.

    ``cache`` (shared with `aggregate` over the same frame) keeps the scores chosen
    here from being described again there.

    On a samples frame without ``score_value``, each task gets its own default score
    (its first numeric or pass/fail score with values in that task), so tasks scored by
    different scorers all show; when they all agree, ``score`` names it.

    Example:
        >>> df = pl.DataFrame({"task_name": ["t"], "model": ["m"], "score_headline_value": [0.5]})
        >>> resolve_columns(df).score
        'score_headline_value'
    """
    if task_name == "task_display_name" and not _has(df, task_name):
        task_name = "task_name"
    if model_name == "model_display_name" and not _has(df, model_name):
        model_name = "model"
    level: Literal["evals", "samples"] = "samples" if _has(df, "id") else "evals"
    task, model = _require(df, task_name), _require(df, model_name)
    if score_value == HEADLINE and not _has(df, HEADLINE) and level == "samples":
        chosen = default_scores(df, task, argument="score_value", cache=cache)
        distinct = set(chosen.values())
        if len(distinct) == 1:
            return HeatmapColumns(task, model, distinct.pop(), level, log_viewer=_viewer(df))
        return HeatmapColumns(task, model, None, level, log_viewer=_viewer(df), task_scores=chosen)
    if not _has(df, score_value) and _has(df, f"score_{score_value}"):
        score_value = f"score_{score_value}"  # a scorer's name is enough
    score = _require(df, score_value)
    return HeatmapColumns(
        task=task,
        model=model,
        score=score,
        level=level,
        stderr=_stderr_column(df, score) if level == "evals" else None,
        log_viewer=_viewer(df),
    )


def _viewer(df: pl.DataFrame) -> str | None:
    return "log_viewer" if _has(df, "log_viewer") else None


def color_domain(values: pl.Series) -> tuple[float, float]:
    """inspect_viz's rule: ``[0, 1]`` when the values fit in it, else ``[min, max]``.

    Example:
        >>> color_domain(pl.Series([0.2, 0.9])), color_domain(pl.Series([1.0, 10.0]))
        ((0.0, 1.0), (1.0, 10.0))
    """
    present = values.drop_nulls()
    if present.len() == 0:
        return (0.0, 1.0)
    lo, hi = float(present.min()), float(present.max())  # type: ignore[arg-type]
    if lo >= 0 and hi <= 1:
        return (0.0, 1.0)
    return (lo, hi)


def _first_appearance(series: pl.Series) -> list[str]:
    return series.drop_nulls().unique(maintain_order=True).to_list()


def _http(url: pl.Expr) -> pl.Expr:
    """Links only to web pages: anything else (``javascript:``, files) is dropped."""
    text = url.cast(pl.String)
    return pl.when(text.str.contains(r"(?i)^https?://")).then(text).otherwise(None)


def aggregate(
    df: pl.DataFrame, columns: HeatmapColumns, *, cache: ScoreCache | None = None
) -> HeatmapData:
    """Mean score per task × model, with counts, standard errors and log links.

    Rows whose task or model is missing are left out (they have no place on the grid).

    Example:
        >>> df = pl.DataFrame({"id": [1, 2, 3], "task_name": ["a", "a", "b"],
        ...                    "model": ["m", "m", "m"], "score_x": [1.0, 0.0, 0.5]})
        >>> data = aggregate(df, resolve_columns(df, score_value="score_x"))
        >>> data.cells.select("task", "value", "n").rows()
        [('a', 0.5, 2), ('b', 0.5, 1)]
    """
    if columns.score is not None:
        value = score_values(df, columns.score, cache=cache).alias("value")
    else:
        value = values_by(df, columns.task, columns.task_scores or {}, cache=cache)
    extra: list[pl.Expr] = []
    if columns.stderr is not None:
        extra.append(pl.col(columns.stderr).cast(pl.Float64, strict=False).alias("__stderr"))
    if columns.log_viewer is not None:
        extra.append(_http(pl.col(columns.log_viewer)).alias("__link"))
    base = df.select(
        pl.col(columns.task).cast(pl.String).alias("task"),
        pl.col(columns.model).cast(pl.String).alias("model"),
        value,
        *extra,
    ).filter(pl.col("task").is_not_null() & pl.col("model").is_not_null())
    tasks = _first_appearance(base.get_column("task"))
    models = _first_appearance(base.get_column("model"))
    n = pl.col("value").count()
    if columns.stderr is not None:
        stderr = pl.col("__stderr").filter(pl.col("__stderr").is_finite()).mean()
    else:
        stderr = pl.when(n > 1).then(pl.col("value").std() / n.sqrt())
    cells = (
        base.group_by("task", "model")
        .agg(
            pl.col("value").mean().alias("value"),
            n.cast(pl.Int64).alias("n"),
            stderr.cast(pl.Float64).alias("stderr"),
            (pl.col("__link").drop_nulls().first() if columns.log_viewer else pl.lit(None))
            .cast(pl.String)
            .alias("log_viewer"),
        )
        .with_columns(
            pl.col("task").replace_strict(tasks, list(range(len(tasks)))).alias("__t"),
            pl.col("model").replace_strict(models, list(range(len(models)))).alias("__m"),
        )
        .sort("__t", "__m")
        .drop("__t", "__m")
    )
    return HeatmapData(
        columns=columns,
        cells=cells,
        tasks=tasks,
        models=models,
        domain=color_domain(base.get_column("value")),
    )


def delta_cells(columns: HeatmapColumns, table: pl.DataFrame) -> HeatmapData:
    """Cells of a baseline comparison: each task × model's mean paired delta.

    ``table`` is a `evallens.paired_stats` table; ``n`` counts paired samples and
    ``stderr`` is the paired standard error. The colour domain is symmetric about 0,
    so no change sits at the palette's midpoint.

    Example:
        >>> import evallens
        >>> df = evallens.demo_samples()
        >>> table = evallens.paired_stats(df, baseline="gpt-4.1", score="score_match")
        >>> data = delta_cells(resolve_columns(df, score_value="score_match"), table)
        >>> data.domain[0] == -data.domain[1]
        True
    """
    cells = table.select(
        "task",
        "model",
        pl.col("mean_delta").alias("value"),
        pl.col("n").cast(pl.Int64),
        pl.col("stderr"),
        pl.lit(None, pl.String).alias("log_viewer"),
    )
    reach = cells.get_column("value").abs().max()
    top = float(reach) if isinstance(reach, int | float) and reach > 0 else 1.0
    return HeatmapData(
        columns=columns,
        cells=cells,
        tasks=_first_appearance(cells.get_column("task")),
        models=_first_appearance(cells.get_column("model")),
        domain=(-top, top),
    )
