"""The public API of nelm_stats, pinned exactly as /work/shared/DESIGN.md ("Public API of
nelm_stats") states it.  Users call these functions from notebooks and external checks rely on
them: names, parameters, result attributes and DataFrame columns are a contract (extend, never
rename).  Numbers are checked against R elsewhere (tests/test_<module>.py); here only the shape
of the API and the general rules:

- every function is exposed as ``ns.<name>``; parameters (names, order, keyword-only-ness,
  defaults) are DESIGN.md's; extra keyword-only parameters with a default are allowed;
- results are frozen dataclasses (or the DataFrames DESIGN.md names) with exactly the listed
  columns, in order, whatever the arguments;
- ``data`` is never mutated; rows with missing values in used columns are counted in
  ``n_excluded`` (``.attrs["n_excluded"]`` for a DataFrame result);
- group labels are ``str(value)`` in the column's order, "all" for the whole cohort;
- invalid input raises a subclass of ``ns.AnalysisError`` with a message;
- test results are objects with ``statistic``/``df``/``p_value``;
- per-patient Series are indexed like ``data`` (NaN for rows left out) and ``pairs`` hold
  ``data``'s index labels.  The data have a shuffled string index so that a positional mix-up
  cannot pass.
"""
from __future__ import annotations

import dataclasses
import inspect

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import nelm_stats as ns

# ----------------------------------------------------------------------------- signatures
# Copied verbatim from DESIGN.md ("Public API of nelm_stats"); a stub per function.
DESIGN_SIGNATURES = {
    "kaplan_meier": 'data, time, event, group=None, *, weights=None, conf_level=0.95, conf_type="log"',
    "logrank_test": "data, time, event, group, *, strata=None, rho=0, trend=False",
    "pairwise_logrank": 'data, time, event, group, *, adjust="holm"',
    "median_follow_up": "data, time, event, group=None",
    "restricted_mean": "data, time, event, group=None, *, tau",
    "cumulative_incidence": "data, time, event_type, group=None, *, cause=1",
    "cox_regression": "data, time, event, covariates, *, strata=None, cluster=None, weights=None, "
                      "robust=False",
    "proportional_hazards_test": "model",
    "compare_rates": 'data, outcome, group, *, test="auto", ci_method="wilson"',
    "diagnostic_accuracy": "data, test, truth",
    "roc_analysis": "data, score, truth",
    "propensity_match": 'data, treatment, covariates, *, ratio=1, caliper=0.2, caliper_scale="logit", '
                        "replace=False, exact=None",
    "iptw": 'data, treatment, covariates, *, estimand="ATE", stabilize=True, trim=None',
    "table_one": "data, group, variables, *, weights=None",
    # Study planning (DESIGN.md, issue 16)
    "survival_sample_size": 'hazard_ratio, *, median_control, accrual_time, follow_up_time, alpha=0.05, '
                            'power=0.80, sided=2, allocation_ratio=1.0, dropout_rate=0.0, dropout_time=12.0, '
                            'method="schoenfeld"',
    "survival_power": 'hazard_ratio, *, events, alpha=0.05, sided=2, allocation_ratio=1.0, method="schoenfeld"',
    "proportions_sample_size": 'p1, p2, *, alpha=0.05, power=0.80, method="arcsine"',
    "proportions_power": 'p1, p2, *, n_per_group, alpha=0.05, method="arcsine"',
}

# Compatible extensions of DESIGN.md that are deliberately allowed (reported, not hidden):
# a parameter DESIGN.md lists without a default that the implementation makes optional.
# compare_rates(data, outcome) gives the whole-cohort rate (group "all"); existing callers
# (proportions.clustered_rates, tests/test_proportions.py) rely on it.  Every call that follows
# DESIGN.md still works unchanged.
ALLOWED_EXTRA_DEFAULTS = {("compare_rates", "group"): None}


def _design_signature(name: str) -> inspect.Signature:
    namespace: dict = {}
    exec(f"def {name}({DESIGN_SIGNATURES[name]}): pass", namespace)  # noqa: S102 - constant text
    return inspect.signature(namespace[name])


@pytest.mark.parametrize("name", sorted(DESIGN_SIGNATURES))
def test_function_is_exported(name):
    assert callable(getattr(ns, name))


def test_analysis_error_is_exported():
    assert issubclass(ns.AnalysisError, Exception)
    for sub in ("InputError", "MissingColumnError", "InvalidValueError", "InsufficientDataError",
                "ConvergenceError"):
        assert issubclass(getattr(ns, sub), ns.AnalysisError)


@pytest.mark.parametrize("name", sorted(DESIGN_SIGNATURES))
def test_signature_matches_design(name):
    design = list(_design_signature(name).parameters.values())
    actual = list(inspect.signature(getattr(ns, name)).parameters.values())
    positional = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.POSITIONAL_ONLY)
    d_pos = [p for p in design if p.kind in positional]
    a_pos = [p for p in actual if p.kind in positional]
    # same positional parameters, same names, same order: no extra, none renamed or moved
    assert [p.name for p in a_pos] == [p.name for p in d_pos], f"{name}: positional parameters"
    assert all(p.kind == inspect.Parameter.POSITIONAL_OR_KEYWORD for p in a_pos)
    assert not any(p.kind in (inspect.Parameter.VAR_POSITIONAL,) for p in actual)
    # DESIGN's keyword-only parameters stay keyword-only, in DESIGN's order
    d_kw = [p.name for p in design if p.kind == inspect.Parameter.KEYWORD_ONLY]
    a_kw = [p.name for p in actual if p.kind == inspect.Parameter.KEYWORD_ONLY]
    assert [n for n in a_kw if n in d_kw] == d_kw, f"{name}: keyword-only parameters"
    # defaults as DESIGN states them
    a_by_name = {p.name: p for p in actual}
    for p in design:
        got = a_by_name[p.name].default
        if (name, p.name) in ALLOWED_EXTRA_DEFAULTS and p.default is inspect.Parameter.empty:
            assert got == ALLOWED_EXTRA_DEFAULTS[(name, p.name)]
            continue
        if p.default is inspect.Parameter.empty:
            assert got is inspect.Parameter.empty, f"{name}({p.name}) must be required"
        else:
            assert got == p.default and type(got) is type(p.default), f"{name}({p.name}) default"
    # extensions: keyword-only, with a default
    for p in actual:
        if p.name not in {q.name for q in design}:
            assert p.kind == inspect.Parameter.KEYWORD_ONLY, f"{name}: extra parameter {p.name}"
            assert p.default is not inspect.Parameter.empty, f"{name}: extra {p.name} needs a default"


# ----------------------------------------------------------------------------- data
N = 90


def make_cohort() -> pd.DataFrame:
    """Made-up survival::lung-like cohort, shuffled string index, two rows with a missing value.

    arm: 0/1 int; grade: Categorical whose category order (G3, G1, G2) is not sorted order;
    sex: text; etype: 0 censored, 1 / 2 causes; score rises with truth.
    """
    rng = np.random.default_rng(20261121)
    arm = rng.integers(0, 2, N)
    d = pd.DataFrame({
        "time": np.round(rng.exponential(20, N) * (1 + 0.3 * arm), 1) + 0.1,
        "status": (rng.random(N) < 0.7).astype(int),
        "arm": arm,
        "grade": pd.Categorical(rng.choice(["G1", "G2", "G3"], N), categories=["G3", "G1", "G2"]),
        "age": rng.normal(62, 9, N).round(),
        "sex": rng.choice(["female", "male"], N),
        "score": rng.normal(0, 1, N),
        "test": rng.random(N) < 0.5,
        "truth": rng.random(N) < 0.4,
        "etype": rng.choice([0, 1, 2], N, p=[0.4, 0.4, 0.2]),
        "outcome": rng.random(N) < 0.3,
        "w": np.linspace(0.5, 2.0, N),
    })
    d["score"] += 1.2 * d["truth"]
    d.index = pd.Index([f"pt{i:03d}" for i in rng.permutation(N)], name="patient")
    d.loc[d.index[3], "time"] = np.nan
    d.loc[d.index[5], "age"] = np.nan
    return d


@pytest.fixture(params=["text-index", "shuffled-int-index"])
def cohort(request):
    """The cohort with string labels, and with a shuffled integer index (labels != positions)."""
    d = make_cohort()
    if request.param == "shuffled-int-index":
        d.index = pd.Index(np.random.default_rng(5).permutation(len(d)), name="patient")
    return d


def with_missing(d: pd.DataFrame) -> pd.DataFrame:
    """One more missing value in each of several columns (nullable dtypes)."""
    e = d.astype({"outcome": "boolean", "truth": "boolean", "test": "boolean", "arm": "Int64",
                  "status": "Int64", "etype": "Int64"})
    for i, col in zip(range(10, 19), ["outcome", "truth", "arm", "score", "test", "status",
                                      "etype", "grade", "sex"]):
        e.loc[e.index[i], col] = pd.NA if col != "score" else np.nan
    return e


# Every function once, with the columns it uses (for n_excluded) ------------------------------
CALLS = {
    "kaplan_meier": (lambda d, **k: ns.kaplan_meier(d, "time", "status", "arm", **k),
                     ["time", "status", "arm"]),
    "logrank_test": (lambda d, **k: ns.logrank_test(d, "time", "status", "grade", **k),
                     ["time", "status", "grade"]),
    "pairwise_logrank": (lambda d, **k: ns.pairwise_logrank(d, "time", "status", "grade", **k),
                         ["time", "status", "grade"]),
    "median_follow_up": (lambda d, **k: ns.median_follow_up(d, "time", "status", "arm", **k),
                         ["time", "status", "arm"]),
    "restricted_mean": (lambda d, **k: ns.restricted_mean(d, "time", "status", "arm", tau=20, **k),
                        ["time", "status", "arm"]),
    "cumulative_incidence": (lambda d, **k: ns.cumulative_incidence(d, "time", "etype", "arm", **k),
                             ["time", "etype", "arm"]),
    "cox_regression": (lambda d, **k: ns.cox_regression(d, "time", "status", ["age", "grade", "arm"],
                                                        **k),
                       ["time", "status", "age", "grade", "arm"]),
    "compare_rates": (lambda d, **k: ns.compare_rates(d, "outcome", "arm", **k), ["outcome", "arm"]),
    "diagnostic_accuracy": (lambda d, **k: ns.diagnostic_accuracy(d, "test", "truth", **k),
                            ["test", "truth"]),
    "roc_analysis": (lambda d, **k: ns.roc_analysis(d, "score", "truth", **k), ["score", "truth"]),
    "propensity_match": (lambda d, **k: ns.propensity_match(d, "arm", ["age", "sex"], **k),
                         ["arm", "age", "sex"]),
    "iptw": (lambda d, **k: ns.iptw(d, "arm", ["age", "sex"], **k), ["arm", "age", "sex"]),
    "table_one": (lambda d, **k: ns.table_one(d, "arm", ["age", "sex"], **k), ["arm"]),
}


def _n_excluded(result):
    if isinstance(result, pd.DataFrame):
        assert "n_excluded" in result.attrs, "a DataFrame result carries attrs['n_excluded']"
        return result.attrs["n_excluded"]
    return result.n_excluded


# ----------------------------------------------------------------------------- general rules
@pytest.mark.parametrize("name", sorted(CALLS))
def test_data_not_mutated(name, cohort):
    call, _ = CALLS[name]
    for data in (cohort, with_missing(cohort)):
        before = data.copy(deep=True)
        call(data)
        pd.testing.assert_frame_equal(data, before, check_exact=True)
    if name == "cox_regression":
        before = cohort.copy(deep=True)
        ns.proportional_hazards_test(call(cohort))
        pd.testing.assert_frame_equal(cohort, before, check_exact=True)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_missing_values_counted_in_n_excluded(name, cohort):
    call, used = CALLS[name]
    data = with_missing(cohort)
    expected = int(data[used].isna().any(axis=1).sum())
    assert expected >= 1
    assert _n_excluded(call(data)) == expected
    # ...and a complete data set excludes nobody
    complete = data.dropna(subset=used)
    assert _n_excluded(call(complete)) == 0


FROZEN = ["kaplan_meier", "logrank_test", "cumulative_incidence", "cox_regression", "compare_rates",
          "roc_analysis", "propensity_match", "iptw", "table_one"]
DATAFRAME_RESULTS = ["pairwise_logrank", "median_follow_up", "restricted_mean", "diagnostic_accuracy"]


def _assert_frozen(obj):
    assert dataclasses.is_dataclass(obj) and not isinstance(obj, type)
    field = dataclasses.fields(obj)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(obj, field, getattr(obj, field))
    with pytest.raises(dataclasses.FrozenInstanceError):
        obj.some_new_attribute = 1


@pytest.mark.parametrize("name", FROZEN)
def test_result_is_frozen_dataclass(name, cohort):
    _assert_frozen(CALLS[name][0](cohort))


@pytest.mark.parametrize("name", DATAFRAME_RESULTS)
def test_dataframe_results(name, cohort):
    assert isinstance(CALLS[name][0](cohort), pd.DataFrame)


def _bad_time(cohort):
    d = cohort.copy()
    d.loc[d.index[0], "time"] = -1.0
    return d


INVALID = {
    # missing column
    "km-column": lambda d: ns.kaplan_meier(d, "no_such_column", "status"),
    "logrank-column": lambda d: ns.logrank_test(d, "time", "status", "no_such_column"),
    "pairwise-column": lambda d: ns.pairwise_logrank(d, "time", "no_such_column", "grade"),
    "mfu-column": lambda d: ns.median_follow_up(d, "no_such_column", "status"),
    "rmst-column": lambda d: ns.restricted_mean(d, "no_such_column", "status", tau=10),
    "cif-column": lambda d: ns.cumulative_incidence(d, "time", "no_such_column"),
    "cox-column": lambda d: ns.cox_regression(d, "time", "status", ["no_such_column"]),
    "rates-column": lambda d: ns.compare_rates(d, "no_such_column", "arm"),
    "accuracy-column": lambda d: ns.diagnostic_accuracy(d, "no_such_column", "truth"),
    "roc-column": lambda d: ns.roc_analysis(d, "score", "no_such_column"),
    "match-column": lambda d: ns.propensity_match(d, "arm", ["no_such_column"]),
    "iptw-column": lambda d: ns.iptw(d, "no_such_column", ["age"]),
    "table_one-column": lambda d: ns.table_one(d, "arm", ["no_such_column"]),
    # negative time
    "km-negative": lambda d: ns.kaplan_meier(_bad_time(d), "time", "status"),
    "logrank-negative": lambda d: ns.logrank_test(_bad_time(d), "time", "status", "arm"),
    "pairwise-negative": lambda d: ns.pairwise_logrank(_bad_time(d), "time", "status", "grade"),
    "mfu-negative": lambda d: ns.median_follow_up(_bad_time(d), "time", "status"),
    "rmst-negative": lambda d: ns.restricted_mean(_bad_time(d), "time", "status", tau=10),
    "cif-negative": lambda d: ns.cumulative_incidence(_bad_time(d), "time", "etype"),
    "cox-negative": lambda d: ns.cox_regression(_bad_time(d), "time", "status", ["age"]),
    # unknown option
    "km-conf_type": lambda d: ns.kaplan_meier(d, "time", "status", conf_type="logit-ish"),
    "pairwise-adjust": lambda d: ns.pairwise_logrank(d, "time", "status", "grade", adjust="magic"),
    "rmst-tau": lambda d: ns.restricted_mean(d, "time", "status", tau=-5),
    "cif-cause": lambda d: ns.cumulative_incidence(d, "time", "etype", cause=7),
    "cox-strata": lambda d: ns.cox_regression(d, "time", "status", ["age"], strata="no_such_column"),
    "rates-test": lambda d: ns.compare_rates(d, "outcome", "arm", test="magic"),
    "rates-ci_method": lambda d: ns.compare_rates(d, "outcome", "arm", ci_method="magic"),
    "match-caliper_scale": lambda d: ns.propensity_match(d, "arm", ["age"], caliper_scale="magic"),
    "match-ratio": lambda d: ns.propensity_match(d, "arm", ["age"], ratio=0),
    "iptw-estimand": lambda d: ns.iptw(d, "arm", ["age"], estimand="magic"),
    "table_one-weights": lambda d: ns.table_one(d, "arm", ["age"], weights="no_such_column"),
    "km-group": lambda d: ns.kaplan_meier(d, "time", "status", "no_such_column"),
    "km-weights": lambda d: ns.kaplan_meier(d, "time", "status", weights="no_such_column"),
    "km-conf_level": lambda d: ns.kaplan_meier(d, "time", "status", conf_level=1.5),
    "km-negative-weights": lambda d: ns.kaplan_meier(d.assign(w=-d["w"]), "time", "status",
                                                     weights="w"),
    "km-event-not-0-1": lambda d: ns.kaplan_meier(d.assign(status=3 * d["status"]), "time", "status"),
    "logrank-rho": lambda d: ns.logrank_test(d, "time", "status", "arm", rho="peto"),
    "logrank-strata": lambda d: ns.logrank_test(d, "time", "status", "arm", strata="no_such_column"),
    "cif-negative-code": lambda d: ns.cumulative_incidence(d.assign(etype=d["etype"] - 1), "time",
                                                           "etype"),
    "cox-cluster": lambda d: ns.cox_regression(d, "time", "status", ["age"], cluster="no_such_column"),
    "ph-not-a-model": lambda d: ns.proportional_hazards_test(d),
    "roc-direction": lambda d: ns.roc_analysis(d, "score", "truth", direction="sideways"),
    "match-exact": lambda d: ns.propensity_match(d, "arm", ["age"], exact=["no_such_column"]),
    "match-three-groups": lambda d: ns.propensity_match(d, "grade", ["age"]),
    "iptw-trim": lambda d: ns.iptw(d, "arm", ["age"], trim=3),
    "not-a-dataframe": lambda d: ns.kaplan_meier(d.to_dict(), "time", "status"),
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_invalid_input_raises_analysis_error(case, cohort):
    with pytest.raises(ns.AnalysisError) as info:
        INVALID[case](cohort)
    assert str(info.value).strip(), "the message must tell the user what is wrong"


# ----------------------------------------------------------------------------- group labels
def _complete(d, cols):
    return d.dropna(subset=cols)


def test_group_labels_int_column(cohort):
    """A 0/1 int column gives "0", "1"; counts per label follow the data."""
    d = _complete(cohort, ["time", "status", "arm"])
    n = {str(k): int(v) for k, v in d["arm"].value_counts().items()}
    km = ns.kaplan_meier(cohort, "time", "status", "arm")
    assert km.medians["group"].tolist() == ["0", "1"]
    assert km.curve["group"].unique().tolist() == ["0", "1"]
    assert dict(zip(km.medians["group"], km.medians["n"])) == n
    lr = ns.logrank_test(cohort, "time", "status", "arm")
    assert lr.table["group"].tolist() == ["0", "1"]
    assert dict(zip(lr.table["group"], lr.table["n"])) == n
    assert ns.median_follow_up(cohort, "time", "status", "arm")["group"].tolist() == ["0", "1"]
    assert ns.restricted_mean(cohort, "time", "status", "arm", tau=20)["group"].tolist() == ["0", "1"]
    assert ns.cumulative_incidence(cohort, "time", "etype", "arm").curve["group"].unique().tolist() \
        == ["0", "1"]
    rates = ns.compare_rates(cohort, "outcome", "arm").table
    assert rates["group"].tolist() == ["0", "1"]
    assert rates["events"].tolist() == [int(cohort.loc[cohort.arm == g, "outcome"].sum()) for g in (0, 1)]
    assert ns.table_one(cohort, "arm", ["age"]).groups == ("0", "1")
    ess = ns.iptw(cohort, "arm", ["age"]).effective_sample_size
    assert ess["group"].tolist() == ["0", "1"]
    # a nullable Int64 0/1 column (missing values) still gives "0", "1", not "0.0"
    nullable = with_missing(cohort)
    assert ns.kaplan_meier(nullable, "time", "status", "arm").medians["group"].tolist() == ["0", "1"]
    assert ns.compare_rates(nullable, "outcome", "arm").table["group"].tolist() == ["0", "1"]


def test_group_labels_bool_column(cohort):
    assert ns.kaplan_meier(cohort, "time", "status", "test").medians["group"].tolist() \
        == ["False", "True"]


def test_group_labels_categorical_keep_category_order(cohort):
    """grade's categories are G3, G1, G2: results keep that order, not sorted order."""
    order = ["G3", "G1", "G2"]
    d = _complete(cohort, ["time", "status"])
    km = ns.kaplan_meier(cohort, "time", "status", "grade")
    assert km.medians["group"].tolist() == order
    assert km.curve["group"].unique().tolist() == order
    assert km.medians["n"].tolist() == [int((d["grade"] == g).sum()) for g in order]
    lr = ns.logrank_test(cohort, "time", "status", "grade")
    assert lr.table["group"].tolist() == order
    pw = ns.pairwise_logrank(cohort, "time", "status", "grade")
    assert list(zip(pw["group_a"], pw["group_b"])) == [("G3", "G1"), ("G3", "G2"), ("G1", "G2")]
    assert ns.median_follow_up(cohort, "time", "status", "grade")["group"].tolist() == order
    assert ns.restricted_mean(cohort, "time", "status", "grade", tau=20)["group"].tolist() == order
    assert ns.cumulative_incidence(cohort, "time", "etype", "grade").curve["group"].unique().tolist() \
        == order
    assert ns.compare_rates(cohort, "outcome", "grade").table["group"].tolist() == order
    assert ns.table_one(cohort, "grade", ["age"]).groups == tuple(order)
    # Cox: the first category is the reference
    tab = ns.cox_regression(cohort, "time", "status", ["grade"]).table
    assert tab["level"].tolist() == ["G1", "G2"] and set(tab["reference"]) == {"G3"}


def test_whole_cohort_group_is_all(cohort):
    assert ns.kaplan_meier(cohort, "time", "status").medians["group"].tolist() == ["all"]
    assert set(ns.kaplan_meier(cohort, "time", "status").curve["group"]) == {"all"}
    assert ns.kaplan_meier(cohort, "time", "status").at([5])["group"].tolist() == ["all"]
    assert ns.median_follow_up(cohort, "time", "status")["group"].tolist() == ["all"]
    assert ns.restricted_mean(cohort, "time", "status", tau=20)["group"].tolist() == ["all"]
    cif = ns.cumulative_incidence(cohort, "time", "etype")
    assert set(cif.curve["group"]) == {"all"} and cif.at([5])["group"].tolist() == ["all"]
    assert ns.compare_rates(cohort, "outcome").table["group"].tolist() == ["all"]
    assert set(ns.table_one(cohort, None, ["age", "sex"]).table["group"]) == {"all"}


# ----------------------------------------------------------------------------- per function
KM_CURVE = ["group", "time", "n_risk", "n_event", "n_censor", "survival", "std_err", "ci_lower",
            "ci_upper"]
KM_MEDIANS = ["group", "n", "events", "median", "ci_lower", "ci_upper"]
KM_AT = ["group", "time", "n_risk", "n_event", "survival", "std_err", "ci_lower", "ci_upper"]


@pytest.mark.parametrize("kwargs", [
    {}, {"conf_level": 0.9, "conf_type": "log-log"}, {"conf_type": "plain"},
    {"weights": "w", "conf_level": 0.8},
])
@pytest.mark.parametrize("group", [None, "arm", "grade"])
def test_kaplan_meier(cohort, group, kwargs):
    km = ns.kaplan_meier(cohort, "time", "status", group, **kwargs)
    assert km.curve.columns.tolist() == KM_CURVE
    assert km.medians.columns.tolist() == KM_MEDIANS
    last = km.curve["time"].max()
    at = km.at([1.0, 10.0, last + 100])
    assert at.columns.tolist() == KM_AT
    # past the last time: S carried forward, nobody at risk (R's summary(fit, times, extend=TRUE))
    beyond = at[at["time"] == last + 100]
    final = km.curve.groupby("group", sort=False)["survival"].last()
    assert beyond["n_risk"].eq(0).all()
    np.testing.assert_allclose(beyond["survival"].to_numpy(), final[beyond["group"]].to_numpy())


@pytest.mark.parametrize("kwargs", [{}, {"rho": 1}, {"trend": True}, {"strata": "sex"}])
def test_logrank_test(cohort, kwargs):
    lr = ns.logrank_test(cohort, "time", "status", "grade", **kwargs)
    assert not isinstance(lr, tuple)
    assert isinstance(lr.statistic, float) and isinstance(lr.p_value, float)
    assert int(lr.df) == lr.df and lr.df >= 1
    assert 0 <= lr.p_value <= 1
    assert lr.table.columns.tolist() == ["group", "n", "observed", "expected"]


@pytest.mark.parametrize("kwargs", [{}, {"adjust": "bonferroni"}, {"adjust": "BH"}, {"adjust": "none"}])
def test_pairwise_logrank(cohort, kwargs):
    pw = ns.pairwise_logrank(cohort, "time", "status", "grade", **kwargs)
    assert pw.columns.tolist() == ["group_a", "group_b", "statistic", "p_value", "p_adjusted"]
    assert len(pw) == 3


@pytest.mark.parametrize("group", [None, "arm"])
def test_median_follow_up(cohort, group):
    mf = ns.median_follow_up(cohort, "time", "status", group)
    assert mf.columns.tolist() == ["group", "median", "ci_lower", "ci_upper"]


@pytest.mark.parametrize("group, tau, kwargs", [(None, 10, {}), ("arm", 20, {}), ("grade", 5.5, {"conf_level": 0.9})])
def test_restricted_mean(cohort, group, tau, kwargs):
    rm = ns.restricted_mean(cohort, "time", "status", group, tau=tau, **kwargs)
    assert rm.columns.tolist() == ["group", "tau", "rmst", "std_err", "ci_lower", "ci_upper"]
    assert (rm["tau"] == tau).all()


def test_restricted_mean_tau_is_required(cohort):
    with pytest.raises(TypeError):
        ns.restricted_mean(cohort, "time", "status", "arm")  # noqa - tau is keyword-only, required


CIF_COLUMNS = ["group", "time", "estimate", "variance", "ci_lower", "ci_upper"]


@pytest.mark.parametrize("cause, kwargs", [(1, {}), (2, {}), (1, {"conf_level": 0.9})])
@pytest.mark.parametrize("group", [None, "arm"])
def test_cumulative_incidence(cohort, group, cause, kwargs):
    cif = ns.cumulative_incidence(cohort, "time", "etype", group, cause=cause, **kwargs)
    assert cif.curve.columns.tolist() == CIF_COLUMNS
    assert cif.at([2.0, 10.0]).columns.tolist() == CIF_COLUMNS
    if group is not None:
        g = cif.gray_test
        assert not isinstance(g, tuple)
        assert np.isfinite(g.statistic) and g.df == 1 and 0 <= g.p_value <= 1
        _assert_frozen(g)


COX_TABLE = ["term", "level", "reference", "hazard_ratio", "ci_lower", "ci_upper", "p_value", "coef",
             "std_err"]


@pytest.mark.parametrize("kwargs", [
    {}, {"robust": True}, {"weights": "w"}, {"strata": "test"}, {"cluster": "test"},
])
def test_cox_regression(cohort, kwargs):
    cox = ns.cox_regression(cohort, "time", "status", ["age", "grade", "sex", "arm"], **kwargs)
    assert cox.table.columns.tolist() == COX_TABLE
    assert cox.table["term"].tolist() == ["age", "grade", "grade", "sex", "arm"]
    # one row per numeric covariate (level ""), one per non-reference level
    assert cox.table["level"].tolist() == ["", "G1", "G2", "male", ""]
    # reference: Categorical's first category; otherwise the first in sorted order
    assert cox.table["reference"].tolist()[1:4] == ["G3", "G3", "female"]
    complete = cohort.dropna(subset=["time", "status", "age"])
    assert cox.n == len(complete) and cox.events == int(complete["status"].sum())
    for attr in ("concordance", "lr_statistic", "lr_p_value"):
        assert np.isfinite(getattr(cox, attr))
    ph = ns.proportional_hazards_test(cox)
    assert ph.columns.tolist() == ["term", "statistic", "df", "p_value"]
    assert ph["term"].tolist()[-1] == "GLOBAL"


RATE_ATTRS = ["test", "p_value", "odds_ratio", "or_ci_lower", "or_ci_upper", "risk_difference",
              "rd_ci_lower", "rd_ci_upper"]


@pytest.mark.parametrize("kwargs", [
    {}, {"test": "fisher"}, {"test": "chi-square"}, {"ci_method": "exact", "conf_level": 0.9},
])
def test_compare_rates(cohort, kwargs):
    res = ns.compare_rates(cohort, "outcome", "arm", **kwargs)
    assert res.table.columns.tolist() == ["group", "n", "events", "rate", "ci_lower", "ci_upper"]
    for attr in RATE_ATTRS:
        assert hasattr(res, attr), attr
    assert isinstance(res.test, str) and res.test
    assert 0 <= res.p_value <= 1


def test_diagnostic_accuracy(cohort):
    for kwargs in ({}, {"conf_level": 0.9}):
        da = ns.diagnostic_accuracy(cohort, "test", "truth", **kwargs)
        assert da.columns.tolist() == ["measure", "estimate", "ci_lower", "ci_upper"]
        assert da["measure"].tolist() == ["sensitivity", "specificity", "ppv", "npv", "accuracy",
                                          "lr_positive", "lr_negative"]


def test_roc_analysis(cohort):
    for kwargs in ({}, {"conf_level": 0.9}):
        roc = ns.roc_analysis(cohort, "score", "truth", **kwargs)
        assert roc.curve.columns.tolist() == ["threshold", "sensitivity", "specificity"]
        assert roc.ci_lower <= roc.auc <= roc.ci_upper
        assert roc.direction in ("<", ">")


BALANCE = ["term", "smd_before", "smd_after", "variance_ratio_before", "variance_ratio_after"]


def _reference_propensity(d: pd.DataFrame) -> pd.Series:
    """Logit GLM of arm on age + sex, fitted here independently, indexed by data's labels."""
    c = d.dropna(subset=["arm", "age", "sex"])
    x = sm.add_constant(np.column_stack([c["age"].to_numpy(float),
                                         (c["sex"] == "male").to_numpy(float)]))
    fit = sm.Logit(c["arm"].to_numpy(float), x).fit(disp=0)
    return pd.Series(fit.predict(x), index=c.index)


@pytest.mark.parametrize("kwargs", [
    {}, {"ratio": 2}, {"replace": True, "caliper": None}, {"caliper_scale": "propensity"},
    {"exact": ["sex"]}, {"caliper": 0.1},
])
def test_propensity_match(cohort, kwargs):
    pm = ns.propensity_match(cohort, "arm", ["age", "sex"], **kwargs)
    # matched: every column of data, then match_id, match_weight; rows are data's rows
    assert pm.matched.columns.tolist() == cohort.columns.tolist() + ["match_id", "match_weight"]
    assert pm.matched.index.isin(cohort.index).all()
    first = pm.matched[~pm.matched.index.duplicated()]
    pd.testing.assert_frame_equal(first[cohort.columns], cohort.loc[first.index], check_dtype=False)
    # pairs: data's index labels; treated are treated, controls are controls
    assert pm.pairs.columns.tolist() == ["treated", "control"]
    assert len(pm.pairs) > 0
    assert pm.pairs["treated"].isin(cohort.index).all() and pm.pairs["control"].isin(cohort.index).all()
    assert (cohort.loc[pm.pairs["treated"], "arm"] == 1).all()
    assert (cohort.loc[pm.pairs["control"], "arm"] == 0).all()
    assert set(pm.matched.index) == set(pm.pairs["treated"]) | set(pm.pairs["control"])
    # propensity: indexed like data, NaN exactly for rows left out, value of each row's own model
    assert isinstance(pm.propensity, pd.Series) and pm.propensity.index.equals(cohort.index)
    left_out = cohort[["arm", "age", "sex"]].isna().any(axis=1)
    assert pm.propensity.isna().equals(left_out)
    ref = _reference_propensity(cohort)
    np.testing.assert_allclose(pm.propensity[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-6)
    # a pair lies within the caliper on its own labels' distances
    if kwargs.get("caliper", 0.2) is not None and pm.caliper_width is not None:
        p = pm.propensity
        dist = np.log(p / (1 - p)) if kwargs.get("caliper_scale", "logit") == "logit" else p
        gap = np.abs(dist[pm.pairs["treated"]].to_numpy() - dist[pm.pairs["control"]].to_numpy())
        assert (gap <= pm.caliper_width + 1e-12).all()
    assert pm.balance.columns.tolist() == BALANCE
    assert pm.n_excluded == int(left_out.sum())


def test_propensity_match_follows_labels_not_positions(cohort):
    """Shuffling the rows changes nothing but the order: results refer to labels."""
    shuffled = cohort.sample(frac=1.0, random_state=11)
    a = ns.propensity_match(cohort, "arm", ["age", "sex"], caliper=None)
    b = ns.propensity_match(shuffled, "arm", ["age", "sex"], caliper=None)
    assert b.propensity.index.equals(shuffled.index)
    np.testing.assert_allclose(b.propensity.reindex(cohort.index), a.propensity, rtol=1e-8)
    iw_a = ns.iptw(cohort, "arm", ["age", "sex"])
    iw_b = ns.iptw(shuffled, "arm", ["age", "sex"])
    assert iw_b.weights.index.equals(shuffled.index)
    np.testing.assert_allclose(iw_b.weights.reindex(cohort.index), iw_a.weights, rtol=1e-8)


@pytest.mark.parametrize("kwargs", [
    {}, {"estimand": "ATT", "stabilize": False}, {"trim": 0.95},
])
def test_iptw(cohort, kwargs):
    iw = ns.iptw(cohort, "arm", ["age", "sex"], **kwargs)
    left_out = cohort[["arm", "age", "sex"]].isna().any(axis=1)
    for series in (iw.weights, iw.propensity):
        assert isinstance(series, pd.Series) and series.index.equals(cohort.index)
        assert series.isna().equals(left_out)
    ref = _reference_propensity(cohort)
    np.testing.assert_allclose(iw.propensity[ref.index].to_numpy(), ref.to_numpy(), rtol=1e-6)
    assert iw.balance.columns.tolist() == BALANCE
    assert isinstance(iw.effective_sample_size, pd.DataFrame)
    assert iw.n_excluded == int(left_out.sum())


def test_iptw_weights_belong_to_their_rows(cohort):
    """Unstabilised ATE weights are 1/p (treated) and 1/(1-p) (controls), row by row."""
    iw = ns.iptw(cohort, "arm", ["age", "sex"], stabilize=False)
    p, w, arm = iw.propensity, iw.weights, cohort["arm"]
    np.testing.assert_allclose(w[arm == 1].dropna(), 1 / p[arm == 1].dropna(), rtol=1e-10)
    np.testing.assert_allclose(w[arm == 0].dropna(), 1 / (1 - p[arm == 0].dropna()), rtol=1e-10)


def test_table_one(cohort):
    base = ns.table_one(cohort, "arm", ["age", "sex", "grade"])
    assert isinstance(base.table, pd.DataFrame)
    for other in (ns.table_one(cohort, "arm", ["age", "sex", "grade"], weights="w"),
                  ns.table_one(cohort, None, ["age", "sex", "grade"]),
                  ns.table_one(cohort, "grade", ["age"])):
        assert other.table.columns.tolist() == base.table.columns.tolist()


def test_group_labels_text_column_sorted(cohort):
    """A plain text column (pandas' str dtype) keeps sorted order, as R's factor()."""
    assert ns.compare_rates(cohort, "outcome", "sex").table["group"].tolist() == ["female", "male"]
    assert ns.logrank_test(cohort, "time", "status", "sex").table["group"].tolist() \
        == ["female", "male"]


@pytest.mark.parametrize("name", ns.sample_names())
def test_sample_cohorts_keep_category_order(name):
    """On every sample cohort: grade (ordered Categorical) keeps its categories' order."""
    data = ns.load_sample(name)
    if not {"grade", "os_months", "os_event"} <= set(data.columns):
        pytest.skip(f"{name} has no grade / OS")
    used = data.dropna(subset=["grade", "os_months", "os_event"])
    if used["grade"].nunique() < 2:
        pytest.skip(f"{name} records fewer than two grades")
    expected = [str(c) for c in data["grade"].cat.categories if (used["grade"] == c).any()]
    km = ns.kaplan_meier(data, "os_months", "os_event", "grade")
    assert km.medians["group"].tolist() == expected
    assert km.n_excluded == len(data) - len(used)
    before = data.copy(deep=True)
    ns.logrank_test(data, "os_months", "os_event", "grade")
    pd.testing.assert_frame_equal(data, before)
