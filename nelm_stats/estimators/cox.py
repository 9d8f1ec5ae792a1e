"""Cox proportional-hazards regression, as R's ``survival::coxph`` (Efron ties).

Layout (like R's coxph / coxph.fit / print.coxph):

* :func:`cox_regression` validates the data, builds the design matrix (one column per
  numeric covariate, one 0/1 column per non-reference level of a categorical one) and
  hands plain arrays to the workers;
* the workers (``_CoxArrays``, ``_efron``, ``_newton``, ``_score_residuals``,
  ``_concordance``) work on arrays sorted by stratum and time, with cumulative sums over
  the risk sets and the Efron tie correction applied to all tied deaths at once — no
  Python loop over patients;
* the result is a frozen :class:`CoxResult`; nelm_stats.report.views.format_cox_table and
  :func:`risk_factor_table` make the display views.

Choices (documented, matching R where R has a default):

* Ties: Efron, after R's ``aeqSurv`` (timefix): times closer than sqrt(machine eps) are
  tied (times computed from dates can differ in the last digits).  Newton-Raphson from beta = 0 with step halving; converged when the
  relative change of the log partial likelihood is <= 1e-9, at most 20 iterations
  (``coxph.control`` defaults).
* Categorical covariates (pandas Categorical, text, bool): the first category of a
  Categorical is the reference, otherwise the first value in sorted order.  **bool
  columns are categorical with reference False** (level "True"), which is how R names
  a logical covariate (``xTRUE``); a 0/1 numeric column stays numeric.  ``reference=``
  picks another reference level; :func:`set_reference` does the same on the data.
* ``trend=[column]`` codes an ordered column (e.g. grade G1 < G2 < G3) as scores 1..k
  (one coefficient: hazard ratio per step), as R's ``as.numeric(grade)``;
  :func:`ordered_scores` returns those scores.
* ``units={"age": 10}`` reports a numeric covariate's hazard ratio per 10 units (the
  column is divided by 10 before fitting, as ``I(age/10)`` in R).
* Variance: the inverse information, or with ``robust=True``, ``cluster`` or
  ``weights`` the robust sandwich variance of R's ``coxph(..., robust=TRUE)``: weighted
  dfbeta residuals (score residuals with Efron ties) summed within clusters.  With
  weights the robust variance is always used (R needs robust=TRUE for integer weights).
* Firth-penalised Cox regression is not offered: R's ``coxphf`` is not available here
  to check it against.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from ._lazy import stats

from .._checks import (
    as_event,
    as_numeric,
    as_time,
    as_weights,
    complete_cases,
    group_order,
    require_columns,
    require_frame,
    check_conf_level,
)
from ..errors import ConvergenceError, InputError, InsufficientDataError, InvalidValueError
from ._linalg import quadratic_form
from ._times import aeq_times
from ..schema import COLUMNS_BY_NAME
from ..schema import label as label_of

__all__ = [
    "EPS", "ITER_MAX", "TOLER_CHOL", "TOLER_INF", "MIN_EVENTS_PER_COEF", "TABLE_COLUMNS", "CoxTerm",
    "CoxResult", "set_reference", "ordered_scores", "is_categorical", "cox_regression",
    "proportional_hazards_test", "schoenfeld_residuals", "SCREEN_COLUMNS", "SCREEN_TEST_COLUMNS",
    "UnivariableScreen", "univariable_screen", "COMBINED_COLUMNS", "RiskFactorTable", "risk_factor_table",
    "schoenfeld_trend",
]

EPS = 1e-9  # coxph.control(eps)
ITER_MAX = 20  # coxph.control(iter.max)
TOLER_CHOL = np.finfo(float).eps ** 0.75  # coxph.control(toler.chol)
TOLER_INF = math.sqrt(EPS)  # coxph.control(toler.inf)
MIN_EVENTS_PER_COEF = 10

TABLE_COLUMNS = [
    "term", "level", "reference", "hazard_ratio", "ci_lower", "ci_upper", "p_value", "coef",
    "std_err",
]


# --------------------------------------------------------------------------------------
# Result objects
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CoxTerm:
    """One covariate of the model and the design-matrix columns it owns."""

    name: str
    kind: str  # "numeric" | "categorical" | "trend"
    columns: tuple[int, ...]
    levels: tuple[str, ...] = ()  # non-reference levels (categorical)
    reference: str = ""
    unit: float = 1.0  # numeric: hazard ratio per `unit` of the column
    scores: tuple[str, ...] = ()  # trend: the ordered categories scored 1..k


@dataclass(frozen=True)
class _CoxFitData:
    """Arrays of a fitted model that residuals and the PH test need (sorted order)."""

    x: np.ndarray  # (n, p) design matrix, rows in the sorted order, not centred
    time: np.ndarray
    status: np.ndarray
    weights: np.ndarray
    strata: np.ndarray  # integer codes
    eta: np.ndarray  # linear predictor x @ coef (uncentred)
    order: np.ndarray  # positions in the analysed rows of each sorted row
    info: np.ndarray  # information matrix at the estimate


@dataclass(frozen=True)
class CoxResult:
    """A fitted Cox model (see module docstring for the conventions)."""

    table: pd.DataFrame
    n: int
    events: int
    n_excluded: int
    lr_statistic: float
    lr_p_value: float
    wald_statistic: float
    wald_p_value: float
    score_statistic: float
    score_p_value: float
    robust_score_statistic: float  # R's "Robust" score test; NaN without robust variance
    robust_score_p_value: float
    df: int
    loglik_null: float
    loglik: float
    iterations: int
    converged: bool
    robust: bool
    coef: np.ndarray
    var: np.ndarray  # variance used for std_err (robust when robust)
    naive_var: np.ndarray
    terms: tuple[CoxTerm, ...]
    time: str
    event: str
    covariates: tuple[str, ...]
    strata: tuple[str, ...] = ()
    cluster: str | None = None
    weights: str | None = None
    n_clusters: int = 0
    warnings: tuple[str, ...] = ()
    _fit: _CoxFitData | None = field(default=None, repr=False, compare=False)

    @property
    def aic(self) -> float:
        return -2 * self.loglik + 2 * self.df

    @cached_property
    def concordance(self) -> float:
        """Harrell's C (R's ``fit$concordance["concordance"]``), computed when first asked for:
        most fits (a univariable screen, the matched and weighted comparisons) never show it."""
        f = self._fit
        if f is None:
            return float("nan")
        return _concordance(f.time, f.status.astype(int), f.eta, f.weights, f.strata, presorted=True)


# --------------------------------------------------------------------------------------
# Data helpers for the page and for notebooks
# --------------------------------------------------------------------------------------
def set_reference(data: pd.DataFrame, column: str, level) -> pd.DataFrame:
    """A copy of ``data`` whose ``column`` is a Categorical with ``level`` first (the reference)."""
    require_frame(data)
    require_columns(data, [column])
    s = data[column]
    levels = group_order(s)
    match = [v for v in levels if v == level or str(v) == str(level)]
    if not match:
        raise InputError(
            f"'{level}' is not a value of '{column}' (values: {', '.join(map(str, levels))})."
        )
    cats = s.cat.categories.tolist() if isinstance(s.dtype, pd.CategoricalDtype) else levels
    cats = [match[0]] + [c for c in cats if c != match[0]]
    out = data.copy()
    out[column] = pd.Categorical(s, categories=cats)
    return out


def ordered_scores(series: pd.Series) -> pd.Series:
    """Scores 1..k of an ordered column (as R's ``as.numeric(factor)``), NaN where missing.

    A Categorical is scored in the order of all its categories; other columns in sorted
    order of their values.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        cats = list(series.cat.categories)
    else:
        cats = group_order(series)
    lookup = {c: i + 1.0 for i, c in enumerate(cats)}
    return series.map(lookup).astype(float).rename(series.name)


def is_categorical(s: pd.Series) -> bool:
    """Whether cox_regression treats a column as categorical (Categorical, text or bool)."""
    return _is_categorical(s)


def _is_categorical(s: pd.Series) -> bool:
    return (
        isinstance(s.dtype, pd.CategoricalDtype)
        or pd.api.types.is_bool_dtype(s)
        or pd.api.types.is_string_dtype(s)
        or s.dtype == object
    )


# --------------------------------------------------------------------------------------
# Design matrix
# --------------------------------------------------------------------------------------
def _design(
    data: pd.DataFrame,
    covariates: Sequence[str],
    reference: Mapping[str, object],
    units: Mapping[str, float],
    trend: Sequence[str],
) -> tuple[np.ndarray, tuple[CoxTerm, ...], list[str]]:
    cols: list[np.ndarray] = []
    terms: list[CoxTerm] = []
    names: list[str] = []
    for cov in covariates:
        s = data[cov]
        if cov in trend:
            sc = ordered_scores(s)
            order = (
                list(s.cat.categories) if isinstance(s.dtype, pd.CategoricalDtype) else group_order(s)
            )
            terms.append(CoxTerm(cov, "trend", (len(cols),), scores=tuple(map(str, order))))
            cols.append(sc.to_numpy(dtype=float))
            names.append(cov)
        elif _is_categorical(s):
            levels = group_order(s)
            if cov in reference:
                ref = reference[cov]
                match = [v for v in levels if v == ref or str(v) == str(ref)]
                if not match:
                    raise InputError(
                        f"The reference level '{ref}' does not occur in '{cov}' among the patients "
                        f"analysed (levels: {', '.join(map(str, levels))})."
                    )
                levels = [match[0]] + [v for v in levels if v != match[0]]
            if len(levels) < 2:
                only = levels[0] if levels else "(none)"
                raise InsufficientDataError(
                    f"'{cov}' has the same value ('{only}') for every patient analysed, so its "
                    "effect cannot be estimated. Leave it out of the model."
                )
            idx = []
            for lev in levels[1:]:
                idx.append(len(cols))
                cols.append((s == lev).to_numpy(dtype=float))
                names.append(f"{cov}: {lev}")
            terms.append(
                CoxTerm(cov, "categorical", tuple(idx), tuple(str(v) for v in levels[1:]),
                        str(levels[0]))
            )
        else:
            unit = float(units.get(cov, 1.0))
            if not np.isfinite(unit) or unit <= 0:
                raise InputError(f"The unit for '{cov}' must be a positive number; got {unit!r}.")
            v = as_numeric(s, "covariate") / unit
            terms.append(CoxTerm(cov, "numeric", (len(cols),), unit=unit))
            cols.append(v)
            names.append(cov)
    x = np.column_stack(cols) if cols else np.empty((len(data), 0))
    return x, tuple(terms), names


# --------------------------------------------------------------------------------------
# Sorted arrays and the Efron partial likelihood
# --------------------------------------------------------------------------------------
# Products over all patients avoid BLAS: OpenBLAS threads tall-skinny products, which on a
# busy machine is several times slower than numpy's own single-threaded loops.
def _rowdot(x: np.ndarray, b: np.ndarray) -> np.ndarray:
    """x @ b for a tall x (n x p)."""
    return np.einsum("ij,j->i", x, b)


def _colsum(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """w @ x for a tall x (n x p)."""
    return np.einsum("i,ij->j", w, x)


def _xtqx(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """x' diag(q) x for a tall x (n x p)."""
    return np.einsum("ij,ik->jk", x * q[:, None], x)


class _CoxArrays:
    """Rows sorted by stratum, time (ascending) and deaths first within tied times.

    Tie groups are the distinct (stratum, time) pairs; every death is one Efron
    "sub-step" k = 0..d-1 of its tie group (weight k/d of the tied deaths removed from
    the risk set).
    """

    def __init__(self, time, status, weights, strata):
        n = len(time)
        self.order = np.lexsort((-status, time, strata))
        o = self.order
        self.time = time[o]
        self.status = status[o].astype(float)
        self.w = weights[o]
        self.strata = strata[o]
        ts, ss = self.time, self.strata
        newg = np.r_[True, (ts[1:] != ts[:-1]) | (ss[1:] != ss[:-1])]
        self.gid = np.cumsum(newg) - 1
        self.gstart = np.flatnonzero(newg)
        self.G = len(self.gstart)
        news = np.r_[True, ss[1:] != ss[:-1]]
        sstart = np.flatnonzero(news)
        send = np.r_[sstart[1:], n]
        self.row_send = send[np.cumsum(news) - 1]  # end (exclusive) of each row's stratum
        # first group of each group's stratum, and the group ending it (exclusive)
        gnews = news[self.gstart]
        gsf = np.flatnonzero(gnews)
        self.g_sfirst = gsf[np.cumsum(gnews) - 1]
        self.g_send = np.r_[gsf[1:], self.G][np.cumsum(gnews) - 1]
        # deaths = Efron sub-steps
        self.didx = np.flatnonzero(self.status == 1)
        self.dg = self.gid[self.didx]
        dcount = np.bincount(self.gid, weights=self.status, minlength=self.G)
        self.dcount = dcount
        self.d_sub = dcount[self.dg]
        self.f = (self.didx - self.gstart[self.dg]) / self.d_sub
        wdeath = np.bincount(self.gid, weights=self.w * self.status, minlength=self.G)
        self.mw = wdeath[self.dg] / self.d_sub  # mean weight of the tied deaths
        newdg = np.r_[True, self.dg[1:] != self.dg[:-1]] if len(self.dg) else np.array([], bool)
        self.dstart = np.flatnonzero(newdg)  # start of each death group among deaths
        self.dgi = np.cumsum(newdg) - 1  # death-group index of each sub-step
        self.dgroups = self.dg[self.dstart]  # tie group of each death group
        self.sub_gs = self.gstart[self.dg]
        self.sub_ge = self.row_send[self.sub_gs]

    def group_risk_sums(self, v: np.ndarray) -> np.ndarray:
        """Per tie group: sum of v over rows of its stratum with time >= the group's time."""
        g = np.add.reduceat(v, self.gstart, axis=0)
        rc = np.cumsum(g[::-1], axis=0)[::-1]
        rc = np.concatenate([rc, np.zeros((1,) + v.shape[1:])], axis=0)
        return rc[:-1] - rc[self.g_send]

    def cumsum_groups(self, v: np.ndarray) -> np.ndarray:
        """Per tie group: sum of v over groups of the same stratum up to and including it."""
        c = np.cumsum(v, axis=0)
        prev = np.concatenate([np.zeros((1,) + v.shape[1:]), c], axis=0)[self.g_sfirst]
        return c - prev

    def to_groups(self, v: np.ndarray) -> np.ndarray:
        """Sum a per-sub-step array into the G tie groups."""
        if v.ndim == 1:
            return np.bincount(self.dg, weights=v, minlength=self.G)
        out = np.zeros((self.G, v.shape[1]))
        if len(v):
            out[self.dg[self.dstart]] = np.add.reduceat(v, self.dstart, axis=0)
        return out


@dataclass
class _Pieces:
    """Efron quantities at one beta: per sub-step (1-D) and per death group (Gd x p)."""

    eta: np.ndarray
    r: np.ndarray  # exp(eta)
    den: np.ndarray  # per sub-step: S0 - f D0
    haz: np.ndarray  # per sub-step: mw / den
    S1: np.ndarray  # per death group: risk-set sum of w r x
    D1: np.ndarray  # per death group: sum of w r x over its deaths
    loglik: float
    u: np.ndarray
    _A: _CoxArrays = field(repr=False)

    @property
    def a(self) -> np.ndarray:
        """Per sub-step S1 - f D1 (ndeath x p)."""
        return self.S1[self._A.dgi] - self._A.f[:, None] * self.D1[self._A.dgi]

    @property
    def xbar(self) -> np.ndarray:
        return self.a / self.den[:, None]


def _pieces(A: _CoxArrays, x: np.ndarray, beta: np.ndarray) -> _Pieces:
    # survival's coxsafe(): the centred linear predictor is kept within [-200, 22]
    eta = np.clip(_rowdot(x, beta), -200.0, 22.0)
    r = np.exp(eta)
    wr = A.w * r
    R0 = A.group_risk_sums(wr)
    R1 = A.group_risk_sums(wr[:, None] * x)
    wrd = wr[A.didx]
    xd = x[A.didx]
    p = x.shape[1]
    if len(A.didx):
        D0 = np.add.reduceat(wrd, A.dstart)
        D1 = np.add.reduceat(wrd[:, None] * xd, A.dstart, axis=0)
    else:
        D0, D1 = np.zeros(0), np.zeros((0, p))
    S1 = R1[A.dgroups]
    den = R0[A.dg] - A.f * D0[A.dgi]
    haz = A.mw / den
    wd = A.w[A.didx]
    loglik = float(np.sum(wd * eta[A.didx]) - np.sum(A.mw * np.log(den)))
    ngd = len(A.dgroups)
    H = np.bincount(A.dgi, weights=haz, minlength=ngd)
    HF = np.bincount(A.dgi, weights=haz * A.f, minlength=ngd)
    u = _colsum(xd, wd) - H @ S1 + HF @ D1
    return _Pieces(eta, r, den, haz, S1, D1, loglik, u, A)


def _information(A: _CoxArrays, x: np.ndarray, P: _Pieces, g: np.ndarray | None = None,
                 power: int = 0) -> np.ndarray:
    """Efron information sum_k mw [ (S2 - f D2)/den - xbar xbar' ] (times g(t)^power).

    The S2 sums are never formed: sum_g c_g S2_g = X' diag(w r C) X with C the cumulative
    c over tie groups at or before each row's time; the xbar xbar' part is expanded per
    death group, xbar = (S1 - f D1) / den.
    """
    gp = np.ones(len(P.haz)) if g is None or power == 0 else g ** power
    c = A.to_groups(P.haz * gp)
    e = A.to_groups(P.haz * A.f * gp)
    C = A.cumsum_groups(c)
    q = A.w * P.r * (C[A.gid] - A.status * e[A.gid])
    info = _xtqx(x, q)
    ngd = len(A.dgroups)
    w2 = A.mw * gp / P.den ** 2
    al = np.bincount(A.dgi, weights=w2, minlength=ngd)
    be = np.bincount(A.dgi, weights=w2 * A.f, minlength=ngd)
    ga = np.bincount(A.dgi, weights=w2 * A.f ** 2, minlength=ngd)
    S1, D1 = P.S1, P.D1
    cross = (S1 * be[:, None]).T @ D1
    info -= (S1 * al[:, None]).T @ S1 - cross - cross.T + (D1 * ga[:, None]).T @ D1
    return info


def _cholesky_singular(m: np.ndarray) -> list[int]:
    """Columns that R's cholesky2 would declare singular (pivot < toler * diagonal)."""
    p = m.shape[0]
    a = m.copy()
    sing = []
    eps = max((abs(a[i, i]) for i in range(p)), default=0.0) * TOLER_CHOL
    for i in range(p):
        piv = a[i, i]
        if not np.isfinite(piv) or piv < eps:
            sing.append(i)
            a[i, :] = 0
            a[:, i] = 0
            continue
        for j in range(i + 1, p):
            temp = a[j, i] / piv
            a[j, j:] -= temp * a[i, j:]
            a[j:, j] = a[j, j:]
    return sing


@dataclass
class _NewtonFit:
    beta: np.ndarray
    loglik0: float
    loglik: float
    u0: np.ndarray
    info0: np.ndarray
    u: np.ndarray
    info: np.ndarray
    iterations: int
    converged: bool
    pieces: _Pieces


def _newton(A: _CoxArrays, x: np.ndarray, names: list[str], terms) -> _NewtonFit:
    """coxfit6's Newton-Raphson with step halving (coxph.control defaults)."""
    p = x.shape[1]
    beta = np.zeros(p)
    P = _pieces(A, x, beta)
    info = _information(A, x, P)
    sing = _cholesky_singular(info)
    if sing:
        raise ConvergenceError(_collinearity_message(info, sing, names))
    loglik0 = P.loglik
    u0, info0 = P.u, info
    best = loglik0
    step = np.linalg.solve(info, P.u)
    newbeta = beta + step
    halving = False
    converged = False
    it = 0
    for it in range(1, ITER_MAX + 1):
        P = _pieces(A, x, newbeta)
        newlk = P.loglik
        if not np.isfinite(newlk):
            newlk = -np.inf
        if newlk != 0 and abs(1 - best / newlk) <= EPS and not halving:
            converged = True
            break
        if newlk == 0 and best == 0 and not halving:
            converged = True
            break
        if it == ITER_MAX:
            break
        if newlk < best:
            halving = True
            newbeta = (newbeta + beta) / 2
        else:
            halving = False
            best = newlk
            info = _information(A, x, P)
            beta = newbeta
            newbeta = newbeta + _solve(info, P.u)
    info = _information(A, x, P)
    return _NewtonFit(newbeta, loglik0, P.loglik, u0, info0, P.u, info, it, converged, P)


def _solve(m, v):
    try:
        return np.linalg.solve(m, v)
    except np.linalg.LinAlgError:
        return np.linalg.lstsq(m, v, rcond=None)[0]


def _collinearity_message(info: np.ndarray, sing: list[int], names: list[str]) -> str:
    parts = []
    keep = [i for i in range(info.shape[0]) if i not in sing]
    for j in sing:
        others = []
        if keep:
            coefs = np.linalg.lstsq(info[np.ix_(keep, keep)], info[keep, j], rcond=None)[0]
            others = [names[k] for k, c in zip(keep, coefs) if abs(c) > 1e-6]
        if others:
            parts.append(f"'{names[j]}' is determined by {', '.join(repr(o) for o in others)}")
        else:
            parts.append(f"'{names[j]}' does not vary among the patients at risk")
    return (
        "Some covariates carry the same information (collinearity), so the model cannot separate "
        f"their effects: {'; '.join(parts)}. Leave one of them out."
    )


# --------------------------------------------------------------------------------------
# Residuals, robust variance, concordance
# --------------------------------------------------------------------------------------
def _score_residuals(A: _CoxArrays, x: np.ndarray, P: _Pieces) -> np.ndarray:
    """Score residuals (unweighted, sorted order) with Efron ties, as survival's coxscore2."""
    d = A.dcount
    H = A.to_groups(P.haz)
    XH = A.to_groups(P.xbar * P.haz[:, None])
    Hd = A.to_groups(P.haz * A.f)
    XHd = A.to_groups(P.xbar * (P.haz * A.f)[:, None])
    with np.errstate(invalid="ignore", divide="ignore"):
        xbm = A.to_groups(P.xbar) / np.where(d > 0, d, 1)[:, None]
    CH = A.cumsum_groups(H)
    CXH = A.cumsum_groups(XH)
    g = A.gid
    r = P.r[:, None]
    st = A.status[:, None]
    return (
        st * (x - xbm[g])
        + st * r * (x * Hd[g][:, None] - XHd[g])
        - r * (x * CH[g][:, None] - CXH[g])
    )


def _collapse(v: np.ndarray, codes: np.ndarray, k: int) -> np.ndarray:
    return np.column_stack([np.bincount(codes, weights=v[:, j], minlength=k) for j in range(v.shape[1])])


def _concordance(time, status, eta, w, strata, presorted: bool = False) -> float:
    """Harrell's C as coxph reports it: (concordant + tied.x / 2) / (concordant + discordant + tied.x).

    Comparable pairs: within a stratum, an event before the other's time (an event tied
    with a censored time counts as earlier); pairs weighted by w_i * w_j.  Counts use a
    (weighted) wavelet matrix over the ranks of the risk score: O(n log n), vectorised.
    ``presorted``: rows already in the Cox order (stratum, time ascending, deaths first),
    which reversed is the order needed here.
    """
    n = len(time)
    if presorted:
        o = np.arange(n - 1, -1, -1)
    else:
        o = np.lexsort((status, -time, strata))  # stratum, time descending, censored first
    t, s, st, ww = time[o], status[o], strata[o], w[o]
    uniq, v = np.unique(eta[o], return_inverse=True)
    m = len(uniq)
    idt = np.int32 if n < 2**31 - 1 else np.int64
    v = v.astype(idt, copy=False)
    L = max(1, int(m).bit_length())
    # stratum start and event-block start (same stratum, time, status) per row
    news = np.r_[True, st[1:] != st[:-1]]
    lo0 = np.flatnonzero(news)[np.cumsum(news) - 1].astype(idt)
    newb = np.r_[True, (st[1:] != st[:-1]) | (t[1:] != t[:-1]) | (s[1:] != s[:-1])]
    bstart = np.flatnonzero(newb)[np.cumsum(newb) - 1].astype(idt)
    ev = np.flatnonzero(s == 1)
    if len(ev) == 0:
        return float("nan")
    unweighted = bool(np.all(ww == 1.0))
    # build the wavelet matrix: per level, prefix counts (and weights) of 0-bits
    C0 = np.zeros((L, n + 1), dtype=idt)
    WZ = None if unweighted else np.zeros((L, n + 1))
    Z = np.zeros(L, dtype=idt)
    cv, cw = v, ww
    for lev in range(L):
        bit = ((cv >> (L - 1 - lev)) & 1).astype(np.uint8)
        zero = bit == 0
        np.cumsum(zero, out=C0[lev, 1:])
        if WZ is not None:
            np.cumsum(cw * zero, out=WZ[lev, 1:])
        Z[lev] = C0[lev, -1]
        idx = np.argsort(bit, kind="stable")  # zeros first, order kept (radix sort)
        cv = cv[idx]
        if WZ is not None:
            cw = cw[idx]

    def less(lo, hi, rr):
        res = np.zeros(len(lo))
        for lev in range(L):
            b = ((rr >> (L - 1 - lev)) & 1) == 1
            c0 = C0[lev]
            c0lo, c0hi = c0[lo], c0[hi]
            if WZ is None:
                res += b * (c0hi - c0lo)
            else:
                res += b * (WZ[lev][hi] - WZ[lev][lo])
            lo = np.where(b, Z[lev] + lo - c0lo, c0lo)
            hi = np.where(b, Z[lev] + hi - c0hi, c0hi)
        return res

    lo, hi = lo0[ev], bstart[ev]
    cumw = np.r_[0.0, np.cumsum(ww)]
    total = cumw[hi] - cumw[lo]
    ve = v[ev]
    below = less(lo, hi, ve)
    if m == n:  # all risk scores distinct: no tied pairs
        tied = np.zeros(len(ev))
    else:  # weight in [lo, hi) with the same risk score: sorted (score, position) keys
        key = v.astype(np.int64) * (n + 1) + np.arange(n)
        ko = np.argsort(key, kind="stable")
        ks = key[ko]
        kw = np.r_[0.0, np.cumsum(ww[ko])]
        base = ve.astype(np.int64) * (n + 1)
        tied = kw[np.searchsorted(ks, base + hi)] - kw[np.searchsorted(ks, base + lo)]
    disc = total - below - tied
    we = ww[ev]
    conc_w, disc_w, tied_w = np.sum(we * below), np.sum(we * disc), np.sum(we * tied)
    denom = conc_w + disc_w + tied_w
    return float((conc_w + tied_w / 2) / denom) if denom > 0 else float("nan")


# --------------------------------------------------------------------------------------
# Public function
# --------------------------------------------------------------------------------------
def _as_list(x) -> list[str]:
    if x is None:
        return []
    if isinstance(x, str):
        return [x]
    return list(x)


def cox_regression(
    data: pd.DataFrame,
    time: str,
    event: str,
    covariates: Sequence[str] | str,
    *,
    strata: Sequence[str] | str | None = None,
    cluster: str | None = None,
    weights: str | None = None,
    robust: bool = False,
    reference: Mapping[str, object] | None = None,
    units: Mapping[str, float] | None = None,
    trend: Sequence[str] | str | None = None,
    conf_level: float = 0.95,
) -> CoxResult:
    """Cox proportional-hazards model, as ``coxph(Surv(time, event) ~ covariates, ties="efron")``.

    strata: column(s) with a separate baseline hazard per value (R's ``strata()``).
    cluster: column whose rows are correlated (e.g. patient_id for lesions, match_id after
    matching): robust variance summed within clusters (R's ``cluster()``).
    weights: case weights (e.g. IPTW); always with the robust variance.
    robust: robust (sandwich) variance without clusters (R's ``robust=TRUE``).
    reference: {column: level} reference levels of categorical covariates.
    units: {column: u} hazard ratio per u units of a numeric covariate.
    trend: ordered columns coded 1..k (one hazard ratio per step) instead of categories.
    conf_level: of the hazard ratios' confidence intervals (R's ``summary(fit, conf.int=)``).
    """
    inp = _validated(data, time, event, covariates, strata, cluster, weights, reference, units, trend, conf_level)
    x, terms, names = _design(inp.sub, inp.covs, inp.reference, inp.units, inp.trend_cols)
    n, events, p = len(inp.t), int(inp.d.sum()), x.shape[1]
    _check_model_size(n, events, p, event)
    _check_levels_with_events(x, inp.d, terms)
    A = _CoxArrays(inp.t, inp.d, inp.w, inp.strata_codes)
    xs, xc, fit, naive_var = _newton_fit(A, x, inp.w, names, terms)
    use_robust = bool(robust or cluster or weights)
    if use_robust:
        var, robust_score = _sandwich(A, xc, fit, naive_var, inp.cluster_codes, inp.n_clusters)
    else:
        var, robust_score = naive_var, float("nan")
    se = np.sqrt(np.diag(var))
    beta = fit.beta
    pval = 2 * stats.norm.sf(np.abs(beta / se))
    table = _coef_table(terms, beta, se, pval, stats.norm.ppf(0.5 + inp.conf_level / 2))
    lr = 2 * (fit.loglik - fit.loglik0)
    wald = float(beta @ _solve(var, beta))
    score = float(fit.u0 @ _solve(fit.info0, fit.u0))
    warnings = _epv_warnings(events, p)
    eta = _rowdot(xs, beta)
    fitdata = _CoxFitData(xs, A.time, A.status, A.w, A.strata, eta, A.order, fit.info)
    return CoxResult(
        table=table, n=n, events=events, n_excluded=inp.n_excluded,
        lr_statistic=float(lr), lr_p_value=float(stats.chi2.sf(lr, p)),
        wald_statistic=wald, wald_p_value=float(stats.chi2.sf(wald, p)),
        score_statistic=score, score_p_value=float(stats.chi2.sf(score, p)),
        robust_score_statistic=robust_score,
        robust_score_p_value=float(stats.chi2.sf(robust_score, p)) if use_robust else float("nan"),
        df=p, loglik_null=fit.loglik0, loglik=fit.loglik, iterations=fit.iterations,
        converged=fit.converged, robust=use_robust, coef=beta, var=var, naive_var=naive_var,
        terms=terms, time=time, event=event, covariates=tuple(inp.covs), strata=tuple(inp.strata_cols),
        cluster=cluster, weights=weights, n_clusters=inp.n_clusters, warnings=tuple(warnings),
        _fit=fitdata,
    )


# --------------------------------------------------------------------------------------
# The named steps of cox_regression: validate -> design -> Newton fit -> (sandwich) variance -> table
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _CoxInput:
    sub: pd.DataFrame  # complete cases
    n_excluded: int
    covs: list
    strata_cols: list
    trend_cols: list
    reference: dict
    units: dict
    t: np.ndarray
    d: np.ndarray
    w: np.ndarray
    strata_codes: np.ndarray
    cluster_codes: np.ndarray | None
    n_clusters: int
    conf_level: float


def _validated(data, time, event, covariates, strata, cluster, weights, reference, units, trend,
               conf_level) -> _CoxInput:
    """Check the arguments and the data, keep the complete cases, read times, events, weights,
    strata and clusters (the front end: every message in the clinician's words)."""
    require_frame(data)
    conf_level = check_conf_level(conf_level)
    covs = _as_list(covariates)
    if not covs:
        raise InputError("Choose at least one covariate for the Cox model.")
    if len(set(covs)) != len(covs):
        raise InputError("A covariate is listed twice; list each covariate once.")
    strata_cols = _as_list(strata)
    trend_cols = _as_list(trend)
    reference = dict(reference or {})
    units = dict(units or {})
    for name, val in (("time", time), ("event", event)):
        if not isinstance(val, str):
            raise InputError(f"The {name} column must be given by its name; got {val!r}.")
    used = require_columns(data, [time, event, *covs, *strata_cols, cluster, weights])
    for c in trend_cols:
        if c not in covs:
            raise InputError(f"'{c}' is coded as a trend but is not one of the covariates.")
    for c in strata_cols:
        if c in covs:
            raise InputError(f"'{c}' cannot be both a covariate and a stratum.")
    sub, n_excluded = complete_cases(data, used)
    if len(sub) == 0:
        raise InsufficientDataError(
            "No patient has all of the needed values (time, event and every covariate); "
            f"{n_excluded} were left out for missing data."
        )
    t = aeq_times(as_time(sub[time]))  # coxph's timefix: near-equal times are tied
    d = as_event(sub[event])
    w = as_weights(sub[weights]) if weights else np.ones(len(sub))
    if weights and np.any(w <= 0):
        i = int(np.flatnonzero(w <= 0)[0])
        raise InvalidValueError(
            f"The weight column '{weights}' must be positive for every patient in a Cox model "
            f"(as in R's coxph); found {w[i]:g} (row {sub.index[i]!r}). Leave patients with zero "
            "weight out of the data."
        )
    if strata_cols:
        key = sub[strata_cols].astype(str).agg("\x1f".join, axis=1) if len(strata_cols) > 1 else sub[strata_cols[0]]
        sc, _ = pd.factorize(key, sort=True)
        sc = np.asarray(sc, dtype=np.int64)
    else:
        sc = np.zeros(len(sub), dtype=np.int64)
    if cluster:
        cl, cl_uniques = pd.factorize(sub[cluster], sort=True)
        n_clusters = len(cl_uniques)
    else:
        cl, n_clusters = None, 0
    return _CoxInput(sub, n_excluded, covs, strata_cols, trend_cols, reference, units, t, d, w, sc, cl,
                     n_clusters, conf_level)


def _check_model_size(n: int, events: int, p: int, event: str) -> None:
    if events == 0:
        raise InsufficientDataError(
            f"None of the {n} patients analysed had an event ({event}); a Cox model needs events."
        )
    if n < p + 2 or events < 2:
        raise InsufficientDataError(
            f"Too few patients for this model: {n} patients with {events} events for {p} "
            "coefficients. Choose fewer covariates or a larger cohort."
        )


def _newton_fit(A: "_CoxArrays", x: np.ndarray, w: np.ndarray, names, terms):
    """Centre the design as coxph, fit by Newton-Raphson, refuse a monotone likelihood.
    Returns (sorted design, centred design, fit, model-based variance)."""
    p = x.shape[1]
    xs = x[A.order]
    # centre as coxph: weighted means, except columns holding only -1/0/1 (nocenter)
    center = _colsum(x, w) / w.sum()
    center[np.all(np.isin(x, (-1.0, 0.0, 1.0)), axis=0)] = 0.0
    xc = xs - center
    fit = _newton(A, xc, names, terms)
    naive_var = np.linalg.inv(fit.info)
    if not fit.converged:
        bad = _infinite(fit, naive_var, fit.beta)
        raise ConvergenceError(_monotone_message(bad or list(range(p)), names, terms, converged=False))
    bad = _infinite(fit, naive_var, fit.beta)
    if bad:
        raise ConvergenceError(_monotone_message(bad, names, terms, converged=True))
    return xs, xc, fit, naive_var


def _sandwich(A: "_CoxArrays", xc: np.ndarray, fit, naive_var: np.ndarray, cluster_codes, n_clusters: int):
    """Robust (sandwich) variance from the Efron score residuals, summed within clusters (each
    patient its own cluster without one), and the robust score test at beta = 0 (as coxph)."""
    n, p = xc.shape
    res = _score_residuals(A, xc, fit.pieces) * A.w[:, None]
    codes = cluster_codes[A.order] if cluster_codes is not None else np.arange(n)
    k = n_clusters if cluster_codes is not None else n
    U = _collapse(np.einsum("ij,jk->ik", res, naive_var), codes, k)
    var = U.T @ U
    P0 = _pieces(A, xc, np.zeros(p))
    R0 = _collapse(_score_residuals(A, xc, P0) * A.w[:, None], codes, k)
    u0 = R0.sum(axis=0)
    return var, float(u0 @ _solve(R0.T @ R0, u0))


def _coef_table(terms, beta: np.ndarray, se: np.ndarray, pval: np.ndarray, zc: float) -> pd.DataFrame:
    """The tidy table: one row per coefficient (a categorical covariate one per non-reference level)."""
    rows = []
    for term in terms:
        for j, col in enumerate(term.columns):
            rows.append(dict(
                term=term.name,
                level=term.levels[j] if term.kind == "categorical" else "",
                reference=term.reference if term.kind == "categorical" else "",
                hazard_ratio=math.exp(beta[col]),
                ci_lower=math.exp(beta[col] - zc * se[col]),
                ci_upper=math.exp(beta[col] + zc * se[col]),
                p_value=float(pval[col]),
                coef=float(beta[col]),
                std_err=float(se[col]),
            ))
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.astype({"term": object, "level": object, "reference": object})


def _epv_warnings(events: int, p: int) -> list[str]:
    epv = events / p
    if epv < MIN_EVENTS_PER_COEF:
        return [f"Only {events} events for {p} estimated coefficients ({epv:.1f} per coefficient; "
                f"at least {MIN_EVENTS_PER_COEF} are recommended). The hazard ratios may be "
                "over-fitted: choose fewer covariates (or merge categories)."]
    return []


def _level_text(level) -> str:
    """A level as a message names it ('small bowel', 'yes'), without the presentation layer."""
    text = str(level)
    return {"True": "yes", "False": "no"}.get(text, text.replace("_", " "))


def _check_levels_with_events(x: np.ndarray, d: np.ndarray, terms) -> None:
    """A category with no events gives an infinite hazard ratio: name it."""
    for term in terms:
        if term.kind != "categorical":
            continue
        dummies = x[:, list(term.columns)] == 1
        masks = [~dummies.any(axis=1)] + [dummies[:, j] for j in range(dummies.shape[1])]
        for lev, m in zip((term.reference, *term.levels), masks):
            if m.any() and d[m].sum() == 0:
                raise ConvergenceError(
                    f"No patient with {label_of(term.name).lower()} '{_level_text(lev)}' had an event ({int(m.sum())} "
                    f"patient{'s' if int(m.sum()) != 1 else ''}), so the hazard ratio for that group is infinitely "
                    f"small and cannot be estimated (monotone likelihood). Merge '{_level_text(lev)}' with a "
                    f"neighbouring group, choose another reference group or leave {label_of(term.name).lower()} out."
                )


def _infinite(fit: _NewtonFit, var: np.ndarray, beta: np.ndarray) -> list[int]:
    """coxph.fit's check: columns whose remaining Newton step is large (coefficient -> +-inf)."""
    step = np.abs(var @ fit.u)
    return [int(i) for i in np.flatnonzero((step > EPS) & (step > TOLER_INF * np.abs(beta)))]


def _monotone_message(bad, names, terms, *, converged: bool) -> str:
    which = ", ".join(f"'{names[i]}'" for i in bad)
    head = (
        "The Cox model did not converge" if not converged
        else "The Cox model's likelihood keeps increasing without limit (monotone likelihood)"
    )
    return (
        f"{head}: the hazard ratio for {which} runs off towards zero or infinity. This happens "
        "when a group has no events, or when every event falls in one group. Merge sparse "
        "categories, or leave this covariate out."
    )


# --------------------------------------------------------------------------------------
# Proportional hazards (cox.zph) and scaled Schoenfeld residuals
# --------------------------------------------------------------------------------------
@dataclass
class _ZphParts:
    u2: np.ndarray
    imat: np.ndarray
    schoen: np.ndarray  # (nevent, p) Schoenfeld residuals, sorted event order
    ttimes: np.ndarray  # transformed times of the events
    times: np.ndarray
    strata: np.ndarray


def _zph_parts(model: CoxResult) -> _ZphParts:
    if not isinstance(model, CoxResult):
        raise InputError("The proportional-hazards test needs a fitted Cox model "
                         f"(the result of cox_regression); got {type(model).__name__}.")
    if model._fit is None:
        raise InputError("This Cox result does not keep the data needed for the test.")
    F = model._fit
    A = _CoxArrays(F.time, F.status, F.weights, F.strata)  # already sorted: order = identity
    x = F.x[A.order]
    x = x - x.mean(axis=0)
    P = _pieces(A, x, model.coef)
    # KM transform: 1 - S(t-) of the unweighted, unstratified Kaplan-Meier
    tt_all = A.time
    st_all = A.status
    ut, inv = np.unique(tt_all, return_inverse=True)
    nd = np.bincount(inv, weights=st_all)
    nat = len(tt_all) - np.r_[0, np.cumsum(np.bincount(inv))[:-1]]
    surv = np.cumprod(1 - nd / nat)
    idx = np.searchsorted(ut, tt_all, side="left")
    ttimes = 1 - np.r_[1.0, surv][idx]
    ev = st_all == 1
    gtime = ttimes - ttimes[ev].mean()
    gsub = gtime[A.didx]
    wd = A.w[A.didx]
    xd = x[A.didx]
    p = x.shape[1]
    u2 = _colsum(xd, wd * gsub) - _colsum(P.a, P.haz * gsub)
    I11 = _information(A, x, P)
    I12 = _information(A, x, P, gsub, 1)
    I22 = _information(A, x, P, gsub, 2)
    imat = np.block([[I11, I12], [I12.T, I22]])
    d = A.dcount
    xbm = A.to_groups(P.xbar) / np.where(d > 0, d, 1)[:, None]
    schoen = xd - xbm[A.dg]
    return _ZphParts(u2, imat, schoen, ttimes[A.didx], A.time[A.didx], A.strata[A.didx])


def _zph_statistic(imat: np.ndarray, u: np.ndarray) -> float:
    """u' imat^-1 u; NaN where imat is singular (where R's solve() inside cox.zph stops with
    "system is computationally singular", e.g. few distinct event times and a level absent from
    a risk set). Singular is decided far above round-off, the same on every machine
    (nelm_stats._linalg); solving such a system anyway gives a number made of round-off."""
    return quadratic_form(imat, u)


def proportional_hazards_test(model: CoxResult) -> pd.DataFrame:
    """Test of proportional hazards per covariate and GLOBAL, as R's ``cox.zph(fit)``.

    survival >= 3.0: a score test for adding g(t) * x to the model with g the Kaplan-Meier
    transform of time (transform = "km"); one row per covariate term (a categorical
    covariate with k levels is one row with k - 1 df), then the GLOBAL test.
    Returns a DataFrame [term, statistic, df, p_value]; statistic and p_value are NaN for a
    test whose information matrix is singular (where R's cox.zph stops with an error).
    """
    Z = _zph_parts(model)
    p = len(model.coef)
    rows = []
    for term in model.terms:
        jj = list(term.columns)
        kk = list(range(p)) + [j + p for j in jj]
        u = np.r_[np.zeros(p), Z.u2[jj]]
        stat = _zph_statistic(Z.imat[np.ix_(kk, kk)], u)
        rows.append((term.name, stat, len(jj), float(stats.chi2.sf(stat, len(jj)))))
    u = np.r_[np.zeros(p), Z.u2]
    stat = _zph_statistic(Z.imat, u)
    rows.append(("GLOBAL", stat, p, float(stats.chi2.sf(stat, p))))
    out = pd.DataFrame(rows, columns=["term", "statistic", "df", "p_value"])
    return out.astype({"term": object, "df": int})


def schoenfeld_residuals(model: CoxResult) -> pd.DataFrame:
    """Scaled Schoenfeld residuals per term, as ``cox.zph(fit)$y`` against ``$x`` ("km").

    Long DataFrame [term, time, transformed_time, residual]: one row per event and term.
    A categorical term's residual is on the scale of its linear predictor (R's terms=TRUE).
    """
    Z = _zph_parts(model)
    p = len(model.coef)
    beta = model.coef
    imat = Z.imat[:p, :p]
    strata_ids = np.unique(Z.strata)
    F = model._fit
    # used[s, j]: events in stratum s if covariate j varies there, else 0
    used = np.zeros((len(strata_ids), p))
    for i, s in enumerate(strata_ids):
        m = F.strata == s
        varies = (F.x[m] != F.x[m][:1]).any(axis=0)
        used[i] = np.where(varies, F.status[m].sum(), 0)
    terms = model.terms
    nterm = len(terms)
    for term in terms:
        if len(term.columns) > 1:
            cols = list(term.columns)
            used[:, cols] = used[:, cols].max(axis=1, keepdims=True)
    wtmat = sum(np.minimum.outer(u, u) for u in used)
    vmean = imat / np.where(wtmat == 0, 1, wtmat)
    sres = Z.schoen
    T = np.zeros((p, nterm))
    for i, term in enumerate(terms):
        for j in term.columns:
            T[j, i] = 1.0 if len(term.columns) == 1 else beta[j]
    sres = sres @ T
    vmean = T.T @ vmean @ T
    used_t = used[:, [term.columns[0] for term in terms]]
    out = np.full_like(sres, np.nan)
    for i, s in enumerate(strata_ids):
        k = np.flatnonzero(used_t[i] > 0)
        rows = np.flatnonzero(Z.strata == s)
        if len(k):
            out[np.ix_(rows, k)] = np.linalg.solve(vmean[np.ix_(k, k)], sres[np.ix_(rows, k)].T).T
    for i, term in enumerate(terms):
        out[:, i] += beta[term.columns[0]] if len(term.columns) == 1 else 1.0
    frames = [
        pd.DataFrame({"term": term.name, "time": Z.times, "transformed_time": Z.ttimes,
                      "residual": out[:, i]})
        for i, term in enumerate(terms)
    ]
    res = pd.concat(frames, ignore_index=True)
    return res.astype({"term": object})


# --------------------------------------------------------------------------------------
# Univariable screen and the combined table of surgical papers
# --------------------------------------------------------------------------------------
SCREEN_COLUMNS = TABLE_COLUMNS + ["n", "events"]
SCREEN_TEST_COLUMNS = ["term", "n", "events", "n_excluded", "df", "statistic", "p_value", "note"]


@dataclass(frozen=True)
class UnivariableScreen:
    """Each covariate in its own Cox model.

    table: [term, level, reference, hazard_ratio, ci_lower, ci_upper, p_value, coef,
    std_err, n, events] (one row per coefficient, as CoxResult.table, plus the patients
    and events of that covariate's model); a covariate whose model cannot be fitted has
    one row of NaN and its reason in ``tests.note``.
    tests: [term, n, events, n_excluded, df, statistic, p_value, note]: the likelihood-ratio
    test of each covariate (all its levels together).
    """

    table: pd.DataFrame
    tests: pd.DataFrame
    time: str
    event: str
    covariates: tuple[str, ...]
    models: tuple[CoxResult | None, ...] = field(default=(), repr=False, compare=False)
    warnings: tuple[str, ...] = ()

    def selected(self, threshold: float = 0.05) -> list[str]:
        """Covariates whose likelihood-ratio p-value in the screen is below ``threshold``."""
        t = self.tests
        return [str(c) for c, p in zip(t["term"], t["p_value"]) if pd.notna(p) and p < threshold]


def univariable_screen(
    data: pd.DataFrame,
    time: str,
    event: str,
    covariates: Sequence[str] | str,
    *,
    strata=None,
    cluster: str | None = None,
    weights: str | None = None,
    robust: bool = False,
    reference: Mapping[str, object] | None = None,
    units: Mapping[str, float] | None = None,
    trend=None,
    conf_level: float = 0.95,
) -> UnivariableScreen:
    """Fit ``cox_regression`` once per covariate (each with its own complete cases)."""
    require_frame(data)
    covs = _as_list(covariates)
    if not covs:
        raise InputError("Choose at least one covariate to screen.")
    require_columns(data, [time, event, *covs])
    trend_cols = _as_list(trend)
    rows, tests, models, warns = [], [], [], []
    for cov in covs:
        try:
            m = cox_regression(
                data, time, event, [cov], strata=strata, cluster=cluster, weights=weights,
                robust=robust, reference={k: v for k, v in (reference or {}).items() if k == cov},
                units={k: v for k, v in (units or {}).items() if k == cov},
                trend=[cov] if cov in trend_cols else None, conf_level=conf_level,
            )
        except (ConvergenceError, InsufficientDataError) as err:
            models.append(None)
            rows.append(dict(term=cov, level="", reference="", n=np.nan, events=np.nan))
            tests.append(dict(term=cov, n=np.nan, events=np.nan, n_excluded=np.nan, df=np.nan,
                              statistic=np.nan, p_value=np.nan, note=str(err)))
            warns.append(f"{label_of(cov)}: {err}")
            continue
        models.append(m)
        t = m.table.assign(n=m.n, events=m.events)
        rows.extend(t.to_dict("records"))
        tests.append(dict(term=cov, n=m.n, events=m.events, n_excluded=m.n_excluded, df=m.df,
                          statistic=m.lr_statistic, p_value=m.lr_p_value, note=""))
    table = pd.DataFrame(rows, columns=SCREEN_COLUMNS)
    table = table.astype({"term": object, "level": object, "reference": object,
                          "n": float, "events": float})
    tests_df = pd.DataFrame(tests, columns=SCREEN_TEST_COLUMNS).astype(
        {"term": object, "note": object, "n": float, "events": float, "n_excluded": float,
         "df": float})
    return UnivariableScreen(table, tests_df, time, event, tuple(covs), tuple(models), tuple(warns))


COMBINED_COLUMNS = [
    "term", "level", "reference",
    "uni_hazard_ratio", "uni_ci_lower", "uni_ci_upper", "uni_p_value",
    "multi_hazard_ratio", "multi_ci_lower", "multi_ci_upper", "multi_p_value",
]


@dataclass(frozen=True)
class RiskFactorTable:
    """Univariable and multivariable hazard ratios side by side (the table of surgical papers).

    table: [term, level, reference, uni_hazard_ratio, uni_ci_lower, uni_ci_upper,
    uni_p_value, multi_hazard_ratio, multi_ci_lower, multi_ci_upper, multi_p_value];
    multivariable columns are NaN for covariates not in the multivariable model.
    """

    table: pd.DataFrame
    screen: UnivariableScreen
    model: CoxResult | None


def risk_factor_table(screen: UnivariableScreen, model: CoxResult | None = None) -> RiskFactorTable:
    """Combine a univariable screen with a multivariable model into one table."""
    uni = screen.table[TABLE_COLUMNS].rename(columns={
        "hazard_ratio": "uni_hazard_ratio", "ci_lower": "uni_ci_lower",
        "ci_upper": "uni_ci_upper", "p_value": "uni_p_value"})
    uni = uni[["term", "level", "reference", "uni_hazard_ratio", "uni_ci_lower", "uni_ci_upper",
               "uni_p_value"]]
    if model is not None:
        screened = {t.name: t for m in screen.models if m is not None for t in m.terms}
        for t in model.terms:
            u = screened.get(t.name)
            if u is not None and (u.kind, u.unit, u.reference) != (t.kind, t.unit, t.reference):
                raise InputError(
                    f"'{t.name}' is coded differently in the univariable and multivariable models "
                    "(reference level, unit or trend); use the same options for both."
                )
        multi = model.table.rename(columns={
            "hazard_ratio": "multi_hazard_ratio", "ci_lower": "multi_ci_lower",
            "ci_upper": "multi_ci_upper", "p_value": "multi_p_value"})
        multi = multi[["term", "level", "multi_hazard_ratio", "multi_ci_lower", "multi_ci_upper",
                       "multi_p_value"]]
        out = uni.merge(multi, on=["term", "level"], how="left")
        extra = multi[~multi["term"].isin(uni["term"])]  # in the model but not screened
        if len(extra):
            extra = extra.merge(model.table[["term", "level", "reference"]], on=["term", "level"])
            out = pd.concat([out, extra], ignore_index=True)
    else:
        out = uni.assign(multi_hazard_ratio=np.nan, multi_ci_lower=np.nan, multi_ci_upper=np.nan,
                         multi_p_value=np.nan)
    return RiskFactorTable(out[COMBINED_COLUMNS].reset_index(drop=True), screen, model)


def schoenfeld_trend(residuals: pd.DataFrame, frac: float = 2 / 3, terms=None) -> pd.DataFrame:
    """Smoothed scaled Schoenfeld residuals per term (lowess against the transformed time).

    A flat line means a constant hazard ratio over follow-up.  (R's plot.cox.zph draws a
    natural spline instead; the smoother is for reading the plot, not for the test.)
    ``terms``: smooth only these terms (e.g. the one on screen; LOWESS of thousands of residuals
    takes a while). Returns [term, time, transformed_time, fit].
    """
    from statsmodels.nonparametric.smoothers_lowess import lowess

    out = []
    if terms is not None:
        terms = [terms] if isinstance(terms, str) else list(terms)
        residuals = residuals[residuals["term"].isin(terms)]
    for term, part in residuals.groupby("term", sort=False):
        ok = part["residual"].notna().to_numpy()
        x = part["transformed_time"].to_numpy()[ok]
        y = part["residual"].to_numpy()[ok]
        t = part["time"].to_numpy()[ok]
        if len(x) < 3:
            continue
        fit = lowess(y, x, frac=frac, return_sorted=False)
        o = np.argsort(x, kind="stable")
        out.append(pd.DataFrame({"term": term, "time": t[o], "transformed_time": x[o],
                                 "fit": fit[o]}))
    cols = ["term", "time", "transformed_time", "fit"]
    return pd.concat(out, ignore_index=True)[cols] if out else pd.DataFrame(columns=cols)
