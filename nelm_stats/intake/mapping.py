"""Map a clinician's columns onto the canonical schema.

:func:`suggest_mapping` proposes a role for every source column from its header
("Pat-ID", "OP date", "DFS (mo)", "f/u", "Rec", "R-status" ...) and from its values;
the user confirms or changes each role (:func:`mapping_table` / :func:`mapping_from_table`);
:func:`apply_mapping` renames, normalises values and parses dates.  A mapping is saved as
JSON (:func:`save_mapping` / :func:`load_mapping`) and re-applied to the next export.

Roles: a canonical column name, ``"keep"`` (keep the column under a tidy name, e.g. an
extra covariate) or ``"drop"``.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace

import pandas as pd

from .. import schema
from ..schema import DAYS_PER_MONTH, DAYS_PER_YEAR
from .dates import detect_date_order, looks_like_dates
from .._checks import require_frame
from ..errors import InputError
from .read import DEFAULT_MISSING_CODES
from .vocabulary import missing_code_set
from .normalise import (
    NormalisedCohort,
    category_value,
    clavien_value,
    normalise_values,
    number_value,
)
from .privacy import flag_identifiers

__all__ = [
    "KEEP", "DROP", "TIME_ROLES", "TARGETS", "MAPPING_VERSION", "ALIASES", "LESION_ALIASES", "ColumnMapping",
    "MappedCohort", "roles_for", "normalise_header", "suggest_mapping", "header_time_unit", "mapping_table",
    "mapping_from_table", "role_label", "role_reasons", "check_mapping", "date_columns", "date_order_check", "apply_mapping",
    "save_mapping", "load_mapping", "remap", "data_dictionary", "template_csv",
]

KEEP = "keep"
DROP = "drop"
TIME_ROLES = ("rfs_months", "os_months")
_TO_MONTHS = {"days": 1.0 / DAYS_PER_MONTH, "years": DAYS_PER_YEAR / DAYS_PER_MONTH, "months": 1.0}
TARGETS = ("cohort", "lesions")
MAPPING_VERSION = 1

#: Header spellings (after lower-casing and turning punctuation into spaces) per canonical column.
ALIASES: dict[str, tuple[str, ...]] = {
    "patient_id": ("patient id", "pat id", "patid", "pid", "id", "study id", "subject id", "record id",
                   "case id", "patient", "patient no", "patient nr", "pat nr", "pat no", "patient number",
                   "study number", "code", "pseudonym", "studien id"),
    "age": ("age", "age years", "age y", "age yrs", "age at surgery", "age at op", "age at operation",
            "age at resection", "alter", "age at diagnosis"),
    "sex": ("sex", "gender", "geschlecht", "m f", "sex m f", "gender m f"),
    "primary_site": ("primary", "primary site", "primary tumor", "primary tumour", "primary location",
                     "primary tumor site", "primary tumour site", "site of primary", "origin",
                     "primary origin", "primarius", "primary organ", "location of primary"),
    "grade": ("grade", "grading", "who grade", "tumor grade", "tumour grade", "g", "who grading",
              "net grade"),
    "neuroendocrine_carcinoma": ("nec", "neuroendocrine carcinoma", "nec yes no", "carcinoma nec",
                                 "poorly differentiated"),
    "ki67": ("ki67", "ki 67", "ki67 index", "ki 67 index", "mib1", "mib 1", "ki67 percent",
             "proliferation index"),
    "synchronous": ("synchronous", "sync", "synchronous mets", "synchronous metastases", "synchron",
                    "synchronous liver metastases", "timing"),
    "primary_resected": ("primary resected", "primary resection", "resection of primary",
                         "primary tumor resected", "primary tumour resected", "prt", "primary removed"),
    "lesion_count": ("lesion count", "number of lesions", "no of lesions", "n lesions", "lesions",
                     "nr lesions", "number of metastases", "no of metastases", "n mets", "n metastases",
                     "number of liver lesions", "anzahl"),
    "largest_lesion_cm": ("largest lesion", "largest lesion cm", "largest lesion size", "max size",
                          "max size cm", "maximum size", "tumor size", "tumour size", "largest met",
                          "largest metastasis", "size cm", "max diameter", "diameter"),
    "bilobar": ("bilobar", "bilobular", "bilateral", "bilobar disease", "bilobar mets"),
    "extrahepatic_disease": ("extrahepatic", "extrahepatic disease", "ehd", "extrahepatic mets",
                             "extrahepatic metastases", "extrahepatic spread"),
    "cystic": ("cystic", "cystic mets", "cystic metastases", "cystic lesion", "cystic net", "cyst"),
    "surgery_date": ("op date", "date of surgery", "surgery date", "operation date", "date of operation",
                     "surgery", "op", "dos", "resection date", "date of resection", "op datum",
                     "operationsdatum", "hepatectomy date", "date op", "date surgery", "or date",
                     "date of hepatectomy", "opdate"),
    "approach": ("approach", "access", "surgical approach", "technique", "surgical access", "zugang"),
    "major_hepatectomy": ("major", "major hepatectomy", "major resection", "major liver resection",
                          "extended resection"),
    "parenchyma_sparing": ("parenchyma sparing", "parenchymal sparing", "psh", "sparing", "lpsh",
                           "parenchyma sparing resection"),
    "cytoreduction_90": ("cytoreduction", "cytoreduction 90", "cytoreduction 90 percent", "cr 90",
                         "debulking 90", "90 cytoreduction", "cytoreduction gt 90", "debulking"),
    "icg": ("icg", "icg fluorescence", "fluorescence", "icg used", "fluorescence imaging", "icg guided",
            "icg yes no"),
    "margin_status": ("r status", "r", "margin", "margin status", "resection margin", "resection status",
                      "r classification", "r class", "rstatus", "margin r", "residual tumor",
                      "residual tumour", "r0 r1"),
    "margin_mm": ("margin mm", "margin width", "margin width mm", "distance mm", "closest margin",
                  "closest margin mm", "margin distance", "resection margin mm", "margin size",
                  "margin distance mm", "sicherheitsabstand"),
    "clavien_dindo": ("clavien", "clavien dindo", "cd", "cd grade", "complication grade", "dindo",
                      "clavien grade", "complications cd", "clavien dindo grade"),
    "bile_leak": ("bile leak", "biliary leak", "bile leakage", "galleleck", "biliary fistula"),
    "mortality_90d": ("90 day mortality", "mortality 90d", "90d mortality", "mortality 90",
                      "death 90d", "90 d mortality", "mortality 90 days", "90 days mortality"),
    "length_of_stay_days": ("los", "length of stay", "hospital stay", "los days", "stay days",
                            "length of stay days", "lhs", "hospital stay days", "los d"),
    "recurrence": ("rec", "recurrence", "recurred", "relapse", "rezidiv", "recurrence yes no",
                   "any recurrence", "disease recurrence"),
    "recurrence_date": ("rec date", "recurrence date", "date of recurrence", "relapse date",
                        "date of relapse", "rezidivdatum", "date rec", "date recurrence",
                        "date of first recurrence", "recurrence dt"),
    "recurrence_site": ("rec site", "recurrence site", "site of recurrence", "relapse site",
                        "recurrence location", "site of relapse"),
    "death": ("death", "died", "dead", "deceased", "vital status", "verstorben", "tod", "dead alive",
              "alive dead", "status"),
    "death_date": ("death date", "date of death", "dod", "todesdatum", "sterbedatum", "date death",
                   "died on"),
    "last_follow_up_date": ("f u", "fu", "last fu", "last f u", "last follow up", "follow up",
                            "follow up date", "date last follow up", "last contact", "last seen",
                            "date of last contact", "date of last follow up", "letzte nachsorge",
                            "last visit", "fu date", "date fu", "date of last fu", "last followup",
                            "followup", "last follow up date"),
    "rfs_months": ("dfs mo", "dfs months", "rfs", "rfs months", "rfs mo", "dfs", "pfs months", "pfs",
                   "rfs time", "dfs time", "time to recurrence", "time to recurrence months", "ttr",
                   "recurrence free survival", "disease free survival"),
    "rfs_event": ("rfs event", "dfs event", "dfs status", "rfs status", "pfs event", "pfs status"),
    "os_months": ("os", "os months", "os mo", "overall survival", "survival months", "os time",
                  "survival", "overall survival months", "follow up", "followup", "fu", "follow up time",
                  "time to last follow up", "time to death or last follow up", "observation time"),
    "os_event": ("os event", "os status", "os censor"),
}
LESION_ALIASES: dict[str, tuple[str, ...]] = {
    "patient_id": ALIASES["patient_id"],
    "lesion_id": ("lesion id", "lesion", "lesion no", "lesion nr", "lesion number", "les id", "nodule",
                  "nodule id", "met id", "specimen", "lesion index"),
    "size_cm": ("size", "size cm", "lesion size", "diameter", "diameter cm", "lesion size cm"),
    "fluorescence_at_margin": ("fluorescence at margin", "fluorescence", "icg at margin", "fluorescent margin",
                               "margin fluorescence", "icg margin", "icg positive margin", "fluo margin"),
    "margin_mm": ALIASES["margin_mm"],
    "margin_status": ALIASES["margin_status"],
}
_DATE_PARTNER = {"recurrence": "recurrence_date", "death": "death_date", "surgery": "surgery_date"}
_UNIT_WORDS = (r"\b(mo|mos|months?|mths?|cm|mm|days?|d|yrs?|years?|y|tagen?|monaten?|jahren?|jours|mois|ans|"
               r"dias|meses|giorni|mesi|anni|dagen|maanden|jaren|percent|pct|n|yes no|y n|1 0|0 1|"
               # codings written into a header: "Dead (1=yes)", "Recurrence (1 = yes, 0 = no)", "(ja/nein)"
               r"1 yes 0 no|0 no 1 yes|1 yes|yes 1|1 ja|ja 1|0 no|no 0|ja nein|oui non|si no|1 true)\b")


@dataclass(frozen=True)
class ColumnMapping:
    """Roles of the source columns, and how their values are read.

    ``roles``: {source column: canonical column | "keep" | "drop"} (every source column).
    ``reasons``: {source column: why this role was suggested}.
    ``time_units``: {source column: "days" | "years"} for supplied RFS/OS times not in
    months (read from headers such as "DFS (days)"); they are converted to months.
    """

    roles: dict[str, str]
    target: str = "cohort"
    date_order: str | None = None
    missing_codes: tuple[str, ...] = DEFAULT_MISSING_CODES
    reasons: dict[str, str] = field(default_factory=dict, compare=False)
    time_units: dict[str, str] = field(default_factory=dict)

    def canonical(self) -> dict[str, str]:
        """{source: canonical} for the columns mapped onto the schema."""
        return {s: r for s, r in self.roles.items() if r not in (KEEP, DROP)}


@dataclass(frozen=True)
class MappedCohort:
    """A source table in canonical form: ``data`` (index = source rows) and what happened.

    ``preview``/``unrecognised``/``unparsed_dates`` come from normalisation (see
    :class:`~nelm_stats.normalise.NormalisedCohort`); ``renamed``: [source_column, column].
    """

    data: pd.DataFrame
    mapping: ColumnMapping
    preview: pd.DataFrame
    unrecognised: pd.DataFrame
    unparsed_dates: pd.DataFrame
    renamed: pd.DataFrame


def _spec(target: str) -> dict[str, schema.Column]:
    if target not in TARGETS:
        raise InputError(f"target must be 'cohort' or 'lesions'; got {target!r}.")
    return schema.COLUMNS_BY_NAME if target == "cohort" else schema.LESION_COLUMNS_BY_NAME


def roles_for(target: str = "cohort") -> list[str]:
    """Every role a source column can take: canonical columns, then "keep", "drop"."""
    return list(_spec(target)) + [KEEP, DROP]


def normalise_header(header) -> str:
    """'DFS (mo)' -> 'dfs mo'; 'Pat-ID' -> 'pat id'; 'Ki-67 %' -> 'ki 67'."""
    h = str(header).lower().replace("%", " percent ").replace(">", " gt ")
    h = re.sub(r"[^a-z0-9äöüß]+", " ", h)
    return re.sub(r"\s+", " ", h).strip()


def _core(h: str) -> str:
    return re.sub(r"\s+", " ", re.sub(_UNIT_WORDS, " ", h)).strip()


def _squeezed(names: tuple[str, ...]) -> set[str]:
    return {n.replace(" ", "") for n in names if len(n.replace(" ", "")) > 3}


def _header_role(header: str, aliases: dict[str, tuple[str, ...]]) -> tuple[str | None, str]:
    h = normalise_header(header)
    for candidate in (h, h.replace(" ", ""), _core(h)):
        if not candidate:
            continue
        for role, names in aliases.items():
            if (candidate in names or candidate == role.replace("_", " ") or candidate == role
                    or candidate in _squeezed(names)):
                return role, f"header '{header}'"
    # keyword rules for longer headers
    words = set(h.split())
    rules = (
        ({"date", "datum", "dt"}, {"surgery", "operation", "op", "resection", "hepatectomy"}, "surgery_date"),
        ({"date", "datum", "dt"}, {"recurrence", "relapse", "rec", "rezidiv", "progression"}, "recurrence_date"),
        ({"date", "datum", "dt"}, {"death", "died", "tod"}, "death_date"),
        ({"date", "datum", "dt", "last"}, {"follow", "fu", "followup", "contact"}, "last_follow_up_date"),
        ({"ki67", "ki", "mib1"}, {"ki67", "67", "index", "mib1"}, "ki67"),
        ({"clavien", "dindo"}, {"clavien", "dindo", "grade"}, "clavien_dindo"),
        ({"margin"}, {"mm", "width", "distance"}, "margin_mm"),
        ({"margin", "resection"}, {"status", "r"}, "margin_status"),
    )
    for a, b, role in rules:
        if words & a and words & b and role in aliases:
            return role, f"header '{header}' (keywords)"
    return None, ""


def _share(values: pd.Series, fn) -> float:
    v = values.dropna()
    if len(v) == 0:
        return 0.0
    v = v.head(300)
    return float(v.map(lambda x: fn(x) is not None).mean())


def _value_role(series: pd.Series, target: str, missing_codes=DEFAULT_MISSING_CODES) -> tuple[str | None, str]:
    """A role read from the values alone (only for categorical codes that say what they are);
    missing-value codes are left out before the values are judged."""
    s = series.dropna()
    if len(s) and not pd.api.types.is_numeric_dtype(s):
        codes = missing_code_set(missing_codes)
        s = s[~s.astype(str).str.strip().str.lower().isin(codes)]
    if len(s) == 0 or pd.api.types.is_datetime64_any_dtype(series):
        return None, ""
    if pd.api.types.is_numeric_dtype(series):
        return None, ""
    text = s.astype(str).str.strip()
    # the shares of patterns over the rows, each distinct text tested once (weighted by its count)
    counts = text.value_counts(sort=False)
    distinct = pd.Series(counts.index, dtype=text.dtype).str.upper()  # as the column would be read
    weight = counts.to_numpy()

    def row_share(hit: pd.Series) -> float:
        return float(weight[hit.to_numpy(dtype=bool)].sum() / len(text))

    if row_share(distinct.str.fullmatch(r"R\s*[012].*")) > 0.8:
        return "margin_status", "values look like R0/R1/R2"
    if target == "lesions":
        return None, ""
    if row_share(distinct.str.fullmatch(r"G\s*[123]")) > 0.8:
        return "grade", "values look like G1/G2/G3"
    if _share(text, lambda v: category_value(v, "sex")) > 0.95 and len(counts) <= 6:
        return "sex", "values look like sex (f/m)"
    if (_share(text, clavien_value) > 0.9 and row_share(distinct.str.contains(r"I|V")) > 0.5):
        return "clavien_dindo", "values look like Clavien–Dindo grades"
    if _share(text, lambda v: category_value(v, "approach")) > 0.95:
        return "approach", "values look like surgical approaches"
    if _share(text, lambda v: category_value(v, "primary_site")) > 0.95 and text.nunique() > 1:
        return "primary_site", "values look like primary tumour sites"
    return None, ""


def suggest_mapping(data: pd.DataFrame, *, target: str = "cohort",
                    missing_codes=DEFAULT_MISSING_CODES) -> ColumnMapping:
    """Suggest a role for every column of ``data`` from its header and its values.

    Columns flagged as identifiers (:func:`~nelm_stats.privacy.flag_identifiers`) are
    suggested "drop"; unknown columns "keep". A canonical column is given to one source
    column only (the first that matches).
    """
    if not isinstance(data, pd.DataFrame):
        raise InputError("suggest_mapping needs a table (pandas DataFrame).")
    spec = _spec(target)
    aliases = ALIASES if target == "cohort" else LESION_ALIASES
    flagged = dict(zip(*(flag_identifiers(data)[["column", "reason"]].to_numpy().T))) if len(data.columns) else {}
    roles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    units: dict[str, str] = {}
    taken: set[str] = set()
    # time to recurrence (deaths censored) and RFS (deaths are events) are different endpoints:
    # where a file has both, RFS takes the role and the other is kept, with the difference said
    time_cols = [str(c) for c in data.columns if _header_role(str(c), aliases)[0] == "rfs_months"]
    ttr_cols = [c for c in time_cols if _is_ttr(c)]
    has_rfs = len(ttr_cols) < len(time_cols)
    for c in data.columns:
        c = str(c)
        s = data[c]
        role, why = _header_role(c, aliases)
        if role == "rfs_months" and c in ttr_cols:
            if has_rfs:
                roles[c] = KEEP
                reasons[c] = (f"header '{c}': time to recurrence, where a death without recurrence is censored; "
                              f"'{next(x for x in time_cols if x not in ttr_cols)}' is taken as RFS (recurrence or "
                              "death). Give this column the role rfs_months instead if your analysis is time to "
                              "recurrence.")
                continue
            why = (f"header '{c}': time to recurrence used as RFS; RFS usually counts deaths as events too, "
                   "so check that the event column matches")
        if role is not None and role in spec:
            col = spec[role]
            is_dates = looks_like_dates(s, 0.5, missing_codes)
            if col.kind == "bool" and is_dates and _DATE_PARTNER.get(role) in spec:
                role, why = _DATE_PARTNER[role], f"{why}; values are dates"
            elif col.kind == "date" and not is_dates and _has_values(s, missing_codes):
                why = f"{why} suggests {role}, but the values are not dates"
                numeric = pd.to_numeric(s, errors="coerce").notna().mean() > 0.8 if _has_values(s, missing_codes) else False
                if role == "last_follow_up_date" and numeric and "os_months" in spec and \
                        normalise_header(c) != _core(normalise_header(c)):
                    # "Follow-up (days)": a follow-up time with its unit, i.e. the time to death or last contact
                    role, why = "os_months", f"header '{c}': a follow-up time (to death or last contact)"
                else:
                    role = None
        if role is None and c not in flagged:
            v_role, v_why = _value_role(s, target, missing_codes)
            if v_role is not None:
                role, why = v_role, v_why
        if c in flagged and role != "patient_id":
            roles[c], reasons[c] = DROP, f"possible identifier: {flagged[c]}"
            continue
        if role is None or role in taken:
            if role in taken:
                why = f"{why}; “{role_label(role, target)}” is already given to another column"
            roles[c], reasons[c] = KEEP, why or "not a column the analyses know: kept as an extra column"
            continue
        taken.add(role)
        roles[c], reasons[c] = role, why
        if role in TIME_ROLES:
            unit = header_time_unit(c)
            if unit != "months":
                units[c] = unit
                reasons[c] = f"{why}; times in {unit}, converted to months"
    return ColumnMapping(roles, target=target, missing_codes=tuple(missing_codes), reasons=reasons,
                         time_units=units)


def _has_values(s: pd.Series, missing_codes) -> bool:
    """Whether a column holds anything but missing values and missing-value codes."""
    v = s.dropna()
    if len(v) == 0:
        return False
    if pd.api.types.is_numeric_dtype(v) or pd.api.types.is_datetime64_any_dtype(v):
        return True
    codes = missing_code_set(missing_codes)
    return not v.astype(str).str.strip().str.lower().isin(codes).all()


def _is_ttr(header: str) -> bool:
    h = normalise_header(header)
    return "ttr" in h.split() or "time to recurrence" in h or "time to relapse" in h


def header_time_unit(header: str) -> str:
    """"days", "years" or "months" (the default) from a header such as 'OS (days)' or 'DFS [y]'."""
    words = set(normalise_header(header).split())
    if words & {"days", "day", "d", "tage", "tagen", "jours", "dias", "giorni", "dagen"}:
        return "days"
    if words & {"years", "year", "yrs", "yr", "y", "jahre", "jahren", "ans", "annees", "anos", "anni", "jaar",
                "jaren"}:
        return "years"
    return "months"


def _example(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d") if v == v.normalize() else str(v)
    return str(v)


def mapping_table(data: pd.DataFrame, mapping: ColumnMapping) -> pd.DataFrame:
    """One row per source column: [source_column, role, unit, reason, examples] (for the editor).

    ``unit`` is the time unit of a supplied RFS/OS time ("days", "months", "years"; "" for other
    roles): the mapping's, else what the header says, else months.
    """
    rows = []
    for c in data.columns:
        c = str(c)
        values = data[c].dropna()
        examples = ", ".join(list(dict.fromkeys(_example(v) for v in values.head(50)))[:4])
        role = mapping.roles.get(c, KEEP)
        unit = mapping.time_units.get(c, header_time_unit(c)) if role in TIME_ROLES else ""
        rows.append((c, role, unit, mapping.reasons.get(c, ""), examples[:80]))
    return pd.DataFrame(rows, columns=["source_column", "role", "unit", "reason", "examples"])


def role_label(role: str, target: str = "cohort") -> str:
    """A role in the clinician's words, with its unit: 'ki67' -> 'Ki-67 (%)', 'death' -> 'Death (yes/no)',
    'os_months' -> 'Overall survival time' (its unit is chosen beside it), 'keep', 'drop' spelled out."""
    if role == KEEP:
        return "Keep (a column of your own)"
    if role == DROP:
        return "Drop (not used)"
    col = _spec(target).get(role)
    if col is None:
        return schema.label(role)
    if role in TIME_ROLES:
        return f"{col.label} time"
    if col.kind == "bool":
        return f"{col.label} (yes/no)"
    return f"{col.label} ({col.unit})" if col.unit else col.label


def role_reasons(roles: dict[str, str], suggested: ColumnMapping,
                 units: dict[str, str] | None = None) -> dict[str, str]:
    """Why each column has its role now, after the user's edits: the suggestion's reason while the
    role (and the unit of an RFS/OS time) is the suggested one, "your choice" otherwise; a role
    given to two columns is named.  ``units``: the chosen unit of each time column."""
    units = units or {}
    by_role: dict[str, list[str]] = {}
    for c, r in roles.items():
        if r not in (KEEP, DROP):
            by_role.setdefault(r, []).append(c)
    out = {}
    for c, r in roles.items():
        was = suggested.roles.get(c)
        was_unit = suggested.time_units.get(c, "months")
        unit = units.get(c) or was_unit
        if was is None or (r == was and (r not in TIME_ROLES or unit == was_unit)):
            why = suggested.reasons.get(c, "") or "suggested"
        elif r == was:
            why = f"your choice: times in {unit}" + (", converted to months" if unit != "months" else "") + \
                f" (suggested: in {was_unit})"
        else:
            why = f"your choice (suggested: {role_label(was, suggested.target)})"
        others = [o for o in by_role.get(r, []) if o != c]
        if others:
            why = (f"also given to '{others[0]}': choose one column for "
                   f"{role_label(r, suggested.target)}; " + why)
        out[c] = why[:1].upper() + why[1:]
    return out


def mapping_from_table(table: pd.DataFrame, mapping: ColumnMapping) -> ColumnMapping:
    """The mapping after the user edited the ``role`` (and ``unit``) columns of :func:`mapping_table`.

    A column given a time role (RFS/OS months) takes the unit chosen in its unit cell, else
    the unit its header states ("Follow-up (days)" -> days), else months. Units of columns
    without a time role are dropped.
    """
    roles = {str(s): (str(r) if r is not None and str(r) != "" and not pd.isna(r) else DROP)
             for s, r in zip(table["source_column"], table["role"])}
    units_in = dict(zip(table["source_column"].astype(str), table["unit"])) if "unit" in table else {}
    units: dict[str, str] = {}
    for c, role in roles.items():
        if role not in TIME_ROLES:
            continue
        given = units_in.get(c)
        given = str(given) if given is not None and not pd.isna(given) and str(given) in _TO_MONTHS else ""
        unit = given or header_time_unit(c)
        if unit != "months":
            units[c] = unit
    return replace(mapping, roles=roles, time_units=units)


def check_mapping(mapping: ColumnMapping, data: pd.DataFrame | None = None) -> None:
    """Raise InputError when a role is unknown or a canonical column is given twice."""
    allowed = set(roles_for(mapping.target))
    bad = {s: r for s, r in mapping.roles.items() if r not in allowed}
    if bad:
        s, r = next(iter(bad.items()))
        raise InputError(f"Column '{s}' has the role '{r}', which is not a column the analyses know. "
                         "Choose a listed role, “keep” or “drop”.")
    for s, u in mapping.time_units.items():
        if u not in _TO_MONTHS:
            raise InputError(f"The time unit of '{s}' must be days, months or years; got {u!r}.")
    seen: dict[str, str] = {}
    for s, r in mapping.roles.items():
        if r in (KEEP, DROP):
            continue
        if r in seen:
            raise InputError(f"Both '{seen[r]}' and '{s}' are mapped to “{role_label(r, mapping.target)}”. "
                             "Give the role to one column and set the other to “keep” or “drop”.")
        seen[r] = s
    if data is not None:
        missing = [s for s in mapping.roles if s not in data.columns]
        if missing and len(missing) == len(mapping.roles):
            raise InputError("None of the mapping's columns are in this file: is it the same registry "
                             "export the mapping was saved from?")


def _tidy_name(name: str) -> str:
    n = normalise_header(name).replace(" ", "_")
    return n or "column"


def date_columns(mapping: ColumnMapping) -> list[str]:
    """Source columns mapped to a date role."""
    spec = _spec(mapping.target)
    return [s for s, r in mapping.canonical().items() if spec[r].kind == "date"]


def date_order_check(data: pd.DataFrame, mapping: ColumnMapping):
    """Whether the date columns of this mapping need the user to choose day/month order."""
    return detect_date_order(data, [c for c in date_columns(mapping) if c in data.columns])


def apply_mapping(data: pd.DataFrame, mapping: ColumnMapping) -> MappedCohort:
    """Rename mapped columns, drop "drop" columns, normalise values and parse dates.

    Source columns absent from ``data`` are ignored (an older mapping on a newer export);
    columns of ``data`` the mapping does not know are kept under a tidy name.
    Raises AmbiguousDateOrderError if dates need ``mapping.date_order``.
    """
    require_frame(data)
    check_mapping(mapping, data)
    spec = _spec(mapping.target)
    rename: dict[str, str] = {}
    used = set(mapping.canonical().values())
    for c in data.columns:
        role = mapping.roles.get(str(c), KEEP)
        if role == DROP:
            continue
        if role == KEEP:
            name = _tidy_name(str(c))
            base, k = name, 2
            while name in used or name in spec:
                name = f"{base}_{k}" if name not in spec else f"{base}_source"
                base = name if name.endswith("_source") else base
                k += 1
            used.add(name)
        else:
            name = role
        rename[c] = name
    mapped = data[list(rename)].rename(columns=rename)
    for source, unit in mapping.time_units.items():
        if source in rename and rename[source] in TIME_ROLES and unit != "months":
            if unit not in _TO_MONTHS:
                raise InputError(f"The time unit of '{source}' must be days, months or years; got {unit!r}.")
            if not pd.api.types.is_numeric_dtype(mapped[rename[source]]):
                mapped[rename[source]] = mapped[rename[source]].map(number_value)
            mapped[rename[source]] = mapped[rename[source]].astype(float) * _TO_MONTHS[unit]
    normalised: NormalisedCohort = normalise_values(
        mapped, date_order=mapping.date_order, missing_codes=mapping.missing_codes, target=mapping.target)
    order = [c for c in spec if c in normalised.data.columns]
    extra = [c for c in normalised.data.columns if c not in spec]
    out = normalised.data[order + extra]
    renamed = pd.DataFrame(list(rename.items()), columns=["source_column", "column"])
    return MappedCohort(out, mapping, normalised.preview, normalised.unrecognised,
                        normalised.unparsed_dates, renamed)


def save_mapping(mapping: ColumnMapping) -> str:
    """The mapping as JSON text (to download and re-apply to the next export)."""
    return json.dumps({
        "nelm_mapping_version": MAPPING_VERSION,
        "target": mapping.target,
        "roles": mapping.roles,
        "date_order": mapping.date_order,
        "missing_codes": list(mapping.missing_codes),
        "time_units": mapping.time_units,
    }, indent=2, ensure_ascii=False)


def load_mapping(text) -> ColumnMapping:
    """A mapping from :func:`save_mapping`'s JSON (text or bytes)."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8-sig", errors="replace")
    try:
        obj = json.loads(text)
    except (TypeError, ValueError) as err:
        raise InputError("This is not a mapping file (not valid JSON). Upload the .json file the "
                         "'Download mapping' button saved.") from err
    if not isinstance(obj, dict) or "roles" not in obj or not isinstance(obj["roles"], dict):
        raise InputError("This JSON file is not a saved column mapping (it has no 'roles').")
    mapping = ColumnMapping(
        roles={str(k): str(v) for k, v in obj["roles"].items()},
        target=obj.get("target", "cohort"),
        date_order=obj.get("date_order"),
        missing_codes=tuple(obj.get("missing_codes", DEFAULT_MISSING_CODES)),
        reasons={str(k): "from the saved mapping" for k in obj["roles"]},
        time_units={str(k): str(v) for k, v in (obj.get("time_units") or {}).items()},
    )
    check_mapping(mapping)
    return mapping


def remap(mapping: ColumnMapping, data: pd.DataFrame) -> ColumnMapping:
    """A saved mapping fitted to a new export: its roles where the column exists, suggestions elsewhere."""
    suggested = suggest_mapping(data, target=mapping.target, missing_codes=mapping.missing_codes)
    roles, reasons = {}, {}
    saved_roles = {r for s, r in mapping.roles.items() if s in data.columns and r not in (KEEP, DROP)}
    for c in data.columns:
        c = str(c)
        if c in mapping.roles:
            roles[c], reasons[c] = mapping.roles[c], "from the saved mapping"
            if c in mapping.time_units:
                reasons[c] += f"; times in {mapping.time_units[c]}, converted to months"
        else:
            r = suggested.roles[c]
            roles[c] = KEEP if r in saved_roles else r
            reasons[c] = "new column: " + suggested.reasons.get(c, "")
    units = {c: u for c, u in mapping.time_units.items() if c in data.columns}
    units.update({c: u for c, u in suggested.time_units.items() if c not in mapping.roles})
    return replace(mapping, roles=roles, reasons=reasons, time_units=units)


def data_dictionary(target: str = "cohort") -> pd.DataFrame:
    """What the importer understands: [column, meaning, kind, values, unit, headers_recognised].

    ``values`` lists the canonical categories (or "yes/no", "date"); ``headers_recognised`` a
    few of the header spellings suggested automatically.
    """
    spec = _spec(target)
    aliases = ALIASES if target == "cohort" else LESION_ALIASES
    rows = []
    for name, col in spec.items():
        if col.kind == "bool":
            values = "yes/no (also y/n, 1/0, true/false, ja/nein)"
        elif col.kind == "date":
            values = "date (ISO, dd.mm.yyyy, dd/mm/yyyy, mm/dd/yyyy, Excel serial)"
        elif col.categories:
            values = ", ".join(col.categories)
        elif col.kind == "number":
            values = "number"
        else:
            values = "text"
        rows.append((name, col.label, col.kind, values, col.unit, ", ".join(aliases.get(name, ())[:5])))
    return pd.DataFrame(rows, columns=["column", "meaning", "kind", "values", "unit", "headers_recognised"])


def template_csv(target: str = "cohort") -> bytes:
    """An empty CSV with the canonical column names (a template to fill in)."""
    return (",".join(_spec(target)) + "\n").encode("utf-8")
