"""Display views of result objects: tables as a clinician reads them (text cells, labels,
reference rows, p-values and intervals written by nelm_stats.report.format).

The estimators return tidy numbers; these functions turn them into the tables pages and exports
show. Nothing here computes a statistic.
"""
from __future__ import annotations

from typing import Mapping

import numpy as np
import pandas as pd

from ..estimators.cohort import CohortSummary
from ..estimators.cox import CoxResult, CoxTerm, RiskFactorTable
from ..estimators.table_one import MARKS, TableOne
from ..schema import COLUMNS_BY_NAME
from ..schema import label as label_of
from .format import DASH, is_missing, display_label, level_label, fmt_n_pct, fmt_num, fmt_p, fmt_p_bare, fmt_ratio, fmt_ratio_value, fmt_smd

__all__ = ["column_titles", "TABLE_TITLES", "problems_view", "mapped_column_view", "readable_frame", "with_level_labels", "table_one_view", "table_one_footnotes", "groups_view", "analyses_view", "format_hr", "term_label",
           "format_cox_table", "risk_factor_view", "ph_verdict", "format_p", "margin_rates_view", "balance_view",
           "adjusted_hazard_view", "ANALYSIS_NAMES"]

ANALYSIS_NAMES = {"crude": "Crude", "matched": "Matched", "weighted": "Weighted (IPTW)"}


# ----------------------------------------------------------------------------- margins, propensity
def margin_rates_view(table: pd.DataFrame) -> pd.DataFrame:
    """A ``compare_rates`` table of a positive margin as a report prints it (n (%), Wilson CI in %)."""
    t = table
    return pd.DataFrame({
        "Group": ["All patients" if str(g) == "all" else display_label(g) for g in t["group"]],
        "Patients": [str(int(n)) for n in t["n"]],
        "Positive margin (R1/R2), n (%)": [fmt_n_pct(int(e), int(n)) for e, n in zip(t["events"], t["n"])],
        "95 % CI (%)": [f"{fmt_num(100 * lo)}–{fmt_num(100 * hi)}" for lo, hi in zip(t["ci_lower"], t["ci_upper"])],
    })


def balance_view(matched, weighted=None) -> pd.DataFrame:
    """SMDs before and after matching (and after weighting, with ``weighted``), covariates by their labels."""
    bal = matched.balance
    view = pd.DataFrame({
        "Covariate": ["Propensity score (distance)" if t == "distance" else
                      (label_of(t.split(": ")[0]) + (": " + display_label(t.split(": ", 1)[1]) if ": " in t else ""))
                      for t in bal["term"]],
        "SMD before": [fmt_smd(x) for x in bal["smd_before"]],
        "SMD after matching": [fmt_smd(x) for x in bal["smd_after"]],
    })
    if weighted is not None:
        wb = dict(zip(weighted.balance["term"], weighted.balance["smd_after"]))
        view["SMD after weighting"] = [fmt_smd(wb.get(t, np.nan)) for t in bal["term"]]
    return view


def adjusted_hazard_view(table: pd.DataFrame) -> pd.DataFrame:
    """The crude / matched / weighted table of ``compare_survival`` as a report prints it."""
    t = table
    return pd.DataFrame({
        "Analysis": [ANALYSIS_NAMES.get(x, x) for x in t["analysis"]],
        "Patients": [display_label(x) for x in t["n"]],
        "Events": [display_label(x) for x in t["events"]],
        "Hazard ratio (95 % CI)": [fmt_ratio("", h, lo, hi).strip() if h == h else "–"
                                   for h, lo, hi in zip(t["hazard_ratio"], t["ci_lower"], t["ci_upper"])],
        "p": [fmt_p_bare(p) for p in t["p_value"]],
    })


# ----------------------------------------------------------------------------- Table 1
def table_one_footnotes(t1: TableOne) -> list[str]:
    notes = [f"{MARKS[i % len(MARKS)]} {name}" for i, name in enumerate(t1.tests_used())]
    if t1.weighted:
        notes.append("Weighted summaries (n = patients; percentages, means and SMDs use the weights); "
                     "no p-values for weighted data.")
    notes.append("Continuous: median [IQR] or mean (SD); categorical: n (%). SMD: standardized mean "
                 "difference (second group vs first; largest pairwise with more groups).")
    return notes

def table_one_view(t1: TableOne, digits: int = 1, p_digits: int = 3, group_title: str | None = None) -> pd.DataFrame:
    """Journal-style table: one column per group (header "label (n = N)"), p-value, SMD.

    Text cells: "median [q1, q3]", "mean (SD)", "n (%)"; a "Missing" line under
    a variable when any value is missing; p-values carry a superscript letter
    naming the test (see footnotes()).  A categorical variable's SMD cell shows the
    largest absolute SMD over its levels (per level in ``table``).  Group headers show True/False as yes/no,
    prefixed by ``group_title`` when given.
    """
    marks = {name: MARKS[i % len(MARKS)] for i, name in enumerate(t1.tests_used())}
    cols = ["all", *t1.groups] if len(t1.groups) > 1 else ["all"]
    def name(g):
        if g == "all":
            return "Overall"
        if t1.group is not None and display_label(g) in ("yes", "no"):
            return level_label(g, t1.group)  # 'With cystic metastases', as every other page names it
        return f"{group_title}: {display_label(g)}" if group_title else display_label(g)

    head = {g: f"{name(g)} (n = {t1.group_sizes.get(g, 0)})" for g in cols}
    rows = []
    f = f"{{:.{digits}f}}"

    def pfmt(p, test):
        if not np.isfinite(p):
            return ""
        s = f"< {10 ** -p_digits:.{p_digits}f}" if p < 10 ** -p_digits else f"{p:.{p_digits}f}"
        return s + marks.get(test, "")

    for var, block in t1.table.groupby("variable", sort=False):
        first = block.iloc[0]
        p_txt = pfmt(first.p_value, first.test)
        kind = first.kind
        by = {g: block[block["group"] == g] for g in cols}
        if kind == "continuous":
            how = "median [IQR]" if first.summary == "median" else "mean (SD)"
            cells = {}
            for g in cols:
                r = by[g].iloc[0]
                if r['n'] == 0:
                    cells[head[g]] = "–"
                elif first.summary == "median":
                    cells[head[g]] = f"{f.format(r['median'])} [{f.format(r['q1'])}, {f.format(r['q3'])}]"
                else:
                    cells[head[g]] = f"{f.format(r['mean'])} ({f.format(r['sd'])})"
            smd = first.smd
            rows.append({"characteristic": f"{first.label}, {how}", **cells, "p_value": p_txt,
                         "smd": "" if not np.isfinite(smd) else f"{abs(smd):.2f}"})
        else:
            levels = list(dict.fromkeys(block["level"]))
            if kind == "binary":
                cells = {head[g]: _count(t1, by[g].iloc[0], digits) for g in cols}
                smd = first.smd
                rows.append({"characteristic": f"{first.label}, n (%)", **cells, "p_value": p_txt,
                             "smd": "" if not np.isfinite(smd) else f"{abs(smd):.2f}"})
            else:
                smds = block.groupby("level", sort=False)["smd"].first()
                big = np.nanmax(np.abs(smds.to_numpy(float))) if np.isfinite(smds.to_numpy(float)).any() else np.nan
                rows.append({"characteristic": f"{first.label}, n (%)", **{head[g]: "" for g in cols},
                             "p_value": p_txt, "smd": "" if not np.isfinite(big) else f"{big:.2f}"})
                for lev in levels:
                    cells = {head[g]: _count(t1, by[g][by[g]["level"] == lev].iloc[0], digits) for g in cols}
                    rows.append({"characteristic": f"    {display_label(lev)}", **cells, "p_value": "", "smd": ""})
        miss = {g: int(by[g].iloc[0]["missing"]) for g in cols}
        if any(miss.values()):
            rows.append({"characteristic": "    Missing", **{head[g]: str(miss[g]) for g in cols},
                         "p_value": "", "smd": ""})
    out = pd.DataFrame(rows, columns=["characteristic", *[head[g] for g in cols], "p_value", "smd"])
    if len(t1.groups) <= 1:
        out = out.drop(columns=["p_value", "smd"])
    return out.rename(columns={"characteristic": "Characteristic", "p_value": "p-value", "smd": "SMD"})

def _count(t1: TableOne, r, digits) -> str:
    if not np.isfinite(r["percent"]):
        return "–"
    n = f"{r['n_weighted']:.1f}" if t1.weighted else f"{int(r['n'])}"
    return f"{n} ({r['percent']:.{digits}f})"




# ----------------------------------------------------------------------------- cohort overview
def groups_view(summary: CohortSummary, column: str | None = None) -> pd.DataFrame:
    """The ``groups`` table for display: counts as 'k (p %)', median follow-up in months; the groups
    of a yes/no ``column`` named as a paper names them (format.level_label)."""
    g = summary.groups
    out = pd.DataFrame({"Group": [level_label(x, column) if x != "all" else "All patients" for x in g["group"]]})
    out["Patients"] = [f"{int(k)} ({p:.0f} %)" for k, p in zip(g["n"], g["percent"])]
    for col, title in (("recurrences", "Recurrences"), ("rfs_events", "RFS events"),
                       ("deaths", "Deaths"), ("os_events", "OS events")):
        if g[col].notna().any():
            out[title] = [
                "" if np.isnan(k) else f"{int(k)} ({100 * k / n:.0f} %)" if n else "0"
                for k, n in zip(g[col], g["n"])
            ]
    if summary.follow_up is not None:
        fu = summary.follow_up.set_index("group")["median"]
        out["Median follow-up, months"] = [
            "not reached" if np.isnan(fu.get(x, np.nan)) else f"{fu[x]:.1f}" for x in g["group"]
        ]
    return out


def analyses_view(summary: CohortSummary) -> pd.DataFrame:
    """The ``analyses`` table for display: ✓, or why not (columns by their labels)."""
    a = summary.analyses

    def why(missing: str, reason: str) -> str:
        names = ", ".join(label_of(c) for c in missing.split(", ") if c)
        if reason == "one group":
            return f"every patient in one group ({names})"
        return f"no data: {names}" if names else ""

    return pd.DataFrame(
        {
            "Analysis": a["analysis"],
            "Possible": ["✓" if ok else "✗" for ok in a["available"]],
            "Why not": [why(m, r) for m, r in zip(a["missing"], a["reason"])],
        }
    )


# ----------------------------------------------------------------------------- Cox models
def format_p(p: float) -> str:
    """A p-value table cell (report.format.fmt_p_bare: "< 0.001", "0.032", "0.41"; "" when none)."""
    if p is None or not np.isfinite(p):
        return ""
    return fmt_p_bare(p)


def format_hr(hr: float, lo: float, hi: float, digits: int = 2) -> str:
    """ "1.23 (0.98–1.55)"; empty when not estimated."""
    if hr is None or not np.isfinite(hr):
        return ""
    return f"{fmt_ratio_value(hr, digits)} ({fmt_ratio_value(lo, digits)}–{fmt_ratio_value(hi, digits)})"


def term_label(term: CoxTerm | None, name: str, labels: Mapping[str, str]) -> str:
    base = labels.get(name, label_of(name))
    if term is None:
        return base
    if term.kind == "numeric" and term.unit != 1:
        col = COLUMNS_BY_NAME.get(name)
        unit = col.unit if col is not None and col.unit else "units"
        return f"{base} (per {term.unit:g} {unit})"
    if term.kind == "trend":
        return f"{base} (per step, {' < '.join(term.scores)})"
    return base


def _terms_by_name(rft: RiskFactorTable) -> dict[str, CoxTerm]:
    out: dict[str, CoxTerm] = {}
    for m in (*rft.screen.models, rft.model):
        if m is not None:
            for t in m.terms:
                out.setdefault(t.name, t)
    return out


def risk_factor_view(rft: RiskFactorTable, labels: Mapping[str, str] | None = None, digits: int = 2) -> pd.DataFrame:
    """Univariable and multivariable HRs side by side: "HR (95 % CI)" strings, reference rows, p as text."""
    labels = labels or {}
    uni_head = "Univariable HR (95 % CI)"
    multi_head = "Multivariable HR (95 % CI)"
    terms = _terms_by_name(rft)
    rows = []
    tab = rft.table
    in_model = set(rft.model.table["term"]) if rft.model is not None else set()
    for name in dict.fromkeys(tab["term"]):
        part = tab[tab["term"] == name]
        term = terms.get(name)
        label = term_label(term, name, labels)
        multi_ref = "1 (reference)" if name in in_model else ""
        if term is not None and term.kind == "categorical":
            rows.append({"Covariate": label, uni_head: "", "p (univariable)": "",
                         multi_head: "", "p (multivariable)": ""})
            rows.append({"Covariate": f"    {display_label(term.reference)}", uni_head: "1 (reference)",
                         "p (univariable)": "", multi_head: multi_ref, "p (multivariable)": ""})
            for _, r in part.iterrows():
                rows.append(_fmt_row(f"    {display_label(r['level'])}", r, digits, uni_head, multi_head))
        else:
            rows.extend(_fmt_row(label, r, digits, uni_head, multi_head) for _, r in part.iterrows())
    cols = ["Covariate", uni_head, "p (univariable)", multi_head, "p (multivariable)"]
    return pd.DataFrame(rows, columns=cols)


def _fmt_row(label, r, digits, uni_head, multi_head) -> dict:
    uni = format_hr(r["uni_hazard_ratio"], r["uni_ci_lower"], r["uni_ci_upper"], digits)
    return {
        "Covariate": label,
        uni_head: uni if uni else "not estimable",
        "p (univariable)": format_p(r["uni_p_value"]),
        multi_head: format_hr(r["multi_hazard_ratio"], r["multi_ci_lower"], r["multi_ci_upper"], digits),
        "p (multivariable)": format_p(r["multi_p_value"]),
    }


def format_cox_table(model: CoxResult, labels: Mapping[str, str] | None = None,
                     digits: int = 2) -> pd.DataFrame:
    """Display view of one model: Covariate | HR (95 % CI) | p, with reference rows."""
    labels = labels or {}
    rows = []
    for term in model.terms:
        part = model.table[model.table["term"] == term.name]
        label = term_label(term, term.name, labels)
        if term.kind == "categorical":
            rows.append({"Covariate": label, "HR (95 % CI)": "", "p": ""})
            rows.append({"Covariate": f"    {display_label(term.reference)}",
                         "HR (95 % CI)": "1 (reference)", "p": ""})
            for _, r in part.iterrows():
                rows.append({"Covariate": f"    {display_label(r['level'])}",
                             "HR (95 % CI)": format_hr(r.hazard_ratio, r.ci_lower, r.ci_upper, digits),
                             "p": format_p(r.p_value)})
        else:
            r = part.iloc[0]
            rows.append({"Covariate": label,
                         "HR (95 % CI)": format_hr(r.hazard_ratio, r.ci_lower, r.ci_upper, digits),
                         "p": format_p(r.p_value)})
    return pd.DataFrame(rows, columns=["Covariate", "HR (95 % CI)", "p"])


def ph_verdict(zph: pd.DataFrame, alpha: float = 0.05) -> str:
    """A plain-language reading of proportional_hazards_test's table."""
    glob = zph[zph["term"] == "GLOBAL"]
    bad = zph[(zph["term"] != "GLOBAL") & (zph["p_value"] < alpha)]
    gp = float(glob["p_value"].iloc[0]) if len(glob) else float("nan")
    if len(bad) == 0 and not np.isfinite(gp):
        return ("The proportional-hazards check could not be computed (too few events or "
                "too few distinct event times): judge the residual plot, or add patients "
                "before relying on constant hazard ratios.")
    if len(bad) == 0 and gp >= alpha:
        return (f"No evidence against proportional hazards (global test {fmt_p(gp)}): "
                "the hazard ratios can be read as constant over follow-up.")
    names = ", ".join(f"{label_of(t)} ({fmt_p(p)})" for t, p in zip(bad["term"], bad["p_value"]))
    msg = f"The proportional-hazards assumption may not hold (global test {fmt_p(gp)})"
    if names:
        msg += f" for {names}"
    return msg + (": the hazard ratio of these covariates changes over follow-up. Look at the "
                  "residual plot; consider stratifying on the covariate or reporting "
                  "time-period hazard ratios.")




# ----------------------------------------------------------------------------- table headers
#: headers for people of the tidy tables the import shows (others: the schema's labels)
TABLE_TITLES = {
    "row": "Row", "text": "Text", "reason": "Reason", "column": "Column", "value": "Value", "n": "Count",
    "rows": "Rows", "original": "As written", "patient_id": "Patient", "problem": "Problem", "detail": "Detail",
    "step": "Step", "n_excluded": "Excluded", "n_remaining": "Remaining", "source_column": "Your column",
    "role": "Role", "examples": "Example values", "rfs_source": "RFS from", "rfs_end_date": "RFS end",
    "rfs_event": "RFS event", "rfs_time": "RFS time", "os_source": "OS from", "os_end_date": "OS end",
    "os_event": "OS event", "os_time": "OS time", "unit": "Unit", "note": "Note", "kind": "Kind",
    "description": "Description", "label": "Label", "categories": "Values",
}


def column_titles(columns) -> dict[str, str]:
    """{column: header for people} for a table shown as it is (TABLE_TITLES, else schema labels)."""
    return {str(c): TABLE_TITLES.get(str(c), label_of(str(c))) for c in columns}


_GROUP_COLUMNS = ("group", "group_a", "group_b")


def with_level_labels(result, column: str | None):
    """A result whose groups are named for people (:func:`format.level_label`): the ``group``
    (``group_a``/``group_b``) columns of its tables and its ``groups`` tuple, also in the results it
    holds (a report's Kaplan–Meier and log-rank).  Numbers and sentences are untouched; a result
    grouped by anything but a yes/no column is returned as it is."""
    import dataclasses

    if column is None:
        return result

    def name(v):
        return level_label(v, column) if display_label(v) in ("yes", "no") else v

    def relabel(obj, depth=0):
        if isinstance(obj, pd.DataFrame):
            cols = [c for c in _GROUP_COLUMNS if c in obj.columns]
            if not cols or not any(display_label(v) in ("yes", "no") for c in cols for v in obj[c].unique()):
                return obj
            return obj.assign(**{c: [name(v) for v in obj[c]] for c in cols})
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type) and depth < 3:
            changes = {}
            for f in dataclasses.fields(obj):
                v = getattr(obj, f.name)
                new = (tuple(name(g) for g in v) if f.name == "groups" and isinstance(v, tuple)
                       else relabel(v, depth + 1))
                if new is not v:
                    changes[f.name] = new
            return dataclasses.replace(obj, **changes) if changes else obj
        return obj

    return relabel(result)


def readable_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A table of the import (audit, problems, flow) as people read it: dates as 2020-03-17, flags
    as yes/no, numbers with at most two decimals, "–" where a value is missing (never "None",
    "NaT" or "nan"). Whole-number columns without a gap stay numbers. Column by column, vectorised
    (the audit table of a large export has a row per patient)."""
    out = {}
    for c in frame.columns:
        s = frame[c]
        missing = s.isna().to_numpy()
        if pd.api.types.is_datetime64_any_dtype(s):
            out[c] = s.dt.strftime("%Y-%m-%d").astype(object).where(~missing, DASH)
        elif pd.api.types.is_bool_dtype(s):
            flags = s.astype(object)
            out[c] = flags.map({True: "yes", False: "no"}).where(~missing, DASH)
        elif pd.api.types.is_numeric_dtype(s):
            values = s.to_numpy(dtype=float, na_value=np.nan)
            whole = bool(np.all(np.mod(values[~missing], 1) == 0))
            if not missing.any() and whole:
                out[c] = s
            else:
                text = pd.Series(values, index=s.index).map(
                    (lambda x: f"{x:.0f}") if whole else (lambda x: f"{x:.2f}".rstrip("0").rstrip(".")))
                out[c] = text.astype(object).where(~missing, DASH)
        else:
            obj = s.astype(object)
            texts = obj.astype(str)
            gone = missing | texts.isin(["None", "nan", "NaT", "<NA>"]).to_numpy()
            flags = texts.isin(["True", "False"]).to_numpy()
            obj = obj.where(~flags, texts.map({"True": "yes", "False": "no"}))
            stamps = obj.map(lambda x: isinstance(x, pd.Timestamp)).to_numpy(dtype=bool)
            if stamps.any():
                obj = obj.where(~stamps, obj.map(lambda x: x.strftime("%Y-%m-%d") if isinstance(x, pd.Timestamp) else x))
            out[c] = obj.where(~gone, DASH)
    return pd.DataFrame(out, index=frame.index)


def mapped_column_view(frame: pd.DataFrame, roles: Mapping[str, str]) -> pd.DataFrame:
    """An import table whose ``column`` holds analysis column names, with each named in words and
    by the user's own header: 'margin_status' -> 'Margin status (your “R-status”)'."""
    source_of = {r: s for s, r in roles.items()}
    out = frame.copy()
    out["column"] = [f"{label_of(c)} (your “{source_of[c]}”)" if c in source_of and source_of[c] != c
                     else label_of(c) for c in out["column"]]
    return out


def problems_view(problems: pd.DataFrame, descriptions: Mapping[str, str]) -> pd.DataFrame:
    """The quality report's problems with each kind and column named in words."""
    out = problems.copy()
    out["problem"] = [descriptions.get(p, p) for p in out["problem"]]
    out["column"] = [label_of(c) if c else "" for c in out["column"]]
    return out
