"""Outcomes after propensity-score matching or weighting.

What a methodologist expects after matching (MatchIt's "Estimating Effects After Matching") and
weighting, with R's numbers (tests/r/propensity.R):

* matched cohort: Kaplan–Meier by group (``survfit(..., weights = match_weight)``) and the hazard
  ratio from Cox with the robust variance clustered on the matched set
  (``coxph(Surv(t, e) ~ treated, weights = match_weight, cluster = match_id)``); with replacement
  a control may sit in several sets, so the clusters are the patients;
* weighted cohort: weighted Kaplan–Meier with R's robust (infinitesimal-jackknife) SE and weighted
  Cox with the robust variance (``coxph(..., weights = w, robust = TRUE)``);
* crude: unadjusted Cox on the same patients as the propensity model;
* 1:1 matched pairs and a binary outcome (margin, complication): McNemar's test
  (``mcnemar.test``, continuity-corrected), its exact version and the conditional odds ratio b/c
  with the exact CI from ``binom.test(b, b + c)``.

``compare_survival`` puts crude / matched / weighted side by side in one tidy table
[analysis, n, events, hazard_ratio, ci_lower, ci_upper, p_value].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from ._lazy import stats

from ..schema import label as schema_label
from .cox import cox_regression
from .survival import kaplan_meier
from .._checks import as_event, check_choice, complete_cases, require_columns, require_frame
from ..errors import AnalysisError, InputError, InsufficientDataError
from .propensity import MIN_MATCHED_PAIRS, MatchResult, WeightResult
from .cox import cox_regression
from .survival import kaplan_meier

__all__ = [
    "AdjustedSurvival",
    "SurvivalComparison",
    "PairedBinaryResult",
    "matched_survival",
    "weighted_survival",
    "crude_survival",
    "compare_survival", "survival_comparison",
    "paired_binary",
]

COMPARISON_COLUMNS = ["analysis", "n", "events", "hazard_ratio", "ci_lower", "ci_upper", "p_value"]
MEDIAN_COLUMNS = ["analysis", "group", "n", "events", "median", "ci_lower", "ci_upper"]
TIME_UNITS = {"months": 1.0, "years": 12.0}  # times are in months (DESIGN: days / 30.4375)
_TREATED = "_treated_"
_WEIGHT = "_weight_"
_CLUSTER = "_cluster_"


@dataclass(frozen=True, eq=False)
class AdjustedSurvival:
    """Kaplan–Meier by group and the treated-vs-control hazard ratio of one analysis.

    ``analysis``: "crude", "matched" or "weighted"; ``km``: ns.kaplan_meier result (groups are
    the treatment column's values); ``cox``: ns.cox_regression result (one term, the treated
    indicator); ``variance``: how the SE was obtained, in words.
    """

    analysis: str
    km: object
    cox: object
    n: int
    events: int
    hazard_ratio: float
    ci_lower: float
    ci_upper: float
    p_value: float
    variance: str
    n_excluded: int
    time_unit: str = "months"


@dataclass(frozen=True, eq=False)
class SurvivalComparison:
    """Crude, matched and weighted hazard ratios side by side.

    ``table`` [analysis, n, events, hazard_ratio, ci_lower, ci_upper, p_value] (one row per
    analysis asked for; NaN where a model could not be fitted, the reason in ``warnings``);
    ``crude`` / ``matched`` / ``weighted``: the AdjustedSurvival objects (None if not fitted);
    ``medians`` [analysis, group, n, events, median, ci_lower, ci_upper]: median survival per
    group in each analysis, in ``time_unit`` (weighted: weighted KM; n = patients).
    """

    table: pd.DataFrame
    medians: pd.DataFrame
    time_unit: str
    crude: AdjustedSurvival | None
    matched: AdjustedSurvival | None
    weighted: AdjustedSurvival | None
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class PairedBinaryResult:
    """A binary outcome in 1:1 matched pairs (McNemar; conditional odds ratio b/c).

    both = a (event in treated and control), treated_only = b, control_only = c, neither = d.
    ``statistic``, ``df``, ``p_value``: R's mcnemar.test (continuity-corrected);
    ``exact_p_value``: binom.test(b, b + c); ``odds_ratio`` = b / c with the exact CI from
    binom.test's Clopper–Pearson interval p/(1 - p).
    """

    outcome: str
    n_pairs: int
    both: int
    treated_only: int
    control_only: int
    neither: int
    treated_rate: float
    control_rate: float
    statistic: float
    df: int
    p_value: float
    exact_p_value: float
    odds_ratio: float
    ci_lower: float
    ci_upper: float
    n_excluded: int  # pairs left out because the outcome is missing for one of them


# ----------------------------------------------------------------------------------------------


def _outcome_frame(data, time, event, treated: pd.Series, extra=None):
    """Model frame (time, event, treated 0/1, extra columns) of the rows with time and event, the
    rows themselves, and how many were left out. ``treated`` and ``extra`` align on ``data``'s
    (unique) index."""
    used = require_columns(data, [time, event])
    sub, n_excluded = complete_cases(data, used)
    frame = pd.DataFrame(
        {
            "time": pd.to_numeric(sub[time]).to_numpy(float),
            "event": as_event(sub[event]),
            _TREATED: treated.loc[sub.index].to_numpy(float),
        }
    )
    for name, values in (extra or {}).items():
        frame[name] = values.loc[sub.index].to_numpy()
    return frame, sub, n_excluded


def _fit(analysis, frame, sub, treatment, time, event, n_excluded, *, weights=None, cluster=None,
         robust=False, variance="", time_unit="months", conf_level=0.95):

    if frame["event"].sum() == 0:
        raise InsufficientDataError(f"No {event} events among the patients of the {analysis} analysis.")
    for g, lab in ((1.0, "treated"), (0.0, "control")):
        if not (frame[_TREATED] == g).any():
            raise InsufficientDataError(f"The {analysis} analysis has no {lab} patients with follow-up.")
    km_data = sub.copy()
    if TIME_UNITS[time_unit] != 1.0:
        km_data[time] = pd.to_numeric(km_data[time]) / TIME_UNITS[time_unit]
    km = kaplan_meier(km_data, time, event, treatment,
                      weights=None if weights is None else frame[weights].to_numpy(), conf_level=conf_level)
    named = schema_label(treatment)  # the treatment as the clinician calls it, in any message of the model
    cox = cox_regression(frame.rename(columns={_TREATED: named}), "time", "event", [named], weights=weights,
                         cluster=cluster, robust=robust, conf_level=conf_level)
    row = cox.table.iloc[0]
    return AdjustedSurvival(
        analysis=analysis,
        km=km,
        cox=cox,
        n=int(cox.n),
        events=int(cox.events),
        hazard_ratio=float(row["hazard_ratio"]),
        ci_lower=float(row["ci_lower"]),
        ci_upper=float(row["ci_upper"]),
        p_value=float(row["p_value"]),
        variance=variance,
        n_excluded=n_excluded,
        time_unit=time_unit,
    )


def _treated_series(data: pd.DataFrame, res) -> pd.Series:
    col = data[res.treatment]
    return col.astype(str).where(col.notna(), None) == res.treated_label


def _check_unit(time_unit):
    check_choice(time_unit, "time_unit", tuple(TIME_UNITS))


def matched_survival(matched: MatchResult, time: str, event: str, *, time_unit: str = "months",
                     conf_level: float = 0.95) -> AdjustedSurvival:
    """KM by group and Cox HR (robust SE clustered on match_id) in the matched cohort.

    ``time_unit``: "months" (the time column's unit) or "years" for the KM curves and medians.
    """
    _check_unit(time_unit)
    if not isinstance(matched, MatchResult):
        raise InputError("matched_survival needs the result of ns.propensity_match.")
    m = matched.matched
    treat = _treated_series(m, matched)
    if matched.replace:
        # a control may serve several sets: cluster on the patient (MatchIt's advice)
        cluster = pd.Series(pd.factorize(m.index)[0], index=m.index)
        variance = "robust SE clustered on patient (matching with replacement)"
    else:
        cluster = m["match_id"]
        variance = "robust SE clustered on the matched set"
    m2 = m.reset_index(drop=True)
    frame, sub, n_excl = _outcome_frame(
        m2, time, event, treat.reset_index(drop=True),
        extra={_WEIGHT: m2["match_weight"], _CLUSTER: cluster.reset_index(drop=True)},
    )
    return _fit("matched", frame, sub, matched.treatment, time, event, n_excl,
                weights=_WEIGHT, cluster=_CLUSTER, variance=variance, time_unit=time_unit, conf_level=conf_level)


def weighted_survival(data: pd.DataFrame, weighted: WeightResult, time: str, event: str, *,
                      time_unit: str = "months", conf_level: float = 0.95) -> AdjustedSurvival:
    """Weighted KM (R's robust SE) and weighted Cox (robust SE) with the IPTW weights."""
    _check_unit(time_unit)
    if not isinstance(weighted, WeightResult):
        raise InputError("weighted_survival needs the result of ns.iptw.")
    data = require_frame(data)
    _same_index(data, weighted.weights)
    keep = weighted.weights.notna()
    d = data.loc[keep]
    frame, sub, n_excl = _outcome_frame(d, time, event, _treated_series(d, weighted),
                                        extra={_WEIGHT: weighted.weights.loc[keep]})
    return _fit("weighted", frame, sub, weighted.treatment, time, event, n_excl + int((~keep).sum()),
                weights=_WEIGHT, robust=True, variance="robust (sandwich) SE", time_unit=time_unit,
                conf_level=conf_level)


def crude_survival(data: pd.DataFrame, result, time: str, event: str, *, time_unit: str = "months",
                   conf_level: float = 0.95) -> AdjustedSurvival:
    """Unadjusted KM and Cox HR on the patients the propensity model used (``result``: a
    MatchResult or WeightResult), so that crude and adjusted estimates share one population."""
    _check_unit(time_unit)
    data = require_frame(data)
    _same_index(data, result.propensity)
    keep = result.propensity.notna()
    d = data.loc[keep]
    frame, sub, n_excl = _outcome_frame(d, time, event, _treated_series(d, result))
    return _fit("crude", frame, sub, result.treatment, time, event, n_excl + int((~keep).sum()),
                variance="model-based SE", time_unit=time_unit, conf_level=conf_level)


def _same_index(data, series):
    if not data.index.equals(series.index):
        raise InputError(
            "The data do not match the propensity analysis (different rows); run the matching or "
            "weighting on these same data."
        )


def compare_survival(data: pd.DataFrame, time: str, event: str, *, matched: MatchResult | None = None,
                     weighted: WeightResult | None = None, time_unit: str = "months",
                     conf_level: float = 0.95) -> SurvivalComparison:
    """Crude, matched (clustered robust SE) and weighted (robust SE) hazard ratios side by side.

    The crude estimate uses the patients of the propensity model (complete covariates). A model
    that cannot be fitted (e.g. no events in a group) gives a row of NaN and a warning.
    ``time_unit`` ("months" or "years") applies to the KM curves and the medians.
    """
    _check_unit(time_unit)
    if matched is None and weighted is None:
        raise InputError("Give a matching result, a weighting result, or both, to compare with the crude estimate.")
    base = matched if matched is not None else weighted
    ci = dict(time_unit=time_unit, conf_level=conf_level)
    jobs = {"crude": lambda: crude_survival(data, base, time, event, **ci)}
    if matched is not None:
        jobs["matched"] = lambda: matched_survival(matched, time, event, **ci)
    if weighted is not None:
        jobs["weighted"] = lambda: weighted_survival(data, weighted, time, event, **ci)
    parts = {}
    for name, job in jobs.items():
        try:
            parts[name] = job()
        except AnalysisError as err:
            parts[name] = err
    return survival_comparison(parts, time_unit=time_unit, matched=matched)


def survival_comparison(parts, *, time_unit: str = "months", matched: MatchResult | None = None) -> SurvivalComparison:
    """The crude / matched / weighted table from analyses already run (each an AdjustedSurvival,
    or the AnalysisError it raised): what :func:`compare_survival` returns, for a caller that
    runs (and caches) each analysis on its own, e.g. a dashboard re-running only the matched one
    when the caliper changes."""
    _check_unit(time_unit)
    warnings: list[str] = []
    out = {}
    rows = []
    for name in ("crude", "matched", "weighted"):
        if name not in parts:
            continue
        r = parts[name]
        if isinstance(r, Exception):
            out[name] = None
            warnings.append(f"The {name} hazard ratio could not be estimated: {r}")
            rows.append((name, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan))
            continue
        out[name] = r
        rows.append((name, r.n, r.events, r.hazard_ratio, r.ci_lower, r.ci_upper, r.p_value))
        if r.events < 10:
            warnings.append(
                f"The {name} analysis has only {r.events} events: the hazard ratio is imprecise."
            )
    if matched is not None and matched.n_treated_matched < MIN_MATCHED_PAIRS:
        warnings.append(
            f"Only {matched.n_treated_matched} matched treated patients: too few matched pairs for a "
            "reliable matched hazard ratio."
        )
    table = pd.DataFrame(rows, columns=COMPARISON_COLUMNS)
    table["n"] = table["n"].astype("Int64")
    table["events"] = table["events"].astype("Int64")
    med = []
    for name, r in out.items():
        if r is not None:
            mm = r.km.medians
            med.append(pd.DataFrame({"analysis": name, "group": mm["group"], "n": mm["n"],
                                     "events": mm["events"], "median": mm["median"],
                                     "ci_lower": mm["ci_lower"], "ci_upper": mm["ci_upper"]}))
    medians = pd.concat(med, ignore_index=True) if med else pd.DataFrame(columns=MEDIAN_COLUMNS)
    return SurvivalComparison(
        table=table,
        medians=medians[MEDIAN_COLUMNS],
        time_unit=time_unit,
        crude=out.get("crude"),
        matched=out.get("matched"),
        weighted=out.get("weighted"),
        warnings=tuple(warnings),
    )


def paired_binary(matched: MatchResult, outcome) -> PairedBinaryResult:
    """McNemar's test and the conditional odds ratio for a binary outcome in 1:1 matched pairs.

    As R: ``mcnemar.test(table(treated, control))`` and ``binom.test(b, b + c)``, where b counts
    pairs with the outcome in the treated patient only and c in the control only.
    ``outcome``: a column of the data (bool, 0/1 or yes/no), or a Series indexed like the data
    (e.g. ``ns.margin_r1(data)``).
    """
    if not isinstance(matched, MatchResult):
        raise InputError("paired_binary needs the result of ns.propensity_match.")
    if matched.ratio != 1 or matched.replace:
        raise InputError(
            "McNemar's test needs 1:1 matched pairs without replacement; re-run the matching with "
            "ratio 1 and without replacement."
        )
    m = matched.matched
    if len(m) == 0:
        raise InsufficientDataError("No matched pairs.")
    if isinstance(outcome, pd.Series):
        if not m.index.isin(outcome.index).all():
            raise InputError("The outcome values do not cover the matched patients (different data?).")
        y = outcome.loc[m.index]
        outcome = str(outcome.name or "outcome")
    else:
        require_columns(m, [outcome])
        y = m[outcome]
    treated = _treated_series(m, matched).to_numpy()
    ok = y.notna().to_numpy()
    yv = np.full(len(m), -1)
    yv[ok] = as_event(y[ok], "outcome")
    frame = pd.DataFrame({"id": m["match_id"].to_numpy(), "t": treated, "y": yv})
    t = frame[frame.t].set_index("id")["y"]
    c = frame[~frame.t].set_index("id")["y"]
    pairs = pd.concat([t.rename("t"), c.rename("c")], axis=1, join="inner")
    complete = (pairs.t >= 0) & (pairs.c >= 0)
    n_excluded = int((~complete).sum())
    pairs = pairs[complete]
    if len(pairs) == 0:
        raise InsufficientDataError(f"No matched pair has '{outcome}' recorded for both patients.")
    a = int(((pairs.t == 1) & (pairs.c == 1)).sum())
    b = int(((pairs.t == 1) & (pairs.c == 0)).sum())
    cc = int(((pairs.t == 0) & (pairs.c == 1)).sum())
    d = int(((pairs.t == 0) & (pairs.c == 0)).sum())
    disc = b + cc
    if disc > 0:
        statistic = (abs(b - cc) - 1) ** 2 / disc
        p_value = float(stats.chi2.sf(statistic, 1))
        bt = stats.binomtest(b, disc, 0.5)
        exact_p = float(bt.pvalue)
        ci = bt.proportion_ci(confidence_level=0.95, method="exact")
        lo = ci.low / (1 - ci.low) if ci.low < 1 else np.inf
        hi = ci.high / (1 - ci.high) if ci.high < 1 else np.inf
        odds = b / cc if cc > 0 else np.inf
    else:
        statistic = p_value = exact_p = lo = hi = odds = np.nan
    n = len(pairs)
    return PairedBinaryResult(
        outcome=outcome,
        n_pairs=n,
        both=a,
        treated_only=b,
        control_only=cc,
        neither=d,
        treated_rate=(a + b) / n,
        control_rate=(a + cc) / n,
        statistic=float(statistic),
        df=1,
        p_value=float(p_value),
        exact_p_value=float(exact_p),
        odds_ratio=float(odds),
        ci_lower=float(lo),
        ci_upper=float(hi),
        n_excluded=n_excluded,
    )
