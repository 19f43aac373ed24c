"""SampleGrid's rules without a comm: columns, view checks, filters, search, windows, details.

A `GridModel` is built once per frame. The widget holds its traits and forwards to it;
everything here can be tested with a frame and no browser.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, cast

import polars as pl

from evallens.errors import unknown_name_error
from evallens.frames import (
    DeferredColumns,
    LateText,
    from_pandas_deferring,
    is_pandas,
    to_frame,
)
from evallens.grid.columns import (
    STATUS,
    TEXT_FIELDS,
    Column,
    available_columns,
    extra_column,
    is_metadata,
    resolve_column_id,
    work_frame,
)
from evallens.grid.filter_language import Scope, compile_filter, completions
from evallens.grid.format import NumberStats, number_stats
from evallens.grid.histograms import Histograms
from evallens.grid.nested import broken_out, check_nested
from evallens.grid.query import SampleQuery, SortKey, missing_if_not_finite
from evallens.grid.selection import SampleKeys
from evallens.grid.sorting import LOG_ORDER, default_sort, first_rows, log_runs, sort_exprs
from evallens.grid.transcripts import HITS, Hits, TranscriptSearch
from evallens.grid.types import (
    ColumnDef,
    ColumnState,
    CompareDetail,
    DetailReply,
    SortEntry,
    TranscriptHit,
)
from evallens.grid.view import (
    BUILT_IN_VIEW,
    ResolvedView,
    SamplesView,
    normalize_scale,
    normalize_views,
    resolve_view,
    views_from_logs,
)
from evallens.sample.opened import OpenSamples
from evallens.scores import ScoreDescriptor, describe_scores, score_names
from evallens.wire import ROW, json_safe, to_ipc, wire_frame

RANGES = "ranges"
"""The query's filter of the ranges brushed on the header histograms."""

SEARCHED_FIELDS = ("input", "target", "answer", "id")
"""What the search box looks in (literal text, case-sensitive)."""

UNREAD_WHILE_BUILDING = frozenset({"model_usage"})
"""Frame columns a grid reads only for a whole sample or the whole frame (never a column of
its own, never described): a pandas frame's Python objects there are converted then
(`DeferredColumns`), not before the first rows show."""

LATE_TEXT = frozenset(
    {*TEXT_FIELDS, "task_display_name", "model_display_name", "eval_id", "model", "error", "limit",
     "task_name", "log"}
)  # fmt: skip
"""Frame columns a grid reads whole only to sort, search, filter or count by them (its
windows read rows, its probes of which columns show read parts, its task names and text
scores' kinds come from Arrow's distinct values, the logs' runs from Arrow's run-end
encoding): a pandas frame's text there (and in ``metadata_*`` and score columns) is
converted for the rows read."""


def grid_frame(
    data: Any, key_columns: Sequence[str] | None = None
) -> tuple[pl.DataFrame, DeferredColumns | None]:
    """`to_frame` for a grid, what a pandas frame's first rows need only (`DeferredColumns`).

    Left for `GridModel`: its object columns in `UNREAD_WHILE_BUILDING`, and its text in
    `LATE_TEXT`, unless they are keys.
    """
    if is_pandas(data):
        keys = set(key_columns or ())
        named = [n for n in data.columns if isinstance(n, str)]
        late = {n for n in named if n in LATE_TEXT or is_metadata(n)}
        late |= {column for column, _, _ in score_names(named)}
        ahead: list[Future[dict[str, NumberStats]]] = []

        def stats_ahead(numbers: pl.DataFrame) -> None:
            # The numbers' formats and bounds (`settle`'s first work), beside the text's
            # conversion: polars leaves Python's lock while it reads them.
            ahead.append(_AHEAD.submit(number_stats, numbers, numbers.columns))

        frame, deferred = from_pandas_deferring(
            data, UNREAD_WHILE_BUILDING - keys, late - keys, stats_ahead
        )
        if deferred is not None and ahead:
            deferred.ahead = ahead[0]
        return frame, deferred
    return to_frame(data), None


_AHEAD = ThreadPoolExecutor(1, thread_name_prefix="evallens-ahead")
"""Runs what a grid's settling can start before the grid is built (`grid_frame`)."""


def _entries(trait: str, value: Any, key: str) -> list[Any]:
    """A view list's entries (column ids or dicts), or a clear TypeError."""
    if isinstance(value, str):
        return [value]  # one column id given on its own
    if not isinstance(value, list | tuple):
        raise TypeError(f"grid.{trait} takes a list, e.g. [{{'{key}': ...}}], got {value!r}")
    for entry in value:
        if not isinstance(entry, str | dict):
            raise TypeError(
                f"grid.{trait} entries are column ids or dicts with '{key}', got {entry!r}"
            )
    return list(value)


def _no_hits(height: int) -> pl.Series:
    return pl.repeat(None, height, dtype=pl.UInt32, eager=True).alias(HITS)


class GridModel:
    """One frame's sorted, filtered, searched view, and the rules for changing it.

    Example:
        >>> import evallens
        >>> model = GridModel(evallens.demo_samples())
        >>> model.check_sort(["sampleId"])
        [{'column': 'sampleId', 'dir': 'asc'}]
        >>> model.apply(model.check_sort(["score_judge"]), "plus 5")
        >>> model.query.count
        2418
    """

    _deferred: DeferredColumns | None = None
    """Columns of the frame not converted yet (`DeferredColumns`; None: none)."""
    _pandas: Any = None
    """The pandas frame the frame shares memory with (None: not from pandas)."""
    _ahead: Future[dict[str, NumberStats]] | None = None
    """The numbers' stats counted while the frame was converted (None: none)."""

    def __init__(
        self,
        frame: pl.DataFrame,
        view: Any = None,
        key_columns: Sequence[str] | None = None,
        *,
        scores: Sequence[ScoreDescriptor] | None = None,
        deferred: DeferredColumns | None = None,
    ) -> None:
        # ``deferred``: columns of the frame not converted yet, none of which building reads.
        self._source = frame
        # Kept for the frame's life: the pandas frame it shares memory with (its copy-on-write
        # keeps the user's later writes out), and the numbers' stats counted ahead.
        self._pandas = None if deferred is None else deferred.kept
        self._ahead = None if deferred is None else deferred.ahead
        self._deferred = (
            deferred if deferred is not None and (deferred.names or deferred.text) else None
        )
        self._completing = threading.Lock()
        # What the constructor reads: the schema, the logs' runs (for their views) and a
        # few early-exit probes (which columns show). Whatever else reads the data (score
        # kinds and bounds, the query's row index and sort keys) is `settle`'s work, done
        # on first use: by the first window, a count, a sort, a histogram or `scores`.
        # ``scores``: what the caller already knows the columns mean (grouped epochs' means).
        self._known_scores = None if scores is None else list(scores)
        self._scores: list[ScoreDescriptor] = (
            list(scores)
            if scores is not None
            else [
                ScoreDescriptor(c, scorer, name, "other")
                for c, scorer, name in score_names(frame.columns)
            ]
        )
        """Names only until settled (their kinds are placeholders, never read before)."""
        if deferred is not None and deferred.text:
            # Late text is read by row number: a window converts only the rows it shows,
            # a probe of which columns show the rows it tests.
            late = {
                t.name: pl.col(ROW).map_batches(t.rows, return_dtype=pl.String)
                for t in deferred.text
            }
            work = work_frame(frame.with_row_index(ROW), late)
            probes = self._late_text()
        else:
            work, probes = work_frame(frame), {}
        self.columns: list[Column] = available_columns(work, self._scores, probes)
        self._work = work
        late_log = probes.get("log")
        self.log_runs = log_runs(frame) if late_log is None else late_log.runs()
        """The frame's runs of rows sharing a ``log`` (`sorting.log_runs`; None: no log)."""
        # A view the user passes must be right; one read from the logs is honoured as far
        # as it fits this data (Inspect ignores column ids it does not know).
        runs = self.log_runs
        given = (
            normalize_views(view)
            if view is not None
            else views_from_logs(frame, None if runs is None else runs.get_column("value"))
        )
        self.views: dict[str, ResolvedView] = {
            v.name: resolve_view(v, self.columns, strict=view is not None)
            for v in given or [SamplesView(BUILT_IN_VIEW)]
        }
        """Each eval view, resolved, by name; the first is the default."""
        # (keys read late text through the work frame: the logs' paths are keys)
        self.keys = SampleKeys(frame if late_log is None else cast(pl.DataFrame, work), key_columns)
        self._searched = ""
        self._ranged: dict[str, Any] = {}
        self._scope: Scope | None = None
        self._transcripts: TranscriptSearch | None = None
        self._transcript_searched = ""
        self.transcript_hits: Hits | None = None
        """The transcript search's hits per source row (None: no transcript search)."""
        self.samples = OpenSamples()
        """The whole samples the detail panel shows, read from their logs when they are here."""
        self.compare_detail: Callable[[dict[str, Any]], CompareDetail | None] | None = None
        """Set by a caller whose rows pair two samples: given a row's values, the pair for
        the detail panel (None: show the row as usual)."""
        self._settle_lock = threading.Lock()
        self._settled = False
        self._query: SampleQuery | None = None
        self._histograms: Histograms | None = None
        self._defs: list[ColumnDef] | None = None
        self._stats: dict[str, NumberStats] = {}
        self._tasks: list[str] | None = None

    # -- settling: what reads the data, done once on first use ----------------------------
    def _set_up_settled(self) -> None:
        """For a subclass whose constructor sets up every part itself: nothing to settle."""
        self._known_scores = list(self._scores)
        self._deferred = None  # its `source` is its own: nothing of it is deferred
        self._pandas = None
        self._ahead = None
        self._completing = threading.Lock()
        self._settle_lock = threading.Lock()
        self._settled = True
        self._query = None
        self._histograms = None
        self._defs = None
        self._stats = {}
        self._tasks = None

    def release(self) -> None:
        """Drop what is kept only to answer the page fast (a closed grid's sort orders)."""
        if self._query is not None:
            self._query.release()

    @property
    def settled(self) -> bool:
        """Whether the data-reading work is done (`settle`)."""
        return self._settled

    def settle(self) -> None:
        """Describe the scores and build the query: the work that reads whole columns.

        Done once, on first use of `scores`, `query` or `histograms` (or ahead of it, from
        another thread: the first use then waits for it). Thread-safe.
        """
        if self._settled:
            return
        with self._settle_lock:
            if self._settled:
                return
            frame = self._built  # deferred columns (`DeferredColumns`) are never read here
            # Every numeric column's bounds in one pass: number formats and score bounds share them.
            wanted = [c.field for c in self.columns if c.kind != "duration"]
            wanted += [s.column for s in self._scores]
            self._stats = self._number_stats(list(dict.fromkeys(wanted)))
            if self._known_scores is None:
                bounds = {name: (st.lo, st.hi) for name, st in self._stats.items()}
                late = self._late_text()
                described = {s.column: s for s in describe_scores(frame, bounds, late)}
                self._scores = [described[s.column] for s in self._scores]
            by_column = {s.column: s for s in self._scores}
            for column in self.columns:
                if column.score is not None and column.score.column in by_column:
                    column.score = by_column[column.score.column]
            work = self._work
            keys, key_exprs = default_sort(frame, self.log_runs, by_row="log" in self._late_text())
            rows = first_rows(self.log_runs)  # None unless each log's rows are together
            query = SampleQuery(
                work,
                {**sort_exprs(self.columns, work.schema), **key_exprs},
                keys,
                default_rows=rows,
                run_key=LOG_ORDER if rows is not None and LOG_ORDER in key_exprs else None,
            )
            query.set_column(_no_hits(frame.height))  # so a sort by hit counts always works
            self._query = query
            self._histograms = Histograms(self.columns, work, self._stats)
            self._task_names()
            self._settled = True

    def _late_text(self) -> dict[str, LateText]:
        """The text columns not converted yet (`LateText`), by name."""
        deferred = self._deferred
        return {} if deferred is None else {t.name: t for t in deferred.text}

    def _number_stats(self, wanted: list[str]) -> dict[str, NumberStats]:
        """`number_stats` of ``wanted``, taking those counted ahead (`grid_frame`)."""
        ahead = self._ahead
        known: dict[str, NumberStats] = {}
        if ahead is not None:
            try:
                known = ahead.result()
            except Exception:  # counted here instead, where an error says what it is
                known = {}
        rest = number_stats(self._work.df, [w for w in wanted if w not in known])
        return {w: known[w] if w in known else rest[w] for w in wanted if w in known or w in rest}

    @property
    def scores(self) -> list[ScoreDescriptor]:
        """The score columns and what they hold (described on first use)."""
        self.settle()
        return self._scores

    @scores.setter
    def scores(self, value: list[ScoreDescriptor]) -> None:
        self._scores = value

    @property
    def query(self) -> SampleQuery:
        """The sorted, filtered view of the frame (built on first use)."""
        self.settle()
        assert self._query is not None
        return self._query

    @query.setter
    def query(self, value: SampleQuery) -> None:
        self._query = value

    @property
    def histograms(self) -> Histograms:
        """Score distributions for the headers, and the ranges brushed on them."""
        self.settle()
        assert self._histograms is not None
        return self._histograms

    @histograms.setter
    def histograms(self, value: Histograms) -> None:
        self._histograms = value

    @property
    def source(self) -> pl.DataFrame:
        """The frame, whole (deferred columns are converted on first read)."""
        if self._deferred is not None:
            self._complete()
        return self._source

    @property
    def _built(self) -> pl.DataFrame:
        """The frame without converting deferred columns (they are missing or null here)."""
        return self.source if self._deferred is None else self._source

    @property
    def column_names(self) -> list[str]:
        """The frame's columns, deferred ones included, without converting them."""
        if self._deferred is None:
            return self.source.columns
        # the frame's own order, then what was added to it (columns broken out)
        added = [n for n in self._source.columns if n not in self._deferred.order]
        return [*self._deferred.order, *added]

    def _complete(self) -> None:
        """Convert the deferred columns and put them in the frame, its order kept."""
        with self._completing:
            deferred = self._deferred
            if deferred is None:
                return
            new = deferred.convert()
            order = self.column_names
            self._source = self._source.with_columns(new).select(order)
            # as work_frame: NaN and infinities are missing
            fixes = {c.name: missing_if_not_finite(c.name) for c in new if c.dtype.is_float()}
            self._work = self._work.with_columns(new, fixes)
            self.query.add_columns(new, {}, fixes)
            self._deferred = None

    # -- describing ------------------------------------------------------------------------
    def view(self, name: str) -> ResolvedView:
        """The eval view called ``name``; unknown names raise naming the close ones."""
        if name not in self.views:
            raise unknown_name_error("view", name, list(self.views))
        return self.views[name]

    def column(self, cid: str) -> Column:
        """The column a view entry names (view id or frame column); unknown ids raise."""
        return resolve_column_id(cid, self.columns)

    def break_out(self, cid: str) -> list[Column]:
        """Make a column of each key of the objects a column holds (`evallens.grid.nested`).

        The new columns follow it in `columns`, in its group; returns them.
        """
        self.settle()  # the query and the histograms get the new columns
        source = self.column(cid)
        check_nested(source.id, [c.id for c in self.columns if c.nested])
        new = broken_out(self.source.get_column(source.field), set(self.source.columns))
        if not new:
            return []
        self._source = self.source.with_columns(new)
        # as work_frame: NaN and infinities are missing
        fixes = {c.name: missing_if_not_finite(c.name) for c in new if c.dtype.is_float()}
        work = self._work.with_columns(new, fixes)
        self._work = work
        added = [extra_column(work, c.name) for c in new]
        for column in added:
            column.default_visible = True
            column.group = source.group
        at = self.columns.index(source) + 1
        self.columns[at:at] = added
        self.query.add_columns(new, sort_exprs(added, work.schema), fixes)
        self.histograms.reset(self.columns, work)
        self._defs = None
        self._scope = None  # filter text can name the new columns (metadata.config.level)
        return added

    def column_defs(self) -> list[ColumnDef]:
        """What the front end needs to know about every column (worked out once).

        Reads every numeric column (its number format and width) and the scores' kinds and
        bounds: the first display needs them, so a widget asks for them then, not when built.
        """
        if self._defs is None:
            self.settle()
            # The frame as given: the stats read finite values only, and a float column's
            # width comes from them (reading its NaN-free form would compute it over every row).
            frame = self._work.df
            known = self._stats
            wanted = [c.field for c in self.columns if c.kind != "duration"]
            missing = [f for f in wanted if f not in known]  # broken out since
            stats = {**known, **number_stats(frame, missing)} if missing else known
            self._defs = [c.describe(frame, stats) for c in self.columns]
        return [dict(d) for d in self._defs]  # type: ignore[misc]

    def storage_key(self, view: str) -> str:
        """Where the browser keeps the user's changes: per task, column set and view.

        The view counts only when there are several (one view keeps the key it had).
        """
        tasks = self._task_names()
        ident = json.dumps(
            [list(tasks), sorted(self.column_names), *([view] if len(self.views) > 1 else [])]
        )
        return "evallens:grid:" + hashlib.sha1(ident.encode()).hexdigest()[:16]

    def _task_names(self) -> list[str]:
        """The frame's task names, sorted (worked out once)."""
        if self._tasks is None:
            tasks: Iterable[str] = []
            late = self._late_text()
            if "task_name" in late:
                tasks = sorted(str(t) for t in late["task_name"].distinct())
            elif "task_name" in self.column_names:
                frame = self._built if "task_name" in self._built.columns else self.source
                # one value per run of rows first: a task's rows are usually together
                runs = frame.get_column("task_name").rle().struct.field("value")
                tasks = sorted(str(t) for t in runs.unique().drop_nulls())
            self._tasks = list(tasks)
        return self._tasks

    # -- checking view traits --------------------------------------------------------------
    def check_sort(self, value: Any) -> list[SortEntry]:
        """Sort entries by Inspect id or frame column, as ``{"column", "dir"}`` dicts."""
        out: list[SortEntry] = []
        for entry in _entries("sort", value, "column"):
            entry = {"column": entry, "dir": "asc"} if isinstance(entry, str) else dict(entry)
            # the transcript search's hit counts ("hits") sort too (nothing while none is set)
            named = entry.get("column")
            hits = named == HITS or (named == "hits" and "hits" not in self.column_names)
            cid = HITS if hits else self.column(str(named)).id
            direction = entry.get("dir", "asc")
            if direction not in ("asc", "desc"):
                raise ValueError(f"sort direction must be 'asc' or 'desc', got {direction!r}")
            out.append({"column": cid, "dir": direction})
        return out

    def check_columns(self, value: Any) -> list[ColumnState]:
        """Column entries in order; columns left out stay in the menu, hidden."""
        out: list[ColumnState] = []
        seen = set()
        for entry in _entries("columns", value, "id"):
            entry = {"id": entry, "visible": True} if isinstance(entry, str) else dict(entry)
            col = self.column(str(entry.get("id")))
            if col.id not in seen:
                seen.add(col.id)
                out.append({"id": col.id, "visible": bool(entry.get("visible", True))})
        out += [{"id": c.id, "visible": False} for c in self.columns if c.id not in seen]
        return out

    def _check_score_keys(self, keys: Iterable[str]) -> None:
        # names only: known without describing the scores
        names = {n for s in self._scores for n in (s.name, s.view_id, s.column)}
        for key in keys:
            if key not in names:
                raise unknown_name_error("score", key, sorted({s.name for s in self._scores}))

    def check_scales(self, value: dict[str, Any]) -> dict[str, Any]:
        """``score_color_scales`` entries, normalized; unknown scores raise."""
        self._check_score_keys(value)
        return {key: normalize_scale(key, spec) for key, spec in value.items()}

    def check_labels(self, value: dict[str, Any]) -> dict[str, str]:
        """``score_labels`` as text; unknown scores raise."""
        self._check_score_keys(value)
        return {str(k): str(v) for k, v in value.items()}

    # -- filters and search ----------------------------------------------------------------
    def mask_of(self, values: Any) -> pl.Series:
        """A boolean Series (or list of bools) given as a filter, checked against the frame."""
        mask = values if isinstance(values, pl.Series) else pl.Series("filter", list(values))
        if mask.dtype != pl.Boolean:
            raise TypeError(f"a filter Series must be boolean, got {mask.dtype}")
        if mask.len() != self._built.height:
            raise ValueError(
                f"a filter Series needs one value per sample: got {mask.len()}, "
                f"the grid has {self._built.height}"
            )
        return mask

    @property
    def scope(self) -> Scope:
        """The names filter text can use here (built on first use)."""
        if self._scope is None:
            self._scope = Scope(self.source, self.scores)
        return self._scope

    def filter_names(self) -> list[dict[str, str]]:
        """What the filter box completes: this frame's variables, functions, keywords."""
        return completions(self.scope)

    def filter_mask(self, expr: Any) -> pl.Series | None:
        """The rows a filter keeps.

        Inspect filter text, an expression, a boolean Series or list, or None (as is empty
        text).
        """
        if expr is None:
            return None
        if isinstance(expr, str):
            if not expr.strip():
                return None
            return self.query.mask_for(compile_filter(expr, self.scope))
        if not isinstance(expr, pl.Expr):
            if isinstance(expr, pl.Series | list | tuple) or hasattr(expr, "__array__"):
                return self.mask_of(expr)
            raise TypeError(
                "grid.filter takes a polars expression, a boolean Series or None, "
                f"got {type(expr).__name__}"
            )
        names = self.column_names
        for name in expr.meta.root_names():
            if name not in names:
                raise unknown_name_error("column", name, names)
        if (
            self._deferred is not None
            and self._deferred.names
            and (
                expr.meta.has_multiple_outputs()
                or set(expr.meta.root_names()) & set(self._deferred.names)
            )
        ):
            self._complete()
        return self.query.mask_for(expr)

    def _search_mask(self, text: str) -> pl.Series | None:
        text = text.strip()
        fields = [f for f in SEARCHED_FIELDS if f in self.column_names]
        if not text or not fields:
            return None
        cond = pl.lit(False)
        for f in fields:
            cond = cond | pl.col(f).cast(pl.String).str.contains(text, literal=True)
        return self.query.mask_for(cond.fill_null(False))

    @property
    def transcripts(self) -> TranscriptSearch:
        """The frame's transcript search (made when first used)."""
        if self._transcripts is None:
            self._transcripts = TranscriptSearch(self.source)
        return self._transcripts

    def apply_ranges(self, ranges: dict[str, Any]) -> None:
        """Keep only the rows inside every brushed range (checked by `Histograms.check`)."""
        if ranges != self._ranged:
            self.query.set_mask(RANGES, self.histograms.mask(ranges))
            self._ranged = dict(ranges)

    def search_transcripts(self, pattern: str) -> None:
        """Show only the samples whose messages match ``pattern`` ("": all), with hit counts.

        Rows that cannot be searched (their log is not here) are left out too; their hit
        count is null. A bad pattern raises `PatternError` and changes nothing.
        """
        if pattern == self._transcript_searched:
            return
        hits = self.transcripts.search(pattern) if pattern else None
        self.transcript_hits = hits
        self._transcript_searched = pattern
        if hits is None:
            self.query.set_mask("transcript", None)
            self.query.set_column(_no_hits(self._built.height))
            return
        self.query.set_column(hits.hits.alias(HITS))
        self.query.set_mask("transcript", (hits.hits > 0).fill_null(False))

    def transcript_hit(self, row: int, limit: int = 20) -> TranscriptHit | None:
        """Where source ``row``'s first hit is and what matched there (None: no hit)."""
        hits = self.transcript_hits
        if hits is None or not 0 <= row < hits.first_hit.len():
            return None
        index = hits.first_hit[row]
        if index is None:
            return None
        text = self.transcripts.message_text(row, int(index))
        matches = (
            [] if text is None else self.transcripts.matches(text, self._transcript_searched, limit)
        )
        return {"index": int(index), "matches": matches}

    def apply(self, sort: Sequence[SortEntry], search: str, transcript_search: str = "") -> None:
        """Make the query follow the sort, the search and the transcript search.

        Each search rescans text only when it changed, so a sort or column change never
        waits for it.
        """
        self.search_transcripts(transcript_search)
        self.query.set_sort(
            [
                SortKey(
                    HITS if s["column"] == HITS else self.column(s["column"]).field,
                    s["dir"] == "desc",
                )
                for s in sort
            ]
        )
        if search != self._searched:
            self.query.set_mask("search", self._search_mask(search))
            self._searched = search

    # -- what goes to the browser ----------------------------------------------------------
    def window(self, offset: int, limit: int, columns: Sequence[ColumnState]) -> bytes:
        """Rows ``offset .. offset+limit`` of the view, visible columns only, as Arrow."""
        fields = [self.column(c["id"]).field for c in columns if c.get("visible")]
        wanted = list(dict.fromkeys([STATUS, *fields]))
        if self.transcript_hits is not None:
            wanted.append(HITS)
        return to_ipc(wire_frame(self.query.window(offset, limit, wanted)))

    def rows_between(self, start: int, end: int) -> list[int]:
        """Source rows at view positions ``start .. end`` (a range selection)."""
        return self.query.view.slice(start, max(0, end - start)).to_list()

    def detail(self, row: int) -> DetailReply:
        """One sample, whole, with its scores, for the detail panel.

        With `compare_detail` set, the pair it gives for the row goes under ``compare``.
        When the row's log is on this machine, the whole sample (each side's, for a pair)
        goes with it for the sample view, its messages following by `OpenSamples.messages`.
        """
        if self._deferred is not None and self._deferred.names:
            self._complete()  # the whole sample is shown, its objects too
        values = self.query.row(row)
        sample = {k: v for k, v in values.items() if not k.startswith("__")}
        reply: DetailReply = {
            "row": row,
            "sample": json_safe(sample),
            "scores": [
                {
                    "name": s.name,
                    "scorer": s.scorer,
                    "column": s.column,
                    "type": s.kind,
                    "value": json_safe(values.get(s.column)),
                }
                for s in self.scores
            ],
        }
        pair = self.compare_detail(values) if self.compare_detail is not None else None
        views = self.samples.open(row, values)
        if pair is not None:
            for side, view in zip(pair["sides"], views, strict=False):
                side["sample_view"] = view
            reply["compare"] = json_safe(pair)
        elif views and views[0] is not None:
            reply["sample_view"] = views[0]
            hit = self.transcript_hit(row)
            if hit is not None:
                reply["transcript_hit"] = hit
        return reply

    def neighbour(self, row: int, step: int) -> int:
        """The source row ``step`` places from ``row`` in the current view order (-1: none).

        A row the view no longer shows (filtered out since it was opened) has no
        neighbours but the view's first row, going forward.
        """
        view = self.query.view
        hits = (view == row).arg_true()
        if hits.len() == 0:
            return int(view[0]) if step > 0 and view.len() else -1
        at = int(hits[0]) + step
        return int(view[at]) if 0 <= at < view.len() else -1

    def opened_key(self, row: int) -> dict[str, Any] | None:
        """The ``opened`` value of source ``row``: its key columns by name (None: no row)."""
        if row < 0 or not self.keys.columns:
            return None
        (key,) = self.keys.keys_for_rows([row])
        return {c: json_safe(v) for c, v in zip(self.keys.columns, key, strict=True)}

    def row_of_opened(self, opened: Any) -> int:
        """The source row an ``opened`` value names; unknown keys raise naming them."""
        if opened is None:
            return -1
        if not isinstance(opened, dict):
            raise ValueError(f"opened is a dict of {', '.join(self.keys.columns)} or None")
        missing = [c for c in self.keys.columns if c not in opened]
        if missing or not self.keys.columns:
            raise ValueError(
                f"opened needs {', '.join(self.keys.columns) or 'key columns'}; "
                f"missing {', '.join(missing)}"
            )
        (row,) = self.keys.rows_for_keys([tuple(opened[c] for c in self.keys.columns)])
        return row

    def selected_samples(self, rows: Sequence[int]) -> pl.DataFrame:
        """Source ``rows`` in view order (rows the current filter hides follow, in order)."""
        if not rows:
            return self.source.clear()
        view = self.query.view
        shown = view.filter(view.is_in(list(rows))).to_list()
        hidden = sorted(set(rows) - set(shown))
        return self.source[shown + hidden]
