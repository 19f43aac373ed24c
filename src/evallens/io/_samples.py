"""One log's sample summaries → a polars frame in the evallens samples schema."""

from __future__ import annotations

import itertools
from typing import Any

import polars as pl

from evallens.io._columns import series_from_values, to_json_text
from evallens.io._logfile import LogFile
from evallens.io._remote import log_location
from evallens.io._summary import (
    MAX_TEXT_LENGTH,
    METADATA_REMOVED,
    THIN_TEXT_WIDTH,
    auto_sample_id,
    eval_id_of,
    metadata_fits,
    render_input,
    render_target,
    thin_metadata,
    thin_text,
    truncate_text,
)

ScoreMap = dict[str, tuple[str, str]]
"""Score column → (scorer, score name); the name equals the scorer for non-dict scorers."""

USAGE_FIELDS: tuple[tuple[str, type[pl.DataType]], ...] = (
    ("input_tokens", pl.Int64),
    ("output_tokens", pl.Int64),
    ("total_tokens", pl.Int64),
    ("input_tokens_cache_write", pl.Int64),
    ("input_tokens_cache_read", pl.Int64),
    ("reasoning_tokens", pl.Int64),
    ("total_cost", pl.Float64),
)
MODEL_USAGE_DTYPE = pl.List(
    pl.Struct({"model": pl.String, **{name: dtype for name, dtype in USAGE_FIELDS}})
)
"""``model_usage``: one struct per model the sample called (the log stores a dict)."""


# Core columns, in order, with fixed dtypes so frames from different logs concatenate.
# `id` is left out: it keeps the log's type (integer ids stay integers).
SAMPLE_DTYPES: dict[str, pl.DataType] = {
    "eval_id": pl.String(),
    "sample_id": pl.String(),
    "log": pl.String(),
    "task_name": pl.String(),
    "task_display_name": pl.String(),
    "model": pl.String(),
    "model_display_name": pl.String(),
    "epoch": pl.Int64(),
    "input": pl.String(),
    "target": pl.String(),
    "answer": pl.String(),
    "error": pl.String(),
    "limit": pl.String(),
    "retries": pl.Int64(),
    "total_tokens": pl.Int64(),
    "total_time": pl.Float64(),
    "working_time": pl.Float64(),
    "message_count": pl.Int64(),
    "model_usage": MODEL_USAGE_DTYPE,
}
CORE_ORDER: tuple[str, ...] = (
    "eval_id",
    "sample_id",
    "log",
    "task_name",
    "task_display_name",
    "model",
    "model_display_name",
    "id",
    "epoch",
    "input",
    "target",
    "answer",
    "error",
    "limit",
    "retries",
    "total_tokens",
    "total_time",
    "working_time",
    "message_count",
    "model_usage",
)


def remove_namespace(task: str) -> str:
    """``inspect_evals/gpqa_diamond`` → ``gpqa_diamond``, as inspect_ai's frames show tasks."""
    return task.split("/", 1)[1] if "/" in task else task


def eval_identity(log: LogFile) -> dict[str, str]:
    """The per-log columns every sample row repeats."""
    spec = log.header["eval"]
    task = str(spec.get("task", ""))
    task_name = remove_namespace(task)
    model = str(spec.get("model", ""))
    return {
        "eval_id": eval_id_of(spec),
        "log": log_location(log.path),
        "task_name": task_name,
        "task_display_name": str(spec.get("task_display_name") or task_name),
        "model": model,
        "model_display_name": model,
    }


def _put_slow(dynamic: dict[str, list[Any]], column: str, row: int, value: Any) -> None:
    """Add a value for a column this row, padding rows that lacked the column with None."""
    values = dynamic.get(column)
    if values is None:
        values = dynamic[column] = [None] * row
    elif len(values) < row:
        values.extend([None] * (row - len(values)))
    if len(values) == row:
        values.append(value)
    # a second value for the same row means two keys collided; the first one wins


def _put_slow_list(values: list[Any], row: int, value: Any) -> None:
    """`_put_slow` for a column's list already at hand."""
    if len(values) < row:
        values.extend([None] * (row - len(values)))
    if len(values) == row:
        values.append(value)


def _usage_series(
    offsets: list[int], models: list[str], entries: list[dict[str, Any]]
) -> pl.Series:
    """``model_usage`` built from flat arrays: far faster than from nested dicts.

    ``entries`` holds each (sample, model) usage dict as logged, ``offsets`` where each
    sample's entries start. The arrays are made by polars, not ``pyarrow.array``, which
    imports pandas (a quarter of a second) the first time it meets a Python list.
    """
    import pyarrow as pa

    children = [pl.Series("model", models, dtype=pl.String), *_usage_fields(entries)]
    struct = pl.DataFrame(children, height=len(models)).to_struct("entry").to_arrow()
    starts = pl.Series("offsets", offsets, dtype=pl.Int32).to_arrow()
    lists = pa.ListArray.from_arrays(starts, struct)
    # through a table: ``pl.Series(array)`` imports pyarrow.compute (~0.1 s) on first use
    table = pl.from_arrow(pa.Table.from_arrays([lists], names=["model_usage"]))
    series = table.to_series() if isinstance(table, pl.DataFrame) else table
    return series if series.dtype == MODEL_USAGE_DTYPE else series.cast(MODEL_USAGE_DTYPE)


_NUMBER_KINDS = {int, float, type(None)}
"""What a usage field may hold; anything else (``true``, text) reads as missing."""


def _usage_fields(entries: list[dict[str, Any]]) -> list[pl.Series]:
    """Each `USAGE_FIELDS` column of the usage entries (a missing field is null)."""
    kinds = set(map(type, itertools.chain.from_iterable(map(dict.values, entries))))
    if entries and kinds <= _NUMBER_KINDS:
        # only numbers: polars reads the dicts natively (~8x faster than a Python pass);
        # it would also take true as 1 and "5" as 5, hence the check above
        try:
            table = pl.from_dicts(entries, infer_schema_length=None)
            return [
                table[name].cast(dtype)
                if name in table.columns
                else pl.repeat(None, len(entries), dtype=dtype, eager=True).alias(name)
                for name, dtype in USAGE_FIELDS
            ]
        except (pl.exceptions.PolarsError, OverflowError, ValueError):
            pass  # a count beyond 64 bits, a NaN count: the Python pass decides
    fields: list[pl.Series] = []
    for name, dtype in USAGE_FIELDS:
        values = [u.get(name) for u in entries]
        present = set(map(type, values))
        if not present <= _NUMBER_KINDS:
            values = [v if type(v) is int or type(v) is float else None for v in values]
        # a token count logged as 3.0 must not fail the whole log: read, then cast
        read_as = pl.Float64 if float in present else dtype
        fields.append(pl.Series(name, values, dtype=read_as, strict=False).cast(dtype))
    return fields


_IDENTITY_NAMES = (
    "eval_id",
    "log",
    "task_name",
    "task_display_name",
    "model",
    "model_display_name",
)


class SampleRows:
    """Sample summaries of one log or many, gathered as Python lists, made a frame once.

    Each summary passes through `add` once, its values appended to one list per column;
    `frame` then builds every column with one dtype decision over all the logs' values
    (`series_from_values`), so many small logs cost one frame construction, not one
    each. The values are those of ``inspect_ai.analysis.samples_df`` (see
    `evallens.io._summary`); ``tests/test_read_samples.py`` checks them log by log.
    """

    def __init__(self) -> None:
        self.height = 0
        self.sample_ids: list[str] = []
        self.ids: list[Any] = []
        self.epochs: list[Any] = []
        self.inputs: list[str] = []
        self.targets: list[str] = []
        self.answers: list[str | None] = []
        self.errors: list[str] = []
        self.limits: list[Any] = []
        self.retries: list[Any] = []
        self.total_tokens: list[int] = []
        self.total_times: list[Any] = []
        self.working_times: list[Any] = []
        self.message_counts: list[Any] = []
        self.usage_offsets: list[int] = [0]
        self.usage_models: list[str] = []
        self.usage_entries: list[dict[str, Any]] = []
        self.identity: dict[str, list[str]] = {name: [] for name in _IDENTITY_NAMES}
        """Each log's eval id, path, task and model: once per log with rows."""
        self._identity_rows: list[int] = []
        self.dynamic: dict[str, list[Any]] = {}
        self.score_map: ScoreMap = {}
        # each metadata key's and (scorer, key)'s list in `dynamic`, found without its name
        self._metadata_lists: dict[str, list[Any]] = {}
        self._score_lists: dict[tuple[str, Any], list[Any]] = {}
        self._scalar_lists: dict[str, list[Any]] = {}

    def _lists(self) -> list[list[Any]]:
        return [
            self.sample_ids,
            self.ids,
            self.epochs,
            self.inputs,
            self.targets,
            self.answers,
            self.errors,
            self.limits,
            self.retries,
            self.total_tokens,
            self.total_times,
            self.working_times,
            self.message_counts,
        ]

    def add(self, identity: dict[str, str], summaries: list[dict[str, Any]]) -> None:
        """Append one log's summaries; on bad data nothing of this log is kept, and it raises.

        This loop is the reader's hot path (every sample passes through it once), hence the
        local bindings and the cached column names.
        """
        start = self.height
        known = (len(self.dynamic), len(self.score_map))
        models_before = len(self.usage_models)
        try:
            self._add(identity, summaries)
        except Exception:
            # leave the columns as they were before this log, so the other logs still load
            for values in self._lists():
                del values[start:]
            for name in list(self.dynamic)[known[0] :]:
                del self.dynamic[name]
            for values in self.dynamic.values():
                del values[start:]
            for name in list(self.score_map)[known[1] :]:
                del self.score_map[name]
            self._metadata_lists.clear()  # found again from `dynamic`, whose lists stay
            self._score_lists.clear()
            self._scalar_lists.clear()
            del self.usage_offsets[start + 1 :]
            del self.usage_models[models_before:]
            del self.usage_entries[models_before:]
            self.height = start
            raise

    def _add(self, identity: dict[str, str], summaries: list[dict[str, Any]]) -> None:
        # fields taken as they are: one comprehension each is cheaper than appends in the loop
        for values, key in (
            (self.ids, "id"),
            (self.epochs, "epoch"),
            (self.limits, "limit"),
            (self.retries, "retries"),
            (self.total_times, "total_time"),
            (self.working_times, "working_time"),
            (self.message_counts, "message_count"),
        ):
            values.extend([s.get(key) for s in summaries])
        eval_id = identity["eval_id"]
        self.sample_ids.extend(
            [
                s.get("uuid") or auto_sample_id(eval_id, s.get("id"), s.get("epoch"))
                for s in summaries
            ]
        )
        self.errors.extend(
            [error if type(error := s.get("error")) is str else "" for s in summaries]
        )
        inputs = self.inputs
        targets = self.targets
        answers = self.answers
        total_tokens = self.total_tokens
        usage_offsets = self.usage_offsets
        usage_models = self.usage_models
        usage_entries = self.usage_entries
        dynamic = self.dynamic
        metadata_lists = self._metadata_lists
        score_lists = self._score_lists
        scalar_lists = self._scalar_lists

        for row, s in enumerate(summaries, self.height):
            get = s.get
            value: Any = get("input")
            if type(value) is str:  # the common case of `render_input`, inline
                if len(value) > MAX_TEXT_LENGTH:
                    value = truncate_text(value)
                inputs.append(f"user:\n{value.strip()}\n")
            else:
                inputs.append(render_input(value))
            value = get("target")
            if type(value) is str and len(value) <= MAX_TEXT_LENGTH:
                targets.append(value)
            else:
                targets.append(render_target(value))

            tokens = 0
            usage = get("model_usage")
            if usage:
                for model_name, u in usage.items():
                    tokens += u.get("total_tokens") or 0
                    usage_models.append(model_name)
                    usage_entries.append(u)  # its fields are read once, in `frame`
            usage_offsets.append(len(usage_models))
            total_tokens.append(tokens)

            metadata = get("metadata")
            if metadata:
                for key, value in metadata.items():
                    # `thin_metadata` and JSON text for compound values, inline
                    kind = type(value)
                    if kind is str:
                        # `thin_text`'s common case inline: short text, whitespace collapsed
                        if len(value) <= THIN_TEXT_WIDTH:
                            value = " ".join(value.split())
                        else:
                            value = thin_text(value)
                    elif kind is dict or kind is list:
                        value = to_json_text(value) if metadata_fits(value) else METADATA_REMOVED
                    elif not (value is None or kind is int or kind is float):
                        value = thin_metadata({key: value})[key]
                    present = metadata_lists.get(key)
                    if present is None:
                        column = f"metadata_{key}"
                        _put_slow(dynamic, column, row, value)
                        metadata_lists[key] = dynamic[column]
                    elif len(present) == row:
                        present.append(value)
                    else:
                        _put_slow_list(present, row, value)

            answer: str | None = None
            scores = get("scores")
            if scores:
                for scorer, score in scores.items():
                    if type(score) is not dict:
                        continue
                    value = score.get("value")
                    if answer is None:
                        given = score.get("answer")
                        if type(given) is str:
                            answer = thin_text(given)
                    if type(value) is not dict:
                        # one column for the scorer: its list found by the scorer's name
                        present = scalar_lists.get(scorer)
                        if present is None:
                            present = self._score_column(scorer, None, row)
                            scalar_lists[scorer] = present
                        if len(present) == row:
                            present.append(value)
                        else:
                            _put_slow_list(present, row, value)
                        continue
                    for key, sub in value.items():
                        if type(sub) is dict:
                            sub = to_json_text(sub)
                        present = score_lists.get((scorer, key))
                        if present is None:
                            present = self._score_column(scorer, key, row)
                            score_lists[(scorer, key)] = present
                        if len(present) == row:
                            present.append(sub)
                        else:
                            _put_slow_list(present, row, sub)
            answers.append(answer)

        added = len(summaries)
        self.height += added
        if added:
            for name, values in self.identity.items():
                values.append(identity[name])
            self._identity_rows.append(added)

    def _score_column(self, scorer: str, key: Any, row: int) -> list[Any]:
        """The list of a score's column, made (padded to ``row``) the first time it is seen."""
        column = f"score_{scorer}" if key is None else f"score_{scorer}_{key}"
        self.score_map.setdefault(column, (scorer, scorer if key is None else str(key)))
        values = self.dynamic.get(column)
        if values is None:
            values = self.dynamic[column] = [None] * row
        return values

    def frame(self) -> pl.DataFrame:
        """The samples frame: core columns in `CORE_ORDER`, then metadata, then scores.

        A column no row filled keeps the ``Null`` dtype (the caller decides its type).
        """
        n = self.height
        # each log's values once, repeated for its rows by polars
        rows = pl.Series("rows", self._identity_rows, dtype=pl.Int64)
        identity = {
            name: pl.Series(name, values, dtype=pl.String).repeat_by(rows).explode()
            for name, values in self.identity.items()
        }
        core: dict[str, pl.Series] = {
            **identity,
            "sample_id": pl.Series("sample_id", self.sample_ids, dtype=pl.String),
            "id": series_from_values("id", self.ids),
            "epoch": pl.Series("epoch", self.epochs, dtype=pl.Int64),
            "input": pl.Series("input", self.inputs, dtype=pl.String),
            "target": pl.Series("target", self.targets, dtype=pl.String),
            "answer": pl.Series("answer", self.answers, dtype=pl.String),
            "error": pl.Series("error", self.errors, dtype=pl.String),
            "limit": series_from_values("limit", self.limits).cast(pl.String),
            "retries": pl.Series("retries", self.retries, dtype=pl.Int64),
            "total_tokens": pl.Series("total_tokens", self.total_tokens, dtype=pl.Int64),
            "total_time": pl.Series("total_time", self.total_times, dtype=pl.Float64, strict=False),
            "working_time": pl.Series(
                "working_time", self.working_times, dtype=pl.Float64, strict=False
            ),
            "message_count": pl.Series(
                "message_count", self.message_counts, dtype=pl.Int64, strict=False
            ),
            "model_usage": _usage_series(self.usage_offsets, self.usage_models, self.usage_entries),
        }
        columns = [core[name] for name in CORE_ORDER]
        for name in sorted(self.dynamic, key=_dynamic_order):
            values = self.dynamic[name]
            if len(values) < n:
                values.extend([None] * (n - len(values)))
            columns.append(series_from_values(name, values, keep_lists=name.startswith("score_")))
        return pl.DataFrame(columns, height=n)


def samples_frame(log: LogFile) -> tuple[pl.DataFrame, ScoreMap]:
    """Build the samples frame for one log, and say which scorer/score each column holds."""
    rows = SampleRows()
    rows.add(eval_identity(log), log.parsed_summaries())
    return rows.frame(), rows.score_map


def _dynamic_order(name: str) -> tuple[int, str]:
    # metadata before scores, as in samples_df; otherwise first-seen order is kept by sort
    return (0 if name.startswith("metadata_") else 1, "")
