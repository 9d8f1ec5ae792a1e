"""The whole way in, as one call: a data file and the import choices → the analysed cohort.

The Import page takes these steps one widget at a time; :class:`ImportSettings` records every
choice it depends on (how the file is read, which columns were dropped, the column mapping,
the endpoint definitions, what to do with each kind of problem, and the patients excluded by
hand — by patient id, not by row, so the choice survives a new export of the registry).
:func:`import_cohort` replays them on a file, so that the command line, a generated script
and a notebook get the same cohort as the dashboard.

Replaying on a file whose columns changed applies what still fits and says, in
``ImportedCohort.messages``, what no longer does (a mapped column that is gone, a patient id
that is not in the file); nothing is skipped silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

import pandas as pd

from ..errors import InputError
from ..samples import coerce_extras
from ..schema import COLUMNS_BY_NAME, coerce_cohort
from .mapping import KEEP, DROP, ColumnMapping, apply_mapping, remap, suggest_mapping
from .privacy import age_from_birth_date, drop_columns, drop_raw_dates
from .quality import PreparedCohort, prepare_cohort, row_numbers
from .read import DEFAULT_MISSING_CODES, read_table

__all__ = ["ImportSettings", "ImportedCohort", "import_cohort", "is_canonical", "read_cohort"]


@dataclass(frozen=True)
class ImportSettings:
    """Every choice of the Import page (defaults: what the page suggests untouched).

    ``roles``: {source column: canonical column | "keep" | "drop"} of the mapping (empty:
    suggested from the file); ``time_units``: {source column: "days" | "years"};
    ``actions``: {problem kind: action}; ``excluded_ids``: patient ids excluded by hand.
    """
    sheet: str | None = None
    header_row: int | None = None
    decimal: str | None = None
    missing_codes: tuple[str, ...] = tuple(DEFAULT_MISSING_CODES)
    age_from_birth: tuple[str, str] | None = None  # (birth date column, surgery date column)
    dropped_columns: tuple[str, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)
    date_order: str | None = None
    time_units: dict[str, str] = field(default_factory=dict)
    rfs_definition: str = "recurrence_or_death"
    unit: str = "months"
    source: str = "auto"
    actions: dict[str, str] = field(default_factory=dict)
    excluded_ids: tuple[str, ...] = ()
    drop_raw_dates: bool = True

    def mapping(self) -> ColumnMapping:
        return ColumnMapping(roles=dict(self.roles), date_order=self.date_order,
                             missing_codes=tuple(self.missing_codes), time_units=dict(self.time_units))


@dataclass(frozen=True)
class ImportedCohort:
    """``data``: the analysed cohort; ``flow``: the patient flow; ``prepared``: every step's
    detail (excluded rows, audit); ``messages``: what of the settings no longer fits the file."""
    data: pd.DataFrame
    flow: pd.DataFrame | None
    prepared: PreparedCohort | None  # None: the file was already in the canonical schema
    mapping: ColumnMapping | None
    messages: tuple[str, ...] = ()


def is_canonical(data: pd.DataFrame) -> bool:
    """True when a table already has the canonical schema's follow-up columns (no mapping needed)."""
    return {"rfs_months", "rfs_event"} <= set(data.columns) or {"os_months", "os_event"} <= set(data.columns)


def import_cohort(content: bytes, filename: str, settings: ImportSettings | None = None) -> ImportedCohort:
    """Read ``content`` (the bytes of ``filename``) and replay ``settings`` on it."""
    s = settings or ImportSettings()
    messages: list[str] = []
    read = read_table(content, filename, sheet=s.sheet, missing_codes=tuple(s.missing_codes),
                      header_row=s.header_row, decimal=s.decimal)
    raw = read.data
    if s.age_from_birth:
        birth, surgery = s.age_from_birth
        if birth in raw.columns and surgery in raw.columns:
            raw = raw.assign(**{"Age at surgery": age_from_birth_date(raw, birth, surgery)})
        else:
            messages.append(f"Age at surgery was computed last time from “{birth}” and “{surgery}”; this file "
                            "lacks " + " and ".join(f"“{c}”" for c in (birth, surgery) if c not in raw.columns)
                            + ", so no age was computed.")
    gone = [c for c in s.dropped_columns if c not in raw.columns]
    if gone:
        messages.append("Columns dropped last time are not in this file (nothing to drop): "
                        + ", ".join(f"“{c}”" for c in gone) + ".")
    raw = drop_columns(raw, list(s.dropped_columns))

    if s.roles:
        saved = s.mapping()
        missing = [c for c, r in saved.roles.items() if c not in raw.columns and r not in (KEEP, DROP)]
        if missing:
            messages.append(
                "Mapped columns not found in this file: " + "; ".join(
                    f"“{c}” (was {saved.roles[c]})" for c in missing)
                + ". Their roles were suggested again from the file's columns; check them on the Import page.")
        mapping = replace(remap(saved, raw), missing_codes=tuple(s.missing_codes), date_order=s.date_order)
        new = [c for c in raw.columns if str(c) not in saved.roles]
        if new:
            messages.append("Columns new in this file, given suggested roles: " + "; ".join(
                f"“{c}” → {mapping.roles[str(c)]}" for c in new) + ".")
    else:
        mapping = replace(suggest_mapping(raw, missing_codes=tuple(s.missing_codes)), date_order=s.date_order)
    mapped = apply_mapping(raw, mapping)

    rows: list[int] = []
    if s.excluded_ids:
        if "patient_id" not in mapped.data.columns:
            raise InputError("The settings exclude patients by their id, but no column of this file is mapped "
                             "to the patient id.")
        ids = mapped.data["patient_id"].astype("string")
        wanted = {str(i) for i in s.excluded_ids}
        hit = ids.isin(wanted).fillna(False).to_numpy(dtype=bool)
        rows = [r for r, h in zip(row_numbers(mapped.data), hit) if h]
        absent = sorted(wanted - set(ids.dropna()))
        if absent:
            messages.append(f"{len(absent)} patient id(s) excluded last time are not in this file: "
                            + ", ".join(absent[:10]) + (" …" if len(absent) > 10 else "") + ".")
    prepared = prepare_cohort(mapped.data, actions=dict(s.actions), rfs_definition=s.rfs_definition,
                              unit=s.unit, source=s.source, unparsed_dates=mapped.unparsed_dates,
                              exclude_rows=rows)
    data = prepared.data.reset_index(drop=True)
    if s.drop_raw_dates:
        data = drop_raw_dates(data)
    return ImportedCohort(data=data, flow=prepared.flow, prepared=prepared, mapping=mapping,
                          messages=tuple(messages))


def read_cohort(content: bytes, filename: str, settings: ImportSettings | None = None) -> ImportedCohort:
    """A cohort from a file: with ``settings``, the import replayed (:func:`import_cohort`);
    without, a file already in the canonical schema (e.g. one the dashboard or a notebook wrote)
    is read with the schema's types, and any other file goes through the suggested mapping
    (and says so)."""
    if settings is not None:
        return import_cohort(content, filename, settings)
    read = read_table(content, filename)
    if is_canonical(read.data):
        data = coerce_extras(coerce_cohort(read.data.reset_index(drop=True)), COLUMNS_BY_NAME)
        return ImportedCohort(data=data, flow=None, prepared=None, mapping=None)
    out = import_cohort(content, filename, ImportSettings())
    if not any(r not in (KEEP, DROP) for r in out.mapping.roles.values()):
        raise InputError(f"No column of '{filename}' was recognised as a column of a patient series (patient id, "
                         "age, grade, dates of surgery, recurrence and death …). Map its columns on the Import page "
                         "and save the settings, then use them here.")
    note = ("The file is not in the analysis format: its columns were mapped as the Import page suggests. "
            "Check the mapping there and save the settings to fix it.")
    return replace(out, messages=(note, *out.messages))
