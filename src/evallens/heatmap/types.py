"""What the kernel sends ScoresHeatmap (mirrors ``widget/src/heatmap/types.ts``)."""

from __future__ import annotations

from typing import TypedDict

CellRow = tuple[int, int, float | None, int, float | None, str | None]
"""One cell: x index, y index, mean value, n, stderr, log viewer url."""

DeltaRow = tuple[float | None, float | None, int, int, float | None, bool]
"""Baseline mode, per cell: CI low, CI high, improved, regressed, adjusted p, significant.

``improved`` and ``regressed`` count the paired samples that flip either way;
``significant`` is true when the CI excludes 0.
"""


class CellOptions(TypedDict):
    """Cell drawing options: text colour (None hides values) and inset in pixels."""

    text: str | None
    inset: int


class HeatmapSpec(TypedDict):
    """Everything the front end draws (the ``_spec`` trait, saved with the notebook)."""

    x: list[str]
    y: list[str]
    tasks_on_x: bool
    x_label: str | None
    y_label: str | None
    title: str | None
    tip: bool
    legend: bool
    scheme: str
    reverse: bool
    domain: list[float]
    cell: CellOptions
    margin_left: float | None
    x_tick_rotate: float | None
    score: str
    """The score every cell averages, or a title when each task has its own."""
    task_scores: dict[str, str] | None
    """Per task, the score column its cells average, when tasks use different scores."""
    unit: str
    cells: list[CellRow]
    baseline: str | None
    """The model every cell is compared against; None for plain mean scores.

    When set, a cell's value is its mean paired delta (model - baseline), n the paired
    samples and stderr the paired standard error.
    """
    deltas: list[DeltaRow] | None
    """With a baseline, one row per entry of ``cells``, in the same order."""


class CellRef(TypedDict):
    """A selected cell, as Python sees it."""

    task: str
    model: str
