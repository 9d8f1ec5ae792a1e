"""Table 1, Margins & complications and Fluorescence accuracy pages under AppTest (every sample
and uploads), and a browser screenshot of each page."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from tests.conftest import ROOT, wait_for_app

APP = str(ROOT / "app.py")
PAGES = ["table_one", "margins", "fluorescence"]


def _run(page: str, dataset: str, uploads: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    if uploads is not None:
        at.session_state[ui.Keys.UPLOADS] = uploads
    at.session_state[ui.Keys.DATASET] = dataset
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("name", ns.sample_names())
@pytest.mark.parametrize("page", PAGES)
def test_page_on_every_sample(page, name):
    _ok(_run(page, f"sample:{name}"))


def test_fluorescence_numbers_on_mimic():
    """The page shows what diagnostic_accuracy computes on the lesion table (not a copy of it)."""
    at = _run("fluorescence", "sample:mimic")
    _ok(at)
    lesions = ns.load_sample_lesions("mimic")
    exp = ns.diagnostic_accuracy(lesions, "fluorescence_at_margin", "margin_status_before_reresection",
                                 cluster="patient_id", positive=["R1", "R2"]).set_index("measure")
    shown = next(d.value for d in at.dataframe if "value" in d.value.columns)
    sens = shown.loc[shown["measure"] == "Sensitivity", "value"].iloc[0]
    assert sens.startswith(f"{100 * exp.loc['sensitivity', 'estimate']:.1f} %")
    assert any("AUC" in m.value for m in at.markdown)


def test_table_one_matched_and_summary_choice():
    at = _run("table_one", "sample:mayo_cystic")
    _ok(at)
    at.radio(key=ui.Keys.TABLE_ONE_SUMMARY).set_value("mean").run()
    _ok(at)
    first = at.dataframe[0].value
    assert first["Characteristic"].str.contains("mean \\(SD\\)").any()
    at.checkbox(key=ui.Keys.TABLE_ONE_MATCHED).check().run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe) >= 2 or at.error  # the matched table, or a clinician-worded error


def test_margins_threshold_and_group_none():
    at = _run("margins", "sample:icg_lpsh")
    _ok(at)
    at.session_state[ui.Keys.MARGINS_VIEW] = "Margin distance"
    at.run()
    at.number_input(key=ui.Keys.MARGINS_THRESHOLD).set_value(2.0).run()
    _ok(at)
    assert any("R1 defined as a margin below 2 mm" in m.value for m in at.markdown)
    at.selectbox(key=ui.Keys.MARGINS_GROUP).set_value("").run()
    _ok(at)
    # the threshold is kept while another tab is open (only the open tab is drawn)
    at.session_state[ui.Keys.MARGINS_VIEW] = "Margin status"
    at.run()
    assert not any(n.key == ui.Keys.MARGINS_THRESHOLD for n in at.number_input)
    at.session_state[ui.Keys.MARGINS_VIEW] = "Margin distance"
    at.run()
    assert at.number_input(key=ui.Keys.MARGINS_THRESHOLD).value == 2.0


MARGIN_TABS = ["Margin status", "Margin distance", "Before / after", "Per lesion", "Complications & recurrence"]


@pytest.mark.parametrize("tab", MARGIN_TABS)
@pytest.mark.parametrize("name", ns.sample_names())
def test_every_margins_tab_on_every_sample(name, tab):
    """Each tab is drawn only when open: each one, opened, works on every demo cohort."""
    at = _run("margins", f"sample:{name}")
    at.session_state[ui.Keys.MARGINS_VIEW] = tab
    at.run()
    _ok(at)
    assert len(at.markdown) + len(at.info) + len(at.dataframe) > 0


def _upload(data, lesions=None) -> dict:
    return {"mine": ui.UploadedCohort("mine", data, lesions)}


def test_pages_on_a_sparse_upload():
    """An upload with few columns: each page says what it needs instead of failing."""
    rng = np.random.default_rng(1)
    n = 40
    data = pd.DataFrame({
        "patient_id": [f"P{i}" for i in range(n)],
        "age": rng.normal(60, 10, n).round(),
        "arm": rng.choice(["A", "B"], n),
        "margin_status": pd.Categorical(rng.choice(["R0", "R1"], n, p=[0.8, 0.2]), ["R0", "R1", "R2"]),
    })
    for page in PAGES:
        at = _run(page, "upload:mine", _upload(data))
        _ok(at)
    at = _run("fluorescence", "upload:mine", _upload(data))
    assert at.info  # says which columns it needs


def test_pages_on_an_upload_with_lesions():
    lesions = ns.load_sample_lesions("mimic").drop(columns=["fluorescence_score", "centre"])
    data = ns.load_sample("mimic").drop(columns=["centre"])
    for page in PAGES:
        _ok(_run(page, "upload:mine", _upload(data, lesions)))


@pytest.mark.browser
@pytest.mark.parametrize("page_title,sample", [("Table 1", "icg_lpsh"), ("Margins & complications", "icg_lpsh"),
                                               ("Fluorescence accuracy", "mimic")])
def test_screenshot(app_url, page, tmp_path, page_title, sample):
    page.goto(app_url)
    wait_for_app(page, 60_000)
    if sample != "icg_lpsh":
        page.get_by_test_id("stSidebar").locator("input").first.click()
        page.get_by_role("option", name=f"Demo: {sample}.csv (synthetic)").click()
        wait_for_app(page, 60_000)
    page.get_by_test_id("stSidebarNav").get_by_text(page_title, exact=True).click()
    wait_for_app(page, 60_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(tmp_path / f"{sample}.png"), full_page=True)
    body = page.inner_text("body")
    assert "Traceback" not in body and "Error" not in body.split("Your data stay")[0][:200]
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stPlotlyChart").count() + page.get_by_test_id("stDataFrame").count() > 0


def test_fluorescence_on_a_patient_table_upload():
    """No lesion table: fluorescence per patient, exact (Clopper-Pearson) intervals, not clustered ones."""
    rng = np.random.default_rng(3)
    n = 60
    data = pd.DataFrame({"patient_id": [f"P{i}" for i in range(n)],
                         "margin_status": pd.Categorical(rng.choice(["R0", "R1"], n, p=[0.7, 0.3]), ["R0", "R1", "R2"])})
    data["fluorescence_at_margin"] = (data["margin_status"] == "R1") ^ (rng.random(n) < 0.15)
    at = _run("fluorescence", "upload:mine", _upload(data))
    _ok(at)
    exp = ns.diagnostic_accuracy(data, "fluorescence_at_margin", "margin_status", positive=["R1", "R2"])
    shown = next(d.value for d in at.dataframe if "value" in d.value.columns)
    lo, hi = exp.loc[0, ["ci_lower", "ci_upper"]]
    assert shown.loc[0, "value"].endswith(f"({100 * lo:.1f}–{100 * hi:.1f})")


def test_fluorescence_roc_in_words_and_without_nan():
    """The score is named in words, not by its column name; an AUC without a DeLong CI
    (a single R1 lesion) says so instead of printing 'nan'."""
    at = _run("fluorescence", "sample:mimic")
    _ok(at)
    score_box = at.selectbox(key=ui.Keys.FLUORESCENCE_SCORE)
    assert score_box.format_func(score_box.value) == "Fluorescence score"
    lesions = ns.load_sample_lesions("mimic")
    r1 = lesions["margin_status_before_reresection"].isin(["R1", "R2"])
    one_case = pd.concat([lesions[~r1], lesions[r1].head(1)])
    at = _run("fluorescence", "upload:mine", {"mine": ui.UploadedCohort(
        "mine", ns.load_sample("mimic"), lesions=one_case)})
    _ok(at)
    auc_text = next(m.value for m in at.markdown if m.value.startswith("AUC"))
    assert "nan" not in auc_text and "not estimable" in auc_text


def test_label_spells_out_non_canonical_columns():
    assert ns.schema.label("fluorescence_score") == "Fluorescence score"
    assert ns.schema.label("hepatic_pfs_months") == "Hepatic PFS months"
    assert ns.schema.label("grade") == "Tumour grade"
    assert ns.schema.label("DFS (mo)") == "DFS (mo)"
