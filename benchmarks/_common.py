"""What the benchmark scripts share: best-of-n timing and running an R script on the same data."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd


def timed(label: str, fn, repeat: int = 3):
    """Run ``fn`` ``repeat`` times, print the best wall time, return the last result."""
    best = np.inf
    out = None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t)
    print(f"{label:<60s} {best:8.3f} s")
    return out


def run_rscript(code: str, d: pd.DataFrame, *args: str, timeout: int = 300) -> list[float] | None:
    """Run R ``code`` with (csv path, *args) as its arguments on ``d`` written to a temporary
    CSV; return the numbers it prints ('NA' -> NaN), or None without Rscript / on failure."""
    if shutil.which("Rscript") is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "d.csv", Path(tmp) / "bench.R"
        d.to_csv(csv, index=False)
        script.write_text(code)
        try:
            res = subprocess.run(["Rscript", str(script), str(csv), *map(str, args)],
                                 capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
    if res.returncode != 0:
        print("  (R failed: " + res.stderr.strip().splitlines()[-1] + ")")
        return None
    return [float("nan") if x == "NA" else float(x) for x in res.stdout.split()]
