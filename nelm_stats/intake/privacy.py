"""Flag columns that look like direct identifiers, so the user can drop them first.

Looks at headers (name, MRN, phone, e-mail, address, birth date ...) and at values
(e-mail addresses, phone numbers, "Surname, Firstname", street addresses, full dates
in a birth-date column, long free text).  A flag is a reason to look, not a verdict:
the user decides; flagged columns are suggested for dropping in the mapping.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import InputError
from .._checks import require_columns, require_frame
from .dates import parse_dates

__all__ = [
    "flag_identifiers", "drop_columns", "drop_raw_dates", "age_from_birth_date",
]

_HEADER_RULES: tuple[tuple[str, str], ...] = (
    (r"\b(e ?mail|mail)\b", "e-mail address"),
    (r"\b(phone|telephone|tel|mobile|handy|telefon|fax)\b", "phone number"),
    (r"\b(address|adresse|street|strasse|straße|city|town|zip|postcode|post code|plz|wohnort)\b", "address"),
    (r"\b(dob|birth ?date|date of birth|birthday|geburtsdatum|geb datum|born)\b", "full birth date"),
    (r"\b(mrn|medical record|record number|hospital number|hosp no|chart|case number|fallnummer|"
     r"patientennummer|nhs|ssn|social security|insurance|versicherung|kis|pid number|pat nr kis)\b",
     "hospital record number"),
    (r"\b(name|surname|first ?name|last ?name|given name|family name|vorname|nachname|initials)\b",
     "person's name"),
    (r"\b(comment|comments|note|notes|remark|remarks|bemerkung|kommentar|free text|freitext)\b",
     "free text (may contain names or details)"),
)
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+\.[\w.-]+$")
_PHONE = re.compile(r"^\+?[\d ()/-]{7,}$")
_NAME = re.compile(r"^[A-ZÄÖÜ][a-zäöüéèß'-]+,? [A-ZÄÖÜ][a-zäöüéèß'-]+$")
_STREET = re.compile(r"\d+\s*\w*\s+(street|st\.?|road|rd\.?|avenue|ave\.?|lane|weg|allee|platz)\b|"
                     r"\w+(straße|strasse|str\.)\s*\d+", re.IGNORECASE)
_LONG_DIGITS = re.compile(r"^\d{7,}$")
_NAME_FIRST = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÜ")
# a cheap necessary condition of each value pattern (a value failing it cannot match): a character
# the pattern needs, or the first character it accepts (str.isdigit() holds for every character
# \d matches, and for a few more)
_CAN_MATCH = {
    _EMAIL: lambda v: "@" in v,
    _NAME: lambda v: v[:1] in _NAME_FIRST and " " in v,
    _PHONE: lambda v: v[:1] in ("+", "(", ")", "/", "-", " ") or v[:1].isdigit(),
    _LONG_DIGITS: lambda v: v[:1].isdigit(),
    # "12 Main Street" needs a whitespace (\s is str.isspace), "Hauptstr.5" an "str" in any case
    # (re's IGNORECASE also lets the long s "ſ" stand for s)
    _STREET: lambda v: len(v.split(maxsplit=1)) > 1 or "str" in v.lower().replace("ſ", "s"),
}


def _arrow_texts(index: pd.Index):
    """The distinct values as an Arrow string array (None if they are not all text)."""
    import pyarrow as pa

    try:
        return pa.array(index.array, type=pa.large_string()) if pd.api.types.is_string_dtype(index) else None
    except (pa.ArrowException, TypeError, ValueError):
        return None


def _arrow_first_in(texts, chars: frozenset) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    first = pc.utf8_slice_codeunits(texts, 0, 1)
    return pc.is_in(first, value_set=pa.array(sorted(chars), type=pa.large_string())).to_numpy(zero_copy_only=False)


def _arrow_may_start_with_digit(texts) -> np.ndarray:
    """A superset of the values whose first character is a digit (str.isdigit): an ASCII digit,
    or any value that is not ASCII (Unicode digits are left to Python)."""
    import pyarrow.compute as pc

    ascii_ = pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)
    return _arrow_first_in(texts, frozenset("0123456789")) | ~ascii_


def _arrow_street(texts) -> np.ndarray:
    """A superset of ``_CAN_MATCH[_STREET]``: an ASCII whitespace (as str.isspace), 'str' in any
    case, or any value that is not ASCII (Unicode spaces and the long s left to Python)."""
    import pyarrow.compute as pc

    space = pc.match_substring_regex(texts, "[\t\n\x0b\x0c\r\x1c-\x1f ]").to_numpy(zero_copy_only=False)
    word = pc.match_substring(texts, "str", ignore_case=True).to_numpy(zero_copy_only=False)
    return space | word | ~pc.string_is_ascii(texts).to_numpy(zero_copy_only=False)


def _arrow_contains(texts, part: str) -> np.ndarray:
    import pyarrow.compute as pc

    return pc.match_substring(texts, part).to_numpy(zero_copy_only=False)


# the conditions of _CAN_MATCH on all distinct values at once (each the same set or a larger one:
# the pattern itself decides)
_ARROW_CAN_MATCH = {
    _EMAIL: lambda t: _arrow_contains(t, "@"),
    _NAME: lambda t: _arrow_first_in(t, _NAME_FIRST) & _arrow_contains(t, " "),
    _PHONE: lambda t: _arrow_first_in(t, frozenset("+()/- ")) | _arrow_may_start_with_digit(t),
    _LONG_DIGITS: _arrow_may_start_with_digit,
    _STREET: _arrow_street,
}


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9äöüß]+", " ", str(header).lower()).strip()


def flag_identifiers(data: pd.DataFrame) -> pd.DataFrame:
    """Columns that may identify a person: DataFrame [column, reason, example].

    ``example`` shows the kind of value (masked), never the value itself.
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("flag_identifiers needs a table (pandas DataFrame).")
    rows = []
    for c in data.columns:
        reason = _header_reason(str(c)) or _value_reason(data[c])
        if reason:
            rows.append((str(c), reason, _masked_example(data[c])))
    return pd.DataFrame(rows, columns=["column", "reason", "example"])


def _header_reason(header: str) -> str | None:
    h = _norm(header)
    for pattern, reason in _HEADER_RULES:
        if re.search(pattern, h):
            article = "" if reason.startswith("free") else "a "
            return f"column name suggests {article}{reason}"
    return None


def _value_reason(series: pd.Series) -> str | None:
    if pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_numeric_dtype(series):
        values = series.dropna()
        if pd.api.types.is_numeric_dtype(series) and len(values) and not pd.api.types.is_bool_dtype(series):
            as_text = values.astype(float)
            if ((as_text >= 1_000_000) & (as_text % 1 == 0)).mean() > 0.8 and values.nunique() == len(values):
                return "values look like hospital record numbers (7+ digit numbers, one per row)"
        return None
    values = series.dropna().astype(str).str.strip()
    values = values[values != ""]
    if len(values) == 0:
        return None
    # each distinct value is looked at once, weighted by how often it occurs
    counts = values.value_counts(sort=False)
    distinct, weight, n = counts.index.tolist(), counts.to_numpy(), len(values)
    arrow = _arrow_texts(counts.index)

    def share(rx) -> float:
        """Weighted share of the values matching ``rx``, tried only where ``_CAN_MATCH`` allows it
        (a column of 100 000 study ids is not searched for e-mail addresses value by value): the
        condition is checked in Arrow on all distinct values at once when it can be."""
        test = rx if callable(rx) else (lambda v: rx.search(v))
        maybe = _CAN_MATCH.get(rx)
        hit = np.zeros(len(distinct), dtype=bool)
        if maybe is None:
            tried = range(len(distinct))
        elif arrow is not None and rx in _ARROW_CAN_MATCH:
            tried = np.flatnonzero(_ARROW_CAN_MATCH[rx](arrow))
        else:
            tried = (i for i, v in enumerate(distinct) if maybe(v))
        for i in tried:
            hit[i] = bool(test(distinct[i]))
        return float(weight[hit].sum() / n)

    if share(_EMAIL) > 0.3:
        return "values look like e-mail addresses"
    if share(_STREET) > 0.3:
        return "values look like street addresses"
    if share(_NAME) > 0.5 and values.nunique() > 0.8 * len(values):
        return "values look like people's names"
    if share(_PHONE) > 0.5 and share(lambda v: sum(ch.isdigit() for ch in v) >= 9) > 0.5:
        return "values look like phone numbers"
    if share(_LONG_DIGITS) > 0.8 and values.nunique() == len(values):
        return "values look like hospital record numbers (7+ digit numbers, one per row)"
    if values.str.len().mean() > 40 and values.nunique() > 0.5 * len(values):
        return "long free text (may contain names or details)"
    return None


def _masked_example(series: pd.Series) -> str:
    values = series.dropna()
    if len(values) == 0:
        return ""
    first = values.iloc[0]
    v = str(int(first)) if isinstance(first, float) and first.is_integer() else str(first)
    masked = re.sub(r"[A-Za-zÄÖÜäöüß]", "x", v)
    masked = re.sub(r"\d", "9", masked)
    return masked[:30] + ("…" if len(masked) > 30 else "")


def drop_columns(data: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy of ``data`` without ``columns`` (names not present are ignored)."""
    if not isinstance(data, pd.DataFrame):
        raise InputError("drop_columns needs a table (pandas DataFrame).")
    cols = [c for c in columns if c in data.columns]
    return data.drop(columns=cols)


def drop_raw_dates(data: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``data`` without its date columns (once times have been derived from them)."""
    if not isinstance(data, pd.DataFrame):
        raise InputError("drop_raw_dates needs a table (pandas DataFrame).")
    cols = [c for c in data.columns if pd.api.types.is_datetime64_any_dtype(data[c])]
    return data.drop(columns=cols)


def age_from_birth_date(data: pd.DataFrame, birth_column: str, at_column: str, *,
                        date_order: str | None = None) -> pd.Series:
    """Age in whole years at the date in ``at_column`` (e.g. surgery), from a birth-date column.

    Lets the user keep age and drop the birth date (a direct identifier). Dates are read
    with :func:`nelm_stats.dates.parse_dates` (AmbiguousDateOrderError if the day/month order
    must be chosen). Missing where either date is missing or the birth date is later.
    """

    require_frame(data)
    require_columns(data, [birth_column, at_column])
    born = parse_dates(data[birth_column], order=date_order).values
    at = parse_dates(data[at_column], order=date_order).values
    years = at.dt.year - born.dt.year
    before_birthday = (at.dt.month < born.dt.month) | ((at.dt.month == born.dt.month) & (at.dt.day < born.dt.day))
    age = (years - before_birthday.astype("Int64")).astype("Float64")
    age = age.where(age >= 0)
    return age.astype(float).rename("age")
