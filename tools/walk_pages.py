"""Walk every page × demo cohort in Chromium and save a full-page screenshot of each, to look at.

Starts the app on a free localhost port, drives Debian's chromium with Playwright, chooses each
demo cohort in the sidebar, opens every page of the navigation, waits until it is idle and saves
``<out>/<cohort>__<page>.png`` (a tall window, because Streamlit scrolls its main area). Also
lists any page that shows an exception or an error box.

    .venv/bin/python tools/walk_pages.py [--out .artifacts/screens] [--cohorts icg_lpsh,mimic] [--pages Survival]
    .venv/bin/python tools/walk_pages.py --upload tests/corpus/registry_export.tsv   # the Import page on a file
"""
from __future__ import annotations

import argparse
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import nelm_stats as ns  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _idle(page, timeout=60_000):
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " || document.querySelector('[data-testid=\"stStatusWidget\"]').innerText.indexOf('Running') < 0",
        timeout=timeout)
    page.wait_for_timeout(1200)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(ROOT / ".artifacts" / "screens"))
    ap.add_argument("--cohorts", default=",".join(ns.sample_names()))
    ap.add_argument("--pages", default="", help="comma-separated page titles (default: all)")
    ap.add_argument("--height", type=int, default=4000)
    ap.add_argument("--upload", default="", help="a file to upload on the Import page (then that page only)")
    ap.add_argument("--width", type=int, default=1400)
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    titles = re.findall(r'st\.Page\("pages/[^"]+", title="([^"]+)"', (ROOT / "app.py").read_text(encoding="utf-8"))
    if a.pages:
        titles = [t for t in titles if t in a.pages.split(",")]
    port = _free_port()
    env = dict(os.environ, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                               "--server.headless", "true", "--server.address", "127.0.0.1"],
                              cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    problems = []
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.3)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS, headless=True)
            if a.upload:
                ctx = browser.new_context(viewport={"width": a.width, "height": a.height})
                page = ctx.new_page()
                page.goto(url)
                _idle(page)
                page.locator('[data-testid="stSidebarNav"] a', has_text="Import data").first.click()
                _idle(page)
                page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(a.upload)
                page.get_by_text("2. Map your columns").first.wait_for(timeout=60_000)
                _idle(page)
                name = re.sub(r"[^A-Za-z0-9]+", "_", Path(a.upload).stem).strip("_").lower()
                page.screenshot(path=str(out / f"upload_{name}__import_{a.width}.png"))
                if page.locator('[data-testid="stException"]').count():
                    problems.append(f"upload {a.upload}: an exception")
                ctx.close()
            for cohort in ([] if a.upload else a.cohorts.split(",")):
                ctx = browser.new_context(viewport={"width": a.width, "height": a.height})
                page = ctx.new_page()
                page.goto(url)
                _idle(page)
                page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
                page.get_by_role("option", name=re.compile(rf"{re.escape(cohort)}\.csv")).click()
                _idle(page)
                for title in titles:
                    more = page.get_by_test_id("stSidebarNav").get_by_text(re.compile(r"View \d+ more"))
                    if more.count():  # a long navigation is folded
                        more.first.click()
                    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
                    _idle(page)
                    name = re.sub(r"[^A-Za-z0-9]+", "_", title).strip("_").lower()
                    page.screenshot(path=str(out / f"{cohort}__{name}.png"))
                    n_exc = page.locator('[data-testid="stException"]').count()
                    n_err = page.locator('[data-testid="stAlertContentError"]').count()
                    if n_exc or n_err:
                        problems.append(f"{cohort} / {title}: {n_exc} exception(s), {n_err} error box(es)")
                    print(f"{cohort} / {title}", flush=True)
                ctx.close()
            browser.close()
    finally:
        server.terminate()
    print(f"screenshots in {out}")
    for line in problems:
        print("PROBLEM:", line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
