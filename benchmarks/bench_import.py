"""Import pipeline timings: each step on a 5 000- and a 100 000-row registry export, and one
Import-page interaction under AppTest on a 5 000-row upload.

Run: .venv/bin/python benchmarks/bench_import.py  [--no-app | --app-only]
The export is the page's demo format (semicolons, decimal commas, dd.mm.yyyy, ja/nein) made
from a synthetic sample cohort repeated to the wanted size (ids made unique), with a few
problem rows (dates before surgery, a duplicated id, an impossible value).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import nelm_stats as ns  # noqa: E402
from nelm_stats.intake import quality as ns_quality  # noqa: E402

SIZES = (5_000, 100_000)
SAMPLE = "jp_multicenter"


def registry_export(n: int, sample: str = SAMPLE) -> bytes:
    """A registry export with ``n`` patients (the sample's rows repeated, ids made unique)."""
    base = ns.load_sample(sample)
    k = -(-n // len(base))
    data = pd.concat([base] * k, ignore_index=True).iloc[:n].copy()
    data["patient_id"] = [f"P{i:06d}" for i in range(n)]
    data.loc[data.index[3], "patient_id"] = data["patient_id"].iloc[2]  # a duplicated id
    data.loc[data.index[5], "age"] = 140.0  # an impossible age
    data.loc[data.index[7], "last_follow_up_date"] = pd.Timestamp("1990-01-01")  # before surgery
    return ns.intake.read.demo_registry_export(data)


def _timed(label, fn, times):
    t0 = time.perf_counter()
    out = fn()
    times[label] = time.perf_counter() - t0
    return out


def pipeline_times(content: bytes) -> dict[str, float]:
    """Seconds per step, in the page's order."""
    t: dict[str, float] = {}
    read = _timed("read_table", lambda: ns.read_table(content, "export.csv"), t)
    raw = read.data
    _timed("flag_identifiers", lambda: ns.flag_identifiers(raw), t)
    mapping = _timed("suggest_mapping", lambda: ns.suggest_mapping(raw), t)
    _timed("mapping_table", lambda: ns.mapping_table(raw, mapping), t)
    _timed("date_order_check", lambda: ns.date_order_check(raw, mapping), t)
    mapped = _timed("apply_mapping", lambda: ns.apply_mapping(raw, mapping), t)
    _timed("derive_endpoints", lambda: ns.derive_endpoints(mapped.data), t)
    _timed("find_problems", lambda: ns.find_problems(mapped.data, unparsed_dates=mapped.unparsed_dates), t)
    _timed("row_numbers", lambda: ns_quality.row_numbers(mapped.data), t)
    _timed("prepare_cohort", lambda: ns.prepare_cohort(mapped.data, unparsed_dates=mapped.unparsed_dates), t)
    t["total"] = sum(t.values())
    return t


def app_interaction(n: int = 5_000, repeats: int = 3) -> dict[str, float]:
    """Seconds of AppTest runs of the Import page on an n-row upload: first run, then late choices."""
    from streamlit.testing.v1 import AppTest

    import ui

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    at.run()
    at.switch_page("pages/data_import.py")
    at.session_state[ui.Keys.IMPORT_DEMO] = ("registry_export.csv", registry_export(n))
    out: dict[str, float] = {}
    t0 = time.perf_counter()
    at.run()
    out["first run (upload)"] = time.perf_counter() - t0
    assert not at.exception, at.exception
    radio = next(r for r in at.radio if r.key == ui.Keys.IMPORT_RFS_DEFINITION)
    choices = ["recurrence_only", "hepatic_progression", "recurrence_or_death"]
    runs = []
    for i in range(repeats):
        radio = next(r for r in at.radio if r.key == ui.Keys.IMPORT_RFS_DEFINITION)
        t0 = time.perf_counter()
        radio.set_value(choices[i % 3]).run()
        runs.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    out["change RFS definition (median)"] = sorted(runs)[len(runs) // 2]
    runs = []
    for i in range(repeats):
        unit = next(r for r in at.radio if r.key == ui.Keys.IMPORT_UNIT)
        t0 = time.perf_counter()
        unit.set_value(["days", "years", "months"][i % 3]).run()
        runs.append(time.perf_counter() - t0)
    out["change time unit (median)"] = sorted(runs)[len(runs) // 2]
    runs = []
    for i in range(repeats):
        box = next(c for c in at.checkbox if c.key == ui.Keys.IMPORT_DROP_DATES)
        t0 = time.perf_counter()
        box.set_value(i % 2 == 0).run()
        runs.append(time.perf_counter() - t0)
    out["toggle 'drop raw dates' (median)"] = sorted(runs)[len(runs) // 2]
    runs = []
    for i in range(repeats):
        action = at.selectbox(key=f"{ui.Keys.IMPORT_ACTION}_duplicate_id")
        t0 = time.perf_counter()
        action.set_value(["exclude_all", "keep_all", "keep_first"][i % 3]).run()
        runs.append(time.perf_counter() - t0)
        assert not at.exception, at.exception
    out["change a problem's action (median)"] = sorted(runs)[len(runs) // 2]
    return out


def main(argv: list[str]) -> None:
    for n in () if "--app-only" in argv else SIZES:
        content = registry_export(n)
        t = pipeline_times(content)
        print(f"\n{n:,} rows ({len(content) / 1e6:.1f} MB)")
        for k, v in t.items():
            print(f"  {k:<20} {v * 1000:9.1f} ms")
    if "--no-app" not in argv:
        print("\nImport page under AppTest, 5,000-row upload")
        for k, v in app_interaction().items():
            print(f"  {k:<34} {v * 1000:9.1f} ms")


if __name__ == "__main__":
    main(sys.argv[1:])
