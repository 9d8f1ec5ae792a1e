"""Kaplan–Meier estimation as R's ``survival::survfit`` (survival 3.5), and what is built on it.

* :func:`kaplan_meier` — survival curves (one per group) with Greenwood standard errors, or, with
  non-integer case weights (IPTW), R's robust infinitesimal-jackknife standard errors; pointwise
  confidence intervals of type "log" (R's default), "log-log" or "plain"; medians with their
  confidence interval; ``.at(times)`` for 1/3/5-year rates (R's ``summary(fit, times, extend=TRUE)``).
* :func:`median_follow_up` — median follow-up by the reverse Kaplan–Meier method
  (R: ``survfit(Surv(time, 1 - status) ~ g)``).
* :func:`restricted_mean` and :func:`rmst_difference` — restricted mean survival time up to
  ``tau`` with R's standard error (``print(fit, rmean = tau)``), and differences between groups.
* :func:`landmark` — the patients still event-free and followed at a landmark time, with times
  measured from the landmark, for any Kaplan–Meier or log-rank analysis "conditional on".

Layout (as survfit / survfitKM / print.survfit): ``_prepare`` validates and returns plain
arrays, ``_km_fit`` computes (no Python loop over rows or times: one sort, ``bincount`` and
cumulative sums/products within each group), the public functions format frozen results.

Formulas (per group; at each distinct time t_i, N_i the (weighted) number at risk, T >= t_i,
and D_i the (weighted) number of events):

    S(t_i)      = prod_{j<=i} (1 - D_j / N_j)
    Greenwood   var(log S(t_i)) = sum_{j<=i} D_j / (N_j (N_j - D_j));   SE(S) = S * sqrt(var)

With non-integer weights R (survfitKM, robust=TRUE by default) uses the infinitesimal jackknife
with each observation its own cluster.  The influence of observation k (weight w_k, time T_k,
event d_k) on S(t_i) is  S(t_i) w_k [sum_{j<=i, t_j<=T_k} D_j/(N_j (N_j-D_j)) - d_k [T_k<=t_i]
/(N_(k) - D_(k))], so, with C_i the Greenwood sum above,

    var S(t_i) = S(t_i)^2 [ C_i^2 sum_{T_k>t_i} w_k^2
                            + sum_{t_m<=t_i} (w2cens_m C_m^2 + w2event_m (C_{m-1} - 1/N_m)^2) ]

(w2cens_m, w2event_m: sums of squared weights of those censored / with an event at t_m); the SE
is then that of S itself (R's ``logse = FALSE``) and is 0 once S reaches 0.  This closed form is
the recursion in R's C code (survfitkm.c) summed up; the tests compare it with R.

Median (R's survmean): the first time with S(t) < 0.5 + sqrt(eps); if S equals 0.5 there and
drops later, the midpoint between that time and the time of the next drop (Surv(1:10) -> 5.5).
The confidence limits apply the same rule to the lower and upper confidence curves.

Times are first made "approximately equal" as survfit does (``aeqSurv``, ``timefix=TRUE``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from .._checks import (
    as_number,
    as_event,
    as_time,
    as_weights,
    check_choice,
    check_conf_level,
    complete_cases,
    group_codes,
    require_columns,
    require_frame,
)
from ._times import TOLERANCE as _TOL  # R: .Machine$double.eps^0.5
from ._times import aeq_sorted
from ..errors import InputError, InsufficientDataError

__all__ = [
    "KaplanMeierResult",
    "RMSTDifferenceResult",
    "LandmarkResult",
    "kaplan_meier",
    "median_follow_up",
    "restricted_mean",
    "rmst_difference",
    "landmark",
    "CONF_TYPES",
]

CONF_TYPES = ("log", "log-log", "plain")
_WCOL = "\x00weights"

CURVE_COLUMNS = ["group", "time", "n_risk", "n_event", "n_censor", "survival", "std_err",
                 "ci_lower", "ci_upper"]
MEDIAN_COLUMNS = ["group", "n", "events", "median", "ci_lower", "ci_upper"]
AT_COLUMNS = ["group", "time", "n_risk", "n_event", "survival", "std_err", "ci_lower",
              "ci_upper"]
FOLLOW_UP_COLUMNS = ["group", "median", "ci_lower", "ci_upper"]
RMST_COLUMNS = ["group", "tau", "rmst", "std_err", "ci_lower", "ci_upper"]
RMST_DIFF_COLUMNS = ["group_a", "group_b", "difference", "std_err", "ci_lower", "ci_upper",
                     "p_value"]


# ======================================================================================
# results


@dataclass(frozen=True, eq=False)
class KaplanMeierResult:
    """Kaplan–Meier curves, as R's ``survfit``.

    ``curve``: one row per distinct time (events and censorings) per group, as R's
    ``summary(fit, censored=TRUE)``; ``medians``: one row per group, as ``print(fit)``
    (NaN = not reached); ``at(times)``: survival at chosen times; ``with_origin()``: the curve
    with a time-0 row per group (for drawing steps).  n_risk / n_event / n_censor are weighted
    counts when weights are given; ``medians.n`` is the number of patients (rows) analysed.
    As in R, ci_lower/ci_upper are NaN where S = 0 ("log", "log-log") and where S = 1
    ("log-log"); std_err is NaN where Greenwood's variance is infinite (S = 0).
    """

    curve: pd.DataFrame
    medians: pd.DataFrame
    n_excluded: int
    n: int
    groups: tuple
    conf_level: float
    conf_type: str
    weighted: bool
    robust_se: bool
    time: str
    event: str
    group: str | None = None

    def with_origin(self) -> pd.DataFrame:
        """The curve with a row at time 0 per group (S = 1, CI 1, n_risk as at the first
        time), unless the group already has a row at time 0: R's ``survfit0``."""
        return _with_origin(self.curve)

    def at(self, times) -> pd.DataFrame:
        """Survival at ``times`` per group, as R's ``summary(fit, times, extend=TRUE)``.

        Columns [group, time, n_risk, n_event, survival, std_err, ci_lower, ci_upper]; times are
        sorted; n_risk counts patients with T >= time (0 past the last follow-up, where S is
        carried forward); n_event counts the events since the previous requested time.
        """
        t = _check_times(times)
        return _summary_at(self.with_origin(), t, self.groups)


@dataclass(frozen=True, eq=False)
class RMSTDifferenceResult:
    """Differences in restricted mean survival time, ``difference = rmst(group_b) -
    rmst(group_a)`` for every pair of groups (group_a earlier in the column's order), with the
    normal-approximation CI and p-value for independent groups."""

    table: pd.DataFrame
    rmst: pd.DataFrame
    tau: float
    conf_level: float
    n_excluded: int


@dataclass(frozen=True, eq=False)
class LandmarkResult:
    """Patients event-free and still followed beyond the landmark time ``at``.

    ``data`` keeps every column of the input (and its index) for the patients with follow-up
    time > ``at``; their time column is measured from the landmark (time - at).
    ``n_excluded`` = sum of ``exclusions`` (reason -> number of rows).
    """

    data: pd.DataFrame
    at: float
    n: int
    n_excluded: int
    exclusions: dict = field(default_factory=dict)
    time: str = ""
    event: str = ""


# ======================================================================================
# validate


def _weights_series(data: pd.DataFrame, weights) -> tuple[pd.Series | None, str | None]:
    """Weights given as a column name, a Series aligned on data's index, or an array."""
    if weights is None:
        return None, None
    if isinstance(weights, str):
        require_columns(data, [weights])
        return data[weights], weights
    if isinstance(weights, pd.Series):
        if not weights.index.equals(data.index):
            if weights.index.has_duplicates or data.index.has_duplicates:
                raise InputError(
                    "The weights do not line up with the data's rows (different row labels)."
                )
            weights = weights.reindex(data.index)
        return weights.rename("weights"), None
    arr = np.asarray(weights)
    if arr.ndim != 1 or arr.shape[0] != len(data):
        raise InputError(
            f"The weights must be a column name or one number per row ({len(data)} rows); "
            f"got {arr.shape[0] if arr.ndim == 1 else arr.shape} values."
        )
    return pd.Series(arr, index=data.index, name="weights"), None


def _prepare(data, time, event, group=None, weights=None):
    """Validate; return (time, status, weights or None, codes, labels, n_excluded)."""
    data = require_frame(data)
    cols = require_columns(data, [time, event, group])
    w_series, w_col = _weights_series(data, weights)
    frame = data[cols]
    used = list(cols)
    if w_series is not None:
        frame = frame.assign(**{_WCOL: w_series.to_numpy()})
        used.append(_WCOL)
    frame, n_excluded = complete_cases(frame, used)
    if len(frame) == 0:
        raise InsufficientDataError(
            "No patient has complete data in the columns used "
            f"({', '.join(map(repr, cols + ([w_col or 'weights'] if w_series is not None else [])))}); "
            f"{n_excluded} rows have missing values."
        )
    t = as_time(frame[time])
    d = as_event(frame[event])
    w = None
    if w_series is not None:
        w = as_weights(frame[_WCOL].rename(w_col or "weights"))
    if group is None:
        codes = np.zeros(len(frame), dtype=np.intp)
        labels = ["all"]
    else:
        codes, labels = group_codes(frame[group])
    return t, d, w, codes, labels, n_excluded


def _check_times(times) -> np.ndarray:
    try:
        t = np.atleast_1d(np.asarray(times, dtype=float)).ravel()
    except (TypeError, ValueError):
        raise InputError(f"The times must be numbers; got {times!r}.")
    if t.size == 0:
        raise InputError("Give at least one time at which to report survival.")
    if not np.all(np.isfinite(t)):
        raise InputError("The times at which to report survival must be finite numbers.")
    return np.sort(t)


def _check_tau(tau) -> float:
    tau = as_number(tau, f"tau (the time horizon of the restricted mean) must be a number; got {tau!r}.")
    if not np.isfinite(tau) or tau <= 0:
        raise InputError(f"tau (the time horizon of the restricted mean) must be a positive "
                         f"number; got {tau!r}.")
    return tau


# ======================================================================================
# compute


def _z(conf_level: float) -> float:
    return float(ndtri(1 - (1 - conf_level) / 2))  # = stats.norm.ppf, without importing scipy.stats


def _confint(surv, se, logse: bool, conf_type: str, conf_level: float):
    """R's ``survfit_confint`` (selow missing, ulimit TRUE)."""
    z = _z(conf_level)
    p = surv
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if not logse:
            se = np.where(se == 0, 0.0, se / p)
        if conf_type == "plain":
            se2 = se * p * z
            lower = np.maximum(p - se2, 0.0)
            upper = np.minimum(p + se2, 1.0)
        elif conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            se2 = z * se
            lower = np.exp(np.log(xx) - se2)
            upper = np.minimum(np.exp(np.log(xx) + se2), 1.0)
        else:  # log-log
            xx = np.where((p == 0) | (p == 1), np.nan, p)
            se2 = z * se / np.log(xx)
            lower = np.exp(-np.exp(np.log(-np.log(xx)) - se2))
            upper = np.exp(-np.exp(np.log(-np.log(xx)) + se2))
    # R's pmax/pmin propagate NaN; numpy's maximum/minimum do too.
    return lower, upper


def _revcumsum(x: np.ndarray) -> np.ndarray:
    return np.cumsum(x[::-1])[::-1]


def _km_fit(t, d, w, codes, k, robust: bool):
    """Per distinct (group, time): counts, S and SE.  Returns a dict of arrays over the rows of
    the curve (sorted by group code, then time), and the per-group record counts."""
    # sort by time, then (stable) by group; aeqSurv on the sorted times
    order = np.argsort(t, kind="stable")  # order within equal times is irrelevant (counts are summed)
    ts = aeq_sorted(t[order])
    if k > 1:
        small = codes.astype(np.int16) if k < 32000 else codes
        by_group = np.argsort(small[order], kind="stable")  # radix sort for small ints
        order = order[by_group]
        ts = ts[by_group]
    cs = codes[order]
    ds = d[order].astype(float)
    ws = np.ones(ts.size) if w is None else w[order]
    new = np.empty(ts.size, dtype=bool)
    new[0] = True
    new[1:] = (ts[1:] != ts[:-1]) | (cs[1:] != cs[:-1])
    idx = np.cumsum(new) - 1
    m = int(idx[-1]) + 1
    utime = ts[new]
    ugroup = cs[new]
    wd = np.bincount(idx, ws * ds, minlength=m)
    wc = np.bincount(idx, ws * (1.0 - ds), minlength=m)
    if robust:
        w2d = np.bincount(idx, ws * ws * ds, minlength=m)
        w2c = np.bincount(idx, ws * ws * (1.0 - ds), minlength=m)
    n_risk = np.empty(m)
    surv = np.empty(m)
    se = np.empty(m)  # SE of log S (Greenwood) or of S (robust)
    bounds = np.searchsorted(ugroup, np.arange(k + 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        for g in range(k):
            s, e = bounds[g], bounds[g + 1]
            if s == e:
                continue
            N = _revcumsum(wd[s:e] + wc[s:e])
            D = wd[s:e]
            ev = D > 0
            S = np.cumprod(np.where(ev, (N - D) / N, 1.0))
            gw = np.where(ev, D / (N * (N - D)), 0.0)  # Greenwood increments (inf if D == N)
            C = np.cumsum(gw)
            n_risk[s:e] = N
            surv[s:e] = S
            if not robust:
                se[s:e] = np.sqrt(C)
            else:
                W2 = w2d[s:e] + w2c[s:e]
                after = np.concatenate((_revcumsum(W2)[1:], [0.0]))  # sum w^2 with T > t_i
                Cprev = np.concatenate(([0.0], C[:-1]))
                done = np.cumsum(w2c[s:e] * C ** 2
                                 + np.where(w2d[s:e] > 0, w2d[s:e] * (Cprev - 1.0 / N) ** 2, 0.0))
                v = S ** 2 * (C ** 2 * after + done)
                v = np.where(S == 0, 0.0, v)
                se[s:e] = np.sqrt(v)
    records = np.bincount(codes, minlength=k)
    return dict(group=ugroup, time=utime, n_risk=n_risk, n_event=wd, n_censor=wc, surv=surv,
                se=se, records=records)


def _minmin(y: np.ndarray, x: np.ndarray) -> float:
    """R's survmean median rule (first time y < 0.5 + tol; midpoint on a flat 0.5 step)."""
    keep = ~np.isnan(y) & (y < 0.5 + _TOL)
    if not keep.any():
        return np.nan
    x = x[keep]
    y = y[keep]
    if abs(y[0] - 0.5) < _TOL:
        lower = y < y[0]
        if lower.any():
            return float((x[0] + x[np.argmax(lower)]) / 2)
    return float(x[0])


def _with_origin(curve: pd.DataFrame) -> pd.DataFrame:
    """R's survfit0 (start.time 0): prepend a time-0 row to each group lacking one."""
    if len(curve) == 0:
        return curve
    g = curve["group"].to_numpy()
    first = np.ones(len(curve), dtype=bool)
    first[1:] = g[1:] != g[:-1]
    need = first & (curve["time"].to_numpy() != 0)
    if not need.any():
        return curve.reset_index(drop=True)
    origin = curve.loc[need].copy()
    origin["time"] = 0.0
    origin["n_event"] = 0.0
    origin["n_censor"] = 0.0
    origin["survival"] = 1.0
    origin["std_err"] = 0.0
    origin["ci_lower"] = 1.0
    origin["ci_upper"] = 1.0
    # stable sort keeps the origin row (placed first) before the group's first row
    pos = np.flatnonzero(need)
    both = pd.concat([origin, curve], ignore_index=True)
    key = np.concatenate((pos - 0.5, np.arange(len(curve), dtype=float)))
    return both.iloc[np.argsort(key, kind="stable")].reset_index(drop=True)


def _summary_at(curve0: pd.DataFrame, times: np.ndarray, groups) -> pd.DataFrame:
    """R's summary.survfit(times=, extend=TRUE) on a survfit0-style curve."""
    parts = []
    gcol = curve0["group"].to_numpy()
    for label in groups:
        sub = curve0.loc[gcol == label]
        if len(sub) == 0:
            continue
        T = sub["time"].to_numpy()
        i1 = np.searchsorted(T, times, side="right")  # findInterval
        i2 = np.searchsorted(T, times, side="left")  # first T >= time (0-based)
        row = np.maximum(i1, 1) - 1
        n_risk = np.concatenate((sub["n_risk"].to_numpy(), [0.0]))[i2]
        cum = np.concatenate(([0.0], np.cumsum(sub["n_event"].to_numpy())))[i1]
        n_event = np.diff(np.concatenate(([0.0], cum)))
        parts.append(pd.DataFrame({
            "group": label,
            "time": times,
            "n_risk": n_risk,
            "n_event": n_event,
            "survival": sub["survival"].to_numpy()[row],
            "std_err": sub["std_err"].to_numpy()[row],
            "ci_lower": sub["ci_lower"].to_numpy()[row],
            "ci_upper": sub["ci_upper"].to_numpy()[row],
        }))
    if not parts:
        return pd.DataFrame({c: [] for c in AT_COLUMNS})
    return pd.concat(parts, ignore_index=True)[AT_COLUMNS]


def _medians(curve0: pd.DataFrame, groups, records) -> pd.DataFrame:
    gcol = curve0["group"].to_numpy()
    rows = []
    for i, label in enumerate(groups):
        sub = curve0.loc[gcol == label]
        if len(sub) == 0:
            continue
        x = sub["time"].to_numpy()
        rows.append({
            "group": label,
            "n": int(records[i]),
            "events": float(sub["n_event"].sum()),
            "median": _minmin(sub["survival"].to_numpy(), x),
            "ci_lower": _minmin(sub["ci_lower"].to_numpy(), x),
            "ci_upper": _minmin(sub["ci_upper"].to_numpy(), x),
        })
    return pd.DataFrame(rows, columns=MEDIAN_COLUMNS)


def _rmst_one(time, surv, n_risk, n_event, tau):
    """R's survmean (rmean = tau) on a survfit0-style curve of one group: (mean, se)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        hh = np.where(n_risk - n_event == 0, 0.0, n_event / (n_risk * (n_risk - n_event)))
    keep = time <= tau
    if not keep.any():
        temptime = np.array([tau])
        tempsurv = np.array([1.0])
        hh = np.array([0.0])
    else:
        temptime = np.concatenate((time[keep], [tau]))
        tempsurv = np.concatenate((surv[keep], [surv[keep][-1]]))
        hh = np.concatenate((hh[keep], [0.0]))
    delta = np.diff(np.concatenate(([0.0], temptime)))
    rect = delta * np.concatenate(([1.0], tempsurv[:-1]))
    var = np.sum(np.cumsum(rect[1:][::-1]) ** 2 * hh[::-1][1:])
    return float(np.sum(rect)), float(np.sqrt(var))


# ======================================================================================
# public


def _fit(t, d, w, codes, labels, n_excluded, conf_level, conf_type, names):
    k = len(labels)
    robust = w is not None and bool(np.any(w != np.floor(w)))
    fit = _km_fit(t, d, w, codes, k, robust)
    logse = not robust
    lower, upper = _confint(fit["surv"], fit["se"], logse, conf_type, conf_level)
    with np.errstate(invalid="ignore"):
        std_err = fit["se"] * fit["surv"] if logse else fit["se"]
    label_arr = np.asarray(labels, dtype=object)
    curve = pd.DataFrame({
        "group": pd.array(label_arr[fit["group"]], dtype="str") if len(label_arr) else [],
        "time": fit["time"],
        "n_risk": fit["n_risk"],
        "n_event": fit["n_event"],
        "n_censor": fit["n_censor"],
        "survival": fit["surv"],
        "std_err": std_err,
        "ci_lower": lower,
        "ci_upper": upper,
    })[CURVE_COLUMNS]
    medians = _medians(_with_origin(curve), labels, fit["records"])
    return KaplanMeierResult(
        curve=curve,
        medians=medians,
        n_excluded=int(n_excluded),
        n=int(t.size),
        groups=tuple(labels),
        conf_level=conf_level,
        conf_type=conf_type,
        weighted=w is not None,
        robust_se=robust,
        time=names[0],
        event=names[1],
        group=names[2],
    )


def kaplan_meier(data, time, event, group=None, *, weights=None, conf_level=0.95,
                 conf_type="log") -> KaplanMeierResult:
    """Kaplan–Meier survival curves by group, as R's ``survfit(Surv(time, event) ~ group)``.

    Parameters
    ----------
    data : DataFrame (not modified).
    time, event : column names; event 1/True = event, 0/False = censored.
    group : optional column name; one curve per value (labels ``str(value)``, column order),
        else one curve labelled "all".
    weights : optional case weights (a column name, or a Series aligned on ``data``'s index
        such as ``ns.iptw(...).weights``, or an array with one value per row).  Counts become
        weighted; with non-integer weights the SE is R's robust (infinitesimal-jackknife) SE,
        as ``survfit(..., weights = w)`` reports by default; integer weights act as
        frequency weights (Greenwood SE).
    conf_level : 0.95 by default.
    conf_type : "log" (R's default), "log-log" or "plain" pointwise intervals.

    Rows with a missing value in the columns used are left out and counted in ``n_excluded``.
    """
    check_choice(conf_type, "conf_type", CONF_TYPES)
    conf_level = check_conf_level(conf_level)
    t, d, w, codes, labels, n_excluded = _prepare(data, time, event, group, weights)
    return _fit(t, d, w, codes, labels, n_excluded, conf_level, conf_type, (time, event, group))


def median_follow_up(data, time, event, group=None, *, conf_level=0.95) -> pd.DataFrame:
    """Median follow-up by the reverse Kaplan–Meier method (censoring treated as the event).

    R: ``survfit(Surv(time, 1 - status) ~ group, conf.int = conf_level)``, median and log CI as
    ``print(fit)``.
    Returns DataFrame [group, median, ci_lower, ci_upper]; ``.attrs["n_excluded"]`` holds the
    number of rows left out for missing values.
    """
    conf_level = check_conf_level(conf_level)
    t, d, w, codes, labels, n_excluded = _prepare(data, time, event, group)
    fit = _fit(t, 1 - d, None, codes, labels, n_excluded, conf_level, "log", (time, event, group))
    out = fit.medians[FOLLOW_UP_COLUMNS].reset_index(drop=True)
    out.attrs["n_excluded"] = int(n_excluded)
    return out


def _rmst_table(fit: KaplanMeierResult, tau: float, conf_level: float) -> pd.DataFrame:
    curve0 = fit.with_origin()
    gcol = curve0["group"].to_numpy()
    z = _z(conf_level)
    rows = []
    for label in fit.groups:
        sub = curve0.loc[gcol == label]
        if len(sub) == 0:
            continue
        mean, se = _rmst_one(sub["time"].to_numpy(), sub["survival"].to_numpy(),
                             sub["n_risk"].to_numpy(), sub["n_event"].to_numpy(), tau)
        rows.append({"group": label, "tau": tau, "rmst": mean, "std_err": se,
                     "ci_lower": mean - z * se, "ci_upper": mean + z * se})
    return pd.DataFrame(rows, columns=RMST_COLUMNS)


def restricted_mean(data, time, event, group=None, *, tau, conf_level=0.95) -> pd.DataFrame:
    """Restricted mean survival time up to ``tau`` (area under the KM curve on [0, tau]).

    Equal to R's ``print(survfit(...), rmean = tau)`` ("rmean", "se(rmean)"); past a group's
    last time its last survival value is carried forward.  CI = rmst ± z·se.
    Returns DataFrame [group, tau, rmst, std_err, ci_lower, ci_upper];
    ``.attrs["n_excluded"]`` holds the rows left out for missing values.
    """
    tau = _check_tau(tau)
    conf_level = check_conf_level(conf_level)
    t, d, w, codes, labels, n_excluded = _prepare(data, time, event, group)
    fit = _fit(t, d, None, codes, labels, n_excluded, conf_level, "log", (time, event, group))
    out = _rmst_table(fit, tau, conf_level)
    out.attrs["n_excluded"] = int(n_excluded)
    return out


def rmst_difference(data, time, event, group, *, tau, conf_level=0.95) -> RMSTDifferenceResult:
    """Difference in restricted mean survival time up to ``tau`` between groups.

    For each pair (group_a before group_b in the column's order): difference = rmst_b -
    rmst_a, SE = sqrt(se_a^2 + se_b^2) (independent groups), CI = difference ± z·SE and the
    two-sided normal p-value.  ``.table`` [group_a, group_b, difference, std_err, ci_lower,
    ci_upper, p_value]; ``.rmst`` the per-group table of :func:`restricted_mean`.
    """
    if group is None:
        raise InputError("A difference in restricted mean survival needs a grouping column.")
    tau = _check_tau(tau)
    conf_level = check_conf_level(conf_level)
    t, d, w, codes, labels, n_excluded = _prepare(data, time, event, group)
    if len(labels) < 2:
        raise InsufficientDataError(
            f"'{group}' has only one group ({labels[0]!r}) among the patients analysed: "
            "there is nothing to compare."
        )
    fit = _fit(t, d, None, codes, labels, n_excluded, conf_level, "log", (time, event, group))
    per = _rmst_table(fit, tau, conf_level)
    z = _z(conf_level)
    rows = []
    for i in range(len(per)):
        for j in range(i + 1, len(per)):
            a, b = per.iloc[i], per.iloc[j]
            diff = float(b["rmst"] - a["rmst"])
            se = float(np.hypot(a["std_err"], b["std_err"]))
            p = float(2 * ndtr(-abs(diff) / se)) if se > 0 else np.nan  # = 2 * stats.norm.sf(|z|)
            rows.append({"group_a": a["group"], "group_b": b["group"], "difference": diff,
                         "std_err": se, "ci_lower": diff - z * se, "ci_upper": diff + z * se,
                         "p_value": p})
    table = pd.DataFrame(rows, columns=RMST_DIFF_COLUMNS)
    return RMSTDifferenceResult(table=table, rmst=per, tau=tau, conf_level=conf_level,
                                n_excluded=int(n_excluded))


def landmark(data, time, event, *, at) -> LandmarkResult:
    """Landmark data set: patients event-free and still followed after time ``at``.

    Keeps the rows with time > at (as dynpred's ``cutLM``), every column, the index; their
    time column becomes time - at.  Rows left out, by reason: missing time or event, event at
    or before the landmark, censored (follow-up ended) at or before the landmark.
    """
    data = require_frame(data)
    require_columns(data, [time, event])
    at = as_number(at, f"The landmark time must be a number; got {at!r}.")
    if not np.isfinite(at) or at < 0:
        raise InputError(f"The landmark time must be zero or positive; got {at!r}.")
    complete, n_missing = complete_cases(data, [time, event])
    t = as_time(complete[time])
    d = as_event(complete[event])
    keep = t > at
    n_event_before = int(np.sum(~keep & (d == 1)))
    n_cens_before = int(np.sum(~keep & (d == 0)))
    out = complete.loc[keep].copy()
    out[time] = t[keep] - at
    exclusions = {
        "missing time or event": int(n_missing),
        "event at or before the landmark": n_event_before,
        "censored at or before the landmark": n_cens_before,
    }
    return LandmarkResult(data=out, at=at, n=int(keep.sum()),
                          n_excluded=int(sum(exclusions.values())), exclusions=exclusions,
                          time=time, event=event)
