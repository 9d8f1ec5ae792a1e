"""Propensity scores: logistic model, nearest-neighbour matching, inverse-probability weighting, balance.

References reproduced here (tests/test_propensity.py):
- the propensity model is R's ``glm(treat ~ ..., family = binomial)`` (same IRLS start, same
  convergence rule, same treatment of aliased columns);
- matching is MatchIt 4.7.2 ``method = "nearest"`` (distance from a logistic GLM, treated units in
  decreasing order of the distance, ties in data order; nearest available control, ties to the
  lower side; ``std.caliper``: caliper x SD of the distance over all analysed units; k:1 matching
  in k rounds; MatchIt's matching weights);
- balance is MatchIt's ``summary()`` / cobalt's: standardized mean differences with the treated
  SD (ATT) or the pooled SD (ATE) of the unmatched/unweighted sample, binary variables with
  p(1 - p), every level of a categorical covariate, and the distance itself for matching.

Same matched sets on every machine (DESIGN.md, "same answer on every machine"). Floating-point
results carry rounding in their last bits, and those bits depend on the CPU and the BLAS kernel.
MatchIt compares distances exactly, so on data with ties (integer covariates: age, node count,
grade) its matched sets can change from one machine to the next. Here a matching decision never
hinges on such bits, by construction:

1. one propensity score per distinct covariate pattern: patients with the same covariates get
   the same score, bit for bit (computed once, then shared; the linear predictor summed term by
   term in a fixed order, not by a BLAS kernel);
2. distances closer than the tie tolerance count as equal. The tolerance is ``TIE_RTOL`` (1e-8)
   times the size of the linear predictor's terms (max over patients of |b0| + sum |b_j x_j|), far
   above the rounding of a dot product (about 1e-15 of that size) and far below any difference
   that means something clinically. Equal distances are snapped to one value (the smallest of a
   run of values each within the tolerance of the next), so sorting is exact;
3. ties are then broken by MatchIt's rules: treated patients in decreasing distance, ties in data
   order; controls sorted by distance, ties in data order; of two controls equally near (within
   the tolerance) the one on the lower side; a control within the caliper when its distance to
   the treated patient is at most the caliper width plus the tolerance.

Only a difference of two distances that lies within rounding of the tolerance itself could still
be judged differently on two machines; distances equal in exact arithmetic never are. Where
MatchIt's answer does not hinge on rounding, the pairs are MatchIt's (tests/test_propensity.py).

Layout: ``propensity_match`` / ``iptw`` validate, the private workers compute on numpy arrays,
and the results are frozen dataclasses (no display formatting).
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ._lazy import stats
from ._weighted import wmean, wvar, wvar_binary
from ._linalg import independent_columns
from .._checks import as_number, check_choice, complete_cases, group_order, require_columns, require_frame
from ..schema import label as schema_label
from ..errors import ConvergenceError, InputError, InsufficientDataError, InvalidValueError

__all__ = [
    "PropensityModel",
    "MatchResult",
    "WeightResult",
    "propensity_model",
    "propensity_match",
    "iptw",
]

BALANCE_COLUMNS = ["term", "smd_before", "smd_after", "variance_ratio_before", "variance_ratio_after"]
PAIR_COLUMNS = ["treated", "control"]
COEF_COLUMNS = ["term", "coef", "std_err", "statistic", "p_value"]
ESS_COLUMNS = ["group", "n", "sum_weights", "effective_sample_size"]

SMD_THRESHOLD = 0.1  # |SMD| above this: residual imbalance (Austin 2009)
EXTREME_WEIGHT = 10.0  # weights above this are flagged as extreme
MIN_MATCHED_PAIRS = 10  # fewer matched treated patients than this: too few for a stable contrast

_EPS = np.finfo(float).eps
TIE_RTOL = 1e-8  # distances within this share of the linear predictor's size are equal (see above)


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PropensityModel:
    """A logistic propensity model (as R's glm(family = binomial)).

    ``coefficients`` [term, coef, std_err, statistic, p_value] (aliased terms: NaN, as R's NA);
    ``propensity`` Series indexed like the data (NaN for rows left out).
    """

    treatment: str
    covariates: tuple[str, ...]
    treated_label: str
    control_label: str
    coefficients: pd.DataFrame
    propensity: pd.Series
    treated: pd.Series  # True = treated, False = control, <NA> for rows left out ("boolean")
    n: int
    n_treated: int
    n_control: int
    n_excluded: int
    converged: bool
    iterations: int
    deviance: float
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class MatchResult:
    """Nearest-neighbour propensity-score matching (as MatchIt ``method = "nearest"``).

    ``matched``: the matched rows of the data (all columns) plus ``match_id`` (the matched set)
    and ``match_weight`` (MatchIt's weights). ``pairs`` [treated, control]: index labels of the
    data, one row per treated-control link (k rows per treated patient for k:1), treated in data
    order. ``propensity``: Series indexed like the data (NaN for rows left out). ``balance``
    [term, smd_before, smd_after, variance_ratio_before, variance_ratio_after].
    """

    treatment: str
    covariates: tuple[str, ...]
    treated_label: str
    control_label: str
    ratio: int
    caliper: float | None
    caliper_scale: str
    caliper_width: float | None  # on the distance scale (logit or propensity)
    replace: bool
    exact: tuple[str, ...]
    matched: pd.DataFrame
    pairs: pd.DataFrame
    propensity: pd.Series
    distance: pd.Series
    balance: pd.DataFrame
    model: PropensityModel
    n_treated: int
    n_control: int
    n_treated_matched: int
    n_control_matched: int
    n_treated_unmatched: int
    n_control_unmatched: int
    n_unmatched_caliper: int  # treated with controls available, none within the caliper
    n_unmatched_exact: int  # treated with no control in their exact-matching stratum
    n_unmatched_no_control: int  # treated left when every control had been used
    n_excluded: int
    warnings: tuple[str, ...] = ()

    @property
    def unmatched_reasons(self) -> pd.DataFrame:
        """Why treated patients stayed unmatched: [reason, n]."""
        return pd.DataFrame(
            {
                "reason": ["outside caliper", "no exact match", "no control left"],
                "n": [self.n_unmatched_caliper, self.n_unmatched_exact, self.n_unmatched_no_control],
            }
        )


@dataclass(frozen=True)
class WeightResult:
    """Inverse probability of treatment weighting.

    ``weights``: Series indexed like the data (NaN for rows left out); ``extreme``: bool Series,
    True where a weight exceeds ``EXTREME_WEIGHT``; ``effective_sample_size`` [group, n,
    sum_weights, effective_sample_size] (Kish); ``balance`` as for matching (weighted SMDs).
    """

    treatment: str
    covariates: tuple[str, ...]
    treated_label: str
    control_label: str
    estimand: str
    stabilize: bool
    trim: float | None
    weights: pd.Series
    propensity: pd.Series
    extreme: pd.Series
    balance: pd.DataFrame
    effective_sample_size: pd.DataFrame
    model: PropensityModel
    n_treated: int
    n_control: int
    n_trimmed: int
    n_excluded: int
    warnings: tuple[str, ...] = field(default=())


# ----------------------------------------------------------------------------------------------
# Validation and design matrices
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Prepared:
    data: pd.DataFrame  # complete cases
    index: pd.Index  # of the full data
    treat: np.ndarray  # bool, treated
    treated_label: str
    control_label: str
    X: np.ndarray  # model matrix incl. intercept
    x_names: list[str]
    B: np.ndarray  # balance matrix (every level of categorical covariates)
    b_names: list[str]
    n_excluded: int


def _is_categorical(s: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s):
        return False
    return not pd.api.types.is_numeric_dtype(s)


def _prepare(data, treatment, covariates, extra=(), treated=None) -> _Prepared:
    data = require_frame(data)
    if isinstance(covariates, str):
        covariates = [covariates]
    covariates = list(covariates or [])
    if treatment is None:
        raise InputError("Choose the treatment column (the two groups to compare).")
    if not covariates:
        raise InputError("Choose at least one covariate for the propensity-score model.")
    if treatment in covariates:
        raise InputError(
            f"The treatment column '{treatment}' cannot also be a covariate of its own propensity model."
        )
    used = require_columns(data, [treatment, *covariates, *extra])
    sub, n_excluded = complete_cases(data, used)
    levels = group_order(sub[treatment])
    if len(levels) != 2:
        raise InvalidValueError(
            f"The treatment column '{treatment}' must have exactly two groups (e.g. yes/no); "
            f"it has {len(levels)} ({', '.join(map(str, levels[:6]))})."
        )
    if treated is not None:
        names = [str(v) for v in levels]
        if str(treated) not in names:
            raise InvalidValueError(
                f"The treated group {treated!r} is not a value of '{treatment}' ({', '.join(names)})."
            )
        if names.index(str(treated)) == 0:
            levels = [levels[1], levels[0]]
    treat = (sub[treatment] == levels[1]).to_numpy(dtype=bool)
    n1, n0 = int(treat.sum()), int((~treat).sum())
    if n1 < 2 or n0 < 2:
        raise InsufficientDataError(
            f"Too few patients for a propensity score: {n1} in group '{levels[1]}' and {n0} in "
            f"group '{levels[0]}' with complete data (at least 2 in each are needed)."
        )
    x_cols, x_names = [np.ones(len(sub))], ["(Intercept)"]
    b_cols, b_names = [], []
    for c in covariates:
        s = sub[c]
        if _is_categorical(s):
            lv = group_order(s)
            for j, v in enumerate(lv):
                col = (s == v).to_numpy(dtype=float)
                b_cols.append(col)
                b_names.append(f"{c}: {v}")
                if j > 0:
                    x_cols.append(col)
                    x_names.append(f"{c}: {v}")
        else:
            col = s.astype(float).to_numpy() if pd.api.types.is_bool_dtype(s) else pd.to_numeric(s).to_numpy(float)
            x_cols.append(col)
            x_names.append(c)
            b_cols.append(col)
            b_names.append(c)
    return _Prepared(
        data=sub,
        index=data.index,
        treat=treat,
        treated_label=str(levels[1]),
        control_label=str(levels[0]),
        X=np.column_stack(x_cols),
        x_names=x_names,
        B=np.column_stack(b_cols),
        b_names=b_names,
        n_excluded=n_excluded,
    )


# ----------------------------------------------------------------------------------------------
# Logistic regression (R's glm.fit, binomial family, logit link)
# ----------------------------------------------------------------------------------------------

_THRESH, _MTHRESH, _INVEPS = 30.0, -30.0, 1.0 / _EPS


def _linkinv(eta):
    tmp = np.where(eta < _MTHRESH, _EPS, np.where(eta > _THRESH, _INVEPS, np.exp(np.clip(eta, -700, 700))))
    return tmp / (1.0 + tmp)


def _mu_eta(eta):
    opexp = 1.0 + np.exp(np.clip(eta, -700, 700))
    return np.where((eta > _THRESH) | (eta < _MTHRESH), _EPS, np.exp(np.clip(eta, -700, 700)) / (opexp * opexp))


def _binomial_deviance(y, mu):
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(y > 0, y * np.log(y / mu), 0.0)
        b = np.where(y < 1, (1 - y) * np.log((1 - y) / (1 - mu)), 0.0)
    return float(2 * np.sum(a + b))


def _logistic_fit(X, y, maxit=25, epsilon=1e-8):
    """IRLS exactly as R's glm.fit for binomial(logit): returns beta (NaN aliased), cov, mu, info."""
    n, p = X.shape
    keep = independent_columns(X)
    Xk = X[:, keep]
    mu = (y + 0.5) / 2.0
    eta = np.log(mu / (1 - mu))
    dev_old = _binomial_deviance(y, mu)
    converged = False
    beta = np.zeros(len(keep))
    w = None
    it = 0
    for it in range(1, maxit + 1):
        me = _mu_eta(eta)
        var = mu * (1 - mu)
        z = eta + (y - mu) / me
        w = np.sqrt(me * me / var)
        beta_new, *_ = np.linalg.lstsq(Xk * w[:, None], z * w, rcond=None)
        eta_new = Xk @ beta_new
        mu_new = _linkinv(eta_new)
        dev = _binomial_deviance(y, mu_new)
        # R halves the step only when the deviance is not finite; with the logit link it always is
        beta, eta, mu = beta_new, eta_new, mu_new
        if abs(dev - dev_old) / (abs(dev) + 0.1) < epsilon:
            converged = True
            break
        dev_old = dev
    # covariance from the weights of the last weighted least-squares step (as summary.glm)
    Xw = Xk * w[:, None]
    try:
        cov_k = np.linalg.inv(Xw.T @ Xw)
    except np.linalg.LinAlgError:
        cov_k = np.full((len(keep), len(keep)), np.nan)
    full_beta = np.full(p, np.nan)
    full_beta[keep] = beta
    se = np.full(p, np.nan)
    se[keep] = np.sqrt(np.diag(cov_k))
    return full_beta, se, mu, converged, it, dev_old if not converged else dev


def _pattern_scores(X, beta):
    """Fitted probabilities computed once per distinct row of X, so equal covariates give equal
    scores bit for bit (a BLAS kernel may round the same row differently at another position)."""
    b = np.where(np.isnan(beta), 0.0, beta)
    patterns, inverse = _distinct_rows(X)
    terms = patterns * b
    eta = terms[:, 0].copy()
    for j in range(1, terms.shape[1]):  # a fixed order of elementwise additions (no BLAS kernel)
        eta += terms[:, j]
    return _linkinv(eta)[inverse.ravel()]


def _distinct_rows(X):
    """``np.unique(X, axis=0, return_inverse=True)`` for a float matrix without NaN, found by
    hashing each row's bytes instead of sorting the rows (100 000 patients: 0.1 s -> 0.01 s); the
    same sorted distinct rows and positions.  Rows whose hashes collide are told apart exactly
    (np.unique then does the work)."""
    X = np.ascontiguousarray(X, dtype=float) + 0.0  # -0.0 -> 0.0: equal values, equal bytes
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0 or np.isnan(X).any():
        patterns, inverse = np.unique(X, axis=0, return_inverse=True)
        return patterns, inverse.ravel()
    words = X.view(np.uint64)
    key = np.zeros(X.shape[0], dtype=np.uint64)
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64
        for j in range(X.shape[1]):  # splitmix64's finaliser on each value's bytes, chained over columns
            h = words[:, j] ^ (words[:, j] >> np.uint64(30))
            h *= np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(27)
            h *= np.uint64(0x94D049BB133111EB)
            h ^= h >> np.uint64(31)
            key = key * np.uint64(0x9E3779B97F4A7C15) + h
    codes = pd.factorize(key)[0]
    _, first = np.unique(codes, return_index=True)  # each distinct row's first position
    found = X[first]
    if not np.array_equal(found[codes], X):  # two different rows with one hash: sort them instead
        patterns, inverse = np.unique(X, axis=0, return_inverse=True)
        return patterns, inverse.ravel()
    order = np.lexsort(found.T[::-1])  # rows sorted as np.unique sorts them (first column first)
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return found[order], rank[codes]


def _tie_tolerance(X, beta) -> float:
    """TIE_RTOL x the largest |b0| + sum |b_j x_j| over patients (the size of the terms summed)."""
    b = np.where(np.isnan(beta), 0.0, beta)
    return TIE_RTOL * max(float(np.max(np.abs(X) @ np.abs(b))), 1.0)


def _snap_ties(d, tol):
    """Distances within ``tol`` of their sorted neighbour take the run's smallest value."""
    out = np.asarray(d, dtype=float).copy()
    fin = np.isfinite(out)
    vals = np.unique(out[fin])
    if len(vals) < 2:
        return out
    new_run = np.concatenate([[True], np.diff(vals) > tol])
    rep = vals[new_run][np.cumsum(new_run) - 1]
    out[fin] = rep[np.searchsorted(vals, out[fin])]
    return out

# The last few fitted models, keyed on everything a fit depends on (names, the model matrix, the
# treated flags and the row labels, by their bytes): matching, weighting and the crude analysis of
# one page fit the same model, which at 100 000 patients takes 0.2 s each.  Each caller gets its own
# copy of the model's tables.
_MODELS: "OrderedDict[tuple, PropensityModel]" = OrderedDict()
_MODELS_LOCK = threading.Lock()
_MODELS_KEPT = 4


def _model_key(prep: _Prepared, treatment, covariates) -> tuple:
    def digest(a) -> str:
        a = np.ascontiguousarray(a)
        return hashlib.sha1(a.view(np.uint8).reshape(-1)).hexdigest() + str(a.dtype) + str(a.shape)

    def labels(index: pd.Index) -> str:
        a = index.to_numpy()
        return digest(a) if a.dtype.kind in "biufmM" else repr(a.tolist())

    return (str(treatment), tuple(str(c) for c in covariates), prep.treated_label, prep.control_label,
            tuple(prep.x_names), prep.n_excluded, digest(prep.X), digest(prep.treat), labels(prep.index),
            labels(prep.data.index))


def _fit_model(prep: _Prepared, treatment, covariates) -> PropensityModel:
    key = _model_key(prep, treatment, covariates)
    with _MODELS_LOCK:
        model = _MODELS.get(key)
        if model is not None:
            _MODELS.move_to_end(key)
    if model is None:
        model = _fit_model_now(prep, treatment, covariates)
        with _MODELS_LOCK:
            _MODELS[key] = model
            while len(_MODELS) > _MODELS_KEPT:
                _MODELS.popitem(last=False)
    return replace(model, coefficients=model.coefficients.copy(), propensity=model.propensity.copy(),
                   treated=model.treated.copy())


def _fit_model_now(prep: _Prepared, treatment, covariates) -> PropensityModel:

    y = prep.treat.astype(float)
    beta, se, mu, converged, iterations, deviance = _logistic_fit(prep.X, y)
    mu = _pattern_scores(prep.X, beta)
    if not np.all(np.isfinite(mu)):
        raise ConvergenceError("The propensity-score model could not be fitted (non-finite probabilities).")
    warnings = []
    if not converged:
        warnings.append(
            "The propensity-score model did not converge in 25 iterations; the groups may be "
            "perfectly separated by a covariate. Consider fewer covariates."
        )
    if np.any(mu < 10 * _EPS) or np.any(mu > 1 - 10 * _EPS):
        warnings.append(
            "Some propensity scores are numerically 0 or 1: a covariate (or combination) separates "
            "the groups completely, so these patients have no comparable counterpart."
        )
    aliased = [n for n, b in zip(prep.x_names, beta) if np.isnan(b)]
    if aliased:
        warnings.append(
            "Left out of the propensity model because they duplicate other covariates: "
            + ", ".join(aliased)
            + "."
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        zstat = beta / se
    coefficients = pd.DataFrame(
        {
            "term": prep.x_names,
            "coef": beta,
            "std_err": se,
            "statistic": zstat,
            "p_value": 2 * stats.norm.sf(np.abs(zstat)),
        },
        columns=COEF_COLUMNS,
    )
    ps = pd.Series(np.nan, index=prep.index, name="propensity", dtype=float)
    ps.loc[prep.data.index] = mu
    treated = pd.Series(pd.NA, index=prep.index, name="treated", dtype="boolean")
    treated.loc[prep.data.index] = prep.treat
    return PropensityModel(
        treatment=treatment,
        covariates=tuple(covariates),
        treated_label=prep.treated_label,
        control_label=prep.control_label,
        coefficients=coefficients,
        propensity=ps,
        treated=treated,
        n=len(y),
        n_treated=int(prep.treat.sum()),
        n_control=int((~prep.treat).sum()),
        n_excluded=prep.n_excluded,
        converged=converged,
        iterations=iterations,
        deviance=float(deviance),
        warnings=tuple(warnings),
    )


def treatment_levels(data: pd.DataFrame, treatment: str) -> list[str]:
    """The groups of a treatment column as labels (``str(value)``), in the column's order; the
    last is the default treated group."""
    require_columns(require_frame(data), [treatment])
    return [str(v) for v in group_order(data[treatment])]


def propensity_model(data: pd.DataFrame, treatment: str, covariates, *, treated=None) -> PropensityModel:
    """Logistic propensity model P(treated | covariates), as R's ``glm(..., family = binomial)``.

    The treated group is the second value of the treatment column in its order (True, 1, or the
    second category) unless ``treated`` names the value that marks it. Categorical covariates are
    dummy-coded with the first level as reference.
    """
    prep = _prepare(data, treatment, covariates, treated=treated)
    return _fit_model(prep, treatment, covariates)


# ----------------------------------------------------------------------------------------------
# Balance (MatchIt summary / cobalt conventions)
# ----------------------------------------------------------------------------------------------


def _is_binary(x):
    return bool(np.all((x == 0) | (x == 1)))


def _wmean(x, w):
    return wmean(x, w)


def _wvar(x, w, binary):
    """MatchIt's weighted variance: p(1-p) for binary, else the unbiased (reliability) form."""
    return wvar_binary(x, w) if binary else wvar(x, w)


def _balance(B, names, treat, w_after, estimand):
    """SMD and variance ratios before (unit weights) and after (``w_after``; 0 = not in sample)."""
    rows = []
    t, c = treat, ~treat
    ta, ca = t & (w_after > 0), c & (w_after > 0)
    # each group's rows taken once for all covariates (columns contiguous: the same sums as x[t])
    xt, xc, xta, xca = (np.asfortranarray(B[m]) for m in (t, c, ta, ca))
    one_t, one_c, w_ta, w_ca = np.ones(int(t.sum())), np.ones(int(c.sum())), w_after[ta], w_after[ca]
    for j, name in enumerate(names):
        binary = _is_binary(B[:, j])
        v1 = _wvar(xt[:, j], one_t, binary)
        v0 = _wvar(xc[:, j], one_c, binary)
        sd = np.sqrt(v1) if estimand == "ATT" else np.sqrt((v1 + v0) / 2)
        if sd == 0 and estimand == "ATT":
            # constant among the treated (e.g. no G3 tumour): the treated SD cannot standardize;
            # use the pooled SD so the imbalance stays visible (MatchIt would print Inf)
            sd = np.sqrt((v1 + v0) / 2)
        with np.errstate(divide="ignore", invalid="ignore"):
            diff_b = np.mean(xt[:, j]) - np.mean(xc[:, j])
            if ta.any() and ca.any():
                diff_a = _wmean(xta[:, j], w_ta) - _wmean(xca[:, j], w_ca)
                vr_a = np.nan if binary else _wvar(xta[:, j], w_ta, False) / _wvar(xca[:, j], w_ca, False)
            else:
                diff_a, vr_a = np.nan, np.nan
            smd_b = diff_b / sd if sd > 0 else (0.0 if diff_b == 0 else np.nan)
            smd_a = diff_a / sd if sd > 0 else (0.0 if diff_a == 0 else np.nan)
            vr_b = np.nan if binary else v1 / v0
        rows.append((name, smd_b, smd_a, vr_b, vr_a))
    out = pd.DataFrame(rows, columns=BALANCE_COLUMNS)
    for col in BALANCE_COLUMNS[1:]:
        out[col] = out[col].astype(float)
    return out


def _term_name(term: str) -> str:
    """A balance term as the clinician calls it: 'largest_lesion_cm' -> 'Largest lesion', 'grade: G1' ->
    'Tumour grade: G1' (schema labels; the tidy table keeps the column names)."""
    col, sep, level = term.partition(": ")
    return f"{schema_label(col)}{sep}{level}"


def _balance_warnings(balance: pd.DataFrame, after: str) -> list[str]:
    bad = balance[(balance["term"] != "distance") & (balance["smd_after"].abs() > SMD_THRESHOLD)]
    if bad.empty:
        return []
    terms = ", ".join(f"{_term_name(t)} ({s:+.2f})" for t, s in zip(bad["term"], bad["smd_after"]))
    return [
        f"Residual imbalance after {after}: the standardized mean difference exceeds "
        f"{SMD_THRESHOLD} for {terms}. Consider adding these to the model, a narrower caliper, "
        "or adjusting for them in the outcome model."
    ]


def _overlap_warning(ps, treat, estimand="ATE") -> list[str]:
    """Poor overlap of the propensity scores, in words.

    ATT (matching): treated patients whose score lies outside the controls' range have no
    comparable control. ATE: patients of either group outside the range both groups share.
    """
    p1, p0 = ps[treat], ps[~treat]
    msgs = []
    if estimand == "ATT":
        outside = int(np.sum((p1 < p0.min()) | (p1 > p0.max())))
        share = outside / len(p1)
        if share > 0.1:
            msgs.append(
                f"Poor overlap of propensity scores: {outside} of {len(p1)} treated patients ({share:.0%}) "
                "have a score outside the range of the controls, so no comparable control exists for them."
            )
    else:
        lo, hi = max(p1.min(), p0.min()), min(p1.max(), p0.max())
        outside = int(np.sum((ps < lo) | (ps > hi)))
        share = outside / len(ps)
        if share > 0.1 or lo >= hi:
            msgs.append(
                f"Poor overlap of propensity scores: {outside} of {len(ps)} patients ({share:.0%}) lie "
                "outside the range shared by both groups, so they have no comparable counterpart in the "
                "other group and the weighted comparison extrapolates for them."
            )
    return msgs


# ----------------------------------------------------------------------------------------------
# Nearest-neighbour matching (MatchIt 4.7.2 nn_matchC_vec)
# ----------------------------------------------------------------------------------------------

_REASON_NONE, _REASON_CALIPER, _REASON_EXACT, _REASON_NO_CONTROL = 0, 1, 2, 3


def _find(parent, i):
    """Union-find with path halving: the representative (next free slot) of i."""
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def _match_stratum(d, treat, order_t, ratio, width, replace, mm, reason, tol=0.0):
    """Match within one stratum; positions are 0..n-1 of the stratum arrays.

    ``d``: distances with ties already snapped to one value; ``tol``: two gaps that differ by at
    most this are equal (the control on the lower side wins), and a gap up to ``width + tol`` is
    within the caliper.

    ``order_t``: stratum positions of treated units in matching order; ``mm`` (flat list, row-major
    n x ratio, -1 = none) is filled at those rows; ``reason`` gets the cause for treated with no match.
    """
    n = len(d)
    pos = np.arange(n)
    order_all = np.argsort(d, kind="stable")  # ties in data order, as sort.list
    is_c_sorted = ~treat[order_all]
    cs = order_all[is_c_sorted]  # controls in sorted order
    cd = d[cs].tolist()
    m = len(cs)
    # insertion point of each treated among the sorted controls (ties by data order)
    cum = np.cumsum(is_c_sorted) - is_c_sorted
    ins = np.empty(n, dtype=np.int64)
    ins[order_all] = cum
    ins = ins.tolist()
    dl = d.tolist()
    cs_l = cs.tolist()
    if m == 0:
        for t in order_t:
            reason[t] = _REASON_EXACT
        return
    w = float("inf") if width is None else width + tol

    if replace:
        for t in order_t:
            dt, i = dl[t], ins[t]
            L, R = i - 1, i
            got = 0
            base = t * ratio
            while got < ratio:
                lok = L >= 0 and abs(dt - cd[L]) <= w
                rok = R < m and abs(cd[R] - dt) <= w
                if lok and rok:
                    if abs(cd[L] - dt) <= abs(cd[R] - dt) + tol:
                        k, L = L, L - 1
                    else:
                        k, R = R, R + 1
                elif lok:
                    k, L = L, L - 1
                elif rok:
                    k, R = R, R + 1
                else:
                    break
                mm[base + got] = cs_l[k]
                got += 1
            if got == 0:
                reason[t] = _REASON_CALIPER
        return

    # without replacement: "next free" pointers to the left (index+1 shifted) and right
    left = list(range(m + 1))  # left[j+1] -> free slot <= j, represented as slot+1 (0 = none)
    right = list(range(m + 1))  # right[j] -> free slot >= j (m = none)
    n_free = m
    for r in range(ratio):
        for t in order_t:
            if n_free == 0:
                if r == 0:
                    reason[t] = _REASON_NO_CONTROL
                continue
            dt, i = dl[t], ins[t]
            L = _find(left, i) - 1  # largest free index <= i-1
            R = _find(right, i)  # smallest free index >= i
            lok = L >= 0 and abs(dt - cd[L]) <= w
            rok = R < m and abs(cd[R] - dt) <= w
            if lok and rok:
                k = L if abs(cd[L] - dt) <= abs(cd[R] - dt) + tol else R
            elif lok:
                k = L
            elif rok:
                k = R
            else:
                if r == 0:
                    reason[t] = _REASON_CALIPER if (L >= 0 or R < m) else _REASON_NO_CONTROL
                continue
            mm[t * ratio + r] = cs_l[k]
            left[k + 1] = k  # slot k used: its left pointer moves to k-1 (stored +1)
            right[k] = k + 1
            n_free -= 1


def _nearest(distance, treat, ratio, width, replace, strata, tol=0.0):
    """MatchIt nearest: returns mm (n x ratio global positions, -1 none; rows of treated) and reasons."""
    n = len(distance)
    pos_t = np.flatnonzero(treat)
    # matching order: decreasing distance, ties in data order (m.order = "largest")
    ord_t = pos_t[np.argsort(-distance[pos_t], kind="stable")]
    mm = np.full((n, ratio), -1, dtype=np.int64)
    reason = np.zeros(n, dtype=np.int64)
    groups = [np.arange(n)] if strata is None else [np.flatnonzero(strata == s) for s in np.unique(strata)]
    for g in groups:
        local = np.full(n, -1, dtype=np.int64)
        local[g] = np.arange(len(g))
        order_local = local[ord_t]
        order_local = order_local[order_local >= 0].tolist()
        mm_l = [-1] * (len(g) * ratio)
        reason_l = [0] * len(g)
        _match_stratum(distance[g], treat[g], order_local, ratio, width, replace, mm_l, reason_l, tol)
        mm_arr = np.asarray(mm_l, dtype=np.int64).reshape(len(g), ratio)
        valid = mm_arr >= 0
        mm_glob = np.where(valid, g[np.where(valid, mm_arr, 0)], -1)
        mm[g] = mm_glob
        reason[g] = np.asarray(reason_l, dtype=np.int64)
    return mm, reason


def _match_weights(mm, treat):
    """MatchIt's matching weights: treated 1; controls 1/k per link, rescaled to their count."""
    n = len(treat)
    w = np.zeros(n)
    rows = np.flatnonzero(treat)
    k = (mm[rows] >= 0).sum(axis=1)
    has = k > 0
    w[rows[has]] = 1.0
    links = mm[rows[has]]
    share = np.repeat(1.0 / k[has], mm.shape[1]).reshape(links.shape)
    ok = links >= 0
    np.add.at(w, links[ok], share[ok])
    ctrl = (~treat) & (w > 0)
    if ctrl.any():
        w[ctrl] *= ctrl.sum() / w[ctrl].sum()
    return w


def propensity_match(
    data: pd.DataFrame,
    treatment: str,
    covariates,
    *,
    ratio: int = 1,
    caliper: float | None = 0.2,
    caliper_scale: str = "logit",
    replace: bool = False,
    exact=None,
    treated=None,
) -> MatchResult:
    """Nearest-neighbour propensity-score matching, pair for pair as MatchIt 4.7.2 ``method="nearest"``.

    The distance is the logit of the propensity score (``caliper_scale="logit"``, MatchIt
    ``link = "linear.logit"``) or the propensity score itself (``"propensity"``, MatchIt's
    default). ``caliper`` is in standard deviations of that distance (all analysed patients,
    n - 1); ``None`` means no caliper. ``ratio`` controls per treated patient (k:1, matched in k
    rounds); ``replace`` lets a control serve several treated patients; ``exact`` names columns
    on which matched patients must agree; ``treated``: the value of the treatment column that marks
    the treated group (default: the second value in the column's order, e.g. True or 1). The
    estimand is the ATT (the treated patients).
    """
    check_choice(caliper_scale, "caliper_scale", ("logit", "propensity"))
    try:
        ratio_i = int(ratio)
    except (TypeError, ValueError):
        raise InputError(f"ratio must be a whole number of controls per treated patient; got {ratio!r}.")
    if ratio_i != ratio or ratio_i < 1:
        raise InputError(f"ratio must be a whole number of controls per treated patient (1, 2, ...); got {ratio!r}.")
    if caliper is not None:
        caliper = as_number(
            caliper, f"caliper must be a number of standard deviations (e.g. 0.2) or None; got {caliper!r}.")
        if not caliper > 0:
            raise InputError(f"caliper must be positive (e.g. 0.2 SD) or None for no caliper; got {caliper!r}.")
    if isinstance(exact, str):
        exact = [exact]
    exact = list(exact or [])
    prep = _prepare(data, treatment, covariates, extra=exact, treated=treated)
    if treatment in exact:
        raise InputError(f"The treatment column '{treatment}' cannot be an exact-matching variable.")
    model = _fit_model(prep, treatment, covariates)
    ps = model.propensity.loc[prep.data.index].to_numpy()
    if caliper_scale == "logit":
        with np.errstate(divide="ignore"):
            dist = np.log(ps / (1 - ps))
    else:
        dist = ps.copy()
    width = None if caliper is None else caliper * float(np.std(dist, ddof=1))
    strata = None
    if exact:
        strata = prep.data[exact].astype(str).agg("\x1f".join, axis=1).to_numpy()
        _, strata = np.unique(strata, return_inverse=True)
    beta = model.coefficients["coef"].to_numpy()
    tol = _tie_tolerance(prep.X, beta)
    mm, reason = _nearest(_snap_ties(dist, tol), prep.treat, ratio_i, width, bool(replace), strata, tol)
    return _match_result(prep, model, dist, mm, reason, treatment, covariates, ratio_i, caliper,
                         caliper_scale, width, bool(replace), exact)


def _match_result(prep, model, dist, mm, reason, treatment, covariates, ratio, caliper, caliper_scale,
                  width, replace, exact) -> MatchResult:
    treat = prep.treat
    idx = prep.data.index
    w = _match_weights(mm, treat)
    rows_t = np.flatnonzero(treat)
    k = (mm[rows_t] >= 0).sum(axis=1)
    # pairs: treated in data order, slots in order
    t_rep = np.repeat(rows_t, ratio)
    c_flat = mm[rows_t].ravel()
    ok = c_flat >= 0
    pairs = pd.DataFrame({"treated": idx[t_rep[ok]], "control": idx[c_flat[ok]]}, columns=PAIR_COLUMNS)
    pairs = pairs.reset_index(drop=True)
    # matched data set
    matched_t = rows_t[k > 0]
    set_id = np.zeros(len(treat), dtype=np.int64)
    set_id[matched_t] = np.arange(1, len(matched_t) + 1)
    if not replace:
        member = np.zeros(len(treat), dtype=np.int64)
        member[matched_t] = set_id[matched_t]
        for j in range(ratio):
            cj = mm[matched_t, j]
            okj = cj >= 0
            member[cj[okj]] = set_id[matched_t[okj]]
        keep = member > 0
        matched = prep.data.iloc[np.flatnonzero(keep)].copy()
        matched["match_id"] = member[keep]
        matched["match_weight"] = w[keep]
    else:
        # one row per patient per matched set (a control may appear in several sets)
        pos, mid, mw = [], [], []
        for t in matched_t:
            cj = mm[t][mm[t] >= 0]
            pos.append(t)
            mid.append(set_id[t])
            mw.append(1.0)
            pos.extend(cj.tolist())
            mid.extend([set_id[t]] * len(cj))
            mw.extend([1.0 / len(cj)] * len(cj))
        matched = prep.data.iloc[pos].copy()
        matched["match_id"] = np.asarray(mid, dtype=np.int64)
        matched["match_weight"] = np.asarray(mw, dtype=float)
    # balance, with the distance first (MatchIt)
    B = np.column_stack([dist, prep.B])
    balance = _balance(B, ["distance", *prep.b_names], treat, w, "ATT")

    n1, n0 = int(treat.sum()), int((~treat).sum())
    n1m = int((k > 0).sum())
    n0m = int(((~treat) & (w > 0)).sum())
    unmatched_reason = reason[rows_t[k == 0]]
    warnings = list(model.warnings)
    warnings += _overlap_warning(model.propensity.loc[idx].to_numpy(), treat, "ATT")
    if n1m < MIN_MATCHED_PAIRS:
        warnings.append(
            f"Only {n1m} treated patients were matched: too few for a stable comparison; "
            "confidence intervals will be wide. Consider a wider caliper or fewer exact-matching variables."
        )
    if n1 - n1m > 0:
        warnings.append(
            f"{n1 - n1m} of {n1} treated patients ({(n1 - n1m) / n1:.0%}) could not be matched; the "
            "matched comparison describes the matched treated patients only, not all treated patients."
        )
    warnings += _balance_warnings(balance, "matching")
    propensity = model.propensity.copy()
    dist_s = pd.Series(np.nan, index=prep.index, name="distance", dtype=float)
    dist_s.loc[idx] = dist
    return MatchResult(
        treatment=treatment,
        covariates=tuple(covariates),
        treated_label=prep.treated_label,
        control_label=prep.control_label,
        ratio=ratio,
        caliper=caliper,
        caliper_scale=caliper_scale,
        caliper_width=width,
        replace=replace,
        exact=tuple(exact),
        matched=matched,
        pairs=pairs,
        propensity=propensity,
        distance=dist_s,
        balance=balance,
        model=model,
        n_treated=n1,
        n_control=n0,
        n_treated_matched=n1m,
        n_control_matched=n0m,
        n_treated_unmatched=n1 - n1m,
        n_control_unmatched=n0 - n0m,
        n_unmatched_caliper=int((unmatched_reason == _REASON_CALIPER).sum()),
        n_unmatched_exact=int((unmatched_reason == _REASON_EXACT).sum()),
        n_unmatched_no_control=int((unmatched_reason == _REASON_NO_CONTROL).sum()),
        n_excluded=prep.n_excluded,
        warnings=tuple(warnings),
    )


# ----------------------------------------------------------------------------------------------
# Inverse probability of treatment weighting
# ----------------------------------------------------------------------------------------------


def _iptw_weights(ps, treat, estimand, stabilize):
    p1 = treat.mean()
    if estimand == "ATE":
        w = np.where(treat, 1.0 / ps, 1.0 / (1.0 - ps))
        if stabilize:
            w = w * np.where(treat, p1, 1.0 - p1)
    else:  # ATT: treated 1, controls the odds of treatment
        w = np.where(treat, 1.0, ps / (1.0 - ps))
        if stabilize:
            w = np.where(treat, 1.0, w * (1.0 - p1) / p1)
    return w


def iptw(
    data: pd.DataFrame,
    treatment: str,
    covariates,
    *,
    estimand: str = "ATE",
    stabilize: bool = True,
    trim: float | None = None,
    treated=None,
) -> WeightResult:
    """Inverse probability of treatment weights from a logistic propensity model.

    ATE: 1/p (treated) and 1/(1-p) (controls); ATT: 1 and p/(1-p). ``stabilize`` multiplies by
    the marginal probability of the patient's group (ATE; Robins/Xu), or scales the control
    weights by n_control/n_treated (ATT), so each group's weights sum to about its size.
    ``trim`` (e.g. 0.99) caps the weights at that percentile of the weights (controls only for
    ATT, whose treated weights are 1): winsorising as WeightIt's trim(), with numpy's default
    (linear) percentile. Balance: weighted SMDs over the SD of
    the unweighted sample (pooled for ATE, treated for ATT); Kish effective sample size per group.
    """
    check_choice(estimand, "estimand", ("ATE", "ATT"))
    if trim is not None:
        trim = as_number(trim, f"trim must be a percentile between 0.5 and 1 (e.g. 0.99) or None; got {trim!r}.")
        if not 0.5 < trim < 1:
            raise InputError(f"trim must be a percentile between 0.5 and 1 (e.g. 0.99 = the 99th); got {trim!r}.")
    prep = _prepare(data, treatment, covariates, treated=treated)
    model = _fit_model(prep, treatment, covariates)
    idx = prep.data.index
    treat = prep.treat
    ps = model.propensity.loc[idx].to_numpy()
    w = _iptw_weights(ps, treat, estimand, bool(stabilize))
    n_trimmed = 0
    if trim is not None:
        sel = np.ones(len(w), dtype=bool) if estimand == "ATE" else ~treat
        cap = float(np.quantile(w[sel], trim))
        over = sel & (w > cap)
        n_trimmed = int(over.sum())
        w = np.where(over, cap, w)
    balance = _balance(prep.B, prep.b_names, treat, w, estimand)
    ess_rows = []
    for lab, g in ((prep.control_label, ~treat), (prep.treated_label, treat)):
        sw = float(w[g].sum())
        ess_rows.append((lab, int(g.sum()), sw, sw * sw / float(np.sum(w[g] ** 2))))
    ess = pd.DataFrame(ess_rows, columns=ESS_COLUMNS)
    weights = pd.Series(np.nan, index=prep.index, name="weight", dtype=float)
    weights.loc[idx] = w
    extreme = pd.Series(False, index=prep.index, name="extreme", dtype=bool)
    extreme.loc[idx] = w > EXTREME_WEIGHT
    warnings = list(model.warnings)
    warnings += _overlap_warning(ps, treat, estimand)
    n_ext = int((w > EXTREME_WEIGHT).sum())
    if n_ext:
        warnings.append(
            f"{n_ext} patient(s) have extreme weights (above {EXTREME_WEIGHT:g}): a few patients dominate "
            "the weighted comparison. Consider trimming the weights (e.g. at the 99th percentile) or matching."
        )
    for lab, n_g, _, e in ess_rows:
        if e < 0.5 * n_g:
            warnings.append(
                f"The weighting leaves an effective sample size of {e:.1f} of {n_g} patients in group "
                f"'{lab}': the weighted estimate rests on few patients."
            )
    warnings += _balance_warnings(balance, "weighting")
    return WeightResult(
        treatment=treatment,
        covariates=tuple(covariates),
        treated_label=prep.treated_label,
        control_label=prep.control_label,
        estimand=estimand,
        stabilize=bool(stabilize),
        trim=trim,
        weights=weights,
        propensity=model.propensity.copy(),
        extreme=extreme,
        balance=balance,
        effective_sample_size=ess,
        model=model,
        n_treated=int(treat.sum()),
        n_control=int((~treat).sum()),
        n_trimmed=n_trimmed,
        n_excluded=prep.n_excluded,
        warnings=tuple(warnings),
    )
