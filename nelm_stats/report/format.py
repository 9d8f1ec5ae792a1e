"""Every number-to-text rule of the tool, once: p-values, estimates with confidence intervals,
percentages, ratios, medians "not reached", units and the labels of groups.

Pages, figures, narrative and exports format through these functions only, so a p-value reads
the same everywhere (journal convention: "p = 0.032", "p = 0.41", "p < 0.001", never "0.000"),
a missing number never reads "nan" or "None", and a confidence interval is always written
"95 % CI a–b".
"""
from __future__ import annotations

import pandas as pd

import math

from ..schema import YES_NO_GROUPS
from ..schema import label as column_label

__all__ = [
    "DASH", "is_missing", "display_label", "level_label", "in_sentence", "group_in_sentence", "column_label", "fmt_p", "fmt_p_bare", "fmt_num", "fmt_pct",
    "fmt_ci", "fmt_est_ci", "fmt_ratio", "fmt_ratio_value", "fmt_n_pct", "fmt_median", "fmt_smd", "amount", "ci_label",
]

DASH = "–"  # what a number that does not exist reads


def is_missing(x) -> bool:
    """None, NaN, NA or NaT."""
    if x is None or x is pd.NA:
        return True
    try:
        return bool(x != x)  # NaN, NaT
    except (TypeError, ValueError):
        return False


def display_label(value) -> str:
    """A group or level label for people: True/False become yes/no, a coded level reads as words
    ('small_bowel' -> 'small bowel'); a missing label reads '–'."""
    if is_missing(value):
        return DASH
    value = str(value)
    value = {"True": "yes", "False": "no", "nan": DASH, "None": DASH}.get(value, value)
    if value.isidentifier() and "_" in value and value == value.lower():
        value = value.replace("_", " ")
    return value


def level_label(value, column: str | None = None) -> str:
    """A group of a comparison named for people: the two groups of a yes/no column as a paper
    names them ('With cystic metastases' / 'With solid metastases'; other yes/no columns
    'Bile leak: yes'); any other level as :func:`display_label` reads it."""
    text = display_label(value)
    if column is None or text not in ("yes", "no"):
        return text
    if column in YES_NO_GROUPS:
        phrase = YES_NO_GROUPS[column][0 if text == "yes" else 1]
        return phrase[:1].upper() + phrase[1:]
    return f"{column_label(column)}: {text}"


def in_sentence(text: str) -> str:
    """A label inside a sentence: 'Tumour grade' -> 'tumour grade'; a first word that is an acronym
    or a name keeps its capitals ('ICG fluorescence used', 'Ki-67', 'Clavien–Dindo grade')."""
    text = str(text)
    first = text.split(" ", 1)[0]
    if len(first) > 1 and (first.isupper() or any(ch.isdigit() for ch in first) or first[1:] != first[1:].lower()):
        return text
    return text[:1].lower() + text[1:]


def group_in_sentence(value, column: str | None) -> str:
    """A group inside a sentence: 'patients after resection' for a yes/no column, else 'G1'."""
    if column is not None and display_label(value) in ("yes", "no"):
        return "patients " + in_sentence(level_label(value, column))
    return display_label(value)


def fmt_p(p) -> str:
    """'p = 0.032', 'p = 0.41', 'p < 0.001'; 'p not available' when the test could not be done.

    Three decimals below 0.1 (0.045 must not read 0.05), two above."""
    if is_missing(p):
        return "p not available"
    p = float(p)
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.3f}" if p < 0.1 else f"p = {p:.2f}"


def fmt_p_bare(p) -> str:
    """The p-value of a table cell: '0.032', '0.41', '< 0.001', '–'."""
    if is_missing(p):
        return DASH
    p = float(p)
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}" if p < 0.1 else f"{p:.2f}"


def fmt_num(x, digits: int = 1, missing: str = DASH) -> str:
    """A number with ``digits`` decimals; ``missing`` when it does not exist."""
    if is_missing(x) or (isinstance(x, float) and math.isinf(x)):
        return missing
    return f"{float(x):.{digits}f}"


def fmt_pct(x, digits: int = 0, missing: str = DASH) -> str:
    """A proportion (0-1) as a percentage: 0.925 -> '92 %' (digits=0) or '92.5 %'."""
    if is_missing(x):
        return missing
    return f"{100 * float(x):.{digits}f} %"


def fmt_smd(x) -> str:
    """A standardized mean difference, two decimals with its sign ("–" when not defined)."""
    return fmt_num(x, 2)


def ci_label(conf_level: float = 0.95) -> str:
    """'95 % CI' (or '90 % CI' ...)."""
    return f"{100 * conf_level:g} % CI"


def fmt_ci(lo, hi, digits: int = 1, *, pct: bool = False, conf_level: float = 0.95, upper_missing: str = "not reached",
           sep: str = " to ") -> str:
    """'95 % CI a to b'; an upper limit that does not exist reads 'not reached' (medians),
    '' when neither limit is known."""
    if is_missing(lo) and is_missing(hi):
        return ""
    f = (lambda v, m: fmt_pct(v, 0, m)) if pct else (lambda v, m: fmt_num(v, digits, m))
    return f"{ci_label(conf_level)} {f(lo, DASH)}{sep}{f(hi, upper_missing)}"


def fmt_est_ci(est, lo, hi, digits: int = 2, *, missing: str = DASH, unit: str = "") -> str:
    """'0.71 (0.55–0.92)' or, with unit=" %", '60.0 % (44.3–73.8)': an estimate with its interval in
    brackets; ``missing`` when the estimate is missing, the estimate alone when the interval is."""
    if is_missing(est):
        return missing
    e = fmt_num(est, digits) + unit
    if is_missing(lo) and is_missing(hi):
        return e
    return f"{e} ({fmt_num(lo, digits)}–{fmt_num(hi, digits, 'not reached')})"


def fmt_ratio_value(x, digits: int = 2) -> str:
    """A hazard or odds ratio (or a bound of its CI): '0.71'; below 0.01 with two significant digits
    ('0.0031', never '0.00'); '0' and '∞' for the bounds of a ratio that has none (R's 0 and Inf)."""
    if is_missing(x):
        return DASH
    x = float(x)
    if math.isinf(x):
        return "∞"
    if x == 0:
        return "0"
    if abs(x) < 10 ** -digits:
        return f"{x:.2g}" if "e" not in f"{x:.2g}" else f"{x:.2e}"
    return f"{x:.{digits}f}"


def fmt_ratio(name: str, est, lo, hi, digits: int = 2, conf_level: float = 0.95) -> str:
    """'hazard ratio 0.71 (95 % CI 0.55–0.92)'; 'odds ratio 0.10 (95 % CI 0.0004–0.52)'."""
    if is_missing(est):
        return f"{name} not available"
    if is_missing(lo) and is_missing(hi):
        return f"{name} {fmt_ratio_value(est, digits)}"
    return (f"{name} {fmt_ratio_value(est, digits)} ({ci_label(conf_level)} {fmt_ratio_value(lo, digits)}–"
            f"{fmt_ratio_value(hi, digits)})")


def fmt_n_pct(k, n, digits: int = 1) -> str:
    """'12 (25.0 %)'; '0 (–)' when n is 0."""
    if is_missing(k):
        return DASH
    k = int(k)
    if is_missing(n) or int(n) == 0:
        return f"{k} ({DASH})"
    return f"{k} ({100 * k / int(n):.{digits}f} %)"


def fmt_median(m, lo=None, hi=None, digits: int = 1) -> str:
    """A survival median: 'not reached' when it does not exist; its CI keeps a lower bound."""
    if is_missing(m):
        return "not reached" + ("" if is_missing(lo) else f" (lower limit {fmt_num(lo, digits)})")
    if lo is None and hi is None:
        return fmt_num(m, digits)
    return fmt_est_ci(m, lo, hi, digits)


def amount(t: float, time_unit: str) -> str:
    """'1 year', '3 years', '18 months'."""
    unit = time_unit[:-1] if float(t) == 1 and time_unit.endswith("s") else time_unit
    return f"{t:g} {unit}"
