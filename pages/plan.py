"""Plan a study: events and patients the next study needs, started from this cohort's results.

Thin: widgets -> nelm_stats.planning_inputs (what the cohort suggests) and the sample-size
functions (equal to rpact / pwr / stats) -> figures from nelm_stats.figures.planning and the
sentences of nelm_stats.report.planning_text.
"""
from __future__ import annotations

import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.figures.planning import power_curve_figure, timeline_figure
from nelm_stats.report import planning_text as pt
from nelm_stats.report.format import display_label, fmt_num, fmt_pct

K = ui.Keys
POWERS = [0.8, 0.85, 0.9, 0.95]
ALPHAS = [0.05, 0.025, 0.01]
NI_ALPHAS = [0.025, 0.05, 0.01]
SIDED = {2: "Two-sided", 1: "One-sided"}
SURVIVAL_METHODS = {"schoenfeld": "Schoenfeld", "freedman": "Freedman"}
RATE_METHODS = {"arcsine": "Arcsine (pwr)", "normal": "Normal approximation (power.prop.test)"}
RATE_DESIGNS = {"superiority": "Detect a difference", "noninferiority": "Non-inferiority of a new technique"}
PLOT_CONFIG = {"displaylogo": False}


@ui.session_cached
def _inputs(data, time, event, group, control, treated):
    return ns.planning_inputs(data, time, event, group, control=control, treated=treated)


st.title("Plan a study")
ui.how_to_read("plan")
st.caption("How many events and patients the next study needs to confirm what this cohort suggests. "
           "Start from the observed values below, change any of them; the numbers equal R's rpact and pwr.")

data = ui.current_cohort()
endpoints = ui.data_endpoints(data)
cats = ns.grouping_columns(data)[0]

row = st.columns(4)
endpoint = None
if endpoints:
    sidebar_endpoint = ui.current_endpoint().key
    ui.keep_valid(K.PLAN_ENDPOINT, list(endpoints), sidebar_endpoint if sidebar_endpoint in endpoints
                  else next(iter(endpoints)))
    endpoint = endpoints[row[0].selectbox("Endpoint", list(endpoints), format_func=lambda k: endpoints[k].label,
                                          key=K.PLAN_ENDPOINT)]
group_options = [""] + cats
ui.keep_valid(K.PLAN_GROUP, group_options, ui.default_grouping(data, group_options) or "")
group = row[1].selectbox("Compare groups of", group_options, key=K.PLAN_GROUP,
                         format_func=lambda c: ui.column_label(c or None)) or None

time, event = (endpoint.time, endpoint.event) if endpoint else (None, None)
try:
    first = _inputs(data, time, event, group, None, None)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.stop()
control = treated = None
if first.levels:
    ui.keep_valid(f"{K.PLAN_CONTROL}_{group}", list(first.levels), first.control)
    control = row[2].selectbox("Control group", list(first.levels), key=f"{K.PLAN_CONTROL}_{group}",
                               format_func=display_label)
    others = [lv for lv in first.levels if lv != control]
    ui.keep_valid(f"{K.PLAN_TREATED}_{group}", others, first.treated if first.treated in others else others[0])
    treated = row[3].selectbox("New treatment group", others, key=f"{K.PLAN_TREATED}_{group}",
                               format_func=display_label)
try:
    inputs = _inputs(data, time, event, group, control, treated)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.stop()

# the prefilled values follow the cohort and the comparison; the user's edits stay until those change
source = (ui.current_dataset(), endpoint.key if endpoint else "", group or "", control or "", treated or "")
if st.session_state.get(K.PLAN_SOURCE) != source:
    st.session_state[K.PLAN_HR] = round(inputs.planning_hazard_ratio, 2)
    st.session_state[K.PLAN_MEDIAN] = round(inputs.planning_median_control, 1)
    st.session_state[K.PLAN_P_CONTROL] = round(100 * inputs.planning_rate_control, 1)
    st.session_state[K.PLAN_P_TREATED] = round(100 * inputs.planning_rate_treated, 1)
    st.session_state[K.PLAN_SOURCE] = source

tab_survival, tab_rates = st.tabs(["Survival", "Margin rates"])

with tab_survival:
    if endpoint is None:
        st.info("Needs follow-up times (an endpoint such as recurrence-free or overall survival) to plan a "
                "survival comparison; the margin rates can still be planned.")
    else:
        st.markdown(pt.observed_survival(inputs, endpoint.label))
        note = pt.hazard_ratio_note(inputs)
        if note:
            st.info(note, icon=":material/info:")
        c = st.columns(4)
        hr = c[0].number_input("Hazard ratio to detect (new vs control)", min_value=0.01, max_value=20.0, step=0.05,
                               format="%.2f", key=K.PLAN_HR,
                               help="Below 1: the new treatment lowers the hazard of an event.")
        median = c[1].number_input("Median in the control group (months)", min_value=0.5, max_value=600.0,
                                   step=1.0, format="%.1f", key=K.PLAN_MEDIAN)
        accrual = c[2].number_input("Accrual (months)", min_value=1.0, max_value=240.0, step=6.0, format="%g",
                                    value=ns.estimators.planning.DEFAULT_ACCRUAL, key=K.PLAN_ACCRUAL,
                                    help="The time over which patients are enrolled (evenly).")
        follow_up = c[3].number_input("Further follow-up (months)", min_value=0.0, max_value=240.0, step=6.0,
                                      format="%g", value=ns.estimators.planning.DEFAULT_FOLLOW_UP,
                                      key=K.PLAN_FOLLOW_UP, help="From the last patient enrolled to the analysis.")
        c = st.columns(4)
        power = c[0].selectbox("Power", POWERS, format_func=lambda p: fmt_pct(p, 0), key=K.PLAN_POWER)
        alpha = c[1].selectbox("Significance level α", ALPHAS, format_func=lambda a: f"{a:g}", key=K.PLAN_ALPHA)
        sided = c[2].radio("Test", list(SIDED), format_func=SIDED.get, horizontal=True, key=K.PLAN_SIDED)
        method = c[3].radio("Formula", list(SURVIVAL_METHODS), format_func=SURVIVAL_METHODS.get, horizontal=True,
                            key=K.PLAN_METHOD, help="Schoenfeld (log hazard ratio) or Freedman.")
        c = st.columns(4)
        allocation = c[0].number_input("New-treatment patients per control patient", min_value=0.25,
                                       max_value=4.0, value=1.0, step=0.5, format="%g", key=K.PLAN_ALLOCATION)
        dropout = c[1].number_input("Drop-out (%)", min_value=0.0, max_value=50.0, value=5.0, step=1.0,
                                    format="%g", key=K.PLAN_DROPOUT,
                                    help="Patients lost to follow-up by the drop-out time, in each arm.")
        dropout_time = c[2].number_input("By (months)", min_value=1.0, max_value=240.0, value=12.0, step=6.0,
                                         format="%g", key=K.PLAN_DROPOUT_TIME)
        try:
            plan = ns.survival_sample_size(
                hr, median_control=median, accrual_time=accrual, follow_up_time=follow_up, alpha=alpha,
                power=power, sided=sided, allocation_ratio=allocation, dropout_rate=dropout / 100,
                dropout_time=dropout_time, method=method)
        except ns.AnalysisError as err:
            ui.show_error(err)
        else:
            n_treated, n_control, n_total = pt.arms(plan.patients_treated, plan.patients_control)
            m = st.columns(4)
            m[0].metric("Events required", str(pt.rounded_up(plan.events)))
            m[1].metric("Patients", str(n_total))
            m[2].metric("Per arm (new / control)", f"{n_treated} / {n_control}")
            m[3].metric("Study duration", f"{fmt_num(plan.duration, 0)} months")
            st.markdown(f"**For the protocol.** {pt.survival_protocol(plan, endpoint.label)}")
            st.caption(pt.survival_design_note(plan))
            left, right = st.columns(2)
            with left:
                ui.chart(ui.figure(power_curve_figure, plan, title="Power by number of patients"),
                                key="plan_power_figure", config=PLOT_CONFIG)
            with right:
                ui.chart(ui.figure(timeline_figure, plan, title="Accrual and expected events"),
                                key="plan_timeline_figure", config=PLOT_CONFIG)

with tab_rates:
    observed = pt.observed_rates(inputs)
    if observed:
        st.markdown(observed)
    note = pt.rates_note(inputs)
    if note:
        st.info(note, icon=":material/info:")
    design = st.radio("Design", list(RATE_DESIGNS), format_func=RATE_DESIGNS.get, horizontal=True,
                      key=K.PLAN_RATE_DESIGN)
    c = st.columns(4)
    if design == "superiority":
        p_control = c[0].number_input("Positive margins, control (%)", min_value=0.1, max_value=99.9, step=1.0,
                                      format="%.1f", key=K.PLAN_P_CONTROL)
        p_treated = c[1].number_input("Positive margins, new technique (%)", min_value=0.1, max_value=99.9,
                                      step=1.0, format="%.1f", key=K.PLAN_P_TREATED)
        r_power = c[2].selectbox("Power", POWERS, format_func=lambda p: fmt_pct(p, 0), key=K.PLAN_RATE_POWER)
        r_alpha = c[3].selectbox("Significance level α (two-sided)", ALPHAS, format_func=lambda a: f"{a:g}",
                                 key=K.PLAN_RATE_ALPHA)
        r_method = st.radio("Formula", list(RATE_METHODS), format_func=RATE_METHODS.get, horizontal=True,
                            key=K.PLAN_RATE_METHOD)
        try:
            rplan = ns.proportions_sample_size(p_control / 100, p_treated / 100, alpha=r_alpha, power=r_power,
                                               method=r_method)
        except ns.AnalysisError as err:
            ui.show_error(err)
        else:
            n = pt.rounded_up(rplan.n_per_group)
            m = st.columns(3)
            m[0].metric("Patients per group", str(n))
            m[1].metric("Patients", str(2 * n))
            st.markdown(f"**For the protocol.** {pt.rates_protocol(rplan)}")
            ui.chart(ui.figure(power_curve_figure, rplan, title="Power by number of patients"),
                            key="plan_rates_power_figure", config=PLOT_CONFIG)
    else:
        p_standard = c[0].number_input("Positive margins, standard technique (%)", min_value=0.1, max_value=99.9,
                                       step=1.0, format="%.1f", key=K.PLAN_P_CONTROL)
        p_new = c[1].number_input("Expected with the new technique (%)", min_value=0.1, max_value=99.9, step=1.0,
                                  format="%.1f", key=K.PLAN_P_TREATED)
        margin = c[2].number_input("Non-inferiority margin (percentage points)", min_value=0.5, max_value=50.0,
                                   value=10.0, step=1.0, format="%g", key=K.PLAN_NI_MARGIN,
                                   help="How much higher the rate may be with the new technique and still be "
                                        "acceptable.")
        r_power = c[3].selectbox("Power", POWERS, format_func=lambda p: fmt_pct(p, 0), key=K.PLAN_RATE_POWER)
        r_alpha = st.selectbox("Significance level α (one-sided)", NI_ALPHAS, format_func=lambda a: f"{a:g}",
                               key=f"{K.PLAN_RATE_ALPHA}_ni")
        try:
            nplan = ns.noninferiority_sample_size(p_standard / 100, p_new / 100, margin=margin / 100, alpha=r_alpha,
                                                  power=r_power)
        except ns.AnalysisError as err:
            ui.show_error(err)
        else:
            n_new, n_standard, total = pt.arms(nplan.n_new, nplan.n_standard)
            m = st.columns(3)
            m[0].metric("Patients per group", str(n_new))
            m[1].metric("Patients", str(total))
            st.markdown(f"**For the protocol.** {pt.noninferiority_protocol(nplan)}")
            ui.chart(ui.figure(power_curve_figure, nplan, title="Power by number of patients"),
                            key="plan_ni_power_figure", config=PLOT_CONFIG)
