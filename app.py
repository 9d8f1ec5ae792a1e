"""NELM Outcomes Explorer: entry point (page setup, shared sidebar, navigation).

Run with `make run`; pages live in pages/, statistics in nelm_stats/.
"""
import streamlit as st

import ui

st.set_page_config(page_title="NELM Outcomes Explorer", page_icon=":material/stethoscope:", layout="wide")

# One line per page; each page file is thin (widgets -> nelm_stats -> render).
PAGES = {
    "Cohort": [
        st.Page("pages/home.py", title="Overview", icon=":material/home:", default=True),
        st.Page("pages/data_import.py", title="Import data", icon=":material/upload_file:"),
    ],
    "Analyses": [
        st.Page("pages/survival.py", title="Survival", icon=":material/monitoring:"),
        st.Page("pages/propensity.py", title="Propensity", icon=":material/balance:"),
        st.Page("pages/table_one.py", title="Table 1", icon=":material/table:"),
        st.Page("pages/margins.py", title="Margins & complications", icon=":material/content_cut:"),
        st.Page("pages/fluorescence.py", title="Fluorescence accuracy", icon=":material/flare:"),
        st.Page("pages/risk_factors.py", title="Risk factors", icon=":material/format_list_numbered:"),
        st.Page("pages/plan.py", title="Plan a study", icon=":material/calculate:"),
    ],
    "Teaching": [
        st.Page("pages/walkthroughs.py", title="Re-analyse the papers", icon=":material/school:"),
        st.Page("pages/learn.py", title="Naive vs correct", icon=":material/school:"),
        st.Page("pages/glossary.py", title="Glossary", icon=":material/menu_book:"),
    ],
    "Outputs": [
        st.Page("pages/report.py", title="Report & slides", icon=":material/summarize:"),
        st.Page("pages/present.py", title="Present", icon=":material/co_present:"),
    ],
}

ui.register_pages(PAGES)
navigation = st.navigation({section: pages for section, pages in PAGES.items() if pages}, expanded=True)
ui.sidebar()
navigation.run()
ui.PAGE_SHOWN.set()
