"""Margins & complications: R0/R1/R2 rates by group, margin distance, before/after re-resection,
lesion-level rates, Clavien–Dindo, 90-day mortality, bile leak, length of stay, recurrence pattern.

Thin: widgets -> cached nelm_stats calls -> tables and figures from nelm_stats.figures.comparison.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import manuscript, views
from nelm_stats.figures.comparison import distribution_figure, margin_figure, rates_figure
from nelm_stats.report.format import display_label, fmt_num, fmt_p, fmt_p_bare, fmt_ratio, in_sentence, level_label

K = ui.Keys
POSITIVE = list(ns.schema.POSITIVE_MARGINS)
CI = {"wilson": "Wilson score", "exact": "Exact (Clopper–Pearson)"}
TESTS = {"auto": "Automatic (Fisher if an expected count < 5)", "fisher": "Fisher's exact", "chi-square": "Chi-square"}

@ui.session_cached
def _distribution(data, outcome, group, test, ci):
    return ns.compare_distribution(data, outcome, group, test=test, ci_method=ci)


@ui.session_cached
def _rates(data, outcome, group, test, ci, event):
    return ns.compare_rates(data, outcome, group, test=test, ci_method=ci, event=list(event) if event else None)


@ui.session_cached
def _distance(data, group, threshold, test, ci):
    dist = ns.margin_distribution(data, "margin_mm", group, threshold=threshold)
    rates = ns.compare_rates(data.assign(_r1=ns.margin_r1(data, threshold=threshold)), "_r1", group,
                             test=test, ci_method=ci)
    return dist, rates


@ui.session_cached
def _paired(data, before, after, event, ci):
    return ns.paired_change(data, before, after, event=event, ci_method=ci)


@ui.session_cached
def _clustered(joined, group, corstr):
    return ns.clustered_rates(joined, "margin_status", group, cluster="patient_id", corstr=corstr, event=POSITIVE)


@ui.session_cached
def _complications(data, group, test, ci):
    return ns.complication_summary(data, group, test=test, ci_method=ci)


@ui.session_cached
def _stay(data, group):
    return ns.table_one(data, group, ["length_of_stay_days"], continuous="median")


def _label(g: str) -> str:
    """A group named for people ('With cystic metastases', not 'yes'); ``group`` is the page's grouping."""
    return "All patients" if g == "all" else level_label(g, group)


def _as_percent(table, columns=("rate", "ci_lower", "ci_upper")):
    """Display copy: group labels for people, proportions as percentages (one decimal)."""
    t = table.copy()
    t["group"] = t["group"].map(_label)
    for c in columns:
        t[c] = 100 * t[c]
    return t


PCT = {"rate": st.column_config.NumberColumn("Rate (%)", format="%.1f"),
       "ci_lower": st.column_config.NumberColumn("95 % CI lower", format="%.1f"),
       "ci_upper": st.column_config.NumberColumn("95 % CI upper", format="%.1f")}


def _rate_table(table):
    return _as_percent(table), {"group": "Group", "n": "Patients", "events": "Events", **PCT}


def _rates_block(res, label, key):
    res = views.with_level_labels(res, group)
    t, cfg = _rate_table(res.table)
    ui.result_table(t, hide_index=True, column_config=cfg, key=f"{key}_table")
    parts = [f"{res.test}, {fmt_p(res.p_value)}"] if res.p_value == res.p_value else []
    if res.odds_ratio == res.odds_ratio:
        parts.append(fmt_ratio("odds ratio", res.odds_ratio, res.or_ci_lower, res.or_ci_upper)[:-1]
                     + "; fisher.test conditional MLE)")
        parts.append(f"risk difference {100 * res.risk_difference:+.1f} percentage points (95 % CI "
                     f"{100 * res.rd_ci_lower:+.1f} to {100 * res.rd_ci_upper:+.1f}; Newcombe)")
    if parts:
        st.markdown(" · ".join(parts) + (f" — second group vs {in_sentence(display_label(res.table['group'].iloc[0]))}"
                                        if res.odds_ratio == res.odds_ratio else ""))
    if res.n_excluded:
        st.caption(f"{res.n_excluded} patient(s) with a missing value were left out.")
    fig = ui.figure(rates_figure, res, outcome_label=label)
    ui.plotly_chart(fig, key=f"{key}_fig")
    shown = _as_percent(res.table)
    ui.downloads(key, fig=fig, stem=key, table=ui.block(
        key, label, shown.assign(**{c: [fmt_num(x) for x in shown[c]] for c in ("rate", "ci_lower", "ci_upper")}).rename(
            columns={"rate": "Rate (%)", "ci_lower": "95 % CI lower (%)", "ci_upper": "95 % CI upper (%)"}),
        [f"{res.test}, {fmt_p(res.p_value)}."] if res.p_value == res.p_value else [], res.table))


def _distribution_block(res, title, key):
    res = views.with_level_labels(res, group)
    t = res.table.copy()
    t["group"] = t["group"].map(_label)
    ui.result_table(t, hide_index=True, key=f"{key}_table", column_config={
        "group": "Group", "level": "Category", "n": "Patients in group", "count": "n",
        "percent": st.column_config.NumberColumn("%", format="%.1f"),
        "ci_lower": st.column_config.NumberColumn("95 % CI lower (%)", format="%.1f"),
        "ci_upper": st.column_config.NumberColumn("95 % CI upper (%)", format="%.1f")})
    fig = ui.figure(distribution_figure, res, title=title)
    ui.plotly_chart(fig, key=f"{key}_fig")
    ui.downloads(key, fig=fig, stem=key, table=ui.block(
        key, title, t.assign(**{c: [fmt_num(x) for x in t[c]] for c in ("percent", "ci_lower", "ci_upper")}).rename(
            columns={"level": "Category", "n": "Patients in group", "count": "n", "percent": "%",
                     "ci_lower": "95 % CI lower (%)", "ci_upper": "95 % CI upper (%)"}), [], res.table))


st.title("Margins & complications")
ui.how_to_read("margins")
st.caption("Positive-margin rates by group with confidence intervals, the margin as a distance, "
           "before/after re-resection, lesion-level rates, and the complications of a liver-surgery paper.")

data = ui.current_cohort()
lesions = ui.current_lesions()
group_opts = ["", *ns.grouping_columns(data, ns.schema.PRE_TREATMENT_ROLES)[0]]  # "" = whole cohort
default_group = ui.default_grouping(data, group_opts) or ""  # the cohort's question (the paper's grouping)
ui.forget_on_new_dataset(K.MARGINS_DATASET, [K.MARGINS_GROUP])
ui.keep_valid(K.MARGINS_GROUP, group_opts, default_group)
c1, c1b, c2, c3 = st.columns([3, 2, 3, 3])
group = c1.selectbox("Compare groups of", group_opts, key=K.MARGINS_GROUP,
                     format_func=lambda c: ui.column_label(c or None)) or None
data = ui.reference_group(data, group, K.MARGINS_REFERENCE, c1b)
ci = c2.radio("Confidence intervals", list(CI), format_func=CI.get, key=K.MARGINS_CI, horizontal=True)
test = c3.selectbox("Test", list(TESTS), format_func=TESTS.get, key=K.MARGINS_TEST)

# Only the open tab is computed and drawn; the choices made inside a closed tab are kept meanwhile.
ui.keep_choices({K.MARGINS_THRESHOLD: 1.0, K.MARGINS_CORSTR: "independence"})
tab_status, tab_mm, tab_paired, tab_lesion, tab_comp = ui.lazy_tabs(
    ["Margin status", "Margin distance", "Before / after", "Per lesion", "Complications & recurrence"], K.MARGINS_VIEW)

if tab_status.open:
    with tab_status:
        if "margin_status" not in data.columns or data["margin_status"].notna().sum() == 0:
            st.info("Needs a margin status (a column `margin_status`) with R0 / R1 / R2 for each patient.")
        else:
            try:
                _distribution_block(_distribution(data, "margin_status", group, test, ci), "R0 / R1 / R2", "margins_status")
                st.markdown("**Positive margin (R1 or R2)**")
                positive = _rates(data, "margin_status", group, test, ci, tuple(POSITIVE))
                _rates_block(positive, "R1/R2 rate", "margins_positive")
                ui.manuscript_text("margins", manuscript.margins_results(positive, group), manuscript.margins_methods())
            except ns.AnalysisError as err:
                ui.show_error(err)

if tab_mm.open:
    with tab_mm:
        if "margin_mm" not in data.columns or data["margin_mm"].notna().sum() == 0:
            st.info("Needs the closest margin in millimetres (a column `margin_mm`).")
        else:
            threshold = st.number_input("R1 when the closest margin is below (mm)", min_value=0.1, max_value=20.0,
                                        step=0.5, key=K.MARGINS_THRESHOLD)
            try:
                dist, rates = _distance(data, group, float(threshold), test, ci)
                ui.chart(ui.figure(margin_figure, dist), key="margins_distance_fig")
                s = dist.summary.copy()
                s["group"] = s["group"].map(_label)
                ui.result_table(s, hide_index=True, key="margins_distance_table", column_config={
                    "group": "Group", "n": "Patients", "median": st.column_config.NumberColumn("Median (mm)", format="%.1f"),
                    "q1": st.column_config.NumberColumn("Q1", format="%.1f"),
                    "q3": st.column_config.NumberColumn("Q3", format="%.1f"),
                    "below_threshold": f"Below {threshold:g} mm",
                    "percent_below": st.column_config.NumberColumn("%", format="%.1f")})
                st.markdown(f"**R1 defined as a margin below {threshold:g} mm**")
                _rates_block(rates, f"R1 (< {threshold:g} mm) rate", "margins_r1mm")
            except ns.AnalysisError as err:
                ui.show_error(err)

if tab_paired.open:
    with tab_paired:
        candidates = []
        for table_name, table in (("lesions", lesions), ("patients", data)):
            if table is None:
                continue
            for c in table.columns:
                if c.endswith("_before_reresection") and c.removesuffix("_before_reresection") == "margin_status" \
                        and "margin_status" in table.columns:
                    candidates.append((table_name, c, "margin_status"))
        if not candidates:
            st.info("Needs two margin-status columns measured on the same lesions or patients: "
                    "the status before re-resection of fluorescent tissue (`margin_status_before_reresection`) "
                    "and the final status (`margin_status`).")
        else:
            labels = [f"R0 before vs after re-resection ({t})" for t, _, _ in candidates]
            ui.keep_valid(K.MARGINS_PAIRED, labels, labels[0])
            choice = st.selectbox("Paired comparison", labels, key=K.MARGINS_PAIRED)
            table_name, before, after = candidates[labels.index(choice)]
            table = lesions if table_name == "lesions" else data
            try:
                res = _paired(table, before, after, "R0", ci)
                a, b, c = st.columns(3)
                a.metric("R0 before", f"{100 * res.rate_before:.1f} %",
                         help=f"95 % CI {100 * res.ci_before[0]:.1f}–{100 * res.ci_before[1]:.1f} %")
                b.metric("R0 after", f"{100 * res.rate_after:.1f} %",
                         help=f"95 % CI {100 * res.ci_after[0]:.1f}–{100 * res.ci_after[1]:.1f} %")
                c.metric("Status changed", f"{res.n_changed} of {res.n}",
                         help=f"{100 * res.share_changed:.1f} % (95 % CI {100 * res.changed_ci[0]:.1f}–"
                              f"{100 * res.changed_ci[1]:.1f} %)")
                st.markdown(f"R0 {100 * res.rate_before:.1f} % (95 % CI {100 * res.ci_before[0]:.1f}–"
                            f"{100 * res.ci_before[1]:.1f}) before and {100 * res.rate_after:.1f} % "
                            f"({100 * res.ci_after[0]:.1f}–{100 * res.ci_after[1]:.1f}) after re-resection, "
                            f"{res.n} {table_name}; {res.test}, {fmt_p(res.p_value)}.")
                t = res.table.assign(before=lambda d: d["before"].map({True: "R0", False: "R1/R2"}),
                                     after=lambda d: d["after"].map({True: "R0", False: "R1/R2"}))
                ui.result_table(t, hide_index=True, key="margins_paired_table",
                             column_config={"before": "Before", "after": "After", "n": "n"})
                st.caption("McNemar's test treats each " + table_name.rstrip("s") + " as independent"
                           + (" (several lesions of one patient are not)." if table_name == "lesions" else ".")
                           + (f" {res.n_excluded} row(s) missing either status were left out." if res.n_excluded else ""))
            except ns.AnalysisError as err:
                ui.show_error(err)
        if "management_changed" in data.columns and data["management_changed"].notna().any():
            try:
                res = _rates(data, "management_changed", None, "auto", ci, ())
                r = res.table.iloc[0]
                st.markdown(f"**Surgical management changed** in {r.events} of {r.n} patients "
                            f"({100 * r.rate:.1f} %, 95 % CI {100 * r.ci_lower:.1f}–{100 * r.ci_upper:.1f}).")
            except ns.AnalysisError as err:
                ui.show_error(err)

if tab_lesion.open:
    with tab_lesion:
        if lesions is None:
            st.info("Needs a lesion table (one row per resected lesion, with `patient_id` and `margin_status`); "
                    "this data set has none.")
        elif "margin_status" not in lesions.columns or lesions["margin_status"].notna().sum() == 0:
            st.info("The lesion table needs a margin status (a column `margin_status`: R0 / R1 / R2 per lesion).")
        else:
            corstr = st.radio("GEE working correlation", ["independence", "exchangeable"], key=K.MARGINS_CORSTR,
                              horizontal=True)
            try:
                joined = ns.join_patient_columns(lesions, data, [group]) if group else lesions
                res = _clustered(joined, group, corstr)
                st.markdown("**Per lesion** (CIs account for several lesions per patient: logistic GEE on "
                            "patient, robust variance)")
                ui.result_table(_as_percent(res.table), hide_index=True, key="margins_lesion_table", column_config={
                    "group": "Group", "n": "Lesions", "clusters": "Patients", "events": "R1/R2 lesions", **PCT,
                    "std_err": st.column_config.NumberColumn("SE (logit)", format="%.3f")})
                if res.odds_ratio == res.odds_ratio:
                    st.markdown(f"GEE {fmt_ratio('odds ratio', res.odds_ratio, res.or_ci_lower, res.or_ci_upper)}, "
                                f"robust Wald {fmt_p(res.p_value)}.")
                st.markdown("**Per patient** (R1/R2 in any lesion)")
                _rates_block(res.per_patient, "Patients with an R1/R2 lesion", "margins_lesion_patient")
            except ns.AnalysisError as err:
                ui.show_error(err)

if tab_comp.open:
    with tab_comp:
        try:
            comp = _complications(data, group, test, ci)
            if len(comp.table):
                shown = _as_percent(comp.table).assign(p_value=[fmt_p_bare(p) for p in comp.table["p_value"]])
                ui.result_table(shown, hide_index=True, key="margins_complications_table",
                             column_config={"outcome": "Outcome", "group": "Group", "n": "Patients", "events": "Events",
                                            **PCT, "test": "Test", "p_value": "p"})
            if comp.missing:
                st.caption("Not in this data set: " + "; ".join(comp.missing) + ".")
            if comp.clavien_dindo is not None:
                st.markdown("**Clavien–Dindo grade**")
                _distribution_block(comp.clavien_dindo, "Clavien–Dindo grade", "margins_cd")
            if comp.recurrence_pattern is not None:
                st.markdown("**Pattern of recurrence** (patients with a recurrence)")
                _distribution_block(comp.recurrence_pattern, "Site of recurrence", "margins_pattern")
        except ns.AnalysisError as err:
            ui.show_error(err)
        if "length_of_stay_days" in data.columns and data["length_of_stay_days"].notna().any():
            try:
                stay = _stay(data, group)
                st.markdown("**Length of stay**")
                ui.result_table(stay.formatted(), hide_index=True, key="margins_stay_table")
                for note in stay.footnotes()[:-1]:
                    st.caption(note)
            except ns.AnalysisError as err:
                ui.show_error(err)
