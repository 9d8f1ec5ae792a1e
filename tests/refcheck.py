"""Comparing nelm_stats with R reference values (DESIGN.md tolerances).

Reference values are produced by the R scripts in tests/r/ and committed as JSON in
tests/reference/; the suite never needs R.  Tolerances: 1e-6 relative for estimates,
1e-4 relative (no absolute floor) for standard errors, CIs and p-values.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"

# Relative tolerances. Standard errors, CIs and p-values have no absolute floor, so a p-value of
# 1e-30 must match R's to 1e-4 of itself (an absolute floor would let any tiny p pass). Estimates
# keep a floor of 1e-12 only for quantities that are 0 in exact arithmetic, where R prints
# round-off (e.g. a chi-square of 5e-31 for groups with identical curves).
ESTIMATE = dict(rtol=1e-6, atol=1e-12)
INFERENCE = dict(rtol=1e-4, atol=0.0)


def load_reference(name: str) -> dict:
    """tests/reference/<name>.json as written by tests/r/<name>.R."""
    with open(REFERENCE_DIR / f"{name}.json", encoding="utf-8") as f:
        return json.load(f)


def _arr(x):
    a = np.asarray([np.nan if v is None or v == "NA" else v for v in np.atleast_1d(x)], dtype=float)
    return a


def assert_estimate(actual, expected, what: str = "") -> None:
    np.testing.assert_allclose(_arr(actual), _arr(expected), equal_nan=True, err_msg=what, **ESTIMATE)


def assert_inference(actual, expected, what: str = "") -> None:
    np.testing.assert_allclose(_arr(actual), _arr(expected), equal_nan=True, err_msg=what, **INFERENCE)
