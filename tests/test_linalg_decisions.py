"""Decisions on floats made the same way on every machine (nelm_stats._linalg).

A variance matrix that is singular in exact arithmetic carries round-off of about 1e-16 of its
size in place of its zero eigenvalue; how much depends on the CPU and the BLAS kernel. Whether a
test is reported must not: singular is declared below a reciprocal condition number of 1e-10.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.estimators import _linalg


@pytest.mark.parametrize("noise", [0.0, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12])
def test_exactly_singular_plus_roundoff_is_singular(noise):
    rng = np.random.default_rng(3)
    for k in (2, 3, 5):
        for _ in range(50):
            b = rng.normal(size=(k, k - 1))
            m = b @ b.T  # rank k-1 in exact arithmetic
            e = rng.normal(size=(k, k)) * noise * np.abs(m).max()
            m = m + (e + e.T) / 2
            assert _linalg.is_singular(m)
            assert np.isnan(_linalg.quadratic_form(m, rng.normal(size=k)))


def test_regular_matrix_gives_the_quadratic_form():
    m = np.array([[4.0, 1.0], [1.0, 3.0]])
    u = np.array([1.0, 2.0])
    assert _linalg.quadratic_form(m, u) == pytest.approx(u @ np.linalg.solve(m, u), rel=1e-15)
    assert not _linalg.is_singular(m)
    assert _linalg.is_singular(np.array([[np.nan, 0.0], [0.0, 1.0]]))


def test_qr_rank_rule_is_rs_tolerance():
    x = np.column_stack([np.ones(6), np.arange(6.0), 2 * np.arange(6.0) + 1e-9])
    assert _linalg.independent_columns(x) == [0, 1]  # third column aliased at R's 1e-7
    x[:, 2] = np.arange(6.0) ** 2
    assert _linalg.independent_columns(x) == [0, 1, 2]


def test_stratified_logrank_with_singular_variance_is_nan_whatever_the_scale():
    """survdiff(Surv(t, e) ~ g + strata(s)) where group c is at risk only in a stratum without
    the others: R's solve() stops; the statistic is NaN at every scale of the times (the
    round-off of the variance changes with the scale, the decision must not)."""
    base = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 7, 8.0], "e": [1, 1, 0, 1, 1, 1, 0, 1],
                         "g": ["a", "b", "a", "b", "c", "c", "c", "c"], "s": [1, 1, 1, 1, 2, 2, 2, 2]})
    for scale in (1.0, 0.1, 3.7, 1e-3, 12.0):
        d = base.assign(t=base.t * scale)
        res = ns.logrank_test(d, "t", "e", "g", strata="s")
        assert np.isnan(res.statistic) and np.isnan(res.p_value)
