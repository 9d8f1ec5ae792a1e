"""Timings of Kaplan–Meier by group and the log-rank test (prints timings; not a test).

Issue 4: at 100 000 patients, KM by group plus the log-rank test must take no longer than R's
survfit + survdiff on the same machine (about 0.2 s), and 1 000 000 rows must still work.
R's side runs when Rscript is installed (same simulated data, written to a temporary CSV).
Usage: .venv/bin/python benchmarks/bench_survival.py
"""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import nelm_stats as ns  # noqa: E402
from benchmarks._common import run_rscript, timed  # noqa: E402

SIZES = (100_000, 1_000_000)


def simulate(n: int, seed: int = 1) -> pd.DataFrame:
    """Three grades with different hazards, uniform censoring, times in months (2 decimals)."""
    rng = np.random.default_rng(seed)
    grade = rng.choice(["G1", "G2", "G3"], n, p=[0.5, 0.35, 0.15])
    rate = np.select([grade == "G1", grade == "G2"], [0.01, 0.02], 0.05)
    t_event = rng.exponential(1 / rate)
    t_cens = rng.uniform(1, 120, n)
    time_ = np.round(np.minimum(t_event, t_cens), 2)
    event = (t_event <= t_cens).astype(int)
    grade = pd.Categorical(grade, categories=["G1", "G2", "G3"], ordered=True)
    return pd.DataFrame({"time": time_, "event": event, "grade": grade,
                         "w": rng.uniform(0.5, 2.0, n)})


R_CODE = r"""
suppressPackageStartupMessages(library(survival))
args <- commandArgs(TRUE)
d <- read.csv(args[1])
nrep <- as.integer(args[2]); weighted <- args[3] == "1"
d$grade <- factor(d$grade, levels = c("G1", "G2", "G3"))
best <- function(expr) { e <- substitute(expr); f <- parent.frame()
  min(replicate(nrep, system.time(eval(e, f))[["elapsed"]])) }
t1 <- best(survfit(Surv(time, event) ~ grade, data = d))
t2 <- best(survdiff(Surv(time, event) ~ grade, data = d))
t3 <- best({survfit(Surv(time, event) ~ grade, data = d); survdiff(Surv(time, event) ~ grade, data = d)})
t4 <- if (weighted) system.time(survfit(Surv(time, event) ~ grade, data = d, weights = w))[["elapsed"]] else NA
cat(sprintf("%.3f %.3f %.3f %.3f\n", t1, t2, t3, t4))
"""


def run_r(d: pd.DataFrame, repeat: int, weighted: bool) -> list[float] | None:
    return run_rscript(R_CODE, d, repeat, "1" if weighted else "0")


def main() -> None:
    has_logrank = hasattr(ns, "logrank_test")
    for n in SIZES:
        d = simulate(n)
        print(f"--- n = {n:,} ({int(d.event.sum()):,} events, 3 groups)")
        timed("kaplan_meier by group", lambda: ns.kaplan_meier(d, "time", "event", "grade"))
        timed("kaplan_meier by group, non-integer weights (robust SE)",
              lambda: ns.kaplan_meier(d, "time", "event", "grade", weights="w"))
        fit = ns.kaplan_meier(d, "time", "event", "grade")
        timed("  .at([12, 36, 60])", lambda: fit.at([12, 36, 60]))
        if has_logrank:
            timed("logrank_test", lambda: ns.logrank_test(d, "time", "event", "grade"))
            timed("kaplan_meier by group + logrank_test",
                  lambda: (ns.kaplan_meier(d, "time", "event", "grade"),
                           ns.logrank_test(d, "time", "event", "grade")))
        else:
            print("logrank_test: not available yet")
        # R's robust (IJ) weighted survfit is slow (about 1 min at 1e6 rows): only at 1e5
        r = run_r(d, repeat=3 if n <= 100_000 else 1, weighted=n <= 100_000)
        if r is not None:
            print(f"{'R survfit ~ grade':<60s} {r[0]:8.3f} s")
            print(f"{'R survdiff ~ grade':<60s} {r[1]:8.3f} s")
            print(f"{'R survfit + survdiff':<60s} {r[2]:8.3f} s")
            if np.isfinite(r[3]):
                print(f"{'R survfit ~ grade, weights = w (robust SE)':<60s} {r[3]:8.3f} s")
        elif shutil.which("Rscript") is None:
            print("(Rscript not found: no R timings)")


if __name__ == "__main__":
    main()
