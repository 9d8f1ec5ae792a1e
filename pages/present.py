"""Present: the current analysis projected at a tumor board, one figure and its key numbers per screen.

Thin: the report is ui.current_report (run_analysis/build_report on the settings the pages hold), the
same cached report as the Report page's; each screen is a section's figure (nelm_stats.figures.present for large
type and the dark-room theme) beside its headline numbers. The sidebar and header are hidden on this
page only; Previous/Next (or the arrow keys) step through the screens; "Exit" goes back.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.figures.present import DARK_BACKGROUND, DARK_TEXT, presentation_figure
from nelm_stats.report.document import FigureBlock, TextBlock

SCREEN = "present_screen"  # index of the screen shown
DARK = "present_dark"  # toggle: dark-room theme
FIGURE_HEIGHT = 600  # px: a figure and the buttons fit a 1080p projector without scrolling

HIDE_CONTROLS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stSidebarNav"],
header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"] {display: none !important;}
.block-container, [data-testid="stMainBlockContainer"] {padding-top: 1.2rem !important; max-width: 100% !important;}
.present-title {font-size: 2.6rem; font-weight: 700; line-height: 1.15; margin: 0 0 0.4rem 0;}
.present-sub {font-size: 1.4rem; opacity: 0.8; margin-bottom: 0.6rem;}
.present-numbers {list-style: none; padding: 0; margin: 0;}
.present-numbers li {font-size: 1.9rem; line-height: 1.3; margin: 0 0 1.1rem 0; overflow-wrap: anywhere;}
.present-count {font-size: 1.2rem; opacity: 0.75; text-align: right;}
.stApp :focus:not(button), .stApp :focus-visible:not(button), .stApp:focus {outline: none !important; box-shadow: none !important;}
</style>
"""
DARK_CSS = f"""
<style>
.stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {{background: {DARK_BACKGROUND} !important;}}
.stApp, .stApp p, .stApp li, .stApp span, .stApp label, .stApp h1, .stApp h2, .stApp h3, .stApp div {{color: {DARK_TEXT};}}
.stApp button[data-testid^="stBaseButton"] {{background: #2A2A2A !important; color: {DARK_TEXT} !important;
    border-color: #5A5A5A !important;}}
.stApp [data-testid="stTooltipIcon"] *, .stApp [data-testid="stTooltipHoverTarget"] {{background: transparent !important;}}
.stApp a {{color: #56B4E9 !important;}}
</style>
"""


def _screens(report) -> list[dict]:
    """The title screen, then one screen per figure of a section (sections without a figure but
    with key numbers get one screen of numbers)."""
    screens = [dict(title=report.title, subtitle=report.subtitle, numbers=report.take_home, figure=None)]
    for section in report.sections:
        figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
        for i, fig in enumerate(figures):
            screens.append(dict(title=section.title if len(figures) == 1 else f"{section.title}: {fig.title}",
                                subtitle=fig.caption, numbers=section.headline if i == 0 else (), figure=fig))
        if not figures and section.headline:
            notes = tuple(b.text for b in section.blocks if isinstance(b, TextBlock) and b.kind == "results")
            screens.append(dict(title=section.title, subtitle=notes[0] if notes else "", numbers=section.headline,
                                figure=None))
    return screens


def _step(delta: int, n: int) -> None:
    st.session_state[SCREEN] = max(0, min(n - 1, int(st.session_state.get(SCREEN, 0)) + delta))


def _numbers(lines) -> str:
    return "<ul class='present-numbers'>" + "".join(f"<li>{html.escape(x)}</li>" for x in lines) + "</ul>"


st.markdown(HIDE_CONTROLS, unsafe_allow_html=True)

settings_text = ui.settings_json()
try:
    report = ui.current_report(settings_text)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.page_link("pages/report.py", label="Exit presentation", icon=":material/close:")
    st.stop()

screens = _screens(report)
n = len(screens)
st.session_state[SCREEN] = max(0, min(n - 1, int(st.session_state.get(SCREEN, 0))))
index = st.session_state[SCREEN]
dark = bool(st.session_state.get(DARK, False))
if dark:
    st.markdown(DARK_CSS, unsafe_allow_html=True)

top = st.columns([2, 2, 6, 2], vertical_alignment="center")
top[0].page_link("pages/report.py", label="Exit presentation", icon=":material/close:")
top[1].toggle("Dark room", key=DARK, help="Dark background for a darkened room; the curves keep their "
                                          "colour-blind-safe colours.")
top[3].markdown(f"<div class='present-count'>{index + 1} / {n}</div>", unsafe_allow_html=True)

screen = screens[index]
st.markdown(f"<div class='present-title'>{html.escape(screen['title'])}</div>", unsafe_allow_html=True)
if screen["subtitle"]:
    st.markdown(f"<div class='present-sub'>{html.escape(screen['subtitle'])}</div>", unsafe_allow_html=True)
if screen["figure"] is not None:
    left, right = st.columns([3, 2], gap="large")
    fig = presentation_figure(go.Figure(ui.block_figure(screen["figure"])), dark=dark)  # from the cached JSON
    fig.update_layout(height=FIGURE_HEIGHT)
    left.plotly_chart(fig, key="present_figure", theme=None, config={"displayModeBar": False})
    right.markdown(_numbers(screen["numbers"]), unsafe_allow_html=True)
else:
    st.markdown(_numbers(screen["numbers"]), unsafe_allow_html=True)

nav = st.columns([2, 2, 8])
nav[0].button("Previous", key="present_previous", icon=":material/arrow_back:", shortcut="Left",
              on_click=_step, args=(-1, n), disabled=index == 0, width="stretch")
nav[1].button("Next", key="present_next", icon=":material/arrow_forward:", shortcut="Right",
              on_click=_step, args=(1, n), disabled=index == n - 1, width="stretch")
nav[2].caption("← → arrow keys step through the screens.")
