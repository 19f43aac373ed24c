"""compare(): a delta heatmap over a grid of paired samples, a baseline picker, status chips."""

from __future__ import annotations

from typing import Any

import ipywidgets
import polars as pl

from evallens.compare.pairs import STATUSES, Epochs, Pairs, pair_samples
from evallens.compare.rows import compare_frame, compare_view, detail_of, sample_sources
from evallens.frames import to_frame
from evallens.grid import SampleGrid
from evallens.heatmap import ScoresHeatmap
from evallens.heatmap.cells import HEADLINE, resolve_columns
from evallens.io._frames import identity_from_logs
from evallens.link import link, unlink
from evallens.scores import ScoreCache
from evallens.static_html import boxes_html, with_html

CHIP_ORDER = ("improved", "regressed", "unchanged", "missing")
"""Status chips left to right (as a reader scans: what got better, what got worse)."""
ALL = "all"


def _chip_options(counts: dict[str, int]) -> list[tuple[str, str]]:
    total = sum(counts.values())
    return [(f"All {total:,}", ALL)] + [
        (f"{status.capitalize()} {counts.get(status, 0):,}", status) for status in CHIP_ORDER
    ]


class Comparison(ipywidgets.VBox):
    """Models compared with a baseline: the delta heatmap linked to the paired samples.

    Clicking a heatmap cell shows that task × model's pairs, regressions first; the
    chips keep one status (their counts follow the cells selected); opening a row shows
    the baseline's sample beside the other model's. Choosing another baseline in the
    picker compares everything against it.

    Attributes:
        heatmap: The delta `ScoresHeatmap` (``heatmap.stats`` holds `paired_stats`).
        grid: The `SampleGrid` of paired rows.
        pairs: The `evallens.paired` frame.
    """

    def __init__(
        self,
        samples: pl.DataFrame,
        baseline: str,
        *,
        score: str | None = None,
        by: str | None = None,
        task: str = "task_display_name",
        epochs: Epochs = "align",
        reduce: str = "mean",
        higher_is_better: bool = True,
        grid_height: int = 460,
        **heatmap_options: Any,
    ) -> None:
        self._samples = samples
        self._score, self._epochs, self._reduce = score, epochs, reduce
        self._higher_is_better = higher_is_better
        self._heatmap_options = heatmap_options
        self._grid_height = grid_height
        self._cache: ScoreCache = {}  # the samples' scores, described once for all views
        columns = resolve_columns(
            samples, task, by or "model_display_name", score or HEADLINE, cache=self._cache
        )
        self._task, self._by = columns.task, columns.model
        models = (
            samples.get_column(self._by).cast(pl.String).drop_nulls().unique(maintain_order=True)
        )
        self.picker = ipywidgets.Dropdown(
            options=sorted(models.to_list()), description="Baseline", value=None
        )
        self.chips = ipywidgets.ToggleButtons(options=_chip_options({}), value=ALL)
        self.chips.add_class("evallens-status-chips")
        self.chips.style.button_width = "auto"
        self._controls = ipywidgets.HBox([self.picker, self.chips])
        super().__init__([self._controls])
        self._build(baseline)
        self.picker.value = self.pairs_info.baseline
        self.picker.observe(lambda change: self._build(change["new"]), "value")
        self.chips.observe(lambda _change: self._apply_chip(), "value")

    def __repr__(self) -> str:
        counts = self.status_counts()
        shown = " · ".join(f"{s.capitalize()} {counts.get(s, 0):,}" for s in CHIP_ORDER)
        return (
            f"Comparison({self.pairs.get_column('model').n_unique()} models vs "
            f"{self.baseline!r} on {self.pairs.get_column('task').n_unique()} tasks: {shown})"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        """The widgets' bundle plus a static copy for GitHub, nbviewer and nbconvert.

        The copy holds the counts, the delta heatmap and the first pairs.
        """
        return with_html(
            super()._repr_mimebundle_(**kwargs),
            lambda: boxes_html(repr(self), self.heatmap, self.grid),
        )

    # -- public API ----------------------------------------------------------------------
    def close(self) -> None:
        """Close the comparison and every widget in it (their data goes when nothing holds them)."""
        for widget in (self.heatmap, self.grid, self.picker, self.chips, self._controls):
            widget.close()
        super().close()

    @property
    def baseline(self) -> str:
        """The model everything is compared against (set it to compare against another)."""
        return self.pairs_info.baseline

    @baseline.setter
    def baseline(self, model: str) -> None:
        self.picker.value = model

    @property
    def pairs(self) -> pl.DataFrame:
        """The `evallens.paired` frame: every pair, whatever the view shows."""
        return self.pairs_info.frame

    @property
    def stats(self) -> pl.DataFrame:
        """The `evallens.paired_stats` table behind the heatmap."""
        stats = self.heatmap.stats
        assert stats is not None  # a baseline heatmap always has them
        return stats

    @property
    def status(self) -> str:
        """The status chip chosen: ``all``, ``improved``, ``regressed``, ..."""
        return str(self.chips.value)

    @status.setter
    def status(self, value: str) -> None:
        if value not in (ALL, *STATUSES):
            raise ValueError(f"status is one of {', '.join((ALL, *CHIP_ORDER))}, got {value!r}")
        self.chips.value = value

    def shown(self) -> pl.DataFrame:
        """The paired rows the grid shows now (cells, chip and search applied), in order."""
        return self.grid.visible_rows()

    def selected_samples(self) -> pl.DataFrame:
        """The paired rows selected in the grid, both sides' fields in each row."""
        return self.grid.selected_samples()

    def status_counts(self) -> dict[str, int]:
        """Pairs per status within the selected cells (all pairs when none is selected)."""
        mask = self.heatmap.selection_mask(self.grid.data)
        status = self.pairs.get_column("status")  # the grid's rows, in order, as categories
        if mask is not None:
            status = status.filter(mask)
        counts = status.value_counts()
        return {str(k): int(v) for k, v in counts.iter_rows()}

    # -- wiring --------------------------------------------------------------------------
    def _build(self, baseline: str) -> None:
        old = getattr(self, "heatmap", None), getattr(self, "grid", None)
        if old[0] is not None and old[1] is not None:
            unlink(old[0], old[1])
            old[0].unobserve(self._recount, "selection")
        self.pairs_info: Pairs = pair_samples(
            self._samples, baseline, score=self._score, by=self._by, task=self._task,
            epochs=self._epochs, reduce=self._reduce, higher_is_better=self._higher_is_better,
            cache=self._cache,
        )  # fmt: skip
        self.heatmap = ScoresHeatmap(
            self._samples,
            task_name=self._task,
            model_name=self._by,
            score_value=self._score or HEADLINE,
            baseline=self.pairs_info,
            **self._heatmap_options,
        )
        frame = compare_frame(self._samples, self.pairs_info, self._task, self._by)
        # A pair is one sample of one compared model: its log alone can be missing.
        keys = [k for k in ("task_name", "model", "id", "epoch") if k in frame.columns]
        self.grid = SampleGrid(
            frame, view=compare_view(self.pairs_info, frame), height=self._grid_height, keys=keys
        )
        pairs = self.pairs_info
        self.grid._model.compare_detail = lambda values: detail_of(pairs, values)
        self.grid._model.samples.sources = sample_sources
        self.grid._unit = "pairs"  # the status line counts pairs, not samples
        link(self.heatmap, self.grid)
        self.heatmap.observe(self._recount, "selection")
        self.children = (self._controls, self.heatmap, self.grid)
        for replaced in old:
            if replaced is not None:
                replaced.close()  # else the registry of widgets keeps it, and its rows
        self._recount()
        self._apply_chip()

    def _recount(self, _change: Any = None) -> None:
        # New labels reset the chosen chip: put it back without filtering twice.
        value = self.chips.value
        self._relabelling = True
        try:
            self.chips.options = _chip_options(self.status_counts())
            self.chips.value = value
        finally:
            self._relabelling = False

    def _apply_chip(self) -> None:
        if getattr(self, "_relabelling", False):
            return
        value = self.chips.value
        self.grid.filter = None if value == ALL else pl.col("status") == value


def compare(
    source: Any,
    baseline: str,
    *,
    score: str | None = None,
    by: str | None = None,
    task: str = "task_display_name",
    epochs: Epochs = "align",
    reduce: str = "mean",
    higher_is_better: bool = True,
    grid_height: int = 460,
    **heatmap_options: Any,
) -> Comparison:
    """Compare every model with a baseline on the same samples, in a linked view.

    Args:
        source: Anything `evallens.read_samples` accepts, or a samples frame.
        baseline: The model to compare against (a display name or a full name).
        score: The score column; by default each task's own, as in the heatmap.
        by: The model column (default: display names when the frame has them).
        task: The task column.
        epochs: ``"align"`` (epoch with epoch) or ``"reduce"`` (see `evallens.paired`).
        reduce: The epoch reducer when ``epochs="reduce"``.
        higher_is_better: False when lower scores are better.
        grid_height: Height of the grid in pixels.
        **heatmap_options: Passed to `ScoresHeatmap` (``sort``, ``color_scheme``, ...).

    Example:
        >>> import evallens
        >>> ui = evallens.compare(evallens.demo_samples(), baseline="gpt-4.1")
        >>> ui.heatmap.selection = [{"task": "Trivia", "model": "o4-mini"}]
        >>> ui.status = "regressed"
        >>> ui.shown()["status"].unique().to_list(), ui.status_counts()["regressed"]
        (['regressed'], 25)
    """
    frame = to_frame(source)
    if "id" in frame.columns:
        frame = identity_from_logs(frame)
    return Comparison(
        frame, baseline, score=score, by=by, task=task, epochs=epochs, reduce=reduce,
        higher_is_better=higher_is_better, grid_height=grid_height, **heatmap_options,
    )  # fmt: skip
