"""Landing page: what the tool is, the cohort at a glance, where to go next."""
import streamlit as st

import nelm_stats as ns
import ui

st.title("NELM Outcomes Explorer")
st.write(
    "Analyse your own series of liver resections for neuroendocrine liver metastases: "
    "survival curves, margins, risk factors and propensity-adjusted comparisons, with "
    "numbers that match R. Everything runs on this computer."
)
data = ui.current_cohort()
st.subheader(ui.dataset_label(ui.current_dataset()))
summary = ns.cohort_summary(data)
st.metric("Patients", summary.n)
st.dataframe(summary.table, hide_index=True, key="home_summary")
