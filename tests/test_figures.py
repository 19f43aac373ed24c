"""Figures for papers: ScoresHeatmap.save and ScoresByLimit.save, checked against the widgets."""

from __future__ import annotations

import json
import math
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import polars as pl
import pytest

import evallens
from evallens.figures.colours import cell_colour, css_fill, position, scheme_colour, text_on
from evallens.figures.heatmap import format_signed, format_value
from evallens.figures.svg import escape

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE_TASK = "<script>alert(1)</script> & \"quote'"
HOSTILE_MODEL = "<img src=x onerror=alert(1)>\x07bell"


def _parse(path: Path) -> ET.Element:
    return ET.fromstring(path.read_bytes())


def _all(root: ET.Element, cls: str, tag: str = "*") -> list[ET.Element]:
    return [
        e
        for e in root.iter(f"{{{NS['s']}}}{tag}" if tag != "*" else tag)
        if cls in e.get("class", "").split()
    ]


def _shown(e: ET.Element) -> str:
    # The element's own text, without its <title> (the hover text).
    return (e.text or "") + "".join(child.tail or "" for child in e)


def _title(e: ET.Element) -> str:
    t = e.find("s:title", NS)
    assert t is not None
    return t.text or ""


@pytest.fixture(scope="module")
def heatmap() -> evallens.ScoresHeatmap:
    return evallens.ScoresHeatmap(
        evallens.demo_samples(), score_value="score_judge", title="Judge scores", task_label="Task"
    )


def _cell_values(hm: evallens.ScoresHeatmap) -> dict[tuple[int, int], float | None]:
    return {(c[0], c[1]): c[2] for c in hm._spec["cells"]}


# -- heatmap -----------------------------------------------------------------------------------


def test_heatmap_svg_cells_match_the_widget(heatmap, tmp_path):
    out = heatmap.save(tmp_path / "hm.svg")
    assert out == tmp_path / "hm.svg"
    root = _parse(out)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    cells = _all(root, "cell", "rect")
    values = heatmap.cells.get_column("value")
    assert len(cells) == values.is_not_null().sum() == len(heatmap.cells)
    spec = heatmap._spec
    by_index = _cell_values(heatmap)
    for rect in cells:
        i, j = int(rect.get("data-x", "")), int(rect.get("data-y", ""))
        value = by_index[(i, j)]
        assert value is not None
        fill, opacity = css_fill(cell_colour(value, spec["scheme"], tuple(spec["domain"])))
        assert rect.get("fill") == fill and rect.get("fill-opacity") is None and opacity == 1
        task, model = spec["x"][i], spec["y"][j]
        expected = heatmap.cells.filter((pl.col("task") == task) & (pl.col("model") == model))
        assert math.isclose(expected["value"][0], value)
        assert _title(rect).startswith(f"{task} × {model}: {format_value(value)}")
    texts = _all(root, "value", "text")
    assert sorted(t.text or "" for t in texts) == sorted(format_value(v) for v in by_index.values())


def test_heatmap_svg_labels_legend_and_title(heatmap, tmp_path):
    root = _parse(heatmap.save(tmp_path / "hm.svg"))
    assert [
        _title(t) for t in _all(root, "x", "text") if "tick" in t.get("class", "")
    ] == heatmap.x_order
    assert [
        _title(t) for t in _all(root, "y", "text") if "tick" in t.get("class", "")
    ] == heatmap.y_order
    for tick in _all(root, "tick", "text"):  # drawn whole, or cut short with an ellipsis
        shown, full = _shown(tick), _title(tick)
        assert shown == full or (shown.endswith("…") and full.startswith(shown[:-1]))
    assert [t.text for t in _all(root, "title", "text")] == ["Judge scores"]
    assert [t.text for t in _all(root, "axis-title", "text")] == ["Task"]
    (legend,) = _all(root, "legend", "g")
    lo, hi = heatmap._spec["domain"]
    ticks = [t.text for t in _all(legend, "legend-tick", "text")]
    assert ticks == [format_value(lo), format_value((lo + hi) / 2), format_value(hi)]
    assert [_shown(t) for t in _all(legend, "legend-title", "text")] == ["score_judge"]
    stops = list(root.iter("{http://www.w3.org/2000/svg}stop"))
    assert len(stops) == 13
    assert stops[0].get("stop-color") == css_fill(scheme_colour("viridis", 0))[0]
    assert stops[-1].get("stop-color") == css_fill(scheme_colour("viridis", 1))[0]


def test_heatmap_sizes(heatmap, tmp_path):
    root = _parse(heatmap.save(tmp_path / "hm.svg", width=500, height=300, font_size=10))
    assert root.get("width") == "500" and root.get("height") == "300"
    assert root.get("font-size") == "10"
    default = _parse(heatmap.save(tmp_path / "d.svg"))
    assert default.get("width") == str(heatmap.width)
    assert float(default.get("height", "0")) >= heatmap.height


def test_missing_cells_are_drawn_dashed(tmp_path):
    samples = evallens.demo_samples()
    gone = samples.filter(
        ~((pl.col("task_display_name") == "Trivia") & (pl.col("model_display_name") == "o4-mini"))
    )
    hm = evallens.ScoresHeatmap(gone, score_value="score_judge")
    root = _parse(hm.save(tmp_path / "m.svg"))
    assert len(_all(root, "cell", "rect")) == len(hm.cells)
    assert (
        len(_all(root, "missing", "rect")) == len(hm.x_order) * len(hm.y_order) - len(hm.cells) == 1
    )


def test_hostile_names_are_escaped(tmp_path):
    samples = evallens.demo_samples().with_columns(
        pl.col("task_display_name").replace({"Trivia": HOSTILE_TASK}),
        pl.col("model_display_name").replace({"o4-mini": HOSTILE_MODEL}),
    )
    hm = evallens.ScoresHeatmap(samples, score_value="score_judge", title=HOSTILE_TASK)
    path = hm.save(tmp_path / "x.svg")
    text = path.read_text()
    assert "<script" not in text and "<img" not in text and "\x07" not in text
    assert escape(HOSTILE_TASK) in text
    root = _parse(path)  # still well-formed XML
    assert HOSTILE_TASK in [_title(t) for t in _all(root, "tick", "text")]
    assert "<img src=x onerror=alert(1)>\ufffdbell" in [
        _title(t) for t in _all(root, "tick", "text")
    ]
    assert [t.text for t in _all(root, "title", "text")] == [HOSTILE_TASK]
    assert not list(root.iter("{http://www.w3.org/2000/svg}script"))


def test_hostile_font_family_stays_an_attribute(heatmap, tmp_path):
    root = _parse(heatmap.save(tmp_path / "f.svg", font_family='x" onload="alert(1)'))
    assert root.get("font-family") == 'x" onload="alert(1)' and root.get("onload") is None


def test_baseline_mode_signed_values_and_marks(tmp_path):
    hm = evallens.ScoresHeatmap(
        evallens.demo_samples(), score_value="score_judge", baseline="gpt-4.1"
    )
    spec = hm._spec
    root = _parse(hm.save(tmp_path / "b.svg"))
    cells = _all(root, "cell", "rect")
    assert len(cells) == len(spec["cells"])
    assert "gpt-4.1" not in [_title(t) for t in _all(root, "tick", "text")]
    values = [t.text or "" for t in _all(root, "value", "text")]
    assert sorted(values) == sorted(format_signed(c[2]) for c in spec["cells"])
    assert all(v[0] in "+−" or v == "0" for v in values)
    assert spec["deltas"] is not None
    significant = sum(1 for d in spec["deltas"] if d[5])
    assert 0 < significant and len(_all(root, "significant", "path")) == significant
    for rect in cells:
        i, j = int(rect.get("data-x", "")), int(rect.get("data-y", ""))
        value = _cell_values(hm)[(i, j)]
        assert value is not None
        fill, opacity = css_fill(cell_colour(value, "diverging", tuple(spec["domain"])))
        assert rect.get("fill") == fill
        assert float(rect.get("fill-opacity") or 1) == pytest.approx(opacity, abs=0.01)
    lo, hi = spec["domain"]
    legend_ticks = [t.text for t in _all(root, "legend-tick", "text")]
    assert legend_ticks == [format_signed(lo), "0", format_signed(hi)]
    assert [t.text for t in _all(root, "legend-key", "text")] == ["significant"]


# -- colours and formats: the same fixture widget/test/figure_colours.test.ts checks -------------

FIXTURE = json.loads((Path(__file__).parent / "data" / "figure_colours.json").read_text())


@pytest.mark.parametrize(
    "case", FIXTURE["colours"], ids=lambda c: f"{c['scheme']}-{c['t']}-{c['theme']}"
)
def test_colours_match_the_front_end(case):
    c = scheme_colour(case["scheme"], case["t"], case["theme"])
    assert c == pytest.approx(tuple(case["rgba"]), abs=1e-6)
    assert text_on(c, case["theme"]) == case["text"]


def test_positions_and_formats_match_the_front_end():
    for p in FIXTURE["positions"]:
        assert position(p["value"], tuple(p["domain"]), p["reverse"]) == pytest.approx(p["t"])
    for f in FIXTURE["formats"]:
        assert (format_value(f["value"]), format_signed(f["value"])) == (f["plain"], f["signed"])


def test_known_colours():
    # Worked by hand from schemes.ts: viridis midpoint is its 5th stop; good-high at 0.25
    # is halfway from red (248,163,163) to amber (252,220,130).
    assert css_fill(scheme_colour("viridis", 0.5)) == ("#21918c", 1.0)
    assert scheme_colour("good-high", 0.25) == pytest.approx((250, 191.5, 146.5, 1))
    # 191.5 and 146.5 round up, as Math.round does
    assert css_fill(scheme_colour("good-high", 0.25)) == ("#fac093", 1.0)
    # At the middle a clear stop takes the high end's hue (green), fully transparent.
    assert scheme_colour("diverging", 0.5) == pytest.approx((134, 222, 160, 0))


# -- ScoresByLimit -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def chart() -> evallens.ScoresByLimit:
    samples = evallens.synthetic_samples(3, 4, 50).with_columns(
        pl.col("model_display_name").replace({"o4-mini": HOSTILE_MODEL})
    )
    return evallens.ScoresByLimit(samples, title="Success & <limits>")


def test_limits_svg_one_line_and_band_per_model(chart, tmp_path):
    path = chart.save(tmp_path / "lim.svg")
    root = _parse(path)
    lines = _all(root, "line", "path")
    bands = _all(root, "band", "path")
    # XML cannot hold a control character at all: it is drawn as U+FFFD.
    models = [m.replace("\x07", "\ufffd") for m in chart.models]
    shown = [s["model"].replace("\x07", "\ufffd") for s in chart._spec["series"]]
    assert [p.get("data-model") for p in lines] == shown
    assert sorted(p.get("data-model") or "" for p in bands) == sorted(models)
    assert all(p.get("d", "").startswith("M") for p in lines + bands)
    assert all(p.get("d", "").endswith("Z") for p in bands)
    colours = {p.get("data-model"): p.get("stroke") for p in lines}
    assert len(set(colours.values())) == len(models)
    swatches = {
        g.get("data-model"): g.find("s:rect", NS).get("fill")
        for g in _all(root, "legend-item", "g")
    }  # type: ignore[union-attr]
    assert swatches == colours
    names = [t.text for t in _all(root, "legend-name", "text")]
    assert names == models
    axis = [t.text for t in _all(root, "axis-title", "text")]
    assert axis == ["Tokens (log scale)" if chart._spec["log"] else "Tokens", "Success rate"]
    assert [t.text for t in _all(root, "title", "text")] == ["Success & <limits>"]
    y_ticks = [t.text for t in _all(root, "tick", "text") if "y" in t.get("class", "").split()]
    assert y_ticks[0] == "0%" and all(t and t.endswith("%") for t in y_ticks)
    text = path.read_text()
    assert "<img" not in text and "Success &amp; &lt;limits&gt;" in text


def test_limits_size(chart, tmp_path):
    root = _parse(chart.save(tmp_path / "lim.svg", width=400, height=300))
    assert (root.get("width"), root.get("height")) == ("400", "300")


# -- formats -------------------------------------------------------------------------------------


def test_unknown_extension_names_the_supported_ones(heatmap, chart, tmp_path):
    for widget in (heatmap, chart):
        with pytest.raises(ValueError, match=r"\.svg, \.png, \.pdf"):
            widget.save(tmp_path / "figure.jpg")
        with pytest.raises(ValueError, match="without an extension"):
            widget.save(tmp_path / "figure")


def test_png_and_pdf_need_the_extra(heatmap, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_cairosvg(name, *args, **kwargs):
        if name == "cairosvg":
            raise ImportError("No module named 'cairosvg'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cairosvg)
    with pytest.raises(ImportError, match=r"evallens\[figures\]"):
        heatmap.save(tmp_path / "hm.png")


@pytest.mark.parametrize(("ext", "magic"), [(".png", b"\x89PNG\r\n\x1a\n"), (".pdf", b"%PDF-")])
def test_png_and_pdf(heatmap, chart, tmp_path, ext, magic):
    if os.environ.get("CI") != "true":  # under CI the extra and cairo are there: a failure
        pytest.importorskip("cairosvg", exc_type=ImportError)
    for name, widget in (("hm", heatmap), ("lim", chart)):
        out = widget.save(tmp_path / f"{name}{ext}")
        assert out.read_bytes().startswith(magic)


def test_vertical_orientation_and_dark_theme(tmp_path):
    hm = evallens.ScoresHeatmap(
        evallens.demo_samples(),
        score_value="score_judge",
        orientation="vertical",
        color_scheme="good-high",
    )
    root = _parse(hm.save(tmp_path / "v.svg", theme="dark"))
    ticks = _all(root, "tick", "text")
    assert [_title(t) for t in ticks if "x" in t.get("class", "").split()] == hm.x_order
    assert [_title(t) for t in ticks if "y" in t.get("class", "").split()] == hm.y_order
    assert set(hm.x_order) == set(hm.cells["model"].to_list())
    spec = hm._spec
    for rect in _all(root, "cell", "rect"):
        value = _cell_values(hm)[(int(rect.get("data-x", "")), int(rect.get("data-y", "")))]
        assert value is not None
        colour = cell_colour(value, "good-high", tuple(spec["domain"]), theme="dark")
        assert rect.get("fill") == css_fill(colour)[0]
    background = root.find("s:rect", NS)
    assert background is not None and background.get("fill") == "#1e1e1e"


def test_legend_title_names_each_tasks_score(tmp_path, per_task_scorer_logs):
    hm = evallens.ScoresHeatmap(evallens.read_samples(per_task_scorer_logs))
    assert hm._spec["task_scores"]
    root = _parse(hm.save(tmp_path / "t.svg"))
    (title,) = _all(root, "legend-title", "text")
    tip = _title(title)
    for task, score in hm._spec["task_scores"].items():
        assert f"{task}: {score}" in tip


def test_png_scale(heatmap, tmp_path):
    if os.environ.get("CI") != "true":
        pytest.importorskip("cairosvg", exc_type=ImportError)
    import struct

    one = heatmap.save(tmp_path / "1.png").read_bytes()
    two = heatmap.save(tmp_path / "2.png", scale=2).read_bytes()
    width = lambda png: struct.unpack(">I", png[16:20])[0]  # noqa: E731
    assert width(one) == heatmap.width and width(two) == 2 * heatmap.width
    with pytest.raises(ValueError, match="scale"):
        heatmap.save(tmp_path / "0.png", scale=0)


def test_missing_cairo_library_says_which_extra(heatmap, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_libcairo(name, *args, **kwargs):
        if name == "cairosvg":
            raise OSError("no library called 'cairo-2' was found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_libcairo)
    with pytest.raises(ImportError, match=r"evallens\[figures\].*cairo"):
        heatmap.save(tmp_path / "hm.pdf")
