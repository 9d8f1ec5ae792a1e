"""The dashboard under streamlit's AppTest: every sample, the landing page, the Survival page,
an upload; and the package boundary (nelm_stats never imports streamlit)."""
from __future__ import annotations

import ast
import dataclasses
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from tests.conftest import ROOT

SAMPLES = ns.sample_names()
APP = str(ROOT / "app.py")


def _app(dataset: str | None = None, uploads: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if uploads is not None:
        at.session_state[ui.Keys.UPLOADS] = uploads
    if dataset is not None:
        at.session_state[ui.Keys.DATASET] = dataset
    at.run()
    return at


def _ok(at: AppTest, allow_errors: bool = False) -> None:
    assert not at.exception, [e.value for e in at.exception]
    if not allow_errors:
        assert not at.error, [e.value for e in at.error]


def _table(at: AppTest, column: str) -> pd.DataFrame:
    """The first st.dataframe shown with a column of that name (AppTest keeps no keys)."""
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with a column {column!r}")


def _markdown_table(at: AppTest, column: str) -> pd.DataFrame:
    """The first table written as Markdown (ui.markdown_table) with a column of that name, as text."""
    def cells(line: str) -> list[str]:
        parts = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        return [re.sub(r"\\(.)", r"\1", p.strip()) for p in parts]

    for m in at.markdown:
        lines = m.value.splitlines()
        if len(lines) >= 2 and lines[0].startswith("| ") and set(lines[1]) <= set("|- ") and column in cells(lines[0]):
            return pd.DataFrame([cells(x) for x in lines[2:]], columns=cells(lines[0]))
    raise AssertionError(f"no Markdown table with a column {column!r}")


def _tables(at: AppTest) -> list[list[str]]:
    return [list(d.value.columns) for d in at.dataframe]


def _metric(at: AppTest, label: str) -> str:
    for m in at.metric:
        if m.label == label:
            return m.value
    raise AssertionError(f"no metric {label!r}; metrics: {[m.label for m in at.metric]}")


# --- package boundary -------------------------------------------------------------------


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def test_nelm_stats_never_imports_streamlit():
    files = sorted((ROOT / "nelm_stats").glob("*.py")) + sorted((ROOT / "nelm_stats" / "figures").glob("*.py"))
    assert len(files) > 5
    offenders = [f.relative_to(ROOT).as_posix() for f in files if "streamlit" in _imports(f)]
    assert offenders == []


def test_boundary_check_catches_an_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom streamlit import session_state\n")
    assert "streamlit" in _imports(bad)


# --- landing page -----------------------------------------------------------------------


@pytest.mark.parametrize("name", SAMPLES)
def test_home_renders_on_every_sample_with_its_n(name):
    at = _app(f"sample:{name}")
    _ok(at)
    n = len(ns.load_sample(name))
    assert _metric(at, "Patients") == str(n)
    assert any("Synthetic demo data" in i.value for i in at.info)
    lesions = ns.load_sample_lesions(name)
    captions = " ".join(c.value for c in at.caption)
    assert (f"{len(lesions)} resected lesions" in captions) if lesions is not None else ("lesion table" not in captions)
    # the grouping table has one row per group and adds up to the patients with a group
    groups = _markdown_table(at, "Patients")
    assert len(groups) >= 1
    data = ns.load_sample(name)
    group = at.selectbox(key=ui.Keys.HOME_GROUP).value
    counted = sum(int(c.split(" (")[0]) for c in groups["Patients"])
    assert counted == (len(data) if not group else int(data[group].notna().sum()))
    assert "Analysis" in _markdown_table(at, "Possible").columns


def test_home_opens_on_the_default_sample_and_links_to_survival():
    at = _app()
    _ok(at)
    assert at.session_state[ui.Keys.DATASET] == f"sample:{ns.samples.DEFAULT_SAMPLE}"
    assert _metric(at, "Patients") == str(len(ns.load_sample(ns.samples.DEFAULT_SAMPLE)))
    # ICG is the question of the default cohort: the landing page groups by it
    assert at.selectbox(key=ui.Keys.HOME_GROUP).value == "icg"


def test_home_grouping_can_change():
    at = _app(f"sample:{ns.samples.DEFAULT_SAMPLE}")
    at.selectbox(key=ui.Keys.HOME_GROUP).set_value("grade").run()
    _ok(at)
    groups = _markdown_table(at, "Patients")
    data = ns.load_sample(ns.samples.DEFAULT_SAMPLE)
    assert list(groups["Group"]) == [str(g) for g in data["grade"].cat.categories if (data["grade"] == g).any()]
    at.selectbox(key=ui.Keys.HOME_GROUP).set_value("").run()  # "": the whole cohort
    _ok(at)
    assert list(_markdown_table(at, "Patients")["Group"]) == ["All patients"]


# --- survival page ----------------------------------------------------------------------


def _survival(dataset: str, uploads: dict | None = None) -> AppTest:
    at = _app(dataset, uploads)
    at.switch_page("pages/survival.py")
    at.run()
    return at


@pytest.mark.parametrize("name", SAMPLES)
@pytest.mark.parametrize("endpoint", ["rfs", "os", "competing"])
def test_survival_page_every_sample_and_endpoint(name, endpoint):
    at = _survival(f"sample:{name}")
    _ok(at)
    at.selectbox(key=ui.Keys.SURVIVAL_ENDPOINT).set_value(endpoint).run()
    _ok(at)
    assert at.get("plotly_chart"), "no figure"
    cats, nums = ui.grouping_columns(ns.load_sample(name))
    for group in [None] + [g for g in ("grade", "sex", "margin_status") if g in cats]:
        at.selectbox(key=ui.Keys.SURVIVAL_GROUP).set_value(group).run()
        _ok(at)
        assert at.get("plotly_chart")
    # a numeric covariate cut at its median, then at a chosen value
    at.selectbox(key=ui.Keys.SURVIVAL_GROUP).set_value("age").run()
    _ok(at)
    at.radio(key=ui.Keys.SURVIVAL_CUT).set_value("value").run()
    at.number_input(key=f"{ui.Keys.SURVIVAL_CUT_VALUE}_age").set_value(60).run()
    _ok(at)
    reading = " ".join(m.value for m in at.markdown)
    assert "age < 60" in reading or "Age < 60" in reading


def test_survival_page_shows_tests_tables_and_reading():
    at = _survival(f"sample:{ns.samples.DEFAULT_SAMPLE}")
    at.selectbox(key=ui.Keys.SURVIVAL_GROUP).set_value("grade").run()
    _ok(at)
    text = " ".join(m.value for m in at.markdown)
    assert "Log-rank" in text and "Test for trend" in text
    assert "Median recurrence-free survival" in text  # the plain-language reading
    assert len(_table(at, "p (Holm)")) == 3  # three grades: three pairs
    assert list(_table(at, "Events")["Group"]) == ["G1", "G2", "G3"]
    rates = next(d.value for d in at.dataframe if "1-year" in d.value.columns)
    assert list(rates.columns) == ["Group", "1-year", "3-year", "5-year"]
    assert all(re.fullmatch(r"\d+( \(\d+–\d+\))?", c) for c in rates["1-year"])
    # years, landmark, bands and median lines all redraw without error
    at.radio(key=ui.Keys.SURVIVAL_UNIT).set_value("years").run()
    at.checkbox(key=ui.Keys.SURVIVAL_CI).check().run()
    at.checkbox(key=ui.Keys.SURVIVAL_MEDIANS).check().run()
    at.checkbox(key=ui.Keys.SURVIVAL_LANDMARK_ON).check().run()
    _ok(at)
    assert "landmark" in " ".join(m.value for m in at.markdown)
    assert ["Group", "1-year", "3-year", "5-year"] in _tables(at)
    assert "landmark of 1 year " in " ".join(m.value for m in at.markdown)


def test_survival_endpoint_follows_and_sets_the_sidebar():
    # (AppTest runs a switched-to page without app.py's sidebar, so set its key directly)
    at = _survival(f"sample:{ns.samples.DEFAULT_SAMPLE}")
    at.session_state[ui.Keys.ENDPOINT] = "os"
    at.run()
    assert at.selectbox(key=ui.Keys.SURVIVAL_ENDPOINT).value == "os"
    assert "Median overall survival" in " ".join(m.value for m in at.markdown)
    at.selectbox(key=ui.Keys.SURVIVAL_ENDPOINT).set_value("rfs").run()
    assert at.session_state[ui.Keys.ENDPOINT] == "rfs"
    _ok(at)


# --- an upload --------------------------------------------------------------------------


def _made_up_cohort(n: int = 60, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    t = rng.exponential(30, n).round(1) + 0.5
    return pd.DataFrame(
        {
            "patient_id": [f"X{i}" for i in range(n)],
            "arm": pd.Series(rng.choice(["laparoscopic", "open"], n), dtype="string"),
            "age": rng.normal(62, 9, n).round(),
            "grade": pd.Categorical(rng.choice(["G1", "G2", "G3"], n), categories=["G1", "G2", "G3"], ordered=True),
            "rfs_months": t,
            "rfs_event": rng.random(n) < 0.6,
            "os_months": t + rng.exponential(20, n).round(1),
            "os_event": rng.random(n) < 0.3,
        }
    )


def test_home_and_survival_on_an_upload():
    data = _made_up_cohort()
    from nelm_stats.intake.quality import patient_flow
    from tests.cache_probe import global_entries, session_entries

    shared_before = global_entries("survival_report")

    flow = patient_flow(61, pd.DataFrame({"reason": ["excluded by the user"]}))
    uploads = {"my_series": ui.UploadedCohort(name="my_series", data=data, flow=flow)}
    at = _app("upload:my_series", uploads)
    _ok(at)
    assert _metric(at, "Patients") == "60"
    assert any("61 rows uploaded; 1 left out" in c.value for c in at.caption)
    assert not any("Synthetic demo data" in i.value for i in at.info)
    at.switch_page("pages/survival.py").run()
    _ok(at)
    at.selectbox(key=ui.Keys.SURVIVAL_GROUP).set_value("arm").run()
    _ok(at)
    assert "laparoscopic" in " ".join(m.value for m in at.markdown)
    # results on an upload stay in this session's cache (st.cache_data(scope="session")), never in
    # the global cache every session shares
    assert session_entries("survival_report") >= 1 and global_entries("survival_report") == shared_before
    # no recurrence/death columns: the competing-risk endpoint says what is missing
    at.selectbox(key=ui.Keys.SURVIVAL_ENDPOINT).set_value("competing").run()
    assert not at.exception
    assert at.error and "recurrence" in at.error[0].value


def test_survival_on_an_upload_without_follow_up_says_so():
    data = _made_up_cohort().drop(columns=["os_months", "os_event", "rfs_months", "rfs_event"])
    uploads = {"no_fu": ui.UploadedCohort(name="no_fu", data=data)}
    at = _app("upload:no_fu", uploads)
    _ok(at)
    at.switch_page("pages/survival.py").run()
    assert not at.exception
    assert at.error and "follow-up" in at.error[0].value


def test_pages_open_on_each_demo_cohorts_question_and_reset_on_a_new_dataset():
    at = _app("sample:jp_multicenter")
    assert at.selectbox(key=ui.Keys.HOME_GROUP).value == "grade"
    at.selectbox(key=ui.Keys.HOME_GROUP).set_value("sex").run()
    at.session_state[ui.Keys.DATASET] = "sample:mayo_cystic"
    at.run()
    _ok(at)
    assert at.selectbox(key=ui.Keys.HOME_GROUP).value == "cystic"

    at = _survival("sample:jp_multicenter")
    assert at.selectbox(key=ui.Keys.SURVIVAL_GROUP).value == "grade"
    at.selectbox(key=ui.Keys.SURVIVAL_GROUP).set_value("sex").run()
    at.session_state[ui.Keys.DATASET] = "sample:mayo_cystic"
    at.run()
    _ok(at)
    assert at.selectbox(key=ui.Keys.SURVIVAL_GROUP).value == "cystic"


@pytest.mark.parametrize("page, key", [("pages/margins.py", ui.Keys.MARGINS_GROUP),
                                       ("pages/table_one.py", ui.Keys.TABLE_ONE_GROUP)])
def test_margins_and_table_one_open_on_the_cohorts_question(page, key):
    """Every page opens on the grouping of the demo cohort's paper, and a new dataset starts again."""
    questions = {"icg_lpsh": "icg", "jp_multicenter": "grade", "mayo_cystic": "cystic"}
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page(page)
    for name, column in questions.items():  # on the page, the user switches datasets in the sidebar
        at.session_state[ui.Keys.DATASET] = f"sample:{name}"
        at.run()
        _ok(at)
        assert at.selectbox(key=key).value == column, (page, name)


def test_survival_offers_hepatic_pfs_where_the_cohort_has_it():
    """mayo_cystic carries hepatic progression-free survival (the paper's second endpoint): the
    Survival page offers it and shows what kaplan_meier gives on those columns; a cohort without
    it does not offer it, and switching datasets falls back to RFS."""
    at = _survival("sample:mayo_cystic")
    _ok(at)
    box = at.selectbox(key=ui.Keys.SURVIVAL_ENDPOINT)
    assert "Hepatic progression-free survival" in box.options
    box.set_value("hepatic_pfs").run()
    at.selectbox(key=ui.Keys.SURVIVAL_GROUP).set_value("cystic").run()
    at.radio(key=ui.Keys.SURVIVAL_UNIT).set_value("years").run()
    _ok(at)
    data = ns.load_sample("mayo_cystic")
    km = ns.kaplan_meier(data, "hepatic_pfs_months", "hepatic_pfs_event", "cystic")
    medians = _table(at, "Events")
    assert list(medians["Events"].astype(int)) == [int(e) for e in km.medians["events"]]
    cystic_years = km.medians.set_index("group").loc["True", "median"] / 12
    shown = medians.set_index("Group").iloc[:, -1]
    assert shown["With cystic metastases"].startswith(f"{cystic_years:.1f} (")  # 0.7 years, as the paper's 0.71
    at.session_state[ui.Keys.DATASET] = "sample:icg_lpsh"
    at.run()
    _ok(at)
    box = at.selectbox(key=ui.Keys.SURVIVAL_ENDPOINT)
    assert "Hepatic progression-free survival" not in box.options and box.value == "rfs"


def test_survival_rates_at_the_years_the_user_chooses():
    """aggressive_resection's paper reports 4-year survival: the table follows the chosen years."""
    at = _app("sample:aggressive_resection")
    at.switch_page("pages/survival.py").run()
    _ok(at)
    at.multiselect(key=ui.Keys.SURVIVAL_RATE_YEARS).set_value([4, 10]).run()
    _ok(at)
    assert any("Survival at 4 and 10 years" in m.value for m in at.markdown)
    rates = next(d.value for d in at.dataframe if "4-year" in d.value.columns)
    assert "10-year" in rates.columns and "1-year" not in rates.columns


def test_margins_reference_group_is_chosen_on_the_page():
    """The odds ratio compares with the reference the user picks: 'no ICG' by default, then 'ICG'."""
    from nelm_stats.report.format import fmt_num

    d = ns.load_sample("icg_lpsh")
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state[ui.Keys.DATASET] = "sample:icg_lpsh"
    at.run()
    at.switch_page("pages/margins.py")
    at.run()
    _ok(at)
    box = at.selectbox(key=f"{ui.Keys.MARGINS_REFERENCE}_icg")
    assert box.value == "False"  # a yes/no characteristic: its absence is the reference
    for ref in (False, True):
        box.set_value(str(ref)).run()
        _ok(at)
        r = ns.compare_rates(ns.set_reference(d, "icg", ref), "margin_status", "icg", event=["R1", "R2"])
        text = " ".join(m.value for m in at.markdown)
        assert f"odds ratio {fmt_num(r.odds_ratio, 2)}" in text, (ref, text[:300])
    assert r.odds_ratio > 1  # ICG as the reference: the group without ICG has the higher odds


def test_frame_hash_sees_the_order_of_categories():
    """Cached results are keyed on the data: a new reference group (category order) is new data."""
    d = ns.load_sample("jp_multicenter")
    assert ui.frame_hash(d) != ui.frame_hash(ns.set_reference(d, "grade", "G2"))
    assert ui.frame_hash(d) == ui.frame_hash(d.copy())


def test_a_result_passed_to_a_cached_figure_is_keyed_on_all_its_values():
    """A result handed to a cached call (ui.figure) is hashed whole: a change in one row of a
    60 000-row series (beyond Streamlit's sample of large series) is a new key; an equal copy, also
    one read back from the cache, is not."""
    import copy
    import hashlib
    import pickle

    from streamlit.runtime.caching.hashing import CacheType, update_hash

    from nelm_stats.estimators.propensity import PropensityModel

    assert PropensityModel in ui.HASH_FUNCS and ns.KaplanMeierResult in ui.HASH_FUNCS
    d = ns.load_sample("jp_multicenter")
    t = ns.treatment_columns(d)[0]
    model = ns.propensity_model(d, t, ns.default_covariates(ns.covariate_columns(d, exclude=[t])))
    big = dataclasses.replace(model, propensity=pd.Series(np.linspace(0.1, 0.9, 60_000)))
    changed = dataclasses.replace(big, propensity=big.propensity.copy())
    changed.propensity.iloc[31_234] += 1e-9

    def key(obj):
        h = hashlib.new("md5")
        update_hash((obj,), h, CacheType.DATA, hash_funcs=ui.HASH_FUNCS)
        return h.hexdigest()

    assert key(big) == key(copy.deepcopy(big))
    assert key(big) != key(changed)
    # a result read back from Streamlit's cache (a pickled copy) is the same key: the figure is reused
    matched = ns.propensity_match(d, t, model.covariates)
    assert key(matched) == key(pickle.loads(pickle.dumps(matched)))
    assert key(matched) != key(ns.propensity_match(d, t, model.covariates, caliper=0.05))


def test_rate_times_in_months_or_years_typed_on_the_survival_page():
    """Any rate times (issue 17: a paper's 4-year, 10-year or 18-month survival), typed in words."""
    from nelm_stats.report.settings import parse_rate_times

    assert parse_rate_times("6 months, 18 months, 2.5 years") == (0.5, 1.5, 2.5)
    assert parse_rate_times("2,5 y; 10") == (2.5, 10.0)
    with pytest.raises(ns.InputError, match="not a time"):
        parse_rate_times("soon")
    at = _survival("sample:icg_lpsh")
    at.text_input(key=ui.Keys.SURVIVAL_RATE_OTHER).set_value("6 months, 18 months").run()
    _ok(at)
    headers = " ".join(str(c) for d in at.dataframe for c in d.value.columns)
    assert "6 months" in headers and "18 months" in headers and "3-year" in headers
    assert any("Survival at 6 months, 12 months" in m.value or "6 months" in m.value for m in at.markdown)
    at.text_input(key=ui.Keys.SURVIVAL_RATE_OTHER).set_value("soon").run()
    assert not at.exception and any("not a time" in e.value for e in at.error)
    assert any("3-year" in str(c) for d in at.dataframe for c in d.value.columns)  # the page stays usable


def test_cached_figure_json_reaches_the_browser_as_the_figure_itself():
    """ui.plotly_chart hands a figure's cached JSON to Streamlit without rebuilding a go.Figure:
    the chart sent is the same as st.plotly_chart of the figure."""
    def script():
        import plotly.graph_objects as go
        import streamlit as st

        import ui
        from nelm_stats.figures.km import km_figure
        import nelm_stats as ns

        km = ns.kaplan_meier(ns.load_sample("jp_multicenter"), "os_months", "os_event", "grade")
        fig = km_figure(km, time_unit="months")
        ui.plotly_chart(fig.to_plotly_json(), key="cached")
        st.plotly_chart(go.Figure(fig), key="direct")

    at = AppTest.from_function(script, default_timeout=60)
    at.run()
    assert not at.exception
    charts = at.get("plotly_chart")
    assert len(charts) == 2
    cached, direct = (json.loads(c.proto.spec) for c in charts)
    assert cached == direct and len(cached["data"]) > 3


def test_markdown_table_shows_every_cell_as_written(monkeypatch):
    """The Overview's small tables are Markdown (no table code to load before the first page): a cell
    with Markdown, LaTeX or table characters is shown as written, one line per row."""
    written = []
    monkeypatch.setattr(ui.st, "markdown", written.append)
    nasty = ["a | b", "*bold* _it_", "$x$ and $y$", ":smile: :material/home:", "<b>1</b>", "[l](u)", "1. x",
             "# h", "back\\slash", "two\nlines", "~~s~~", "`c`", "+ - ! ( ) { } ."]
    ui.markdown_table(pd.DataFrame({"Group | name": nasty, "n": range(len(nasty))}))
    (text,) = written
    lines = text.splitlines()
    assert len(lines) == 2 + len(nasty)

    def cells(line: str) -> list[str]:
        return [re.sub(r"\\(.)", r"\1", p.strip()) for p in re.split(r"(?<!\\)\|", line.strip())[1:-1]]

    assert cells(lines[0]) == ["Group | name", "n"]
    assert [cells(x)[0] for x in lines[2:]] == [" ".join(v.split()) for v in nasty]
    # nothing left that Markdown or Streamlit would read as markup: every special character escaped
    for line in lines[2:]:
        body = re.sub(r"\\.", "", line)
        assert not set(body) & set("*_$:<>[]`#~\\") and body.count("|") == 3
