"""ScoresByLimit: success rate against a token or time budget, one line per model."""

from __future__ import annotations

import math
import warnings
from statistics import NormalDist
from typing import Any

import polars as pl
import traitlets

from evallens.errors import unknown_name_error
from evallens.limits import LIMIT_COLUMNS, Scale, scores_by_limit_df, usage_expr
from evallens.scores import default_score, default_scores, values_by
from evallens.widgets._base import EvalLensWidget, as_frame, bundle

DEFAULT_WIDTH = 700
GOLDEN = 1.618

LIMIT_LABELS = {
    "total_tokens": "Tokens",
    "total_time": "Total Time (s)",
    "working_time": "Working Time (s)",
}
"""Axis titles inspect_viz uses for the limit columns it knows."""


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""Marker for "use the default" where None already means "none" (``limit_label``, ``legend``)."""


def z_score(ci: float) -> float:
    """Two-sided critical value for confidence level ``ci`` (0.95 -> 1.96)."""
    if not 0.0 < ci < 1.0:
        raise ValueError(f"ci must be between 0 and 1 (exclusive), not {ci}")
    return NormalDist().inv_cdf((1.0 + ci) / 2.0)


DEFAULT_SCORE = "__default_score"


def _with_default_score(samples: pl.DataFrame) -> tuple[pl.DataFrame, str]:
    """Each task's first pass/fail score: tasks scored by different scorers all count."""
    task = next((c for c in ("task_name", "task_display_name") if c in samples.columns), None)
    if task is None:
        return samples, default_score(samples, unit=True)
    chosen = default_scores(samples, task, unit=True)
    tasks = samples.get_column(task).drop_nulls().cast(pl.String).unique(maintain_order=True)
    left_out = [t for t in tasks.to_list() if t not in chosen]
    if left_out:
        warnings.warn(
            f"ScoresByLimit: task(s) {', '.join(left_out)} have no pass/fail score (C/I, "
            "boolean or 0–1) and are left out; pass score=... to choose one",
            stacklevel=4,
        )
    if len(set(chosen.values())) == 1:
        return samples, next(iter(chosen.values()))
    values = values_by(samples, task, chosen, unit=True).alias(DEFAULT_SCORE)
    return samples.with_columns(values), DEFAULT_SCORE


def _finite(values: list[Any]) -> list[float | None]:
    # JSON has no NaN/inf: missing points become null and break the line there
    return [float(v) if v is not None and math.isfinite(v) else None for v in values]


class ScoresByLimit(EvalLensWidget):
    """Success rate as a function of a token or time limit, with a confidence band per model.

    ``data`` is either a frame prepared by `scores_by_limit_df` (one row per model and
    limit) or a samples frame (then prepared here with ``score``, ``limit``, ``scale`` and
    ``steps``). Parameters follow inspect_viz's ``scores_by_limit``.

    Hover snaps to the nearest limit and lists every model there; clicking the plot sets
    ``limit`` (the clicked budget) and clicking legend entries toggles ``selected_models``.
    Linked to a `SampleGrid` (``evallens.link(chart, grid)``) the grid shows the selected
    models' samples and, once a limit is clicked, only samples whose usage exceeded it
    (the ones that budget would have cut off).

    Args:
        data: Prepared frame, samples frame (polars or pandas), a log file or directory.
        model: Column naming the models (falls back to ``model``).
        success: Column with the success rate.
        stderr: Column with its standard error (None: no band).
        facet: Column whose values make small multiples side by side.
        other_termination_rate: True (or a column name) adds a dashed line per model.
        limit: The limit column (default: ``total_tokens``, ``total_time`` or
            ``working_time``, whichever the data has).
        limit_label: Axis title (default from the limit column; None: no title).
        scale: ``"log"``, ``"linear"`` or ``"auto"`` (log when max/min >= 100).
        ci: Confidence level of the band (success ± z·stderr).
        title: Title above the chart.
        width: Pixels (default 700); height defaults to ``width / 1.618``.
        height: Pixels.
        legend: None (or False) hides the legend.
        score: Samples frames only: the score column (default: each task's first pass/fail
            score, so tasks scored by different scorers all count).
        steps: Samples frames only: how many limits to evaluate.

    Example:
        >>> import evallens
        >>> chart = evallens.ScoresByLimit(evallens.synthetic_samples(3, 4, 50))
        >>> chart.models
        ['claude-sonnet-4', 'gpt-4.1', 'o4-mini']
        >>> chart.selected_models = ["gpt-4.1"]
        >>> int(chart.selection_mask(evallens.synthetic_samples(3, 4, 50)).sum())
        200
    """

    _esm = bundle("limit.js")
    _css = bundle("limit.css")

    selected_models = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Models picked in the legend (empty: none picked, all drawn alike)."""

    limit = traitlets.Float(None, allow_none=True).tag(sync=True)
    """The limit clicked on the plot (None: none)."""

    hovered = traitlets.Dict(None, allow_none=True).tag(sync=True)
    """What the pointer is on: ``{"model": ..., "limit": ...}`` (None: off the plot)."""

    width = traitlets.Int(DEFAULT_WIDTH).tag(sync=True)
    _spec = traitlets.Dict().tag(sync=True)

    selection_traits: tuple[str, ...] = ("selected_models", "limit")

    def __init__(
        self,
        data: Any,
        *,
        model: str = "model_display_name",
        success: str = "success_rate",
        stderr: str | None = "standard_error",
        facet: str | None = None,
        other_termination_rate: str | bool = False,
        limit: str | None = None,
        limit_label: str | None = NOT_GIVEN,
        scale: Scale = "auto",
        ci: float = 0.95,
        title: str | None = None,
        width: float | None = None,
        height: float | None = None,
        legend: Any = NOT_GIVEN,
        score: str | None = None,
        steps: int = 100,
    ) -> None:
        if scale not in ("log", "linear", "auto"):
            raise ValueError(f"scale must be 'log', 'linear' or 'auto', not {scale!r}")
        z = z_score(ci)
        frame = as_frame(data)
        self.samples: pl.DataFrame | None = None
        if success not in frame.columns:
            # a samples frame: prepare it (and keep it, the link filters on its usage)
            self.samples = frame
            limit = limit or next((c for c in LIMIT_COLUMNS if c in frame.columns), "total_tokens")
            if score is None:
                frame, score = _with_default_score(frame)
            frame = scores_by_limit_df(frame, score, limit=limit, scale=scale, steps=steps)
        columns = frame.columns
        if limit is None:
            limit = next((c for c in LIMIT_COLUMNS if c in columns), None)
            if limit is None:
                raise ValueError(
                    "no limit column (total_tokens, total_time, working_time) in the data; "
                    "pass limit=... naming it"
                )
        if model not in columns and "model" in columns:
            model = "model"
        other = (
            "other_termination_rate" if other_termination_rate is True else other_termination_rate
        )
        for name in (limit, success, model, stderr, facet, other or None):
            if name is not None and name not in columns:
                raise unknown_name_error("column", name, columns)
        if isinstance(limit_label, _NotGiven):
            limit_label = LIMIT_LABELS.get(limit, limit.replace("_", " ").title())

        self.limit_column: str = limit
        """Usage column the limits apply to (``total_tokens``...), in samples and prepared data."""
        self.model_column: str = model
        self.data: pl.DataFrame = frame
        """The prepared frame drawn (one row per model, facet and limit)."""
        self._model_ids = self._model_id_map(frame, model)

        w = int(width) if width is not None else DEFAULT_WIDTH
        hgt = int(height) if height is not None else round(w / GOLDEN)
        spec = self._make_spec(frame, model, success, stderr, facet, other or None, limit, z, scale)
        spec.update(
            title=title,
            xLabel=limit_label,
            yLabel="Success rate",
            ci=ci,
            legend=legend is not None and legend is not False,
        )
        super().__init__(width=w, height=hgt, _spec=spec)

    # -- public API ----------------------------------------------------------------------
    @property
    def models(self) -> list[str]:
        """Models in legend order (their colours follow this order)."""
        return list(self._spec["models"])

    def selection_mask(self, samples: pl.DataFrame) -> pl.Series | None:
        """Rows of ``samples`` the chart selects (None: nothing selected).

        Selected models keep their samples; a clicked limit keeps the samples whose usage
        exceeded it. Both compose (selected models' samples that the limit cut off).
        """
        if not self.selected_models and self.limit is None:
            return None
        conditions: list[pl.Expr] = []
        if self.selected_models:
            conditions.append(self._model_condition(samples))
        if self.limit is not None:
            usage = usage_expr(samples, self.limit_column, "model")
            conditions.append(usage > self.limit)
        mask = samples.select(pl.all_horizontal(conditions).fill_null(False)).to_series()
        return mask.alias("selected")

    # -- internals ------------------------------------------------------------------------
    def _model_condition(self, samples: pl.DataFrame) -> pl.Expr:
        wanted = list(self.selected_models)
        if self.model_column in samples.columns:
            return pl.col(self.model_column).is_in(wanted)
        if "model" in samples.columns:
            # the chart shows display names, the samples only carry model ids
            ids = [i for name in wanted for i in self._model_ids.get(name, [name])]
            return pl.col("model").is_in(ids)
        raise unknown_name_error("column", self.model_column, samples.columns)

    @staticmethod
    def _model_id_map(frame: pl.DataFrame, model: str) -> dict[str, list[str]]:
        if model == "model" or "model" not in frame.columns:
            return {}
        pairs = frame.select(
            pl.col(model).cast(pl.String), pl.col("model").cast(pl.String)
        ).unique()
        out: dict[str, list[str]] = {}
        for name, ident in pairs.iter_rows():
            if name is not None and ident is not None:
                out.setdefault(name, []).append(ident)
        return out

    @staticmethod
    def _make_spec(
        frame: pl.DataFrame,
        model: str,
        success: str,
        stderr: str | None,
        facet: str | None,
        other: str | None,
        limit: str,
        z: float,
        scale: Scale,
    ) -> dict[str, Any]:
        keys = [model] + ([facet] if facet else [])
        data = frame.filter(pl.col(model).is_not_null() & pl.col(limit).is_not_null()).sort(
            *keys, limit
        )
        x = data[limit].cast(pl.Float64)
        lo, hi = x.min(), x.max()
        x_min = float(lo) if isinstance(lo, (int, float)) else 0.0
        x_max = float(hi) if isinstance(hi, (int, float)) else 1.0
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
        series: list[dict[str, Any]] = []
        group_cols = [pl.col(model).cast(pl.String).alias("__model")]
        if facet:
            group_cols.append(pl.col(facet).cast(pl.String).alias("__facet"))
        grouped = data.with_columns(group_cols).partition_by(
            ["__model"] + (["__facet"] if facet else []), maintain_order=True, as_dict=False
        )
        for part in grouped:
            y = part[success].cast(pl.Float64).to_list()
            entry: dict[str, Any] = {
                "model": part["__model"][0],
                "facet": part["__facet"][0] if facet else None,
                "x": _finite(part[limit].cast(pl.Float64).to_list()),
                "y": _finite(y),
            }
            if stderr:
                margin = z * part[stderr].cast(pl.Float64)
                success_values = part[success].cast(pl.Float64)
                entry["lo"] = _finite((success_values - margin).to_list())
                entry["hi"] = _finite((success_values + margin).to_list())
            if other:
                entry["other"] = _finite(part[other].cast(pl.Float64).to_list())
            if "count" in part.columns:
                entry["n"] = part["count"].to_list()
            series.append(entry)
        return {
            "models": models,
            "facets": facets,
            "facetLabel": facet,
            "series": series,
            "log": log,
            "xDomain": [x_min, x_max],
            "band": stderr is not None,
            "other": other is not None,
        }
