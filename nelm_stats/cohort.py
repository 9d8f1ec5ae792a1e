"""A first look at a cohort: size, groups, events, follow-up columns present."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ._checks import group_codes, require_columns, require_frame


@dataclass(frozen=True)
class CohortSummary:
    n: int
    table: pd.DataFrame  # [item, n, percent]  (events and group sizes)


def cohort_summary(data: pd.DataFrame, group: str | None = None) -> CohortSummary:
    """Patients, group sizes and event counts, for the landing page.

    ``table`` columns: [item, category, n, percent]; percent of all patients (0-100),
    NaN where a column is absent.
    """
    require_frame(data)
    require_columns(data, [group])
    n = len(data)
    rows = []
    if group is not None:
        codes, labels = group_codes(data[group])
        counts = pd.Series(codes).value_counts()
        for i, lab in enumerate(labels):
            k = int(counts.get(i, 0))
            rows.append(("group", f"{group} = {lab}", k, 100.0 * k / n))
        k = int(data[group].isna().sum())
        if k:
            rows.append(("group", f"{group} missing", k, 100.0 * k / n))
    for col, what in (
        ("recurrence", "Recurrence"),
        ("death", "Death"),
        ("rfs_event", "RFS event (recurrence or death)"),
        ("os_event", "OS event (death)"),
    ):
        if col in data.columns:
            s = data[col]
            k = int((s.fillna(False).astype(bool)).sum())
            rows.append(("event", what, k, 100.0 * k / n))
    table = pd.DataFrame(rows, columns=["item", "category", "n", "percent"])
    return CohortSummary(n=n, table=table)
