"""The heatmap's cells as the front end receives them: packed byte columns that say exactly
what the spec's lists say, for any frame (missing cells, cells without a value, links,
baseline deltas); and the spec's lists, now made in one polars pass, equal to the
per-cell loop they replaced."""

from __future__ import annotations

import math
import struct
from typing import Any

import polars as pl
import pytest
from conftest_io import LOGS_DIR, require
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evallens
from evallens.heatmap.packed import wire_spec


def _unpack(code: str, view: Any) -> list[Any]:
    data = bytes(view)
    size = struct.calcsize("<" + code)
    return list(struct.unpack(f"<{len(data) // size}{code}", data))


def _none(v: float) -> float | None:
    return None if math.isnan(v) else v


def received(hm: evallens.ScoresHeatmap) -> dict[str, Any]:
    """The ``_spec`` as ipywidgets sends it: its state, with the buffers it found."""
    state = hm.get_state()["_spec"]
    assert not isinstance(state["cells"], list)
    return state


def decoded_cells(spec: dict[str, Any]) -> list[tuple[Any, ...]]:
    c = spec["cells"]
    links = dict(zip(_unpack("i", c["link_rows"]), c["link_urls"], strict=True))
    columns = [_unpack("i", c["x"]), _unpack("i", c["y"])]
    columns += [_unpack("d", c[k]) for k in ("value", "n", "stderr")]
    assert all(len(col) == c["count"] for col in columns)
    return [
        (x, y, _none(v), int(n), _none(se), links.get(r))
        for r, (x, y, v, n, se) in enumerate(zip(*columns, strict=True))
    ]


def decoded_deltas(spec: dict[str, Any]) -> list[tuple[Any, ...]]:
    d = spec["deltas"]
    cols = [_unpack("d", d[k]) for k in ("ci_low", "ci_high", "improved", "regressed")]
    p, sig = _unpack("d", d["p_adjusted"]), _unpack("B", d["significant"])
    return [
        (_none(lo), _none(hi), int(up), int(down), _none(pv), s == 1)
        for lo, hi, up, down, pv, s in zip(*cols, p, sig, strict=True)
    ]


def listed_cells(hm: evallens.ScoresHeatmap) -> list[tuple[Any, ...]]:
    """The per-cell loop `HeatmapModel.spec` used before (the slow path, kept as oracle)."""
    model = hm._model
    cells = model.data.cells
    horizontal = model.orientation == "horizontal"
    xi = {k: i for i, k in enumerate(model.x)}
    yi = {k: i for i, k in enumerate(model.y)}
    xs, ys = (cells["task"], cells["model"]) if horizontal else (cells["model"], cells["task"])

    def num(v: Any) -> float | None:
        return None if v is None or v != v else float(v)

    return [
        (xi[x], yi[y], num(v), n, num(se), link)
        for x, y, v, n, se, link in zip(
            xs.to_list(), ys.to_list(), cells["value"].to_list(), cells["n"].to_list(),
            cells["stderr"].to_list(), cells["log_viewer"].to_list(), strict=True,
        )
    ]  # fmt: skip


def check(hm: evallens.ScoresHeatmap) -> None:
    spec = hm._spec
    assert [tuple(c) for c in spec["cells"]] == listed_cells(hm)
    sent = received(hm)
    assert decoded_cells(sent) == [tuple(c) for c in spec["cells"]]
    assert {k: v for k, v in sent.items() if k not in ("cells", "deltas")} == {
        k: v for k, v in spec.items() if k not in ("cells", "deltas")
    }
    if spec["deltas"] is None:
        assert sent["deltas"] is None
    else:
        assert decoded_deltas(sent) == [tuple(d) for d in spec["deltas"]]


def test_synthetic_demo_and_vertical_heatmaps() -> None:
    check(evallens.ScoresHeatmap(evallens.synthetic_samples(6, 9, 5)))
    check(evallens.ScoresHeatmap(evallens.demo_samples(), orientation="vertical"))


def test_baseline_deltas_and_significance() -> None:
    hm = evallens.ScoresHeatmap(evallens.demo_samples(), baseline="gpt-4.1")
    check(hm)
    sent = decoded_deltas(received(hm))
    assert any(d[5] for d in sent) and not all(d[5] for d in sent)


def test_real_frames_with_links_and_missing_cells() -> None:
    base = LOGS_DIR / "inspect_viz_docs"
    require(base / "benchmarks.parquet")
    big = evallens.ScoresHeatmap(pl.read_parquet(base / "benchmarks.parquet"), model_name="model")
    check(big)
    assert any(c[5] for c in big._spec["cells"])  # some cells link to a log viewer
    assert len(big._spec["cells"]) < len(big.x_order) * len(big.y_order)  # some are missing
    check(evallens.ScoresHeatmap(pl.read_parquet(base / "evals.parquet")))


def test_the_wire_refuses_a_frame_that_is_not_the_specs() -> None:
    hm = evallens.ScoresHeatmap(evallens.synthetic_samples(2, 2, 3))
    with pytest.raises(ValueError, match="4 cells, its frame 3"):
        wire_spec(hm._spec, hm._model.cell_frame.head(3), None)


@st.composite
def frames(draw: st.DrawFn) -> pl.DataFrame:
    tasks = draw(st.lists(st.sampled_from(["a", "b", "<c>", "d e", "ö"]), min_size=1, max_size=5))
    models = draw(st.lists(st.sampled_from(["m1", "m2", "m'3", "m4"]), min_size=1, max_size=4))
    n = draw(st.integers(1, 40))
    score = st.one_of(st.none(), st.floats(-5, 5, allow_nan=False), st.just(math.nan))
    # One value at least: a score column with none is refused before any cell is made.
    values = [draw(st.floats(-5, 5, allow_nan=False))] + [draw(score) for _ in range(n - 1)]
    return pl.DataFrame(
        {
            "task_name": [draw(st.sampled_from(tasks)) for _ in range(n)],
            "model": [draw(st.sampled_from(models)) for _ in range(n)],
            "score_headline_value": values,
            "log_viewer": [
                draw(st.one_of(st.none(), st.just("https://x.org/l"))) for _ in range(n)
            ],
        },
        schema_overrides={"score_headline_value": pl.Float64, "log_viewer": pl.String},
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames(), st.sampled_from(["horizontal", "vertical"]))
def test_any_evals_frame_packs_what_it_lists(frame: pl.DataFrame, orientation: str) -> None:
    check(evallens.ScoresHeatmap(frame, orientation=orientation))  # type: ignore[arg-type]
