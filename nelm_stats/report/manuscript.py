"""The sentences of a manuscript: results with their numbers, and the methods that produced them.

One function per analysis, taking the result objects (not the page or the report), so the
Report page, every analysis page ("Text for the manuscript"), the exports and a notebook word a
result the same way.  Numbers are formatted by :mod:`nelm_stats.report.format` only.
"""
from __future__ import annotations

import pandas as pd

from ..schema import label
from .format import display_label, fmt_num, fmt_p, fmt_ratio, in_sentence
from .narrative import group_phrase
from .views import ANALYSIS_NAMES

__all__ = [
    "margins_results", "cox_results", "significant_terms", "term_estimate", "propensity_results", "survival_methods", "table_one_methods",
    "margins_methods", "cox_methods", "propensity_methods", "general_methods", "ANALYSIS_NAMES",
]



# ---- results --------------------------------------------------------------------------------


def margins_results(m, group: str | None) -> str:
    """A ``compare_rates`` result of a positive margin (R1/R2) by ``group`` in one or two sentences."""
    t = m.table

    def who(g, e, n) -> str:
        if not group or str(g) == "all":
            return f"{int(e)} of {int(n)} patients ({fmt_num(100 * e / n)} %) overall"
        phrase = group_phrase(label(group), str(g))
        if phrase.startswith("patients "):
            return f"{int(e)} of {int(n)} {phrase} ({fmt_num(100 * e / n)} %)"
        return f"{int(e)} of {int(n)} patients ({fmt_num(100 * e / n)} %) with {phrase}"

    sentence = "A positive resection margin (R1 or R2) was found in " + "; ".join(
        who(g, e, n) for g, e, n in zip(t["group"], t["events"], t["n"]) if n)
    if m.p_value == m.p_value:
        sentence += f" ({m.test}, {fmt_p(m.p_value)})"
    if m.odds_ratio == m.odds_ratio:
        sentence += f"; {fmt_ratio('odds ratio', m.odds_ratio, m.or_ci_lower, m.or_ci_upper)}"
    sentence += "."
    if m.n_excluded:
        sentence += f" {m.n_excluded} patient(s) without a margin status were left out."
    return sentence


def significant_terms(rft) -> list:
    """Rows of a risk-factor table whose multivariable p is below 0.05 (a CoxResult's table: its p)."""
    t = rft.table
    p = "multi_p_value" if "multi_p_value" in t.columns else "p_value"
    return [row for row in t.itertuples(index=False) if pd.notna(getattr(row, p)) and getattr(row, p) < 0.05]


def term_estimate(row) -> tuple:
    """(HR, CI lower, CI upper, p) of a row of a risk-factor table (multivariable) or a Cox table."""
    if hasattr(row, "multi_hazard_ratio"):
        return row.multi_hazard_ratio, row.multi_ci_lower, row.multi_ci_upper, row.multi_p_value
    return row.hazard_ratio, row.ci_lower, row.ci_upper, row.p_value


def cox_results(rft, endpoint_label: str) -> str:
    """The multivariable associations of a ``risk_factor_table`` in one sentence."""
    ep = endpoint_label.lower()
    sig = significant_terms(rft)
    if not sig:
        return f"No covariate of the multivariable model was associated with {ep} at p < 0.05."
    parts = []
    for row in sig:
        hr, lo, hi, p = term_estimate(row)
        parts.append(f"{label(row.term)}{(' ' + display_label(row.level)) if row.level else ''} was associated "
                     f"with {ep} ({fmt_ratio('HR', hr, lo, hi)}, {fmt_p(p)})")
    return "In the multivariable model, " + "; ".join(parts) + "."


def propensity_results(m, comparison, endpoint_label: str) -> str:
    """Who was matched, and the crude, matched and weighted hazard ratios, in two sentences."""
    treat = label(m.treatment)
    method = (f"1:{m.ratio} nearest-neighbour matching" + ("" if m.caliper is None else
                                                           f" within a caliper of {m.caliper:g} SD of the "
                                                           f"{'logit of the ' if m.caliper_scale == 'logit' else ''}propensity score")
              + (" with replacement" if m.replace else " without replacement"))
    treated = group_phrase(treat, str(m.treated_label))
    control = group_phrase(treat, str(m.control_label))
    text = (f"Treated group: {treated}. With {method}, {m.n_treated_matched} of "
            f"{m.n_treated} treated patients were matched to {m.n_control_matched} controls.")
    if comparison is not None and len(comparison.table):
        lines = [f"{in_sentence(ANALYSIS_NAMES.get(row.analysis, row.analysis))} "
                 f"{fmt_ratio('HR', row.hazard_ratio, row.ci_lower, row.ci_upper)}, {fmt_p(row.p_value)}"
                 for row in comparison.table.itertuples(index=False) if row.hazard_ratio == row.hazard_ratio]
        if lines:
            text += f" For {endpoint_label.lower()}, {treated} vs {control}: " + "; ".join(lines) + "."
    return text


# ---- methods --------------------------------------------------------------------------------


def survival_methods(endpoint_label: str, time_unit: str = "months", landmark: float | None = None) -> str:
    return (f"{endpoint_label} was estimated with the Kaplan–Meier method (95 % confidence intervals with the log "
            f"transformation) and compared between groups with the log-rank test; median follow-up was estimated "
            f"with the reverse Kaplan–Meier method. Times are reported in {time_unit} from surgery"
            + (f", from a landmark at {landmark:g} {time_unit}" if landmark else "") + ".")


def table_one_methods() -> str:
    return ("Categorical characteristics are reported as n (%) and compared with the chi-square test, or Fisher's "
            "exact test when an expected count was below 5; continuous characteristics as median [IQR] "
            "(Mann–Whitney or Kruskal–Wallis test) or mean (SD) (Welch's t-test) depending on their distribution.")


def margins_methods() -> str:
    return "Margin rates are given with Wilson score 95 % confidence intervals."


def cox_methods() -> str:
    return ("Prognostic factors were assessed with Cox proportional-hazards regression (Efron ties), first "
            "univariable and then multivariable; proportional hazards were checked with scaled Schoenfeld residuals.")


def propensity_methods(treatment: str, covariates, *, ratio: int, caliper: float | None, caliper_scale: str,
                       replace: bool, estimand: str, stabilize: bool, trim: float | None) -> str:
    return (
        f"For the comparison of {in_sentence(label(treatment))}, a propensity score was estimated by logistic "
        f"regression on {', '.join(in_sentence(label(c)) for c in covariates)}. Patients were matched 1:{ratio} "
        f"by nearest neighbour {'with' if replace else 'without'} replacement"
        + (f" within a caliper of {caliper:g} standard deviations of the "
           f"{'logit of the ' if caliper_scale == 'logit' else ''}propensity score" if caliper else "")
        + "; balance was assessed with standardized mean differences (threshold 0.1). Inverse probability of "
        f"treatment weights ({estimand}{', stabilised' if stabilize else ''}"
        + (f", trimmed at the {100 * trim:g}th percentile" if trim else "")
        + ") were used as a second adjustment. Hazard ratios after matching use robust standard errors "
          "clustered on the matched sets, after weighting robust standard errors.")


def general_methods(software: str) -> str:
    return ("Patients with a missing value in the variables of an analysis were left out of that analysis "
            "and counted; no values were imputed. Two-sided p-values below 0.05 were considered significant. "
            f"Analyses were performed with {software}, whose estimates are tested against R "
            "(survival, cmprsk, MatchIt, pROC).")
