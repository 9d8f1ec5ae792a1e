"""Timings of the log-rank family and of cumulative incidence (prints timings; not a test).

logrank_test (log-rank, Peto–Peto, stratified, trend), pairwise_logrank and
cumulative_incidence with Gray's test at 100 000 and 1 000 000 patients, with R's survdiff
and cmprsk::cuminc side by side when Rscript is installed (same simulated data, temporary CSV;
cuminc only at 100 000 rows).
Usage: .venv/bin/python benchmarks/bench_survival_tests.py
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


def simulate(n: int, seed: int = 2) -> pd.DataFrame:
    """Three grades, recurrence (1) competing with death (2), uniform censoring, 2-decimal months."""
    rng = np.random.default_rng(seed)
    grade = rng.choice(["G1", "G2", "G3"], n, p=[0.5, 0.35, 0.15])
    rate = np.select([grade == "G1", grade == "G2"], [0.01, 0.02], 0.05)
    t_rec = rng.exponential(1 / rate)
    t_death = rng.exponential(1 / 0.01, n)
    t_cens = rng.uniform(1, 120, n)
    t = np.minimum(np.minimum(t_rec, t_death), t_cens)
    etype = np.where(t == t_cens, 0, np.where(t == t_rec, 1, 2))
    return pd.DataFrame({
        "time": np.round(t, 2),
        "event": (etype > 0).astype(int),
        "etype": etype,
        "grade": pd.Categorical(grade, categories=["G1", "G2", "G3"], ordered=True),
        "site": rng.choice(["pancreas", "small_bowel", "other"], n),
    })


R_CODE = r"""
suppressPackageStartupMessages({library(survival); library(cmprsk)})
args <- commandArgs(TRUE)
d <- read.csv(args[1]); nrep <- as.integer(args[2]); with_cuminc <- args[3] == "1"
d$grade <- factor(d$grade, levels = c("G1", "G2", "G3"))
best <- function(expr) { e <- substitute(expr); f <- parent.frame()
  min(replicate(nrep, system.time(eval(e, f))[["elapsed"]])) }
t1 <- best(survdiff(Surv(time, event) ~ grade, data = d))
t2 <- best(survdiff(Surv(time, event) ~ grade, data = d, rho = 1))
t3 <- best(survdiff(Surv(time, event) ~ grade + strata(site), data = d))
t4 <- if (with_cuminc) best(cuminc(d$time, d$etype, group = d$grade)) else NA
cat(sprintf("%.3f %.3f %.3f %.3f\n", t1, t2, t3, t4))
"""


def run_r(d: pd.DataFrame, repeat: int, with_cuminc: bool) -> list[float] | None:
    return run_rscript(R_CODE, d, repeat, "1" if with_cuminc else "0")


def main() -> None:
    for n in SIZES:
        d = simulate(n)
        print(f"--- n = {n:,} ({int((d.etype == 1).sum()):,} recurrences, "
              f"{int((d.etype == 2).sum()):,} deaths, 3 groups)")
        timed("logrank_test", lambda: ns.logrank_test(d, "time", "event", "grade"))
        timed("logrank_test rho=1 (Peto-Peto)", lambda: ns.logrank_test(d, "time", "event", "grade", rho=1))
        timed("logrank_test strata=site", lambda: ns.logrank_test(d, "time", "event", "grade", strata="site"))
        timed("logrank_test trend=True", lambda: ns.logrank_test(d, "time", "event", "grade", trend=True))
        timed("pairwise_logrank (3 pairs, Holm)", lambda: ns.pairwise_logrank(d, "time", "event", "grade"))
        timed("cumulative_incidence by grade + Gray's test",
              lambda: ns.cumulative_incidence(d, "time", "etype", "grade"))
        r = run_r(d, repeat=3 if n <= 100_000 else 1, with_cuminc=n <= 100_000)
        if r is not None:
            print(f"{'R survdiff ~ grade':<60s} {r[0]:8.3f} s")
            print(f"{'R survdiff ~ grade, rho = 1':<60s} {r[1]:8.3f} s")
            print(f"{'R survdiff ~ grade + strata(site)':<60s} {r[2]:8.3f} s")
            if np.isfinite(r[3]):
                print(f"{'R cuminc(time, etype, group = grade)':<60s} {r[3]:8.3f} s")
        elif shutil.which("Rscript") is None:
            print("(Rscript not found: no R timings)")


if __name__ == "__main__":
    main()
