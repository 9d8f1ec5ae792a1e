"""Propensity page: matching or weighting on a binary treatment, balance, and adjusted outcomes.

Thin: widgets -> cached nelm_stats calls -> render.  Every statistic comes from nelm_stats
(propensity_match, iptw, compare_survival, paired_binary); figures from nelm_stats.figures.
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import manuscript, views
from nelm_stats.figures.balance import love_plot, overlap_plot
from nelm_stats.figures.km import km_figure
from nelm_stats.report.format import (fmt_num, fmt_p, fmt_p_bare, fmt_pct, fmt_ratio, fmt_ratio_value, fmt_smd,
                                      in_sentence, is_missing, level_label)
from nelm_stats.report.narrative import display_label, matching_assumptions

K = ui.Keys


# ---- cached calls (pure functions of the data and plain values) -------------------------------


@ui.session_cached
def _match(data, treatment, treated, covariates, ratio, caliper, scale, replace, exact):
    return ns.propensity_match(data, treatment, list(covariates), ratio=ratio, caliper=caliper,
                               caliper_scale=scale, replace=replace, exact=list(exact) or None, treated=treated)


@ui.session_cached
def _weight(data, treatment, treated, covariates, estimand, stabilize, trim):
    return ns.iptw(data, treatment, list(covariates), estimand=estimand, stabilize=stabilize, trim=trim,
                   treated=treated)


def _matched(data, treatment, covariates, match_args):
    return _match(data, treatment, dict(match_args)["treated"], covariates, *(
        dict(match_args)[k] for k in ("ratio", "caliper", "caliper_scale", "replace", "exact")))


def _weighted(data, treatment, covariates, weight_args):
    a = dict(weight_args)
    return _weight(data, treatment, a["treated"], covariates, a["estimand"], a["stabilize"], a["trim"])


# each analysis is cached on its own arguments only: a new caliper refits the matched Cox model,
# not the crude or the weighted one
@ui.session_cached
def _crude_survival(data, time, event, treatment, treated, covariates, unit):
    model = ns.propensity_model(data, treatment, list(covariates), treated=treated)
    return ns.crude_survival(data, model, time, event, time_unit=unit)


@ui.session_cached
def _matched_survival(data, time, event, treatment, covariates, match_args, unit):
    return ns.matched_survival(_matched(data, treatment, covariates, match_args), time, event, time_unit=unit)


@ui.session_cached
def _weighted_survival(data, time, event, treatment, covariates, weight_args, unit):
    return ns.weighted_survival(data, _weighted(data, treatment, covariates, weight_args), time, event,
                                time_unit=unit)


def _compare(data, time, event, treatment, covariates, match_args, weight_args, unit):
    parts = {}
    for name, job in (
            ("crude", lambda: _crude_survival(data, time, event, treatment, dict(match_args)["treated"], covariates,
                                              unit)),
            ("matched", lambda: _matched_survival(data, time, event, treatment, covariates, match_args, unit)),
            ("weighted", lambda: _weighted_survival(data, time, event, treatment, covariates, weight_args, unit))):
        try:
            parts[name] = job()
        except ns.AnalysisError as err:
            parts[name] = err
    return ns.survival_comparison(parts, time_unit=unit, matched=_matched(data, treatment, covariates, match_args))


@ui.session_cached
def _paired(data, treatment, covariates, match_args, outcome):
    m = _matched(data, treatment, covariates, match_args)
    y = _binary_outcomes(data)[outcome]
    return ns.paired_binary(m, y)


@ui.session_cached
def _table_one(data, treatment, covariates, which, args):
    if which == "matched":
        m = _matched(data, treatment, covariates, args)
        weighted = bool((m.matched["match_weight"] != 1).any())
        return ns.table_one(m.matched, treatment, list(covariates), weights="match_weight" if weighted else None,
                            sd_from=data)
    w = _weighted(data, treatment, covariates, args)
    weighted = data.loc[w.weights.notna()].assign(iptw_weight=w.weights.dropna())
    return ns.table_one(weighted, treatment, list(covariates), weights="iptw_weight", sd_from=data)


@ui.session_cached
def _column_choices(data) -> tuple[list, list]:
    """(treatment columns, exact-matching columns): read from the data once, not on every rerun."""
    return ns.treatment_columns(data), ns.grouping_columns(data, ns.schema.PRE_TREATMENT_ROLES)[0]


@ui.session_cached
def _covariate_options(data, treatment) -> list:
    return ns.covariate_columns(data, exclude=[treatment])


def _binary_outcomes(data) -> dict[str, pd.Series]:
    """Binary outcomes offered for the paired (McNemar) comparison."""
    out = {}
    if "margin_mm" in data.columns:
        out["R1 margin (< 1 mm)"] = ns.margin_r1(data).rename("R1 margin")
    if "clavien_dindo" in data.columns:
        out["Major complication (Clavien–Dindo ≥ IIIa)"] = ns.major_morbidity(data).rename("major complication")
    for c in ("bile_leak", "mortality_90d", "recurrence"):
        if c in data.columns and data[c].nunique(dropna=True) == 2:
            out[ui.column_label(c)] = data[c].rename(ui.column_label(c))
    return out


# ---- rendering --------------------------------------------------------------------------------


def _warnings(msgs):
    """The warnings in one container: however many there are, what follows keeps its place on the
    page (the browser updates its charts instead of drawing them anew)."""
    with st.container():
        for msg in msgs:
            st.warning(msg, icon=":material/warning:")


def _balance_table(result, key):
    bal = result.balance.copy()
    bal.insert(1, "label", [ui.column_label(t.split(": ")[0]) + (": " + t.split(": ", 1)[1] if ": " in t else "")
                            if t != "distance" else "Propensity score (distance)" for t in bal["term"]])
    for col in ("variance_ratio_before", "variance_ratio_after"):  # binary covariates have none
        bal[col] = ["–" if pd.isna(x) else f"{x:.2f}" for x in bal[col]]
    ui.downloads(key, table=ui.block(
        key, "Covariate balance", bal.drop(columns="term").assign(
            **{c: [fmt_smd(x) for x in bal[c]] for c in ("smd_before", "smd_after")}).rename(
            columns={"label": "Covariate", "smd_before": "SMD before", "smd_after": "SMD after",
                     "variance_ratio_before": "Variance ratio before", "variance_ratio_after": "Variance ratio after"}),
        ["SMD: standardized mean difference (treated SD for ATT, pooled for ATE, in the unmatched sample)."],
        result.balance))
    ui.result_table(
        bal.drop(columns="term"), hide_index=True, key=key,
        column_config={
            "label": "Covariate",
            "smd_before": st.column_config.NumberColumn("SMD before", format="%.3f"),
            "smd_after": st.column_config.NumberColumn("SMD after", format="%.3f"),
            "variance_ratio_before": st.column_config.TextColumn(
                "VR before", help="Variance ratio treated/control (continuous covariates)"),
            "variance_ratio_after": st.column_config.TextColumn(
                "VR after", help="Variance ratio treated/control (continuous covariates)"),
        },
    )


def _balance_section(result, which: str, method: str) -> None:
    """The two checks of a matching or weighting result, one drawn at a time: covariate balance
    (table + love plot) and the overlap of the propensity scores."""
    balance, overlap = ui.lazy_tabs(["Covariate balance", "Overlap of propensity scores"],
                                    f"{K.PROPENSITY_CHECK_VIEW}_{which}")
    if balance.open:
        with balance:
            left, right = st.columns([6, 5])
            with left:
                _balance_table(result, f"propensity_balance_{which}")
            with right:
                st.caption(f"Absolute standardized mean differences before and after {method}; dashed line at 0.1.")
                love = ui.figure(love_plot, result)
                ui.plotly_chart(love, key=f"propensity_love_{which}")
                ui.downloads(f"propensity_love_{which}", fig=love, stem=f"balance_{which}")
    if overlap.open:
        with overlap:
            st.caption("Propensity scores of the two groups (treated above the axis, controls below): where one "
                       "group has no counterpart, no comparison is possible (the positivity assumption).")
            ui.chart(ui.figure(overlap_plot, result), key=f"propensity_overlap_{which}")


def _hr_line(res, label):
    if res is None:
        return
    st.markdown(
        f"**{label}**: {fmt_ratio('hazard ratio', res.hazard_ratio, res.ci_lower, res.ci_upper)}, "
        f"{fmt_p(res.p_value)}; {res.n} patients, {res.events} events ({res.variance})."
        + (f" {res.n_excluded} patients left out (missing follow-up or covariates)." if res.n_excluded else "")
    )


def _km(res, treatment, key):
    if res is None:
        return
    ui.chart(ui.figure(km_figure, views.with_level_labels(res.km, treatment), group_name=ui.column_label(treatment),
                       ci=False, time_unit=res.time_unit), key=key)


def _endpoints(data) -> dict[str, tuple[str, str, str]]:
    """key -> (label, time column, event column) of the endpoints these data hold."""
    return {k: (e.label, e.time, e.event) for k, e in ui.data_endpoints(data).items()}


st.title("Propensity-score analyses")
ui.how_to_read("propensity")
st.caption(
    "Compare two non-randomised groups (e.g. ICG vs none, cystic vs solid) after matching or weighting "
    "on a propensity score: balance before and after, then survival in the matched or weighted cohort."
)

data = ui.current_cohort()
endpoint = ui.current_endpoint()
treatments, exact_columns = _column_choices(data)
if not treatments:
    st.info("This data set has no column with exactly two groups to compare.")
    st.stop()

default_t = ns.default_treatment(data, treatments)
ui.keep_valid(K.PROPENSITY_TREATMENT, treatments, default_t)
c1, c1b, c2 = st.columns([1, 1, 2])
treatment = c1.selectbox("Treatment (two groups)", treatments, key=K.PROPENSITY_TREATMENT,
                         format_func=ui.column_label)
levels = ns.treatment_levels(data, treatment)
ui.keep_valid(K.PROPENSITY_TREATED, levels, levels[-1])
treated = c1b.selectbox("Treated group", levels, key=K.PROPENSITY_TREATED,
                        format_func=lambda v: level_label(v, treatment),
                        help="The group whose patients are matched (ATT) and whose hazard ratio is reported.")
cov_opts = _covariate_options(data, treatment)
default_c = ns.default_covariates(cov_opts)
ui.keep_valid(K.PROPENSITY_COVARIATES, cov_opts, default_c)
covariates = tuple(c2.multiselect("Covariates of the propensity model", cov_opts, key=K.PROPENSITY_COVARIATES,
                                  format_func=ui.column_label, placeholder="Choose the confounders"))

# Only the open tab is drawn (its two charts and tables); both analyses are still computed for the
# outcome section below, from the choices kept in session state while their tab is closed.
ui.keep_choices({K.PROPENSITY_RATIO: 1, K.PROPENSITY_CALIPER_ON: True, K.PROPENSITY_CALIPER: 0.2,
                 K.PROPENSITY_SCALE: "logit", K.PROPENSITY_REPLACE: False, K.PROPENSITY_ESTIMAND: "ATE",
                 K.PROPENSITY_STABILIZE: True, K.PROPENSITY_TRIM: "none"})
exact_opts = [x for x in exact_columns if x != treatment]
ui.keep_valid(K.PROPENSITY_EXACT, exact_opts, [])
tab_m, tab_w = ui.lazy_tabs(["Matching", "Weighting (IPTW)"], K.PROPENSITY_VIEW)

if tab_m.open:
    with tab_m:
        a, b, c, d, e = st.columns(5)
        a.number_input("Controls per treated", 1, 5, key=K.PROPENSITY_RATIO)
        caliper_on = b.checkbox("Caliper", key=K.PROPENSITY_CALIPER_ON)
        b.number_input("Caliper (SD)", 0.01, 2.0, step=0.05, key=K.PROPENSITY_CALIPER, disabled=not caliper_on)
        c.radio("Distance", ["logit", "propensity"], key=K.PROPENSITY_SCALE,
                format_func={"logit": "Logit of the score", "propensity": "Score itself"}.get)
        d.checkbox("With replacement", key=K.PROPENSITY_REPLACE)
        e.multiselect("Exact match on", exact_opts, key=K.PROPENSITY_EXACT, format_func=ui.column_label,
                      placeholder="No exact matching (optional)")
if tab_w.open:
    with tab_w:
        a, b, c = st.columns(3)
        a.radio("Estimand", ["ATE", "ATT"], key=K.PROPENSITY_ESTIMAND, horizontal=True,
                help="ATE: the whole cohort; ATT: patients like the treated.")
        b.checkbox("Stabilised weights", key=K.PROPENSITY_STABILIZE)
        c.selectbox("Trim weights at", ["none", "99th percentile", "95th percentile"], key=K.PROPENSITY_TRIM)

ss = st.session_state
ratio, caliper_on, caliper = int(ss[K.PROPENSITY_RATIO]), bool(ss[K.PROPENSITY_CALIPER_ON]), float(ss[K.PROPENSITY_CALIPER])
scale, replace, exact = ss[K.PROPENSITY_SCALE], bool(ss[K.PROPENSITY_REPLACE]), tuple(ss[K.PROPENSITY_EXACT])
estimand, stabilize, trim_choice = ss[K.PROPENSITY_ESTIMAND], bool(ss[K.PROPENSITY_STABILIZE]), ss[K.PROPENSITY_TRIM]
trim = {"none": None, "99th percentile": 0.99, "95th percentile": 0.95}[trim_choice]
match_args = (("treated", treated), ("ratio", ratio), ("caliper", caliper if caliper_on else None),
              ("caliper_scale", scale), ("replace", replace), ("exact", exact))
weight_args = (("treated", treated), ("estimand", estimand), ("stabilize", stabilize), ("trim", trim))
m = w = None
match_error = weight_error = None
try:
    m = _match(data, treatment, treated, covariates, ratio, caliper if caliper_on else None, scale, replace, exact)
except ns.AnalysisError as err:
    match_error = err
try:
    w = _weight(data, treatment, treated, covariates, estimand, stabilize, trim)
except ns.AnalysisError as err:
    weight_error = err

if tab_m.open:
    with tab_m, st.container():  # one place for the varying notes: the balance section keeps its place
        if match_error is not None:
            ui.show_error(match_error)
        if m is not None:
            cols = st.columns(4)
            cols[0].metric("Treated matched", f"{m.n_treated_matched} / {m.n_treated}",
                           help=f"Treated: {in_sentence(level_label(m.treated_label, treatment))}.")
            cols[1].metric("Controls matched", f"{m.n_control_matched} / {m.n_control}",
                           help=f"Controls: {in_sentence(level_label(m.control_label, treatment))}.")
            cols[2].metric("Treated unmatched", m.n_treated_unmatched)
            cols[3].metric("Left out (missing data)", m.n_excluded)
            st.caption(f"Treated: {in_sentence(level_label(m.treated_label, treatment))}; controls: "
                       f"{in_sentence(level_label(m.control_label, treatment))}.")
            if m.n_treated_unmatched:
                reasons = m.unmatched_reasons
                st.caption("Unmatched treated patients: " + ", ".join(
                    f"{r} {n}" for r, n in zip(reasons["reason"], reasons["n"]) if n))
            if m.caliper_width is not None:
                st.caption(f"Caliper: {m.caliper} SD of the {'logit of the ' if m.caliper_scale == 'logit' else ''}"
                           f"propensity score = {m.caliper_width:.4f} on that scale.")
            _warnings(m.warnings)
            with st.expander("Method and assumptions", expanded=False):
                st.markdown("\n".join(f"- {line}" for line in matching_assumptions(
                    m, [ui.column_label(c) for c in m.covariates])))
    if m is not None:
        with tab_m:
            _balance_section(m, "matched", "matching")
if tab_w.open:
    with tab_w, st.container():
        if weight_error is not None:
            ui.show_error(weight_error)
        if w is not None:
            ess = w.effective_sample_size
            cols = st.columns(len(ess) + 2)
            for i, row in enumerate(ess.itertuples()):
                cols[i].metric(f"Effective sample size ({level_label(row.group, treatment)})",
                               f"{row.effective_sample_size:.1f} / {row.n}")
            cols[-2].metric("Extreme weights (> 10)", int(w.extreme.sum()))
            cols[-1].metric("Trimmed", w.n_trimmed)
            _warnings(w.warnings)
    if w is not None:
        with tab_w:
            _balance_section(w, "weighted", "weighting")

st.header("Outcome: crude, matched and weighted")
endpoints = _endpoints(data)
comparison = None
if not endpoints:
    st.info("These data have no follow-up times, so survival cannot be compared.")
else:
    e1, e2 = st.columns([2, 1])
    ui.keep_valid(K.PROPENSITY_ENDPOINT, list(endpoints),
              endpoint.key if endpoint.key in endpoints else next(iter(endpoints)))
    ep_key = e1.selectbox("Endpoint", list(endpoints), key=K.PROPENSITY_ENDPOINT,
                          format_func=lambda k: endpoints[k][0])
    unit = e2.radio("Time unit", ["months", "years"], key=K.PROPENSITY_UNIT, horizontal=True)
    ep_label, ep_time, ep_event = endpoints[ep_key]
    if covariates:
        try:
            comparison = _compare(data, ep_time, ep_event, treatment, covariates, match_args, weight_args, unit)
        except ns.AnalysisError as err:
            ui.show_error(err)
if comparison is not None and comparison.medians.empty:
    _warnings(comparison.warnings)  # no hazard ratio could be estimated: the reasons, nothing else
    comparison = None
if comparison is not None:
    estimated = comparison.table["hazard_ratio"].notna()  # a failed analysis is said in the warnings only
    # ratios as text by the one rule of the presentation layer (a bound below 0.005 never reads 0.00)
    shown = comparison.table[estimated].assign(
        p_value=[fmt_p_bare(p) for p in comparison.table["p_value"][estimated]],
        analysis=[views.ANALYSIS_NAMES.get(a, a) for a in comparison.table["analysis"][estimated]],
        **{c: [fmt_ratio_value(x) for x in comparison.table[c][estimated]]
           for c in ("hazard_ratio", "ci_lower", "ci_upper")})
    ui.result_table(
        shown, hide_index=True, key="propensity_comparison",
        column_config={
            "analysis": "Analysis",
            "n": "Patients",
            "events": "Events",
            "hazard_ratio": st.column_config.TextColumn("Hazard ratio"),
            "ci_lower": st.column_config.TextColumn("95 % CI lower"),
            "ci_upper": st.column_config.TextColumn("95 % CI upper"),
            "p_value": "p",
        },
    )
    ui.downloads("propensity_comparison", table=ui.block(
        "adjusted_hazard_ratios", "Crude, matched and weighted hazard ratios",
        shown,
        ["Crude: unadjusted Cox model. Matched: Cox with robust SE clustered on the matched set. "
         "Weighted: Cox with IPTW weights and robust SE."], comparison.table))
    st.caption(
        (f"Hazard ratio of the patients {in_sentence(level_label(m.treated_label, treatment))} vs the other group. "
         if m and display_label(m.treated_label) in ("yes", "no") else
         f"Hazard ratio of {ui.column_label(treatment)}: {display_label(m.treated_label) if m else ''} vs the other group. ") +
        "Crude: unadjusted Cox on the patients of the propensity model. Matched: Cox with robust SE "
        "clustered on the matched set. Weighted: Cox with IPTW weights and robust SE."
    )
    _warnings(comparison.warnings)
    if m is not None:
        ui.manuscript_text("propensity", manuscript.propensity_results(m, comparison, ep_label),
                           manuscript.propensity_methods(
                               treatment, covariates, ratio=ratio, caliper=float(caliper) if caliper_on else None,
                               caliper_scale=scale, replace=bool(replace), estimand=estimand,
                               stabilize=bool(stabilize), trim=trim))
    st.subheader(f"Median {ep_label.lower()} ({comparison.time_unit})")
    med = comparison.medians.assign(group=[level_label(g, treatment) for g in comparison.medians["group"]],
                                    analysis=[views.ANALYSIS_NAMES.get(a, a) for a in comparison.medians["analysis"]])
    digits = 2 if comparison.time_unit == "years" else 1  # 0.71 years, 16.6 months
    for col in ("median", "ci_lower", "ci_upper"):
        med[col] = [("not reached" if col != "ci_lower" else "–") if pd.isna(x) else fmt_num(x, digits)
                    for x in med[col]]
    # events are whole numbers except in the weighted cohort (sums of weights)
    med["events"] = [f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}" for x in med["events"]]
    ui.result_table(
        med, hide_index=True, key="propensity_medians",
        column_config={
            "analysis": "Analysis",
            "group": "Group",
            "n": "Patients",
            "events": st.column_config.TextColumn("Events"),
            "median": "Median",
            "ci_lower": "95 % CI lower",
            "ci_upper": "95 % CI upper",
        },
    )
    st.caption("Weighted: weighted Kaplan–Meier (events are weighted counts).")
    # the matched and the weighted curves, one drawn at a time (a failed analysis has no tab: the
    # warning above says why)
    available = [(title, res, key) for res, title, key in (
        (comparison.matched, "Matched", "propensity_km_matched"),
        (comparison.weighted, "Weighted", "propensity_km_weighted")) if res is not None]
    if available:
        st.subheader("Survival in the matched and weighted cohorts")
        tabs = ui.lazy_tabs([f"{title} cohort" for title, _, _ in available], K.PROPENSITY_KM_VIEW)
        for tab, (title, res, key) in zip(tabs, available):
            if tab.open:
                with tab:
                    _hr_line(res, title)
                    _km(res, treatment, key)

# the two further analyses below the main result: each built and drawn when opened
outcomes = _binary_outcomes(data) if m is not None and ratio == 1 and not replace else {}
if outcomes:
    binary_box = ui.lazy_expander("Binary outcomes in the matched pairs (McNemar test)", K.PROPENSITY_BINARY_OPEN,
                                  icon=":material/compare_arrows:")
    if binary_box.open:
        with binary_box:
            names = list(outcomes)
            ui.keep_valid(K.PROPENSITY_BINARY, names, names[0])
            outcome = st.selectbox("Outcome", names, key=K.PROPENSITY_BINARY)
            try:
                pb = _paired(data, treatment, covariates, match_args, outcome)
            except ns.InsufficientDataError as err:
                st.info(str(err))
                pb = None
            except ns.AnalysisError as err:
                ui.show_error(err)
                pb = None
            if pb is not None:
                ui.result_table(pd.DataFrame({
                    "": [f"Treated patient ({level_label(m.treated_label, treatment)}): yes",
                         f"Treated patient ({level_label(m.treated_label, treatment)}): no"],
                    "Matched control: yes": [pb.both, pb.control_only],
                    "Matched control: no": [pb.treated_only, pb.neither],
                }), hide_index=True, key="propensity_paired_table")
                st.markdown(
                    f"{pb.n_pairs} pairs: rate {fmt_pct(pb.treated_rate, 1)} vs {fmt_pct(pb.control_rate, 1)}. "
                    + ("McNemar test not possible (no discordant pairs)" if is_missing(pb.statistic) else
                       f"McNemar χ² = {fmt_num(pb.statistic, 2)}, {fmt_p(pb.p_value)} "
                       f"(exact {fmt_p(pb.exact_p_value)})")
                    + f"; {fmt_ratio('conditional odds ratio', pb.odds_ratio, pb.ci_lower, pb.ci_upper)}."
                )
                if pb.n_excluded:
                    st.caption(f"{pb.n_excluded} pair{'s' if pb.n_excluded != 1 else ''} left out: outcome missing "
                               "for one of the two patients.")

if covariates and (m is not None or w is not None):
    table_box = ui.lazy_expander("Table 1 of the matched and weighted cohorts", K.PROPENSITY_TABLE_ONE_OPEN,
                                 icon=":material/table:")
    if table_box.open:
        with table_box:
            t_m, t_w = ui.lazy_tabs(["Matched cohort", "Weighted cohort"], K.PROPENSITY_TABLE_ONE_VIEW)
            for tab, which, res in ((t_m, "matched", m), (t_w, "weighted", w)):
                if res is None or not tab.open:  # only the open tab's table is built and drawn
                    continue
                with tab:
                    try:
                        t1 = _table_one(data, treatment, covariates, which,
                                        match_args if which == "matched" else weight_args)
                    except ns.AnalysisError as err:
                        ui.show_error(err)
                        continue
                    ui.result_table(t1.formatted(), hide_index=True, key=f"propensity_table_one_{which}")
                    st.caption(" ".join(t1.footnotes()) + " SMDs standardized by the SD of the unmatched cohort.")
