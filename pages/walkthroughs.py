"""Re-analyse the papers: each abstract of the literature folder as a guided walkthrough.

Thin: the steps, their analyses, the published numbers and the wording live in
nelm_stats.report.walkthroughs; this page runs them (cached per cohort) and lays them out, and its
"Open this on the … page" buttons set the controls of that page (ui.apply_settings + the page's
widget keys) and switch to it.
"""
from __future__ import annotations

import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import settings as ns_settings
from nelm_stats.report import walkthroughs as wt

K = ui.Keys
PAPER = "walkthrough_paper"  # selectbox: which paper
COHORT = "walkthrough_cohort"  # radio: "sample" (the paper's synthetic cohort) | "current" (the dataset in use)
GOTO = "walkthrough_goto"  # the page to switch to after a button's callback
APPLIED = "walkthrough_applied"  # (paper, step) last opened, to say so on return


@ui.session_cached
def _run(data, lesions, paper: str, step: str):
    w = wt.walkthrough(paper)
    return wt.run_step(next(s for s in w.steps if s.key == step), data, lesions)


def _open(paper: str, step_key: str, dataset: str) -> None:
    """Button callback: make ``dataset`` current, set the page's controls, then switch (in the body)."""
    step = next(s for s in wt.walkthrough(paper).steps if s.key == step_key)
    ss = st.session_state
    ss[K.DATASET] = dataset
    if step.settings is not None:
        report = ns_settings.ReportChoices(title=ss.get(K.REPORT_TITLE) or ns_settings.ReportChoices().title,
                                           sections=tuple(ss.get(K.REPORT_SECTIONS) or ns_settings.SECTIONS))
        ui.apply_settings(ns_settings.Settings(analysis=step.settings, report=report))
    for name, value in step.controls.items():
        ss[getattr(K, name)] = value
    ui.claim_page_choices()  # the controls just set are for this dataset: the page keeps them
    ss[APPLIED] = (paper, step_key)
    ss[GOTO] = step.page


goto = st.session_state.pop(GOTO, None)
if goto:
    st.switch_page(goto)

st.title("Re-analyse the papers")
st.caption("Each paper of the literature folder, step by step: what to look at, the number the abstract "
           "published beside the one computed on its synthetic demo cohort (or on your own data), and why "
           "the two may differ. Every step opens on the page that shows it, with the controls set.")

papers = [w.key for w in wt.WALKTHROUGHS]
here = ui.current_dataset()
kind, name = here.split(":", 1)
own = wt.walkthrough_for_sample(name) if kind == "sample" else None
ui.keep_valid(PAPER, papers, own.key if own else papers[0])
paper = st.selectbox("Paper", papers, key=PAPER, format_func=lambda k: wt.walkthrough(k).title)
w = wt.walkthrough(paper)

sample_option = f"sample:{w.sample}"
choices = ["sample"] + (["current"] if here != sample_option else [])
ui.keep_valid(COHORT, choices, "sample")
cohort_choice = st.radio(
    "Run on", choices, key=COHORT, horizontal=True,
    format_func=lambda c: f"Its synthetic demo cohort ({w.sample}.csv)" if c == "sample"
    else f"The data in use ({ui.dataset_label(here)})")
if cohort_choice == "sample":
    dataset = sample_option
    data, lesions = ns.load_sample(w.sample), ns.load_sample_lesions(w.sample)
else:
    dataset = here
    data, lesions = ui.current_cohort(), ui.current_lesions()

st.markdown(f"**{w.question}**")
st.caption(w.citation + (" The demo cohort is synthetic: it was generated to resemble the abstract's summary "
                         "figures, never real patients." if cohort_choice == "sample" else ""))

missing = wt.missing_columns(w, data, lesions)
if missing:
    st.warning("Some steps need columns these data do not hold: "
               + ", ".join(f"{ui.column_label(c.removeprefix(wt.LESION_PREFIX))} (`{c}`)" for c in missing)
               + ". Map them on the Import page to run those steps.", icon=":material/warning:")

for i, step in enumerate(w.steps, start=1):
    with st.expander(f"Step {i}. {step.title}", expanded=i == 1):
        st.markdown(step.look_at)
        lacking = wt.step_missing_columns(step, data, lesions)
        if lacking:
            st.info("This step needs " + ", ".join(f"`{c}`" for c in lacking) + ", which these data do not hold.")
            continue
        try:
            result = _run(data, lesions, paper, step.key)
        except ns.AnalysisError as err:
            ui.show_error(err)
            continue
        left, right = st.columns([3, 2], gap="large")
        with left:
            if result.figure is not None:
                ui.chart(result.figure, key=f"walkthrough_figure_{paper}_{step.key}")
            for line in result.lines:
                st.markdown(f"- {line}")
        with right:
            st.markdown("**Published vs this cohort**")
            ui.result_table(wt.comparison_table(step, result), hide_index=True,
                         key=f"walkthrough_table_{paper}_{step.key}")
            st.caption(f"From the abstract: “{step.quote}”")
            st.markdown(f"**Why they may differ.** {step.why_differ}")
            where = f" ({step.where})" if step.where else ""
            st.button(f"Open this on the {step.page_title} page", key=f"walkthrough_open_{paper}_{step.key}",
                      icon=":material/open_in_new:", on_click=_open, args=(paper, step.key, dataset),
                      help=f"Sets the controls of the {step.page_title} page{where} to this step's analysis "
                           f"and opens it.")
            if step.where:
                st.caption(f"On that page, look at {step.where}.")
