"""ScoresHeatmap: task × model mean scores.

The widget (``widget``), its rules (``model``), the numbers behind its cells (``cells``), the order of its axes (``order``) and selected cells as rows
(``selection``).
"""

from evallens.heatmap.widget import ScoresHeatmap

__all__ = ["ScoresHeatmap"]
