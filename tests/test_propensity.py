"""Propensity-score matching and weighting against MatchIt 4.7.2 and R.

MatchIt reference (tests/reference/matchit_4.7.2_lalonde.json, copied from the project's
shared/reference/, produced by MatchIt 4.7.2 in R on MatchIt's lalonde data, lalonde.csv):
    matchit(treat ~ age + educ + race + married + nodegree + re74 + re75, data = lalonde,
            method = "nearest")                                   # nearest_no_caliper
    matchit(..., method = "nearest", caliper = 0.2)               # caliper_0.2_propensity
    matchit(..., method = "nearest", caliper = 0.2, link = "linear.logit")  # caliper_0.2_logit
    matchit(..., method = "nearest", ratio = 2)                   # ratio_2_no_caliper
    summary(m)$sum.all[, "Std. Mean Diff."], summary(m)$sum.matched[, "Std. Mean Diff."]
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.estimators import propensity as P
from tests.refcheck import REFERENCE_DIR, assert_estimate, assert_inference, load_reference

LALONDE_COVS = ["age", "educ", "race", "married", "nodegree", "re74", "re75"]
SETTINGS = {
    "nearest_no_caliper": dict(caliper=None, caliper_scale="propensity"),
    "caliper_0.2_propensity": dict(caliper=0.2, caliper_scale="propensity"),
    "caliper_0.2_logit": dict(caliper=0.2, caliper_scale="logit"),
    "ratio_2_no_caliper": dict(caliper=None, caliper_scale="propensity", ratio=2),
}


@pytest.fixture(scope="module")
def lalonde():
    return pd.read_csv(REFERENCE_DIR / "lalonde.csv").set_index("id")


@pytest.fixture(scope="module")
def matchit():
    return load_reference("matchit_4.7.2_lalonde")


@pytest.mark.parametrize("setting", list(SETTINGS))
def test_matchit_pairs_and_smd(lalonde, matchit, setting):
    """Same pairs as MatchIt 4.7.2, pair for pair; SMDs (ATT, incl. the distance) to 1e-6."""
    ref = matchit[setting]
    res = ns.propensity_match(lalonde, "treat", LALONDE_COVS, **SETTINGS[setting])
    # MatchIt stores the distance: the propensity, or its logit for link = "linear.logit"
    assert_estimate(res.distance.to_numpy(), ref["propensity"], "distance")
    p = res.propensity.to_numpy()
    expected_p = ref["propensity"] if setting != "caliper_0.2_logit" else 1 / (1 + np.exp(-np.asarray(ref["propensity"])))
    assert_estimate(p, expected_p, "propensity")
    rp = pd.DataFrame(ref["pairs"])
    rp["row"] = rp["treated"].map({v: i for i, v in enumerate(lalonde.index)})
    rp = rp.sort_values(["row", "slot"], kind="stable")
    assert list(res.pairs.columns) == ["treated", "control"]
    assert res.pairs["treated"].tolist() == rp["treated"].tolist()
    assert res.pairs["control"].tolist() == rp["control"].tolist()
    assert res.n_treated_matched == ref["n_treated_matched"]
    assert res.n_treated == 185 and res.n_control == 429
    assert res.n_treated_unmatched == 185 - ref["n_treated_matched"]
    assert res.n_unmatched_caliper == res.n_treated_unmatched  # the caliper is the only reason here
    bal = res.balance
    assert list(bal.columns) == ["term", "smd_before", "smd_after", "variance_ratio_before", "variance_ratio_after"]
    assert bal["term"].tolist() == ["distance", "age", "educ", "race: black", "race: hispan", "race: white",
                                    "married", "nodegree", "re74", "re75"]
    assert_estimate(bal["smd_before"], ref["balance"]["smd_before"], "smd_before")
    assert_estimate(bal["smd_after"], ref["balance"]["smd_after"], "smd_after")
    # matched data: every matched patient once, all columns plus match_id and match_weight
    m = res.matched
    assert list(m.columns) == [*lalonde.columns, "match_id", "match_weight"]
    assert len(m) == res.n_treated_matched + res.n_control_matched
    assert set(m.index) == set(res.pairs["treated"]) | set(res.pairs["control"])
    assert (m.groupby("match_id")["treat"].sum() == 1).all()
    assert np.isclose(m.loc[m.treat == 0, "match_weight"].sum(), res.n_control_matched)


def test_caliper_width_is_sd_of_distance(lalonde):
    res = ns.propensity_match(lalonde, "treat", LALONDE_COVS)  # default: 0.2 SD of the logit
    d = res.distance.to_numpy()
    assert res.caliper_width == pytest.approx(0.2 * np.std(d, ddof=1))
    gap = (res.distance.loc[res.pairs.treated].to_numpy() - res.distance.loc[res.pairs.control].to_numpy())
    assert np.all(np.abs(gap) <= res.caliper_width)


# --- a literal transcription of MatchIt's nn_matchC_vec loop (O(n^2)), for data MatchIt was not run on


def _matchit_loop(dist, treat, ratio, width, replace, exact=None):
    n = len(dist)
    d_ord = np.argsort(dist, kind="stable")
    tr, ds = treat[d_ord], dist[d_ord]
    ex = None if exact is None else exact[d_ord]
    pos_t = np.flatnonzero(treat)
    ord_t = pos_t[np.argsort(-dist[pos_t], kind="stable")]
    where = np.empty(n, dtype=int)
    where[d_ord] = np.arange(n)
    can = ~tr.copy()
    mm = {t: [] for t in pos_t}
    w = np.inf if width is None else width

    def scan(ii, step, row):
        k = ii + step
        while 0 <= k < n:
            if tr[k] or d_ord[k] in row or not can[k]:
                k += step
                continue
            if abs(ds[ii] - ds[k]) > w:
                return -1
            if ex is not None and ex[ii] != ex[k]:
                k += step
                continue
            return k
        return -1

    for r in range(ratio):
        for t in ord_t:
            ii = where[t]
            kl, kr = scan(ii, -1, mm[t]), scan(ii, 1, mm[t])
            if kl >= 0 and kr >= 0:
                k = kl if abs(ds[kl] - ds[ii]) <= abs(ds[kr] - ds[ii]) else kr
            elif kl >= 0 or kr >= 0:
                k = max(kl, kr)
            else:
                continue
            mm[t].append(d_ord[k])
            if not replace:
                can[k] = False
    return [(t, c) for t in pos_t for c in mm[t]]


@pytest.mark.parametrize("ratio,width,replace,use_exact", [
    (1, 0.05, False, False), (3, None, False, False), (2, 0.1, False, True),
    (1, 0.02, True, False), (3, 0.2, True, True), (1, None, False, True),
])
def test_fast_matcher_equals_matchit_loop(ratio, width, replace, use_exact):
    """The O(n log n) matcher (sorted distances, next-free pointers) equals MatchIt's scan,
    including ties in the distance (rounded values) and exact strata."""
    rng = np.random.default_rng(7 + ratio)
    for rep in range(5):
        n = 300
        dist = np.round(rng.normal(size=n), 1)  # many ties
        treat = rng.random(n) < 0.35
        exact = rng.integers(0, 3, n) if use_exact else None
        mm, _ = P._nearest(dist, treat, ratio, width, replace, exact)
        fast = [(t, c) for t in np.flatnonzero(treat) for c in mm[t] if c >= 0]
        assert fast == _matchit_loop(dist, treat, ratio, width, replace, exact)


def test_exact_matching_and_reasons(lalonde):
    res = ns.propensity_match(lalonde, "treat", ["age", "educ", "re74"], exact=["race", "married"])
    t = lalonde.loc[res.pairs.treated, ["race", "married"]].to_numpy()
    c = lalonde.loc[res.pairs.control, ["race", "married"]].to_numpy()
    assert (t == c).all()
    assert res.n_treated_unmatched == res.n_unmatched_caliper + res.n_unmatched_exact + res.n_unmatched_no_control
    reasons = res.unmatched_reasons
    assert list(reasons.columns) == ["reason", "n"] and reasons["n"].sum() == res.n_treated_unmatched


def test_no_exact_counterpart_is_reported():
    d = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0, 0, 1], "x": [1.0, 2, 3, 1.5, 2.5, 0.5, 3.5, 2.2],
                      "site": ["a", "a", "b", "a", "a", "a", "a", "b"]})
    res = ns.propensity_match(d, "t", ["x"], exact="site", caliper=None)
    assert res.n_unmatched_exact == 2 and res.n_treated_matched == 2


def test_replacement_reuses_controls():
    d = pd.DataFrame({"t": [1, 1, 1, 0, 0, 1, 0], "x": [1.0, 1.1, 1.2, 1.15, 5.0, 0.9, 0.2]})
    res = ns.propensity_match(d, "t", ["x"], replace=True, caliper=None)
    assert res.pairs["control"].value_counts().max() > 1
    assert len(res.matched) == 2 * res.n_treated_matched  # one row per patient per matched set
    assert res.matched["match_id"].nunique() == res.n_treated_matched


def test_missing_rows_excluded_and_counted(lalonde):
    d = lalonde.copy()
    d.loc[d.index[[0, 5, 300]], "educ"] = np.nan
    res = ns.propensity_match(d, "treat", LALONDE_COVS)
    assert res.n_excluded == 3
    assert res.propensity.isna().sum() == 3 and res.propensity.index.equals(d.index)
    assert d.index[0] not in set(res.pairs.treated)


def test_input_errors(lalonde):
    with pytest.raises(ns.AnalysisError, match="exactly two groups"):
        ns.propensity_match(lalonde, "race", ["age"])
    with pytest.raises(ns.AnalysisError, match="no column"):
        ns.propensity_match(lalonde, "treat", ["agee"])
    with pytest.raises(ns.AnalysisError, match="caliper"):
        ns.propensity_match(lalonde, "treat", ["age"], caliper=-1)
    with pytest.raises(ns.AnalysisError, match="ratio"):
        ns.propensity_match(lalonde, "treat", ["age"], ratio=1.5)
    with pytest.raises(ns.AnalysisError, match="caliper_scale"):
        ns.propensity_match(lalonde, "treat", ["age"], caliper_scale="probit")
    with pytest.raises(ns.AnalysisError, match="covariate"):
        ns.propensity_match(lalonde, "treat", [])


def test_data_not_mutated(lalonde):
    before = lalonde.copy()
    ns.propensity_match(lalonde, "treat", LALONDE_COVS)
    ns.iptw(lalonde, "treat", LALONDE_COVS)
    pd.testing.assert_frame_equal(lalonde, before)


# --- IPTW: weights by definition, balance conventions (cobalt: pooled SD for ATE, treated for ATT)


def test_iptw_weights_and_balance(lalonde):
    res = ns.iptw(lalonde, "treat", LALONDE_COVS, estimand="ATE", stabilize=False)
    p = res.propensity.to_numpy()
    t = lalonde.treat.to_numpy() == 1
    assert_estimate(res.weights.to_numpy(), np.where(t, 1 / p, 1 / (1 - p)), "ATE weights")
    st = ns.iptw(lalonde, "treat", LALONDE_COVS, estimand="ATE")
    assert_estimate(st.weights.to_numpy(), np.where(t, t.mean() / p, (1 - t.mean()) / (1 - p)), "stabilised")
    # weighted SMD of age over the pooled SD of the unweighted sample
    age, w = lalonde.age.to_numpy(), res.weights.to_numpy()
    pooled = np.sqrt((age[t].var(ddof=1) + age[~t].var(ddof=1)) / 2)
    smd = (np.average(age[t], weights=w[t]) - np.average(age[~t], weights=w[~t])) / pooled
    row = res.balance.set_index("term").loc["age"]
    assert row.smd_after == pytest.approx(smd, rel=1e-10)
    assert row.smd_before == pytest.approx((age[t].mean() - age[~t].mean()) / pooled, rel=1e-10)
    # binary: p(1-p) per group, no variance ratio
    m = lalonde.married.to_numpy()
    pooled_b = np.sqrt((m[t].mean() * (1 - m[t].mean()) + m[~t].mean() * (1 - m[~t].mean())) / 2)
    row = res.balance.set_index("term").loc["married"]
    assert row.smd_before == pytest.approx((m[t].mean() - m[~t].mean()) / pooled_b, rel=1e-10)
    assert np.isnan(row.variance_ratio_before)
    ess = res.effective_sample_size
    assert list(ess.columns) == ["group", "n", "sum_weights", "effective_sample_size"]
    assert ess["group"].tolist() == ["0", "1"]
    assert ess.effective_sample_size.iloc[1] == pytest.approx(w[t].sum() ** 2 / (w[t] ** 2).sum())
    # weighting improves balance on this classic example
    assert res.balance.smd_after.abs().max() < res.balance.smd_before.abs().max()


def test_iptw_att_and_trim(lalonde):
    res = ns.iptw(lalonde, "treat", LALONDE_COVS, estimand="ATT", stabilize=False)
    p = res.propensity.to_numpy()
    t = lalonde.treat.to_numpy() == 1
    assert_estimate(res.weights.to_numpy(), np.where(t, 1.0, p / (1 - p)), "ATT weights")
    tr = ns.iptw(lalonde, "treat", LALONDE_COVS, estimand="ATT", stabilize=False, trim=0.9)
    cap = np.quantile(res.weights.to_numpy()[~t], 0.9)
    assert tr.weights.max() == pytest.approx(max(cap, 1.0))
    assert tr.n_trimmed == int((res.weights.to_numpy()[~t] > cap).sum())
    assert tr.extreme.dtype == bool
    with pytest.raises(ns.AnalysisError, match="trim"):
        ns.iptw(lalonde, "treat", LALONDE_COVS, trim=99)


# --- outcomes after matching / weighting, against tests/r/propensity.R (survival 3.5) --------


@pytest.fixture(scope="module")
def rref():
    return load_reference("propensity")


@pytest.fixture(scope="module")
def lung(rref):
    return pd.DataFrame(rref["lung"]).set_index("row")


def test_glm_equals_r(lalonde, rref):
    """glm(treat ~ age + educ + race + married + nodegree + re74 + re75, family = binomial)."""
    ref = rref["glm_lalonde"]
    model = ns.propensity_model(lalonde, "treat", LALONDE_COVS)
    assert model.coefficients["term"].tolist()[3:5] == ["race: hispan", "race: white"]
    assert_estimate(model.coefficients["coef"], ref["coef"], "coef")
    assert_inference(model.coefficients["std_err"], ref["std_err"], "std_err")
    assert_inference(model.coefficients["p_value"], ref["p_value"], "p")
    np.testing.assert_allclose(model.propensity.to_numpy(), ref["fitted"], rtol=1e-8)
    np.testing.assert_allclose(model.coefficients["coef"], ref["coef"], rtol=1e-8)  # same IRLS as glm.fit
    assert model.deviance == pytest.approx(ref["deviance"], rel=1e-10)
    assert model.iterations == ref["iter"] and model.converged


def _pairs_equal(res, ref_pairs, what):
    ref = pd.DataFrame(ref_pairs)
    assert res.pairs["treated"].tolist() == ref["treated"].tolist(), what
    assert res.pairs["control"].tolist() == ref["control"].tolist(), what


LUNG_DESIGNS = {"1:1": dict(ratio=1), "2:1": dict(ratio=2), "1:1 with replacement": dict(ratio=1, replace=True)}


@pytest.mark.parametrize("design", list(LUNG_DESIGNS))
def test_lung_matches_equal_matchit(lung, rref, design):
    """matchit(I(sex == 2) ~ age + ph_ecog, data = lung_complete, distance = <whole-number logit
    distance>, caliper = 0.2, ratio = 1 | 2 | 1, replace = FALSE | FALSE | TRUE) (tests/r/propensity.R: the
    distance in exact arithmetic, so R's matches do not hinge on rounding): the same pairs, the
    same matched rows and MatchIt's weights."""
    res = ns.propensity_match(lung, "sex", ["age", "ph_ecog"], **LUNG_DESIGNS[design])
    _pairs_equal(res, rref["pairs"][design], design)
    ref = pd.DataFrame(rref["matches"]).query("design == @design")
    # the matched sets (MatchIt numbers its subclasses in another order), then row and weight
    sets = lambda rows, ids: sorted(tuple(sorted(g)) for _, g in pd.Series(rows).groupby(np.asarray(ids)))
    assert sets(res.matched.index.to_numpy(), res.matched["match_id"]) == sets(ref["row"].to_numpy(), ref["match_id"])
    got = pd.DataFrame({"row": res.matched.index.to_numpy(), "w": res.matched["match_weight"].to_numpy()})
    got = got.sort_values(["row", "w"], kind="stable")
    ref = ref.sort_values(["row", "match_weight"], kind="stable")
    assert got["row"].tolist() == ref["row"].tolist()
    assert_estimate(got["w"], ref["match_weight"], "match_weight")


def test_lung_glm_equals_r(lung, rref):
    glm = ns.propensity_model(lung, "sex", ["age", "ph_ecog"])
    assert_estimate(glm.propensity.dropna().to_numpy(), rref["glm_lung"]["fitted"], "lung glm")


@pytest.fixture(scope="module")
def colon(rref):
    return pd.DataFrame(rref["colon"]).set_index("row")


COLON_DESIGNS = {
    "1:1 caliper 0.2": dict(caliper=0.2),
    "1:1": dict(caliper=None),
    "2:1": dict(caliper=None, ratio=2),
    "1:1 caliper 0.2 with replacement": dict(caliper=0.2, replace=True),
}


@pytest.mark.parametrize("design", list(COLON_DESIGNS))
def test_colon_tie_heavy_matches_equal_matchit(colon, rref, design):
    """survival::colon (deaths; Lev+5FU vs observation), covariates age + nodes + sex, all
    integers: 372 patterns for 607 patients, and many controls equally far on both sides.
    matchit(lev5fu ~ age + nodes + sex, data = colon_deaths, distance = <whole-number logit
    distance>, caliper = 0.2 | NULL, ratio = 1 | 2 | 3, replace = FALSE | TRUE)."""
    res = ns.propensity_match(colon, "lev5fu", ["age", "nodes", "sex"], **COLON_DESIGNS[design])
    assert res.n_excluded == 12
    _pairs_equal(res, rref["colon_pairs"][design], design)


@pytest.mark.parametrize("data_name,design", [
    ("lung", dict(ratio=2, replace=True)), ("lung", dict(ratio=3, caliper=None, replace=True)),
    ("colon", dict(ratio=3, replace=True)), ("colon", dict(ratio=2, caliper=None, replace=True)),
    ("colon", dict(ratio=3, caliper=0.1)), ("lung", dict(ratio=2, caliper=0.05)),
])
def test_tie_heavy_matches_equal_literal_loop(lung, colon, rref, data_name, design):
    """Designs MatchIt 4.5.1 gets wrong (k:1 with replacement: it lets one control fill two slots)
    or that R was not run on: the literal transcription of MatchIt's loop (_matchit_loop) on the
    whole-number distances of tests/r/propensity.R, where every tie is exact."""
    data, treat_col, covs = ((lung, "sex", ["age", "ph_ecog"]) if data_name == "lung"
                             else (colon, "lev5fu", ["age", "nodes", "sex"]))
    ref = rref[f"{data_name}_distance"]
    d_int = np.asarray(ref["distance"], dtype=float)
    rows = np.asarray(ref["row"])
    treat = (data.loc[rows, treat_col] == data[treat_col].max()).to_numpy()
    caliper = design.get("caliper", 0.2)
    width = None if caliper is None else caliper * ref["caliper_width"] / 0.2
    expected = _matchit_loop(d_int, treat, design["ratio"], width, design.get("replace", False))
    res = ns.propensity_match(data, treat_col, covs, **design)
    got = list(zip(res.pairs["treated"], res.pairs["control"]))
    assert got == [(rows[t], rows[c]) for t, c in expected]


def test_colon_matched_cox(colon, rref):
    """coxph(Surv(time, status) ~ lev5fu, data = match.data(m), weights = weights, cluster = subclass)
    after matchit(..., caliper = 0.2) on the whole-number logit distance."""
    res = ns.propensity_match(colon, "lev5fu", ["age", "nodes", "sex"])
    out = ns.matched_survival(res, "time", "status")
    _check_cox(out, rref["cox_colon_matched"], "colon matched")
    glm = ns.propensity_model(colon, "lev5fu", ["age", "nodes", "sex"])
    assert_estimate(glm.propensity.dropna().to_numpy(), rref["glm_colon"]["fitted"], "colon glm")


def _check_cox(res, ref, what):
    assert res.n == ref["n"] and res.events == ref["events"], what
    assert_estimate(res.hazard_ratio, ref["hazard_ratio"], what + " HR")
    assert_estimate(res.cox.table["coef"].iloc[0], ref["coef"], what + " coef")
    assert_inference(res.cox.table["std_err"].iloc[0], ref["std_err"], what + " robust SE")
    assert_inference([res.ci_lower, res.ci_upper], [ref["ci_lower"], ref["ci_upper"]], what + " CI")
    assert_inference(res.p_value, ref["p_value"], what + " p")


def _check_km(km, ref, what):
    at = km.at([180, 365, 540])
    assert at["group"].tolist() == [s.replace("sex=", "") for s in ref["strata"]]
    assert_estimate(at["survival"], ref["surv"], what + " S")
    assert_inference(at["std_err"], ref["std_err"], what + " SE")
    assert_inference(at["ci_lower"], ref["lower"], what + " lower")
    assert_inference(at["ci_upper"], ref["upper"], what + " upper")


@pytest.mark.parametrize("ratio", [1, 2])
def test_matched_cox_clustered_and_km(lung, rref, ratio):
    """coxph(Surv(time, status) ~ I(sex == 2), data = matched, weights = match_weight,
    cluster = match_id); summary(survfit(Surv(time, status) ~ sex, data = matched,
    weights = match_weight), times = c(180, 365, 540))."""
    res = ns.propensity_match(lung, "sex", ["age", "ph_ecog"], ratio=ratio)
    out = ns.matched_survival(res, "time", "status")
    _check_cox(out, rref[f"cox_matched_{ratio}_1"], f"matched {ratio}:1")
    _check_km(out.km, rref[f"km_matched_{ratio}_1"], f"matched KM {ratio}:1")


def test_weighted_cox_robust_and_km(lung, rref):
    """coxph(Surv(time, status) ~ I(sex == 2), weights = w, robust = TRUE) and
    survfit(Surv(time, status) ~ sex, weights = w) with stabilised ATE weights
    w = P(sex)/P(sex | age, ph.ecog) from glm."""
    w = ns.iptw(lung, "sex", ["age", "ph_ecog"])
    assert_estimate(w.weights.dropna().to_numpy(), rref["iptw_weights"], "iptw weights")
    out = ns.weighted_survival(lung, w, "time", "status")
    _check_cox(out, rref["cox_weighted"], "weighted")
    _check_km(out.km, rref["km_weighted"], "weighted KM")


def test_compare_survival_table(lung, rref):
    """Crude coxph(Surv(time, status) ~ I(sex == 2)) on the complete cases, matched, weighted."""
    m = ns.propensity_match(lung, "sex", ["age", "ph_ecog"])
    w = ns.iptw(lung, "sex", ["age", "ph_ecog"])
    comp = ns.compare_survival(lung, "time", "status", matched=m, weighted=w)
    t = comp.table
    assert list(t.columns) == ["analysis", "n", "events", "hazard_ratio", "ci_lower", "ci_upper", "p_value"]
    assert t["analysis"].tolist() == ["crude", "matched", "weighted"]
    for name, key in (("crude", "cox_crude"), ("matched", "cox_matched_1_1"), ("weighted", "cox_weighted")):
        row = t.set_index("analysis").loc[name]
        ref = rref[key]
        assert row.n == ref["n"] and row.events == ref["events"]
        assert_estimate(row.hazard_ratio, ref["hazard_ratio"], name)
        assert_inference([row.ci_lower, row.ci_upper, row.p_value],
                         [ref["ci_lower"], ref["ci_upper"], ref["p_value"]], name)
    assert comp.crude.n_excluded == 1  # ph.ecog missing once


def test_paired_binary_mcnemar(lung, rref):
    """mcnemar.test(table(treated, control)); binom.test(b, b + c) for death within 365 days."""
    ref = rref["mcnemar"]
    d = lung.assign(dead1y=(lung.status == 1) & (lung.time <= 365))
    res = ns.propensity_match(d, "sex", ["age", "ph_ecog"])
    out = ns.paired_binary(res, "dead1y")
    assert (out.both, out.treated_only, out.control_only, out.neither) == (ref["a"], ref["b"], ref["c"], ref["d"])
    assert_estimate(out.statistic, ref["statistic"], "McNemar statistic")
    assert out.df == ref["df"]
    assert_inference(out.p_value, ref["p_value"], "McNemar p")
    assert_inference(out.exact_p_value, ref["exact_p_value"], "exact p")
    assert_estimate(out.odds_ratio, ref["odds_ratio"], "conditional OR")
    assert_inference([out.ci_lower, out.ci_upper], [ref["ci_lower"], ref["ci_upper"]], "OR CI")
    with pytest.raises(ns.AnalysisError, match="1:1"):
        ns.paired_binary(ns.propensity_match(d, "sex", ["age", "ph_ecog"], ratio=2), "dead1y")


def test_warnings_in_words():
    rng = np.random.default_rng(5)
    n = 60
    d = pd.DataFrame({"t": rng.random(n) < 0.3, "age": rng.normal(60, 10, n)})
    d["x"] = np.where(d.t, rng.normal(3, 1, n), rng.normal(0, 1, n))  # strong confounder
    res = ns.propensity_match(d, "t", ["age", "x"])
    text = " ".join(res.warnings)
    assert "could not be matched" in text
    few = ns.propensity_match(d.iloc[:20], "t", ["age", "x"])
    assert any("too few" in w for w in few.warnings)
    assert any("overlap" in w.lower() for w in ns.iptw(d, "t", ["age", "x"]).warnings)



def test_residual_imbalance_warning(lalonde):
    # MatchIt's 1:1 match without caliper leaves race: black at SMD 1.03 (reference json)
    res = ns.propensity_match(lalonde, "treat", LALONDE_COVS, caliper=None, caliper_scale="propensity")
    text = " ".join(res.warnings)
    assert "Residual imbalance after matching" in text and "Race: black (+1.03)" in text
    assert "distance (" not in text  # the distance itself is not a covariate


def test_balance_figures(lalonde):
    from nelm_stats.figures.balance import love_plot, overlap_plot

    m = ns.propensity_match(lalonde, "treat", LALONDE_COVS)
    fig = love_plot(m)
    assert [t.name for t in fig.data] == ["Before", "After matching"]
    assert len(fig.data[0].y) == len(m.balance)
    assert np.allclose(sorted(fig.data[1].x), sorted(m.balance.smd_after.abs()))
    assert any(s.x0 == 0.1 for s in fig.layout.shapes)  # the threshold line
    ov = overlap_plot(m)
    assert len(ov.data) == 4  # treated/control x matched/unmatched
    treated_pct = sum(np.asarray(t.y) for t in ov.data[:2])
    assert treated_pct.sum() == pytest.approx(100.0)
    w = ns.iptw(lalonde, "treat", LALONDE_COVS)
    assert [t.name for t in love_plot(w).data] == ["Before", "After weighting"]
    assert len(overlap_plot(w).data) == 2


def test_choose_the_treated_group(lalonde):
    d = lalonde.assign(arm=np.where(lalonde.treat == 1, "NSW", "PSID"))  # sorted: NSW first
    default = ns.propensity_match(d, "arm", LALONDE_COVS)
    assert default.treated_label == "PSID"
    res = ns.propensity_match(d, "arm", LALONDE_COVS, treated="NSW", caliper=0.2, caliper_scale="logit")
    ref = ns.propensity_match(lalonde, "treat", LALONDE_COVS)
    assert res.treated_label == "NSW" and res.control_label == "PSID"
    assert res.pairs.equals(ref.pairs)
    w = ns.iptw(d, "arm", LALONDE_COVS, treated="NSW")
    assert_estimate(w.weights, ns.iptw(lalonde, "treat", LALONDE_COVS).weights, "weights")
    with pytest.raises(ns.AnalysisError, match="treated group"):
        ns.iptw(d, "arm", LALONDE_COVS, treated="CPS")


def test_smd_when_constant_among_treated():
    d = pd.DataFrame({"t": [1, 1, 1, 0, 0, 0, 0, 0], "x": [1.0, 2, 3, 1.5, 2.5, 0.5, 3.5, 2.2],
                      "g3": [0, 0, 0, 1, 0, 1, 0, 0]})
    bal = ns.propensity_match(d, "t", ["x", "g3"], caliper=None).balance.set_index("term")
    p0 = 2 / 5
    assert bal.loc["g3", "smd_before"] == pytest.approx((0 - p0) / np.sqrt((0 + p0 * (1 - p0)) / 2))


def test_time_unit_and_medians(lung):
    m = ns.propensity_match(lung, "sex", ["age", "ph_ecog"])
    months = ns.compare_survival(lung, "time", "status", matched=m)
    years = ns.compare_survival(lung, "time", "status", matched=m, time_unit="years")
    assert list(years.medians.columns) == ["analysis", "group", "n", "events", "median", "ci_lower", "ci_upper"]
    np.testing.assert_allclose(years.medians["median"], months.medians["median"] / 12)
    pd.testing.assert_frame_equal(years.table, months.table)  # the hazard ratio does not depend on the unit
    assert years.matched.km.medians["median"].tolist() == years.medians.query("analysis == 'matched'")["median"].tolist()
    with pytest.raises(ns.AnalysisError, match="time_unit"):
        ns.compare_survival(lung, "time", "status", matched=m, time_unit="days")


def test_matched_with_replacement_clusters_on_patient(lung, rref):
    """coxph(Surv(time, status) ~ I(sex == 2), data = matched_rows, weights = match_weight,
    cluster = patient): one row per patient per matched set (MatchIt's get_matches)."""
    res = ns.propensity_match(lung, "sex", ["age", "ph_ecog"], replace=True)
    assert res.pairs["control"].duplicated().any()  # controls serve several treated patients
    out = ns.matched_survival(res, "time", "status")
    assert "patient" in out.variance
    _check_cox(out, rref["cox_matched_replace"], "matched with replacement")


def test_conf_level_reaches_the_matched_cox_and_km(colon, rref):
    """matched_survival(conf_level=0.90): the hazard ratio's interval is coxph's at conf.int = 0.90 on the
    matched data (cox_regression's 0.90 is checked against summary(fit, conf.int = 0.90) in test_cox),
    the KM intervals kaplan_meier's at 0.90."""
    m = ns.propensity_match(colon, "lev5fu", ["age", "nodes", "sex"])
    r95 = ns.matched_survival(m, "time", "status")
    r90 = ns.matched_survival(m, "time", "status", conf_level=0.90)
    assert r90.hazard_ratio == r95.hazard_ratio and r90.p_value == r95.p_value
    z90, z95 = 1.6448536269514722, 1.959963984540054
    lo95, lo90 = np.log(r95.ci_lower), np.log(r90.ci_lower)
    b = np.log(r95.hazard_ratio)
    assert (b - lo90) / (b - lo95) == pytest.approx(z90 / z95, rel=1e-9)
    km90 = r90.km.at([365])
    assert km90["ci_upper"].iloc[0] < r95.km.at([365])["ci_upper"].iloc[0]
    comp = ns.compare_survival(colon, "time", "status", matched=m, conf_level=0.90)
    assert comp.table.set_index("analysis").loc["matched", "ci_lower"] == pytest.approx(r90.ci_lower)


def test_one_model_fit_serves_matching_weighting_and_the_crude_analysis(monkeypatch):
    """The same model (same patients, covariates, treated group and values) is fitted once and
    shared; any change in the data fits it again; each result gets its own copy of the tables."""
    from nelm_stats.estimators import propensity as P

    data = ns.load_sample("jp_multicenter")
    treatment = ns.treatment_columns(data)[0]
    covariates = ns.default_covariates(ns.covariate_columns(data, exclude=[treatment]))
    P._MODELS.clear()
    cold_match = ns.propensity_match(data, treatment, covariates)
    fits = []
    real = P._fit_model_now
    monkeypatch.setattr(P, "_fit_model_now", lambda *a: fits.append(1) or real(*a))
    match = ns.propensity_match(data, treatment, covariates, caliper=0.1)
    weight = ns.iptw(data, treatment, covariates)
    model = ns.propensity_model(data, treatment, covariates)
    assert fits == []
    pd.testing.assert_series_equal(model.propensity, cold_match.propensity)
    pd.testing.assert_series_equal(weight.propensity, cold_match.propensity)
    assert match.propensity is not model.propensity and weight.propensity is not model.propensity
    # another value in one covariate, another treated group, a row fewer: fitted again
    changed = data.copy()
    changed.loc[changed.index[0], "age"] = changed["age"].iloc[0] + 1
    ns.propensity_model(changed, treatment, covariates)
    ns.propensity_model(data, treatment, covariates, treated=ns.treatment_levels(data, treatment)[0])
    ns.propensity_model(data.iloc[1:], treatment, covariates)
    assert len(fits) == 3


@pytest.mark.parametrize("seed", range(3))
def test_distinct_covariate_patterns_as_numpy_unique(seed, monkeypatch):
    """The propensity scores are computed once per distinct covariate pattern (the same score for
    the same covariates, bit for bit); the patterns are found by hashing rows instead of sorting
    them, and must be exactly np.unique(X, axis=0, return_inverse=True): the same sorted rows
    (-0.0 and 0.0 one value), the same positions; a hash shared by two different rows falls back
    to np.unique."""
    rng = np.random.default_rng(seed)
    for k in range(120):
        n, p = int(rng.integers(1, 2000)), int(rng.integers(1, 9))
        X = rng.choice([0.0, -0.0, 1.0, 2.5, 1e-300, np.inf, -np.inf, 3.0, 7.25, 40.0], size=(n, p))
        if k % 3 == 0:
            X[:, 0] = 1.0
        if k % 5 == 0:
            X = rng.normal(size=(n, p)).round(int(rng.integers(0, 3)))
        rows, positions = np.unique(X, axis=0, return_inverse=True)
        found, where = P._distinct_rows(X)
        assert np.array_equal(found, rows) and np.array_equal(where, positions.ravel())
    X = rng.choice([0.0, 1.0, 2.0], size=(500, 4))
    rows, positions = np.unique(X, axis=0, return_inverse=True)
    monkeypatch.setattr(P.pd, "factorize", lambda key: (np.zeros(len(key), dtype=np.intp), key[:1]))  # all collide
    found, where = P._distinct_rows(X)
    assert np.array_equal(found, rows) and np.array_equal(where, positions.ravel())
