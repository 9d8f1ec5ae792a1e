"""Report page: the current analysis as a report (Word, HTML, PDF), a tumor-board deck (PowerPoint),
its tables (Excel), the settings file and a script that reproduces every number.

Thin: the report is ui.current_report (nelm_stats.report.analysis.run_analysis and build_report on
the settings the pages hold, shared with the Present page); the files come from
nelm_stats.report.exports, written only when a button is clicked.
"""
from __future__ import annotations

import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import settings as ns_settings
from nelm_stats.report.document import FigureBlock, TableBlock, TextBlock

K = ui.Keys
SECTION_LABELS = {
    "flow": "Patients and patient flow", "table_one": "Table 1 (baseline characteristics)",
    "survival": "Survival (Kaplan–Meier, log-rank)", "margins": "Resection margins",
    "cox": "Risk factors (Cox regression)", "propensity": "Propensity score analysis",
}
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html", "pdf": "application/pdf",
}


def _load_settings() -> None:
    """Uploader callback: apply a settings file to the pages' choices."""
    f = st.session_state.get(K.REPORT_SETTINGS_FILE)
    if f is None:
        return
    try:
        settings, notes = ns_settings.settings_from_json(f.getvalue())
        notes += ui.apply_settings(settings)
        st.session_state[K.REPORT_SETTINGS_NOTES] = ("ok", notes)
    except ns.AnalysisError as err:
        st.session_state[K.REPORT_SETTINGS_NOTES] = ("error", [str(err)])


st.title("Report")
st.caption("The current analysis — the groupings, covariates and matching chosen on the other pages — as a "
           "report for the journal, a deck for the tumor board, and a settings file and script that reproduce "
           "every number.")

dataset = ui.current_dataset().split(":", 1)[1]
kind = ui.current_dataset().split(":", 1)[0]

with st.expander("Load saved settings", icon=":material/upload_file:"):
    st.file_uploader("Settings file (.json) saved from this dashboard", type=["json"], key=K.REPORT_SETTINGS_FILE,
                     on_change=_load_settings)
    state = st.session_state.get(K.REPORT_SETTINGS_NOTES)
    if state:
        status, notes = state
        if status == "error":
            ui.show_error(ns.InputError(notes[0]))
        else:
            st.success("Settings applied to every page.", icon=":material/check_circle:")
            for note in notes:
                st.warning(note, icon=":material/warning:")

c1, c2 = st.columns([2, 3])
st.session_state.setdefault(K.REPORT_TITLE, ns_settings.ReportChoices().title)
c1.text_input("Title", key=K.REPORT_TITLE)
ui.keep_valid(K.REPORT_SECTIONS, list(ns_settings.SECTIONS), list(ns_settings.SECTIONS))
c2.multiselect("Sections", list(ns_settings.SECTIONS), format_func=SECTION_LABELS.get, key=K.REPORT_SECTIONS,
               placeholder="Choose the sections of the report")

settings = ui.current_settings()
settings_text = ns_settings.settings_to_json(settings, software=f"nelm_stats {ns.__version__}")
try:
    report = ui.current_report(settings_text)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.stop()

st.subheader("Download")
stem = "".join(ch if ch.isalnum() else "_" for ch in dataset).strip("_") or "cohort"


def _writer(fmt):
    from nelm_stats.report.exports import docx_report, html_report, pptx_deck, tables

    return {"docx": lambda: docx_report.report_docx(report),
            "html": lambda: html_report.report_html(report).encode("utf-8"),
            "pdf": lambda: html_report.report_pdf(report),
            "pptx": lambda: pptx_deck.report_pptx(report),
            "xlsx": lambda: tables.tables_xlsx(report.tables())}[fmt]


row = st.columns(5)
for i, (fmt, label, icon) in enumerate([
        ("docx", "Report (Word)", ":material/description:"), ("html", "Report (HTML)", ":material/public_off:"),
        ("pdf", "Report (PDF)", ":material/picture_as_pdf:"), ("pptx", "Tumor-board deck", ":material/slideshow:"),
        ("xlsx", "All tables (Excel)", ":material/table_view:")]):
    row[i].download_button(label, data=_writer(fmt), file_name=f"{stem}_report.{fmt}" if fmt != "pptx"
                           else f"{stem}_tumor_board.pptx", mime=MIME[fmt], key=f"report_download_{fmt}",
                           on_click="ignore", icon=icon, width="stretch")
row = st.columns(5)
row[0].download_button("Settings (JSON)", data=settings_text.encode("utf-8"), file_name=f"{stem}_settings.json",
                       mime="application/json", key="report_download_settings", on_click="ignore",
                       icon=":material/save:", width="stretch")


def _script():
    from nelm_stats.report.script import generate_script

    return generate_script(settings, data_name=ui.uploads()[dataset].source_file if kind == "upload"
                           else f"{dataset}.csv").encode("utf-8")


row[1].download_button("Analysis script (Python)", data=_script, file_name=f"{stem}_analysis.py",
                       mime="text/x-python", key="report_download_script", on_click="ignore",
                       icon=":material/code:", width="stretch")
settings_box = ui.lazy_expander("The settings of this analysis (what the settings file holds)", K.REPORT_SETTINGS_OPEN)
if settings_box.open:
    with settings_box:
        st.code(settings_text, language="json")
st.caption("The script runs without the dashboard:  python analysis.py DATA SETTINGS  prints every number of the "
           "report. The same report from the command line:  python -m nelm_stats report DATA --settings "
           "SETTINGS --out report.docx")

st.subheader("Methods")
st.caption("Ready to paste into a manuscript (copy with the button at the top right of the box).")
st.code(report.methods, language=None, wrap_lines=True)

st.subheader("Results")
results_text = " ".join(b.text for s in report.sections for b in s.blocks
                        if isinstance(b, TextBlock) and b.kind == "results")
st.code(results_text, language=None, wrap_lines=True)
for section in report.sections:  # each section's tables and figures are drawn when it is opened
    section_box = ui.lazy_expander(section.title, f"{K.REPORT_SECTION_OPEN}_{section.key}")
    if not section_box.open:
        continue
    with section_box:
        for i, b in enumerate(section.blocks):
            if isinstance(b, TextBlock):
                (st.warning if b.kind == "note" else st.markdown)(b.text)
            elif isinstance(b, TableBlock):
                st.markdown(f"**{b.title}**")
                ui.result_table(b.frame, hide_index=True, key=f"report_table_{section.key}_{i}")
                for note in b.footnotes:
                    st.caption(note)
            elif isinstance(b, FigureBlock):
                ui.plotly_chart(ui.block_figure(b), key=f"report_figure_{section.key}_{i}")
                st.caption(b.caption)
st.caption(" · ".join(f"{k}: {v}" for k, v in report.provenance))
