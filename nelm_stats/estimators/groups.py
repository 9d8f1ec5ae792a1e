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
from ..schema import GROUPING_ROLES, PRE_TREATMENT_ROLES, PREFERRED_COVARIATES, PREFERRED_GROUPINGS
from ..schema import PREFERRED_TREATMENTS, role

__all__ = [
    "NumericCut", "cut_numeric", "numeric_columns", "categorical_columns", "grouping_columns",
    "default_grouping", "treatment_columns", "default_treatment", "covariate_columns", "default_covariates", "default_reference",
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


# ---------------------------------------------------------------- which columns serve which analysis
# (the roles are in the schema; pages ask these functions, they do not decide)


def categorical_columns(data: pd.DataFrame, max_levels: int = 8) -> list[str]:
    """Columns usable as groups as they are: bool, category, or text/numbers with 2..max_levels
    distinct values (no identifiers, no dates)."""
    out = []
    for c in data.columns:
        s = data[c]
        if role(c) == "id" or pd.api.types.is_datetime64_any_dtype(s):
            continue
        if 2 <= s.nunique(dropna=True) <= max_levels:
            out.append(c)
    return out


def grouping_columns(data: pd.DataFrame, roles=GROUPING_ROLES) -> tuple[list[str], list[str]]:
    """(columns usable as groups of survival as they are, numeric columns that must be cut in two),
    among the columns whose schema role is in ``roles`` (never events of follow-up: immortal-time
    bias)."""
    cats, nums = [], []
    for c in data.columns:  # as categorical_columns and numeric_columns, each column counted once
        if role(c) not in roles:
            continue
        s = data[c]
        distinct = None
        if role(c) != "id" and not pd.api.types.is_datetime64_any_dtype(s):
            distinct = s.nunique(dropna=True)
            if 2 <= distinct <= 8:
                cats.append(c)
                continue
        if c == "patient_id" or pd.api.types.is_bool_dtype(s) or not pd.api.types.is_numeric_dtype(s):
            continue
        if (s.nunique(dropna=True) if distinct is None else distinct) >= 3:
            nums.append(c)
    return cats, nums


def default_grouping(data: pd.DataFrame, options=None) -> str | None:
    """The column a first look at this cohort is most likely grouped by (the question of the
    published series), among ``options`` when given; None when none is present."""
    for col in PREFERRED_GROUPINGS:
        if col in data.columns and data[col].nunique(dropna=True) >= 2 and (options is None or col in options):
            return col
    return None


def treatment_columns(data: pd.DataFrame) -> list[str]:
    """Columns with exactly two groups that can be a treatment of a propensity analysis
    (characteristics before or of the operation; no outcomes, ids or dates)."""
    return [c for c in data.columns if role(c) in PRE_TREATMENT_ROLES
            and not pd.api.types.is_datetime64_any_dtype(data[c]) and data[c].nunique(dropna=True) == 2]


def default_treatment(data: pd.DataFrame, options: list[str]) -> str | None:
    """ICG, else cystic, else the first yes/no column, else the first option."""
    for c in PREFERRED_TREATMENTS:
        if c in options:
            return c
    for c in options:
        if pd.api.types.is_bool_dtype(data[c]):
            return c
    return options[0] if options else None


def covariate_columns(data: pd.DataFrame, *, roles=PRE_TREATMENT_ROLES, exclude=()) -> list[str]:
    """Columns usable as covariates (groups or measurements with two or more values) whose role is
    in ``roles``: PRE_TREATMENT_ROLES for a propensity model, GROUPING_ROLES for a Cox model of
    long-term survival; ``exclude``: e.g. the treatment or the endpoint's columns."""
    cats, nums = grouping_columns(data, roles)
    usable = set(cats) | set(nums)
    return [c for c in data.columns if c in usable and c not in set(exclude)]  # each has two values or more


def default_reference(series: pd.Series) -> str:
    """The reference group a comparison opens on, as text: the first category of a pandas Categorical
    (its order is the user's, e.g. G1 < G2 < G3), "no" for a yes/no column, else the most frequent
    value (ties: the first in sorted order), so hazard ratios compare with the usual patient."""
    s = series.dropna()
    if isinstance(series.dtype, pd.CategoricalDtype):
        present = [c for c in series.cat.categories if (s == c).any()]
        if present:
            return str(present[0])
    if s.empty:
        raise InputError("The column has no values, so it has no reference group.")
    if pd.api.types.is_bool_dtype(series) and (~s.astype(bool)).any():
        return "False"  # a yes/no characteristic: its absence is the reference
    counts = s.astype(str).value_counts()
    top = counts[counts == counts.max()].index
    return sorted(top)[0]


def default_covariates(options: list[str], k: int = 4) -> list[str]:
    """The first ``k`` of the usual confounders of NELM series present, else the first three options."""
    return [c for c in PREFERRED_COVARIATES if c in options][:k] or list(options[:3])
