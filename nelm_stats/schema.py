"""The canonical cohort schema (one row per patient) and its lesion table.

Column names, their kinds and the allowed categories live here only; the sample
generator, the importer and the pages all read them from this module.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = [
    "Column", "PRIMARY_SITES", "GRADES", "MARGINS", "CLAVIEN_DINDO", "APPROACHES", "RECURRENCE_SITES",
    "SEXES", "COHORT_COLUMNS", "LESION_COLUMNS", "COLUMNS_BY_NAME", "LESION_COLUMNS_BY_NAME",
    "DAYS_PER_MONTH", "DAYS_PER_YEAR", "label", "coerce_cohort", "coerce_lesions",
]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # "id" | "number" | "bool" | "category" | "ordered" | "date" | "text"
    label: str  # what a clinician calls it
    categories: tuple[str, ...] = ()
    unit: str = ""


PRIMARY_SITES = ("pancreas", "small_bowel", "other", "unknown")
GRADES = ("G1", "G2", "G3")
MARGINS = ("R0", "R1", "R2")
CLAVIEN_DINDO = ("0", "I", "II", "IIIa", "IIIb", "IVa", "IVb", "V")
APPROACHES = ("open", "laparoscopic", "robotic")
RECURRENCE_SITES = ("intrahepatic", "extrahepatic", "both")
SEXES = ("female", "male")

COHORT_COLUMNS: tuple[Column, ...] = (
    Column("patient_id", "id", "Patient ID"),
    Column("age", "number", "Age", unit="years"),
    Column("sex", "category", "Sex", SEXES),
    Column("primary_site", "category", "Primary tumour site", PRIMARY_SITES),
    Column("grade", "ordered", "Tumour grade", GRADES),
    Column("neuroendocrine_carcinoma", "bool", "Neuroendocrine carcinoma (NEC, poorly differentiated)"),
    Column("ki67", "number", "Ki-67", unit="%"),
    Column("synchronous", "bool", "Synchronous metastases"),
    Column("primary_resected", "bool", "Primary tumour resected"),
    Column("lesion_count", "number", "Number of liver lesions"),
    Column("largest_lesion_cm", "number", "Largest lesion", unit="cm"),
    Column("bilobar", "bool", "Bilobar disease"),
    Column("extrahepatic_disease", "bool", "Extrahepatic disease"),
    Column("cystic", "bool", "Cystic metastases"),
    Column("surgery_date", "date", "Date of surgery"),
    Column("approach", "category", "Surgical approach", APPROACHES),
    Column("major_hepatectomy", "bool", "Major hepatectomy"),
    Column("parenchyma_sparing", "bool", "Parenchyma-sparing resection"),
    Column("cytoreduction_90", "bool", "Cytoreduction > 90 %"),
    Column("icg", "bool", "ICG fluorescence used"),
    Column("margin_status", "ordered", "Margin status", MARGINS),
    Column("margin_mm", "number", "Closest margin", unit="mm"),
    Column("clavien_dindo", "ordered", "Clavien–Dindo grade", CLAVIEN_DINDO),
    Column("bile_leak", "bool", "Bile leak"),
    Column("mortality_90d", "bool", "90-day mortality"),
    Column("length_of_stay_days", "number", "Length of stay", unit="days"),
    Column("recurrence", "bool", "Recurrence"),
    Column("recurrence_date", "date", "Date of recurrence"),
    Column("recurrence_site", "category", "Site of recurrence", RECURRENCE_SITES),
    Column("death", "bool", "Death"),
    Column("death_date", "date", "Date of death"),
    Column("last_follow_up_date", "date", "Date of last follow-up"),
    Column("rfs_months", "number", "Recurrence-free survival", unit="months"),
    Column("rfs_event", "bool", "RFS event (recurrence or death)"),
    Column("os_months", "number", "Overall survival", unit="months"),
    Column("os_event", "bool", "Death (OS event)"),
)

LESION_COLUMNS: tuple[Column, ...] = (
    Column("patient_id", "id", "Patient ID"),
    Column("lesion_id", "id", "Lesion ID"),
    Column("size_cm", "number", "Lesion size", unit="cm"),
    Column("fluorescence_at_margin", "bool", "Fluorescence at the margin"),
    Column("margin_mm", "number", "Closest margin", unit="mm"),
    Column("margin_status", "ordered", "Margin status", MARGINS),
)

COLUMNS_BY_NAME = {c.name: c for c in COHORT_COLUMNS}
LESION_COLUMNS_BY_NAME = {c.name: c for c in LESION_COLUMNS}

# Derivation defaults (DESIGN.md): months = days / 30.4375.
DAYS_PER_MONTH = 30.4375
DAYS_PER_YEAR = 365.25


def label(name: str) -> str:
    """The clinician's name for a canonical column; other snake_case names are spelled out
    ("fluorescence_score" -> "Fluorescence score"); anything else is returned as it is."""
    col = COLUMNS_BY_NAME.get(name) or LESION_COLUMNS_BY_NAME.get(name)
    if col:
        return col.label
    if isinstance(name, str) and name.isidentifier() and name == name.lower():
        acronyms = {"pfs": "PFS", "rfs": "RFS", "os": "OS", "icg": "ICG", "ki67": "Ki-67", "id": "ID"}
        words = " ".join(acronyms.get(w, w) for w in name.split("_") if w)
        return words[:1].upper() + words[1:] if words else name
    return name


def _coerce(df: pd.DataFrame, spec: dict[str, Column]) -> pd.DataFrame:
    out = df.copy()
    for name in out.columns:
        col = spec.get(name)
        if col is None:
            continue
        s = out[name]
        if col.kind == "bool":
            if s.dtype == object or pd.api.types.is_string_dtype(s):
                s = s.map({"True": True, "False": False, True: True, False: False})
            out[name] = s.astype("boolean") if s.isna().any() else s.astype(bool)
        elif col.kind in ("category", "ordered"):
            out[name] = pd.Categorical(
                s.astype("string").astype(object).where(s.notna(), None),
                categories=list(col.categories),
                ordered=col.kind == "ordered",
            )
        elif col.kind == "date":
            out[name] = pd.to_datetime(s, errors="raise", format="ISO8601")
        elif col.kind == "number":
            out[name] = pd.to_numeric(s)
        elif col.kind == "id":
            out[name] = s.astype(str)
    return out


def coerce_cohort(df: pd.DataFrame) -> pd.DataFrame:
    """Give canonical columns their canonical dtypes (bool, ordered categories, dates)."""
    return _coerce(df, COLUMNS_BY_NAME)


def coerce_lesions(df: pd.DataFrame) -> pd.DataFrame:
    """Same for the lesion table."""
    return _coerce(df, LESION_COLUMNS_BY_NAME)
