"""The analysis settings: one human-readable, versioned JSON file that reproduces every number.

A :class:`Settings` holds how the file was imported (:class:`~nelm_stats.intake.pipeline.
ImportSettings`, or None for a file already in the canonical schema), the analysis choices
(:class:`AnalysisSettings`: endpoint, grouping, cut point, time unit, rate times, horizon,
landmark, Cox covariates, propensity treatment, covariates, matching and weighting) and the
report's choices.  ``None`` in an analysis field means "the default for these data" (what the
dashboard opens on); :func:`resolve` replaces every None by the value used, so a saved file
is explicit.  :func:`reconcile` checks settings against a (new) cohort and says in words what
no longer fits; what still fits is kept.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field, fields, replace

import pandas as pd

from ..errors import InputError
from ..estimators.groups import (
    covariate_columns, default_covariates, default_grouping, default_treatment, grouping_columns,
    treatment_columns,
)
from ..estimators.propensity import treatment_levels
from ..intake.pipeline import ImportSettings
from ..schema import DEFAULT_COX_COVARIATES, ENDPOINTS, GROUPING_ROLES, data_endpoints, label

__all__ = [
    "SETTINGS_VERSION", "MatchingSettings", "WeightingSettings", "AnalysisSettings", "ReportChoices",
    "Settings", "SECTIONS", "settings_to_json", "settings_from_json", "resolve", "reconcile",
    "parse_rate_times", "rate_times_text",
]

SETTINGS_VERSION = 1
SECTIONS = ("flow", "table_one", "survival", "margins", "cox", "propensity")
TIME_UNITS = ("months", "years")


@dataclass(frozen=True)
class MatchingSettings:
    ratio: int = 1
    caliper: float | None = 0.2  # SD of the logit propensity score (Austin); None: no caliper
    caliper_scale: str = "logit"
    replace: bool = False
    exact: tuple[str, ...] = ()


@dataclass(frozen=True)
class WeightingSettings:
    estimand: str = "ATE"
    stabilize: bool = True
    trim: float | None = None


@dataclass(frozen=True)
class AnalysisSettings:
    """The analysis choices.  ``group``: grouping column ("" = whole cohort, None = default);
    ``cut``: "median" or a number for a numeric grouping; ``rate_years``: the survival-rate
    times in years; ``horizon``/``landmark`` in ``time_unit``; ``treated``: the treated
    group's value as text."""
    endpoint: str = "rfs"
    group: str | None = None
    cut: float | str | None = None
    time_unit: str = "months"
    rate_years: tuple[float, ...] = (1, 3, 5)
    horizon: float | None = None
    landmark: float | None = None
    cox_covariates: tuple[str, ...] | None = None
    treatment: str | None = None
    treated: str | None = None
    ps_covariates: tuple[str, ...] | None = None
    matching: MatchingSettings = field(default_factory=MatchingSettings)
    weighting: WeightingSettings = field(default_factory=WeightingSettings)


@dataclass(frozen=True)
class ReportChoices:
    title: str = "Outcomes after liver resection for neuroendocrine liver metastases"
    sections: tuple[str, ...] = SECTIONS


@dataclass(frozen=True)
class Settings:
    analysis: AnalysisSettings = field(default_factory=AnalysisSettings)
    report: ReportChoices = field(default_factory=ReportChoices)
    import_: ImportSettings | None = None  # None: the file is already in the canonical schema


# ---- JSON -----------------------------------------------------------------------------------


def _plain(obj):
    if isinstance(obj, tuple):
        return [_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in obj.items()}
    return obj


def settings_to_json(settings: Settings, *, software: str = "") -> str:
    """The settings as indented JSON (keys in a fixed order, with the schema version)."""
    body = {
        "nelm_settings_version": SETTINGS_VERSION,
        "software": software,
        "analysis": _plain(asdict(settings.analysis)),
        "report": _plain(asdict(settings.report)),
        "import": None if settings.import_ is None else _plain(asdict(settings.import_)),
    }
    return json.dumps(body, indent=2, ensure_ascii=False)


def _build(cls, obj, where: str, notes: list[str]):
    if not isinstance(obj, dict):
        raise InputError(f"The settings file is damaged: '{where}' should be a group of settings.")
    known = {f.name: f for f in fields(cls)}
    unknown = sorted(set(obj) - set(known))
    if unknown:
        notes.append(f"Settings not known to this version were ignored ({where}): {', '.join(unknown)}.")
    kwargs = {}
    for name, value in obj.items():
        if name not in known:
            continue
        if name == "matching":
            value = _build(MatchingSettings, value, "analysis.matching", notes)
        elif name == "weighting":
            value = _build(WeightingSettings, value, "analysis.weighting", notes)
        elif isinstance(value, list):
            value = tuple(value)
        kwargs[name] = value
    return cls(**kwargs)


def settings_from_json(text) -> tuple[Settings, list[str]]:
    """Settings from :func:`settings_to_json`'s text (or bytes); also the notes on anything ignored."""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8-sig", errors="replace")
    try:
        obj = json.loads(text)
    except (TypeError, ValueError) as err:
        raise InputError("This is not a settings file (not valid JSON). Use the file the 'Download settings' "
                         "button saved.") from err
    if not isinstance(obj, dict) or "nelm_settings_version" not in obj:
        raise InputError("This JSON file is not a saved analysis settings file (it has no settings version).")
    version = obj["nelm_settings_version"]
    if not isinstance(version, int) or version > SETTINGS_VERSION:
        raise InputError(f"This settings file was written by a newer version (settings version {version}); "
                         f"this one reads version {SETTINGS_VERSION}.")
    notes: list[str] = []
    analysis = _build(AnalysisSettings, obj.get("analysis") or {}, "analysis", notes)
    report = _build(ReportChoices, obj.get("report") or {}, "report", notes)
    imp = obj.get("import")
    import_ = None if imp is None else _build(ImportSettings, imp, "import", notes)
    _check(analysis)
    return Settings(analysis=analysis, report=report, import_=import_), notes


def _check(a: AnalysisSettings) -> None:
    if a.time_unit not in TIME_UNITS:
        raise InputError(f"Time unit {a.time_unit!r} is not offered: use months or years.")
    for name in ("horizon", "landmark"):
        v = getattr(a, name)
        if v is not None and not (isinstance(v, (int, float)) and v > 0):
            raise InputError(f"The {name} must be a positive number of {a.time_unit}.")
    if not a.rate_years or not all(isinstance(y, (int, float)) and y > 0 for y in a.rate_years):
        raise InputError("Survival rate times must be positive numbers of years.")
    if a.matching.ratio not in range(1, 11):
        raise InputError("Controls per treated patient must be a whole number from 1 to 10.")


# ---- rate times typed by the user -------------------------------------------------------------

_TIME_ITEM = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(m|mo|mos|month|months|y|yr|yrs|year|years)?\s*$", re.I)


def parse_rate_times(text: str) -> tuple[float, ...]:
    """'6 months, 18 months, 2.5 years' -> (0.5, 1.5, 2.5): survival-rate times in years, sorted.

    A number without a unit is in years; 'm'/'months' and 'y'/'years' are understood; a decimal
    comma is read as a point. Anything else raises InputError naming the part not understood."""
    out = set()
    for part in re.split(r"[;/]|,(?!\d)|\band\b", text or ""):
        if not part.strip():
            continue
        m = _TIME_ITEM.match(part)
        if not m:
            raise InputError(f"'{part.strip()}' is not a time: write e.g. 6 months, 18 months or 2.5 years.")
        value = float(m.group(1).replace(",", "."))
        unit = (m.group(2) or "y").lower()
        years = value / 12.0 if unit.startswith("m") else value
        if not years > 0:
            raise InputError(f"'{part.strip()}': a rate time must be after surgery (greater than 0).")
        out.add(round(years, 10))
    return tuple(sorted(out))


def rate_times_text(years) -> str:
    """(0.5, 1.5, 2.5) -> '6 months, 18 months, 2.5 years' (whole months where the time is one)."""
    parts = []
    for y in years:
        months = float(y) * 12
        parts.append(f"{months:g} months" if not float(y).is_integer() and abs(months - round(months)) < 1e-9
                     else f"{float(y):g} years")
    return ", ".join(parts)


# ---- fitting settings to data ---------------------------------------------------------------


def _cox_options(data: pd.DataFrame, endpoint) -> list[str]:
    return covariate_columns(data, roles=GROUPING_ROLES, exclude=[endpoint.time, endpoint.event])


def reconcile(analysis: AnalysisSettings, data: pd.DataFrame) -> tuple[AnalysisSettings, list[str]]:
    """Keep what fits ``data``; every choice that no longer fits is named and set back to the default."""
    _check(analysis)
    notes: list[str] = []
    a = analysis
    eps = data_endpoints(data)
    if a.endpoint not in eps:
        fallback = next(iter(eps), a.endpoint)
        if eps:
            notes.append(f"The endpoint '{a.endpoint}' has no follow-up in these data; "
                         f"{eps[fallback].label.lower()} is analysed instead.")
        a = replace(a, endpoint=fallback)
    cats, nums = grouping_columns(data)
    if a.group and a.group not in cats + nums:
        notes.append(f"The grouping column “{a.group}” is not in these data (renamed or removed); the default "
                     "grouping is used.")
        a = replace(a, group=None, cut=None)
    for name, what in (("cox_covariates", "Cox model covariate"), ("ps_covariates", "propensity covariate")):
        cols = getattr(a, name)
        if cols is None:
            continue
        gone = [c for c in cols if c not in data.columns]
        if gone:
            notes.append(f"{what.capitalize()}(s) not in these data (renamed or removed), left out: "
                         + ", ".join(f"“{c}”" for c in gone) + ".")
            kept = tuple(c for c in cols if c in data.columns)
            a = replace(a, **{name: kept or None})
    if a.treatment and a.treatment not in treatment_columns(data):
        notes.append(f"The propensity treatment “{a.treatment}” is not a two-group column of these data; the "
                     "default treatment is used.")
        a = replace(a, treatment=None, treated=None)
    exact = tuple(c for c in a.matching.exact if c in data.columns)
    if exact != a.matching.exact:
        notes.append("Exact-matching column(s) not in these data, left out: "
                     + ", ".join(f"“{c}”" for c in a.matching.exact if c not in exact) + ".")
        a = replace(a, matching=replace(a.matching, exact=exact))
    return a, notes


def resolve(analysis: AnalysisSettings, data: pd.DataFrame) -> AnalysisSettings:
    """Every None replaced by the default the dashboard opens on for these data."""
    a = analysis
    eps = data_endpoints(data)
    endpoint = eps.get(a.endpoint) or ENDPOINTS.get(a.endpoint) or ENDPOINTS["rfs"]
    if a.group is None:
        cats, nums = grouping_columns(data)
        a = replace(a, group=default_grouping(data, cats + nums) or "")
    if a.cox_covariates is None:
        options = _cox_options(data, endpoint)
        a = replace(a, cox_covariates=tuple([c for c in DEFAULT_COX_COVARIATES if c in options] or options[:3]))
    treatments = treatment_columns(data)
    if a.treatment is None:
        a = replace(a, treatment=default_treatment(data, treatments) or "")
    if a.treatment and a.treated is None:
        a = replace(a, treated=str(treatment_levels(data, a.treatment)[-1]))
    if a.ps_covariates is None:
        options = covariate_columns(data, exclude=[a.treatment] if a.treatment else [])
        a = replace(a, ps_covariates=tuple(default_covariates(options)))
    return a


def describe_column(name: str) -> str:
    return f"{label(name)} (“{name}”)" if label(name) != name else f"“{name}”"
