"""Identifier flags (headers and values) and dropping."""
from __future__ import annotations

import numpy as np
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


# values meant to sit on the edge of each pattern: Unicode digits (Arabic-Indic, full-width),
# superscripts (str.isdigit but not \d), umlauts, leading signs and brackets, long ids
_EDGE_VALUES = [
    "anna.muster@klinik.de", "a@b.c", "@x.de", "x@", "Müller, Anna", "Anna Müller", "Ö Ab", "Éva Nagy",
    "Muster,Anna", "+49 89 1234567", "(089) 123 4567", "089/1234567", "-1234567", "1234567", "١٢٣٤٥٦٧٨",
    "１２３４５６７８", "²³⁴⁵⁶⁷⁸⁹", "12 Main Street", "Hauptstraße 5", "12 ſt. x", "P00001", "NELM-0001",
    "ja", "12,5", "2019-03-14", "Dr. Who", " 1234567", "+", "++49 123 4567", "Hauptstr.5", "HAUPTSTR. 5",
    "Hauptſtr.5", "Lindenweg\u00a012", "12\u2003Main St", "Am Platz 3", "5th avenue",
]


@pytest.mark.parametrize("value", _EDGE_VALUES)
def test_value_patterns_are_only_skipped_where_they_cannot_match(value):
    """Each identifier pattern is tried only on values passing its cheap test (a needed
    character): that test must hold for every value the pattern matches."""
    from nelm_stats.intake import privacy

    for rx, maybe in privacy._CAN_MATCH.items():
        if rx.search(value):
            assert maybe(value), (rx.pattern, value)


def test_a_column_of_many_study_ids_is_not_flagged_and_a_column_of_phone_numbers_is():
    ids = pd.Series([f"P{i:06d}" for i in range(20_000)])
    phones = pd.Series([f"+49 89 {i:07d}" for i in range(20_000)])
    mrn = pd.Series([f"{i:08d}" for i in range(10_000_000, 10_020_000)])
    flags = flag_identifiers(pd.DataFrame({"study": ids, "contact": phones, "x": mrn}))
    assert dict(zip(flags["column"], flags["reason"])) == {
        "contact": "values look like phone numbers",
        "x": "values look like hospital record numbers (7+ digit numbers, one per row)"}


def test_arrow_conditions_keep_every_value_python_keeps():
    """The same conditions checked in Arrow on all distinct values at once keep every value the
    Python condition keeps (they may keep more: the pattern decides), on the edge values and on
    random texts of ASCII, Unicode digits, Unicode spaces and the long s."""
    import pyarrow as pa

    from nelm_stats.intake import privacy

    rng = np.random.default_rng(5)
    alphabet = list("aAzZ09 +()/-@.,ſtrSTR\t\x0b\x1c\u00a0\u2003١２²ÄÖéß") + ["Str", "str"]
    values = _EDGE_VALUES + ["".join(rng.choice(alphabet, int(rng.integers(1, 12)))) for _ in range(3000)]
    values = [v for v in values if v]
    texts = pa.array(values, type=pa.large_string())
    for rx, arrow_condition in privacy._ARROW_CAN_MATCH.items():
        kept = arrow_condition(texts)
        python = np.array([bool(privacy._CAN_MATCH[rx](v)) for v in values])
        assert not (python & ~kept).any(), [v for v, p, k in zip(values, python, kept) if p and not k][:5]


def test_identifier_reasons_are_the_same_with_the_arrow_conditions(monkeypatch):
    """flag_identifiers finds the same columns and reasons whether the conditions run in Arrow or
    value by value in Python."""
    from nelm_stats.intake import privacy

    rng = np.random.default_rng(8)
    pools = [_EDGE_VALUES, ["anna@x.de", "b@y.org", "x"], ["+49 89 1234567", "089/1234567", "n/a"],
             ["Müller, Anna", "Meier, Hans", "Anna Müller"], ["12 Main Street", "Hauptstraße 5", "x"],
             [f"{i:08d}" for i in range(10_000_000, 10_000_400)]]
    frame = pd.DataFrame({f"c{j}": pd.Series(rng.choice(pool, 400), dtype="string") for j, pool in enumerate(pools)})
    frame["mrn"] = pd.Series([f"{i:08d}" for i in range(10_000_000, 10_000_400)], dtype="string")
    fast = flag_identifiers(frame)
    monkeypatch.setattr(privacy, "_arrow_texts", lambda index: None)
    slow = flag_identifiers(frame)
    pd.testing.assert_frame_equal(fast, slow)
    assert len(fast) >= 3
