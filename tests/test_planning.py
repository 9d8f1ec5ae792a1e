"""Study planning against R: rpact 3.3.4 (getSampleSizeSurvival, getPowerSurvival, getSampleSizeRates,
getPowerRates), pwr 1.3.0 (pwr.2p.test) and stats (power.prop.test). Reference values:
tests/r/planning.R -> tests/reference/planning.json. Estimates to 1e-6 relative (DESIGN.md)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from tests.refcheck import assert_estimate, load_reference

REF = load_reference("planning")


def _rows(name):
    return list(pd.DataFrame(REF[name]).itertuples(index=False))


def _id(r):
    return ",".join(f"{k}={v}" for k, v in r._asdict().items() if k in (
        "hazard_ratio", "median_control", "accrual_time", "follow_up_time", "allocation_ratio", "dropout_rate",
        "alpha", "sided", "method", "power", "events", "p1", "p2", "n_per_group", "p_standard", "p_new", "margin",
        "patients") and k in r._fields)


# ----------------------------------------------------------------------------- survival
SURVIVAL = _rows("survival_sample_size")


def test_the_grid_covers_what_the_issue_asks():
    d = pd.DataFrame(REF["survival_sample_size"])
    assert (d.hazard_ratio < 1).any() and (d.hazard_ratio > 1).any()
    assert {1, 2} <= set(d.allocation_ratio) and {0.0, 0.1} <= set(d.dropout_rate)
    assert {0.05, 0.01} <= set(d.alpha) and set(d.sided) == {1, 2} and set(d.method) == {"Schoenfeld", "Freedman"}
    assert d.median_control.nunique() >= 3 and d.accrual_time.nunique() >= 3 and d.follow_up_time.nunique() >= 3


@pytest.mark.parametrize("r", SURVIVAL, ids=_id)
def test_survival_sample_size_equals_rpact(r):
    """getSampleSizeSurvival(alpha, beta = 1 - power, sided, hazardRatio, median2 = median_control,
    accrualTime = c(0, accrual_time), followUpTime, allocationRatioPlanned, dropoutRate1 = dropoutRate2 =
    dropout_rate, dropoutTime, typeOfComputation = method)
    -> maxNumberOfEvents, maxNumberOfSubjects, nFixed1, nFixed2."""
    x = ns.survival_sample_size(r.hazard_ratio, median_control=r.median_control, accrual_time=r.accrual_time,
                                follow_up_time=r.follow_up_time, alpha=r.alpha, power=r.power, sided=int(r.sided),
                                allocation_ratio=r.allocation_ratio, dropout_rate=r.dropout_rate,
                                dropout_time=r.dropout_time, method=r.method.lower())
    assert_estimate(x.events, r.events, "events")
    assert_estimate(x.patients, r.patients, "patients")
    assert_estimate(x.patients_treated, r.patients_treated, "patients treated")
    assert_estimate(x.patients_control, r.patients_control, "patients control")


def test_survival_sample_size_example_of_the_protocol_sentence():
    """getSampleSizeSurvival(alpha = 0.05, beta = 0.2, sided = 2, hazardRatio = 0.6, median2 = 24,
    accrualTime = c(0, 24), followUpTime = 36, dropoutRate1 = 0.1, dropoutRate2 = 0.1, dropoutTime = 12)
    prints 120.3157 events and 217.2143 subjects (108.6071 per arm)."""
    x = ns.survival_sample_size(0.6, median_control=24, accrual_time=24, follow_up_time=36, dropout_rate=0.1)
    np.testing.assert_allclose([x.events, x.patients, x.patients_treated],
                               [120.31570437749922, 217.21425922321257, 108.60712961160628], rtol=1e-6)
    assert x.median_treated == pytest.approx(40) and x.duration == 60
    assert x.accrual_rate == pytest.approx(x.patients / 24)


def test_power_curve_and_timeline_are_consistent():
    x = ns.survival_sample_size(0.6, median_control=24, accrual_time=24, follow_up_time=36, dropout_rate=0.1)
    c = x.power_curve([x.patients])
    assert list(c.columns) == ["patients", "events", "power"]
    assert c.events.iloc[0] == pytest.approx(x.events, rel=1e-12)
    # two-sided: both tails count, so the power at the planned events is slightly above 80 %
    assert 0.8 <= c.power.iloc[0] < 0.8001
    assert c.power.iloc[0] == pytest.approx(ns.survival_power(0.6, events=x.events).power, rel=1e-12)
    assert x.power_curve().power.is_monotonic_increasing
    t = x.timeline()
    assert list(t.columns) == ["time", "patients", "events"]
    assert t.time.iloc[0] == 0 and t.time.iloc[-1] == 60 and 24 in set(t.time)
    assert t.patients.iloc[-1] == pytest.approx(x.patients) and t.events.iloc[-1] == pytest.approx(x.events, rel=1e-9)
    assert t.events.is_monotonic_increasing and t.patients.is_monotonic_increasing


@pytest.mark.parametrize("r", _rows("survival_power"), ids=_id)
def test_survival_power_equals_rpact(r):
    """getPowerSurvival(alpha, sided, hazardRatio, maxNumberOfEvents = events, allocationRatioPlanned,
    typeOfComputation = method, directionUpper = hazard_ratio > 1 when one-sided)$overallReject."""
    x = ns.survival_power(r.hazard_ratio, events=r.events, alpha=r.alpha, sided=int(r.sided),
                          allocation_ratio=r.allocation_ratio, method=r.method.lower())
    assert_estimate(x.power, r.power, "power")


# ----------------------------------------------------------------------------- two rates
@pytest.mark.parametrize("r", _rows("proportions_sample_size"), ids=_id)
def test_proportions_sample_size_equals_pwr_and_power_prop_test(r):
    """pwr.2p.test(h = ES.h(p1, p2), sig.level = alpha, power = power)$n and
    power.prop.test(p1 = p1, p2 = p2, sig.level = alpha, power = power)$n (and with tol = 1e-12:
    R's uniroot stops near 1e-7 relative; ours is the root to machine precision)."""
    a = ns.proportions_sample_size(r.p1, r.p2, alpha=r.alpha, power=r.power)
    n = ns.proportions_sample_size(r.p1, r.p2, alpha=r.alpha, power=r.power, method="normal")
    assert_estimate(a.n_per_group, r.n_arcsine, "pwr.2p.test n")
    assert_estimate(n.n_per_group, r.n_normal, "power.prop.test n")
    np.testing.assert_allclose(a.n_per_group, r.n_arcsine_exact, rtol=1e-10)
    np.testing.assert_allclose(n.n_per_group, r.n_normal_exact, rtol=1e-10)
    assert a.patients == 2 * a.n_per_group


@pytest.mark.parametrize("r", _rows("proportions_power"), ids=_id)
def test_proportions_power_equals_pwr_and_power_prop_test(r):
    """pwr.2p.test(h = ES.h(p1, p2), n = n_per_group, sig.level = alpha)$power and
    power.prop.test(n = n_per_group, p1 = p1, p2 = p2, sig.level = alpha)$power."""
    assert_estimate(ns.proportions_power(r.p1, r.p2, n_per_group=r.n_per_group, alpha=r.alpha).power,
                    r.power_arcsine)
    assert_estimate(ns.proportions_power(r.p1, r.p2, n_per_group=r.n_per_group, alpha=r.alpha,
                                         method="normal").power, r.power_normal)


@pytest.mark.parametrize("r", _rows("noninferiority_sample_size"), ids=_id)
def test_noninferiority_sample_size_equals_rpact(r):
    """getSampleSizeRates(groups = 2, pi1 = p_new, pi2 = p_standard, thetaH0 = margin, sided = 1, alpha,
    beta = 1 - power, normalApproximation = TRUE, allocationRatioPlanned) -> nFixed1, nFixed2, nFixed."""
    x = ns.noninferiority_sample_size(r.p_standard, r.p_new, margin=r.margin, alpha=r.alpha, power=r.power,
                                      allocation_ratio=r.allocation_ratio)
    assert_estimate(x.n_new, r.n_new, "nFixed1")
    assert_estimate(x.n_standard, r.n_standard, "nFixed2")
    assert_estimate(x.patients, r.patients, "nFixed")


@pytest.mark.parametrize("r", _rows("noninferiority_power"), ids=_id)
def test_noninferiority_power_equals_rpact(r):
    """getPowerRates(groups = 2, pi1 = p_new, pi2 = p_standard, thetaH0 = margin, sided = 1, alpha,
    maxNumberOfSubjects = patients, directionUpper = FALSE, allocationRatioPlanned)$overallReject."""
    x = ns.noninferiority_power(r.p_standard, r.p_new, margin=r.margin, patients=r.patients, alpha=r.alpha,
                                allocation_ratio=r.allocation_ratio)
    assert_estimate(x.power, r.power)


def test_rate_power_curves_reach_the_planned_power():
    a = ns.proportions_sample_size(0.3, 0.15)
    assert a.power_curve([a.n_per_group]).power.iloc[0] == pytest.approx(0.8, abs=1e-9)
    ni = ns.noninferiority_sample_size(0.12, 0.12, margin=0.1, allocation_ratio=2)
    c = ni.power_curve([ni.n_new])
    assert list(c.columns) == ["n_per_group", "patients", "power"]
    assert c.power.iloc[0] == pytest.approx(0.8, abs=1e-9) and c.patients.iloc[0] == pytest.approx(ni.patients)


# ----------------------------------------------------------------------------- results and errors
def test_results_are_frozen_dataclasses():
    results = [
        ns.survival_sample_size(0.6, median_control=24, accrual_time=24, follow_up_time=36),
        ns.survival_power(0.6, events=100),
        ns.proportions_sample_size(0.3, 0.15), ns.proportions_power(0.3, 0.15, n_per_group=100),
        ns.noninferiority_sample_size(0.12, 0.12, margin=0.1),
        ns.noninferiority_power(0.12, 0.12, margin=0.1, patients=300),
        ns.planning_inputs(ns.load_sample("icg_lpsh"), "rfs_months", "rfs_event", "icg"),
    ]
    for x in results:
        assert dataclasses.is_dataclass(x)
        field = dataclasses.fields(x)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(x, field, 0)
    s = results[0]
    assert (s.hazard_ratio, s.median_control, s.accrual_time, s.follow_up_time, s.alpha, s.power, s.sided,
            s.allocation_ratio, s.dropout_rate, s.dropout_time, s.method) == (0.6, 24, 24, 36, 0.05, 0.8, 2, 1.0,
                                                                              0.0, 12.0, "schoenfeld")


SS = dict(median_control=24, accrual_time=24, follow_up_time=36)
BAD_SURVIVAL = [
    (dict(hazard_ratio=1), "no difference"),
    (dict(hazard_ratio=1.0), "no difference"),
    (dict(hazard_ratio=0), "above 0"),
    (dict(hazard_ratio=-0.5), "above 0"),
    (dict(hazard_ratio=float("nan")), "finite"),
    (dict(hazard_ratio="big"), "number"),
    (dict(hazard_ratio=None), "number"),
    (dict(power=0.04), "larger than the significance level"),
    (dict(power=0.05), "larger than the significance level"),
    (dict(power=1.0), "between 0 and 1"),
    (dict(power=0), "between 0 and 1"),
    (dict(alpha=0), "significance level"),
    (dict(alpha=0.6), "significance level"),
    (dict(alpha=-0.05), "significance level"),
    (dict(sided=3), "one-sided"),
    (dict(sided=True), "one-sided"),
    (dict(method="logrank"), "method"),
    (dict(method=None), "method"),
    (dict(median_control=0), "median survival"),
    (dict(median_control=-12), "median survival"),
    (dict(accrual_time=0), "accrual time"),
    (dict(accrual_time=-1), "accrual time"),
    (dict(follow_up_time=-6), "cannot be negative"),
    (dict(dropout_rate=1.0), "drop-out rate"),
    (dict(dropout_rate=-0.1), "drop-out rate"),
    (dict(dropout_time=0), "drop-out time"),
    (dict(allocation_ratio=0), "allocation ratio"),
    (dict(allocation_ratio=-1), "allocation ratio"),
]


@pytest.mark.parametrize("bad,words", BAD_SURVIVAL, ids=lambda v: str(v) if isinstance(v, dict) else "")
def test_survival_sample_size_invalid_input(bad, words):
    kwargs = {"hazard_ratio": 0.6, **SS, **bad}
    hr = kwargs.pop("hazard_ratio")
    with pytest.raises(ns.AnalysisError, match=words) as err:
        ns.survival_sample_size(hr, **kwargs)
    assert isinstance(err.value, (ns.InvalidValueError, ns.InputError))
    assert len(str(err.value)) > 30


@pytest.mark.parametrize("bad,words", [
    (dict(hazard_ratio=1), "no difference"), (dict(events=0), "number of events"),
    (dict(events=-5), "number of events"), (dict(sided=0), "one-sided"), (dict(method="cox"), "method"),
    (dict(alpha=1), "significance level"), (dict(allocation_ratio=0), "allocation"),
])
def test_survival_power_invalid_input(bad, words):
    kwargs = {"hazard_ratio": 0.6, "events": 100, **bad}
    hr = kwargs.pop("hazard_ratio")
    with pytest.raises(ns.AnalysisError, match=words):
        ns.survival_power(hr, **kwargs)


@pytest.mark.parametrize("bad,words", [
    (dict(p1=0), "between 0 and 1"), (dict(p1=1), "between 0 and 1"), (dict(p2=1.2), "between 0 and 1"),
    (dict(p2=-0.1), "between 0 and 1"), (dict(p1=0.2, p2=0.2), "equal"), (dict(power=0.03), "larger"),
    (dict(power=1), "between 0 and 1"), (dict(alpha=0), "significance level"), (dict(alpha=0.51), "significance"),
    (dict(method="exact"), "method"), (dict(p1="a"), "number"),
])
def test_proportions_invalid_input(bad, words):
    kwargs = {"p1": 0.3, "p2": 0.15, **bad}
    p1, p2 = kwargs.pop("p1"), kwargs.pop("p2")
    with pytest.raises(ns.AnalysisError, match=words):
        ns.proportions_sample_size(p1, p2, **kwargs)
    kwargs.pop("power", None)
    if "power" not in bad:
        with pytest.raises(ns.AnalysisError, match=words):
            ns.proportions_power(p1, p2, n_per_group=50, **kwargs)


def test_proportions_power_needs_patients():
    with pytest.raises(ns.InvalidValueError, match="at least 2 patients"):
        ns.proportions_power(0.3, 0.15, n_per_group=1)


@pytest.mark.parametrize("bad,words", [
    (dict(margin=0), "margin"), (dict(margin=-0.1), "margin"), (dict(margin=1), "margin"),
    (dict(p_new=0.25), "already worse"), (dict(p_new=0.22), "already worse"),
    (dict(p_standard=0.95), "reaches 100 %"), (dict(p_standard=0), "between 0 and 1"),
    (dict(p_new=1), "between 0 and 1"), (dict(alpha=0), "one-sided significance level"),
    (dict(alpha=0.7), "one-sided significance level"), (dict(power=0.02), "larger"),
    (dict(allocation_ratio=0), "allocation"),
])
def test_noninferiority_invalid_input(bad, words):
    kwargs = {"p_standard": 0.12, "p_new": 0.12, "margin": 0.1, **bad}
    ps, pn = kwargs.pop("p_standard"), kwargs.pop("p_new")
    with pytest.raises(ns.AnalysisError, match=words):
        ns.noninferiority_sample_size(ps, pn, **kwargs)


# ----------------------------------------------------------------------------- from a cohort
def test_planning_inputs_icg():
    d = ns.load_sample("icg_lpsh")
    x = ns.planning_inputs(d, "rfs_months", "rfs_event", "icg")
    cox = ns.cox_regression(d, "rfs_months", "rfs_event", ["icg"]).table.iloc[0]
    km = ns.kaplan_meier(d, "rfs_months", "rfs_event", "icg").medians
    assert (x.control, x.treated) == ("False", "True")
    assert x.hazard_ratio == pytest.approx(cox.hazard_ratio, rel=1e-12)
    assert x.hazard_ratio_status == "observed" and x.planning_hazard_ratio == x.hazard_ratio
    assert x.median_control == pytest.approx(km.set_index("group").loc["False", "median"]) and \
        x.median_source == "kaplan_meier"
    ctrl = d[~d.icg.astype(bool)]
    assert x.rate_control == pytest.approx(ctrl.margin_status.isin(["R1", "R2"]).mean())
    assert x.n_control + x.n_treated == len(d)


def test_planning_inputs_when_the_hazard_ratio_cannot_serve():
    d = ns.load_sample("icg_lpsh")
    near = ns.planning_inputs(d, "rfs_months", "rfs_event", "grade")  # G2 vs G1: about 1
    assert near.hazard_ratio_status == "near_one" and near.planning_hazard_ratio == 0.6
    lone = ns.planning_inputs(d, "rfs_months", "rfs_event", "cystic")  # one cystic patient, no event
    assert lone.hazard_ratio_status == "not_estimable" and np.isnan(lone.hazard_ratio)
    whole = ns.planning_inputs(d, "rfs_months", "rfs_event")
    assert whole.hazard_ratio_status == "no_groups" and whole.median_control > 0
    other = ns.planning_inputs(d, "rfs_months", "rfs_event", "grade", control="G3", treated="G1")
    assert (other.control, other.treated) == ("G3", "G1")
    with pytest.raises(ns.InputError):
        ns.planning_inputs(d, "rfs_months", "rfs_event", "grade", control="G4")
    with pytest.raises(ns.InputError):
        ns.planning_inputs(d, "rfs_months", "rfs_event", "grade", control="G1", treated="G1")
    with pytest.raises(ns.MissingColumnError):
        ns.planning_inputs(d, "rfs_months", "rfs_event", "no_such_column")


def test_planning_inputs_median_not_reached_uses_the_exponential_estimate():
    d = pd.DataFrame({"t": [10.0, 20, 30, 40, 50, 60], "e": [1, 0, 0, 0, 0, 0], "g": ["a"] * 3 + ["b"] * 3})
    x = ns.planning_inputs(d, "t", "e", "g")
    assert x.median_source == "exponential" and x.median_control == pytest.approx(np.log(2) * 60 / 1)


@pytest.mark.parametrize("sample", ns.sample_names())
def test_planning_inputs_on_every_sample(sample):
    d = ns.load_sample(sample)
    x = ns.planning_inputs(d, "rfs_months", "rfs_event", ns.default_grouping(d, ns.grouping_columns(d)[0]))
    assert x.planning_hazard_ratio > 0 and x.planning_hazard_ratio != 1
    assert x.median_control > 0
