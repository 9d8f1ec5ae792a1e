"""The "Plan a study" page under AppTest: every sample cohort and an upload, numbers equal to the API
(nelm_stats.survival_sample_size / proportions_sample_size / noninferiority_sample_size, rounded up),
edits change them, invalid input shows a sentence (no traceback), nothing raw on screen."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from nelm_stats.report import planning_text as pt
from tests.conftest import ROOT
from tests.test_presentation import ALLOWED, BAD, _texts

APP = str(ROOT / "app.py")
PAGE = "pages/plan.py"
K = ui.Keys


def _page(dataset: str, uploads: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if uploads is not None:
        at.session_state[K.UPLOADS] = uploads
    at.session_state[K.DATASET] = dataset
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _metric(at: AppTest, label: str, nth: int = 0) -> str:
    values = [m.value for m in at.metric if m.label == label]
    assert len(values) > nth, [m.label for m in at.metric]
    return values[nth]


def _raw_on_screen(at: AppTest) -> list[str]:
    found = []
    for kind, text in _texts(at):
        for m in BAD.finditer(ALLOWED.sub(" ", text)):
            found.append(f"{kind}: {m.group(0)!r} in {text[:120]!r}")
    return found


def _survival_plan(at: AppTest):
    s = at.session_state
    return ns.survival_sample_size(
        s[K.PLAN_HR], median_control=s[K.PLAN_MEDIAN], accrual_time=s[K.PLAN_ACCRUAL],
        follow_up_time=s[K.PLAN_FOLLOW_UP], alpha=s[K.PLAN_ALPHA], power=s[K.PLAN_POWER], sided=s[K.PLAN_SIDED],
        allocation_ratio=s[K.PLAN_ALLOCATION], dropout_rate=s[K.PLAN_DROPOUT] / 100,
        dropout_time=s[K.PLAN_DROPOUT_TIME], method=s[K.PLAN_METHOD])


@pytest.mark.parametrize("sample", ns.sample_names())
def test_page_renders_on_every_sample_with_the_api_numbers(sample):
    at = _page(f"sample:{sample}")
    assert not at.error, [e.value for e in at.error]
    plan = _survival_plan(at)
    assert _metric(at, "Events required") == str(pt.rounded_up(plan.events))
    assert _metric(at, "Patients") == str(pt.arms(plan.patients_treated, plan.patients_control)[2])
    assert any(m.value.startswith("**For the protocol.** To detect a hazard ratio of") for m in at.markdown)
    assert not _raw_on_screen(at), _raw_on_screen(at)


@pytest.mark.parametrize("sample", ns.sample_names())
def test_prefilled_from_the_cohort(sample):
    at = _page(f"sample:{sample}")
    data = ns.load_sample(sample)
    group = at.session_state[K.PLAN_GROUP] or None
    ep = ui.data_endpoints(data)[at.session_state[K.PLAN_ENDPOINT]]
    inputs = ns.planning_inputs(data, ep.time, ep.event, group)
    assert at.session_state[K.PLAN_HR] == round(inputs.planning_hazard_ratio, 2)
    assert at.session_state[K.PLAN_MEDIAN] == round(inputs.planning_median_control, 1)
    assert at.session_state[K.PLAN_P_CONTROL] == round(100 * inputs.planning_rate_control, 1)
    if inputs.hazard_ratio_status != "observed":
        assert any("clinically relevant hazard ratio" in i.value for i in at.info)


def test_editing_inputs_changes_the_numbers():
    at = _page("sample:icg_lpsh")
    before = _metric(at, "Events required")
    at.number_input(key=K.PLAN_HR).set_value(0.70).run()
    at.selectbox(key=K.PLAN_POWER).set_value(0.9).run()
    at.number_input(key=K.PLAN_ALLOCATION).set_value(2.0).run()
    at.radio(key=K.PLAN_METHOD).set_value("freedman").run()
    at.number_input(key=K.PLAN_DROPOUT).set_value(10.0).run()
    assert not at.exception and not at.error
    plan = ns.survival_sample_size(0.70, median_control=at.session_state[K.PLAN_MEDIAN], accrual_time=24,
                                   follow_up_time=36, power=0.9, allocation_ratio=2.0, dropout_rate=0.10,
                                   dropout_time=12, method="freedman")
    events = _metric(at, "Events required")
    assert events != before and events == str(pt.rounded_up(plan.events))
    t, c, n = pt.arms(plan.patients_treated, plan.patients_control)
    assert _metric(at, "Patients") == str(n) and _metric(at, "Per arm (new / control)") == f"{t} / {c}"
    assert any(pt.survival_protocol(plan, "Recurrence-free survival") in m.value for m in at.markdown)


def test_hazard_ratio_of_one_shows_a_sentence_not_a_traceback():
    at = _page("sample:icg_lpsh")
    at.number_input(key=K.PLAN_HR).set_value(1.0).run()
    assert not at.exception
    assert any("no difference" in e.value for e in at.error)
    assert not any(m.label == "Events required" for m in at.metric)


def test_margin_rates_superiority_and_noninferiority():
    at = _page("sample:icg_lpsh")
    at.number_input(key=K.PLAN_P_CONTROL).set_value(30.0).run()
    at.number_input(key=K.PLAN_P_TREATED).set_value(15.0).run()
    at.radio(key=K.PLAN_RATE_METHOD).set_value("normal").run()
    n = pt.rounded_up(ns.proportions_sample_size(0.30, 0.15, method="normal").n_per_group)
    assert _metric(at, "Patients per group") == str(n)
    at.number_input(key=K.PLAN_P_TREATED).set_value(30.0).run()  # equal rates: a sentence
    assert not at.exception and any("equal" in e.value for e in at.error)
    at.radio(key=K.PLAN_RATE_DESIGN).set_value("noninferiority").run()
    at.number_input(key=K.PLAN_P_CONTROL).set_value(12.0).run()
    at.number_input(key=K.PLAN_P_TREATED).set_value(12.0).run()
    at.number_input(key=K.PLAN_NI_MARGIN).set_value(10.0).run()
    ni = ns.noninferiority_sample_size(0.12, 0.12, margin=0.10)
    assert not at.error
    assert _metric(at, "Patients", 1) == str(pt.arms(ni.n_new, ni.n_standard)[2])  # [0]: survival tab
    assert any("not more than 10 percentage points" in m.value for m in at.markdown)
    at.number_input(key=K.PLAN_P_TREATED).set_value(25.0).run()  # already worse than the margin
    assert not at.exception and any("already worse" in e.value for e in at.error)
    assert not _raw_on_screen(at), _raw_on_screen(at)


def test_changing_the_comparison_refills_the_values():
    at = _page("sample:icg_lpsh")
    at.selectbox(key=K.PLAN_GROUP).set_value("grade").run()
    assert not at.exception
    data = ns.load_sample("icg_lpsh")
    inputs = ns.planning_inputs(data, "rfs_months", "rfs_event", "grade")
    assert at.session_state[K.PLAN_HR] == round(inputs.planning_hazard_ratio, 2)
    assert any("close to 1" in i.value for i in at.info)  # G2 vs G1: hazard ratio about 1
    at.selectbox(key=f"{K.PLAN_TREATED}_grade").set_value("G3").run()
    assert not at.exception
    g3 = ns.planning_inputs(data, "rfs_months", "rfs_event", "grade", control="G1", treated="G3")
    assert at.session_state[K.PLAN_HR] == round(g3.planning_hazard_ratio, 2)


def _made_up_cohort(n: int = 60, seed: int = 11) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = rng.exponential(30, n).round(1) + 0.5
    return pd.DataFrame({
        "patient_id": [f"X{i}" for i in range(n)],
        "arm": pd.Series(rng.choice(["laparoscopic", "open"], n), dtype="string"),
        "margin_status": pd.Categorical(rng.choice(["R0", "R1"], n, p=[0.8, 0.2]), categories=["R0", "R1", "R2"]),
        "rfs_months": t, "rfs_event": rng.random(n) < 0.6,
    })


def test_page_works_on_an_upload():
    uploads = {"my_series": ui.UploadedCohort(name="my_series", data=_made_up_cohort())}
    at = _page("upload:my_series", uploads)
    assert not at.error, [e.value for e in at.error]
    at.selectbox(key=K.PLAN_GROUP).set_value("arm").run()
    assert not at.exception and not at.error
    assert any("laparoscopic" in m.value for m in at.markdown)
    assert _metric(at, "Events required") == str(pt.rounded_up(_survival_plan(at).events))
    assert not _raw_on_screen(at), _raw_on_screen(at)


def test_an_upload_without_follow_up_still_plans_margin_rates():
    data = _made_up_cohort().drop(columns=["rfs_months", "rfs_event"])
    at = _page("upload:no_fu", {"no_fu": ui.UploadedCohort(name="no_fu", data=data)})
    assert not at.exception and not at.error
    assert any("follow-up times" in i.value for i in at.info)
    assert any(m.label == "Patients per group" for m in at.metric)
