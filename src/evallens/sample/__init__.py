"""SampleView: one sample's transcript, scores and scans.

The widget (``widget``) sits over its rules (``model``): the messages and their tool-call
pairing (``messages``), which scores are scans and the sections each shows
(``scanners``, with Inspect's scanner-name globs in ``globs``), and the messages it
exchanges with the browser (``types``).
"""

from evallens.sample.model import SampleModel
from evallens.sample.widget import SampleView

__all__ = ["SampleModel", "SampleView"]
