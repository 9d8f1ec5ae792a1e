"""A Python script that reproduces the report's numbers from the data file and the settings file.

:func:`generate_script` writes a stand-alone script for a statistician (or a reviewer, or next
year's re-analysis): it uses only the public API of nelm_stats (``import nelm_stats as ns`` and
the formatting functions of :mod:`nelm_stats.report.format` / :mod:`~nelm_stats.report.narrative`
/ :mod:`~nelm_stats.report.views`), never the dashboard, and runs as::

    python analysis.py DATA SETTINGS

in a fresh interpreter.  It reads the data file (a file in the analysis format is read with the
schema's types; a registry export replays the import recorded in the settings), loads the
settings file, fits what no longer fits the data as the command line does (and says so on
stderr), and then, one commented step per analysis with the R function it equals, computes and
prints the report's numbers worded as the report words them: Table 1, medians with 95 % CIs,
survival rates, the log-rank test, margin rates and their test, Cox hazard ratios, the propensity
match and the crude / matched / weighted hazard ratios.  Each step mirrors
:func:`nelm_stats.report.analysis.run_analysis` and :func:`~nelm_stats.report.analysis.build_report`
(tests/test_script.py compares every printed number with the report's).  Bad input: one line on
stderr, exit status 2, no traceback.

The settings the script was generated from are written into it, for the reader; the settings
file given on the command line is what the script uses (a note on stderr says when the two
differ).
"""
from __future__ import annotations

from datetime import date

from .. import __version__
from ..schema import ENDPOINTS, EXTRA_ENDPOINTS, label
from .settings import AnalysisSettings, Settings, settings_to_json

__all__ = ["generate_script"]


def _cols(cols) -> str:
    return ", ".join(cols) if cols else "none"


def _summary(settings: Settings) -> list[str]:
    """The settings in words, one line each (None: the default for the data)."""
    a: AnalysisSettings = settings.analysis
    dflt = "the default for these data"
    eps = {**ENDPOINTS, **EXTRA_ENDPOINTS}
    ep = f"{a.endpoint} ({eps[a.endpoint].label})" if a.endpoint in eps else a.endpoint
    if a.group is None:
        group = dflt
    elif a.group == "":
        group = "none (whole cohort)"
    else:
        group = f"{a.group} ({label(a.group)})"
    cut = {None: "none (the column's own groups)", "median": "at the median"}.get(a.cut, f"at {a.cut}")
    m, w = a.matching, a.weighting
    rows = [
        ("endpoint", ep),
        ("grouping", group),
        ("cut point", cut),
        ("time unit", a.time_unit),
        ("survival rates at", ", ".join(f"{y:g}" for y in a.rate_years) + " years"),
        ("landmark", "none" if a.landmark is None else f"{a.landmark:g} {a.time_unit}"),
        ("horizon", "longest follow-up" if a.horizon is None else f"{a.horizon:g} {a.time_unit}"),
        ("Cox covariates", dflt if a.cox_covariates is None else _cols(a.cox_covariates)),
        ("treatment", dflt if a.treatment is None else (a.treatment or "none")
         + ("" if not a.treatment else f", treated = {a.treated if a.treated is not None else 'last level'}")),
        ("PS covariates", dflt if a.ps_covariates is None else _cols(a.ps_covariates)),
        ("matching", f"1:{m.ratio} nearest neighbour, "
                     + ("no caliper" if m.caliper is None else f"caliper {m.caliper:g} SD ({m.caliper_scale})")
                     + (", with" if m.replace else ", without") + " replacement"
                     + (f", exact on {_cols(m.exact)}" if m.exact else "")),
        ("weighting", f"IPTW, {w.estimand}" + (", stabilised" if w.stabilize else "")
         + (f", trimmed at {w.trim:g}" if w.trim else "")),
    ]
    imp = settings.import_
    if imp is None:
        rows.append(("data file", "already in the analysis format (canonical columns)"))
    else:
        rows.append(("data file", f"registry export; import replayed ({len(imp.roles)} column roles, "
                                  f"{len(imp.excluded_ids)} patient(s) excluded by id, times in {imp.unit})"))
    rows.append(("report sections", ", ".join(settings.report.sections)))
    width = max(len(k) for k, _ in rows)
    return [f"    {k.ljust(width)}  {v}" for k, v in rows]


def generate_script(settings: Settings, *, data_name: str = "") -> str:
    """The Python source of a script that prints the report's numbers for ``settings``.

    ``data_name``: the data file the settings were made for (named in the script's header
    only).  The script reads the settings file given on its command line; ``settings`` are
    written into it for the reader and to note a settings file that differs.
    """
    if not isinstance(settings, Settings):
        raise TypeError("generate_script needs a Settings object (nelm_stats.report.settings.Settings).")
    text = settings_to_json(settings, software=f"nelm_stats {__version__}")
    if '"""' in text or "\\" in text:  # keep the embedded JSON a plain triple-quoted string
        text = text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    body = _TEMPLATE
    for key, value in {
        "@@VERSION@@": __version__,
        "@@DATE@@": date.today().isoformat(),
        "@@DATA_NAME@@": data_name or "the data file",
        "@@SUMMARY@@": "\n".join(_summary(settings)),
        "@@SETTINGS_JSON@@": text,
    }.items():
        body = body.replace(key, value)
    return body


_TEMPLATE = r'''#!/usr/bin/env python3
"""Reproduce the NELM Outcomes Explorer report's numbers, step by step.

Generated by nelm_stats @@VERSION@@ on @@DATE@@ for @@DATA_NAME@@.

Run it in a fresh interpreter with the data file and the settings file saved by the dashboard
(or by `python -m nelm_stats report ... --save-settings FILE`):

    python analysis.py DATA SETTINGS

It prints every number of the report (Table 1, medians with 95 % CIs, survival rates, log-rank
test, margin rates, Cox hazard ratios, propensity-score matching and weighting), worded as the
report words them.  Only the public API of nelm_stats is used; each step names the R function
that gives the same number (the package's estimates are tested against R).

Settings this script was generated with (the settings file on the command line is what is used):
@@SUMMARY@@
"""
import contextlib
import hashlib
import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

import nelm_stats as ns
from nelm_stats.report import format as fmt
from nelm_stats.report import manuscript
from nelm_stats.report import narrative as nv
from nelm_stats.report.analysis import data_fingerprint, software_line
from nelm_stats.report.settings import SETTINGS_VERSION
from nelm_stats.report.views import adjusted_hazard_view, balance_view, margin_rates_view, risk_factor_view
from nelm_stats.schema import (BASELINE_CHARACTERISTICS, DEFAULT_HR_UNITS, ENDPOINTS, POSITIVE_MARGINS,
                               data_endpoints, label)


class BadInput(Exception):
    """Input this script cannot use: reported in one line, exit status 2."""


def show_table(title, frame, notes=()):
    """Print a table of the report: its title, the header and rows in aligned columns, footnotes."""
    rows = [[str(c) for c in frame.columns]]
    rows += [[v if isinstance(v, str) else fmt.display_label(v) for v in r] for r in frame.itertuples(index=False)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    print(title)
    for r in rows:
        print("  " + " | ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    for n in notes:
        print("  Note: " + n)
    print()


# ---------------------------------------------------------------------------------------------
# Step 1. Patient flow: who was read, who was left out on import and why.
def patient_flow(cohort, n_patients):
    if cohort.flow is not None and len(cohort.flow):
        print("Patient flow: " + nv.describe_flow(cohort.flow))
        f = cohort.flow.rename(columns={"step": "Step", "reason": "Reason", "n_excluded": "Patients left out",
                                        "n_remaining": "Patients remaining"})
        show_table("Patient flow", f)
    else:
        print(f"{n_patients} patients were analysed (the file was already in the analysis format; no rows were "
              "left out on import).")


# ---------------------------------------------------------------------------------------------
# Step 2. Table 1: baseline characteristics by group, with tests and standardized mean
# differences (R: tableone::CreateTableOne(vars, strata = group, test = TRUE), print(smd = TRUE);
# chi-square with Yates' correction / fisher.test, t.test (Welch) / wilcox.test / kruskal.test).
def baseline_table(data, a):
    group = a.group or None
    variables = [c for c in BASELINE_CHARACTERISTICS if c in data.columns and c != group
                 and data[c].notna().any()]
    if not variables:
        raise ns.InputError("These data hold none of the usual baseline characteristics.")
    t1 = ns.table_one(data, group, variables)
    view = t1.formatted(group_title=label(group) if group else None)
    notes = tuple(t1.footnotes())
    if t1.n_excluded:
        notes += (f"{t1.n_excluded} patient(s) without a value for the grouping were left out.",)
    title = "Table 1. Baseline characteristics" + (f" by {fmt.in_sentence(label(group))}" if group else "")
    show_table(title, view, notes)


# ---------------------------------------------------------------------------------------------
# Step 3. Kaplan–Meier by group, log-rank test (R: survfit / survdiff).
def survival(data, a, endpoint, eps):
    time, event = endpoint.time, endpoint.event
    group = a.group or None
    div = 12.0 if a.time_unit == "years" else 1.0  # the data hold months; years = months / 12
    missing = [c for c in (time, event, group) if c is not None and c not in data.columns]
    if missing:
        raise ns.MissingColumnError(
            f"The data have no column {', '.join(repr(c) for c in missing)}. Check the column mapping "
            f"(available columns: {', '.join(map(str, data.columns[:30]))}).")

    # 3a. The grouping: the column's own groups, or a numeric column cut into < cut and >= cut.
    grouping, ordered = None, False
    if group is not None:
        if a.cut is not None:
            nc = ns.cut_numeric(data, group, cutpoint=None if a.cut == "median" else a.cut, name=label(group))
            grouping, ordered = nc.groups, True
        else:
            grouping = data[group]
            ordered = isinstance(grouping.dtype, pd.CategoricalDtype) and bool(grouping.dtype.ordered)
            if grouping.nunique(dropna=True) > 12:
                raise ns.InputError(
                    f"'{label(group)}' has {grouping.nunique()} different values: too many for survival curves. "
                    "Cut it into two groups (at the median or a chosen value).")

    # 3b. The analysed patients: time (in the chosen unit), event, group; a patient with a missing
    #     value is left out and counted (R: na.omit).
    work = pd.DataFrame({time: pd.to_numeric(data[time], errors="coerce") / div, event: data[event]},
                        index=data.index)
    if grouping is not None:
        work[group] = grouping
    used = [time, event] + ([group] if grouping is not None else [])
    keep = work[used].notna().all(axis=1).to_numpy()
    n_excluded = int((~keep).sum())
    work = work.loc[keep]
    if a.landmark is not None:
        # Landmark: only patients event-free and followed beyond it; the clock restarts there
        # (R: dynpred::cutLM, or subset(time > landmark) with time - landmark).
        lm = ns.landmark(work, time, event, at=a.landmark)
        if lm.n == 0:
            raise ns.InsufficientDataError(
                f"No patient is still followed and event-free after the landmark ({float(a.landmark):g}); "
                "choose an earlier landmark.")
        work = lm.data
    g = group if grouping is not None else None

    # 3c. Kaplan–Meier with log-transformed 95 % CIs (R: survfit(Surv(time, event) ~ group,
    #     conf.type = "log")); medians as print(fit); rates at the chosen times as
    #     summary(fit, times, extend = TRUE).
    km = ns.kaplan_meier(work, time, event, g, conf_type="log")
    k = len(km.medians)
    test = trend = pairwise = None
    if k >= 2:
        test = ns.logrank_test(work, time, event, g)  # R: survdiff(Surv(time, event) ~ group)
        if k >= 3:
            # R: survminer::pairwise_survdiff(..., p.adjust.method = "holm")
            pairwise = ns.pairwise_logrank(work, time, event, g, adjust="holm")
            if ordered:  # log-rank test for trend, scores 1..k (R: survMisc::comp, test for trend)
                trend = ns.logrank_test(work, time, event, g, trend=True)
    rate_times = [float(y) * (12.0 if a.time_unit == "months" else 1.0) for y in a.rate_years]
    rates = km.at(rate_times)

    # 3d. Median follow-up by the reverse Kaplan–Meier method (R: survfit(Surv(time, 1 - event) ~ 1)),
    #     on overall survival when the data have it (as papers report it).
    fu_time, fu_event = (ENDPOINTS["os"].time, ENDPOINTS["os"].event) if "os" in eps else (time, event)
    if (fu_time, fu_event) == (time, event):
        fu = work
    else:
        fu = work.drop(columns=[time, event]).assign(**{
            time: pd.to_numeric(data.loc[work.index, fu_time], errors="coerce") / div
            - (float(a.landmark) if a.landmark is not None else 0.0),
            event: data.loc[work.index, fu_event]}).dropna(subset=[time, event])
    follow_up_all = ns.median_follow_up(fu, time, event)

    # 3e. The report's words and table.
    unit = a.time_unit
    group_name = label(group) if group is not None else None
    warnings = nv.survival_warnings(km.medians, unit)
    if g is not None and k < 2:
        warnings.insert(0, (
            f"Only one group of {fmt.in_sentence(label(group))} "
            f"({fmt.group_in_sentence(km.medians['group'].iloc[0], group)}) has the data "
            "this analysis needs; the curve is shown for these patients without a comparison."))
    if test is not None:
        print(nv.test_line(test))
    table = nv.survival_table_view(km.medians, rates, unit)
    notes = ["Median and rates: Kaplan–Meier estimates with 95 % CIs (log transformation, as R's survfit)."]
    if nv.rates_footnote(rates):
        notes.append(nv.rates_footnote(rates))
    if test is not None:
        notes.append("Groups compared with the log-rank test.")
    show_table(f"{endpoint.label}: medians and rates", table, notes)
    first_rate = rates[rates["time"] == rates["time"].iloc[min(1, len(rates) - 1)]] if len(rates) else None
    print(nv.describe_survival(
        km.medians, endpoint=endpoint.label, event_label=endpoint.event_label, time_unit=unit,
        group_name=group_name, test=test, trend=trend, pairwise=pairwise, rates=first_rate,
        follow_up=follow_up_all, n_excluded=n_excluded, landmark=a.landmark,
        follow_up_basis="" if (fu_time, fu_event) == (time, event) else f" on {fmt.in_sentence(label(fu_time))}"))
    for w in warnings:
        print("Note: " + w)


# ---------------------------------------------------------------------------------------------
# Step 4. Positive resection margin (R1 or R2) by group, Wilson 95 % CIs; chi-square test with
# Yates' correction, or Fisher's exact test when an expected count is below 5
# (R: chisq.test / fisher.test; binom::binom.confint(method = "wilson"); odds ratio as fisher.test).
def margins(data, a):
    if "margin_status" not in data.columns or not data["margin_status"].notna().any():
        raise ns.InputError("These data have no margin status (R0/R1/R2).")
    group = a.group or None
    m = ns.compare_rates(data, "margin_status", group, event=list(POSITIVE_MARGINS))
    t = m.table
    view = margin_rates_view(t)  # n (%) and Wilson CI as the report prints them
    notes = ["95 % CIs: Wilson score intervals."]
    if m.p_value == m.p_value:
        notes.append(f"p-value: {m.test}.")
    if m.odds_ratio == m.odds_ratio:
        notes.append("Odds ratio: conditional maximum-likelihood estimate with exact CI (as R's fisher.test).")
    sentence = manuscript.margins_results(m, group)  # the report's sentence
    show_table("Positive resection margins", view, notes)
    print(sentence)


# ---------------------------------------------------------------------------------------------
# Step 5. Cox proportional-hazards regression, Efron ties, Wald CIs: each covariate alone, then
# every covariate that could be estimated alone in one model
# (R: coxph(Surv(time, event) ~ x, ties = "efron"), then coxph(Surv(time, event) ~ x1 + x2 + ...)).
def cox(data, a, endpoint):
    covs = [c for c in (a.cox_covariates or ()) if c in data.columns]
    if not covs:
        raise ns.InputError("No covariate was chosen for the Cox model.")
    units = {c: u for c, u in DEFAULT_HR_UNITS.items() if c in covs}  # e.g. HR per 10 % Ki-67
    screen = ns.univariable_screen(data, endpoint.time, endpoint.event, covs, units=units)
    fitted = set(screen.tests["term"][screen.tests["p_value"].notna()])
    chosen = [c for c in covs if c in fitted]
    model = ns.cox_regression(data, endpoint.time, endpoint.event, chosen,
                              units={c: u for c, u in units.items() if c in chosen}) if chosen else None
    rft = ns.risk_factor_table(screen, model)
    ep = endpoint.label.lower()
    show_table(f"Cox regression of {ep}", risk_factor_view(rft),
               ("Cox proportional-hazards regression (Efron ties); Wald 95 % CIs and p-values. Univariable: each "
                "covariate alone; multivariable: all covariates that could be estimated alone.",))
    print(manuscript.cox_results(rft, endpoint.label))


# ---------------------------------------------------------------------------------------------
# Step 6. Propensity score: logistic model, 1:k nearest-neighbour matching on the logit of the
# score within a caliper (R: MatchIt::matchit(treat ~ covariates, method = "nearest",
# distance = "glm", caliper = 0.2, std.caliper = TRUE, ratio = k, replace = FALSE); balance as
# cobalt::bal.tab), inverse probability of treatment weights (R: WeightIt::weightit(treat ~
# covariates, method = "glm", estimand = "ATE", stabilize = TRUE)), and the hazard ratio of the
# treatment crude, after matching (R: coxph(Surv(time, event) ~ treat, data = matched,
# cluster = subclass, robust = TRUE)) and after weighting (R: coxph(..., weights = w, robust = TRUE)).
def propensity(data, a, endpoint):
    if not a.treatment:
        raise ns.InputError("These data have no column with exactly two groups to compare.")
    if not a.ps_covariates:
        raise ns.InputError("No covariate was chosen for the propensity model.")
    treat = label(a.treatment)
    treated = next((v for v in ns.treatment_levels(data, a.treatment) if str(v) == str(a.treated)), None)
    if treated is None:
        raise ns.InputError(f"The treated group '{a.treated}' is not a value of {treat}.")
    mset, wset = a.matching, a.weighting
    m = ns.propensity_match(data, a.treatment, list(a.ps_covariates), ratio=mset.ratio, caliper=mset.caliper,
                            caliper_scale=mset.caliper_scale, replace=mset.replace,
                            exact=list(mset.exact) or None, treated=treated)
    w = ns.iptw(data, a.treatment, list(a.ps_covariates), estimand=wset.estimand, stabilize=wset.stabilize,
                trim=wset.trim, treated=treated)
    c = None
    if endpoint is not None:
        c = ns.compare_survival(data, endpoint.time, endpoint.event, matched=m, weighted=w, time_unit=a.time_unit)

    # Balance: standardized mean differences before and after matching and after weighting.
    bview = balance_view(m, w)
    show_table(f"Balance of the propensity model ({treat})", bview,
               ("SMD: standardized mean difference; denominators: SD of the treated group (ATT), computed in the "
                "unmatched sample; binary covariates standardized with p(1 − p).",))

    text = manuscript.propensity_results(m, c, endpoint.label)  # who was matched, and the hazard ratios
    contrast = None
    if c is not None and len(c.table):
        t = c.table
        contrast = adjusted_hazard_view(t)  # crude / matched / weighted as the report prints them
    print(text)
    print()
    if contrast is not None:
        show_table(f"{endpoint.label}: crude, matched and weighted hazard ratios", contrast,
                   ("Crude: Cox model in the patients of the propensity model. Matched: Cox model with robust SE "
                    "clustered on the matched sets. Weighted: Cox model with IPTW weights "
                    f"({wset.estimand}{', stabilised' if wset.stabilize else ''}) and robust SE.",))
        for x in c.warnings:
            print("Note: " + x)
    for x in m.warnings:
        print("Note: " + x)


# ---------------------------------------------------------------------------------------------
def read_bytes(path, what):
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{what} '{path}' does not exist.") from None
    except IsADirectoryError:
        raise BadInput(f"{what} '{path}' is a folder, not a file.") from None
    except OSError as err:
        raise BadInput(f"{what} '{path}' cannot be read: {err.strerror}.") from None


def main(argv):
    if len(argv) != 2:
        raise BadInput("usage: python analysis.py DATA SETTINGS")
    data_path, settings_path = argv

    # Step 0a. The settings file (JSON, versioned): what the dashboard or the command line saved.
    settings, notes = ns.settings_from_json(read_bytes(settings_path, "The settings file"))

    # Step 0b. The data: a file in the analysis format is read with the schema's types (as
    # ns.read_table + the schema's dtypes); a registry export replays the import the settings
    # recorded: reading, column mapping, value recoding, endpoint derivation, problem fixes and
    # exclusions by patient id (ns.import_cohort; R: read.csv / readxl::read_excel + recoding).
    cohort = ns.read_cohort(read_bytes(data_path, "The data file"), Path(data_path).name, settings.import_)
    data = cohort.data
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise BadInput("The cohort has no patients to analyse.")

    # Step 0c. Fit the settings to these data (what no longer fits is named and set to its
    # default), then replace every "default" by the value used for these data.
    analysis, more = ns.reconcile(settings.analysis, data)
    for note in [*notes, *cohort.messages, *more]:
        print(f"Note: {note}", file=sys.stderr)
    if replace(settings, analysis=analysis) != ns.settings_from_json(GENERATED_WITH)[0]:
        print("Note: the settings file differs from the one this script was generated from; "
              "the settings file is used.", file=sys.stderr)
    a = ns.resolve(analysis, data)
    used = replace(settings, analysis=a)
    eps = data_endpoints(data)
    endpoint = eps.get(a.endpoint)

    print(used.report.title)
    print(f"Software: {software_line()}")
    print(f"Data: {Path(data_path).name}: {len(data)} patients, fingerprint {data_fingerprint(data)}")
    settings_hash = hashlib.sha256(ns.settings_to_json(used).encode("utf-8")).hexdigest()[:12]
    print(f"Settings: fingerprint {settings_hash} (settings version {SETTINGS_VERSION})")
    print("Settings used: " + json.dumps(json.loads(ns.settings_to_json(used))["analysis"]))
    print()

    no_endpoint = "These data have no follow-up times for this endpoint."
    steps = {
        "flow": ("Patients", lambda: patient_flow(cohort, len(data))),
        "table_one": ("Baseline characteristics", lambda: baseline_table(data, a)),
        "survival": (endpoint.label if endpoint is not None else "Survival",
                     (lambda: survival(data, a, endpoint, eps)) if endpoint is not None else no_endpoint),
        "margins": ("Resection margins", lambda: margins(data, a)),
        "cox": ("Risk factors (Cox regression)",
                (lambda: cox(data, a, endpoint)) if endpoint is not None else no_endpoint),
        "propensity": (f"Propensity score analysis: {label(a.treatment)}" if a.treatment else
                       "Propensity score analysis", lambda: propensity(data, a, endpoint)),
    }
    for key in used.report.sections:
        if key not in steps:
            continue
        title, step = steps[key]
        # An analysis these data cannot support prints why (an ns.AnalysisError), as the report does.
        try:
            if isinstance(step, str):
                raise ns.InsufficientDataError(step)
            printed = run_step(step)
        except ns.AnalysisError as err:
            generic = {"survival": "Survival", "propensity": "Propensity score analysis"}
            print(f"== {generic.get(key, title)} ==")
            print(f"Not done: {err}")
        else:
            print(f"== {title} ==")
            print(printed.rstrip("\n"))
        print()


def run_step(step):
    """Run one step, returning what it printed (so a step that fails half-way prints nothing)."""
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        step()
    return buf.getvalue()


# The settings file this script was generated from (for the reader, and to note a difference).
GENERATED_WITH = """
@@SETTINGS_JSON@@
"""


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (BadInput, ns.AnalysisError) as err:
        print(f"analysis.py: {err}".splitlines()[0], file=sys.stderr)
        sys.exit(2)
    except (ValueError, OSError) as err:  # a file that is not what it says it is
        print(f"analysis.py: the input could not be used ({err})".splitlines()[0], file=sys.stderr)
        sys.exit(2)
'''
