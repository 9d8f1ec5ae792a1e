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


def test_results_live_in_session_state_only(calls):
    at = _uploaded()
    steps = at.session_state[ui.Keys.IMPORT_STEPS]
    assert {"read", "apply", "problems", "prepare"} <= set(steps)
    # each step keeps a few results at most
    _radio(at, ui.Keys.IMPORT_RFS_DEFINITION).set_value("recurrence_only").run()
    _radio(at, ui.Keys.IMPORT_RFS_DEFINITION).set_value("hepatic_progression").run()
    for units in ("days", "years", "months", "days", "years"):
        _radio(at, ui.Keys.IMPORT_UNIT).set_value(units).run()
    assert all(len(memo) <= 4 for memo in at.session_state[ui.Keys.IMPORT_STEPS].values())


def test_session_step_memoises_and_does_not_keep_errors(monkeypatch):
    from types import SimpleNamespace

    state: dict = {}
    monkeypatch.setattr(ui, "st", SimpleNamespace(session_state=state))  # dict stand-in for st.session_state
    n = {"calls": 0}

    def compute():
        n["calls"] += 1
        return n["calls"]

    assert ui.session_step("s", ("a", 1), compute) == 1
    assert ui.session_step("s", ("a", 1), compute) == 1
    assert ui.session_step("s", ("a", 2), compute) == 2

    def fail():
        raise ns.InputError("bad")

    for _ in range(2):
        with pytest.raises(ns.InputError):
            ui.session_step("s", ("b",), fail)
    assert ("b",) not in state[ui.Keys.IMPORT_STEPS]["s"]
    for k in range(10):
        ui.session_step("s", ("c", k), compute, keep=3)
    assert list(state[ui.Keys.IMPORT_STEPS]["s"]) == [("c", 7), ("c", 8), ("c", 9)]
