"""Data-quality report with row numbers, the user's fix for each problem, and the patient flow.

:func:`find_problems` lists every problem row (row = spreadsheet row, header = row 1):
dates before surgery, events flagged without a date, negative or zero times, duplicate
patient ids, impossible values, unreadable dates and missing key fields.
:func:`prepare_cohort` applies the user's choice for each kind of problem (a fix, or
exclusion), derives the endpoints, and returns the analysed cohort together with the
patient flow (uploaded -> excluded for reason X -> analysed).  Nothing is lost silently.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .derive import DAYS_PER_MONTH, Derivation, derive_endpoints, endpoint_sources
from .._checks import require_frame
from ..errors import InputError, InsufficientDataError

__all__ = [
    "ProblemKind", "EXCLUDE", "MAX_FOLLOW_UP_YEARS", "LONG_MEDIAN_MONTHS", "DATE_COLUMNS", "ACTION_LABELS",
    "PROBLEM_KINDS", "LIMITS", "PROBLEM_COLUMNS", "SUMMARY_COLUMNS", "FLOW_COLUMNS", "EXCLUDED_COLUMNS",
    "QualityReport", "PreparedCohort", "find_problems", "default_actions", "prepare_cohort", "patient_flow",
    "row_numbers", "parse_rows", "restrict_lesions",
]


@dataclass(frozen=True)
class ProblemKind:
    key: str
    description: str
    actions: tuple[str, ...]  # first = default
    exclude_reason: str


EXCLUDE = "exclude"
MAX_FOLLOW_UP_YEARS = 50  # a survival time beyond this is implausible for a surgical series
LONG_MEDIAN_MONTHS = 240.0  # a median supplied time beyond 20 years: were the times in days?
DATE_COLUMNS = ("surgery_date", "recurrence_date", "death_date", "last_follow_up_date")
ACTION_LABELS = {
    "exclude": "exclude these patients",
    "clear_date": "set the wrong date to missing",
    "clear_value": "set the value to missing",
    "date_at_last_follow_up": "use the last follow-up date as the event date",
    "keep_first": "keep the first row of each id, exclude the others",
    "exclude_all": "exclude every row of a duplicated id",
    "keep_all": "keep all rows (ids are not unique)",
    "keep": "keep as it is",
    "extend_follow_up": "move the last follow-up to the event date",
}

PROBLEM_KINDS: dict[str, ProblemKind] = {k.key: k for k in (
    ProblemKind("duplicate_id", "The same patient id appears on more than one row",
                ("keep_first", "exclude_all", "keep_all"), "duplicate patient id"),
    ProblemKind("unreadable_date", "A date that cannot be read (or does not exist, e.g. 31/02)",
                ("clear_value", "exclude"), "unreadable date"),
    ProblemKind("future_date", "A date after today (the day of the analysis)",
                ("exclude", "clear_date"), "date in the future"),
    ProblemKind("recurrence_before_surgery", "Recurrence dated before surgery",
                ("exclude", "clear_date"), "recurrence dated before surgery"),
    ProblemKind("death_before_surgery", "Death dated before surgery",
                ("exclude", "clear_date"), "death dated before surgery"),
    ProblemKind("follow_up_before_surgery", "Last follow-up dated before surgery",
                ("exclude", "clear_date"), "last follow-up dated before surgery"),
    ProblemKind("event_after_follow_up", "Recurrence or death dated after the last follow-up",
                ("extend_follow_up", "exclude", "keep"), "event dated after the last follow-up"),
    ProblemKind("event_without_date", "Recurrence or death flagged but no date given",
                ("exclude", "date_at_last_follow_up"), "event without a date"),
    ProblemKind("impossible_value", "Impossible value (age, Ki-67 > 100, margin < 0, size, counts)",
                ("clear_value", "exclude"), "impossible value"),
    ProblemKind("implausible_follow_up", f"Survival time over {MAX_FOLLOW_UP_YEARS} years (a typing error, or "
                "times in days read as months?)", ("exclude", "keep"), "implausible follow-up time"),
    ProblemKind("negative_time", "Negative survival time (supplied)", ("exclude",), "negative survival time"),
    ProblemKind("zero_time", "Survival time of zero (event or censoring on the day of surgery)",
                ("keep", "exclude"), "survival time of zero"),
    ProblemKind("missing_endpoint", "RFS or OS cannot be derived (a date or event flag is missing); "
                "the other endpoint can", ("keep", "exclude"), "one endpoint cannot be derived"),
    ProblemKind("missing_key_field", "A key field is missing: no patient id, or no endpoint can be derived",
                ("exclude", "keep"), "missing key field (no endpoint can be derived)"),
)}

#: Plausible ranges: (low, high, inclusive-low) per numeric column.
LIMITS = {
    "age": (0.0, 110.0),
    "ki67": (0.0, 100.0),
    "margin_mm": (0.0, 200.0),
    "largest_lesion_cm": (0.0, 40.0),
    "lesion_count": (0.0, 500.0),
    "length_of_stay_days": (0.0, 730.0),
    "rfs_months": (-np.inf, 1200.0),
    "os_months": (-np.inf, 1200.0),
}
PROBLEM_COLUMNS = ["row", "patient_id", "problem", "column", "value", "detail"]
SUMMARY_COLUMNS = ["problem", "description", "n_rows", "actions", "default_action"]
FLOW_COLUMNS = ["step", "reason", "n_excluded", "n_remaining"]
EXCLUDED_COLUMNS = ["row", "patient_id", "reason"]


@dataclass(frozen=True)
class QualityReport:
    """``problems``: [row, patient_id, problem, column, value, detail], one line per problem;
    ``summary``: [problem, description, n_rows, actions, default_action] per kind found."""

    problems: pd.DataFrame
    summary: pd.DataFrame
    warnings: tuple[str, ...] = ()  # about the whole cohort (e.g. a median follow-up longer than the study)

    @property
    def n_problem_rows(self) -> int:
        return int(self.problems["row"].nunique()) if len(self.problems) else 0


@dataclass(frozen=True)
class PreparedCohort:
    """The analysed cohort and how it was obtained.

    ``data``: analysed patients (index = source rows) with derived endpoints;
    ``flow``: [step, reason, n_excluded, n_remaining] (``flow.attrs["endpoint_definition"]``: the
    endpoint definitions in words); ``excluded``: [row, patient_id, reason];
    ``audit``: the derivation audit of the analysed patients; ``actions``: {problem: action}.
    """

    data: pd.DataFrame
    flow: pd.DataFrame
    excluded: pd.DataFrame
    audit: pd.DataFrame
    definition: str
    actions: dict = field(default_factory=dict)


class _Rows:
    """Spreadsheet row numbers of a table's index labels, both ways.

    Tables from :func:`nelm_stats.read_table` keep label ``i`` = spreadsheet row ``i + 2``;
    any other index (e.g. text labels in a notebook) is numbered by position (first row = 2).
    """

    def __init__(self, index: pd.Index):
        if pd.api.types.is_integer_dtype(index) and index.is_unique:
            rows = [int(i) + 2 for i in index]
        else:
            rows = list(range(2, len(index) + 2))
        self.row = dict(zip(index, rows))
        self.idx = dict(zip(rows, index))


def _ids(data: pd.DataFrame) -> pd.Series:
    if "patient_id" in data.columns:
        return data["patient_id"].astype("string")
    return pd.Series(pd.NA, index=data.index, dtype="string")


def _fmt(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def find_problems(
    data: pd.DataFrame,
    *,
    rfs_definition: str = "recurrence_or_death",
    source: str = "auto",
    unparsed_dates: pd.DataFrame | None = None,
    as_of=None,
) -> QualityReport:
    """Every problem row of a normalised cohort (see :data:`PROBLEM_KINDS`).

    ``unparsed_dates`` ([column, row, value, reason], from apply_mapping) adds unreadable dates.
    ``as_of``: the day of the analysis (default today); dates after it are flagged.
    """
    require_frame(data)
    today = (pd.Timestamp.today() if as_of is None else pd.Timestamp(as_of)).normalize()
    ids = _ids(data)
    rows: list[tuple] = []
    numbers = _Rows(data.index)

    if data.index.is_unique:  # label lookups through dicts (a pandas lookup per problem row is slow)
        id_of = dict(zip(data.index, ids.array))

        def get_id(idx):
            return id_of.get(idx, pd.NA)
    else:
        def get_id(idx):
            return ids.get(idx, pd.NA)

    def add(idx, problem, column, value, detail):
        rows.append((numbers.row[idx], get_id(idx), problem, column, _fmt(value), detail))

    def at(series: pd.Series, mask: np.ndarray):
        """(label, value) of the rows in ``mask`` (values as the Series gives them, e.g. Timestamps)."""
        return zip(data.index[mask], series.iloc[np.flatnonzero(mask)])

    if "patient_id" in data.columns:
        dup = ids.notna() & ids.duplicated(keep=False)
        for idx, value in at(ids, dup.to_numpy()):
            add(idx, "duplicate_id", "patient_id", value, "id appears on several rows")
        for idx in data.index[ids.isna().to_numpy()]:
            add(idx, "missing_key_field", "patient_id", None, "no patient id")
    if unparsed_dates is not None and len(unparsed_dates):
        for r in unparsed_dates.itertuples(index=False):
            idx = numbers.idx.get(int(r.row))
            if idx is not None:
                add(idx, "unreadable_date", r.column, r.value, r.reason)

    sources = endpoint_sources(data, source)
    for col in DATE_COLUMNS:
        if col in data.columns and pd.api.types.is_datetime64_any_dtype(data[col]):
            d = pd.to_datetime(data[col])
            bad = (d > today).fillna(False).to_numpy()
            for idx, dv in at(d, bad):
                add(idx, "future_date", col, dv, f"{_fmt(dv)} is after today ({_fmt(today)})")
    if "surgery_date" in data.columns:
        surgery = pd.to_datetime(data["surgery_date"])
        for col, kind in (("recurrence_date", "recurrence_before_surgery"),
                          ("death_date", "death_before_surgery"),
                          ("last_follow_up_date", "follow_up_before_surgery")):
            if col in data.columns:
                d = pd.to_datetime(data[col])
                bad = (d < surgery).fillna(False).to_numpy()
                for (idx, dv), (_, sv) in zip(at(d, bad), at(surgery, bad)):
                    add(idx, kind, col, dv, f"{_fmt(dv)} is before surgery on {_fmt(sv)}")
    if "last_follow_up_date" in data.columns:
        fu = pd.to_datetime(data["last_follow_up_date"])
        for col in ("recurrence_date", "death_date"):
            if col in data.columns:
                d = pd.to_datetime(data[col])
                bad = (d > fu).fillna(False).to_numpy()
                for (idx, dv), (_, fv) in zip(at(d, bad), at(fu, bad)):
                    add(idx, "event_after_follow_up", col, dv,
                        f"{_fmt(dv)} is after the last follow-up on {_fmt(fv)}")
    for flag, col in (("recurrence", "recurrence_date"), ("death", "death_date")):
        if flag in data.columns and (col in data.columns or "surgery_date" in data.columns):
            f = data[flag].astype("boolean").fillna(False).to_numpy()
            d = data[col].isna().to_numpy() if col in data.columns else np.ones(len(data), bool)
            uses_dates = sources["os"] == "dates" if flag == "death" else sources["rfs"] == "dates"
            if uses_dates:
                for idx in data.index[f & d]:
                    add(idx, "event_without_date", col, None, f"{flag} = yes but no {col.replace('_', ' ')}")

    for col, (lo, hi) in LIMITS.items():
        if col in data.columns and pd.api.types.is_numeric_dtype(data[col]):
            x = data[col].astype(float)
            if col in ("rfs_months", "os_months"):
                continue
            bad = ((x < lo) | (x > hi)).fillna(False).to_numpy()
            for idx, value in at(x, bad):
                add(idx, "impossible_value", col, value, f"outside {lo:g}–{hi:g}")
            if col == "lesion_count":
                frac = ((x % 1) != 0).fillna(False).to_numpy() & ~bad
                for idx, value in at(x, frac):
                    add(idx, "impossible_value", col, value, "not a whole number")

    # times: derived (from dates) or supplied
    deriv = derive_endpoints(data, rfs_definition=rfs_definition, source=source)
    for ep in ("rfs", "os"):
        if sources[ep] == "none":
            continue
        t = deriv.audit[f"{ep}_time"]
        for idx, value in at(t, (t < 0).fillna(False).to_numpy()):
            if sources[ep] == "supplied":
                add(idx, "negative_time", f"{ep}_months", value, "time below zero")
        for idx in data.index[(t == 0).fillna(False).to_numpy()]:
            add(idx, "zero_time", f"{ep}_months", 0.0, "event or censoring on the day of surgery")
        long = (t > MAX_FOLLOW_UP_YEARS * 12).fillna(False).to_numpy()
        for idx, value in at(t, long):
            add(idx, "implausible_follow_up", f"{ep}_months", value,
                f"{value:.0f} months = {value / 12:.0f} years" + (" (supplied time: check its unit)"
                                                                  if sources[ep] == "supplied" else ""))
    active = [ep for ep in ("rfs", "os") if sources[ep] != "none"]
    if active:
        miss = {ep: deriv.audit[f"{ep}_time"].isna().to_numpy() for ep in active}
        all_missing = np.logical_and.reduce([miss[ep] for ep in active])
        notes = deriv.audit["note"]
        for ep in active:
            for (idx, note), none_left in zip(at(notes, miss[ep]), all_missing[miss[ep]]):
                note = note or f"no {ep.upper()} time or event"
                if "without a date" in note and sources[ep] == "dates":
                    continue  # already listed as event_without_date
                kind = "missing_key_field" if none_left else "missing_endpoint"
                add(idx, kind, f"{ep}_months", None, f"{ep.upper()}: {note}")

    cohort_warnings = _follow_up_warnings(data, deriv, sources, today)
    problems = pd.DataFrame(rows, columns=PROBLEM_COLUMNS)
    if len(problems):
        problems["row"] = problems["row"].astype(int)
        problems = problems.drop_duplicates().sort_values(["row", "problem"], kind="stable")
        problems = problems.reset_index(drop=True)
    summary_rows = []
    for key, kind in PROBLEM_KINDS.items():
        n = int(problems.loc[problems["problem"] == key, "row"].nunique()) if len(problems) else 0
        if n:
            summary_rows.append((key, kind.description, n, ", ".join(kind.actions), kind.actions[0]))
    summary = pd.DataFrame(summary_rows, columns=SUMMARY_COLUMNS)
    return QualityReport(problems, summary, cohort_warnings)


def _follow_up_warnings(data: pd.DataFrame, deriv, sources: dict, today: pd.Timestamp) -> tuple[str, ...]:
    """Supplied survival times that cannot be right for the cohort as a whole: a median longer
    than the study has lasted (first surgery to today), or longer than 20 years."""
    out = []
    first = None
    if "surgery_date" in data.columns and pd.api.types.is_datetime64_any_dtype(data["surgery_date"]):
        first = pd.to_datetime(data["surgery_date"]).min()
    for ep in ("rfs", "os"):
        if sources.get(ep) != "supplied":
            continue
        t = deriv.audit[f"{ep}_time"].astype(float)
        t = t[(t >= 0) & t.notna()]
        if len(t) < 3:
            continue
        med = float(t.median())
        name = "RFS" if ep == "rfs" else "OS"
        if first is not None and not pd.isna(first):
            span = (today - first).days / DAYS_PER_MONTH
            if med > span:
                out.append(f"The median supplied {name} time ({med:.0f} months) is longer than the whole study "
                           f"(first operation {first:%Y-%m-%d}, {span:.0f} months ago): the times cannot be in "
                           f"months. Check the time unit of the {name} column in the mapping (days?).")
                continue
        if med > LONG_MEDIAN_MONTHS:
            out.append(f"The median supplied {name} time is {med:.0f} months ({med / 12:.0f} years), longer than "
                       f"almost any surgical series: check the time unit of the {name} column in the mapping "
                       "(were they days?).")
    return tuple(out)


def default_actions(report: QualityReport) -> dict[str, str]:
    """{problem: default action} for the kinds present in ``report``."""
    return {p: PROBLEM_KINDS[p].actions[0] for p in report.summary["problem"]}


def _check_actions(actions: dict) -> None:
    for k, a in actions.items():
        if k not in PROBLEM_KINDS:
            raise InputError(f"Unknown problem '{k}'; known: {', '.join(PROBLEM_KINDS)}.")
        if a not in PROBLEM_KINDS[k].actions:
            raise InputError(f"'{a}' is not a choice for '{k}'; choose one of "
                             f"{', '.join(PROBLEM_KINDS[k].actions)}.")


def prepare_cohort(
    data: pd.DataFrame,
    *,
    actions: dict[str, str] | None = None,
    rfs_definition: str = "recurrence_or_death",
    unit: str = "months",
    source: str = "auto",
    unparsed_dates: pd.DataFrame | None = None,
    exclude_rows=(),
    as_of=None,
) -> PreparedCohort:
    """Apply the user's choice for each kind of problem, derive endpoints, count the flow.

    ``actions``: {problem kind: action} (defaults: first action of each kind);
    ``exclude_rows``: further spreadsheet rows the user chose to exclude.
    Fixes are applied first, then endpoints are derived; a patient whose endpoint still
    cannot be derived is excluded under "missing_key_field" (unless its action is "keep").
    Each excluded patient is counted once, under the first reason met in the order of
    :data:`PROBLEM_KINDS`.
    """
    require_frame(data)
    if len(data) == 0:
        raise InsufficientDataError("The file has no patients.")
    report = find_problems(data, rfs_definition=rfs_definition, source=source, unparsed_dates=unparsed_dates,
                           as_of=as_of)
    chosen = default_actions(report)
    actions = dict(actions or {})
    _check_actions(actions)
    chosen.update({k: v for k, v in actions.items()})
    work = data.copy()
    numbers = _Rows(data.index)
    excluded: dict = {}  # idx -> reason

    def exclude(idx, kind):
        if idx not in excluded:
            excluded[idx] = PROBLEM_KINDS[kind].exclude_reason

    probs = report.problems
    for key in PROBLEM_KINDS:
        if key not in chosen or key in ("missing_key_field", "missing_endpoint", "negative_time", "zero_time"):
            continue
        action = chosen[key]
        sub = probs[probs["problem"] == key]
        idxs = [numbers.idx[int(r)] for r in sub["row"]]
        if key == "duplicate_id":
            if action == "exclude_all":
                for idx in idxs:
                    exclude(idx, key)
            elif action == "keep_first":
                ids = _ids(work)
                later = ids.notna() & ids.duplicated(keep="first")
                for idx in work.index[later.to_numpy()]:
                    exclude(idx, key)
            continue
        if action == EXCLUDE:
            for idx in idxs:
                exclude(idx, key)
            continue
        for r in sub.itertuples(index=False):
            idx = numbers.idx[int(r.row)]
            if action in ("clear_date", "clear_value"):
                if r.column in work.columns:
                    work.loc[idx, r.column] = pd.NA if not pd.api.types.is_datetime64_any_dtype(
                        work[r.column]) else pd.NaT
            elif action == "extend_follow_up":
                later = work.at[idx, r.column]
                if pd.isna(work.at[idx, "last_follow_up_date"]) or later > work.at[idx, "last_follow_up_date"]:
                    work.loc[idx, "last_follow_up_date"] = later
            elif action == "date_at_last_follow_up" and "last_follow_up_date" in work.columns:
                work.loc[idx, r.column] = work.at[idx, "last_follow_up_date"]
    for r in exclude_rows:
        idx = numbers.idx.get(int(r))
        if idx is not None and idx not in excluded:
            excluded[idx] = "excluded by the user"

    deriv: Derivation = derive_endpoints(work, rfs_definition=rfs_definition, unit=unit, source=source)
    derived = deriv.data
    sources = deriv.sources
    active = [ep for ep in ("rfs", "os") if sources[ep] != "none"]
    for ep in active:
        t = deriv.audit[f"{ep}_time"]
        for idx in derived.index[(t < 0).fillna(False).to_numpy()]:
            exclude(idx, "negative_time")
        if chosen.get("zero_time") == EXCLUDE:
            for idx in derived.index[(t == 0).fillna(False).to_numpy()]:
                exclude(idx, "zero_time")
    if active:
        miss = {ep: deriv.audit[f"{ep}_time"].isna().to_numpy() for ep in active}
        all_missing = np.logical_and.reduce([miss[ep] for ep in active])
        any_missing = np.logical_or.reduce([miss[ep] for ep in active])
        if chosen.get("missing_key_field", EXCLUDE) == EXCLUDE:
            for idx in derived.index[all_missing]:
                exclude(idx, "missing_key_field")
        if chosen.get("missing_endpoint", "keep") == EXCLUDE:
            for idx in derived.index[any_missing]:
                exclude(idx, "missing_endpoint")
    if chosen.get("missing_key_field", EXCLUDE) == EXCLUDE and "patient_id" in derived.columns:
        for idx in derived.index[derived["patient_id"].isna().to_numpy()]:
            exclude(idx, "missing_key_field")

    keep = ~derived.index.isin(list(excluded))
    final = derived.loc[keep]
    ids = _ids(derived)
    excl = pd.DataFrame([(numbers.row[i], ids.get(i, pd.NA), reason)
                         for i, reason in sorted(excluded.items(), key=lambda kv: numbers.row[kv[0]])],
                        columns=EXCLUDED_COLUMNS)
    flow = patient_flow(len(data), excl)
    flow.attrs["endpoint_definition"] = deriv.definition  # travels with the flow into reports
    return PreparedCohort(final, flow, excl, deriv.audit.loc[keep], deriv.definition, chosen)


def patient_flow(n_uploaded: int, excluded: pd.DataFrame) -> pd.DataFrame:
    """[step, reason, n_excluded, n_remaining]: uploaded -> excluded for each reason -> analysed."""
    rows = [("uploaded", "rows in the file", 0, int(n_uploaded))]
    remaining = int(n_uploaded)
    if len(excluded):
        order = list(dict.fromkeys(excluded["reason"]))
        reasons = [k.exclude_reason for k in PROBLEM_KINDS.values()] + ["excluded by the user"]
        order.sort(key=lambda r: reasons.index(r) if r in reasons else len(reasons))
        counts = excluded["reason"].value_counts()
        for reason in order:
            k = int(counts[reason])
            remaining -= k
            rows.append(("excluded", reason, k, remaining))
    rows.append(("analysed", "patients in the analysed cohort", 0, remaining))
    return pd.DataFrame(rows, columns=FLOW_COLUMNS)


def row_numbers(data: pd.DataFrame) -> list[int]:
    """The spreadsheet row of each row of ``data`` (header = row 1), as problems report them."""
    require_frame(data)
    numbers = _Rows(data.index)
    return [numbers.row[i] for i in data.index]


def parse_rows(text: str, rows) -> list[int]:
    """Spreadsheet rows the user typed to exclude ("12, 40-45; 61"), checked against ``rows``
    (:func:`row_numbers` of the table): sorted, each once.

    Numbers are separated by commas, semicolons or spaces; "40-45" (also with "–" or "..") is a
    range.  InputError, in the user's words, for anything that is not a row number or a row of
    the table (a header row, a footer, a row past the end).
    """
    if text is None:
        return []
    if not isinstance(text, str):
        raise InputError("Rows to exclude are written as text, e.g. “12, 40-45”.")
    valid = set(int(r) for r in rows)
    chosen: set[int] = set()
    tokens = [t for t in re.split(r"[,;\s]+", re.sub(r"\s*(?:-|–|—|\.\.)\s*", "-", text.strip())) if t]
    for token in tokens:
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", token)
        if m is None:
            raise InputError(f"“{token}” is not a row number. Write the spreadsheet rows to exclude separated "
                             "by commas, e.g. 12, 40-45.")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        if last < first:
            raise InputError(f"“{token}”: a range goes from the smaller row to the larger, e.g. {last}-{first}.")
        if not valid:
            raise InputError("Your file has no patient rows to exclude.")
        low, high = min(valid), max(valid)
        outside = first if first < low else (max(first, high + 1) if last > high else None)
        span = set(range(first, last + 1)) if outside is None else set()
        if outside is None and span - valid:
            outside = min(span - valid)
        if outside is not None:
            raise InputError(f"Row {outside} is not a patient row of your file: its patients are in rows "
                             f"{low}–{high}" + (" (rows set apart as not patients, such as a second header "
                                                "row or a footer, cannot be excluded)" if len(valid) < high - low + 1
                                                else "") + ".")
        chosen |= span
    return sorted(chosen)


def restrict_lesions(lesions: pd.DataFrame, cohort: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Lesions of the patients in ``cohort`` (matched on patient_id), and how many were left out."""
    require_frame(lesions)
    require_frame(cohort)
    if "patient_id" not in lesions.columns or "patient_id" not in cohort.columns:
        return lesions, 0
    keep = lesions["patient_id"].astype("string").isin(set(cohort["patient_id"].astype("string").dropna()))
    keep = keep.fillna(False).to_numpy(dtype=bool)
    return lesions.loc[keep].reset_index(drop=True), int((~keep).sum())
