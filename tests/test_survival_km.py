"""Kaplan–Meier, medians, summary at times, reverse-KM follow-up, RMST and landmark data
against R's survival 3.5.3 (tests/r/survival_km.R -> tests/reference/survival_km.json).

Every KM case quotes its R call (``case["call"]``, shown in the failure message), e.g.

    fit <- survfit(Surv(time, status) ~ sex, data = lung, conf.type = "log", conf.int = 0.95)
    summary(fit, censored = TRUE)                      # -> .curve
    summary(fit)$table[, c("records", "events", "median", "0.95LCL", "0.95UCL")]  # .medians
    summary(fit, times = c(0, 90, 180, 365, 730, 1000, 2000), extend = TRUE)      # .at()
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.estimators.survival import (
    AT_COLUMNS,
    CURVE_COLUMNS,
    MEDIAN_COLUMNS,
    kaplan_meier,
    landmark,
    median_follow_up,
    restricted_mean,
    rmst_difference,
)
from tests.refcheck import assert_estimate, assert_inference, load_reference

REF = load_reference("survival_km")
CASES = {c["id"]: c for c in REF["cases"]}


def frame(name: str) -> pd.DataFrame:
    """A data set exported by the R script, as a DataFrame (NA -> missing)."""
    cols = {}
    for key, values in REF["datasets"][name].items():
        if any(isinstance(v, str) for v in values):
            cols[key] = pd.array(values, dtype="str")
        else:
            s = pd.Series([np.nan if v is None else v for v in values], dtype=float)
            # whole numbers stay integers so that group labels read "1", not "1.0" (as R)
            cols[key] = s.astype("Int64") if (s.dropna() % 1 == 0).all() and key != "time" \
                and key not in ("iptw", "wfix") else s
    return pd.DataFrame(cols)


def fit_case(case):
    return kaplan_meier(frame(case["dataset"]), "time", "status", case["group"],
                        weights=case["weights"], conf_type=case["conf_type"],
                        conf_level=case["conf_level"])


# --------------------------------------------------------------------------------------
# curves, medians, summary at times


@pytest.mark.parametrize("case_id", list(CASES))
def test_curve_matches_survfit(case_id):
    """R: summary(survfit(Surv(time, status) ~ g, data, conf.type, conf.int), censored=TRUE)."""
    case = CASES[case_id]
    fit = fit_case(case)
    ref = case["curve"]
    what = f"{case['call']}; summary(fit, censored = TRUE)"
    assert list(fit.curve.columns) == CURVE_COLUMNS
    assert fit.curve["group"].tolist() == list(np.atleast_1d(ref["group"])), what
    for col in ("time", "n_risk", "n_event", "n_censor", "survival"):
        assert_estimate(fit.curve[col], ref[col], f"{col}: {what}")
    for col in ("std_err", "ci_lower", "ci_upper"):
        assert_inference(fit.curve[col], ref[col], f"{col}: {what}")


@pytest.mark.parametrize("case_id", list(CASES))
def test_medians_match_print_survfit(case_id):
    """R: summary(fit)$table (as print(fit)): records, events, median, LCL, UCL."""
    case = CASES[case_id]
    fit = fit_case(case)
    ref = case["medians"]
    what = f"{case['call']}; summary(fit)$table"
    assert list(fit.medians.columns) == MEDIAN_COLUMNS
    assert fit.medians["group"].tolist() == list(np.atleast_1d(ref["group"])), what
    assert_estimate(fit.medians["n"], ref["records"], f"n: {what}")
    assert_estimate(fit.medians["events"], ref["events"], f"events: {what}")
    assert_estimate(fit.medians["median"], ref["median"], f"median: {what}")
    assert_inference(fit.medians["ci_lower"], ref["ci_lower"], f"ci_lower: {what}")
    assert_inference(fit.medians["ci_upper"], ref["ci_upper"], f"ci_upper: {what}")


@pytest.mark.parametrize("case_id", list(CASES))
def test_at_matches_summary_times_extend(case_id):
    """R: summary(fit, times = c(...), extend = TRUE) — includes times past the last follow-up
    (n.risk 0, S carried forward) and, for some cases, negative times and time 0."""
    case = CASES[case_id]
    fit = fit_case(case)
    ref = case["at"]
    what = f"{case['call']}; {case['summary_call']}"
    at = fit.at(case["at_times"])
    assert list(at.columns) == AT_COLUMNS
    assert at["group"].tolist() == list(np.atleast_1d(ref["group"])), what
    for col in ("time", "n_risk", "n_event", "survival"):
        assert_estimate(at[col], ref[col], f"{col}: {what}")
    for col in ("std_err", "ci_lower", "ci_upper"):
        assert_inference(at[col], ref[col], f"{col}: {what}")


def test_midpoint_median_rule():
    """R: survfit(Surv(1:10) ~ 1) prints median 5.5 (S = 0.5 on [5, 6): midpoint)."""
    fit = fit_case(CASES["midpoint_log"])
    assert_estimate(fit.medians["median"], CASES["midpoint_log"]["medians"]["median"])
    assert fit.medians["median"].iloc[0] not in (5.0, 6.0)


def test_flat_half_median_is_first_time():
    """R: survfit(Surv(c(1, 2, 3, 4), c(1, 1, 0, 0)) ~ 1): S ends flat at 0.5, median = 2."""
    case = CASES["flat"]
    fit = fit_case(case)
    assert_estimate(fit.medians["median"], case["medians"]["median"], case["call"])


def test_weight_kinds():
    """R: survfit(..., weights = w) uses the robust (IJ) SE when w is not whole numbers
    (survfitKM: has.rwt -> robust = TRUE), Greenwood with weighted counts otherwise."""
    assert fit_case(CASES["lung_iptw_sex_log"]).robust_se
    assert fit_case(CASES["lung_wfix_sex"]).robust_se
    integer = fit_case(CASES["lung_wint_sex"])
    assert integer.weighted and not integer.robust_se
    # the robust SE is not Greenwood's: the reference differs from an unweighted-formula fit
    case = CASES["lung_iptw_sex_log"]
    greenwood = kaplan_meier(frame("lung"), "time", "status", "sex")
    assert not np.allclose(fit_case(case).curve["std_err"].to_numpy()[:50],
                           greenwood.curve["std_err"].to_numpy()[:50])


def test_weights_as_series_or_array_equal_column():
    """Weights passed as a Series aligned on the index (as ns.iptw().weights) or an array
    give the same fit as the weight column (R: survfit(..., weights = iptw))."""
    lung = frame("lung")
    by_col = kaplan_meier(lung, "time", "status", "sex", weights="iptw")
    shuffled = lung["iptw"].sample(frac=1.0, random_state=1)
    by_series = kaplan_meier(lung, "time", "status", "sex", weights=shuffled)
    by_array = kaplan_meier(lung, "time", "status", "sex", weights=lung["iptw"].to_numpy())
    for other in (by_series, by_array):
        pd.testing.assert_frame_equal(by_col.curve, other.curve)
    assert_inference(by_col.curve["std_err"], CASES["lung_iptw_sex_log"]["curve"]["std_err"])


def test_missing_rows_counted():
    """R: survfit(Surv(time, status) ~ ph.ecog, data = lung) drops the row with NA ph.ecog."""
    case = CASES["lung_ecog"]
    fit = fit_case(case)
    assert fit.n_excluded == 1
    assert fit.n == 227 == int(fit.medians["n"].sum())
    lung = frame("lung")
    lung.loc[[0, 5], "time"] = np.nan
    lung.loc[7, "sex"] = pd.NA
    assert kaplan_meier(lung, "time", "status", "sex").n_excluded == 3
    w = lung["iptw"].copy()
    w.iloc[10] = np.nan
    assert kaplan_meier(lung, "time", "status", "sex", weights=w).n_excluded == 4


def test_with_origin_adds_time_zero_rows():
    """R: survfit0(fit) — a time-0 row per group unless the group has one already."""
    fit = fit_case(CASES["ties_g_log"])  # group "b" has a censoring at time 0
    cur0 = fit.with_origin()
    firsts = cur0.groupby("group", sort=False).head(1)
    assert firsts["time"].tolist() == [0.0, 0.0]
    assert len(cur0) == len(fit.curve) + 1
    a0 = cur0.iloc[0]
    assert a0["survival"] == 1 and a0["n_risk"] == fit.curve["n_risk"].iloc[0]


# --------------------------------------------------------------------------------------
# reverse KM, restricted mean


@pytest.mark.parametrize("case", REF["follow_up"], ids=lambda c: c["id"])
def test_median_follow_up(case):
    """R: print(survfit(Surv(time, 1 - status) ~ g, data, conf.int = c)) — median, LCL, UCL."""
    df = frame(case["dataset"])
    out = median_follow_up(df, "time", "status", case["group"], conf_level=case.get("conf_level", 0.95))
    ref = case["result"]
    assert list(out.columns) == ["group", "median", "ci_lower", "ci_upper"]
    assert out["group"].tolist() == list(np.atleast_1d(ref["group"]))
    assert_estimate(out["median"], ref["median"], case["call"])
    assert_inference(out["ci_lower"], ref["ci_lower"], case["call"])
    assert_inference(out["ci_upper"], ref["ci_upper"], case["call"])
    assert out.attrs["n_excluded"] == 0


@pytest.mark.parametrize("case", REF["rmst"], ids=lambda c: c["id"])
def test_restricted_mean(case):
    """R: summary(survfit(Surv(time, status) ~ g, data), rmean = tau)$table[, c("rmean",
    "se(rmean)")] (= print(fit, rmean = tau)); CI = rmean ± qnorm(0.975) se."""
    df = frame(case["dataset"])
    out = restricted_mean(df, "time", "status", case["group"], tau=case["tau"])
    ref = case["result"]
    assert list(out.columns) == ["group", "tau", "rmst", "std_err", "ci_lower", "ci_upper"]
    assert out["group"].tolist() == list(np.atleast_1d(ref["group"]))
    assert_estimate(out["rmst"], ref["rmst"], case["call"])
    assert_inference(out["std_err"], ref["std_err"], case["call"])
    z = 1.959963984540054
    rm, se = np.atleast_1d(ref["rmst"]), np.atleast_1d(ref["std_err"])
    assert_inference(out["ci_lower"], rm - z * se, case["call"])
    assert_inference(out["ci_upper"], rm + z * se, case["call"])
    assert (out["tau"] == case["tau"]).all()


def test_rmst_difference_from_r_group_values():
    """Hand computation from R's per-group values:
    tab <- summary(survfit(Surv(time, status) ~ sex, data = lung), rmean = 365)$table
    d <- tab[2, "rmean"] - tab[1, "rmean"]; se <- sqrt(sum(tab[, "se(rmean)"]^2))
    c(d, se, d - 1.96 se, d + 1.96 se, 2 * pnorm(-abs(d / se)))"""
    case = next(c for c in REF["rmst"] if c["id"] == "lung_sex_365")
    rm = np.asarray(case["result"]["rmst"])
    se = np.asarray(case["result"]["std_err"])
    d = rm[1] - rm[0]
    s = np.sqrt(np.sum(se ** 2))
    from scipy.stats import norm
    res = rmst_difference(frame("lung"), "time", "status", "sex", tau=365)
    row = res.table.iloc[0]
    assert list(res.table.columns) == ["group_a", "group_b", "difference", "std_err",
                                       "ci_lower", "ci_upper", "p_value"]
    assert (row["group_a"], row["group_b"]) == ("1", "2")
    assert_estimate(row["difference"], d)
    assert_inference([row["std_err"], row["ci_lower"], row["ci_upper"], row["p_value"]],
                     [s, d - norm.ppf(0.975) * s, d + norm.ppf(0.975) * s,
                      2 * norm.sf(abs(d / s))])
    # more than two groups: every pair, in the column's order
    vet = rmst_difference(frame("veteran"), "time", "status", "celltype", tau=200)
    assert len(vet.table) == 6
    assert vet.table[["group_a", "group_b"]].iloc[0].tolist() == ["adeno", "large"]


# --------------------------------------------------------------------------------------
# landmark


def test_landmark_matches_r_subset():
    """R: survfit(Surv(time - 180, status) ~ sex, data = subset(lung, time > 180))."""
    ref = REF["landmark"]
    lung = frame("lung")
    lm = landmark(lung, "time", "status", at=ref["at"])
    assert lm.n == ref["n"] == len(lm.data)
    assert lm.exclusions["event at or before the landmark"] == ref["excluded_event"]
    assert lm.exclusions["censored at or before the landmark"] == ref["excluded_censored"]
    assert lm.n_excluded == ref["excluded_event"] + ref["excluded_censored"]
    assert list(lm.data.columns) == list(lung.columns)
    assert lm.data.index.isin(lung.index).all()
    case = ref["km"]
    fit = kaplan_meier(lm.data, "time", "status", "sex")
    for col in ("time", "n_risk", "n_event", "survival"):
        assert_estimate(fit.curve[col], case["curve"][col], f"{col}: {ref['call']}")
    for col in ("std_err", "ci_lower", "ci_upper"):
        assert_inference(fit.curve[col], case["curve"][col], f"{col}: {ref['call']}")
    assert_estimate(fit.medians["median"], case["medians"]["median"], ref["call"])


def test_landmark_data_feed_logrank():
    """R: survdiff(Surv(time - 180, status) ~ sex, data = subset(lung, time > 180))$chisq."""
    ref = REF["landmark"]
    lm = landmark(frame("lung"), "time", "status", at=ref["at"])
    test = ns.logrank_test(lm.data, "time", "status", "sex")
    assert_inference(test.statistic, ref["logrank"], ref["logrank_call"])


def test_landmark_counts_missing():
    lung = frame("lung")
    lung.loc[[1, 2], "status"] = pd.NA
    lm = landmark(lung, "time", "status", at=180)
    assert lm.exclusions["missing time or event"] == 2
    assert lm.n + lm.n_excluded == len(lung)


# --------------------------------------------------------------------------------------
# validation


def test_validation_errors():
    lung = frame("lung")
    with pytest.raises(ns.AnalysisError):
        kaplan_meier(lung, "time", "status", conf_type="loglog")
    with pytest.raises(ns.AnalysisError):
        kaplan_meier(lung, "time", "status", conf_level=95)
    with pytest.raises(ns.MissingColumnError):
        kaplan_meier(lung, "time", "dead")
    neg = lung.assign(time=lung["time"] - 100.0)
    with pytest.raises(ns.InvalidValueError, match="negative"):
        kaplan_meier(neg, "time", "status")
    bad = lung.assign(status=lung["status"] + 1)  # R's 1/2 coding is not accepted silently
    with pytest.raises(ns.InvalidValueError, match="0/1"):
        kaplan_meier(bad, "time", "status")
    with pytest.raises(ns.InvalidValueError):
        kaplan_meier(lung, "time", "status", weights=-lung["iptw"])
    with pytest.raises(ns.InputError):
        kaplan_meier(lung, "time", "status", weights=[1.0, 2.0])
    with pytest.raises(ns.InputError):
        kaplan_meier(lung, "time", "status").at([np.nan])
    with pytest.raises(ns.InputError):
        restricted_mean(lung, "time", "status", tau=-1)
    with pytest.raises(ns.InsufficientDataError):
        rmst_difference(lung.loc[lung["sex"] == 1], "time", "status", "sex", tau=365)
    with pytest.raises(ns.InputError):
        landmark(lung, "time", "status", at="one year")
    with pytest.raises(ns.InsufficientDataError):
        kaplan_meier(lung.assign(time=np.nan), "time", "status")
    with pytest.raises(ns.AnalysisError):
        kaplan_meier(lung["time"], "time", "status")


def test_data_not_mutated():
    lung = frame("lung")
    lung.loc[3, "ph_ecog"] = pd.NA
    before = lung.copy(deep=True)
    kaplan_meier(lung, "time", "status", "ph_ecog", weights="iptw").at([365])
    median_follow_up(lung, "time", "status", "sex")
    restricted_mean(lung, "time", "status", "sex", tau=365)
    rmst_difference(lung, "time", "status", "sex", tau=365)
    landmark(lung, "time", "status", at=180)
    pd.testing.assert_frame_equal(lung, before)


def test_columns_do_not_depend_on_arguments():
    lung = frame("lung")
    a = kaplan_meier(lung, "time", "status")
    b = kaplan_meier(lung, "time", "status", "sex", conf_level=0.9, conf_type="plain")
    assert list(a.curve.columns) == list(b.curve.columns) == CURVE_COLUMNS
    assert list(a.medians.columns) == list(b.medians.columns) == MEDIAN_COLUMNS
    assert a.medians["group"].tolist() == ["all"]


def test_bool_and_categorical_inputs():
    """Bool events and an ordered Categorical group (labels and order from the categories)."""
    vet = frame("veteran")
    vet["dead"] = vet["status"] == 1
    vet["cell"] = pd.Categorical(vet["celltype"], categories=["squamous", "smallcell",
                                                               "adeno", "large"], ordered=True)
    fit = kaplan_meier(vet, "time", "dead", "cell")
    assert list(fit.groups) == ["squamous", "smallcell", "adeno", "large"]
    ref = kaplan_meier(vet, "time", "status", "celltype")
    for g in fit.groups:
        pd.testing.assert_frame_equal(
            fit.curve[fit.curve["group"] == g].reset_index(drop=True),
            ref.curve[ref.curve["group"] == g].reset_index(drop=True))


def test_exported():
    for name in ("kaplan_meier", "median_follow_up", "restricted_mean", "rmst_difference",
                 "landmark"):
        assert callable(getattr(ns, name))
