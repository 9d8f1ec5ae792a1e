"""Glossary: the terms of survival analysis and confounding, for a surgical resident.

Thin: the texts live in nelm_stats.report.teaching (GLOSSARY); this page filters and renders them.
"""
import streamlit as st

from nelm_stats.report import teaching as T

st.title("Glossary")
st.caption("Plain definitions of the terms the dashboard uses, and why each matters in a series of resected "
           "neuroendocrine liver metastases.")
query = st.text_input("Search the glossary", key="glossary_search", placeholder="e.g. censoring, hazard, caliper")
entries = T.search_glossary(query)
if not entries:
    st.info(f"No term mentions “{query.strip()}”. Try a shorter word.", icon=":material/search_off:")
for e in entries:
    st.subheader(e.term)
    st.markdown(e.definition)
    st.markdown(f"**Why it matters in a NELM series.** {e.why}")
    if e.see_also:
        st.caption("See also: " + ", ".join(e.see_also))
