"""Linear-algebra decisions that must not depend on the machine.

Whether a variance matrix is singular decides whether a test is reported at all. A matrix that
is singular in exact arithmetic (e.g. survdiff's variance when different groups are at risk in
different strata) comes out of floating point with round-off in place of its zero eigenvalue,
and that round-off, so its reciprocal condition number (about 1e-17 to 1e-14), depends on the
CPU and the BLAS kernel. R's ``solve()`` stops below machine epsilon (2.2e-16), a threshold
inside that noise. Here the threshold is ``SINGULAR_RCOND`` = 1e-10, far above round-off: a
matrix singular in exact arithmetic is declared singular on every machine. The price: where
R's ``solve()`` would still return a statistic from a nearly singular variance (reciprocal
condition number between 2.2e-16 and 1e-10, i.e. a statistic that is mostly round-off), the
statistic here is NaN ("could not be computed").

Rank decisions by pivoted QR use R's ``dqrdc2`` rule with its tolerance 1e-7 (as ``glm`` and
``qr()``), again far above round-off.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "SINGULAR_RCOND", "QR_TOL", "rcond", "is_singular", "quadratic_form", "independent_columns",
]

SINGULAR_RCOND = 1e-10
QR_TOL = 1e-7


def rcond(m: np.ndarray) -> float:
    """Reciprocal condition number in the 1-norm (0 when singular or not finite)."""
    m = np.asarray(m, dtype=float)
    if m.size == 0 or not np.all(np.isfinite(m)):
        return 0.0
    try:
        with np.errstate(all="ignore"):
            r = 1.0 / np.linalg.cond(m, 1)
    except np.linalg.LinAlgError:
        return 0.0
    return float(r) if np.isfinite(r) else 0.0


def is_singular(m: np.ndarray) -> bool:
    """True when ``m`` is singular to the project's working precision (rcond < 1e-10)."""
    return rcond(m) < SINGULAR_RCOND


def quadratic_form(m: np.ndarray, u: np.ndarray) -> float:
    """u' m^-1 u, or NaN where ``m`` is singular (``is_singular``)."""
    if is_singular(m):
        return float("nan")
    try:
        return float(u @ np.linalg.solve(m, u))
    except np.linalg.LinAlgError:
        return float("nan")


def independent_columns(X: np.ndarray, tol: float = QR_TOL) -> list[int]:
    """Columns kept by R's pivoting QR (dqrdc2, tol 1e-7): later collinear columns are aliased."""
    X = np.asarray(X, dtype=float)
    norms = np.linalg.norm(X, axis=0)
    r_diag = np.abs(np.diag(np.linalg.qr(X, mode="r"))) if X.shape[0] >= X.shape[1] else np.zeros(X.shape[1])
    if np.all(norms > 0) and np.all(r_diag > tol * norms):
        return list(range(X.shape[1]))  # full rank: the usual case
    keep = []
    Q = np.zeros((X.shape[0], 0))
    for j in range(X.shape[1]):
        x = X[:, j]
        norm = np.linalg.norm(x)
        r = x - Q @ (Q.T @ x) if Q.shape[1] else x
        r = r - Q @ (Q.T @ r) if Q.shape[1] else r
        rn = np.linalg.norm(r)
        if norm > 0 and rn > tol * norm:
            keep.append(j)
            Q = np.column_stack([Q, r / rn])
    return keep
