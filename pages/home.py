"""Landing page: what the tool is for, the current cohort at a glance, where to go next."""
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import narrative as nv
from nelm_stats.report.views import analyses_view, groups_view

st.title("NELM Outcomes Explorer")
st.markdown(
    "For hepatobiliary surgeons and oncologists who want to analyse **their own series of liver "
    "resections for neuroendocrine liver metastases (NELM)**: recurrence-free and overall "
    "survival by group, margins, complications, risk factors and propensity-adjusted "
    "comparisons — with numbers that agree with R, ready for a tumor board, a manuscript or "
    "teaching. Everything runs on this computer; nothing is sent anywhere."
)

dataset = ui.current_dataset()
kind, name = dataset.split(":", 1)
data = ui.current_cohort()

st.subheader(f"Current cohort: {ui.dataset_label(dataset)}")
if kind == "sample":
    st.info(
        f"**Synthetic demo data.** {ns.samples.describe_sample(name)}. The patients are "
        "invented (generated to mirror a published series' summary figures); they are not "
        "real people and the results are for learning the tool only. Pick another demo or "
        "your own data in the sidebar.",
        icon=":material/science:",
    )

ui.forget_on_new_dataset(ui.Keys.HOME_DATASET, [ui.Keys.HOME_GROUP])
cats, _ = ui.grouping_columns(data)
options = [""] + cats  # "": the whole cohort (None would show Streamlit's "Choose an option")
default = ui.default_grouping(data, options) or ""
if st.session_state.get(ui.Keys.HOME_GROUP, default) not in options:
    st.session_state.pop(ui.Keys.HOME_GROUP, None)  # another dataset: start again
st.session_state.setdefault(ui.Keys.HOME_GROUP, default)
group = st.selectbox(
    "Groups to compare",
    options,
    format_func=lambda c: ui.column_label(c or None),
    key=ui.Keys.HOME_GROUP,
) or None

try:
    summary = ui.cohort_summary(data, group)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.stop()

cols = st.columns(4)
cols[0].metric("Patients", summary.n)
if "rfs_event" in summary.event_counts:
    cols[1].metric("RFS events (recurrence or death)", summary.event_counts["rfs_event"])
if "os_event" in summary.event_counts:
    cols[2].metric("Deaths (OS events)", summary.event_counts["os_event"])
if summary.follow_up_all is not None:
    med = float(summary.follow_up_all["median"].iloc[0])
    cols[3].metric(
        "Median follow-up",
        "not reached" if med != med else f"{med:.1f} months",
        help="Reverse Kaplan–Meier on overall survival (how papers report follow-up).",
    )

if kind == "upload":
    flow = ui.uploads()[name].flow
    if flow is not None:
        st.caption("Patient flow: " + nv.describe_flow(flow))
lesions = ui.current_lesions()
if lesions is not None:
    st.caption(
        f"With a lesion table: {len(lesions)} resected lesions "
        f"(for the per-lesion margin and fluorescence analyses)."
    )
st.markdown("**At a glance**" + (f" — by {ui.column_label(group)}" if group else ""))
ui.markdown_table(groups_view(summary, group))
if summary.n_missing_group:
    st.caption(
        f"{summary.n_missing_group} patient(s) with no value for {ui.column_label(group)} are not in a group."
    )
with st.expander("Which analyses this cohort's columns allow", expanded=not summary.analyses["available"].all()):
    ui.markdown_table(analyses_view(summary))

st.subheader("Where to go next")
pages = ui.analysis_pages()
if not pages:
    st.write("No analysis page is installed yet.")
links = st.columns(3)
for i, page in enumerate(pages):
    links[i % 3].page_link(page, label=page.title, icon=page.icon)
for page in ui.cohort_pages():
    st.page_link(page, label=f"{page.title}: analyse your own series", icon=page.icon)
st.caption(
    "Choose the dataset and the endpoint (RFS or OS) in the sidebar; every page uses them. "
    "Uploads stay in this browser session's memory and are never written to disk."
)
