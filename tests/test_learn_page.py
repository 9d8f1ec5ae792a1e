"""App tests of the teaching pages: 'Naive vs correct' (every contrast and toggle on every sample
cohort; the numbers on screen move in the stated direction), the glossary (renders, filters) and
'How to read this' on every analysis page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from nelm_stats.report import teaching as T

APP = str(Path(__file__).resolve().parents[1] / "app.py")
LEARN = "pages/learn.py"
TOGGLES = ["learn_km_vs_cif_correct", "learn_adjusted_correct", "learn_holm_correct",
           "learn_immortal_time_correct", "learn_pairs_correct", "learn_cutpoint_correct"]


def _open(page: str, sample: str = "icg_lpsh", **state) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["dataset"] = f"sample:{sample}"
    for k, v in state.items():
        at.session_state[k] = v
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _number(text: str) -> float:
    """'62.3 %' -> 62.3; 'p = 0.041' -> 0.041; 'p < 0.001' -> 0.001 (an upper bound)."""
    return float(re.search(r"\d+(\.\d+)?", text.replace("–", "-")).group(0))


def _metric(metrics: dict, start: str) -> str:
    found = [v for k, v in metrics.items() if k.startswith(start)]
    assert found, f"no metric starting {start!r} in {list(metrics)}"
    return found[0]


def _tab(at, key: str) -> None:
    """Open the tab of one contrast (only the open tab is computed and drawn)."""
    at.session_state[ui.Keys.LEARN_VIEW] = T.CONTRASTS[key].title
    at.run()
    assert not at.exception, [e.value for e in at.exception]


ORDER = ["km_vs_cif", "adjusted", "holm", "immortal_time", "pairs", "cutpoint"]


@pytest.mark.parametrize("sample", ns.sample_names())
def test_every_contrast_and_toggle_runs(sample):
    at = _open(LEARN, sample)
    assert [t.label for t in at.tabs] == [T.CONTRASTS[k].title for k in ORDER]
    naive, correct, shown, toggles = {}, {}, [], []
    for key in ORDER:
        _tab(at, key)
        assert [t.key for t in at.toggle] in ([], [f"learn_{key}_correct"])  # the open tab's only
        naive.update(_metrics(at))
        if at.toggle:
            toggles.append(at.toggle[0].key)
            at.toggle[0].set_value(True).run()
            assert not at.exception, [e.value for e in at.exception]
        correct.update(_metrics(at))
        shown += [m.value for m in at.markdown]
    assert toggles == [k for k in TOGGLES if k in toggles]
    # a switch stays where it was put while its tab is closed
    _tab(at, ORDER[0])
    assert all(at.session_state[k] is True for k in toggles)
    # every section says why, in the words of report.teaching
    shown = " ".join(shown)
    for key in ("km_vs_cif", "adjusted", "holm", "pairs", "cutpoint"):
        if f"learn_{key}_correct" in toggles:
            assert T.CONTRASTS[key].why in shown
    # 1 − KM >= CIF, on screen
    if any(k.startswith("Risk of recurrence") for k in naive):
        km = _number(_metric(naive, "Risk of recurrence"))
        cif = _number(_metric(correct, "Risk of recurrence"))
        assert km >= cif
        if int(correct["Deaths without recurrence"]) == 0:
            assert km == cif
    # Holm never finds more significant pairs than the unadjusted tests
    if any(k.startswith("Comparisons with p < 0.05") for k in naive):
        assert int(_metric(correct, "Comparisons with p < 0.05")) <= int(_metric(naive, "Comparisons with p < 0.05"))
    # same hazard ratio with the pairs ignored or clustered
    if "Hazard ratio (the same in both)" in naive:
        assert naive["Hazard ratio (the same in both)"] == correct["Hazard ratio (the same in both)"]
        assert _metric(naive, "Standard error") != _metric(correct, "Standard error") or sample == "aggressive_resection"
    # the "optimal" cut's p is at or below the pre-specified one; corrected is at or above it
    if "Smallest log-rank p-value" in naive:
        p_min = _number(naive["Smallest log-rank p-value"])
        assert _number(_metric(correct, "Pre-specified cut")) >= p_min or "<" in naive["Smallest log-rank p-value"]
        assert _number(_metric(correct, "Minimum p corrected")) >= p_min or "<" in _metric(correct, "Minimum p corrected")


def test_only_the_open_contrast_is_computed(monkeypatch):
    """The 1 000-permutation search runs when its tab is opened, not on arrival."""
    calls = []
    real = ns.optimal_cutpoint
    monkeypatch.setattr(ns, "optimal_cutpoint", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = AppTest.from_file(APP, default_timeout=180)  # an upload: this session's own cache, empty
    at.session_state["uploads"] = {"series": ui.UploadedCohort(name="series", data=ns.load_sample("jp_multicenter"))}
    at.session_state["dataset"] = "upload:series"
    at.run()
    at.switch_page(LEARN)
    at.run()
    assert calls == [] and len(at.toggle) == 1
    assert not any(m.label == "Smallest log-rank p-value" for m in at.metric)
    _tab(at, "cutpoint")
    assert calls == [1] and any(m.label == "Smallest log-rank p-value" for m in at.metric)


@pytest.mark.parametrize("sample", ["mimic", "jp_multicenter", "mayo_cystic"])
def test_landmark_hr_closer_to_one_on_screen(sample):
    import math

    at = _open(LEARN, sample)
    _tab(at, "immortal_time")
    naive = float(_metric(_metrics(at), "Hazard ratio of death"))
    at.toggle("learn_immortal_time_correct").set_value(True)
    at.run()
    lm = float(_metric(_metrics(at), "Hazard ratio of death"))
    assert naive < 1 < lm or abs(math.log(lm)) < abs(math.log(naive))
    assert abs(math.log(lm)) < abs(math.log(naive))


def test_landmark_widget_and_grouping_change():
    at = _open(LEARN, "jp_multicenter")
    _tab(at, "immortal_time")
    at.number_input("learn_immortal_time_landmark").set_value(24.0).run()
    assert "24 months" in " ".join(m.value for m in at.markdown)
    _tab(at, "holm")
    at.selectbox("learn_holm_group").set_value("primary_site").run()
    _tab(at, "cutpoint")
    at.selectbox("learn_cutpoint_covariate").set_value("largest_lesion_cm").run()
    assert not at.exception
    # each choice kept while its tab is closed, and used again when it is opened
    _tab(at, "immortal_time")
    assert at.number_input("learn_immortal_time_landmark").value == 24.0
    assert "24 months" in " ".join(m.value for m in at.markdown)
    _tab(at, "holm")
    assert at.selectbox("learn_holm_group").value == "primary_site"
    _tab(at, "cutpoint")
    assert at.selectbox("learn_cutpoint_covariate").value == "largest_lesion_cm"


def test_missing_columns_are_named():
    import streamlit  # noqa: F401  (the uploads live in session state)
    import ui

    d = ns.load_sample("icg_lpsh").drop(columns=["death", "os_months", "os_event"])
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state["uploads"] = {"nodeath": ui.UploadedCohort(name="nodeath", data=d)}
    at.session_state["dataset"] = "upload:nodeath"
    at.run()
    at.switch_page(LEARN)
    at.run()
    assert not at.exception
    infos = []
    for key in ORDER:
        _tab(at, key)
        infos += [i.value for i in at.info]
    infos = " ".join(infos)
    assert "`death`" in infos and "competing" in infos
    assert "immortal-time" in infos


def test_glossary_renders_and_filters():
    at = _open("pages/glossary.py")
    terms = [s.value for s in at.subheader]
    assert terms == [e.term for e in T.GLOSSARY]
    for needed in ("Censoring", "Hazard ratio", "Log-rank test", "Median vs mean survival", "Immortal-time bias",
                   "Competing risks", "Events per variable (EPV)", "E-value", "Caliper"):
        assert needed in terms
    at.text_input("glossary_search").input("caliper").run()
    assert [s.value for s in at.subheader][0] == "Caliper"
    assert len(at.subheader) < len(T.GLOSSARY)
    at.text_input("glossary_search").input("zzzz").run()
    assert not at.subheader and at.info


@pytest.mark.parametrize("page,key", [("pages/survival.py", "survival"), ("pages/propensity.py", "propensity"),
                                      ("pages/table_one.py", "table_one"), ("pages/margins.py", "margins"),
                                      ("pages/fluorescence.py", "fluorescence"), ("pages/risk_factors.py", "risk_factors"),
                                      ("pages/plan.py", "plan")])
def test_every_analysis_page_shows_how_to_read(page, key):
    at = _open(page, "mimic" if key == "fluorescence" else "icg_lpsh")
    assert "How to read this" in [e.label for e in at.expander]
    h = T.HOW_TO_READ[key]
    assert h.shows not in " ".join(m.value for m in at.markdown)  # folded away: sent when opened
    at.session_state[f"{ui.Keys.HOW_TO_READ_OPEN}_{key}"] = True
    at.run()
    text = " ".join(m.value for m in at.markdown)
    for part in (h.shows, h.assumptions, h.mistakes, h.report):
        assert part in text
