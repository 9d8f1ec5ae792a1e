"""The real app in Debian's chromium: landing page, then the Survival page.

Also takes the README's picture of the dashboard: into the temp folder on every run (tests leave
the work tree clean), into docs/screenshot.png when NELM_UPDATE_SCREENSHOT=1 (``make screenshot``).
"""
from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

import nelm_stats as ns
from tests.conftest import ROOT, wait_for_app

pytestmark = pytest.mark.browser

DOCS = ROOT / "docs"
SCRATCH = Path(tempfile.gettempdir()) / "nelm_screenshots"  # extra views, for looking at by hand


def test_landing_page_then_survival(app_url, page):
    n = len(ns.load_sample(ns.samples.DEFAULT_SAMPLE))

    page.goto(app_url)
    wait_for_app(page)
    page.get_by_text("NELM Outcomes Explorer").first.wait_for(timeout=30_000)
    patients = page.locator('[data-testid="stMetric"]').filter(has_text="Patients")
    patients.first.wait_for(timeout=30_000)
    assert str(n) in patients.first.inner_text()
    assert page.get_by_text("Synthetic demo data").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    SCRATCH.mkdir(exist_ok=True)
    page.screenshot(path=str(SCRATCH / "home.png"), full_page=True)

    # Navigate to the Survival page through the "where to go next" link.
    page.locator('[data-testid="stPageLink"] a', has_text="Survival").first.click()
    wait_for_app(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30_000)
    # in the figure (the page's "How to read this" mentions it too, folded away)
    page.locator(".js-plotly-plot").first.get_by_text("Number at risk").first.wait_for(timeout=30_000)
    assert page.get_by_text(re.compile(r"Log-rank p")).count() >= 1
    # The README's picture: the default cohort's question, ICG vs no ICG, in a taller window.
    page.set_viewport_size({"width": 1400, "height": 1150})
    page.wait_for_timeout(1500)
    target = DOCS if os.environ.get("NELM_UPDATE_SCREENSHOT") == "1" else SCRATCH
    target.mkdir(exist_ok=True)
    page.screenshot(path=str(target / "screenshot.png"))

    # Change the grouping to tumour grade (three ordered groups: pairwise table and trend test).
    page.get_by_role("combobox", name="Compare groups").click()
    page.get_by_role("option", name="Tumour grade", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Pairwise log-rank tests").first.wait_for(timeout=30_000)
    page.get_by_text("Test for trend").first.wait_for(timeout=30_000)
    plot = page.locator(".js-plotly-plot").first
    plot.wait_for(timeout=30_000)
    # The at-risk table: the figure holds the group labels G1..G3 under the axis.
    text = plot.inner_text() if plot.inner_text() else plot.text_content()
    assert "Number at risk" in (plot.text_content() or text)
    for grade in ("G1", "G2", "G3"):
        assert grade in (plot.text_content() or "")
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0

    page.screenshot(path=str(SCRATCH / "survival_grade.png"))


def test_a_page_opened_by_its_url_on_a_fresh_server_still_has_the_sidebar(browser):
    """Streamlit's legacy pages/ mode would run pages/survival.py without app.py on the first
    request of a new server; ui sends such a request through app.py (sidebar, navigation)."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.conftest import _free_port

    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
         "--server.headless", "true", "--server.address", "127.0.0.1"],
        cwd=ROOT, env=dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false"),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                    break
            except OSError:
                time.sleep(0.3)
        page = context.new_page()
        page.goto(url + "/survival")
        wait_for_app(page)
        sidebar = page.locator('[data-testid="stSidebar"]')
        sidebar.get_by_text("Dataset").first.wait_for(timeout=30_000)
        assert sidebar.get_by_text("Analyses").count() >= 1
        assert page.locator('[data-testid="stException"]').count() == 0
    finally:
        context.close()
        proc.terminate()
        proc.wait(timeout=10)
