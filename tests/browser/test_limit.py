"""ScoresByLimit in JupyterLab: real prepared data, hover, legend, limit click -> grid, themes."""

from __future__ import annotations

from conftest_io import LOGS_DIR, require

SWEBENCH = LOGS_DIR / "inspect_viz_docs" / "swebench_token_limit.parquet"
NASTY = '<img src=x onerror="window.__pwned=1">'


def cells() -> list[str]:
    require(SWEBENCH)
    return [
        "import evallens, polars as pl\n"
        f"chart = evallens.ScoresByLimit(pl.read_parquet({str(SWEBENCH)!r}), title='SWE-bench')\n"
        "chart.add_class('chart1-host')\n"
        "chart",
        "samples = evallens.synthetic_samples(3, 3, 40).with_columns(\n"
        f"    model_display_name=pl.col('model_display_name').replace('gpt-4.1', {NASTY!r}))\n"
        "chart2 = evallens.ScoresByLimit(samples)\n"
        "grid = evallens.SampleGrid(samples)\n"
        "evallens.link(chart2, grid)\n"
        "chart2.add_class('chart2-host')\n"
        "display(chart2, grid)",
    ]


def overlay_box(nb, host: str) -> dict:
    overlay = nb.page.locator(f"{host} .el-lim-overlay").first
    overlay.scroll_into_view_if_needed()
    box = overlay.bounding_box()
    assert box is not None
    return box


def test_chart_hover_legend_click_and_link(notebook):
    nb = notebook(cells())
    nb.wait_for(".chart2-host .el-lim-line")
    nb.wait_for(".chart1-host .el-lim-line")
    page = nb.page
    one = ".chart1-host"
    assert page.locator(f"{one} .el-lim-line").count() == 4
    assert page.locator(f"{one} .el-lim-band").count() == 4
    assert page.locator(f"{one} .el-lim-legend-item").count() == 4
    assert page.locator(f"{one} .el-lim-title").inner_text() == "SWE-bench"
    ticks = page.locator(f"{one} .el-lim-tick").all_text_contents()
    assert "100k" in ticks and "1M" in ticks and "40%" in ticks  # log axis, readable labels
    assert "log scale" in (page.locator(f"{one} .el-lim-label").first.text_content() or "")
    models = nb.value("chart.models")

    # hover snaps to a limit: tooltip lists every model, one line is hot, the rest dim
    box = overlay_box(nb, one)
    page.mouse.move(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5)
    page.wait_for_selector(f"{one} .el-lim-tip:not([hidden])")
    assert page.locator(f"{one} .el-lim-tip-row").count() == 4
    page.wait_for_function(
        "() => document.querySelectorAll('.chart1-host .el-lim-line.el-hot').length === 1"
    )
    assert page.locator(f"{one} .el-lim-line.el-dim").count() == 3
    hovered = nb.eventually("chart.hovered", lambda v: v is not None)
    assert hovered is not None
    assert hovered["model"] in models
    limits = nb.value("sorted(chart.data['total_tokens'].unique().to_list())")
    assert hovered["limit"] in limits
    hot = page.locator(f"{one} .el-lim-line.el-hot").get_attribute("data-model")
    assert hot == hovered["model"]

    # click the plot: the snapped limit becomes chart.limit and a marker shows
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.5)
    assert nb.eventually("chart.limit", lambda v: v is not None) == hovered["limit"]
    marker = page.locator(f"{one} .el-lim-marker").first  # a vertical line: zero-width box
    assert marker.evaluate("(el) => getComputedStyle(el).display") != "none"
    page.mouse.move(0, 0)
    page.wait_for_selector(f"{one} .el-lim-tip", state="hidden")
    assert nb.eventually("chart.hovered", lambda v: v is None) is None

    # legend clicks toggle models
    legend = page.locator(f"{one} .el-lim-legend-item")
    legend.nth(1).click()
    assert nb.eventually("chart.selected_models", lambda v: v == [models[1]]) == [models[1]]
    legend.nth(3).click()
    assert nb.eventually("chart.selected_models", lambda v: len(v) == 2) == [models[1], models[3]]
    assert page.locator(f"{one} .el-lim-line.el-faded").count() == 2
    legend.nth(1).click()
    assert nb.eventually("chart.selected_models", lambda v: len(v) == 1) == [models[3]]
    # and Python drives the chart too
    nb.execute("chart.selected_models = []")
    page.wait_for_function("() => !document.querySelector('.chart1-host .el-lim-line.el-faded')")

    # a clicked limit filters the linked grid to the samples that budget cut off
    two = ".chart2-host"
    box2 = overlay_box(nb, two)
    page.mouse.click(box2["x"] + box2["width"] * 0.4, box2["y"] + box2["height"] * 0.5)
    limit = nb.eventually("chart2.limit", lambda v: v is not None)
    assert limit is not None
    expected = nb.value(f"int((samples['total_tokens'] > {limit!r}).sum())")
    assert 0 < expected < 360
    assert nb.eventually("grid.view_count", lambda v: v == expected) == expected
    page.wait_for_function(
        "(n) => document.querySelector('.el-status')?.textContent.startsWith(n + ' of')",
        arg=f"{expected:,}",
    )
    # untrusted model names stay text in the legend and the tooltip
    page.mouse.move(box2["x"] + box2["width"] * 0.4, box2["y"] + box2["height"] * 0.5)
    page.wait_for_selector(f"{two} .el-lim-tip:not([hidden])")
    assert NASTY in page.locator(f"{two} .el-lim-legend").inner_text()
    assert NASTY in page.locator(f"{two} .el-lim-tip").inner_text()
    assert page.locator(".el-limit img, .el-limit script").count() == 0
    assert page.evaluate("() => window.__pwned") is None
    assert nb.external_requests() == []


def test_dark_theme(notebook):
    nb = notebook(cells()[:1], dark=True)
    nb.wait_for(".chart1-host .el-lim-line")
    # JupyterLab's own theme wins over the OS preference: switch Lab to its dark theme
    nb.command("apputils:change-theme", {"theme": "JupyterLab Dark"})
    nb.page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    nb.page.wait_for_selector(".chart1-host .el-limit.el-dark")
    # light text on a dark background, bands still drawn
    lum = nb.page.evaluate(
        """() => {
        const rgb = (c) => c.match(/\\d+/g).slice(0, 3).map(Number);
        const l = ([r, g, b]) => 0.2126 * r + 0.7152 * g + 0.0722 * b;
        const tick = document.querySelector('.chart1-host .el-lim-tick');
        const root = document.querySelector('.chart1-host .el-limit');
        return [l(rgb(getComputedStyle(tick).fill)), l(rgb(getComputedStyle(root).backgroundColor))];
    }"""
    )
    assert lum[0] > lum[1] + 60
    assert nb.page.locator(".chart1-host .el-lim-band").count() == 4
    nb.command("apputils:change-theme", {"theme": "JupyterLab Light"})
    nb.page.wait_for_selector(".chart1-host .el-limit:not(.el-dark)")
    assert nb.external_requests() == []
