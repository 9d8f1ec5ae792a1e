"""Registry exports that go wrong in real life (tests/corpus/registry, made by
tests/corpus/make_registry_corpus.py): each file's expected outcome, value for value.

For every file: the patients read are the patients written (ids), the survival times and events
derived equal what the file means (``truth_<file>.csv``), total follow-up and the number of
deaths agree, what must be flagged is flagged, and the patient flow adds up (uploaded = analysed
+ each exclusion with its reason; rows that are not patients are not counted as uploaded).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns

CORPUS = Path(__file__).resolve().parent / "corpus" / "registry"
AS_OF = "2026-12-01"  # the day of the analysis for these tests (future dates are after it)
DPM = 30.4375


def truth(name: str) -> pd.DataFrame:
    t = pd.read_csv(CORPUS / f"truth_{Path(name).stem}.csv", keep_default_na=False, na_values=[""])
    for c in ("surgery_date", "recurrence_date", "death_date", "last_follow_up_date"):
        t[c] = pd.to_datetime(t[c])
    return t


def run(name: str, *, date_order=None, decimal=None, edit=None, actions=None):
    raw = ns.read_table((CORPUS / name).read_bytes(), name, decimal=decimal)
    m = ns.suggest_mapping(raw.data)
    if edit:
        table = ns.mapping_table(raw.data, m)
        for col, role in edit.items():
            table.loc[table["source_column"] == col, "role"] = role
        m = ns.mapping_from_table(table, m)
    if date_order:
        m = ns.ColumnMapping(m.roles, date_order=date_order, time_units=m.time_units)
    mc = ns.apply_mapping(raw.data, m)
    p = ns.prepare_cohort(mc.data, unparsed_dates=mc.unparsed_dates, actions=actions, as_of=AS_OF)
    return raw, m, mc, p


def os_truth(t: pd.DataFrame) -> np.ndarray:
    end = t["death_date"].where(t["death"], t["last_follow_up_date"])
    return ((end - t["surgery_date"]).dt.days / DPM).to_numpy()


def assert_flow_adds_up(p, n_uploaded: int) -> None:
    f = p.flow
    assert f["n_remaining"].iloc[0] == n_uploaded
    assert f["n_remaining"].iloc[-1] == len(p.data)
    assert n_uploaded == len(p.data) + int(f.loc[f["step"] == "excluded", "n_excluded"].sum())
    assert len(p.excluded) == n_uploaded - len(p.data)


def assert_os_equals_truth(p, t: pd.DataFrame, ids=None) -> None:
    """OS of every analysed patient, total follow-up and deaths equal what the file means."""
    t = t.set_index("patient_id")
    got = p.data.set_index("patient_id")
    ids = list(got.index) if ids is None else ids
    assert list(got.index) == ids
    want = pd.Series(os_truth(t.reset_index()), index=t.index).loc[ids]
    np.testing.assert_allclose(got["os_months"].to_numpy(), want.to_numpy(), rtol=1e-12)
    assert got["os_months"].sum() == pytest.approx(want.sum(), rel=1e-12)  # total follow-up
    assert int(got["os_event"].sum()) == int(t.loc[ids, "death"].sum())


# ---------------------------------------------------------------- 1. missing codes in date columns
@pytest.mark.parametrize("name", ["c1_r_export_na.csv", "c1_spss_codes.csv", "c1_excel_dates_with_text.xlsx",
                                  "c1_spss_text_dates.sav", "c1_text_dates.parquet"])
def test_missing_codes_in_date_columns(name):
    raw, m, mc, p = run(name)
    t = truth(name)
    assert "death_date" in m.roles.values()
    assert len(raw.data) == len(t) and len(mc.unparsed_dates) == 0
    assert mc.data["death_date"].notna().sum() == t["death"].sum()  # "NA"/"unknown"/"." are missing
    assert mc.data["death_date"].tolist() == t["death_date"].tolist()
    if "recurrence_date" in mc.data:
        assert mc.data["recurrence_date"].tolist() == t["recurrence_date"].tolist()
    assert_flow_adds_up(p, len(t))
    assert len(p.data) == len(t)  # no death excluded as "event without a date"
    assert_os_equals_truth(p, t, list(t["patient_id"]))
    if "rfs_event" in p.data:
        assert int(p.data["rfs_event"].sum()) == int((t["recurrence"] | t["death"]).sum())


# ---------------------------------------------------------------- 2. thousand separators
@pytest.mark.parametrize("name,time_col", [("c2_semicolon_grouped_days.csv", "Nachbeobachtung (Tage)"),
                                           ("c2_grouped_and_decimal_in_one_column.csv", "os_days"),
                                           ("c2_comma_grouped_quoted.csv", "OS (days)")])
def test_thousand_separators_read_per_column(name, time_col):
    raw = ns.read_table((CORPUS / name).read_bytes(), name)
    t = truth(name)
    days = raw.data[time_col]
    assert days.dtype == float
    np.testing.assert_array_equal(days.to_numpy(), t["follow_up_days"].to_numpy())
    assert days.sum() == pytest.approx(t["follow_up_days"].sum(), rel=1e-15)  # total follow-up
    if "Ki-67 (%)" in raw.data:
        np.testing.assert_allclose(raw.data["Ki-67 (%)"], t["ki67"], rtol=1e-15)
    # the column is read as what it is, in months after the unit from the header or by hand
    _, m, mc, p = run(name, edit={time_col: "os_months"})
    assert m.time_units.get(time_col) == "days"
    np.testing.assert_allclose(p.data["os_months"], t["follow_up_days"] / DPM, rtol=1e-12)
    assert int(p.data["os_event"].sum()) == int(t["death"].sum())
    assert_flow_adds_up(p, len(t))


def test_ambiguous_thousands_are_flagged_and_can_be_chosen():
    name = "c2_only_ambiguous.csv"
    t = truth(name)
    raw = ns.read_table((CORPUS / name).read_bytes(), name)
    assert any("os_days" in w and "nothing in the file settles it" in w for w in raw.warnings)
    # semicolon export (European Excel): read with the decimal comma, and said so
    np.testing.assert_array_equal(raw.data["os_days"], t["follow_up_days"])
    other = ns.read_table((CORPUS / name).read_bytes(), name, decimal=".")
    grouped = t["follow_up_days"] >= 1000
    np.testing.assert_allclose(other.data["os_days"][grouped.to_numpy()], t["follow_up_days"][grouped] / 1000)
    assert other.warnings == ()  # the user's choice: nothing left to flag


# ---------------------------------------------------------------- 3. a stray quote
@pytest.mark.parametrize("name,bad_row", [("c3_stray_quote_semicolon.csv", 11), ("c3_stray_quote_comma.csv", 23)])
def test_stray_quote_loses_no_row(name, bad_row):
    raw, m, mc, p = run(name)
    t = truth(name)
    assert len(raw.data) == len(t)  # not 10 rows with the rest swallowed into one cell
    assert any(w.startswith(f"Row {bad_row}:") and "quotation mark" in w for w in raw.warnings)
    comment = raw.data.loc[bad_row - 2, "Comment"]
    assert comment.startswith("Leber") and "Segment 7 und 8" in comment
    assert_flow_adds_up(p, len(t))
    assert_os_equals_truth(p, t, list(t["patient_id"]))


def test_well_formed_quotes_are_no_problem():
    text = 'id;comment;age\nP1;"a; b";50\nP2;"line one\nline two";60\nP3;;70\n'
    r = ns.read_table(text.encode(), "q.csv")
    assert r.warnings == () and r.data["comment"].tolist()[:2] == ["a; b", "line one\nline two"]
    assert r.data["age"].tolist() == [50, 60, 70]


# ---------------------------------------------------------------- 4. + / − as yes/no
@pytest.mark.parametrize("name", ["c4_plus_minus.csv", "c4_plus_minus.xlsx"])
def test_plus_minus_flags(name):
    raw, m, mc, p = run(name, date_order="dmy" if name.endswith(".csv") else None)
    t = truth(name)
    assert mc.data["icg"].tolist() == t["icg"].tolist()  # "-" and "−" are "no", not missing
    assert mc.data["death"].tolist() == t["death"].tolist()
    if "recurrence" in mc.data:
        assert mc.data["recurrence"].tolist() == t["recurrence"].tolist()
    assert len(mc.unrecognised) == 0
    assert_flow_adds_up(p, len(t))
    assert_os_equals_truth(p, t, list(t["patient_id"]))


def test_lone_minus_stays_missing_without_plus():
    d = pd.DataFrame({"id": ["a", "b", "c"], "ICG": ["yes", "-", "no"]})
    mc = ns.apply_mapping(d, ns.suggest_mapping(d))
    assert mc.data["icg"].tolist()[0] is True and pd.isna(mc.data["icg"].iloc[1])


# ---------------------------------------------------------------- 5. dates in other languages, time zones
@pytest.mark.parametrize("name", ["c5_german_months.csv", "c5_french_months.csv", "c5_es_it_nl_months.csv",
                                  "c5_iso_time_zones.csv"])
def test_foreign_month_names_and_time_zones(name):
    raw, m, mc, p = run(name)
    t = truth(name)
    assert {"surgery_date", "death_date", "last_follow_up_date"} <= set(m.roles.values())
    assert len(mc.unparsed_dates) == 0
    assert mc.data["surgery_date"].tolist() == t["surgery_date"].tolist()  # the local day as written
    assert mc.data["death_date"].tolist() == t["death_date"].tolist()
    assert_flow_adds_up(p, len(t))
    assert_os_equals_truth(p, t, list(t["patient_id"]))


# ---------------------------------------------------------------- 6. clinical spellings
def test_grade_and_ki67_spellings():
    name = "c6_grade_and_ki67_spellings.csv"
    raw, m, mc, p = run(name)
    t = truth(name)
    assert m.roles["Grading"] == "grade" and m.roles["Ki-67"] == "ki67"
    assert mc.data["grade"].astype(str).tolist() == t["grade"].tolist()
    nec = t["written_grade"].isin(["NEC", "LCNEC"])
    assert nec.any()
    assert mc.data["neuroendocrine_carcinoma"].tolist() == nec.tolist()  # NEC kept apart within G3
    np.testing.assert_allclose(mc.data["ki67"], t["ki67"], rtol=1e-12)
    assert len(mc.unrecognised) == 0
    prev = mc.preview.query("column == 'ki67'").set_index("original")["value"]
    bounds = [w for w in t["written_ki67"] if w.startswith("<")]
    assert bounds and all(float(prev[w]) == float(w[1:]) for w in bounds)  # shown: "<3" read as 3
    assert_flow_adds_up(p, len(t))


def test_unrecognised_grades_stay_visible():
    d = pd.DataFrame({"id": ["a", "b", "c"], "Grade": ["NET G2", "Gx", "G4"]})
    mc = ns.apply_mapping(d, ns.suggest_mapping(d))
    assert set(mc.unrecognised["value"]) == {"Gx", "G4"}


# ---------------------------------------------------------------- 7. dates in the future
def test_future_dates_flagged_and_counted():
    name = "c7_future_dates.csv"
    raw, m, mc, p = run(name)
    t = truth(name)
    rep = ns.find_problems(mc.data, as_of=AS_OF)
    fut = rep.problems.query("problem == 'future_date'")
    future_ids = {pid for pid, d_ in zip(t["patient_id"], t[["surgery_date", "death_date",
                                                               "last_follow_up_date"]].max(axis=1))
                  if d_ > pd.Timestamp(AS_OF)}
    assert set(fut["patient_id"]) == future_ids and len(future_ids) == 3
    assert "date in the future" in set(p.flow["reason"])
    assert set(p.excluded.query("reason == 'date in the future'")["patient_id"]) == future_ids
    assert_flow_adds_up(p, len(t))
    kept = [i for i in t["patient_id"] if i not in future_ids]
    assert_os_equals_truth(p, t, kept)


# ---------------------------------------------------------------- 8. rows that are not patients
@pytest.mark.parametrize("name,n_apart", [("c8_footer_rows.csv", 3), ("c8_two_row_header.xlsx", 2)])
def test_rows_that_are_not_patients(name, n_apart):
    raw, m, mc, p = run(name)
    t = truth(name)
    assert len(raw.data) == len(t)  # footers and the second header row are not uploaded patients
    assert len(raw.non_patient_rows) == n_apart
    assert p.flow["n_remaining"].iloc[0] == len(t)
    assert_flow_adds_up(p, len(t))
    assert_os_equals_truth(p, t, list(t["patient_id"]))
    if name.endswith(".xlsx"):
        assert "Age (years)" in raw.data.columns and m.roles["Age (years)"] == "age"
        assert m.roles["Death date"] == "death_date"  # the merged "Death" heads both of its columns
        assert raw.non_patient_rows["row"].tolist()[0] == 2


# ---------------------------------------------------------------- 9. not a table
@pytest.mark.parametrize("name", ["c9_discharge_letter.txt", "c9_operative_report.csv", "c9_single_column.csv"])
def test_text_that_is_not_a_table_is_refused(name):
    with pytest.raises(ns.DataReadError, match="not a table|does not look like a table"):
        ns.read_table((CORPUS / name).read_bytes(), name)


# ---------------------------------------------------------------- 10. time units
def test_time_column_mapped_by_hand_takes_its_header_unit():
    name = "c10_follow_up_in_days.csv"
    t = truth(name)
    raw, m, mc, p = run(name, edit={"Follow-up (days)": "os_months"})
    assert m.time_units == {"Follow-up (days)": "days"}
    np.testing.assert_allclose(p.data["os_months"], t["follow_up_days"] / DPM, rtol=1e-12)
    median = float(p.data["os_months"].median())
    assert median < 120  # not 2152 "months"
    assert_flow_adds_up(p, len(t))


def test_ttr_and_rfs_both_offered_and_explained():
    name = "c10_ttr_and_rfs.csv"
    t = truth(name)
    raw, m, mc, p = run(name)
    assert m.roles["RFS (months)"] == "rfs_months"
    assert m.roles["Time to recurrence (months)"] == "keep"
    why = m.reasons["Time to recurrence (months)"]
    assert "censored" in why and "RFS (months)" in why
    np.testing.assert_allclose(p.data["rfs_months"], t["rfs_months"], rtol=1e-12)
    assert "time_to_recurrence_months" in p.data.columns  # still there, to be chosen instead
    _, m2, _, p2 = run(name, edit={"RFS (months)": "keep", "Time to recurrence (months)": "rfs_months"})
    np.testing.assert_allclose(p2.data["rfs_months"], t["ttr_months"], rtol=1e-12)


def test_days_in_a_silent_header_are_caught():
    name = "c10_os_days_header_silent.csv"
    t = truth(name)
    raw, m, mc, p = run(name)
    assert m.roles["OS"] == "os_months" and m.time_units == {}
    rep = ns.find_problems(mc.data, as_of=AS_OF)
    assert any("median supplied OS time" in w and "unit" in w for w in rep.warnings)
    over = rep.problems.query("problem == 'implausible_follow_up'")
    assert set(over["patient_id"]) == set(t.loc[t["follow_up_days"] > 600, "patient_id"])
    # corrected in the editor: days -> months, nothing implausible left
    table = ns.mapping_table(raw.data, m)
    table.loc[table["source_column"] == "OS", "unit"] = "days"
    fixed = ns.apply_mapping(raw.data, ns.mapping_from_table(table, m))
    rep2 = ns.find_problems(fixed.data, as_of=AS_OF)
    assert rep2.warnings == () and not (rep2.problems["problem"] == "implausible_follow_up").any()
    np.testing.assert_allclose(fixed.data["os_months"], t["follow_up_days"] / DPM, rtol=1e-12)


def test_corpus_script_is_deterministic(tmp_path):
    import shutil
    import subprocess
    import sys

    work = tmp_path / "corpus"
    shutil.copytree(CORPUS.parent, work, ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, str(work / "make_registry_corpus.py")], check=True, capture_output=True)
    for f in sorted(CORPUS.iterdir()):
        if f.suffix in (".csv", ".txt"):
            assert (work / "registry" / f.name).read_bytes() == f.read_bytes(), f.name
