"""Import round trip, property-based: random small NELM cohorts written in every file dialect the
readers support, read back value for value.

Each example draws a cohort (3-40 patients: id, age, sex, grade, Ki-67, ICG, surgery date, death,
date of death, last follow-up, plus a kept "Centre" column with accented text) and a dialect
(format, delimiter, decimal mark, encoding, line ending, quoting, date format, missing-value
code, yes/no spelling, category spelling, header spelling, column order), writes the file's
*bytes* in memory (nothing touches the disk) and runs them through the importer as the page does::

    read_table -> suggest_mapping -> apply_mapping -> prepare_cohort

Checked: rows read = patients written; every column mapped to its role; every value read = the
value written (numbers exactly, categories, booleans, each date as a Timestamp); missing cells
are missing (not text, not an unrecognised value, not a dropped row); OS months =
(end - surgery).days / 30.4375 per patient (end = death date if dead, else last follow-up) and
OS events = deaths.

Bugs this test found (both fixed) keep their own tests that force the failing feature (section at
the end).

Deterministic (derandomize=True, no example database) and about 20 s on two cores. Which dialect
features each family exercised: ``pytest tests/test_import_roundtrip.py --hypothesis-show-statistics``.
"""
from __future__ import annotations

import atexit
import csv
import datetime as dt
import io
import os
import shutil
import tempfile
from dataclasses import dataclass, field

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import Phase, event, given, settings, strategies as st
from hypothesis.configuration import set_hypothesis_home_dir

import nelm_stats as ns

DEFAULT_MISSING_CODES = ns.DEFAULT_MISSING_CODES
DAYS_PER_MONTH = ns.schema.DAYS_PER_MONTH  # 30.4375

# Hypothesis caches the constants of local source files under ./.hypothesis even without an
# example database (database=None below); keep that cache out of the work tree.
if not os.environ.get("HYPOTHESIS_STORAGE_DIRECTORY"):
    _STORAGE = tempfile.mkdtemp(prefix="nelm-hypothesis-")
    set_hypothesis_home_dir(_STORAGE)
    atexit.register(shutil.rmtree, _STORAGE, ignore_errors=True)

# ----------------------------------------------------------------------------- the dialects

DELIMITERS = (",", ";", "\t", "|")
# python codec -> what ReadResult.encoding reports (for a file with non-ASCII text; latin-1
# bytes of these texts are cp1252 bytes, the first 8-bit encoding the reader tries)
ENCODINGS = {"utf-8": "utf-8", "utf-8-sig": "utf-8-bom", "cp1252": "cp1252", "latin-1": "cp1252",
             "utf-16": "utf-16"}  # utf-16 with BOM, little-endian: Excel's "Unicode text"
TEXT_DATES = ("iso", "dmy_dot", "dmy_slash", "mdy_slash", "month_name")
XLSX_DATES = ("cell", "serial") + TEXT_DATES
DATE_ORDER = {"dmy_slash": "dmy", "mdy_slash": "mdy"}  # slash dates: the order the user chooses
DATE_STYLES = ("padded", "unpadded", "two_digit_year")  # day/month/year of dot and slash dates
MONTH_NAMES = {  # written-month dates: (pattern, month names)
    "en": ("{d:02d}-{m}-{y}", "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec"),  # Excel's d-mmm-yyyy
    "en_us": ("{m} {d}, {y}", "January February March April May June July August September October "
                              "November December"),
    "de": ("{d}. {m} {y}", "Januar Februar März April Mai Juni Juli August September Oktober November "
                           "Dezember"),
    "fr": ("{d} {m} {y}", "janvier février mars avril mai juin juillet août septembre octobre novembre "
                          "décembre"),
    "es": ("{d} de {m} de {y}", "enero febrero marzo abril mayo junio julio agosto septiembre octubre "
                                "noviembre diciembre"),
    "it": ("{d} {m} {y}", "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre "
                          "novembre dicembre"),
    "nl": ("{d} {m} {y}", "januari februari maart april mei juni juli augustus september oktober "
                          "november december"),
}
# every missing-value code the reader knows by default; "" = an empty cell
MISSING_CODES = tuple(dict.fromkeys(("",) + tuple(DEFAULT_MISSING_CODES)))
TEXT_MISSING = tuple(c for c in MISSING_CODES if c != "")
assert {"", "NA", ".", "unknown"} <= set(MISSING_CODES)
YES_NO_TEXT = (("yes", "no"), ("Yes", "No"), ("ja", "nein"), ("1", "0"), ("true", "false"),
               ("TRUE", "FALSE"), ("y", "n"))
YES_NO_XLSX = YES_NO_TEXT + ((1, 0), (True, False))  # number cells and Excel's boolean cells
DEATH_WORDS = (("dead", "alive"),)
SEX_WORDS = (("female", "male"), ("f", "m"), ("F", "M"), ("w", "m"), ("weiblich", "männlich"),
             ("Female", "Male"))
GRADE_STYLES = ("G{}", "{}", "Grade {}", "G {}")  # "{}" in XLSX: a number cell
KI67_STYLES = ("fixed", "short", "percent")  # 12.0 / 12 / "12.0 %" (in XLSX: a number cell unless percent)
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
    "centre": ("Centre", "Zentrum"),  # no schema column: kept under a tidy name
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
    final_newline: bool = True
    dates: str = "iso"
    date_style: str = "padded"
    month_lang: str = "en"
    missing: object = ""  # what a missing value is written as (None: an empty XLSX cell)
    yes_no: dict = field(default_factory=dict)  # {"icg": (yes, no), "death": (yes, no)}
    sex: tuple = ("female", "male")
    grade: str = "G{}"
    ki67: str = "fixed"
    headers: dict = field(default_factory=dict)  # canonical column -> header
    order: tuple = COLUMNS

    @property
    def date_order(self):
        return DATE_ORDER.get(self.dates)

    @property
    def text_missing_code(self) -> bool:
        """Missing values written as a text code ("NA", "unknown" ...), not as an empty cell."""
        return isinstance(self.missing, str) and self.missing != ""


def _pick(draw, forced, options):
    return forced if forced is not None else draw(st.sampled_from(options))


@st.composite
def dialects(draw, *, fmt=None, encoding=None, missing=None, dates=None, delimiter=None, decimal=None):
    """A file dialect; a keyword argument forces that feature (the others are drawn)."""
    fmt = _pick(draw, fmt, ("csv", "xlsx"))
    common = dict(
        headers={c: draw(st.sampled_from(h)) for c, h in HEADERS.items()},
        order=tuple(draw(st.permutations(COLUMNS))),
        sex=draw(st.sampled_from(SEX_WORDS)),
        grade=draw(st.sampled_from(GRADE_STYLES)),
        ki67=draw(st.sampled_from(KI67_STYLES)),
        date_style=draw(st.sampled_from(DATE_STYLES)),
        month_lang=draw(st.sampled_from(tuple(MONTH_NAMES))),
    )
    if fmt == "xlsx":
        return Dialect(
            "xlsx", "cohort.xlsx", dates=_pick(draw, dates, XLSX_DATES),
            missing=missing if missing is not None else draw(st.sampled_from((None,) + MISSING_CODES)),
            yes_no={"icg": draw(st.sampled_from(YES_NO_XLSX)),
                    "death": draw(st.sampled_from(YES_NO_XLSX + DEATH_WORDS))},
            **common)
    delimiter = _pick(draw, delimiter, DELIMITERS)
    decimal = "." if delimiter == "," else _pick(draw, decimal, (".", ","))  # "1,5" needs a non-comma list
    extensions = {"\t": ("tsv", "txt", "csv"), ",": ("csv", "txt"), ";": ("csv", "txt"), "|": ("csv", "txt")}
    return Dialect(
        "csv", "cohort." + draw(st.sampled_from(extensions[delimiter])), delimiter=delimiter, decimal=decimal,
        encoding=_pick(draw, encoding, tuple(ENCODINGS)),
        newline=draw(st.sampled_from(("\n", "\r\n"))),
        quoting=draw(st.sampled_from((csv.QUOTE_MINIMAL, csv.QUOTE_ALL))),
        final_newline=draw(st.booleans()),
        dates=_pick(draw, dates, TEXT_DATES),
        missing=_pick(draw, missing, MISSING_CODES),
        yes_no={"icg": draw(st.sampled_from(YES_NO_TEXT)),
                "death": draw(st.sampled_from(YES_NO_TEXT + DEATH_WORDS))},
        **common)


# ----------------------------------------------------------------------------- the cohorts

FIRST_SURGERY = dt.date(2005, 1, 1)
LAST_DAY = dt.date(2024, 12, 31)  # every date in the past (a future date is a data problem)


@st.composite
def patients(draw, *, n_min=3, n_max=40):
    """[{column: value}] (None = missing). Surgery 2005-2020; last follow-up on or after surgery;
    a death date only for deaths, between surgery and the last follow-up."""
    n = draw(st.integers(n_min, n_max))
    first = draw(st.integers(1, 900))
    rows = []
    for k in range(n):
        surgery = FIRST_SURGERY + dt.timedelta(days=draw(st.integers(0, 5800)))
        fu_days = draw(st.integers(0, min(4000, (LAST_DAY - surgery).days)))
        dead = draw(st.booleans())
        death_days = draw(st.integers(0, fu_days)) if dead else None
        missing = {c: draw(st.integers(0, 6)) == 6 for c in OPTIONAL}  # about 1 in 7
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
    return rows


def _kill(row: dict) -> None:
    row.update(death=True, death_date=row["last_follow_up_date"])


def _complete(row: dict) -> None:
    row.update(age=row["age"] or 60, sex=row["sex"] or "female", grade=row["grade"] or "G2",
               ki67=row["ki67"] or 2.5, icg=False if row["icg"] is None else row["icg"],
               centre=row["centre"] or CENTRES[0])


@st.composite
def cases(draw, **forced):
    """(dialect, patients) for the main property test (two situations that once failed have
    their own forced tests below: a date column of missing codes only, and a first patient whose
    numbers are missing codes)."""
    d = draw(dialects(**forced))
    rows = draw(patients())
    return d, rows


# ----------------------------------------------------------------------------- writing

def _date_text(d: dt.date, how: str, style: str, lang: str) -> str:
    if how == "iso":
        return d.isoformat()
    if how == "month_name":
        pattern, names = MONTH_NAMES[lang]
        return pattern.format(d=d.day, m=names.split()[d.month - 1], y=d.year)
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
    """What the file holds for one value: text for CSV; for XLSX the Python object openpyxl writes."""
    xlsx = d.fmt == "xlsx"
    if value is None:
        return d.missing  # the missing-value code ("" or None: an empty cell)
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
            return dt.datetime(value.year, value.month, value.day)  # a real date cell
        if xlsx and d.dates == "serial":
            return (value - EXCEL_DAY0).days  # a number cell holding Excel's serial day
        return _date_text(value, d.dates, d.date_style, d.month_lang)
    raise AssertionError(column)


def write_file(rows: list[dict], d: Dialect) -> bytes:
    """The file's bytes (built in memory)."""
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
    text = buf.getvalue()
    if not d.final_newline:
        text = text[: -len(d.newline)]
    return text.encode(d.encoding)


# ----------------------------------------------------------------------------- reading and checks

@dataclass
class RoundTrip:
    raw: ns.ReadResult
    mapping: ns.ColumnMapping
    mapped: ns.MappedCohort
    prepared: ns.PreparedCohort


def read_back(content: bytes, d: Dialect) -> RoundTrip:
    """The importer, step by step, as the data-import page runs it."""
    raw = ns.read_table(content, d.filename)
    m = ns.suggest_mapping(raw.data)
    if d.date_order:
        m = ns.ColumnMapping(m.roles, date_order=d.date_order)
    mc = ns.apply_mapping(raw.data, m)
    prepared = ns.prepare_cohort(mc.data, unparsed_dates=mc.unparsed_dates)
    return RoundTrip(raw, m, mc, prepared)


def _is_missing(v) -> bool:
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and np.isnan(v))


def _same(got, want) -> bool:
    """``got`` (read) is ``want`` (written): missing as missing, bool as bool, text as text,
    numbers exactly."""
    if want is None:
        return _is_missing(got)
    if _is_missing(got):
        return False
    if isinstance(want, bool):
        return isinstance(got, (bool, np.bool_)) and bool(got) == want
    if isinstance(want, str):
        return isinstance(got, str) and got == want
    if isinstance(want, dt.date):
        return isinstance(got, pd.Timestamp) and got == pd.Timestamp(want)
    return (isinstance(got, (int, float, np.integer, np.floating)) and not isinstance(got, (bool, np.bool_))
            and float(got) == float(want))


def check_round_trip(rows: list[dict], d: Dialect, rt: RoundTrip) -> None:
    n = len(rows)
    raw, mc, prepared = rt.raw.data, rt.mapped.data, rt.prepared
    # -- the table as read: every row, every column, read the way it was written
    set_apart = getattr(rt.raw, "non_patient_rows", None)
    assert len(raw) == n, f"{len(raw)} rows read, {n} written; set apart: " \
        f"{set_apart.to_dict('records') if set_apart is not None else '?'}"
    assert list(raw.columns) == [d.headers[c] for c in d.order]
    if d.fmt == "csv":
        assert rt.raw.delimiter == d.delimiter
        if d.ki67 != "percent" and any(d.decimal in str(_cell("ki67", r["ki67"], d)) for r in rows):
            assert rt.raw.decimal == d.decimal, (rt.raw.decimal, d.decimal)
        written = "".join(str(_cell(c, r[c], d)) for r in rows for c in COLUMNS) + "".join(d.headers.values())
        ascii_only = written.isascii() and d.encoding not in ("utf-8-sig", "utf-16")
        assert rt.raw.encoding == ("utf-8" if ascii_only else ENCODINGS[d.encoding])
    for c in ("age",) + (("ki67",) if d.ki67 != "percent" else ()):
        if any(r[c] is not None for r in rows):  # (a column of missing codes only stays text)
            assert pd.api.types.is_float_dtype(raw[d.headers[c]]), (c, raw[d.headers[c]].dtype)
    # -- the mapping found every column
    want_roles = {d.headers[c]: c for c in COLUMNS}
    want_roles[d.headers["centre"]] = "keep"
    assert rt.mapping.roles == want_roles, {h: r for h, r in rt.mapping.roles.items() if want_roles[h] != r}
    # -- value for value
    assert len(mc) == n
    assert len(rt.mapped.unrecognised) == 0, rt.mapped.unrecognised.to_dict("records")
    assert len(rt.mapped.unparsed_dates) == 0, rt.mapped.unparsed_dates.to_dict("records")
    kept = {"Centre": "centre", "Zentrum": "zentrum"}[d.headers["centre"]]
    for c in COLUMNS:
        got = mc[kept if c == "centre" else c].tolist()
        bad = [(i, g, r[c]) for i, (g, r) in enumerate(zip(got, rows)) if not _same(g, r[c])]
        assert not bad, f"{c}: (row, read, written) {bad[:5]}"
    assert mc["age"].dtype == float and mc["ki67"].dtype == float
    assert str(mc["icg"].dtype) == "boolean" and str(mc["death"].dtype) == "boolean"
    for c in ("surgery_date", "death_date", "last_follow_up_date"):
        assert pd.api.types.is_datetime64_any_dtype(mc[c]), (c, mc[c].dtype)
    # -- overall survival derived from the dates
    assert len(prepared.excluded) == 0, prepared.excluded.to_dict("records")
    assert len(prepared.data) == n and prepared.flow["n_remaining"].tolist()[-1] == n
    assert prepared.data["patient_id"].tolist() == [r["patient_id"] for r in rows]
    end = [r["death_date"] if r["death"] else r["last_follow_up_date"] for r in rows]
    want_os = np.array([(e - r["surgery_date"]).days for e, r in zip(end, rows)]) / DAYS_PER_MONTH
    np.testing.assert_allclose(prepared.data["os_months"].to_numpy(dtype=float), want_os, rtol=1e-12, atol=0)
    assert prepared.data["os_event"].tolist() == [r["death"] for r in rows]
    assert int(prepared.data["os_event"].sum()) == sum(r["death"] for r in rows)


def round_trip(rows: list[dict], d: Dialect) -> None:
    check_round_trip(rows, d, read_back(write_file(rows, d), d))


COMMON = dict(deadline=None, derandomize=True, database=None, print_blob=False)


# ----------------------------------------------------------------------------- the property test

# One budget per format x encoding x date format, so that each is exercised on every run; the
# other features (delimiter, decimal mark, missing code, spellings, ...) are drawn per example.
FAMILIES = [pytest.param(dict(fmt="csv", encoding=e, dates=f), id=f"csv-{e}-{f}")
            for e in ENCODINGS for f in TEXT_DATES] + [
    pytest.param(dict(fmt="xlsx", dates=f), id=f"xlsx-{f}") for f in XLSX_DATES]


@pytest.mark.parametrize("family", FAMILIES)
@settings(max_examples=8, **COMMON)
@given(data=st.data())
def test_round_trip_value_for_value(family, data):
    d, rows = data.draw(cases(**family), label="case")
    for feature in ("delimiter", "decimal", "dates", "missing", "ki67", "grade", "newline"):
        event(f"{feature}={getattr(d, feature)!r}")  # coverage: pytest --hypothesis-show-statistics
    event(f"yes/no={d.yes_no['icg']!r}")
    round_trip(rows, d)


def test_writer_covers_every_dialect_feature():
    """The strategy's options are the reader's (every default missing code, every delimiter the
    sniffer tries) and the date writer writes what it says."""
    assert set(MISSING_CODES) == set(DEFAULT_MISSING_CODES) | {""}
    assert set(DELIMITERS) == {",", ";", "\t", "|"}
    day = dt.date(2019, 3, 7)
    assert [_date_text(day, f, "padded", "de") for f in TEXT_DATES] == [
        "2019-03-07", "07.03.2019", "07/03/2019", "03/07/2019", "7. März 2019"]
    assert _date_text(day, "dmy_slash", "two_digit_year", "en") == "07/03/19"
    assert _date_text(day, "mdy_slash", "unpadded", "en") == "3/7/2019"


# ----------------------------------------------------------------------------- reader bugs found here
#
# Each bug this test found: a minimal file (bytes) that shows it, and the property test with the
# failing feature forced. Both bugs are fixed (mapping: a column of missing codes only keeps its
# date role; reader: missing codes are not header text).

NO_SHRINK = dict(COMMON, phases=(Phase.explicit, Phase.generate))  # fail fast, no shrinking

BUG1 = ("BUG 1 (fixed): a date column whose cells are all a text missing code ('NA', 'unknown', '.', ...), e.g. "
        "'Date of death' when nobody died, is not mapped: suggest_mapping says 'the values are not dates' "
        "and keeps it as an extra column, so the cohort has no death_date column")
BUG2 = ("BUG 2 (fixed): when the first patient's row has missing values written as a text code ('NA', ...) in "
        "two numeric columns, read_table takes that row for a second header row (units / merged headers): "
        "the patient is lost and its values are glued onto the column names")


def test_bug1_minimal_date_column_of_missing_codes():
    content = (b"Patient ID,Surgery date,Death,Date of death,Last follow-up\n"
               b"NET-001,2019-01-10,no,NA,2020-01-10\n"
               b"NET-002,2019-02-10,no,NA,2020-02-10\n"
               b"NET-003,2019-03-10,no,NA,2020-03-10\n")
    raw = ns.read_table(content, "cohort.csv")
    m = ns.suggest_mapping(raw.data)
    assert m.roles["Date of death"] == "death_date", m.reasons["Date of death"]
    mc = ns.apply_mapping(raw.data, m)
    assert mc.data["death_date"].isna().all()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("code", TEXT_MISSING)
@settings(max_examples=3, **NO_SHRINK)
@given(data=st.data())
def test_bug1_property_nobody_died(fmt, code, data):
    d = data.draw(dialects(fmt=fmt, missing=code), label="dialect")
    rows = data.draw(patients(), label="patients")
    for r in rows:
        r.update(death=False, death_date=None)
    _complete(rows[0])  # (not BUG 2)
    round_trip(rows, d)


def test_bug2_minimal_first_row_with_missing_numbers():
    content = (b"Patient ID,Age,Ki-67 (%),Surgery date,Last follow-up\n"
               b"NET-001,NA,NA,2019-01-10,2020-01-10\n"
               b"NET-002,50,1.5,2019-02-10,2020-02-10\n"
               b"NET-003,60,2.5,2019-03-10,2020-03-10\n")
    raw = ns.read_table(content, "cohort.csv")
    assert len(raw.data) == 3
    assert list(raw.data.columns) == ["Patient ID", "Age", "Ki-67 (%)", "Surgery date", "Last follow-up"]
    assert raw.data["Patient ID"].tolist() == ["NET-001", "NET-002", "NET-003"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@settings(max_examples=3, **NO_SHRINK)
@given(data=st.data())
def test_bug2_property_first_patient_without_age_and_ki67(fmt, data):
    d = data.draw(dialects(fmt=fmt, missing="NA"), label="dialect")
    rows = data.draw(patients(), label="patients")
    for r in rows[1:]:  # the others complete and dead: their age, Ki-67 and dates are all values
        _complete(r)
        _kill(r)
    rows[0].update(age=None, ki67=None, death=False, death_date=None)
    round_trip(rows, d)
