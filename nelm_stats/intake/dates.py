"""Dates as clinicians type them: ISO, dd/mm/yyyy, mm/dd/yyyy, dd.mm.yyyy, Excel serials,
month names in English, German, French, Spanish, Italian and Dutch ("12. März 2019",
"3 févr. 2018", "3 de marzo de 2019"), and ISO date-times with a time zone ("…T10:00Z",
"…+02:00": the date as written, i.e. the local calendar day, is kept; it is not moved to UTC).

A date such as 03/04/2020 is 3 April in Europe and March 4 in the USA. The order is
read from the values where they settle it (a first number above 12 means day first);
where nothing settles it, :func:`detect_date_order` says so and the caller must choose
(``order="dmy"`` or ``"mdy"``) — it is never guessed.  Dates that fit no rule are
listed with their row, never silently dropped.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from .vocabulary import DEFAULT_MISSING_CODES, missing_code_set

__all__ = [
    "ORDERS", "ORDER_LABELS", "EXCEL_EPOCH", "EXCEL_SERIAL_RANGE", "AmbiguousDateOrderError",
    "DateOrderCheck", "DateParse", "slash_evidence", "detect_date_order", "parse_date_value", "parse_dates",
    "distinct_values", "looks_like_dates",
]

ORDERS = ("dmy", "mdy")
ORDER_LABELS = {
    "dmy": "day first (dd/mm/yyyy, European)",
    "mdy": "month first (mm/dd/yyyy, US)",
}
#: Excel's day zero in the 1900 date system (serial 1 = 1900-01-01, with Excel's 1900 leap-day bug).
EXCEL_EPOCH = pd.Timestamp("1899-12-30")
#: Numbers read as Excel serial dates: 1 Jan 1920 .. 31 Dec 2099.
EXCEL_SERIAL_RANGE = (7306, 73050)

_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
                  r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?(?:Z|UTC|[+-]\d{2}(?::?\d{2})?))?)?$")
_SLASH = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_DOT = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.\d+)?$")
_MONTH_NAME = re.compile(r"[^\W\d_]{3,}")
_TIME_PART = re.compile(r"\b\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s?(?:am|pm|h|uhr|z|utc|[+-]\d{2}(?::?\d{2})?))?\b")

# Month names and abbreviations (accents removed, lower case) in en, de, fr, es, it, nl.
_MONTHS = {}
for _m, _names in enumerate((
    "january jan januar jaen jaenner janner janvier janv enero ene gennaio gen januari",
    "february feb februar fevrier fevr fev febrero febbraio februari",
    "march mar maerz marz mrz mars marzo maart",
    "april apr avril avr abril abr aprile",
    "may mai mayo maggio mag mei",
    "june jun juni juin junio giugno giu",
    "july jul juli juillet juil julio luglio lug",
    "august aug aout agosto ago augustus",
    "september sep sept septembre septiembre setiembre set settembre",
    "october oct oktober okt octobre octubre ottobre ott",
    "november nov novembre noviembre",
    "december dec dezember dez decembre diciembre dic dicembre",
), start=1):
    for _n in _names.split():
        _MONTHS[_n] = _m
_DATE_FILLERS = {"de", "del", "der", "den", "le", "the", "of", "am", "il", "el", "er", "st", "nd", "rd", "th",
                 "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs", "thursday",
                 "fri", "friday", "sat", "saturday", "sun", "sunday", "montag", "dienstag", "mittwoch",
                 "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi", "jeudi", "vendredi",
                 "samedi", "dimanche", "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo",
                 "lunedi", "martedi", "mercoledi", "giovedi", "venerdi", "sabato", "domenica", "maandag",
                 "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"}


def _plain(text: str) -> str:
    """Lower case without accents: 'März' -> 'marz', 'févr.' -> 'fevr.'."""
    t = unicodedata.normalize("NFKD", text.lower()).replace("ß", "ss")
    return "".join(ch for ch in t if not unicodedata.combining(ch))


def _month_name_date(text: str):
    """A date written with a month name in one of six languages -> (Timestamp or None, reason)."""
    t = _TIME_PART.sub(" ", _plain(text))
    tokens = re.findall(r"\d+|[a-z]+", t)
    month, numbers = None, []
    for tok in tokens:
        if tok.isdigit():
            numbers.append(tok)
        elif tok in _MONTHS:
            if month is not None:
                return None, "not a date"
            month = _MONTHS[tok]
        elif tok in _DATE_FILLERS or (tok in ("er", "e") and numbers):
            continue
        else:
            return None, "not a date"
    if month is None or len(numbers) != 2:
        return None, "not a date"
    a, b = numbers
    if len(a) == 4:  # 2019 March 12
        year, day = a, b
    elif len(b) in (2, 4) and len(a) <= 2:
        day, year = a, b
    else:
        return None, "not a date"
    return _make(_year(year), month, int(day), "written month")


class AmbiguousDateOrderError(InputError):
    """Dates such as 03/04/2020 can be read day-first or month-first and no order was chosen."""


@dataclass(frozen=True)
class DateOrderCheck:
    """Whether the slash dates of some columns need the user to choose day/month order.

    ``evidence``: [column, n_slash, n_day_first_only, n_month_first_only, verdict] with
    verdict "dmy", "mdy", "ambiguous", "conflicting" or "none" (no slash dates).
    ``suggested`` is an order the values themselves settle (None if nothing does).
    """

    ambiguous: bool
    columns: tuple[str, ...]
    suggested: str | None
    evidence: pd.DataFrame

    def question(self) -> str:
        cols = ", ".join(self.columns)
        text = (f"The dates in {cols} could be day/month/year or month/day/year "
                "(e.g. 03/04/2020). Which order did your registry use?")
        if self.suggested:
            text += f" Other date columns of this file are {ORDER_LABELS[self.suggested]}."
        return text


@dataclass(frozen=True)
class DateParse:
    """Parsed dates (datetime64 Series, NaT where missing or unreadable) and what was not read.

    ``unparsed``: [row, value, reason] (row = spreadsheet row, header = 1).
    ``formats``: the formats met, e.g. ("ISO", "dd.mm.yyyy", "Excel serial").
    """

    values: pd.Series
    unparsed: pd.DataFrame
    formats: tuple[str, ...]


def _year(y: str) -> int:
    y_int = int(y)
    if len(y) == 2:  # two-digit years: 00-49 -> 2000s, 50-99 -> 1900s
        return 2000 + y_int if y_int < 50 else 1900 + y_int
    return y_int


def _slash_parts(value) -> tuple[int, int] | None:
    if not isinstance(value, str):
        return None
    m = _SLASH.match(value.strip())
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def slash_evidence(series: pd.Series) -> tuple[int, int, int]:
    """(slash dates, dates only valid day-first, dates only valid month-first) in a column."""
    distinct = distinct_values(series)
    if distinct is not None:  # each distinct value once, weighted by how often it occurs
        codes, uniques = distinct
        counts = np.bincount(codes[codes >= 0], minlength=len(uniques))
        n = dmy_only = mdy_only = 0
        for v, k in zip(uniques, counts.tolist()):
            p = _slash_parts(v)
            if p is None:
                continue
            n += k
            a, b = p
            if a > 12 and b <= 12:
                dmy_only += k
            elif b > 12 and a <= 12:
                mdy_only += k
        return n, dmy_only, mdy_only
    n = dmy_only = mdy_only = 0
    for v in series.dropna():
        p = _slash_parts(v)
        if p is None:
            continue
        n += 1
        a, b = p
        if a > 12 and b <= 12:
            dmy_only += 1
        elif b > 12 and a <= 12:
            mdy_only += 1
    return n, dmy_only, mdy_only


def detect_date_order(data: pd.DataFrame, columns) -> DateOrderCheck:
    """Look at the slash dates of ``columns`` and say whether an order must be chosen."""
    rows = []
    for c in columns:
        if c not in data.columns:
            continue
        s = data[c]
        if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
            rows.append((c, 0, 0, 0, "none"))
            continue
        n, d, m = slash_evidence(s)
        if n == 0:
            verdict = "none"
        elif d and m:
            verdict = "conflicting"
        elif d:
            verdict = "dmy"
        elif m:
            verdict = "mdy"
        else:
            verdict = "ambiguous"
        rows.append((c, n, d, m, verdict))
    evidence = pd.DataFrame(
        rows, columns=["column", "n_slash", "n_day_first_only", "n_month_first_only", "verdict"]
    )
    settled = set(evidence.loc[evidence["verdict"].isin(ORDERS), "verdict"])
    suggested = settled.pop() if len(settled) == 1 else None
    ambiguous_cols = tuple(evidence.loc[evidence["verdict"] == "ambiguous", "column"])
    return DateOrderCheck(bool(ambiguous_cols), ambiguous_cols, suggested, evidence)


def _check_order(order):
    if order is not None and order not in ORDERS:
        raise InputError(f"Date order must be 'dmy' (day first) or 'mdy' (month first); got {order!r}.")


def parse_date_value(value, order: str | None = None):
    """One value -> (Timestamp or None, format name or reason it failed).

    Raises AmbiguousDateOrderError for an ambiguous slash date when ``order`` is None.
    """
    _check_order(order)
    if value is None or value is pd.NA or value is pd.NaT:
        return None, "missing"
    if isinstance(value, (pd.Timestamp, np.datetime64)) or hasattr(value, "year"):
        ts = pd.Timestamp(value)
        return (None, "missing") if pd.isna(ts) else (ts, "date cell")
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        if np.isnan(value):
            return None, "missing"
        return _serial(float(value))
    text = str(value).strip()
    if text == "":
        return None, "missing"
    m = _ISO.match(text)
    if m:
        return _make(int(m.group(1)), int(m.group(2)), int(m.group(3)), "ISO")
    m = _DOT.match(text)
    if m:
        return _make(_year(m.group(3)), int(m.group(2)), int(m.group(1)), "dd.mm.yyyy")
    m = _SLASH.match(text)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), _year(m.group(3))
        use = order
        if use is None:
            if a > 12 and b <= 12:
                use = "dmy"
            elif b > 12 and a <= 12:
                use = "mdy"
            elif a <= 12 and b <= 12:
                if a == b:
                    return _make(y, a, b, "dd/mm/yyyy")
                raise AmbiguousDateOrderError(
                    f"The date '{text}' can be read day-first or month-first; choose the order."
                )
            else:
                return None, "no month above 12 exists"
        if use == "dmy":
            return _make(y, b, a, "dd/mm/yyyy")
        return _make(y, a, b, "mm/dd/yyyy")
    if _SERIAL.match(text):
        return _serial(float(text))
    if _MONTH_NAME.search(text):
        return _month_name_date(text)
    return None, "not a date"


def _make(y: int, mth: int, d: int, fmt: str):
    try:
        return pd.Timestamp(year=y, month=mth, day=d), fmt
    except ValueError:
        return None, "no such day in the calendar"


def _serial(x: float):
    lo, hi = EXCEL_SERIAL_RANGE
    if lo <= x <= hi:
        return (EXCEL_EPOCH + pd.to_timedelta(int(np.floor(x)), unit="D")), "Excel serial"
    return None, "a number, not a date (outside 1920-2099 as an Excel serial)"


def parse_dates(series: pd.Series, *, order: str | None = None) -> DateParse:
    """Parse a column of dates written any of the supported ways.

    Raises AmbiguousDateOrderError when slash dates can be read both ways and ``order``
    is None (ask the user; see :func:`detect_date_order`).
    """
    _check_order(order)
    if not isinstance(series, pd.Series):
        raise InputError("parse_dates needs a column (pandas Series).")
    if pd.api.types.is_datetime64_any_dtype(series):
        values = pd.to_datetime(series).astype("datetime64[ns]")
        return DateParse(values, _empty_unparsed(), ("date cell",) if series.notna().any() else ())
    if order is None:
        _, d, m = slash_evidence(series) if not pd.api.types.is_numeric_dtype(series) else (0, 0, 0)
        if d and not m:
            order = "dmy"
        elif m and not d:
            order = "mdy"
    distinct = distinct_values(series)
    if distinct is None:  # mixed kinds of values: one at a time
        codes, uniques = np.arange(len(series)), list(series)
    else:
        codes, uniques = distinct
    # each distinct value is parsed once (in order of first appearance, so the first ambiguous
    # date met is the first in the column, and formats keep their order of appearance)
    parsed = [parse_date_value(v, order) for v in uniques]
    formats = tuple(dict.fromkeys(how for ts, how in parsed if ts is not None))
    stamps = pd.to_datetime(pd.Series([pd.NaT if ts is None else ts for ts, _ in parsed] + [pd.NaT],
                                      dtype=object)).astype("datetime64[ns]").to_numpy()
    values = pd.Series(stamps[codes], index=series.index).astype("datetime64[ns]")  # code -1: missing
    failed = np.array([ts is None and how != "missing" for ts, how in parsed] + [False], dtype=bool)
    bad = [(_row(series.index[i]), str(uniques[codes[i]]), parsed[codes[i]][1])
           for i in np.flatnonzero(failed[codes])]
    unparsed = pd.DataFrame(bad, columns=["row", "value", "reason"]) if bad else _empty_unparsed()
    return DateParse(values, unparsed, formats)


def distinct_values(series: pd.Series) -> tuple[np.ndarray, list] | None:
    """(codes, distinct values) of a column, so that a rule runs once per distinct value.

    ``codes[i]`` is the position of row i's value in the list (in order of first
    appearance), -1 where it is missing (None, NA, NaN).  None when the column mixes kinds
    of values (e.g. 1 and True, or text and numbers in one object column), which a
    per-value rule must see one by one.
    """
    kind = pd.api.types.infer_dtype(series, skipna=True)
    if kind not in ("string", "floating", "integer", "boolean", "empty"):
        return None
    if series.dtype == object:
        na = series.isna().to_numpy()
        if na.any() and not all(v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                                for v in series.to_numpy()[na]):
            return None  # e.g. NaT among text: not a plain missing value
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    return np.asarray(codes, dtype=np.intp), pd.Index(uniques).tolist()


def distinct_texts(series: pd.Series) -> tuple[np.ndarray, list] | None:
    """:func:`distinct_values` of a column holding only text (and missing values); None for any
    other column."""
    if pd.api.types.infer_dtype(series, skipna=True) != "string":
        return None
    return distinct_values(series)


def text_series(texts: list, codes: np.ndarray, index) -> pd.Series:
    """The column whose row i holds ``texts[codes[i]]`` (missing where the code is -1 or the text
    None), as a "string" column: taken in Arrow from the distinct texts (several times faster than
    building it from one Python string per row)."""
    import pyarrow as pa

    take = np.where(codes < 0, len(texts), codes)
    try:
        if pd.StringDtype().storage != "pyarrow":
            raise TypeError("strings are stored by Python")
        array = pa.array(list(texts) + [None], type=pa.large_string()).take(pa.array(take))
    except (TypeError, pa.ArrowException, UnicodeError):  # e.g. a lone surrogate: the plain way
        table = np.empty(len(texts) + 1, dtype=object)
        table[:] = list(texts) + [None]
        return pd.Series(table[take], index=index, dtype="string")
    return pd.Series(pd.arrays.ArrowStringArray(array), index=index, copy=False)


def _row(idx) -> int | None:
    try:
        return int(idx) + 2
    except (TypeError, ValueError):
        return None


def _empty_unparsed() -> pd.DataFrame:
    return pd.DataFrame({"row": pd.Series(dtype="Int64"), "value": pd.Series(dtype=object),
                         "reason": pd.Series(dtype=object)})


def looks_like_dates(series: pd.Series, min_share: float = 0.8, missing_codes=None) -> bool:
    """True when most non-missing values of a column read as dates (used to suggest roles).

    Missing-value codes ("NA", "unknown", ".") are removed before the share is judged, and a
    value counts as a date when :func:`parse_date_value` reads it (whatever the day/month order).
    """
    if pd.api.types.is_datetime64_any_dtype(series):
        return True
    values = series.dropna()
    if len(values) == 0:
        return False
    if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
        lo, hi = EXCEL_SERIAL_RANGE
        x = values.astype(float)
        return bool(((x >= lo) & (x <= hi)).mean() >= min_share and (x % 1 == 0).mean() >= min_share)
    codes = missing_code_set(DEFAULT_MISSING_CODES if missing_codes is None else missing_codes)
    ok = total = seen = 0
    for v, k in values.value_counts(sort=False).items():  # each distinct value once
        if isinstance(v, str):
            v = v.strip()
            if v.lower() in codes:
                continue
        seen += 1
        if seen > 300:
            break
        total += int(k)
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            continue  # a bare number in a text column: not evidence of a date
        try:
            ts, _ = parse_date_value(v)
        except AmbiguousDateOrderError:
            ts = True
        ok += int(k) if ts is not None else 0
    return total > 0 and ok / total >= min_share
