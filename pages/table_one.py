"""Table 1: baseline characteristics by group, with tests and SMDs (before/after matching).

Thin: widgets -> cached nelm_stats.table_one -> formatted view.  Every number comes from
nelm_stats (table_one, propensity_match).
"""
from __future__ import annotations

import pandas as pd
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import manuscript

K = ui.Keys
BASELINE = ns.schema.BASELINE_CHARACTERISTICS
NOT_VARIABLES = {"patient_id"}
SUMMARY = {"auto": "By distribution (Shapiro–Wilk)", "median": "Median [IQR]", "mean": "Mean (SD)"}


@ui.session_cached
def _table(data, group, variables, continuous, weights):
    return ns.table_one(data, group, list(variables), continuous=continuous, weights=weights)


@ui.session_cached
def _matched_table(data, group, variables, continuous, covariates):
    m = ns.propensity_match(data, group, list(covariates))
    return ns.table_one(m.matched, group, list(variables), continuous=continuous, sd_from=data), len(m.pairs)


def _variable_options(data) -> list[str]:
    return [c for c in data.columns if c not in NOT_VARIABLES and not pd.api.types.is_datetime64_any_dtype(data[c])
            and data[c].notna().any() and data[c].nunique(dropna=True) >= 1
            and not (pd.api.types.is_string_dtype(data[c]) and data[c].nunique() > 20)]


def _show(result, key):
    view = result.formatted(group_title=ui.column_label(result.group) if result.group else None)
    ui.result_table(view, hide_index=True, key=key, width="stretch", height=35 * (len(view) + 1) + 3)
    for note in result.footnotes():
        st.caption(note)
    if result.n_excluded:
        st.caption(f"{result.n_excluded} patient(s) without a value for the grouping were left out.")


st.title("Table 1: baseline characteristics")
ui.how_to_read("table_one")
st.caption("Are the groups comparable? Continuous characteristics as median [IQR] or mean (SD), categorical as "
           "n (%), missing values shown, p-values with the test named, and standardized mean differences (SMD).")

data = ui.current_cohort()
groups = [c for c in ui.grouping_columns(data)[0]]
group_opts = ["", *groups]  # "" = whole cohort (a None value would show as an empty selectbox)
default_group = ui.default_grouping(data, groups) or ""  # the cohort's question (the paper's grouping)
ui.forget_on_new_dataset(K.TABLE_ONE_DATASET, [K.TABLE_ONE_GROUP, K.TABLE_ONE_VARIABLES])
ui.keep_valid(K.TABLE_ONE_GROUP, group_opts, default_group)
var_opts = _variable_options(data)
default_vars = [c for c in BASELINE if c in var_opts] or var_opts[:8]
ui.keep_valid(K.TABLE_ONE_VARIABLES, var_opts, default_vars)

c1, c2 = st.columns([1, 3])
group = c1.selectbox("Compare groups of", group_opts, key=K.TABLE_ONE_GROUP,
                     format_func=lambda c: ui.column_label(c or None)) or None
variables = c2.multiselect("Characteristics", var_opts, key=K.TABLE_ONE_VARIABLES, format_func=ui.column_label,
                           placeholder="Choose the characteristics")
c3, c4 = st.columns([1, 3])
summary = c3.radio("Continuous characteristics", list(SUMMARY), format_func=SUMMARY.get, key=K.TABLE_ONE_SUMMARY,
                   help="By distribution: mean (SD) with Welch's t-test / ANOVA when the Shapiro–Wilk test does not "
                        "reject normality (p ≥ 0.05) in any group, otherwise median [IQR] with the Mann–Whitney / "
                        "Kruskal–Wallis test.")
weight_opts = ["", *[c for c in data.columns if "weight" in c.lower() and pd.api.types.is_numeric_dtype(data[c])]]
ui.keep_valid(K.TABLE_ONE_WEIGHTS, weight_opts, "")
weights = c4.selectbox("Weights (IPTW / matching weights column)", weight_opts, key=K.TABLE_ONE_WEIGHTS,
                       format_func=lambda c: c or "None (unweighted)") or None

variables = tuple(v for v in variables if v != group)
if not variables:
    st.info("Choose at least one characteristic to describe.")
    st.stop()

try:
    result = _table(data, group, variables, summary, weights)
    st.subheader("All patients" if group is None else f"By {ui.column_label(group)}")
    _show(result, "table_one_table")
    ui.manuscript_text("table_one", None, manuscript.table_one_methods())
    ui.downloads("table_one", table=ui.block(
        "table_one", "Table 1. Baseline characteristics" + (f" by {ui.column_label(group).lower()}" if group else ""),
        result.formatted(group_title=ui.column_label(group) if group else None), result.footnotes(), result.table))
except ns.AnalysisError as err:
    ui.show_error(err)

binary_group = group is not None and data[group].nunique(dropna=True) == 2
if binary_group and weights is None:
    matched = st.checkbox("Also show the table after 1:1 propensity-score matching on these characteristics "
                          "(nearest neighbour, caliper 0.2 SD of the logit)", key=K.TABLE_ONE_MATCHED)
    if matched:
        covariates = tuple(v for v in variables if data[v].notna().all() and data[v].nunique() >= 2)
        if not covariates:
            st.info("Matching needs characteristics recorded for every patient; none of the chosen ones is.")
        else:
            try:
                after, pairs = _matched_table(data, group, variables, summary, covariates)
                st.subheader(f"After matching ({pairs} pairs)")
                st.caption("SMDs after matching use the standard deviations of the unmatched cohort "
                           "(as MatchIt/cobalt). Matched on: " + ", ".join(ui.column_label(c) for c in covariates))
                _show(after, "table_one_matched_table")
            except ns.AnalysisError as err:
                ui.show_error(err)
