"""The statistics behind paired comparisons, in plain Python (no scipy at runtime).

Each function matches the scipy / statsmodels routine named in its docstring; the test
suite checks them against those as oracles.
"""

from __future__ import annotations

import functools
import math
import statistics
from collections.abc import Sequence

_EPS = 1e-15
_TINY = 1e-300


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the regularized incomplete beta (modified Lentz)."""
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > _TINY else _TINY)
        c = 1.0 + aa / c
        c = c if abs(c) > _TINY else _TINY
        step = d * c
        h *= step
        if abs(step - 1.0) < _EPS:
            break
    return h


def incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta ``I_x(a, b)`` (scipy.special.betainc).

    Example:
        >>> round(incomplete_beta(2.0, 3.0, 0.4), 12)
        0.5248
    """
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _beta_fraction(a, b, x) / a
    return 1.0 - front * _beta_fraction(b, a, 1.0 - x) / b


def t_sf(t: float, df: float) -> float:
    """Upper tail of Student's t (scipy.stats.t.sf).

    Example:
        >>> round(t_sf(2.0, 10), 10)
        0.0366940174
    """
    if math.isinf(t):
        return 0.0 if t > 0 else 1.0
    tail = 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def t_pdf(t: float, df: float) -> float:
    """Density of Student's t (scipy.stats.t.pdf)."""
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))


@functools.lru_cache(maxsize=4096)
def t_ppf(q: float, df: float) -> float:
    """Quantile of Student's t (scipy.stats.t.ppf), for 0 < q < 1.

    Newton's method from the normal quantile, kept inside a bracket that bisection
    would also narrow, so it converges in a handful of steps and cannot diverge.

    Example:
        >>> round(t_ppf(0.975, 10), 8)
        2.22813885
    """
    if q == 0.5:
        return 0.0
    if q < 0.5:
        return -t_ppf(1.0 - q, df)
    target = 1.0 - q
    lo, hi = 0.0, 1.0
    while t_sf(hi, df) > target:
        lo, hi = hi, hi * 2.0
    t = min(max(statistics.NormalDist().inv_cdf(q), lo), hi)
    for _ in range(100):
        gap = t_sf(t, df) - target  # > 0: t is too small
        if gap > 0:
            lo = t
        else:
            hi = t
        step = gap / t_pdf(t, df)
        nxt = t + step
        if not lo < nxt < hi:
            nxt = 0.5 * (lo + hi)
        if abs(nxt - t) <= 1e-14 * max(1.0, abs(t)):
            return nxt
        t = nxt
    return t


def normal_sf(z: float) -> float:
    """Upper tail of the standard normal (scipy.stats.norm.sf)."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


def paired_t_p(mean: float, stderr: float, n: int) -> float | None:
    """Two-sided p of the paired t test (scipy.stats.ttest_rel); None when undefined.

    Example:
        >>> round(paired_t_p(0.5, 0.25, 11), 10)
        0.0733880348
    """
    if n < 2 or not math.isfinite(mean) or not math.isfinite(stderr):
        return None
    if stderr == 0.0:
        return None if mean == 0.0 else 0.0
    return min(1.0, 2.0 * t_sf(abs(mean / stderr), n - 1))


def mcnemar_exact_p(improved: int, regressed: int) -> float:
    """McNemar's exact p: a two-sided binomial test on the discordant pairs.

    As ``statsmodels.stats.contingency_tables.mcnemar(table, exact=True)``:
    ``min(1, 2 * P(X <= min(b, c)))`` for ``X ~ Binomial(b + c, 1/2)``.

    Example:
        >>> round(mcnemar_exact_p(2, 9), 10)
        0.0654296875
    """
    n = improved + regressed
    if n == 0:
        return 1.0
    k = min(improved, regressed)
    if k == n / 2:
        return 1.0
    # P(X <= k) for X ~ Binomial(n, 1/2) is I_{1/2}(n - k, k + 1).
    return min(1.0, 2.0 * incomplete_beta(n - k, k + 1, 0.5))


def wilcoxon_p(positive_rank_sum: float, n: int, tie_term: float, exact: bool) -> float | None:
    """Two-sided p of the Wilcoxon signed-rank test, zeros dropped (``zero_method="wilcox"``).

    ``exact`` uses the exact null distribution (scipy ``method="exact"``, valid without
    ties); otherwise the normal approximation with the tie correction and no continuity
    correction (scipy ``method="asymptotic"``). ``tie_term`` is ``sum(t**3 - t)`` over
    groups of tied absolute differences.

    Example:
        >>> wilcoxon_p(3.0, 5, 0.0, exact=True)
        0.3125
    """
    if n == 0:
        return None
    total = n * (n + 1) / 2.0
    if exact:
        counts = [1] + [0] * int(total)  # subsets of 1..n by their sum
        for r in range(1, n + 1):
            for s in range(int(total), r - 1, -1):
                counts[s] += counts[s - r]
        stat = round(min(positive_rank_sum, total - positive_rank_sum))
        return min(1.0, 2.0 * sum(counts[: stat + 1]) / 2.0**n)
    mean = total / 2.0
    var = n * (n + 1) * (2 * n + 1) / 24.0 - tie_term / 48.0
    if var <= 0:
        return None
    z = (min(positive_rank_sum, total - positive_rank_sum) - mean) / math.sqrt(var)
    return min(1.0, 2.0 * normal_sf(abs(z)))


def adjust(p: Sequence[float | None], method: str | None) -> list[float | None]:
    """p-values corrected for multiple comparisons (statsmodels ``multipletests``).

    ``"holm"`` (Holm–Bonferroni, family-wise) or ``"bh"`` (Benjamini–Hochberg, false
    discovery rate); None leaves them as they are. Missing p-values stay missing and do
    not count as tests.

    Example:
        >>> adjust([0.01, 0.04, 0.03, None], "holm")
        [0.03, 0.06, 0.06, None]
    """
    if method is None:
        return list(p)
    present = sorted((v, i) for i, v in enumerate(p) if v is not None)
    m = len(present)
    out: list[float | None] = [None] * len(p)
    if method == "holm":
        running = 0.0
        for rank, (v, i) in enumerate(present):
            running = max(running, min(1.0, (m - rank) * v))
            out[i] = running
    elif method == "bh":
        running = 1.0
        for rank in range(m - 1, -1, -1):
            v, i = present[rank]
            running = min(running, v * m / (rank + 1))
            out[i] = min(1.0, running)
    else:
        raise ValueError(f"correction is 'holm', 'bh' or None, got {method!r}")
    return out
