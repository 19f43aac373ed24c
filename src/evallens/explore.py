"""One call from logs to a linked heatmap over a sample grid."""

from __future__ import annotations

from typing import Any

import ipywidgets
import polars as pl

from evallens.io import read_samples
from evallens.link import link
from evallens.widgets.grid import SampleGrid
from evallens.widgets.heatmap import ScoresHeatmap


class Explorer(ipywidgets.VBox):
    """A ScoresHeatmap above a SampleGrid, linked: clicking cells filters the samples."""

    def __init__(self, heatmap: ScoresHeatmap, grid: SampleGrid) -> None:
        super().__init__([heatmap, grid])
        self.heatmap = heatmap
        self.grid = grid


def explore(
    source: Any = None,
    *,
    score_value: str = "score_headline_value",
    view: Any = None,
    grid_height: int = 460,
    **heatmap_options: Any,
) -> Explorer:
    """Read logs (or take a samples frame) and show a heatmap above its samples, linked.

    Args:
        source: Anything `read_samples` accepts (a log directory, files, a frame);
            None shows the built-in demo.
        score_value: The score the heatmap shows (default: the first numeric or
            pass/fail score).
        view: An Inspect ``TaskSamplesView`` for the grid; by default the logs' own.
        grid_height: Height of the grid in pixels.
        **heatmap_options: Passed to `ScoresHeatmap` (``sort``, ``color_scheme``, ...).

    Example:
        >>> import evallens
        >>> ui = evallens.explore()
        >>> ui.heatmap.selection = [{"task": "Trivia", "model": "gpt-4.1"}]
        >>> ui.grid.view_count
        200
    """
    if source is None:
        from evallens.demo import demo_samples

        samples = demo_samples()
    elif isinstance(source, pl.DataFrame):
        samples = source
    else:
        samples = read_samples(source)
    heatmap = ScoresHeatmap(samples, score_value=score_value, **heatmap_options)
    grid = SampleGrid(samples, view=view, height=grid_height)
    link(heatmap, grid)
    return Explorer(heatmap, grid)
