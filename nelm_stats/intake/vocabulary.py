"""How clinicians write "missing": the codes every reader and rule of the intake removes before a
column's type or a value's meaning is judged."""
from __future__ import annotations

__all__ = ["DEFAULT_MISSING_CODES", "missing_code_set"]

#: Cell values read as "missing" by default (compared case-insensitively, after trimming).
DEFAULT_MISSING_CODES: tuple[str, ...] = ("", "NA", "N/A", ".", "-", "unknown", "not done")


def missing_code_set(missing_codes=DEFAULT_MISSING_CODES) -> frozenset[str]:
    """The codes as compared with a cell (trimmed, lower case), the empty cell always among them."""
    if missing_codes is None:
        return frozenset({""})
    if isinstance(missing_codes, str):
        missing_codes = [missing_codes]
    return frozenset(str(c).strip().lower() for c in missing_codes) | {""}
