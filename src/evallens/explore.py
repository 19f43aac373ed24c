"""One call from logs to a linked heatmap over a sample grid."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ipywidgets
import polars as pl

from evallens.errors import NoScoreError
from evallens.grid import SampleGrid
from evallens.heatmap import ScoresHeatmap
from evallens.heatmap.cells import HEADLINE
from evallens.io import read_samples
from evallens.io._frames import identity_from_logs
from evallens.io._logfile import log_files_in
from evallens.link import link
from evallens.static_html import boxes_html, with_html


class Explorer(ipywidgets.VBox):
    """A ScoresHeatmap above a SampleGrid, linked: clicking cells filters the samples.

    When the samples have no score to show (logs without scorers, or every sample ended
    in an error), ``heatmap`` is None and a note above the grid says what was found.
    """

    def __init__(
        self, heatmap: ScoresHeatmap | None, grid: SampleGrid, note: str | None = None
    ) -> None:
        top: list[ipywidgets.Widget] = []
        if heatmap is not None:
            top.append(heatmap)
        if note:
            # Column names come from the logs: escaped, never markup.
            top.append(ipywidgets.HTML(f"<p class='evallens-note'>{html.escape(note)}</p>"))
        super().__init__([*top, grid])
        self.heatmap = heatmap
        self.grid = grid
        self.note = note

    def close(self) -> None:
        """Close the explorer and the widgets in it (their data goes when nothing holds them)."""
        for child in self.children:
            child.close()
        super().close()

    def _display_(self) -> Any:
        """What marimo shows (only marimo calls this): the live widgets, stacked.

        marimo draws anywidgets but not ipywidgets' boxes, so without this it would show
        the static copy below instead of widgets.
        """
        import marimo as mo

        parts: list[Any] = []
        if self.heatmap is not None:
            parts.append(mo.ui.anywidget(self.heatmap))
        if self.note:
            parts.append(mo.Html(f"<p class='evallens-note'>{html.escape(self.note)}</p>"))
        parts.append(mo.ui.anywidget(self.grid))
        return mo.vstack(parts)

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widgets' bundle plus a static copy for GitHub, nbviewer and nbconvert.

        The copy holds the heatmap (or the note) and the first samples.
        """
        return with_html(
            super()._repr_mimebundle_(**kwargs),
            lambda: boxes_html(self.heatmap, self.note, self.grid),
        )


def _log_paths(source: Any) -> list[str] | None:
    """The paths a path-like source names (None when it is not paths)."""
    if isinstance(source, str | os.PathLike):
        return [str(source)]
    if isinstance(source, Sequence) and all(isinstance(p, str | os.PathLike) for p in source):
        return [str(p) for p in source]
    return None


def _nothing_found(source: Any) -> str:
    paths = _log_paths(source)
    if paths is None:
        return "the frame has no rows"
    logs = sum(len(log_files_in(Path(p))) if Path(p).is_dir() else 1 for p in paths)
    where = ", ".join(paths)
    if logs == 0:
        return f"{where} holds no .eval or .json Inspect logs"
    noun = "log" if logs == 1 else "logs"
    return f"{where}: {logs} {noun}, none with samples that could be read"


def explore(
    source: Any = None,
    *,
    score_value: str = HEADLINE,
    view: Any = None,
    grid_height: int = 460,
    **heatmap_options: Any,
) -> Explorer:
    """Read logs (or take a samples frame) and show a heatmap above its samples, linked.

    Args:
        source: Anything `read_samples` accepts (a log directory, files, a frame);
            None shows the built-in demo.
        score_value: The score the heatmap shows (default: per task, its first numeric
            or pass/fail score).
        view: An Inspect ``TaskSamplesView`` for the grid; by default the logs' own.
        grid_height: Height of the grid in pixels.
        **heatmap_options: Passed to `ScoresHeatmap` (``sort``, ``color_scheme``, ...).

    Raises:
        ValueError: when there are no samples at all, saying what was found.

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
        # Task and model from the logs when the frame lacks them (samples_df' defaults),
        # so the heatmap and the grid it filters see the same rows.
        samples = identity_from_logs(source)
    else:
        samples = read_samples(source)
    if samples.height == 0:
        raise ValueError(f"nothing to explore: {_nothing_found(source)}")
    heatmap: ScoresHeatmap | None = None
    note: str | None = None
    try:
        heatmap = ScoresHeatmap(samples, score_value=score_value, **heatmap_options)
    except NoScoreError as error:
        if score_value != HEADLINE:
            raise
        note = f"No heatmap: {error}. The samples are below."
    grid = SampleGrid(samples, view=view, height=grid_height)
    if heatmap is not None:
        link(heatmap, grid)
    return Explorer(heatmap, grid, note)
