"""Presentation mode (AppTest): every screen of every sample runs; Next/Previous move one screen;
the dark-room toggle switches the page and the figure to the dark theme."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
from nelm_stats.figures.present import DARK_BACKGROUND, dark_theme, presentation_figure
from nelm_stats.figures.style import PALETTE

APP = str(Path(__file__).resolve().parents[1] / "app.py")


def _present(sample: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["dataset"] = f"sample:{sample}"
    at.run()
    at.switch_page("pages/present.py")
    at.run()
    assert not at.exception
    return at


def _count(at) -> tuple[int, int]:
    text = next(m.value for m in at.markdown if "class='present-count'" in m.value)
    shown = text.split(">", 1)[1].split("<", 1)[0]
    i, n = shown.split(" / ")
    return int(i), int(n)


def _figure(at) -> dict | None:
    charts = at.get("plotly_chart")
    return json.loads(charts[0].proto.spec) if charts else None


@pytest.mark.parametrize("sample", ns.sample_names())
def test_every_screen_runs_and_next_previous_move(sample):
    at = _present(sample)
    i, n = _count(at)
    assert i == 1 and n >= 4  # title + survival, margins, Cox, propensity …
    assert at.button(key="present_previous").disabled
    figures = 0
    for k in range(2, n + 1):
        at.button(key="present_next").click().run()
        assert not at.exception, (sample, k)
        assert _count(at) == (k, n)
        numbers = [m.value for m in at.markdown if "class='present-numbers'" in m.value]
        fig = _figure(at)
        figures += fig is not None
        assert fig is not None or numbers, "a screen shows a figure or its key numbers"
    assert figures >= 2
    assert at.button(key="present_next").disabled
    at.button(key="present_previous").click().run()
    assert _count(at) == (n - 1, n)


def test_controls_hidden_and_an_exit():
    at = _present("icg_lpsh")
    css = next(m.value for m in at.markdown if "<style>" in m.value)
    assert 'data-testid="stSidebar"' in css and "display: none" in css
    assert any(link.label == "Exit presentation" for link in at.get("page_link"))


def test_dark_toggle():
    at = _present("mayo_cystic")
    at.button(key="present_next").click().run()
    light = _figure(at)
    assert light is not None and light["layout"].get("paper_bgcolor") != DARK_BACKGROUND
    at.toggle(key="present_dark").set_value(True).run()
    assert not at.exception
    dark = _figure(at)
    assert dark["layout"]["paper_bgcolor"] == DARK_BACKGROUND and dark["layout"]["plot_bgcolor"] == DARK_BACKGROUND
    assert any(DARK_BACKGROUND in m.value and "<style>" in m.value for m in at.markdown)
    assert _count(at)[0] == 2  # the toggle keeps the screen
    at.toggle(key="present_dark").set_value(False).run()
    assert _figure(at)["layout"].get("paper_bgcolor") != DARK_BACKGROUND


def test_dark_theme_keeps_the_colour_blind_safe_curves_and_enlarges_type():
    from nelm_stats.figures.km import km_figure

    d = ns.load_sample("icg_lpsh")
    fig = km_figure(ns.kaplan_meier(d, "rfs_months", "rfs_event", "icg"), test=ns.logrank_test(
        d, "rfs_months", "rfs_event", "icg"), group_name="ICG")
    dark = dark_theme(fig)
    colours = {t.line.color for t in dark.data if t.mode == "lines" and t.line.color}
    assert colours and colours <= set(PALETTE)  # curves keep the Okabe-Ito colours
    assert "#222222" not in dark.to_json() and "rgba(255,255,255,0.85)" not in dark.to_json()
    big = presentation_figure(fig)
    assert big.layout.font.size >= 1.4 * fig.layout.font.size
    assert fig.layout.paper_bgcolor != DARK_BACKGROUND  # the original is not changed
