"""save_html: one self-contained offline page; what it holds answers as the kernel does."""

from __future__ import annotations

import html
import random
import re
from html.parser import HTMLParser
from pathlib import Path

import ipywidgets
import polars as pl
import pytest

import evallens
from evallens.grid.query import SampleQuery, SortKey
from evallens.page.payload import unpack
from evallens.page.save import page_html

HOSTILE = '</script><script>alert("x")</script><img src=x onerror=alert(1)><!--<script>'


def payloads(text: str) -> tuple[dict, dict]:
    """The page's state and data, as the page reads them."""
    found = dict(
        re.findall(r'<script type="application/octet-stream" id="([\w-]+)">([^<]*)</script>', text)
    )
    state, _ = unpack(found["evallens-state"])
    data, _ = unpack(found["evallens-data"])
    return state, data


def rank_order(ranks: list[list[int]], descending: list[bool]) -> list[int]:
    """The page's sort (widget/src/page/answer.ts), in Python: ranks compared key after key,
    0 (missing) last either way, ties in row order."""
    import functools

    def compare(a: int, b: int) -> int:
        for rank, desc in zip(ranks, descending, strict=True):
            ra, rb = rank[a], rank[b]
            if ra == rb:
                continue
            if ra == 0:
                return 1
            if rb == 0:
                return -1
            return (rb - ra) if desc else (ra - rb)
        return a - b

    return sorted(range(len(ranks[0])), key=functools.cmp_to_key(compare))


def test_ranks_sort_as_the_kernel_sorts() -> None:
    rng = random.Random(5)
    n = 400
    frame = pl.DataFrame(
        {
            "f": [rng.choice([None, float("nan"), -0.0, 0.0, 1.5, rng.random()]) for _ in range(n)],
            "s": [rng.choice([None, "", "a", "B", "b", "é", "a "]) for _ in range(n)],
            "i": [rng.choice([None, -(2**60), 3, 3, 2**60]) for _ in range(n)],
            "b": [rng.choice([None, True, False]) for _ in range(n)],
        }
    )
    query = SampleQuery(frame)
    ranks = {c: query.ranks(c).to_list() for c in frame.columns}
    for _ in range(60):
        columns = rng.sample(frame.columns, rng.randint(1, 3))
        desc = [rng.random() < 0.5 for _ in columns]
        keys = tuple(SortKey(c, d) for c, d in zip(columns, desc, strict=True))
        expected = query.permutation(keys).to_list()
        assert rank_order([ranks[c] for c in columns], desc) == expected, keys


def test_ranks_follow_the_grids_score_rules() -> None:
    """Pass/fail letters by value, ids as numbers, through the grid's own sort keys."""
    grid = evallens.SampleGrid(
        pl.DataFrame(
            {
                "id": ["10", "9", "x", None, "2"],
                "epoch": [1, 1, 1, 1, 1],
                "score_match": ["C", "I", "P", None, "C"],
            }
        )
    )
    query = grid._model.query
    for column in ("sampleId", "score__match__match"):
        for direction in ("asc", "desc"):
            grid.sort = [{"column": column, "dir": direction}]
            field = grid._model.column(column).field
            order = rank_order([query.ranks(field).to_list()], [direction == "desc"])
            assert order == query.view.to_list(), (column, direction)


def test_demo_explorer_page_is_small_and_self_contained(tmp_path: Path) -> None:
    out = evallens.save_html(evallens.explore(), tmp_path / "demo.html")
    text = out.read_text()
    assert out.stat().st_size < 3_000_000

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.tags: list[tuple[str, dict[str, str | None]]] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append((tag, dict(attrs)))

    parser = Tags()
    parser.feed(text)
    for tag, attrs in parser.tags:
        assert tag not in ("link", "img", "iframe"), tag
        assert "src" not in attrs and "href" not in attrs, (tag, attrs)
    scripts = [attrs.get("type") for tag, attrs in parser.tags if tag == "script"]
    assert scripts == ["application/octet-stream", "application/octet-stream", "module"]
    assert "default-src 'none'" in text  # the page itself refuses any request
    state, data = payloads(text)
    assert {w["kind"] for w in state["widgets"].values()} == {"heatmap", "grid"}
    grid = next(iter(data.values()))
    assert grid["unsortable"] == {}
    assert grid["links"] and grid["links"][0]["source"] in state["widgets"]


def test_hostile_text_is_never_markup(tmp_path: Path) -> None:
    frame = evallens.demo_samples().head(40)
    frame = frame.with_columns(
        pl.lit(HOSTILE).alias("input"),
        pl.lit(HOSTILE).alias("model_display_name"),
        pl.lit(HOSTILE).alias("metadata_category"),
        pl.col("score_judge").alias(f"score_{HOSTILE}"),
    )
    ui = evallens.explore(frame, score_value="score_judge")
    text = page_html(ui, title=HOSTILE)
    assert HOSTILE not in text
    assert f"<title>{html.escape(HOSTILE)}</title>" in text
    before_code = text.split('<script type="module">')[0]
    assert "<img" not in before_code and "<script>" not in before_code
    assert text.count("</script>") == 3
    _, data = payloads(text)
    assert any(HOSTILE in str(v) for v in data.values())  # carried as data, intact


def test_long_text_is_held_cut_and_marked() -> None:
    frame = (
        evallens.demo_samples()
        .head(30)
        .with_columns(
            pl.when(pl.col("id") == 2)
            .then(pl.lit("x" * 30_000))
            .otherwise(pl.col("input"))
            .alias("input")
        )
    )
    _, data = payloads(page_html(evallens.SampleGrid(frame)))
    long = next(iter(data.values()))["long"]["input"]
    assert long["rows"] == [1] and len(long["texts"][0]) == 20_000 and long["more"] == [10_000]


def test_beyond_max_rows_the_first_in_the_grids_order(tmp_path: Path) -> None:
    grid = evallens.SampleGrid(evallens.demo_samples().head(500))
    grid.sort = [{"column": "score__judge__judge", "dir": "desc"}]
    state, data = payloads(page_html(grid, max_rows=120))
    assert any("first 120 of 500 samples" in note for note in state["notes"])
    held = data["w0"]["rows"]["length"]
    assert held == 120
    first = sorted(grid._model.query.view.head(120).to_list())
    assert data["w0"]["rows"]["columns"]["__row"]["values"] == first


def test_a_box_of_widgets(tmp_path: Path) -> None:
    samples = evallens.synthetic_samples(3, 4, 30)
    box = ipywidgets.VBox(
        [
            ipywidgets.HBox([evallens.ScoresHeatmap(samples), evallens.ScoresByLimit(samples)]),
            evallens.SampleGrid(samples),
        ]
    )
    state, _ = payloads(page_html(box))
    assert state["layout"]["box"] == "column"
    assert state["layout"]["children"][0]["box"] == "row"
    assert sorted(w["kind"] for w in state["widgets"].values()) == ["grid", "heatmap", "limit"]


@pytest.mark.parametrize(
    ("thing", "message"),
    [
        ("logs/", "got str"),
        (ipywidgets.VBox([ipywidgets.Label("hi")]), "got Label"),
        (ipywidgets.VBox([]), "nothing to save"),
    ],
)
def test_unsupported_inputs_say_what_is_saved(thing: object, message: str, tmp_path: Path) -> None:
    with pytest.raises((TypeError, ValueError), match=message) as err:
        evallens.save_html(thing, tmp_path / "x.html")
    assert "SampleGrid" in str(err.value) or "nothing" in str(err.value)
    assert not (tmp_path / "x.html").exists()


def test_a_comparison_is_refused_clearly(tmp_path: Path) -> None:
    samples = evallens.synthetic_samples(2, 2, 20)
    comparison = evallens.compare(samples, baseline=samples["model_display_name"][0])
    with pytest.raises(TypeError, match="cannot save a comparison"):
        evallens.save_html(comparison, tmp_path / "x.html")


def test_max_rows_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_rows"):
        page_html(evallens.SampleGrid(evallens.demo_samples().head(5)), max_rows=0)
