"""Read a clinician's file from memory: CSV/TSV, Excel, SPSS, Stata, Parquet.

Every reader takes the file's *bytes* (as they arrive from an upload) and never
writes them to disk.  The result is the raw table, one row per spreadsheet row,
with text kept as text (values are normalised later, see :mod:`nelm_stats.normalise`)
and columns converted to numbers only where every value is a number.

An unreadable file raises :class:`~nelm_stats.errors.DataReadError` with a one-line
reason and what to do.
"""
from __future__ import annotations

import contextlib
import csv
import gc
import io
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataReadError, InputError
from .dates import distinct_texts, parse_date_value, text_series
from .vocabulary import DEFAULT_MISSING_CODES, missing_code_set

__all__ = [
    "FORMATS", "ReadResult", "detect_format", "list_sheets", "read_table", "demo_registry_export",
]


FORMATS = ("csv", "excel", "xls", "spss", "stata", "parquet")
_EXTENSIONS = {
    "csv": "csv", "txt": "csv", "tsv": "csv", "tab": "csv",
    "xlsx": "excel", "xlsm": "excel", "xls": "xls",
    "sav": "spss", "zsav": "spss", "dta": "stata",
    "parquet": "parquet", "pq": "parquet",
}
_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
_MAX_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class ReadResult:
    """A table read from a file: ``data`` plus how it was read.

    ``data``'s index label ``i`` is spreadsheet row ``i + 2`` (the header is row 1; empty
    rows are left out but do not shift the labels), which is how problems are reported.
    ``value_labels`` holds SPSS/Stata value labels {column: {code: label}} (already
    applied to ``data``, whose labelled columns are categories).
    """

    data: pd.DataFrame
    format: str
    sheet: str | None = None
    sheets: tuple[str, ...] = ()
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    value_labels: dict = field(default_factory=dict)
    header_row: int = 1
    #: per column whose numbers were written as text: (decimal mark, thousands separator or "")
    number_formats: dict = field(default_factory=dict)
    #: what the reader had to decide or repair, in words, each naming the column or row
    warnings: tuple[str, ...] = ()
    #: spreadsheet rows that are not patients (footers, a second header row): [row, text, reason]
    non_patient_rows: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["row", "text", "reason"]))

    def describe(self) -> str:
        """One line saying how the file was read (for the page)."""
        parts = [f"{len(self.data)} rows, {self.data.shape[1]} columns", f"format {self.format}"]
        if self.sheet is not None:
            parts.append(f"sheet '{self.sheet}'")
        if self.header_row != 1:
            parts.append(f"column names on row {self.header_row}")
        if self.encoding:
            parts.append(f"encoding {self.encoding}")
        if self.delimiter:
            parts.append("delimiter " + {"\t": "tab", ";": "semicolon", ",": "comma", "|": "pipe"}.get(
                self.delimiter, repr(self.delimiter)))
        if self.decimal:
            parts.append(f"decimal mark '{self.decimal}'")
        return "; ".join(parts)


def detect_format(filename: str) -> str:
    """The reader a file name calls for ("csv", "excel", "xls", "spss", "stata", "parquet")."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    fmt = _EXTENSIONS.get(ext)
    if fmt is None:
        raise DataReadError(
            f"'{filename}' is not a file type this tool reads. Save it as .csv, .xlsx, .xls, "
            ".sav (SPSS), .dta (Stata) or .parquet and upload it again."
        )
    return fmt


def _check_bytes(content) -> bytes:
    if isinstance(content, (bytearray, memoryview)):
        content = bytes(content)
    if not isinstance(content, bytes):
        raise InputError(f"The file content must be bytes; got {type(content).__name__}.")
    if len(content) == 0:
        raise DataReadError("The file is empty. Export the table again and upload the new file.")
    if len(content) > _MAX_BYTES:
        raise DataReadError("The file is larger than 200 MB. Upload only the table you need.")
    return content


def list_sheets(content: bytes, filename: str) -> list[str]:
    """The sheet names of an Excel file (one unnamed "sheet" for other formats: [])."""
    content = _check_bytes(content)
    fmt = detect_format(filename)
    if fmt not in ("excel", "xls"):
        return []
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*xlrd engine is deprecated.*")
            with pd.ExcelFile(io.BytesIO(content), engine="openpyxl" if fmt == "excel" else "xlrd") as xf:
                return [str(s) for s in xf.sheet_names]
    except Exception as err:  # noqa: BLE001 - any parser failure is an unreadable file
        raise DataReadError(
            f"'{filename}' could not be opened as an Excel workbook ({_short(err)}). "
            "Open it in Excel, save it again as .xlsx, and upload that."
        ) from err


def read_table(
    content: bytes,
    filename: str,
    *,
    sheet: str | int | None = None,
    missing_codes=DEFAULT_MISSING_CODES,
    header_row: int | None = None,
    decimal: str | None = None,
) -> ReadResult:
    """Read an uploaded file from its bytes.

    ``filename`` chooses the reader (by extension). ``sheet`` picks an Excel sheet by name
    or position (default: the first). ``missing_codes`` are the cell values that mean
    "missing" when deciding whether a column is numeric (text columns keep them as
    text so that the normalisation preview can show them). ``header_row`` (CSV and Excel)
    is the spreadsheet row holding the column names, 1 = first row; None finds it (title
    lines above the header, as some registry exports have, are skipped). ``decimal`` ("," or
    ".") is the decimal mark of numbers written as text, the other mark then separating
    thousands; None decides it per column from the values (see ``ReadResult.warnings`` for
    columns where nothing settled it).
    """
    content = _check_bytes(content)
    fmt = detect_format(filename)
    codes = _codes(missing_codes)
    if decimal not in (None, ",", "."):
        raise InputError(f"decimal must be ',' or '.' (or None to decide from the values); got {decimal!r}.")
    if header_row is not None and (not isinstance(header_row, (int, np.integer)) or header_row < 1):
        raise InputError(f"header_row is the row number of the column names (1 or more); got {header_row!r}.")
    try:
        with _cyclic_gc_paused():
            if fmt == "csv":
                result = _read_csv(content, filename, codes, header_row, decimal)
            elif fmt in ("excel", "xls"):
                result = _read_excel(content, filename, fmt, sheet, codes, header_row, decimal)
            elif fmt in ("spss", "stata"):
                result = _read_stat(content, filename, fmt, codes, decimal)
            else:
                result = _read_parquet(content, filename, codes, decimal)
    except (DataReadError, InputError):
        raise
    except Exception as err:  # noqa: BLE001 - an uploaded file is untrusted input: never a traceback
        raise DataReadError(
            f"'{filename}' could not be turned into a table ({_short(err)}). Check that it has one header "
            "row and one row per patient, or save it again as .xlsx or CSV."
        ) from err
    data = result.data
    if data.shape[1] == 0 or len(data) == 0:
        raise DataReadError(
            f"'{filename}' has no data rows under its header. Check that the first row holds "
            "the column names and the patients follow below it."
        )
    return result


# ---------------------------------------------------------------- helpers


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Python's cycle collector paused while a file is parsed: a table of 100 000 rows is millions
    of new strings and lists (no cycles), which would trigger full collections again and again
    (0.2-0.4 s of the read).  Reference counting still frees everything; the collector is
    restored as it was afterwards (a caller may have paused it already)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _short(err: Exception) -> str:
    text = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
    return text[:120]


_codes = missing_code_set


def _is_missing_code(value, codes: frozenset[str]) -> bool:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA:
        return True
    return isinstance(value, str) and value.strip().lower() in codes


def _clean_headers(columns) -> list[str]:
    """Trimmed, non-empty, unique column names (duplicates get ' (2)', ' (3)' ...)."""
    out: list[str] = []
    seen: dict[str, int] = {}
    for i, c in enumerate(columns):
        name = "" if c is None or (isinstance(c, float) and np.isnan(c)) else str(c).strip()
        if name == "" or name.startswith("Unnamed: "):
            name = f"column {i + 1}"
        base = name
        k = seen.get(base, 0)
        if k:
            name = f"{base} ({k + 1})"
        seen[base] = k + 1
        out.append(name)
    return out


# ---------------------------------------------------------------- numbers written as text
# A number's decimal mark and thousands separator are decided per column from all its values:
# "2.345,5" or "12,5" settle decimal comma (so "1.090" is one thousand and ninety), "1,234.5" or
# "12.5" settle decimal point. Values such as "1.090" or "1,090" alone are ambiguous; they follow
# the file's decimal mark where other columns settle it, else the column is flagged.
_NUM_START = frozenset("+-0123456789.,")
_NUM_PLAIN = re.compile(r"^[+-]?\d+$")
_NUM_GROUPED_DOT_DEC_COMMA = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+,\d+$")
_NUM_GROUPED_COMMA_DEC_DOT = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$")
_NUM_GROUPED_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3}){2,}$")
_NUM_GROUPED_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3}){2,}$")
_NUM_AMBIGUOUS = re.compile(r"^[+-]?[1-9]\d{0,2}[.,]\d{3}$")
_NUM_DEC_COMMA = re.compile(r"^[+-]?(\d+,\d+|,\d+)$")
_NUM_DEC_DOT = re.compile(r"^[+-]?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?$|^[+-]?\d+[eE][+-]?\d+$")


def _number_evidence(v: str) -> str | None:
    """What one text says about the number format: "int", "comma" (decimal comma), "dot"
    (decimal point), "ambiguous" (1.090 / 1,090), or None (not a number)."""
    if not v or v[0] not in _NUM_START:  # most texts (ids, words) fail here, cheaply
        return None
    if _NUM_PLAIN.match(v):
        return "int"
    if _NUM_AMBIGUOUS.match(v):
        return "ambiguous"
    if _NUM_GROUPED_DOT_DEC_COMMA.match(v) or _NUM_GROUPED_DOT.match(v) or _NUM_DEC_COMMA.match(v):
        return "comma"
    if _NUM_GROUPED_COMMA_DEC_DOT.match(v) or _NUM_GROUPED_COMMA.match(v) or _NUM_DEC_DOT.match(v):
        return "dot"
    return None


def _to_number(v: str, decimal: str) -> float | None:
    """A number text under a decided decimal mark (the other mark groups thousands); None if the
    text is no number written that way."""
    ev = _number_evidence(v)
    if ev is None or ev not in ("int", "ambiguous", "comma" if decimal == "," else "dot"):
        return None
    group = "." if decimal == "," else ","
    if group in v:
        sign = v[0] if v[0] in "+-" else ""
        body = v[len(sign):]
        whole = body.split(decimal)[0]
        if not re.fullmatch(r"\d{1,3}(" + re.escape(group) + r"\d{3})+", whole):
            return None
        v = sign + body.replace(group, "")
    return float(v.replace(",", ".")) if decimal == "," else float(v)


def _column_evidence(texts) -> set[str]:
    return {e for e in (_number_evidence(v) for v in texts) if e is not None}


def _decide_decimal(evidence: set[str], file_decimal: str | None) -> tuple[str | None, str]:
    """(decimal mark, how it was decided) for one column's number evidence."""
    if "comma" in evidence and "dot" in evidence:
        return None, "conflicting"
    if "comma" in evidence:
        return ",", "values"
    if "dot" in evidence:
        return ".", "values"
    if "ambiguous" in evidence:
        return (file_decimal, "file") if file_decimal else (None, "ambiguous")
    return ".", "integers"


def _text_cells(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _text_codes(s: pd.Series) -> tuple[np.ndarray, list] | None:
    """(codes, distinct texts) of a column of text cells only (and missing cells, code -1), in
    order of first appearance; None for other columns (numbers or dates among the texts)."""
    if isinstance(s.array, pd.arrays.ArrowStringArray):  # texts in Arrow: encoded there, not cell by cell
        return _arrow_text_codes(s.array)
    return distinct_texts(s.astype(object))


def _arrow_text_codes(values) -> tuple[np.ndarray, list] | None:
    """:func:`~nelm_stats.intake.dates.distinct_texts` of an Arrow string column, by Arrow's
    dictionary encoding (the same first-appearance order; None for a column with no text)."""
    import pyarrow as pa

    array = pa.array(values)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.null_count == len(array):
        return None  # no text at all (pandas infers "empty"): as distinct_texts
    encoded = array.dictionary_encode()
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.intp)
    return codes, encoded.dictionary.to_pylist()


def _distinct_texts(s: pd.Series, codes: frozenset[str], factorized=None) -> list[str]:
    """The distinct trimmed non-missing texts of a column (numbers and dates of Excel cells left out)."""
    vals = factorized[1] if factorized is not None else pd.unique(s[s.notna()].astype(object))
    out = []
    for v in vals:
        if isinstance(v, str):
            t = v.strip()
            if t and t.lower() not in codes:
                out.append(t)
    return out


def _finish(data: pd.DataFrame, codes: frozenset[str], decimal: str | None = None,
            default_decimal: str = ".") -> tuple[pd.DataFrame, dict, list[str]]:
    """Drop empty rows/columns, trim text, make columns numeric where every value is.

    ``decimal``: the decimal mark chosen by the user for the whole file (None: decided per
    column from its values, see _decide_decimal). Returns (data, number_formats, warnings).
    """
    data = data.copy()
    data.columns = _clean_headers(data.columns)
    factorized = {c: _text_codes(data[c]) for c in data.columns if _text_cells(data[c])}
    texts = {c: _distinct_texts(data[c], codes, f) for c, f in factorized.items()}
    evidence = {c: _column_evidence(t) for c, t in texts.items()}
    file_decimal = decimal
    if file_decimal is None:
        votes = set().union(*evidence.values()) if evidence else set()
        if "comma" in votes and "dot" not in votes:
            file_decimal = ","
        elif "dot" in votes and "comma" not in votes:
            file_decimal = "."
    formats: dict[str, tuple[str, str]] = {}
    warnings_: list[str] = []
    for c in texts:
        ev = evidence[c]
        if decimal is not None:
            col_decimal, how = decimal, "chosen"
        else:
            col_decimal, how = _decide_decimal(ev, file_decimal)
        if how == "conflicting":
            col_decimal = default_decimal
            warnings_.append(
                f"Column '{c}' writes numbers both with a decimal comma (e.g. 12,5) and a decimal point "
                "(e.g. 12.5); values that do not fit one way are kept as text and listed as unrecognised. "
                "Check the column in the source file.")
        elif how == "ambiguous":
            col_decimal = default_decimal
            example = next(v for v in texts[c] if _number_evidence(v) == "ambiguous")
            warnings_.append(
                f"Column '{c}': numbers such as '{example}' could be read as {_to_number(example, ','):g} "
                f"or as {_to_number(example, '.'):g}, and nothing in the file settles it; read as "
                f"{_to_number(example, col_decimal):g} (decimal mark '{col_decimal}'). If that is wrong, "
                "choose how the file writes numbers.")
        elif how == "file" and "ambiguous" in ev:
            example = next(v for v in texts[c] if _number_evidence(v) == "ambiguous")
            warnings_.append(
                f"Column '{c}': '{example}' read as {_to_number(example, col_decimal):g}, because this file "
                f"writes decimals with '{col_decimal}' in its other columns.")
        if ev & {"comma", "dot", "ambiguous"}:
            formats[c] = (col_decimal, "." if col_decimal == "," else ",")
        data[c] = _text_or_number(data[c], codes, col_decimal, factorized[c])
    empty_cols = [c for c in data.columns if c.startswith("column ") and data[c].isna().all()]
    data = data.drop(columns=empty_cols)
    # drop empty rows but keep the labels: index i is spreadsheet row i + 2
    empty_rows = data.isna().all(axis=1)
    return (data.loc[~empty_rows] if empty_rows.any() else data), formats, warnings_


def _canonical_number_text(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else repr(float(x))


def _plain_text_of(v: str, decimal: str) -> str:
    """A number written with a thousands separator or a decimal comma, rewritten plainly
    ("1.090" -> "1090" where the column's decimal mark is ","); other texts unchanged."""
    if _NUM_PLAIN.match(v) or (_NUM_DEC_DOT.match(v) and decimal == "."):
        return v
    x = _to_number(v, decimal)
    return v if x is None else _canonical_number_text(x)


_UNKNOWN = object()


def _text_or_number(s: pd.Series, codes: frozenset[str], decimal: str, factorized=_UNKNOWN) -> pd.Series:
    """``factorized``: :func:`_text_codes` of ``s`` when known already."""
    if factorized is _UNKNOWN:
        factorized = _text_codes(s)
    if factorized is not None:  # text cells (and missing) only
        return _text_or_number_distinct(s, codes, decimal, *factorized)
    values = s.astype(object)
    return _text_or_number_cells(values.where(s.notna(), None), codes, decimal)


def _text_or_number_distinct(values: pd.Series, codes: frozenset[str], decimal: str, value_codes: np.ndarray,
                             uniques: list) -> pd.Series:
    """:func:`_text_or_number` for a column of text cells only: each distinct text is looked at once."""
    trimmed = [u.strip() for u in uniques]
    numbers = [None if v == "" or v.lower() in codes else _to_number(v, decimal) for v in trimmed]
    present = [i for i, v in enumerate(trimmed) if v != "" and v.lower() not in codes]
    if present and all(numbers[i] is not None for i in present):
        arr = np.array([np.nan if x is None else x for x in numbers] + [np.nan], dtype=float)
        return pd.Series(arr[value_codes], index=values.index, dtype=float)
    return text_series([None if v == "" else _plain_text_of(v, decimal) for v in trimmed], value_codes,
                       values.index)


def _text_or_number_cells(values: pd.Series, codes: frozenset[str], decimal: str) -> pd.Series:
    cleaned = []
    kinds = set()
    for v in values:
        if v is None:
            cleaned.append(None)
            continue
        if isinstance(v, str):
            v = v.strip()
            cleaned.append(v if v != "" else None)
            if v == "":
                continue
            if v.lower() in codes:
                kinds.add("missing")
            elif _to_number(v, decimal) is not None:
                kinds.add("number")
            else:
                kinds.add("text")
        elif isinstance(v, (bool, np.bool_)):
            cleaned.append(v)
            kinds.add("bool")
        elif isinstance(v, (int, float, np.integer, np.floating)):
            cleaned.append(v)
            kinds.add("number")
        elif isinstance(v, (pd.Timestamp,)) or hasattr(v, "year"):
            cleaned.append(pd.Timestamp(v))
            kinds.add("date")
        else:
            cleaned.append(str(v))
            kinds.add("text")
    kinds.discard("missing")
    if kinds and kinds <= {"date", "bool"}:
        # missing-value codes ("NA", "unknown") among date or yes/no cells are missing values
        cleaned = [None if isinstance(v, str) and v.lower() in codes else v for v in cleaned]
    if kinds == {"number"}:
        out = []
        for v in cleaned:
            if v is None or (isinstance(v, str) and v.lower() in codes):
                out.append(np.nan)
            elif isinstance(v, str):
                out.append(_to_number(v, decimal))
            else:
                out.append(float(v))
        return pd.Series(out, index=values.index, dtype=float)
    if kinds == {"date"}:
        return pd.to_datetime(pd.Series(cleaned, index=values.index, dtype=object))
    if kinds == {"bool"}:
        return pd.Series(cleaned, index=values.index, dtype="boolean")
    # mixed or text: keep as text (numbers and dates written as they look in the sheet)
    out = []
    for v in cleaned:
        if v is None:
            out.append(None)
        elif isinstance(v, pd.Timestamp):
            out.append(v.strftime("%Y-%m-%d") if v == v.normalize() else v.isoformat())
        elif isinstance(v, float) and v.is_integer():
            out.append(str(int(v)))
        elif isinstance(v, str):
            out.append(_plain_text_of(v, decimal))
        else:
            out.append(str(v))
    return pd.Series(out, index=values.index, dtype="string")


def _decode(content: bytes, filename: str) -> tuple[str, str]:
    if content[:2] in (b"\xff\xfe", b"\xfe\xff"):
        try:
            return content.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    if b"\x00" in content[:4096]:
        raise DataReadError(
            f"'{filename}' is not a text file (it looks like a binary file with a .csv name). "
            "Export the table as CSV or upload the original .xlsx/.sav/.dta file."
        )
    for enc in _ENCODINGS:
        try:
            text = content.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "utf-8-sig":
            enc = "utf-8-bom" if content.startswith(b"\xef\xbb\xbf") else "utf-8"
        return text, enc
    raise DataReadError(  # pragma: no cover - latin-1 decodes any bytes
        f"'{filename}' has characters in an unknown encoding. Save it as 'CSV UTF-8'."
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits most lines into the same number of fields (title lines tolerated)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:200]
    best, best_score = ",", (0.0, 0)
    for d in (";", "\t", ",", "|"):
        counts = [len(next(csv.reader([ln], delimiter=d))) - 1 for ln in lines]
        positive = [c for c in counts if c > 0]
        if not positive:
            continue
        mode = max(set(positive), key=positive.count)
        score = (counts.count(mode) / len(counts), mode)
        if score > best_score:
            best, best_score = d, score
    return best


# ---------------------------------------------------------------- rows that are not a table's rows
_FOOTER = re.compile(
    r"^\s*(?:(?:total|totals|sum|summe|gesamt|totaal|somme|mean|median|average|mittelwert|durchschnitt|"
    r"created|generated|exported|export date|printed|print date|erstellt|gedruckt|page\s+\d+|seite\s+\d+|"
    r"source|quelle|note|notes|footnote|legend|copyright|end of (?:report|file|table))\b|n\s*=|\(c\)|©)",
    re.IGNORECASE)


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return str(v).strip()


def _filled_cells(r) -> list[str]:
    return [t for t in (_cell_text(v) for v in r) if t]


def _footer_rows(rows: list[list], first_data: int) -> list[tuple[int, str, str]]:
    """Trailing rows that are not patients: totals, counts, 'created with ...' lines.

    Returns [(position in rows, text, reason)], last rows only (a block at the end of the table,
    blank rows between them allowed)."""
    out = []
    i = len(rows) - 1
    while i >= first_data:
        cells = _filled_cells(rows[i])
        if not cells:
            i -= 1
            continue
        text = " | ".join(cells)[:120]
        if _FOOTER.match(cells[0]):
            out.append((i, text, "a total, count or note below the table, not a patient"))
        elif len(cells) == 1 and len(cells[0]) >= 15 and " " in cells[0] and not _number_evidence(cells[0]):
            out.append((i, text, "a line of text below the table, not a patient"))
        else:
            break
        i -= 1
    return sorted(out)


def _looks_like_value(t: str) -> bool:
    if _number_evidence(t) is not None:
        return True
    try:
        return parse_date_value(t)[0] is not None
    except Exception:  # noqa: BLE001 - an ambiguous date is a value too
        return True


def _second_header(rows: list[list], h: int, codes: frozenset[str] = frozenset({""})) -> bool:
    """True when the row under the header continues it (units, or the lower half of merged
    headers): text where the column's other values are numbers or dates."""
    if h + 2 >= len(rows):
        return False
    cand = rows[h + 1]
    below = rows[h + 2:h + 52]
    hits = numeric_cols = 0
    for j in range(len(cand)):
        raw_vals = [r[j] for r in below if j < len(r) and _cell_text(r[j]).lower() not in codes]
        vals = [_cell_text(v) for v in raw_vals]
        if len(vals) < 2:
            continue
        native = sum(isinstance(v, (int, float, np.integer, np.floating, pd.Timestamp)) or hasattr(v, "year")
                     for v in raw_vals)
        share = (native + sum(_looks_like_value(v) for v, rv in zip(vals, raw_vals) if isinstance(rv, str))) / len(vals)
        if share < 0.8:
            continue
        numeric_cols += 1
        c = cand[j] if j < len(cand) else ""
        ct = _cell_text(c)
        if ct and ct.lower() not in codes and isinstance(c, str) and not _looks_like_value(ct):
            hits += 1
    return hits >= 2 and hits >= 0.5 * numeric_cols


def _merge_header(top: list, sub: list) -> list[str]:
    """Names of a two-row header: the upper cell (carried over merged cells) + the lower one."""
    out, last = [], ""
    for j in range(max(len(top), len(sub))):
        t = _cell_text(top[j]) if j < len(top) else ""
        s = _cell_text(sub[j]) if j < len(sub) else ""
        if t:
            last = t
        elif s:
            t = last
        out.append(f"{t} {s}".strip() if s else t)
    return out


def _table_shape_check(rows: list[list], filename: str, sample: int = 500) -> None:
    """Refuse text that is not a table (a letter, a report) with the reason (judged on the first
    ``sample`` lines: a letter is short, and a table shows what it is in its first rows)."""
    filled = [r for r in rows[:sample] if _filled_cells(r)]
    if not filled:
        raise DataReadError("The file is empty. Export the table again and upload the new file.")
    counts = [len(r) for r in filled]
    mode = max(set(counts), key=counts.count)
    if mode < 2:
        raise DataReadError(
            f"'{filename}' is not a table: its lines are not split into columns (no commas, semicolons or tabs "
            "between values). It looks like running text, e.g. a letter or a report. Upload the spreadsheet "
            "with one row per patient and one column per variable.")
    cells = [t for r in filled for t in _filled_cells(r)]
    prose = sum(len(t.split()) >= 4 for t in cells) / max(len(cells), 1)
    share_mode = counts.count(mode) / len(counts)
    # ragged rows alone are no reason (some exports drop trailing empty cells), nor is a column of
    # comments; lines of different lengths made of sentences are
    if prose > 0.6 or (prose > 0.2 and share_mode < 0.8):
        raise DataReadError(
            f"'{filename}' does not look like a table: {prose:.0%} of its cells are sentences"
            + (f" and only {share_mode:.0%} of its lines have the same number of columns" if share_mode < 0.8 else "")
            + ". It looks like running text (a letter, a report). Upload the spreadsheet with one row per "
              "patient and one column per variable.")


_CSV_FIELD_LIMIT = csv.field_size_limit()  # Python's reader refuses longer cells: so does the Arrow path


class _ArrowRows:
    """The rows of a plain CSV table read by Arrow (:func:`_arrow_rows`): single rows are lists of
    texts, as Python's csv reader gives them, for the checks of the header and the last rows; the
    columns stay Arrow string arrays, so the table is built without a Python string per cell."""

    def __init__(self, table):
        self.columns = [c.combine_chunks() for c in table.columns]
        self.width = len(self.columns)
        self._n = table.num_rows

    def __len__(self) -> int:
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return [c[i].as_py() for c in self.columns]

    def frame(self, start: int) -> pd.DataFrame:
        """Rows ``start`` onwards as a table of Arrow-backed text columns (named 0..width-1)."""
        return pd.DataFrame({j: pd.arrays.ArrowStringArray(c.slice(start)) for j, c in enumerate(self.columns)},
                            copy=False)


def _arrow_rows(text: str, delimiter: str) -> _ArrowRows | None:
    """The rows of ``text`` read by Arrow's CSV parser when reading it is plain: no quotation mark
    (so no quoting rule can differ from Python's csv reader), no NUL character, no line longer
    than the longest cell Python's reader takes, and every line with the same number of fields
    (an empty line is a row of empty cells, as the reader's empty row padded).  None otherwise:
    Python's csv reader reads it (and explains a stray quotation mark).  100 000 rows: 0.6 s ->
    0.1 s."""
    if '"' in text or "\x00" in text:
        return None
    first = text.split("\n", 1)[0].split("\r", 1)[0]
    width = first.count(delimiter) + 1
    if width < 2:
        return None
    if max(map(len, text.splitlines()), default=0) > _CSV_FIELD_LIMIT:
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        table = pacsv.read_csv(
            pa.py_buffer(text.encode("utf-8")),
            read_options=pacsv.ReadOptions(autogenerate_column_names=True, block_size=1 << 24),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, escape_char=False,
                                             newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={f"f{j}": pa.string() for j in range(width)},
                                                 null_values=[], strings_can_be_null=False,
                                                 quoted_strings_can_be_null=False, check_utf8=True))
    except (pa.ArrowException, UnicodeError, ValueError):  # ragged lines and the like: Python reads them
        return None
    if table.num_columns != width:
        return None
    return _ArrowRows(table)


def _csv_rows(text: str, delimiter: str) -> tuple[list[list[str]], list[str]]:
    """Rows of a CSV text; a quotation mark that opens and never closes (which would swallow the
    following lines into one cell) is found, said where, and its line read without quoting."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    if len(rows) >= len(text.splitlines()):
        return rows, []  # one record per line: no cell spans lines, so no quote swallowed any
    width = max((len(r) for r in rows), default=0)

    def swallowed(cell: str) -> bool:
        if "\n" not in cell and "\r" not in cell:
            return False
        lines = cell.splitlines()
        return sum(len(ln.split(delimiter)) >= max(2, width // 2) for ln in lines) >= 1 and len(lines) >= 2

    if not any(swallowed(c) for r in rows for c in r):
        return rows, []
    notes, out = [], []
    header_width = len(rows[0]) if rows else width
    for n, line in enumerate(text.splitlines(), start=1):
        if line.count('"') % 2 == 1:
            cells = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE))
            # the cell the stray quote opened held the delimiters that split it: join them back
            k = next((j for j, c in enumerate(cells) if c.lstrip().startswith('"')), None)
            extra = len(cells) - header_width
            if k is not None and extra > 0:
                cells = cells[:k] + [delimiter.join(cells[k:k + extra + 1])] + cells[k + extra + 1:]
            out.append([c.strip().strip('"').strip() for c in cells])
            notes.append(f"Row {n}: a quotation mark (\") opens a cell and never closes, which would have merged "
                         "the following rows into one cell. The row was read without it; check that row in "
                         "your file.")
        else:
            out.append(next(csv.reader([line], delimiter=delimiter), []))
    return out, notes


def _split_header(rows: list[list], header_row: int | None, filename: str, codes: frozenset[str] = frozenset({""})):
    """Rows of cells -> (table with the header row's names, header row number 1-based, rows set
    apart as not patients [row, text, reason]: a second header row, footers).

    Index labels keep the spreadsheet position: label ``i`` is spreadsheet row ``i + 2``.
    """
    if not rows:
        raise DataReadError("The file is empty. Export the table again and upload the new file.")
    if isinstance(rows, _ArrowRows):  # every row has the table's width already
        width = rows.width
    else:
        width = max(len(r) for r in rows)
        rows = [r if len(r) == width and isinstance(r, list) else list(r) + [""] * (width - len(r)) for r in rows]

    def filled(r):
        return sum(1 for v in r if not (v is None or (isinstance(v, str) and v.strip() == "")
                                        or (isinstance(v, float) and np.isnan(v))))

    if header_row is None:
        counts = [filled(r) for r in rows[:30]]
        most = max(counts) if counts else 0
        h = 0
        if most >= 2:
            h = next(i for i, c in enumerate(counts) if c >= max(2, 0.6 * most))
            h = h if h < 20 else 0
    else:
        h = header_row - 1
        if h >= len(rows):
            raise DataReadError(f"'{filename}' has fewer than {header_row} rows: choose the row that holds "
                                "the column names.")
    header = list(rows[h])
    skipped: list[tuple[int, str, str]] = []
    first = h + 1
    if header_row is None and _second_header(rows, h, codes):
        skipped.append((h + 1, " | ".join(_filled_cells(rows[h + 1]))[:120],
                        "second row of the column names (units or merged headers), not a patient"))
        header = _merge_header(rows[h], rows[h + 1])
        first = h + 2
    skipped += _footer_rows(rows, first)
    drop = {i for i, _, _ in skipped}
    if isinstance(rows, _ArrowRows):
        frame = rows.frame(h + 1)
    else:
        frame = pd.DataFrame(rows[h + 1:], columns=range(width), dtype=object)
    frame.columns = header
    frame.index = range(h, h + len(frame))  # label i = spreadsheet row i + 2
    if drop:
        frame = frame.loc[[i + 1 not in drop for i in frame.index]]
    non_patients = pd.DataFrame([(i + 1, t, r) for i, t, r in skipped], columns=["row", "text", "reason"])
    return frame, h + 1, non_patients


def _read_csv(content: bytes, filename: str, codes, header_row=None, decimal=None) -> ReadResult:
    text, enc = _decode(content, filename)
    if not text.strip():
        raise DataReadError("The file is empty. Export the table again and upload the new file.")
    delimiter = _sniff_delimiter(text)
    try:
        plain = _arrow_rows(text, delimiter)
        rows, quote_notes = (plain, []) if plain is not None else _csv_rows(text, delimiter)
    except csv.Error as err:
        raise DataReadError(
            f"'{filename}' could not be read as a table ({_short(err)}). Save the sheet again as CSV "
            "from Excel and upload that."
        ) from err
    _table_shape_check(rows, filename)
    frame, h, non_patients = _split_header(rows, header_row, filename, codes)
    # a semicolon list separator is what Excel writes where the decimal mark is a comma
    data, formats, notes = _finish(frame, codes, decimal, default_decimal="," if delimiter == ";" else ".")
    decimals = {d for d, _ in formats.values()}
    file_decimal = decimal or (decimals.pop() if len(decimals) == 1 else ("." if not decimals else None))
    return ReadResult(data, "csv", encoding=enc, delimiter=delimiter, decimal=file_decimal, header_row=h,
                      number_formats=formats, warnings=tuple(quote_notes + notes), non_patient_rows=non_patients)


def _read_excel(content: bytes, filename: str, fmt: str, sheet, codes, header_row=None, decimal=None) -> ReadResult:
    sheets = list_sheets(content, filename)
    if sheet is None:
        sheet = sheets[0] if sheets else 0
    if isinstance(sheet, int):
        if not 0 <= sheet < len(sheets):
            raise DataReadError(f"'{filename}' has no sheet number {sheet + 1}.")
        sheet = sheets[sheet]
    if sheet not in sheets:
        raise DataReadError(
            f"'{filename}' has no sheet '{sheet}' (its sheets: {', '.join(sheets)})."
        )
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*xlrd engine is deprecated.*")
            frame = pd.read_excel(
                io.BytesIO(content), sheet_name=sheet, engine="openpyxl" if fmt == "excel" else "xlrd",
                dtype=object, na_filter=False, header=None,
            )
    except Exception as err:  # noqa: BLE001
        raise DataReadError(
            f"Sheet '{sheet}' of '{filename}' could not be read ({_short(err)}). "
            "Save the workbook again as .xlsx and upload it."
        ) from err
    frame, h, non_patients = _split_header(frame.to_numpy().tolist(), header_row, filename, codes)
    data, formats, notes = _finish(frame, codes, decimal)
    return ReadResult(data, "excel" if fmt == "excel" else "xls", sheet=sheet, sheets=tuple(sheets),
                      header_row=h, number_formats=formats, warnings=tuple(notes), non_patient_rows=non_patients)


def _read_stat(content: bytes, filename: str, fmt: str, codes=frozenset({""}), decimal=None) -> ReadResult:
    import pyreadstat  # pyreadstat >= 1.2 reads file-like objects (no temporary file)

    reader = pyreadstat.read_sav if fmt == "spss" else pyreadstat.read_dta
    what = "SPSS" if fmt == "spss" else "Stata"
    try:
        frame, meta = reader(io.BytesIO(content), apply_value_formats=True, formats_as_category=True)
    except Exception as err:  # noqa: BLE001
        raise DataReadError(
            f"'{filename}' could not be read as a {what} file ({_short(err)}). Save it again from "
            f"{what}, or export it as CSV."
        ) from err
    labels = {str(k): dict(v) for k, v in (meta.variable_to_label and {
        col: meta.value_labels.get(lab, {}) for col, lab in meta.variable_to_label.items()
    } or {}).items()}
    frame = frame.copy()
    for c in frame.columns:
        s = frame[c]
        if isinstance(s.dtype, pd.CategoricalDtype):
            frame[c] = s.astype(object).where(s.notna(), None).map(
                lambda v: None if v is None else str(v)).astype("string")
    data, formats, notes = _finish(frame, codes, decimal)
    return ReadResult(data, fmt, value_labels=labels, number_formats=formats, warnings=tuple(notes))


def _read_parquet(content: bytes, filename: str, codes=frozenset({""}), decimal=None) -> ReadResult:
    try:
        frame = pd.read_parquet(io.BytesIO(content))
    except Exception as err:  # noqa: BLE001
        raise DataReadError(
            f"'{filename}' could not be read as a Parquet file ({_short(err)}). "
            "Export it again, or upload a CSV/Excel version."
        ) from err
    frame = frame.reset_index(drop=True)
    data, formats, notes = _finish(frame, codes, decimal)
    return ReadResult(data, "parquet", number_formats=formats, warnings=tuple(notes))



def demo_registry_export(data: pd.DataFrame) -> bytes:
    """A canonical cohort written the way a European registry export often looks (for trying the importer).

    Semicolon-separated, decimal comma, dd.mm.yyyy dates, ja/nein flags, abbreviated headers,
    UTF-8 with BOM. Returns the file's bytes (nothing is written to disk).
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("demo_registry_export needs a table (pandas DataFrame).")
    headers = {
        "patient_id": "Pat-ID", "age": "Age (y)", "sex": "Sex", "primary_site": "Primary", "grade": "Grading",
        "ki67": "Ki-67 (%)", "icg": "ICG", "margin_status": "R-status", "margin_mm": "Margin (mm)",
        "clavien_dindo": "Clavien-Dindo", "surgery_date": "OP date", "recurrence": "Rec",
        "recurrence_date": "Rec date", "death": "Dead", "death_date": "Date of death",
        "last_follow_up_date": "Last f/u",
    }
    cols = [c for c in headers if c in data.columns]
    out = pd.DataFrame(index=data.index)
    for c in cols:
        s = data[c]
        if pd.api.types.is_datetime64_any_dtype(s) or c.endswith("_date"):
            d = pd.to_datetime(s)
            out[headers[c]] = [x.strftime("%d.%m.%Y") if not pd.isna(x) else "" for x in d]
        elif pd.api.types.is_bool_dtype(s) or c in ("icg", "recurrence", "death"):
            out[headers[c]] = ["" if pd.isna(v) else ("ja" if bool(v) else "nein") for v in s]
        elif pd.api.types.is_float_dtype(s):
            out[headers[c]] = ["" if pd.isna(v) else f"{v:g}".replace(".", ",") for v in s]
        else:
            out[headers[c]] = ["NA" if pd.isna(v) else str(v) for v in s]
    text = out.to_csv(sep=";", index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")
