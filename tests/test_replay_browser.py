"""Next year's export in the real app: a settings file saved after last year's import is loaded on
the Import page with the new export (10 more patients, a renamed column); the page says what no
longer fits, and one click gives the cohort with every page set as saved."""
from __future__ import annotations

import json

import pytest

import nelm_stats as ns
from nelm_stats.intake.read import demo_registry_export
from nelm_stats.report.settings import AnalysisSettings, Settings, settings_to_json
from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser


def test_settings_replayed_on_a_new_export(app_url, page, tmp_path):
    data = ns.load_sample(ns.samples.DEFAULT_SAMPLE)
    export = demo_registry_export(data).decode("utf-8-sig")
    header, *rows = export.splitlines()
    # last year's import: the suggested mapping, two patients excluded by hand, rate years 1 and 4
    raw = ns.read_table(export.encode("utf-8"), "export.csv").data
    roles = ns.suggest_mapping(raw).roles
    ids = [r.split(";")[0] for r in rows[:2]]
    settings = Settings(
        analysis=AnalysisSettings(group="icg", rate_years=(1, 4)),
        import_=ns.ImportSettings(roles=dict(roles), excluded_ids=tuple(ids)))
    (tmp_path / "settings.json").write_text(settings_to_json(settings), encoding="utf-8")
    # this year's export: 10 more patients, 'Grading' renamed
    extra = [r.replace("LPSH-0", "LPSH-9", 1) for r in rows[:10]]
    (tmp_path / "export_2027.csv").write_text(
        "\n".join([header.replace("Grading", "Tumour grade"), *rows, *extra]) + "\n", encoding="utf-8")

    page.goto(app_url)
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Import data").first.click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(tmp_path / "export_2027.csv"))
    wait_for_app(page)
    page.get_by_text("Re-use the settings of an earlier import").first.click()
    page.locator('[data-testid="stFileUploader"]', has_text="Settings file").locator(
        '[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(tmp_path / "settings.json"))
    wait_for_app(page)
    # what no longer fits is said in words: the renamed column, by its old name
    page.get_by_text("“Grading” (was grade)").first.wait_for(timeout=60_000)
    page.get_by_role("button", name="Use “export_2027” with these settings").click()
    wait_for_app(page)
    n = len(data) + 10 - 2
    page.get_by_text(f"“export_2027” is now the current dataset ({n} patients)").first.wait_for(timeout=60_000)
    page.screenshot(path=str(tmp_path / "replayed.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    # the analysis choices came along: the Survival page shows 4-year rates
    page.get_by_test_id("stSidebarNav").get_by_text("Survival", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Survival at 1 and 4 years").first.wait_for(timeout=60_000)
