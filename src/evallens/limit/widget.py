"""ScoresByLimit: success rate against a token or time budget, one line per model."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import polars as pl
import traitlets

from evallens.base import DEFAULT_WIDTH, NOT_GIVEN, EvalLensWidget, bundle_text, chart_size
from evallens.engine.source import LazySource, is_lazy_source
from evallens.figures.colours import Theme
from evallens.figures.limits import limits_svg
from evallens.figures.svg import DEFAULT_FONT, write
from evallens.frames import to_frame
from evallens.limit.curves import Scale
from evallens.limit.model import LIMIT_LABELS, LimitModel, z_score


class ScoresByLimit(EvalLensWidget):
    """Success rate as a function of a token or time limit, with a confidence band per model.

    ``data`` is either a frame prepared by `scores_by_limit_df` (one row per model and
    limit) or a samples frame (then prepared here with ``score``, ``limit_column``,
    ``scale`` and ``steps``). Parameters follow inspect_viz's ``scores_by_limit``.

    Hover snaps to the nearest limit and lists every model there; clicking the plot sets
    ``limit`` (the clicked budget) and clicking legend entries toggles ``selected_models``.
    Linked to a `SampleGrid` (``evallens.link(chart, grid)``) the grid shows the selected
    models' samples and, once a limit is clicked, only samples whose usage exceeded it
    (the ones that budget would have cut off).

    Args:
        data: Prepared frame, samples frame (polars, pandas, Arrow), a log file or directory.
        model: Column naming the models (falls back to ``model``).
        success: Column with the success rate.
        stderr: Column with its standard error (None: no band).
        facet: Column whose values make small multiples side by side.
        other_termination_rate: True (or a column name) adds a dashed line per model.
        limit_column: The usage column limits apply to (default: ``total_tokens``,
            ``total_time`` or ``working_time``, whichever the data has). Called ``limit``
            before 0.2 (still accepted, with a warning): ``limit`` now only means the
            clicked budget.
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

    _esm = bundle_text("limit.js")
    _css = bundle_text("limit.css")

    selected_models = traitlets.List(traitlets.Unicode()).tag(sync=True)
    """Models picked in the legend (empty: none picked, all drawn alike)."""

    limit = traitlets.Float(None, allow_none=True).tag(sync=True)
    """The limit clicked on the plot (None: none)."""

    hovered = traitlets.Dict(None, allow_none=True).tag(sync=True)
    """What the pointer is on: ``{"model": ..., "limit": ...}`` (None: off the plot)."""

    width = traitlets.Int(DEFAULT_WIDTH).tag(sync=True)
    """Width in pixels."""

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
        limit_column: str | None = None,
        limit_label: str | None = NOT_GIVEN,
        scale: Scale = "auto",
        ci: float = 0.95,
        title: str | None = None,
        width: float | None = None,
        height: float | None = None,
        legend: Any = NOT_GIVEN,
        score: str | None = None,
        steps: int = 100,
        limit: str | None = None,
    ) -> None:
        if limit is not None:
            warnings.warn(
                "ScoresByLimit(limit=...) is now limit_column=...: `limit` is the clicked budget",
                DeprecationWarning,
                stacklevel=2,
            )
            limit_column = limit_column or limit
        z = z_score(ci)
        self._model = LimitModel(
            LazySource(data) if is_lazy_source(data) else to_frame(data),
            model=model,
            success=success,
            limit_column=limit_column,
            score=score,
            scale=scale,
            steps=steps,
        )
        other = (
            "other_termination_rate" if other_termination_rate is True else other_termination_rate
        )
        m = self._model
        m.check_columns(m.limit_column, success, m.model_column, stderr, facet, other or None)
        if isinstance(limit_label, type(NOT_GIVEN)):
            limit_label = LIMIT_LABELS.get(m.limit_column, m.limit_column.replace("_", " ").title())
        w, h = chart_size(width, height)
        spec = m.spec(
            success=success,
            stderr=stderr,
            facet=facet,
            other=other or None,
            z=z,
            ci=ci,
            title=title,
            x_label=limit_label,
            legend=legend is not None and legend is not False,
        )
        super().__init__(width=w, height=h, _spec=spec)

    def __repr__(self) -> str:
        return (
            f"ScoresByLimit({len(self.models)} models over {self.limit_column}, "
            f"{len(self.selected_models)} selected, limit={self.limit})"
        )

    # -- public API ----------------------------------------------------------------------
    @property
    def models(self) -> list[str]:
        """Models in legend order (their colours follow this order)."""
        return list(self._spec["models"])

    @property
    def data(self) -> pl.DataFrame:
        """The prepared frame drawn (one row per model, facet and limit)."""
        return self._model.frame

    @property
    def samples(self) -> pl.DataFrame | None:
        """The samples frame the curves were prepared from (None: given prepared)."""
        return self._model.samples

    @property
    def limit_column(self) -> str:
        """Usage column the limits apply to (``total_tokens``...), in samples and curves."""
        return self._model.limit_column

    @property
    def model_column(self) -> str:
        """Column naming the models in the prepared frame."""
        return self._model.model_column

    def save(
        self,
        path: str | Path,
        *,
        width: float | None = None,
        height: float | None = None,
        font_size: float = 12,
        font_family: str = DEFAULT_FONT,
        theme: Theme = "light",
        scale: float = 1.0,
    ) -> Path:
        """Write the chart as a figure: ``.svg``, or ``.png``/``.pdf`` (``figures`` extra).

        Drawn in Python from what the widget shows (no browser): a line and CI band per
        model in the legend's colours, the axes, facets and legend. Hover, clicked
        limits and selected models are interaction and are not drawn.

        Args:
            path: The file to write; its extension picks the format.
            width: Pixels (default: the widget's width).
            height: Pixels (default: the widget's height).
            font_size: Label size in pixels (titles and ticks scale with it).
            font_family: CSS font family.
            theme: ``"light"`` or ``"dark"``.
            scale: PNG only: device pixels per pixel (2 or 3 for print; PDF and SVG are
                vector).

        Returns:
            The path written.

        Raises:
            ValueError: An extension other than ``.svg``, ``.png`` or ``.pdf``.
            ImportError: PNG or PDF without ``pip install 'evallens[figures]'``.

        Example:
            >>> import evallens, tempfile, pathlib
            >>> chart = evallens.ScoresByLimit(evallens.synthetic_samples(3, 4, 50))
            >>> out = chart.save(pathlib.Path(tempfile.mkdtemp()) / "limits.svg")
            >>> out.read_text().count('class="line"')
            3
        """
        svg = limits_svg(
            self._spec,  # type: ignore[arg-type]
            width=float(width if width is not None else self.width),
            height=float(height if height is not None else self.height),
            font_size=font_size,
            font_family=font_family,
            theme=theme,
        )
        return write(svg, path, scale=scale)

    def selection_mask(self, samples: pl.DataFrame) -> pl.Series | None:
        """Rows of ``samples`` the chart selects (None: nothing selected).

        Selected models keep their samples; a clicked limit keeps the samples whose usage
        exceeded it. Both compose (selected models' samples that the limit cut off).
        """
        return self._model.selection_mask(samples, list(self.selected_models), self.limit)
