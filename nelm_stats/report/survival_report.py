"""Everything the Survival page shows, computed in one call from plain arguments.

:func:`survival_report` runs the public survival API (kaplan_meier, logrank_test,
pairwise_logrank, median_follow_up, restricted_mean) for one endpoint and grouping, and
returns the results together with warnings and a plain-language reading; it computes no
statistic itself.  :func:`competing_report` does the same for the cumulative incidence of
recurrence with death as a competing event.  Both are pure functions of a DataFrame and
plain values, so a dashboard can cache them.

Times in the data are in months (the canonical schema); ``time_unit="years"`` divides them
by 12 (365.25 / 30.4375).  ``horizon``, ``landmark`` and the reported rate times are in the
chosen unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._checks import as_event, check_choice, complete_cases, require_columns, require_frame
from ..errors import AnalysisError, InputError, InsufficientDataError
from ..estimators.competing import competing_event_type, cumulative_incidence
from ..estimators.groups import NumericCut, cut_numeric
from ..estimators.logrank import logrank_test, pairwise_logrank
from ..estimators.survival import kaplan_meier, landmark, median_follow_up, restricted_mean, rmst_difference
from .format import group_in_sentence, in_sentence
from .narrative import describe_competing, describe_survival, display_label, survival_warnings
from ..schema import label

__all__ = [
    "TIME_UNITS", "RATE_YEARS", "SurvivalReport", "CompetingReport", "competing_event_type",
    "survival_report", "competing_report", "has_times", "longest_follow_up",
]

TIME_UNITS = {"months": 1.0, "years": 12.0}  # divide months by this
RATE_YEARS = (1, 3, 5)



@dataclass(frozen=True)
class SurvivalReport:
    """Results behind a Kaplan–Meier page (see :func:`survival_report`)."""

    endpoint: str
    event_label: str
    time_unit: str
    group: str | None  # the grouping column (None: whole cohort)
    group_name: str | None  # its label for people
    cut: NumericCut | None
    ordered: bool  # groups have a natural order (trend test meaningful)
    km: object  # kaplan_meier result
    test: object | None  # logrank_test result (None with one group)
    trend: object | None  # logrank_test(trend=True) (ordered groups, k >= 3)
    pairwise: pd.DataFrame | None  # pairwise_logrank, Holm (k >= 3)
    rates: pd.DataFrame  # km.at(1/3/5 years in the chosen unit)
    follow_up: pd.DataFrame  # median_follow_up by group (on follow_up_columns)
    follow_up_all: pd.DataFrame  # median_follow_up of the whole analysed cohort
    follow_up_columns: tuple[str, str]  # (time, event) the follow-up was computed from
    rmst: pd.DataFrame | None  # restricted_mean at the horizon
    rmst_difference: pd.DataFrame | None  # rmst_difference(...).table (two or more groups)
    horizon: float
    landmark: float | None
    n: int
    n_excluded: int  # missing time, event or group
    n_landmark_excluded: int  # event or censoring before the landmark
    warnings: tuple[str, ...] = field(default=())
    narrative: str = ""


@dataclass(frozen=True)
class CompetingReport:
    """Results behind a cumulative-incidence page (see :func:`competing_report`)."""

    time_unit: str
    group: str | None
    group_name: str | None
    cut: NumericCut | None
    cif: object  # cumulative_incidence result, cause 1 = recurrence
    cif_death: object | None  # cumulative_incidence, cause 2 = death without recurrence (None: no such death)
    at_risk: object  # kaplan_meier of the first event (either cause): numbers at risk
    rates: pd.DataFrame  # cif.at(1/3/5 years)
    horizon: float
    landmark: float | None
    n: int
    n_recurrence: int
    n_death: int
    n_excluded: int
    n_landmark_excluded: int
    warnings: tuple[str, ...] = field(default=())
    narrative: str = ""



def _grouping(data: pd.DataFrame, group: str | None, cut) -> tuple[pd.Series | None, NumericCut | None, bool]:
    """The grouping Series (or None), the cut used, and whether the groups are ordered."""
    if group is None:
        return None, None, False
    require_columns(data, [group])
    if cut is not None:
        nc = cut_numeric(data, group, cutpoint=None if cut == "median" else cut, name=label(group))
        return nc.groups, nc, True
    s = data[group]
    ordered = isinstance(s.dtype, pd.CategoricalDtype) and bool(s.dtype.ordered)
    if s.nunique(dropna=True) > 12:
        raise InputError(
            f"'{label(group)}' has {s.nunique()} different values: too many for survival curves. "
            "Cut it into two groups (at the median or a chosen value)."
        )
    return s, None, ordered


def _work_frame(data, names, time, event_series, grouping, unit_div) -> pd.DataFrame:
    """The analysed columns, under the data's own names (so messages name real columns)."""
    t, e, g = names
    cols = {t: pd.to_numeric(data[time], errors="coerce") / unit_div, e: event_series}
    if grouping is not None:
        cols[g] = grouping
    return pd.DataFrame(cols, index=data.index)


def _apply_landmark(work: pd.DataFrame, _T: str, event_col: str, at: float | None) -> tuple[pd.DataFrame, int]:
    """Patients event-free and followed beyond the landmark, clock reset (survival.landmark)."""
    if at is None:
        return work, 0

    lm = landmark(work, _T, event_col, at=at)
    if lm.n == 0:
        raise InsufficientDataError(
            f"No patient is still followed and event-free after the landmark ({float(at):g}); "
            "choose an earlier landmark."
        )
    return lm.data, lm.n_excluded


def _check_unit(time_unit: str) -> float:
    check_choice(time_unit, "time_unit", tuple(TIME_UNITS))
    return TIME_UNITS[time_unit]


def _rate_times(time_unit: str, rate_years) -> list[float]:
    return [float(y) * (12.0 if time_unit == "months" else 1.0) for y in rate_years]


def survival_report(
    data: pd.DataFrame,
    time: str,
    event: str,
    group: str | None = None,
    *,
    cut: float | str | None = None,
    time_unit: str = "months",
    horizon: float | None = None,
    landmark: float | None = None,
    rate_years=RATE_YEARS,
    conf_type: str = "log",
    endpoint: str = "Survival",
    event_label: str = "event",
    follow_up: tuple[str, str] | None = None,
) -> SurvivalReport:
    """Kaplan–Meier by group with tests, rates, follow-up, RMST, warnings and a reading.

    ``group``: a grouping column; with ``cut`` ("median" or a number) a numeric column is
    split into < cut and ≥ cut (:func:`nelm_stats.groups.cut_numeric`).  ``horizon``: end
    of the time axis and RMST's tau (default: the longest follow-up).  ``landmark``: only
    patients event-free and followed beyond it, times counted from it.  ``follow_up``:
    the (time, event) columns whose reverse Kaplan–Meier gives the median follow-up — papers
    use overall survival (``("os_months", "os_event")``); default: ``time`` and ``event``.
    It is computed for the patients analysed (from the landmark, with one).
    """

    require_frame(data)
    require_columns(data, [time, event, group])
    div = _check_unit(time_unit)
    grouping, nc, ordered = _grouping(data, group, cut)
    _T, _E, _G = time, event, group
    work = _work_frame(data, (_T, _E, _G), time, data[event], grouping, div)
    used = [_T, _E] + ([_G] if grouping is not None else [])
    work, n_excluded = complete_cases(work, used)
    work, n_lm = _apply_landmark(work, _T, _E, landmark)
    g = _G if grouping is not None else None

    km = kaplan_meier(work, _T, _E, g, conf_type=conf_type)
    k = len(km.medians)
    if horizon is None:
        horizon = float(work[_T].max())
    horizon = float(horizon)
    if not horizon > 0:
        raise InputError("The time horizon must be greater than 0.")

    test = trend = pairwise = None
    if k >= 2:
        test = logrank_test(work, _T, _E, g)
        if k >= 3:
            pairwise = pairwise_logrank(work, _T, _E, g, adjust="holm")
            if ordered:
                trend = logrank_test(work, _T, _E, g, trend=True)

    rates = km.at(_rate_times(time_unit, rate_years))
    fu_time, fu_event = follow_up if follow_up is not None else (time, event)
    require_columns(data, [fu_time, fu_event])
    if (fu_time, fu_event) == (time, event):
        fu = work
    else:
        fu = work.drop(columns=[_T, _E]).assign(
            **{_T: pd.to_numeric(data.loc[work.index, fu_time], errors="coerce") / div
               - (float(landmark) if landmark is not None else 0.0),
               _E: data.loc[work.index, fu_event]}
        ).dropna(subset=[_T, _E])
    follow_up_table = median_follow_up(fu, _T, _E, g)
    follow_up_all = median_follow_up(fu, _T, _E)
    warnings = survival_warnings(km.medians, time_unit)
    if g is not None and k < 2:
        warnings.insert(0, (
            f"Only one group of {in_sentence(label(group))} ({group_in_sentence(km.medians['group'].iloc[0], group)}) "
            "has the data this "
            "analysis needs; the curve is shown for these patients without a comparison."
        ))
    rmst = rmst_diff = None
    try:
        rmst = restricted_mean(work, _T, _E, g, tau=horizon)
        if k >= 2:
            rmst_diff = rmst_difference(work, _T, _E, g, tau=horizon).table
    except AnalysisError as err:
        warnings.append(f"Restricted mean survival time not available at {horizon:g} {time_unit}: {err}")
    group_name = label(group) if group is not None else None
    first_rate = rates[rates["time"] == rates["time"].iloc[min(1, len(rates) - 1)]] if len(rates) else None
    narrative = describe_survival(
        km.medians,
        endpoint=endpoint,
        event_label=event_label,
        time_unit=time_unit,
        group_name=group_name,
        test=test,
        trend=trend,
        pairwise=pairwise,
        rates=first_rate,
        follow_up=follow_up_all,
        n_excluded=n_excluded,
        landmark=landmark,
        follow_up_basis="" if (fu_time, fu_event) == (time, event) else f" on {label(fu_time).lower()}",
    )
    return SurvivalReport(
        endpoint=endpoint,
        event_label=event_label,
        time_unit=time_unit,
        group=group,
        group_name=group_name,
        cut=nc,
        ordered=ordered,
        km=km,
        test=test,
        trend=trend,
        pairwise=pairwise,
        rates=rates,
        follow_up=follow_up_table,
        follow_up_all=follow_up_all,
        follow_up_columns=(fu_time, fu_event),
        rmst=rmst,
        rmst_difference=rmst_diff,
        horizon=horizon,
        landmark=None if landmark is None else float(landmark),
        n=len(work),
        n_excluded=n_excluded,
        n_landmark_excluded=n_lm,
        warnings=tuple(warnings),
        narrative=narrative,
    )


def competing_report(
    data: pd.DataFrame,
    time: str = "rfs_months",
    recurrence: str = "recurrence",
    death: str = "death",
    group: str | None = None,
    *,
    event: str | None = "rfs_event",
    cut: float | str | None = None,
    time_unit: str = "months",
    horizon: float | None = None,
    landmark: float | None = None,
    rate_years=RATE_YEARS,
) -> CompetingReport:
    """Cumulative incidence of recurrence, death without recurrence competing (Aalen–Johansen).

    ``time`` is the time to the first of recurrence, death or last follow-up (RFS time);
    event types from :func:`competing_event_type`.  Gray's test compares groups.
    """

    require_frame(data)
    require_columns(data, [time, recurrence, death, group])
    div = _check_unit(time_unit)
    grouping, nc, _ = _grouping(data, group, cut)
    etype = competing_event_type(data, recurrence, death, event)
    _T, _G = time, group
    _C = "event_type" if "event_type" not in (time, group) else "event_type_"
    _E = "any_event" if "any_event" not in (time, group) else "any_event_"
    work = _work_frame(data, (_T, _C, _G), time, etype, grouping, div)
    used = [_T, _C] + ([_G] if grouping is not None else [])
    work, n_excluded = complete_cases(work, used)
    work[_C] = work[_C].astype(int)
    work[_E] = (work[_C] > 0).astype(int)
    work, n_lm = _apply_landmark(work, _T, _E, landmark)
    g = _G if grouping is not None else None
    warnings = []
    if g is not None and work[g].nunique() < 2:
        only = ", ".join(group_in_sentence(v, group) for v in pd.unique(work[g].dropna()))
        warnings.append(
            f"Only one group of {in_sentence(label(group))} ({only}) has the data this analysis needs; "
            "the curve is shown for these patients without a comparison."
        )
        g = None

    cif = cumulative_incidence(work, _T, _C, g, cause=1)
    cif_death = cumulative_incidence(work, _T, _C, g, cause=2) if (work[_C] == 2).any() else None
    at_risk = kaplan_meier(work, _T, _E, g)
    if horizon is None:
        horizon = float(work[_T].max())
    horizon = float(horizon)
    rates = cif.at(_rate_times(time_unit, rate_years))
    n_rec = int((work[_C] == 1).sum())
    n_death = int((work[_C] == 2).sum())
    if n_rec < 5:
        warnings.append(f"Only {n_rec} recurrences: the cumulative incidence is very uncertain.")
    group_name = label(group) if group is not None else None
    t_read = rates["time"].iloc[min(1, len(rates) - 1)] if len(rates) else None
    narrative = describe_competing(
        rates[rates["time"] == t_read] if t_read is not None else rates,
        time_unit=time_unit,
        group_name=group_name,
        gray_test=cif.gray_test if g is not None else None,
        n=len(work),
        n_recurrence=n_rec,
        n_death=n_death,
        n_excluded=n_excluded,
    )
    return CompetingReport(
        time_unit=time_unit,
        group=group,
        group_name=group_name,
        cut=nc,
        cif=cif,
        cif_death=cif_death,
        at_risk=at_risk,
        rates=rates,
        horizon=horizon,
        landmark=None if landmark is None else float(landmark),
        n=len(work),
        n_recurrence=n_rec,
        n_death=n_death,
        n_excluded=n_excluded,
        n_landmark_excluded=n_lm,
        warnings=tuple(warnings),
        narrative=narrative,
    )


def has_times(data: pd.DataFrame, time: str) -> bool:
    """Whether ``data`` has the column ``time`` with at least one follow-up time."""
    return time in data.columns and bool(data[time].notna().any())


def longest_follow_up(data: pd.DataFrame, time: str, time_unit: str = "months") -> float:
    """The longest follow-up time in ``time`` (months in the data) in ``time_unit``; NaN if none."""
    div = _check_unit(time_unit)
    if not has_times(data, time):
        return float("nan")
    return float(pd.to_numeric(data[time], errors="coerce").max()) / div
