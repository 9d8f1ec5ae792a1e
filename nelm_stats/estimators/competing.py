"""Cumulative incidence with competing risks, exactly as R's ``cmprsk::cuminc``.

Recurrence after liver resection cannot happen after death: 1 - Kaplan–Meier of recurrence
with deaths censored overstates it.  :func:`cumulative_incidence` gives the Aalen–Johansen
(empirical cumulative incidence) estimate of one cause, cmprsk's variance, a pointwise CI and
Gray's (1988) test comparing the groups' cumulative incidence of that cause.

Layout: ``_prepare`` validates, ``_cinc`` (one group's curve, as cmprsk's Fortran ``cinc``)
and ``_gray`` (score and variance, as cmprsk's ``crstm``/``crst``) compute on sorted numpy
arrays, :func:`cumulative_incidence` formats.  Both workers count events per distinct time
with ``bincount`` and replace cmprsk's running sums by cumulative sums: no Python loop over
rows or times (only over groups and strata).  Deterministic: tied times are handled as ties
(no random jitter, unlike lifelines' AalenJohansenFitter).

Estimate, for distinct times t_j with r_j at risk, d1_j events of the cause and d_j events of
any cause, and S(t-) the all-cause Kaplan–Meier just before t_j:

    F(t) = sum_{t_j <= t} S(t_j-) d1_j / r_j

Variance: cmprsk's delta-method estimator (Gray's ``cinc``): with v1, v2, v3 the cumulative
sums over event times of the per-time terms for the cause of interest and for the other
causes, Var F(t) = v1 + F(t)^2 v3 - 2 F(t) v2, reported at the times of the cause of interest
and carried forward in between (as cmprsk does).

Confidence interval: cmprsk gives none.  We use the log(-log) transformation usual with
cumulative incidence (Pintilie, *Competing Risks: A Practical Perspective*, 2006; the
interval tidycmprsk::cuminc reports):

    F ^ exp(+- z sqrt(Var F) / (F log F)),     z = qnorm(1 - (1 - conf_level) / 2)

lower with "-", upper with "+"; [0, 0] where F = 0, NaN where F = 1 with a positive
variance.  tests/r/survival_tests.R computes the same formula from cuminc's est and var.

Gray's test: the score s and variance V of cmprsk's ``crstm`` for the chosen cause (rho = 0),
summed over strata, statistic s' V^-1 s on (groups - 1) df.  cuminc reports
``1 - pchisq(stat, df)``; we use the upper tail directly (identical except below ~1e-16).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ._lazy import stats

from .._checks import (
    as_event,
    as_numeric,
    as_time,
    check_conf_level,
    group_codes,
    require_columns,
    require_complete,
    require_frame,
)
from ._linalg import independent_columns
from ..errors import InputError, InsufficientDataError, InvalidValueError

__all__ = ["CumulativeIncidence", "GrayTest", "cumulative_incidence", "competing_event_type"]

_MAX_EXP = float(np.log(np.finfo(float).max))  # exp() of more overflows

_CURVE_COLUMNS = ["group", "time", "estimate", "variance", "ci_lower", "ci_upper"]


@dataclass(frozen=True)
class GrayTest:
    """Gray's test comparing cumulative incidence of ``cause`` between groups."""

    statistic: float
    df: int
    p_value: float
    cause: int


@dataclass(frozen=True)
class CumulativeIncidence:
    """What :func:`cumulative_incidence` returns.

    ``curve`` [group, time, estimate, variance, ci_lower, ci_upper]: per group (column's
    order; "all" without a group), the step function of the cumulative incidence of
    ``cause``: a row at time 0 (estimate 0), one at each distinct time with an event of the
    cause, and one at the group's last follow-up time (value carried forward) when that is
    later.  Estimates are proportions (0-1).
    ``table`` [group, n, events, competing_events, censored]: patients used per group, and
    how many had the cause of interest, another cause, or were censored.
    ``gray_test`` :class:`GrayTest` (None without a group).
    ``cause`` the event type estimated; ``causes`` the event types present (besides 0);
    ``conf_level``; ``n_excluded`` rows left out for missing values.
    """

    curve: pd.DataFrame
    table: pd.DataFrame
    gray_test: GrayTest | None
    cause: int
    causes: tuple
    conf_level: float
    n_excluded: int

    def at(self, times) -> pd.DataFrame:
        """Estimates at given times, as ``cmprsk::timepoints``.

        [group, time, estimate, variance, ci_lower, ci_upper]; times sorted and de-duplicated;
        the value of the step function at the last curve time <= t; NaN for a time before 0
        or after the group's last follow-up (cmprsk returns NA there).
        """
        t = np.unique(np.asarray(times, dtype=float).ravel())
        if t.size == 0 or np.isnan(t).any():
            raise InputError("times must be one or more numbers (no missing values).")
        cols = {c: [] for c in _CURVE_COLUMNS}
        for label, part in self.curve.groupby("group", sort=False):
            ct = part["time"].to_numpy()
            i = np.searchsorted(ct, t, side="right") - 1
            ok = (i >= 0) & (t >= 0) & (t <= ct[-1])
            ii = np.where(ok, i, 0)
            cols["group"].extend([label] * t.size)
            cols["time"].append(t)
            for c in ("estimate", "variance", "ci_lower", "ci_upper"):
                cols[c].append(np.where(ok, part[c].to_numpy()[ii], np.nan))
        out = {"group": cols["group"]}
        for c in _CURVE_COLUMNS[1:]:
            out[c] = np.concatenate(cols[c])
        return pd.DataFrame(out, columns=_CURVE_COLUMNS)


# --------------------------------------------------------------------------------------
# validate


def _as_event_type(series: pd.Series) -> np.ndarray:
    v = as_numeric(series, "event type")
    bad = (v < 0) | (v != np.round(v))
    if np.any(bad):
        found = ", ".join(f"{x:g}" for x in np.unique(v[bad])[:5])
        raise InvalidValueError(
            f"The event type column '{series.name}' must be 0 (censored) or 1, 2, ... (the cause "
            f"of the event, e.g. 1 = recurrence, 2 = death without recurrence); found {found}."
        )
    return v.astype(int)


def _check_cause(cause) -> int:
    if isinstance(cause, (bool, np.bool_)) or not isinstance(cause, (int, np.integer, float)):
        raise InputError(f"cause must be an event type 1, 2, ...; got {cause!r}.")
    if cause != int(cause) or int(cause) < 1:
        raise InputError(f"cause must be an event type 1, 2, ... (0 means censored); got {cause!r}.")
    return int(cause)


def _prepare(data, time, event_type, group, strata, cause):
    data = require_frame(data)
    used = require_columns(data, [time, event_type, group, strata])
    sub, n_excluded = require_complete(data, used)
    t = as_time(sub[time])
    m = _as_event_type(sub[event_type])
    if not np.any(m == cause):
        present = sorted(set(np.unique(m)) - {0})
        raise InsufficientDataError(
            f"No patient had event type {cause} in '{event_type}'"
            + (f" (event types present: {', '.join(map(str, present))})." if present else
               " (every patient is censored).")
        )
    if group is None:
        g, labels = np.zeros(len(sub), dtype=int), ["all"]
    else:
        g, labels = group_codes(sub[group])
    if strata is None:
        s = np.zeros(len(sub), dtype=int)
    else:
        if group is None:
            raise InputError("strata only applies to Gray's test, which needs a group.")
        s, _ = group_codes(sub[strata])
    return t, m, g, labels, s, n_excluded


# --------------------------------------------------------------------------------------
# compute


def _distinct(t_sorted):
    """Index of each row's distinct time (rows sorted by time) and the number of times."""
    new = np.concatenate(([True], t_sorted[1:] != t_sorted[:-1]))
    idx = np.cumsum(new) - 1
    return idx, int(idx[-1]) + 1


def _cinc(t, fail, cause_fail):
    """One group's cumulative incidence (cmprsk's ``cinc``). Rows sorted by time.

    Returns (event times, estimate, variance) at the distinct times with an event of the
    cause, and the last follow-up time.
    """
    idx, m = _distinct(t)
    times = t[np.concatenate(([True], idx[1:] != idx[:-1]))]
    n_row = np.bincount(idx, minlength=m).astype(float)
    d1 = np.bincount(idx, weights=cause_fail, minlength=m)
    d2 = np.bincount(idx, weights=fail - cause_fail, minlength=m)
    d = d1 + d2
    rs = np.cumsum(n_row[::-1])[::-1]
    fkn = np.cumprod((rs - d) / rs)  # all-cause KM after t_j
    fk = np.concatenate(([1.0], fkn[:-1]))  # ... and just before
    f = np.cumsum(fk * d1 / rs)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = np.where(fkn > 0, 1.0 / fkn, 0.0)
        # other causes (only where the KM stays positive)
        t5 = np.where(d2 > 1, 1.0 - (d2 - 1.0) / (rs - 1.0), 1.0)
        t6 = np.where((d2 > 0) & (fkn > 0), fk * fk * t5 * d2 / (rs * rs), 0.0)
        t4 = f * inv
        v1 = t4 * t4 * t6
        v2 = inv * t4 * t6
        v3 = inv * inv * t6
        # the cause of interest
        t5 = np.where(d1 > 1, 1.0 - (d1 - 1.0) / (rs - 1.0), 1.0)
        t6 = np.where(d1 > 0, fk * fk * t5 * d1 / (rs * rs), 0.0)
        t4 = 1.0 + inv * f
        v1 = v1 + t4 * t4 * t6
        v2 = v2 + inv * t4 * t6
        v3 = v3 + inv * inv * t6
    v1, v2, v3 = np.cumsum(v1), np.cumsum(v2), np.cumsum(v3)
    var = v1 + f * f * v3 - 2.0 * f * v2
    ev = d1 > 0
    return times[ev], f[ev], var[ev], float(t[-1])


def _crst(t, m, g, ng, rho=0.0):
    """Gray's score (first ng-1 groups) and its variance for one stratum (cmprsk's ``crst``).

    Rows sorted by time; m = 0 censored, 1 cause of interest, 2 other cause; g = 0..ng-1.
    """
    ng1 = ng - 1
    idx, nt = _distinct(t)
    key = idx * ng + g
    size = nt * ng
    count = np.bincount(key, minlength=size).reshape(nt, ng).astype(float)
    d1 = np.bincount(key, weights=(m == 1), minlength=size).reshape(nt, ng)
    d2 = np.bincount(key, weights=(m == 2), minlength=size).reshape(nt, ng)
    rs = np.cumsum(count[::-1], axis=0)[::-1]
    fail = (d1 + d2).sum(axis=1) > 0  # only times with a failure contribute
    rs, d1, d2 = rs[fail], d1[fail], d2[fail]
    nd1 = d1.sum(axis=1)
    nd2 = d2.sum(axis=1)
    td = d1 + d2
    pos = rs > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        skm = np.cumprod(np.where(pos, (rs - td) / rs, 1.0), axis=0)  # right-continuous KM
        skmm = np.vstack((np.ones((1, ng)), skm[:-1]))  # left-continuous
        f1 = np.cumsum(np.where(pos, skmm * d1 / rs, 0.0), axis=0)
        f1m = np.vstack((np.zeros((1, ng)), f1[:-1]))
        h = np.where(pos, rs / skmm, 0.0)
        tr = h.sum(axis=1)
        tq = np.where(pos, rs * (1.0 - f1m) / skmm, 0.0).sum(axis=1)
        f = np.cumsum(nd1 / tr)
        fm = np.concatenate(([0.0], f[:-1]))
        fb = (1.0 - fm) ** rho
        # a_t = fb (diag(h) - h h' / tr);  c accumulates a_t nd1 / (tr (1 - fm))
        a = -(h[:, :, None] * h[:, None, :]) / tr[:, None, None]
        # diagonal as crst's a(i,i) = t1 (1 - t1 / tr): exactly 0 when the group is the only one
        # at risk (h - h * h / h can leave round-off, a variance of 1e-32 instead of 0, and
        # then a "test" where cmprsk finds the variance singular)
        a[:, np.arange(ng), np.arange(ng)] = h * (1.0 - h / tr[:, None])
        a *= fb[:, None, None]
        c = np.cumsum(a * (nd1 / (tr * (1.0 - fm)))[:, None, None], axis=0)
        score = np.where(pos, fb[:, None] * (d1 - nd1[:, None] * rs * (1.0 - f1m) / (skmm * tq[:, None])), 0.0)
        s = score.sum(axis=0)[:ng1]

        # failures from the cause of interest
        e1 = pos & (nd1[:, None] > 0)
        t4 = np.where(skm > 0, 1.0 - (1.0 - f)[:, None] / skm, 1.0)
        t5 = np.where(nd1[:, None] > 1, 1.0 - (nd1[:, None] - 1.0) / (tr[:, None] * skmm - 1.0), 1.0)
        t3 = np.where(e1, t5 * skmm * nd1[:, None] / (tr[:, None] * rs), 0.0)
        v3 = (t4 * t4 * t3).sum(axis=0)
        t1 = a[:, :ng1, :] - t4[:, None, :] * c[:, :ng1, :]  # (time, i, k)
        v2 = np.einsum("tik,tk->ik", t1, t4 * t3)
        v = np.einsum("tik,tjk,tk->ij", t1, t1, t3)

        # failures from other causes
        e2 = (skm > 0) & (d2 > 0)
        u4 = np.where(e2, (1.0 - f)[:, None] / skm, 0.0)
        u5 = np.where(d2 > 1, 1.0 - (d2 - 1.0) / (rs - 1.0), 1.0)
        u3 = np.where(e2, u5 * skmm * skmm * d2 / (rs * rs), 0.0)
        v3 = v3 + (u4 * u4 * u3).sum(axis=0)
        w1 = u4[:, None, :] * c[:, :ng1, :]
        v2 = v2 - np.einsum("tik,tk->ik", w1, u4 * u3)
        v = v + np.einsum("tik,tjk,tk->ij", w1, w1, u3)

    cf = c[-1, :ng1, :]
    v = v + (cf * v3) @ cf.T + cf @ v2.T + v2 @ cf.T
    return s, v


def _gray(t, m, g, s, ng, cause):
    """Gray's test over strata (cmprsk's ``crstm``) for ``cause``; rows sorted by time."""
    mm = np.where(m == 0, 0, np.where(m == cause, 1, 2))
    score = np.zeros(ng - 1)
    var = np.zeros((ng - 1, ng - 1))
    for k in np.unique(s):  # rows are sorted by time, so each stratum's rows are too
        sel = s == k
        sc, vv = _crst(t[sel], mm[sel], g[sel], ng)
        score += sc
        var += vv
    df = ng - 1
    # cmprsk: stat only when qr(v)$rank is full (dqrdc2, tol 1e-7), a rule far above round-off
    if not np.all(np.isfinite(var)) or len(independent_columns(var)) < df:
        return GrayTest(statistic=np.nan, df=df, p_value=np.nan, cause=cause)
    stat = float(score @ np.linalg.solve(var, score))
    return GrayTest(statistic=stat, df=df, p_value=float(stats.chi2.sf(stat, df)), cause=cause)


def _loglog_ci(est, var, z):
    lo = np.full(est.shape, np.nan)
    hi = np.full(est.shape, np.nan)
    inner = (est > 0) & (est < 1) & (var >= 0)  # elsewhere log(-log F) or sqrt(var) is undefined
    f = est[inner]
    k = z * np.sqrt(var[inner]) / (f * np.log(f))  # k <= 0
    # F near 0 or 1 with a wide interval: exp(-k) would overflow (F ** inf = 0).  Capped at
    # exp(_MAX_EXP) ~ 1.8e308, F ** that is already 0, so the bound is the same, warning-free.
    lo[inner] = f ** np.exp(np.minimum(-k, _MAX_EXP))
    hi[inner] = f ** np.exp(k)
    zero = est == 0
    lo[zero] = hi[zero] = 0.0
    one = (est >= 1) & (var == 0)
    lo[one] = hi[one] = 1.0
    return lo, hi


# --------------------------------------------------------------------------------------
# public


def cumulative_incidence(
    data, time, event_type, group=None, *, cause=1, strata=None, conf_level=0.95
) -> CumulativeIncidence:
    """Cumulative incidence of one cause with competing risks, as ``cmprsk::cuminc``.

    R: ``cuminc(ftime = time, fstatus = event_type, group = group, strata = strata)``;
    ``event_type`` 0 = censored, 1, 2, ... = the cause of the event (e.g. 1 recurrence,
    2 death without recurrence).  ``cause`` selects the curve and Gray's test; ``strata``
    stratifies Gray's test only (as cuminc); ``conf_level`` for the log(-log) CI.
    """
    cause = _check_cause(cause)
    conf_level = check_conf_level(conf_level)
    t, m, g, labels, s, n_excluded = _prepare(data, time, event_type, group, strata, cause)
    z = float(stats.norm.ppf(1.0 - (1.0 - conf_level) / 2.0))
    k = len(labels)
    order = np.argsort(t, kind="stable")
    t, m, g, s = t[order], m[order], g[order], s[order]

    parts = {c: [] for c in _CURVE_COLUMNS}
    counts = []
    for j, label in enumerate(labels):
        sel = g == j
        tj, mj = t[sel], m[sel]
        fail = (mj > 0).astype(float)
        own = (mj == cause).astype(float)
        et, est, var, tmax = _cinc(tj, fail, own)
        if et.size == 0 or et[0] > 0:
            et, est, var = np.r_[0.0, et], np.r_[0.0, est], np.r_[0.0, var]
        if tmax > et[-1]:
            et, est, var = np.r_[et, tmax], np.r_[est, est[-1]], np.r_[var, var[-1]]
        lo, hi = _loglog_ci(est, var, z)
        parts["group"].extend([label] * et.size)
        for c, v in zip(_CURVE_COLUMNS[1:], (et, est, var, lo, hi)):
            parts[c].append(v)
        counts.append((label, int(sel.sum()), int(own.sum()), int(((mj > 0) & (mj != cause)).sum()),
                       int((mj == 0).sum())))
    curve = {"group": parts["group"]}
    for c in _CURVE_COLUMNS[1:]:
        curve[c] = np.concatenate(parts[c])
    curve = pd.DataFrame(curve, columns=_CURVE_COLUMNS)
    table = pd.DataFrame(counts, columns=["group", "n", "events", "competing_events", "censored"])

    gray = None
    if group is not None:
        if k < 2:
            raise InsufficientDataError(
                f"The grouping column '{group}' has only one group ('{labels[0]}') among patients "
                "with complete data: Gray's test needs at least two groups."
            )
        gray = _gray(t, m, g, s, k, cause)
    causes = tuple(int(c) for c in np.unique(m) if c != 0)
    return CumulativeIncidence(
        curve=curve,
        table=table,
        gray_test=gray,
        cause=cause,
        causes=causes,
        conf_level=conf_level,
        n_excluded=n_excluded,
    )


def competing_event_type(
    data: pd.DataFrame,
    recurrence: str = "recurrence",
    death: str = "death",
    event: str | None = "rfs_event",
) -> pd.Series:
    """Event type for recurrence with death as a competing event, indexed like ``data``.

    0 = censored, 1 = recurrence, 2 = death without recurrence, at the RFS time. With the
    ``event`` column (RFS event) present, a patient without an RFS event is censored; a
    patient with one had a recurrence if ``recurrence`` is true, else died first.
    Missing where a used value is missing.
    """
    require_frame(data)
    use_event = event is not None and event in data.columns
    cols = [recurrence, death] + ([event] if use_event else [])
    require_columns(data, cols)
    ok = data[cols].notna().all(axis=1).to_numpy()
    out = np.full(len(data), np.nan)
    sub = data.loc[ok]
    rec = as_event(sub[recurrence], "recurrence")
    dead = as_event(sub[death], "death")
    kind = np.where(rec == 1, 1, np.where(dead == 1, 2, 0))
    if use_event:
        kind = np.where(as_event(sub[event], "RFS event") == 1, np.where(rec == 1, 1, 2), 0)
    out[ok] = kind
    return pd.Series(out, index=data.index, name="event_type").astype("Int64")
