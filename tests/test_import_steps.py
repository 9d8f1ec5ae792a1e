"""The Import page memoises each step per session: a later choice does not redo earlier steps.

Behavioural, not timed: the reader (nelm_stats.io._read_csv, which read_table calls) and
apply_mapping/find_problems are wrapped to count calls, then widgets are changed under AppTest.
"""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from nelm_stats.intake import read as ns_io

PAGE = "pages/data_import.py"
APP = Path(__file__).resolve().parent.parent / "app.py"


@pytest.fixture
def calls(monkeypatch):
    counts = {"read": 0, "apply": 0, "problems": 0, "prepare": 0}

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            counts[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(ns_io, "_read_csv", counting("read", ns_io._read_csv))
    monkeypatch.setattr(ns, "apply_mapping", counting("apply", ns.apply_mapping))
    monkeypatch.setattr(ns, "find_problems", counting("problems", ns.find_problems))
    monkeypatch.setattr(ns, "prepare_cohort", counting("prepare", ns.prepare_cohort))
    return counts


def _uploaded():
    """The page after an upload (AppTest cannot drive st.file_uploader: the demo-export path is the same)."""
    content = ns_io.demo_registry_export(ns.load_sample(ns.samples.DEFAULT_SAMPLE))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(PAGE)
    at.session_state[ui.Keys.IMPORT_DEMO] = ("registry_export.csv", content)
    at.run()
    assert not at.exception
    return at


def _radio(at, key):
    return next(r for r in at.radio if r.key == key)


def _analysed(at) -> str:
    return {m.label: m.value for m in at.metric}["Analysed"]


def test_late_choice_does_not_read_the_file_again(calls):
    at = _uploaded()
    assert calls["read"] == 1 and calls["apply"] == 1
    before = [c.value for c in at.caption]
    _radio(at, ui.Keys.IMPORT_RFS_DEFINITION).set_value("recurrence_only").run()
    assert not at.exception and len(at.error) == 0
    # the new definition is used ...
    assert any("Time to recurrence" in c.value for c in at.caption)
    assert [c.value for c in at.caption] != before
    # ... without reading, mapping or normalising the file again
    assert calls["read"] == 1 and calls["apply"] == 1
    assert calls["problems"] == 2 and calls["prepare"] == 2
    # the unit is later still: the problem report is not redone either
    _radio(at, ui.Keys.IMPORT_UNIT).set_value("days").run()
    assert not at.exception
    assert calls["read"] == 1 and calls["apply"] == 1 and calls["problems"] == 2 and calls["prepare"] == 3
    # going back to an earlier choice is served from the session's memo
    _radio(at, ui.Keys.IMPORT_UNIT).set_value("months").run()
    _radio(at, ui.Keys.IMPORT_RFS_DEFINITION).set_value("recurrence_or_death").run()
    assert calls == {"read": 1, "apply": 1, "problems": 2, "prepare": 3}
    assert _analysed(at) == str(len(ns.load_sample(ns.samples.DEFAULT_SAMPLE)))


def test_widget_only_change_recomputes_nothing(calls):
    at = _uploaded()
    snapshot = dict(calls)
    box = next(c for c in at.checkbox if c.key == ui.Keys.IMPORT_DROP_DATES)
    box.set_value(False).run()
    assert not at.exception
    assert calls == snapshot


def test_early_choice_reads_again(calls):
    """Changing the missing-value codes changes the read step's key: the file is read again."""
    at = _uploaded()
    at.text_input(key=ui.Keys.IMPORT_MISSING).set_value("NA, unknown, 999").run()
    assert not at.exception
    assert calls["read"] == 2 and calls["apply"] == 2


def test_results_live_in_the_session_cache_only(calls):
    """Every step of an upload is cached with st.cache_data(scope="session"); the global cache,
    which every session shares, holds nothing of it."""
    from tests.cache_probe import cache_entries, global_entries

    at = _uploaded()
    assert global_entries("_session_step") == 0
    mine = {sid for (sid, fn), n in cache_entries().items() if fn == "_session_step" and n}
    assert len(mine) >= 1 and None not in mine
    # switching choices back and forth: each step is computed once per distinct choice
    _radio(at, ui.Keys.IMPORT_UNIT).set_value("days").run()
    _radio(at, ui.Keys.IMPORT_UNIT).set_value("months").run()
    _radio(at, ui.Keys.IMPORT_UNIT).set_value("days").run()
    assert calls["read"] == 1 and calls["prepare"] == 2
    # (another session cannot reach these entries: tests/test_import_browser.py opens a second one)


def _step_script():
    import streamlit as st

    import nelm_stats as ns
    import ui

    n = st.session_state.setdefault("n", {"calls": 0})

    def compute():
        n["calls"] += 1
        return n["calls"]

    def fail():
        n["calls"] += 100
        raise ns.InputError("bad")

    st.session_state["a"] = ui.session_step("s", ("a", 1), compute)
    st.session_state["a_again"] = ui.session_step("s", ("a", 1), compute)
    st.session_state["b"] = ui.session_step("s", ("a", 2), compute)
    for _ in range(2):
        try:
            ui.session_step("s", ("bad",), fail)
        except ns.InputError:
            pass


def test_session_step_caches_and_does_not_keep_errors():
    at = AppTest.from_function(_step_script, default_timeout=30)
    at.run()
    assert not at.exception
    assert (at.session_state["a"], at.session_state["a_again"], at.session_state["b"]) == (1, 1, 2)
    assert at.session_state["n"]["calls"] == 202  # two computations; each failure ran again
