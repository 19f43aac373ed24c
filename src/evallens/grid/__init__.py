"""SampleGrid: the virtualized sample list.

The widget (``widget``) sits over its rules (``model``), with the sort/filter/window
engine (``query``), the columns it can show (``columns``), how they sort (``sorting``),
Inspect's ``TaskSamplesView`` (``view``), number formats (``format``), selections
(``selection``) and the messages it exchanges with the browser (``types``).
"""

from evallens.grid.widget import SampleGrid

__all__ = ["SampleGrid"]
