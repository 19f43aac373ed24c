"""Compare models on the same samples: paired values and deltas, their statistics, widgets."""

from evallens.compare.pairs import paired
from evallens.compare.stats import paired_stats
from evallens.compare.widget import Comparison, compare

__all__ = ["Comparison", "compare", "paired", "paired_stats"]
