"""evallens: Jupyter widgets for exploring Inspect AI evaluation results."""

from evallens.demo import demo_samples, synthetic_samples
from evallens.io import read_evals, read_samples, read_viewer_config, scan_samples
from evallens.scores import ScoreDescriptor, describe_scores
from evallens.widgets.grid import SampleGrid

__all__ = [
    "SampleGrid",
    "ScoreDescriptor",
    "demo_samples",
    "describe_scores",
    "read_evals",
    "read_samples",
    "read_viewer_config",
    "scan_samples",
    "synthetic_samples",
]
__version__ = "0.1.0"
