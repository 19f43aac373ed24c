"""Epochs grouped by sample: one grid row per (log, id), its epochs reduced.

A `GroupedModel` is a `GridModel` over the grouped frame, built once per (frame, score, k)
when grouping turns on and cached by the widget. Its rows are samples; every column holds
the first epoch's value (the lowest epoch: the one the detail panel opens) except:

- each numeric score column: the mean of its epochs under `evallens.scores.value_expr`
  (text grades C/I/P/N count as numbers, missing epochs are left out);
- ``epochs``: how many epochs the sample has;
- ``epoch_values``: the primary score's epochs, in epoch order (the browser draws them as
  pills in the score's colours; sorting by it sorts by the mean);
- ``epoch_variance``: the primary score's population variance over its scored epochs
  (missing with fewer than two);
- ``pass_at_k``: for a 0/1 primary score (pass/fail C/I, booleans, 0/1), Inspect's unbiased
  pass@k estimator (`evallens.compare.pairs.pass_at_k`) over the scored epochs (missing with
  fewer than k).

Filters, the search and linked selections stay rules over epochs (the base model's
masks); a sample shows when any of its epochs passes them all. ``disagree`` keeps the
samples whose scored epochs hold at least two different values of the primary score.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from evallens.compare.pairs import pass_at_k
from evallens.grid.columns import Column
from evallens.grid.model import RANGES, GridModel
from evallens.grid.query import Frame, SampleQuery
from evallens.grid.selection import rows_to_bytes
from evallens.scores import ScoreDescriptor, descriptor_value_expr
from evallens.wire import ROW

COUNT = "epochs"
VALUES = "epoch_values"
VARIANCE = "epoch_variance"
PASS_AT = "pass_at_k"
ADDED = (COUNT, VALUES, VARIANCE, PASS_AT)
"""Columns only grouped rows have (frame column = column id)."""
DISAGREE = "disagree"
_GROUP = "__group"
"""The grouped query's own filter: samples whose epochs disagree."""
_VALUE = "__value"
_UNIT_KINDS = ("passfail", "boolean")


_RAW = "__raw"


def _samples_in_order(
    source: pl.DataFrame, keys: list[str], epoch: pl.Series
) -> tuple[pl.Series, pl.Series]:
    """Each row's sample number, and the rows in (sample, epoch) order.

    When each log's rows are together (as readers write them) and ids are integers, one
    integer sort does it: samples are numbered log by log (in the order the logs come),
    by id within a log. Otherwise one hash group-by over the keys numbers them in the
    order they first appear.
    """
    height = source.height
    runs = None
    if keys[-1] == "id" and source.schema["id"].is_integer() and len(keys) == 2:
        owner = source.get_column(keys[0])
        table = owner.rle()  # one row per run of equal values
        if table.struct.field("value").n_unique() == table.len():  # one run per log
            runs = owner.rle_id()
    if runs is not None:
        # One integer sort by (log's run, id, epoch); a sample is a run of equal (log, id)
        frame = pl.DataFrame(
            {"run": runs, "id": source.get_column("id"), "epoch": epoch.clip(0)}
        ).with_row_index(ROW)
        ordered = frame.sort(["run", "id", "epoch", ROW])
        order = ordered.get_column(ROW)
        number = ordered.select(pl.struct("run", "id").rle_id().cast(pl.UInt32)).to_series()
        group_of = (
            pl.repeat(0, height, dtype=pl.UInt32, eager=True).scatter(order, number).alias(_GROUP)
        )
        return group_of, order
    members = (
        source.lazy()
        .select(keys)
        .with_row_index(ROW)
        .group_by(keys, maintain_order=True)
        .agg(pl.col(ROW))
        .collect()
        .get_column(ROW)
    )
    group = pl.int_range(members.len(), eager=True, dtype=pl.UInt32).repeat_by(members.list.len())
    group_of = (
        pl.repeat(0, height, dtype=pl.UInt32, eager=True)
        .scatter(members.explode(), group.explode())
        .alias(_GROUP)
    )
    span = max(int(epoch.max() or 0), 0) + 1  # type: ignore[arg-type]
    order = (group_of.cast(pl.Int64) * span + epoch.clip(0)).arg_sort()
    return group_of, order


def _even_aggregates(
    ordered: pl.DataFrame, means: list[str], p: ScoreDescriptor | None, epochs: int
) -> pl.DataFrame:
    """What the group-by in `EpochGroups` gives, when every sample has ``epochs`` rows.

    ``ordered`` holds the rows in (sample, epoch) order, so each column reshapes into a
    table of samples x epochs; numbers reduce along its rows (missing values left out, as
    polars' aggregations leave them out).
    """

    def table(column: str) -> np.ndarray[Any, Any]:
        values = ordered.get_column(column).cast(pl.Float64).to_numpy()
        return values.reshape(-1, epochs)

    def nulled(name: str, values: np.ndarray[Any, Any]) -> pl.Series:
        return pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)

    rows = ordered.get_column(ROW)
    out: list[pl.Series] = [
        rows.reshape((-1, epochs)).cast(pl.List(rows.dtype)).alias(ROW),
        pl.repeat(epochs, rows.len() // epochs, dtype=pl.Int64, eager=True).alias(COUNT),
    ]
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a sample with no scored epoch
        # one table at a time (each is a column's worth), the primary score's read once
        v = table(p.column) if p is not None else None
        for column in means:
            values = v if v is not None and p is not None and column == p.column else table(column)
            out.append(nulled(column, np.nanmean(values, axis=1)))
        if p is not None and v is not None:
            raw = ordered.get_column(f"{p.column}{_RAW}")
            scored = ~np.isnan(v)
            low, high = np.nanmin(v, axis=1), np.nanmax(v, axis=1)
            out += [
                raw.reshape((-1, epochs)).cast(pl.List(raw.dtype)).alias(VALUES),
                nulled(VARIANCE, np.nanvar(v, axis=1)),
                pl.Series("__scored", scored.sum(axis=1), dtype=pl.UInt32),
                pl.Series("__correct", np.nansum(v, axis=1), dtype=pl.Float64),
                pl.Series("__binary", np.all(~scored | (v == 0.0) | (v == 1.0), axis=1)),
                pl.Series(DISAGREE, (low != high) & ~np.isnan(low)),
            ]
    return pl.DataFrame(out)


def group_keys(frame: pl.DataFrame) -> list[str]:
    """The columns that name a sample across its epochs: its log (or eval) and its id."""
    if "id" not in frame.columns or "epoch" not in frame.columns:
        raise ValueError(
            "grouping epochs needs 'id' and 'epoch' columns; this frame has "
            + ", ".join(frame.columns[:12])
        )
    for owner in ("log", "eval_id"):
        if owner in frame.columns:
            return [owner, "id"]
    return [c for c in ("task_name", "model") if c in frame.columns] + ["id"]


def primary_score(scores: Sequence[ScoreDescriptor], wanted: str = "") -> ScoreDescriptor | None:
    """The score the epoch columns describe (None: the frame has no numeric score).

    ``wanted`` names it (name, view id or column); "" takes the first numeric one.
    """
    if wanted:
        for s in scores:
            if wanted in (s.name, s.view_id, s.column):
                if not s.is_numeric:
                    raise ValueError(f"epochs_score {wanted!r} is not numeric ({s.kind})")
                return s
        from evallens.errors import unknown_name_error

        raise unknown_name_error("score", wanted, [s.name for s in scores])
    return next((s for s in scores if s.is_numeric), None)


def _mean_descriptor(s: ScoreDescriptor) -> ScoreDescriptor:
    """A score's descriptor once its epochs are averaged: numeric, in the score's range."""
    lo, hi = (0.0, 1.0) if s.kind in _UNIT_KINDS else (s.min, s.max)
    return dataclasses.replace(s, kind="numeric", min=lo, max=hi, categories=None, non_numeric=())


class EpochGroups:
    """Which source rows make each sample, and the grouped frame.

    Example:
        >>> df = pl.DataFrame({"log": ["a"] * 3, "id": [1, 1, 2], "epoch": [2, 1, 1],
        ...                    "score_x": ["C", "I", "C"]})
        >>> from evallens.scores import describe_scores
        >>> g = EpochGroups(df, describe_scores(df))
        >>> g.frame.select("id", "epoch", "score_x", "epochs", "epoch_values").rows()
        [(1, 1, 0.5, 2, ['I', 'C']), (2, 1, 1.0, 1, ['C'])]
        >>> g.group_of.to_list(), g.disagree.to_list()
        ([0, 0, 1], [True, False])
    """

    def __init__(
        self,
        source: pl.DataFrame,
        scores: Sequence[ScoreDescriptor],
        score: str = "",
        k: int | None = None,
    ) -> None:
        keys = group_keys(source)
        self.keys = keys
        self.score = primary_score(scores, score)
        self.k = k
        p = self.score
        means = [s for s in scores if s.is_numeric]
        schema = source.schema
        # Which sample each row is, and the rows ordered by (sample, epoch) so the reductions
        # run on sorted integer groups.
        epoch = source.get_column("epoch").cast(pl.Int64).fill_null(0)
        group_of, order = _samples_in_order(source, keys, epoch)
        self.group_of: pl.Series = group_of
        """Each source row's sample (row of `frame`)."""
        # Each score's value once, as a number (the one rule; NaN missing, as in the grid).
        values = source.select(
            *(descriptor_value_expr(s, schema[s.column]).fill_nan(None).alias(s.column)
              for s in means),
        )  # fmt: skip
        ordered = (
            pl.DataFrame(
                [pl.int_range(source.height, dtype=pl.UInt32, eager=True).alias(ROW), group_of]
            )
            .hstack(values)
            .select(pl.all().gather(order))
            .with_columns(pl.col(_GROUP).set_sorted())
        )
        aggs: list[pl.Expr] = [
            pl.col(ROW).alias(ROW),
            pl.len().cast(pl.Int64).alias(COUNT),
            *(pl.col(s.column).mean().alias(s.column) for s in means),
        ]
        if p is not None:
            value = pl.col(p.column)
            aggs += [
                pl.col(f"{p.column}{_RAW}").alias(VALUES),
                value.var(ddof=0).alias(VARIANCE),
                value.count().alias("__scored"),
                value.sum().alias("__correct"),
                (value.is_in([0.0, 1.0]) | value.is_null()).all().alias("__binary"),
                (value.max() != value.min()).fill_null(False).alias(DISAGREE),
            ]
            ordered = ordered.with_columns(
                source.get_column(p.column).gather(order).alias(f"{p.column}{_RAW}")
            )
        sizes = ordered.get_column(_GROUP).rle().struct.field("len")
        if sizes.len() and sizes.min() == sizes.max():
            # Every sample has as many epochs (the usual log): a table of samples x epochs,
            # reduced along its rows, several times sooner than a million-group group-by.
            counted = _even_aggregates(ordered, [s.column for s in means], p, int(sizes[0]))
        else:
            # (unordered, then sorted: keeping the order costs more with a million samples)
            counted = ordered.group_by(_GROUP).agg(aggs).sort(_GROUP)
        rows = counted.get_column(ROW)
        self.rows: pl.Series = rows
        """Each sample's source rows, in epoch order (a list per sample)."""
        first = rows.list.first().cast(pl.UInt32)
        self.first_rows = first
        added: list[pl.Series] = [
            counted.get_column(c) for c in (COUNT, *(s.column for s in means))
        ]
        self.binary = False
        self.disagree: pl.Series | None = None
        if p is not None:
            scored, correct = counted.get_column("__scored"), counted.get_column("__correct")
            # No spread to speak of with one scored epoch.
            variance = counted.select(
                pl.when(pl.col("__scored") >= 2).then(pl.col(VARIANCE)).alias(VARIANCE)
            ).to_series()
            added += [counted.get_column(VALUES), variance]
            self.binary = bool(counted.get_column("__binary").all())
            if self.binary:
                self.k = k if k is not None else int(rows.list.len().max() or 1)  # type: ignore[arg-type]
                added.append(pass_at_series(scored, correct, self.k))
            self.disagree = counted.get_column(DISAGREE).fill_null(False)
        self.frame = source[first].with_columns(added)
        self.means = [_mean_descriptor(s) for s in means]

    @property
    def count(self) -> int:
        """Samples (grouped rows)."""
        return self.frame.height

    def project(self, mask: pl.Series | None) -> pl.Series | None:
        """Samples with at least one source row in ``mask`` (None: all)."""
        if mask is None:
            return None
        hit = self.group_of.filter(mask)
        out = pl.repeat(False, self.count, dtype=pl.Boolean, eager=True)
        return out.scatter(hit, True) if hit.len() else out

    def source_rows(self, groups: Sequence[int]) -> list[int]:
        """Every epoch's source row of ``groups`` (samples), in that order, epochs in order."""
        if not groups:
            return []
        return self.rows.gather(list(groups)).explode().drop_nulls().cast(pl.Int64).to_list()


def pass_at_series(scored: pl.Series, correct: pl.Series, k: int) -> pl.Series:
    """pass@k per sample from its scored and correct epoch counts (one call per distinct pair)."""
    pairs = pl.DataFrame({"n": scored, "c": correct.round(0).cast(pl.Int64)})
    table = pairs.unique().drop_nulls()
    table = table.with_columns(
        pl.Series(
            PASS_AT,
            [pass_at_k(int(n), int(c), k) for n, c in table.iter_rows()],
            dtype=pl.Float64,
        )
    )
    return pairs.join(table, on=["n", "c"], how="left", maintain_order="left").get_column(PASS_AT)


class GroupedQuery(SampleQuery):
    """The grouped rows' query: named filters are rules over epochs.

    They go to the epochs' query and come back as "some epoch passes"; `DISAGREE` is its own.
    """

    def __init__(self, df: Frame, base: SampleQuery, groups: EpochGroups, **kw: Any) -> None:
        super().__init__(df, **kw)
        self.base = base
        self.groups = groups
        self._followed: tuple[tuple[str, int], ...] | None = None
        self.follow_base()

    def follow_base(self) -> None:
        """Take the epochs' filters again (when they changed since last time)."""
        seen = tuple((name, id(mask)) for name, mask in self.base._masks.items())
        if seen != self._followed:
            self._followed = seen
            super().set_mask("epochs", self.groups.project(self.base.combined_mask()))

    def set_mask(self, name: str, mask: pl.Series | None) -> None:
        """A filter over epochs (by name), or one over the grouped rows themselves.

        The grouped rows' own: `DISAGREE`, and the ranges brushed on their histograms
        (their means).
        """
        if name in (DISAGREE, RANGES):
            super().set_mask(name, mask)
            return
        self.base.set_mask(name, mask)
        self.follow_base()

    def mask_for(self, expr: pl.Expr) -> pl.Series:
        """An expression's rows among the epochs (what `set_mask` takes)."""
        return self.base.mask_for(expr)


class GroupedModel(GridModel):
    """A grid over one row per sample (see the module docstring), answering as `GridModel`."""

    def __init__(self, base: GridModel, groups: EpochGroups) -> None:
        mean_of = {s.column: s for s in groups.means}
        scores = [mean_of.get(s.column, s) for s in base.scores]
        super().__init__(groups.frame, None, base.keys.columns or None, scores=scores)
        self.base = base
        self.groups = groups
        own = [c for c in self.columns if c.id not in ADDED]
        at = next(
            (i + 1 for i, c in enumerate(own) if groups.score and c.field == groups.score.column),
            len(own),
        )
        extra = [Column(COUNT, COUNT, "Epochs", "number", True)]
        if groups.score is not None:
            name = groups.score.name
            extra.append(Column(VALUES, VALUES, f"{name} by epoch", "pills", True, groups.score))
            extra.append(Column(VARIANCE, VARIANCE, "Variance", "number", True))
            if groups.binary:
                extra.append(Column(PASS_AT, PASS_AT, f"pass@{groups.k}", "number", True))
        own[at:at] = extra
        self.columns = own
        exprs = dict(self.query._sort_exprs)
        if groups.score is not None:
            exprs[VALUES] = pl.col(groups.score.column)  # pills sort by their mean
        self.grouped = GroupedQuery(
            self._work, base.query, groups, sort_exprs=exprs, default_sort=self.query.default_sort
        )
        self.query = self.grouped

    def set_disagree(self, on: bool) -> None:
        """Keep only samples whose epochs disagree (or all again)."""
        self.query.set_mask(DISAGREE, self.groups.disagree if on else None)

    def filter_mask(self, expr: Any) -> pl.Series | None:
        """A filter's epochs (`filter` is a rule over epochs, grouped or not)."""
        return self.base.filter_mask(expr)

    def mask_of(self, values: Any) -> pl.Series:
        """A boolean Series given as a filter: one value per epoch."""
        return self.base.mask_of(values)

    def apply(self, sort: Sequence[Any], search: str, transcript_search: str = "") -> None:
        """Follow the sort (over samples) and the searches (over epochs).

        A sample shows when one of its epochs matches a search.
        """
        if search != self.base._searched or transcript_search != self.base._transcript_searched:
            self.base.apply([], search, transcript_search)  # they look at every epoch
        self._searched = search
        self.grouped.follow_base()
        super().apply(sort, search)

    def search_transcripts(self, pattern: str) -> None:
        """The transcript search looks at every epoch's messages (see `apply`)."""
        self.base.search_transcripts(pattern)
        self.transcript_hits = self.base.transcript_hits
        self.grouped.follow_base()

    def break_out(self, cid: str) -> list[Column]:
        """Refused: break columns out of the epochs' frame, then group."""
        raise ValueError("turn grouping off (group_epochs = False) to break out a column")

    def selected_samples(self, rows: Sequence[int]) -> pl.DataFrame:
        """Every epoch of the selected samples, samples in view order, epochs in order."""
        if not rows:
            return self.base.source.clear()
        view = self.query.view
        shown = view.filter(view.is_in(list(rows))).to_list()
        hidden = sorted(set(rows) - set(shown))
        return self.base.source[self.groups.source_rows(shown + hidden)]


class GroupedKeys:
    """The selection's two forms while rows may be samples.

    Keys are always every epoch's ``(log, id, epoch)``; the browser's rows are samples when
    grouped.
    """

    def __init__(self, switch: EpochSwitch) -> None:
        self._switch = switch

    @property
    def columns(self) -> list[str]:
        """The key columns (as `SampleKeys.columns`)."""
        return self._switch.base.keys.columns

    def keys_for_rows(self, rows: Sequence[int]) -> list[Any]:
        """Keys of the rows shown (grouped: every epoch of those samples)."""
        grouped = self._switch.grouped_now
        if grouped is not None:
            rows = grouped.groups.source_rows(rows)
        return self._switch.base.keys.keys_for_rows(rows)

    def rows_for_keys(self, keys: Sequence[Any]) -> list[int]:
        """Rows shown for these keys (grouped: the samples they belong to)."""
        rows = self._switch.base.keys.rows_for_keys(keys)
        grouped = self._switch.grouped_now
        if grouped is None or not rows:
            return rows
        return grouped.groups.group_of.gather(rows).unique(maintain_order=True).to_list()


class EpochSwitch:
    """Swaps a SampleGrid between its epochs' model and the grouped one.

    The grouped model is built once per score and k, then kept; the view traits and the
    selection are carried across.
    """

    def __init__(self, widget: Any) -> None:
        self.widget = widget
        self.base: GridModel = widget._model
        self.keys = GroupedKeys(self)
        self._built: dict[tuple[str, int | None], GroupedModel] = {}
        # Column descriptions read the whole frame (~0.3 s at 5M rows): once per model.
        self._defs: dict[int, list[dict[str, Any]]] = {}

    @property
    def grouped_now(self) -> GroupedModel | None:
        """The grouped model when the grid shows it."""
        model = self.widget._model
        return model if isinstance(model, GroupedModel) else None

    def grouped(self) -> GroupedModel:
        """The grouped model for the widget's score and k (built on first use)."""
        w = self.widget
        key = (str(w.epochs_score), w.pass_k)
        model = self._built.get(key)
        if model is None:
            groups = EpochGroups(self.base.source, self.base.scores, key[0], key[1])
            model = self._built[key] = GroupedModel(self.base, groups)
        return model

    def forget(self) -> None:
        """The epochs' frame changed (a column broken out): build again when next needed."""
        self._built.clear()
        self._defs.clear()

    def follow(self, _change: Any = None) -> None:
        """Show what ``group_epochs`` and ``epochs_disagree`` say; one refresh."""
        w = self.widget
        target: GridModel = self.grouped() if w.group_epochs else self.base
        if isinstance(target, GroupedModel):
            target.set_disagree(bool(w.epochs_disagree))
        if target is not w._model:
            self._swap(target)
        if not w._edits.collecting():
            w._refresh()

    def _swap(self, target: GridModel) -> None:
        w = self.widget
        selected = list(w.selected)
        columns = [dict(c) for c in w.columns]
        if isinstance(target, GroupedModel):
            ids = [c["id"] for c in columns]
            primary = target.groups.score
            after = next(
                (c.id for c in target.columns if primary and c.field == primary.column), None
            )
            at = ids.index(after) + 1 if after in ids else len(columns)
            new = [{"id": c.id, "visible": True} for c in target.columns if c.id in ADDED]
            columns[at:at] = [c for c in new if c["id"] not in ids]
        else:
            columns = [c for c in columns if c["id"] not in ADDED]
        known = {c.id for c in target.columns}
        sort = [s for s in w.sort if s["column"] in known]
        # Header ranges are over the rows shown (epochs, or grouped samples' means): they
        # do not carry over, and none is left behind in either model.
        w._model.apply_ranges({})  # the refresh that follows clears the target's
        w._model = target
        with w._edits.held(), w.hold_sync():
            w.ranges = {}
            defs = self._defs.get(id(target))
            if defs is None:
                defs = self._defs[id(target)] = [dict(d) for d in target.column_defs()]
            w._column_defs = defs
            w._total = target.source.height
            w.columns = columns
            w.sort = sort
            w.focused = -1  # the panel's row was a row of the other model
            # The same epochs, as rows of the new model (grouped: their samples).
            rows = self.keys.rows_for_keys(selected)
            w._selected_rows = rows_to_bytes(rows)
            w.selected = self.keys.keys_for_rows(rows)  # grouped: every epoch of them
