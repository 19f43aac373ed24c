"""ScoresHeatmap: task × model mean scores; selected cells filter linked sample grids."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
import traitlets

from evallens.base import DEFAULT_WIDTH, NOT_GIVEN, EvalLensWidget, bundle_text, chart_size
from evallens.engine.source import LazySource, is_lazy_source
from evallens.figures.colours import Theme
from evallens.figures.heatmap import heatmap_svg
from evallens.figures.svg import DEFAULT_FONT, write
from evallens.frames import to_frame
from evallens.heatmap.cells import HEADLINE
from evallens.heatmap.model import (
    HeatmapModel,
    cell_options,
    check_attributes,
    check_scheme,
)
from evallens.heatmap.order import Orientation
from evallens.heatmap.packed import wire_spec
from evallens.io._frames import identity_from_logs


class ScoresHeatmap(EvalLensWidget):
    """Mean score per task × model; click cells to select them (and filter linked grids).

    Parameters follow inspect_viz's ``scores_heatmap``. ``data`` is an evals frame (one
    row per log, ``score_headline_value``) or a samples frame (cells are the mean of the
    score per task × model).

    Args:
        data: A polars or pandas frame, a log file or a directory of logs.
        task_name: Column with the tasks (falls back to ``task_name``).
        task_label: Axis title for the tasks (None: no title).
        model_name: Column with the models (falls back to ``model``).
        model_label: Axis title for the models.
        score_value: Column whose mean colours the cells (or a scorer's name). By
            default each task shows its eval's headline score, else its first numeric or
            pass/fail score with values in that task (see `task_scores`).
        cell: ``{"text": colour | None, "inset": px}``; ``text=None`` hides values.
        tip: Show a tooltip (task, model, score, n, stderr, log link) on hover.
        title: Title above the heatmap.
        height: Pixels; default ``width / 1.618``. Grids too big for it scroll.
        width: Pixels; default 700.
        legend: None hides the colour legend.
        sort: ``"ascending"`` (highest top-right), ``"descending"`` (highest bottom-left),
            None (data order) or per-axis orders (see `evallens.heatmap.order.axis_order`).
        orientation: ``"horizontal"`` (tasks across) or ``"vertical"`` (tasks down).
        color_scheme: One of `evallens.heatmap.model.COLOR_SCHEMES`; by default
            ``viridis``, and ``diverging`` (red, clear, green) with a baseline.
        baseline: A model to compare the others against, sample by sample (a samples
            frame only). Cells then show each model's mean paired delta to it (see
            `evallens.paired_stats`), centred at 0; the tooltip gives the interval, the
            flips each way and the adjusted p, and cells whose interval excludes 0 are
            marked. The baseline itself has no cells.
        **attributes: ``color_domain=[lo, hi]``, ``color_reverse=True``,
            ``margin_left=px`` (row label width), ``x_tick_rotate`` (0 keeps labels flat).

    Example:
        >>> import evallens
        >>> hm = evallens.ScoresHeatmap(evallens.demo_samples(), score_value="score_judge")
        >>> hm.selection = [{"task": "Trivia", "model": "gpt-4.1"}]
        >>> hm.selection_mask(evallens.demo_samples()).sum()
        200
    """

    _esm = bundle_text("heatmap.js")
    _css = bundle_text("heatmap.css")

    selection: traitlets.List[Any] = traitlets.List().tag(sync=True)
    """Selected cells: ``[{"task": ..., "model": ...}, ...]`` (empty: nothing selected).
    Also accepts ``(task, model)`` pairs."""

    width = traitlets.Int(DEFAULT_WIDTH).tag(sync=True)
    """Width in pixels."""

    # Sent with its cells packed as byte columns (`evallens.heatmap.packed`); Python reads
    # the plain lists.
    _spec = traitlets.Dict().tag(
        sync=True,
        to_json=lambda spec, self: wire_spec(spec, self._model.cell_frame, self._model.delta_frame),
    )

    selection_traits: tuple[str, ...] = ("selection",)

    def __init__(
        self,
        data: Any,
        *,
        task_name: str = "task_display_name",
        task_label: str | None = None,
        model_name: str = "model_display_name",
        model_label: str | None = None,
        score_value: str = HEADLINE,
        cell: Mapping[str, Any] | None = None,
        tip: bool = True,
        title: str | None = None,
        height: float | None = None,
        width: float | None = None,
        legend: Any = NOT_GIVEN,
        sort: Any = "ascending",
        orientation: Orientation = "horizontal",
        color_scheme: str | None = None,
        baseline: Any = None,
        **attributes: Any,
    ) -> None:
        check_attributes(attributes)
        default_scheme = "viridis" if baseline is None else "diverging"
        scheme = check_scheme(color_scheme or default_scheme)
        frame: pl.DataFrame | LazySource
        if is_lazy_source(data):
            frame = LazySource(data)  # cells are group-bys its engine runs
        else:
            frame = to_frame(data)
            # A samples frame without task or model (samples_df' defaults) names its logs.
            frame = identity_from_logs(frame) if "id" in frame.columns else frame
        self._model = HeatmapModel(
            frame,
            task_name=task_name,
            model_name=model_name,
            score_value=score_value,
            sort=sort,
            orientation=orientation,
            baseline=baseline,
        )
        w, h = chart_size(width, height)
        spec = self._model.spec(
            task_label=task_label,
            model_label=model_label,
            title=title,
            tip=bool(tip),
            legend=legend is not None and legend is not False,
            scheme=scheme,
            reverse=bool(attributes.get("color_reverse", False)),
            domain=attributes.get("color_domain"),
            cell=cell_options(cell),
            margin_left=attributes.get("margin_left"),
            x_tick_rotate=attributes.get("x_tick_rotate"),
        )
        super().__init__(height=h, width=w, _spec=spec)

    def __repr__(self) -> str:
        data = self._model.data
        score = data.columns.score or "a score per task"
        if self._model.pairs is not None:
            score = f"Δ {score} vs {self._model.pairs.baseline}"
        return (
            f"ScoresHeatmap({len(data.tasks)} tasks × {len(data.models)} models, {score}, "
            f"{len(self.selection)} selected)"
        )

    # -- public API ----------------------------------------------------------------------
    @property
    def cells(self) -> pl.DataFrame:
        """One row per task × model with data: task, model, value, n, stderr, log_viewer."""
        return self._model.data.cells

    @property
    def baseline(self) -> str | None:
        """The model the cells compare against (None: cells are mean scores)."""
        return None if self._model.pairs is None else self._model.pairs.baseline

    @property
    def stats(self) -> pl.DataFrame | None:
        """With a baseline, the `evallens.paired_stats` table the cells show."""
        return self._model.stats

    @property
    def pairs(self) -> pl.DataFrame | None:
        """With a baseline, the `evallens.paired` frame behind the cells."""
        return None if self._model.pairs is None else self._model.pairs.frame

    @property
    def columns(self) -> dict[str, str | None]:
        """The frame columns used, after fallbacks: task, model, score (None: per task)."""
        c = self._model.data.columns
        return {"task": c.task, "model": c.model, "score": c.score}

    @property
    def task_scores(self) -> dict[str, str]:
        """The score column each task's cells average.

        The same for all tasks, unless defaulted per task because tasks use different
        scorers.
        """
        return self._model.task_scores

    @property
    def x_order(self) -> list[str]:
        """Labels along the x axis, left to right."""
        return list(self._model.x)

    @property
    def y_order(self) -> list[str]:
        """Labels along the y axis, top to bottom."""
        return list(self._model.y)

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
        """Write the heatmap as a figure: ``.svg``, or ``.png``/``.pdf`` (``figures`` extra).

        Drawn in Python from what the widget shows (no browser): the same colours, axis
        orders, cell values and legend; with a baseline, signed deltas and the mark on
        significant cells. Every row and column is drawn (a figure does not scroll).

        Args:
            path: The file to write; its extension picks the format.
            width: Pixels (default: the widget's width).
            height: Pixels; cells fill it exactly. Default: the widget's height, taller
                when rows would be smaller than on screen.
            font_size: Label size in pixels (titles and values scale with it).
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
            >>> hm = evallens.ScoresHeatmap(evallens.demo_samples(), score_value="score_judge")
            >>> out = hm.save(pathlib.Path(tempfile.mkdtemp()) / "scores.svg")
            >>> out.read_text().count('class="cell"') == len(hm.cells)
            True
        """
        svg = heatmap_svg(
            self._spec,  # type: ignore[arg-type]
            width=float(width if width is not None else self.width),
            height=height,
            screen_height=float(self.height),
            font_size=font_size,
            font_family=font_family,
            theme=theme,
        )
        return write(svg, path, scale=scale)

    def selection_mask(self, samples: pl.DataFrame) -> pl.Series | None:
        """Rows of ``samples`` in the selected cells (None when nothing is selected)."""
        return self._model.selection_mask(samples, self.selection)

    @traitlets.validate("selection")
    def _valid_selection(self, proposal: Any) -> list[Any]:
        return list(self._model.check_selection(proposal["value"]))
