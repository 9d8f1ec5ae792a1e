"""diagnostic_accuracy, roc_analysis, roc_test, learning_curve against R
(tests/r/comparison.R -> tests/reference/comparison.json; pROC 1.18, epiR 2.x, geepack)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from tests.refcheck import assert_estimate, assert_inference, load_reference

REF = load_reference("comparison")


def asah() -> pd.DataFrame:
    a = pd.DataFrame(REF["asah"])
    a["poor"] = a["outcome"] == "Poor"
    a["wfns_pos"] = a["wfns"].astype(int) > 2
    a["neg_s100b"] = -a["s100b"]
    return a


def test_accuracy_exact_and_lr():
    """R: tt <- table(wfns > 2, outcome == "Poor") (TRUE first);
    binom.test(x, n)$conf.int per measure; epi.tests(tt, method = "exact") for lr.pos / lr.neg."""
    ref = REF["accuracy"]
    res = ns.diagnostic_accuracy(asah(), "wfns_pos", "poor")
    assert list(res.columns) == ["measure", "estimate", "ci_lower", "ci_upper"]
    assert list(res["measure"]) == ["sensitivity", "specificity", "ppv", "npv", "accuracy",
                                    "lr_positive", "lr_negative"]
    for m in res.itertuples():
        exp = ref[m.measure]
        assert_estimate(m.estimate, exp[0], m.measure)
        assert_inference([m.ci_lower, m.ci_upper], exp[1:], m.measure)
    # epi.tests(method = "exact") gives the same intervals as binom.test
    assert_inference(ref["epi_se"], ref["sensitivity"])
    cm = ns.confusion_matrix(asah(), "wfns_pos", "poor")
    assert [[cm.tp, cm.fp], [cm.fn, cm.tn]] == ref["table"]


def test_accuracy_clustered():
    """R: geeglm(hit ~ 1, id = id, family = binomial, corstr = "independence") on the subset
    defining each measure (ohio subset; test = smoke, truth = resp)."""
    oh = pd.DataFrame(REF["ohio"])
    res = ns.diagnostic_accuracy(oh, "smoke", "resp", cluster="id").set_index("measure")
    for m, exp in REF["clustered_accuracy"].items():
        assert_estimate(res.loc[m, "estimate"], exp[0], m)
        assert_inference(res.loc[m, ["ci_lower", "ci_upper"]].to_numpy(float), exp[1:], m)
    plain = ns.diagnostic_accuracy(oh, "smoke", "resp").set_index("measure")
    assert plain.loc["lr_positive", "estimate"] == pytest.approx(res.loc["lr_positive", "estimate"])
    # clustering widens the sensitivity interval here
    assert res.loc["sensitivity", "ci_upper"] - res.loc["sensitivity", "ci_lower"] > \
        plain.loc["sensitivity", "ci_upper"] - plain.loc["sensitivity", "ci_lower"]


@pytest.mark.parametrize("score,key", [("s100b", "roc_s100b"), ("ndka", "roc_ndka"), ("neg_s100b", "roc_neg_s100b")])
def test_roc_delong_and_coords(score, key):
    """R: r <- roc(aSAH$outcome, aSAH$<score>); ci.auc(r, method = "delong");
    coords(r, "all", ret = c("threshold", "sensitivity", "specificity"))."""
    ref = REF[key]
    res = ns.roc_analysis(asah(), score, "poor")
    assert res.direction == ref["direction"]
    assert_estimate(res.auc, ref["auc"])
    assert_inference([res.ci_lower, res.ci_upper], ref["ci"])
    assert list(res.curve.columns) == ["threshold", "sensitivity", "specificity"]
    thr = [float(v) for v in ref["threshold"]]
    assert_estimate(res.curve["threshold"], thr)
    assert_estimate(res.curve["sensitivity"], ref["sensitivity"])
    assert_estimate(res.curve["specificity"], ref["specificity"])


def test_roc_test_delong_paired():
    """R: roc.test(roc(outcome, s100b), roc(outcome, ndka), method = "delong", paired = TRUE)."""
    res = ns.roc_test(asah(), "s100b", "ndka", "poor")
    assert_estimate(res.statistic, REF["roc_test"]["statistic"])
    assert_inference(res.p_value, REF["roc_test"]["p_value"])


def test_learning_curve_or():
    """R: early <- seq_len(113) <= 30; g <- glm(poor ~ early, binomial);
    exp(coef(g)[2]); exp(confint.default(g)[2, ]); fisher.test(table(early, poor))."""
    a = asah()
    a["procedure"] = np.arange(1, len(a) + 1)
    res = ns.learning_curve(a, "poor", "procedure", first_n=30)
    w = REF["learning"]["wald"]
    assert_estimate(res.odds_ratio, w[0])
    assert_inference([res.or_ci_lower, res.or_ci_upper, res.p_value], w[1:])
    f = REF["learning"]["fisher"]
    assert_estimate(res.fisher_odds_ratio, f["odds_ratio"])
    assert_inference([res.fisher_ci_lower, res.fisher_ci_upper, res.fisher_p_value], [*f["ci"], f["p_value"]])
    assert res.curve["cumulative_n"].iloc[-1] == len(a)


def test_procedure_number_per_centre():
    d = pd.DataFrame({"c": ["a", "a", "b", "a", "b"], "date": pd.to_datetime(
        ["2020-01-03", "2020-01-01", "2020-01-02", "2020-01-03", "2020-01-01"])})
    assert ns.procedure_number(d, "date", "c").tolist() == [2, 1, 2, 2, 1]


def test_accuracy_errors():
    a = asah()
    a["all_poor"] = True
    with pytest.raises(ns.AnalysisError):
        ns.diagnostic_accuracy(a, "wfns_pos", "all_poor")
    with pytest.raises(ns.AnalysisError):
        ns.roc_analysis(a, "gender", "poor")
    a.loc[[0, 5], "s100b"] = np.nan
    assert ns.roc_analysis(a, "s100b", "poor").n_excluded == 2


def test_positive_values_and_patient_level():
    a = asah()
    by_value = ns.diagnostic_accuracy(a, "wfns_pos", "outcome", positive="Poor")
    by_bool = ns.diagnostic_accuracy(a, "wfns_pos", "poor")
    pd.testing.assert_frame_equal(by_value, by_bool)
    lesions = pd.DataFrame({"patient_id": ["a", "a", "b", "c", "c"], "fl": [True, False, False, pd.NA, pd.NA],
                            "r1": [False, True, False, True, False]})
    lesions["fl"] = lesions["fl"].astype("boolean")
    pl = ns.patient_level(lesions, ["fl", "r1"]).set_index("patient_id")
    assert pl.loc["a", "fl"] and not pl.loc["b", "fl"] and pd.isna(pl.loc["c", "fl"])
    assert pl["r1"].tolist() == [True, False, True]


def test_learning_curve_accuracy_false_positive_rate():
    """FP rate among truth-negative units; the OR matches learning_curve on the derived outcome."""
    a = asah()
    a["procedure"] = np.arange(1, len(a) + 1)
    res = ns.learning_curve_accuracy(a, "wfns_pos", "poor", "procedure", first_n=40)
    neg = a[~a["poor"]]
    assert res.n_early + res.n_late == len(neg)
    assert res.events_early == int(neg.loc[neg.procedure <= 40, "wfns_pos"].sum())
    direct = ns.learning_curve(neg.assign(fp=neg["wfns_pos"]), "fp", "procedure", first_n=40)
    assert res.odds_ratio == pytest.approx(direct.odds_ratio)
    acc = ns.learning_curve_accuracy(a, "wfns_pos", "poor", "procedure", measure="accuracy", first_n=40)
    assert acc.n_early + acc.n_late == len(a)


def test_fluorescence_choices_and_per_patient_truth():
    """What the Fluorescence page asks nelm_stats: the test/truth columns and the per-patient table."""
    les = ns.load_sample_lesions("icg_lpsh")
    tests, truths, default = ns.fluorescence_columns(les)
    assert tests and "fluorescence_at_margin" in tests and "margin_status" in truths
    assert default == ("margin_status_before_reresection" if "margin_status_before_reresection" in truths
                       else truths[0])
    assert ns.truth_positive("margin_status") == ["R1", "R2"] and ns.truth_positive("r1_histology") is None
    per = ns.patient_truth_table(les, tests[0], "margin_status")
    assert list(per.columns) == ["patient_id", tests[0], "truth_involved"]
    assert len(per) == les["patient_id"].nunique()
    any_involved = les.assign(i=les["margin_status"].astype(str).isin(["R1", "R2"])).groupby(
        les["patient_id"].astype(str))["i"].any()
    assert per.set_index("patient_id")["truth_involved"].astype(bool).to_dict() == any_involved.to_dict()
    assert "fluorescence_score" in ns.score_columns(les, {tests[0], "margin_status"}) or \
        "fluorescence_score" not in les.columns
