"""Survival page: Kaplan–Meier curves (RFS, OS) or cumulative incidence of recurrence, by group.

Thin: reads widgets, calls the cached report in ui (nelm_stats.survival_report /
competing_report), draws nelm_stats.figures.km, renders the formatted views.
"""
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import settings as ns_settings
from nelm_stats.report import manuscript
from nelm_stats.report import narrative as nv
from nelm_stats.report.format import in_sentence
from nelm_stats.figures.km import cif_figure, default_horizon, km_figure
from nelm_stats.report.survival_report import has_times, longest_follow_up

K = ui.Keys
COMPETING_LABEL = "Recurrence, death as competing event"
PLOT_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "kaplan_meier"},
}


def _sync_sidebar_endpoint() -> None:
    """Choosing RFS/OS here also sets the sidebar's endpoint (used by the other pages)."""
    value = st.session_state.get(K.SURVIVAL_ENDPOINT)
    if value in ui.ENDPOINTS:
        st.session_state[K.ENDPOINT] = value


def _years_text(years) -> str:
    """'1, 3 and 5 years', '4 years', '6 months, 1 and 2 years'."""
    if all(float(y).is_integer() for y in years):
        ys = [f"{float(y):g}" for y in years]
        return (", ".join(ys[:-1]) + " and " + ys[-1] if len(ys) > 1 else ys[0]) + (" years" if ys != ["1"] else " year")
    return ns_settings.rate_times_text(years)


st.title("Survival")
ui.how_to_read("survival")
data = ui.current_cohort()
sidebar_endpoint = ui.current_endpoint().key
if st.session_state.get(K.SURVIVAL_ENDPOINT, sidebar_endpoint) in ui.ENDPOINTS:
    st.session_state[K.SURVIVAL_ENDPOINT] = sidebar_endpoint  # follow the sidebar

ui.forget_on_new_dataset(K.SURVIVAL_DATASET, [K.SURVIVAL_GROUP, K.SURVIVAL_CUT])
# RFS, OS, competing risks, and extra endpoints the cohort holds (e.g. hepatic PFS)
endpoints = {**ui.ENDPOINTS, **ui.data_endpoints(data)}
ENDPOINT_LABELS = {k: e.label for k, e in endpoints.items()}
ENDPOINT_LABELS["competing"] = COMPETING_LABEL
if st.session_state.get(K.SURVIVAL_ENDPOINT) not in ENDPOINT_LABELS:
    st.session_state.pop(K.SURVIVAL_ENDPOINT, None)  # an extra endpoint of another dataset
cats, nums = ui.grouping_columns(data)
row1 = st.columns([3, 3, 2, 2])
endpoint = row1[0].selectbox(
    "Endpoint",
    list(ENDPOINT_LABELS),
    format_func=ENDPOINT_LABELS.get,
    key=K.SURVIVAL_ENDPOINT,
    on_change=_sync_sidebar_endpoint,
)
group_options = [""] + cats + nums  # "" = whole cohort (a None value shows as an empty selectbox)
default_group = ui.default_grouping(data, group_options) or ""
if st.session_state.get(K.SURVIVAL_GROUP, default_group) not in group_options:
    st.session_state.pop(K.SURVIVAL_GROUP, None)  # another dataset: start again
st.session_state.setdefault(K.SURVIVAL_GROUP, default_group)
group = row1[1].selectbox(
    "Compare groups",
    group_options,
    format_func=lambda c: ui.column_label(c or None) + (" (cut in two)" if c in nums else ""),
    key=K.SURVIVAL_GROUP,
) or None
unit = row1[2].radio("Time unit", ["months", "years"], horizontal=True, key=K.SURVIVAL_UNIT)

time_col = "rfs_months" if endpoint == "competing" else endpoints[endpoint].time
if not has_times(data, time_col):
    ui.show_error(ns.MissingColumnError(
        f"This cohort has no follow-up times in '{time_col}', so "
        f"{ENDPOINT_LABELS[endpoint].lower()} cannot be analysed. Map a follow-up time "
        "(or the dates of surgery, recurrence, death and last follow-up) when importing."
    ))
    st.stop()
horizon = row1[3].number_input(
    f"Horizon ({unit})",
    min_value=0.1 if unit == "years" else 1.0,
    value=default_horizon(longest_follow_up(data, time_col, unit), unit),
    step=1.0 if unit == "years" else 6.0,
    format="%g",
    key=ui.horizon_key(unit, time_col),
    help="End of the time axis, and the time up to which the restricted mean survival (RMST) is computed.",
)

cut = None
row2 = st.columns([3, 3, 2, 2])
if group in cats:
    data = ui.reference_group(data, group, K.SURVIVAL_REFERENCE, row2[0])
if group in nums:
    mode = row2[0].radio(
        f"Cut {ui.column_label(group)} at", ["median", "value"], horizontal=True, key=K.SURVIVAL_CUT,
    )
    if mode == "median":
        cut = "median"
    else:
        cut = row2[1].number_input(
            f"Cut point (≥ goes to the upper group)",
            value=ns.cut_numeric(data, group).cutpoint,  # start from the median
            format="%g",
            key=f"{K.SURVIVAL_CUT_VALUE}_{group}",
        )
with row2[2]:
    show_ci = st.checkbox("Confidence bands", value=False, key=K.SURVIVAL_CI)
    show_medians = st.checkbox("Median lines", value=False, key=K.SURVIVAL_MEDIANS,
                               disabled=endpoint == "competing")
row2[1].multiselect(
    "Rates at (years)", list(range(1, 16)), default=[1, 3, 5], key=K.SURVIVAL_RATE_YEARS, placeholder="No year chosen (type other times beside)",
    help="The times of the survival table (e.g. 4-year or 10-year survival, as a paper reports).")
row2[1].text_input("Other times", key=K.SURVIVAL_RATE_OTHER, placeholder="e.g. 6 months, 18 months, 2.5 years",
                   help="Any times in months or years, comma-separated; a number alone is in years.")
try:
    rate_years = ui.rate_years()
except ns.AnalysisError as err:
    ui.show_error(err)
    rate_years = tuple(sorted(st.session_state.get(K.SURVIVAL_RATE_YEARS) or (1, 3, 5)))
with row2[3]:
    use_landmark = st.checkbox("Landmark", value=False, key=K.SURVIVAL_LANDMARK_ON,
                               help="Only patients still event-free and followed at the landmark; "
                                    "time is counted from the landmark.")
    landmark = None
    if use_landmark:
        landmark = st.number_input(
            f"Landmark ({unit})",
            min_value=0.1 if unit == "years" else 1.0,
            value=1.0 if unit == "years" else 12.0,
            format="%g",
            key=f"{K.SURVIVAL_LANDMARK}_{unit}",
        )

try:
    if endpoint == "competing":
        report = ui.competing_report(data, group, cut, unit, float(horizon), landmark, rate_years)
    else:
        ep = endpoints[endpoint]
        os_ep = ui.ENDPOINTS["os"]  # papers report follow-up from overall survival
        has_os = os_ep.event in data.columns and has_times(data, os_ep.time)
        report = ui.survival_report(data, ep.time, ep.event, group, cut, unit, float(horizon),
                                    landmark, ep.label, ep.event_label,
                                    (os_ep.time, os_ep.event) if has_os else None, rate_years)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.stop()

left, right = st.columns([3, 2], gap="large")
if endpoint == "competing":
    fig = ui.figure(
        cif_figure, report.cif, cif_competing=report.cif_death, at_risk=report.at_risk,
        test=report.cif.gray_test if group else None, horizon=report.horizon, time_unit=unit,
        ci=show_ci, group_name=report.group_name,
        time_origin="landmark" if report.landmark is not None else "surgery",
    )
    with left:
        ui.plotly_chart(fig, key="survival_figure", config=PLOT_CONFIG)
        ui.downloads("survival_cif", fig=fig, stem="cumulative_incidence",
                     table=ui.block("cumulative_incidence", "Cumulative incidence of recurrence, % (95 % CI)",
                                    nv.rates_view(report.rates, unit, estimate="estimate"),
                                    [nv.rates_footnote(report.rates)] if nv.rates_footnote(report.rates) else [],
                                    report.rates))
    with right:
        st.markdown(f"**{report.n} patients · {report.n_recurrence} recurrences · "
                    f"{report.n_death} deaths without recurrence**")
        if report.cif.gray_test is not None:
            st.markdown(nv.test_line(report.cif.gray_test, "Gray's test"))
        st.markdown("**Cumulative incidence of recurrence**, % (95 % CI)")
        ui.result_table(nv.rates_view(report.rates, unit, estimate="estimate"), hide_index=True,
                     key="survival_cif_rates")
else:
    fig = ui.figure(
        km_figure, report.km, test=report.test, horizon=report.horizon, time_unit=unit, ci=show_ci,
        medians=show_medians, group_name=report.group_name, y_title=report.endpoint,
        time_origin="landmark" if report.landmark is not None else "surgery",
    )
    with left:
        ui.plotly_chart(fig, key="survival_figure", config=PLOT_CONFIG)
        notes = ["Kaplan–Meier estimates with 95 % CIs (log transformation)."]
        if nv.rates_footnote(report.rates):
            notes.append(nv.rates_footnote(report.rates))
        if report.test is not None:
            notes.append(nv.test_line(report.test) + " (log-rank test).")
        ui.downloads("survival_km", fig=fig, stem=f"kaplan_meier_{endpoint}",
                     table=ui.block(f"survival_{endpoint}", f"{report.endpoint}: medians and rates",
                                    nv.survival_table_view(report.km.medians, report.rates, unit), notes,
                                    report.km.medians))
    with right:
        events = int(report.km.medians["events"].sum())
        st.markdown(f"**{events} events ({report.event_label}) in {report.n} patients**")
        if report.test is not None:
            st.markdown(nv.test_line(report.test))
        if report.trend is not None:
            st.markdown(nv.test_line(report.trend, "Test for trend (ordered groups)"))
        ui.result_table(nv.medians_view(report.km.medians, unit), hide_index=True, key="survival_medians_table")
        st.markdown(f"**Survival at {_years_text(rate_years)}**, % (95 % CI)")
        ui.result_table(nv.rates_view(report.rates, unit), hide_index=True, key="survival_rates")
        if nv.rates_footnote(report.rates):
            st.caption(nv.rates_footnote(report.rates))
        ui.result_table(nv.follow_up_view(report.follow_up, unit), hide_index=True, key="survival_follow_up")
        st.caption(f"Follow-up: reverse Kaplan–Meier on {in_sentence(ui.column_label(report.follow_up_columns[0]))}.")
        if report.rmst is not None:
            st.markdown(f"**Restricted mean survival time** up to {report.horizon:g} {unit}")
            ui.result_table(nv.rmst_view(report.rmst, unit), hide_index=True, key="survival_rmst")
            if report.rmst_difference is not None and len(report.rmst_difference) == 1:
                ui.result_table(nv.rmst_difference_view(report.rmst_difference, unit), hide_index=True,
                             key="survival_rmst_diff")
    if report.pairwise is not None:
        st.markdown("**Pairwise log-rank tests** (Holm-adjusted p-values)")
        ui.result_table(nv.pairwise_view(report.pairwise), hide_index=True, key="survival_pairwise")

excluded = []
if report.n_excluded:
    excluded.append(f"{report.n_excluded} patient(s) left out for a missing time, event or group")
if report.n_landmark_excluded:
    excluded.append(f"{report.n_landmark_excluded} with an event or end of follow-up before the landmark")
if excluded:
    st.caption("; ".join(excluded) + ".")
for w in report.warnings:
    st.warning(w, icon=":material/warning:")
st.markdown("**Reading**")
st.markdown(report.narrative)
if endpoint != "competing":
    ui.manuscript_text("survival", report.narrative,
                       manuscript.survival_methods(report.endpoint, unit, report.landmark))
