"""Rates and their comparison: margins, complications, recurrence, paired before/after.

R equivalents (tests/r/comparison.R, tests/test_proportions.py):
- rate CIs: "wilson" = prop.test(x, n, correct=FALSE)$conf.int (Wilson score, no
  continuity correction); "exact" = binom.test(x, n)$conf.int (Clopper-Pearson).
- test "auto": Fisher's exact when an expected count is below 5, else chi-square
  (chisq.test, Yates-corrected for a 2x2 table as R's default correct=TRUE).
- odds ratio: fisher.test's conditional MLE and its exact CI, for the event in the
  second group vs the first (the reference), i.e.
  fisher.test(table(factor(group, levels = c(second, first)), factor(event, c(TRUE, FALSE)))).
- risk difference: rate(second) - rate(first) with Newcombe's hybrid score interval
  (Newcombe 1998, method 10; from the two Wilson intervals), not the Wald interval.
- McNemar: mcnemar.test, correct=TRUE by default as in R.
- Clustered (lesion-level) rates: logistic GEE on the intercept with a working
  correlation ("independence" default, or "exchangeable") and the robust sandwich
  variance without small-sample correction (geepack::geeglm, std.err = "san.se");
  CI on the logit scale, back-transformed.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ._lazy import stats

from . import _htests as H
from .._checks import (
    as_number,
    check_choice,
    group_codes,
    require_columns,
    require_complete,
    require_frame,
)
from ..schema import NO_VALUES, YES_VALUES
from ..errors import InputError, InvalidValueError
from ..schema import CLAVIEN_DINDO

__all__ = [
    "RATE_COLUMNS", "DISTRIBUTION_COLUMNS", "RateComparison", "compare_rates", "DistributionComparison",
    "compare_distribution", "margin_r1", "major_morbidity", "COMPLICATION_COLUMNS", "ComplicationSummary",
    "complication_summary", "recurrence_pattern", "PairedComparison", "paired_change", "CLUSTERED_COLUMNS",
    "ClusteredRates", "clustered_rates", "MARGIN_SUMMARY_COLUMNS", "MarginDistribution",
    "margin_distribution", "join_patient_columns",
]

RATE_COLUMNS = ["group", "n", "events", "rate", "ci_lower", "ci_upper"]
DISTRIBUTION_COLUMNS = ["group", "level", "n", "count", "percent", "ci_lower", "ci_upper"]


# ----------------------------------------------------------------------------- helpers
def _as_event(series: pd.Series, event) -> np.ndarray:
    """0/1 per row (non-missing rows only) for the outcome column."""
    name = series.name
    if event is not None:
        events = event if isinstance(event, (list, tuple, set, frozenset)) else [event]
        keys = {str(e) for e in events}
        return series.astype(str).isin(keys).to_numpy().astype(int)
    if pd.api.types.is_bool_dtype(series):
        return series.astype(bool).to_numpy().astype(int)
    values = pd.unique(series)
    if pd.api.types.is_numeric_dtype(series) and set(np.asarray(values, dtype=float)) <= {0.0, 1.0}:
        return series.to_numpy(dtype=float).astype(int)
    text = series.astype(str).str.strip().str.lower()
    if set(text.unique()) <= YES_VALUES | NO_VALUES:
        return text.isin(YES_VALUES).to_numpy().astype(int)
    raise InvalidValueError(
        f"The outcome column '{name}' must be yes/no (True/False or 0/1); it holds "
        f"{', '.join(map(str, list(values)[:5]))}. Choose which value counts as the event "
        f"(event=...), or compare the whole distribution with compare_distribution()."
    )


def _groups(data: pd.DataFrame, group: str | None) -> tuple[np.ndarray, list[str]]:
    if group is None:
        return np.zeros(len(data), dtype=int), ["all"]
    return group_codes(data[group])


def _prepare(data, outcome: str, group: str | None, test: str, ci_method: str, empty: str):
    """Validate an outcome-by-group comparison; the complete rows and how many were left out
    (InsufficientDataError ``empty`` when none is complete)."""
    require_frame(data)
    require_columns(data, [outcome, group])
    check_choice(test, "test", ("auto", "fisher", "chi-square"))
    check_choice(ci_method, "ci_method", ("wilson", "exact"))
    return require_complete(data, [c for c in (outcome, group) if c is not None], empty)


# ----------------------------------------------------------------------------- compare_rates
@dataclass(frozen=True)
class RateComparison:
    """Event rates by group, the test comparing them, OR and risk difference (2 groups)."""

    table: pd.DataFrame  # [group, n, events, rate, ci_lower, ci_upper]
    test: str
    statistic: float
    df: float
    p_value: float
    odds_ratio: float
    or_ci_lower: float
    or_ci_upper: float
    risk_difference: float
    rd_ci_lower: float
    rd_ci_upper: float
    outcome: str
    group: str | None
    ci_method: str
    n_excluded: int


def compare_rates(
    data: pd.DataFrame,
    outcome: str,
    group: str | None = None,
    *,
    test: str = "auto",
    ci_method: str = "wilson",
    event=None,
    conf_level: float = 0.95,
) -> RateComparison:
    """Event rate (e.g. R1 margin, major morbidity) per group, with CIs and a test.

    ``outcome`` is a yes/no column, or any column with ``event`` naming the value(s)
    that count as the event (e.g. ``event=["R1", "R2"]``).  ``test``: "auto"
    (Fisher's exact when an expected count is below 5, else chi-square with Yates'
    correction for 2x2), "fisher" or "chi-square".  ``ci_method``: "wilson" (default)
    or "exact" (Clopper-Pearson).  With two groups: odds ratio (fisher.test's
    conditional MLE, exact CI) and risk difference (Newcombe) of the second group vs
    the first; NaN otherwise.  Rows with a missing outcome or group are counted in
    ``n_excluded``.
    """
    used, n_excluded = _prepare(data, outcome, group, test, ci_method,
                                f"No patient has both '{outcome}' and '{group}' recorded.")
    y = _as_event(used[outcome], event)
    codes, labels = _groups(used, group)
    return _compare_rates_fit(y, codes, labels, test, ci_method, conf_level, outcome, group, n_excluded)


def _compare_rates_fit(y, codes, labels, test, ci_method, conf_level, outcome, group, n_excluded):
    k = len(labels)
    n = np.bincount(codes, minlength=k)
    ev = np.bincount(codes, weights=y, minlength=k).astype(int)
    rows = []
    for i, lab in enumerate(labels):
        lo, hi = H.proportion_ci(ev[i], n[i], ci_method, conf_level)
        rows.append((lab, int(n[i]), int(ev[i]), ev[i] / n[i] if n[i] else np.nan, lo, hi))
    table = pd.DataFrame(rows, columns=RATE_COLUMNS)
    counts = np.column_stack([ev, n - ev])
    if k >= 2:
        res = H.contingency_test(counts, test)
    else:
        res = H.TestResult("no test (a single group)", np.nan, np.nan, np.nan)
    orr = or_lo = or_hi = rd = rd_lo = rd_hi = np.nan
    if k == 2 and n.min() > 0:
        _, orr, or_lo, or_hi = H.fisher_2x2(counts[::-1], conf_level)
        rd, rd_lo, rd_hi = H.newcombe(ev[0], n[0], ev[1], n[1], conf_level)
    return RateComparison(
        table=table, test=res.name, statistic=res.statistic, df=res.df, p_value=res.p_value,
        odds_ratio=orr, or_ci_lower=or_lo, or_ci_upper=or_hi,
        risk_difference=float(rd), rd_ci_lower=float(rd_lo), rd_ci_upper=float(rd_hi),
        outcome=outcome, group=group, ci_method=ci_method, n_excluded=int(n_excluded),
    )


# ----------------------------------------------------------------------------- distributions
@dataclass(frozen=True)
class DistributionComparison:
    """A multi-level outcome (R0/R1/R2, Clavien-Dindo, recurrence site) by group."""

    table: pd.DataFrame  # [group, level, n, count, percent, ci_lower, ci_upper]
    test: str
    statistic: float
    df: float
    p_value: float
    outcome: str
    group: str | None
    n_excluded: int


def compare_distribution(
    data: pd.DataFrame,
    outcome: str,
    group: str | None = None,
    *,
    test: str = "auto",
    ci_method: str = "wilson",
    conf_level: float = 0.95,
) -> DistributionComparison:
    """Counts and percentages of every level of ``outcome`` per group, with a k x m test.

    Levels keep the column's order (categories of a Categorical, all of them, also
    those with no patient).  ``percent`` is 0-100 of the group's non-missing
    patients, with a CI per level (Wilson or exact).  Test: Fisher's exact r x c
    (fisher.test) when an expected count is below 5, else chi-square (chisq.test);
    levels no patient has are left out of the test.
    """
    used, n_excluded = _prepare(data, outcome, group, test, ci_method, f"No patient has '{outcome}' recorded.")
    s = used[outcome]
    if isinstance(s.dtype, pd.CategoricalDtype):
        levels = [str(c) for c in s.cat.categories]
    else:
        _, levels = group_codes(s)
    lvl_index = {lev: i for i, lev in enumerate(levels)}
    ycode = s.astype(str).map(lvl_index).to_numpy().astype(int)
    codes, labels = _groups(used, group)
    counts = np.zeros((len(labels), len(levels)), dtype=int)
    np.add.at(counts, (codes, ycode), 1)
    rows = []
    for g, lab in enumerate(labels):
        n = int(counts[g].sum())
        for j, lev in enumerate(levels):
            lo, hi = H.proportion_ci(counts[g, j], n, ci_method, conf_level)
            rows.append((lab, lev, n, int(counts[g, j]), 100 * counts[g, j] / n if n else np.nan,
                         100 * lo, 100 * hi))
    table = pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS)
    if len(labels) >= 2:
        res = H.contingency_test(counts, test)
    else:
        res = H.TestResult("no test (a single group)", np.nan, np.nan, np.nan)
    return DistributionComparison(table, res.name, res.statistic, res.df, res.p_value, outcome, group,
                                  int(n_excluded))


# ----------------------------------------------------------------------------- derived outcomes
def margin_r1(data: pd.DataFrame, column: str = "margin_mm", *, threshold: float = 1.0) -> pd.Series:
    """R1 by distance: True when the closest margin is below ``threshold`` mm (default 1 mm).

    A boolean Series indexed like ``data`` (pandas "boolean", missing where the
    distance is missing).  0 mm (tumour at the margin) is R1.
    """
    require_frame(data)
    require_columns(data, [column])
    threshold = as_number(threshold, f"The margin threshold must be a number of millimetres; got {threshold!r}.")
    if threshold <= 0:
        raise InputError("The margin threshold must be above 0 mm (e.g. 1 mm).")
    mm = pd.to_numeric(data[column], errors="coerce")
    if (mm < 0).any():
        raise InvalidValueError(f"The margin column '{column}' has negative distances; check the values.")
    out = (mm < threshold).astype("boolean")
    out[mm.isna()] = pd.NA
    out.name = f"r1_below_{threshold:g}mm"
    return out


def major_morbidity(data: pd.DataFrame, column: str = "clavien_dindo", *, from_grade: str = "IIIa") -> pd.Series:
    """True when the Clavien-Dindo grade is ``from_grade`` (default IIIa) or worse; missing kept."""
    require_frame(data)
    require_columns(data, [column])
    check_choice(from_grade, "from_grade", CLAVIEN_DINDO)
    s = data[column].astype("string").str.strip()
    bad = s.notna() & ~s.isin(CLAVIEN_DINDO)
    if bad.any():
        raise InvalidValueError(
            f"The Clavien-Dindo column '{column}' holds {s[bad].iloc[0]!r}; expected one of "
            f"{', '.join(CLAVIEN_DINDO)}."
        )
    rank = s.map({g: i for i, g in enumerate(CLAVIEN_DINDO)})
    out = (rank >= CLAVIEN_DINDO.index(from_grade)).astype("boolean")
    out[s.isna()] = pd.NA
    out.name = f"clavien_dindo_{from_grade}_or_worse"
    return out


COMPLICATION_COLUMNS = ["outcome", "group", "n", "events", "rate", "ci_lower", "ci_upper", "test", "p_value"]


@dataclass(frozen=True)
class ComplicationSummary:
    """Complication and recurrence rates by group, each with its test."""

    table: pd.DataFrame  # [outcome, group, n, events, rate, ci_lower, ci_upper, test, p_value]
    clavien_dindo: DistributionComparison | None
    recurrence_pattern: DistributionComparison | None
    missing: tuple[str, ...]  # outcomes not shown because their column is absent


_COMPLICATIONS = (
    ("Any complication (Clavien-Dindo I or worse)", "clavien_dindo", "I"),
    ("Major morbidity (Clavien-Dindo IIIa or worse)", "clavien_dindo", "IIIa"),
    ("90-day mortality", "mortality_90d", None),
    ("Bile leak", "bile_leak", None),
    ("Recurrence", "recurrence", None),
)


def complication_summary(
    data: pd.DataFrame, group: str | None = None, *, test: str = "auto", ci_method: str = "wilson"
) -> ComplicationSummary:
    """Rates of the standard outcomes of a liver-surgery paper by group.

    Uses the canonical columns that are present: clavien_dindo (any complication,
    major morbidity >= IIIa, and the whole distribution), mortality_90d, bile_leak,
    recurrence, and recurrence_site among patients with a recurrence (pattern).
    Each rate row repeats the outcome's test and p-value (compare_rates).
    """
    require_frame(data)
    require_columns(data, [group])
    parts, missing = [], []
    for label, column, grade in _COMPLICATIONS:
        if column not in data.columns:
            missing.append(label)
            continue
        if grade is not None:
            derived = data.assign(_outcome=major_morbidity(data, column, from_grade=grade))
            res = compare_rates(derived, "_outcome", group, test=test, ci_method=ci_method)
        else:
            res = compare_rates(data, column, group, test=test, ci_method=ci_method)
        t = res.table.assign(outcome=label, test=res.test, p_value=res.p_value)
        parts.append(t[COMPLICATION_COLUMNS])
    table = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COMPLICATION_COLUMNS)
    cd = compare_distribution(data, "clavien_dindo", group, test=test, ci_method=ci_method) \
        if "clavien_dindo" in data.columns and data["clavien_dindo"].notna().any() else None
    pattern = recurrence_pattern(data, group, test=test, ci_method=ci_method) \
        if {"recurrence", "recurrence_site"} <= set(data.columns) else None
    return ComplicationSummary(table, cd, pattern, tuple(missing))


def recurrence_pattern(
    data: pd.DataFrame, group: str | None = None, *, recurrence: str = "recurrence",
    site: str = "recurrence_site", test: str = "auto", ci_method: str = "wilson",
) -> DistributionComparison | None:
    """Site of recurrence (intrahepatic / extrahepatic / both) among patients who recurred."""
    require_frame(data)
    require_columns(data, [recurrence, site, group])
    rec = data[recurrence]
    mask = rec.fillna(False).astype(bool).to_numpy()
    if not mask.any():
        return None
    return compare_distribution(data.loc[mask], site, group, test=test, ci_method=ci_method)


# ----------------------------------------------------------------------------- paired
@dataclass(frozen=True)
class PairedComparison:
    """A yes/no outcome measured twice on the same patients or lesions (McNemar)."""

    table: pd.DataFrame  # [before, after, n]  (2x2 counts, long form)
    n: int
    rate_before: float
    rate_after: float
    ci_before: tuple[float, float]
    ci_after: tuple[float, float]
    n_changed: int
    share_changed: float  # before != after, of n
    changed_ci: tuple[float, float]
    test: str
    statistic: float
    df: float
    p_value: float
    n_excluded: int


def paired_change(
    data: pd.DataFrame, before: str, after: str, *, correct: bool = True, ci_method: str = "wilson",
    event=None, conf_level: float = 0.95,
) -> PairedComparison:
    """Before/after on the same units, e.g. R0 before vs after re-resection of fluorescent tissue.

    McNemar's test as mcnemar.test(table(before, after), correct = correct) (R's
    default correct=TRUE); rates before and after with CIs; the number and share of
    units whose status changed (e.g. whose surgical management changed).  ``event``:
    value(s) counting as "yes" in both columns when they are not yes/no (e.g. "R0").
    """
    require_frame(data)
    require_columns(data, [before, after])
    check_choice(ci_method, "ci_method", ("wilson", "exact"))
    used, n_excluded = require_complete(data, [before, after],
                                        f"No row has both '{before}' and '{after}' recorded.")
    b = _as_event(used[before], event)
    a = _as_event(used[after], event)
    counts = {(x, y): int(np.sum((b == x) & (a == y))) for x in (1, 0) for y in (1, 0)}
    table = pd.DataFrame([(bool(x), bool(y), counts[(x, y)]) for x in (1, 0) for y in (1, 0)],
                         columns=["before", "after", "n"])
    res = H.mcnemar(counts[(1, 0)], counts[(0, 1)], correct=correct)
    n = len(used)
    changed = counts[(1, 0)] + counts[(0, 1)]
    return PairedComparison(
        table=table, n=n, rate_before=float(b.mean()), rate_after=float(a.mean()),
        ci_before=H.proportion_ci(b.sum(), n, ci_method, conf_level),
        ci_after=H.proportion_ci(a.sum(), n, ci_method, conf_level),
        n_changed=changed, share_changed=changed / n,
        changed_ci=H.proportion_ci(changed, n, ci_method, conf_level),
        test=res.name, statistic=res.statistic, df=res.df, p_value=res.p_value, n_excluded=int(n_excluded),
    )


# ----------------------------------------------------------------------------- clustered
CLUSTERED_COLUMNS = ["group", "n", "clusters", "events", "rate", "std_err", "ci_lower", "ci_upper"]


@dataclass(frozen=True)
class ClusteredRates:
    """Lesion-level rates accounting for several lesions per patient, and the per-patient view."""

    table: pd.DataFrame  # [group, n, clusters, events, rate, std_err, ci_lower, ci_upper]
    odds_ratio: float  # second group vs first, GEE
    or_ci_lower: float
    or_ci_upper: float
    p_value: float  # robust Wald test of the group term (2 groups); NaN otherwise
    corstr: str
    per_patient: RateComparison  # one row per cluster: event in any of its units
    n_excluded: int


def _cluster_index(series: pd.Series) -> np.ndarray:
    return pd.factorize(series.astype(str))[0]


def _robust_logit_ci(y: np.ndarray, cl: np.ndarray, z: float):
    """Intercept-only logistic GEE (independence) = ratio estimator with sandwich variance.

    ``cl``: cluster codes 0..k-1.  Returns (p, SE of logit p, lower, upper); when p is
    0 or 1 the logit is infinite and the exact (Clopper-Pearson) interval is returned.
    """
    n = len(y)
    p = y.mean()
    if p <= 0 or p >= 1:
        return p, np.nan, *H.clopper_pearson(y.sum(), n, 2 * stats.norm.cdf(z) - 1)
    u = np.bincount(cl, weights=y - p)
    se = np.sqrt(np.sum(u**2)) / (n * p * (1 - p))  # SE of logit(p)
    b = np.log(p / (1 - p))
    return p, se, 1 / (1 + np.exp(-(b - z * se))), 1 / (1 + np.exp(-(b + z * se)))


def _gee(y, x, cl, corstr):
    import statsmodels.api as sm

    order = np.argsort(cl, kind="stable")
    cov = sm.cov_struct.Exchangeable() if corstr == "exchangeable" else sm.cov_struct.Independence()
    model = sm.GEE(y[order], x[order], groups=cl[order], family=sm.families.Binomial(), cov_struct=cov)
    fit = model.fit()
    return np.asarray(fit.params), np.asarray(fit.cov_robust)


def clustered_rates(
    data: pd.DataFrame,
    outcome: str,
    group: str | None = None,
    *,
    cluster: str = "patient_id",
    corstr: str = "independence",
    event=None,
    conf_level: float = 0.95,
) -> ClusteredRates:
    """Lesion-level event rates with CIs that account for several lesions per patient.

    Each group's rate comes from an intercept-only logistic GEE on ``cluster`` with
    the robust (sandwich) variance, CI on the logit scale (as
    geeglm(y ~ 1, id = cluster, family = binomial, corstr = corstr)).  With
    "independence" the rate is the plain lesion proportion; "exchangeable" weights
    patients with several lesions less.  Rates of 0 or 1 get the exact interval
    (clustering cannot be estimated there).  The odds ratio (second group vs first)
    comes from the GEE with the group as covariate.  ``per_patient``: the same
    comparison with one row per patient (event in any lesion; the patient's group is
    its first lesion's group).
    """
    require_frame(data)
    require_columns(data, [outcome, group, cluster])
    check_choice(corstr, "corstr", ("independence", "exchangeable"))
    cols = [c for c in (outcome, group, cluster) if c is not None]
    what = f"'{outcome}'" + (f" and '{group}'" if group else "")
    used, n_excluded = require_complete(data, cols, f"No lesion has {what} recorded.")
    y = _as_event(used[outcome], event).astype(float)
    codes, labels = _groups(used, group)
    cl = _cluster_index(used[cluster])
    z = H._z(conf_level)
    rows = []
    for i, lab in enumerate(labels):
        m = codes == i
        yi, ci = y[m], pd.factorize(cl[m])[0]
        if corstr == "independence" or yi.mean() in (0.0, 1.0):
            p, se, lo, hi = _robust_logit_ci(yi, ci, z)
        else:
            params, cov = _gee(yi, np.ones((len(yi), 1)), ci, corstr)
            b, se = params[0], float(np.sqrt(cov[0, 0]))
            p, lo, hi = [1 / (1 + np.exp(-v)) for v in (b, b - z * se, b + z * se)]
        rows.append((lab, int(m.sum()), int(len(np.unique(ci))), int(yi.sum()), p, se, lo, hi))
    table = pd.DataFrame(rows, columns=CLUSTERED_COLUMNS)
    orr = or_lo = or_hi = pv = np.nan
    if len(labels) == 2 and 0 < y.mean() < 1:
        x = np.column_stack([np.ones(len(y)), codes.astype(float)])
        try:
            params, cov = _gee(y, x, cl, corstr)
            b, se = params[1], float(np.sqrt(cov[1, 1]))
            orr, or_lo, or_hi = np.exp(b), np.exp(b - z * se), np.exp(b + z * se)
            pv = float(2 * stats.norm.sf(abs(b / se)))
        except Exception:  # separation etc.: leave the OR missing rather than fail the page
            pass
    per = pd.DataFrame({"_cluster": used[cluster].astype(str).to_numpy(), "_y": y,
                        "_g": np.asarray(labels, dtype=object)[codes]})
    agg = per.groupby("_cluster", sort=False).agg(_y=("_y", "max"), _g=("_g", "first"))
    agg["_g"] = pd.Categorical(agg["_g"], categories=labels)
    per_patient = compare_rates(agg, "_y", "_g" if group is not None else None)
    per_patient = RateComparison(**{**per_patient.__dict__, "outcome": outcome, "group": group})
    return ClusteredRates(table, float(orr), float(or_lo), float(or_hi), pv, corstr, per_patient, int(n_excluded))


# ----------------------------------------------------------------------------- margin distance
MARGIN_SUMMARY_COLUMNS = ["group", "n", "median", "q1", "q3", "below_threshold", "percent_below"]


@dataclass(frozen=True)
class MarginDistribution:
    """Closest-margin distances by group and the share below the R1 threshold."""

    values: pd.DataFrame  # [group, margin_mm]  (one row per patient or lesion with a value)
    summary: pd.DataFrame  # [group, n, median, q1, q3, below_threshold, percent_below]
    threshold: float
    n_excluded: int


def margin_distribution(
    data: pd.DataFrame, column: str = "margin_mm", group: str | None = None, *, threshold: float = 1.0
) -> MarginDistribution:
    """Distribution of the margin distance by group; R1 below ``threshold`` mm (quantiles as R type 7)."""
    margin_r1(data, column, threshold=threshold)  # validates the column and the threshold
    require_columns(data, [group])
    used, n_excluded = require_complete(data, [c for c in (column, group) if c is not None],
                                        f"No patient has the margin distance '{column}' recorded.")
    codes, labels = _groups(used, group)
    mm = used[column].to_numpy(dtype=float)
    rows = []
    for i, lab in enumerate(labels):
        x = mm[codes == i]
        below = int(np.sum(x < threshold))
        q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75]) if len(x) else (np.nan,) * 3
        rows.append((lab, len(x), float(med), float(q1), float(q3), below, 100 * below / len(x) if len(x) else np.nan))
    values = pd.DataFrame({"group": np.asarray(labels, dtype=object)[codes], "margin_mm": mm})
    return MarginDistribution(values, pd.DataFrame(rows, columns=MARGIN_SUMMARY_COLUMNS), float(threshold),
                              int(n_excluded))


def join_patient_columns(lesions: pd.DataFrame, patients: pd.DataFrame, columns: list[str], *,
                         key: str = "patient_id") -> pd.DataFrame:
    """The lesion table with patient-level ``columns`` (e.g. the group) added by ``key``.

    Lesions keep their order and index; lesion columns of the same name win (the
    patient column is then not added).  Missing where the patient is unknown.
    """
    require_frame(lesions)
    require_frame(patients)
    require_columns(lesions, [key])
    require_columns(patients, [key, *columns])
    add = [c for c in columns if c not in lesions.columns and c != key]
    if not add:
        return lesions
    if patients[key].duplicated().any():
        raise InvalidValueError(f"The patient table has repeated '{key}' values; each patient must appear once.")
    lookup = patients.set_index(patients[key].astype(str))[add]
    joined = lookup.reindex(lesions[key].astype(str).to_numpy())
    joined.index = lesions.index
    return pd.concat([lesions, joined], axis=1)
