"""ScoresByLimit: success rate against a token or time budget.

The widget (``widget``), its rules (``model``) and the success-rate curves behind it
(``curves``).
"""

from evallens.limit.widget import ScoresByLimit

__all__ = ["ScoresByLimit"]
