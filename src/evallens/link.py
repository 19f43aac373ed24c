"""Link a selection widget (heatmap, chart) to a SampleGrid so its selection filters the grid."""

from __future__ import annotations

from typing import Any, Protocol

import polars as pl

from evallens.widgets.grid import SampleGrid


class SelectionSource(Protocol):
    """A widget whose selection can be expressed as a row mask over a samples frame."""

    selection_traits: tuple[str, ...]

    def selection_mask(self, samples: pl.DataFrame) -> pl.Series | None:
        """Boolean mask over ``samples`` (None: nothing selected, show everything)."""
        ...

    def observe(self, handler: Any, names: Any = ...) -> None: ...

    def unobserve(self, handler: Any, names: Any = ...) -> None: ...


_LINKS: dict[tuple[int, int], Any] = {}


def link(source: SelectionSource, grid: SampleGrid) -> None:
    """Filter ``grid`` to the samples ``source`` selects, now and whenever it changes.

    Composes with the grid's own filter, search and sort; clearing the selection
    shows every sample again. Linking the same pair twice is a no-op.

    Example:
        >>> heatmap, grid = evallens.ScoresHeatmap(df), evallens.SampleGrid(df)  # doctest: +SKIP
        >>> evallens.link(heatmap, grid)  # doctest: +SKIP
    """
    key = (id(source), id(grid))
    if key in _LINKS:
        return
    name = f"{type(source).__name__}-{id(source)}"

    def update(_change: Any = None) -> None:
        grid.set_link_filter(name, source.selection_mask(grid.data))

    source.observe(update, list(source.selection_traits))
    _LINKS[key] = (update, name)
    update()


def unlink(source: SelectionSource, grid: SampleGrid) -> None:
    """Undo ``link``: the grid stops following ``source`` and its filter from it is cleared."""
    entry = _LINKS.pop((id(source), id(grid)), None)
    if entry is None:
        return
    update, name = entry
    source.unobserve(update, list(source.selection_traits))
    grid.set_link_filter(name, None)
