"""paired_stats against scipy and statsmodels, on the demo, real samples and generated logs."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest
from conftest_io import SHARED, require
from scipy import stats as sps
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests

import evallens
from evallens.compare.significance import adjust, mcnemar_exact_p, t_ppf, t_sf, wilcoxon_p

WRITING_BENCH = SHARED / "data" / "logs" / "inspect_viz_docs" / "writing_bench_samples.parquet"


def _arrays(pairs: pl.DataFrame, task: str, model: str) -> tuple[np.ndarray, np.ndarray]:
    both = pairs.filter(
        (pl.col("task") == task) & (pl.col("model") == model) & (pl.col("status") != "missing")
    )
    return both["value_baseline"].to_numpy(), both["value"].to_numpy()


def _check_against_oracles(pairs: pl.DataFrame, table: pl.DataFrame, test: str) -> None:
    """Every row of ``table`` equals what scipy/statsmodels compute from the raw pairs."""
    raw_p = []
    for row in table.iter_rows(named=True):
        b, m = _arrays(pairs, row["task"], row["model"])
        assert row["n"] == len(b)
        d = m - b
        assert row["mean_delta"] == pytest.approx(d.mean(), rel=1e-12, abs=1e-12)
        assert row["mean"] == pytest.approx(m.mean(), rel=1e-12)
        assert row["mean_baseline"] == pytest.approx(b.mean(), rel=1e-12)
        assert row["improved"] == int((d > 0).sum())
        assert row["regressed"] == int((d < 0).sum())
        if len(d) > 1 and d.std() > 0:
            ref = sps.ttest_rel(m, b)
            ci = ref.confidence_interval(0.95)
            assert row["stderr"] == pytest.approx(sps.sem(d), rel=1e-9)
            assert row["ci_low"] == pytest.approx(ci.low, rel=1e-9, abs=1e-12)
            assert row["ci_high"] == pytest.approx(ci.high, rel=1e-9, abs=1e-12)
            assert row["ci_excludes_zero"] == (ci.low > 0 or ci.high < 0)
        if row["test"] == "mcnemar":
            assert set(np.unique(np.concatenate([b, m]))) <= {0.0, 1.0}
            table2 = [
                [int(((b == 0) & (m == 0)).sum()), int(((b == 0) & (m == 1)).sum())],
                [int(((b == 1) & (m == 0)).sum()), int(((b == 1) & (m == 1)).sum())],
            ]
            assert row["p"] == pytest.approx(mcnemar(table2, exact=True).pvalue, rel=1e-9)
        elif row["test"] == "t":
            if d.std() > 0:
                assert row["p"] == pytest.approx(sps.ttest_rel(m, b).pvalue, rel=1e-8)
        elif row["test"] == "wilcoxon":
            nz = d[d != 0]
            if len(nz):
                _, counts = np.unique(np.abs(nz), return_counts=True)
                exact = len(nz) <= 50 and (counts == 1).all()
                ref = sps.wilcoxon(
                    nz, zero_method="wilcox", correction=False,
                    method="exact" if exact else "asymptotic",
                )  # fmt: skip
                assert row["p"] == pytest.approx(ref.pvalue, rel=1e-8)
        assert row["test"] == test or test == "auto"
        raw_p.append(row["p"])
    present = [p for p in raw_p if p is not None]
    for method, name in (("holm", "holm"), ("fdr_bh", "bh")):
        expected = iter(multipletests(present, method=method)[1])
        for got in adjust(raw_p, name):
            if got is not None:
                assert got == pytest.approx(next(expected), rel=1e-12)
    holm = iter(multipletests(present, method="holm")[1])
    for got in table["p_adjusted"].to_list():
        if got is not None:
            assert got == pytest.approx(next(holm), rel=1e-12)


@pytest.fixture(scope="module")
def demo() -> pl.DataFrame:
    return evallens.demo_samples()


def test_binary_scores_use_mcnemar_and_match_statsmodels(demo: pl.DataFrame) -> None:
    pairs = evallens.paired(demo, baseline="gpt-4.1", score="score_match")
    table = evallens.paired_stats(pairs, baseline="openai/gpt-4.1")
    assert set(table["test"]) == {"mcnemar"}
    assert table.height == demo["task_name"].n_unique() * 7  # every task, 7 other models
    _check_against_oracles(pairs, table, "mcnemar")


def test_numeric_scores_use_the_paired_t_test(demo: pl.DataFrame) -> None:
    pairs = evallens.paired(demo, baseline="gpt-4.1", score="score_judge")
    table = evallens.paired_stats(pairs)
    assert set(table["test"]) == {"t"}
    _check_against_oracles(pairs, table, "t")


def test_wilcoxon_matches_scipy_with_ties_and_zeros(demo: pl.DataFrame) -> None:
    pairs = evallens.paired(demo, baseline="gpt-4.1", score="score_judge")
    table = evallens.paired_stats(pairs, test="wilcoxon")
    _check_against_oracles(pairs, table, "wilcoxon")


def test_small_wilcoxon_uses_the_exact_distribution() -> None:
    rng = np.random.default_rng(7)
    for n in (1, 2, 5, 12, 30, 50):
        d = rng.permutation(np.arange(1, n + 1)) * rng.choice([-1.0, 1.0], n) + 0.25
        ranks = sps.rankdata(np.abs(d))
        got = wilcoxon_p(float(ranks[d > 0].sum()), n, 0.0, exact=True)
        assert got == pytest.approx(sps.wilcoxon(d, method="exact").pvalue, rel=1e-12)


def test_real_writing_bench_float_judge_scores() -> None:
    """Real samples_df() output: 4 models on the same 25 WritingBench samples."""
    df = pl.read_parquet(require(WRITING_BENCH)).with_columns(task_name=pl.lit("writing_bench"))
    pairs = evallens.paired(df, baseline="openai/gpt-5", score="score_multi_scorer_wrapper")
    assert pairs.height == 3 * 25 and (pairs["status"] != "missing").all()
    for test in ("t", "wilcoxon"):
        table = evallens.paired_stats(pairs, test=test)  # type: ignore[arg-type]
        _check_against_oracles(pairs, table, test)


def test_generated_logs_with_per_task_scorers(per_task_scorer_logs) -> None:  # type: ignore[no-untyped-def]
    samples = evallens.read_samples(per_task_scorer_logs)
    model = samples["model"].unique().sort()[0]
    if samples["model"].n_unique() < 2:
        pytest.skip("the generated logs have one model")
    pairs = evallens.paired(samples, baseline=model)
    _check_against_oracles(pairs, evallens.paired_stats(pairs), "auto")


def test_distribution_functions_match_scipy() -> None:
    for df in (1, 2, 3, 7, 30, 199, 2499, 100_000):
        for q in (0.6, 0.9, 0.975, 0.995, 0.9995):
            assert t_ppf(q, df) == pytest.approx(sps.t.ppf(q, df), rel=1e-10)
        for t in (0.0, 0.1, 1.3, 2.5, 8.0, 40.0):
            assert t_sf(t, df) == pytest.approx(sps.t.sf(t, df), rel=1e-9, abs=1e-300)
    for b, c in ((0, 0), (0, 5), (3, 3), (12, 40), (700, 760), (1, 2400)):
        ref = mcnemar([[10, b], [c, 10]], exact=True).pvalue
        assert mcnemar_exact_p(b, c) == pytest.approx(ref, rel=1e-9, abs=1e-300)


def test_corrections_match_statsmodels() -> None:
    rng = np.random.default_rng(3)
    p = [*rng.uniform(0, 0.2, 40), 0.0, 1.0, 0.05, 0.05]
    for method, name in (("holm", "holm"), ("fdr_bh", "bh")):
        assert adjust(p, name) == pytest.approx(list(multipletests(p, method=method)[1]))
    assert adjust([0.2, None], None) == [0.2, None]
    with pytest.raises(ValueError, match="correction"):
        adjust([0.1], "bonferroni")


def test_confidence_level_and_missing_pairs(demo: pl.DataFrame) -> None:
    pairs = evallens.paired(demo, baseline="gpt-4.1", score="score_judge")
    wide = evallens.paired_stats(pairs, confidence=0.99, correction=None)
    row = wide.row(0, named=True)
    b, m = _arrays(pairs, row["task"], row["model"])
    ci = sps.ttest_rel(m, b).confidence_interval(0.99)
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=1e-9)
    assert row["p_adjusted"] == row["p"]
    missing = pairs.filter((pl.col("task") == row["task"]) & (pl.col("model") == row["model"]))[
        "status"
    ]
    assert row["missing"] == int((missing == "missing").sum()) > 0
    assert math.isfinite(row["p"])
