"""Columnar fast path: summaries JSON → samples frame without a Python loop per sample.

pyarrow (or, when it declines, polars) parses the summaries natively and the rendering
rules of `evallens.io._summary` are applied as polars expressions. It handles the common
shapes (string inputs, scalar metadata, scalar or dict-of-scalar scores); anything else
returns ``None`` and the caller uses the row-by-row reader, which is the reference. Both must give identical frames;
``tests/test_read_fast.py`` checks that on every real and generated log.
"""

from __future__ import annotations

import io
import itertools
from typing import TYPE_CHECKING, Any

import polars as pl

if TYPE_CHECKING:
    from polars._typing import PolarsDataType

from evallens.io._samples import (
    CORE_ORDER,
    MODEL_USAGE_DTYPE,
    SAMPLE_DTYPES,
    USAGE_FIELDS,
    ScoreMap,
)
from evallens.io._summary import (
    _TRUNCATED,
    MAX_TEXT_LENGTH,
    THIN_TEXT_SCAN,
    THIN_TEXT_WIDTH,
    auto_sample_id,
    thin_text,
)

# Python's str.split()/strip() whitespace: Unicode White_Space plus the \x1c-\x1f separators
_SPACE = r"[\s\x1c-\x1f]"
_SCALARS = (pl.String, pl.Boolean, pl.Null)


def _is_scalar(dtype: PolarsDataType) -> bool:
    return dtype.is_numeric() or any(dtype == scalar for scalar in _SCALARS)


def _truncate(expr: pl.Expr) -> pl.Expr:
    return (
        pl.when(expr.str.len_chars() > MAX_TEXT_LENGTH)
        .then(expr.str.slice(0, MAX_TEXT_LENGTH) + _TRUNCATED)
        .otherwise(expr)
    )


def _strip(expr: pl.Expr) -> pl.Expr:
    return expr.str.replace_all(f"^{_SPACE}+|{_SPACE}+$", "")


def _collapse(expr: pl.Expr) -> pl.Expr:
    """The common case of `thin_text` as an expression: collapse whitespace, then strip."""
    return expr.str.slice(0, THIN_TEXT_SCAN).str.replace_all(f"{_SPACE}+", " ").str.strip_chars(" ")


def _thin_columns(raw: pl.DataFrame, exprs: dict[str, pl.Expr]) -> dict[str, pl.Series]:
    """`thin_text` for several text columns in one polars pass; Python for long values only."""
    if not exprs:
        return {}
    collapsed = raw.select(_collapse(expr).alias(name) for name, expr in exprs.items())
    long = collapsed.select(
        (pl.col(name).str.len_chars() > THIN_TEXT_WIDTH).any() for name in exprs
    ).row(0)
    result = {name: collapsed[name] for name in exprs}
    for name, any_long in zip(exprs, long, strict=True):
        if any_long:
            series = result[name]
            index = (series.str.len_chars() > THIN_TEXT_WIDTH).fill_null(False).arg_true()
            original = raw.select(exprs[name].alias(name))[name]
            fixed = [thin_text(v) for v in original.gather(index).to_list()]
            result[name] = series.scatter(index, fixed)
    return result


def _identity_columns(
    identities: list[dict[str, str]], rows: list[int], height: int
) -> dict[str, pl.Series]:
    """Each log's eval id, path, task and model, repeated for its rows."""
    if len(identities) == 1:
        return {
            name: pl.repeat(value, height, dtype=pl.String, eager=True).alias(name)
            for name, value in identities[0].items()
        }
    # each row's log, then each column a gather of the logs' values
    logs = pl.Series(range(len(rows)), dtype=pl.UInt32).repeat_by(pl.Series(rows)).explode()
    return {
        name: pl.Series(name, [i[name] for i in identities], dtype=pl.String).gather(logs)
        for name in identities[0]
    }


def _usage(frame: pl.DataFrame, *, several: bool = False) -> tuple[pl.Series, pl.Series]:
    """model_usage (struct keyed by model) → list of structs, plus the total tokens.

    Entries are laid out row-major (row, then model in key order) and wrapped as an Arrow
    list by offsets, which is several times cheaper than ``concat_list`` of structs.
    """
    import pyarrow as pa

    height = frame.height
    dtype = frame.schema.get("model_usage")
    if not isinstance(dtype, pl.Struct) or not dtype.fields:
        empty = pl.Series("model_usage", [[]] * height, dtype=MODEL_USAGE_DTYPE)
        return empty, pl.Series("total_tokens", [0] * height, dtype=pl.Int64)
    # one pass builds each model's entry struct and presence flag, and the token total
    exprs: list[pl.Expr] = []
    totals: list[pl.Expr] = [pl.lit(0, dtype=pl.Int64)]
    for order, model_field in enumerate(dtype.fields):
        per_model = pl.col("model_usage").struct.field(model_field.name)
        inner = model_field.dtype
        if not isinstance(inner, pl.Struct):
            raise _Unsupported
        names = {f.name for f in inner.fields}
        fields = [pl.lit(model_field.name, dtype=pl.String).alias("model")]
        for name, target in USAGE_FIELDS:
            fields.append(
                per_model.struct.field(name).cast(target).alias(name)
                if name in names
                else pl.lit(None, dtype=target).alias(name)
            )
            if name == "total_tokens" and name in names:
                totals.append(per_model.struct.field(name).cast(pl.Int64).fill_null(0))
        exprs.append(pl.struct(fields).alias(f"entry_{order}"))
        exprs.append(per_model.is_not_null().alias(f"present_{order}"))
    wide = frame.select(*exprs, pl.sum_horizontal(totals).alias("total_tokens"))
    count = len(dtype.fields)
    present = wide.select(pl.sum_horizontal(pl.col(f"present_{o}") for o in range(count)))
    per_row = present.to_series().cast(pl.Int32)
    most = int(present.max().item() or 0)
    if several and count > 1 and most > 1:
        # entries follow the struct's model order, which is first seen over all the logs
        # parsed together: a row of several models may list them in another order alone
        raise _Unsupported
    if count == 1 and per_row.min() == 1:
        structs = wide["entry_0"].to_arrow()  # the common case: every row called one model
    elif most <= 1:
        # one model a row at most (logs of different models parsed together): each row's
        # entry is its one present model's, the rows without usage left out
        one: Any = pl.when(pl.col("present_0")).then(pl.col("entry_0"))
        for o in range(1, count):
            one = one.when(pl.col(f"present_{o}")).then(pl.col(f"entry_{o}"))
        entry = wide.select(one.alias("entry")).filter(per_row == 1)
        structs = entry["entry"].to_arrow()
    else:
        # entries row-major (row, then model in key order), absent models left out
        parts = [
            wide.select(
                pl.col(f"entry_{o}").alias("entry"),
                pl.int_range(height).alias("row"),
                pl.lit(o).alias("order"),
            ).filter(wide[f"present_{o}"])
            for o in range(count)
        ]
        entries = pl.concat(parts).sort("row", "order")
        structs = entries["entry"].to_arrow()
    # offsets made by polars: ``pa.array`` of a Python list imports pandas (~0.25 s)
    offsets = pl.concat([pl.Series([0], dtype=pl.Int32), per_row.cum_sum()]).to_arrow()
    # through a table: ``pl.Series(arrow array)`` imports pyarrow.compute (~50 ms) on first use
    table = pl.from_arrow(
        pa.Table.from_arrays([pa.ListArray.from_arrays(offsets, structs)], names=["model_usage"])
    )
    assert isinstance(table, pl.DataFrame)
    return table.to_series().cast(MODEL_USAGE_DTYPE), wide["total_tokens"]


class _Unsupported(Exception):
    """A shape the fast path does not handle; the caller falls back."""


def _first_row(expr: pl.Expr) -> pl.Expr:
    """The first row where ``expr`` has a value (null where it never has)."""
    return expr.is_not_null().arg_true().first()


def _check_first_rows(firsts: dict[str, object]) -> None:
    """Decline where the columns' order or set could differ from the row reader's.

    The row reader makes a score's columns at the first row that has the scorer, in that
    row's order. pyarrow orders each level of the struct by where it first met a key, so
    the flattened order is the same when scorers come in the order they first score and
    a dict score's keys all first have values where its scorer first scores (a key met
    later would come after scorers met in between, to the row reader). A scored row with
    no dict value makes a column of its own there (``score_<scorer>``).
    """
    last = -1
    scorer_row: object = None
    for name, row in firsts.items():
        if name.startswith("bare_"):
            if row:
                raise _Unsupported
        elif name.startswith("scorer_"):
            if not isinstance(row, int) or row < last:
                raise _Unsupported
            last = scorer_row = row
        elif row != scorer_row:
            raise _Unsupported


def _put(dynamic: dict[str, pl.Expr], name: str, expr: pl.Expr) -> None:
    if name in dynamic:
        raise _Unsupported  # two scores map to one column name: the row reader decides
    dynamic[name] = expr


def fast_samples_frame(
    summaries_json: bytes, identity: dict[str, str]
) -> tuple[pl.DataFrame, ScoreMap] | None:
    """The samples frame for one log from its raw ``summaries.json``, or ``None``."""
    try:
        return _build(_parse(summaries_json), [identity], None)
    except (_Unsupported, pl.exceptions.PolarsError, ValueError, TypeError):
        return None


def fast_samples_frames(
    summaries_json: list[bytes], identities: list[dict[str, str]]
) -> tuple[pl.DataFrame, ScoreMap, list[int]] | None:
    """One samples frame for several logs, parsed and built together; ``None`` if declined.

    Each log's rows are together, in the order given, with the count of each log's rows
    (the frame is that of reading each log alone, stacked). Logs whose summaries conflict
    (an id that is a number in one and text in another, a score that is a dict in one)
    make the parser or `_build` decline, and the caller reads them one by one.
    """
    try:
        parsed = _parse_arrow_many(summaries_json)
        if parsed is None:
            return None
        raw, rows = parsed
        frame, score_map = _build(raw, identities, rows)
        return frame, score_map, rows
    except (_Unsupported, pl.exceptions.PolarsError, ValueError, TypeError):
        return None


_SUMMARY_FIELDS = frozenset(
    {
        *("id", "epoch", "input", "target", "metadata", "scores", "model_usage", "error"),
        *("limit", "retries", "total_time", "working_time", "message_count", "uuid"),
    }
)
"""The summary fields `_build` reads (``completed``, ``role_usage``, ... are not shown)."""


def _parse_arrow(data: bytes) -> pl.DataFrame | None:
    """Parse with pyarrow's JSON reader (about 2.5x cheaper than polars' for summaries)."""
    parsed = _parse_arrow_many([data])
    return None if parsed is None else parsed[0]


def _parse_arrow_many(datas: list[bytes]) -> tuple[pl.DataFrame, list[int]] | None:
    """Several logs' summaries parsed as one, with each log's count of rows (or ``None``).

    Each column is typed over all of them; ``None`` where pyarrow declines.

    pyarrow reads newline-delimited JSON objects, so each log's array becomes one line
    ``{"r":[...]}`` (newlines in pretty-printed summaries are whitespace, flattened
    first): its rows are that line's list, and the list offsets count each log's rows.
    One block holds every line, so each column's type is decided over every row (blocks
    typed apart would fail on a field whole in one block and fractional in another).
    """
    import pyarrow as pa
    import pyarrow.json as pa_json

    parts: list[bytes] = []
    for data in datas:
        if b"\n" in data:
            data = data.replace(b"\n", b" ")  # pretty-printed by older inspect_ai versions
        parts += (b'{"r":', data, b"}\n")
    # the system pool hands the buffers straight back: mimalloc keeps them per thread
    body = pa.py_buffer(b"".join(parts))
    del parts
    try:
        table = pa_json.read_json(
            pa.BufferReader(body),
            read_options=pa_json.ReadOptions(block_size=max(body.size + 1, 1 << 20)),
            memory_pool=pa.system_memory_pool(),
        )
    except (pa.ArrowException, ValueError):
        return None
    del body
    if table.num_rows != len(datas) or table.column_names != ["r"]:
        return None
    column = table.column(0)
    lists = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
    if not pa.types.is_list(lists.type) or not pa.types.is_struct(lists.type.value_type):
        return None  # summaries that are not an array of objects
    if lists.null_count:
        return None
    offsets = lists.offsets.to_pylist()
    rows = [b - a for a, b in itertools.pairwise(offsets)]
    # the rows as they are stored (``flatten`` would import pyarrow.compute: ~50 ms once)
    structs = lists.values.slice(offsets[0], offsets[-1] - offsets[0])
    table = pa.Table.from_struct_array(structs)
    # only the fields a samples frame is made of become polars columns
    table = table.select([name for name in table.column_names if name in _SUMMARY_FIELDS])
    frame = pl.from_arrow(table)
    return (frame, rows) if isinstance(frame, pl.DataFrame) else None


def _parse(data: bytes) -> pl.DataFrame:
    """Summaries JSON → frame: pyarrow first, polars when pyarrow declines."""
    frame = _parse_arrow(data)
    if frame is not None:
        return frame
    # NaN/Infinity literals and mixed shapes make polars raise too: the caller falls back
    return pl.read_json(io.BytesIO(data), infer_schema_length=None)


def _build(
    raw: pl.DataFrame, identities: list[dict[str, str]], rows: list[int] | None
) -> tuple[pl.DataFrame, ScoreMap]:
    """The samples frame of parsed summaries, of one log or several.

    ``rows`` ``None``: one log's. Else several logs' rows one log after another,
    ``rows[i]`` of them with ``identities[i]``.
    """
    schema = raw.schema
    height = raw.height
    if height == 0 or "id" not in schema or "epoch" not in schema:
        raise _Unsupported
    if schema.get("input") != pl.String:
        raise _Unsupported  # chat-message inputs are rendered row by row
    if rows is None:
        rows = [height]
        key = pl.struct(pl.col("id").cast(pl.String), pl.col("epoch"))
    else:
        # a sample id and epoch repeat across logs; within one they mark a re-run
        logs = pl.Series("log", range(len(rows)), dtype=pl.Int32)
        logs = logs.repeat_by(pl.Series(rows, dtype=pl.Int64)).explode()
        key = pl.struct(pl.col("id").cast(pl.String), pl.col("epoch"), pl.lit(logs))
    if raw.select(key.is_duplicated().any()).item():
        raise _Unsupported  # superseded re-runs: the row reader dedupes them
    identity = _identity_columns(identities, rows, height)

    def column(name: str, dtype: pl.DataType) -> pl.Expr:
        if name in schema:
            return pl.col(name).cast(dtype).alias(name)
        return pl.lit(None, dtype=dtype).alias(name)

    target_dtype = schema.get("target")
    if target_dtype == pl.String:
        target = _truncate(pl.col("target")).fill_null("")
    elif target_dtype == pl.List(pl.String):
        target = pl.col("target").list.eval(_truncate(pl.element())).list.join(",").fill_null("")
    elif target_dtype is None or target_dtype == pl.Null:
        target = pl.lit("", dtype=pl.String)
    else:
        raise _Unsupported

    usage, total_tokens = _usage(raw, several=len(rows) > 1)

    # dynamic columns as expressions over the parsed frame, evaluated in one pass below
    dynamic: dict[str, pl.Expr] = {}
    texts: dict[str, pl.Expr] = {}
    metadata_dtype = schema.get("metadata")
    if isinstance(metadata_dtype, pl.Struct):
        for field in metadata_dtype.fields:
            values = pl.col("metadata").struct.field(field.name)
            if field.dtype == pl.String:
                texts[f"metadata_{field.name}"] = values
            elif not _is_scalar(field.dtype):
                raise _Unsupported  # nested metadata becomes JSON text row by row
            dynamic[f"metadata_{field.name}"] = values
    elif metadata_dtype is not None and metadata_dtype != pl.Null:
        raise _Unsupported

    score_map: dict[str, tuple[str, str]] = {}
    answers: list[pl.Expr] = []
    scores_dtype = schema.get("scores")
    # where each scorer first scores, and each key of a dict score first has a value: the
    # row reader makes columns in the order it meets them (see `_check_first_rows`)
    firsts: list[pl.Expr] = []
    if isinstance(scores_dtype, pl.Struct):
        for order, scorer_field in enumerate(scores_dtype.fields):
            scorer = scorer_field.name
            score = pl.col("scores").struct.field(scorer)
            if not isinstance(scorer_field.dtype, pl.Struct):
                raise _Unsupported
            firsts.append(_first_row(score).alias(f"scorer_{order}"))
            parts = {f.name: f.dtype for f in scorer_field.dtype.fields}
            if parts.get("answer") == pl.String:
                answers.append(score.struct.field("answer"))
            value_dtype = parts.get("value")
            if value_dtype is None:
                # no value anywhere: the row reader's column holds only missing values
                name = f"score_{scorer}"
                score_map.setdefault(name, (scorer, scorer))
                _put(dynamic, name, pl.lit(None))
                continue
            value = score.struct.field("value")
            if isinstance(value_dtype, pl.Struct):
                # a scored row without a dict value is a column of its own to the row reader
                firsts.append((score.is_not_null() & value.is_null()).any().alias(f"bare_{order}"))
                for key_order, key_field in enumerate(value_dtype.fields):
                    if not _is_scalar(key_field.dtype):
                        raise _Unsupported
                    name = f"score_{scorer}_{key_field.name}"
                    score_map.setdefault(name, (scorer, key_field.name))
                    key = value.struct.field(key_field.name)
                    _put(dynamic, name, key)
                    firsts.append(_first_row(key).alias(f"key_{order}_{key_order}"))
            elif _is_scalar(value_dtype) or (
                isinstance(value_dtype, pl.List) and _is_scalar(value_dtype.inner)
            ):
                if isinstance(value_dtype, pl.List):
                    raise _Unsupported  # list typing is decided row by row
                name = f"score_{scorer}"
                score_map.setdefault(name, (scorer, scorer))
                _put(dynamic, name, value)
            else:
                raise _Unsupported
        if firsts:
            _check_first_rows(raw.select(firsts).row(0, named=True))
    elif scores_dtype is not None and scores_dtype != pl.Null:
        raise _Unsupported

    if answers:
        texts["answer"] = pl.coalesce(answers)
    thinned = _thin_columns(raw, texts)
    answer = thinned.get("answer", pl.Series("answer", [None] * height, dtype=pl.String))
    # every column that needs no Python goes through one select
    core = raw.select(
        column("uuid", pl.String()).alias("sample_id"),
        pl.col("id"),
        column("epoch", pl.Int64()),
        ("user:\n" + _strip(_truncate(pl.col("input"))) + "\n").alias("input"),
        target.alias("target"),
        column("error", pl.String()).fill_null(""),
        column("limit", pl.String()),
        column("retries", pl.Int64()),
        column("total_time", pl.Float64()),
        column("working_time", pl.Float64()),
        column("message_count", pl.Int64()),
        *(expr.alias(name) for name, expr in dynamic.items() if name not in texts),
    )
    uuids = core["sample_id"]
    if uuids.null_count():
        missing = uuids.is_null().arg_true()
        keys = raw.select("id", "epoch")[missing]
        evals = identity["eval_id"].gather(missing)
        generated = [
            auto_sample_id(eval_id, sid, epoch)
            for eval_id, (sid, epoch) in zip(evals, keys.iter_rows(), strict=True)
        ]
        uuids = uuids.scatter(missing, generated)
    series = {name: core[name] for name in core.columns}
    series.update(identity)
    series.update(thinned)
    series.update(sample_id=uuids, answer=answer, total_tokens=total_tokens, model_usage=usage)
    ordered = [c for c in CORE_ORDER if c in series]
    rest = [c for c in dynamic if c not in SAMPLE_DTYPES and c != "id"]
    frame = pl.DataFrame([series[name].alias(name) for name in dict.fromkeys(ordered + rest)])
    return frame, score_map
