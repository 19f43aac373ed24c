"""ScoresHeatmap: task × model mean scores; selected cells filter linked sample grids."""

from __future__ import annotations

import re
import weakref
from collections.abc import Mapping
from typing import Any

import polars as pl
import traitlets

from evallens.errors import close_matches, unknown_name_error
from evallens.heatmap_data import (
    HEADLINE,
    HeatmapData,
    Orientation,
    aggregate,
    axis_order,
    cell_codes,
    resolve_columns,
    selection_codes,
)
from evallens.widgets._base import EvalLensWidget, as_frame, bundle

DEFAULT_WIDTH = 700
GOLDEN = 1.618

COLOR_SCHEMES = (
    "viridis", "magma", "inferno", "plasma", "cividis", "turbo",
    "blues", "greens", "greys", "oranges", "purples", "reds",
    "rdylgn", "ylgn", "ylorrd", "good-high", "good-low", "neutral", "diverging",
)  # fmt: skip
"""Colour schemes the front end draws (Observable Plot names, plus Inspect's palettes)."""

# A colour name, hex or rgb()/hsl() call: nothing that could add CSS rules or fetch a url.
_COLOUR = re.compile(r"(?!.*url)[#\w\s(),.%/-]{1,64}", re.IGNORECASE)

_ATTRIBUTES = ("color_domain", "color_reverse", "margin_left", "x_tick_rotate")


class _NotGiven:
    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN: Any = _NotGiven()
"""Marker for "use the default" where None already means "none" (``legend``)."""


class ScoresHeatmap(EvalLensWidget):
    """Mean score per task × model; click cells to select them (and filter linked grids).

    Parameters follow inspect_viz's ``scores_heatmap``. ``data`` is an evals frame (one
    row per log, ``score_headline_value``) or a samples frame (cells are the mean of the
    score per task × model; the score defaults to the first numeric or pass/fail score).

    Args:
        data: A polars or pandas frame, a log file or a directory of logs.
        task_name: Column with the tasks (falls back to ``task_name``).
        task_label: Axis title for the tasks (None: no title).
        model_name: Column with the models (falls back to ``model``).
        model_label: Axis title for the models.
        score_value: Column whose mean colours the cells (or a scorer's name). By
            default each task shows its first numeric or pass/fail score with values
            in that task (see `task_scores`).
        cell: ``{"text": colour | None, "inset": px}``; ``text=None`` hides values.
        tip: Show a tooltip (task, model, score, n, stderr, log link) on hover.
        title: Title above the heatmap.
        height: Pixels; default ``width / 1.618``. Grids too big for it scroll.
        width: Pixels; default 700.
        legend: None hides the colour legend.
        sort: ``"ascending"`` (highest top-right), ``"descending"`` (highest bottom-left),
            None (data order) or per-axis orders (see `heatmap_data.axis_order`).
        orientation: ``"horizontal"`` (tasks across) or ``"vertical"`` (tasks down).
        color_scheme: One of `COLOR_SCHEMES`.
        **attributes: ``color_domain=[lo, hi]``, ``color_reverse=True``,
            ``margin_left=px`` (row label width), ``x_tick_rotate`` (0 keeps labels flat).

    Example:
        >>> import evallens
        >>> hm = evallens.ScoresHeatmap(evallens.demo_samples(), score_value="score_judge")
        >>> hm.selection = [{"task": "Trivia", "model": "gpt-4.1"}]
        >>> hm.selection_mask(evallens.demo_samples()).sum()
        200
    """

    _esm = bundle("heatmap.js")
    _css = bundle("heatmap.css")

    selection: traitlets.List[Any] = traitlets.List().tag(sync=True)
    """Selected cells: ``[{"task": ..., "model": ...}, ...]`` (empty: nothing selected)."""

    width = traitlets.Int(DEFAULT_WIDTH).tag(sync=True)
    _spec = traitlets.Dict().tag(sync=True)

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
        color_scheme: str = "viridis",
        **attributes: Any,
    ) -> None:
        for name in attributes:
            if name not in _ATTRIBUTES:
                near = close_matches(name, _ATTRIBUTES)
                raise TypeError(
                    f"ScoresHeatmap got an unexpected argument {name!r}"
                    + (f"; did you mean {near}?" if near else "")
                    + f" (plot attributes supported: {', '.join(_ATTRIBUTES)})"
                )
        scheme = str(color_scheme).lower()
        if scheme not in COLOR_SCHEMES:
            raise unknown_name_error("color scheme", str(color_scheme), list(COLOR_SCHEMES))
        frame = as_frame(data)
        columns = resolve_columns(frame, task_name, model_name, score_value)
        self._data: HeatmapData = aggregate(frame, columns)
        x, y = axis_order(self._data, sort, orientation)
        self._x, self._y = x, y
        self._task_set = set(self._data.tasks)
        self._model_set = set(self._data.models)
        # Per grid frame (by identity; frames are unhashable): each row's cell code,
        # computed once and dropped when the frame is garbage collected.
        self._codes: dict[int, pl.Series] = {}
        w = int(width) if width is not None else DEFAULT_WIDTH
        hgt = int(height) if height is not None else round(w / GOLDEN)
        cell_opts = {"text": "auto", "inset": 1, **dict(cell or {})}
        text = cell_opts["text"]
        if text is not None and not _COLOUR.fullmatch(str(text)):
            raise ValueError(
                f"cell text colour {text!r} is not a CSS colour (e.g. 'white', '#fff')"
            )
        domain = attributes.get("color_domain") or self._data.domain
        super().__init__(
            height=hgt,
            width=w,
            _spec=self._make_spec(
                orientation=orientation,
                task_label=task_label,
                model_label=model_label,
                title=title,
                tip=bool(tip),
                legend=legend is not None and legend is not False,
                scheme=scheme,
                reverse=bool(attributes.get("color_reverse", False)),
                domain=[float(domain[0]), float(domain[1])],
                cell=cell_opts,
                margin_left=attributes.get("margin_left"),
                x_tick_rotate=attributes.get("x_tick_rotate"),
            ),
        )

    # -- public API ----------------------------------------------------------------------
    @property
    def cells(self) -> pl.DataFrame:
        """One row per task × model with data: task, model, value, n, stderr, log_viewer."""
        return self._data.cells

    @property
    def columns(self) -> dict[str, str | None]:
        """The frame columns used, after fallbacks: task, model, score (None: per task)."""
        c = self._data.columns
        return {"task": c.task, "model": c.model, "score": c.score}

    @property
    def task_scores(self) -> dict[str, str]:
        """The score column each task's cells average (the same for all unless defaulted
        per task because tasks use different scorers)."""
        c = self._data.columns
        return {task: score for task in self._data.tasks if (score := c.score_of(task))}

    @property
    def x_order(self) -> list[str]:
        """Labels along the x axis, left to right."""
        return list(self._x)

    @property
    def y_order(self) -> list[str]:
        """Labels along the y axis, top to bottom."""
        return list(self._y)

    def selection_mask(self, samples: pl.DataFrame) -> pl.Series | None:
        """Rows of ``samples`` in the selected cells (None when nothing is selected).

        The per-row cell codes are computed once per frame and cached, so a click
        costs one ``is_in`` over an integer column.
        """
        codes = self._codes.get(id(samples))
        if codes is None:
            c = self._data.columns
            codes = cell_codes(samples, c.task, c.model, self._data.tasks, self._data.models)
            self._codes[id(samples)] = codes
            weakref.finalize(samples, self._codes.pop, id(samples), None)
        if not self.selection:
            return None
        wanted = selection_codes(self.selection, self._data.tasks, self._data.models)
        return codes.is_in(wanted).fill_null(False)

    # -- internals ------------------------------------------------------------------------
    @traitlets.validate("selection")
    def _valid_selection(self, proposal: Any) -> list[dict[str, str]]:
        out: list[dict[str, str]] = []
        seen: set[tuple[str, str]] = set()
        for entry in proposal["value"]:
            if isinstance(entry, Mapping):
                if "task" not in entry or "model" not in entry:
                    raise ValueError(f"a selected cell needs 'task' and 'model' keys: {entry!r}")
                task, model = str(entry["task"]), str(entry["model"])
            elif isinstance(entry, (tuple, list)) and len(entry) == 2:
                task, model = str(entry[0]), str(entry[1])
            else:
                raise ValueError(f"a selected cell is {{'task': ..., 'model': ...}}, got {entry!r}")
            if task not in self._task_set:
                raise unknown_name_error("task", task, self._data.tasks)
            if model not in self._model_set:
                raise unknown_name_error("model", model, self._data.models)
            if (task, model) not in seen:
                seen.add((task, model))
                out.append({"task": task, "model": model})
        return out

    def _make_spec(self, **options: Any) -> dict[str, Any]:
        """Everything the front end draws, as JSON (part of the saved widget state)."""
        horizontal = options["orientation"] == "horizontal"
        cells = self._data.cells
        x_index = {k: i for i, k in enumerate(self._x)}
        y_index = {k: i for i, k in enumerate(self._y)}
        xs, ys = (cells["task"], cells["model"]) if horizontal else (cells["model"], cells["task"])
        rows = [
            [x_index[x], y_index[y], _num(v), n, _num(se), link]
            for x, y, v, n, se, link in zip(
                xs.to_list(),
                ys.to_list(),
                cells["value"].to_list(),
                cells["n"].to_list(),
                cells["stderr"].to_list(),
                cells["log_viewer"].to_list(),
                strict=True,
            )
        ]
        c = self._data.columns
        task_label, model_label = options.pop("task_label"), options.pop("model_label")
        return {
            **options,
            "x": self._x,
            "y": self._y,
            "tasks_on_x": horizontal,
            "x_label": task_label if horizontal else model_label,
            "y_label": model_label if horizontal else task_label,
            "score": c.score or "Default score per task",
            "task_scores": None if c.task_scores is None else dict(c.task_scores),
            "unit": "samples" if c.level == "samples" else "logs",
            "cells": rows,
        }


def _num(v: Any) -> float | None:
    return None if v is None or v != v else float(v)
