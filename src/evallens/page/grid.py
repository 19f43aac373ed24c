"""What a saved page holds for one SampleGrid, so the page answers as the kernel does.

The page never re-derives an order rule. For every column the grid can sort by it gets
each row's rank under the kernel's own sort key (`SampleQuery.ranks`: pass/fail letters by
their value, ids numerically, missing last), so a sort in the page is a comparison of
ranks, column after column, ties in frame order, as the kernel's stable sorts leave them.
The default order (by log, id, epoch) comes as the kernel's permutation. Search gets the
text the kernel searches (each searched field as text), matched in the page as the kernel
matches it: literal and case-sensitive. A linked heatmap's cells come as each row's cell
code, the codes `evallens.heatmap.selection` filters by.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from evallens.engine.source import LazySourceError
from evallens.grid import SampleGrid
from evallens.grid.columns import STATUS
from evallens.grid.model import SEARCHED_FIELDS, GridModel
from evallens.heatmap import ScoresHeatmap
from evallens.heatmap.selection import cell_codes
from evallens.link import sources_of
from evallens.page.payload import Payload
from evallens.page.table import encode_table, uint_blob
from evallens.wire import ROW, TEXT_PREVIEW_CHARS, json_safe, wire_frame

MAX_ROWS = 100_000
"""Rows a page holds at most; beyond it the first ones (in the grid's order) with a note."""

LONG_CHARS = 20_000
"""Characters of one text value a page holds (the detail panel shows them, search looks in
them); the page marks what is cut and says when a search may have missed a longer text."""

DETAIL_FIELDS = (
    "task_display_name", "task_name", "model", "id", "epoch", "total_tokens", "total_time",
    "retries", "input", "target", "answer", "error", "limit", "metadata",
)  # fmt: skip
"""The sample fields the detail panel shows (``widget/src/grid/detail.ts``: its summary,
sections and metadata), besides ``metadata_*`` and score columns. A page holds only these
of the kernel's whole row: the rest is never drawn."""

_PLAIN = (pl.String, pl.Boolean, pl.Categorical, pl.Enum, pl.Null)


@dataclass
class GridPage:
    """A grid's part of the page.

    Its traits as the page starts (`state`), what the page answers its requests from
    (`facts`, JSON with blob references) and notes to show.
    """

    state: dict[str, Any]
    facts: dict[str, Any]
    notes: list[str] = field(default_factory=list)


def _is_plain(dtype: pl.DataType) -> bool:
    """Whether the wire and the detail reply give a value of this type alike."""
    return isinstance(dtype, _PLAIN) or dtype.is_integer() or dtype.is_float()


def _cut_json(value: Any) -> dict[str, Any]:
    """A nested value for the detail panel, as ``json_safe`` gives it.

    ``{"value": ...}``, or its JSON text cut when huge: ``{"cut": text, "more": n}``.
    """
    safe = json_safe(value)
    text = json.dumps(safe, ensure_ascii=False)
    if len(text) <= LONG_CHARS:
        return {"value": safe}
    return {"cut": text[:LONG_CHARS], "more": len(text) - LONG_CHARS}


def _live_links(grid: SampleGrid, live_sources: dict[int, str]) -> tuple[list[Any], list[str]]:
    """The page's heatmaps that filter ``grid`` there, and notes on links fixed as saved."""
    live: list[Any] = []
    notes: list[str] = []
    for source, name in sources_of(grid):
        page_id = live_sources.get(id(source))
        kind = type(source).__name__
        if page_id is not None and isinstance(source, ScoresHeatmap) and source.baseline is None:
            live.append((page_id, name, source))
            continue
        if source.selection_mask(grid.data) is not None:
            notes.append(
                f"A {kind} selection filters the samples as it did when saved; "
                "it cannot be changed here."
            )
        if page_id is not None:
            notes.append(
                f"Clicks in the {kind} here do not filter the samples (that needs the kernel)."
            )
    return live, notes


def grid_page(
    grid: SampleGrid,
    key: str,
    data: Payload,
    live_sources: dict[int, str],
    max_rows: int = MAX_ROWS,
) -> GridPage:
    """Put ``grid``'s rows and order facts in ``data`` (blobs named ``key:...``).

    ``live_sources`` maps ``id(widget)`` to its page id for the widgets shown in the page:
    a heatmap among them keeps filtering the grid there. Filters from anything else
    (the grid's own ``filter``, other links) are applied as they were when saved.
    """
    model = grid._model
    if not isinstance(model, GridModel):
        raise LazySourceError(
            "a saved page holds every row of its grids; this grid reads a lazy source: "
            "collect the rows to save first (SampleGrid(lazy.filter(...).collect()))"
        )
    query = model.query
    live, notes = _live_links(grid, live_sources)
    fixed = query.combined_mask(exclude=["search", *(name for _, name, _ in live)])
    if grid.filter is not None:
        notes.append("The grid's Python filter applies as it did when saved.")

    # The rows held: those the fixed filters pass, the first max_rows in the grid's order,
    # kept in frame order (the order ties keep).
    def order_of(keys: Any) -> pl.Series:
        if keys:
            return query.permutation(tuple(keys))
        return pl.int_range(query.total, eager=True, dtype=pl.UInt32)

    candidates = order_of(query.sort or query.default_sort)
    if fixed is not None:
        candidates = candidates.filter(fixed.gather(candidates))
    if candidates.len() > max_rows:
        notes.append(
            f"This page holds the first {max_rows:,} of {candidates.len():,} samples (in the "
            "grid's order when saved): sorting, searching and filtering here cover those only."
        )
        candidates = candidates.slice(0, max_rows)
    keep = candidates.sort()
    place = pl.DataFrame({ROW: keep, "place": pl.int_range(keep.len(), eager=True)})

    def places(rows: pl.Series) -> list[int]:
        joined = rows.to_frame(ROW).join(place, on=ROW, how="inner", maintain_order="left")
        return joined.get_column("place").to_list()

    held = query.work.take(keep, query.work.columns)
    grid_fields = list(dict.fromkeys([STATUS, *(c.field for c in model.columns)]))
    score_columns = [s.column for s in model.scores]
    shown = [
        c
        for c in held.columns
        if c in DETAIL_FIELDS or c.startswith("metadata_") or c in score_columns
    ]
    fields = list(dict.fromkeys([*grid_fields, *shown]))
    facts: dict[str, Any] = {
        "rows": encode_table(wire_frame(held.select(ROW, *fields)), data, f"{key}:rows"),
        "default_order": uint_blob(data, f"{key}:default", places(order_of(query.default_sort))),
    }

    ranks: dict[str, Any] = {}
    unsortable: dict[str, str] = {}
    for name in grid_fields:
        try:
            rank = query.ranks(name).gather(keep).to_list()
        except Exception as exc:  # the kernel fails a sort by it with this message
            unsortable[name] = str(exc)
            continue
        ranks[name] = uint_blob(data, f"{key}:rank:{name}", rank)
    facts["ranks"] = ranks
    facts["unsortable"] = unsortable

    # Text longer than the wire's preview: held in full up to LONG_CHARS, for the detail
    # panel and for search.
    long: dict[str, Any] = {}
    for name in shown:
        if held.schema[name] != pl.String:
            continue
        column = held.get_column(name)
        lengths = column.str.len_chars()
        rows = (lengths > TEXT_PREVIEW_CHARS).fill_null(False).arg_true()
        if rows.len():
            long[name] = {
                "rows": rows.to_list(),
                "texts": column.gather(rows).str.slice(0, LONG_CHARS).to_list(),
                "more": (lengths.gather(rows) - LONG_CHARS).clip(0).to_list(),
            }
    facts["long"] = long
    facts["detail_fields"] = shown
    facts["json"] = {
        name: [_cut_json(v) for v in held.get_column(name).to_list()]
        for name in shown
        if not _is_plain(held.schema[name])
    }

    # Search: each field as the kernel casts it to text. Text and integer fields are read
    # from the rows (and the long texts); any other type comes as the kernel's text.
    search: dict[str, Any] = {"fields": [], "texts": {}, "error": None}
    searched = [f for f in SEARCHED_FIELDS if f in model.source.columns]
    try:
        texts = held.select(pl.col(f).cast(pl.String) for f in searched)
    except Exception as exc:  # the kernel's search fails with this message too
        search["error"] = str(exc)
    else:
        for name in searched:
            dtype = held.schema[name]
            search["fields"].append(name)
            if not (dtype == pl.String or dtype.is_integer()):
                search["texts"][name] = texts.get_column(name).str.slice(0, LONG_CHARS).to_list()
            elif name not in fields:
                raise AssertionError(f"searched field {name!r} is not among the rows held")
    facts["search"] = search
    facts["scores"] = [
        {"name": s.name, "scorer": s.scorer, "column": s.column, "type": s.kind}
        for s in model.scores
    ]

    links = []
    for page_id, name, heatmap in live:
        cells = heatmap._model.data
        codes = cell_codes(
            grid.data, cells.columns.task, cells.columns.model, cells.tasks, cells.models
        ).gather(keep)
        links.append(
            {
                "source": page_id,
                "name": name,
                "tasks": list(cells.tasks),
                "models": list(cells.models),
                # 0: no cell; else the cell's code + 1.
                "codes": uint_blob(
                    data, f"{key}:cells:{page_id}", (codes + 1).fill_null(0).to_list()
                ),
            }
        )
    facts["links"] = links
    facts["total"] = query.total

    view = query.view
    state = {
        # The page shows the kernel's own first rows; its count is over the rows held.
        "_count": view.to_frame(ROW).join(place, on=ROW, how="semi").height,
        # The user's view choices for a saved page are kept apart from the notebook's.
        "_storage_key": "evallens:page:" + grid._storage_key.rsplit(":", 1)[-1],
        # The page holds the view shown, not the others: it offers no switch between views.
        "_views": [grid.view_name],
    }
    return GridPage(state, facts, notes)
