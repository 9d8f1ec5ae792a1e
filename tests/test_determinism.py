"""Same answer on every machine: the matched sets do not depend on the BLAS kernel.

numpy's OpenBLAS picks a kernel for the CPU it runs on; ``OPENBLAS_CORETYPE`` forces another one
(Sandybridge and Nehalem run on any x86-64 CPU), which rounds sums in a different order. The
matcher runs in a fresh interpreter under each kernel on tie-heavy data (survival::lung and
survival::colon: integer covariates, many equal distances) and on a synthetic series with a
handful of covariate patterns; every matched set must be identical, and the hazard ratio after
matching may differ only by rounding (1e-12 relative: its last bits come from BLAS sums).
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, sys
import numpy as np, pandas as pd
sys.path.insert(0, sys.argv[1])
import nelm_stats as ns
from tests.refcheck import load_reference
ref = load_reference("propensity")
lung = pd.DataFrame(ref["lung"]).set_index("row")
colon = pd.DataFrame(ref["colon"]).set_index("row")
rng = np.random.default_rng(11)
n = 3000
syn = pd.DataFrame({"grade": rng.integers(1, 4, n), "age": rng.integers(40, 80, n) // 5 * 5,
                    "bilobar": rng.integers(0, 2, n), "time": rng.exponential(40, n).round(1),
                    "event": rng.integers(0, 2, n)})
syn["icg"] = (rng.random(n) < 0.2 + 0.1 * syn.grade).astype(int)
cases = [(lung, "sex", ["age", "ph_ecog"]), (colon, "lev5fu", ["age", "nodes", "sex"]),
         (syn, "icg", ["grade", "age", "bilobar"])]
designs = [dict(), dict(caliper=None), dict(ratio=2), dict(ratio=3, caliper=None), dict(replace=True),
           dict(ratio=2, replace=True, caliper_scale="propensity"), dict(caliper=0.05, caliper_scale="propensity")]
out = []
for data, t, covs in cases:
    for kw in designs:
        m = ns.propensity_match(data, t, covs, **kw)
        out.append([list(map(int, m.pairs["treated"])), list(map(int, m.pairs["control"]))])
for kw in (dict(exact=["bilobar"]), dict(exact=["grade"], ratio=2, caliper=None)):
    m = ns.propensity_match(syn, "icg", ["grade", "age", "bilobar"], **kw)
    out.append([list(map(int, m.pairs["treated"])), list(map(int, m.pairs["control"]))])
m = ns.propensity_match(colon, "lev5fu", ["age", "nodes", "sex"])
out.append(float(ns.matched_survival(m, "time", "status").hazard_ratio))
print(json.dumps(out))
"""

KERNELS = ["Sandybridge", "Nehalem"]


def _run(kernel: str | None) -> list:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_CORETYPE",)}
    if kernel:
        env["OPENBLAS_CORETYPE"] = kernel
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(ROOT)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="OpenBLAS core types are x86-64 names")
def test_matched_sets_identical_under_every_blas_kernel():
    base = _run(None)
    assert len(base) == 24 and all(len(p[0]) > 0 for p in base[:-1])
    for kernel in KERNELS:
        other = _run(kernel)
        for i, (a, b) in enumerate(zip(base[:-1], other[:-1])):
            assert a == b, f"matched set {i} differs under OPENBLAS_CORETYPE={kernel}"
        assert other[-1] == pytest.approx(base[-1], rel=1e-12, abs=0)
