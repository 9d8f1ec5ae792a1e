"""The Risk factors page (pages/risk_factors.py): AppTest on every sample, and in chromium."""
from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import ui

import nelm_stats as ns
from tests.conftest import ROOT, wait_for_app

SCRATCH = Path(tempfile.gettempdir()) / "nelm_screenshots"


def _run(name: str, endpoint: str = "rfs", uploads: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if uploads is not None:
        at.session_state[ui.Keys.UPLOADS] = uploads
    at.session_state["dataset"] = name if ":" in name else f"sample:{name}"
    at.session_state["endpoint"] = endpoint
    at.run()
    at.switch_page("pages/risk_factors.py")
    at.run()
    return at


@pytest.mark.parametrize("name", ns.sample_names())
@pytest.mark.parametrize("endpoint", ["rfs", "os"])
def test_page_runs_on_every_sample(name, endpoint):
    at = _run(name, endpoint)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    # univariable table, combined table and PH table
    assert len(at.dataframe) == 3
    combined = at.dataframe[1].value
    assert list(combined.columns) == ["Covariate", "Univariable HR (95 % CI)", "p (univariable)",
                                      "Multivariable HR (95 % CI)", "p (multivariable)"]
    assert any(m.label == "Excluded (missing data)" for m in at.metric)


def test_selection_by_screen_and_trend_coding():
    at = _run("jp_multicenter", "os")
    at.radio(key="risk_selection").set_value("screen").run()
    assert not at.exception and not at.error
    assert any("Selected by the univariable screen" in c.value for c in at.caption)
    at.multiselect(key="risk_trend").set_value(["grade"]).run()
    assert not at.exception and not at.error
    combined = at.dataframe[1].value
    assert combined["Covariate"].str.contains("per step").any()


def test_missing_endpoint_shows_a_message():
    at = _run("jp_multicenter", "rfs")
    at.multiselect(key="risk_covariates").set_value([]).run()
    assert not at.exception
    assert any("at least one covariate" in i.value for i in at.info)


@pytest.mark.browser
def test_risk_factors_page_in_browser(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text("NELM Outcomes Explorer").first.wait_for(timeout=60_000)
    page.set_viewport_size({"width": 1400, "height": 3600})  # the whole page in one picture
    page.locator('[data-testid="stSidebarNav"] a', has_text="Risk factors").first.click()
    wait_for_app(page)
    page.get_by_text("Univariable screen").first.wait_for(timeout=60_000)
    page.locator('[data-testid="stSidebar"]').get_by_text("Dataset").first.wait_for(timeout=30_000)
    page.get_by_role("heading", name="Forest plot").first.wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0
    SCRATCH.mkdir(exist_ok=True)
    assert page.locator(".js-plotly-plot").count() == 1  # the residual plot is drawn when asked for
    page.get_by_text("Residual plot (scaled Schoenfeld residuals over time)").click()
    wait_for_app(page)
    page.get_by_role("combobox", name="Residual plot for").wait_for(timeout=60_000)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=60_000)
    page.wait_for_timeout(2000)
    page.screenshot(path=str(SCRATCH / "risk_factors.png"), full_page=True)


def _upload(n=80, seed=2):
    rng = np.random.default_rng(seed)
    site = rng.choice(["pancreas", "small_bowel"], n)
    t = rng.exponential(np.where(site == "pancreas", 30, 60))
    c = rng.uniform(6, 90, n)
    data = pd.DataFrame({
        "patient_id": [f"P{i}" for i in range(n)],
        "age": rng.normal(62, 9, n).round(),
        "primary_site": site,
        "bilobar": rng.random(n) < 0.3,
        "os_months": np.minimum(t, c), "os_event": t <= c,
    })
    data.loc[[3, 9], "age"] = np.nan
    return {"mine": ui.UploadedCohort("mine", data)}


def test_page_on_an_upload():
    """An upload with OS only and missing ages: the model runs and counts the excluded patients."""
    at = _run("upload:mine", "os", _upload())
    assert not at.exception and not at.error
    excluded = [m for m in at.metric if m.label == "Excluded (missing data)"][0]
    assert excluded.value == "2"
    at = _run("upload:mine", "rfs", _upload())  # no RFS columns: a message, not a traceback
    assert not at.exception
    assert any("cannot be analysed" in e.value for e in at.error)
