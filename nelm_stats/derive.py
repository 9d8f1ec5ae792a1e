"""Derive RFS and OS (time and event) from dates, or take supplied times as they are.

Defaults (DESIGN.md): time from the date of surgery; months = days / 30.4375;
RFS event = recurrence or death, whichever comes first; OS event = death; patients
without the event are censored at the date of last follow-up.  The RFS definition
is selectable (:data:`RFS_DEFINITIONS`) and every definition is written out in words
(:func:`describe_endpoints`), so the report says exactly what was counted.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._checks import require_frame
from .errors import InputError, MissingColumnError
from .schema import DAYS_PER_MONTH, DAYS_PER_YEAR

UNITS = {"days": 1.0, "months": DAYS_PER_MONTH, "years": DAYS_PER_YEAR}
SOURCES = ("auto", "dates", "supplied")

RFS_DEFINITIONS: dict[str, str] = {
    "recurrence_or_death": (
        "Recurrence-free survival: time from surgery to the first recurrence (anywhere) or death "
        "from any cause, whichever came first; patients with neither are censored at their last "
        "follow-up."
    ),
    "recurrence_only": (
        "Time to recurrence: time from surgery to the first recurrence (anywhere); patients who died "
        "without recurrence are censored at death, the others at their last follow-up."
    ),
    "hepatic_progression": (
        "Hepatic progression-free survival: time from surgery to recurrence in the liver "
        "(intrahepatic, or intra- and extrahepatic); patients with only extrahepatic recurrence, "
        "no recurrence, or death without hepatic recurrence are censored at their last follow-up "
        "(or death, if earlier). A recurrence without a recorded site cannot be classified."
    ),
}
OS_DEFINITION = (
    "Overall survival: time from surgery to death from any cause; patients alive are censored at "
    "their last follow-up."
)
_HEPATIC_SITES = ("intrahepatic", "both")

AUDIT_COLUMNS = [
    "row", "patient_id", "surgery_date", "recurrence", "recurrence_date", "recurrence_site", "death",
    "death_date", "last_follow_up_date", "rfs_source", "rfs_end_date", "rfs_event", "rfs_time",
    "os_source", "os_end_date", "os_event", "os_time", "unit", "note",
]


@dataclass(frozen=True)
class Derivation:
    """The cohort with rfs_months/rfs_event/os_months/os_event, and how each was obtained.

    ``data``: a copy of the input with the four endpoint columns (replaced when derived from
    dates), plus rfs_<unit>/os_<unit> when ``unit`` is days or years.
    ``audit``: one row per patient, columns :data:`AUDIT_COLUMNS` (times in ``unit``).
    ``sources``: {"rfs": "dates" | "supplied" | "none", "os": ...}.
    ``definition``: the endpoint definitions in words.
    """

    data: pd.DataFrame
    audit: pd.DataFrame
    sources: dict
    definition: str
    rfs_definition: str
    unit: str


def describe_endpoints(rfs_definition: str = "recurrence_or_death", unit: str = "months",
                       sources: dict | None = None) -> str:
    """The endpoint definitions in words, as they go into a report."""
    _check(rfs_definition, unit, "auto")
    per = {"days": "days", "months": f"months (1 month = {DAYS_PER_MONTH} days)",
           "years": f"years (1 year = {DAYS_PER_YEAR} days)"}[unit]
    lines = [RFS_DEFINITIONS[rfs_definition], OS_DEFINITION, f"Times are in {per}."]
    if sources:
        for ep, src in sources.items():
            if src == "supplied":
                lines.append(f"{ep.upper()} times were taken as supplied in the file (months), not "
                             "derived from dates; events as supplied, or from the recurrence/death "
                             "flags where the file has no event column.")
            elif src == "none":
                lines.append(f"{ep.upper()} could not be derived: the file has neither the dates "
                             "nor supplied times.")
    return " ".join(lines)


def _check(rfs_definition, unit, source):
    if rfs_definition not in RFS_DEFINITIONS:
        raise InputError(f"Unknown RFS definition {rfs_definition!r}; choose one of "
                         f"{', '.join(RFS_DEFINITIONS)}.")
    if unit not in UNITS:
        raise InputError(f"Time unit must be days, months or years; got {unit!r}.")
    if source not in SOURCES:
        raise InputError(f"source must be 'auto', 'dates' or 'supplied'; got {source!r}.")


def _col(data: pd.DataFrame, name: str, kind: str) -> pd.Series:
    if name not in data.columns:
        if kind == "date":
            return pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
        return pd.Series(pd.NA, index=data.index, dtype="boolean" if kind == "bool" else object)
    s = data[name]
    if kind == "date":
        return pd.to_datetime(s)
    if kind == "bool":
        return s.astype("boolean")
    return s


def _has(data, *names) -> bool:
    return all(n in data.columns for n in names)


def endpoint_sources(data: pd.DataFrame, source: str = "auto") -> dict[str, str]:
    """Where RFS and OS will come from: "dates", "supplied" or "none"."""
    if source not in SOURCES:
        raise InputError(f"source must be 'auto', 'dates' or 'supplied'; got {source!r}.")
    out = {}
    has_dates_os = _has(data, "surgery_date", "last_follow_up_date") and (
        "death" in data.columns or "death_date" in data.columns)
    has_dates_rfs = has_dates_os and ("recurrence" in data.columns or "recurrence_date" in data.columns)
    flags = {"rfs": "recurrence" in data.columns, "os": "death" in data.columns}
    for ep, dated in (("rfs", has_dates_rfs), ("os", has_dates_os)):
        supplied = f"{ep}_months" in data.columns and (f"{ep}_event" in data.columns or flags[ep])
        if source == "dates":
            if not dated:
                need = "surgery, last follow-up, death" + (" and recurrence" if ep == "rfs" else "")
                raise MissingColumnError(
                    f"{ep.upper()} cannot be derived from dates: map the columns with the dates of {need}.")
            out[ep] = "dates"
        elif source == "supplied":
            out[ep] = "supplied" if supplied else "none"
        else:
            out[ep] = "dates" if dated else ("supplied" if supplied else "none")
    return out


def derive_endpoints(
    data: pd.DataFrame,
    *,
    rfs_definition: str = "recurrence_or_death",
    unit: str = "months",
    source: str = "auto",
) -> Derivation:
    """Derive RFS and OS per patient (see :data:`RFS_DEFINITIONS` and :data:`OS_DEFINITION`).

    ``source``: "dates" (derive from surgery/recurrence/death/last-follow-up dates),
    "supplied" (take rfs_months/rfs_event/os_months/os_event as they are), or "auto"
    (dates where the date columns are mapped, supplied times otherwise).
    A patient whose time cannot be derived (a date missing) gets a missing time and a note
    in the audit table; :func:`nelm_stats.quality.find_problems` lists them.
    Events flagged without their date use no date (missing time); a flag that is missing
    while the date is present counts the event (the date says it happened).
    """
    require_frame(data)
    _check(rfs_definition, unit, source)
    sources = endpoint_sources(data, source)
    out = data.copy()
    n = len(data)
    surgery = _col(data, "surgery_date", "date")
    rec_date = _col(data, "recurrence_date", "date")
    death_date = _col(data, "death_date", "date")
    fu = _col(data, "last_follow_up_date", "date")
    rec = _flag(data, "recurrence", rec_date)
    death = _flag(data, "death", death_date)
    site = _col(data, "recurrence_site", "cat")
    notes = [[] for _ in range(n)]

    # OS
    if sources["os"] == "dates":
        os_end, os_event = _os(death, death_date, fu, notes)
        os_days = (os_end - surgery).dt.days.astype(float)
        _note_missing(notes, surgery, "no surgery date")
    elif sources["os"] == "supplied":
        os_end = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
        os_days = data["os_months"].astype(float) * DAYS_PER_MONTH
        os_event = (data["os_event"].astype("boolean") if "os_event" in data.columns
                    else _col(data, "death", "bool"))
    else:
        os_end = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
        os_days = pd.Series(np.nan, index=data.index)
        os_event = pd.Series(pd.NA, index=data.index, dtype="boolean")

    # RFS
    if sources["rfs"] == "dates":
        rfs_end, rfs_event = _rfs(rfs_definition, rec, rec_date, site, death, death_date, fu, notes)
        rfs_days = (rfs_end - surgery).dt.days.astype(float)
    elif sources["rfs"] == "supplied":
        rfs_end = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
        rfs_days = data["rfs_months"].astype(float) * DAYS_PER_MONTH
        rfs_event = (data["rfs_event"].astype("boolean") if "rfs_event" in data.columns
                     else _supplied_rfs_event(data, rfs_definition))
    else:
        rfs_end = pd.Series(pd.NaT, index=data.index, dtype="datetime64[ns]")
        rfs_days = pd.Series(np.nan, index=data.index)
        rfs_event = pd.Series(pd.NA, index=data.index, dtype="boolean")

    rfs_days = rfs_days.where(rfs_event.notna().to_numpy())
    os_days = os_days.where(os_event.notna().to_numpy())
    for ep, days, event in (("rfs", rfs_days, rfs_event), ("os", os_days, os_event)):
        if sources[ep] == "none":
            continue
        if sources[ep] == "dates":
            out[f"{ep}_months"] = days / DAYS_PER_MONTH
        else:
            out[f"{ep}_months"] = data[f"{ep}_months"].astype(float)
        out[f"{ep}_event"] = event
        if unit != "months":
            out[f"{ep}_{unit}"] = days / UNITS[unit]
    scale = UNITS[unit]
    ids = data["patient_id"].astype("string") if "patient_id" in data.columns else pd.Series(
        pd.NA, index=data.index, dtype="string")
    audit = pd.DataFrame({
        "row": _rows(data.index),
        "patient_id": ids.to_numpy(),
        "surgery_date": surgery.to_numpy(),
        "recurrence": rec.to_numpy(),
        "recurrence_date": rec_date.to_numpy(),
        "recurrence_site": site.astype(object).where(site.notna(), None).to_numpy(),
        "death": death.to_numpy(),
        "death_date": death_date.to_numpy(),
        "last_follow_up_date": fu.to_numpy(),
        "rfs_source": sources["rfs"],
        "rfs_end_date": rfs_end.to_numpy(),
        "rfs_event": rfs_event.to_numpy(),
        "rfs_time": (rfs_days / scale).to_numpy(),
        "os_source": sources["os"],
        "os_end_date": os_end.to_numpy(),
        "os_event": os_event.to_numpy(),
        "os_time": (os_days / scale).to_numpy(),
        "unit": unit,
        "note": ["; ".join(dict.fromkeys(x)) for x in notes],
    }, index=data.index)
    audit = audit[AUDIT_COLUMNS]
    return Derivation(out, audit, sources, describe_endpoints(rfs_definition, unit, sources),
                      rfs_definition, unit)


def _supplied_rfs_event(data: pd.DataFrame, definition: str) -> pd.Series:
    """RFS event from the recurrence/death flags when a supplied RFS time has no event column."""
    rec = _col(data, "recurrence", "bool")
    death = _col(data, "death", "bool")
    if definition == "recurrence_or_death":
        return (rec | death) if "death" in data.columns else rec.mask(rec == False, pd.NA)  # noqa: E712
    if definition == "recurrence_only":
        return rec
    site = _col(data, "recurrence_site", "cat").astype(object)
    hepatic = pd.Series([(not pd.isna(s)) and s in _HEPATIC_SITES for s in site], index=data.index,
                        dtype="boolean")
    return (rec & hepatic).mask(rec & site.isna().to_numpy(), pd.NA)


def _rows(index):
    """Spreadsheet rows: label i -> i + 2 for read_table's integer labels, else by position."""
    if pd.api.types.is_integer_dtype(index) and index.is_unique:
        return pd.array([int(i) + 2 for i in index], dtype="Int64")
    return pd.array(range(2, len(index) + 2), dtype="Int64")


def _flag(data, name, date) -> pd.Series:
    """Event flag; missing flag with a date present counts as the event."""
    flag = _col(data, name, "bool")
    if name not in data.columns:
        # only the date column: the date says whether the event happened
        return pd.Series(date.notna().to_numpy(), index=data.index, dtype="boolean")
    return flag.mask(flag.isna() & date.notna(), True)


def _note_missing(notes, series, text):
    for i, v in enumerate(series.isna().to_numpy()):
        if v:
            notes[i].append(text)


def _os(death, death_date, fu, notes):
    d = death.to_numpy(dtype=object, na_value=None)
    end = []
    for i in range(len(d)):
        if d[i] is True:
            if pd.isna(death_date.iloc[i]):
                notes[i].append("death without a date")
                end.append(pd.NaT)
            else:
                end.append(death_date.iloc[i])
        elif d[i] is False:
            if pd.isna(fu.iloc[i]):
                notes[i].append("no last follow-up date")
            end.append(fu.iloc[i])
        else:
            notes[i].append("death not recorded")
            end.append(pd.NaT)
    end = pd.Series(pd.to_datetime(pd.Series(end, dtype=object)).to_numpy(), index=death.index)
    event = death.copy()
    event[end.isna().to_numpy()] = pd.NA
    return end.astype("datetime64[ns]"), event


def _rfs(definition, rec, rec_date, site, death, death_date, fu, notes):
    r = rec.to_numpy(dtype=object, na_value=None)
    d = death.to_numpy(dtype=object, na_value=None)
    sites = site.astype(object).where(site.notna(), None).to_numpy()
    ends, events = [], []
    for i in range(len(r)):
        rd, dd, f = rec_date.iloc[i], death_date.iloc[i], fu.iloc[i]
        end, event = pd.NaT, pd.NA
        if r[i] is None:
            notes[i].append("recurrence not recorded")
        elif r[i] is True and pd.isna(rd):
            notes[i].append("recurrence without a date")
        elif d[i] is True and pd.isna(dd) and definition == "recurrence_or_death" and r[i] is False:
            notes[i].append("death without a date")
        else:
            # censoring date: death (if died) else last follow-up
            if d[i] is True and not pd.isna(dd):
                censor = dd
            elif d[i] is None and definition != "recurrence_or_death" and r[i] is False:
                censor = pd.NaT
                notes[i].append("death not recorded")
            else:
                censor = f
            if definition == "recurrence_or_death":
                candidates = []
                if r[i] is True:
                    candidates.append(rd)
                if d[i] is True:
                    candidates.append(dd)
                elif d[i] is None and r[i] is False:
                    notes[i].append("death not recorded")
                    candidates = None
                if candidates is not None:
                    candidates = [c for c in candidates if not pd.isna(c)]
                if candidates is None:
                    pass
                elif candidates:
                    end, event = min(candidates), True
                else:
                    end, event = f, False
            elif definition == "recurrence_only":
                if r[i] is True:
                    end, event = rd, True
                else:
                    end, event = censor, False
            else:  # hepatic_progression
                if r[i] is True:
                    if sites[i] is None:
                        notes[i].append("recurrence without a site")
                    elif sites[i] in _HEPATIC_SITES:
                        end, event = rd, True
                    else:
                        end, event = censor, False
                else:
                    end, event = censor, False
            if pd.isna(end):
                event = pd.NA
                if not any(x.startswith(("no last", "death not", "recurrence without")) for x in notes[i]):
                    notes[i].append("no last follow-up date")
        ends.append(end)
        events.append(event)
    end = pd.Series(pd.to_datetime(pd.Series(ends, dtype=object)).to_numpy(), index=rec.index)
    return end.astype("datetime64[ns]"), pd.Series(events, index=rec.index, dtype="boolean")
