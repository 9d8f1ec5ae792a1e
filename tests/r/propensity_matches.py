"""Writes tests/r/propensity_lung_matches.csv: the matched sets that tests/r/propensity.R fits
coxph(..., cluster = match_id) on, made by nelm_stats' matcher so R and Python use the same pairs.

    .venv/bin/python tests/r/propensity_matches.py && Rscript tests/r/propensity.R

Data: survival::lung (rows numbered 1..228 as in R), treatment sex (2 = female "treated"),
covariates age and ph.ecog; nearest-neighbour matching with a 0.2 SD caliper on the logit
propensity, 1:1, 2:1, and 2:1 with replacement (one row per patient per matched set).  tests/test_propensity.py checks that the matcher still gives these sets.
"""
from __future__ import annotations

import subprocess
import sys
from io import StringIO
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
import nelm_stats as ns  # noqa: E402

R_LUNG = ('l <- survival::lung; write.csv(data.frame(time = l$time, status = l$status - 1, '
          'sex = l$sex, age = l$age, ph_ecog = l$ph.ecog), stdout(), row.names = FALSE)')

lung = pd.read_csv(StringIO(subprocess.run(["Rscript", "-e", R_LUNG], capture_output=True, text=True,
                                           check=True).stdout))
lung.index = range(1, len(lung) + 1)
out = []
for design, kw in (("1:1", dict(ratio=1)), ("2:1", dict(ratio=2)),
                   ("2:1 with replacement", dict(ratio=2, replace=True))):
    res = ns.propensity_match(lung, "sex", ["age", "ph_ecog"], **kw)
    m = res.matched[["match_id", "match_weight"]].copy()
    m.insert(0, "row", m.index)
    m.insert(0, "design", design)
    out.append(m)
pd.concat(out).to_csv(ROOT / "tests" / "r" / "propensity_lung_matches.csv", index=False)
