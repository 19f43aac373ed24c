"""Figures for papers: the widgets drawn as SVG (and PNG/PDF) files, without a browser.

`heatmap.heatmap_svg` and `limits.limits_svg` draw a widget's spec; `svg.write` writes a
document by file extension. The widgets' ``save()`` methods put the two together.
"""
