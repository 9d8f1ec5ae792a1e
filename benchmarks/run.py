"""Run every benchmarks/bench_*.py in turn (``make bench``); each prints its own timings."""
from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:  # optional filter: names or parts of names, e.g. `run.py survival`
        scripts = [s for s in scripts if any(a in s.stem for a in argv)]
    failed = []
    for script in scripts:
        print(f"=== {script.name}", flush=True)
        start = time.perf_counter()
        res = subprocess.run([sys.executable, str(script)], cwd=HERE.parent)
        print(f"=== {script.name}: {time.perf_counter() - start:.1f} s"
              f"{'' if res.returncode == 0 else f' (exit code {res.returncode})'}\n", flush=True)
        if res.returncode != 0:
            failed.append(script.name)
    if failed:
        print("failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
