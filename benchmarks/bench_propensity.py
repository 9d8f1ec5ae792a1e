"""Timings of propensity-score matching and weighting (a script that prints timings, not a test).

MatchIt 4.7.2 on the same machine takes about 0.5 s for 100 000 patients, 1:1 with a caliper
(issue 7); MatchIt cannot be installed here, so R's side is glm() alone (the propensity model),
run when Rscript exists.  Usage: .venv/bin/python benchmarks/bench_propensity.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import nelm_stats as ns  # noqa: E402
from nelm_stats.estimators import propensity as P  # noqa: E402


def simulate(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(62, 11, n)
    ki67 = rng.gamma(2.0, 3.0, n)
    grade = rng.choice(["G1", "G2", "G3"], n, p=[0.5, 0.4, 0.1])
    bilobar = rng.random(n) < 0.4
    lp = -1.2 + 0.02 * (age - 62) + 0.05 * ki67 + 0.5 * (grade == "G3") + 0.4 * bilobar
    treat = rng.random(n) < 1 / (1 + np.exp(-lp))
    return pd.DataFrame({"treat": treat, "age": age, "ki67": ki67, "grade": grade, "bilobar": bilobar})


def timed(label, fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<58s} {best:8.3f} s")
    return out


def main() -> None:
    covs = ["age", "ki67", "grade", "bilobar"]
    for n in (10_000, 100_000):
        d = simulate(n)
        print(f"--- n = {n:,} ({int(d.treat.sum()):,} treated)")
        timed("propensity model (IRLS logistic)", lambda: ns.propensity_model(d, "treat", covs))
        r = timed("propensity_match 1:1, caliper 0.2 SD logit", lambda: ns.propensity_match(d, "treat", covs))
        print(f"    matched {r.n_treated_matched:,} of {r.n_treated:,} treated")
        model = ns.propensity_model(d, "treat", covs)
        ps = model.propensity.to_numpy()
        dist = np.log(ps / (1 - ps))
        treat = d.treat.to_numpy()
        width = 0.2 * dist.std(ddof=1)
        timed("  matching step alone (1:1, caliper)", lambda: P._nearest(dist, treat, 1, width, False, None))
        timed("  matching step alone (1:1, no caliper)", lambda: P._nearest(dist, treat, 1, None, False, None))
        timed("  matching step alone (1:3, caliper)", lambda: P._nearest(dist, treat, 3, width, False, None))
        timed("  matching step alone (1:1, with replacement)", lambda: P._nearest(dist, treat, 1, width, True, None))
        timed("iptw ATE stabilised", lambda: ns.iptw(d, "treat", covs))
    if shutil.which("Rscript"):
        d = simulate(100_000)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "d.csv"
            d.to_csv(path, index=False)
            code = (
                f"d <- read.csv('{path}'); d$treat <- d$treat == 'True'; "
                "t <- system.time(for (i in 1:3) fit <- glm(treat ~ age + ki67 + grade + bilobar, binomial, d)); "
                "cat(sprintf('%-58s %8.3f s\\n', 'R glm(binomial), n = 100,000', t[['elapsed']] / 3))"
            )
            print(subprocess.run(["Rscript", "-e", code], capture_output=True, text=True).stdout, end="")
        print("(MatchIt 4.7.2 is not installable here; issue 7 quotes ~0.5 s for the 100,000 1:1 caliper match.)")


if __name__ == "__main__":
    main()
