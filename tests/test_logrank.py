"""logrank_test and pairwise_logrank against R's survival::survdiff (tests/r/survival_tests.R).

Every reference case quotes the R call it reproduces; the data sets (survival::lung, veteran,
ovarian, as used in R) are read from tests/reference/survival_tests.json.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats._checks import group_codes
from nelm_stats.estimators._times import aeq_times as _aeq_times
from nelm_stats.estimators.logrank import _survdiff_fit
from refcheck import assert_estimate, assert_inference, load_reference

REF = load_reference("survival_tests")


def _lung():
    d = pd.DataFrame(REF["data"]["lung"])
    d["ph_ecog"] = d["ph_ecog"].astype("Int64")  # labels "0".."3" as in R (one NA)
    return d


def _veteran():
    d = pd.DataFrame(REF["data"]["veteran"])
    d["celltype"] = pd.Categorical(
        d["celltype"], categories=REF["data"]["veteran_celltype_levels"], ordered=True
    )
    return d


def _ovarian():
    return pd.DataFrame(REF["data"]["ovarian"])


# (reference key, data, time, event, group, keyword arguments)
CASES = [
    # survdiff(Surv(time, event) ~ sex, data = lung2)
    ("lung_sex", _lung, "time", "event", "sex", {}),
    # survdiff(Surv(time, event) ~ sex, data = lung2, rho = 1)
    ("lung_sex_rho1", _lung, "time", "event", "sex", {"rho": 1}),
    # survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung2)
    ("lung_sex_strata_ecog", _lung, "time", "event", "sex", {"strata": "ph_ecog"}),
    # survdiff(Surv(time, event) ~ sex + strata(ph_ecog), data = lung2, rho = 1)
    ("lung_sex_strata_ecog_rho1", _lung, "time", "event", "sex", {"strata": "ph_ecog", "rho": 1}),
    # survdiff(Surv(time, event) ~ ph_ecog, data = lung2)
    ("lung_ecog", _lung, "time", "event", "ph_ecog", {}),
    # survdiff(Surv(time_fuzzy, event) ~ sex, data = lung2)   (near-ties, aeqSurv)
    ("lung_sex_fuzzy", _lung, "time_fuzzy", "event", "sex", {}),
    # survdiff(Surv(time, event) ~ celltype, data = vet)
    ("veteran_celltype", _veteran, "time", "event", "celltype", {}),
    # survdiff(Surv(time, event) ~ celltype, data = vet, rho = 1)
    ("veteran_celltype_rho1", _veteran, "time", "event", "celltype", {"rho": 1}),
    # survdiff(Surv(time, event) ~ celltype + strata(trt), data = vet)
    ("veteran_celltype_strata_trt", _veteran, "time", "event", "celltype", {"strata": "trt"}),
    # survdiff(Surv(futime, fustat) ~ rx, data = ova)
    ("ovarian_rx", _ovarian, "futime", "fustat", "rx", {}),
    # survdiff(Surv(futime, fustat) ~ rx + strata(resid_ds), data = ova, rho = 0.5)
    ("ovarian_rx_rho05_strata", _ovarian, "futime", "fustat", "rx", {"rho": 0.5, "strata": "resid_ds"}),
]


@pytest.mark.parametrize("key,make,time,event,group,kw", CASES, ids=[c[0] for c in CASES])
def test_logrank_matches_survdiff(key, make, time, event, group, kw):
    ref = REF["survdiff"][key]
    data = make()
    before = data.copy()
    res = ns.logrank_test(data, time, event, group, **kw)
    pd.testing.assert_frame_equal(data, before)  # data not mutated
    assert list(res.table.columns) == ["group", "n", "observed", "expected"]
    assert list(res.table["group"]) == ref["group"], ref["call"]
    assert list(res.table["n"]) == ref["n"], ref["call"]
    assert_estimate(res.table["observed"], ref["observed"], ref["call"] + ": observed")
    assert_estimate(res.table["expected"], ref["expected"], ref["call"] + ": expected")
    assert_estimate(res.variance.ravel(), np.asarray(ref["var"]).ravel(), ref["call"] + ": var")
    assert_estimate(res.statistic, ref["statistic"], ref["call"] + ": chisq")
    assert res.df == ref["df"]
    assert_inference(res.p_value, ref["p_value"], ref["call"] + ": p")
    assert res.trend is False and res.rho == kw.get("rho", 0)


TREND_CASES = [c for c in CASES if "trend_statistic" in REF["survdiff"][c[0]]]


@pytest.mark.parametrize("key,make,time,event,group,kw", TREND_CASES, ids=[c[0] for c in TREND_CASES])
def test_trend_matches_r_from_survdiff(key, make, time, event, group, kw):
    """R: f <- survdiff(...); cc <- seq_along(o); u <- sum(cc * (o - e));
    v <- t(cc) %*% f$var %*% cc; u^2 / v; pchisq(u^2 / v, 1, lower.tail = FALSE)."""
    ref = REF["survdiff"][key]
    res = ns.logrank_test(make(), time, event, group, trend=True, **kw)
    assert res.trend is True and res.df == 1
    assert_estimate(res.statistic, ref["trend_statistic"], ref["call"] + ": trend")
    assert_inference(res.p_value, ref["trend_p_value"], ref["call"] + ": trend p")
    assert_estimate(res.table["expected"], ref["expected"])


def test_trend_follows_column_order():
    """Reversing the order of an ordered factor reverses the scores: same statistic (scores
    k..1 are an affine map of 1..k with slope -1), while an unordered re-labelling that
    changes the order changes it."""
    vet = _veteran()
    base = ns.logrank_test(vet, "time", "event", "celltype", trend=True)
    rev = vet.assign(celltype=vet["celltype"].cat.reorder_categories(
        list(reversed(REF["data"]["veteran_celltype_levels"]))))
    r2 = ns.logrank_test(rev, "time", "event", "celltype", trend=True)
    assert_estimate(r2.statistic, base.statistic)
    swapped = vet.assign(celltype=vet["celltype"].cat.reorder_categories(
        ["smallcell", "squamous", "adeno", "large"]))
    r3 = ns.logrank_test(swapped, "time", "event", "celltype", trend=True)
    assert abs(r3.statistic - base.statistic) > 1e-3


def test_fuzzy_times_need_aeqsurv():
    """The near-tied times really differ, and without R's aeqSurv the result would differ."""
    lung = _lung()
    t = lung["time_fuzzy"].to_numpy()
    assert np.unique(t).size > np.unique(lung["time"]).size
    g, _ = group_codes(lung["sex"])
    e = lung["event"].to_numpy()
    zero = np.zeros(len(t), dtype=int)
    _o, e_raw, _v = _survdiff_fit(t, e, g, 2, zero, 0, aeq=False)
    _o, e_aeq, _v = _survdiff_fit(t, e, g, 2, zero, 0)
    assert not np.allclose(e_raw, e_aeq, rtol=1e-9)
    assert_estimate(e_aeq, REF["survdiff"]["lung_sex_fuzzy"]["expected"])
    # aeqSurv maps every fuzzy time back onto the exact one
    assert_estimate(_aeq_times(t), lung["time"])


@pytest.mark.parametrize("key,rho", [("veteran_celltype", 0), ("veteran_celltype_rho1", 1)])
@pytest.mark.parametrize("adjust", ["holm", "bonferroni", "BH", "none"])
def test_pairwise_matches_r(key, rho, adjust):
    """R: for each pair a < b of levels(celltype):
    survdiff(Surv(time, event) ~ celltype, data = droplevels(vet[vet$celltype %in% c(a, b), ]),
    rho = rho); then p.adjust(p, method = adjust)."""
    ref = REF["pairwise"][key]["table"]
    res = ns.pairwise_logrank(_veteran(), "time", "event", "celltype", adjust=adjust, rho=rho)
    assert list(res.columns) == ["group_a", "group_b", "statistic", "p_value", "p_adjusted"]
    assert list(res["group_a"]) == ref["group_a"]
    assert list(res["group_b"]) == ref["group_b"]
    assert_estimate(res["statistic"], ref["statistic"], "pairwise chisq")
    assert_inference(res["p_value"], ref["p_value"], "pairwise p")
    assert_inference(res["p_adjusted"], ref[f"p_{adjust}"], f"p.adjust {adjust}")


def test_pairwise_default_is_holm():
    ref = REF["pairwise"]["veteran_celltype"]["table"]
    res = ns.pairwise_logrank(_veteran(), "time", "event", "celltype")
    assert_inference(res["p_adjusted"], ref["p_holm"])


@pytest.mark.parametrize("method", ["holm", "bonferroni", "BH"])
def test_p_adjust_matches_r_with_ties_and_na(method):
    """R: pv <- c(0.01, 0.04, 0.03, 0.04, NA, 0.2, 0.0005); p.adjust(pv, method)."""
    ref = REF["p_adjust"]
    assert_estimate(ns.p_adjust(ref["p"], method), ref[method], method)


def test_two_group_pairwise_equals_overall_test():
    lung = _lung()
    pw = ns.pairwise_logrank(lung, "time", "event", "sex")
    assert len(pw) == 1
    assert_estimate(pw["statistic"], REF["survdiff"]["lung_sex"]["statistic"])
    assert_estimate(pw["p_adjusted"], pw["p_value"])


# ------------------------------------------------------------------------ validation


def test_single_group_is_an_analysis_error():
    lung = _lung()
    with pytest.raises(ns.InsufficientDataError, match="only one group"):
        ns.logrank_test(lung[lung["sex"] == 1], "time", "event", "sex")
    with pytest.raises(ns.AnalysisError, match="only one group"):
        ns.pairwise_logrank(lung[lung["sex"] == 1], "time", "event", "sex")


def test_missing_rows_are_counted():
    lung = _lung()
    res = ns.logrank_test(lung, "time", "event", "ph_ecog")
    assert res.n_excluded == 1 and res.table["n"].sum() == len(lung) - 1
    lung.loc[lung.index[:3], "time"] = np.nan
    res = ns.logrank_test(lung, "time", "event", "sex")
    assert res.n_excluded == 3 and res.table["n"].sum() == len(lung) - 3


def test_bad_input_raises_clear_errors():
    lung = _lung()
    with pytest.raises(ns.MissingColumnError, match="'nope'"):
        ns.logrank_test(lung, "time", "event", "nope")
    bad = lung.assign(event=lung["event"] * 2)
    with pytest.raises(ns.InvalidValueError, match="0/1"):
        ns.logrank_test(bad, "time", "event", "sex")
    with pytest.raises(ns.InvalidValueError, match="negative"):
        ns.logrank_test(lung.assign(time=-lung["time"]), "time", "event", "sex")
    with pytest.raises(ns.InsufficientDataError, match="No patient had an event"):
        ns.logrank_test(lung.assign(event=0), "time", "event", "sex")
    with pytest.raises(ns.InputError, match="rho"):
        ns.logrank_test(lung, "time", "event", "sex", rho=-1)
    with pytest.raises(ns.InputError, match="adjust"):
        ns.pairwise_logrank(lung, "time", "event", "sex", adjust="fdr")
    with pytest.raises(ns.InputError):
        ns.logrank_test(lung, "time", "event", "sex", strata="sex")
    with pytest.raises(ns.InputError, match="trend"):
        ns.logrank_test(lung, "time", "event", "sex", trend="yes")


def test_group_labels_are_strings_in_column_order():
    d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 1],
                      "g": pd.Categorical(["b", "a", "b", "a", "b", "a"], categories=["b", "a"])})
    res = ns.logrank_test(d, "t", "e", "g")
    assert list(res.table["group"]) == ["b", "a"]
    bools = d.assign(g=[True, False] * 3)
    assert list(ns.logrank_test(bools, "t", "e", "g").table["group"]) == ["False", "True"]


def test_group_never_at_risk_at_an_event_is_left_out_of_df():
    """survdiff drops groups with expected 0 from the test (df = groups with E > 0 minus 1)."""
    d = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6, 0.5], "e": [1, 0, 1, 1, 0, 1, 0],
                      "g": ["a", "a", "a", "b", "b", "b", "c"]})
    res = ns.logrank_test(d, "t", "e", "g")
    assert res.df == 1
    assert res.table.set_index("group").loc["c", "expected"] == 0


@pytest.mark.parametrize("key,kw", [("rho0", {}), ("rho1_strata", {"rho": 1, "strata": "st"})])
def test_heavy_ties_three_groups(key, kw):
    """Synthetic data with many ties, set.seed(20240607) in tests/r/survival_tests.R:
    survdiff(Surv(t, e) ~ g, data = syn) and
    survdiff(Surv(t, e) ~ g + strata(st), data = syn, rho = 1); trend from obs - exp and var."""
    ref = REF["survdiff_ties"][key]
    syn = pd.DataFrame(REF["data"]["ties"])
    res = ns.logrank_test(syn, "t", "e", "g", **kw)
    assert list(res.table["group"]) == ref["group"]
    assert_estimate(res.table["observed"], ref["observed"], ref["call"])
    assert_estimate(res.table["expected"], ref["expected"], ref["call"])
    assert_estimate(res.statistic, ref["statistic"], ref["call"])
    assert_inference(res.p_value, ref["p_value"], ref["call"])
    tr = ns.logrank_test(syn, "t", "e", "g", trend=True, **kw)
    assert_estimate(tr.statistic, ref["trend_statistic"], ref["call"] + ": trend")
    assert_inference(tr.p_value, ref["trend_p_value"], ref["call"] + ": trend p")


@pytest.mark.parametrize("values", [
    ["b", "a", "c", "a", "b"],
    [True, False, True, True, False],
    [3, 1, 2, 1, 3],
    [2.5, 1.0, 2.5, 0.5, 1.0],
    pd.Categorical(["G3", "G1", "G3", "G1", "G1"], categories=["G1", "G2", "G3"], ordered=True),
    pd.Categorical(["x", "y", "x", "y", "y"], categories=["y", "x"]),
])
def test_fast_group_codes_equal_row_by_row_lookup(values):
    """group_codes (factorize, then order the distinct values) equals the plain definition:
    every row looked up in the column's order (group_order)."""
    from nelm_stats._checks import group_order
    s = pd.Series(values, index=[10, 11, 12, 13, 14], name="g")
    codes, labels = group_codes(s)
    levels = group_order(s)
    ref_codes = s.map({v: i for i, v in enumerate(levels)}).to_numpy().astype(int)
    ref_labels = [str(v) for v in levels]
    assert labels == ref_labels
    np.testing.assert_array_equal(codes, ref_codes)


def test_trend_with_two_groups_equals_logrank():
    a = ns.logrank_test(_lung(), "time", "event", "sex")
    b = ns.logrank_test(_lung(), "time", "event", "sex", trend=True)
    assert_estimate(b.statistic, a.statistic)
