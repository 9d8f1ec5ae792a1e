"""Naive vs correct (nelm_stats.estimators.contrasts): each contrast on the sample cohorts, the numbers
moving in the stated direction, and hand computations where they are cheap.

Reference values are computed here independently (Holm by hand, Altman's formula written out with
math.erf, the log-rank statistic with ns.logrank_test = R's survdiff), never read from the function
under test.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.estimators import contrasts as C

SAMPLES = ns.sample_names()


def _has(data, cols):
    return all(c in data.columns and data[c].notna().any() for c in cols)


# ---- 1 − KM vs CIF ---------------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLES)
def test_one_minus_km_is_never_below_cif(sample):
    d = ns.load_sample(sample)
    r = ns.km_vs_cif(d, "rfs_months", "recurrence", "death", "rfs_event")
    assert list(r.table.columns) == ["group", "time", "one_minus_km", "cif"]
    assert (r.table["one_minus_km"] - r.table["cif"] >= -1e-12).all()
    assert r.table["cif"].between(0, 1 + 1e-12).all()
    if r.n_death == 0:  # no competing event: the two coincide
        assert np.allclose(r.table["one_minus_km"], r.table["cif"], atol=1e-12)
    else:  # after the first death without recurrence followed by a recurrence the naive one is higher
        assert (r.table["one_minus_km"] - r.table["cif"]).max() > 0


def test_km_vs_cif_by_group_and_hand_example():
    # 6 patients: recurrences at 1 and 4, a death without recurrence at 2, censored at 3, 5, 6
    d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "rec": [1, 0, 0, 1, 0, 0], "dead": [0, 1, 0, 0, 0, 0],
                      "ev": [1, 1, 0, 1, 0, 0]})
    r = ns.km_vs_cif(d, "t", "rec", "dead", "ev")
    at4 = r.at([4]).iloc[0]
    # KM (death censored): S = (5/6) * (1 - 1/3) = 5/9 -> 1 - KM = 4/9
    assert at4["one_minus_km"] == pytest.approx(4 / 9)
    # Aalen–Johansen: 1/6 at t=1; overall survival after t=2: (5/6)(4/5) = 2/3; at t=4 (3 at risk... 2 at risk)
    # at t=4 at risk are {4, 5, 6} -> 3, hazard 1/3: CIF = 1/6 + (2/3)(1/3) = 7/18
    assert at4["cif"] == pytest.approx(7 / 18)
    assert at4["one_minus_km"] > at4["cif"]
    g = ns.km_vs_cif(ns.load_sample("jp_multicenter"), group="grade")
    assert set(g.table["group"]) <= {"G1", "G2", "G3"}
    assert (g.table["one_minus_km"] >= g.table["cif"] - 1e-12).all()


def test_km_vs_cif_missing_death_column_is_a_clinician_error():
    d = ns.load_sample("icg_lpsh").drop(columns="death")
    with pytest.raises(ns.MissingColumnError):
        ns.km_vs_cif(d)


# ---- unadjusted vs Holm ------------------------------------------------------------------------


def _holm_by_hand(p):
    p = list(p)
    m = len(p)
    order = sorted(range(m), key=lambda i: p[i])
    out = [0.0] * m
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        out[i] = running
    return out


@pytest.mark.parametrize("sample,group", [("jp_multicenter", "grade"), ("mayo_cystic", "grade"),
                                          ("mimic", "clavien_dindo"), ("icg_lpsh", "primary_site")])
def test_holm_is_never_below_unadjusted(sample, group):
    d = ns.load_sample(sample)
    r = ns.pairwise_adjustment(d, "rfs_months", "rfs_event", group)
    t = r.table
    assert list(t.columns) == ["group_a", "group_b", "statistic", "p_value", "p_holm", "p_bonferroni"]
    ok = t["p_value"].notna()
    assert (t.loc[ok, "p_holm"] >= t.loc[ok, "p_value"] - 1e-15).all()
    assert (t.loc[ok, "p_bonferroni"] >= t.loc[ok, "p_holm"] - 1e-15).all()
    assert np.allclose(t.loc[ok, "p_holm"], _holm_by_hand(t.loc[ok, "p_value"]), rtol=0, atol=1e-15)
    assert r.n_significant["holm"] <= r.n_significant["unadjusted"]
    # each pair's statistic is the log-rank test on that pair alone (survdiff on the subset)
    a, b = t.iloc[0]["group_a"], t.iloc[0]["group_b"]
    sub = d[d[group].astype(str).isin([a, b])]
    sub = sub.assign(_g=sub[group].astype(str))
    assert t.iloc[0]["statistic"] == pytest.approx(ns.logrank_test(sub, "rfs_months", "rfs_event", "_g").statistic)


def test_holm_hand_numbers():
    # p = 0.01, 0.04, 0.03 -> Holm: 0.03, 0.06, 0.06 (R: p.adjust(c(.01,.04,.03), "holm"))
    assert np.allclose(ns.p_adjust([0.01, 0.04, 0.03], "holm"), [0.03, 0.06, 0.06])
    assert np.allclose(_holm_by_hand([0.01, 0.04, 0.03]), [0.03, 0.06, 0.06])


def test_two_groups_have_nothing_to_adjust():
    with pytest.raises(ns.InsufficientDataError, match="three or more groups"):
        ns.pairwise_adjustment(ns.load_sample("icg_lpsh"), "rfs_months", "rfs_event", "icg")


# ---- immortal time -------------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["mimic", "jp_multicenter", "mayo_cystic"])
def test_landmark_hr_is_closer_to_one_than_the_naive_immortal_time_hr(sample):
    d = ns.load_sample(sample)
    r = ns.immortal_time(d, "os_months", "os_event", "recurrence", "rfs_months", 12.0)
    t = r.table.set_index("analysis")
    naive, lm = t.loc["naive"], t.loc["landmark"]
    # recurrence cannot make survival better: the naive analysis makes it look protective (immortal time)
    assert naive.hazard_ratio < 1 and naive.p_value < 0.05
    assert abs(math.log(lm.hazard_ratio)) < abs(math.log(naive.hazard_ratio))
    assert lm.hazard_ratio > naive.hazard_ratio
    # the landmark analysis: only patients alive and followed at 12 months
    alive = (d["os_months"] > 12) & d["recurrence"].notna()
    assert lm.n == int(alive.sum())
    assert r.km_landmark.n == lm.n


def test_immortal_time_hr_equals_cox_by_hand():
    d = ns.load_sample("mayo_cystic")
    r = ns.immortal_time(d, "os_months", "os_event", "recurrence", "rfs_months", 24.0)
    lm = d[d["os_months"] > 24].copy()
    lm["t"] = lm["os_months"] - 24
    lm["x"] = (lm["recurrence"].astype(bool) & (lm["rfs_months"] <= 24)).astype(float)
    hr = ns.cox_regression(lm, "t", "os_event", ["x"]).table["hazard_ratio"].iloc[0]
    assert r.table.set_index("analysis").loc["landmark", "hazard_ratio"] == pytest.approx(hr, rel=1e-9)


def test_immortal_time_bad_landmark():
    with pytest.raises(ns.InputError):
        ns.immortal_time(ns.load_sample("mimic"), landmark=0)


# ---- matched pairs ignored -------------------------------------------------------------------------


@pytest.mark.parametrize("sample", ["icg_lpsh", "mayo_cystic", "jp_multicenter"])
def test_pairs_ignored_same_hr_different_se(sample):
    d = ns.load_sample(sample)
    treatment = ns.default_treatment(d, ns.treatment_columns(d))
    cov = ns.default_covariates(ns.covariate_columns(d, exclude=[treatment]))
    m = ns.propensity_match(d, treatment, cov)
    r = ns.matched_pairs_ignored(m, "rfs_months", "rfs_event")
    t = r.table.set_index("analysis")
    assert t.loc["pairs ignored", "hazard_ratio"] == pytest.approx(t.loc["clustered", "hazard_ratio"], rel=1e-10)
    assert abs(t.loc["pairs ignored", "std_err"] - t.loc["clustered", "std_err"]) > 1e-4
    assert t.loc["clustered", "hazard_ratio"] == pytest.approx(ns.matched_survival(m, "rfs_months", "rfs_event").hazard_ratio)


# ---- optimal cut point -------------------------------------------------------------------------------


def _altman_by_hand(p, eps):
    """Altman et al. 1994 formula (1), written out with math only."""
    # z = upper p/2 quantile of N(0, 1), by bisection on the normal tail via erfc
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if 0.5 * math.erfc(mid / math.sqrt(2)) > p / 2:
            lo = mid
        else:
            hi = mid
    z = (lo + hi) / 2
    phi = math.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    return phi * (z - 1 / z) * math.log((1 - eps) ** 2 / eps ** 2) + 4 * phi / z


@pytest.mark.parametrize("p", [1e-4, 0.001, 0.01, 0.02, 0.05, 0.1])
@pytest.mark.parametrize("eps", [0.05, 0.1])
def test_altman_formula_against_an_independent_computation(p, eps):
    assert ns.altman_corrected_p(p, eps) == pytest.approx(min(1.0, _altman_by_hand(p, eps)), rel=1e-8)


def test_altman_published_values():
    # Altman et al. 1994: for eps = 10 %, p_min = 0.01 corresponds to about 0.16 (simplified formula
    # -1.63 p (1 + 2.35 ln p)); for eps = 5 %, -3.13 p (1 + 1.65 ln p) -> about 0.21
    assert ns.altman_corrected_p(0.01, 0.1) == pytest.approx(-1.63 * 0.01 * (1 + 2.35 * math.log(0.01)), rel=0.02)
    assert ns.altman_corrected_p(0.01, 0.05) == pytest.approx(-3.13 * 0.01 * (1 + 1.65 * math.log(0.01)), rel=0.02)
    # monotone and within [p, 1] everywhere
    grid = np.linspace(0.001, 0.999, 60)
    vals = [ns.altman_corrected_p(p, 0.1) for p in grid]
    assert all(b >= a - 1e-12 for a, b in zip(vals, vals[1:]))
    assert all(p <= v <= 1 for p, v in zip(grid, vals))


@pytest.mark.parametrize("sample,covariate", [("jp_multicenter", "ki67"), ("mayo_cystic", "ki67"),
                                              ("icg_lpsh", "largest_lesion_cm"), ("mimic", "age"),
                                              ("aggressive_resection", "age")])
def test_optimal_cutpoint_directions(sample, covariate):
    d = ns.load_sample(sample)
    r = ns.optimal_cutpoint(d, "rfs_months", "rfs_event", covariate, n_permutations=200)
    assert list(r.scan.columns) == ["cutpoint", "n_below", "n_above", "statistic", "p_value"]
    assert r.p_min <= r.p_prespecified * (1 + 1e-9)
    assert r.p_corrected >= r.p_min
    assert r.p_permutation >= r.p_min
    assert (r.scan[["n_below", "n_above"]].min(axis=1) >= 0.1 * r.n).all()
    # the minimum's statistic is R's survdiff at that cut (ns.logrank_test)
    nc = ns.cut_numeric(d.dropna(subset=["rfs_months", "rfs_event"]), covariate, cutpoint=r.optimal_cutpoint)
    sub = d.dropna(subset=["rfs_months", "rfs_event"]).assign(_g=nc.groups)
    assert ns.logrank_test(sub, "rfs_months", "rfs_event", "_g").p_value == pytest.approx(r.p_min, rel=1e-6)


def test_optimal_cutpoint_scan_equals_survdiff_at_every_cut():
    d = ns.load_sample("jp_multicenter").dropna(subset=["rfs_months", "rfs_event", "ki67"])
    r = ns.optimal_cutpoint(d, "rfs_months", "rfs_event", "ki67", n_permutations=0)
    for row in r.scan.iloc[::7].itertuples():
        g = ns.cut_numeric(d, "ki67", cutpoint=row.cutpoint).groups
        lr = ns.logrank_test(d.assign(_g=g), "rfs_months", "rfs_event", "_g")
        assert row.statistic == pytest.approx(lr.statistic, rel=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_optimal_cutpoint_scan_on_awkward_series(seed):
    """Tied times, tied covariate values on the cuts, patients censored before the first event and
    events at the last time: every cut's statistic is survdiff's (ns.logrank_test)."""
    rng = np.random.default_rng(seed)
    n = int(rng.integers(30, 160))
    d = pd.DataFrame({"t": np.round(rng.exponential(20, n), int(rng.integers(0, 2))) + 0.5,
                      "e": rng.random(n) < rng.uniform(0.2, 0.9),
                      "x": np.round(rng.normal(40, 8, n) / 4) * 4})
    d.loc[d["t"] == d["t"].min(), "e"] = False  # the earliest patients censored
    d.loc[d["t"] == d["t"].max(), "e"] = True
    r = ns.optimal_cutpoint(d, "t", "e", "x", n_permutations=3)
    for row in r.scan.itertuples():
        g = ns.cut_numeric(d, "x", cutpoint=row.cutpoint).groups
        lr = ns.logrank_test(d.assign(_g=g), "t", "e", "_g")
        assert row.statistic == pytest.approx(lr.statistic, rel=1e-9)


def test_optimal_cutpoint_permutations_are_deterministic_and_seeded():
    d = ns.load_sample("icg_lpsh")
    a = ns.optimal_cutpoint(d, "rfs_months", "rfs_event", "ki67", n_permutations=100)
    b = ns.optimal_cutpoint(d, "rfs_months", "rfs_event", "ki67", n_permutations=100)
    assert a.seed == C.PERMUTATION_SEED
    assert a.null_min_p.equals(b.null_min_p) and a.p_permutation == b.p_permutation
    c = ns.optimal_cutpoint(d, "rfs_months", "rfs_event", "ki67", n_permutations=100, seed=1)
    assert not a.null_min_p["min_p"].equals(c.null_min_p["min_p"])
    # the permutation p is the share of permutations at or below the observed minimum (+1)
    k = int((a.null_min_p["min_p"] <= a.p_min * (1 + 1e-9)).sum())
    assert a.p_permutation == pytest.approx((k + 1) / 101)


def test_optimal_cutpoint_prespecified_value_and_errors():
    d = ns.load_sample("jp_multicenter")
    r = ns.optimal_cutpoint(d, "rfs_months", "rfs_event", "ki67", prespecified=20, n_permutations=0)
    assert r.prespecified == 20 and r.prespecified_method == "value"
    with pytest.raises(ns.InputError):
        ns.optimal_cutpoint(d, "rfs_months", "rfs_event", "grade")
    with pytest.raises(ns.InputError):
        ns.optimal_cutpoint(d, "rfs_months", "rfs_event", "ki67", min_group=0.6)


def test_crude_matched_weighted_reuses_compare_survival():
    d = ns.load_sample("mayo_cystic")
    cov = ["age", "sex", "synchronous", "bilobar"]
    m = ns.propensity_match(d, "cystic", cov)
    w = ns.iptw(d, "cystic", cov)
    r = ns.compare_survival(d, "os_months", "os_event", matched=m, weighted=w)
    assert list(r.table["analysis"]) == ["crude", "matched", "weighted"]


def _altman_reference():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parent / "reference" / "contrasts.json"
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", _altman_reference()["altman"], ids=lambda c: f"p{c['p_min']:.2g}_eps{c['epsilon']}")
def test_altman_corrected_p_equals_maxstat(case):
    """R (tests/r/contrasts.R, maxstat 0.7-25):
    maxstat:::pLausen92(qnorm(1 - p_min / 2), minprop = epsilon, maxprop = 1 - epsilon)"""
    got = C.altman_corrected_p(case["p_min"], epsilon=case["epsilon"])
    assert got == pytest.approx(case["p_corrected"], rel=1e-4)
