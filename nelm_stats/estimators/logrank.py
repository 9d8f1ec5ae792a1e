"""Comparing survival curves: the G-rho family of tests, as R's ``survival::survdiff``.

* :func:`logrank_test` — log-rank (rho=0), Peto–Peto (rho=1: weights are the pooled,
  left-continuous Kaplan–Meier estimate S(t-)), any rho >= 0; stratified (observed, expected
  and variance summed over strata); and the test for trend over ordered groups.
* :func:`pairwise_logrank` — every pair of groups, p-values adjusted as R's ``p.adjust``.

Layout (as survdiff / survdiff.fit / print.survdiff): ``_prepare`` validates and returns plain
arrays, ``_survdiff_fit`` computes observed, expected and variance, the public functions
format the result.

Computation: the rows are sorted once by time (then, stably, by stratum); within a stratum, the number of
deaths and the number at risk per group are counted at each distinct time with ``bincount``
and a reverse cumulative sum — no Python loop over rows or times (only over strata and, for
the pairwise table, over pairs of groups).  At each distinct time t with d deaths among n at
risk (r_g and d_g in group g) and weight w = S(t-)^rho (S the Kaplan–Meier of the stratum's
pooled groups, as survdiff):

    O_g += w d_g,    E_g += w d r_g / n,
    V   += w^2 d (n - d) / (n (n - 1)) * (diag(r) - r r' / n)       (n > 1)

The statistic is (O-E)' V^-1 (O-E) over the groups with E > 0, leaving out the first of
them (survdiff's rule), on (number of groups with E > 0) - 1 degrees of freedom.

Trend test (``trend=True``): with scores c = 1..k for the groups in the column's order (the
categories of an ordered Categorical such as grade G1 < G2 < G3),

    chi^2 (1 df) = (c'(O - E))^2 / (c' V c),

with O, E and V (weighted by rho, summed over strata) exactly as above.  This is the usual
score test for trend (Collett, *Modelling Survival Data in Medical Research*, ch. 2;
Peto et al. 1977); the R reference (tests/r/survival_tests.R) computes it from survdiff's
``obs - exp`` and ``var``.

Times are first made "approximately equal" as R does (``aeqSurv``, survdiff's default
``timefix=TRUE``): distinct times closer than sqrt(machine epsilon) (absolute, or relative to
the mean of the distinct times) are treated as tied.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ._lazy import stats

from .._checks import (
    as_number,
    as_event,
    as_time,
    check_choice,
    group_codes,
    require_columns,
    require_complete,
    require_frame,
)
from ._linalg import quadratic_form
from ._times import aeq_sorted
from ..errors import InputError, InsufficientDataError

__all__ = ["LogrankResult", "logrank_test", "pairwise_logrank", "p_adjust"]


@dataclass(frozen=True)
class LogrankResult:
    """What :func:`logrank_test` returns.

    ``statistic`` chi-square statistic; ``df`` its degrees of freedom; ``p_value``.
    ``table`` [group, n, observed, expected]: per group (column's order), the number of
    patients used, and observed and expected events — weighted by S(t-)^rho as survdiff
    reports them (rho=1: Peto–Peto weighted counts), summed over strata.
    ``variance`` the k x k variance matrix of observed - expected (survdiff's ``var``).
    ``method`` "log-rank", "Peto-Peto" or "G-rho"; ``trend`` whether this is the test for
    trend (scores 1..k); ``rho``; ``strata`` the stratifying column (or None);
    ``n_excluded`` rows left out for missing values.
    """

    statistic: float
    df: int
    p_value: float
    table: pd.DataFrame
    variance: np.ndarray
    method: str
    trend: bool
    rho: float
    strata: str | None
    n_excluded: int


# --------------------------------------------------------------------------------------
# validate


def _check_rho(rho) -> float:
    r = as_number(rho, f"rho must be a number (0 = log-rank, 1 = Peto–Peto); got {rho!r}.")
    if not np.isfinite(r) or r < 0:
        raise InputError(f"rho must be zero or positive (0 = log-rank, 1 = Peto–Peto); got {rho!r}.")
    return r


def _prepare(data, time, event, group, strata=None):
    """Validate; return (time, event, group code, labels, stratum code, n_excluded).

    Times are returned as given (aeqSurv is applied by the caller, on the rows it tests).
    """
    data = require_frame(data)
    if group is None:
        raise InputError("A test comparing survival needs a grouping column (group=...).")
    used = require_columns(data, [time, event, group, strata])
    if strata is not None and strata == group:
        raise InputError("The stratifying column cannot be the grouping column itself.")
    sub, n_excluded = require_complete(data, used)
    t = as_time(sub[time])
    e = as_event(sub[event])
    g, labels = group_codes(sub[group])
    if len(labels) < 2:
        raise InsufficientDataError(
            f"The grouping column '{group}' has only one group"
            + (f" ('{labels[0]}')" if labels else "")
            + " among patients with complete data: a comparison needs at least two groups."
        )
    if strata is None:
        s = np.zeros(len(sub), dtype=int)
    else:
        s, _ = group_codes(sub[strata])
    if e.sum() == 0:
        raise InsufficientDataError(
            f"No patient had an event in '{event}': survival cannot be compared without events."
        )
    return t, e, g, labels, s, n_excluded


# --------------------------------------------------------------------------------------
# compute


def _survdiff_fit(t, e, g, k, s, rho, *, aeq=True, presorted=False):
    """Observed, expected (weighted) and variance matrix, summed over strata (survdiff.fit).

    Sorts once by time (then, stably, by stratum; ``presorted``: rows already sorted by
    time); ``aeq`` applies aeqSurv first (survdiff's timefix=TRUE) to these rows.
    """
    order = np.arange(t.size) if presorted else np.argsort(t, kind="stable")
    t = t[order]
    if aeq:
        t = aeq_sorted(t)
    if s.min() != s.max():
        by_stratum = np.argsort(s[order], kind="stable")
        order, t = order[by_stratum], t[by_stratum]
    e, g, s = e[order], g[order], s[order]
    obs = np.zeros(k)
    exp = np.zeros(k)
    var = np.zeros((k, k))
    bounds = np.flatnonzero(np.diff(s)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(t)]))
    for a, b in zip(starts, ends):
        ts, es, gs = t[a:b], e[a:b], g[a:b]
        new = np.concatenate(([True], ts[1:] != ts[:-1]))
        idx = np.cumsum(new) - 1  # index of the distinct time of each row
        m = int(idx[-1]) + 1
        key = idx * k + gs
        count = np.bincount(key, minlength=m * k).reshape(m, k).astype(float)
        death = np.bincount(key, weights=es, minlength=m * k).reshape(m, k)
        risk = np.cumsum(count[::-1], axis=0)[::-1]  # r_g(t): T >= t in group g
        n = risk.sum(axis=1)
        d = death.sum(axis=1)
        if rho == 0:
            w = np.ones(m)
        else:
            km = np.cumprod((n - d) / n)
            w = np.concatenate(([1.0], km[:-1])) ** rho  # pooled S(t-)
        obs += w @ death
        exp += (w * d / n) @ risk
        keep = (d > 0) & (n > 1)
        if np.any(keep):
            r, nk, dk, wk = risk[keep], n[keep], d[keep], w[keep]
            kt = wk * wk * dk * (nk - dk) / (nk * (nk - 1.0))
            var += np.diag(kt @ r) - r.T @ (r * (kt / nk)[:, None])
    return obs, exp, var


def _chisq(obs, exp, var):
    """survdiff's statistic over the groups with expected > 0; (chi, df)."""
    ok = exp > 0
    df = int(ok.sum()) - 1
    if df < 1:
        return np.nan, df
    diff = (obs - exp)[ok][1:]
    vv = var[np.ix_(ok, ok)][1:, 1:]
    # R's solve() stops when the variance is singular (e.g. strata in which different groups
    # are at risk); solving anyway would give a statistic made of round-off. Singular is
    # decided far above round-off, so on every machine alike (nelm_stats._linalg).
    chi = quadratic_form(vv, diff)
    if np.isnan(chi):
        return np.nan, df
    return chi, df


def _trend(obs, exp, var):
    c = np.arange(1, len(obs) + 1, dtype=float)
    num = c @ (obs - exp)
    den = c @ var @ c
    if not den > 0:
        return np.nan
    return float(num * num / den)


# --------------------------------------------------------------------------------------
# public


def _method_name(rho: float) -> str:
    return {0.0: "log-rank", 1.0: "Peto-Peto"}.get(rho, "G-rho")


def logrank_test(data, time, event, group, *, strata=None, rho=0, trend=False) -> LogrankResult:
    """Compare survival between groups, exactly as R's ``survdiff``.

    R: ``survdiff(Surv(time, event) ~ group + strata(strata), data, rho = rho)``.
    ``rho=0`` log-rank; ``rho=1`` Peto–Peto (weights S(t-), the pooled left-continuous
    Kaplan–Meier); ``strata`` a column to stratify on (sums over strata, as survdiff);
    ``trend=True`` the 1-df test for trend over the groups in the column's order with scores
    1..k (use an ordered Categorical, e.g. grade G1 < G2 < G3).
    """
    rho = _check_rho(rho)
    if not isinstance(trend, (bool, np.bool_)):
        raise InputError(f"trend must be True or False; got {trend!r}.")
    t, e, g, labels, s, n_excluded = _prepare(data, time, event, group, strata)
    k = len(labels)
    obs, exp, var = _survdiff_fit(t, e, g, k, s, rho)
    if int((exp > 0).sum()) < 2:
        raise InsufficientDataError(
            "Only one group was at risk when events occurred: the groups cannot be compared."
        )
    if trend:
        chi, df = _trend(obs, exp, var), 1
    else:
        chi, df = _chisq(obs, exp, var)
    p = float(stats.chi2.sf(chi, df)) if np.isfinite(chi) else np.nan
    table = pd.DataFrame(
        {
            "group": labels,
            "n": np.bincount(g, minlength=k).astype(np.int64),
            "observed": obs,
            "expected": exp,
        }
    )
    return LogrankResult(
        statistic=chi,
        df=int(df),
        p_value=p,
        table=table,
        variance=var,
        method=_method_name(rho),
        trend=bool(trend),
        rho=rho,
        strata=strata,
        n_excluded=n_excluded,
    )


_ADJUST = ("holm", "bonferroni", "BH", "none")


def p_adjust(p, method: str = "holm") -> np.ndarray:
    """R's ``p.adjust`` for "holm", "bonferroni", "BH" and "none" (NaN kept, not counted)."""
    check_choice(method, "adjust", _ADJUST)
    p = np.asarray(p, dtype=float)
    out = np.full(p.shape, np.nan)
    ok = ~np.isnan(p)
    q = p[ok]
    n = q.size
    if n == 0:
        return out
    if method == "none":
        adj = q.copy()
    elif method == "bonferroni":
        adj = np.minimum(1.0, n * q)
    elif method == "holm":
        o = np.argsort(q, kind="stable")
        adj_sorted = np.minimum(1.0, np.maximum.accumulate((n - np.arange(n)) * q[o]))
        adj = np.empty(n)
        adj[o] = adj_sorted
    else:  # BH
        o = np.argsort(-q, kind="stable")
        i = np.arange(n, 0, -1)
        adj_sorted = np.minimum(1.0, np.minimum.accumulate(n / i * q[o]))
        adj = np.empty(n)
        adj[o] = adj_sorted
    out[ok] = adj
    return out


def pairwise_logrank(data, time, event, group, *, adjust="holm", rho=0) -> pd.DataFrame:
    """Log-rank test (or G-rho with ``rho``) for every pair of groups, p-values adjusted.

    R (as survminer's ``pairwise_survdiff``): for each pair a < b in the column's order,
    ``survdiff(Surv(time, event) ~ group, data = subset(data, group %in% c(a, b)), rho = rho)``,
    then ``p.adjust(p, method = adjust)`` with adjust "holm" (default), "bonferroni", "BH" or
    "none".  Returns [group_a, group_b, statistic, p_value, p_adjusted]; a pair in which
    fewer than two groups were at risk at an event time has NaN statistic and p-value (not
    counted in the adjustment, as p.adjust's NA).  ``.attrs["n_excluded"]``: rows left out for
    missing values.
    """
    check_choice(adjust, "adjust", _ADJUST)
    rho = _check_rho(rho)
    t, e, g, labels, _s, n_excluded = _prepare(data, time, event, group)
    order = np.argsort(t, kind="stable")  # sort once; every pair's rows are then sorted too
    t, e, g = t[order], e[order], g[order]
    k = len(labels)
    rows = []
    for a in range(k):
        for b in range(a + 1, k):
            sel = (g == a) | (g == b)
            # survdiff on the subset (aeqSurv applied to the subset, as R does)
            tt = t[sel]
            gg = (g[sel] == b).astype(int)
            ee = e[sel]
            if ee.sum() == 0:
                chi = np.nan
            else:
                obs, exp, var = _survdiff_fit(
                    tt, ee, gg, 2, np.zeros(len(tt), dtype=int), rho, presorted=True
                )
                chi, _df = _chisq(obs, exp, var)
            p = float(stats.chi2.sf(chi, 1)) if np.isfinite(chi) else np.nan
            rows.append((labels[a], labels[b], chi, p))
    out = pd.DataFrame(rows, columns=["group_a", "group_b", "statistic", "p_value"])
    out["p_adjusted"] = p_adjust(out["p_value"].to_numpy(), adjust)
    out.attrs["n_excluded"] = int(n_excluded)  # rows left out for missing values (DESIGN.md)
    return out
