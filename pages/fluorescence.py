"""Fluorescence accuracy: ICG fluorescence at the margin vs the histological margin.

2x2 table, sensitivity / specificity / PPV / NPV / accuracy / likelihood ratios (per lesion
with clustered CIs, or per patient), ROC of a fluorescence score with DeLong CI, DeLong's
paired test of two scores, and the learning curve over a centre's consecutive procedures.
Thin: widgets -> cached nelm_stats.accuracy calls -> tables and figures.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.figures.comparison import learning_curve_figure, roc_figure
from nelm_stats.report.format import ci_label, fmt_est_ci, fmt_n_pct, fmt_num, fmt_p, fmt_ratio

K = ui.Keys
MEASURE_LABELS = {"sensitivity": "Sensitivity", "specificity": "Specificity", "ppv": "Positive predictive value",
                  "npv": "Negative predictive value", "accuracy": "Accuracy",
                  "lr_positive": "Positive likelihood ratio", "lr_negative": "Negative likelihood ratio"}
LEVELS = {"lesion": "Per lesion (CIs clustered on patient)", "patient": "Per patient (any lesion)"}
LC_MEASURES = {"false_positive_rate": "False-positive rate", "accuracy": "Accuracy"}


@ui.session_cached
def _accuracy(table, test, truth, level):
    positive = ns.truth_positive(truth)
    if level == "patient":
        table = ns.patient_truth_table(table, test, truth)  # lesion table -> one row per patient
        truth, positive = "truth_involved", None
    if level != "lesion":  # one row per patient: exact intervals
        return (ns.confusion_matrix(table, test, truth, positive=positive),
                ns.diagnostic_accuracy(table, test, truth, positive=positive))
    cluster = "patient_id" if "patient_id" in table.columns else None
    return (ns.confusion_matrix(table, test, truth, cluster=cluster, positive=positive),
            ns.diagnostic_accuracy(table, test, truth, cluster=cluster, positive=positive))


@ui.session_cached
def _roc(table, score, truth, score2):
    positive = ns.truth_positive(truth)
    r1 = ns.roc_analysis(table, score, truth, positive=positive)
    if score2 is None:
        return r1, None, None
    r2 = ns.roc_analysis(table, score2, truth, positive=positive)
    return r1, r2, ns.roc_test(table, score, score2, truth, positive=positive)


@ui.session_cached
def _learning(table, test, truth, procedure, centre, measure, first_n):
    positive = ns.truth_positive(truth)
    return ns.learning_curve_accuracy(table, test, truth, procedure, measure=measure, centre=centre,
                                      first_n=first_n, positive=positive)


st.title("Fluorescence accuracy")
ui.how_to_read("fluorescence")
st.caption("How well does ICG fluorescence at the resection margin predict a histologically involved margin "
           "(R1/R2)? Exact (Clopper–Pearson) CIs; per lesion, CIs account for several lesions per patient.")

data = ui.current_cohort()
lesions = ui.current_lesions()
table = lesions if lesions is not None else data
where = "lesion table" if lesions is not None else "patient table"
tests, truths, default_truth = ns.fluorescence_columns(table)

if not tests or not truths:
    st.info(
        "This analysis needs, per lesion (or patient), a yes/no column *Fluorescence at the margin* "
        "(`fluorescence_at_margin` in the mapping) and the histological *Margin status* (`margin_status`, "
        "R0/R1/R2). "
        f"The {where} of this data set "
        + ("has no fluorescence recorded." if not tests else "has no margin status recorded.")
    )
    st.stop()

ui.keep_valid(K.FLUORESCENCE_TEST, tests, tests[0])
ui.keep_valid(K.FLUORESCENCE_TRUTH, truths, default_truth)
c1, c2, c3 = st.columns(3)
test = c1.selectbox("Test (fluorescence)", tests, key=K.FLUORESCENCE_TEST, format_func=ui.column_label)
truth = c2.selectbox("Truth (histology; R1/R2 = involved)", truths, key=K.FLUORESCENCE_TRUTH,
                     format_func=lambda c: ui.column_label(c) if c != "margin_status_before_reresection"
                     else "Margin status before re-resection")
level_opts = list(LEVELS) if lesions is not None and "patient_id" in lesions.columns else ["patient"]
ui.keep_valid(K.FLUORESCENCE_LEVEL, level_opts, level_opts[0])
level = c3.radio("Unit of analysis", level_opts, format_func=LEVELS.get, key=K.FLUORESCENCE_LEVEL)
if lesions is None:
    c3.caption("No lesion table: one row per patient.")

try:
    cm, measures = _accuracy(table, test, truth, level if lesions is not None else "rows")
    a, b = st.columns([1, 2])
    with a:
        st.markdown("**2 × 2 table**")
        t = cm.table.rename(columns={"test": "Fluorescence", "truth_positive": "R1/R2", "truth_negative": "R0",
                                     "total": "Total"})
        ui.result_table(t, hide_index=True, key="fluorescence_2x2")
        unit = "patients" if level == "patient" else ("lesions" if lesions is not None else "patients")
        st.caption(f"{cm.n} {unit}" + (f" in {cm.clusters} patients" if unit == "lesions" else "")
                   + (f"; {cm.n_excluded} left out (missing values)" if cm.n_excluded else ""))
    with b:
        st.markdown("**Diagnostic accuracy**")
        m = measures.copy()
        is_pct = ~m["measure"].str.startswith("lr_")
        m["value"] = [(fmt_est_ci(100 * e, 100 * lo, 100 * hi, 1, missing="not estimable", unit=" %") if p
                       else fmt_est_ci(e, lo, hi, 2, missing="not estimable"))
                      for e, lo, hi, p in zip(m["estimate"], m["ci_lower"], m["ci_upper"], is_pct)]
        m["measure"] = m["measure"].map(MEASURE_LABELS)
        ui.result_table(m[["measure", "value"]], hide_index=True, key="fluorescence_measures",
                     column_config={"measure": "Measure", "value": "Estimate (95 % CI)"})
        ui.downloads("fluorescence_measures", table=ui.block(
            "diagnostic_accuracy", "Diagnostic accuracy of fluorescence",
            m[["measure", "value"]].rename(columns={"measure": "Measure", "value": "Estimate (95 % CI)"}),
            ["Exact (Clopper–Pearson) 95 % CIs for proportions."], measures))
        st.caption(("Per lesion: cluster-robust CIs (logistic GEE on patient, independence working "
                    "correlation, logit scale); likelihood ratios by the delta method with the same variance."
                    if level == "lesion" and lesions is not None else
                    "Exact Clopper–Pearson CIs (as R's binom.test); likelihood ratios with log-method CIs "
                    "(as epiR::epi.tests)."))
except ns.AnalysisError as err:
    ui.show_error(err)

st.subheader("ROC analysis of a fluorescence score")
scores = ns.score_columns(table, {test, truth})
if not scores:
    st.info("Needs a numeric fluorescence score per lesion (e.g. a column `fluorescence_score`: an ordinal "
            "0–3 grade or a signal ratio); this data set has none.")
else:
    s1, s2 = st.columns(2)
    ui.keep_valid(K.FLUORESCENCE_SCORE, scores, scores[0])
    score = s1.selectbox("Score", scores, key=K.FLUORESCENCE_SCORE, format_func=ui.column_label)
    others = ["", *[c for c in scores if c != score]]  # "" = no second score
    ui.keep_valid(K.FLUORESCENCE_SCORE2, others, "")
    score2 = s2.selectbox("Compare with (DeLong paired test)", others, key=K.FLUORESCENCE_SCORE2,
                          format_func=lambda c: ui.column_label(c) if c else "—") or None
    try:
        r1, r2, cmp_ = _roc(table, score, truth, score2)
        roc_fig = ui.figure(roc_figure, [r for r in (r1, r2) if r is not None],
                            [ui.column_label(c) for c in (score, score2) if c is not None])
        ui.downloads("fluorescence_roc", fig=roc_fig, stem="roc_curve")
        ui.plotly_chart(roc_fig,
                        key="fluorescence_roc")
        auc_ci = ("95 % CI not estimable: needs at least two R1/R2 and two R0" if pd.isna(r1.ci_lower)
                  else f"{ci_label()} {fmt_num(r1.ci_lower, 3)}–{fmt_num(r1.ci_upper, 3)}, DeLong")
        st.markdown(f"AUC {fmt_num(r1.auc, 3)} ({auc_ci}), "
                    f"{r1.n_cases} R1/R2 and {r1.n_controls} R0 "
                    f"{'lesions' if lesions is not None else 'patients'}; higher scores "
                    f"{'indicate' if r1.direction == '<' else 'argue against'} an involved margin.")
        if cmp_ is not None:
            st.markdown(f"{cmp_.test}: AUC difference {fmt_num(cmp_.difference, 3)}, z = {fmt_num(cmp_.statistic, 2)}, "
                        f"{fmt_p(cmp_.p_value)}.")
        with st.expander("Threshold table (as pROC coords)"):
            ui.result_table(r1.curve, hide_index=True, key="fluorescence_thresholds")
    except ns.AnalysisError as err:
        ui.show_error(err)

st.subheader("Learning curve")
procedure = "procedure_number" if "procedure_number" in table.columns else None
if procedure is None:
    st.info("Needs the consecutive number of each operation within its centre (a column `procedure_number`) "
            f"in the {where}; a column `centre` is optional.")
else:
    l1, l2 = st.columns(2)
    measure = l1.radio("Measure", list(LC_MEASURES), format_func=LC_MEASURES.get, key=K.FLUORESCENCE_MEASURE,
                       horizontal=True)
    first_n = int(l2.number_input("First N procedures vs later", 1, 100, 10, key=K.FLUORESCENCE_FIRST_N))
    centre = "centre" if "centre" in table.columns else None
    try:
        lc = _learning(table, test, truth, procedure, centre, measure, first_n)
        ui.chart(ui.figure(learning_curve_figure, lc, measure_label=LC_MEASURES[measure]), key="fluorescence_lc")
        txt = (f"First {first_n} procedures per centre: {lc.events_early}/{lc.n_early} "
               f"({fmt_n_pct(lc.events_early, lc.n_early).split(' (', 1)[1]}; "
               f"later: {lc.events_late}/{lc.n_late} ({fmt_n_pct(lc.events_late, lc.n_late).split(' (', 1)[1]}. ")
        if lc.odds_ratio == lc.odds_ratio:
            txt += (f"{fmt_ratio('Odds ratio', lc.odds_ratio, lc.or_ci_lower, lc.or_ci_upper)[:-1]}, Wald from "
                    f"logistic regression), {fmt_p(lc.p_value)}; Fisher's exact: OR "
                    f"{fmt_est_ci(lc.fisher_odds_ratio, lc.fisher_ci_lower, lc.fisher_ci_upper)}, "
                    f"{fmt_p(lc.fisher_p_value)}.")
        st.markdown(txt)
        st.caption("False-positive rate = fluorescent margins among histologically R0 units. Each unit counted "
                   "once; the odds ratio does not account for several lesions per patient.")
    except ns.AnalysisError as err:
        ui.show_error(err)
