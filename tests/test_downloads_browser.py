"""What a surgeon takes away, in the real app (Debian's chromium): a figure and a table from the
Survival page, the tumor-board deck and the settings from the Report page — each file opened with
its own library and checked for content."""
from __future__ import annotations

import io
import json

import pytest

import nelm_stats as ns
from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser


def _download(page, click) -> tuple[str, bytes]:
    with page.expect_download(timeout=90_000) as info:
        click()
    d = info.value
    return d.suggested_filename, open(d.path(), "rb").read()


def _open_survival(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Survival", exact=True).click()
    wait_for_app(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=60_000)


def test_figure_and_table_from_the_survival_page(app_url, page):
    _open_survival(app_url, page)
    # the figure: PNG at 600 dpi, double column
    page.get_by_role("button", name="Download figure").first.click()
    page.get_by_text("600 dpi").first.click()
    wait_for_app(page)
    name, png = _download(page, lambda: page.get_by_role("button", name="Download PNG").first.click())
    from PIL import Image

    im = Image.open(io.BytesIO(png))
    assert name.endswith("_double_600dpi.png") and im.format == "PNG"
    assert round(im.info["dpi"][0]) == 600
    assert abs(im.size[0] / 600 * 25.4 - 170) < 1  # 170 mm wide
    page.keyboard.press("Escape")
    # the table: Excel, numbers as numbers
    page.get_by_role("button", name="Download table").first.click()
    name, xlsx = _download(page, lambda: page.get_by_role("button", name="Excel").first.click())
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(xlsx))
    values = [c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    d = ns.load_sample(ns.samples.DEFAULT_SAMPLE)
    km = ns.kaplan_meier(d, "rfs_months", "rfs_event", "icg")
    for n in km.medians["n"]:
        assert int(n) in values  # the number of patients of each group, as a number
    assert any(isinstance(v, str) and "Median" in v for v in values)


def test_deck_and_settings_from_the_report_page(app_url, page):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_test_id("stSidebarNav").get_by_text("Report & slides", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Methods").first.wait_for(timeout=60_000)
    name, pptx = _download(page, lambda: page.get_by_role("button", name="Tumor-board deck").first.click())
    from pptx import Presentation

    deck = Presentation(io.BytesIO(pptx))
    assert name.endswith(".pptx") and len(deck.slides) >= 8
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 0.01
    charts = [s for sl in deck.slides for s in sl.shapes if s.has_chart]
    tables = [s for sl in deck.slides for s in sl.shapes if s.has_table]
    assert charts and tables  # the editable KM chart and native tables
    name, text = _download(page, lambda: page.get_by_role("button", name="Settings (JSON)").first.click())
    settings = json.loads(text)
    assert settings["nelm_settings_version"] == 1 and settings["analysis"]["group"] == "icg"
