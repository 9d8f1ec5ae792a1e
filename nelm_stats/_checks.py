"""Shared input validation: the "front end" every public function calls first.

Each public function validates with these helpers, hands plain numpy arrays to
its worker, and formats the worker's output into a frozen result dataclass.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from .schema import EVENT_VALUES, NO_EVENT_VALUES
from .errors import (
    InputError,
    InsufficientDataError,
    InvalidValueError,
    MissingColumnError,
)

__all__ = [
    "require_frame", "require_columns", "complete_cases", "require_complete", "as_numeric", "as_time",
    "as_event", "as_weights", "group_order", "group_codes", "check_choice", "as_number", "check_conf_level",
]


def require_frame(data) -> pd.DataFrame:
    """Check that ``data`` is a non-empty DataFrame."""
    if not isinstance(data, pd.DataFrame):
        raise InputError(
            f"The data must be a table (pandas DataFrame); got {type(data).__name__}."
        )
    if len(data) == 0:
        raise InsufficientDataError("The data set has no rows (no patients).")
    return data


def require_columns(data: pd.DataFrame, columns: Iterable[str | None]) -> list[str]:
    """Check that every named column exists; return the list of names used."""
    used = [c for c in columns if c is not None]
    for c in used:
        if not isinstance(c, str):
            raise InputError(f"Column names must be text; got {c!r}.")
    missing = [c for c in used if c not in data.columns]
    if missing:
        names = ", ".join(f"'{c}'" for c in missing)
        raise MissingColumnError(
            f"The data have no column {names}. Check the column mapping "
            f"(available columns: {', '.join(map(str, data.columns[:30]))})."
        )
    # keep order, drop duplicates
    return list(dict.fromkeys(used))


def complete_cases(data: pd.DataFrame, columns: Sequence[str]) -> tuple[pd.DataFrame, int]:
    """Rows with no missing value in ``columns``, and how many rows were left out."""
    if not columns:
        return data, 0
    mask = data[list(columns)].notna().all(axis=1).to_numpy()
    n_excluded = int((~mask).sum())
    return data.loc[mask], n_excluded


def require_complete(data: pd.DataFrame, columns: Sequence[str],
                     message: str | None = None) -> tuple[pd.DataFrame, int]:
    """``complete_cases``, with an InsufficientDataError (``message``, or one naming the
    columns) when no row is complete."""
    sub, n_excluded = complete_cases(data, columns)
    if len(sub) == 0:
        raise InsufficientDataError(
            message or "No patient has complete values for "
            + ", ".join(f"'{c}'" for c in columns) + "."
        )
    return sub, n_excluded


def as_numeric(series: pd.Series, what: str, *, allow_negative: bool = True) -> np.ndarray:
    """Convert a column to float, with a clear error when it is not numeric."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(float).to_numpy()
    values = pd.to_numeric(series, errors="coerce")
    bad = values.isna() & series.notna()
    if bad.any():
        example = series[bad].iloc[0]
        raise InvalidValueError(
            f"The {what} column '{series.name}' must hold numbers; "
            f"found {example!r} (row {series.index[bad][0]!r})."
        )
    out = values.to_numpy(dtype=float)
    if not np.all(np.isfinite(out[~np.isnan(out)])):
        raise InvalidValueError(f"The {what} column '{series.name}' holds infinite values.")
    if not allow_negative and np.any(out < 0):
        i = int(np.flatnonzero(out < 0)[0])
        raise InvalidValueError(
            f"The {what} column '{series.name}' has a negative value ({out[i]:g}, "
            f"row {series.index[i]!r}). Times must be zero or positive: check the dates."
        )
    return out


def as_time(series: pd.Series) -> np.ndarray:
    """Follow-up times: numeric, non-negative."""
    return as_numeric(series, "time", allow_negative=False)


_TRUE = EVENT_VALUES  # schema: the package's one yes/no vocabulary, plus what an event column may say
_FALSE = NO_EVENT_VALUES


def as_event(series: pd.Series, what: str = "event") -> np.ndarray:
    """Event indicator as 0/1 int array from bool, 0/1 or yes/no values."""
    if pd.api.types.is_bool_dtype(series):
        return series.astype(int).to_numpy()
    if pd.api.types.is_numeric_dtype(series):
        vals = series.to_numpy(dtype=float)
        ok = np.isin(vals, (0.0, 1.0))
        if not ok.all():
            bad = vals[~ok][0]
            raise InvalidValueError(
                f"The {what} column '{series.name}' must be 0/1 (or yes/no); found {bad:g}."
            )
        return vals.astype(int)
    text = series.astype(str).str.strip().str.lower()
    out = np.full(len(text), -1, dtype=int)
    out[text.isin(_TRUE).to_numpy()] = 1
    out[text.isin(_FALSE).to_numpy()] = 0
    if (out < 0).any():
        bad = series.iloc[int(np.flatnonzero(out < 0)[0])]
        raise InvalidValueError(
            f"The {what} column '{series.name}' must be 0/1 or yes/no; found {bad!r}."
        )
    return out


def as_weights(series: pd.Series) -> np.ndarray:
    """Case weights: numeric, non-negative, not all zero."""
    w = as_numeric(series, "weight", allow_negative=False)
    if not np.any(w > 0):
        raise InvalidValueError(f"The weight column '{series.name}' is zero for every row.")
    return w


def group_order(series: pd.Series) -> list:
    """Distinct non-missing values of a grouping column, in the column's order.

    The order of a pandas Categorical's categories (those that occur), else sorted
    order (mixed types sorted by their text).
    """
    s = series.dropna()
    if isinstance(s.dtype, pd.CategoricalDtype):
        present = set(s.unique())
        return [c for c in s.cat.categories if c in present]
    values = list(pd.unique(s))
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=str)


def group_codes(series: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Integer codes 0..k-1 per row (in the column's order) and the labels ``str(value)``.

    Missing values get code -1 (callers pass complete cases).  The column is hashed once
    (``pd.factorize``, or a Categorical's own codes); ordering and labelling then work on
    its distinct values only, which is much faster than looking up every row of a long
    text column.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        cat = series.cat.codes.to_numpy()
        categories = series.cat.categories
        used = np.flatnonzero(np.bincount(cat[cat >= 0], minlength=len(categories)))
        remap = np.full(len(categories) + 1, -1)  # remap[-1] = -1: missing stays missing
        remap[used] = np.arange(used.size)
        return remap[cat], [str(categories[i]) for i in used]
    f, uniques = pd.factorize(series, sort=False)  # -1 for missing values
    levels = group_order(pd.Series(uniques, dtype=series.dtype))
    lookup = {v: i for i, v in enumerate(levels)}
    distinct_codes = pd.Series(uniques, dtype=series.dtype).map(lookup).to_numpy().astype(int)
    return np.append(distinct_codes, -1)[f], [str(v) for v in levels]


def check_choice(value, name: str, choices: Sequence) -> None:
    if value not in choices:
        opts = ", ".join(repr(c) for c in choices)
        raise InputError(f"{name} must be one of {opts}; got {value!r}.")


def as_number(value, message: str) -> float:
    """``float(value)``, or an InputError with ``message`` (what the number should be)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        raise InputError(message) from None


def check_conf_level(conf_level) -> float:
    c = as_number(conf_level, f"conf_level must be a number between 0 and 1; got {conf_level!r}.")
    if not 0 < c < 1:
        raise InputError(f"conf_level must be between 0 and 1 (e.g. 0.95); got {conf_level!r}.")
    return c
