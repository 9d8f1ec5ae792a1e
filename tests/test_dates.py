"""Date rules: ISO, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy, Excel serials; ambiguity is asked, never guessed."""
from __future__ import annotations

import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.intake.dates import AmbiguousDateOrderError, detect_date_order, looks_like_dates, parse_dates

T = pd.Timestamp


@pytest.mark.parametrize("text,order,expected,fmt", [
    ("2020-03-04", None, T("2020-03-04"), "ISO"),
    ("2020/03/04", None, T("2020-03-04"), "ISO"),
    ("2020-03-04 00:00:00", None, T("2020-03-04"), "ISO"),
    ("04.03.2020", None, T("2020-03-04"), "dd.mm.yyyy"),
    ("4.3.20", None, T("2020-03-04"), "dd.mm.yyyy"),
    ("25/03/2020", None, T("2020-03-25"), "dd/mm/yyyy"),
    ("03/25/2020", None, T("2020-03-25"), "mm/dd/yyyy"),
    ("03/04/2020", "dmy", T("2020-04-03"), "dd/mm/yyyy"),
    ("03/04/2020", "mdy", T("2020-03-04"), "mm/dd/yyyy"),
    ("05/05/2020", None, T("2020-05-05"), "dd/mm/yyyy"),  # same either way
    ("43894", None, T("2020-03-04"), "Excel serial"),
    ("12 Mar 2020", None, T("2020-03-12"), "written month"),
])
def test_single_values(text, order, expected, fmt):
    ts, how = ns.intake.dates.parse_date_value(text, order)
    assert ts == expected and how == fmt


def test_excel_serial_numbers():
    p = parse_dates(pd.Series([43894.0, 1.0, None]))
    assert p.values.iloc[0] == T("2020-03-04")
    assert pd.isna(p.values.iloc[1]) and len(p.unparsed) == 1  # 1 is no plausible date
    assert "Excel serial" in p.formats


def test_impossible_calendar_dates_listed_with_row():
    p = parse_dates(pd.Series(["2020-02-30", "31.04.2021", "2020-01-01"]))
    assert p.values.isna().tolist() == [True, True, False]
    assert p.unparsed["row"].tolist() == [2, 3]
    assert set(p.unparsed["reason"]) == {"no such day in the calendar"}


def test_ambiguous_column_raises_without_order():
    s = pd.Series(["03/04/2020", "05/06/2021"])
    with pytest.raises(AmbiguousDateOrderError):
        parse_dates(s)
    assert parse_dates(s, order="dmy").values.tolist() == [T("2020-04-03"), T("2021-06-05")]
    assert parse_dates(s, order="mdy").values.tolist() == [T("2020-03-04"), T("2021-05-06")]


def test_column_order_settled_by_its_values():
    s = pd.Series(["03/04/2020", "25/06/2021"])  # 25 can only be a day
    assert parse_dates(s).values.tolist() == [T("2020-04-03"), T("2021-06-25")]


def test_conflicting_column_is_reported_not_guessed():
    s = pd.Series(["25/06/2021", "06/25/2021"])
    chk = detect_date_order(pd.DataFrame({"d": s}), ["d"])
    assert chk.evidence["verdict"].tolist() == ["conflicting"]
    with pytest.raises(AmbiguousDateOrderError):
        parse_dates(pd.Series(["25/06/2021", "06/25/2021", "03/04/2020"]))


def test_detect_date_order_evidence_and_question():
    df = pd.DataFrame({"a": ["03/04/2020", "01/02/2020"], "b": ["25/12/2020", "01/01/2021"],
                       "c": ["2020-01-01", None]})
    chk = detect_date_order(df, ["a", "b", "c"])
    assert chk.ambiguous and chk.columns == ("a",) and chk.suggested == "dmy"
    assert chk.evidence.set_index("column")["verdict"].to_dict() == {"a": "ambiguous", "b": "dmy", "c": "none"}
    assert "day/month/year" in chk.question() and "a" in chk.question()


def test_not_ambiguous_for_iso_or_dots():
    df = pd.DataFrame({"a": ["2020-03-04"], "b": ["04.03.2020"]})
    assert not detect_date_order(df, ["a", "b"]).ambiguous


def test_datetime_column_passes_through():
    s = pd.Series(pd.to_datetime(["2020-01-01", None]))
    p = parse_dates(s)
    assert p.values.iloc[0] == T("2020-01-01") and pd.isna(p.values.iloc[1])


def test_bad_order_argument():
    with pytest.raises(ns.InputError):
        parse_dates(pd.Series(["2020-01-01"]), order="ymd")


def test_looks_like_dates():
    assert looks_like_dates(pd.Series(["01.02.2020", "03.04.2021"]))
    assert looks_like_dates(pd.Series([43894.0, 43900.0]))
    assert not looks_like_dates(pd.Series([12.5, 30.1]))
    assert not looks_like_dates(pd.Series(["yes", "no"]))
