"""Naive vs correct: what a common error does to the numbers, on the current cohort.

Thin: widgets -> cached nelm_stats contrasts (nelm_stats.estimators.contrasts, compare_survival)
-> figures (nelm_stats.figures.contrasts, km) -> texts (nelm_stats.report.teaching, format).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.figures.contrasts import cutpoint_figure, estimates_figure, km_vs_cif_figure, pvalues_figure
from nelm_stats.figures.km import km_figure
from nelm_stats.report import teaching as T
from nelm_stats.report.format import amount, display_label, in_sentence, fmt_num, fmt_p, fmt_p_bare, fmt_pct
from nelm_stats.report.survival_report import has_times

K = ui.Keys
PLOT_CONFIG = {"displaylogo": False}
ORDER = ("km_vs_cif", "adjusted", "holm", "immortal_time", "pairs", "cutpoint")
KEY = "learn"  # widget keys: learn_<contrast>_<widget>


# ---- cached calls ------------------------------------------------------------------------------


@ui.session_cached
def _km_vs_cif(data):
    return ns.km_vs_cif(data, "rfs_months", "recurrence", "death", "rfs_event")


@ui.session_cached
def _match(data, treatment, covariates):
    return ns.propensity_match(data, treatment, list(covariates))


@ui.session_cached
def _compare(data, time, event, treatment, covariates):
    m = _match(data, treatment, covariates)
    w = ns.iptw(data, treatment, list(covariates))
    return ns.compare_survival(data, time, event, matched=m, weighted=w)


@ui.session_cached
def _pairwise(data, time, event, group):
    return ns.pairwise_adjustment(data, time, event, group)


@ui.session_cached
def _immortal(data, landmark):
    return ns.immortal_time(data, "os_months", "os_event", "recurrence", "rfs_months", landmark)


@ui.session_cached
def _pairs(data, time, event, treatment, covariates):
    return ns.matched_pairs_ignored(_match(data, treatment, covariates), time, event)


@ui.session_cached
def _cutpoint(data, time, event, covariate):
    return ns.optimal_cutpoint(data, time, event, covariate)


# ---- helpers -----------------------------------------------------------------------------------


def _missing(data, columns) -> list[str]:
    return [c for c in columns if c not in data.columns or not data[c].notna().any()]


def _lacks(columns: list[str], what: str) -> None:
    names = ", ".join(f"{ui.column_label(c)} (`{c}`)" for c in columns)
    st.info(f"This cohort has no {names}, so {what} cannot be shown. Map the column when importing the data.",
            icon=":material/info:")


def _cannot(err: Exception) -> None:
    """This cohort cannot show the contrast (too few events, a group without events): said as what
    it is on a teaching page, a property of the data, not an error of the tool."""
    st.info(f"Not possible on this cohort: {err}", icon=":material/info:")


def _toggle(key: str) -> bool:
    return st.toggle("Show the correct analysis", key=f"{KEY}_{key}_correct",  # default: page top (keep_choices)
                     help="Off: the naive analysis. On: the correct one.")


def _header(key: str, correct: bool) -> None:
    c = T.CONTRASTS[key]
    st.markdown(f"**Why.** {c.why}")
    st.markdown(f"Now showing: **{c.correct if correct else c.naive}**"
                + ("" if correct else f" · switch on to see: {c.correct.lower()}"))


def _treatment_choice(data, key: str):
    options = ns.treatment_columns(data)
    if not options:
        return None, ()
    default = st.session_state.get(K.PROPENSITY_TREATMENT)
    if default not in options:
        default = ns.default_treatment(data, options)
    ui.keep_valid(f"{KEY}_{key}_treatment", options, default)
    treatment = st.selectbox("Treatment (two groups)", options, format_func=ui.column_label,
                             key=f"{KEY}_{key}_treatment")
    covariates = tuple(ns.default_covariates(ns.covariate_columns(data, exclude=[treatment])))
    st.caption("Propensity score on " + ", ".join(in_sentence(ui.column_label(c)) for c in covariates)
               + "; change them on the Propensity page for your own analysis.")
    return treatment, covariates


# ---- the six contrasts ---------------------------------------------------------------------------


def km_vs_cif_section(data) -> None:
    lacking = _missing(data, ["rfs_months", "recurrence", "death"])
    if lacking:
        _lacks(lacking, "the risk of recurrence with death as a competing event")
        return
    correct = _toggle("km_vs_cif")
    _header("km_vs_cif", correct)
    try:
        r = _km_vs_cif(data)
    except ns.AnalysisError as err:
        _cannot(err)
        return
    last = float(r.table["time"].max())
    t = 60.0 if last >= 60 else max(12.0, 12.0 * int(last // 12)) if last >= 12 else last
    at = r.at([t]).iloc[0]
    cols = st.columns(3)
    label = f"Risk of recurrence at {amount(t / 12, 'years') if t % 12 == 0 else amount(t, 'months')}"
    if correct:
        cols[0].metric(f"{label}, cumulative incidence", fmt_pct(at["cif"], 1))
    else:
        cols[0].metric(f"{label}, 1 − Kaplan–Meier", fmt_pct(at["one_minus_km"], 1))
    cols[1].metric("Recurrences", str(r.n_recurrence))
    cols[2].metric("Deaths without recurrence", str(r.n_death))
    ui.chart(ui.figure(km_vs_cif_figure, r, correct=correct), key=f"{KEY}_km_vs_cif_figure",
                    config=PLOT_CONFIG)
    years = t % 12 == 0
    st.markdown(T.km_vs_cif_text(at["one_minus_km"], at["cif"], t / 12 if years else t, "years" if years else "months",
                                 r.n_death))
    if r.n_excluded:
        st.caption(f"{r.n_excluded} patient(s) left out for a missing time, recurrence or death status.")


def adjusted_section(data, ep) -> None:
    correct = _toggle("adjusted")
    _header("adjusted", correct)
    treatment, covariates = _treatment_choice(data, "adjusted")
    if treatment is None:
        st.info("This cohort has no column with two groups to compare (e.g. ICG used or not).", icon=":material/info:")
        return
    try:
        cmp = _compare(data, ep.time, ep.event, treatment, covariates)
    except ns.AnalysisError as err:
        _cannot(err)
        return
    names = {"crude": "Crude", "matched": "Propensity-matched", "weighted": "Weighted (IPTW)"}
    rows = [(names[r.analysis], r.hazard_ratio, r.ci_lower, r.ci_upper, r.p_value)
            for r in cmp.table.itertuples(index=False)]
    shown = [i for i, r in enumerate(cmp.table.itertuples(index=False))
             if (r.analysis != "crude") == correct and r.hazard_ratio == r.hazard_ratio]  # estimated only
    for w in cmp.warnings:
        st.warning(w, icon=":material/warning:")
    if not shown:
        return
    cols = st.columns(len(shown))
    for col, i in zip(cols, shown):
        label, hr, lo, hi, p = rows[i]
        col.metric(f"{label} hazard ratio", fmt_num(hr, 2), help=f"95 % CI {fmt_num(lo, 2)}–{fmt_num(hi, 2)}, {fmt_p(p)}")
    ui.chart(ui.figure(estimates_figure, rows, highlight=tuple(shown),
                              title=f"{ep.label}: {in_sentence(ui.column_label(treatment))}, "
                                    f"{display_label(cmp.crude.km.medians['group'].iloc[-1]) if cmp.crude else 'treated'}"
                                    f" vs {display_label(cmp.crude.km.medians['group'].iloc[0]) if cmp.crude else 'control'}"),
                    key=f"{KEY}_adjusted_figure", config=PLOT_CONFIG)
    ok = cmp.table.dropna(subset=["hazard_ratio"])
    if len(ok):
        st.markdown(T.crude_vs_adjusted_text(ok, ui.column_label(treatment)))


def holm_section(data, ep) -> None:
    cats, _ = ui.grouping_columns(data)
    options = [c for c in cats if data[c].nunique(dropna=True) >= 3]
    if not options:
        st.info("This cohort has no grouping with three or more groups (e.g. tumour grade), so there are no "
                "pairwise comparisons to adjust.", icon=":material/info:")
        return
    correct = _toggle("holm")
    _header("holm", correct)
    ui.keep_valid(f"{KEY}_holm_group", options, "grade" if "grade" in options else options[0])
    group = st.selectbox("Groups", options, format_func=ui.column_label, key=f"{KEY}_holm_group")
    try:
        r = _pairwise(data, ep.time, ep.event, group)
    except ns.AnalysisError as err:
        _cannot(err)
        return
    cols = st.columns(2)
    n_sig = r.n_significant["holm" if correct else "unadjusted"]
    cols[0].metric("Comparisons with p < 0.05" + (" after Holm's adjustment" if correct else ", unadjusted"), str(n_sig))
    cols[1].metric("Comparisons", str(r.n_comparisons))
    ui.chart(ui.figure(pvalues_figure, r, correct=correct), key=f"{KEY}_holm_figure", config=PLOT_CONFIG)
    view = {"Comparison": [f"{display_label(a)} vs {display_label(b)}" for a, b in zip(r.table["group_a"], r.table["group_b"])],
            "p, unadjusted": [fmt_p_bare(p) for p in r.table["p_value"]]}
    if correct:
        view["p, Holm"] = [fmt_p_bare(p) for p in r.table["p_holm"]]
        view["p, Bonferroni"] = [fmt_p_bare(p) for p in r.table["p_bonferroni"]]
    ui.result_table(pd.DataFrame(view), hide_index=True, key=f"{KEY}_holm_table")
    st.markdown(T.pairwise_text(r))


def immortal_time_section(data) -> None:
    lacking = _missing(data, ["os_months", "os_event", "recurrence", "rfs_months"])
    if lacking:
        _lacks(lacking, "the immortal-time example (overall survival by recurrence)")
        return
    correct = _toggle("immortal_time")
    _header("immortal_time", correct)
    st.caption("No column of this cohort records a treatment given after surgery (a re-resection, therapy for "
               "recurrence), so the example uses the textbook case: overall survival by whether the patient "
               "recurred, a grouping that is only known after surgery.")
    landmark = st.number_input("Landmark (months after surgery)", min_value=1.0, max_value=120.0,
                               step=6.0, format="%g", key=f"{KEY}_immortal_time_landmark")
    try:
        r = _immortal(data, float(landmark))
    except ns.AnalysisError as err:
        _cannot(err)
        return
    row = r.table.set_index("analysis").loc["landmark" if correct else "naive"]
    cols = st.columns(3)
    cols[0].metric("Hazard ratio of death, recurrence vs none" + (" (landmark)" if correct else " (from surgery)"),
                   fmt_num(row.hazard_ratio, 2), help=f"95 % CI {fmt_num(row.ci_lower, 2)}–{fmt_num(row.ci_upper, 2)}")
    cols[1].metric("Log-rank", fmt_p(row.logrank_p_value))
    cols[2].metric("Patients analysed", str(int(row.n)))
    km = r.km_landmark if correct else r.km_naive
    fig = ui.figure(km_figure, km, group_name="Recurrence", y_title="Overall survival",
                    title="Overall survival by recurrence " + (f"from a landmark at {amount(r.landmark, 'months')}"
                                                               if correct else "from surgery (naive)"),
                    time_origin="landmark" if correct else "surgery")
    ui.chart(fig, key=f"{KEY}_immortal_time_figure", config=PLOT_CONFIG)
    st.markdown(T.immortal_time_text(r, "Recurrence"))
    notes = []
    if r.n_excluded:
        notes.append(f"{r.n_excluded} patient(s) left out for a missing survival time, status or recurrence")
    if correct and r.n_landmark_excluded:
        notes.append(f"{r.n_landmark_excluded} died or ended follow-up before the landmark")
    if correct and r.n_reclassified:
        notes.append(f"{r.n_reclassified} recurred only after the landmark and count as without recurrence at the landmark")
    if notes:
        st.caption("; ".join(notes) + ".")


def pairs_section(data, ep) -> None:
    correct = _toggle("pairs")
    _header("pairs", correct)
    treatment, covariates = _treatment_choice(data, "pairs")
    if treatment is None:
        st.info("This cohort has no column with two groups to match on.", icon=":material/info:")
        return
    try:
        r = _pairs(data, ep.time, ep.event, treatment, covariates)
    except ns.AnalysisError as err:
        _cannot(err)
        return
    t = r.table.set_index("analysis")
    row = t.loc["clustered" if correct else "pairs ignored"]
    cols = st.columns(3)
    cols[0].metric("Hazard ratio (the same in both)", fmt_num(row.hazard_ratio, 2))
    cols[1].metric("Standard error" + (", clustered on the matched sets" if correct else ", pairs ignored"),
                   fmt_num(row.std_err, 3))
    cols[2].metric("95 % CI", f"{fmt_num(row.ci_lower, 2)}–{fmt_num(row.ci_upper, 2)}", help=fmt_p(row.p_value))
    rows = [("Pairs ignored", *t.loc["pairs ignored", ["hazard_ratio", "ci_lower", "ci_upper", "p_value"]]),
            ("Clustered on the matched sets", *t.loc["clustered", ["hazard_ratio", "ci_lower", "ci_upper", "p_value"]])]
    ui.chart(ui.figure(estimates_figure, rows, highlight=1 if correct else 0,
                              title=f"{ep.label}, matched cohort: {in_sentence(ui.column_label(treatment))}"),
                    key=f"{KEY}_pairs_figure", config=PLOT_CONFIG)
    st.markdown(T.matched_pairs_text(r))
    st.caption(f"Pairs ignored: {r.variance_naive}. Clustered: {r.variance_clustered}.")


def cutpoint_section(data, ep) -> None:
    _, nums = ui.grouping_columns(data)
    if not nums:
        st.info("This cohort has no measurement (such as Ki-67 or lesion size) to cut.", icon=":material/info:")
        return
    correct = _toggle("cutpoint")
    _header("cutpoint", correct)
    ui.keep_valid(f"{KEY}_cutpoint_covariate", nums, "ki67" if "ki67" in nums else nums[0])
    covariate = st.selectbox("Measurement", nums, format_func=ui.column_label, key=f"{KEY}_cutpoint_covariate")
    try:
        r = _cutpoint(data, ep.time, ep.event, covariate)
    except ns.AnalysisError as err:
        _cannot(err)
        return
    name = ui.column_label(covariate)
    cols = st.columns(3)
    if correct:
        cols[0].metric(f"Pre-specified cut ({fmt_num(r.prespecified, 1)}, median)" if r.prespecified_method == "median"
                       else f"Pre-specified cut ({fmt_num(r.prespecified, 1)})", fmt_p(r.p_prespecified))
        cols[1].metric("Minimum p corrected for the search (Altman 1994)", fmt_p(r.p_corrected))
        cols[2].metric(f"Permutation p ({r.n_permutations} permutations)", fmt_p(r.p_permutation))
    else:
        cols[0].metric(f"“Optimal” cut of {name}", fmt_num(r.optimal_cutpoint, 1))
        cols[1].metric("Smallest log-rank p-value", fmt_p(r.p_min))
        cols[2].metric("Cut points tried", str(len(r.scan)))
    ui.chart(ui.figure(cutpoint_figure, r, correct=correct, covariate_label=name),
                    key=f"{KEY}_cutpoint_figure", config=PLOT_CONFIG)
    st.markdown(T.cutpoint_text(r, name))
    for w in r.warnings:
        st.warning(w, icon=":material/warning:")


# ---- page ---------------------------------------------------------------------------------------


st.title("Naive vs correct")
st.caption("Six errors that are common in surgical series, each shown on this cohort: the naive analysis, "
           "then — with the switch — the correct one, and two sentences on why they differ.")
data = ui.current_cohort()
ep = ui.current_endpoint()
survival_ok = has_times(data, ep.time) and ep.event in data.columns
# Only the open tab is computed and drawn (six analyses, among them a 1 000-permutation search);
# the choices made in the other tabs are kept while they are closed.
ui.keep_choices({**{f"{KEY}_{k}_correct": False for k in ORDER}, f"{KEY}_immortal_time_landmark": 12.0,
                 **{k: st.session_state[k] for k in (f"{KEY}_adjusted_treatment", f"{KEY}_pairs_treatment",
                                                     f"{KEY}_holm_group", f"{KEY}_cutpoint_covariate")
                    if k in st.session_state}})
tabs = ui.lazy_tabs([T.CONTRASTS[k].title for k in ORDER], K.LEARN_VIEW)
for key, tab in zip(ORDER, tabs):
    if not tab.open:
        continue
    with tab:
        if key == "km_vs_cif":
            km_vs_cif_section(data)
        elif key == "immortal_time":
            immortal_time_section(data)
        elif not survival_ok:
            _lacks([ep.time, ep.event], ep.label.lower())
        elif key == "adjusted":
            adjusted_section(data, ep)
        elif key == "holm":
            holm_section(data, ep)
        elif key == "pairs":
            pairs_section(data, ep)
        else:
            cutpoint_section(data, ep)
