"""compare_rates & co. against R (tests/r/comparison.R -> tests/reference/comparison.json)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.estimators import _htests as H
from tests.refcheck import assert_estimate, assert_inference, load_reference

REF = load_reference("comparison")


def asah() -> pd.DataFrame:
    a = pd.DataFrame(REF["asah"])
    a["poor"] = a["outcome"] == "Poor"
    a["gender"] = pd.Categorical(a["gender"], ["Male", "Female"])
    return a


def test_rates_wilson_chisq_or_rd():
    """R: tab <- table(gender (Male, Female), outcome == "Poor");
    prop.test(x, n, correct = FALSE)$conf.int per group; chisq.test(tab);
    fisher.test(tab[2:1, ]) (OR Female vs Male); Newcombe from the Wilson limits."""
    ref = REF["gender_poor"]
    res = ns.compare_rates(asah(), "poor", "gender")
    assert list(res.table.columns) == ["group", "n", "events", "rate", "ci_lower", "ci_upper"]
    assert list(res.table["group"]) == ["Male", "Female"]
    assert list(res.table["events"]) == [row[0] for row in ref["table"]]
    assert_inference(res.table[["ci_lower", "ci_upper"]].to_numpy().ravel(), np.ravel(ref["wilson"]))
    assert res.test.startswith("Chi-square")  # all expected counts >= 5
    assert_estimate(res.statistic, ref["chisq_correct"]["statistic"])
    assert_inference(res.p_value, ref["chisq_correct"]["p_value"])
    f = ref["fisher_second_vs_first"]
    assert_estimate(res.odds_ratio, f["odds_ratio"])
    assert_inference([res.or_ci_lower, res.or_ci_upper], f["ci"])
    rd = ref["risk_difference"]
    assert_estimate(res.risk_difference, rd["estimate"])
    assert_inference([res.rd_ci_lower, res.rd_ci_upper], rd["newcombe"])


def test_rates_exact_and_fisher():
    """R: binom.test(x, n)$conf.int; fisher.test(tab)$p.value."""
    ref = REF["gender_poor"]
    res = ns.compare_rates(asah(), "poor", "gender", test="fisher", ci_method="exact")
    assert_inference(res.table[["ci_lower", "ci_upper"]].to_numpy().ravel(), np.ravel(ref["exact"]))
    assert res.test == "Fisher's exact test"
    assert_inference(res.p_value, ref["fisher"]["p_value"])


def test_fisher_2x2_conditional_mle():
    """R: fisher.test(table(am, vs)) on mtcars and on aSAH (estimate = conditional MLE)."""
    for key in ("mtcars_vs_am", "gender_poor"):
        ref = REF[key]["fisher"]
        p, est, lo, hi = H.fisher_2x2(np.array(REF[key]["table"]))
        assert_inference(p, ref["p_value"])
        assert_estimate(est, ref["odds_ratio"])
        assert_inference([lo, hi], ref["ci"])


def test_auto_picks_fisher_for_small_expected():
    """R: chisq.test(tab2)$expected has a cell < 5 -> fisher.test(tab2) (mtcars vs by am)."""
    m = pd.DataFrame(REF["mtcars"])
    assert np.min(REF["mtcars_vs_am"]["expected"]) < 6  # sanity of the fixture
    res = ns.compare_rates(m, "vs", "am")
    exp_min = np.min(REF["mtcars_vs_am"]["expected"])
    assert res.test == ("Fisher's exact test" if exp_min < 5 else "Chi-square test with Yates' continuity correction")
    if exp_min < 5:
        assert_inference(res.p_value, REF["mtcars_vs_am"]["fisher"]["p_value"])
    else:
        assert_inference(res.p_value, REF["mtcars_vs_am"]["chisq_correct"]["p_value"])


@pytest.mark.parametrize("key", ["wfns_outcome", "gender_gos6", "cyl_gear"])
def test_fisher_rxc(key):
    """R: fisher.test(table(wfns, outcome)); fisher.test(table(gender, gos6)); fisher.test(table(cyl, gear))."""
    p, exact = H.fisher_rxc(np.array(REF[key]["table"]))
    assert exact
    assert_inference(p, REF[key]["fisher"]["p_value"])


def test_chisq_rxc():
    """R: chisq.test(table(wfns, outcome)); chisq.test(table(cyl, gear))."""
    for key in ("wfns_outcome", "cyl_gear"):
        res = H.chisq_test(np.array(REF[key]["table"]))
        assert_estimate(res.statistic, REF[key]["chisq"]["statistic"])
        assert_inference(res.p_value, REF[key]["chisq"]["p_value"])


def test_chisq_without_correction():
    """R: chisq.test(tab, correct = FALSE)."""
    res = H.chisq_test(np.array(REF["gender_poor"]["table"]), correct=False)
    assert_estimate(res.statistic, REF["gender_poor"]["chisq_nocorrect"]["statistic"])
    assert_inference(res.p_value, REF["gender_poor"]["chisq_nocorrect"]["p_value"])


def test_distribution_k_by_m():
    """R: fisher.test(table(gender, gos6)) -- a 5-level outcome by two groups."""
    a = asah()
    a["gos6"] = pd.Categorical(a["gos6"], ["1", "2", "3", "4", "5"])
    res = ns.compare_distribution(a, "gos6", "gender")
    assert list(res.table.columns) == ["group", "level", "n", "count", "percent", "ci_lower", "ci_upper"]
    counts = res.table.pivot(index="group", columns="level", values="count").loc[["Male", "Female"]]
    np.testing.assert_array_equal(counts.to_numpy(), np.array(REF["gender_gos6"]["table"]))
    assert res.test == "Fisher's exact test"
    assert_inference(res.p_value, REF["gender_gos6"]["fisher"]["p_value"])


def test_mcnemar_with_and_without_correction():
    """R: mcnemar.test(table(vs, am)) and mcnemar.test(..., correct = FALSE) on mtcars."""
    m = pd.DataFrame(REF["mtcars"])
    for correct, key in ((True, "correct"), (False, "nocorrect")):
        res = ns.paired_change(m, "vs", "am", correct=correct)
        assert_estimate(res.statistic, REF["mcnemar"][key]["statistic"])
        assert_inference(res.p_value, REF["mcnemar"][key]["p_value"])
    t = REF["mcnemar"]["table"]
    assert res.n_changed == t[0][1] + t[1][0]
    assert res.share_changed == pytest.approx((t[0][1] + t[1][0]) / 32)


@pytest.mark.parametrize("corstr", ["independence", "exchangeable"])
def test_clustered_rates_gee(corstr):
    """R: geeglm(resp ~ 1, id = id, family = binomial, corstr) per smoke group, and
    geeglm(resp ~ smoke, ...) for the OR (geepack, san.se), on an unbalanced ohio subset."""
    oh = pd.DataFrame(REF["ohio"])
    res = ns.clustered_rates(oh, "resp", "smoke", cluster="id", corstr=corstr)
    ref = np.array(REF[f"gee_rates_{corstr}"])
    tol = dict(rtol=1e-6)
    np.testing.assert_allclose(res.table["rate"], ref[:, 0], **tol)
    assert_inference(res.table[["ci_lower", "ci_upper"]].to_numpy().ravel(), ref[:, 1:3].ravel())
    assert_inference(res.table["std_err"], ref[:, 3])
    o = REF[f"gee_or_{corstr}"]
    np.testing.assert_allclose(res.odds_ratio, o[0], **tol)
    assert_inference([res.or_ci_lower, res.or_ci_upper, res.p_value], o[1:])
    # the per-patient analysis sits beside it: one row per child
    assert res.per_patient.table["n"].sum() == oh["id"].nunique()


def test_margin_threshold_and_major_morbidity():
    d = pd.DataFrame({"margin_mm": [0.0, 0.5, 1.0, 2.0, np.nan],
                      "clavien_dindo": ["0", "II", "IIIa", "V", None]})
    r1 = ns.margin_r1(d)
    assert r1.tolist()[:4] == [True, True, False, False] and pd.isna(r1.iloc[4])
    assert ns.margin_r1(d, threshold=2).tolist()[:4] == [True, True, True, False]
    mm = ns.major_morbidity(d)
    assert mm.tolist()[:4] == [False, False, True, True] and pd.isna(mm.iloc[4])


def test_missing_rows_counted_and_errors():
    a = asah()
    a["poor"] = a["poor"].astype("boolean")
    a.loc[[0, 1, 2], "poor"] = pd.NA
    res = ns.compare_rates(a, "poor", "gender")
    assert res.n_excluded == 3 and res.table["n"].sum() == 110
    with pytest.raises(ns.AnalysisError):
        ns.compare_rates(a, "wfns", "gender")  # 5 levels: needs event=
    with pytest.raises(ns.AnalysisError):
        ns.compare_rates(a, "poor", "no_such_column")
    with pytest.raises(ns.AnalysisError):
        ns.compare_rates(a, "poor", "gender", ci_method="wald")
    res = ns.compare_rates(a, "wfns", "gender", event=["4", "5"])
    assert res.table["events"].sum() == int(a["wfns"].isin(["4", "5"]).sum())


def test_whole_cohort_group_all():
    res = ns.compare_rates(asah(), "poor")
    assert res.table["group"].tolist() == ["all"] and np.isnan(res.p_value)


def test_complication_summary_on_samples():
    for name in ns.sample_names():
        try:
            data = ns.load_sample(name)
        except FileNotFoundError:
            pytest.skip("sample CSVs not generated yet")
        group = "icg" if "icg" in data.columns and data["icg"].nunique() == 2 else None
        res = ns.complication_summary(data, group)
        assert list(res.table.columns) == ["outcome", "group", "n", "events", "rate", "ci_lower", "ci_upper",
                                           "test", "p_value"]


def test_prop_test_equals_yates_chisq():
    """R: prop.test(x, n) (two groups, correct = TRUE) is the Yates chi-square of the 2x2 table."""
    res = ns.compare_rates(asah(), "poor", "gender", test="chi-square")
    assert_estimate(res.statistic, REF["gender_poor"]["prop_test"]["statistic"])
    assert_inference(res.p_value, REF["gender_poor"]["prop_test"]["p_value"])


def test_fisher_rxc_falls_back_to_simulation_for_large_tables():
    big = np.array([[60, 50, 40, 30, 20, 10, 5, 2], [70, 40, 45, 20, 25, 15, 3, 1]])
    p, exact = H.fisher_rxc(big, max_work=1e4)
    assert not exact and 0 < p <= 1
    # same table, small enough budget to enumerate a collapsed version exactly
    p2, exact2 = H.fisher_rxc(big[:, :3])
    assert exact2 and 0 < p2 <= 1
    assert H.fisher_test(np.array([[3, 1, 0], [1, 3, 2]])).name == "Fisher's exact test"


def test_margin_distribution_and_join():
    d = pd.DataFrame({"patient_id": ["a", "b", "c", "d", "e"], "margin_mm": [0.5, 1.0, 3.0, np.nan, 0.0],
                      "icg": [True, True, False, False, False]})
    res = ns.margin_distribution(d, "margin_mm", "icg", threshold=1.0)
    assert list(res.summary.columns) == ["group", "n", "median", "q1", "q3", "below_threshold", "percent_below"]
    s = res.summary.set_index("group")
    assert s.loc["True", "below_threshold"] == 1 and s.loc["False", "below_threshold"] == 1
    assert s.loc["False", "n"] == 2 and res.n_excluded == 1
    assert s.loc["True", "median"] == pytest.approx(np.quantile([0.5, 1.0], 0.5))
    lesions = pd.DataFrame({"patient_id": ["b", "a", "a", "z"], "margin_status": ["R0", "R1", "R0", "R0"]},
                           index=[10, 11, 12, 13])
    j = ns.join_patient_columns(lesions, d, ["icg"])
    assert list(j.index) == [10, 11, 12, 13]
    assert j["icg"].tolist()[:3] == [True, True, True] and pd.isna(j["icg"].iloc[3])
    with pytest.raises(ns.AnalysisError):
        ns.join_patient_columns(lesions, pd.concat([d, d]), ["icg"])


def test_paired_change_with_event_value():
    d = pd.DataFrame({"before": ["R1", "R1", "R0", "R0", "R1"], "after": ["R0", "R1", "R0", "R0", "R0"]})
    res = ns.paired_change(d, "before", "after", event="R0")
    assert res.n_changed == 2 and res.rate_before == pytest.approx(0.4) and res.rate_after == pytest.approx(0.8)
    b, c = 0, 2  # R0 -> not R0, not R0 -> R0
    assert res.statistic == pytest.approx((abs(b - c) - 1) ** 2 / (b + c))
