"""Randomised differential tests: 30 small, awkward series against R
(tests/r/random_cases.R, set.seed(20261121) -> tests/reference/random_cases.json).

Each case holds its data (n 8..120; integer months with heavy ties, events and censorings at
time 0, censorings at event times, a group with no event, a group of one patient, everybody
censored after a time, unequal groups, a 3-level grade, missing values, non-integer weights)
and R's output with the R call that made it (shown in every failure message), e.g.

    survfit(Surv(time, status) ~ grp, data = d, conf.type = "log")      # also log-log, plain,
    summary(fit, censored = TRUE); summary(fit)$table                    # and weights = w
    summary(fit, times = c(0, 3, 6, 12, 24, 36, 60, 120), extend = TRUE)
    survdiff(Surv(time, status) ~ grp [+ strata(strat)], data = d, rho = 0 / 1)
    coxph(Surv(time, status) ~ x + factor(grade), data = d [, cluster = clus]
          [, weights = w, robust = TRUE]); cox.zph(fit)
    cuminc(d$time, d$etype, group = d$grp)
    fisher.test(tab[2:1, ]); binom.test(tab[i, 1], sum(tab[i, ]))
    roc(truth, score); ci.auc(r, method = "delong"); coords(r, "all")

Where R errors, warns that a coefficient may be infinite, or returns no usable number (no
event: NA coefficients, NA p-value; survdiff with df 0; cmprsk's Gray statistic -1 for a
singular variance; cox.zph's "computationally singular"), nelm_stats must raise an
AnalysisError, carry a warning or give NaN — never a plain number.  Tolerances are those of
tests/refcheck.py.

Besides the 30 cases of the fixed seed, ten regression cases (ids "seed<seed>_case<i>") come
from running the script on more data sets (e.g. `Rscript tests/r/random_cases.R 400 777
random_cases_many`, then this file pointed at that JSON; see the list in the R script): a
single case in the ROC (pROC's CI is NaN; nelm_stats gave a zero-width CI), a singular cox.zph
matrix and a singular survdiff variance (nelm_stats gave round-off numbers), and Gray's test
with a group never at risk (round-off variance 2e-32 instead of 0) were bugs fixed in
nelm_stats; one fisher.test odds ratio is a known difference (xfail, see _FISHER_KNOWN); the
others pin how R's degenerate results are met.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from tests.refcheck import _arr, assert_estimate, assert_inference, load_reference

REF = load_reference("random_cases")
CASES = {c["id"]: c for c in REF["cases"]}


def _list(x):
    if x is None:
        return []
    return [x] if isinstance(x, (str, int, float)) else list(x)


def frame(case) -> pd.DataFrame:
    """The case's data as R had it: NA -> missing; grade an ordered G1 < G2 < G3."""
    d = case["data"]

    def num(key, dtype=float):
        return pd.Series([np.nan if v is None else v for v in d[key]], dtype=dtype)

    return pd.DataFrame({
        "time": num("time"),
        "status": num("status").astype("Int64"),
        "grp": pd.array(d["grp"], dtype="str"),
        "grade": pd.Categorical(d["grade"], categories=["G1", "G2", "G3"], ordered=True),
        "x": num("x"),
        "clus": num("clus").astype("Int64"),
        "w": num("w"),
        "etype": num("etype").astype("Int64"),
        "strat": pd.array(d["strat"], dtype="str"),
        "g2": pd.array(d["g2"], dtype="str"),
        "resp": pd.array(d["resp"], dtype="boolean"),
        "score": num("score"),
        "truth": pd.array(d["truth"], dtype="boolean"),
    })


def _ids(kind):
    out = []
    for cid, case in CASES.items():
        for j in range(len(_list(case[kind]) if kind != "single" else [0])):
            out.append((cid, j))
    return out


def _what(case, call):
    return f"{case['id']} (n = {case['n']}, shapes: {', '.join(_list(case['shapes']))}): {call}"


# --------------------------------------------------------------------------------------
# Kaplan-Meier: curve, medians, summary at times


@pytest.mark.parametrize("cid,j", _ids("km"))
def test_survfit(cid, j):
    case = CASES[cid]
    ref = case["km"][j]
    what = _what(case, ref["call"])
    data = frame(case)
    if ref["error"]:
        with pytest.raises(ns.AnalysisError):
            ns.kaplan_meier(data, "time", "status", "grp", weights="w" if ref["weighted"] else None,
                            conf_type=ref["conf_type"])
        return
    fit = ns.kaplan_meier(data, "time", "status", "grp", weights="w" if ref["weighted"] else None,
                          conf_type=ref["conf_type"])
    c = ref["curve"]
    assert fit.curve["group"].tolist() == _list(c["group"]), what
    for col in ("time", "n_risk", "n_event", "n_censor", "survival"):
        assert_estimate(fit.curve[col], c[col], f"{col}: {what}; summary(fit, censored = TRUE)")
    for col in ("std_err", "ci_lower", "ci_upper"):
        assert_inference(fit.curve[col], c[col], f"{col}: {what}; summary(fit, censored = TRUE)")
    m = ref["medians"]
    w = f"{what}; summary(fit)$table"
    assert fit.medians["group"].tolist() == _list(m["group"]), w
    if not ref["weighted"]:  # weighted: R's records is the row count, n ours too; events weighted
        assert_estimate(fit.medians["n"], m["records"], f"n: {w}")
    assert_estimate(fit.medians["events"], m["events"], f"events: {w}")
    assert_estimate(fit.medians["median"], m["median"], f"median: {w}")
    assert_inference(fit.medians["ci_lower"], m["ci_lower"], f"ci_lower: {w}")
    assert_inference(fit.medians["ci_upper"], m["ci_upper"], f"ci_upper: {w}")
    a = ref["at"]
    w = f"{what}; {ref['summary_call']}"
    at = fit.at(ref["at_times"])
    assert at["group"].tolist() == _list(a["group"]), w
    for col in ("time", "n_risk", "n_event", "survival"):
        assert_estimate(at[col], a[col], f"{col}: {w}")
    for col in ("std_err", "ci_lower", "ci_upper"):
        assert_inference(at[col], a[col], f"{col}: {w}")


# --------------------------------------------------------------------------------------
# survdiff


@pytest.mark.parametrize("cid,j", _ids("survdiff"))
def test_survdiff(cid, j):
    case = CASES[cid]
    ref = case["survdiff"][j]
    what = _what(case, ref["call"])
    data = frame(case)
    kw = dict(strata="strat" if ref["strata"] else None, rho=ref["rho"])
    if ref["error"] or ref["p_value"] is None or ref["df"] < 1:
        # R: no usable test: no event among the patients analysed (chisq 0, p NA), or events
        # only where a single group is at risk (df 0, chisq 0, "p" 1)
        try:
            res = ns.logrank_test(data, "time", "status", "grp", **kw)
        except ns.AnalysisError:
            return
        assert np.isnan(res.p_value), f"R gives no p-value here; nelm_stats gave {res.p_value}: {what}"
        return
    res = ns.logrank_test(data, "time", "status", "grp", **kw)
    t = res.table
    assert t["group"].tolist() == _list(ref["group"]), what
    assert_estimate(t["n"], ref["n"], f"n: {what}")
    assert_estimate(t["observed"], ref["observed"], f"observed: {what}")
    assert_estimate(t["expected"], ref["expected"], f"expected: {what}")
    assert_estimate(res.statistic, ref["statistic"], f"chisq: {what}")
    assert res.df == ref["df"], what
    assert_inference(res.p_value, ref["p_value"], f"p: {what}")


# --------------------------------------------------------------------------------------
# coxph and cox.zph


def _cox(case, ref):
    kind = ref["kind"]
    return ns.cox_regression(
        frame(case), "time", "status", ["x", "grade"],
        cluster="clus" if kind == "cluster" else None,
        weights="w" if kind == "weights" else None, robust=kind == "weights")


def _r_unusable(ref) -> bool:
    """R errors, warns (e.g. 'coefficient may be infinite'), or gives NA coefficients."""
    return bool(ref["error"]) or bool(_list(ref["warnings"])) or \
        any(v is None for v in _list(ref.get("coef")))


@pytest.mark.parametrize("cid,j", _ids("cox"))
def test_coxph(cid, j):
    case = CASES[cid]
    ref = case["cox"][j]
    what = _what(case, ref["call"])
    if _r_unusable(ref):
        r_says = ref["error"] or "; ".join(_list(ref["warnings"])) or "NA coefficients"
        try:
            fit = _cox(case, ref)
        except ns.AnalysisError:
            return
        assert fit.warnings, f"R: {r_says!r}, but nelm_stats gave numbers without a warning: {what}"
        return
    fit = _cox(case, ref)
    t = fit.table
    assert len(t) == len(_list(ref["coef"])), what
    assert [f"{a}{'' if not b else b}" for a, b in zip(t["term"], t["level"])] == \
        [n.replace("factor(grade)", "grade") for n in _list(ref["names"])], what
    assert_estimate(t["coef"], ref["coef"], f"coef: {what}")
    assert_estimate(t["hazard_ratio"], ref["hr"], f"HR: {what}")
    assert_inference(t["std_err"], ref["se"], f"se: {what}")
    assert_inference(t["ci_lower"], ref["ci_lower"], f"ci_lower: {what}")
    assert_inference(t["ci_upper"], ref["ci_upper"], f"ci_upper: {what}")
    assert_inference(t["p_value"], ref["p"], f"p: {what}")
    assert (fit.n, fit.events, fit.n_excluded) == (ref["n"], ref["nevent"], ref["n_excluded"]), what
    assert_estimate([fit.loglik_null, fit.loglik], ref["loglik"], f"loglik: {what}")
    assert_inference(fit.lr_statistic, ref["lr"], f"LR: {what}")
    assert_estimate(fit.concordance, ref["concordance"], f"concordance: {what}")


@pytest.mark.parametrize("cid,j", [(c, j) for c, j in _ids("cox") if not _r_unusable(CASES[c]["cox"][j])])
def test_cox_zph(cid, j):
    """cox.zph on every fit R could make (the others: test_coxph checks nelm_stats refuses them)."""
    case = CASES[cid]
    ref = case["cox"][j]
    what = _what(case, ref["call"] + "; cox.zph(fit)")
    fit = _cox(case, ref)
    if ref.get("zph_error"):
        try:
            z = ns.proportional_hazards_test(fit)
        except ns.AnalysisError:
            return
        # R's solve() found the information matrix singular.  The GLOBAL matrix holds every
        # term's, so it is singular too: nelm_stats must not give a GLOBAL number.
        glob = z[z["term"] == "GLOBAL"]
        assert glob["statistic"].isna().all() and glob["p_value"].isna().all(), \
            f"R: {ref.get('zph_error')!r}; nelm_stats gave numbers: {what}"
        return
    z = ns.proportional_hazards_test(fit)
    r = ref["zph"]
    assert z["term"].iloc[-1] == "GLOBAL" and len(z) == len(_list(r["term"])), what
    assert_inference(z["statistic"], r["chisq"], f"chisq: {what}")
    assert_inference(z["p_value"], r["p"], f"p: {what}")
    assert list(z["df"]) == [int(v) for v in _list(r["df"])], what


# --------------------------------------------------------------------------------------
# cmprsk::cuminc and Gray's test


def _r_curve(cv):
    """cuminc's plotting vectors as one row per distinct time (the value after the jump)."""
    r = pd.DataFrame({k: _arr(cv[k]) for k in ("time", "est", "var", "lower", "upper")})
    return r.drop_duplicates("time", keep="last").reset_index(drop=True)


@pytest.mark.parametrize("cause", [1, 2])
@pytest.mark.parametrize("cid", list(CASES))
def test_cuminc(cid, cause):
    case = CASES[cid]
    ref = case["cuminc"]
    what = _what(case, ref["call"])
    data = frame(case)
    if ref["error"]:
        with pytest.raises(ns.AnalysisError):
            ns.cumulative_incidence(data, "time", "etype", "grp", cause=cause)
        return
    curves = {k: v for k, v in ref["curves"].items() if k.endswith(f" {cause}")}
    if not curves:
        # R: no patient analysed had this cause, cuminc makes no curve and no test for it
        with pytest.raises(ns.InsufficientDataError):
            ns.cumulative_incidence(data, "time", "etype", "grp", cause=cause)
        return
    if len(curves) == 1:
        # one group among the complete rows: cuminc draws its curve (no test); nelm_stats
        # refuses a grouped analysis with a single group (Gray's test needs two)
        with pytest.raises(ns.InsufficientDataError, match="only one group"):
            ns.cumulative_incidence(data, "time", "etype", "grp", cause=cause)
        return
    res = ns.cumulative_incidence(data, "time", "etype", "grp", cause=cause)
    labels = list(res.table["group"])
    assert [f"{g} {cause}" for g in labels] == list(curves), what
    for label in labels:
        r = _r_curve(curves[f"{label} {cause}"])
        mine = res.curve[res.curve["group"] == label]
        w = f"{what}, curve '{label} {cause}'"
        assert len(mine) == len(r), w
        assert_estimate(mine["time"], r["time"], f"time: {w}")
        assert_estimate(mine["estimate"], r["est"], f"est: {w}")
        assert_inference(mine["variance"], r["var"], f"var: {w}")
        # The log(-log) CI jumps at F = 1: F ^ exp(+-k) tends to (0, 1) as F -> 1, and is
        # undefined (NA) at F = 1 with var > 0.  Where R's estimate is 1 up to round-off, a 1-ulp
        # difference in the estimate (0.9999999999999999 vs 1) decides between the two; there
        # nelm_stats must give one of them, consistent with its own estimate.  Elsewhere full check.
        edge = ((r["est"] > 1 - 1e-12) & (r["var"] > 0)).to_numpy()
        assert_inference(mine["ci_lower"].to_numpy()[~edge], r["lower"][~edge], f"lower: {w}")
        assert_inference(mine["ci_upper"].to_numpy()[~edge], r["upper"][~edge], f"upper: {w}")
        for _, row in mine[edge].iterrows():
            lo, hi, est = row["ci_lower"], row["ci_upper"], row["estimate"]
            assert (np.isnan(lo) and np.isnan(hi)) if est >= 1 else (lo == 0.0 and hi == 1.0), \
                f"CI at F = {est!r}: ({lo}, {hi}): {w}"
    tests = ref.get("tests")
    if tests:
        i = _list(tests["cause"]).index(str(cause))
        g = res.gray_test
        w = f"{what}; $Tests['{cause}', ]"
        assert g.df == _list(tests["df"])[i], w
        if _list(tests["stat"])[i] == -1:
            # cmprsk's sign that the test's variance matrix is singular (it then prints
            # pv = 1 - pchisq(-1, df) = 1, not a test): nelm_stats gives NaN
            assert np.isnan(g.statistic) and np.isnan(g.p_value), f"no test in R: {w}"
            return
        assert_inference(g.statistic, _list(tests["stat"])[i], f"stat: {w}")
        assert_inference(g.p_value, _list(tests["pv"])[i], f"pv: {w}")


# --------------------------------------------------------------------------------------
# fisher.test / binom.test on a 2x2 table


# Known, not fixed: fisher.test's conditional MLE is uniroot's answer (tol eps^0.25 = 1.2e-4),
# so which point in that band R prints depends on its function values to the last bit; _htests
# follows uniroot step by step, but its log dhyper (scipy) and sums (numpy, not R's long-double
# sum()) differ by an ulp, here enough for Brent to take another path: OR 0.2033186 vs R's
# 0.2033268 (exact root 0.2033192).  strict: passes once _htests reproduces R's arithmetic.
_FISHER_KNOWN = {"seed31337_case198"}


@pytest.mark.parametrize("cid", [
    pytest.param(c, marks=pytest.mark.xfail(strict=True, reason="uniroot path differs from R's (ulp)"))
    if c in _FISHER_KNOWN else c for c in CASES])
def test_fisher_binom(cid):
    case = CASES[cid]
    ref = case["fisher"]
    what = _what(case, ref["call"])
    res = ns.compare_rates(frame(case), "resp", "g2", test="fisher", ci_method="exact")
    tab = np.array(ref["table"])
    present = tab.sum(axis=1) > 0
    assert list(res.table["group"]) == [g for g, ok in zip(["no", "yes"], present) if ok], what
    assert list(res.table["events"]) == list(tab[present, 0]), what
    assert list(res.table["n"]) == list(tab[present].sum(axis=1)), what
    for i, ci in enumerate(c for c, ok in zip(ref["binom"], present) if ok):
        assert_inference(res.table[["ci_lower", "ci_upper"]].iloc[i], ci, f"binom.test row {i}: {what}")
    if (tab.sum(axis=0) == 0).any() or not present.all():
        # one group, or nobody / everybody with the outcome: fisher.test still prints p = 1
        # (the only possible table), but there is nothing to compare -> no test
        assert np.isnan(res.p_value) and res.test.startswith("no test"), what
        return
    assert_inference(res.p_value, ref["p_value"], f"p: {what}")
    assert_estimate(res.odds_ratio, ref["odds_ratio"], f"OR: {what}")
    assert_inference([res.or_ci_lower, res.or_ci_upper], ref["or_ci"], f"OR CI: {what}")


# --------------------------------------------------------------------------------------
# pROC with a tied 1..5 score


@pytest.mark.parametrize("cid", list(CASES))
def test_roc_delong(cid):
    case = CASES[cid]
    ref = case["roc"]
    what = _what(case, ref["call"])
    if ref["error"]:  # e.g. "No case observation." once missing values are left out
        with pytest.raises(ns.InsufficientDataError):
            ns.roc_analysis(frame(case), "score", "truth")
        return
    res = ns.roc_analysis(frame(case), "score", "truth")
    assert res.direction == ref["direction"], what
    assert_estimate(res.auc, ref["auc"], f"auc: {what}")
    assert_inference([res.ci_lower, res.ci_upper], ref["ci"], f"ci.auc delong: {what}")
    assert_estimate(res.curve["threshold"], ref["threshold"], f"threshold: {what}")
    assert_estimate(res.curve["sensitivity"], ref["sensitivity"], f"sensitivity: {what}")
    assert_estimate(res.curve["specificity"], ref["specificity"], f"specificity: {what}")


def test_cases_cover_the_awkward_shapes():
    """The generator produced every shape it is meant to, and R warned on some coxph fits."""
    shapes = set()
    for case in CASES.values():
        shapes.update(_list(case["shapes"]))
    assert {"heavy_ties", "time_zero", "censor_at_event_times", "group_no_events", "group_of_one",
            "censored_after", "unequal_groups", "missing", "strata"} <= shapes
    assert min(c["n"] for c in CASES.values()) >= 8 and max(c["n"] for c in CASES.values()) <= 120
    assert any(_r_unusable(m) for c in CASES.values() for m in c["cox"])
    assert sum(cid.startswith("seed") for cid in CASES) == 10  # the regression cases
    assert any(c["cox"][0].get("zph_error") and not _r_unusable(c["cox"][0]) for c in CASES.values())
    assert any(c["roc"]["ci"] == [None, None] for c in CASES.values())
