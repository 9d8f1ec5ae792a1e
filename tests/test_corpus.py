"""The awkward-file corpus (tests/corpus, made by make_corpus.py): each file's expected outcome."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns

CORPUS = Path(__file__).resolve().parent / "corpus"
# The 12 patients of make_corpus.BASE, as ISO dates, to check every export against.
from corpus.make_corpus import BASE  # noqa: E402

SURGERY = [pd.Timestamp(r[12]) for r in BASE]
FU = [pd.Timestamp(r[11]) for r in BASE]
DEATH = [r[9] == "yes" for r in BASE]
REC = [r[7] == "yes" for r in BASE]


def run(name, *, sheet=None, date_order=None, actions=None):
    raw = ns.read_table((CORPUS / name).read_bytes(), name, sheet=sheet)
    m = ns.suggest_mapping(raw.data)
    if date_order:
        m = ns.ColumnMapping(m.roles, date_order=date_order)
    mc = ns.apply_mapping(raw.data, m)
    prepared = ns.prepare_cohort(mc.data, unparsed_dates=mc.unparsed_dates, actions=actions)
    return raw, m, mc, prepared


def expected_os_months():
    return np.array([((d if dead else f) - s).days for s, f, d, dead in zip(
        SURGERY, FU, [pd.Timestamp(r[10]) if r[10] else pd.NaT for r in BASE], DEATH)]) / 30.4375


def test_corpus_script_is_deterministic(tmp_path):
    # the committed files are what the script makes (CSV text files compared byte for byte)
    import shutil
    import subprocess
    import sys

    work = tmp_path / "corpus"
    shutil.copytree(CORPUS, work)
    subprocess.run([sys.executable, str(work / "make_corpus.py")], check=True, capture_output=True)
    for f in ("european_semicolon.csv", "latin1.csv", "impossible_values.csv", "registry_export.tsv"):
        assert (work / f).read_bytes() == (CORPUS / f).read_bytes(), f


def test_european_semicolon_decimal_comma():
    raw, m, mc, p = run("european_semicolon.csv")
    assert raw.delimiter == ";" and raw.decimal == "," and raw.encoding == "utf-8-bom"
    assert mc.data["ki67"].tolist() == [r[4] for r in BASE]
    assert mc.data["recurrence"].tolist() == REC and mc.data["sex"].iloc[0] == "female"
    assert mc.data["surgery_date"].tolist() == SURGERY
    assert len(p.data) == 12 and len(mc.unrecognised) == 0
    np.testing.assert_allclose(p.data["os_months"], expected_os_months())


def test_latin1_dates_settled_by_values():
    raw, m, mc, p = run("latin1.csv")
    assert raw.encoding in ("cp1252", "latin-1")
    assert mc.data["sex"].iloc[1] == "male"  # "männlich" decoded and recognised
    assert ns.date_order_check(raw.data, m).suggested == "dmy"
    assert not ns.date_order_check(raw.data, m).ambiguous
    assert mc.data["surgery_date"].tolist() == SURGERY
    assert mc.data["primary_site"].tolist()[:2] == ["pancreas", "small_bowel"]
    assert mc.data["primary_site"].iloc[9] == "unknown"


def test_excel_serial_dates():
    raw, m, mc, p = run("excel_serial_dates.xlsx")
    assert raw.data["OP date"].dtype == float  # stored as numbers
    assert mc.data["surgery_date"].tolist() == SURGERY
    assert mc.data["last_follow_up_date"].tolist() == FU
    np.testing.assert_allclose(p.data["os_months"], expected_os_months())


def test_two_sheets_with_lesions():
    assert ns.list_sheets((CORPUS / "two_sheets.xlsx").read_bytes(), "two_sheets.xlsx") == ["Patients", "Lesions"]
    raw, m, mc, p = run("two_sheets.xlsx")
    assert len(p.data) == 12 and mc.data["icg"].sum() == 6
    les = ns.read_table((CORPUS / "two_sheets.xlsx").read_bytes(), "two_sheets.xlsx", sheet="Lesions").data
    lm = ns.suggest_mapping(les, target="lesions")
    assert lm.roles == {"Patient ID": "patient_id", "Lesion": "lesion_id", "Size (cm)": "size_cm",
                        "Fluorescence at margin": "fluorescence_at_margin", "Margin (mm)": "margin_mm",
                        "R status": "margin_status"}
    lesions = ns.apply_mapping(les, lm).data
    assert len(lesions) == 24 and set(lesions["patient_id"]) == {r[0] for r in BASE}
    assert lesions["fluorescence_at_margin"].dtype == "boolean"


def test_mixed_yes_no_codes():
    raw, m, mc, p = run("mixed_yes_no.csv")
    assert mc.data["icg"].iloc[:10].tolist() == [True, False, True, False, True, False, True, False, True, False]
    assert mc.data["icg"].iloc[10:].isna().all()
    unrec = mc.unrecognised.set_index(["column", "value"])["rows"].to_dict()
    assert unrec == {("icg", "maybe"): "12", ("icg", "2"): "13", ("sex", "x"): "11"}
    assert mc.data["bile_leak"].iloc[10:].isna().all()  # "" and "NA" are missing, not unrecognised


def test_duplicated_ids():
    raw, m, mc, p = run("duplicated_ids.csv")
    rep = ns.find_problems(mc.data)
    dup = rep.problems[rep.problems["problem"] == "duplicate_id"]
    assert dup["row"].tolist() == [4, 8, 14, 15, 16]
    assert len(p.data) == 12 and p.flow["n_remaining"].tolist() == [15, 12, 12]
    _, _, _, p_all = run("duplicated_ids.csv", actions={"duplicate_id": "exclude_all"})
    assert len(p_all.data) == 10


def test_impossible_values_and_dates():
    raw, m, mc, p = run("impossible_values.csv")
    rep = ns.find_problems(mc.data, unparsed_dates=mc.unparsed_dates)
    found = set(zip(rep.problems["row"], rep.problems["problem"]))
    assert {(2, "unreadable_date"), (3, "recurrence_before_surgery"), (4, "follow_up_before_surgery"),
            (5, "event_without_date"), (6, "impossible_value"), (7, "impossible_value"),
            (8, "impossible_value"), (9, "death_before_surgery")} <= found
    assert sorted(p.excluded["row"]) == [2, 3, 4, 5, 9]
    assert len(p.data) == 7 and p.flow["n_remaining"].iloc[-1] == 7
    # impossible values were set to missing (default fix), the patients kept
    assert pd.isna(p.data.loc[4, "age"]) and pd.isna(p.data.loc[5, "ki67"]) and pd.isna(p.data.loc[6, "margin_mm"])


def test_identifier_columns_flagged_and_dropped():
    raw, m, mc, p = run("identifier_columns.csv")
    flags = ns.flag_identifiers(raw.data)
    assert set(flags["column"]) == {"Name", "MRN", "Contact", "DOB"}
    assert all(m.roles[c] == "drop" for c in flags["column"])
    assert not set(mc.data.columns) & {"name", "mrn", "contact", "dob"}


def test_ambiguous_dates_need_a_choice():
    raw = ns.read_table((CORPUS / "ambiguous_dates.csv").read_bytes(), "ambiguous_dates.csv")
    m = ns.suggest_mapping(raw.data)
    chk = ns.date_order_check(raw.data, m)
    assert chk.ambiguous and set(chk.columns) == {"OP date", "f/u"} and chk.suggested is None
    with pytest.raises(ns.AmbiguousDateOrderError):
        ns.apply_mapping(raw.data, m)
    _, _, us, _ = run("ambiguous_dates.csv", date_order="mdy")
    _, _, eu, _ = run("ambiguous_dates.csv", date_order="dmy")
    assert us.data["surgery_date"].iloc[0] == pd.Timestamp("2017-01-09")
    assert eu.data["surgery_date"].iloc[0] == pd.Timestamp("2017-09-01")


def test_registry_export_abbreviations_and_supplied_times():
    raw, m, mc, p = run("registry_export.tsv")
    assert raw.delimiter == "\t"
    assert m.roles["DFS (mo)"] == "rfs_months" and m.roles["R-status"] == "margin_status"
    assert mc.data["margin_status"].tolist()[:11] == ["R0", "R1", "R0", "R2", "R0", "R1", "R0", "R1", "R0", "R0", "R1"]
    assert mc.data["clavien_dindo"].tolist()[:6] == ["I", "II", "0", "IIIa", "0", "IIIb"]
    unrec = set(zip(mc.unrecognised["column"], mc.unrecognised["value"]))
    assert unrec == {("margin_status", "??"), ("grade", "Gx"), ("clavien_dindo", "III")}
    assert p.data["rfs_months"].tolist()[0] == 26.1 and len(p.data) == 12


@pytest.mark.parametrize("name,fmt", [("labelled.dta", "stata"), ("labelled.sav", "spss")])
def test_value_labels_become_categories(name, fmt):
    raw, m, mc, p = run(name)
    assert raw.format == fmt and raw.value_labels["sex"] == {1.0: "male", 2.0: "female"}
    assert mc.data["sex"].tolist()[:2] == ["female", "male"]
    assert mc.data["grade"].tolist() == [r[3] for r in BASE]
    assert mc.data["death"].tolist() == DEATH  # "alive"/"dead" labels
    assert m.roles["rec_date"] == "recurrence_date"
    assert len(p.data) == 12
    np.testing.assert_allclose(p.data["os_months"], expected_os_months())


def test_parquet():
    raw, m, mc, p = run("canonical.parquet")
    assert all(m.roles[c] == c for c in raw.data.columns)
    np.testing.assert_allclose(p.data["os_months"], expected_os_months())


def test_not_a_table():
    with pytest.raises(ns.DataReadError, match="not a text file"):
        ns.read_table((CORPUS / "not_a_table.csv").read_bytes(), "not_a_table.csv")


def test_birth_dates_flagged_and_age_computed_before_dropping():
    raw = ns.read_table((CORPUS / "birth_dates.csv").read_bytes(), "birth_dates.csv").data
    flags = ns.flag_identifiers(raw)
    assert flags["column"].tolist() == ["Date of birth"] and "birth date" in flags["reason"].iloc[0]
    age = ns.intake.privacy.age_from_birth_date(raw, "Date of birth", "Surgery date")
    assert age.iloc[0] == 2017 - 1940 - 1  # born 15 Jan 1940, operated 9 Jan 2017
    kept = ns.drop_columns(raw.assign(**{"Age at surgery": age}), flags["column"])
    m = ns.suggest_mapping(kept)
    assert m.roles["Age at surgery"] == "age"
    assert ns.apply_mapping(kept, m).data["age"].tolist() == age.tolist()
