"""What a clinician waits for, measured in Chromium (issue: "every interaction under half a second").

Starts the app (``streamlit run app.py``) on a free localhost port, drives Debian's chromium with
Playwright and times, from the click to the page being idle with its charts drawn:

- cold start: server start (``launch.py``, as ``make run``) to the first rendered Overview, the
  browser being open already (as the clinician's is);
- the upload of a synthetic 5 000-patient series through the Import page: to the mapping screen,
  to the derived cohort, "Use this cohort";
- the first and the second visit of every page (but Present, a full-screen slide show);
- interactions: Import typing rows to exclude, Survival "Compare groups", Propensity caliper,
  Risk factors adding a covariate
  (timed from the click on her choice: opening a list before it is the browser's own menu).

Each is the median of ``--reps`` runs (default 3). Prints a Markdown table (seconds).

    .venv/bin/python benchmarks/bench_pages.py [--patients 5000] [--reps 3]
"""
from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import nelm_stats as ns  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]
PAGES = ["Survival", "Propensity", "Table 1", "Margins & complications", "Fluorescence accuracy", "Risk factors",
         "Plan a study", "Report & slides", "Re-analyse the papers", "Naive vs correct", "Glossary", "Overview"]


def cohort_csv(n: int, path: Path) -> None:
    """A series of ``n`` patients in the canonical columns, resampled from the demo cohorts."""
    base = ns.load_sample("jp_multicenter")
    rng = np.random.default_rng(2026)
    d = base.iloc[rng.integers(0, len(base), n)].reset_index(drop=True)
    d["patient_id"] = [f"P{i:05d}" for i in range(n)]
    d["age"] = np.clip(d["age"] + rng.integers(-3, 4, n), 18, 95)
    d["icg"] = rng.random(n) < 0.4
    d.to_csv(path, index=False)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _idle(page, timeout=120_000, title: str | None = None) -> None:
    """The script has finished (no 'Running', no stale element left from the previous run), the
    page's title is shown (after a navigation) and every chart is drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    if title:
        page.wait_for_function(
            "t => [...document.querySelectorAll('h1')].some(h => h.innerText.startsWith(t))", arg=title,
            timeout=timeout)
    page.wait_for_function(  # the script has run (Streamlit's own flag on the app root)
        "() => document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state')"
        " === 'notRunning'", timeout=timeout)
    page.wait_for_function(
        "() => (!document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.indexOf('Running') < 0)"
        " && document.querySelectorAll('[data-stale=\"true\"]').length === 0",
        timeout=timeout)
    # every chart on the page drawn (plotly puts its SVG in .main-svg once it has rendered)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')].every("
        "c => c.querySelector('.main-svg'))", timeout=timeout)


TITLES = {"Survival": "Survival", "Propensity": "Propensity-score analyses", "Table 1": "Table 1",
          "Margins & complications": "Margins & complications", "Fluorescence accuracy": "Fluorescence accuracy",
          "Risk factors": "Risk factors", "Overview": "NELM Outcomes Explorer", "Plan a study": "Plan a study",
          "Report & slides": "Report", "Re-analyse the papers": "Re-analyse the papers",
          "Naive vs correct": "Naive vs correct", "Glossary": "Glossary"}


def _timed(page, action, title: str | None = None, prepare=None) -> float:
    """Seconds from the action to the page idle again: a watcher on Streamlit's script-state flag
    sees the rerun start (however short it is), then _idle sees it finish and the charts drawn.

    ``prepare`` runs before the clock starts: what the clinician does before her choice, such as
    opening a list (the browser's own menu, no rerun), so the time is what she waits after choosing."""
    if prepare is not None:
        prepare()
    page.evaluate(
        "() => { window.__rerun = false; const app = document.querySelector('[data-testid=\"stApp\"]');"
        " if (window.__watch) window.__watch.disconnect();"
        " window.__watch = new MutationObserver(() => {"
        "   if (app.getAttribute('data-test-script-state') !== 'notRunning') window.__rerun = true; });"
        " window.__watch.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }")
    t = time.perf_counter()
    action()
    page.wait_for_function("() => window.__rerun", timeout=60_000)
    _idle(page, title=title)
    return time.perf_counter() - t


def _nav(page, name):
    return lambda: page.locator('[data-testid="stSidebarNav"] a', has_text=name).first.click()


def _visit(page, name) -> float:
    return _timed(page, _nav(page, name), TITLES[name])


def run_once(n: int, csv_path: Path, import_only: bool = False) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    out: dict[str, float] = {}
    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    # the clinician's browser is already open: start it first, then the app as `make run` does
    pw = sync_playwright().start()
    browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "launch.py", "--server.port", str(port),
                             "--server.headless", "true", "--server.address", "127.0.0.1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=1):
                    break
            except OSError:
                if time.perf_counter() - t0 > 60:
                    raise RuntimeError("streamlit did not start")
                time.sleep(0.05)
        page.goto(url)
        page.locator('[data-testid="stMetric"]').filter(has_text="Patients").first.wait_for(timeout=60_000)
        _idle(page)
        out["cold start to the first rendered Overview"] = time.perf_counter() - t0
        # she reads the Overview for a few seconds (meanwhile launch.py and the page load the rest)
        page.wait_for_timeout(4000)
        # upload and use the series
        page.locator('[data-testid="stSidebarNav"] a', has_text="Import data").first.click()
        _idle(page)
        t = time.perf_counter()
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(csv_path))
        # the mapping screen: a role box for every column of the file (the page goes on below it)
        n_columns = len(csv_path.read_text().splitlines()[0].split(","))
        page.wait_for_function(
            "n => document.querySelectorAll('[data-testid=\"stSelectbox\"]').length >= n"
            " && [...document.querySelectorAll('p')].some(p => p.innerText === 'Your column (example values)')",
            arg=n_columns, timeout=300_000)
        out[f"import of {n} patients to the mapping screen"] = time.perf_counter() - t
        page.get_by_text("7. Your cohort").first.wait_for(timeout=300_000)
        _idle(page)
        out[f"import of {n} patients to the derived cohort"] = time.perf_counter() - t

        def exclude_rows():
            box = page.get_by_role("textbox", name="Exclude further rows")
            box.fill("12, 40-45")
            box.press("Enter")
        out["Import: type rows to exclude"] = _timed(page, exclude_rows)
        out["use the cohort"] = _timed(page, lambda: page.get_by_role("button", name="Use this cohort").click())
        if import_only:
            return out
        for name in PAGES:
            out[f"open {name} (first visit)"] = _visit(page, name)
        for name in PAGES:
            out[f"open {name} (again)"] = _visit(page, name)
        # interactions
        _visit(page, "Survival")

        def open_groups():
            page.get_by_role("combobox", name="Compare groups").click()
            page.get_by_role("option").nth(2).wait_for()
        out["Survival: change Compare groups"] = _timed(page, lambda: page.get_by_role("option").nth(2).click(),
                                                        prepare=open_groups)
        _visit(page, "Propensity")

        def caliper():
            box = page.get_by_label("Caliper (SD)")
            box.fill("0.1")
            box.press("Enter")
        out["Propensity: change the caliper"] = _timed(page, caliper)
        _visit(page, "Risk factors")

        def open_covariates():
            page.locator('[data-testid="stMultiSelect"]').first.click()
            page.get_by_role("option").first.wait_for()

        def add_covariate():
            page.get_by_role("option").first.click()
            page.keyboard.press("Escape")
        out["Risk factors: add a covariate"] = _timed(page, add_covariate, prepare=open_covariates)
    finally:
        browser.close()
        pw.stop()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--patients", type=int, default=5000)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--import-only", action="store_true", help="stop after the import (cold start and upload)")
    a = ap.parse_args()
    if not Path(CHROMIUM).exists():
        print(f"{CHROMIUM} is not installed: apt-get install chromium")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / f"series_{a.patients}.csv"
        cohort_csv(a.patients, csv_path)
        runs = [run_once(a.patients, csv_path, a.import_only) for _ in range(a.reps)]
    print(f"| action ({a.patients} patients, median of {a.reps}) | seconds |")
    print("|---|---|")
    for k in runs[0]:
        vals = [r[k] for r in runs if k in r]
        print(f"| {k} | {statistics.median(vals):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
