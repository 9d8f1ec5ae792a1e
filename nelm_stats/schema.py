"""The canonical cohort schema (one row per patient) and its lesion table.

Column names, their kinds and the allowed categories live here only; the sample
generator, the importer and the pages all read them from this module.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

__all__ = [
    "Column", "PRIMARY_SITES", "GRADES", "MARGINS", "CLAVIEN_DINDO", "APPROACHES", "RECURRENCE_SITES",
    "SEXES", "COHORT_COLUMNS", "LESION_COLUMNS", "COLUMNS_BY_NAME", "LESION_COLUMNS_BY_NAME",
    "DAYS_PER_MONTH", "DAYS_PER_YEAR", "label", "coerce_cohort", "coerce_lesions", "ROLES", "ROLE_OF", "role",
    "GROUPING_ROLES", "PRE_TREATMENT_ROLES", "YES_VALUES", "NO_VALUES", "EVENT_VALUES", "NO_EVENT_VALUES", "PREFERRED_GROUPINGS", "PREFERRED_TREATMENTS", "PREFERRED_COVARIATES",
    "Endpoint", "ENDPOINTS", "EXTRA_ENDPOINTS", "data_endpoints", "BASELINE_CHARACTERISTICS", "POSITIVE_MARGINS",
    "DEFAULT_COX_COVARIATES", "DEFAULT_HR_UNITS", "YES_NO_GROUPS",
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

# ---------------------------------------------------------------- what each column is for
# A column's role decides where it may appear (so pages ask, they do not decide):
#   baseline      characteristics before the operation (patient, tumour): covariates, groups;
#   operative     how the operation was done (approach, ICG, extent): treatments, covariates, groups;
#   perioperative what the operation gave (margin, complications): groups and Cox covariates of
#                 long-term survival, never covariates of a propensity model (they follow treatment);
#   follow_up     events after the operation (recurrence, death, 90-day death): never a grouping
#                 of survival (immortal-time bias), never a covariate;
#   endpoint      survival times and their event flags; date: calendar dates; id: identifiers.
ROLES = ("baseline", "operative", "perioperative", "follow_up", "endpoint", "date", "id")
ROLE_OF: dict[str, str] = {
    "patient_id": "id", "lesion_id": "id", "procedure_number": "id",
    "approach": "operative", "major_hepatectomy": "operative", "parenchyma_sparing": "operative",
    "cytoreduction_90": "operative", "icg": "operative", "resected": "operative", "reresected": "operative",
    "margin_status": "perioperative", "margin_mm": "perioperative", "clavien_dindo": "perioperative",
    "bile_leak": "perioperative", "length_of_stay_days": "perioperative", "management_changed": "perioperative",
    "margin_status_before_reresection": "perioperative", "margin_mm_before_reresection": "perioperative",
    "fluorescence_at_margin": "perioperative", "fluorescence_score": "perioperative",
    "mortality_90d": "follow_up", "recurrence": "follow_up", "recurrence_site": "follow_up", "death": "follow_up",
    "hepatic_progression": "follow_up",
    "rfs_months": "endpoint", "rfs_event": "endpoint", "os_months": "endpoint", "os_event": "endpoint",
    "hepatic_pfs_months": "endpoint", "hepatic_pfs_event": "endpoint",
}
#: how clinicians write yes and no (after trimming, lower case); the one vocabulary of the package
YES_VALUES = frozenset({"yes", "y", "1", "true", "t", "ja", "j", "oui", "si", "sí", "x", "+", "present", "positive",
                        "pos", "1.0", "wahr"})
NO_VALUES = frozenset({"no", "n", "0", "false", "f", "nein", "non", "absent", "negative", "neg", "none", "0.0",
                       "falsch"})
#: an event column may also say what happened
EVENT_VALUES = YES_VALUES | {"event", "dead", "died", "recurrence"}
NO_EVENT_VALUES = NO_VALUES | {"censored", "alive"}
#: roles a column may have to group survival curves or enter a Cox model
GROUPING_ROLES = frozenset({"baseline", "operative", "perioperative"})
#: roles a column may have to be a treatment or a covariate of a propensity model (before treatment)
PRE_TREATMENT_ROLES = frozenset({"baseline", "operative"})
#: the groupings a first look opens on, in order of preference (the question each published series asked)
PREFERRED_GROUPINGS = ("icg", "cystic", "resected", "grade", "primary_site", "approach", "sex")
#: the treatments a propensity analysis opens on, and the covariates it proposes first
PREFERRED_TREATMENTS = ("icg", "cystic")
PREFERRED_COVARIATES = ("age", "sex", "grade", "ki67", "largest_lesion_cm", "lesion_count", "bilobar",
                        "synchronous", "primary_site")


def role(name: str) -> str:
    """What a column is for (see ROLES): the schema's role, a date by its kind or name, else
    "baseline" (a column of the user's own, e.g. a covariate)."""
    if name in ROLE_OF:
        return ROLE_OF[name]
    col = COLUMNS_BY_NAME.get(name)
    if (col is not None and col.kind == "date") or str(name).endswith("_date"):
        return "date"
    if _ENDPOINT_NAME.search(str(name).lower()):  # a survival time or event of the user's own (os_days)
        return "endpoint"
    return "baseline"


_ENDPOINT_NAME = re.compile(r"(^|_)(os|rfs|pfs|dfs|ttr|efs|survival|follow_?up|fu)(_|$)|^time_to_")


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


# ---- endpoints: which time and event columns make an endpoint, and what it is called ----------


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    time: str
    event: str
    event_label: str


ENDPOINTS: dict[str, Endpoint] = {
    "rfs": Endpoint("rfs", "Recurrence-free survival", "rfs_months", "rfs_event", "recurrence or death"),
    "os": Endpoint("os", "Overall survival", "os_months", "os_event", "death"),
}
# Endpoints some cohorts carry besides RFS/OS (e.g. mayo_cystic's hepatic PFS); offered only
# when the data hold them (see data_endpoints).
EXTRA_ENDPOINTS: dict[str, Endpoint] = {
    "hepatic_pfs": Endpoint("hepatic_pfs", "Hepatic progression-free survival", "hepatic_pfs_months",
                            "hepatic_pfs_event", "hepatic progression or death"),
}


def data_endpoints(data: pd.DataFrame) -> dict[str, Endpoint]:
    """RFS, OS and any extra endpoint whose time and event columns these data hold (with times)."""
    return {k: e for k, e in {**ENDPOINTS, **EXTRA_ENDPOINTS}.items()
            if {e.time, e.event} <= set(data.columns) and data[e.time].notna().any()}


# the characteristics of a NELM paper's Table 1, in its usual order
BASELINE_CHARACTERISTICS = (
    "age", "sex", "primary_site", "grade", "ki67", "synchronous", "primary_resected", "lesion_count",
    "largest_lesion_cm", "bilobar", "extrahepatic_disease", "cystic", "approach", "major_hepatectomy",
    "parenchyma_sparing", "cytoreduction_90", "icg",
)
POSITIVE_MARGINS = ("R1", "R2")  # margin_status values that count as a positive margin
DEFAULT_COX_COVARIATES = ("grade", "age", "primary_site")  # the prognostic factors of the survey paper
DEFAULT_HR_UNITS = {"ki67": 10.0}  # hazard ratio per 10 % Ki-67; per 1 unit otherwise

# How a paper names the two groups of a yes/no column ("with ICG" rather than "ICG = yes"):
# column -> (the "yes" group, the "no" group).
YES_NO_GROUPS: dict[str, tuple[str, str]] = {
    "icg": ("with ICG fluorescence", "without ICG fluorescence"),
    "cystic": ("with cystic metastases", "with solid metastases"),
    "synchronous": ("with synchronous metastases", "with metachronous metastases"),
    "primary_resected": ("with the primary tumour resected", "with the primary tumour in place"),
    "bilobar": ("with bilobar disease", "with unilobar disease"),
    "extrahepatic_disease": ("with extrahepatic disease", "without extrahepatic disease"),
    "neuroendocrine_carcinoma": ("with a neuroendocrine carcinoma", "with a neuroendocrine tumour"),
    "major_hepatectomy": ("after major hepatectomy", "after minor hepatectomy"),
    "parenchyma_sparing": ("after parenchyma-sparing resection", "after anatomical resection"),
    "cytoreduction_90": ("with cytoreduction > 90 %", "with cytoreduction ≤ 90 %"),
    "resected": ("after resection", "without resection"),
}
