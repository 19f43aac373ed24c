"""Compare models on the same samples: paired values and deltas, their statistics, widgets."""

from evallens.compare.pairs import paired
from evallens.compare.stats import paired_stats

__all__ = ["paired", "paired_stats"]
