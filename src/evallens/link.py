"""Link a selection widget (heatmap, chart) to a SampleGrid so its selection filters the grid."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

import polars as pl

from evallens.grid import SampleGrid


@runtime_checkable
class SelectionSource(Protocol):
    """A widget whose selection can be expressed as a row mask over a samples frame."""

    selection_traits: tuple[str, ...]

    def selection_mask(self, samples: pl.DataFrame) -> pl.Series | None:
        """Boolean mask over ``samples`` (None: nothing selected, show everything)."""
        ...

    def observe(self, handler: Any, names: Any = ...) -> None:
        """Call ``handler`` when the named traits change (traitlets)."""

    def unobserve(self, handler: Any, names: Any = ...) -> None:
        """Stop calling ``handler`` (traitlets)."""


# (id(source), id(grid)) → (source, grid, observer, filter name). The widgets themselves are
# kept so an id cannot be reused by another object while the link exists.
_LINKS: dict[tuple[int, int], tuple[Any, SampleGrid, Callable[..., None], str]] = {}


def link(source: SelectionSource, grid: SampleGrid) -> None:
    """Filter ``grid`` to the samples ``source`` selects, now and whenever it changes.

    Composes with the grid's own filter, search and sort; clearing the selection
    shows every sample again. Linking the same pair twice is a no-op. The link lives
    in the kernel, so it holds wherever (and however often) the widgets are displayed;
    closing either widget ends it.

    Example:
        >>> import evallens
        >>> df = evallens.demo_samples()
        >>> heatmap, grid = evallens.ScoresHeatmap(df), evallens.SampleGrid(df)
        >>> evallens.link(heatmap, grid)
        >>> heatmap.selection = [{"task": "Trivia", "model": "gpt-4.1"}]
        >>> grid.view_count
        200
    """
    if not isinstance(source, SelectionSource):
        raise TypeError(
            f"{type(source).__name__} cannot filter a grid: it needs `selection_traits` "
            "and `selection_mask(samples)`"
        )
    if not isinstance(grid, SampleGrid):
        raise TypeError(f"link() filters a SampleGrid, got {type(grid).__name__}")
    key = (id(source), id(grid))
    if key in _LINKS:
        return
    name = f"{type(source).__name__}-{id(source)}"

    def update(_change: Any = None) -> None:
        grid.set_link_filter(name, source.selection_mask(grid.data))

    # Computing the mask once now validates the columns and warms any per-frame cache,
    # so the first click is as fast as the rest.
    update()
    source.observe(update, list(source.selection_traits))
    _LINKS[key] = (source, grid, update, name)
    # Closing either widget ends the link: else the links would keep both (and their data).
    # A grid that is closing is not filtered again on its way out.
    for widget in (source, grid):
        hooks = getattr(widget, "_on_close", None)
        if isinstance(hooks, dict):
            hooks[key] = lambda closing=widget: _end(source, grid, refilter=closing is not grid)


def unlink(source: SelectionSource, grid: SampleGrid) -> None:
    """Undo ``link``: the grid stops following ``source`` and its filter from it is cleared.

    Example:
        >>> import evallens
        >>> df = evallens.demo_samples()
        >>> heatmap, grid = evallens.ScoresHeatmap(df), evallens.SampleGrid(df)
        >>> evallens.link(heatmap, grid)
        >>> heatmap.selection = [{"task": "Trivia", "model": "gpt-4.1"}]
        >>> evallens.unlink(heatmap, grid)
        >>> grid.view_count
        19200
    """
    _end(source, grid, refilter=True)


def _end(source: SelectionSource, grid: SampleGrid, *, refilter: bool) -> None:
    """`unlink`; with ``refilter`` False the grid keeps its rows (it is closing)."""
    key = (id(source), id(grid))
    entry = _LINKS.pop(key, None)
    if entry is None:
        return
    for widget in (source, grid):
        hooks = getattr(widget, "_on_close", None)
        if isinstance(hooks, dict):
            hooks.pop(key, None)
    _, _, update, name = entry
    source.unobserve(update, list(source.selection_traits))
    if refilter:
        grid.set_link_filter(name, None)


def links() -> list[tuple[Any, SampleGrid]]:
    """The (source, grid) pairs linked now."""
    return [(source, grid) for source, grid, _, _ in _LINKS.values()]


def sources_of(grid: SampleGrid) -> list[tuple[Any, str]]:
    """The widgets linked to ``grid`` now, each with the name of the filter it sets there."""
    return [(source, name) for source, g, _, name in _LINKS.values() if g is grid]
