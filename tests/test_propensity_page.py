"""The Propensity page on every sample cohort and on an upload (streamlit AppTest), and in the
real app in chromium (screenshot written to the temp folder for looking at)."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from tests.conftest import ROOT, wait_for_app

APP = str(ROOT / "app.py")
PAGE = "pages/propensity.py"
SCRATCH = Path(tempfile.gettempdir()) / "nelm_screenshots"


def _run(dataset: str, state: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["dataset"] = dataset
    for k, v in (state or {}).items():
        at.session_state[k] = v
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


@pytest.mark.parametrize("name", ns.sample_names())
def test_page_on_every_sample(name):
    at = _run(f"sample:{name}")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    treatment = at.selectbox(key=ui.Keys.PROPENSITY_TREATMENT).value
    data = ns.load_sample(name)
    assert data[treatment].nunique() == 2
    if "icg" in data and data["icg"].nunique() == 2:
        assert treatment == "icg"
    elif "cystic" in data and data["cystic"].nunique() == 2:
        assert treatment == "cystic"
    labels = [m.label for m in at.metric]
    assert any(lab.startswith("Treated matched") for lab in labels)
    exp = next(e for e in at.expander if e.label == "Method and assumptions")
    method = " ".join(md.value for md in exp.markdown)
    assert "Same matches on every computer" in method and "count as equal" in method
    # only the open tab is drawn: the weighting results appear when its tab is opened
    assert not any(lab.startswith("Effective sample size") for lab in labels)
    charts = len(at.get("plotly_chart"))
    at.session_state[ui.Keys.PROPENSITY_VIEW] = "Weighting (IPTW)"
    at.run()
    assert not at.exception and not at.error
    labels = [m.label for m in at.metric]
    assert any(lab.startswith("Effective sample size") for lab in labels)
    assert not any(lab.startswith("Treated matched") for lab in labels)
    assert len(at.get("plotly_chart")) == charts


def test_mayo_cystic_matched_contrast():
    """Cystic vs solid (12 cystic): every cystic patient matched, HR table with three rows."""
    from nelm_stats.report.format import fmt_ratio_value

    at = _run("sample:mayo_cystic")
    assert at.selectbox(key=ui.Keys.PROPENSITY_TREATMENT).value == "cystic"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Treated matched"] == "12 / 12"
    assert any(c.value.startswith("Treated: with cystic metastases; controls: with solid metastases") for c in at.caption)
    tables = [t.value for t in at.dataframe]
    comp = next(t for t in tables if "analysis" in t.columns)
    assert comp["analysis"].tolist() == ["Crude", "Matched", "Weighted (IPTW)"]
    assert comp["hazard_ratio"].notna().all()
    # the same numbers as the package gives
    d = ns.load_sample("mayo_cystic")
    covs = at.multiselect(key=ui.Keys.PROPENSITY_COVARIATES).value
    m = ns.propensity_match(d, "cystic", covs)
    direct = ns.matched_survival(m, "rfs_months", "rfs_event")
    assert comp.set_index("analysis").loc["Matched", "hazard_ratio"] == fmt_ratio_value(direct.hazard_ratio)
    # as in the paper: hepatic progression-free survival, medians in years
    at.selectbox(key=ui.Keys.PROPENSITY_ENDPOINT).set_value("hepatic_pfs").run()
    at.radio(key=ui.Keys.PROPENSITY_UNIT).set_value("years").run()
    assert not at.exception and not at.error
    med = next(t.value for t in at.dataframe if "median" in t.value.columns)
    direct = ns.matched_survival(m, "hepatic_pfs_months", "hepatic_pfs_event", time_unit="years")
    got = med[med.analysis == "Matched"]["median"].tolist()
    want = direct.km.medians["median"].tolist()
    assert got == ["not reached" if np.isnan(x) else f"{x:.2f}" for x in want]


def test_options_change_and_two_controls():
    at = _run("sample:jp_multicenter", {ui.Keys.PROPENSITY_RATIO: 2, ui.Keys.PROPENSITY_ESTIMAND: "ATT",
                                        ui.Keys.PROPENSITY_TRIM: "99th percentile"})
    assert not at.exception and not at.error
    at.checkbox(key=ui.Keys.PROPENSITY_CALIPER_ON).uncheck().run()
    at.checkbox(key=ui.Keys.PROPENSITY_REPLACE).check().run()
    assert not at.exception and not at.error
    at.selectbox(key=ui.Keys.PROPENSITY_TREATED).set_value("False").run()
    assert not at.exception and not at.error
    assert any(c.value.startswith("Treated: without ICG fluorescence;") for c in at.caption)


def test_page_on_an_upload_with_missing_values():
    rng = np.random.default_rng(3)
    n = 80
    d = pd.DataFrame({
        "patient_id": [f"P{i}" for i in range(n)],
        "age": rng.normal(60, 10, n).round(),
        "sex": rng.choice(["female", "male"], n),
        "icg": rng.random(n) < 0.4,
        "rfs_months": rng.exponential(30, n).round(1),
        "rfs_event": rng.random(n) < 0.6,
        "os_months": rng.exponential(50, n).round(1),
        "os_event": rng.random(n) < 0.4,
    })
    d.loc[[3, 7], "age"] = np.nan
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[ui.Keys.UPLOADS] = {"mine": ui.UploadedCohort("mine", ns.schema.coerce_cohort(d))}
    at.session_state[ui.Keys.DATASET] = "upload:mine"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Left out (missing data)"] == "2"


@pytest.mark.browser
def test_propensity_page_in_browser(app_url, page):
    """mayo_cystic, cystic vs solid: the page renders without error; screenshot for looking at."""
    page.goto(app_url)
    wait_for_app(page)
    page.locator('input[aria-label="Dataset"]').click(timeout=60_000)
    page.get_by_role("option", name="mayo_cystic").first.click()
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Propensity").first.click()
    wait_for_app(page)
    page.get_by_text("Propensity-score analyses").first.wait_for(timeout=60_000)
    page.get_by_text("crude, matched and weighted").first.wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert page.get_by_text("12 / 12").count() >= 1  # every cystic patient matched
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    SCRATCH.mkdir(exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 6500})
    page.wait_for_timeout(2000)
    wait_for_app(page)
    page.screenshot(path=str(SCRATCH / "propensity_full.png"), full_page=True)


def test_display_tables_show_no_none_or_nan_and_whole_event_counts():
    """Binary covariates have no variance ratio: shown as '–', not 'None'; events of the crude
    and matched cohorts are whole numbers (only the weighted cohort's are sums of weights)."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[ui.Keys.DATASET] = "sample:mayo_cystic"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception and not at.error
    frames = [df.value for df in at.dataframe]
    balance = next(f for f in frames if "variance_ratio_before" in f.columns)
    for col in ("variance_ratio_before", "variance_ratio_after"):
        shown = balance[col].astype(str)
        assert not shown.isin(["None", "nan", "NaN"]).any()
        assert (shown == "–").any()  # sex, grade levels are binary
    medians = next(f for f in frames if {"analysis", "events", "median"} <= set(f.columns))
    unweighted = medians[medians["analysis"] != "Weighted (IPTW)"]["events"].astype(str)
    assert not unweighted.str.contains(r"\.").any()


def test_a_new_caliper_refits_only_the_matched_analysis(monkeypatch):
    """Changing the caliper re-runs matching and the matched Cox model, not the crude and weighted
    ones (each analysis is cached on its own arguments)."""
    calls = {"crude": 0, "weighted": 0, "matched": 0}

    def counting(name, fn):
        def wrapper(*a, **k):
            calls[name] += 1
            return fn(*a, **k)
        return wrapper

    monkeypatch.setattr(ns, "crude_survival", counting("crude", ns.crude_survival))
    monkeypatch.setattr(ns, "weighted_survival", counting("weighted", ns.weighted_survival))
    monkeypatch.setattr(ns, "matched_survival", counting("matched", ns.matched_survival))
    data = ns.load_sample("jp_multicenter")
    uploads = {"series": ui.UploadedCohort(name="series", data=data)}  # an upload: session cache, fresh
    at = _run("upload:series", {ui.Keys.UPLOADS: uploads})
    assert not at.exception
    before = dict(calls)
    assert before["matched"] >= 1 and before["crude"] >= 1
    at.number_input(key=ui.Keys.PROPENSITY_CALIPER).set_value(0.1).run()
    assert not at.exception
    assert calls["crude"] == before["crude"] and calls["weighted"] == before["weighted"]
    assert calls["matched"] == before["matched"] + 1


def test_survival_comparison_from_parts_equals_compare_survival():
    d = ns.load_sample("mayo_cystic")
    covs = ["age", "grade"]
    m = ns.propensity_match(d, "cystic", covs)
    w = ns.iptw(d, "cystic", covs)
    whole = ns.compare_survival(d, "os_months", "os_event", matched=m, weighted=w)
    parts = {"crude": ns.crude_survival(d, ns.propensity_model(d, "cystic", covs), "os_months", "os_event"),
             "matched": ns.matched_survival(m, "os_months", "os_event"),
             "weighted": ns.weighted_survival(d, w, "os_months", "os_event")}
    again = ns.survival_comparison(parts, matched=m)
    pd.testing.assert_frame_equal(whole.table, again.table)
    pd.testing.assert_frame_equal(whole.medians, again.medians)
    assert whole.warnings == again.warnings


def test_choices_of_a_closed_tab_are_kept_and_still_used():
    """Only the open tab draws its controls; a caliper chosen under Matching stays chosen (and still
    drives the matched hazard ratio below) while the Weighting tab is open, and when she comes back."""
    at = _run("sample:icg_lpsh")

    def matched_n():
        table = next(t.value for t in at.dataframe if "analysis" in t.value.columns)
        return int(table.set_index("analysis").loc["Matched", "n"])

    n_default = matched_n()
    at.number_input(key=ui.Keys.PROPENSITY_CALIPER).set_value(0.01).run()
    n_tight = matched_n()
    assert n_tight < n_default
    at.session_state[ui.Keys.PROPENSITY_VIEW] = "Weighting (IPTW)"
    at.run()
    assert not at.exception and not any(n.key == ui.Keys.PROPENSITY_CALIPER for n in at.number_input)
    assert matched_n() == n_tight
    at.session_state[ui.Keys.PROPENSITY_VIEW] = "Matching"
    at.run()
    assert at.number_input(key=ui.Keys.PROPENSITY_CALIPER).value == 0.01 and matched_n() == n_tight


def test_binary_outcomes_and_table_one_are_drawn_when_opened():
    """The two further analyses under the main result are folded away (nothing built or sent), and
    show the matched pairs' McNemar test and the matched cohort's Table 1 once opened."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[ui.Keys.DATASET] = "sample:mayo_cystic"
    at.run()
    at.switch_page(PAGE)
    at.run()
    labels = [e.label for e in at.expander]
    assert "Binary outcomes in the matched pairs (McNemar test)" in labels
    assert "Table 1 of the matched and weighted cohorts" in labels
    n_tables = len(at.dataframe)
    assert not any("McNemar" in m.value for m in at.markdown)
    at.session_state[ui.Keys.PROPENSITY_BINARY_OPEN] = True
    at.session_state[ui.Keys.PROPENSITY_TABLE_ONE_OPEN] = True
    at.run()
    assert not at.exception and not at.error
    assert len(at.dataframe) == n_tables + 2
    line = next(m.value for m in at.markdown if "pairs: rate" in m.value)
    assert "McNemar" in line and "conditional odds ratio" in line
    table_one = at.dataframe[-1].value
    assert len(table_one) > 3 and any("SMD" in str(c) or "smd" in str(c) for c in table_one.columns)


def test_comparison_table_writes_ratios_by_the_shared_rule():
    """Hazard ratios and their bounds are written as every other page writes them (a bound below
    0.005 reads 0.0031, never 0.00), from the same numbers as ns.survival_comparison."""
    from nelm_stats.report.format import fmt_ratio_value

    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[ui.Keys.DATASET] = "sample:mayo_cystic"
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if {"analysis", "hazard_ratio"} <= set(d.value.columns))
    assert table["hazard_ratio"].map(type).eq(str).all()
    assert all(fmt_ratio_value(float(x)) == x for x in table["hazard_ratio"])
    assert fmt_ratio_value(0.0031) == "0.0031" and fmt_ratio_value(float("inf")) == "∞"
