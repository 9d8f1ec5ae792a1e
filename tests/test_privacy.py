"""Identifier flags (headers and values) and dropping."""
from __future__ import annotations

import pandas as pd
import pytest

from nelm_stats.intake.privacy import drop_columns, drop_raw_dates, flag_identifiers


@pytest.mark.parametrize("header", ["Name", "Patient name", "Vorname", "MRN", "Hospital number", "E-mail",
                                    "Phone", "Address", "DOB", "Date of birth", "Geburtsdatum", "Comments"])
def test_header_flags(header):
    assert flag_identifiers(pd.DataFrame({header: ["x1", "x2"]}))["column"].tolist() == [header]


@pytest.mark.parametrize("values,reason", [
    (["anna@example.org", "bob@x.de"], "e-mail"),
    (["+49 30 1234 5678", "030/98765432"], "phone"),
    (["Müller, Anna", "Smith, John", "Rossi, Maria"], "names"),
    (["12 Baker Street", "Hauptstraße 5"], "street"),
    ([12345678.0, 12345699.0, 22345678.0], "record numbers"),
    (["1234567", "2345678"], "record numbers"),
    (["the patient had a long and complicated course with re-admission twice for bile leak"] * 1 +
     ["another long free text note about the operation and the family history of the patient"], "free text"),
])
def test_value_flags(values, reason):
    flags = flag_identifiers(pd.DataFrame({"col": values}))
    assert flags["column"].tolist() == ["col"] and reason in flags["reason"].iloc[0]


def test_study_ids_and_clinical_columns_not_flagged():
    df = pd.DataFrame({"Pat-ID": ["NET-01", "NET-02"], "Age": [50, 60], "Grade": ["G1", "G2"],
                       "OP date": ["2020-01-01", "2020-02-02"], "Sex": ["f", "m"]})
    assert len(flag_identifiers(df)) == 0


def test_examples_are_masked():
    flags = flag_identifiers(pd.DataFrame({"Name": ["Anna Müller"]}))
    assert "Anna" not in flags["example"].iloc[0]


def test_drop_helpers_do_not_mutate():
    df = pd.DataFrame({"a": [1], "d": pd.to_datetime(["2020-01-01"]), "n": ["x"]})
    assert list(drop_columns(df, ["n", "zzz"]).columns) == ["a", "d"]
    assert list(drop_raw_dates(df).columns) == ["a", "n"]
    assert list(df.columns) == ["a", "d", "n"]


def test_age_from_birth_date():
    from nelm_stats.intake.privacy import age_from_birth_date

    df = pd.DataFrame({"DOB": ["1960-05-10", "10.05.1960", None, "2030-01-01"],
                       "OP": ["2020-05-09", "2020-05-10", "2020-01-01", "2020-01-01"]})
    age = age_from_birth_date(df, "DOB", "OP")
    assert age.iloc[:2].tolist() == [59.0, 60.0] and age.iloc[2:].isna().all()
