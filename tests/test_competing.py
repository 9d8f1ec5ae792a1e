"""cumulative_incidence against R's cmprsk::cuminc / timepoints (tests/r/survival_tests.R).

Data: survival::mgus2 as in the survival vignette —
  etime <- ifelse(pstat == 0, futime, ptime); event <- ifelse(pstat == 0, 2 * death, 1)
(1 = plasma-cell malignancy, 2 = death without it, 0 = censored), exported to the JSON.
The CI (cmprsk prints none) is the log(-log) interval computed in R from cuminc's est and var:
  est ^ exp(+-qnorm(0.975) * sqrt(var) / (est * log(est))).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from refcheck import assert_estimate, assert_inference, load_reference

REF = load_reference("survival_tests")
CURVE_COLUMNS = ["group", "time", "estimate", "variance", "ci_lower", "ci_upper"]


def _mgus2():
    return pd.DataFrame(REF["data"]["mgus2"])


def _data_for(key):
    """mgus2, or the synthetic heavily tied data (set.seed(20240607)) for the "ties" cases."""
    if key.startswith("ties"):
        return pd.DataFrame(REF["data"]["ties"]).rename(columns={"t": "etime", "ev": "event"})
    return _mgus2()


def _na(x):
    return np.array([[np.nan if v is None else v for v in row] for row in x], dtype=float)


def _r_curve(cv):
    """cuminc's plotting vectors (0, t1, t1, t2, t2, ..., last) as one row per distinct time,
    keeping the value after the jump."""
    r = pd.DataFrame({"time": cv["time"], "est": cv["est"], "var": cv["var"],
                      "lower": cv["lower"], "upper": cv["upper"]})
    return r.drop_duplicates("time", keep="last").reset_index(drop=True)


# (reference key, group column, R call)
CASES = [
    ("mgus2_sex", "sex", "cuminc(mg$etime, mg$event, group = mg$sex)"),
    ("mgus2_all", None, "cuminc(mg$etime, mg$event)"),
    ("mgus2_agegrp", "agegrp", "cuminc(mg$etime, mg$event, group = mg$agegrp)"),
    ("ties", "g", "cuminc(syn$t, syn$ev, group = syn$g)"),
]


def _curve_name(label, cause):
    return f"{'1' if label == 'all' else label} {cause}"


@pytest.mark.parametrize("cause", [1, 2])
@pytest.mark.parametrize("key,group,call", CASES, ids=[c[0] for c in CASES])
def test_curve_matches_cuminc(key, group, call, cause):
    ref = REF["cuminc"][key]
    data = _data_for(key)
    before = data.copy()
    res = ns.cumulative_incidence(data, "etime", "event", group, cause=cause)
    pd.testing.assert_frame_equal(data, before)
    assert list(res.curve.columns) == CURVE_COLUMNS
    labels = list(res.table["group"])
    assert [_curve_name(g, cause) for g in labels] == [
        k for k in ref["curves"] if k.endswith(f" {cause}")
    ], call
    for label in labels:
        r = _r_curve(ref["curves"][_curve_name(label, cause)])
        mine = res.curve[res.curve["group"] == label]
        what = f"{call}, curve '{_curve_name(label, cause)}'"
        assert len(mine) == len(r), what
        assert_estimate(mine["time"], r["time"], what + ": time")
        assert_estimate(mine["estimate"], r["est"], what + ": est")
        assert_inference(mine["variance"], r["var"], what + ": var")
        assert_inference(mine["ci_lower"], r["lower"], what + ": lower")
        assert_inference(mine["ci_upper"], r["upper"], what + ": upper")


@pytest.mark.parametrize("cause", [1, 2])
@pytest.mark.parametrize("key,group,call", CASES, ids=[c[0] for c in CASES])
def test_at_matches_timepoints(key, group, call, cause):
    """R: p <- timepoints(fit, c(-1, 0, 6, 12, 60, 120, 240, 300.5, 400, 1000)) — NA before 0
    and after a group's last follow-up."""
    tp = REF["cuminc"][key]["timepoints"]
    res = ns.cumulative_incidence(_data_for(key), "etime", "event", group, cause=cause)
    at = res.at(REF["tp_times"][::-1])  # any order in, sorted out (as timepoints)
    assert list(at.columns) == CURVE_COLUMNS
    labels = list(res.table["group"])
    rows = [tp["rows"].index(_curve_name(g, cause)) for g in labels]
    times = np.asarray(tp["times"], dtype=float)
    assert_estimate(at["time"], np.tile(times, len(labels)))
    assert list(at["group"]) == [g for g in labels for _ in times]
    what = f"timepoints({call}, ...)"
    assert_estimate(at["estimate"], _na(tp["est"])[rows].ravel(), what + ": est")
    assert_inference(at["variance"], _na(tp["var"])[rows].ravel(), what + ": var")
    assert_inference(at["ci_lower"], _na(tp["lower"])[rows].ravel(), what + ": lower")
    assert_inference(at["ci_upper"], _na(tp["upper"])[rows].ravel(), what + ": upper")
    assert np.isnan(at["estimate"]).sum() >= len(labels)  # t = -1 at least


GRAY = [
    ("mgus2_sex", dict(group="sex"), "cuminc(mg$etime, mg$event, group = mg$sex)$Tests"),
    ("mgus2_agegrp", dict(group="agegrp"), "cuminc(mg$etime, mg$event, group = mg$agegrp)$Tests"),
    ("mgus2_sex_strata_old", dict(group="sex", strata="old"),
     "cuminc(mg$etime, mg$event, group = mg$sex, strata = mg$old)$Tests"),
    ("ties", dict(group="g"), "cuminc(syn$t, syn$ev, group = syn$g)$Tests"),
    ("ties_strata", dict(group="g", strata="st"), "cuminc(syn$t, syn$ev, group = syn$g, strata = syn$st)$Tests"),
]


@pytest.mark.parametrize("cause", [1, 2])
@pytest.mark.parametrize("key,kw,call", GRAY, ids=[c[0] for c in GRAY])
def test_gray_test_matches_cuminc(key, kw, call, cause):
    """cuminc's pv is 1 - pchisq(stat, df) (0 below ~1e-16); ours is the upper tail, compared
    relatively with pchisq(stat, df, lower.tail = FALSE) and absolutely with cuminc's pv."""
    tests = REF["cuminc"][key]["tests"]
    i = tests["cause"].index(str(cause))
    g = ns.cumulative_incidence(_data_for(key), "etime", "event", cause=cause, **kw).gray_test
    assert g.cause == cause and g.df == tests["df"][i]
    assert_estimate(g.statistic, tests["stat"][i], call + ": stat")
    assert_inference(g.p_value, tests["pv_upper"][i], call + ": pchisq(stat, df, lower.tail = FALSE)")
    assert abs(g.p_value - tests["pv"][i]) < 1e-12  # cuminc's own pv, as printed


def test_singular_gray_variance_gives_nan():
    """R: cuminc(sing$t, sing$ev, group = sing$g)$Tests — cause 1 is a regular test; for
    cause 2 the score variance is singular (group c, one patient censored at 0, is never at
    risk at a cause-2 time) and cuminc reports stat = -1, pv = 1; we report NaN."""
    tests = REF["cuminc"]["singular"]["tests"]
    sing = pd.DataFrame(REF["data"]["singular"])
    g1 = ns.cumulative_incidence(sing, "t", "ev", "g", cause=1).gray_test
    assert_estimate(g1.statistic, tests["stat"][0])
    assert_inference(g1.p_value, tests["pv"][0])
    assert tests["stat"][1] == -1
    g2 = ns.cumulative_incidence(sing, "t", "ev", "g", cause=2).gray_test
    assert np.isnan(g2.statistic) and np.isnan(g2.p_value) and g2.df == 2


def test_table_counts_and_no_test_without_group():
    mg = _mgus2()
    res = ns.cumulative_incidence(mg, "etime", "event")
    assert res.gray_test is None and res.causes == (1, 2) and res.cause == 1
    assert list(res.table.columns) == ["group", "n", "events", "competing_events", "censored"]
    row = res.table.iloc[0]
    assert row["group"] == "all" and row["n"] == len(mg)
    assert row["events"] == (mg["event"] == 1).sum()
    assert row["competing_events"] == (mg["event"] == 2).sum()
    assert row["censored"] == (mg["event"] == 0).sum()


def test_deterministic_with_ties_and_row_order():
    mg = _mgus2()
    a = ns.cumulative_incidence(mg, "etime", "event", "sex")
    b = ns.cumulative_incidence(mg.sample(frac=1.0, random_state=3), "etime", "event", "sex")
    pd.testing.assert_frame_equal(a.curve, b.curve, check_exact=False, rtol=1e-12)
    assert a.gray_test.statistic == pytest.approx(b.gray_test.statistic, rel=1e-12)


def test_ci_level_changes_width():
    mg = _mgus2()
    r95 = ns.cumulative_incidence(mg, "etime", "event").curve
    r80 = ns.cumulative_incidence(mg, "etime", "event", conf_level=0.8).curve
    inner = (r95["estimate"] > 0).to_numpy()
    assert np.all(r80["ci_upper"][inner] < r95["ci_upper"][inner])
    assert np.all(r80["ci_lower"][inner] > r95["ci_lower"][inner])
    assert np.all(r95["ci_lower"][~inner] == 0) and np.all(r95["ci_upper"][~inner] == 0)


# ------------------------------------------------------------------------ validation


def test_bad_event_codes_are_an_analysis_error():
    mg = _mgus2()
    with pytest.raises(ns.InvalidValueError, match="0 \\(censored\\) or 1, 2"):
        ns.cumulative_incidence(mg.assign(event=mg["event"] - 1), "etime", "event")
    with pytest.raises(ns.InvalidValueError, match="1.5"):
        ns.cumulative_incidence(mg.assign(event=mg["event"].replace(2, 1.5)), "etime", "event")
    with pytest.raises(ns.InvalidValueError, match="numbers"):
        ns.cumulative_incidence(mg.assign(event="x"), "etime", "event")


def test_cause_validation():
    mg = _mgus2()
    with pytest.raises(ns.InsufficientDataError, match="event type 3"):
        ns.cumulative_incidence(mg, "etime", "event", cause=3)
    with pytest.raises(ns.InputError, match="cause"):
        ns.cumulative_incidence(mg, "etime", "event", cause=0)
    with pytest.raises(ns.InputError, match="cause"):
        ns.cumulative_incidence(mg, "etime", "event", cause="1")


def test_single_group_and_missing_rows():
    mg = _mgus2()
    with pytest.raises(ns.InsufficientDataError, match="only one group"):
        ns.cumulative_incidence(mg[mg["sex"] == "F"], "etime", "event", "sex")
    mg.loc[mg.index[:4], "sex"] = None
    mg.loc[mg.index[10:12], "etime"] = np.nan
    res = ns.cumulative_incidence(mg, "etime", "event", "sex")
    assert res.n_excluded == 6 and res.table["n"].sum() == len(mg) - 6
    with pytest.raises(ns.MissingColumnError):
        ns.cumulative_incidence(mg, "etime", "nope")
    with pytest.raises(ns.InputError, match="strata"):
        ns.cumulative_incidence(mg, "etime", "event", strata="old")


def test_event_at_time_zero_and_group_without_cause():
    d = pd.DataFrame({"t": [0, 0, 1, 2, 3, 4, 2, 5], "e": [1, 0, 2, 1, 0, 2, 2, 0],
                      "g": ["a", "a", "a", "a", "a", "b", "b", "b"]})
    res = ns.cumulative_incidence(d, "t", "e", "g")
    a = res.curve[res.curve["group"] == "a"]
    assert a["time"].iloc[0] == 0 and a["estimate"].iloc[0] == pytest.approx(1 / 5)
    b = res.curve[res.curve["group"] == "b"]
    assert list(b["time"]) == [0, 5] and list(b["estimate"]) == [0, 0]
    assert res.gray_test is not None


@pytest.mark.filterwarnings("error")
def test_loglog_ci_where_exp_used_to_overflow():
    """All but the first patient have the event: F climbs to 1 - 1e-16 with variance > 0, so
    k = z sd / (F log F) is about -1e15 and exp(-k) overflowed (hidden by np.errstate).  Now no
    warning at all, and the bounds are those of the formula F ^ exp(+-k): 0 and 1 at the end."""
    n = 7
    data = pd.DataFrame({"t": np.arange(1.0, n + 1), "e": [0] + [1] * (n - 1)})
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # numpy errors raise too
        curve = ns.cumulative_incidence(data, "t", "e").curve
    last = curve.iloc[-1]
    assert 1 - 1e-12 < last["estimate"] < 1 and last["variance"] > 0
    assert last["ci_lower"] == 0.0 and last["ci_upper"] == 1.0
    inner = curve[(curve["estimate"] > 0) & (curve["estimate"] < 1)].iloc[:-1]
    f, sd = inner["estimate"].to_numpy(), np.sqrt(inner["variance"].to_numpy())
    k = 1.959963984540054 * sd / (f * np.log(f))
    np.testing.assert_allclose(inner["ci_lower"], f ** np.exp(-k), rtol=1e-12)
    np.testing.assert_allclose(inner["ci_upper"], f ** np.exp(k), rtol=1e-12)
    assert len(inner) == n - 2
