"""R's ``aeqSurv`` ("timefix"): near-equal follow-up times are treated as tied.

survfit, survdiff and coxph (``timefix = TRUE``, their default) first replace distinct times
closer than sqrt(machine epsilon) -- absolute, or relative to the mean of the absolute
distinct times -- by the first (smallest) time of their run, so that e.g. 365.25 / 12 * 12
and 365.25 are one time.  Shared by survival, logrank and cox.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "TOLERANCE", "aeq_sorted", "aeq_times",
]

TOLERANCE = float(np.sqrt(np.finfo(float).eps))  # R: .Machine$double.eps^0.5


def aeq_sorted(ts: np.ndarray) -> np.ndarray:
    """``aeqSurv`` on times sorted ascending (no missing values); returns ``ts`` itself when
    no two distinct times are near-equal."""
    if ts.size < 2:
        return ts
    new = np.concatenate(([True], ts[1:] != ts[:-1]))
    y = ts[new]  # the distinct times
    if y.size < 2:
        return ts
    dy = np.diff(y)
    scale = np.mean(np.abs(y))
    tied = dy <= TOLERANCE
    if scale > 0:
        tied |= (dy / scale) <= TOLERANCE
    if not tied.any():
        return ts
    start = np.concatenate(([True], ~tied))  # distinct times that start a run (R's cuts)
    cuts = y[start]
    # row -> its distinct time -> that time's run -> the run's first time (R's findInterval)
    return cuts[(np.cumsum(start) - 1)[np.cumsum(new) - 1]]


def aeq_times(t: np.ndarray) -> np.ndarray:
    """``aeqSurv`` on times in any order (same order out)."""
    order = np.argsort(t, kind="stable")
    out = np.empty_like(t, dtype=float)
    out[order] = aeq_sorted(t[order])
    return out
