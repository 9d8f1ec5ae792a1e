"""The Import data page in a real headless browser (Debian's chromium via Playwright).

Uploads a corpus file through the page's file input, confirms the suggested mapping, sees the
derived cohort (n analysed, patient flow), uses it, and checks that a second browser context
(another Streamlit session) does not see the upload.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from tests.conftest import wait_for_app

pytestmark = pytest.mark.browser

CORPUS = Path(__file__).resolve().parent / "corpus"
SCRATCH = Path(tempfile.gettempdir()) / "nelm_screenshots"


def _open_import(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    page.locator('[data-testid="stSidebarNav"] a', has_text="Import data").first.click()
    wait_for_app(page)
    page.get_by_text("1. Patient table").first.wait_for(timeout=30_000)


def _metric(page, label):
    m = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
    m.wait_for(timeout=30_000)
    return m.locator('[data-testid="stMetricValue"]').inner_text().strip()


def _dataset_options(page) -> list[str]:
    """The options of the sidebar's dataset selectbox (opened, read, closed)."""
    page.locator('[data-testid="stSidebar"] [data-testid="stSelectbox"]').first.click()
    page.get_by_role("option").first.wait_for(timeout=10_000)
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    page.wait_for_timeout(300)
    return options


def test_upload_map_derive_use_and_isolation(app_url, browser, page):
    SCRATCH.mkdir(exist_ok=True)
    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(CORPUS / "impossible_values.csv"))
    wait_for_app(page)
    page.get_by_text("2. Map your columns").first.wait_for(timeout=30_000)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    wait_for_app(page)
    # the file's 12 rows, 5 excluded by default (see test_corpus), 7 analysed
    assert _metric(page, "Uploaded") == "12"
    assert _metric(page, "Analysed") == "7"
    assert page.get_by_text("recurrence dated before surgery").count() >= 1
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SCRATCH / "import_problems.png"), full_page=True)

    # the user fixes one kind of problem instead of excluding: the flow follows
    box = page.get_by_role("combobox", name="Recurrence dated before surgery")
    box.click()
    if page.get_by_role("option").count() == 0:
        box.click()  # the first click can land while the page is still settling
    page.keyboard.type("set the wrong date")
    page.keyboard.press("Enter")
    wait_for_app(page)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetric\"]')].some("
        "m => m.innerText.includes('Analysed') && m.innerText.includes('8'))", timeout=30_000)
    assert _metric(page, "Analysed") == "8"

    page.get_by_role("button", name="Use this cohort").click()
    wait_for_app(page)
    page.get_by_text("is now the current dataset").first.wait_for(timeout=30_000)
    sidebar = page.locator('[data-testid="stSidebar"]')
    page.screenshot(path=str(SCRATCH / "import_done.png"), full_page=True)
    assert "Upload: impossible_values" in _dataset_options(page)
    # the Overview page now shows the imported cohort (8 patients)
    sidebar.locator('[data-testid="stSidebarNav"] a', has_text="Overview").first.click()
    wait_for_app(page)
    page.get_by_text("Upload: impossible_values").first.wait_for(timeout=30_000)
    assert _metric(page, "Patients") == "8"
    # ... and the Survival page analyses it: the Kaplan-Meier figure of the 8 patients
    sidebar.locator('[data-testid="stSidebarNav"] a', has_text="Survival").first.click()
    wait_for_app(page)
    page.locator('[data-testid="stPlotlyChart"]').first.wait_for(timeout=60_000)
    wait_for_app(page)
    page.screenshot(path=str(SCRATCH / "import_survival.png"), full_page=True)
    assert page.locator('[data-testid="stException"]').count() == 0
    main_text = page.locator('[data-testid="stMain"]').inner_text()
    # one of the 8 has no derivable RFS: analysed 7, and the one left out is counted
    assert "in 7 patients" in main_text and "1 patient(s) left out" in main_text

    # another browser context = another session: it must not see the upload
    other = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        p2 = other.new_page()
        p2.goto(app_url)
        wait_for_app(p2)
        p2.locator('[data-testid="stSidebar"]').first.wait_for(timeout=30_000)
        assert "impossible_values" not in p2.locator('[data-testid="stSidebar"]').inner_text()
        options = _dataset_options(p2)
        assert options and not any("Upload" in o for o in options)
        _open_import(p2, app_url)
        assert p2.get_by_text("is now the current dataset").count() == 0
        assert p2.get_by_text("7. Your cohort").count() == 0
    finally:
        other.close()


def test_ambiguous_dates_ask_then_derive(app_url, page):
    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(CORPUS / "ambiguous_dates.csv"))
    wait_for_app(page)
    page.get_by_text("Which order did your registry use?").first.wait_for(timeout=30_000)
    assert page.get_by_text("7. Your cohort").count() == 0  # nothing derived before the answer
    page.get_by_text("month first (mm/dd/yyyy, US)").first.click()
    wait_for_app(page)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    wait_for_app(page)
    # 12 rows; the 4 deaths have no date column in this file -> excluded by default
    assert _metric(page, "Uploaded") == "12"
    assert _metric(page, "Analysed") == "8"
    page.screenshot(path=str(SCRATCH / "import_dates.png"), full_page=True)


def test_unreadable_file_one_line_reason(app_url, page):
    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(CORPUS / "not_a_table.csv"))
    wait_for_app(page)
    page.get_by_text("is not a text file").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_mapping_json_download_and_reuse(app_url, page, tmp_path):
    import json

    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(CORPUS / "registry_export.tsv"))
    wait_for_app(page)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download this mapping (JSON)").click()
    path = tmp_path / "mapping.json"
    info.value.save_as(str(path))
    saved = json.loads(path.read_text())
    assert saved["roles"]["DFS (mo)"] == "rfs_months" and saved["roles"]["R-status"] == "margin_status"

    # the next export of the same registry: re-apply the saved mapping through the second uploader
    page.locator('[data-testid="stFileUploader"]', has_text="Re-use a saved mapping").locator(
        '[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(path))
    wait_for_app(page)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert _metric(page, "Analysed") == "12"
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator('[data-testid="stAlertContentError"]').count() == 0


def test_birth_date_dropped_after_age_is_computed(app_url, page):
    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(CORPUS / "birth_dates.csv"))
    wait_for_app(page)
    page.get_by_text("look like they identify patients").first.wait_for(timeout=30_000)
    page.get_by_text("Compute age at surgery from").first.wait_for(timeout=30_000)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert _metric(page, "Analysed") == "12"
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SCRATCH / "import_birth_dates.png"), full_page=True)


REGISTRY = CORPUS / "registry"


def _upload(page, app_url, path):
    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(path))
    wait_for_app(page)


def test_footer_rows_set_apart_and_not_counted(app_url, page):
    """A registry export with "Total", "n = 40" and "Created with ..." under the table: shown apart,
    40 patients uploaded and analysed (not 43)."""
    _upload(page, app_url, REGISTRY / "c8_footer_rows.csv")
    page.get_by_text("row(s) of the file are not patients").first.wait_for(timeout=30_000)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert _metric(page, "Uploaded") == "40"
    assert _metric(page, "Analysed") == "40"
    assert page.locator('[data-testid="stException"]').count() == 0


def test_ambiguous_numbers_flagged_then_chosen(app_url, page):
    _upload(page, app_url, REGISTRY / "c2_only_ambiguous.csv")
    note = page.get_by_text("nothing in the file settles it")
    note.first.wait_for(timeout=30_000)
    page.get_by_text("1,234.5 (decimal point)").first.click()
    wait_for_app(page)
    page.wait_for_timeout(500)
    assert page.get_by_text("nothing in the file settles it").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0


def test_stray_quote_is_named_and_letter_refused(app_url, page):
    _upload(page, app_url, REGISTRY / "c3_stray_quote_semicolon.csv")
    page.get_by_text("Row 11: a quotation mark").first.wait_for(timeout=30_000)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert _metric(page, "Uploaded") == "36"
    _upload(page, app_url, REGISTRY / "c9_operative_report.csv")
    page.get_by_text("does not look like a table").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0
    page.screenshot(path=str(SCRATCH / "import_not_a_table.png"), full_page=True)


def test_a_refused_file_type_is_explained_in_words(app_url, page, tmp_path):
    """A Word document dropped on the patient table: a visible sentence, not a red mark on the chip."""
    letter = tmp_path / "discharge_letter.docx"
    letter.write_bytes(b"PK\x03\x04 not a table")
    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(str(letter))
    wait_for_app(page)
    page.get_by_text("is not a file type this tool reads").first.wait_for(timeout=30_000)
    assert page.locator('[data-testid="stException"]').count() == 0


def test_one_click_changes_a_role_and_why_follows(app_url, page):
    """The mapping editor as a surgeon meets it: one click opens a column's role list (in words,
    with units), a choice re-derives the cohort and the "Why" beside it says it was her choice."""
    _open_import(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').first.set_input_files(
        str(CORPUS / "registry_export.tsv"))
    wait_for_app(page)
    page.get_by_text("7. Your cohort").first.wait_for(timeout=60_000)
    wait_for_app(page)
    assert page.get_by_text("Header 'OS (mo)'").count() == 1
    box = page.get_by_role("combobox", name="Role of “OS (mo)”")
    box.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    box.click()
    page.get_by_role("option").first.wait_for(timeout=10_000)
    options = page.get_by_role("option").all_inner_texts()  # the first of the list (it scrolls)
    assert options[:3] == ["Patient ID", "Age (years)", "Sex"] and not any("_" in o for o in options)
    page.keyboard.type("survival time")  # typing filters the list
    page.wait_for_timeout(300)
    assert set(page.get_by_role("option").all_inner_texts()) == {
        f"{what} survival time, in {unit}" for what in ("Recurrence-free", "Overall")
        for unit in ("days", "months", "years")}
    page.get_by_role("option", name="Overall survival time, in days", exact=True).click()
    wait_for_app(page)
    page.get_by_text("Your choice: times in days, converted to months (suggested: in months)").first.wait_for(
        timeout=30_000)
    assert page.get_by_text("Header 'OS (mo)'").count() == 0
    assert page.locator('[data-testid="stException"]').count() == 0
