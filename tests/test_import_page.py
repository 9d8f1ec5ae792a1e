"""AppTest of the Import data page: demo export end to end, sample cohorts, an uploaded cohort on other pages.

AppTest cannot drive st.file_uploader, so the upload itself is exercised by the browser test
(test_import_browser.py); here the page's demo export (same code path after the bytes) is used.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui

PAGE = "pages/data_import.py"
APP = Path(__file__).resolve().parent.parent / "app.py"


def _app(dataset=None):
    at = AppTest.from_file(str(APP), default_timeout=90)
    if dataset:
        at.session_state["dataset"] = dataset
    at.run()
    at.switch_page(PAGE)
    at.run()
    return at


def _button(at, key):
    return next(b for b in at.button if b.key == key)


@pytest.mark.parametrize("name", ns.sample_names())
def test_page_without_upload_on_every_sample(name):
    at = _app(f"sample:{name}")
    assert not at.exception
    assert len(at.error) == 0
    assert any(b.key == ui.Keys.IMPORT_DEMO_BUTTON for b in at.button)


def test_demo_export_end_to_end_and_use_cohort():
    at = _app()
    _button(at, ui.Keys.IMPORT_DEMO_BUTTON).click().run()
    assert not at.exception and len(at.error) == 0
    n = len(ns.load_sample(ns.samples.DEFAULT_SAMPLE))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Uploaded"] == str(n) and metrics["Analysed"] == str(n)
    # endpoint definition in words
    assert any("whichever came first" in c.value for c in at.caption)
    _button(at, ui.Keys.IMPORT_USE).click().run()
    assert not at.exception
    uploads = at.session_state[ui.Keys.UPLOADS]
    assert list(uploads) == ["demo_registry_export"]
    cohort = uploads["demo_registry_export"]
    assert len(cohort.data) == n and cohort.flow["n_remaining"].iloc[-1] == n
    assert at.session_state[ui.Keys.DATASET] == "upload:demo_registry_export"
    assert not any(pd.api.types.is_datetime64_any_dtype(cohort.data[c]) for c in cohort.data.columns)
    expected = ns.load_sample(ns.samples.DEFAULT_SAMPLE)
    assert abs(cohort.data["rfs_months"] - expected["rfs_months"]).max() < 1e-9
    assert any("is now the current dataset" in s.value for s in at.success)
    # the data fingerprint of the report's provenance is computed once, when the cohort is taken
    from nelm_stats.report.analysis import data_fingerprint, run_analysis

    assert cohort.fingerprint == data_fingerprint(cohort.data)
    assert run_analysis(cohort.data, fingerprint="given once").fingerprint == "given once"
    at.switch_page("pages/report.py").run()
    assert not at.exception
    assert any(f"fingerprint {cohort.fingerprint}" in c.value for c in at.caption)


def _export_with_problems(n_bad: int) -> tuple[str, bytes]:
    """The demo registry export of a larger cohort, the date of death before surgery in ``n_bad`` rows."""
    from nelm_stats.intake.read import demo_registry_export

    data = ns.load_sample("mayo_cystic").copy()
    bad = data.index[data["surgery_date"].notna()][:n_bad]
    data.loc[bad, "death"] = True
    data.loc[bad, "death_date"] = data.loc[bad, "surgery_date"] - pd.Timedelta(days=30)
    return "registry_with_problems.csv", demo_registry_export(data)


@pytest.mark.parametrize("n_bad", [1, 3, 30])
def test_a_long_list_of_problem_rows_is_drawn_when_opened(n_bad):
    """A few problem rows are listed at once; a long list (thousands in a large registry) behind
    a click, its choices of what to do with each kind of problem always in view."""
    at = AppTest.from_file(str(APP), default_timeout=90)
    at.session_state[ui.Keys.IMPORT_DEMO] = _export_with_problems(n_bad)
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    box = next(e for e in at.expander if e.label.endswith(("rows with a problem", "row with a problem")))
    n_rows = int(box.label.split()[1])
    assert n_rows >= n_bad
    listed = [d for d in at.dataframe if "problem" in d.value.columns and "detail" in d.value.columns]
    assert bool(listed) == (n_rows <= 20)
    if not listed:
        at.session_state[f"{ui.Keys.IMPORT_PROBLEMS_OPEN}_{hashlib.sha1(at.session_state[ui.Keys.IMPORT_DEMO][1]).hexdigest()[:10]}"] = True
        at.run()
        listed = [d for d in at.dataframe if "problem" in d.value.columns and "detail" in d.value.columns]
    assert len(listed) == 1 and listed[0].value["row"].nunique() == n_rows


def test_problem_choice_changes_the_flow():
    at = _app()
    _button(at, ui.Keys.IMPORT_DEMO_BUTTON).click().run()
    # exclude two rows by hand: the flow shows it
    key = next(t.key for t in at.text_input if t.key.startswith(ui.Keys.IMPORT_EXCLUDE_ROWS))
    at.text_input(key=key).input("2, 3").run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Excluded"] == "2"
    # a range; then a row that is not a patient row: said in words, nothing excluded by hand
    at.text_input(key=key).input("2-4").run()
    assert {m.label: m.value for m in at.metric}["Excluded"] == "3"
    at.text_input(key=key).input("1, 3").run()
    assert not at.exception
    assert any("Row 1 is not a patient row of your file" in e.value for e in at.error)
    assert {m.label: m.value for m in at.metric}["Excluded"] == "0"



def _analysis_pages():
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "app.py").read_text()
    return re.findall(r'st\.Page\("(pages/[^"]+)"', text)


@pytest.mark.parametrize("page", [p for p in _analysis_pages() if p != PAGE])
def test_every_page_runs_on_an_imported_cohort(page):
    from nelm_stats.intake.read import demo_registry_export

    content = demo_registry_export(ns.load_sample(ns.samples.DEFAULT_SAMPLE))
    raw = ns.read_table(content, "demo.csv").data
    prepared = ns.prepare_cohort(ns.apply_mapping(raw, ns.suggest_mapping(raw)).data)
    data = ns.drop_raw_dates(prepared.data.reset_index(drop=True))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state[ui.Keys.UPLOADS] = {"mine": ui.UploadedCohort("mine", data, None, prepared.flow)}
    at.session_state[ui.Keys.DATASET] = "upload:mine"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, page


@pytest.mark.parametrize("page", [p for p in _analysis_pages() if p != PAGE])
def test_every_page_runs_on_an_imported_workbook_with_lesions(page):
    """tests/corpus/two_sheets.xlsx (patients + lesions sheet) imported, then every page opened."""
    content = (Path(__file__).resolve().parent / "corpus" / "two_sheets.xlsx").read_bytes()
    raw = ns.read_table(content, "two_sheets.xlsx").data
    prepared = ns.prepare_cohort(ns.apply_mapping(raw, ns.suggest_mapping(raw)).data)
    les = ns.read_table(content, "two_sheets.xlsx", sheet="Lesions").data
    lesions = ns.apply_mapping(les, ns.suggest_mapping(les, target="lesions")).data
    data = ns.drop_raw_dates(prepared.data.reset_index(drop=True))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state[ui.Keys.UPLOADS] = {"wb": ui.UploadedCohort("wb", data, lesions, prepared.flow)}
    at.session_state[ui.Keys.DATASET] = "upload:wb"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception, page


def test_use_this_cohort_is_within_reach_at_the_top():
    """The cohort can be used from the top of the page (after the checks below ran), same result."""
    at = _app()
    _button(at, ui.Keys.IMPORT_DEMO_BUTTON).click().run()
    top = _button(at, ui.Keys.IMPORT_USE_TOP)
    n = len(ns.load_sample(ns.samples.DEFAULT_SAMPLE))
    assert f"({n} patients analysed)" in top.label
    top.click().run()
    assert not at.exception
    cohort = at.session_state[ui.Keys.UPLOADS]["demo_registry_export"]
    assert len(cohort.data) == n and cohort.import_settings is not None


def _role_box(at, source):
    return next(s for s in at.selectbox if s.label == f"Role of “{source}”")


def _shown(at) -> str:
    return "\n".join(m.value for m in at.markdown).replace("\\", "")


def test_mapping_editor_roles_in_words_and_why_follows_each_edit():
    """Each column's role is one selectbox (one click opens it), its options in words with the unit;
    "Why" is recomputed after an edit, and a role given to two columns is named before the error."""
    at = _app()
    _button(at, ui.Keys.IMPORT_DEMO_BUTTON).click().run()
    dead = _role_box(at, "Dead")
    assert dead.value == "death"
    assert "Death (yes/no)" in dead.options and "Overall survival time, in days" in dead.options
    assert not any("_" in o for o in dead.options)
    assert "Header 'Dead'" in _shown(at)
    dead.set_value("keep").run()
    assert not at.exception
    assert "Your choice (suggested: Death (yes/no))" in _shown(at)
    # a second column given the date of death: both rows say so, and the page says what to do
    _role_box(at, "Rec date").set_value("death_date").run()
    assert not at.exception
    shown = _shown(at)
    assert "Also given to 'Date of death': choose one column for Date of death" in shown
    assert "Also given to 'Rec date'" in shown
    assert any("Both 'Rec date' and 'Date of death' are mapped to “Date of death”" in e.value for e in at.error)


def test_import_tables_show_no_none_nan_or_timestamps():
    """The flow, audit, problem and value tables read like a report: "–" for a missing value,
    dates without times, yes/no for flags (Streamlit would show a missing value as "None")."""
    at = _app()
    _button(at, ui.Keys.IMPORT_DEMO_BUTTON).click().run()
    assert not at.exception
    assert not any("rfs_time" in d.value.columns for d in at.dataframe)  # the audit: drawn when opened
    n_closed = len(at.dataframe)
    file_id = hashlib.sha1(at.session_state[ui.Keys.IMPORT_DEMO][1]).hexdigest()[:10]
    at.session_state[ui.Keys.IMPORT_AUDIT_OPEN] = True
    at.session_state[f"{ui.Keys.IMPORT_PREVIEW_OPEN}_{file_id}"] = True  # these two: one per file
    at.session_state[f"{ui.Keys.IMPORT_PROBLEMS_OPEN}_{file_id}"] = True
    at.run()
    assert len(at.dataframe) == n_closed + 2  # the value preview and the audit (the demo has no problem row)
    audit = None
    for d in at.dataframe:
        df = d.value
        for c in df.columns:
            col = df[c]
            assert not col.isna().any(), f"missing values shown as None in {c}"
            if col.dtype == object or pd.api.types.is_string_dtype(col):
                text = col.astype(str)
                assert not text.isin(["None", "nan", "NaT", "<NA>", "True", "False"]).any(), c
                assert not text.str.contains(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d").any(), f"a timestamp in {c}"
        if "rfs_time" in df.columns:
            audit = df
    assert audit is not None and (audit["death_date"] == "–").any() and set(audit["death"]) <= {"yes", "no"}
