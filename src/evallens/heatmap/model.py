"""ScoresHeatmap's rules without a comm: cells, axis order, options, selection ↔ rows, spec."""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import Any

import polars as pl

from evallens.compare.pairs import Pairs, pair_samples
from evallens.compare.stats import stats_of
from evallens.engine.source import LazySource, LazySourceError
from evallens.errors import close_matches, unknown_name_error
from evallens.heatmap.cells import HeatmapData, aggregate, delta_cells, resolve_columns
from evallens.heatmap.order import Orientation, axis_order
from evallens.heatmap.selection import cell_codes, selection_codes
from evallens.heatmap.types import CellOptions, CellRef, CellRow, DeltaRow, HeatmapSpec
from evallens.scores import ScoreCache

COLOR_SCHEMES = (
    "viridis", "magma", "inferno", "plasma", "cividis", "turbo",
    "blues", "greens", "greys", "oranges", "purples", "reds",
    "rdylgn", "ylgn", "ylorrd", "good-high", "good-low", "neutral", "diverging",
)  # fmt: skip
"""Colour schemes the front end draws (Observable Plot names, plus Inspect's palettes)."""

ATTRIBUTES = ("color_domain", "color_reverse", "margin_left", "x_tick_rotate")
"""The plot attributes ``ScoresHeatmap(**attributes)`` accepts (inspect_viz's names)."""

# A colour name, hex or rgb()/hsl() call: nothing that could add CSS rules or fetch a url.
_COLOUR = re.compile(r"(?!.*url)[#\w\s(),.%/-]{1,64}", re.IGNORECASE)


def check_scheme(color_scheme: str) -> str:
    """A colour scheme name, lower-cased; unknown names raise with near matches."""
    scheme = str(color_scheme).lower()
    if scheme not in COLOR_SCHEMES:
        raise unknown_name_error("color scheme", str(color_scheme), list(COLOR_SCHEMES))
    return scheme


def check_attributes(attributes: Mapping[str, Any]) -> None:
    """Unknown plot attributes raise a TypeError naming the close ones."""
    for name in attributes:
        if name not in ATTRIBUTES:
            near = close_matches(name, ATTRIBUTES)
            raise TypeError(
                f"ScoresHeatmap got an unexpected argument {name!r}"
                + (f"; did you mean {near}?" if near else "")
                + f" (plot attributes supported: {', '.join(ATTRIBUTES)})"
            )


def cell_options(cell: Mapping[str, Any] | None) -> CellOptions:
    """``cell=`` with its defaults; the text colour must be a plain CSS colour."""
    text = (cell or {}).get("text", "auto")
    if text is not None and not _COLOUR.fullmatch(str(text)):
        raise ValueError(f"cell text colour {text!r} is not a CSS colour (e.g. 'white', '#fff')")
    return {"text": None if text is None else str(text), "inset": int((cell or {}).get("inset", 1))}


class HeatmapModel:
    """Cells of one frame and their layout, and how a selection of cells maps to rows.

    Example:
        >>> import evallens
        >>> model = HeatmapModel(evallens.demo_samples(), score_value="score_judge")
        >>> sel = model.check_selection([("Trivia", "gpt-4.1")])
        >>> int(model.selection_mask(evallens.demo_samples(), sel).sum())
        200
    """

    def __init__(
        self,
        frame: pl.DataFrame | LazySource,
        *,
        task_name: str = "task_display_name",
        model_name: str = "model_display_name",
        score_value: str = "score_headline_value",
        sort: Any = "ascending",
        orientation: Orientation = "horizontal",
        baseline: str | Pairs | None = None,
    ) -> None:
        self.pairs: Pairs | None = None
        self.stats: pl.DataFrame | None = None
        self.data: HeatmapData
        if isinstance(frame, LazySource):
            # A lazy source: the cells are group-bys its engine runs (`evallens.engine`).
            from evallens.engine.aggregate import heatmap_columns, heatmap_data

            if baseline is not None:
                raise LazySourceError(
                    "baseline= pairs samples in memory; collect the lazy source first"
                )
            self.data = heatmap_data(
                frame, heatmap_columns(frame, task_name, model_name, score_value)
            )
        else:
            self._eager(frame, task_name, model_name, score_value, baseline)
        self.orientation = orientation
        self.x, self.y = axis_order(self.data, sort, orientation)
        self._tasks = set(self.data.tasks)
        self._models = set(self.data.models)
        # Per samples frame (by identity; frames are unhashable): each row's cell code,
        # computed once and dropped when the frame is garbage collected.
        self._codes: dict[int, pl.Series] = {}

    def _eager(
        self,
        frame: pl.DataFrame,
        task_name: str,
        model_name: str,
        score_value: str,
        baseline: str | Pairs | None,
    ) -> None:
        # Each chosen score is described once (a comparison's pairs bring theirs along).
        cache: ScoreCache = baseline.cache if isinstance(baseline, Pairs) else {}
        columns = resolve_columns(frame, task_name, model_name, score_value, cache=cache)
        if baseline is None:
            self.data = aggregate(frame, columns, cache=cache)
            return
        if columns.level != "samples":
            raise ValueError(
                "baseline= compares two models sample by sample: pass a samples frame "
                "(one row per sample, with an 'id' column), not an evals frame"
            )
        self.pairs = (
            baseline
            if isinstance(baseline, Pairs)
            else pair_samples(
                frame, baseline, score=columns.score, by=columns.model, task=columns.task,
                cache=cache,
            )
        )  # fmt: skip
        self.stats = stats_of(self.pairs)
        self.data = delta_cells(columns, self.stats)

    @property
    def task_scores(self) -> dict[str, str]:
        """The score column each task's cells average."""
        c = self.data.columns
        return {task: score for task in self.data.tasks if (score := c.score_of(task))}

    def check_selection(self, value: Any) -> list[CellRef]:
        """Selected cells as ``{"task", "model"}`` dicts; unknown names raise."""
        out: list[CellRef] = []
        seen: set[tuple[str, str]] = set()
        for entry in value:
            if isinstance(entry, Mapping):
                if "task" not in entry or "model" not in entry:
                    raise ValueError(f"a selected cell needs 'task' and 'model' keys: {entry!r}")
                task, model = str(entry["task"]), str(entry["model"])
            elif isinstance(entry, tuple | list) and len(entry) == 2:
                task, model = str(entry[0]), str(entry[1])
            else:
                raise ValueError(f"a selected cell is {{'task': ..., 'model': ...}}, got {entry!r}")
            if task not in self._tasks:
                raise unknown_name_error("task", task, self.data.tasks)
            if model not in self._models:
                raise unknown_name_error("model", model, self.data.models)
            if (task, model) not in seen:
                seen.add((task, model))
                out.append({"task": task, "model": model})
        return out

    def selection_mask(self, samples: pl.DataFrame, selection: list[CellRef]) -> pl.Series | None:
        """Rows of ``samples`` in the selected cells (None when nothing is selected).

        The per-row cell codes are computed once per frame and cached, so a click
        costs one ``is_in`` over an integer column.
        """
        codes = self._codes.get(id(samples))
        if codes is None:
            c = self.data.columns
            codes = cell_codes(samples, c.task, c.model, self.data.tasks, self.data.models)
            self._codes[id(samples)] = codes
            weakref.finalize(samples, self._codes.pop, id(samples), None)
        if not selection:
            return None
        wanted = selection_codes(selection, self.data.tasks, self.data.models)
        return codes.is_in(wanted).fill_null(False)

    def spec(
        self,
        *,
        task_label: str | None,
        model_label: str | None,
        title: str | None,
        tip: bool,
        legend: bool,
        scheme: str,
        reverse: bool,
        domain: tuple[float, float] | None,
        cell: CellOptions,
        margin_left: float | None,
        x_tick_rotate: float | None,
    ) -> HeatmapSpec:
        """Everything the front end draws, as JSON (part of the saved widget state)."""
        horizontal = self.orientation == "horizontal"
        xs, ys = ("task", "model") if horizontal else ("model", "task")

        def index(column: str, labels: list[str]) -> pl.Expr:
            return pl.col(column).replace_strict(
                labels, list(range(len(labels))), return_dtype=pl.Int64
            )

        # One polars pass, then tuples: a loop over 100,000 cells in Python took ~0.1 s.
        # The frames stay for the wire (`evallens.heatmap.packed`), which sends columns.
        self.cell_frame: pl.DataFrame = self.data.cells.select(
            index(xs, self.x).alias("x"),
            index(ys, self.y).alias("y"),
            pl.col("value").cast(pl.Float64).fill_nan(None),
            pl.col("n").cast(pl.Int64),
            pl.col("stderr").cast(pl.Float64).fill_nan(None),
            pl.col("log_viewer").cast(pl.String),
        )
        rows: list[CellRow] = self.cell_frame.rows()
        c = self.data.columns
        lo, hi = domain or self.data.domain
        score = c.score or "Default score per task"
        deltas: list[DeltaRow] | None = None
        self.delta_frame: pl.DataFrame | None = None
        if self.pairs is not None and self.stats is not None:
            score = f"Δ {c.score or 'default score'} vs {self.pairs.baseline}"
            self.delta_frame = self.stats.select(
                pl.col("ci_low", "ci_high").cast(pl.Float64).fill_nan(None),
                pl.col("improved", "regressed").cast(pl.Int64),
                pl.col("p_adjusted").cast(pl.Float64).fill_nan(None),
                pl.col("ci_excludes_zero").fill_null(False).cast(pl.Boolean),
            )
            deltas = self.delta_frame.rows()
        return {
            "x": self.x,
            "y": self.y,
            "tasks_on_x": horizontal,
            "x_label": task_label if horizontal else model_label,
            "y_label": model_label if horizontal else task_label,
            "title": title,
            "tip": tip,
            "legend": legend,
            "scheme": scheme,
            "reverse": reverse,
            "domain": [float(lo), float(hi)],
            "cell": cell,
            "margin_left": margin_left,
            "x_tick_rotate": x_tick_rotate,
            "score": score,
            "task_scores": None if c.task_scores is None else dict(c.task_scores),
            "unit": "samples" if c.level == "samples" else "logs",
            "cells": rows,
            "baseline": None if self.pairs is None else self.pairs.baseline,
            "deltas": deltas,
        }
