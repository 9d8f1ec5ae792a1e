"""survival_report / competing_report, cut_numeric, cohort_summary, narrative and the KM figure.

The estimators themselves are checked against R in test_survival*.py; here: the report
calls them on the right data (unit, grouping, landmark, exclusions), and the text, views and
figure show what the results hold.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.report import narrative as nv
from nelm_stats.estimators.cohort import analysis_availability, default_grouping
from nelm_stats.report.views import groups_view
from nelm_stats.figures.km import cif_figure, default_horizon, km_figure, risk_table_times


@pytest.fixture(scope="module")
def icg():
    return ns.load_sample("icg_lpsh")


@pytest.fixture(scope="module")
def jp():
    return ns.load_sample("jp_multicenter")


# --- cut_numeric --------------------------------------------------------------------------


def test_cut_numeric_at_the_median_puts_ties_in_the_upper_group():
    d = pd.DataFrame({"ki67": [1.0, 2.0, 3.0, 3.0, 10.0, np.nan]}, index=list("abcdef"))
    cut = ns.cut_numeric(d, "ki67")
    assert cut.cutpoint == 3.0 and cut.method == "median"
    assert cut.labels == ("ki67 < 3", "ki67 ≥ 3")
    assert list(cut.groups.astype(object).where(cut.groups.notna(), None)) == [
        "ki67 < 3", "ki67 < 3", "ki67 ≥ 3", "ki67 ≥ 3", "ki67 ≥ 3", None]
    assert (cut.n_below, cut.n_above, cut.n_excluded) == (2, 3, 1)
    assert cut.groups.cat.ordered and list(cut.groups.index) == list("abcdef")


def test_cut_numeric_at_a_value_and_its_errors():
    d = pd.DataFrame({"age": [40, 50, 60, 70], "sex": ["f", "m", "f", "m"]})
    cut = ns.cut_numeric(d, "age", cutpoint=55)
    assert (cut.n_below, cut.n_above) == (2, 2) and cut.method == "value"
    with pytest.raises(ns.InsufficientDataError, match="one group"):
        ns.cut_numeric(d, "age", cutpoint=100)
    with pytest.raises(ns.InputError):
        ns.cut_numeric(d, "sex")
    with pytest.raises(ns.MissingColumnError):
        ns.cut_numeric(d, "ki67")


# --- competing_event_type -----------------------------------------------------------------


def test_competing_event_type_codes():
    d = pd.DataFrame(
        {
            "recurrence": [True, False, False, True, None],
            "death": [True, True, False, False, False],
            "rfs_event": [True, True, False, True, True],
        }
    )
    assert list(ns.competing_event_type(d).astype(object).where(lambda s: s.notna(), None)) == [1, 2, 0, 1, None]
    # without an RFS-event column: recurrence first, then death
    assert list(ns.competing_event_type(d.drop(columns="rfs_event")).iloc[:4]) == [1, 2, 0, 1]


# --- survival_report ----------------------------------------------------------------------


def test_report_equals_the_public_api_on_the_same_data(icg):
    rep = ns.survival_report(icg, "rfs_months", "rfs_event", "icg", horizon=60)
    km = ns.kaplan_meier(icg, "rfs_months", "rfs_event", "icg")
    pd.testing.assert_frame_equal(rep.km.medians, km.medians)
    test = ns.logrank_test(icg, "rfs_months", "rfs_event", "icg")
    assert rep.test.p_value == pytest.approx(test.p_value, rel=1e-12)
    pd.testing.assert_frame_equal(rep.rates, km.at([12, 36, 60]))
    pd.testing.assert_frame_equal(rep.rmst, ns.restricted_mean(icg, "rfs_months", "rfs_event", "icg", tau=60),
                                  check_like=False)
    pd.testing.assert_frame_equal(rep.follow_up, ns.median_follow_up(icg, "rfs_months", "rfs_event", "icg"))
    assert rep.pairwise is None and rep.trend is None  # two groups
    assert rep.n + rep.n_excluded == len(icg)


def test_report_in_years_divides_months_by_twelve(icg):
    months = ns.survival_report(icg, "os_months", "os_event", "icg")
    years = ns.survival_report(icg, "os_months", "os_event", "icg", time_unit="years")
    np.testing.assert_allclose(years.km.curve["time"] * 12, months.km.curve["time"], rtol=1e-12)
    np.testing.assert_allclose(years.rates["survival"], months.rates["survival"], rtol=1e-12)
    assert list(dict.fromkeys(years.rates["time"])) == [1.0, 3.0, 5.0]


def test_report_does_not_change_the_data(jp):
    before = jp.copy()
    ns.survival_report(jp, "rfs_months", "rfs_event", "ki67", cut="median", landmark=12)
    pd.testing.assert_frame_equal(jp, before)


def test_report_with_ordered_groups_has_trend_and_holm_pairs(jp):
    rep = ns.survival_report(jp, "rfs_months", "rfs_event", "grade")
    assert rep.ordered and rep.trend is not None and rep.trend.df == 1
    want = ns.logrank_test(jp, "rfs_months", "rfs_event", "grade", trend=True)
    assert rep.trend.statistic == pytest.approx(want.statistic, rel=1e-12)
    pw = ns.pairwise_logrank(jp, "rfs_months", "rfs_event", "grade", adjust="holm")
    pd.testing.assert_frame_equal(rep.pairwise, pw)
    assert rep.n_excluded == int(jp[["rfs_months", "rfs_event", "grade"]].isna().any(axis=1).sum())


def test_report_numeric_cut_and_landmark(jp):
    rep = ns.survival_report(jp, "os_months", "os_event", "ki67", cut=10, landmark=12)
    assert rep.cut is not None and rep.cut.cutpoint == 10
    lm = ns.landmark(jp.dropna(subset=["ki67"]), "os_months", "os_event", at=12)
    assert rep.n == lm.n
    km = ns.kaplan_meier(lm.data.assign(g=ns.cut_numeric(lm.data, "ki67", cutpoint=10).groups),
                         "os_months", "os_event", "g")
    np.testing.assert_allclose(rep.km.medians["median"], km.medians["median"], equal_nan=True)
    assert "landmark" in rep.narrative


def test_report_warns_about_few_events_and_unreached_medians():
    d = pd.DataFrame(
        {"t": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "e": [1, 0, 0, 0, 0, 1, 1, 1, 1, 1],
         "g": ["a"] * 5 + ["b"] * 5}
    )
    rep = ns.survival_report(d, "t", "e", "g")
    text = " ".join(rep.warnings)
    assert "Only 1 event in group 'a'" in text
    assert "median was not reached in group 'a'" in text
    assert "group 'b'" not in text  # 5 events and a median reached: nothing to warn about


def test_report_errors_are_analysis_errors(icg):
    with pytest.raises(ns.InputError):
        ns.survival_report(icg, "rfs_months", "rfs_event", "age")  # many values: must be cut
    with pytest.raises(ns.InputError):
        ns.survival_report(icg, "rfs_months", "rfs_event", time_unit="weeks")
    with pytest.raises(ns.MissingColumnError):
        ns.survival_report(icg, "pfs_months", "rfs_event")


def test_competing_report_equals_cumulative_incidence(jp):
    rep = ns.competing_report(jp, group="icg", time_unit="years")
    d = jp.assign(et=ns.competing_event_type(jp), t=jp["rfs_months"] / 12).dropna(subset=["et", "t", "icg"])
    d = d.assign(et=d["et"].astype(int))
    cif = ns.cumulative_incidence(d, "t", "et", "icg", cause=1)
    pd.testing.assert_frame_equal(rep.rates, cif.at([1, 3, 5]))
    assert rep.cif.gray_test.p_value == pytest.approx(cif.gray_test.p_value, rel=1e-12)
    assert rep.n_recurrence == int((d["et"] == 1).sum()) and rep.n_death == int((d["et"] == 2).sum())
    assert "Gray's test" in rep.narrative


# --- narrative ----------------------------------------------------------------------------


def test_p_values_and_reading():
    assert nv.fmt_p(0.0004) == "p < 0.001" and nv.fmt_p(0.0123) == "p = 0.012" and nv.fmt_p(0.045) == "p = 0.045" and nv.fmt_p(0.32) == "p = 0.32"

    class T:
        statistic, df, p_value = 0.99, 1, 0.32

    med = pd.DataFrame({"group": ["False", "True"], "n": [25, 26], "events": [16, 15],
                        "median": [18.9, np.nan], "ci_lower": [15.3, 18.1], "ci_upper": [np.nan, np.nan]})
    text = nv.describe_survival(med, endpoint="Recurrence-free survival", event_label="recurrence or death",
                                time_unit="months", group_name="ICG fluorescence used", test=T())
    assert "Of 51 patients, 31 had an event" in text
    assert "18.9 months for patients without ICG fluorescence (95 % CI 15.3 to not reached)" in text
    assert "not reached for patients with ICG fluorescence" in text
    assert "does not show a statistically significant difference (p = 0.32)" in text


# --- cohort summary -----------------------------------------------------------------------


def test_cohort_summary_counts_and_follow_up(icg):
    s = ns.cohort_summary(icg, "icg")
    assert s.n == len(icg) and default_grouping(icg) == "icg"
    assert s.groups["n"].sum() + s.n_missing_group == len(icg)
    for row in s.groups.itertuples():
        sub = icg[icg["icg"].astype(str) == row.group]
        assert row.os_events == sub["os_event"].sum() and row.recurrences == sub["recurrence"].sum()
    pd.testing.assert_frame_equal(s.follow_up_all, ns.median_follow_up(icg, "os_months", "os_event"))
    assert list(groups_view(s)["Group"]) == ["no", "yes"]
    assert list(groups_view(s, "icg")["Group"]) == ["Without ICG fluorescence", "With ICG fluorescence"]


def test_analysis_availability_names_missing_columns():
    a = analysis_availability(pd.DataFrame({"os_months": [1.0], "os_event": [True], "recurrence": [None]}))
    row = a.set_index("analysis")
    assert row.loc["Overall survival", "available"]
    assert not row.loc["Recurrence-free survival", "available"]
    assert row.loc["Recurrence with death as competing event", "missing"] == "rfs_months, recurrence, death"


# --- figure -------------------------------------------------------------------------------


def test_risk_table_times_and_default_horizon():
    assert risk_table_times(60, "months") == [0, 12, 24, 36, 48, 60]
    assert risk_table_times(10, "years") == [0, 2, 4, 6, 8, 10]
    assert risk_table_times(20, "months") == [0, 3, 6, 9, 12, 15, 18]
    assert default_horizon(84.7, "months") == 84 and default_horizon(300, "months") == 120
    assert default_horizon(0.6, "years") == 0.6


def test_km_figure_shows_what_the_result_holds(icg):
    rep = ns.survival_report(icg, "rfs_months", "rfs_event", "icg", horizon=60)
    fig = km_figure(rep.km, test=rep.test, horizon=60, ci=True, medians=True, group_name="ICG")
    curves = [t for t in fig.data if t.mode == "lines" and t.showlegend is not False]
    assert [c.name for c in curves] == ["no", "yes"]
    for c, g in zip(curves, ["False", "True"]):
        sub = rep.km.curve[rep.km.curve["group"] == g]
        assert (c.x[0], c.y[0]) == (0.0, 1.0) and c.line.shape == "hv"
        np.testing.assert_allclose(c.y[1:], sub["survival"])
    risk = [t for t in fig.data if t.mode == "text"]
    at = rep.km.at(risk_table_times(60, "months"))
    for t, g in zip(risk, ["False", "True"]):
        assert list(t.text) == [str(int(v)) for v in at.loc[at["group"] == g, "n_risk"]]
        assert list(t.x) == [0, 12, 24, 36, 48, 60]
    marks = [t for t in fig.data if t.mode == "markers"]
    assert sum(len(m.x) for m in marks) == int((rep.km.curve["n_censor"] > 0).sum())
    assert sum(1 for t in fig.data if t.fill == "toself") == 2
    notes = " ".join(a.text for a in fig.layout.annotations)
    assert nv.fmt_p(rep.test.p_value) in notes and "Number at risk" in notes


def test_cif_figure_rises_from_zero(jp):
    rep = ns.competing_report(jp, group="grade")
    fig = cif_figure(rep.cif, cif_competing=rep.cif_death, at_risk=rep.at_risk, test=rep.cif.gray_test,
                     horizon=120)
    lines = [t for t in fig.data if t.mode == "lines"]
    assert len(lines) == 6 and all(t.y[0] == 0.0 for t in lines)
    assert any("Gray" in a.text for a in fig.layout.annotations)


def test_follow_up_from_overall_survival_as_papers_report_it(icg):
    rep = ns.survival_report(icg, "rfs_months", "rfs_event", "icg", follow_up=("os_months", "os_event"))
    used = icg.dropna(subset=["rfs_months", "rfs_event", "icg"])
    pd.testing.assert_frame_equal(rep.follow_up_all, ns.median_follow_up(used, "os_months", "os_event"))
    pd.testing.assert_frame_equal(rep.follow_up, ns.median_follow_up(used, "os_months", "os_event", "icg"))
    assert rep.follow_up_columns == ("os_months", "os_event")
    assert "reverse Kaplan–Meier on overall survival" in rep.narrative


def test_one_group_left_is_said_not_hidden():
    d = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0],
                      "g": [True, True, True, False, False, False]})
    d.loc[d["g"] == False, "t"] = np.nan  # noqa: E712  (no follow-up in one group)
    rep = ns.survival_report(d, "t", "e", "g")
    assert rep.test is None and list(rep.km.medians["group"]) == ["True"]
    assert rep.warnings[0].startswith("Only one group of g (patients G: yes) has the data")
    cystic = pd.DataFrame({"t": d["t"], "e": d["e"], "cystic": d["g"]})
    rep = ns.survival_report(cystic, "t", "e", "cystic")
    assert rep.warnings[0].startswith("Only one group of cystic metastases (patients with cystic metastases) has")
    assert rep.n_excluded == 3


def test_km_figure_time_axis_names_its_origin(icg):
    rep = ns.survival_report(icg, "os_months", "os_event", "icg", landmark=12)
    fig = km_figure(rep.km, horizon=48, time_origin="landmark")
    assert fig.layout.xaxis.title.text == "Time since landmark (months)"


def test_survival_table_view_joins_medians_and_rates(jp):
    rep = ns.survival_report(jp, "os_months", "os_event", "grade")
    t = nv.survival_table_view(rep.km.medians, rep.rates, "months")
    assert list(t.columns) == ["Group", "Patients", "Events", "Median, months (95 % CI)",
                               "1-year, % (95 % CI)", "3-year, % (95 % CI)", "5-year, % (95 % CI)"]
    assert list(t["Group"]) == list(rep.km.medians["group"])
    assert list(t["Events"]) == list(rep.km.medians["events"].astype(int))


def test_cohort_summary_reads_yes_no_event_columns():
    d = pd.DataFrame({"death": ["yes", "no", "no", None, "yes"], "recurrence": [1, 0, 1, 1, np.nan]})
    s = ns.cohort_summary(d)
    row = s.groups.iloc[0]
    assert (row.deaths, row.recurrences) == (2, 3)
    with pytest.raises(ns.InvalidValueError):
        ns.cohort_summary(pd.DataFrame({"death": ["maybe", "no"]}))


def test_cohort_summary_event_totals_include_patients_without_a_group(icg):
    d = icg.assign(icg=icg["icg"].astype("boolean"))
    d.loc[d.index[:5], "icg"] = pd.NA
    s = ns.cohort_summary(d, "icg")
    assert s.n_missing_group == 5
    assert s.event_counts["os_event"] == int(icg["os_event"].sum())
    assert s.groups["os_events"].sum() == int(icg["os_event"].iloc[5:].sum())


def test_longest_follow_up_and_has_times(icg):
    from nelm_stats.report.survival_report import has_times, longest_follow_up

    assert longest_follow_up(icg, "os_months", "years") * 12 == pytest.approx(icg["os_months"].max())
    assert has_times(icg, "os_months") and not has_times(icg.assign(os_months=np.nan), "os_months")
    assert not has_times(icg, "pfs_months") and np.isnan(longest_follow_up(icg, "pfs_months"))


def test_describe_flow_reads_the_patient_flow():
    from nelm_stats.intake.quality import patient_flow

    excluded = pd.DataFrame({"reason": ["excluded by the user", "excluded by the user"]})
    flow = patient_flow(64, excluded)
    assert nv.describe_flow(flow) == "64 rows uploaded; 2 left out (2 excluded by the user); 62 patients analysed."
    assert nv.describe_flow(patient_flow(5, excluded.iloc[:0])) == "5 rows uploaded; 5 patients analysed."


def test_rate_beyond_follow_up_is_not_shown_as_a_result():
    """DESIGN: a survival rate at a time beyond the longest follow-up (no one at risk) reads '–' with
    a footnote. mimic: nobody is followed to 60 months (R's summary(extend = TRUE) still gives 52 %)."""
    from nelm_stats.report import narrative as nv

    rep = ns.survival_report(ns.load_sample("mimic"), "os_months", "os_event", None)
    at = rep.rates
    assert (at["n_risk"] == 0).any()
    view = nv.rates_view(at, "months")
    beyond = at.loc[at["n_risk"] == 0, "time"]
    for t in beyond:
        assert view.iloc[0][f"{int(t // 12)}-year"] == "–"
    assert nv.rates_footnote(at) == nv.BEYOND_FOLLOW_UP
    followed = ns.survival_report(ns.load_sample("jp_multicenter"), "os_months", "os_event", None).rates
    if (followed["n_risk"] > 0).all():
        assert nv.rates_footnote(followed) == "" and "–" not in set(nv.rates_view(followed, "months").iloc[0])


def test_median_not_reached_keeps_its_lower_bound():
    """R's print(survfit) gives a lower confidence limit for a median not reached; it is shown."""
    from nelm_stats.report import narrative as nv

    km = ns.kaplan_meier(ns.load_sample("mimic"), "os_months", "os_event")
    row = km.medians.iloc[0]
    assert np.isnan(row["median"]) and not np.isnan(row["ci_lower"])
    cell = nv.medians_view(km.medians, "months").iloc[0, -1]
    assert cell == f"not reached ({row['ci_lower']:.1f}–not reached)"
