"""Reproducibility (issue 15): the settings a user leaves the dashboard with replay the same numbers
on the command line, and explain in words what no longer fits a changed export.

Driven as a user meets it: AppTest imports the demo registry export (the same code path as an
upload after the bytes: test_import_page.py), excludes two patients by hand, chooses rate years
on the Survival page, reads the settings the Report page shows (what "Save analysis settings"
writes); the command line (a fresh interpreter) then writes a Word report from the same export
and the settings, and its tables must hold the numbers the app showed.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app.py"
K = ui.Keys


def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "nelm_stats", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(cwd)},
                          timeout=300)


def _docx_text(path: Path) -> str:
    from docx import Document

    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


@pytest.fixture(scope="module")
def app_session():
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    at.switch_page("pages/data_import.py")
    at.run()
    next(b for b in at.button if b.key == K.IMPORT_DEMO_BUTTON).click().run()
    key = next(t.key for t in at.text_input if t.key.startswith(K.IMPORT_EXCLUDE_ROWS))
    at.text_input(key=key).input("2, 3").run()
    next(b for b in at.button if b.key == K.IMPORT_USE).click().run()
    assert not at.exception
    name, export = at.session_state[K.IMPORT_DEMO]
    uploads = dict(at.session_state[K.UPLOADS])
    (cohort_name,) = uploads

    def visit(page, **state):
        # a fresh run per page with the session's state (AppTest's switch_page drops widget state)
        a = AppTest.from_file(str(APP), default_timeout=120)
        a.session_state[K.UPLOADS] = uploads
        a.session_state[K.DATASET] = f"upload:{cohort_name}"
        for k, v in state.items():
            a.session_state[k] = v
        a.run()
        a.switch_page(page)
        a.run()
        assert not a.exception and len(a.error) == 0, page
        return a

    # the rate years a paper needs, chosen on the Survival page
    at = visit("pages/survival.py", **{K.SURVIVAL_RATE_YEARS: [1, 4]})
    frames = [d.value for d in at.dataframe]  # (AppTest does not expose a dataframe's key)
    medians = next(f for f in frames if any(str(c).startswith("Median") for c in f.columns))
    rates = next(f for f in frames if any("4-year" in str(c) for c in f.columns))
    at = visit("pages/report.py", **{K.SURVIVAL_RATE_YEARS: [1, 4], K.REPORT_SETTINGS_OPEN: True})
    settings = next(c.value for c in at.code if '"nelm_settings_version"' in c.value[:60])
    cohort = uploads[cohort_name]
    return dict(export=export, name=name, settings=settings, medians=medians, rates=rates, cohort=cohort)


def test_settings_hold_every_choice(app_session):
    s = json.loads(app_session["settings"])
    assert s["nelm_settings_version"] == 1
    assert s["analysis"]["rate_years"] == [1, 4]
    assert s["analysis"]["group"] == "icg"  # the page's default grouping, written out
    imp = s["import"]
    assert len(imp["excluded_ids"]) == 2  # rows 2 and 3, stored as patient ids
    assert imp["roles"]["Grading"] == "grade"
    assert imp["rfs_definition"] == "recurrence_or_death"


def test_command_line_replays_the_app_numbers(app_session, tmp_path):
    data = tmp_path / app_session["name"]
    data.write_bytes(app_session["export"])
    (tmp_path / "settings.json").write_text(app_session["settings"], encoding="utf-8")
    out = _cli("report", data.name, "--settings", "settings.json", "--out", "report.docx",
               "--save-settings", "used.json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert f"({len(app_session['cohort'].data)} patients)" in out.stdout
    text = _docx_text(tmp_path / "report.docx")
    medians = app_session["medians"]
    rates = app_session["rates"]
    for cell in medians.iloc[:, -1]:  # "28.0 (20.3–32.7)" as the Survival page shows it
        assert cell in text
    for col in rates.columns[1:]:  # the 1- and 4-year rates, as the page shows them
        for cell in rates[col]:
            assert str(cell) in text
    # the settings it used are the settings it was given (flags and file interchangeable)
    used = json.loads((tmp_path / "used.json").read_text(encoding="utf-8"))
    given = json.loads(app_session["settings"])
    assert used["analysis"] == given["analysis"] and used["import"] == given["import"]


def test_flags_and_settings_file_are_interchangeable(tmp_path):
    data = tmp_path / "cohort.csv"
    ns.load_sample("mayo_cystic").to_csv(data, index=False)
    a = _cli("report", data.name, "--endpoint", "os", "--group", "cystic", "--time-unit", "years",
             "--out", "a.html", "--save-settings", "s.json", cwd=tmp_path)
    assert a.returncode == 0, a.stderr
    b = _cli("report", data.name, "--settings", "s.json", "--out", "b.html", cwd=tmp_path)
    assert b.returncode == 0, b.stderr
    s = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert (s["analysis"]["endpoint"], s["analysis"]["group"], s["analysis"]["time_unit"]) == ("os", "cystic", "years")
    strip = lambda t: t.split("Settings")[0]  # noqa: E731  (identical up to the provenance lines)
    ta, tb = (tmp_path / "a.html").read_text(encoding="utf-8"), (tmp_path / "b.html").read_text(encoding="utf-8")
    assert "Overall survival" in ta and "years" in ta
    assert ta.count("<table") == tb.count("<table") and strip(ta)[:5000] == strip(tb)[:5000]


def test_a_changed_export_is_explained(app_session, tmp_path):
    """Next year's export: 10 more patients and a renamed column ('Grading' -> 'Tumour grade')."""
    text = app_session["export"].decode("utf-8-sig")
    lines = text.splitlines()
    header, rows = lines[0], lines[1:]
    extra = [r.replace("LPSH-0", "LPSH-9", 1) for r in rows[:10]]
    new = "\n".join([header.replace("Grading", "Tumour grade")] + rows + extra) + "\n"
    (tmp_path / "next_year.csv").write_text(new, encoding="utf-8")
    (tmp_path / "settings.json").write_text(app_session["settings"], encoding="utf-8")
    out = _cli("report", "next_year.csv", "--settings", "settings.json", "--out", "report.docx", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "“Grading” (was grade)" in out.stderr  # the renamed column is named
    assert "Tumour grade" in out.stderr  # and the new one with the role it was given
    n_before = len(app_session["cohort"].data)
    assert f"({n_before + 10} patients)" in out.stdout


@pytest.mark.parametrize("args, words", [
    (["report", "missing.csv", "--out", "r.docx"], "does not exist"),
    (["report", "cohort.csv", "--out", "r.txt"], "extensions"),
    (["report", "cohort.csv", "--out", "r.html", "--group", "no_such_column"], "no column"),
    (["report", "cohort.csv", "--out", "r.html", "--settings", "bad.json"], "not a settings file"),
    (["report", "notes.txt", "--out", "r.html"], "recognised"),
    (["script", "cohort.csv", "--out", "a.py"], "required"),
    (["frobnicate"], "invalid choice"),
])
def test_bad_input_is_one_line_and_exit_status_2(tmp_path, args, words):
    ns.load_sample("icg_lpsh").to_csv(tmp_path / "cohort.csv", index=False)
    (tmp_path / "bad.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Dear colleague, the patient did well after the operation.\n" * 5,
                                        encoding="utf-8")
    out = _cli(*args, cwd=tmp_path)
    assert out.returncode == 2
    assert "Traceback" not in out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], out.stderr


def test_report_states_software_settings_and_data(tmp_path):
    ns.load_sample("icg_lpsh").to_csv(tmp_path / "cohort.csv", index=False)
    out = _cli("report", "cohort.csv", "--out", "r.docx", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    text = _docx_text(tmp_path / "r.docx")
    assert f"nelm_stats {ns.__version__}" in text and "fingerprint" in text
    # another input gives another data fingerprint
    d = ns.load_sample("icg_lpsh")
    d.loc[0, "age"] = d.loc[0, "age"] + 1
    d.to_csv(tmp_path / "cohort2.csv", index=False)
    out2 = _cli("report", "cohort2.csv", "--out", "r2.docx", cwd=tmp_path)
    text2 = _docx_text(tmp_path / "r2.docx")
    fp = lambda t: [line for line in t.splitlines() if "fingerprint" in line][0]  # noqa: E731
    assert fp(text) != fp(text2)


def _csv_fingerprint(d: pd.DataFrame) -> str:
    """The fingerprint's definition: the hash of pandas' CSV text of the table."""
    import hashlib

    text = d.to_csv(index=False, float_format="%.12g", date_format="%Y-%m-%d", lineterminator="\n")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@pytest.mark.parametrize("seed", range(4))
def test_data_fingerprint_is_the_hash_of_the_csv_text(seed):
    """The fingerprint is written from each column's distinct values: the same text as pandas'
    to_csv, also for texts with commas, quotes and line breaks, missing values of every kind,
    infinite and very large or small numbers, categories, dates and rows in another order."""
    import numpy as np

    from nelm_stats.report.analysis import _csv_parts, data_fingerprint

    for name in ns.sample_names():
        d = ns.load_sample(name)
        assert _csv_parts(d) is not None and data_fingerprint(d) == _csv_fingerprint(d)
    rng = np.random.default_rng(seed)
    texts = ["a", "b,c", 'say "hi"', "line\nbreak", "", " lead", "ä€", "x\r\ny", "1.0", "True"]
    for _ in range(60):
        n = int(rng.integers(0, 30))
        d = pd.DataFrame({
            "f": rng.choice([0.1, 1 / 3, 72.0, 1e-20, 1e20, np.nan, np.inf, -np.inf, 123456789.123456789], n),
            "i": rng.integers(-5, 10**12, n),
            "b": rng.random(n) < 0.5,
            "nb": pd.array(rng.choice([True, False, None], n), dtype="boolean"),
            "s": pd.array(rng.choice(texts + [None], n), dtype="string"),
            "c": pd.Categorical(rng.choice(["G1", "G2", "G3, x", None], n), categories=["G3, x", "G1", "G2"]),
            "dt": pd.to_datetime(rng.choice(["2020-01-03", "1999-12-31", None], n)),
        }).iloc[rng.permutation(n)]
        assert _csv_parts(d) is not None
        assert data_fingerprint(d) == _csv_fingerprint(d)
    # a single text column with an empty cell, -0.0, mixed object cells: written by pandas itself
    for d in (pd.DataFrame({"s": pd.array(["", "x"], dtype="string")}), pd.DataFrame({"f": [-0.0, 0.0]}),
              pd.DataFrame({"o": [1, "a", None]})):
        assert data_fingerprint(d) == _csv_fingerprint(d)
    assert data_fingerprint(pd.DataFrame({"f": [-0.0]})) != data_fingerprint(pd.DataFrame({"f": [0.0]}))


@pytest.mark.parametrize("name", ns.sample_names())
def test_report_analyses_run_side_by_side_give_what_each_call_gives_alone(name):
    """run_analysis computes the fingerprint and the propensity analysis in threads beside the other
    analyses: each result equals the public call made alone, one after the other, and an analysis
    that cannot be done is reported with its reason in the report's order."""
    from nelm_stats.report import analysis as an
    from nelm_stats.report.settings import AnalysisSettings, resolve

    data = ns.load_sample(name)
    r = an.run_analysis(data)
    a = resolve(AnalysisSettings(), data)
    assert r.fingerprint == an.data_fingerprint(data)
    endpoint = ns.schema.data_endpoints(data).get(a.endpoint)
    alone = {"table_one": an._table_one_part(data, a), "survival": an._survival_part(data, a, endpoint),
             "margins": an._margins_part(data, a), "cox": an._cox_part(data, a, endpoint),
             "propensity": an._propensity_part(data, a, endpoint)}
    assert r.skipped == {k: why for k, (_, why) in alone.items() if why is not None}
    assert list(r.skipped) == [k for k in alone if k in r.skipped]
    if r.table_one is not None:
        pd.testing.assert_frame_equal(r.table_one.table, alone["table_one"][0].table)
    if r.survival is not None:
        pd.testing.assert_frame_equal(r.survival.km.curve, alone["survival"][0].km.curve)
    if r.cox is not None:
        pd.testing.assert_frame_equal(r.cox.table, alone["cox"][0].table)
    if r.matched is not None:
        matched, weighted, comparison = alone["propensity"][0]
        pd.testing.assert_frame_equal(r.matched.matched, matched.matched)
        pd.testing.assert_series_equal(r.matched.propensity, matched.propensity)
        pd.testing.assert_series_equal(r.weighted.weights, weighted.weights)
        if comparison is not None:
            pd.testing.assert_frame_equal(r.comparison.table, comparison.table)
