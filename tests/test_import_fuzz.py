"""Any mapping a user can choose in the page, on any corpus file, ends in a cohort or an AnalysisError.

(Random but reproducible role assignments; a traceback on the page would be a failure here.)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import nelm_stats as ns
from nelm_stats.intake.mapping import ColumnMapping, KEEP, DROP, roles_for

CORPUS = Path(__file__).resolve().parent / "corpus"
FILES = sorted(f for f in CORPUS.iterdir()
               if f.suffix in (".csv", ".tsv", ".xlsx", ".dta", ".sav", ".parquet") and f.name != "not_a_table.csv")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_random_mappings_never_crash(path):
    rng = np.random.default_rng(len(path.name))
    raw = ns.read_table(path.read_bytes(), path.name).data
    roles = roles_for("cohort")
    for _ in range(8):
        chosen, seen = {}, set()
        for c, r in zip(raw.columns, rng.choice(roles, size=raw.shape[1])):
            r = str(r)
            if r in seen and r not in (KEEP, DROP):
                r = KEEP
            seen.add(r)
            chosen[c] = r
        mapping = ColumnMapping(chosen, date_order=str(rng.choice(["dmy", "mdy"])))
        try:
            mapped = ns.apply_mapping(raw, mapping)
            for source in ("auto", "dates", "supplied"):
                try:
                    prepared = ns.prepare_cohort(
                        mapped.data, unparsed_dates=mapped.unparsed_dates, source=source,
                        rfs_definition=str(rng.choice(list(ns.RFS_DEFINITIONS))),
                        unit=str(rng.choice(["days", "months", "years"])))
                except ns.AnalysisError:
                    continue
                assert prepared.flow["n_remaining"].iloc[-1] == len(prepared.data)
                assert prepared.flow["n_remaining"].iloc[0] == len(raw)
        except ns.AnalysisError:
            pass


def test_supplied_rfs_hepatic_without_site_column():
    import pandas as pd

    data = pd.DataFrame({"rfs_months": [5.0, 7.0], "recurrence": [True, False], "death": [False, False]})
    d = ns.derive_endpoints(data, rfs_definition="hepatic_progression")
    assert pd.isna(d.data["rfs_event"].iloc[0]) and d.data["rfs_event"].iloc[1] == False  # noqa: E712
