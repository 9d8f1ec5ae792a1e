"""nelm_stats.cox against R's survival::coxph and cox.zph (tests/r/cox.R -> tests/reference/cox.json).

The R call of each reference model is quoted in R_CALLS below (and checked against the JSON,
so the quote cannot drift from what produced the numbers).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.estimators.cox import (
    cox_regression,
    ordered_scores,
    proportional_hazards_test,
    risk_factor_table,
    schoenfeld_residuals,
    set_reference,
    univariable_screen,
)
from tests.refcheck import assert_estimate, assert_inference, load_reference

REF = load_reference("cox")

# R call per reference model (survival 3.5.3, ties = "efron"); lung2 = survival::lung with
# status recoded 0/1 and w = 0.5 + (row %% 7) / 4.
R_CALLS = {
    "lung_factor": "coxph(Surv(time, status) ~ age + factor(sex) + factor(ph_ecog), data = lung2)",
    "lung_numeric": "coxph(Surv(time, status) ~ age + sex + ph_ecog + ph_karno, data = lung2)",
    "lung_trend": "coxph(Surv(time, status) ~ age + ph_ecog, data = lung2)  # ph_ecog numeric",
    "lung_strata": "coxph(Surv(time, status) ~ age + ph_ecog + strata(sex), data = lung2)",
    "lung_weights_robust": "coxph(Surv(time, status) ~ age + factor(sex) + ph_karno, data = lung2, weights = w, robust = TRUE)",
    "lung_cluster": "coxph(Surv(time, status) ~ age + factor(sex) + ph_ecog, data = lung2, cluster = inst)",
    "lung_cluster_strata_weights": "coxph(Surv(time, status) ~ age + factor(sex) + strata(ph_ecog), data = lung2, weights = w, cluster = inst)",
    "lung_robust": "coxph(Surv(time, status) ~ age + sex, data = lung2, robust = TRUE)",
    "lung_units": "coxph(Surv(time, status) ~ I(age / 10) + sex, data = lung2)",
    "veteran": "coxph(Surv(time, status) ~ trt + celltype + karno + age, data = veteran)",
    "veteran_reference": "coxph(Surv(time, status) ~ trt + relevel(celltype, ref = 'large') + karno, data = veteran)",
    "ovarian": "coxph(Surv(futime, fustat) ~ age + factor(resid_ds) + rx, data = ovarian)",
}


def _list(x):
    if x is None:
        return []
    return [x] if isinstance(x, str) else list(x)


def _frame(spec) -> pd.DataFrame:
    df = pd.DataFrame(REF["data"][spec["data"]])
    for c in df.columns:
        if c != "celltype":
            df[c] = pd.to_numeric(df[c].astype(object).where(df[c].notna(), np.nan))
    for f in _list(spec.get("factors")):
        if f == "celltype":
            df[f] = pd.Categorical(df[f], categories=REF["levels"]["celltype"])
        else:  # R's factor(): sorted levels, first = reference; 1 not 1.0 as level text
            df[f] = pd.Categorical(df[f].astype("Int64"))
    return df


def _fit(key):
    spec = REF["models"][key]["spec"]
    df = _frame(spec)
    before = df.copy()
    fit = cox_regression(
        df, spec["time"], spec["event"], _list(spec["covariates"]),
        strata=_list(spec.get("strata")) or None, cluster=spec.get("cluster"),
        weights=spec.get("weights"), robust=bool(spec.get("robust", False)),
        reference=spec.get("reference"), units=spec.get("units"),
        trend=_list(spec.get("trend")) or None,
    )
    pd.testing.assert_frame_equal(df, before)  # data never mutated
    return fit


@pytest.mark.parametrize("key", list(R_CALLS))
def test_coxph_matches_r(key):
    """Coefficients, (robust) SEs, CIs, p-values, loglik, global tests, concordance: see R_CALLS[key]."""
    ref = REF["models"][key]
    assert ref["call"] == R_CALLS[key]
    fit = _fit(key)
    t = fit.table
    assert list(t.columns) == ["term", "level", "reference", "hazard_ratio", "ci_lower",
                               "ci_upper", "p_value", "coef", "std_err"]
    assert len(t) == len(ref["coef"])
    assert_estimate(t["coef"], ref["coef"], f"{key} coef")
    assert_estimate(t["hazard_ratio"], ref["hr"], f"{key} HR")
    assert_inference(t["std_err"], ref["se"], f"{key} se")
    assert_inference(t["ci_lower"], ref["ci_lower"], f"{key} ci_lower")
    assert_inference(t["ci_upper"], ref["ci_upper"], f"{key} ci_upper")
    assert_inference(t["p_value"], ref["p"], f"{key} p")
    if ref["naive_se"]:
        assert_inference(np.sqrt(np.diag(fit.naive_var)), ref["naive_se"], f"{key} naive se")
        assert fit.robust
        assert_inference(fit.robust_score_statistic, ref["robust_score"], f"{key} robust score")
    else:
        assert not fit.robust
    assert_estimate([fit.loglik_null, fit.loglik], ref["loglik"], f"{key} loglik")
    assert_inference(fit.lr_statistic, ref["lr"], f"{key} LR")
    assert_inference(fit.wald_statistic, ref["wald"], f"{key} Wald")
    assert_inference(fit.score_statistic, ref["score"], f"{key} score")
    assert_estimate(fit.concordance, ref["concordance"], f"{key} concordance")
    assert (fit.n, fit.events, fit.n_excluded) == (ref["n"], ref["nevent"], ref["n_excluded"])
    assert fit.iterations == ref["iter"] and fit.converged
    assert fit.df == len(ref["coef"])


@pytest.mark.parametrize("key", list(R_CALLS))
def test_cox_zph_matches_r(key):
    """cox.zph(fit) (transform "km", terms = TRUE): one row per term, then GLOBAL. Fit: R_CALLS[key]."""
    ref = REF["models"][key]["zph"]
    z = proportional_hazards_test(_fit(key))
    assert list(z.columns) == ["term", "statistic", "df", "p_value"]
    assert z["term"].iloc[-1] == "GLOBAL" and len(z) == len(ref["term"])
    assert_inference(z["statistic"], ref["chisq"], f"{key} zph chisq")
    assert_inference(z["p_value"], ref["p"], f"{key} zph p")
    assert list(z["df"]) == [int(v) for v in ref["df"]]


@pytest.mark.parametrize("key", ["lung_factor", "lung_strata"])
def test_scaled_schoenfeld_matches_r(key):
    """cox.zph(fit)$y and $x for R_CALLS[key] (a 3-df factor term; a stratified model)."""
    ref = REF["models"][key]
    fit = _fit(key)
    s = schoenfeld_residuals(fit)
    terms = [t.name for t in fit.terms]
    got = np.column_stack([s.loc[s["term"] == t, "residual"].to_numpy() for t in terms])
    assert_estimate(got.ravel(), np.array(ref["zph_y"], dtype=float).ravel(), f"{key} scaled Schoenfeld")
    first = s[s["term"] == terms[0]]
    assert_estimate(first["transformed_time"], ref["zph_x"], f"{key} km time")
    assert_estimate(first["time"], ref["zph_time"], f"{key} event times")


def test_table_levels_and_reference():
    """Factor rows name level and reference (R: factor(ph_ecog)1..3 vs 0); numeric rows have ""."""
    fit = _fit("lung_factor")
    t = fit.table
    assert list(t["term"]) == ["age", "sex", "ph_ecog", "ph_ecog", "ph_ecog"]
    assert list(t["level"]) == ["", "2", "1", "2", "3"]
    assert list(t["reference"]) == ["", "1", "0", "0", "0"]


def test_set_reference_equals_reference_argument():
    """relevel(celltype, 'large') by set_reference() gives R_CALLS['veteran_reference']."""
    spec = REF["models"]["veteran_reference"]["spec"]
    df = set_reference(_frame(spec), "celltype", "large")
    fit = cox_regression(df, "time", "status", ["trt", "celltype", "karno"])
    assert_estimate(fit.table["coef"], REF["models"]["veteran_reference"]["coef"])
    assert list(fit.table["reference"])[1:4] == ["large"] * 3


def test_ordered_scores():
    s = pd.Series(pd.Categorical(["G2", None, "G3", "G1"], categories=["G1", "G2", "G3"], ordered=True))
    np.testing.assert_array_equal(ordered_scores(s).to_numpy(), [2.0, np.nan, 3.0, 1.0])


def test_bool_covariate_is_categorical_with_false_reference():
    """A bool column is a factor with reference False, as R's logical covariate (xTRUE)."""
    spec = REF["models"]["lung_numeric"]["spec"]
    df = _frame(spec)
    df["male"] = df["sex"] == 1
    fit = cox_regression(df, "time", "status", ["male"])
    num = cox_regression(df.assign(male=df["male"].astype(float)), "time", "status", ["male"])
    assert (fit.table["level"].iloc[0], fit.table["reference"].iloc[0]) == ("True", "False")
    assert_estimate(fit.table["coef"], num.table["coef"])


# ----------------------------------------------------------------------------- guardrails
def _toy(n=60, seed=1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({
        "time": rng.exponential(20, n).round(1) + 0.1,
        "event": rng.random(n) < 0.7,
        "age": rng.normal(60, 10, n).round(),
        "grade": pd.Categorical(rng.choice(["G1", "G2", "G3"], n), categories=["G1", "G2", "G3"],
                                ordered=True),
    })
    return df


def test_level_without_events_is_named():
    df = _toy()
    df.loc[df["grade"] == "G3", "event"] = False
    with pytest.raises(ns.ConvergenceError, match="tumour grade 'G3' had an event"):
        cox_regression(df, "time", "event", ["age", "grade"])


def test_monotone_likelihood_detected():
    """A covariate that orders the deaths perfectly: coefficient runs to infinity."""
    df = _toy()
    df["event"] = True
    df["x"] = -df["time"] + 0.001 * np.arange(len(df))  # earlier death <=> larger x
    df = df.sort_values("time").drop_duplicates("time")
    with pytest.raises(ns.ConvergenceError, match="'x'"):
        cox_regression(df, "time", "event", ["x"])


def test_collinearity_names_the_terms():
    df = _toy()
    df["age_months"] = df["age"] * 12
    with pytest.raises(ns.ConvergenceError, match="age_months.*'age'|collinear"):
        cox_regression(df, "time", "event", ["age", "age_months"])


def test_few_events_per_coefficient_warns():
    df = _toy(40)
    fit = cox_regression(df, "time", "event", ["age", "grade"])
    assert fit.events / fit.df < 10
    assert any("fewer covariates" in w for w in fit.warnings)
    big = _toy(400)
    assert cox_regression(big, "time", "event", ["age"]).warnings == ()


def test_no_events_and_too_few_patients():
    df = _toy()
    with pytest.raises(ns.InsufficientDataError, match="event"):
        cox_regression(df.assign(event=False), "time", "event", ["age"])
    with pytest.raises(ns.InsufficientDataError):
        cox_regression(df.head(2), "time", "event", ["age", "grade"])


def test_constant_covariate_and_missing_column():
    df = _toy().assign(site="pancreas")
    with pytest.raises(ns.InsufficientDataError, match="same value"):
        cox_regression(df, "time", "event", ["site"])
    with pytest.raises(ns.MissingColumnError):
        cox_regression(df, "time", "event", ["ki67"])
    with pytest.raises(ns.InputError):
        cox_regression(df, "time", "event", [])


def test_missing_values_are_counted():
    df = _toy()
    df.loc[[0, 5, 7], "age"] = np.nan
    fit = cox_regression(df, "time", "event", ["age", "grade"])
    assert (fit.n, fit.n_excluded) == (len(df) - 3, 3)


# ----------------------------------------------------------------------------- screen + table
def test_univariable_screen_equals_single_fits():
    spec = REF["models"]["lung_factor"]["spec"]
    df = _frame(spec)
    scr = univariable_screen(df, "time", "status", ["age", "sex", "ph_ecog"])
    assert list(scr.table.columns) == ["term", "level", "reference", "hazard_ratio", "ci_lower",
                                       "ci_upper", "p_value", "coef", "std_err", "n", "events"]
    expected = []
    for cov in ["age", "sex", "ph_ecog"]:
        single = cox_regression(df, "time", "status", [cov])
        if single.lr_p_value < 0.05:
            expected.append(cov)
        rows = scr.table[scr.table["term"] == cov]
        assert_estimate(rows["coef"], single.table["coef"])
        assert (rows["n"] == single.n).all() and (rows["events"] == single.events).all()
        test = scr.tests[scr.tests["term"] == cov].iloc[0]
        assert_estimate(test["p_value"], single.lr_p_value)
    assert scr.selected(0.05) == expected and scr.selected(0.0) == []


def test_screen_keeps_going_when_one_covariate_fails():
    df = _toy()
    df["rare"] = pd.Categorical(np.where(np.arange(len(df)) < 3, "yes", "no"))
    df.loc[df["rare"] == "yes", "event"] = False
    scr = univariable_screen(df, "time", "event", ["age", "rare"])
    note = scr.tests.set_index("term").loc["rare", "note"]
    assert "rare 'yes' had an event" in note and np.isnan(scr.tests.set_index("term").loc["rare", "p_value"])
    assert scr.selected(1.0) == ["age"]


def test_risk_factor_table_combines_both_models():
    spec = REF["models"]["lung_factor"]["spec"]
    df = _frame(spec)
    scr = univariable_screen(df, "time", "status", ["age", "sex", "ph_ecog"])
    model = cox_regression(df, "time", "status", ["sex", "ph_ecog"])
    rft = risk_factor_table(scr, model)
    t = rft.table
    assert list(t["term"]) == ["age", "sex", "ph_ecog", "ph_ecog", "ph_ecog"]
    assert np.isnan(t.loc[0, "multi_hazard_ratio"])
    assert_estimate(t["multi_hazard_ratio"].iloc[1:], model.table["hazard_ratio"])
    assert_estimate(t["uni_hazard_ratio"], scr.table["hazard_ratio"])
    from nelm_stats.report.views import risk_factor_view

    f = risk_factor_view(rft)
    assert list(f.columns) == ["Covariate", "Univariable HR (95 % CI)", "p (univariable)",
                               "Multivariable HR (95 % CI)", "p (multivariable)"]
    assert "1 (reference)" in set(f["Univariable HR (95 % CI)"])
    with pytest.raises(ns.InputError):
        risk_factor_table(univariable_screen(df, "time", "status", ["age"], units={"age": 10}),
                          cox_regression(df, "time", "status", ["age"]))


def test_near_equal_times_are_tied_as_coxph_timefix():
    """coxph's default timefix (aeqSurv): times differing by 1e-12 (relative) are ties, so the fit
    equals R_CALLS['lung_numeric'] on the exact times."""
    spec = REF["models"]["lung_numeric"]["spec"]
    df = _frame(spec)
    df["time"] = df["time"] * np.where(np.arange(len(df)) % 2 == 0, 1.0, 1 + 1e-12)
    fit = cox_regression(df, "time", "status", _list(spec["covariates"]))
    assert_estimate(fit.table["coef"], REF["models"]["lung_numeric"]["coef"])
    assert_inference(fit.table["std_err"], REF["models"]["lung_numeric"]["se"])


def test_weights_must_be_positive():
    """R's coxph stops with "Invalid weights, must be >0"; so do we, in words."""
    df = _toy().assign(w=1.0)
    df.loc[4, "w"] = 0.0
    with pytest.raises(ns.InvalidValueError, match="positive"):
        cox_regression(df, "time", "event", ["age"], weights="w")


def test_display_views_and_ph_verdict():
    from nelm_stats.report.views import format_cox_table, format_p, ph_verdict

    fit = _fit("lung_factor")
    view = format_cox_table(fit)
    assert list(view.columns) == ["Covariate", "HR (95 % CI)", "p"]
    assert (view["HR (95 % CI)"] == "1 (reference)").sum() == 2  # sex and ph_ecog
    hr = fit.table["hazard_ratio"].iloc[0]
    assert view["HR (95 % CI)"].iloc[0].startswith(f"{hr:.2f} (")
    assert format_p(0.0004) == "< 0.001" and format_p(0.0456) == "0.046"
    z = proportional_hazards_test(fit)
    assert ph_verdict(z).startswith("No evidence")  # R: GLOBAL p = 0.17, no term < 0.05
    bad = z.assign(p_value=[0.5, 0.01, 0.5, 0.03])
    assert "Sex (p = 0.010)" in ph_verdict(bad)  # the covariate by its label


def test_ph_verdict_when_the_test_cannot_be_computed():
    """cox.zph stops on a singular information matrix; we give NaN and must not call that
    'no evidence against proportional hazards'."""
    from nelm_stats.report.views import ph_verdict

    z = proportional_hazards_test(_fit("lung_factor"))
    undetermined = z.assign(statistic=np.nan, p_value=np.nan)
    text = ph_verdict(undetermined)
    assert "could not be computed" in text and "No evidence" not in text


def test_conf_level_90():
    """summary(coxph(Surv(time, status) ~ age + factor(sex) + factor(ph_ecog), data = lung2), conf.int = 0.90)."""
    spec = REF["models"]["lung_factor"]["spec"]
    df = _frame(spec)
    fit = cox_regression(df, spec["time"], spec["event"], _list(spec["covariates"]), conf_level=0.90)
    assert_inference(fit.table["ci_lower"], REF["conf_90"]["ci_lower"], "lower 90 %")
    assert_inference(fit.table["ci_upper"], REF["conf_90"]["ci_upper"], "upper 90 %")
    with pytest.raises(ns.AnalysisError, match="conf_level"):
        cox_regression(df, spec["time"], spec["event"], _list(spec["covariates"]), conf_level=95)


def test_schoenfeld_trend_of_one_term_equals_its_part_of_all():
    fit = _fit("lung_factor")
    resid = ns.schoenfeld_residuals(fit)
    from nelm_stats.estimators.cox import schoenfeld_trend

    every = schoenfeld_trend(resid)
    one = schoenfeld_trend(resid, terms=["age"])
    assert set(one["term"]) == {"age"}
    pd.testing.assert_frame_equal(one.reset_index(drop=True),
                                  every[every["term"] == "age"].reset_index(drop=True))


def test_screen_conf_level_is_the_models():
    spec = REF["models"]["lung_factor"]["spec"]
    df = _frame(spec)
    scr = ns.univariable_screen(df, spec["time"], spec["event"], ["age"], conf_level=0.90)
    one = cox_regression(df, spec["time"], spec["event"], ["age"], conf_level=0.90)
    assert scr.table["ci_lower"].iloc[0] == one.table["ci_lower"].iloc[0]
