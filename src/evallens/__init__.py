"""evallens: Jupyter widgets for exploring Inspect AI evaluation results."""

from evallens.compare import Comparison, compare, paired, paired_stats
from evallens.demo import demo_samples, synthetic_samples
from evallens.errors import ColumnNotFoundError, NoScoreError, PatternError, UnknownNameError
from evallens.explore import explore
from evallens.grid import SampleGrid
from evallens.grid.filter_language import (
    FilterNameError,
    FilterSyntaxError,
    FilterTypeError,
    compile_filter,
)
from evallens.heatmap import ScoresHeatmap
from evallens.io import (
    LogReadError,
    LogReadWarning,
    read_evals,
    read_messages,
    read_sample,
    read_samples,
    read_viewer_config,
    scan_samples,
    transcript_cache,
)
from evallens.limit import ScoresByLimit
from evallens.limit.curves import scores_by_limit_df
from evallens.link import link, unlink
from evallens.page import save_html
from evallens.sample import SampleView
from evallens.scores import ScoreDescriptor, describe_scores

__all__ = [
    "ColumnNotFoundError",
    "Comparison",
    "FilterNameError",
    "FilterSyntaxError",
    "FilterTypeError",
    "LogReadError",
    "LogReadWarning",
    "NoScoreError",
    "PatternError",
    "SampleGrid",
    "SampleView",
    "ScoreDescriptor",
    "ScoresByLimit",
    "ScoresHeatmap",
    "UnknownNameError",
    "compare",
    "compile_filter",
    "demo_samples",
    "describe_scores",
    "explore",
    "link",
    "paired",
    "paired_stats",
    "read_evals",
    "read_messages",
    "read_sample",
    "read_samples",
    "read_viewer_config",
    "save_html",
    "scan_samples",
    "scores_by_limit_df",
    "synthetic_samples",
    "transcript_cache",
    "unlink",
]
__version__ = "0.2.0"
