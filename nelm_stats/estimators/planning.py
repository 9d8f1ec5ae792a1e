"""Planning the next study: events, patients and power for a survival comparison, sample sizes for
two rates (superiority and non-inferiority), and the observed values of a cohort to start from.

R equivalents (tests/r/planning.R, tests/test_planning.py), all to 1e-6 relative:

- ``survival_sample_size`` = rpact ``getSampleSizeSurvival(alpha, beta = 1 - power, sided,
  hazardRatio, median2 = median_control, accrualTime = c(0, accrual_time), followUpTime,
  allocationRatioPlanned, dropoutRate1 = dropoutRate2 = dropout_rate, dropoutTime,
  typeOfComputation = "Schoenfeld" | "Freedman")``: ``events`` = maxNumberOfEvents, ``patients`` =
  maxNumberOfSubjects, ``patients_treated`` = nFixed1, ``patients_control`` = nFixed2.

  Events (rpact's default twoSidedPower = FALSE: the second tail is ignored when solving),
  with r = allocation_ratio (treated : control), z_a = z(1 - alpha / sided), z_b = z(power):
  Schoenfeld  E = (z_a + z_b)^2 (1 + r)^2 / (r log(HR)^2);
  Freedman    E = (z_a + z_b)^2 (1 + r HR)^2 / (r (1 - HR)^2).
  Patients N = E / P(event), where P(event) = (r P_1 + P_2) / (1 + r) and P_g is the probability
  that a patient of arm g has the event by the analysis: exponential survival (control hazard
  log 2 / median_control, treated hazard HR times that), exponential drop-out with hazard
  phi = -log(1 - dropout_rate) / dropout_time competing with the event, uniform accrual over
  [0, a], analysis at a + f (a = accrual_time, f = follow_up_time):
  P_g = lambda_g / k_g * (1 - exp(-k_g f) (1 - exp(-k_g a)) / (k_g a)),  k_g = lambda_g + phi.
  rpact integrates the same function numerically (stats::integrate); here it is in closed form.
- ``survival_power`` = rpact ``getPowerSurvival(..., maxNumberOfEvents = events)$overallReject``:
  one-sided Phi(theta sqrt(E) - z(1 - alpha)); two-sided both tails,
  Phi(theta sqrt(E) - z(1 - alpha/2)) + Phi(-theta sqrt(E) - z(1 - alpha/2)); theta =
  |log HR| sqrt(r) / (1 + r) (Schoenfeld) or sqrt(r) |1 - HR| / (1 + r HR) (Freedman).
- ``proportions_sample_size(method="arcsine")`` = ``pwr::pwr.2p.test(h = ES.h(p1, p2), sig.level,
  power)$n`` (two-sided, both tails, Cohen's h = 2 asin(sqrt(p1)) - 2 asin(sqrt(p2))), solved to
  machine precision (pwr's uniroot stops at about 1e-7 relative);
  ``method="normal"`` = ``stats::power.prop.test(p1, p2, sig.level, power)$n`` (two-sided,
  strict = FALSE), in closed form n = (z(1-alpha/2) sqrt(2 pbar qbar) + z(power) sqrt(p1 q1 +
  p2 q2))^2 / (p1 - p2)^2, which is the root power.prop.test searches with uniroot.
  ``proportions_power`` gives the power of those two calculations for a given n per group.
- ``noninferiority_sample_size(p_standard, p_new, *, margin)`` = rpact ``getSampleSizeRates(groups
  = 2, pi1 = p_new, pi2 = p_standard, thetaH0 = margin, sided = 1, alpha, beta = 1 - power,
  normalApproximation = TRUE, allocationRatioPlanned)``: ``n_new`` = nFixed1, ``n_standard`` =
  nFixed2, ``patients`` = nFixed. The rate is of an unwanted outcome (a positive margin, a
  complication); the new technique is non-inferior when its rate exceeds the standard's by less
  than ``margin`` (H0: p_new - p_standard >= margin), tested one-sided with the Farrington–Manning
  score test (variance under H0 from the restricted maximum-likelihood rates):
  n_new = (z(1-alpha) sqrt(m1 (1-m1) + m2 (1-m2) r) + z(power) sqrt(p1 q1 + p2 q2 r))^2 /
  (p_new - p_standard - margin)^2, n_standard = n_new / r. ``noninferiority_power`` is rpact's
  ``getPowerRates(groups = 2, pi1, pi2, thetaH0, sided = 1, maxNumberOfSubjects)$overallReject``.

``planning_inputs`` reads the values to start from out of a cohort: the observed hazard ratio of
two groups (Cox), the control group's median, and the positive-margin (R1/R2) rate of each group.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._lazy import optimize, stats
from .._checks import as_event, as_time, group_order, require_columns, require_frame
from ..errors import AnalysisError, InputError, InvalidValueError
from ..schema import POSITIVE_MARGINS
from .cox import cox_regression
from .survival import kaplan_meier

__all__ = [
    "SURVIVAL_METHODS", "PROPORTION_METHODS", "SURVIVAL_CURVE_COLUMNS", "RATES_CURVE_COLUMNS",
    "TIMELINE_COLUMNS", "DEFAULT_ACCRUAL", "DEFAULT_FOLLOW_UP", "DEFAULT_HAZARD_RATIO", "DEFAULT_MEDIAN",
    "DEFAULT_RATE", "MARGIN_POSITIVE",
    "SurvivalSampleSize", "SurvivalPower", "ProportionsSampleSize", "ProportionsPower",
    "NoninferioritySampleSize", "NoninferiorityPower", "PlanningInputs",
    "survival_sample_size", "survival_power", "proportions_sample_size", "proportions_power",
    "noninferiority_sample_size", "noninferiority_power", "planning_inputs",
]

SURVIVAL_METHODS = ("schoenfeld", "freedman")
PROPORTION_METHODS = ("arcsine", "normal")
SURVIVAL_CURVE_COLUMNS = ["patients", "events", "power"]
RATES_CURVE_COLUMNS = ["n_per_group", "patients", "power"]
TIMELINE_COLUMNS = ["time", "patients", "events"]
DEFAULT_ACCRUAL = 24.0  # months: what a page offers before the user says otherwise
DEFAULT_FOLLOW_UP = 36.0
DEFAULT_HAZARD_RATIO = 0.6  # offered when the cohort's own hazard ratio cannot be used
NEAR_ONE = 1.1  # an observed hazard ratio between 1/1.1 and 1.1 is "about 1"
EXTREME = 20.0  # beyond 1/20 .. 20 an observed hazard ratio is not a planning value


# ----------------------------------------------------------------------------- checks
def _number(value, what: str) -> float:
    if isinstance(value, bool) or value is None:
        raise InputError(f"The {what} must be a number; got {value!r}.")
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise InputError(f"The {what} must be a number; got {value!r}.") from None
    if not math.isfinite(x):
        raise InvalidValueError(f"The {what} must be a finite number; got {value!r}.")
    return x


def _alpha(alpha) -> float:
    a = _number(alpha, "significance level (alpha)")
    if not 0 < a <= 0.5:
        raise InvalidValueError(
            f"The significance level (alpha) must be above 0 and at most 0.5 (usually 0.05); got {a:g}.")
    return a


def _power(power, alpha: float) -> float:
    p = _number(power, "power")
    if not 0 < p < 1:
        raise InvalidValueError(f"The power must be between 0 and 1 (e.g. 0.80 for 80 %); got {p:g}.")
    if p <= alpha:
        raise InvalidValueError(
            f"The power ({p:g}) must be larger than the significance level ({alpha:g}): "
            "a study cannot be planned to detect an effect less often than it finds one by chance.")
    return p


def _sided(sided) -> int:
    if isinstance(sided, bool) or sided not in (1, 2):
        raise InputError(f"The test must be one-sided (sided=1) or two-sided (sided=2); got {sided!r}.")
    return int(sided)


def _method(method, choices: tuple) -> str:
    if not isinstance(method, str) or method.lower() not in choices:
        raise InputError(f"The method must be one of {', '.join(repr(c) for c in choices)}; got {method!r}.")
    return method.lower()


def _hazard_ratio(hr) -> float:
    h = _number(hr, "hazard ratio")
    if h <= 0:
        raise InvalidValueError(f"The hazard ratio must be above 0; got {h:g}.")
    if h == 1:
        raise InvalidValueError(
            "A hazard ratio of 1 means no difference between the groups, which no study can be "
            "planned to detect. Enter the smallest clinically relevant hazard ratio (e.g. 0.67 or 1.5).")
    return h


def _positive(x, what: str, unit: str = "") -> float:
    v = _number(x, what)
    if v <= 0:
        raise InvalidValueError(f"The {what} must be above 0{unit}; got {v:g}.")
    return v


def _probability(x, what: str) -> float:
    p = _number(x, what)
    if not 0 < p < 1:
        raise InvalidValueError(
            f"The {what} must be a proportion between 0 and 1 (e.g. 0.15 for 15 %), not 0 or 1; got {p:g}.")
    return p


def _allocation(r) -> float:
    v = _number(r, "allocation ratio (treated : control)")
    if v <= 0:
        raise InvalidValueError(
            f"The allocation ratio (patients treated per control patient) must be above 0, e.g. 1 or 2; got {v:g}.")
    return v


def _z(p: float) -> float:
    """The upper p quantile of the standard normal, z(1 - p) (rpact's .getOneMinusQNorm)."""
    return float(stats.norm.isf(p))


def _Phi(x):
    return stats.norm.cdf(x)


# ----------------------------------------------------------------------------- survival
def _theta(hr: float, r: float, method: str) -> float:
    """The standardised effect per square root of an event."""
    if method == "schoenfeld":
        return abs(math.log(hr)) * math.sqrt(r) / (1 + r)
    return math.sqrt(r) * abs(1 - hr) / (1 + r * hr)


def _events(hr: float, alpha: float, power: float, sided: int, r: float, method: str) -> float:
    zz = (_z(alpha / sided) + _z(1 - power)) ** 2
    if method == "schoenfeld":
        return zz / math.log(hr) ** 2 * (1 + r) ** 2 / r
    return zz * (1 + hr * r) ** 2 / (1 - hr) ** 2 / r


def _survival_power(theta: float, events, alpha: float, sided: int):
    e = np.sqrt(np.asarray(events, dtype=float)) * theta
    if sided == 1:
        return _Phi(e - _z(alpha))
    z = _z(alpha / 2)
    return _Phi(e - z) + _Phi(-e - z)


def _arm_probability(lam: float, phi: float, accrual: float, follow_up: float) -> float:
    """P(event by the analysis) for a patient accrued uniformly over [0, a], analysed at a + f."""
    k = lam + phi
    return lam / k * (1 + math.exp(-k * follow_up) * math.expm1(-k * accrual) / (k * accrual))


def _cum_integral(lam: float, phi: float, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Integral of the event probability F(x) = lam/k (1 - exp(-k x)) over [lo, hi]."""
    k = lam + phi
    return lam / k * ((hi - lo) + (np.expm1(-k * hi) - np.expm1(-k * lo)) / k)


@dataclass(frozen=True)
class SurvivalSampleSize:
    """Events and patients a two-arm survival comparison needs (rpact getSampleSizeSurvival).

    ``events``, ``patients``, ``patients_treated``, ``patients_control`` are unrounded, as rpact
    reports them (a protocol rounds them up). ``event_probability`` is the chance that a patient
    has the event by the analysis; ``duration`` = accrual + follow-up; ``accrual_rate`` patients per
    unit of time.
    """

    hazard_ratio: float
    median_control: float
    accrual_time: float
    follow_up_time: float
    alpha: float
    power: float
    sided: int
    allocation_ratio: float
    dropout_rate: float
    dropout_time: float
    method: str
    events: float
    patients: float
    patients_treated: float
    patients_control: float
    median_treated: float
    event_probability: float
    event_probability_treated: float
    event_probability_control: float
    duration: float
    accrual_rate: float

    @property
    def _hazards(self) -> tuple[float, float, float]:
        lam2 = math.log(2) / self.median_control
        phi = -math.log1p(-self.dropout_rate) / self.dropout_time
        return self.hazard_ratio * lam2, lam2, phi

    def power_curve(self, patients=None) -> pd.DataFrame:
        """[patients, events, power]: the power of this design with other numbers of patients
        (same accrual and follow-up; events = patients x event_probability). Default: 40 points
        from a tenth to twice the planned number."""
        if patients is None:
            patients = np.linspace(max(2.0, 0.1 * self.patients), 2 * self.patients, 40)
        n = np.asarray(patients, dtype=float)
        events = n * self.event_probability
        theta = _theta(self.hazard_ratio, self.allocation_ratio, self.method)
        power = _survival_power(theta, events, self.alpha, self.sided)
        return pd.DataFrame({"patients": n, "events": events, "power": np.asarray(power, dtype=float)},
                            columns=SURVIVAL_CURVE_COLUMNS)

    def timeline(self, times=None) -> pd.DataFrame:
        """[time, patients, events]: patients accrued and events expected (both arms) by each time
        since the first patient, from 0 to the analysis (accrual + follow-up). Default: 61 points."""
        if times is None:
            times = np.unique(np.concatenate([np.linspace(0, self.duration, 61), [self.accrual_time]]))
        t = np.asarray(times, dtype=float)
        a, r = self.accrual_time, self.allocation_ratio
        lo, hi = np.maximum(0.0, t - a), t
        lam1, lam2, phi = self._hazards
        p1 = _cum_integral(lam1, phi, lo, hi) / a
        p2 = _cum_integral(lam2, phi, lo, hi) / a
        events = self.patients * (r * p1 + p2) / (1 + r)
        accrued = self.patients * np.minimum(t, a) / a
        return pd.DataFrame({"time": t, "patients": accrued, "events": events}, columns=TIMELINE_COLUMNS)


def survival_sample_size(hazard_ratio, *, median_control, accrual_time, follow_up_time, alpha=0.05,
                         power=0.80, sided=2, allocation_ratio=1.0, dropout_rate=0.0, dropout_time=12.0,
                         method="schoenfeld") -> SurvivalSampleSize:
    """Events and patients to detect ``hazard_ratio`` (treated vs control) with a log-rank test.

    Exponential survival in both arms (control median ``median_control``, treated hazard
    ``hazard_ratio`` times the control hazard), uniform accrual over ``accrual_time``, then
    ``follow_up_time`` of further follow-up; ``dropout_rate`` is the probability of dropping out
    by ``dropout_time`` in each arm (exponential). Times in any one unit (months, say).
    ``allocation_ratio`` = treated : control. ``method`` "schoenfeld" or "freedman".
    Equals rpact's getSampleSizeSurvival (see the module docstring).
    """
    hr = _hazard_ratio(hazard_ratio)
    a = _alpha(alpha)
    pw = _power(power, a)
    s = _sided(sided)
    r = _allocation(allocation_ratio)
    m = _method(method, SURVIVAL_METHODS)
    median = _positive(median_control, "median survival of the control group", " (a time)")
    acc = _positive(accrual_time, "accrual time", " (the time over which patients are enrolled)")
    fu = _number(follow_up_time, "follow-up time")
    if fu < 0:
        raise InvalidValueError(
            f"The follow-up time after the last patient is enrolled cannot be negative; got {fu:g}.")
    d = _number(dropout_rate, "drop-out rate")
    if not 0 <= d < 1:
        raise InvalidValueError(
            f"The drop-out rate is the proportion of patients lost to follow-up by the drop-out time: "
            f"at least 0 and below 1 (e.g. 0.05 for 5 %); got {d:g}.")
    dt = _positive(dropout_time, "drop-out time", " (the time by which the drop-out rate is reached)")

    events = _events(hr, a, pw, s, r, m)
    lam2 = math.log(2) / median
    lam1 = hr * lam2
    phi = -math.log1p(-d) / dt
    p1 = _arm_probability(lam1, phi, acc, fu)
    p2 = _arm_probability(lam2, phi, acc, fu)
    omega = (r * p1 + p2) / (1 + r)
    patients = events / omega
    control = patients / (1 + r)
    return SurvivalSampleSize(
        hazard_ratio=hr, median_control=median, accrual_time=acc, follow_up_time=fu, alpha=a, power=pw,
        sided=s, allocation_ratio=r, dropout_rate=d, dropout_time=dt, method=m, events=events,
        patients=patients, patients_treated=control * r, patients_control=control,
        median_treated=median / hr, event_probability=omega, event_probability_treated=p1,
        event_probability_control=p2, duration=acc + fu, accrual_rate=patients / acc,
    )


@dataclass(frozen=True)
class SurvivalPower:
    """The power of a log-rank comparison with ``events`` events (rpact getPowerSurvival)."""

    hazard_ratio: float
    events: float
    alpha: float
    sided: int
    allocation_ratio: float
    method: str
    power: float


def survival_power(hazard_ratio, *, events, alpha=0.05, sided=2, allocation_ratio=1.0,
                   method="schoenfeld") -> SurvivalPower:
    """The chance that a study with ``events`` events finds ``hazard_ratio`` significant."""
    hr = _hazard_ratio(hazard_ratio)
    a = _alpha(alpha)
    s = _sided(sided)
    r = _allocation(allocation_ratio)
    m = _method(method, SURVIVAL_METHODS)
    e = _positive(events, "number of events")
    power = float(_survival_power(_theta(hr, r, m), e, a, s))
    return SurvivalPower(hazard_ratio=hr, events=e, alpha=a, sided=s, allocation_ratio=r, method=m, power=power)


# ----------------------------------------------------------------------------- two rates
def _two_rates(p1, p2) -> tuple[float, float]:
    a = _probability(p1, "first rate (p1)")
    b = _probability(p2, "second rate (p2)")
    if a == b:
        raise InvalidValueError(
            f"The two rates are equal ({a:g}): there is no difference to detect. Enter the rates "
            "you expect in each group, differing by the smallest clinically relevant difference.")
    return a, b


def _rates_power(p1: float, p2: float, n, alpha: float, method: str):
    n = np.asarray(n, dtype=float)
    z = _z(alpha / 2)
    if method == "arcsine":
        h = abs(2 * math.asin(math.sqrt(p1)) - 2 * math.asin(math.sqrt(p2)))
        e = h * np.sqrt(n / 2)
        return _Phi(e - z) + _Phi(-z - e)
    d = abs(p1 - p2)
    pbar = (p1 + p2) / 2
    return _Phi((np.sqrt(n) * d - z * math.sqrt(2 * pbar * (1 - pbar))) / math.sqrt(p1 * (1 - p1) + p2 * (1 - p2)))


def _rates_curve(power_fn, n_planned: float, n_per_group=None, allocation: float = 1.0) -> pd.DataFrame:
    if n_per_group is None:
        n_per_group = np.linspace(max(2.0, 0.1 * n_planned), 2 * n_planned, 40)
    n = np.asarray(n_per_group, dtype=float)
    return pd.DataFrame({"n_per_group": n, "patients": n * (1 + 1 / allocation),
                         "power": np.asarray(power_fn(n), dtype=float)}, columns=RATES_CURVE_COLUMNS)


@dataclass(frozen=True)
class ProportionsSampleSize:
    """Patients per group to detect rates p1 vs p2, two-sided (pwr.2p.test / power.prop.test)."""

    p1: float
    p2: float
    alpha: float
    power: float
    method: str
    n_per_group: float
    patients: float

    def power_curve(self, n_per_group=None) -> pd.DataFrame:
        """[n_per_group, patients, power] around the planned size (a tenth to twice it)."""
        return _rates_curve(lambda n: _rates_power(self.p1, self.p2, n, self.alpha, self.method),
                            self.n_per_group, n_per_group)


def proportions_sample_size(p1, p2, *, alpha=0.05, power=0.80, method="arcsine") -> ProportionsSampleSize:
    """Patients per group (unrounded) to detect rates ``p1`` vs ``p2`` with a two-sided test.

    "arcsine" = pwr::pwr.2p.test(h = ES.h(p1, p2), sig.level = alpha, power)$n;
    "normal" = stats::power.prop.test(p1 = p1, p2 = p2, sig.level = alpha, power = power)$n.
    """
    a_, b_ = _two_rates(p1, p2)
    a = _alpha(alpha)
    pw = _power(power, a)
    m = _method(method, PROPORTION_METHODS)
    if m == "normal":
        pbar = (a_ + b_) / 2
        n = ((_z(a / 2) * math.sqrt(2 * pbar * (1 - pbar)) + _z(1 - pw) * math.sqrt(a_ * (1 - a_) + b_ * (1 - b_)))
             / (a_ - b_)) ** 2
    else:
        f = lambda x: float(_rates_power(a_, b_, x, a, m)) - pw  # noqa: E731
        hi = 2.0 + 1e-10
        while f(hi) < 0:
            hi *= 2
            if hi > 1e12:
                raise InvalidValueError("The two rates are so close that no feasible study could tell them apart.")
        lo = 2.0 + 1e-10 if hi <= 2.0 + 1e-10 else hi / 2
        n = lo if f(lo) >= 0 else float(optimize.brentq(f, lo, hi, xtol=1e-13, rtol=4 * np.finfo(float).eps,
                                                          maxiter=500))
    return ProportionsSampleSize(p1=a_, p2=b_, alpha=a, power=pw, method=m, n_per_group=n, patients=2 * n)


@dataclass(frozen=True)
class ProportionsPower:
    """The power of a two-sided comparison of two rates with ``n_per_group`` patients per group."""

    p1: float
    p2: float
    n_per_group: float
    alpha: float
    method: str
    power: float


def proportions_power(p1, p2, *, n_per_group, alpha=0.05, method="arcsine") -> ProportionsPower:
    """pwr.2p.test(h = ES.h(p1, p2), n = n_per_group, sig.level = alpha)$power ("arcsine") or
    power.prop.test(n = n_per_group, p1, p2, sig.level = alpha)$power ("normal")."""
    a_, b_ = _two_rates(p1, p2)
    a = _alpha(alpha)
    m = _method(method, PROPORTION_METHODS)
    n = _number(n_per_group, "number of patients per group")
    if n < 2:
        raise InvalidValueError(f"A comparison of two rates needs at least 2 patients per group; got {n:g}.")
    return ProportionsPower(p1=a_, p2=b_, n_per_group=n, alpha=a, method=m,
                            power=float(_rates_power(a_, b_, n, a, m)))


# ----------------------------------------------------------------------------- non-inferiority
def _farrington_manning(rate1: float, rate2: float, theta: float, allocation: float) -> tuple[float, float]:
    """The rates under H0 (rate1 - rate2 = theta) that maximise the likelihood (Farrington & Manning
    1990), as rpact's .getFarringtonManningValuesDiff computes them (closed-form cubic root)."""
    if theta == 0:
        ml = (allocation * rate1 + rate2) / (1 + allocation)
        return ml, ml
    a = 1 + 1 / allocation
    b = -(1 + 1 / allocation + rate1 + rate2 / allocation + theta * (1 / allocation + 2))
    c = theta ** 2 + theta * (2 * rate1 + 1 / allocation + 1) + rate1 + rate2 / allocation
    d = -theta * (1 + theta) * rate1
    v = b ** 3 / (3 * a) ** 3 - b * c / (6 * a ** 2) + d / (2 * a)
    if v == 0:
        u = math.sqrt(b ** 2 / (3 * a) ** 2 - c / (3 * a))
        w = math.pi / 2
    else:
        u = math.copysign(math.sqrt(b ** 2 / (3 * a) ** 2 - c / (3 * a)), v)
        w = (math.pi + math.acos(min(1.0, max(-1.0, v / u ** 3)))) / 3
    ml1 = min(max(0.0, 2 * u * math.cos(w) - b / (3 * a)), 1.0)
    ml2 = min(max(0.0, ml1 - theta), 1.0)
    return ml1, ml2


def _ni_inputs(p_standard, p_new, margin, alpha, allocation_ratio):
    ps = _probability(p_standard, "rate with the standard technique")
    pn = _probability(p_new, "expected rate with the new technique")
    mg = _number(margin, "non-inferiority margin")
    if not 0 < mg < 1:
        raise InvalidValueError(
            "The non-inferiority margin is how much higher the rate of the unwanted outcome may be with "
            f"the new technique and still count as acceptable: above 0 and below 1 (e.g. 0.10 for 10 "
            f"percentage points); got {mg:g}.")
    if ps + mg >= 1:
        raise InvalidValueError(
            f"The standard rate plus the margin ({ps:g} + {mg:g}) reaches 100 %: choose a smaller margin.")
    if pn - ps >= mg:
        raise InvalidValueError(
            f"The new technique's expected rate ({pn:g}) is already worse than the standard ({ps:g}) by the "
            f"margin ({mg:g}) or more, so no study can show it is non-inferior. Expect a rate closer to the "
            "standard, or allow a wider margin.")
    a = _number(alpha, "significance level (alpha)")
    if not 0 < a <= 0.5:
        raise InvalidValueError(
            f"The one-sided significance level (alpha) must be above 0 and at most 0.5 (usually 0.025); got {a:g}.")
    r = _allocation(allocation_ratio)
    return ps, pn, mg, a, r


def _ni_power(ps: float, pn: float, mg: float, alpha: float, r: float, n_new):
    ml1, ml2 = _farrington_manning(pn, ps, mg, r)
    s0 = math.sqrt(ml1 * (1 - ml1) + ml2 * (1 - ml2) * r)
    s1 = math.sqrt(pn * (1 - pn) + ps * (1 - ps) * r)
    return _Phi((abs(pn - ps - mg) * np.sqrt(np.asarray(n_new, dtype=float)) - _z(alpha) * s0) / s1)


@dataclass(frozen=True)
class NoninferioritySampleSize:
    """Patients to show that a new technique's rate of an unwanted outcome (e.g. R1 margins) is not
    worse than the standard's by ``margin`` or more; one-sided Farrington–Manning test
    (rpact getSampleSizeRates(groups = 2, thetaH0 = margin, sided = 1)). Unrounded."""

    p_standard: float
    p_new: float
    margin: float
    alpha: float
    power: float
    allocation_ratio: float
    n_new: float
    n_standard: float
    patients: float

    def power_curve(self, n_per_group=None) -> pd.DataFrame:
        """[n_per_group, patients, power]; n_per_group counts the new technique's arm."""
        return _rates_curve(lambda n: _ni_power(self.p_standard, self.p_new, self.margin, self.alpha,
                                                self.allocation_ratio, n),
                            self.n_new, n_per_group, self.allocation_ratio)


def noninferiority_sample_size(p_standard, p_new, *, margin, alpha=0.025, power=0.80,
                               allocation_ratio=1.0) -> NoninferioritySampleSize:
    """Patients for a one-sided non-inferiority comparison of two rates of an unwanted outcome.

    H0: p_new - p_standard >= margin, H1: p_new - p_standard < margin. ``allocation_ratio`` = new :
    standard. Equals rpact getSampleSizeRates(groups = 2, pi1 = p_new, pi2 = p_standard, thetaH0 =
    margin, sided = 1, alpha, beta = 1 - power, normalApproximation = TRUE) nFixed1 / nFixed2 / nFixed.
    """
    ps, pn, mg, a, r = _ni_inputs(p_standard, p_new, margin, alpha, allocation_ratio)
    pw = _power(power, a)
    ml1, ml2 = _farrington_manning(pn, ps, mg, r)
    n1 = ((_z(a) * math.sqrt(ml1 * (1 - ml1) + ml2 * (1 - ml2) * r)
           + _z(1 - pw) * math.sqrt(pn * (1 - pn) + ps * (1 - ps) * r)) ** 2 / (pn - ps - mg) ** 2)
    return NoninferioritySampleSize(p_standard=ps, p_new=pn, margin=mg, alpha=a, power=pw, allocation_ratio=r,
                                    n_new=n1, n_standard=n1 / r, patients=n1 + n1 / r)


@dataclass(frozen=True)
class NoninferiorityPower:
    """The power of a non-inferiority comparison with ``patients`` patients in all."""

    p_standard: float
    p_new: float
    margin: float
    patients: float
    alpha: float
    allocation_ratio: float
    power: float


def noninferiority_power(p_standard, p_new, *, margin, patients, alpha=0.025,
                         allocation_ratio=1.0) -> NoninferiorityPower:
    """rpact getPowerRates(groups = 2, pi1 = p_new, pi2 = p_standard, thetaH0 = margin, sided = 1,
    maxNumberOfSubjects = patients)$overallReject."""
    ps, pn, mg, a, r = _ni_inputs(p_standard, p_new, margin, alpha, allocation_ratio)
    n = _number(patients, "number of patients")
    if n < 2:
        raise InvalidValueError(f"A comparison of two rates needs at least 2 patients; got {n:g}.")
    n_new = n * r / (1 + r)
    return NoninferiorityPower(p_standard=ps, p_new=pn, margin=mg, patients=n, alpha=a, allocation_ratio=r,
                               power=float(_ni_power(ps, pn, mg, a, r, n_new)))


# ----------------------------------------------------------------------------- from a cohort
@dataclass(frozen=True)
class PlanningInputs:
    """What a cohort suggests for planning the next study.

    ``control``/``treated`` are two values of ``group`` (``levels``: all of its values, as text).
    ``hazard_ratio`` (Cox, treated vs control, with its CI and p-value) is NaN when it cannot be
    estimated; ``hazard_ratio_status`` says whether it can serve as the planning value: "observed",
    "near_one" (between 1/1.1 and 1.1), "extreme" (beyond 1/20..20 or an infinite CI),
    "not_estimable", "no_groups" or "no_endpoint". ``planning_hazard_ratio`` is the value to start
    from: the observed one, else DEFAULT_HAZARD_RATIO. ``median_control`` is the control group's
    Kaplan–Meier median (``median_source`` "kaplan_meier"), or log 2 x person-time / events when the
    median is not reached ("exponential", the median of the exponential model the calculation
    assumes), or NaN ("none"); ``planning_median_control`` falls back to DEFAULT_MEDIAN.
    ``rate_control``/``rate_treated`` are the positive-margin (R1/R2) rates of the two groups (NaN
    without a margin status); ``rate_status`` "observed" (both, different), "equal", "one_group" or
    "none"; ``planning_rate_control``/``planning_rate_treated`` the rates to start from (observed
    ones kept within 1 %..99 %; else the control rate, or DEFAULT_RATE, and half of it).
    """

    time: str | None
    event: str | None
    group: str | None
    levels: tuple
    control: str | None
    treated: str | None
    n_control: int
    n_treated: int
    events_control: int
    events_treated: int
    hazard_ratio: float
    hr_ci_lower: float
    hr_ci_upper: float
    hr_p_value: float
    hazard_ratio_status: str
    planning_hazard_ratio: float
    median_control: float
    median_source: str
    planning_median_control: float
    rate_control: float
    rate_treated: float
    n_rate_control: int
    n_rate_treated: int
    rate_status: str
    planning_rate_control: float
    planning_rate_treated: float
    n_excluded: int


MARGIN_POSITIVE = POSITIVE_MARGINS  # schema: margin_status values that count as positive
DEFAULT_MEDIAN = 24.0  # months
DEFAULT_RATE = 0.20


def _exponential_median(time: np.ndarray, event: np.ndarray) -> float:
    return math.log(2) * float(time.sum()) / float(event.sum()) if event.sum() > 0 else float("nan")


def _margin_rates(data: pd.DataFrame, group: str | None, control: str | None, treated: str | None):
    """(rate, n) of R1/R2 margins in the control (or whole cohort) and treated group."""
    nan = float("nan")
    if "margin_status" not in data.columns:
        return (nan, 0), (nan, 0)
    frame = data[data["margin_status"].notna()]
    if control is not None:
        frame = frame[frame[group].notna()]
    labels = frame[group].astype(str) if control is not None else pd.Series("all", index=frame.index)
    out = []
    for lv in (control if control is not None else "all", treated):
        sel = frame.loc[(labels == lv).to_numpy(), "margin_status"].astype(str) if lv is not None else []
        out.append((float(sel.isin(MARGIN_POSITIVE).mean()), int(len(sel))) if len(sel) else (nan, 0))
    return out[0], out[1]


def planning_inputs(data, time, event, group=None, *, control=None, treated=None) -> PlanningInputs:
    """The observed values of ``data`` to start planning from: hazard ratio of ``treated`` vs
    ``control`` (two values of ``group``; by default its first two, in the column's order), the
    control group's median of ``time`` and the positive-margin rate of each group. ``time`` and
    ``event`` may be None (a cohort without follow-up: margin rates only)."""
    data = require_frame(data)
    require_columns(data, [time, event, group])
    if (time is None) != (event is None):
        raise InputError("Give both the time and the event column of the endpoint, or neither.")
    nan = float("nan")
    endpoint = [c for c in (time, event) if c is not None]
    followed = data.dropna(subset=endpoint) if endpoint else data
    levels = [str(v) for v in group_order(followed[group])] if group is not None else []
    if len(levels) < 2:  # one group or none: the whole cohort
        group = None
        control = treated = None
    else:
        control = levels[0] if control is None else str(control)
        treated = (levels[1] if levels[1] != control else levels[0]) if treated is None else str(treated)
        for lv in (control, treated):
            if lv not in levels:
                raise InputError(f"'{lv}' is not a value of the column '{group}' (values: {', '.join(levels)}).")
        if control == treated:
            raise InputError("Choose two different groups to compare (the control and the treated group).")
    sub = data.dropna(subset=endpoint + ([group] if group is not None else []))
    n_excluded = len(data) - len(sub)
    labels = sub[group].astype(str) if group is not None else pd.Series("all", index=sub.index)
    ctrl = sub.loc[(labels == (control or "all")).to_numpy()]
    trt = sub.loc[(labels == treated).to_numpy()] if treated is not None else sub.iloc[:0]

    def _ev(frame):
        return int(as_event(frame[event]).sum()) if len(frame) and event is not None else 0

    hr = lo = hi = p = nan
    status = "no_endpoint" if time is None else "no_groups"
    if time is not None and group is not None:
        pair = pd.concat([ctrl, trt]).assign(_treated=lambda d: (d[group].astype(str) == treated).astype(float))
        if len(ctrl) and len(trt) and _ev(ctrl) + _ev(trt) > 0:
            try:
                fit = cox_regression(pair, time, event, ["_treated"])
                row = fit.table.iloc[0]
                hr, lo, hi, p = (float(row.hazard_ratio), float(row.ci_lower), float(row.ci_upper),
                                 float(row.p_value))
            except (AnalysisError, np.linalg.LinAlgError):
                pass
        if not (math.isfinite(hr) and hr > 0):
            status, hr = "not_estimable", nan
        elif 1 / NEAR_ONE < hr < NEAR_ONE:
            status = "near_one"
        elif not 1 / EXTREME <= hr <= EXTREME or not (math.isfinite(lo) and math.isfinite(hi)):
            status = "extreme"
        else:
            status = "observed"
    planning_hr = hr if status == "observed" else DEFAULT_HAZARD_RATIO

    median, source = nan, "none"
    if time is not None and len(ctrl) and _ev(ctrl) > 0:
        try:
            median = float(kaplan_meier(ctrl, time, event).medians["median"].iloc[0])
            source = "kaplan_meier"
        except AnalysisError:
            median = nan
        if not (math.isfinite(median) and median > 0):
            median = _exponential_median(as_time(ctrl[time]), as_event(ctrl[event]))
            source = "exponential" if math.isfinite(median) and median > 0 else "none"
            median = median if source == "exponential" else nan

    (rate_c, n_rc), (rate_t, n_rt) = _margin_rates(data, group, control, treated)
    clip = lambda x: min(0.99, max(0.01, round(x, 2)))  # noqa: E731
    if n_rc and n_rt and clip(rate_c) != clip(rate_t):
        rate_status, plan_c, plan_t = "observed", clip(rate_c), clip(rate_t)
    else:
        rate_status = "equal" if n_rc and n_rt else ("one_group" if n_rc or n_rt else "none")
        plan_c = clip(rate_c) if n_rc else (clip(rate_t) if n_rt else DEFAULT_RATE)
        plan_t = max(0.01, round(plan_c / 2, 2))
        if plan_t == plan_c:  # a control rate of 1 %
            plan_t = 0.02

    return PlanningInputs(
        time=time, event=event, group=group, levels=tuple(levels) if group is not None else (),
        control=control, treated=treated,
        n_control=int(len(ctrl)), n_treated=int(len(trt)), events_control=_ev(ctrl), events_treated=_ev(trt),
        hazard_ratio=hr, hr_ci_lower=lo, hr_ci_upper=hi, hr_p_value=p, hazard_ratio_status=status,
        planning_hazard_ratio=planning_hr, median_control=median, median_source=source,
        planning_median_control=median if source != "none" else DEFAULT_MEDIAN,
        rate_control=rate_c, rate_treated=rate_t, n_rate_control=n_rc, n_rate_treated=n_rt,
        rate_status=rate_status, planning_rate_control=plan_c, planning_rate_treated=plan_t,
        n_excluded=n_excluded,
    )
