"""SampleGrid: the virtualized, sortable sample list (traits and messages; rules in model.py)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, cast

import polars as pl
import traitlets

from evallens.base import EvalLensWidget, bundle_text, bytes_from_json
from evallens.engine import LazySource, LazySourceError, is_lazy_source
from evallens.engine.source import collect
from evallens.grid import export as _export
from evallens.grid.edits import ViewEdits
from evallens.grid.epochs import EpochSwitch, primary_score
from evallens.grid.export import Columns, csv_bytes, view_frame, write
from evallens.grid.filter_language import (
    FilterNameError,
    FilterSyntaxError,
    FilterTypeError,
    compile_filter,
)
from evallens.grid.lazy_model import LazyGridModel, needs_memory
from evallens.grid.model import GridModel, grid_frame
from evallens.grid.selection import rows_from_bytes, rows_to_bytes, sync_selection
from evallens.grid.view import view_state
from evallens.scores import ScoreDescriptor

FIRST_WINDOW = 100
"""Rows in the widget's initial state: enough to fill a tall grid without the kernel."""

VIEW_TRAITS = ("columns", "sort", "search", "transcript_search", "multiline", "compact_scores",
               "color_scales_enabled", "score_labels", "score_color_scales", "ranges",
               "histograms", "view_name", "group_epochs", "epochs_disagree")  # fmt: skip
"""Traits the browser asks the kernel to set (``set_view``) instead of setting them itself."""

Reply = tuple[dict[str, Any], list[bytes]]


def _same(a: tuple[Any, ...], b: tuple[Any, ...]) -> bool:
    """The same objects, one by one, or equal tuples (a frame's ``==`` compares values)."""
    return len(a) == len(b) and all(
        x is y or (isinstance(x, tuple) and x == y) for x, y in zip(a, b, strict=True)
    )


def _settle_quietly(model: GridModel) -> None:
    """`GridModel.settle` ahead of use; an error is raised again where the model is used."""
    try:
        model.settle()
    except Exception:  # the first use settles again and raises it there
        return


class SampleGrid(EvalLensWidget):
    """A virtualized, multi-column-sortable sample list with colour-scaled scores.

    Args:
        data: Samples: a polars, pandas or Arrow frame, a log file, a directory of logs.
        view: An Inspect ``TaskSamplesView`` (or ``ViewerConfig``, or the same fields as
            a dict), or a list of them to switch between by name (`view_name`); without
            it, the views stored in the logs are used.
        height: Pixels.
        filter: Rows to show at first (see `filter`).
        keys: The columns that name a row in `selected` (default: ``log``, ``id``,
            ``epoch``, those the frame has).

    Example:
        >>> import evallens
        >>> grid = evallens.SampleGrid(evallens.demo_samples(), view={
        ...     "name": "by judge", "sort": [{"column": "score__judge__judge", "dir": "desc"}],
        ...     "score_color_scales": {"judge": "good-high"}})
        >>> grid.sort
        [{'column': 'score__judge__judge', 'dir': 'desc'}]
    """

    _esm = bundle_text("grid.js")
    _css = bundle_text("grid.css")

    columns: traitlets.List[Any] = traitlets.List().tag(sync=True)
    """Columns in order, ``[{"id", "visible"}]`` (bare ids accepted); Inspect's view ids."""
    sort: traitlets.List[Any] = traitlets.List().tag(sync=True)
    """Sort keys, ``[{"column", "dir"}]`` (bare ids accepted); empty: by id, then epoch."""
    multiline = traitlets.Bool(True).tag(sync=True)
    """Tall rows showing several lines of text (Inspect's list layout)."""
    compact_scores = traitlets.Bool(False).tag(sync=True)
    """Narrow score columns with rotated headers."""
    color_scales_enabled = traitlets.Bool(True).tag(sync=True)
    """Paint score cells by their colour scales."""
    score_labels = traitlets.Dict().tag(sync=True)
    """Header labels by score name."""
    score_color_scales = traitlets.Dict().tag(sync=True)
    """Colour scale by score name: a palette, ``{"palette", "min", "max"}`` or a role map."""
    view_name = traitlets.Unicode("").tag(sync=True)
    """The eval view shown, one of `views`; set it to switch. Each view keeps the user's
    changes to it (sort, columns, toggles) while another shows."""
    search = traitlets.Unicode("").tag(sync=True)
    """Text to find in input, target, answer or id (literal, case-sensitive)."""
    ranges = traitlets.Dict().tag(sync=True)
    """Ranges brushed on the header histograms, by column id: ``{"bins": [first, last]}``
    (bars brushed on a binned histogram), ``{"values": [...]}`` (bars clicked) or
    ``{"min": lo, "max": hi}`` (both included); the rows kept lie inside every range
    (missing values in none). `filter` includes them."""
    histograms = traitlets.Bool(True).tag(sync=True)
    """Show the distribution of each shown score and numeric column in its header."""
    _histograms = traitlets.List(traitlets.Dict()).tag(sync=True)
    transcript_search = traitlets.Unicode("").tag(sync=True)
    """A regular expression to find in every message of every sample ("": off).

    Only samples with a message that matches show, with a Hits column (messages that
    match); opening one scrolls its sample to the first. The syntax is polars' (Rust's
    ``regex`` crate), case-sensitive unless the pattern starts with ``(?i)``; a bad
    pattern raises `evallens.PatternError` naming the position. Samples whose logs are
    not on this machine cannot be searched and are left out (see `transcript_hits`).
    """
    focused = traitlets.Int(-1).tag(sync=True)
    """Source-row index of the sample shown in the detail panel (-1: none)."""
    opened = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    """The sample open in the detail panel by its keys, e.g. ``{"log", "id", "epoch"}``
    (None: none). Set it to open a sample; it follows clicks in the browser."""
    group_epochs = traitlets.Bool(False).tag(sync=True)
    """One row per sample (log, id), its epochs reduced: score means, the primary score's
    epochs as pills, its variance and pass@k (`evallens.grid.epochs`)."""
    epochs_disagree = traitlets.Bool(False).tag(sync=True)
    """With `group_epochs`: only samples whose scored epochs differ on the primary score."""
    epochs_score = traitlets.Unicode("").tag(sync=True)
    """The primary score of grouped rows (name, view id or column; "": the first numeric)."""
    pass_k = traitlets.Int(None, allow_none=True).tag(sync=True)
    """k of the grouped rows' pass@k (None: the most epochs a sample has)."""
    selected: traitlets.List[Any] = traitlets.List()
    """Keys of the selected samples: ``(log, id, epoch)`` tuples (or the ``keys=``
    columns' values), or row indices."""

    _filter_text = traitlets.Unicode("").tag(sync=True)
    """The filter as Inspect filter text (what the box shows); "" when none or not text."""
    _filter_from_python = traitlets.Bool(False).tag(sync=True)
    """A filter the box cannot show (a polars expression or a mask) is on."""
    _selected_rows = traitlets.Bytes(b"").tag(sync=True, from_json=bytes_from_json)
    _column_defs = traitlets.List(traitlets.Dict()).tag(sync=True)
    _default_view = traitlets.Dict().tag(sync=True)
    _views = traitlets.List(traitlets.Unicode()).tag(sync=True)
    _sample_score_view = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    _storage_key = traitlets.Unicode("").tag(sync=True)
    _initial = traitlets.Bytes(b"").tag(sync=True)
    _revision = traitlets.Int(0).tag(sync=True)
    _count = traitlets.Int(0).tag(sync=True)
    _total = traitlets.Int(0).tag(sync=True)
    _unit = traitlets.Unicode("samples").tag(sync=True)
    _transcript_info = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    _settled = traitlets.Bool(False).tag(sync=True)
    """The first rows, the column descriptions and the storage key are in the state (set at
    the first display, `_settle`): the page draws the grid only then."""

    def __init__(
        self,
        data: Any,
        *,
        view: Any = None,
        height: int = 460,
        filter: Any = None,
        keys: Sequence[str] | None = None,
    ) -> None:
        if is_lazy_source(data):
            # Data an engine holds (a LazyFrame, DuckDB, Dask...): plans, not a frame.
            # Duck-typed: a LazyGridModel offers what the widget asks of a GridModel (what it
            # cannot, it refuses with LazySourceError); the widget checks for it where they part.
            lazy_model = LazyGridModel(LazySource(data), view, keys)
            model = cast(GridModel, lazy_model)
            total = model.query.total
        else:
            frame, deferred = grid_frame(data, keys)
            model = GridModel(frame, view, keys, deferred=deferred)
            total = frame.height
        self._model = model
        self._viewport = 0
        # Histograms are counted once a page shows them (or Python asks): not while building.
        self._histograms_wanted = False
        # the last counts, and what they counted (model, filters' version, columns)
        self._counted: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        # the counts over every row, and what they counted (model, its histograms, frame, columns)
        self._unfiltered: tuple[tuple[Any, ...], list[dict[str, Any]]] | None = None
        # the rows a pressed header's sort would show, and what they depend on
        self._previewed: tuple[tuple[Any, ...], bytes] | None = None
        self._filter_expr: str | pl.Expr | pl.Series | None = None
        self._edits = ViewEdits(self, VIEW_TRAITS)
        self._kept_views: dict[str, dict[str, Any]] = {}
        """The view traits of each view the user switched away from, by view name."""
        name, default = next(iter(self._model.views.items()))
        super().__init__(
            height=height,
            view_name=name,
            _views=list(self._model.views),
            _default_view=view_state(default),
            _sample_score_view=default.sample_score_view,
            _total=total,
            _count=total,
            **view_state(default),
            **({"histograms": False} if isinstance(model, LazyGridModel) else {}),
        )
        if isinstance(model, LazyGridModel):
            self._settle()
            model.lazy.describe_in_background()  # after the first rows: it shares the cores
        if filter is not None:
            self.filter = filter
        self._handle("settle", self._on_settle)
        self._handle("window", self._on_window)
        self._handle("detail", lambda msg, _b: (dict(self._model.detail(int(msg["row"]))), []))
        self._handle("rows_between", self._on_rows_between)
        self._handle("ping", lambda _msg, _b: ({}, []))
        self._handle(
            "sample_messages",
            lambda msg, _b: (
                dict(
                    self._model.samples.messages(
                        int(msg["row"]), int(msg.get("side", 0)),
                        int(msg.get("offset", 0)), int(msg.get("limit", 50)),
                    )
                ),
                [],
            ),
        )  # fmt: skip
        self._handle(
            "neighbour",
            lambda msg, _b: ({"row": self._model.neighbour(int(msg["row"]), int(msg["step"]))}, []),
        )
        self._handle("set_view", self._on_set_view)
        self._handle("preview_sort", self._on_preview_sort)
        self._handle("download_csv", self._on_download_csv)
        self._handle("histograms", self._on_histograms)
        self._handle(
            "break_out", lambda msg, _b: ({"added": self.break_out(str(msg["column"]))}, [])
        )
        self._handle("set_filter", self._on_set_filter)
        self._handle("filter_names", lambda _msg, _b: ({"names": self._model.filter_names()}, []))
        self.observe(
            self._on_view_change,
            ["sort", "columns", "search", "transcript_search", "ranges", "histograms"],
        )
        self.observe(self._on_view_name, ["view_name"])
        self.observe(self._on_focused, ["focused"])
        self.observe(self._on_opened, ["opened"])
        self._epochs = EpochSwitch(self)
        self.observe(
            self._epochs.follow, ["group_epochs", "epochs_disagree", "epochs_score", "pass_k"]
        )
        sync_selection(self, self._epochs.keys)
        if not model.settled:
            # What reads whole columns (score kinds, number formats, the query) starts now,
            # beside the kernel's own work; the first display (or any use) waits for it.
            threading.Thread(target=_settle_quietly, args=(model,), daemon=True).start()

    def __repr__(self) -> str:
        unsorted = "source order" if isinstance(self._model, LazyGridModel) else "id, epoch"
        sort = ", ".join(f"{s['column']} {s['dir']}" for s in self.sort) or unsorted
        return (
            f"SampleGrid({self.view_count:,} of {self._total:,} samples, sorted by {sort}, "
            f"{len(self._selected_rows) // 4} selected)"
        )

    # -- public API ----------------------------------------------------------------------
    @property
    def data(self) -> pl.DataFrame:
        """The samples frame the grid shows (unsorted, unfiltered; every epoch when grouped).

        A grid over a lazy source (`evallens.engine`) holds no frame: this raises
        `LazySourceError`; `lazy_source` is what it reads.
        """
        return self._epochs.base.source

    @property
    def lazy_source(self) -> Any:
        """The lazy table the grid reads (a LazyFrame, DuckDB relation...), else None."""
        model = self._epochs.base
        return model.lazy.native if isinstance(model, LazyGridModel) else None

    @property
    def views(self) -> list[str]:
        """The names of the eval views `view_name` switches between (the first: the default).

        Example:
            >>> import evallens
            >>> grid = evallens.SampleGrid(evallens.demo_samples(), view=[
            ...     {"name": "worst first", "sort": [{"column": "score_judge", "dir": "asc"}]},
            ...     {"name": "compact", "multiline": False}])
            >>> grid.views, grid.view_name
            (['worst first', 'compact'], 'worst first')
            >>> grid.view_name = "compact"
            >>> grid.multiline, grid.sort
            (False, [])
        """
        return list(self._views)

    @property
    def scores(self) -> list[ScoreDescriptor]:
        """The score columns and their detected kinds."""
        return list(self._model.scores)

    @property
    def filter(self) -> str | pl.Expr | pl.Series | None:
        """Rows to show.

        Inspect's filter text as typed in ``inspect view`` (e.g. ``'has_error or match ==
        "C"'``; the grid's filter box shows it), a boolean polars expression (e.g.
        ``pl.col("score_judge") > 5``), a boolean Series with one value per sample, or None
        for all. Bad text raises, naming the position (`FilterSyntaxError`) or the unknown
        name and the close ones (`FilterNameError`). Read back while ranges are brushed on
        the header histograms (`ranges`), it is one polars expression holding them too
        (not while epochs are grouped: ranges then keep grouped rows); setting it clears
        them.
        """
        # While epochs are grouped, ranges keep grouped rows (by their means): not rows of
        # `data`, so they are not part of the filter then.
        epochs = getattr(self, "_epochs", None)
        grouped = epochs is not None and self._model is not epochs.base
        brushed = None if grouped else self._model.histograms.expression(self.ranges)
        if brushed is None:
            return self._filter_expr
        if self._filter_expr is None:
            return brushed
        if isinstance(self._filter_expr, pl.Series):
            return pl.lit(self._filter_expr) & brushed
        if isinstance(self._filter_expr, str):
            return compile_filter(self._filter_expr, self._model.scope) & brushed
        return self._filter_expr & brushed

    @filter.setter
    def filter(self, expr: str | pl.Expr | pl.Series | Sequence[bool] | None) -> None:
        mask = self._model.filter_mask(expr)
        self._model.query.set_mask("filter", mask)
        if isinstance(expr, str):
            self._filter_expr = expr if mask is not None else None
        else:
            self._filter_expr = expr if expr is None or isinstance(expr, pl.Expr) else mask
        with self.hold_sync():
            self._filter_text = expr.strip() if isinstance(expr, str) else ""
            self._filter_from_python = mask is not None and not isinstance(expr, str)
            with self.hold_trait_notifications():
                self.ranges = {}  # the filter set is the whole filter
            self._refresh()

    @property
    def view_count(self) -> int:
        """Samples currently shown (after filters and search)."""
        return self._model.query.count

    def visible_rows(self, limit: int | None = None) -> pl.DataFrame:
        """The current view (sorted, filtered) as a frame, optionally the first ``limit``."""
        model = self._model
        if isinstance(model, LazyGridModel):
            picked, names = model.lazy.stored(model.lazy.columns)
            rows = model.query.plan(picked)
            rows = rows if limit is None else rows.head(limit)
            return collect(rows, streaming=True).select(picked).rename(names)
        view = model.query.view
        return model.source[view if limit is None else view.slice(0, limit)]

    def view_frame(self, columns: Columns = "shown") -> pl.DataFrame:
        """The rows the grid shows now (filter, search, linked selections, sort), as polars.

        Args:
            columns: ``"shown"`` (the visible columns, in the grid's order), ``"all"``
                (every column of the frame), or a list of column names.

        Values are the frame's own, not as the grid formats them.

        Example:
            >>> import evallens, polars as pl
            >>> grid = evallens.SampleGrid(evallens.demo_samples())
            >>> grid.filter = pl.col("model") == "openai/gpt-4.1"
            >>> grid.sort = [{"column": "score_match", "dir": "desc"}]
            >>> rows = grid.view_frame()
            >>> rows.height == grid.view_count, rows["score_match"][0], rows.columns[:3]
            (True, 'C', ['status', 'task_display_name', 'model_display_name'])
        """
        if isinstance(self._model, LazyGridModel):
            return self._model.view_frame(self.columns, columns)
        return view_frame(self._model, self.columns, columns)

    def export(self, path: str | os.PathLike[str], columns: Columns = "shown") -> Path:
        """Write `view_frame` to ``path``: CSV, Parquet or JSON Lines, by its extension.

        Returns the path written. Nested values (lists, dicts) become JSON text in CSV.
        """
        return write(self.view_frame(columns), path)

    def break_out(self, column: str) -> list[str]:
        """Show each key of the objects a column holds as a column of its own.

        For columns of JSON objects or structs (often metadata, e.g. ``metadata_config``
        → ``metadata_config.difficulty``). The new columns show right after it; returns
        their names. The Columns menu offers the same for each such column.
        """
        self._settle()
        added = self._model.break_out(column)
        self._epochs.forget()
        if not added:
            return []
        self._column_defs = [dict(d) for d in self._model.column_defs()]
        states = list(self.columns)
        ids = [s["id"] for s in states]
        source = self._model.column(column).id
        at = ids.index(source) + 1 if source in ids else len(states)
        states[at:at] = [{"id": c.id, "visible": True} for c in added]
        self.columns = [s for s in states if s["id"] in {c.id for c in self._model.columns}]
        return [c.id for c in added]

    def transcript_hits(self, pattern: str | None = None) -> pl.DataFrame:
        """Each sample's transcript-search hits: its key columns, ``hits``, ``first_hit``.

        One row per sample of the frame, in frame order. ``hits`` counts the sample's
        messages that match (0: none); ``first_hit`` is the first one's index in its
        ``messages`` (as `read_sample` gives them). Both are null for a sample that could
        not be searched (its log is not on this machine, or does not hold it).

        Args:
            pattern: A regular expression (see `transcript_search`); by default the
                grid's own ``transcript_search``. Searching another leaves the grid as it is.

        Example:
            >>> import evallens
            >>> import polars as pl
            >>> grid = evallens.SampleGrid(evallens.read_samples(LOG))  # doctest: +SKIP
            >>> grid.transcript_search = r"(?i)permission denied"  # doctest: +SKIP
            >>> grid.transcript_hits().filter(pl.col("hits") > 0).columns  # doctest: +SKIP
            ['log', 'id', 'epoch', 'hits', 'first_hit']
        """
        model = self._model
        if pattern == "":
            raise ValueError(
                "an empty pattern searches for nothing (grid.transcript_search = '' turns the "
                "search off): pass a regular expression"
            )
        if pattern is None:
            pattern = self.transcript_search
            if not pattern:
                raise ValueError(
                    "no transcript search is set: set grid.transcript_search or pass a pattern"
                )
        found = model.transcripts.search(pattern) if pattern != self.transcript_search else None
        hits = found or model.transcript_hits
        assert hits is not None
        keys = [c for c in model.keys.columns if c in model.source.columns]
        return model.source.select(keys).with_columns(hits.hits, hits.first_hit)

    def selected_samples(self) -> pl.DataFrame:
        """The selected samples as a polars frame, in view order.

        Selected samples the current filter hides follow, in frame order.
        """
        return self._model.selected_samples(rows_from_bytes(self._selected_rows))

    def reset_view(self) -> None:
        """Drop the user's changes (here and saved in the browser): back to the eval default.

        With several views, only the view shown (`view_name`) goes back to its default.
        """
        with self._edits.batch(self._refresh):
            self.set_trait("search", "")
            self.set_trait("transcript_search", "")
            for name, value in view_state(self._model.view(self.view_name)).items():
                self.set_trait(name, value)
        self.send({"type": "reset_view"})

    def set_link_filter(self, name: str, mask: pl.Series | None) -> None:
        """Filter by another widget's selection (used by ``evallens.link``)."""
        self._model.query.set_mask(f"link:{name}", mask)
        self._refresh()

    # -- trait checks (from Python and from the browser alike) ---------------------------
    @traitlets.validate("sort")
    def _valid_sort(self, proposal: Any) -> list[Any]:
        return list(self._model.check_sort(proposal["value"]))

    @traitlets.validate("ranges")
    def _valid_ranges(self, proposal: Any) -> dict[str, Any]:
        return self._model.histograms.check(proposal["value"])

    @traitlets.validate("columns")
    def _valid_columns(self, proposal: Any) -> list[Any]:
        return list(self._model.check_columns(proposal["value"]))

    @traitlets.validate("group_epochs")
    def _valid_group_epochs(self, proposal: Any) -> bool:
        if proposal["value"] and isinstance(self._epochs.base, LazyGridModel):
            raise needs_memory("grouping epochs", self._epochs.base.lazy.engine)
        if proposal["value"]:
            self._epochs.grouped()  # built (and kept) here: a frame without epochs raises
        return bool(proposal["value"])

    @traitlets.validate("epochs_score")
    def _valid_epochs_score(self, proposal: Any) -> str:
        value = str(proposal["value"])
        primary_score(self._epochs.base.scores, value)  # unknown or text scores raise
        return value

    @traitlets.validate("pass_k")
    def _valid_pass_k(self, proposal: Any) -> int | None:
        k: int | None = proposal["value"]
        if k is not None and k < 1:
            raise ValueError(f"pass_k is a number of epochs (1 or more), got {k}")
        return k

    @traitlets.validate("score_color_scales")
    def _valid_scales(self, proposal: Any) -> dict[str, Any]:
        return self._model.check_scales(proposal["value"])

    @traitlets.validate("score_labels")
    def _valid_labels(self, proposal: Any) -> dict[str, str]:
        return self._model.check_labels(proposal["value"])

    @traitlets.validate("view_name")
    def _valid_view_name(self, proposal: Any) -> str:
        name = str(proposal["value"])
        self._model.view(name)  # unknown names raise here
        return name

    @traitlets.validate("transcript_search")
    def _valid_transcript_search(self, proposal: Any) -> str:
        # Searched here, so a pattern that cannot be searched is never set (the refresh
        # that follows finds the search done).
        pattern = str(proposal["value"])
        self._model.search_transcripts(pattern)
        return pattern

    @traitlets.validate("opened")
    def _valid_opened(self, proposal: Any) -> dict[str, Any] | None:
        value = proposal["value"]
        row = self._model.row_of_opened(value)  # unknown keys raise here
        return self._model.opened_key(row)

    def _on_focused(self, change: Any) -> None:
        key = self._model.opened_key(int(change["new"]))
        if key != self.opened:
            self.set_trait("opened", key)

    def _on_opened(self, change: Any) -> None:
        row = self._model.row_of_opened(change["new"])
        if row != self.focused:
            self.focused = row

    def _after_reply(self) -> None:
        self._model.samples.release()

    def close(self) -> None:
        """Close the widget; the sort orders and grouped rows kept for its page go too.

        A closed grid still answers from Python (its frame and filters are kept): what it
        needs again is built again. The notebook's output history often keeps the widget.
        """
        epochs = getattr(self, "_epochs", None)
        models = [getattr(self, "_model", None), getattr(epochs, "base", None)]
        for model in {id(m): m for m in models if m is not None}.values():
            model.release()
        if epochs is not None:
            epochs.forget()
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        self._settle()  # the page draws the grid from its state: complete it first
        return super()._repr_mimebundle_(**kwargs)

    def _on_settle(self, _msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        """A page found the state unsettled: settle, and send that page the state again.

        The update that settled it may have reached the page before its model was ready.
        """
        self._settle()
        self.send_state(["_count", "_column_defs", "_storage_key", "_initial", "_settled"])
        return {}, []

    def _settle(self) -> None:
        """Put what the first display needs into the state.

        The first rows, the column descriptions (number formats, score bounds), the storage
        key. Done once, at the first display (or when a page asks, or a view change comes
        first): the constructor reads no whole column, and no page ever draws rows
        before their formats and colour domains are known.
        """
        if self._settled:
            return
        model = self._model
        with self.hold_sync():
            model.apply(self.sort, self.search, self.transcript_search)
            self._count = model.query.count
            self._column_defs = [dict(d) for d in model.column_defs()]
            self._storage_key = model.storage_key(self.view_name)
            self._initial = model.window(0, FIRST_WINDOW, self.columns)
            self._settled = True

    # -- messages ------------------------------------------------------------------------
    def _refresh(self) -> None:
        """Recompute the view and push the rows at the user's scroll position.

        The message names the sort its rows have, so the browser draws the arrows with
        the rows; and ``_initial`` follows the view, so the state a notebook saves shows
        rows that match its saved sort, search and columns when reopened without a kernel.
        """
        self._settle()
        model = self._model
        started = time.time() * 1000
        with self.hold_sync():
            model.apply_ranges(self.ranges)
            model.apply(self.sort, self.search, self.transcript_search)
            if isinstance(model, LazyGridModel) and model.refine():
                self._column_defs = [dict(d) for d in model.column_defs()]
            self._count = model.query.count
            self.set_trait("_transcript_info", self._transcript_state())
            self._revision += 1
            offset = self._refresh_offset()
            previewed, self._previewed = self._previewed, None
            if previewed is not None and previewed[0] == self._preview_key(self.sort, offset):
                rows = previewed[1]  # a pressed header's rows: the click made its sort
            else:
                rows = model.window(offset, FIRST_WINDOW, self.columns)
            # Where the time went, for the benchmarks (the page's trace reads it).
            timing = {"received": self._received_ms or started, "refresh": started,
                      "rows": time.time() * 1000}  # fmt: skip
            refresh = {"type": "refresh", "revision": self._revision, "count": self._count}
            self.send({**refresh, "offset": offset, "sort": self.sort, "timing": timing}, [rows])
            self._initial = rows if offset == 0 else model.window(0, FIRST_WINDOW, self.columns)
            # Counted after the rows went out: a filter's rows need not wait for them.
            if self._histograms_wanted:
                self._histograms = self._shown_histograms()
        model.query.warm()

    def _refresh_offset(self) -> int:
        """Rows arrive in blocks of FIRST_WINDOW: a refresh sends the block the user is at."""
        last_block = max(0, self._model.query.count - 1) // FIRST_WINDOW * FIRST_WINDOW
        return min(self._viewport // FIRST_WINDOW * FIRST_WINDOW, last_block)

    def _preview_key(self, sort: list[Any], offset: int) -> tuple[Any, ...]:
        """What a previewed sort's rows depend on besides the sort: the same key, same rows."""
        query = self._model.query
        return (self._model, query, query.mask_version, repr(sort), self.search,
                self.transcript_search, repr(self.columns), offset)  # fmt: skip

    def _on_preview_sort(self, msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        """The rows a sort would show, before the user lets go of the header.

        Nothing changes: no trait, no revision. The page shows the rows when the click
        comes (sending `set_view`, whose refresh then reuses them), so the press itself
        hides the sort and the round trip; a press that becomes a drag shows nothing.
        """
        started = time.time() * 1000
        sort = list(self._model.check_sort(msg.get("sort") or []))
        model, offset = self._model, self._refresh_offset()
        try:
            model.apply(sort, self.search, self.transcript_search)
            rows = model.window(offset, FIRST_WINDOW, self.columns)
        finally:
            model.apply(self.sort, self.search, self.transcript_search)
        self._previewed = (self._preview_key(sort, offset), rows)
        timing = {"received": self._received_ms or started, "refresh": started,
                  "rows": time.time() * 1000}  # fmt: skip
        body = {"revision": self._revision, "count": model.query.count, "offset": offset,
                "sort": sort, "timing": timing}  # fmt: skip
        return body, [rows]

    def header_histograms(self) -> list[dict[str, Any]]:
        """The histograms the headers show, over the rows in view.

        One per shown score and numeric column, each ``{"id", "type", "counts", "labels",
        "min", "max", "missing"}``: ``type`` ``categories`` has a bar per value
        (``labels``, in value order); ``bins`` has equal bins from ``min`` to ``max``
        (over all rows, so they stay put as the view changes). ``missing`` counts rows in
        view without a value.
        """
        self._histograms_wanted = True
        return self._shown_histograms()

    def _on_histograms(self, _msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        self._histograms = self.header_histograms()
        return {}, []

    def _shown_histograms(self) -> list[dict[str, Any]]:
        """The shown columns' histograms over the rows in view (none when turned off)."""
        if not self.histograms:
            return []
        shown = [c["id"] for c in self.columns if c["visible"]]
        # A sort or a moved column keeps the rows: the counts stand.
        query = self._model.query
        key = (self._model, query.mask_version, tuple(shown))
        if self._counted is not None and self._counted[0] == key:
            return [dict(h) for h in self._counted[1]]
        mask = query.combined_mask()
        # Every row (no filter: a linked chart's selection cleared) is counted once per frame:
        # at a million rows that is a third of a second, on every Escape.
        every = (self._model, self._model.histograms, query.work, tuple(shown))
        unfiltered = self._unfiltered
        if mask is None and unfiltered is not None and _same(unfiltered[0], every):
            counted = unfiltered[1]
        else:
            counted = [dict(h) for h in self._model.histograms.counts(shown, mask)]
            if mask is None:
                self._unfiltered = (every, counted)
        self._counted = (key, counted)
        return [dict(h) for h in counted]

    def _on_view_name(self, change: Any) -> None:
        """Switch views: each shows as the user left it, else as its eval author made it.

        The view left is kept; the next brings its own default (for "Reset view") and its
        own place in the browser's storage.
        """
        old, new = change["old"], change["new"]
        default = self._model.view(new)
        self._kept_views[old] = {name: getattr(self, name) for name in view_state(default)}
        state = self._kept_views.pop(new, None) or view_state(default)
        with self._edits.batch(self._refresh):
            self._default_view = view_state(default)
            self.set_trait("_sample_score_view", default.sample_score_view)
            self._storage_key = self._model.storage_key(new)
            for name, value in state.items():
                self.set_trait(name, value)

    def _transcript_state(self) -> dict[str, Any] | None:
        """What the front end says about the transcript search (None: none is set)."""
        hits = self._model.transcript_hits
        if hits is None:
            return None
        return {"searched": hits.searched, "unsearched": self._total - hits.searched}

    def _on_view_change(self, _change: Any) -> None:
        if not self._edits.collecting():
            self._refresh()

    def _on_set_view(self, msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        self._edits.apply(dict(msg.get("view") or {}), self._refresh)
        return {}, []

    def _on_download_csv(self, _msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        count, limit = self.view_count, _export.BROWSER_ROWS
        if count > limit:
            return {"rows": count, "limit": limit}, []
        return {"rows": count, "limit": limit}, [csv_bytes(self.view_frame())]

    def _on_set_filter(self, msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        """Filter text from the box: applied, or its error for the box to show.

        A filter that fails leaves the one in force as it was.
        """
        text = str(msg.get("text", ""))
        try:
            self.filter = text
        except LazySourceError as error:
            body = {"message": str(error), "position": 0, "length": len(text),
                    "expected": [], "near": []}  # fmt: skip
            return {"error": body}, []
        except (FilterSyntaxError, FilterNameError, FilterTypeError) as error:
            reason = str(error).split("\n")[0]
            expected = getattr(error, "expected", [])
            near = getattr(error, "near", [])
            position, length = error.position, getattr(error, "length", 1)
            body = {"message": reason, "position": position, "length": length,
                    "expected": expected, "near": near}  # fmt: skip
            return {"error": body}, []
        return {"count": self._model.query.count}, []

    def _on_window(self, msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        offset = int(msg.get("offset", 0))
        limit = min(int(msg.get("limit", FIRST_WINDOW)), 2000)
        self._viewport = int(msg.get("viewport", offset))
        body = {"revision": self._revision, "offset": offset, "count": self._model.query.count}
        return body, [self._model.window(offset, limit, self.columns)]

    def _on_rows_between(self, msg: dict[str, Any], _buffers: list[bytes]) -> Reply:
        rows = self._model.rows_between(int(msg["start"]), int(msg["end"]))
        return {}, [rows_to_bytes(rows)]
