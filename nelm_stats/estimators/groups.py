"""Groupings built from a column: a numeric covariate cut into two groups.

A cut is a choice the analyst makes and reports ("Ki-67 < 20 % vs ≥ 20 %"), so it is
computed here, once, and carried as a result object with its cut point and the number of
patients left out for a missing value.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import as_numeric, require_columns, require_frame
from ..errors import InputError, InsufficientDataError

__all__ = [
    "NumericCut", "cut_numeric", "numeric_columns",
]


@dataclass(frozen=True)
class NumericCut:
    """A numeric column split at ``cutpoint``: values below vs at or above it.

    ``groups`` is an ordered Categorical Series indexed like ``data`` with the two labels
    (``"<column> < c"``, ``"<column> ≥ c"``), missing where the value is missing.
    """

    column: str
    cutpoint: float
    method: str  # "value" | "median"
    labels: tuple[str, str]
    groups: pd.Series
    n_below: int
    n_above: int
    n_excluded: int


def _fmt(x: float) -> str:
    return f"{x:.4g}"


def cut_numeric(
    data: pd.DataFrame,
    column: str,
    *,
    cutpoint: float | None = None,
    name: str | None = None,
) -> NumericCut:
    """Split a numeric column into ``< cutpoint`` and ``≥ cutpoint``.

    Without ``cutpoint`` the column's median (over non-missing values) is used. ``name``
    is the text used for the column in the labels (default: the column name).
    Rows with a missing value get a missing group and are counted in ``n_excluded``.
    """
    require_frame(data)
    require_columns(data, [column])
    series = data[column]
    if pd.api.types.is_bool_dtype(series) or not (
        pd.api.types.is_numeric_dtype(series)
    ):
        raise InputError(
            f"The column '{column}' is not a measurement (numbers); it can be used as a grouping as it is."
        )
    values = as_numeric(series, "grouping")
    ok = ~np.isnan(values)
    n_excluded = int((~ok).sum())
    if not ok.any():
        raise InsufficientDataError(f"The column '{column}' has no values.")
    if cutpoint is None:
        method = "median"
        cut = float(np.median(values[ok]))
    else:
        method = "value"
        try:
            cut = float(cutpoint)
        except (TypeError, ValueError):
            raise InputError(f"The cut point must be a number; got {cutpoint!r}.") from None
        if not np.isfinite(cut):
            raise InputError(f"The cut point must be a finite number; got {cutpoint!r}.")
    above = values >= cut
    n_above = int((above & ok).sum())
    n_below = int((~above & ok).sum())
    if n_above == 0 or n_below == 0:
        lo, hi = np.min(values[ok]), np.max(values[ok])
        raise InsufficientDataError(
            f"Cutting '{column}' at {_fmt(cut)} puts every patient in one group "
            f"(values range from {_fmt(lo)} to {_fmt(hi)}). Choose a cut point inside that range."
        )
    nm = name or column
    labels = (f"{nm} < {_fmt(cut)}", f"{nm} ≥ {_fmt(cut)}")
    codes = np.where(ok, above.astype(int), -1)
    groups = pd.Series(
        pd.Categorical.from_codes(codes, categories=list(labels), ordered=True),
        index=data.index,
        name=nm,
    )
    return NumericCut(
        column=column,
        cutpoint=cut,
        method=method,
        labels=labels,
        groups=groups,
        n_below=n_below,
        n_above=n_above,
        n_excluded=n_excluded,
    )


def numeric_columns(data: pd.DataFrame, min_distinct: int = 3) -> list[str]:
    """Columns that hold measurements (numbers with several values), usable with cut_numeric."""
    out = []
    for c in data.columns:
        s = data[c]
        if c == "patient_id" or pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        if s.nunique(dropna=True) >= min_distinct:
            out.append(c)
    return out
