"""Table 1: baseline characteristics by group, with tests and standardized mean differences.

``table_one(data, group, variables)`` returns a :class:`TableOne` whose ``.table`` is
tidy data (one row per variable x level x group, "all" first); ``.formatted()`` turns
it into the journal-style display table, so an export is a formatting step only.

``.table`` columns (fixed, in this order):

===============  ==============================================================
variable         the column name
label            the clinician's name (schema label) for the column
kind             "continuous" | "binary" | "categorical"
level            category ("" for continuous; "True" for a yes/no variable, whose
                 row counts the "yes")
group            group label (str(value), the column's order); "all" = whole cohort
n                continuous: patients with a value; categorical: patients in the level
n_weighted       sum of weights of those patients (= n without weights)
percent          0-100 of the group's patients with a value (weighted); NaN for continuous
mean, sd         (weighted) mean and SD; NaN for categorical rows
median, q1, q3   (weighted) median and quartiles; NaN for categorical rows
missing          patients of the group with no value for the variable
summary          "median" | "mean" (how a continuous row is displayed) | "n (%)"
test             test used for the variable ("" with weights or a single group)
statistic        its statistic (W, H, t, F, chi-square; NaN for Fisher)
p_value          its p-value (repeated on every row of the variable)
smd              standardized mean difference (repeated per row for continuous,
                 per level for categorical)
===============  ==============================================================

Rules
- Default summary of a continuous variable ("auto"): mean (SD) when the Shapiro-Wilk
  test does not reject normality (p >= 0.05) in every group with 3-5000 values,
  otherwise median [IQR].  ``continuous="mean"`` / ``"median"`` (or a dict per
  variable) overrides it.  The test follows the summary: median -> Mann-Whitney U
  (wilcox.test: exact below 50 per group without ties, else normal approximation
  with continuity correction) or Kruskal-Wallis (kruskal.test); mean -> Welch's
  t-test (t.test) or one-way ANOVA (summary(aov())).
- Categorical: chi-square test (chisq.test; Yates-corrected for 2x2) unless an
  expected count is below 5, then Fisher's exact test (fisher.test, r x c).
  Missing values are shown, not tested.
- Quartiles: R's default quantile (type 7) without weights; with weights the
  weighted inverse distribution function (smallest value whose cumulative weight
  reaches the fraction).
- SMD (MatchIt / cobalt conventions): second group minus first (the first level is
  the reference); continuous: difference in means / sqrt((s1^2 + s0^2) / 2); binary
  and each level of a categorical variable: difference in proportions /
  sqrt((p1(1-p1) + p0(1-p0)) / 2).  Denominators come from the unweighted data, or
  from ``sd_from`` (pass the unmatched cohort so before/after tables share
  denominators, as cobalt does).  Weighted SDs use sum(w) / (sum(w)^2 - sum(w^2)).
  With more than two groups: the largest absolute pairwise SMD.
- With ``weights`` (IPTW) the summaries and SMDs are weighted, n stays the count of
  patients (n_weighted is the sum of weights) and no p-values are computed (a
  weighted test needs survey methods; we state "no test (weighted)").
- A matched cohort is just a DataFrame (e.g. ``propensity_match(...).matched``), so
  the "after" table is ``table_one(matched, ...)``; pass ``weights="match_weight"``
  for matching with replacement or ratio > 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ._lazy import stats
from ._weighted import wmean, wvar

from . import _htests as H
from .._checks import as_numeric, as_weights, complete_cases, group_codes, require_columns, require_frame
from ..errors import InputError, InsufficientDataError
from ..schema import label as schema_label

__all__ = [
    "TABLE_ONE_COLUMNS", "MARKS", "TableOne", "table_one",
]

TABLE_ONE_COLUMNS = ["variable", "label", "kind", "level", "group", "n", "n_weighted", "percent", "mean", "sd",
                     "median", "q1", "q3", "missing", "summary", "test", "statistic", "p_value", "smd"]
MARKS = "ᵃᵇᶜᵈᵉᶠᵍʰ"


@dataclass(frozen=True)
class TableOne:
    """Baseline characteristics: tidy ``table`` plus ``formatted()`` for display/export."""

    table: pd.DataFrame
    group: str | None
    groups: tuple[str, ...]  # group labels in order (without "all")
    group_sizes: dict = field(default_factory=dict)  # label -> n patients (incl. "all")
    weighted: bool = False
    n_excluded: int = 0

    def tests_used(self) -> list[str]:
        t = self.table["test"]
        return [x for x in dict.fromkeys(t.tolist()) if x and not x.startswith("no test")]

    def footnotes(self) -> list[str]:
        """The footnotes of the display table (tests named by their marks); see report.views."""
        from ..report.views import table_one_footnotes  # the presentation layer (DESIGN: "a formatted view")

        return table_one_footnotes(self)

    def formatted(self, digits: int = 1, p_digits: int = 3, group_title: str | None = None) -> pd.DataFrame:
        """Journal-style display table (report.views.table_one_view)."""
        from ..report.views import table_one_view  # the presentation layer (DESIGN: "a formatted view")

        return table_one_view(self, digits=digits, p_digits=p_digits, group_title=group_title)


# ----------------------------------------------------------------------------- weighted helpers
def _wmean(x, w):
    return wmean(x, w)


def _wvar(x, w):
    return wvar(x, w) if len(x) >= 2 else np.nan


def _wquantiles(x, w, probs, weighted):
    if len(x) == 0:
        return [np.nan] * len(probs)
    if not weighted:
        return [float(v) for v in np.quantile(x, probs)]
    o = np.argsort(x, kind="stable")
    xs, cw = x[o], np.cumsum(w[o]) / np.sum(w)
    return [float(xs[min(np.searchsorted(cw, p - 1e-12), len(xs) - 1)]) for p in probs]


def _kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "binary"
    if isinstance(s.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(s):
        return "categorical"
    vals = set(pd.unique(s.dropna()))
    if vals and vals <= {0, 1}:
        return "binary"
    return "continuous"


def _smd_pair(m1, m0, denom):
    return (m1 - m0) / denom if denom and np.isfinite(denom) and denom > 0 else np.nan


# ----------------------------------------------------------------------------- main
def table_one(
    data: pd.DataFrame,
    group: str | None,
    variables: list[str],
    *,
    weights: str | None = None,
    continuous="auto",
    sd_from: pd.DataFrame | None = None,
    test: str = "auto",
) -> TableOne:
    """Baseline characteristics of ``variables`` by ``group`` (see the module notes).

    ``continuous``: "auto" | "median" | "mean", or a dict variable -> choice.
    ``weights``: a column of case weights (IPTW, matching weights).  ``sd_from``: a
    DataFrame (e.g. the unmatched cohort) whose unweighted SDs/proportions
    standardize the SMDs.  ``test`` for categorical variables: "auto" | "fisher" |
    "chi-square".  Rows with a missing group or weight are left out (n_excluded).
    """
    require_frame(data)
    if isinstance(variables, str):
        variables = [variables]
    if not variables:
        raise InputError("Choose at least one characteristic to describe.")
    variables = require_columns(data, list(variables))
    require_columns(data, [group, weights])
    if group is not None and group in variables:
        variables = [v for v in variables if v != group]
    H_choices = ("auto", "fisher", "chi-square")
    if test not in H_choices:
        raise InputError(f"test must be one of {', '.join(H_choices)}; got {test!r}.")
    if sd_from is not None:
        require_frame(sd_from)
        require_columns(sd_from, variables)
    used, n_excluded = complete_cases(data, [c for c in (group, weights) if c is not None])
    if len(used) == 0:
        raise InsufficientDataError(f"No patient has a value for the grouping '{group}'.")
    if group is not None:
        codes, labels = group_codes(used[group])
    else:
        codes, labels = np.zeros(len(used), int), []
    w = as_weights(used[weights]) if weights else np.ones(len(used))
    weighted = weights is not None
    k = len(labels)
    sizes = {"all": len(used), **{lab: int(np.sum(codes == i)) for i, lab in enumerate(labels)}}
    masks = [("all", np.ones(len(used), bool))] + [(lab, codes == i) for i, lab in enumerate(labels)]
    ref = sd_from if sd_from is not None else used
    ref_codes = None
    if sd_from is not None and group is not None and group in sd_from.columns:
        sub = sd_from[sd_from[group].notna()]
        ref = sub
        lookup = {lab: i for i, lab in enumerate(labels)}
        ref_codes = sub[group].astype(str).map(lookup).fillna(-1).to_numpy().astype(int)
    elif sd_from is None and group is not None:
        ref_codes = codes

    parts = []
    for var in variables:
        s = used[var]
        kind = _kind(s)
        lab = schema_label(var)
        choice = continuous.get(var, "auto") if isinstance(continuous, dict) else continuous
        if choice not in ("auto", "median", "mean"):
            raise InputError(f"continuous must be 'auto', 'median' or 'mean'; got {choice!r} for '{var}'.")
        if kind == "continuous":
            parts.append(_continuous(var, lab, s, w, weighted, masks, codes, k, choice, ref, ref_codes))
        else:
            parts.append(_categorical(var, lab, kind, s, w, weighted, masks, codes, k, ref, ref_codes, test))
    table = pd.concat(parts, ignore_index=True)[TABLE_ONE_COLUMNS]
    return TableOne(table, group, tuple(labels), sizes, weighted, int(n_excluded))


def _continuous(var, lab, s, w, weighted, masks, codes, k, choice, ref, ref_codes):
    x = as_numeric(s, "characteristic")
    ok = ~np.isnan(x)
    if choice == "auto":
        choice = "mean"
        for i in range(max(k, 1)):
            xi = x[ok & (codes == i)] if k else x[ok]
            if 3 <= len(xi) <= 5000 and np.ptp(xi) > 0 and stats.shapiro(xi).pvalue < 0.05:
                choice = "median"
                break
    rows = []
    for g, m in masks:
        mm = m & ok
        xi, wi = x[mm], w[mm]
        q1, med, q3 = _wquantiles(xi, wi, [0.25, 0.5, 0.75], weighted)
        rows.append(dict(variable=var, label=lab, kind="continuous", level="", group=g, n=int(mm.sum()),
                         n_weighted=float(wi.sum()), percent=np.nan, mean=_wmean(xi, wi) if len(xi) else np.nan,
                         sd=float(np.sqrt(_wvar(xi, wi))) if len(xi) > 1 else np.nan,
                         median=med, q1=q1, q3=q3, missing=int((m & ~ok).sum()), summary=choice))
    res = H.TestResult("", np.nan, np.nan, np.nan)
    if k >= 2:
        grp = [x[ok & (codes == i)] for i in range(k)]
        if weighted:
            res = H.TestResult("no test (weighted)", np.nan, np.nan, np.nan)
        elif choice == "median":
            res = H.wilcoxon(grp[0], grp[1]) if k == 2 else H.kruskal(grp)
        else:
            res = H.welch_t(grp[0], grp[1]) if k == 2 else H.anova(grp)
    smd = np.nan
    if k >= 2:
        rx = as_numeric(ref[var], "characteristic")
        rok = ~np.isnan(rx)
        means = [_wmean(x[ok & (codes == i)], w[ok & (codes == i)]) if np.any(ok & (codes == i)) else np.nan
                 for i in range(k)]
        sds = [np.nanstd(rx[rok & (ref_codes == i)], ddof=1) if np.sum(rok & (ref_codes == i)) > 1 else np.nan
               for i in range(k)]
        smd = _multi_smd(means, sds, continuous=True)
    out = pd.DataFrame(rows)
    return out.assign(test=res.name, statistic=res.statistic, p_value=res.p_value, smd=smd)


def _multi_smd(values, sds_or_none, continuous):
    k = len(values)
    pairs = []
    for a in range(k):
        for b in range(a + 1, k):
            if continuous:
                den = np.sqrt((sds_or_none[a] ** 2 + sds_or_none[b] ** 2) / 2)
            else:
                pa, pb = sds_or_none[a], sds_or_none[b]  # reference proportions
                den = np.sqrt((pa * (1 - pa) + pb * (1 - pb)) / 2)
            pairs.append(_smd_pair(values[b], values[a], den))
    if k == 2:
        return pairs[0]
    finite = [abs(p) for p in pairs if np.isfinite(p)]
    return max(finite) if finite else np.nan


def _level_codes(s: pd.Series, binary: bool, levels: list[str]) -> np.ndarray:
    """Per row, the position in ``levels`` of the value's text (``str(value)``; binary:
    ``str(bool(value))``), -1 when missing or not a level.  The text is made once per distinct
    value (``pd.factorize``), not per row; object columns (possibly mixed types) row by row."""
    def text(x):
        return None if not pd.notna(x) else str(bool(x)) if binary else str(x)

    lookup = {lev: j for j, lev in enumerate(levels)}
    if s.dtype == object:
        return np.array([lookup.get(text(x), -1) for x in s.to_numpy(dtype=object)], dtype=int)
    f, uniques = pd.factorize(s, sort=False)  # -1 for missing values
    distinct = pd.Series(uniques, dtype=s.dtype).astype(object).to_numpy(dtype=object)
    return np.array([lookup.get(text(x), -1) for x in distinct] + [-1], dtype=int)[f]


COUNT_CATEGORIES = True  # unweighted categorical rows from a table of counts (False: patient by patient)


def _counts(codes: np.ndarray, levels: np.ndarray, ok: np.ndarray, n_groups: int, n_levels: int) -> np.ndarray:
    """[group, level]: how many patients with a value (``ok``) of each group have each level."""
    sel = ok & (levels >= 0) & (codes >= 0)
    return np.bincount(codes[sel] * n_levels + levels[sel], minlength=n_groups * n_levels).reshape(n_groups, n_levels)


def _categorical(var, lab, kind, s, w, weighted, masks, codes, k, ref, ref_codes, test):
    ok = s.notna().to_numpy()
    if kind == "binary":
        levels = ["True"]
        all_levels = ["True", "False"]
    else:
        if isinstance(s.dtype, pd.CategoricalDtype):
            all_levels = [str(c) for c in s.cat.categories]
        else:
            _, all_levels = group_codes(s)
        levels = all_levels
    vi = _level_codes(s, kind == "binary", all_levels)  # levels are the first of all_levels
    L = len(all_levels)
    # unweighted: every sum below is a count of patients (exact in any order), taken from one
    # table of counts per (group, level) instead of a pass over the patients per group and level
    counted = not weighted and COUNT_CATEGORIES and bool((codes >= 0).all())
    if counted:
        by_group = _counts(codes, vi, ok, max(k, 1), L)
        n_ok = np.bincount(codes[ok], minlength=max(k, 1))
        n_missing = np.bincount(codes[~ok], minlength=max(k, 1))
    rows = []
    for gi, (g, m) in enumerate(masks):
        if counted:  # masks: all patients, then group gi - 1
            level_n = by_group.sum(axis=0) if gi == 0 else by_group[gi - 1]
            tot = np.float64(n_ok.sum() if gi == 0 else n_ok[gi - 1])
            missing = int(n_missing.sum() if gi == 0 else n_missing[gi - 1])
        else:
            mm = m & ok
            tot = w[mm].sum()
            missing = int((m & ~ok).sum())
        for j, lev in enumerate(levels):
            if counted:
                n = int(level_n[j])
                total = np.float64(n)
            else:
                hit = mm & (vi == j)
                n, total = int(hit.sum()), w[hit].sum()
            rows.append(dict(variable=var, label=lab, kind=kind, level=lev, group=g, n=n,
                             n_weighted=float(total), percent=100 * total / tot if tot > 0 else np.nan,
                             mean=np.nan, sd=np.nan, median=np.nan, q1=np.nan, q3=np.nan,
                             missing=missing, summary="n (%)"))
    out = pd.DataFrame(rows)
    res = H.TestResult("", np.nan, np.nan, np.nan)
    if k >= 2:
        if weighted:
            res = H.TestResult("no test (weighted)", np.nan, np.nan, np.nan)
        else:
            L = len(all_levels)
            sel = ok & (vi >= 0) & (codes >= 0)
            counts = np.bincount(codes[sel] * L + vi[sel], minlength=k * L).reshape(k, L)
            res = H.contingency_test(counts, test)
    out = out.assign(test=res.name, statistic=res.statistic, p_value=res.p_value, smd=np.nan)
    if k >= 2:
        rvi = _level_codes(ref[var], kind == "binary", all_levels)
        rok = ref[var].notna().to_numpy()
        if counted:
            ref_n = _counts(ref_codes, rvi, rok, k, L)
            ref_ok = np.bincount(ref_codes[rok & (ref_codes >= 0)], minlength=k)
        smds = {}
        for j, lev in enumerate(levels):
            props = []
            refp = []
            for i in range(k):
                if counted:  # the same divisions of the same counts as below
                    props.append(np.float64(by_group[i, j]) / np.float64(n_ok[i]) if n_ok[i] > 0 else np.nan)
                    refp.append(np.float64(ref_n[i, j]) / ref_ok[i] if ref_ok[i] > 0 else np.nan)
                    continue
                mi = ok & (codes == i)
                props.append(w[mi & (vi == j)].sum() / w[mi].sum() if w[mi].sum() > 0 else np.nan)
                ri = rok & (ref_codes == i)
                refp.append(np.mean(rvi[ri] == j) if ri.any() else np.nan)
            smds[lev] = _multi_smd(props, refp, continuous=False)
        out["smd"] = out["level"].map(smds).astype(float)
    return out
