"""Naive vs correct: what a common analytical error does to the numbers, on the user's own data.

Each function runs the naive and the correct analysis of one classic error side by side, with the
validated estimators of this package, and returns a frozen dataclass of tidy tables (a notebook
user can call them; the dashboard's teaching page draws them):

* :func:`km_vs_cif` — 1 − Kaplan–Meier of recurrence with death censored vs the cumulative
  incidence of recurrence with death as a competing event (Aalen–Johansen, as ``cmprsk::cuminc``);
* :func:`pairwise_adjustment` — unadjusted vs Holm- (and Bonferroni-) adjusted p-values of the
  pairwise log-rank tests (``p.adjust``);
* :func:`immortal_time` — a grouping defined after surgery (e.g. recurrence, re-resection)
  analysed from surgery as if known at surgery vs with a landmark;
* :func:`matched_pairs_ignored` — Cox in a matched cohort with the model-based SE (pairs ignored)
  vs the robust SE clustered on the matched sets;
* :func:`optimal_cutpoint` — a continuous covariate cut at the p-value-minimising point vs a
  pre-specified cut, with the minimum p-value corrected for the search (Altman et al. 1994) and
  a permutation estimate.

Crude vs matched vs weighted is :func:`nelm_stats.compare_survival`.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import (
    as_event,
    as_numeric,
    as_time,
    complete_cases,
    require_columns,
    require_frame,
)
from ..errors import ConvergenceError, InputError, InsufficientDataError, InvalidValueError
from ..schema import label as schema_label
from ._lazy import stats
from ._times import aeq_times
from .competing import competing_event_type, cumulative_incidence
from .cox import cox_regression
from .groups import cut_numeric
from .logrank import logrank_test, p_adjust, pairwise_logrank
from .propensity import MatchResult
from .propensity_outcomes import matched_survival
from .survival import kaplan_meier
from .survival import landmark as landmark_data

__all__ = [
    "KmVsCif", "PairwiseAdjustment", "ImmortalTime", "MatchedPairsIgnored", "OptimalCutpoint",
    "km_vs_cif", "pairwise_adjustment", "immortal_time", "matched_pairs_ignored", "optimal_cutpoint",
    "altman_corrected_p", "PERMUTATION_SEED",
]

PERMUTATION_SEED = 20240917  # numpy Generator(PCG64(seed)): the permutation estimate is reproducible
_COMPARISON_COLUMNS = ["analysis", "n", "events", "n_exposed", "hazard_ratio", "ci_lower", "ci_upper", "p_value",
                       "logrank_p_value"]


# ---------------------------------------------------------------------------------------------
# 1 − Kaplan–Meier vs cumulative incidence


@dataclass(frozen=True, eq=False)
class KmVsCif:
    """1 − Kaplan–Meier (death censored) vs cumulative incidence (death competing) of recurrence.

    ``table`` [group, time, one_minus_km, cif]: both estimates at every distinct follow-up time of
    the group up to its last follow-up (proportions 0-1); 1 − KM ≥ CIF at every time, equal until
    the first death without recurrence. ``km``: the Kaplan–Meier result of recurrence with death
    censored; ``cif``: the cumulative_incidence result (cause 1 = recurrence). ``n_recurrence``,
    ``n_death`` (deaths without recurrence, the competing event), ``n_excluded`` (missing values).
    """

    table: pd.DataFrame
    km: object
    cif: object
    n: int
    n_recurrence: int
    n_death: int
    n_excluded: int
    group: str | None = None

    def at(self, times) -> pd.DataFrame:
        """[group, time, one_minus_km, cif] at chosen times (NaN past a group's last follow-up)."""
        t = np.unique(np.asarray(times, dtype=float).ravel())
        km = self.km.at(t)
        ci = self.cif.at(t)
        out = pd.DataFrame({"group": km["group"].to_numpy(), "time": km["time"].to_numpy(),
                            "one_minus_km": 1.0 - km["survival"].to_numpy(),
                            "cif": ci["estimate"].to_numpy()})
        out.loc[out["cif"].isna(), "one_minus_km"] = np.nan
        return out


def km_vs_cif(data: pd.DataFrame, time: str = "rfs_months", recurrence: str = "recurrence",
              death: str = "death", event: str | None = "rfs_event", group: str | None = None) -> KmVsCif:
    """1 − Kaplan–Meier of recurrence (death censored) vs the cumulative incidence of recurrence
    with death without recurrence as a competing event.

    Event types as :func:`nelm_stats.competing_event_type` (0 censored, 1 recurrence, 2 death
    without recurrence, at ``time``, the time to the first event). The naive estimate is
    ``1 - survfit(Surv(time, type == 1) ~ group)``; the correct one ``cmprsk::cuminc(time, type,
    group)`` for cause 1.
    """
    data = require_frame(data)
    require_columns(data, [time, recurrence, death, group])
    if not data[death].notna().any():
        raise InsufficientDataError(
            f"The column '{schema_label(death)}' holds no values: without deaths there is no competing event."
        )
    etype = competing_event_type(data, recurrence, death, event)
    work = pd.DataFrame({"time": pd.to_numeric(data[time], errors="coerce"), "event_type": etype}, index=data.index)
    if group is not None:
        work["group"] = data[group]
    work, n_excluded = complete_cases(work, list(work.columns))
    if work.empty:
        raise InsufficientDataError("No patient has a follow-up time, a recurrence status and a death status.")
    work["event_type"] = work["event_type"].astype(int)
    work["recurrence_event"] = (work["event_type"] == 1).astype(int)
    g = "group" if group is not None else None
    n_rec = int((work["event_type"] == 1).sum())
    n_death = int((work["event_type"] == 2).sum())
    if n_rec == 0:
        raise InsufficientDataError("No patient had a recurrence: there is nothing to estimate.")
    km = kaplan_meier(work, "time", "recurrence_event", g)
    cif = cumulative_incidence(work, "time", "event_type", g, cause=1)
    parts = []
    labels = km.medians["group"].tolist()
    for lab in labels:
        sub = work if g is None else work[work["group"].astype(str) == lab]
        t = np.unique(np.r_[0.0, sub["time"].to_numpy(float)])
        k = km.at(t)
        k = k[k["group"] == lab]
        c = cif.at(t)
        c = c[c["group"] == lab]
        parts.append(pd.DataFrame({"group": lab, "time": t, "one_minus_km": 1.0 - k["survival"].to_numpy(),
                                   "cif": c["estimate"].to_numpy()}))
    table = pd.concat(parts, ignore_index=True)[["group", "time", "one_minus_km", "cif"]]
    return KmVsCif(table=table, km=km, cif=cif, n=len(work), n_recurrence=n_rec, n_death=n_death,
                   n_excluded=n_excluded, group=group)


# ---------------------------------------------------------------------------------------------
# unadjusted vs Holm


@dataclass(frozen=True, eq=False)
class PairwiseAdjustment:
    """Pairwise log-rank tests with unadjusted, Holm and Bonferroni p-values.

    ``table`` [group_a, group_b, statistic, p_value, p_holm, p_bonferroni]; ``n_significant``
    {"unadjusted", "holm", "bonferroni"}: comparisons with p < ``alpha``.
    """

    table: pd.DataFrame
    n_comparisons: int
    n_significant: dict
    alpha: float
    n_excluded: int
    group: str


def pairwise_adjustment(data: pd.DataFrame, time: str, event: str, group: str, *,
                        alpha: float = 0.05) -> PairwiseAdjustment:
    """Every pair of groups compared by the log-rank test (``survminer::pairwise_survdiff``):
    the raw p-values vs ``p.adjust(p, "holm")`` and ``p.adjust(p, "bonferroni")``."""
    data = require_frame(data)
    require_columns(data, [time, event, group])
    n_groups = data[group].dropna().nunique()
    if n_groups < 3:
        raise InsufficientDataError(
            (f"'{schema_label(group)}' has no recorded values in this cohort" if n_groups == 0 else
             f"'{schema_label(group)}' has only {n_groups} group{'s' if n_groups != 1 else ''}: with two groups there "
             "is a single comparison and nothing to adjust")
            + ". Choose a grouping with three or more groups (e.g. tumour grade or primary site)."
        )
    if n_groups > 12:
        raise InputError(f"'{schema_label(group)}' has {n_groups} different values: too many groups to compare in pairs.")
    pw = pairwise_logrank(data, time, event, group, adjust="none")
    p = pw["p_value"].to_numpy(float)
    table = pd.DataFrame({"group_a": pw["group_a"], "group_b": pw["group_b"], "statistic": pw["statistic"],
                          "p_value": p, "p_holm": p_adjust(p, "holm"), "p_bonferroni": p_adjust(p, "bonferroni")})
    sig = {name: int(np.sum(table[c].to_numpy(float) < alpha))
           for name, c in (("unadjusted", "p_value"), ("holm", "p_holm"), ("bonferroni", "p_bonferroni"))}
    return PairwiseAdjustment(table=table, n_comparisons=int(np.sum(~np.isnan(p))), n_significant=sig,
                              alpha=float(alpha), n_excluded=int(pw.attrs.get("n_excluded", 0)), group=group)


# ---------------------------------------------------------------------------------------------
# immortal time


@dataclass(frozen=True, eq=False)
class ImmortalTime:
    """A grouping defined after surgery, analysed naively from surgery and with a landmark.

    ``table`` [analysis, n, events, n_exposed, hazard_ratio, ci_lower, ci_upper, p_value,
    logrank_p_value], rows "naive" (everyone, grouped by whether the exposure ever happened, time
    from surgery) and "landmark" (patients alive and followed at the landmark, grouped by whether
    the exposure happened by then, time from the landmark). Hazard ratio: exposed vs not exposed.
    ``km_naive``, ``km_landmark``: Kaplan–Meier by group (groups "False"/"True": exposed or not).
    """

    table: pd.DataFrame
    km_naive: object
    km_landmark: object
    landmark: float
    exposure: str
    n_excluded: int  # missing time, event, exposure, or the time of an exposure that happened
    n_landmark_excluded: int  # event or end of follow-up at or before the landmark
    n_reclassified: int  # exposed only after the landmark: counted as not exposed at the landmark


def _hr_row(analysis, frame, time, event, col, name):
    try:
        cox = cox_regression(frame.rename(columns={col: name}), time, event, [name])
    except np.linalg.LinAlgError:
        raise ConvergenceError(
            f"The {analysis} hazard ratio for '{name}' cannot be estimated: too few events in one of the groups."
        ) from None
    r = cox.table.iloc[0]
    lr = logrank_test(frame, time, event, col)
    return (analysis, int(cox.n), int(cox.events), int(frame[col].sum()), float(r["hazard_ratio"]),
            float(r["ci_lower"]), float(r["ci_upper"]), float(r["p_value"]), float(lr.p_value))


def immortal_time(data: pd.DataFrame, time: str = "os_months", event: str = "os_event",
                  exposure: str = "recurrence", exposure_time: str = "rfs_months",
                  landmark: float = 12.0) -> ImmortalTime:
    """Immortal-time bias: an exposure that happens after surgery (``exposure`` true, at
    ``exposure_time``, same unit as ``time``) analysed as if known at surgery vs with a landmark.

    Naive: Cox and log-rank of ``time`` from surgery by ``exposure`` ever. Landmark (Anderson,
    Cain & Gelber, J Clin Oncol 1983): patients alive and followed beyond the landmark
    (:func:`nelm_stats.landmark`), grouped by exposure at or before the landmark, time counted
    from the landmark. The exposed group of the naive analysis cannot die before its exposure
    ("immortal" time), so the naive analysis flatters it.
    """
    try:
        at = float(landmark)
    except (TypeError, ValueError):
        raise InputError(f"The landmark must be a number; got {landmark!r}.") from None
    data = require_frame(data)
    require_columns(data, [time, event, exposure, exposure_time])
    if not np.isfinite(at) or at <= 0:
        raise InputError(f"The landmark must be a time after surgery (greater than 0); got {at:g}.")
    base, n_missing = complete_cases(data, [time, event, exposure])
    exposed = as_event(base[exposure], schema_label(exposure))
    et = pd.to_numeric(base[exposure_time], errors="coerce").to_numpy(float)
    no_time = (exposed == 1) & np.isnan(et)
    base, exposed, et = base.loc[~no_time], exposed[~no_time], et[~no_time]
    n_excluded = int(n_missing + no_time.sum())
    t = as_time(base[time])
    if np.any((exposed == 1) & (et > t + 1e-9)):
        raise InvalidValueError(
            f"Some patients have '{schema_label(exposure_time)}' later than their follow-up '{schema_label(time)}': "
            "the exposure must happen during follow-up."
        )
    col = "_exposed_"
    name = schema_label(exposure)
    frame = pd.DataFrame({"time": t, "event": as_event(base[event]), col: exposed}, index=base.index)
    if frame[col].nunique() < 2:
        raise InsufficientDataError(f"Every patient has the same value of '{name}': there is nothing to compare.")
    rows = [_hr_row("naive", frame, "time", "event", col, name)]
    km_naive = kaplan_meier(frame.assign(group=frame[col].astype(bool)), "time", "event", "group")
    lm = landmark_data(frame.assign(_et_=np.where(exposed == 1, et, np.inf)), "time", "event", at=at)
    lmd = lm.data
    by_landmark = ((lmd[col] == 1) & (lmd["_et_"] <= at)).astype(int)
    n_reclassified = int(((lmd[col] == 1) & (by_landmark == 0)).sum())
    lmd = lmd.assign(**{col: by_landmark})
    if lmd[col].nunique() < 2 or lmd["event"].sum() == 0:
        raise InsufficientDataError(
            f"At the landmark of {at:g}, {'no' if lmd[col].sum() == 0 else 'every'} patient still followed had "
            f"'{name}' yet" + (" or no event happened afterwards" if lmd['event'].sum() == 0 else "")
            + ": choose another landmark."
        )
    rows.append(_hr_row("landmark", lmd, "time", "event", col, name))
    km_landmark = kaplan_meier(lmd.assign(group=lmd[col].astype(bool)), "time", "event", "group")
    table = pd.DataFrame(rows, columns=_COMPARISON_COLUMNS)
    return ImmortalTime(table=table, km_naive=km_naive, km_landmark=km_landmark, landmark=at, exposure=exposure,
                        n_excluded=n_excluded, n_landmark_excluded=int(lm.n_excluded),
                        n_reclassified=n_reclassified)


# ---------------------------------------------------------------------------------------------
# matched pairs ignored


@dataclass(frozen=True, eq=False)
class MatchedPairsIgnored:
    """The matched cohort's hazard ratio with the pairs ignored vs clustered on them.

    ``table`` [analysis, n, events, hazard_ratio, std_err, ci_lower, ci_upper, p_value]: rows
    "pairs ignored" (model-based SE, or robust SE without clusters when the match weights are not
    all 1) and "clustered" (robust SE clustered on the matched set, :func:`nelm_stats.matched_survival`).
    The point estimate is the same; only the standard error differs.
    """

    table: pd.DataFrame
    naive: object  # cox_regression result
    clustered: object  # AdjustedSurvival
    n_sets: int
    variance_naive: str
    variance_clustered: str


def matched_pairs_ignored(matched: MatchResult, time: str, event: str) -> MatchedPairsIgnored:
    """Cox on the matched cohort with the matched sets ignored vs the robust SE clustered on them
    (``coxph(Surv(t, e) ~ treated, weights = match_weight)`` vs ``... cluster = match_id``)."""
    if not isinstance(matched, MatchResult):
        raise InputError("matched_pairs_ignored needs the result of ns.propensity_match.")
    clustered = matched_survival(matched, time, event)
    m = matched.matched
    require_columns(m, [time, event])
    sub, _ = complete_cases(m, [time, event])
    name = schema_label(matched.treatment)
    treated = (sub[matched.treatment].astype(str) == matched.treated_label).to_numpy(float)
    frame = pd.DataFrame({"time": as_time(sub[time]), "event": as_event(sub[event]), name: treated,
                          "_w_": sub["match_weight"].to_numpy(float)})
    uniform = bool(np.all(frame["_w_"].to_numpy() == frame["_w_"].iloc[0]))
    if uniform:
        naive = cox_regression(frame, "time", "event", [name])
        variance = "model-based SE (matched sets ignored)"
    else:
        naive = cox_regression(frame, "time", "event", [name], weights="_w_")
        variance = "robust SE without clusters (matched sets ignored)"
    rows = []
    for label_, cox in (("pairs ignored", naive), ("clustered", clustered.cox)):
        r = cox.table.iloc[0]
        rows.append((label_, int(cox.n), int(cox.events), float(r["hazard_ratio"]), float(r["std_err"]),
                     float(r["ci_lower"]), float(r["ci_upper"]), float(r["p_value"])))
    table = pd.DataFrame(rows, columns=["analysis", "n", "events", "hazard_ratio", "std_err", "ci_lower",
                                        "ci_upper", "p_value"])
    return MatchedPairsIgnored(table=table, naive=naive, clustered=clustered,
                               n_sets=int(m["match_id"].nunique()), variance_naive=variance,
                               variance_clustered=clustered.variance)


# ---------------------------------------------------------------------------------------------
# optimal cut point


def altman_corrected_p(p_min, epsilon: float = 0.1) -> float:
    """The minimum p-value of an optimal-cut-point search corrected for the search.

    Altman DG, Lausen B, Sauerbrei W, Schumacher M. Dangers of using "optimal" cutpoints in the
    evaluation of prognostic factors. J Natl Cancer Inst 1994;86:829-35, formula (1), from
    Lausen & Schumacher (Biometrics 1992;48:73-85) and Miller & Siegmund (Biometrics 1982;38:1011-6):

        p_cor = φ(z) (z − 1/z) log[(1 − ε)² / ε²] + 4 φ(z) / z,   z = Φ⁻¹(1 − p_min / 2),

    φ the standard normal density, ε the proportion of patients kept out of each tail of the
    search (cut points between the ε and 1 − ε quantiles). Altman et al. found it accurate for
    p_min between 0.0001 and 0.1 (for ε = 0.1 it gives p_cor ≈ 0.16 at p_min = 0.01). Outside that
    range the formula is not monotone; the value returned is the smallest non-decreasing function
    of p_min at or above it, within [p_min, 1] (a stated rule: p_cor(p) = min(1, max(p, max over
    q ≤ p of the formula at q)): the formula rises to a single peak, located on a fixed grid of
    20001 log-spaced values; beyond the peak the peak value is used).
    """
    p = float(p_min)
    if not 0 < epsilon < 0.5:
        raise InputError(f"The proportion kept out of each tail must be between 0 and 0.5; got {epsilon:g}.")
    if not np.isfinite(p) or p <= 0:
        return 0.0 if p == 0 else float("nan")
    if p >= 1:
        return 1.0
    grid = np.geomspace(1e-12, 0.999, 20001)  # fixed grid: where the formula peaks (about p = 0.3 for ε = 0.1)
    peak = float(grid[int(np.nanargmax(_altman_formula(grid, epsilon)))])
    return float(min(1.0, max(p, float(_altman_formula(min(p, peak), epsilon)))))


def _altman_formula(p, epsilon):
    z = stats.norm.isf(np.asarray(p, dtype=float) / 2)
    phi = stats.norm.pdf(z)
    return phi * (z - 1 / z) * np.log((1 - epsilon) ** 2 / epsilon ** 2) + 4 * phi / z


@dataclass(frozen=True, eq=False)
class OptimalCutpoint:
    """The "optimal" (minimum-p) cut point of a covariate vs a pre-specified cut.

    ``scan`` [cutpoint, n_below, n_above, statistic, p_value]: the log-rank test at every candidate
    cut (groups < cut vs ≥ cut; each with at least ``min_group`` of the patients);
    ``optimal_cutpoint`` / ``p_min``: the candidate with the smallest p (ties: the lowest cut);
    ``prespecified`` / ``p_prespecified``: the pre-specified cut (median by default) and its
    log-rank p; ``p_corrected``: p_min corrected for the search (:func:`altman_corrected_p`);
    ``p_permutation``: the share of ``n_permutations`` permutations of the covariate (numpy
    Generator PCG64, ``seed``) whose minimum p is at or below p_min (+1 in numerator and
    denominator); ``null_min_p`` [permutation, min_p]: the minimum p of each permutation.
    """

    covariate: str
    scan: pd.DataFrame
    optimal_cutpoint: float
    p_min: float
    prespecified: float
    prespecified_method: str
    p_prespecified: float
    p_corrected: float
    p_permutation: float
    null_min_p: pd.DataFrame
    n_permutations: int
    seed: int
    min_group: float
    n: int
    events: int
    n_excluded: int
    warnings: tuple = field(default=())


class _LogrankScan:
    """Two-group log-rank chi-square (survdiff, rho = 0) for every cut: groups cov ≥ cut vs < cut.

    ``t`` (aeqSurv-ed) and ``d`` sorted by time are fixed; :meth:`chi` takes the covariate in the
    same order (the data's, or a permutation of it) and returns the chi-square per cut.  The
    counts (at risk and events in the group "≥ cut" at each event time) are integers, found from
    a histogram of (event time, number of cuts at or below the covariate) with sums over both,
    once per event time and cut rather than per patient and cut; the statistic is then computed
    from them in floating point as survdiff does.
    """

    def __init__(self, t, d, cuts):
        times, inv = np.unique(t, return_inverse=True)
        ev = np.bincount(inv, weights=d, minlength=times.size)
        keep = ev > 0
        n_all = len(t) - np.searchsorted(t, times, side="left")  # at risk at each time: T >= t_j
        self.cuts = cuts
        self.width = cuts.size + 1
        self.n_event_times = int(keep.sum())
        # each patient's last event time at or before their own time: at risk at that event time
        # and every earlier one (-1: before the first event time, never at risk at one)
        bucket = np.searchsorted(times[keep], t, side="right") - 1
        self.at_risk_rows = np.flatnonzero(bucket >= 0)
        self.at_risk_bucket = bucket[self.at_risk_rows] * self.width
        self.event_rows = np.flatnonzero(d == 1)
        self.event_bucket = bucket[self.event_rows] * self.width
        self.n_all = n_all[keep].astype(float)
        self.ev = ev[keep]

    def _above(self, bucket, rank):
        """[event time, cut]: how many of the rows counted have covariate ≥ cut."""
        h = np.bincount(bucket + rank, minlength=self.n_event_times * self.width)
        h = h.reshape(self.n_event_times, self.width)
        return np.cumsum(h[:, ::-1], axis=1)[:, ::-1][:, 1:]  # rank > j  <=>  cov ≥ cuts[j]

    def chi(self, x_sorted_cov):
        rank = np.searchsorted(self.cuts, x_sorted_cov, side="right")  # how many cuts are ≤ cov
        at_risk = self._above(self.at_risk_bucket, rank[self.at_risk_rows])
        n1 = np.cumsum(at_risk[::-1], axis=0)[::-1].astype(float)  # at risk in group "≥ cut"
        D = self._above(self.event_bucket, rank[self.event_rows]).astype(float)
        n_all, ev = self.n_all, self.ev
        e1 = ev[:, None] * n1 / n_all[:, None]
        with np.errstate(invalid="ignore", divide="ignore"):
            v = np.where(n_all[:, None] > 1, ev[:, None] * (n1 / n_all[:, None]) * (1 - n1 / n_all[:, None])
                         * (n_all[:, None] - ev[:, None]) / (n_all[:, None] - 1), 0.0)
        o_minus_e = np.sum(D - e1, axis=0)
        var = np.sum(v, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(var > 0, o_minus_e ** 2 / var, np.nan)


def optimal_cutpoint(data: pd.DataFrame, time: str, event: str, covariate: str, *, prespecified=None,
                     min_group: float = 0.1, n_permutations: int = 1000, seed: int = PERMUTATION_SEED
                     ) -> OptimalCutpoint:
    """Search every cut point of ``covariate`` for the smallest log-rank p (the "optimal" cut) and
    compare it with a pre-specified cut (``prespecified``: a number, or None for the median).

    Candidates: the distinct observed values c with at least ``min_group`` of the patients on each
    side (groups < c and ≥ c, as :func:`nelm_stats.cut_numeric`), i.e. cuts between the 10th and
    90th percentiles by default. Each log-rank statistic equals ``survdiff`` (``rho = 0``). The
    minimum p is corrected for the search by :func:`altman_corrected_p` (ε = ``min_group``) and by
    permutation: the covariate is shuffled against (time, event) ``n_permutations`` times with
    ``numpy.random.Generator(PCG64(seed))`` and the whole search repeated.
    """
    data = require_frame(data)
    require_columns(data, [time, event, covariate])
    if not isinstance(n_permutations, (int, np.integer)) or n_permutations < 0:
        raise InputError(f"The number of permutations must be a whole number, 0 or more; got {n_permutations!r}.")
    if not 0 < float(min_group) < 0.5:
        raise InputError(f"The smallest group must be a proportion between 0 and 0.5; got {min_group!r}.")
    s = data[covariate]
    if pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
        raise InputError(f"'{schema_label(covariate)}' is not a measurement (numbers): there is no cut point to search.")
    sub, n_excluded = complete_cases(data, [time, event, covariate])
    if len(sub) < 10:
        raise InsufficientDataError(f"Only {len(sub)} patients have '{schema_label(covariate)}' and follow-up: too few to search for a cut point.")
    t = aeq_times(as_time(sub[time]))
    d = as_event(sub[event])
    x = as_numeric(sub[covariate], schema_label(covariate))
    if d.sum() == 0:
        raise InsufficientDataError("No patient had an event: survival cannot be compared.")
    order = np.lexsort((np.arange(len(t)), t))
    t, d, x = t[order], d[order].astype(float), x[order]
    n = len(t)
    values = np.unique(x)
    below = np.searchsorted(np.sort(x), values, side="left")
    need = min_group * n
    ok = (below >= need) & (n - below >= need)
    cuts = values[ok]
    if cuts.size == 0:
        raise InsufficientDataError(
            f"'{schema_label(covariate)}' has too few different values for a cut point with at least "
            f"{100 * min_group:g} % of the patients on each side."
        )
    scanner = _LogrankScan(t, d, cuts)
    chi = scanner.chi(x)
    p = stats.chi2.sf(chi, 1)
    scan = pd.DataFrame({"cutpoint": cuts, "n_below": below[ok].astype(int), "n_above": (n - below[ok]).astype(int),
                         "statistic": chi, "p_value": p})
    p_min = float(np.nanmin(p))
    # ties: p-values equal up to floating-point noise count as equal; the lowest cut is taken
    best = int(np.flatnonzero(p <= p_min * (1 + 1e-9))[0])
    nc = cut_numeric(sub, covariate, cutpoint=prespecified)
    groups = pd.DataFrame({"time": as_time(sub[time]), "event": as_event(sub[event]), "group": nc.groups.to_numpy()})
    p_pre = float(logrank_test(groups, "time", "event", "group").p_value)
    rng = np.random.Generator(np.random.PCG64(int(seed)))
    # each permutation's smallest p is that of its largest chi-square (p falls as chi-square grows)
    null_chi = np.empty(int(n_permutations))
    for b in range(int(n_permutations)):
        null_chi[b] = np.nanmax(scanner.chi(x[rng.permutation(n)]))
    null = stats.chi2.sf(null_chi, 1)
    p_perm = float((1 + np.sum(null <= p_min * (1 + 1e-9))) / (n_permutations + 1)) if n_permutations else float("nan")
    warnings = []
    if prespecified is not None and not (cuts.min() <= nc.cutpoint <= cuts.max()):
        warnings.append("The pre-specified cut lies outside the searched range: its p-value may be below the minimum.")
    return OptimalCutpoint(
        covariate=covariate, scan=scan, optimal_cutpoint=float(cuts[best]), p_min=p_min,
        prespecified=float(nc.cutpoint), prespecified_method=nc.method, p_prespecified=p_pre,
        p_corrected=altman_corrected_p(p_min, float(min_group)), p_permutation=p_perm,
        null_min_p=pd.DataFrame({"permutation": np.arange(1, len(null) + 1), "min_p": null}),
        n_permutations=int(n_permutations), seed=int(seed), min_group=float(min_group), n=n,
        events=int(d.sum()), n_excluded=int(n_excluded), warnings=tuple(warnings),
    )
