"""Weighted means and variances, once for the package (Table 1 and propensity balance use them)."""
from __future__ import annotations

import numpy as np

__all__ = ["wmean", "wvar", "wvar_binary"]


def wmean(x, w) -> float:
    """sum(w x) / sum(w); NaN when the weights sum to zero."""
    sw = float(np.sum(w))
    return float(np.sum(w * x) / sw) if sw > 0 else float("nan")


def wvar(x, w) -> float:
    """Unbiased weighted variance with reliability weights (as R's cov.wt / cobalt / MatchIt):
    sum(w (x - m)^2) sum(w) / (sum(w)^2 - sum(w^2)); NaN when that denominator is not positive
    (e.g. a single observation)."""
    sw, sw2 = float(np.sum(w)), float(np.sum(np.square(w)))
    denom = sw * sw - sw2
    if denom <= 0:
        return float("nan")
    m = np.sum(w * x) / sw
    return float(np.sum(w * (x - m) ** 2) * sw / denom)


def wvar_binary(x, w) -> float:
    """Variance of a 0/1 variable as p(1 - p) with p its weighted mean (MatchIt, cobalt)."""
    m = wmean(x, w)
    return float(m * (1 - m))
