"""A first look at a cohort: size, groups, events, follow-up, which analyses its columns allow."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._checks import as_event, group_codes, require_columns, require_frame
from ..schema import label
from .groups import default_grouping
from .survival import median_follow_up

__all__ = [
    "ANALYSIS_COLUMNS", "COMPARISONS", "CohortSummary", "default_grouping", "analysis_availability",
    "cohort_summary",
]

# What each analysis of the dashboard needs (canonical column names; all must be present).
ANALYSIS_COLUMNS: dict[str, tuple[str, ...]] = {
    "Recurrence-free survival": ("rfs_months", "rfs_event"),
    "Overall survival": ("os_months", "os_event"),
    "Recurrence with death as competing event": ("rfs_months", "recurrence", "death"),
    "Margin status": ("margin_status",),
    "Complications (Clavien–Dindo)": ("clavien_dindo",),
    "ICG fluorescence comparison": ("icg",),
    "Cystic vs solid comparison": ("cystic",),
    "Grade as risk factor": ("grade",),
}


_EVENTS = (
    ("recurrence", "Recurrence"),
    ("death", "Death"),
    ("rfs_event", "RFS event (recurrence or death)"),
    ("os_event", "OS event (death)"),
)


@dataclass(frozen=True)
class CohortSummary:
    """What :func:`cohort_summary` returns.

    ``table``   [item, category, n, percent]: group sizes and event counts (percent of all
                patients, 0-100).
    ``groups``  [group, n, percent, recurrences, deaths, rfs_events, os_events]: one row per
                group (one row "all" without a grouping); a count is NaN where its column is
                absent.
    ``follow_up`` [group, median, ci_lower, ci_upper] in months (reverse Kaplan–Meier on
                os_months/os_event), or None when the cohort has no OS columns;
                ``follow_up_all`` the same for the whole cohort.
    ``analyses`` [analysis, available, missing]: for each analysis of the dashboard, whether
                the cohort has its columns and, if not, which ones are missing (comma separated).
    """

    n: int
    table: pd.DataFrame
    group: str | None
    n_missing_group: int
    groups: pd.DataFrame
    follow_up: pd.DataFrame | None
    analyses: pd.DataFrame
    follow_up_all: pd.DataFrame | None = None  # the same for the whole cohort (group "all")
    event_counts: dict | None = None  # column -> events in the whole cohort (columns present)



def _count(s: pd.Series) -> float:
    """Number of events (true / 1 / yes) among the non-missing values."""
    s = pd.Series(s).dropna()
    if len(s) == 0:
        return 0.0
    return float(as_event(s, "event").sum())


# comparisons need two groups: the column must hold at least two different values
COMPARISONS = frozenset({"ICG fluorescence comparison", "Cystic vs solid comparison", "Grade as risk factor"})


def analysis_availability(data: pd.DataFrame) -> pd.DataFrame:
    """[analysis, available, missing, reason] for every analysis in ANALYSIS_COLUMNS.

    ``missing``: the columns that stop it (comma separated); ``reason``: "" (available),
    "missing" (absent or empty columns) or "one group" (a comparison whose column has the same
    value for every patient, e.g. mimic, where every patient had ICG)."""
    rows = []
    for name, cols in ANALYSIS_COLUMNS.items():
        missing = [c for c in cols if c not in data.columns or data[c].notna().sum() == 0]
        reason = "missing" if missing else ""
        if not missing and name in COMPARISONS:
            missing = [c for c in cols if data[c].nunique(dropna=True) < 2]
            reason = "one group" if missing else ""
        rows.append((name, not missing, ", ".join(missing), reason))
    return pd.DataFrame(rows, columns=["analysis", "available", "missing", "reason"])


def cohort_summary(data: pd.DataFrame, group: str | None = None) -> CohortSummary:
    """Patients, group sizes, event counts, median follow-up and available analyses.

    Patients with a missing group are counted in ``n_missing_group`` (and in ``table``),
    not in ``groups``.
    """
    require_frame(data)
    require_columns(data, [group])
    n = len(data)
    rows = []
    if group is not None:
        codes_ok = data[group].notna().to_numpy()
        sub_codes, labels = group_codes(data[group][codes_ok])
        codes = np.full(n, -1, dtype=int)
        codes[codes_ok] = sub_codes
    else:
        codes_ok = np.ones(n, dtype=bool)
        codes, labels = np.zeros(n, dtype=int), ["all"]
    n_missing_group = int((~codes_ok).sum())

    if group is not None:
        for i, lab in enumerate(labels):
            k = int((codes == i).sum())
            rows.append(("group", f"{label(group)} = {lab}", k, 100.0 * k / n))
        if n_missing_group:
            rows.append(("group", f"{label(group)} missing", n_missing_group, 100.0 * n_missing_group / n))
    event_counts = {}
    for col, what in _EVENTS:
        if col in data.columns:
            k = int(_count(data[col]))
            event_counts[col] = k
            rows.append(("event", what, k, 100.0 * k / n))
    table = pd.DataFrame(rows, columns=["item", "category", "n", "percent"])

    grows = []
    for i, lab in enumerate(labels):
        mask = codes == i
        k = int(mask.sum())
        counts = [
            _count(data.loc[mask, col]) if col in data.columns else np.nan
            for col in ("recurrence", "death", "rfs_event", "os_event")
        ]
        grows.append((lab, k, 100.0 * k / n, *counts))
    groups = pd.DataFrame(
        grows,
        columns=["group", "n", "percent", "recurrences", "deaths", "rfs_events", "os_events"],
    )

    follow_up = follow_up_all = None
    if {"os_months", "os_event"} <= set(data.columns) and data["os_months"].notna().any():

        follow_up_all = median_follow_up(data, "os_months", "os_event")
        follow_up = follow_up_all if group is None else median_follow_up(
            data.loc[codes_ok], "os_months", "os_event", group
        )

    return CohortSummary(
        n=n,
        table=table,
        group=group,
        n_missing_group=n_missing_group,
        groups=groups,
        follow_up=follow_up,
        analyses=analysis_availability(data),
        follow_up_all=follow_up_all,
        event_counts=event_counts,
    )
