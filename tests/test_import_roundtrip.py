"""Import round trip, property-based: random small NELM cohorts written in every file dialect the
readers support, read back value for value.

Each example draws a cohort (3-40 patients: id, age, sex, grade, Ki-67, ICG, surgery date, death,
date of death, last follow-up, plus a kept "Centre" column with accented text) and a dialect
(format, delimiter, decimal mark, encoding, line ending, quoting, date format, missing-value
code, yes/no spelling, category spelling, header spelling, column order), writes the file's
*bytes* in memory (nothing touches the disk) and runs it through the importer as the page does::

    read_table -> suggest_mapping -> apply_mapping -> prepare_cohort

Checked: rows read = patients written; every value read = the value written (numbers exactly,
categories, booleans, each date as a Timestamp); missing cells are missing (not text, not an
unrecognised value, not a dropped row); OS months = (end - surgery).days / 30.4375 per patient
and OS events = deaths.

Dialects a reader gets wrong are kept, each in its own strictly-xfailed test that forces the
failing feature (see the ``KNOWN_BUGS`` section at the end): when the reader is fixed the xfail
turns into an XPASS failure and the mark should be removed.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st

import nelm_stats as ns
from nelm_stats.io import DEFAULT_MISSING_CODES
from nelm_stats.schema import DAYS_PER_MONTH

# ----------------------------------------------------------------------------- the dialects

DELIMITERS = (",", ";", "\t", "|")
# python codec -> what ReadResult.encoding reports (for a file with non-ASCII text)
ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-bom", "cp1252": "cp1252", "latin-1": "cp1252",
             "utf-16": "utf-16"}
TEXT_DATES = ("iso", "dmy_dot", "dmy_slash", "mdy_slash")
XLSX_DATES = ("cell", "serial") + TEXT_DATES
DATE_ORDER = {"dmy_slash": "dmy", "mdy_slash": "mdy"}
# how day/month/year are written in the non-ISO formats
DATE_STYLES = ("padded", "unpadded", "two_digit_year")
MISSING_CODES = tuple(c for c in DEFAULT_MISSING_CODES if c != "") + ("",)
assert {"", "NA", ".", "unknown"} <= set(MISSING_CODES)
YES_NO_TEXT = (("yes", "no"), ("Yes", "No"), ("ja", "nein"), ("1", "0"), ("true", "false"),
               ("TRUE", "FALSE"), ("y", "n"))
YES_NO_XLSX = YES_NO_TEXT + ((1, 0), (True, False))
DEATH_WORDS = (("dead", "alive"),)
SEX_WORDS = (("female", "male"), ("f", "m"), ("F", "M"), ("w", "m"), ("weiblich", "männlich"),
             ("Female", "Male"))
GRADE_STYLES = ("G{}", "{}", "Grade {}", "G {}")
KI67_STYLES = ("fixed", "short", "percent")  # 12.0 / 12 / "12.0 %"
CENTRES = ("Müller-Klinik", "Hôpital-Saint-Éloi", "Universitätsklinikum-Nord", "Clínica-Peñalara",
           "St-Göran")
HEADERS = {
    "patient_id": ("Patient ID", "Pat-ID", "Study ID", "ID"),
    "age": ("Age", "Age (years)", "Alter", "Age at surgery"),
    "sex": ("Sex", "Gender", "Geschlecht"),
    "grade": ("Grade", "Grading", "WHO grade"),
    "ki67": ("Ki-67 (%)", "Ki67", "Ki-67 index", "MIB-1"),
    "icg": ("ICG", "ICG fluorescence", "ICG used", "ICG (yes/no)"),
    "surgery_date": ("Surgery date", "Date of surgery", "OP date", "Operationsdatum"),
    "death": ("Death", "Died", "Deceased", "verstorben"),
    "death_date": ("Date of death", "Death date", "Todesdatum"),
    "last_follow_up_date": ("Last follow-up", "Last FU", "Date of last contact", "Letzte Nachsorge"),
    "centre": ("Centre", "Zentrum"),
}
COLUMNS = tuple(HEADERS)
OPTIONAL = ("age", "sex", "grade", "ki67", "icg", "centre")  # may be missing for a patient
EXCEL_DAY0 = dt.date(1899, 12, 30)


@dataclass(frozen=True)
class Dialect:
    fmt: str  # "csv" | "xlsx"
    filename: str
    delimiter: str | None = None
    decimal: str | None = None
    encoding: str | None = None  # python codec
    newline: str | None = None
    quoting: int | None = None
    dates: str = "iso"
    date_style: str = "padded"
    missing: object = ""  # what an empty cell holds (None: an empty xlsx cell)
    yes_no: dict = field(default_factory=dict)  # {"icg": (yes, no), "death": (yes, no)}
    sex: tuple = ("female", "male")
    grade: str = "G{}"
    ki67: str = "fixed"
    headers: dict = field(default_factory=dict)  # canonical -> header
    order: tuple = COLUMNS

    @property
    def date_order(self):
        return DATE_ORDER.get(self.dates)


@st.composite
def dialects(draw, *, fmt=None, missing=None, dates=None, delimiter=None, decimal=None, encoding=None,
             ki67=None, yes_no=None):
    """A file dialect; keyword arguments force one feature (the rest is drawn)."""
    fmt = fmt or draw(st.sampled_from(("csv", "xlsx")))
    headers = {c: draw(st.sampled_from(h)) for c, h in HEADERS.items()}
    order = tuple(draw(st.permutations(COLUMNS)))
    sex = draw(st.sampled_from(SEX_WORDS))
    grade = draw(st.sampled_from(GRADE_STYLES))
    ki67 = ki67 or draw(st.sampled_from(KI67_STYLES))
    style = draw(st.sampled_from(DATE_STYLES))
    if fmt == "xlsx":
        bools = YES_NO_XLSX
        yn = {"icg": yes_no or draw(st.sampled_from(bools)),
              "death": yes_no or draw(st.sampled_from(bools + DEATH_WORDS))}
        return Dialect(
            "xlsx", "cohort.xlsx", dates=dates or draw(st.sampled_from(XLSX_DATES)), date_style=style,
            missing=missing if missing is not None else draw(st.sampled_from((None,) + MISSING_CODES)),
            yes_no=yn, sex=sex, grade=grade, ki67=ki67, headers=headers, order=order)
    delimiter = delimiter or draw(st.sampled_from(DELIMITERS))
    if decimal is None:
        decimal = "." if delimiter == "," else draw(st.sampled_from((".", ",")))
    encoding = encoding or draw(st.sampled_from(tuple(ENCODINGS)))
    ext = {"\t": ("tsv", "txt", "csv"), ",": ("csv", "txt"), ";": ("csv", "txt"), "|": ("csv", "txt")}
    filename = "cohort." + draw(st.sampled_from(ext[delimiter]))
    yn = {"icg": yes_no or draw(st.sampled_from(YES_NO_TEXT)),
          "death": yes_no or draw(st.sampled_from(YES_NO_TEXT + DEATH_WORDS))}
    return Dialect(
        "csv", filename, delimiter=delimiter, decimal=decimal, encoding=encoding,
        newline=draw(st.sampled_from(("\n", "\r\n"))),
        quoting=draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL))),
        dates=dates or draw(st.sampled_from(TEXT_DATES)), date_style=style,
        missing=missing if missing is not None else draw(st.sampled_from(MISSING_CODES)),
        yes_no=yn, sex=sex, grade=grade, ki67=ki67, headers=headers, order=order)


# ----------------------------------------------------------------------------- the cohorts

FIRST_SURGERY = dt.date(2005, 1, 1)


@st.composite
def patients(draw, *, n_min=3, n_max=40, any_alive=False, any_dead=False):
    """[{column: value}] (None = missing). Death dates only for deaths, between surgery and
    the last follow-up; the last follow-up on or after surgery."""
    n = draw(st.integers(n_min, n_max))
    first = draw(st.integers(1, 900))
    rows = []
    for k in range(n):
        surgery = FIRST_SURGERY + dt.timedelta(days=draw(st.integers(0, 6900)))
        fu_days = draw(st.integers(0, 4000))
        dead = draw(st.booleans())
        death_days = draw(st.integers(0, fu_days)) if dead else None
        missing = {c: draw(st.integers(0, 6)) == 0 for c in OPTIONAL}
        row = {
            "patient_id": f"NET-{first + k:03d}",
            "age": draw(st.integers(18, 90)),
            "sex": draw(st.sampled_from(("female", "male"))),
            "grade": draw(st.sampled_from(("G1", "G2", "G3"))),
            "ki67": draw(st.integers(1, 800)) / 10,  # one decimal, 0.1-80
            "icg": draw(st.booleans()),
            "surgery_date": surgery,
            "death": dead,
            "death_date": surgery + dt.timedelta(days=death_days) if dead else None,
            "last_follow_up_date": surgery + dt.timedelta(days=fu_days),
            "centre": draw(st.sampled_from(CENTRES)),
        }
        rows.append({c: (None if missing.get(c) else v) for c, v in row.items()})
    if any_alive and all(r["death"] for r in rows):
        rows[0].update(death=False, death_date=None)
    if any_dead and not any(r["death"] for r in rows):
        rows[0].update(death=True, death_date=rows[0]["last_follow_up_date"])
    return rows


# ----------------------------------------------------------------------------- writing

def _date_text(d: dt.date, how: str, style: str) -> str:
    if how == "iso":
        return d.isoformat()
    day, month = (f"{d.day:02d}", f"{d.month:02d}") if style != "unpadded" else (str(d.day), str(d.month))
    year = f"{d.year % 100:02d}" if style == "two_digit_year" else str(d.year)
    if how == "dmy_dot":
        return f"{day}.{month}.{year}"
    if how == "dmy_slash":
        return f"{day}/{month}/{year}"
    if how == "mdy_slash":
        return f"{month}/{day}/{year}"
    raise AssertionError(how)


def _cell(column: str, value, d: Dialect):
    """What the file holds for one value (text for CSV; Python objects for openpyxl)."""
    xlsx = d.fmt == "xlsx"
    if value is None:
        return d.missing if (xlsx or d.missing is not None) else ""
    if column in ("patient_id", "centre"):
        return value
    if column == "age":
        return value if xlsx else str(value)
    if column == "sex":
        return d.sex[0] if value == "female" else d.sex[1]
    if column == "grade":
        if xlsx and d.grade == "{}":
            return int(value[1])
        return d.grade.format(value[1])
    if column == "ki67":
        if xlsx and d.ki67 != "percent":
            return value
        text = f"{value:.1f}" if d.ki67 != "short" else f"{value:g}"
        if d.decimal == ",":
            text = text.replace(".", ",")
        return text + " %" if d.ki67 == "percent" else text
    if column in ("icg", "death"):
        return d.yes_no[column][0 if value else 1]
    if column.endswith("_date"):
        if xlsx and d.dates == "cell":
            return dt.datetime(value.year, value.month, value.day)
        if xlsx and d.dates == "serial":
            return (value - EXCEL_DAY0).days
        return _date_text(value, d.dates, d.date_style)
    raise AssertionError(column)


def write_file(rows: list[dict], d: Dialect) -> bytes:
    """The file's bytes (in memory)."""
    header = [d.headers[c] for c in d.order]
    body = [[_cell(c, r[c], d) for c in d.order] for r in rows]
    if d.fmt == "xlsx":
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "Patients"
        ws.append(header)
        for line in body:
            ws.append(line)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()
    buf = io.StringIO(newline="")
    w = csv.writer(buf, delimiter=d.delimiter, quoting=d.quoting, lineterminator=d.newline)
    w.writerow(header)
    w.writerows(body)
    return buf.getvalue().encode(d.encoding)


# ----------------------------------------------------------------------------- reading and checks

@dataclass
class RoundTrip:
    raw: ns.ReadResult
    mapping: ns.ColumnMapping
    mapped: ns.MappedCohort
    prepared: ns.PreparedCohort


def read_back(content: bytes, d: Dialect) -> RoundTrip:
    raw = ns.read_table(content, d.filename)
    m = ns.suggest_mapping(raw.data)
    if d.date_order:
        m = ns.ColumnMapping(m.roles, date_order=d.date_order)
    mc = ns.apply_mapping(raw.data, m)
    prepared = ns.prepare_cohort(mc.data, unparsed_dates=mc.unparsed_dates)
    return RoundTrip(raw, m, mc, prepared)


def _ts(v):
    return pd.NaT if v is None else pd.Timestamp(v)


def _same(got, want) -> bool:
    if want is None:
        return got is None or got is pd.NA or got is pd.NaT or (isinstance(got, float) and np.isnan(got))
    if isinstance(want, bool):
        return isinstance(got, (bool, np.bool_)) and bool(got) == want
    if isinstance(want, str):
        return isinstance(got, str) and got == want
    return isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, (bool, np.bool_)) \
        and float(got) == float(want)


def check_round_trip(rows: list[dict], d: Dialect, rt: RoundTrip) -> None:
    n = len(rows)
    raw, mc, prepared = rt.raw.data, rt.mapped.data, rt.prepared
    # -- the table as read: every row, every column, read the way it was written
    assert len(raw) == n, f"{len(raw)} rows read, {n} written"
    assert list(raw.columns) == [d.headers[c] for c in d.order]
    if d.fmt == "csv":
        assert rt.raw.delimiter == d.delimiter
        text = "".join(str(_cell(c, r[c], d)) for r in rows for c in COLUMNS)
        if d.decimal == "," and any("," in str(_cell("ki67", r["ki67"], d)) for r in rows):
            assert rt.raw.decimal == ","
        elif d.decimal == ".":
            assert rt.raw.decimal == "."
        all_text = text + "".join(d.headers.values())
        want_enc = ENCODINGS[d.encoding] if not all_text.isascii() or d.encoding in ("utf-8-sig", "utf-16") \
            else "utf-8"
        assert rt.raw.encoding == want_enc
    for c in ("age",) + (("ki67",) if d.ki67 != "percent" else ()):
        assert pd.api.types.is_float_dtype(raw[d.headers[c]]), (c, raw[d.headers[c]].dtype)
    # -- the mapping found every column
    want_roles = {d.headers[c]: c for c in COLUMNS if c != "centre"}
    want_roles[d.headers["centre"]] = "keep"
    assert rt.mapping.roles == want_roles
    # -- value for value
    assert len(mc) == n
    assert len(rt.mapped.unrecognised) == 0, rt.mapped.unrecognised.to_dict("records")
    assert len(rt.mapped.unparsed_dates) == 0, rt.mapped.unparsed_dates.to_dict("records")
    centre = "centre" if d.headers["centre"] == "Centre" else "zentrum"
    for c in COLUMNS:
        got = mc[centre if c == "centre" else c].tolist()
        if c.endswith("_date"):
            want = [_ts(r[c]) for r in rows]
            assert pd.api.types.is_datetime64_any_dtype(mc[c]), (c, mc[c].dtype)
            bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want))
                   if not ((pd.isna(g) and pd.isna(w)) or g == w)]
        else:
            want = [r[c] for r in rows]
            bad = [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if not _same(g, w)]
        assert not bad, f"{c}: (row, read, written) {bad[:5]}"
    assert mc["age"].dtype == float and mc["ki67"].dtype == float
    assert str(mc["icg"].dtype) == "boolean" and str(mc["death"].dtype) == "boolean"
    # -- derived overall survival
    assert len(prepared.data) == n and prepared.flow["n_remaining"].tolist()[-1] == n
    assert len(prepared.excluded) == 0
    end = [r["death_date"] if r["death"] else r["last_follow_up_date"] for r in rows]
    want_os = np.array([(e - r["surgery_date"]).days for e, r in zip(end, rows)]) / DAYS_PER_MONTH
    np.testing.assert_allclose(prepared.data["os_months"].to_numpy(dtype=float), want_os, rtol=1e-12, atol=0)
    assert prepared.data["os_event"].tolist() == [r["death"] for r in rows]
    assert int(prepared.data["os_event"].sum()) == sum(r["death"] for r in rows)


def round_trip(rows, d):
    check_round_trip(rows, d, read_back(write_file(rows, d), d))


SETTINGS = dict(deadline=None, derandomize=True, database=None, print_blob=False)


# ----------------------------------------------------------------------------- the property tests

@settings(max_examples=120, **SETTINGS)
@given(d=dialects(), rows=patients())
def test_round_trip_any_dialect(d, rows):
    round_trip(rows, d)
