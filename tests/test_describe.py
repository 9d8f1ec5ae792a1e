"""table_one against R (tests/r/comparison.R -> tests/reference/comparison.json)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from tests.refcheck import assert_estimate, assert_inference, load_reference

REF = load_reference("comparison")
COLUMNS = ["variable", "label", "kind", "level", "group", "n", "n_weighted", "percent", "mean", "sd",
           "median", "q1", "q3", "missing", "summary", "test", "statistic", "p_value", "smd"]


def asah() -> pd.DataFrame:
    a = pd.DataFrame(REF["asah"])
    a["gender"] = pd.Categorical(a["gender"], ["Male", "Female"])
    a["wfns"] = pd.Categorical(a["wfns"], ["1", "2", "3", "4", "5"], ordered=True)
    a["poor"] = a["outcome"] == "Poor"
    return a


def row(t, var, group, level=""):
    tab = t.table
    return tab[(tab.variable == var) & (tab.group == group) & (tab.level == level)].iloc[0]


def test_columns_and_quantiles():
    """R: quantile(age[gender == "Male"], c(.25, .5, .75)); sd(age[gender == "Male"])."""
    t = ns.table_one(asah(), "gender", ["age", "poor", "wfns"], continuous="median")
    assert list(t.table.columns) == COLUMNS
    assert t.groups == ("Male", "Female")
    r = row(t, "age", "Male")
    assert_estimate([r.q1, r["median"], r.q3], REF["quantile_age"]["male"])
    assert_estimate(r.sd, REF["quantile_age"]["sd_male"])
    assert_estimate([row(t, "age", "Female").q1, row(t, "age", "Female")["median"]],
                    REF["quantile_age"]["female"][:2])
    assert set(t.table.group) == {"all", "Male", "Female"}


def test_mann_whitney_normal_approx():
    """R: wilcox.test(age ~ gender, data = aSAH)  (ties: normal approximation, correct = TRUE)."""
    t = ns.table_one(asah(), "gender", ["age"], continuous="median")
    r = row(t, "age", "all")
    assert r.test == "Mann-Whitney U test"
    assert_estimate(r.statistic, REF["wilcox_age_gender"]["statistic"])
    assert_inference(r.p_value, REF["wilcox_age_gender"]["p_value"])


def test_mann_whitney_exact():
    """R: wilcox.test(ndka ~ gender, data = aSAH[1:30, ])  (no ties, n < 50: exact)."""
    ref = REF["wilcox_exact"]
    d = pd.DataFrame({"ndka": ref["ndka"], "gender": pd.Categorical(ref["gender"], ["Male", "Female"])})
    r = row(ns.table_one(d, "gender", ["ndka"], continuous="median"), "ndka", "all")
    assert r.test == "Mann-Whitney U test (exact)"
    assert_estimate(r.statistic, ref["statistic"])
    assert_inference(r.p_value, ref["p_value"])


def test_kruskal_and_anova():
    """R: kruskal.test(weight ~ group, PlantGrowth); summary(aov(weight ~ group, PlantGrowth));
    kruskal.test(age ~ wfns, aSAH)."""
    pg = pd.DataFrame(REF["plantgrowth"])
    r = row(ns.table_one(pg, "group", ["weight"], continuous="median"), "weight", "all")
    assert r.test == "Kruskal-Wallis test"
    assert_estimate(r.statistic, REF["kruskal_plant"]["statistic"])
    assert_inference(r.p_value, REF["kruskal_plant"]["p_value"])
    r = row(ns.table_one(pg, "group", ["weight"], continuous="mean"), "weight", "all")
    assert r.test == "One-way ANOVA"
    assert_estimate(r.statistic, REF["anova_plant"]["statistic"])
    assert_inference(r.p_value, REF["anova_plant"]["p_value"])
    r = row(ns.table_one(asah(), "wfns", ["age"], continuous="median"), "age", "all")
    assert_inference(r.p_value, REF["kruskal_age_wfns"]["p_value"])


def test_welch_t():
    """R: t.test(age ~ gender, data = aSAH)  (Welch)."""
    r = row(ns.table_one(asah(), "gender", ["age"], continuous="mean"), "age", "all")
    assert r.test == "Welch's t-test"
    assert_estimate(r.statistic, REF["t_age_gender"]["statistic"])
    assert_inference(r.p_value, REF["t_age_gender"]["p_value"])


def test_categorical_chisq_and_fisher():
    """R: chisq.test(table(gender, outcome == "Poor")); fisher.test(table(gender, wfns)) is chosen
    because chisq.test(table(wfns, outcome))$expected has cells < 5."""
    t = ns.table_one(asah(), "gender", ["poor"])
    r = row(t, "poor", "all", "True")
    assert r.kind == "binary"
    assert_inference(r.p_value, REF["gender_poor"]["chisq_correct"]["p_value"])
    t = ns.table_one(asah(), "poor", ["wfns"])
    r = row(t, "wfns", "all", "1")
    assert r.test == "Fisher's exact test"
    assert_inference(r.p_value, REF["wfns_outcome"]["fisher"]["p_value"])
    assert row(t, "wfns", "True", "5").n == REF["wfns_outcome"]["table"][4][1]


def test_smd_conventions():
    """cobalt conventions: pooled SD of the (unweighted) groups; binary with p(1-p)."""
    a = asah()
    t = ns.table_one(a, "gender", ["age", "poor"])
    m, f = a[a.gender == "Male"], a[a.gender == "Female"]
    exp = (f.age.mean() - m.age.mean()) / np.sqrt((f.age.var() + m.age.var()) / 2)
    assert row(t, "age", "all").smd == pytest.approx(exp, rel=1e-12)
    p1, p0 = f.poor.mean(), m.poor.mean()
    exp = (p1 - p0) / np.sqrt((p1 * (1 - p1) + p0 * (1 - p0)) / 2)
    assert row(t, "poor", "all", "True").smd == pytest.approx(exp, rel=1e-12)


def test_weights_and_matched_subset():
    a = asah()
    w = np.where(a.gender == "Male", 2.0, 1.0) * np.linspace(0.5, 1.5, len(a))
    a["w"] = w
    t = ns.table_one(a, "gender", ["age", "poor"], weights="w")
    male = a.gender == "Male"
    assert row(t, "age", "Male")["mean"] == pytest.approx(np.average(a.age[male], weights=w[male]))
    assert np.isnan(row(t, "age", "all").p_value) and row(t, "age", "all").test == "no test (weighted)"
    assert row(t, "poor", "Male", "True").n == int(a.poor[male].sum())
    # weighted SMD standardized by the unweighted SDs
    mf = np.average(a.age[~male], weights=w[~male]) - np.average(a.age[male], weights=w[male])
    den = np.sqrt((a.age[~male].var() + a.age[male].var()) / 2)
    assert row(t, "age", "all").smd == pytest.approx(mf / den)
    # a matched subset is just a DataFrame; sd_from keeps the unmatched denominators
    sub = a.iloc[::2]
    after = ns.table_one(sub, "gender", ["age"], sd_from=a)
    diff = sub.age[sub.gender == "Female"].mean() - sub.age[sub.gender == "Male"].mean()
    assert row(after, "age", "all").smd == pytest.approx(diff / den)


def test_missing_shown_and_formatted():
    a = asah()
    a.loc[[0, 1, 2], "age"] = np.nan
    a.loc[[3], "gender"] = np.nan
    t = ns.table_one(a, "gender", ["age", "wfns"])
    assert t.n_excluded == 1
    assert row(t, "age", "all").missing == 3
    f = t.formatted()
    assert f.columns[0] == "Characteristic" and "p-value" in f.columns and "SMD" in f.columns
    assert (f["Characteristic"].str.strip() == "Missing").any()
    assert any("Fisher" in n for n in t.footnotes())


def test_errors():
    with pytest.raises(ns.AnalysisError):
        ns.table_one(asah(), "gender", ["nope"])
    with pytest.raises(ns.AnalysisError):
        ns.table_one(asah(), "gender", [])
    with pytest.raises(ns.AnalysisError):
        ns.table_one(asah(), "gender", ["age"], continuous="mode")


@pytest.mark.parametrize("name", ns.sample_names())
def test_samples(name):
    data = ns.load_sample(name)
    variables = [c for c in ("age", "sex", "grade", "ki67", "margin_status", "clavien_dindo") if c in data.columns]
    group = next(c for c in ("icg", "cystic", "grade", "sex") if c in data.columns and data[c].nunique() >= 2)
    t = ns.table_one(data, group, variables)
    assert len(t.formatted()) >= len(variables)


@pytest.mark.parametrize("sample", ns.sample_names())
def test_table_one_counts_are_the_patient_by_patient_sums(monkeypatch, sample):
    """Unweighted categorical rows come from one table of counts per group and level: the same
    table, bit for bit, as summing patient by patient (every grouping, with and without another
    cohort standardising the SMDs)."""
    from nelm_stats.estimators import table_one as T
    from nelm_stats.schema import BASELINE_CHARACTERISTICS

    d = ns.load_sample(sample)
    variables = [c for c in BASELINE_CHARACTERISTICS if c in d.columns and d[c].notna().any()]
    for group in [None] + ns.grouping_columns(d)[0][:5]:
        for sd_from in (None, d.sample(frac=0.7, random_state=3)):
            v = [x for x in variables if x != group]
            monkeypatch.setattr(T, "COUNT_CATEGORIES", True)
            counted = ns.table_one(d, group, v, sd_from=sd_from).table
            monkeypatch.setattr(T, "COUNT_CATEGORIES", False)
            summed = ns.table_one(d, group, v, sd_from=sd_from).table
            pd.testing.assert_frame_equal(counted, summed, check_exact=True)
