"""Timings of the comparison functions at 100 000 patients (a script that prints timings, not a test).

table_one (6 variables by a binary group), compare_rates, diagnostic_accuracy, roc_analysis
(DeLong CI) and iptw, each the best of 3 runs; R side by side when Rscript exists, on the same
data (written to a temporary CSV):

  table_one           -> per variable mean, sd, median, quartiles by group and the test ours
                         chose (t.test / chisq.test), as a Table 1 script does (no tableone here)
  compare_rates       -> stats::chisq.test + fisher.test (OR, exact CI) + prop.test per group
  diagnostic_accuracy -> epiR::epi.tests on the 2 x 2 table
  roc_analysis        -> pROC::roc + ci.auc(method = "delong")
  iptw                -> glm(binomial) and the stabilised ATE weights (WeightIt is not installed)

Usage: .venv/bin/python benchmarks/bench_comparison.py [n]
"""
from __future__ import annotations

import os
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

VARIABLES = ["age", "ki67", "grade", "sex", "bilobar", "n_lesions"]
COVARIATES = ["age", "ki67", "grade", "bilobar"]


def simulate(n: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    age = rng.normal(62, 11, n)
    ki67 = rng.gamma(2.0, 3.0, n)
    grade = pd.Categorical(rng.choice(["G1", "G2", "G3"], n, p=[0.5, 0.4, 0.1]),
                           categories=["G1", "G2", "G3"], ordered=True)
    sex = rng.choice(["female", "male"], n)
    bilobar = rng.random(n) < 0.4
    n_lesions = rng.poisson(3, n) + 1
    lp = -1.2 + 0.02 * (age - 62) + 0.05 * ki67 + 0.5 * (grade == "G3") + 0.4 * bilobar
    treat = rng.random(n) < 1 / (1 + np.exp(-lp))
    r1 = rng.random(n) < np.where(treat, 0.12, 0.15)
    truth = rng.random(n) < 0.3
    score = rng.normal(0, 1, n) + 1.2 * truth
    test = np.where(truth, rng.random(n) < 0.85, rng.random(n) < 0.2)
    return pd.DataFrame({"treat": treat, "age": age, "ki67": ki67, "grade": grade, "sex": sex,
                         "bilobar": bilobar, "n_lesions": n_lesions, "r1": r1, "truth": truth,
                         "score": score, "test": test})


def timed(label: str, fn, repeat: int = 3) -> tuple[float, object]:
    best, out = np.inf, None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    return best, out


R_CODE = r"""
suppressPackageStartupMessages({ library(pROC); library(epiR) })
d <- read.csv("{path}")
for (v in c("treat", "bilobar", "r1", "truth", "test")) d[[v]] <- d[[v]] == "True"
d$grade <- factor(d$grade, levels = c("G1", "G2", "G3"))
best <- function(f) min(sapply(1:3, function(i) system.time(f())[["elapsed"]]))
tab1 <- function() {
  for (v in c("age", "ki67", "n_lesions")) {
    x <- d[[v]]
    tapply(x, d$treat, mean); tapply(x, d$treat, sd)
    tapply(x, d$treat, quantile, c(0.25, 0.5, 0.75)); t.test(x ~ d$treat)
  }
  for (v in c("grade", "sex", "bilobar")) { tb <- table(d[[v]], d$treat); prop.table(tb, 2); chisq.test(tb) }
}
rates <- function() {
  tb <- table(d$treat, d$r1); chisq.test(tb); fisher.test(tb)
  for (g in c(FALSE, TRUE)) prop.test(sum(d$r1[d$treat == g]), sum(d$treat == g))
}
acc <- function() epi.tests(table(factor(d$test, c(TRUE, FALSE)), factor(d$truth, c(TRUE, FALSE))))
roc1 <- function() { r <- roc(d$truth, d$score, quiet = TRUE); ci.auc(r, method = "delong") }
iptw <- function() {
  fit <- glm(treat ~ age + ki67 + grade + bilobar, binomial, d); p <- fitted(fit)
  pt <- mean(d$treat); w <- ifelse(d$treat, pt / p, (1 - pt) / (1 - p))
  sapply(c("age", "ki67", "bilobar"), function(v) tapply(seq_along(w), d$treat, function(i) weighted.mean(d[[v]][i], w[i])))
}
cat(sprintf("%s=%.4f\n", c("table_one", "compare_rates", "diagnostic_accuracy", "roc_analysis", "iptw"),
            c(best(tab1), best(rates), best(acc), best(roc1), best(iptw))), sep = "")
"""


def r_timings(d: pd.DataFrame) -> dict[str, float]:
    if not shutil.which("Rscript"):
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.csv"
        d.to_csv(path, index=False)
        run = subprocess.run(["Rscript", "-e", R_CODE.replace("{path}", str(path))],
                             capture_output=True, text=True, env={**os.environ, "TZ": "UTC"})
    out = {}
    for line in run.stdout.splitlines():
        key, _, val = line.partition("=")
        if val:
            out[key] = float(val)
    if not out:
        print("R failed:", run.stderr[-500:])
    return out


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    d = simulate(n)
    ours = {}
    ours["table_one"], tab = timed("table_one", lambda: ns.table_one(d, "treat", VARIABLES))
    ours["compare_rates"], _ = timed("compare_rates", lambda: ns.compare_rates(d, "r1", "treat"))
    ours["diagnostic_accuracy"], _ = timed("diagnostic_accuracy",
                                           lambda: ns.diagnostic_accuracy(d, "test", "truth"))
    ours["roc_analysis"], roc = timed("roc_analysis", lambda: ns.roc_analysis(d, "score", "truth"))
    ours["iptw"], _ = timed("iptw", lambda: ns.iptw(d, "treat", COVARIATES))
    r = r_timings(d)
    print(f"n = {n:,} patients ({int(d.treat.sum()):,} treated); best of 3 runs, seconds")
    print(f"{'function':<22s} {'nelm_stats':>11s} {'R':>9s}  R side")
    sides = {"table_one": "t.test/chisq.test + summaries", "compare_rates": "chisq.test + fisher.test + prop.test",
             "diagnostic_accuracy": "epiR::epi.tests", "roc_analysis": "pROC::roc + ci.auc (DeLong)",
             "iptw": "glm + weights + weighted means"}
    for k, v in ours.items():
        rv = f"{r[k]:9.3f}" if k in r else f"{'-':>9s}"
        print(f"{k:<22s} {v:11.3f} {rv}  {sides[k]}")
    print("tests chosen by table_one:", ", ".join(
        f"{v}: {t}" for v, t in tab.table.drop_duplicates("variable")[["variable", "test"]].itertuples(index=False)))
    print(f"AUC {roc.auc:.4f} (DeLong CI {roc.ci_lower:.4f}-{roc.ci_upper:.4f})")


if __name__ == "__main__":
    main()
