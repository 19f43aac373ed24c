"""ScoresByLimit's rules without a comm: prepare curves, check columns, the spec, selections."""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist
from typing import Any

import polars as pl

from evallens.engine.source import LazySource
from evallens.errors import unknown_name_error
from evallens.limit.curves import LIMIT_COLUMNS, Scale, scores_by_limit_df, usage_expr
from evallens.limit.types import LimitSpec, Series
from evallens.scores import ScoreCache, default_score, default_scores, values_by

LIMIT_LABELS = {
    "total_tokens": "Tokens",
    "total_time": "Total Time (s)",
    "working_time": "Working Time (s)",
}
"""Axis titles inspect_viz uses for the limit columns it knows."""

DEFAULT_SCORE = "__default_score"
"""Column holding each task's default score when tasks are scored by different scorers."""


def z_score(ci: float) -> float:
    """Two-sided critical value for confidence level ``ci`` (0.95 -> 1.96).

    Example:
        >>> round(z_score(0.95), 2)
        1.96
    """
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1 (exclusive), not {ci}")
    return NormalDist().inv_cdf((1.0 + ci) / 2.0)


def with_default_score(samples: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Each task's first pass/fail score: tasks scored by different scorers all count.

    Tasks without one are left out with a warning naming them.
    """
    task = next((c for c in ("task_name", "task_display_name") if c in samples.columns), None)
    if task is None:
        return samples, default_score(samples, unit=True)
    cache: ScoreCache = {}  # the chosen scores are described once
    chosen = default_scores(samples, task, unit=True, cache=cache)
    tasks = samples.get_column(task).drop_nulls().cast(pl.String).unique(maintain_order=True)
    left_out = [t for t in tasks.to_list() if t not in chosen]
    if left_out:
        warnings.warn(
            f"ScoresByLimit: task(s) {', '.join(left_out)} have no pass/fail score (C/I, "
            "boolean or 0–1) and are left out; pass score=... to choose one",
            stacklevel=5,
        )
    if len(set(chosen.values())) == 1:
        return samples, next(iter(chosen.values()))
    values = values_by(samples, task, chosen, unit=True, cache=cache).alias(DEFAULT_SCORE)
    return samples.with_columns(values), DEFAULT_SCORE


def _finite(values: list[Any]) -> list[float | None]:
    # JSON has no NaN/inf: missing points become null and break the line there
    return [float(v) if v is not None and math.isfinite(v) else None for v in values]


class LimitModel:
    """A prepared curves frame (one row per model, facet and limit) and how to draw it.

    ``frame`` is either prepared already (it has the ``success`` column) or a samples
    frame, prepared here with `scores_by_limit_df` (kept as ``samples``: a clicked limit
    filters linked grids by its usage).
    """

    def __init__(
        self,
        frame: pl.DataFrame | LazySource,
        *,
        model: str,
        success: str,
        limit_column: str | None,
        score: str | None,
        scale: Scale,
        steps: int,
    ) -> None:
        if scale not in ("log", "linear", "auto"):
            raise ValueError(f"scale must be 'log', 'linear' or 'auto', not {scale!r}")
        self.samples: pl.DataFrame | None = None
        if isinstance(frame, LazySource):
            # The engine computes the curves; clicks do not filter linked grids (no rows here).
            from evallens.engine.aggregate import default_limit_values, scores_by_limit

            limit_column = limit_column or next(
                (c for c in LIMIT_COLUMNS if c in frame.columns), "total_tokens"
            )
            values = None
            if score is None:
                values, score = default_limit_values(frame)
            frame = scores_by_limit(
                frame, score, limit=limit_column, scale=scale, steps=steps, values=values
            )
        elif success not in frame.columns:
            self.samples = frame
            limit_column = limit_column or next(
                (c for c in LIMIT_COLUMNS if c in frame.columns), "total_tokens"
            )
            if score is None:
                frame, score = with_default_score(frame)
            frame = scores_by_limit_df(frame, score, limit=limit_column, scale=scale, steps=steps)
        if limit_column is None:
            limit_column = next((c for c in LIMIT_COLUMNS if c in frame.columns), None)
            if limit_column is None:
                raise ValueError(
                    "no limit column (total_tokens, total_time, working_time) in the data; "
                    "pass limit_column=... naming it"
                )
        if model not in frame.columns and "model" in frame.columns:
            model = "model"
        self.frame = frame
        self.limit_column = limit_column
        self.model_column = model
        self.scale = scale
        self._model_ids = _model_id_map(frame, model)

    def check_columns(self, *names: str | None) -> None:
        """Each named column must exist in the prepared frame."""
        for name in names:
            if name is not None and name not in self.frame.columns:
                raise unknown_name_error("column", name, self.frame.columns)

    def selection_mask(
        self, samples: pl.DataFrame, models: list[str], limit: float | None
    ) -> pl.Series | None:
        """Rows of ``samples`` the chart selects (None: nothing selected).

        Selected models keep their samples; a clicked limit keeps the samples whose usage
        exceeded it. Both compose (selected models' samples that the limit cut off).
        """
        if not models and limit is None:
            return None
        conditions: list[pl.Expr] = []
        if models:
            conditions.append(self._model_condition(samples, models))
        if limit is not None:
            conditions.append(usage_expr(samples, self.limit_column, "model") > limit)
        mask = samples.select(pl.all_horizontal(conditions).fill_null(False)).to_series()
        return mask.alias("selected")

    def _model_condition(self, samples: pl.DataFrame, wanted: list[str]) -> pl.Expr:
        if self.model_column in samples.columns:
            return pl.col(self.model_column).is_in(wanted)
        if "model" in samples.columns:
            # the chart shows display names, the samples only carry model ids
            ids = [i for name in wanted for i in self._model_ids.get(name, [name])]
            return pl.col("model").is_in(ids)
        raise unknown_name_error("column", self.model_column, samples.columns)

    def spec(
        self,
        *,
        success: str,
        stderr: str | None,
        facet: str | None,
        other: str | None,
        z: float,
        ci: float,
        title: str | None,
        x_label: str | None,
        legend: bool,
    ) -> LimitSpec:
        """Everything the front end draws, as JSON."""
        frame, model, limit = self.frame, self.model_column, self.limit_column
        keys = [model] + ([facet] if facet else [])
        data = frame.filter(pl.col(model).is_not_null() & pl.col(limit).is_not_null()).sort(
            *keys, limit
        )
        x = data[limit].cast(pl.Float64)
        lo, hi = x.min(), x.max()
        x_min = float(lo) if isinstance(lo, int | float) else 0.0
        x_max = float(hi) if isinstance(hi, int | float) else 1.0
        scale = self.scale
        log = scale == "log" or (scale == "auto" and x_min > 0 and x_max / x_min >= 100)
        if log and x_min <= 0:
            raise ValueError(f"a log scale needs positive limits; {limit!r} starts at {x_min}")
        # legend order: first appearance in the data, like Plot's ordinal colour domain
        models = frame[model].drop_nulls().cast(pl.String).unique(maintain_order=True).to_list()
        facets = (
            frame[facet].drop_nulls().cast(pl.String).unique(maintain_order=True).to_list()
            if facet
            else None
        )
        series: list[Series] = []
        group_cols = [pl.col(model).cast(pl.String).alias("__model")]
        if facet:
            group_cols.append(pl.col(facet).cast(pl.String).alias("__facet"))
        grouped = data.with_columns(group_cols).partition_by(
            ["__model"] + (["__facet"] if facet else []), maintain_order=True, as_dict=False
        )
        for part in grouped:
            y = part[success].cast(pl.Float64)
            entry: Series = {
                "model": part["__model"][0],
                "facet": part["__facet"][0] if facet else None,
                "x": _finite(part[limit].cast(pl.Float64).to_list()),
                "y": _finite(y.to_list()),
            }
            if stderr:
                margin = z * part[stderr].cast(pl.Float64)
                entry["lo"] = _finite((y - margin).to_list())
                entry["hi"] = _finite((y + margin).to_list())
            if other:
                entry["other"] = _finite(part[other].cast(pl.Float64).to_list())
            if "count" in part.columns:
                entry["n"] = part["count"].to_list()
            series.append(entry)
        return {
            "models": models,
            "facets": facets,
            "facet_label": facet,
            "series": series,
            "log": log,
            "x_domain": [x_min, x_max],
            "band": stderr is not None,
            "other": other is not None,
            "title": title,
            "x_label": x_label,
            "y_label": "Success rate",
            "ci": ci,
            "legend": legend,
        }


def _model_id_map(frame: pl.DataFrame, model: str) -> dict[str, list[str]]:
    if model == "model" or "model" not in frame.columns:
        return {}
    pairs = frame.select(pl.col(model).cast(pl.String), pl.col("model").cast(pl.String)).unique()
    out: dict[str, list[str]] = {}
    for name, ident in pairs.iter_rows():
        if name is not None and ident is not None:
            out.setdefault(name, []).append(ident)
    return out
