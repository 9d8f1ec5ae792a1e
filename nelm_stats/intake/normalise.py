"""Value rules: turn the codes clinicians type into the canonical values of the schema.

yes/no, y/n, 1/0, true/false, ja/nein -> True/False; "R1 (<1mm)" -> R1; "grade 2" -> G2;
"III a" -> IIIa; "w"/"F" -> female ... Each rule knows exactly which spellings it accepts;
anything else is *listed* as unrecognised (and becomes missing), never guessed.
Missing-value codes (empty, NA, N/A, ".", "-", "unknown", "not done" by default) become
missing, except where the code is itself a category (primary site "unknown").
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import schema
from .dates import distinct_texts, distinct_values, parse_dates
from .._checks import require_frame
from ..errors import InputError
from .read import DEFAULT_MISSING_CODES

__all__ = [
    "ColumnRule", "NormalisedCohort", "bool_value", "margin_value", "is_nec", "grade_value", "clavien_value",
    "category_value", "number_value", "ki67_value", "id_value", "normalise_column", "normalise_extra",
    "normalise_values",
]

_TRUE = schema.YES_VALUES  # the package's one yes/no vocabulary
_FALSE = schema.NO_VALUES
# extra spellings for particular columns
_BOOL_EXTRA = {
    "death": ({"dead", "deceased", "died", "verstorben", "tot"}, {"alive", "living", "lebt", "lebend"}),
    "os_event": ({"dead", "deceased", "died", "verstorben", "tot"}, {"alive", "living", "lebt", "lebend"}),
    "recurrence": ({"recurrence", "recurred", "relapse", "rezidiv"},
                   {"no recurrence", "recurrence-free", "disease-free", "ned", "kein rezidiv"}),
    "rfs_event": ({"recurrence", "relapse", "event", "dead"}, {"censored", "no event"}),
    "synchronous": ({"synchronous", "synchron"}, {"metachronous", "metachron"}),
    "bilobar": ({"bilobar", "bilateral"}, {"unilobar", "unilateral"}),
    "cystic": ({"cystic"}, {"solid"}),
    "major_hepatectomy": ({"major"}, {"minor"}),
    "icg": ({"icg", "fluorescence"}, {"no icg", "without icg"}),
    "neuroendocrine_carcinoma": ({"nec", "carcinoma", "poorly differentiated", "poor", "nec g3"},
                                 {"net", "well differentiated", "well", "net g1", "net g2", "net g3"}),
}
#: a lone minus in a yes/no column that also holds "+" means "no", not "missing"
_MINUS = {"-", "\u2212", "\u2013"}
_NEC = re.compile(r"^(nec|lcnec|scnec|manec|neuroendocrine carcinoma|poorly differentiated( nec| net| nen)?|"
                  r"(small|large)[ -]cell (neuroendocrine )?carcinoma|g3 nec|nec g3|nec \(g3\)|g3 \(nec\))$")

_SEX = {
    "female": {"f", "female", "w", "woman", "women", "weiblich", "frau", "femme", "fem", "girl"},
    "male": {"m", "male", "man", "men", "männlich", "maennlich", "mann", "homme", "masc", "boy"},
}
_SITE = {
    "pancreas": {"pancreas", "pancreatic", "pnet", "pannet", "pan-net", "pancreatic net", "pankreas"},
    "small_bowel": {"small_bowel", "small bowel", "small intestine", "small-bowel", "si", "sinet",
                    "si-net", "ileum", "ileal", "jejunum", "jejunal", "duodenum", "duodenal", "dünndarm"},
    "other": {"other", "others", "rectum", "rectal", "lung", "bronchial", "stomach", "gastric",
              "colon", "appendix", "caecum", "cecum", "ovary", "sonstige", "andere"},
    "unknown": {"unknown", "cup", "unknown primary", "occult", "unbekannt", "not known"},
}
_APPROACH = {
    "open": {"open", "laparotomy", "offen", "conventional"},
    "laparoscopic": {"laparoscopic", "laparoscopy", "lap", "lap.", "lls", "llr", "laparoskopisch",
                     "minimally invasive laparoscopic"},
    "robotic": {"robotic", "robot", "robotic-assisted", "robot-assisted", "da vinci", "davinci",
                "robotisch"},
}
_REC_SITE = {
    "intrahepatic": {"intrahepatic", "intra-hepatic", "liver", "hepatic", "liver only", "intrahepatisch",
                     "leber"},
    "extrahepatic": {"extrahepatic", "extra-hepatic", "extrahepatic only", "distant", "extrahepatisch"},
    "both": {"both", "intra- and extrahepatic", "intra and extrahepatic", "liver and extrahepatic",
             "intrahepatic and extrahepatic", "intrahepatic + extrahepatic", "beides"},
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}


@dataclass(frozen=True)
class ColumnRule:
    """The outcome of one rule on one column."""

    values: pd.Series  # normalised (canonical dtype not yet applied)
    preview: pd.DataFrame  # [original, value, n]
    unrecognised: pd.DataFrame  # [value, n, rows]


@dataclass(frozen=True)
class NormalisedCohort:
    """A mapped table with canonical values and dtypes, and what happened to its values.

    ``preview``: [column, original, value, n] one row per distinct original spelling;
    ``unrecognised``: [column, value, n, rows] values no rule knows (now missing),
    rows = spreadsheet rows (header = 1) as text;
    ``unparsed_dates``: [column, row, value, reason].
    """

    data: pd.DataFrame
    preview: pd.DataFrame
    unrecognised: pd.DataFrame
    unparsed_dates: pd.DataFrame


def _key(value) -> str:
    text = str(value).strip().lower()
    text = re.sub(r"\s+", " ", text)
    if re.fullmatch(r"[+-]?\d+\.0+", text):
        text = text.split(".")[0]
    return text


def _codes(missing_codes) -> frozenset[str]:
    if missing_codes is None:
        return frozenset({""})
    if isinstance(missing_codes, str):
        missing_codes = [missing_codes]
    return frozenset(_key(c) for c in missing_codes) | {""}


# ------------------------------------------------------------------ single-value rules

def bool_value(value, column: str | None = None):
    """True/False for a yes/no spelling, None when not recognised."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    k = _key(value)
    extra_true, extra_false = _BOOL_EXTRA.get(column or "", (set(), set()))
    if k in _TRUE or k in extra_true:
        return True
    if k in _FALSE or k in extra_false:
        return False
    return None


def margin_value(value):
    """R0/R1/R2 from "R0", "0", "clear", "negative", "R1 (<1mm)", "R 2" ...; None otherwise."""
    k = _key(value)
    m = re.match(r"^r\s*-?\s*([012])(?![0-9])", k)
    if m:
        return f"R{m.group(1)}"
    if k in {"0", "1", "2"}:
        return f"R{k}"
    if k in {"clear", "negative", "neg", "free", "tumor-free", "tumour-free", "complete", "r-zero",
             "margin negative", "uninvolved", "tumorfrei"}:
        return "R0"
    if k in {"positive", "pos", "involved", "microscopic", "microscopically positive",
             "margin positive"}:
        return "R1"
    if k in {"macroscopic", "gross", "macroscopically positive", "gross residual", "incomplete"}:
        return "R2"
    return None


def _grade_text(value) -> str:
    """A grade spelling without its decorations: "NET G2" -> "g2", "G2 (Ki-67 8 %)" -> "g2"."""
    k = _key(value)
    k = re.sub(r"\s*[(\[].*?[)\]]\s*", " ", k).strip()  # "(Ki-67 8 %)"
    k = re.sub(r"[,;].*$", "", k).strip()  # "G2, Ki-67 8 %"
    k = re.sub(r"^(pan-?|si-?|p|gep-?)?(net|nen|neuroendocrine tumou?r)\s*[-:,]?\s*", "", k)
    return k


def is_nec(value) -> bool:
    """True for a neuroendocrine carcinoma (NEC, poorly differentiated; WHO grade G3 carcinoma)."""
    k = _key(value)
    return bool(_NEC.match(k) or _NEC.match(re.sub(r"\s*[(\[].*?[)\]]\s*", " ", k).strip()))


def grade_value(value):
    """G1/G2/G3 from "G2", "2", "grade 2", "Grade II", "WHO grade 2", "NET G2", "G2 (Ki-67 8 %)",
    "intermediate"; "NEC" (neuroendocrine carcinoma) is G3 (see :func:`is_nec`: kept apart in
    the column neuroendocrine_carcinoma); None otherwise."""
    if is_nec(value):
        return "G3"
    k = _grade_text(value)
    for _ in range(2):  # "Grading: G2" -> "g2" -> "2"
        k = re.sub(r"^(who\s*)?(grade|grading|g)\s*[-:]?\s*", "", k)
    if k in {"1", "2", "3"}:
        return f"G{k}"
    if k in {"i", "ii", "iii"}:
        return f"G{_ROMAN[k]}"
    if k in {"low", "low grade", "well differentiated"}:
        return "G1"
    if k in {"intermediate", "intermediate grade", "moderate"}:
        return "G2"
    if k in {"high", "high grade"}:
        return "G3"
    return None


def clavien_value(value):
    """Clavien–Dindo grade from "3a", "IIIa", "III a", "grade IVb", "none" ...; None otherwise.

    "III" or "IV" without a/b is not recognised (the sub-grade matters).
    """
    k = _key(value)
    k = re.sub(r"^(clavien(-|\s)?(dindo)?|cd|grade)\s*", "", k).replace(" ", "").replace("-", "")
    if k in {"0", "none", "nocomplication", "nocomplications", "no"}:
        return "0"
    m = re.fullmatch(r"(i{1,3}|iv|v|[1-5])([ab])?", k)
    if not m:
        return None
    n = _ROMAN.get(m.group(1)) or int(m.group(1))
    sub = m.group(2) or ""
    roman = {1: "I", 2: "II", 3: "III", 4: "IV", 5: "V"}[n]
    if n in (3, 4):
        return f"{roman}{sub}" if sub else None
    return roman if not sub else None


def category_value(value, column: str):
    """Canonical category of sex, primary_site, approach or recurrence_site; None otherwise."""
    k = _key(value)
    table = {"sex": _SEX, "primary_site": _SITE, "approach": _APPROACH, "recurrence_site": _REC_SITE}.get(column)
    if table is None:
        col = schema.COLUMNS_BY_NAME.get(column) or schema.LESION_COLUMNS_BY_NAME.get(column)
        cats = col.categories if col else ()
        for c in cats:
            if k == c.lower():
                return c
        return None
    for canonical, spellings in table.items():
        if k in spellings or k == canonical:
            return canonical
    return None


def number_value(value):
    """A number from 12.5, "12,5", "15 %", "15%"; None otherwise ("<1" is not a number)."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return None if np.isnan(value) else float(value)
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    text = re.sub(r"%$", "", text)
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


_BOUND = re.compile(r"^([<>≤≥]|<=|>=)\s*(\d+(?:[.,]\d+)?)\s*%?$")
_RANGE = re.compile(r"^(\d+(?:[.,]\d+)?)\s*%?\s*(?:-|–|to|bis)\s*(\d+(?:[.,]\d+)?)\s*%?$")


def ki67_value(value):
    """Ki-67 % from 8, "8 %", "15,5 %", and the written forms pathology reports use: "<2" (read
    as its bound, 2), ">20" (20), "2-5" (the middle, 3.5). The original spelling and the value
    read stay side by side in the import preview. None otherwise."""
    x = number_value(value)
    if x is not None:
        return x
    k = _key(value).replace("ki-67", "").replace("ki67", "").replace("mib-1", "").strip(" :")
    x = number_value(k)
    if x is not None:
        return x
    m = _BOUND.match(k)
    if m:
        return float(m.group(2).replace(",", "."))
    m = _RANGE.match(k)
    if m:
        lo, hi = float(m.group(1).replace(",", ".")), float(m.group(2).replace(",", "."))
        return (lo + hi) / 2 if lo <= hi else None
    return None


def id_value(value):
    """Patient ids as text: 12.0 -> "12"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value).strip()


# ------------------------------------------------------------------ column rules

def _rule_for(column: str, spec: dict[str, schema.Column]):
    col = spec.get(column)
    if col is None:
        return None, None
    if col.kind == "bool":
        return col, lambda v: bool_value(v, column)
    if column == "margin_status":
        return col, margin_value
    if column == "grade":
        return col, grade_value
    if column == "ki67":
        return col, ki67_value
    if column == "neuroendocrine_carcinoma":
        return col, lambda v: True if is_nec(v) else bool_value(v, column)
    if column == "clavien_dindo":
        return col, clavien_value
    if col.kind in ("category", "ordered"):
        return col, lambda v: category_value(v, column)
    if col.kind == "number":
        return col, number_value
    if col.kind == "id":
        return col, id_value
    return col, None


def normalise_column(series: pd.Series, column: str, *, missing_codes=DEFAULT_MISSING_CODES,
                     target: str = "cohort") -> ColumnRule:
    """Apply the rule of canonical ``column`` to ``series`` (dates excluded: see parse_dates)."""
    spec = schema.COLUMNS_BY_NAME if target == "cohort" else schema.LESION_COLUMNS_BY_NAME
    col, rule = _rule_for(column, spec)
    if col is None or rule is None:
        raise InputError(f"'{column}' is not a canonical column with a value rule.")
    codes = _codes(missing_codes)
    if col.kind == "bool" and _plus_minus(series):
        base = rule
        codes = codes - _MINUS
        rule = lambda v: False if _key(v) in _MINUS else base(v)  # noqa: E731
    distinct = distinct_values(series)
    if distinct is not None:
        return _normalise_distinct(series, rule, codes, *distinct)
    out = []
    seen: dict[tuple[str, object], int] = {}
    bad: dict[str, list[int]] = {}
    for idx, v in series.items():
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            out.append(None)
            continue
        value = rule(v)
        if value is None:
            if _key(v) in codes:
                key = (str(v), None)
                seen[key] = seen.get(key, 0) + 1
            else:
                bad.setdefault(str(v), []).append(int(idx) + 2 if isinstance(idx, (int, np.integer)) else idx)
            out.append(None)
            continue
        key = (str(v), value)
        seen[key] = seen.get(key, 0) + 1
        out.append(value)
    return _column_rule(pd.Series(out, index=series.index, dtype=object), seen, bad)


def _plus_minus(series: pd.Series) -> bool:
    """True when a column writes yes/no as +/−: it holds "+" (then a lone "-" means no)."""
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    keys = {_key(v) for v in pd.unique(series.dropna().astype(object))}
    return "+" in keys and bool(keys & _MINUS)


def _normalise_distinct(series: pd.Series, rule, codes: frozenset[str], value_codes: np.ndarray,
                        uniques: list) -> ColumnRule:
    """:func:`normalise_column` with the rule run once per distinct value (same result)."""
    counts = np.bincount(value_codes[value_codes >= 0], minlength=len(uniques))
    results = [rule(v) for v in uniques]
    seen: dict[tuple[str, object], int] = {}
    bad: dict[str, list[int]] = {}
    bad_codes: dict[str, list[int]] = {}
    for j, (v, value) in enumerate(zip(uniques, results)):
        if value is None and _key(v) not in codes:
            bad_codes.setdefault(str(v), []).append(j)
            continue
        key = (str(v), value)
        seen[key] = seen.get(key, 0) + int(counts[j])
    if bad_codes:
        text_of = {j: text for text, js in bad_codes.items() for j in js}
        bad = {text: [] for text in bad_codes}  # in order of first appearance
        is_bad = np.zeros(len(uniques) + 1, dtype=bool)
        is_bad[list(text_of)] = True
        labels = series.index
        for i in np.flatnonzero(is_bad[value_codes]):  # row order
            label = labels[i]
            bad[text_of[value_codes[i]]].append(int(label) + 2 if isinstance(label, (int, np.integer)) else label)
    canonical = np.empty(len(uniques) + 1, dtype=object)  # last: missing
    canonical[:] = [*results, None]
    values = pd.Series(canonical[value_codes], index=series.index, dtype=object)
    return _column_rule(values, seen, bad)


def _column_rule(values: pd.Series, seen: dict, bad: dict) -> ColumnRule:
    preview = pd.DataFrame(
        [(orig, "(missing)" if val is None else str(val), n) for (orig, val), n in seen.items()],
        columns=["original", "value", "n"],
    )
    unrec = pd.DataFrame(
        [(v, len(rows), _rows_text(rows)) for v, rows in bad.items()],
        columns=["value", "n", "rows"],
    )
    return ColumnRule(values, preview, unrec)


def _rows_text(rows: list) -> str:
    shown = ", ".join(str(r) for r in rows[:20])
    return shown + (f" … (+{len(rows) - 20})" if len(rows) > 20 else "")


def _typed(values: pd.Series, col: schema.Column) -> pd.Series:
    if col.kind == "bool":
        return values.astype("boolean")
    if col.kind in ("category", "ordered"):
        return pd.Series(pd.Categorical(values, categories=list(col.categories), ordered=col.kind == "ordered"),
                         index=values.index)
    if col.kind == "number":
        return pd.to_numeric(values.astype(object).where(values.notna(), np.nan)).astype(float)
    if col.kind == "id":
        return values.astype("string")
    return values


def _without_missing_codes(s: pd.Series, codes: frozenset[str]) -> pd.Series:
    """Object copy of a text column with missing-value codes (and None/NA) set to None."""
    values = s.astype(object)
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        # only text (and missing): decide once per distinct text
        distinct = pd.unique(values[values.notna()])
        coded = [v for v in distinct if _key(v) in codes]
        drop = values.isin(coded).to_numpy() | np.array([v is None or v is pd.NA for v in values.to_numpy()],
                                                         dtype=bool)
        return values.where(~drop, None)
    return values.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, str) and _key(v) in codes) else v)


def normalise_extra(series: pd.Series, *, missing_codes=DEFAULT_MISSING_CODES) -> pd.Series:
    """A kept (non-schema) column: missing codes become missing; a yes/no column becomes boolean.

    Anything else is returned as it is (numbers stay numbers, text stays text).
    """
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series) \
            or pd.api.types.is_datetime64_any_dtype(series):
        return series
    codes = _codes(missing_codes)
    if _plus_minus(series):
        codes = codes - _MINUS
    values = series.astype(object).where(series.notna(), None)
    distinct = distinct_texts(values)
    if distinct is not None:  # text only: each rule once per distinct text
        return _extra_text(values, codes, *distinct)
    values = values.map(lambda v: None if v is None or _key(v) in codes else v)
    present = values.dropna()
    flags = present.map(lambda v: False if _key(v) in _MINUS else bool_value(v))
    if len(present) and flags.notna().all():
        return pd.Series(values.map(lambda v: None if v is None else (False if _key(v) in _MINUS
                                                                      else bool_value(v))), index=series.index,
                         dtype=object).astype("boolean")
    return values.astype("string") if len(present) else pd.Series(pd.NA, index=series.index, dtype="string")


def _extra_text(values: pd.Series, codes: frozenset[str], value_codes: np.ndarray, uniques: list) -> pd.Series:
    """:func:`normalise_extra` of a text column, each rule run once per distinct text (the same
    result as value by value)."""
    keys = [_key(u) for u in uniques]
    kept = np.array([k not in codes for k in keys] + [False])  # last: missing
    present = kept[value_codes]
    values = values.where(present, None)
    if not present.any():
        return pd.Series(pd.NA, index=values.index, dtype="string")
    flags = [False if k in _MINUS else bool_value(u) for u, k in zip(uniques, keys)]
    if all(f is not None for f, keep in zip(flags, kept) if keep):
        table = np.empty(len(uniques) + 1, dtype=object)
        table[:] = [f if keep else None for f, keep in zip(flags, kept)] + [None]
        return pd.Series(table[value_codes], index=values.index, dtype=object).astype("boolean")
    return values.astype("string")


def _nec_from_grade(raw: pd.Series, grade: pd.Series) -> pd.Series | None:
    """Neuroendocrine carcinoma (True) told apart from G3 tumours (False) where the grade column
    writes "NEC"; None when no value does (the column is then not added)."""
    uniques = pd.unique(raw.dropna().astype(object))
    nec_values = {v for v in uniques if isinstance(v, str) and is_nec(v)}
    if not nec_values:
        return None
    flag = raw.astype(object).isin(nec_values).to_numpy()
    out = pd.Series(np.where(flag, True, False), index=raw.index, dtype="boolean")
    return out.where(grade.notna() | pd.Series(flag, index=raw.index), pd.NA)


def normalise_values(
    data: pd.DataFrame,
    *,
    date_order: str | None = None,
    missing_codes=DEFAULT_MISSING_CODES,
    target: str = "cohort",
) -> NormalisedCohort:
    """Normalise every canonical column of a mapped table (other columns: :func:`normalise_extra`).

    Bool columns become pandas "boolean" (missing = <NA>), categories become Categoricals
    with the schema's categories, numbers float, dates datetime64. Raises
    AmbiguousDateOrderError when a date column needs ``date_order``.
    """
    require_frame(data)
    spec = schema.COLUMNS_BY_NAME if target == "cohort" else schema.LESION_COLUMNS_BY_NAME
    out = data.copy()
    previews, unrecs, dates_bad = [], [], []
    codes = _codes(missing_codes)
    for name in data.columns:
        col = spec.get(name)
        if col is None:
            out[name] = normalise_extra(data[name], missing_codes=missing_codes)
            continue
        s = data[name]
        if col.kind == "date":
            cleaned = s
            if not pd.api.types.is_datetime64_any_dtype(s) and not pd.api.types.is_numeric_dtype(s):
                cleaned = _without_missing_codes(s, codes)
            parsed = parse_dates(cleaned, order=date_order)
            out[name] = parsed.values
            if len(parsed.unparsed):
                bad = parsed.unparsed.assign(column=name)
                dates_bad.append(bad[["column", "row", "value", "reason"]])
            continue
        if col.kind == "number" and pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            out[name] = s.astype(float)
            continue
        if col.kind == "bool" and pd.api.types.is_bool_dtype(s):
            out[name] = s.astype("boolean")
            continue
        res = normalise_column(s, name, missing_codes=missing_codes, target=target)
        out[name] = _typed(res.values, col)
        if len(res.preview):
            previews.append(res.preview.assign(column=name)[["column", "original", "value", "n"]])
        if len(res.unrecognised):
            unrecs.append(res.unrecognised.assign(column=name)[["column", "value", "n", "rows"]])
    if target == "cohort" and "grade" in data.columns and "neuroendocrine_carcinoma" not in data.columns:
        nec = _nec_from_grade(data["grade"], out["grade"])
        if nec is not None:
            out.insert(list(out.columns).index("grade") + 1, "neuroendocrine_carcinoma", nec)
            previews.append(pd.DataFrame({"column": ["neuroendocrine_carcinoma"], "original": ["grade: NEC"],
                                          "value": [True], "n": [int(nec.sum())]}))
    preview = (pd.concat(previews, ignore_index=True) if previews
               else pd.DataFrame(columns=["column", "original", "value", "n"]))
    unrecognised = (pd.concat(unrecs, ignore_index=True) if unrecs
                    else pd.DataFrame(columns=["column", "value", "n", "rows"]))
    unparsed = (pd.concat(dates_bad, ignore_index=True) if dates_bad
                else pd.DataFrame(columns=["column", "row", "value", "reason"]))
    return NormalisedCohort(out, preview, unrecognised, unparsed)
