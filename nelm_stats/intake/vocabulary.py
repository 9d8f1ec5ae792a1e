"""How clinicians write "missing": the codes every reader and rule of the intake removes before a
column's type or a value's meaning is judged."""
from __future__ import annotations

__all__ = ["DEFAULT_MISSING_CODES"]

#: Cell values read as "missing" by default (compared case-insensitively, after trimming).
DEFAULT_MISSING_CODES: tuple[str, ...] = ("", "NA", "N/A", ".", "-", "unknown", "not done")
