"""The synthetic demo cohorts shipped in data/samples/ (see its README for what each mirrors)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import InputError
from .schema import COLUMNS_BY_NAME, LESION_COLUMNS_BY_NAME, MARGINS, coerce_cohort, coerce_lesions

__all__ = [
    "SAMPLES_DIR", "SAMPLES", "DEFAULT_SAMPLE", "sample_names", "describe_sample", "load_sample",
    "load_sample_lesions", "coerce_extras",
]

SAMPLES_DIR = Path(__file__).resolve().parent.parent / "data" / "samples"

# name -> (file, lesion file or None, one-line description)
SAMPLES: dict[str, tuple[str, str | None, str]] = {
    "icg_lpsh": (
        "icg_lpsh.csv",
        "icg_lpsh_lesions.csv",
        "51 laparoscopic parenchyma-sparing hepatectomies, ICG fluorescence vs none",
    ),
    "mimic": (
        "mimic_patients.csv",
        "mimic_lesions.csv",
        "201 patients / 316 lesions, ICG fluorescence at the margin vs histological R1",
    ),
    "jp_multicenter": (
        "jp_multicenter.csv",
        None,
        "222 resections from a multicentre survey; grade G3 and survival",
    ),
    "mayo_cystic": (
        "mayo_cystic.csv",
        None,
        "464 debulking hepatectomies (>90 % cytoreduction), 12 with cystic metastases",
    ),
    "aggressive_resection": (
        "aggressive_resection.csv",
        None,
        "28 patients of a historic series, resected vs not resected",
    ),
}

DEFAULT_SAMPLE = "icg_lpsh"


def sample_names() -> list[str]:
    return list(SAMPLES)


def describe_sample(name: str) -> str:
    _check(name)
    return SAMPLES[name][2]


def _check(name: str) -> None:
    if name not in SAMPLES:
        raise InputError(f"There is no sample cohort '{name}'. Samples: {', '.join(SAMPLES)}.")


def load_sample(name: str) -> pd.DataFrame:
    """One sample cohort, one row per patient, with canonical dtypes."""
    _check(name)
    return coerce_extras(coerce_cohort(pd.read_csv(SAMPLES_DIR / SAMPLES[name][0])), COLUMNS_BY_NAME)


def load_sample_lesions(name: str) -> pd.DataFrame | None:
    """The sample's lesion table, or None when it has none."""
    _check(name)
    lesion_file = SAMPLES[name][1]
    if lesion_file is None:
        return None
    return coerce_extras(coerce_lesions(pd.read_csv(SAMPLES_DIR / lesion_file)), LESION_COLUMNS_BY_NAME)


def coerce_extras(df: pd.DataFrame, canonical: dict) -> pd.DataFrame:
    """Dtypes for a sample's paper-specific extra columns (documented in data/samples/README.md):
    ``*_date`` -> dates, ``margin_status_*`` -> ordered R0 < R1 < R2, True/False text -> boolean."""
    for name in df.columns:
        if name in canonical:
            continue
        s = df[name]
        if name.endswith("_date"):
            df[name] = pd.to_datetime(s, format="ISO8601")
        elif name.startswith("margin_status"):
            df[name] = pd.Categorical(s.astype(object).where(s.notna(), None), categories=list(MARGINS), ordered=True)
        elif not pd.api.types.is_numeric_dtype(s) and s.notna().any():
            if set(s.dropna().astype(str)) <= {"True", "False"}:
                df[name] = s.map({"True": True, "False": False, True: True, False: False}).astype("boolean")
    return df
