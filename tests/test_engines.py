"""One grid, heatmap and limits over every engine: polars eager (the oracle), a polars
LazyFrame scanning a parquet directory, a DuckDB relation and Dask on a local distributed
cluster. Windows after sorts and filters, counts, heatmap cells and limit curves must be the
eager path's, row for row."""

from __future__ import annotations

import io
import math
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import narwhals as nw
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

import evallens
from evallens.engine import LazySource, LazySourceError
from evallens.grid.lazy_model import LazyGridModel
from evallens.grid.model import GridModel
from evallens.grid.query import SortKey
from evallens.grid.selection import rows_from_bytes
from evallens.wire import ROW

duckdb = pytest.importorskip("duckdb")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

GRADES = ["C", "I", "P", "N", "10", " 3 ", "yes", "No", ""]
"""Text grades every one of which reads as a number (a numeric score stored as text)."""


def _frame() -> pl.DataFrame:
    """Synthetic samples with the awkward values: text grades, NaN, infinities, ties."""
    df = evallens.synthetic_samples(3, 4, 40, seed=11).drop("model_usage")
    n = df.height
    grade = pl.Series(
        "score_grade", [GRADES[(i * 7) % len(GRADES)] if i % 13 else None for i in range(n)]
    )
    odd = [float("nan"), float("inf"), None, 0.25, 0.25, 1.0]
    noisy = pl.Series(
        "score_noisy", [odd[i % len(odd)] if i % 4 == 0 else (i % 17) / 16 for i in range(n)]
    )
    return df.with_columns(grade, noisy)


@pytest.fixture(scope="module")
def frame() -> pl.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory: pytest.TempPathFactory, frame: pl.DataFrame) -> Path:
    out = tmp_path_factory.mktemp("samples")
    step = 173  # several files, of uneven sizes
    for i, start in enumerate(range(0, frame.height, step)):
        frame.slice(start, step).write_parquet(out / f"part-{i:03d}.parquet")
    return out


@pytest.fixture(scope="module")
def dask_client() -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cluster = distributed.LocalCluster(
            processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
        )
        client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


ENGINES = ["polars-lazy", "duckdb", "dask"]


@pytest.fixture(params=ENGINES)
def lazy(request: pytest.FixtureRequest, parquet_dir: Path) -> Any:
    glob = str(parquet_dir / "*.parquet")
    if request.param == "polars-lazy":
        return pl.scan_parquet(glob)
    if request.param == "duckdb":
        return duckdb.connect().sql(f"select * from read_parquet('{glob}')")
    request.getfixturevalue("dask_client")
    return dd.read_parquet(str(parquet_dir))


def _same_rows(got: pl.DataFrame, want: pl.DataFrame) -> None:
    """The same rows in the same order, values equal as the grid shows them."""
    assert (
        got.get_column(ROW).cast(pl.Int64).to_list()
        == want.get_column(ROW).cast(pl.Int64).to_list()
    )
    for name in want.columns:
        g, w = got.get_column(name), want.get_column(name)
        if w.dtype.is_float():
            g = g.cast(pl.Float64).fill_nan(None)
            w = w.cast(pl.Float64).fill_nan(None)
        elif w.dtype == pl.String:
            g = g.cast(pl.String)
        assert g.to_list() == w.to_list(), name


SORTS = [
    [{"column": "score_grade", "dir": "desc"}],
    [{"column": "score_noisy", "dir": "asc"}, {"column": "total_tokens", "dir": "desc"}],
    [
        {"column": "model", "dir": "asc"},
        {"column": "score_grade", "dir": "asc"},
        {"column": "sampleId", "dir": "desc"},
    ],
    [{"column": "score_match", "dir": "desc"}, {"column": "score_judge", "dir": "asc"}],
]
COLUMNS = [
    "id",
    "model",
    "score_grade",
    "score_noisy",
    "score_match",
    "score_judge",
    "total_tokens",
]


@pytest.mark.parametrize("sort", SORTS, ids=lambda s: "+".join(k["column"] for k in s))
def test_windows_after_sort_and_filter_are_the_eager_windows(
    lazy: Any, frame: pl.DataFrame, sort: list[dict[str, str]]
) -> None:
    eager, model = GridModel(frame), LazyGridModel(LazySource(lazy))
    for m in (eager, model):
        m.apply(m.check_sort(sort), "")
    assert model.query.count == eager.query.count == frame.height
    for offset in (0, frame.height - 30):
        _same_rows(model.query.window(offset, 40, COLUMNS), eager.query.window(offset, 40, COLUMNS))
    # a filter (narwhals on every engine) and the search box, then the same windows
    kept = (nw.col("score_judge") >= 5) & (nw.col("model") != "openai/gpt-4.1")
    model.query.set_mask("filter", kept)
    eager.query.set_mask(
        "filter",
        eager.query.mask_for((pl.col("score_judge") >= 5) & (pl.col("model") != "openai/gpt-4.1")),
    )
    for m in (eager, model):
        m.apply(m.check_sort(sort), "plus 1")
    assert model.query.count == eager.query.count > 0
    for offset in (11,):
        _same_rows(model.query.window(offset, 25, COLUMNS), eager.query.window(offset, 25, COLUMNS))


def test_rows_come_in_source_order_without_a_sort(lazy: Any, frame: pl.DataFrame) -> None:
    model = LazyGridModel(LazySource(lazy))
    window = model.query.window(100, 50, ["id", "log"])
    assert window.get_column(ROW).to_list() == list(range(100, 150))
    assert window.get_column("id").to_list() == frame.get_column("id").slice(100, 50).to_list()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(wanted=st.lists(st.integers(0, 480), min_size=1, max_size=30))
def test_rows_by_index_are_the_frames_rows(
    wanted: list[int], lazy: Any, frame: pl.DataFrame
) -> None:
    # DuckDB reads them as slices of the table as it is (numbered after), polars as slices
    # of the scan, other engines by a filter: the same rows and values everywhere
    source = LazySource(lazy)
    got = source.rows(wanted, ["id", "log", "score_noisy", "score_grade"])
    want = frame.with_row_index(ROW).filter(pl.col(ROW).is_in(wanted))
    want = pl.DataFrame({ROW: wanted}).join(
        want.with_columns(pl.col(ROW).cast(pl.Int64)), on=ROW, how="inner", maintain_order="left"
    )
    assert got.get_column(ROW).cast(pl.Int64).to_list() == want.get_column(ROW).to_list()
    assert got.get_column("id").to_list() == want.get_column("id").to_list()
    assert got.get_column("log").to_list() == want.get_column("log").to_list()
    noisy = want.get_column("score_noisy")
    assert got.get_column("score_noisy").cast(pl.Float64).to_list() == (
        noisy.fill_nan(None).replace([float("inf")], [None]).to_list()
    )


def test_positions_neighbours_and_keys(lazy: Any, frame: pl.DataFrame) -> None:
    model = LazyGridModel(LazySource(lazy))
    eager = GridModel(frame)
    sort = [{"column": "score_noisy", "dir": "desc"}, {"column": "score_grade", "dir": "asc"}]
    for m in (eager, model):
        m.apply(m.check_sort(sort), "")
    rows = eager.rows_between(10, 20)
    assert model.rows_between(10, 20) == rows
    # Dask answers each question in ~1 s (a graph per plan): one row there.
    for row in rows[: 1 if type(lazy).__module__.startswith("dask") else 2]:
        assert model.query.position_of(row) == eager.query.position_of(row)
        assert model.neighbour(row, 1) == eager.neighbour(row, 1)
        assert model.neighbour(row, -1) == eager.neighbour(row, -1)
    keys = eager.keys.keys_for_rows(rows[:3])
    assert model.keys.keys_for_rows(rows[:3]) == keys
    assert model.keys.rows_for_keys(keys) == rows[:3]


def test_heatmap_cells_are_the_eager_cells(lazy: Any, frame: pl.DataFrame) -> None:
    for score in ("score_headline_value", "score_grade", "score_noisy"):
        got = evallens.ScoresHeatmap(lazy, score_value=score)._model.data
        want = evallens.ScoresHeatmap(frame, score_value=score)._model.data
        assert (got.tasks, got.models, got.columns) == (want.tasks, want.models, want.columns)
        assert got.domain == pytest.approx(want.domain)
        assert_frame_equal(got.cells, want.cells, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)


def test_limit_curves_are_the_eager_curves(lazy: Any, frame: pl.DataFrame) -> None:
    got = evallens.ScoresByLimit(lazy)._model.frame
    want = evallens.ScoresByLimit(frame)._model.frame
    assert_frame_equal(got, want, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)
    got = evallens.ScoresByLimit(lazy, score="score_noisy", steps=7)._model.frame
    want = evallens.ScoresByLimit(frame, score="score_noisy", steps=7)._model.frame
    assert_frame_equal(got, want, check_exact=False, rel_tol=1e-9, abs_tol=1e-12)


def test_filter_text_on_polars_and_what_other_engines_say(
    parquet_dir: Path, frame: pl.DataFrame
) -> None:
    text = 'grade == "C" or (noisy > 0.5 and epoch == 1)'
    grid = evallens.SampleGrid(pl.scan_parquet(str(parquet_dir / "*.parquet")))
    eager = evallens.SampleGrid(frame)
    grid.filter = eager.filter = text
    assert grid.view_count == eager.view_count > 0
    grid.sort = eager.sort = [{"column": "score_grade", "dir": "desc"}]
    assert grid.visible_rows(30).equals(
        eager.visible_rows(30).select(grid.visible_rows(30).columns)
    )
    ddb = evallens.SampleGrid(
        duckdb.connect().sql(f"select * from read_parquet('{parquet_dir}/*.parquet')")
    )
    with pytest.raises(LazySourceError, match="narwhals expression"):
        ddb.filter = text
    with pytest.raises(LazySourceError, match="grouping epochs needs every row"):
        ddb.group_epochs = True
    with pytest.raises(LazySourceError, match="transcript search"):
        ddb.transcript_search = "error"


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    n = draw(st.integers(1, 40))
    floats = st.one_of(st.none(), st.sampled_from([0.0, 0.5, 1.0, -2.0, math.nan, math.inf]))
    return pl.DataFrame(
        {
            "id": draw(
                st.lists(st.sampled_from(["1", "2", "9", "10", "x", None]), min_size=n, max_size=n)
            ),
            "score_grade": draw(
                st.lists(
                    st.one_of(st.none(), st.sampled_from([*GRADES, "x"])), min_size=n, max_size=n
                )
            ),
            "score_f": draw(st.lists(floats, min_size=n, max_size=n)),
            "score_i": draw(
                st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=n, max_size=n)
            ),
        },
        schema={
            "id": pl.String,
            "score_grade": pl.String,
            "score_f": pl.Float64,
            "score_i": pl.Int64,
        },
    )


KEYS = st.lists(
    st.tuples(st.sampled_from(["id", "score_grade", "score_f", "score_i"]), st.booleans()),
    min_size=1,
    max_size=3,
    unique_by=lambda k: k[0],
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(df=frames(), keys=KEYS, engine=st.sampled_from(["polars-lazy", "duckdb"]))
def test_lazy_views_equal_the_eager_views(
    df: pl.DataFrame, keys: list[tuple[str, bool]], engine: str
) -> None:
    """Any frame, any sort: the lazy view's order is the eager permutation's, value for value."""
    source: Any = (
        df.lazy() if engine == "polars-lazy" else duckdb.connect().from_arrow(df.to_arrow())
    )
    model = GridModel(df)
    lazy = LazyGridModel(LazySource(source))
    sort = [{"column": c, "dir": "desc" if d else "asc"} for c, d in keys]
    eager_query = model.query  # the grid's own query: NaN read as missing by its expressions
    eager_query.set_sort(
        [SortKey(model.column(s["column"]).field, s["dir"] == "desc") for s in sort]
    )
    lazy.apply(lazy.check_sort(sort), "")
    cols = list(df.columns)
    _same_rows(lazy.query.window(0, df.height, cols), eager_query.window(0, df.height, cols))
    assert lazy.scores == model.scores


@pytest.fixture(scope="module")
def s3_samples(frame: pl.DataFrame) -> Iterator[tuple[str, dict[str, str]]]:
    """The frame as parquet files in a bucket of a local S3 server (loopback only)."""
    server_module = pytest.importorskip("moto.server")
    boto3 = pytest.importorskip("boto3")
    server = server_module.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    client = boto3.client(
        "s3", endpoint_url=url, aws_access_key_id="test", aws_secret_access_key="test",
        region_name="us-east-1",
    )  # fmt: skip
    client.create_bucket(Bucket="evals")
    for i, start in enumerate(range(0, frame.height, 200)):
        body = io.BytesIO()
        frame.slice(start, 200).write_parquet(body)
        client.put_object(Bucket="evals", Key=f"samples/part-{i:03d}.parquet", Body=body.getvalue())
    options = {
        "aws_endpoint_url": url, "aws_access_key_id": "test", "aws_secret_access_key": "test",
        "aws_region": "us-east-1", "aws_allow_http": "true",
    }  # fmt: skip
    yield "s3://evals/samples/*.parquet", options
    server.stop()


def test_a_log_directory_in_object_storage(
    s3_samples: tuple[str, dict[str, str]], frame: pl.DataFrame
) -> None:
    url, options = s3_samples
    lazy = pl.scan_parquet(url, storage_options=options)
    grid, eager = evallens.SampleGrid(lazy), evallens.SampleGrid(frame)
    grid.sort = eager.sort = [
        {"column": "score_judge", "dir": "desc"},
        {"column": "sampleId", "dir": "asc"},
    ]
    grid.filter = eager.filter = 'not has_error and grade != "C"'
    assert grid.view_count == eager.view_count > 0
    shown = grid.visible_rows(50)
    assert shown.equals(eager.visible_rows(50).select(shown.columns))
    got = evallens.ScoresHeatmap(lazy, score_value="score_grade")._model.data
    want = evallens.ScoresHeatmap(frame, score_value="score_grade")._model.data
    assert_frame_equal(got.cells, want.cells, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)


@settings(max_examples=100, deadline=None)
@given(
    texts=st.lists(
        st.one_of(st.none(), st.text(alphabet="0123456789.eE+-_ CIPNyesnotruf\t", max_size=8)),
        min_size=1,
        max_size=30,
    )
)
def test_text_reads_as_the_same_number_on_every_engine(texts: list[str | None]) -> None:
    """The engines' score rule (a regex before the cast) gives polars' non-strict cast's numbers."""
    from evallens.engine.values import value_expr as engine_value
    from evallens.scores import value_expr

    df = pl.DataFrame({"s": texts}, schema={"s": pl.String})
    want = df.select(value_expr("s", pl.String())).get_column("s").to_list()
    for source in (df.lazy(), duckdb.connect().from_arrow(df.to_arrow())):
        got = nw.from_native(source).select(engine_value("s", nw.String())).collect().to_polars()
        assert got.get_column("s").to_list() == want, source


def test_view_frame_selection_and_the_detail_panel(lazy: Any, frame: pl.DataFrame) -> None:
    grid, eager = evallens.SampleGrid(lazy), evallens.SampleGrid(frame)
    assert "source order" in repr(grid)
    grid.sort = eager.sort = [
        {"column": "score_noisy", "dir": "desc"},
        {"column": "sampleId", "dir": "asc"},
    ]
    grid.filter = nw.col("score_judge") >= 4
    eager.filter = pl.col("score_judge") >= 4
    columns = ["log", "id", "epoch", "score_grade", "score_noisy"]
    want = eager.view_frame(columns)
    # Dask with an in-process `distributed` cluster: sorting the whole filtered view in the
    # engine never returned; the view's rows are sorted in the kernel instead
    got = grid.view_frame(columns)
    assert got.height == want.height == grid.view_count
    for name in columns:
        g, w = got.get_column(name), want.get_column(name)
        if w.dtype.is_float():
            g, w = g.cast(pl.Float64).fill_nan(None), w.fill_nan(None)
        assert g.to_list() == w.to_list(), name
    keys = [tuple(r) for r in want.head(3).select("log", "id", "epoch").iter_rows()]
    grid.selected = eager.selected = keys
    assert sorted(rows_from_bytes(grid._selected_rows)) == sorted(
        rows_from_bytes(eager._selected_rows)
    )
    assert grid.selected_samples().select("id").to_series().to_list() == [k[1] for k in keys]
    grid.opened = eager.opened = dict(zip(["log", "id", "epoch"], keys[0], strict=True))
    assert grid.focused == eager.focused >= 0
    assert grid._model.detail(grid.focused)["sample"]["id"] == keys[0][1]
