"""What the kernel sends ScoresByLimit (mirrors ``widget/src/limit/types.ts``)."""

from __future__ import annotations

from typing import NotRequired, TypedDict

Num = float | None
"""A point's value; None breaks the line (JSON has no NaN)."""


class Series(TypedDict):
    """One model's line (in one facet panel)."""

    model: str
    facet: str | None
    x: list[Num]
    y: list[Num]
    lo: NotRequired[list[Num]]
    """Band's lower edge, success − z·stderr (absent without a stderr column)."""
    hi: NotRequired[list[Num]]
    other: NotRequired[list[Num]]
    """Other-termination rate (absent unless asked for)."""
    n: NotRequired[list[int]]


class LimitSpec(TypedDict):
    """Everything the chart draws (the ``_spec`` trait, saved with the notebook)."""

    models: list[str]
    facets: list[str] | None
    facet_label: str | None
    series: list[Series]
    log: bool
    x_domain: list[float]
    band: bool
    other: bool
    title: str | None
    x_label: str | None
    y_label: str
    ci: float
    legend: bool
