"""Diagnostic accuracy of intra-operative fluorescence: 2x2 measures, ROC, learning curve.

R equivalents (tests/r/comparison.R, tests/test_accuracy.py):
- sensitivity, specificity, PPV, NPV, accuracy with exact Clopper-Pearson CIs
  (binom.test; identical to epiR::epi.tests(method = "exact")).
- likelihood ratios with the log-method CI epiR 2.x epi.tests uses (Simel 1991):
  exp(log(LR+) +/- z sqrt((1 - se)/(n_diseased se) + sp/(n_healthy (1 - sp)))), and
  exp(log(LR-) +/- z sqrt(se/(n_diseased (1 - se)) + (1 - sp)/(n_healthy sp))).
- per lesion (``cluster=``): the same estimates; CIs from the cluster-robust
  (sandwich) variance of each proportion on the logit scale = intercept-only
  logistic GEE, independence working correlation (geepack::geeglm, "san.se");
  LR CIs by the delta method with the cluster-robust covariance of se and sp.
- roc_analysis: pROC::roc (direction "auto": "<" when the controls' median is <=
  the cases' median), AUC, ci.auc(method = "delong"), coords(roc, "all")
  thresholds (-Inf, midpoints between distinct values, +Inf).
- roc_test: pROC::roc.test(roc1, roc2, method = "delong", paired = TRUE).
- learning_curve OR: Wald interval of a logistic fit (glm(event ~ early); exp of
  confint.default), with fisher.test's conditional OR beside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ._lazy import stats

from . import _htests as H
from .._checks import as_numeric, complete_cases, require_columns, require_frame
from ..errors import InputError, InsufficientDataError
from .groups import numeric_columns
from .proportions import _as_event, _robust_logit_ci

__all__ = [
    "ACCURACY_COLUMNS", "MEASURES", "ConfusionMatrix", "confusion_matrix", "diagnostic_accuracy", "ROCResult",
    "roc_analysis", "INVOLVED", "fluorescence_columns", "truth_positive", "score_columns",
    "patient_truth_table", "ROCComparison", "roc_test", "LEARNING_COLUMNS", "LearningCurve", "procedure_number",
    "learning_curve", "learning_curve_accuracy", "patient_level",
]

ACCURACY_COLUMNS = ["measure", "estimate", "ci_lower", "ci_upper"]
MEASURES = ("sensitivity", "specificity", "ppv", "npv", "accuracy", "lr_positive", "lr_negative")


@dataclass(frozen=True)
class ConfusionMatrix:
    """The 2x2 table of a yes/no test against the truth."""

    tp: int
    fp: int
    fn: int
    tn: int
    n_excluded: int
    clusters: int  # number of distinct clusters (patients), = n without clustering

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn

    @property
    def table(self) -> pd.DataFrame:
        """[test, truth_positive, truth_negative, total] for display and export."""
        return pd.DataFrame(
            [("positive", self.tp, self.fp, self.tp + self.fp),
             ("negative", self.fn, self.tn, self.fn + self.tn),
             ("total", self.tp + self.fn, self.fp + self.tn, self.n)],
            columns=["test", "truth_positive", "truth_negative", "total"],
        )


def _prepare(data, test, truth, cluster, positive=None):
    require_frame(data)
    require_columns(data, [test, truth, cluster])
    used, n_excluded = complete_cases(data, [c for c in (test, truth, cluster) if c is not None])
    if len(used) == 0:
        raise InsufficientDataError(f"No row has both '{test}' and '{truth}' recorded.")
    t = _as_event(used[test], None)
    d = _as_event(used[truth], positive)
    cl = pd.factorize(used[cluster].astype(str))[0] if cluster else np.arange(len(used))
    return t, d, cl, n_excluded


def confusion_matrix(
    data: pd.DataFrame, test: str, truth: str, *, cluster: str | None = None, positive=None
) -> ConfusionMatrix:
    """Counts of true/false positives/negatives (rows with a missing value counted in n_excluded).

    ``positive``: value(s) of ``truth`` that count as disease (e.g. ["R1", "R2"]) when
    ``truth`` is not a yes/no column.
    """
    t, d, cl, n_excluded = _prepare(data, test, truth, cluster, positive)
    return ConfusionMatrix(
        tp=int(np.sum((t == 1) & (d == 1))), fp=int(np.sum((t == 1) & (d == 0))),
        fn=int(np.sum((t == 0) & (d == 1))), tn=int(np.sum((t == 0) & (d == 0))),
        n_excluded=int(n_excluded), clusters=int(len(np.unique(cl))),
    )


def diagnostic_accuracy(
    data: pd.DataFrame, test: str, truth: str, *, cluster: str | None = None, positive=None,
    conf_level: float = 0.95,
) -> pd.DataFrame:
    """Sensitivity, specificity, PPV, NPV, accuracy and likelihood ratios with CIs.

    Returns a DataFrame [measure, estimate, ci_lower, ci_upper] with the measures
    sensitivity, specificity, ppv, npv, accuracy, lr_positive, lr_negative
    (proportions as 0-1).  Without ``cluster``: exact Clopper-Pearson CIs (as
    binom.test / epiR::epi.tests(method="exact")) and epiR's log-method LR CIs.
    With ``cluster`` (e.g. "patient_id" for a lesion table): cluster-robust CIs
    (see the module notes).  ``positive``: value(s) of ``truth`` meaning disease, when
    it is not yes/no.  ``.attrs["n_excluded"]``: rows left out for missing values; counts:
    :func:`confusion_matrix`.
    """
    t, d, cl, n_excluded = _prepare(data, test, truth, cluster, positive)
    if d.sum() == 0 or d.sum() == len(d):
        raise InsufficientDataError(
            f"'{truth}' is the same for every row: accuracy needs both positive and negative cases."
        )
    z = H._z(conf_level)
    # (measure, subset mask, indicator of "correct" within it)
    parts = [
        ("sensitivity", d == 1, t == 1),
        ("specificity", d == 0, t == 0),
        ("ppv", t == 1, d == 1),
        ("npv", t == 0, d == 0),
        ("accuracy", np.ones(len(t), bool), t == d),
    ]
    rows = []
    infl = {}
    for name, mask, hit in parts:
        y = hit[mask].astype(float)
        n = len(y)
        if n == 0:
            rows.append((name, np.nan, np.nan, np.nan))
            continue
        est = y.mean()
        if cluster is None:
            lo, hi = H.clopper_pearson(y.sum(), n, conf_level)
        else:
            _, _, lo, hi = _robust_logit_ci(y, pd.factorize(cl[mask])[0], z)
        rows.append((name, est, lo, hi))
        # influence of each cluster on the proportion (for the LR delta method)
        infl[name] = np.bincount(cl[mask], weights=(y - est) / n, minlength=cl.max() + 1)
    se = rows[0][1]
    sp = rows[1][1]
    m1, m0 = int(d.sum()), int((d == 0).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        lrp = se / (1 - sp)
        lrn = (1 - se) / sp
        if cluster is None:
            v_p = (1 - se) / (m1 * se) + sp / (m0 * (1 - sp))
            v_n = se / (m1 * (1 - se)) + (1 - sp) / (m0 * sp)
        else:
            u_se, u_sp = infl["sensitivity"], infl["specificity"]
            var_se, var_sp, cov = np.sum(u_se**2), np.sum(u_sp**2), np.sum(u_se * u_sp)
            v_p = var_se / se**2 + var_sp / (1 - sp) ** 2 + 2 * cov / (se * (1 - sp))
            v_n = var_se / (1 - se) ** 2 + var_sp / sp**2 + 2 * cov / ((1 - se) * sp)
        for name, lr, v in (("lr_positive", lrp, v_p), ("lr_negative", lrn, v_n)):
            if np.isfinite(lr) and lr > 0 and np.isfinite(v):
                rows.append((name, float(lr), float(np.exp(np.log(lr) - z * np.sqrt(v))),
                             float(np.exp(np.log(lr) + z * np.sqrt(v)))))
            else:
                rows.append((name, float(lr) if np.isfinite(lr) else np.nan, np.nan, np.nan))
    out = pd.DataFrame(rows, columns=ACCURACY_COLUMNS)
    out.attrs["n_excluded"] = int(n_excluded)  # rows left out for missing values (DESIGN.md)
    return out


# ----------------------------------------------------------------------------- ROC
@dataclass(frozen=True)
class ROCResult:
    """ROC analysis of a continuous or ordinal score against a yes/no truth (as pROC)."""

    auc: float
    ci_lower: float
    ci_upper: float
    std_err: float
    direction: str  # "<": higher scores in cases; ">": lower scores in cases
    curve: pd.DataFrame  # [threshold, sensitivity, specificity]
    n_cases: int
    n_controls: int
    n_excluded: int
    score: str
    truth: str


def _roc_parts(x: np.ndarray, d: np.ndarray, direction: str):
    cases, controls = x[d == 1], x[d == 0]
    if direction == "auto":
        direction = "<" if np.median(controls) <= np.median(cases) else ">"
    if direction == ">":
        cases, controls = -cases, -controls
    # psi(case, control): 1 if case > control, 0.5 if equal; DeLong's placement values are
    # its row and column means, counted by binary search in the sorted scores (O(n log n),
    # no m x n matrix).  The counts are whole and half numbers, so the sums are exact.
    m, n = cases.size, controls.size
    sc, sk = np.sort(cases), np.sort(controls)
    below = np.searchsorted(sk, cases, side="left")  # controls below each case
    tied = np.searchsorted(sk, cases, side="right") - below
    row = below + 0.5 * tied  # sum over controls of psi, per case
    above = m - np.searchsorted(sc, controls, side="right")  # cases above each control
    tied = np.searchsorted(sc, controls, side="right") - np.searchsorted(sc, controls, side="left")
    col = above + 0.5 * tied  # sum over cases of psi, per control
    return direction, float(row.sum() / (m * n)), row / n, col / m


def roc_analysis(
    data: pd.DataFrame, score: str, truth: str, *, direction: str = "auto", positive=None,
    conf_level: float = 0.95,
) -> ROCResult:
    """AUC with DeLong CI, and the ROC curve, as pROC::roc / ci.auc(method = "delong") / coords.

    ``truth`` is yes/no (True = case).  ``direction`` "auto" (pROC's rule), "<" (higher
    scores mean disease) or ">".  ``curve`` has one row per threshold: -Inf,
    midpoints between consecutive distinct scores, +Inf, in increasing order (as
    coords(roc, "all") for "<"); a case is "positive" when its score is above the
    threshold ("<") or below it (">").
    """
    require_frame(data)
    require_columns(data, [score, truth])
    if direction not in ("auto", "<", ">"):
        raise InputError(f"direction must be 'auto', '<' or '>'; got {direction!r}.")
    used, n_excluded = complete_cases(data, [score, truth])
    x = as_numeric(used[score], "score")
    d = _as_event(used[truth], positive)
    m, n = int(d.sum()), int((d == 0).sum())
    if m == 0 or n == 0:
        raise InsufficientDataError(
            f"ROC analysis needs both cases and controls in '{truth}' (found {m} cases, {n} controls)."
        )
    direction, auc, v10, v01 = _roc_parts(x, d, direction)
    # DeLong's variance is a sample variance of the cases' and of the controls' placement
    # values: with a single case or a single control it is undefined, and pROC's ci.auc gives
    # NaN.  So do we (a zero for the missing term made a too-narrow, even zero-width, CI).
    if m > 1 and n > 1:
        se = float(np.sqrt(v10.var(ddof=1) / m + v01.var(ddof=1) / n))
        z = H._z(conf_level)
        lo, hi = max(0.0, auc - z * se), min(1.0, auc + z * se)
    else:
        se = lo = hi = float("nan")
    u = np.unique(x)
    thr = np.concatenate([[-np.inf], (u[:-1] + u[1:]) / 2, [np.inf]])
    cases, controls = np.sort(x[d == 1]), np.sort(x[d == 0])
    if direction == "<":
        sens = 1 - np.searchsorted(cases, thr, side="left") / m  # cases > thr (thr never a value)
        spec = np.searchsorted(controls, thr, side="left") / n
    else:
        sens = np.searchsorted(cases, thr, side="left") / m
        spec = 1 - np.searchsorted(controls, thr, side="left") / n
    if direction == ">":
        # ">": the test is positive below the threshold; pROC lists these thresholds decreasing
        thr, sens, spec = thr[::-1], sens[::-1], spec[::-1]
    curve = pd.DataFrame({"threshold": thr, "sensitivity": sens, "specificity": spec})
    return ROCResult(auc, lo, hi, se, direction, curve, m, n, int(n_excluded), score, truth)


@dataclass(frozen=True)
class ROCComparison:
    """DeLong's test for two correlated ROC curves (the same patients)."""

    auc1: float
    auc2: float
    difference: float
    statistic: float
    p_value: float
    direction1: str
    direction2: str
    n_excluded: int
    test: str = "DeLong's test for two correlated ROC curves"


def roc_test(data: pd.DataFrame, score1: str, score2: str, truth: str, *, positive=None) -> ROCComparison:
    """Paired DeLong test, as pROC::roc.test(roc(truth, s1), roc(truth, s2), method = "delong").

    Each curve keeps its own automatic direction (as pROC).  Rows missing either
    score or the truth are left out of both curves (n_excluded).
    """
    require_frame(data)
    require_columns(data, [score1, score2, truth])
    used, n_excluded = complete_cases(data, [score1, score2, truth])
    d = _as_event(used[truth], positive)
    m, n = int(d.sum()), int((d == 0).sum())
    if m < 2 or n < 2:
        raise InsufficientDataError("Comparing ROC curves needs at least 2 cases and 2 controls.")
    d1, a1, v10a, v01a = _roc_parts(as_numeric(used[score1], "score"), d, "auto")
    d2, a2, v10b, v01b = _roc_parts(as_numeric(used[score2], "score"), d, "auto")
    s10 = np.cov(np.vstack([v10a, v10b]))
    s01 = np.cov(np.vstack([v01a, v01b]))
    s = s10 / m + s01 / n
    var = s[0, 0] + s[1, 1] - 2 * s[0, 1]
    zstat = (a1 - a2) / np.sqrt(var) if var > 0 else np.nan
    p = float(2 * stats.norm.sf(abs(zstat))) if np.isfinite(zstat) else np.nan
    return ROCComparison(a1, a2, a1 - a2, float(zstat), p, d1, d2, int(n_excluded))


# ----------------------------------------------------------------------------- learning curve
LEARNING_COLUMNS = ["centre", "procedure", "n", "events", "rate", "cumulative_events", "cumulative_n",
                    "cumulative_rate"]


@dataclass(frozen=True)
class LearningCurve:
    """An event (false positive, correct call) over a centre's consecutive procedures."""

    curve: pd.DataFrame  # [centre, procedure, n, events, rate, cumulative_events, cumulative_n, cumulative_rate]
    first_n: int
    odds_ratio: float  # first_n procedures vs later; Wald (logistic regression)
    or_ci_lower: float
    or_ci_upper: float
    p_value: float
    fisher_odds_ratio: float  # fisher.test conditional MLE, exact CI and p
    fisher_ci_lower: float
    fisher_ci_upper: float
    fisher_p_value: float
    events_early: int
    n_early: int
    events_late: int
    n_late: int
    n_excluded: int


def procedure_number(data: pd.DataFrame, order: str, centre: str | None = None) -> pd.Series:
    """Consecutive procedure number (1, 2, ...) within each centre, in the order of ``order``.

    Rows with the same ``order`` value (e.g. lesions of one operation, same date and
    patient) share a number; missing order gives a missing number.
    """
    require_frame(data)
    require_columns(data, [order, centre])
    key = data[order]
    if centre is None:
        out = key.rank(method="dense")
    else:
        out = key.groupby(data[centre].astype(str)).rank(method="dense")
    return out.astype("Int64").rename("procedure_number")


def learning_curve(
    data: pd.DataFrame, outcome: str, procedure: str, *, centre: str | None = None, first_n: int = 10,
    conf_level: float = 0.95,
) -> LearningCurve:
    """Rate of ``outcome`` (yes/no, e.g. a false-positive call) over procedure number.

    ``procedure``: consecutive procedure number within the centre (see
    procedure_number()); rows are lesions or patients.  ``curve`` has, per centre
    ("all" without ``centre``) and procedure, the rows, events, the rate and the
    cumulative rate.  The odds ratio compares the first ``first_n`` procedures of
    each centre with the later ones: Wald CI of a logistic regression
    (glm(outcome ~ early, binomial); exp(confint.default())), and fisher.test's
    conditional OR with its exact CI beside it.
    """
    require_frame(data)
    require_columns(data, [outcome, procedure, centre])
    if not isinstance(first_n, (int, np.integer)) or first_n < 1:
        raise InputError(f"first_n must be a whole number of procedures (1 or more); got {first_n!r}.")
    used, n_excluded = complete_cases(data, [c for c in (outcome, procedure, centre) if c is not None])
    if len(used) == 0:
        raise InsufficientDataError(f"No row has '{outcome}' and '{procedure}' recorded.")
    y = _as_event(used[outcome], None)
    proc = as_numeric(used[procedure], "procedure number")
    cen = used[centre].astype(str).to_numpy() if centre else np.full(len(used), "all", dtype=object)
    frame = pd.DataFrame({"centre": cen, "procedure": proc, "y": y})
    g = frame.groupby(["centre", "procedure"], sort=True).agg(n=("y", "size"), events=("y", "sum")).reset_index()
    g["rate"] = g["events"] / g["n"]
    g["cumulative_events"] = g.groupby("centre")["events"].cumsum()
    g["cumulative_n"] = g.groupby("centre")["n"].cumsum()
    g["cumulative_rate"] = g["cumulative_events"] / g["cumulative_n"]
    g["n"] = g["n"].astype(int)
    g["events"] = g["events"].astype(int)
    curve = g[LEARNING_COLUMNS]
    early = proc <= first_n
    a, b = int(y[early].sum()), int(early.sum() - y[early].sum())
    c, dd = int(y[~early].sum()), int((~early).sum() - y[~early].sum())
    orr = lo = hi = pw = np.nan
    f_or = f_lo = f_hi = f_p = np.nan
    if early.any() and (~early).any():
        z = H._z(conf_level)
        if min(a, b, c, dd) > 0:
            lor = np.log(a * dd / (b * c))
            se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / dd)
            orr, lo, hi = np.exp(lor), np.exp(lor - z * se), np.exp(lor + z * se)
            pw = float(2 * stats.norm.sf(abs(lor / se)))
        f_p, f_or, f_lo, f_hi = H.fisher_2x2(np.array([[a, b], [c, dd]]), conf_level)
    return LearningCurve(curve, int(first_n), float(orr), float(lo), float(hi), float(pw),
                         f_or, f_lo, f_hi, f_p, a, a + b, c, c + dd, int(n_excluded))


def learning_curve_accuracy(
    data: pd.DataFrame, test: str, truth: str, procedure: str, *, measure: str = "false_positive_rate",
    centre: str | None = None, first_n: int = 10, positive=None, conf_level: float = 0.95,
) -> LearningCurve:
    """Learning curve of a test's performance over consecutive procedures.

    ``measure``: "false_positive_rate" (FP / (FP + TN): among units without the
    disease, the share called positive) or "accuracy" ((TP + TN) / all).  Rows
    missing the test or truth are left out (n_excluded); see learning_curve() for
    the curve and the odds ratio of the first ``first_n`` procedures vs later.
    """
    require_frame(data)
    require_columns(data, [test, truth, procedure, centre])
    if measure not in ("false_positive_rate", "accuracy"):
        raise InputError(f"measure must be 'false_positive_rate' or 'accuracy'; got {measure!r}.")
    used, n_excluded = complete_cases(data, [test, truth])
    t = _as_event(used[test], None)
    d = _as_event(used[truth], positive)
    if measure == "false_positive_rate":
        keep = d == 0
        y = t[keep]
    else:
        keep = np.ones(len(d), bool)
        y = (t == d).astype(int)
    if not keep.any():
        raise InsufficientDataError("No unit without the disease: the false-positive rate is not defined.")
    frame = used.loc[keep, [c for c in (procedure, centre) if c is not None]].assign(_outcome=y)
    res = learning_curve(frame, "_outcome", procedure, centre=centre, first_n=first_n, conf_level=conf_level)
    return LearningCurve(**{**res.__dict__, "n_excluded": res.n_excluded + int(n_excluded)})


def patient_level(data: pd.DataFrame, columns: list[str], *, cluster: str = "patient_id") -> pd.DataFrame:
    """One row per patient from a lesion table: a yes/no column is "yes" when any lesion is.

    Other columns keep the first lesion's value.  Missing values are ignored within a
    patient (a patient with no recorded value stays missing).  Columns: cluster, then
    ``columns``.
    """
    require_frame(data)
    cols = require_columns(data, [cluster, *columns])
    out = {}
    grouped = data[cols].groupby(data[cluster].astype(str), sort=False)
    for c in columns:
        s = data[c]
        if pd.api.types.is_bool_dtype(s):
            out[c] = grouped[c].agg(lambda v: bool(v.dropna().astype(bool).any()) if v.notna().any() else pd.NA)
            out[c] = out[c].astype("boolean")
        else:
            out[c] = grouped[c].first()
    res = pd.DataFrame(out)
    res.index.name = cluster
    return res.reset_index()


# ---------------------------------------------------------------- choosing test, truth and unit
#: a margin-status truth counts R1 and R2 as involved
INVOLVED = ("R1", "R2")
BEFORE_RERESECTION = "margin_status_before_reresection"


def _yes_no(table: pd.DataFrame, c: str) -> bool:
    s = table[c]
    return bool(s.notna().any() and s.nunique(dropna=True) == 2 and (
        pd.api.types.is_bool_dtype(s) or set(map(str, s.dropna().unique())) <= {"0", "1"}))


def fluorescence_columns(table: pd.DataFrame) -> tuple[list[str], list[str], str | None]:
    """(tests, truths, default truth) for the accuracy of fluorescence: yes/no fluorescence columns;
    margin-status columns (and yes/no R1/histology columns) as the truth; the margin before
    re-resection of fluorescent tissue as the default truth where recorded (the paper's question)."""
    require_frame(table)
    tests = [c for c in table.columns if _yes_no(table, c) and ("fluorescen" in c.lower() or c == "icg_positive")]
    truths = [c for c in table.columns if c.startswith("margin_status") and table[c].notna().any()]
    truths += [c for c in table.columns if c not in tests and _yes_no(table, c) and c.startswith(("r1", "histolog"))]
    default = BEFORE_RERESECTION if BEFORE_RERESECTION in truths else (truths[0] if truths else None)
    return tests, truths, default


def truth_positive(truth: str) -> list[str] | None:
    """The values of a truth column that mean 'involved': R1/R2 for margin status, None (True) for yes/no."""
    return list(INVOLVED) if "margin_status" in truth else None


def score_columns(table: pd.DataFrame, exclude=()) -> list[str]:
    """Numeric columns that grade fluorescence (a score, an intensity or a signal ratio)."""
    return [c for c in numeric_columns(table) if c not in set(exclude) and c != "procedure_number"
            and any(w in c.lower() for w in ("score", "intensity", "ratio"))]


def patient_truth_table(table: pd.DataFrame, test: str, truth: str, *, cluster: str = "patient_id") -> pd.DataFrame:
    """One row per patient from a lesion table: fluorescence seen at any lesion's margin (``test``)
    and an involved margin at any lesion (``truth_involved``): the per-patient question."""
    positive = truth_positive(truth)
    if positive:
        involved = table[truth].astype("string").isin(positive).astype("boolean").where(table[truth].notna(), pd.NA)
    else:
        involved = table[truth].astype("boolean")
    return patient_level(table.assign(truth_involved=involved), [test, "truth_involved"], cluster=cluster)
