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

from .._checks import require_frame
from ..errors import InputError, MissingColumnError
from ..schema import DAYS_PER_MONTH, DAYS_PER_YEAR

__all__ = [
    "UNITS", "SOURCES", "RFS_DEFINITIONS", "OS_DEFINITION", "AUDIT_COLUMNS", "Derivation",
    "describe_endpoints", "endpoint_sources", "derive_endpoints",
]

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
    notes = _Notes(n)

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
        "note": notes.joined(),
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
    hepatic = pd.Series(site.isin(_HEPATIC_SITES).to_numpy(dtype=bool), index=data.index, dtype="boolean")
    return (rec & hepatic).mask(rec & site.isna().to_numpy(), pd.NA)


def _rows(index):
    """Spreadsheet rows: label i -> i + 2 for read_table's integer labels, else by position."""
    if pd.api.types.is_integer_dtype(index) and index.is_unique:
        return pd.array(np.asarray(index, dtype=np.int64) + 2, dtype="Int64")
    return pd.array(np.arange(2, len(index) + 2, dtype=np.int64), dtype="Int64")


def _flag(data, name, date) -> pd.Series:
    """Event flag; missing flag with a date present counts as the event."""
    flag = _col(data, name, "bool")
    if name not in data.columns:
        # only the date column: the date says whether the event happened
        return pd.Series(date.notna().to_numpy(), index=data.index, dtype="boolean")
    return flag.mask(flag.isna() & date.notna(), True)


class _Notes:
    """Per-patient notes of the derivation, added a whole column at a time (boolean masks).

    Each patient's notes keep the order in which they were first added, without repeats,
    joined with "; " (as the audit table shows them).
    """

    def __init__(self, n: int):
        self.n = n
        self.entries: list[tuple[np.ndarray, str]] = []

    def add(self, mask, text: str) -> None:
        mask = np.asarray(mask, dtype=bool)
        if mask.any():
            self.entries.append((mask.copy(), text))

    def any_startswith(self, prefixes: tuple[str, ...]) -> np.ndarray:
        out = np.zeros(self.n, dtype=bool)
        for mask, text in self.entries:
            if text.startswith(prefixes):
                out |= mask
        return out

    def joined(self) -> list[str]:
        out = np.full(self.n, "", dtype=object)
        seen: dict[str, np.ndarray] = {}
        for mask, text in self.entries:
            before = seen.get(text)
            new = mask if before is None else mask & ~before
            if new.any():
                first = new & (out == "")
                out[first] = text
                later = new & ~first
                out[later] = out[later] + ("; " + text)
            seen[text] = mask if before is None else (before | mask)
        return out.tolist()


def _note_missing(notes, series, text):
    notes.add(series.isna().to_numpy(), text)


def _states(flag: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(is True, is False, is missing) of a boolean column, as numpy masks."""
    missing = flag.isna().to_numpy()
    true = flag.fillna(False).to_numpy(dtype=bool) & ~missing
    return true, ~true & ~missing, missing


def _ns(dates: pd.Series) -> np.ndarray:
    return dates.astype("datetime64[ns]").to_numpy()


_NAT = np.datetime64("NaT", "ns")


def _os(death, death_date, fu, notes):
    d_true, d_false, d_none = _states(death)
    dd, f = _ns(death_date), _ns(fu)
    notes.add(d_true & np.isnat(dd), "death without a date")
    notes.add(d_false & np.isnat(f), "no last follow-up date")
    notes.add(d_none, "death not recorded")
    end_values = np.where(d_true, dd, np.where(d_false, f, _NAT))
    end = pd.Series(end_values, index=death.index, dtype="datetime64[ns]")
    event = death.copy()
    event[np.isnat(end_values)] = pd.NA
    return end, event


def _rfs(definition, rec, rec_date, site, death, death_date, fu, notes):
    """RFS end date and event per patient (vectorised; see RFS_DEFINITIONS for the rules)."""
    r_true, r_false, r_none = _states(rec)
    d_true, d_false, d_none = _states(death)
    rd, dd, f = _ns(rec_date), _ns(death_date), _ns(fu)
    rd_na, dd_na = np.isnat(rd), np.isnat(dd)
    site_na = site.isna().to_numpy()
    hepatic = site.astype(object).isin(_HEPATIC_SITES).to_numpy(dtype=bool) & ~site_na
    any_death = definition == "recurrence_or_death"

    a = r_none
    b = ~a & r_true & rd_na
    c = ~a & ~b & d_true & dd_na & r_false & any_death
    go = ~a & ~b & ~c  # the end date can be looked for
    notes.add(a, "recurrence not recorded")
    notes.add(b, "recurrence without a date")
    notes.add(c, "death without a date")

    # censoring date: death (if died) else last follow-up
    by_death = d_true & ~dd_na
    no_censor = ~by_death & d_none & (not any_death) & r_false
    notes.add(go & no_censor, "death not recorded")
    censor = np.where(by_death, dd, np.where(no_censor, _NAT, f))

    end = np.full(len(rd), _NAT)
    event = np.zeros(len(rd), dtype=bool)
    if any_death:
        undecided = d_none & r_false  # alive or dead is not known: no end date
        notes.add(go & undecided, "death not recorded")
        both = r_true & d_true & ~dd_na
        first = np.where(both & (dd < rd), dd, rd)
        has_event = r_true | (d_true & ~dd_na)
        end_rd = np.where(r_true, first, dd)
        end = np.where(go & ~undecided & has_event, end_rd, np.where(go & ~undecided, f, end))
        event = has_event
    elif definition == "recurrence_only":
        end = np.where(go, np.where(r_true, rd, censor), end)
        event = r_true
    else:  # hepatic_progression
        notes.add(go & r_true & site_na, "recurrence without a site")
        at_liver = r_true & hepatic
        value = np.where(at_liver, rd, np.where(r_true & site_na, _NAT, censor))
        end = np.where(go, value, end)
        event = at_liver
    no_end = np.isnat(end)
    needs_note = go & no_end & ~notes.any_startswith(("no last", "death not", "recurrence without"))
    notes.add(needs_note, "no last follow-up date")
    events = pd.array(event, dtype="boolean")
    events[no_end] = pd.NA
    return (pd.Series(end, index=rec.index, dtype="datetime64[ns]"),
            pd.Series(events, index=rec.index, dtype="boolean"))
