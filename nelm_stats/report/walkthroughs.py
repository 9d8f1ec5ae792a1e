"""The five papers of the literature folder, re-analysed step by step (teaching walkthroughs).

A :class:`Walkthrough` is one abstract and its synthetic demo cohort (``data/samples``): numbered
:class:`Step` s, each with what to look at, the analysis it runs (:attr:`Step.run`, a function of
the cohort that calls the public API of nelm_stats and returns the numbers, worded through
:mod:`nelm_stats.report.format`, and a figure), the published number(s) quoted with the sentence
they come from, a sentence on why the two may differ, and the page and controls that reproduce it
in the dashboard (:attr:`Step.settings` for :func:`ui.apply_settings`, :attr:`Step.controls` for
the page's own widgets, named by their ``ui.Keys`` attribute).

Every walkthrough also runs on an uploaded cohort that holds the columns it needs;
:func:`missing_columns` names those it lacks.  Nothing here imports streamlit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from ..errors import InsufficientDataError, MissingColumnError
from ..estimators.accuracy import diagnostic_accuracy, learning_curve_accuracy, roc_analysis
from ..estimators.cox import cox_regression, risk_factor_table, univariable_screen
from ..estimators.logrank import logrank_test
from ..estimators.propensity import propensity_match
from ..estimators.proportions import compare_rates, major_morbidity, paired_change
from ..estimators.survival import kaplan_meier, median_follow_up
from ..estimators.table_one import table_one
from ..figures.balance import love_plot
from ..figures.comparison import learning_curve_figure, rates_figure, roc_figure
from ..figures.forest import forest_figure
from ..figures.km import km_figure
from ..schema import label
from .format import DASH, display_label, in_sentence, fmt_est_ci, fmt_median, fmt_num, fmt_p, fmt_pct, fmt_ratio, is_missing
from .settings import AnalysisSettings, MatchingSettings

__all__ = [
    "Published", "StepResult", "Step", "Walkthrough", "WALKTHROUGHS", "walkthrough", "walkthrough_for_sample",
    "missing_columns", "step_missing_columns", "run_step", "comparison_table", "LESION_PREFIX",
]

LESION_PREFIX = "lesion table: "  # how missing_columns names a column of the lesion table


# ---- the objects ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    """One number of the abstract.  ``key`` names the computed number it is compared with
    (:attr:`StepResult.numbers`); ``value`` is in the same unit (a proportion 0–1, months, years,
    a ratio) or None when the abstract says it in words only; ``text`` is how the abstract writes
    it; ``bound`` "below" when it gives an upper bound (p < 0.001); ``tolerance``: the distance within which the synthetic cohort was generated to land
    (None: not aimed at)."""
    key: str
    label: str
    value: float | None
    text: str
    tolerance: float | None = None
    bound: str = ""  # "below": the abstract gives an upper bound (p < 0.001, "significant" = p < 0.05)


@dataclass(frozen=True)
class StepResult:
    """What a step computed: ``numbers`` (key -> float, NaN when not estimable), ``texts`` (key ->
    the number worded for people), ``lines`` (result sentences), ``figure`` (plotly) or None."""
    numbers: dict[str, float]
    texts: dict[str, str]
    lines: tuple[str, ...] = ()
    figure: object | None = None


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    look_at: str
    run: Callable[[pd.DataFrame, pd.DataFrame | None], StepResult]
    quote: str  # the sentence of the abstract the published numbers come from
    published: tuple[Published, ...]
    why_differ: str
    page: str  # the dashboard page that shows it (file under pages/)
    page_title: str
    needs: tuple[str, ...]  # columns of the patient table
    needs_lesions: tuple[str, ...] = ()  # columns of the lesion table
    settings: AnalysisSettings | None = None  # for ui.apply_settings
    controls: dict = field(default_factory=dict)  # ui.Keys attribute name -> widget value
    where: str = ""  # where on the page to look (a tab, a section)


@dataclass(frozen=True)
class Walkthrough:
    key: str
    sample: str  # ns.load_sample name of its synthetic cohort
    title: str
    citation: str
    question: str
    steps: tuple[Step, ...]


# ---- helpers --------------------------------------------------------------------------------


def _yes(s: pd.Series) -> pd.Series:
    """True where a yes/no column says yes (missing -> False)."""
    return s.map(lambda v: (not is_missing(v)) and str(v).strip().lower() in ("true", "yes", "1", "1.0"))


def _has(data: pd.DataFrame | None, col: str) -> bool:
    return data is not None and col in data.columns and bool(data[col].notna().any())


def _rate(data: pd.DataFrame, outcome: str, event=None) -> tuple[float, int, int]:
    """(rate, events, n) of a yes/no outcome (or ``event`` values) in the whole of ``data``."""
    r = compare_rates(data, outcome, None, event=list(event) if event else None)
    row = r.table.iloc[0]
    return float(row["rate"]), int(row["events"]), int(row["n"])


def _rate_text(rate: float, k: int, n: int) -> str:
    return f"{fmt_pct(rate, 1)} ({k} of {n})" if n else DASH


def _group_value(table: pd.DataFrame, column: str, group, value_col: str) -> float:
    hit = table.loc[table[column].astype(str) == str(group), value_col]
    return float(hit.iloc[0]) if len(hit) and not is_missing(hit.iloc[0]) else float("nan")


def _km_at(km, t: float, group) -> float:
    """Survival at ``t``; NaN when no one is at risk any more (beyond the longest follow-up)."""
    at = km.at([t])
    row = at[at["group"].astype(str) == str(group)]
    if not len(row) or int(row["n_risk"].iloc[0]) == 0:
        return float("nan")
    return float(row["survival"].iloc[0])


def _years(data: pd.DataFrame, months: str, name: str) -> pd.DataFrame:
    return data.assign(**{name: data[months] / 12.0})


def _level_name(column: str, value) -> str:
    text = display_label(value)
    return f"{label(column)}: {text}" if text in ("yes", "no") else text


def _km_lines(km, test, group: str, unit: str, digits: int = 1) -> list[str]:
    out = []
    for row in km.medians.itertuples(index=False):
        out.append(f"{_level_name(group, row.group)}: median {fmt_median(row.median, row.ci_lower, row.ci_upper, digits)} "
                   f"{unit} ({int(row.events)} events in {int(row.n)} patients)")
    if test is not None:
        out.append(f"Log-rank test {fmt_p(test.p_value)}")
    return out


# ---- aggressive resection (literature 002) ---------------------------------------------------


def _ar_who(data, lesions):
    res, k, n = _rate(data, "resected")
    numbers = {"n_patients": float(len(data)), "n_resected": float(k)}
    texts = {"n_patients": str(len(data)), "n_resected": f"{k} of {n}"}
    lines = [f"{k} of {n} patients had a liver resection."]
    if _has(data, "curative"):
        cur = int(_yes(data["curative"]).sum())
        numbers["n_curative"] = float(cur)
        numbers["curative_rate"] = cur / len(data)
        texts["n_curative"] = texts["curative_rate"] = _rate_text(cur / len(data), cur, len(data))
        lines.append(f"{cur} resections had curative intent (R0/R1); {k - cur} were palliative.")
    fig = rates_figure(compare_rates(data, "resected", None), outcome_label="Resected",
                       title="Patients with a liver resection")
    return StepResult(numbers, texts, tuple(lines), fig)


def _ar_survival(data, lesions):
    km = kaplan_meier(data, "os_months", "os_event", "resected")
    test = logrank_test(data, "os_months", "os_event", "resected")
    s_res, s_not = _km_at(km, 48, True), _km_at(km, 48, False)
    numbers = {"s4_resected": s_res, "s4_not_resected": s_not, "p_value": float(test.p_value)}
    texts = {"s4_resected": fmt_pct(s_res, 1), "s4_not_resected": fmt_pct(s_not, 1), "p_value": fmt_p(test.p_value)}
    lines = (f"4-year Kaplan–Meier overall survival {fmt_pct(s_res, 1)} after resection and {fmt_pct(s_not, 1)} "
             f"without resection (log-rank {fmt_p(test.p_value)}).",)
    fig = km_figure(km, test=test, time_unit="months", group_name=label("resected"), y_title="Overall survival",
                    horizon=96)
    return StepResult(numbers, texts, lines, fig)


def _ar_recurrence(data, lesions):
    sub = data[_yes(data["curative"])] if _has(data, "curative") else data[_yes(data["resected"])]
    rate, k, n = _rate(sub, "recurrence")
    numbers = {"recurrence": rate}
    texts = {"recurrence": _rate_text(rate, k, n)}
    fig = rates_figure(compare_rates(sub, "recurrence", None), outcome_label="Recurrence",
                       title="Recurrence after curative resection")
    return StepResult(numbers, texts, (f"Recurrence in {k} of {n} patients after curative resection "
                                       f"({fmt_pct(rate, 1)}).",), fig)


AGGRESSIVE = Walkthrough(
    key="aggressive_resection", sample="aggressive_resection",
    title="Highly aggressive policy of hepatic resections for neuroendocrine liver metastases",
    citation="Hepatogastroenterology 2000;47(32):481-6 (28 patients since 1981).",
    question="Does resection of neuroendocrine liver metastases go with longer survival than no resection?",
    steps=(
        Step("who", "Who was resected",
             "Count the patients with a liver resection and those whose resection had curative intent: the "
             "comparison of step 2 is between these groups, which were not chosen at random.",
             _ar_who,
             "Liver resections were performed in 19/22 patients (3 for palliation) … Overall, curative procedures "
             "were carried out in 16/28 (57.1%).",
             (Published("n_resected", "Patients resected", 19, "19", 0.5),
              Published("curative_rate", "Curative procedures, of all 28", 16 / 28, "16/28 (57.1%)", 0.005)),
             "Fixed by construction in the synthetic cohort, so the counts agree exactly.",
             "pages/table_one.py", "Table 1", ("resected",),
             settings=AnalysisSettings(group="resected"), controls={"TABLE_ONE_GROUP": "resected"}),
        Step("survival", "4-year actuarial survival, resected vs not",
             "Read the two Kaplan–Meier curves at 48 months (4 years): 'actuarial' survival is the Kaplan–Meier "
             "estimate, not the share of patients alive. With so few patients each death moves a curve by "
             "several percentage points.",
             _ar_survival,
             "Four-year actuarial survival was 92.6% after resection and 18.5% for patients that did not "
             "receive surgery (P < 0.001).",
             (Published("s4_resected", "4-year survival, resected", 0.926, "92.6%", 0.03),
              Published("s4_not_resected", "4-year survival, not resected", 0.185, "18.5%", 0.03),
              Published("p_value", "Log-rank p", 0.001, "P < 0.001", bound="below")),
             "With 19 resected patients a Kaplan–Meier estimate moves in steps: one death among 14 still at risk "
             "gives 92.9 %, and 92.6 % cannot be reached exactly; the synthetic cohort's death times are drawn, "
             "not the real ones.",
             "pages/survival.py", "Survival", ("resected", "os_months", "os_event"),
             settings=AnalysisSettings(endpoint="os", group="resected", time_unit="months", rate_years=(4,)),
             where="the rates table at 4 years, beside the curves"),
        Step("recurrence", "Recurrence after curative resection",
             "The recurrence rate counts patients who had a curative (R0/R1) resection; it is a crude proportion "
             "that ignores how long each patient was followed.",
             _ar_recurrence,
             "Overall recurrence rate was 50.0%.",
             (Published("recurrence", "Recurrence", 0.5, "50.0%", 0.03),),
             "The abstract does not say over which patients the rate is taken; here it is the curative "
             "resections, which the synthetic cohort was built on (8 of 16).",
             "pages/margins.py", "Margins & complications", ("recurrence", "resected"),
             settings=AnalysisSettings(group="resected"), controls={"MARGINS_GROUP": ""},
             where="the tab 'Complications & recurrence'"),
    ),
)


# ---- ICG in LPSH (literature 000) -------------------------------------------------------------

_ICG_BASELINE = ("age", "sex", "primary_site", "grade", "ki67", "synchronous", "lesion_count", "largest_lesion_cm",
                 "bilobar", "extrahepatic_disease")


def _icg_baseline(data, lesions):
    variables = [c for c in _ICG_BASELINE if _has(data, c)]
    t1 = table_one(data, "icg", variables)
    p = t1.table.drop_duplicates("variable")[["variable", "p_value"]].dropna()
    low = p.sort_values("p_value").iloc[0]
    n_sig = int((p["p_value"] < 0.05).sum())
    numbers = {"min_p": float(low["p_value"]), "n_significant": float(n_sig)}
    texts = {"min_p": f"{label(low['variable'])}, {fmt_p(low['p_value'])}",
             "n_significant": f"{n_sig} of {len(p)} characteristics"}
    return StepResult(numbers, texts, (
        f"{n_sig} of {len(p)} baseline characteristics differ at p < 0.05; the smallest p-value is "
        f"{in_sentence(label(low['variable']))} ({fmt_p(low['p_value'])}).",))


def _icg_complications(data, lesions):
    any_c = data.assign(_any=major_morbidity(data, from_grade="I"))
    rate, k, n = _rate(any_c, "_any")
    mort, km_, nm = _rate(data, "mortality_90d")
    numbers = {"complications": rate, "mortality": mort}
    texts = {"complications": _rate_text(rate, k, n), "mortality": _rate_text(mort, km_, nm)}
    lines = [f"Complications (Clavien–Dindo I or worse) in {k} of {n} patients ({fmt_pct(rate, 1)}); "
             f"90-day mortality {km_} of {nm}."]
    if _has(data, "bile_leak"):
        bl, kb, nb = _rate(data, "bile_leak")
        numbers["bile_leak"] = bl
        texts["bile_leak"] = _rate_text(bl, kb, nb)
        lines.append(f"Bile leak in {kb} of {nb} patients ({fmt_pct(bl, 1)}).")
    return StepResult(numbers, texts, tuple(lines))


def _icg_margins(data, lesions):
    joined = lesions.merge(data[["patient_id", "icg"]], on="patient_id", how="left", suffixes=("_lesion", ""))
    joined = joined.assign(_positive=joined["margin_status"].astype(object).isin(["R1", "R2"]).where(
        joined["margin_status"].notna()))
    r = compare_rates(joined, "_positive", "icg", test="fisher")
    yes, no = _group_value(r.table, "group", True, "rate"), _group_value(r.table, "group", False, "rate")
    t = r.table.assign(group=r.table["group"].astype(str))
    k = dict(zip(t["group"], t["events"]))
    n = dict(zip(t["group"], t["n"]))
    numbers = {"icg": yes, "no_icg": no, "p_value": float(r.p_value)}
    texts = {"icg": _rate_text(yes, int(k.get("True", 0)), int(n.get("True", 0))),
             "no_icg": _rate_text(no, int(k.get("False", 0)), int(n.get("False", 0))), "p_value": fmt_p(r.p_value)}
    fig = rates_figure(r, outcome_label="Positive margin (lesions)", title="Positive margins per lesion")
    return StepResult(numbers, texts, (
        f"Positive margins in {texts['icg']} of lesions with ICG and {texts['no_icg']} without "
        f"(Fisher's exact test {fmt_p(r.p_value)}; each lesion counted as independent).",), fig)


def _icg_recurrence(data, lesions):
    rate, k, n = _rate(data, "recurrence")
    numbers = {"recurrence": rate}
    texts = {"recurrence": _rate_text(rate, k, n)}
    lines = [f"Recurrence in {k} of {n} patients ({fmt_pct(rate, 1)})."]
    if _has(data, "recurrence_site"):
        sites = data.loc[_yes(data["recurrence"]), "recurrence_site"].astype(object).value_counts()
        intra = int(sites.get("intrahepatic", 0)) + int(sites.get("both", 0))
        numbers["intrahepatic_share"] = intra / k if k else float("nan")
        texts["intrahepatic_share"] = _rate_text(intra / k, intra, k) if k else DASH
        lines.append(f"Intrahepatic (alone or with extrahepatic) in {intra} of {k} recurrences.")
    return StepResult(numbers, texts, tuple(lines))


def _icg_rfs(data, lesions):
    km = kaplan_meier(data, "rfs_months", "rfs_event", "icg")
    test = logrank_test(data, "rfs_months", "rfs_event", "icg")
    fu = median_follow_up(data, "os_months", "os_event")
    m_yes = _group_value(km.medians, "group", True, "median")
    m_no = _group_value(km.medians, "group", False, "median")
    fu_m = float(fu["median"].iloc[0])
    numbers = {"median_icg": m_yes, "median_no_icg": m_no, "p_value": float(test.p_value), "follow_up": fu_m}
    texts = {"median_icg": f"{fmt_median(m_yes)} months", "median_no_icg": f"{fmt_median(m_no)} months",
             "p_value": fmt_p(test.p_value), "follow_up": f"{fmt_num(fu_m)} months"}
    lines = _km_lines(km, test, "icg", "months") + [f"Median follow-up (reverse Kaplan–Meier) {fmt_num(fu_m)} months"]
    fig = km_figure(km, test=test, time_unit="months", group_name=label("icg"),
                    y_title="Recurrence-free survival")
    return StepResult(numbers, texts, tuple(lines), fig)


ICG_LPSH = Walkthrough(
    key="icg_lpsh", sample="icg_lpsh",
    title="ICG fluorescence in laparoscopic parenchyma-sparing hepatectomy for NELM",
    citation="Single-centre retrospective cohort, August 2013 – May 2023 (51 patients).",
    question="Does ICG fluorescence lower the rate of positive margins and lengthen recurrence-free survival?",
    steps=(
        Step("baseline", "Were the groups comparable?",
             "Table 1 by ICG use. 'No significant difference' is not the same as balance: with 51 patients a "
             "p-value above 0.05 says little; look at the standardized mean differences too.",
             _icg_baseline,
             "No significant differences in baseline characteristics were observed between the ICG and non-ICG "
             "groups.",
             (Published("n_significant", "Characteristics differing at p < 0.05", 0, "none", 0.5),),
             "The synthetic groups were drawn from the same distributions; which p-value is smallest is chance.",
             "pages/table_one.py", "Table 1", ("icg", "age", "sex"),
             settings=AnalysisSettings(group="icg"), controls={"TABLE_ONE_GROUP": "icg"}),
        Step("complications", "Complications and mortality",
             "The complication rate counts any Clavien–Dindo grade I or worse within 90 days; compare with the "
             "major-morbidity rate (IIIa or worse) that other papers report.",
             _icg_complications,
             "Postoperative complications occurred in 52.9% of patients, with bile leakage being most common. No "
             "perioperative mortality was reported.",
             (Published("complications", "Complications", 0.529, "52.9%", 0.03),
              Published("mortality", "Perioperative mortality", 0.0, "none", 0.005)),
             "Fixed by construction (27 of 51 patients); a real series may also count complications the "
             "Clavien–Dindo grade leaves out.",
             "pages/margins.py", "Margins & complications", ("clavien_dindo", "mortality_90d"),
             settings=AnalysisSettings(group="icg"), controls={"MARGINS_GROUP": "icg"},
             where="the tab 'Complications & recurrence'"),
        Step("margins", "Positive margins, ICG vs no ICG",
             "The published rates are per lesion (150 lesions in 51 patients). Lesions of one patient are not "
             "independent: the page's 'Per lesion' tab also gives CIs clustered on the patient, and the "
             "per-patient rates.",
             _icg_margins,
             "Pathologically positive margins were significantly lower in the ICG group (1.3 vs. 16.4%, "
             "p < 0.001).",
             (Published("icg", "Positive margins with ICG", 0.013, "1.3%", 0.01),
              Published("no_icg", "Positive margins without ICG", 0.164, "16.4%", 0.03),
              Published("p_value", "p", 0.001, "p < 0.001", bound="below")),
             "The counts (1 of 77 vs 12 of 73 lesions) were fixed in the synthetic lesion table; the paper's test "
             "is not named, here Fisher's exact test treats each lesion as independent.",
             "pages/margins.py", "Margins & complications", ("patient_id", "icg"), ("patient_id", "margin_status"),
             settings=AnalysisSettings(group="icg"), controls={"MARGINS_GROUP": "icg"}, where="the tab 'Per lesion'"),
        Step("recurrence", "How many recurred, and where",
             "A crude recurrence proportion depends on how long patients were followed; the Kaplan–Meier "
             "estimate of step 5 does not.",
             _icg_recurrence,
             "After a median follow-up of 36 months, 62.7% of patients experienced recurrence, mostly intrahepatic.",
             (Published("recurrence", "Recurrence", 0.627, "62.7%", 0.03),),
             "Fixed by construction (32 of 51).",
             "pages/margins.py", "Margins & complications", ("recurrence",),
             settings=AnalysisSettings(group="icg"), controls={"MARGINS_GROUP": "icg"},
             where="the tab 'Complications & recurrence' (pattern of recurrence)"),
        Step("rfs", "Recurrence-free survival and follow-up",
             "Compare the medians and the log-rank p-value; median follow-up is the reverse Kaplan–Meier "
             "estimate (censoring as the event), not the median time of all patients.",
             _icg_rfs,
             "After a median follow-up of 36 months … Median recurrence-free survival (RFS) was longer in the ICG "
             "group, though not statistically significant (38.0 vs. 29.0 months, p = 0.086).",
             (Published("median_icg", "Median RFS with ICG (months)", 38.0, "38.0", 0.15 * 38),
              Published("median_no_icg", "Median RFS without ICG (months)", 29.0, "29.0", 0.15 * 29),
              Published("p_value", "Log-rank p", 0.086, "p = 0.086"),
              Published("follow_up", "Median follow-up (months)", 36.0, "36", 0.15 * 36)),
             "Event times of the synthetic cohort were drawn from distributions with these medians; a sample of 51 "
             "lands near, not on them, and the p-value moves with it.",
             "pages/survival.py", "Survival", ("icg", "rfs_months", "rfs_event", "os_months", "os_event"),
             settings=AnalysisSettings(endpoint="rfs", group="icg", time_unit="months")),
    ),
)


# ---- MIMIC (literature 001) ---------------------------------------------------------------------

_BEFORE = "margin_status_before_reresection"
_INVOLVED = ["R1", "R2"]


def _mimic_r0(data, lesions):
    pc = paired_change(lesions, _BEFORE, "margin_status", event="R0")
    numbers = {"r0_before": float(pc.rate_before), "r0_after": float(pc.rate_after), "p_value": float(pc.p_value)}
    texts = {"r0_before": fmt_pct(pc.rate_before, 1), "r0_after": fmt_pct(pc.rate_after, 1), "p_value": fmt_p(pc.p_value)}
    return StepResult(numbers, texts, (
        f"R0 in {fmt_pct(pc.rate_before, 1)} of {pc.n} lesions before and {fmt_pct(pc.rate_after, 1)} after "
        f"re-resection of fluorescent tissue ({pc.test}, {fmt_p(pc.p_value)}).",))


def _mimic_accuracy(data, lesions):
    acc = diagnostic_accuracy(lesions, "fluorescence_at_margin", _BEFORE, positive=_INVOLVED).set_index("measure")
    numbers, texts = {}, {}
    for m in ("sensitivity", "specificity", "ppv", "npv"):
        e, lo, hi = (float(acc.loc[m, c]) for c in ("estimate", "ci_lower", "ci_upper"))
        numbers[m] = e
        texts[m] = fmt_est_ci(100 * e, 100 * lo, 100 * hi, 1, unit=" %")
    return StepResult(numbers, texts, (
        f"Sensitivity {texts['sensitivity']}, specificity {texts['specificity']}, positive predictive value "
        f"{texts['ppv']}, negative predictive value {texts['npv']} (exact 95 % CIs, each lesion counted once).",))


def _mimic_roc(data, lesions):
    roc = roc_analysis(lesions, "fluorescence_score", _BEFORE, positive=_INVOLVED)
    numbers = {"auc": float(roc.auc), "auc_lower": float(roc.ci_lower), "auc_upper": float(roc.ci_upper)}
    texts = {"auc": fmt_est_ci(roc.auc, roc.ci_lower, roc.ci_upper, 3), "auc_lower": fmt_num(roc.ci_lower, 3),
             "auc_upper": fmt_num(roc.ci_upper, 3)}
    fig = roc_figure([roc], [label("fluorescence_score")], title="ROC curve of the fluorescence score")
    return StepResult(numbers, texts, (
        f"AUC {texts['auc']} (DeLong 95 % CI), {roc.n_cases} R1/R2 and {roc.n_controls} R0 lesions.",), fig)


def _mimic_learning(data, lesions):
    centre = "centre" if _has(lesions, "centre") else None
    lc = learning_curve_accuracy(lesions, "fluorescence_at_margin", _BEFORE, "procedure_number", centre=centre,
                                 first_n=10, positive=_INVOLVED)
    numbers = {"odds_ratio": float(lc.odds_ratio), "or_lower": float(lc.or_ci_lower),
               "or_upper": float(lc.or_ci_upper), "fisher_odds_ratio": float(lc.fisher_odds_ratio)}
    texts = {"odds_ratio": fmt_est_ci(lc.odds_ratio, lc.or_ci_lower, lc.or_ci_upper, 2),
             "or_lower": fmt_num(lc.or_ci_lower, 2), "or_upper": fmt_num(lc.or_ci_upper, 2),
             "fisher_odds_ratio": fmt_est_ci(lc.fisher_odds_ratio, lc.fisher_ci_lower, lc.fisher_ci_upper, 2)}
    fig = learning_curve_figure(lc, title="False positives over each centre's consecutive procedures")
    return StepResult(numbers, texts, (
        f"False positives among R0 lesions: {lc.events_early} of {lc.n_early} in a centre's first 10 procedures vs "
        f"{lc.events_late} of {lc.n_late} later; {fmt_ratio('odds ratio', lc.odds_ratio, lc.or_ci_lower, lc.or_ci_upper)} "
        f"(logistic regression), {fmt_p(lc.p_value)}; Fisher's exact odds ratio {texts['fisher_odds_ratio']}.",), fig)


def _mimic_management(data, lesions):
    rate, k, n = _rate(data, "management_changed")
    r = compare_rates(data, "management_changed", None)
    return StepResult({"management_changed": rate, "n_changed": float(k)},
                      {"management_changed": _rate_text(rate, k, n), "n_changed": str(k)},
                      (f"Surgical management changed in {k} of {n} patients ({fmt_pct(rate, 1)}).",),
                      rates_figure(r, outcome_label="Management changed", title="Change of surgical management"))


MIMIC = Walkthrough(
    key="mimic", sample="mimic",
    title="ICG-fluorescence imaging for margin assessment during minimally invasive colorectal liver metastasis "
          "resection (MIMIC trial)",
    citation="JAMA Netw Open 2024;7:e246548; 8 Dutch centres, 201 patients, 316 metastases.",
    question="Does ICG fluorescence raise the R0 rate, and how accurately does it predict an involved margin?",
    steps=(
        Step("r0", "R0 before and after re-resection of fluorescent tissue",
             "The same lesions are measured twice (primary specimen, then after re-resection): a paired "
             "comparison (McNemar's test), not two independent groups.",
             _mimic_r0,
             "Re-resection of ICG-fluorescent tissue in the resection cavity was associated with a 5.0% increase in "
             "the R0 percentage (from 87.4% to 92.4%; P < .001).",
             (Published("r0_before", "R0 before re-resection", 0.874, "87.4%", 0.005),
              Published("r0_after", "R0 after re-resection", 0.924, "92.4%", 0.005),
              Published("p_value", "p", 0.001, "P < .001", bound="below")),
             "Fixed by construction (276 and 292 of 316 lesions); 87.3 % is the nearest a count out of 316 gets "
             "to 87.4 %.",
             "pages/margins.py", "Margins & complications", (), ("margin_status", _BEFORE),
             controls={"MARGINS_GROUP": ""}, where="the tab 'Before / after'"),
        Step("accuracy", "Accuracy of fluorescence for an involved margin",
             "The reference standard is the margin of the primary specimen, before re-resection: after "
             "re-resection the fluorescent lesions have been made R0, which would hide the false negatives.",
             _mimic_accuracy,
             "The sensitivity and specificity for real-time resection margin assessment were 60% and 90%, "
             "respectively … with a positive predictive value of 54% and a negative predictive value of 92%.",
             (Published("sensitivity", "Sensitivity", 0.60, "60%", 0.03),
              Published("specificity", "Specificity", 0.90, "90%", 0.03),
              Published("ppv", "Positive predictive value", 0.54, "54%", 0.03),
              Published("npv", "Negative predictive value", 0.92, "92%", 0.03)),
             "The 2 × 2 counts were fixed in the synthetic lesion table (24 true and 20 false positives); the "
             "paper rounds to whole percentages.",
             "pages/fluorescence.py", "Fluorescence accuracy", (), ("fluorescence_at_margin", _BEFORE),
             controls={"FLUORESCENCE_TEST": "fluorescence_at_margin", "FLUORESCENCE_TRUTH": _BEFORE,
                       "FLUORESCENCE_LEVEL": "lesion"}),
        Step("roc", "Area under the ROC curve",
             "The AUC uses the fluorescence intensity score (0–10), not the yes/no reading; its CI is DeLong's.",
             _mimic_roc,
             "… (area under the receiver operating characteristic curve, 0.751; 95% CI, 0.668-0.833) …",
             (Published("auc", "AUC", 0.751, "0.751", 0.03),
              Published("auc_lower", "AUC, lower 95 % limit", 0.668, "0.668"),
              Published("auc_upper", "AUC, upper 95 % limit", 0.833, "0.833")),
             "The synthetic scores were drawn to give an AUC near 0.75; the paper's score is not described in the "
             "abstract, so the width of the interval differs.",
             "pages/fluorescence.py", "Fluorescence accuracy", (), ("fluorescence_score", _BEFORE),
             controls={"FLUORESCENCE_TEST": "fluorescence_at_margin", "FLUORESCENCE_TRUTH": _BEFORE,
                       "FLUORESCENCE_SCORE": "fluorescence_score"}, where="the section 'ROC analysis'"),
        Step("learning", "Learning curve: the first 10 procedures",
             "The false-positive rate (fluorescence at an R0 margin) in each centre's first 10 procedures against "
             "the later ones; an odds ratio near 1 with a wide CI means 'comparable', not 'proven equal'.",
             _mimic_learning,
             "… participating centers that were new to the technique had a comparable false-positive rate for "
             "predicting R1 resections during the first 10 procedures (odds ratio, 1.36; 95% CI, 0.44-4.24).",
             (Published("odds_ratio", "Odds ratio, first 10 vs later", 1.36, "1.36"),
              Published("or_lower", "Lower 95 % limit", 0.44, "0.44"),
              Published("or_upper", "Upper 95 % limit", 4.24, "4.24")),
             "Not aimed at by the generator beyond 'comparable' (a CI that includes 1); the paper's model (which "
             "centres counted as new, per lesion or per patient) is not in the abstract.",
             "pages/fluorescence.py", "Fluorescence accuracy", (), ("fluorescence_at_margin", _BEFORE, "procedure_number"),
             controls={"FLUORESCENCE_TEST": "fluorescence_at_margin", "FLUORESCENCE_TRUTH": _BEFORE,
                       "FLUORESCENCE_MEASURE": "false_positive_rate", "FLUORESCENCE_FIRST_N": 10},
             where="the section 'Learning curve'"),
        Step("management", "Change of surgical management",
             "A per-patient proportion: 56 of 201 patients, with a Wilson 95 % CI on the page.",
             _mimic_management,
             "The ICG-fluorescence imaging was associated with changes in intraoperative surgical management in 56 "
             "(27.9%) of the patients.",
             (Published("management_changed", "Management changed", 0.279, "56 (27.9%)", 0.005),
              Published("n_changed", "Patients", 56, "56", 0.5)),
             "Fixed by construction (56 of 201).",
             "pages/margins.py", "Margins & complications", ("management_changed",),
             controls={"MARGINS_GROUP": ""}, where="the tab 'Before / after'"),
    ),
)


# ---- Japanese multicentre survey (literature 004) ------------------------------------------------


def _jp_subgroups(data, lesions):
    numbers, texts, lines = {}, {}, []
    for key, what, sub, col, event in (
            ("pancreas", "Primary in the pancreas", data, "primary_site", ["pancreas"]),
            ("synchronous", "Synchronous metastases", data, "synchronous", None),
            ("concomitant", "Concomitant resection of the primary, of the synchronous",
             data[_yes(data["synchronous"])], "concomitant_primary_resection", None),
            ("r2", "R2 resection", data, "margin_status", ["R2"])):
        rate, k, n = _rate(sub, col, event)
        numbers[key], texts[key] = rate, _rate_text(rate, k, n)
        lines.append(f"{what}: {texts[key]}.")
    return StepResult(numbers, texts, tuple(lines))


def _jp_safety(data, lesions):
    morb = data.assign(_major=major_morbidity(data))
    m, km_, nm = _rate(morb, "_major")
    d, kd, nd = _rate(data, "mortality_90d")
    r01 = data[data["margin_status"].astype(object).isin(["R0", "R1"])]
    rec, kr, nr = _rate(r01, "recurrence")
    numbers = {"morbidity": m, "mortality": d, "recurrence": rec}
    texts = {"morbidity": _rate_text(m, km_, nm), "mortality": _rate_text(d, kd, nd),
             "recurrence": _rate_text(rec, kr, nr)}
    return StepResult(numbers, texts, (
        f"90-day morbidity (Clavien–Dindo IIIa or worse) {texts['morbidity']}; 90-day mortality {texts['mortality']}.",
        f"Recurrence after R0/R1 resection {texts['recurrence']}."))


def _jp_os(data, lesions):
    km = kaplan_meier(data, "os_months", "os_event")
    s5, s10 = _km_at(km, 60, "all"), _km_at(km, 120, "all")
    numbers = {"os5": s5, "os10": s10}
    texts = {"os5": fmt_pct(s5, 1), "os10": fmt_pct(s10, 1)}
    lines = [f"Overall survival {fmt_pct(s5, 1)} at 5 years and {fmt_pct(s10, 1)} at 10 years (Kaplan–Meier)."]
    for col, what in (("synchronous", "synchronous"), ("concomitant_primary_resection", "concomitant resection")):
        if _has(data, col):
            k = kaplan_meier(data, "os_months", "os_event", col)
            for g in (True, False):
                v = _km_at(k, 120, g)
                numbers[f"os10_{what.split()[0]}_{'yes' if g else 'no'}"] = v
            lines.append(f"10-year OS by {what}: yes {fmt_pct(_km_at(k, 120, True), 1)}, "
                         f"no {fmt_pct(_km_at(k, 120, False), 1)} (not in the abstract).")
    r2 = data.assign(_r2=data["margin_status"].astype(object).eq("R2").where(data["margin_status"].notna()))
    k = kaplan_meier(r2, "os_months", "os_event", "_r2")
    numbers["os10_r2_yes"], numbers["os10_r2_no"] = _km_at(k, 120, True), _km_at(k, 120, False)
    lines.append(f"10-year OS after R2 resection {fmt_pct(numbers['os10_r2_yes'], 1)}, after R0/R1 "
                 f"{fmt_pct(numbers['os10_r2_no'], 1)} (not in the abstract).")
    fig = km_figure(km, time_unit="months", y_title="Overall survival", horizon=180)
    return StepResult(numbers, texts, tuple(lines), fig)


def _jp_cox(time: str, event: str, covariates: tuple[str, ...]):
    def run(data, lesions):
        covs = [c for c in covariates if _has(data, c)]
        screen = univariable_screen(data, time, event, covs)
        fitted = set(screen.tests["term"][screen.tests["p_value"].notna()])
        model = cox_regression(data, time, event, [c for c in covs if c in fitted])
        rft = risk_factor_table(screen, model)
        t = rft.table
        g3 = t[(t["term"] == "grade") & (t["level"].astype(str) == "G3")]
        if not len(g3):
            raise InsufficientDataError("No patient has grade G3, so its hazard ratio cannot be estimated.")
        g3 = g3.iloc[0]
        numbers = {"uni_hr": float(g3["uni_hazard_ratio"]), "uni_p": float(g3["uni_p_value"]),
                   "multi_hr": float(g3["multi_hazard_ratio"]), "multi_p": float(g3["multi_p_value"])}
        texts = {"uni_hr": fmt_ratio("HR", g3["uni_hazard_ratio"], g3["uni_ci_lower"], g3["uni_ci_upper"]),
                 "uni_p": fmt_p(g3["uni_p_value"]),
                 "multi_hr": fmt_ratio("HR", g3["multi_hazard_ratio"], g3["multi_ci_lower"], g3["multi_ci_upper"]),
                 "multi_p": fmt_p(g3["multi_p_value"])}
        others = [f"{label(r.term)}{' ' + display_label(r.level) if r.level else ''}"
                  for r in t.itertuples(index=False)
                  if r.term != "grade" and not is_missing(r.multi_p_value) and r.multi_p_value < 0.05]
        lines = (f"Grade G3 vs G1, univariable: {texts['uni_hr']}, {texts['uni_p']}.",
                 f"Multivariable (adjusted for {', '.join(in_sentence(label(c)) for c in covs if c != 'grade')}): "
                 f"{texts['multi_hr']}, {texts['multi_p']}.",
                 ("Other covariates significant in the multivariable model: " + ", ".join(others) + ".") if others
                 else "No other covariate was significant in the multivariable model.")
        return StepResult(numbers, texts, lines, forest_figure(rft))
    return run


_JP_RFS_COVS = ("grade", "primary_site", "synchronous", "age")
_JP_OS_COVS = ("grade", "margin_status", "primary_site", "synchronous", "age")

JP_MULTICENTER = Walkthrough(
    key="jp_multicenter", sample="jp_multicenter",
    title="Hepatic resection for neuroendocrine liver metastases: a Japanese multicentre survey",
    citation="J Hepatobiliary Pancreat Sci 2021;28(6):489-497; 222 patients from 30 institutions.",
    question="How safe and effective is liver resection for NELM, and what predicts recurrence and death?",
    steps=(
        Step("subgroups", "Rates by subgroup",
             "Each rate has its own denominator: concomitant resection of the primary is counted among the "
             "synchronous metastases only, not among all 222 patients.",
             _jp_subgroups,
             "The primary tumor site was the pancreas in 58.6%, and the presentation of NELM was synchronous in "
             "63.1% of the cases. Concomitant resection of the primary tumor and liver metastases was performed for "
             "66.4% of the synchronous metastases … The operations resulted in R2 resections in 26.1% of the cases.",
             (Published("pancreas", "Primary in the pancreas", 0.586, "58.6%", 0.005),
              Published("synchronous", "Synchronous", 0.631, "63.1%", 0.005),
              Published("concomitant", "Concomitant resection (of synchronous)", 0.664, "66.4%", 0.005),
              Published("r2", "R2 resection", 0.261, "26.1%", 0.005)),
             "Fixed by construction in the synthetic cohort (130, 140, 93 and 58 patients).",
             "pages/table_one.py", "Table 1", ("primary_site", "synchronous", "concomitant_primary_resection",
                                                "margin_status"),
             settings=AnalysisSettings(group="synchronous"), controls={"TABLE_ONE_GROUP": "synchronous"}),
        Step("safety", "Morbidity, mortality and recurrence",
             "90-day morbidity here is a major complication (Clavien–Dindo IIIa or worse); recurrence is counted "
             "after R0/R1 resections only, since after R2 disease was left behind.",
             _jp_safety,
             "… the 90-day morbidity and mortality rates were 12.6% and 0.9%, respectively. … 83.4% of the patients "
             "experienced recurrence after R0/1 resections.",
             (Published("morbidity", "90-day morbidity", 0.126, "12.6%", 0.005),
              Published("mortality", "90-day mortality", 0.009, "0.9%", 0.005),
              Published("recurrence", "Recurrence after R0/R1", 0.834, "83.4%", 0.03)),
             "Morbidity and mortality were fixed by construction; the abstract does not define morbidity, "
             "Clavien–Dindo IIIa or worse is assumed.",
             "pages/margins.py", "Margins & complications", ("clavien_dindo", "mortality_90d", "recurrence",
                                                             "margin_status"),
             controls={"MARGINS_GROUP": ""}, where="the tab 'Complications & recurrence'"),
        Step("os", "5- and 10-year overall survival",
             "Read the Kaplan–Meier curve at 5 and 10 years; the Survival page lets you choose the years of its "
             "rates table (here 5 and 10). Few patients remain at risk at 10 years, so that estimate is the least "
             "precise.",
             _jp_os,
             "… the overall survival rate was relatively favorable, with 5-year and 10-year survival rates of "
             "70.2%, and 43.4%, respectively.",
             (Published("os5", "5-year OS", 0.702, "70.2%", 0.03),
              Published("os10", "10-year OS", 0.434, "43.4%", 0.03)),
             "Death times of the synthetic cohort were drawn from a distribution aimed at these rates; the "
             "follow-up period (2000–2019) is assumed, as the abstract gives none.",
             "pages/survival.py", "Survival", ("os_months", "os_event"),
             settings=AnalysisSettings(endpoint="os", group="", time_unit="months", rate_years=(5, 10))),
        Step("cox_rfs", "Risk factors for recurrence-free survival: univariable, then multivariable Cox",
             "First each factor alone (univariable), then together (multivariable): a factor that stays strong "
             "after adjustment is an independent predictor. RFS is defined after R0/R1 resections only.",
             _jp_cox("rfs_months", "rfs_event", _JP_RFS_COVS),
             "Univariable and multivariable analyses identified the tumor grading (G3) of the primary tumor as a "
             "significant prognostic factor for both the recurrence-free and overall survivals.",
             (Published("multi_p", "G3 vs G1, multivariable p", 0.05, "significant", bound="below"),),
             "The abstract gives no hazard ratio; the synthetic cohort triples the hazard for G3, and the paper's "
             "list of covariates is not known (grade, primary site, synchronous presentation and age are used).",
             "pages/risk_factors.py", "Risk factors", ("grade", "rfs_months", "rfs_event"),
             settings=AnalysisSettings(endpoint="rfs", cox_covariates=_JP_RFS_COVS),
             controls={"RISK_SELECTION": "all"}),
        Step("cox_os", "Risk factors for overall survival: univariable, then multivariable Cox",
             "The same for overall survival, now with the margin (R2 vs R0) in the model, since all 222 patients "
             "count here.",
             _jp_cox("os_months", "os_event", _JP_OS_COVS),
             "Univariable and multivariable analyses identified the tumor grading (G3) of the primary tumor as a "
             "significant prognostic factor for both the recurrence-free and overall survivals.",
             (Published("multi_p", "G3 vs G1, multivariable p", 0.05, "significant", bound="below"),),
             "As for recurrence-free survival: no hazard ratio is published and the covariates are assumed.",
             "pages/risk_factors.py", "Risk factors", ("grade", "os_months", "os_event"),
             settings=AnalysisSettings(endpoint="os", cox_covariates=_JP_OS_COVS),
             controls={"RISK_SELECTION": "all"}),
    ),
)


# ---- Mayo cystic vs solid (literature 003) -------------------------------------------------------

_MAYO_PS = ("age", "sex", "synchronous", "bilobar", "extrahepatic_disease", "primary_site")


def _mayo_baseline(data, lesions):
    numbers, texts = {}, {}
    cyst = _yes(data["cystic"])
    for col, key in (("age", "age"), ("largest_lesion_cm", "size")):
        if _has(data, col):
            for g, sel in (("cystic", cyst), ("solid", ~cyst)):
                v = float(pd.to_numeric(data.loc[sel, col], errors="coerce").mean())
                numbers[f"{key}_{g}"] = v
                texts[f"{key}_{g}"] = fmt_num(v) + (" cm" if key == "size" else " years")
    if _has(data, "sex"):
        for g, sel in (("cystic", cyst), ("solid", ~cyst)):
            sub = data.loc[sel, "sex"].dropna().astype(str)
            v = float((sub == "male").mean()) if len(sub) else float("nan")
            numbers[f"men_{g}"], texts[f"men_{g}"] = v, fmt_pct(v, 0)
    lines = [f"Cystic vs solid: mean age {texts.get('age_cystic', DASH)} vs {texts.get('age_solid', DASH)}; "
             f"men {texts.get('men_cystic', DASH)} vs {texts.get('men_solid', DASH)}; largest lesion "
             f"{texts.get('size_cystic', DASH)} vs {texts.get('size_solid', DASH)} (means)."]
    return StepResult(numbers, texts, tuple(lines))


def _mayo_survival(time_months: str, event: str, what: str):
    def run(data, lesions):
        d = _years(data, time_months, "_years")
        km = kaplan_meier(d, "_years", event, "cystic")
        test = logrank_test(d, "_years", event, "cystic")
        mc, ms = _group_value(km.medians, "group", True, "median"), _group_value(km.medians, "group", False, "median")
        numbers = {"median_cystic": mc, "median_solid": ms, "p_value": float(test.p_value)}
        texts = {"median_cystic": f"{fmt_median(mc, digits=2)} years", "median_solid": f"{fmt_median(ms, digits=2)} years",
                 "p_value": fmt_p(test.p_value)}
        fig = km_figure(km, test=test, time_unit="years", group_name=label("cystic"), y_title=what)
        return StepResult(numbers, texts, tuple(_km_lines(km, test, "cystic", "years", 2)), fig)
    return run


def _mayo_matched(data, lesions):
    covs = [c for c in _MAYO_PS if _has(data, c)]
    m = propensity_match(data, "cystic", covs, ratio=3, caliper=0.2)
    mm = m.matched
    numbers = {"n_treated": float(m.n_treated_matched), "n_control": float(m.n_control_matched)}
    texts = {"n_treated": str(m.n_treated_matched), "n_control": str(m.n_control_matched)}
    lines = [f"1:3 nearest-neighbour matching (caliper 0.2 SD of the logit propensity score) on "
             f"{', '.join(in_sentence(label(c)) for c in covs)}: {m.n_treated_matched} cystic and {m.n_control_matched} "
             f"solid patients."]
    weights = "match_weight" if bool((mm["match_weight"] != 1).any()) else None
    for key, months, event, what in (("os", "os_months", "os_event", "overall survival"),
                                     ("hpfs", "hepatic_pfs_months", "hepatic_pfs_event", "hepatic PFS")):
        if not _has(mm, months):
            continue
        d = _years(mm, months, "_years")
        km = kaplan_meier(d, "_years", event, "cystic", weights=weights)
        mc, ms = _group_value(km.medians, "group", True, "median"), _group_value(km.medians, "group", False, "median")
        numbers[f"{key}_cystic"], numbers[f"{key}_solid"] = mc, ms
        texts[f"{key}_cystic"] = f"{fmt_median(mc, digits=2)} years"
        texts[f"{key}_solid"] = f"{fmt_median(ms, digits=2)} years"
        lines.append(f"Matched cohort, median {what}: cystic {texts[f'{key}_cystic']}, solid {texts[f'{key}_solid']}.")
    return StepResult(numbers, texts, tuple(lines), love_plot(m))


MAYO = Walkthrough(
    key="mayo_cystic", sample="mayo_cystic",
    title="Surgical and oncologic outcomes for liver resections of cystic neuroendocrine tumor liver metastasis",
    citation="Eur J Surg Oncol 2025;51(1):109464; Mayo Clinic 2000–2020, 464 patients of whom 12 cystic.",
    question="Do patients with cystic metastases fare differently after > 90 % cytoreduction than those with solid ones?",
    steps=(
        Step("baseline", "Cystic vs solid: who were they?",
             "With 12 cystic patients, a difference of 7 percentage points is one patient: read counts as well as "
             "percentages, and expect wide confidence intervals.",
             _mayo_baseline,
             "Patients with cystic NETLM were similar in age (55.4 vs. 59.7 years; p = 0.113) and sex (58 % vs. 51 % "
             "men; p = 0.772) … Cystic metastases were larger (7.3 vs. 3.8 cm; p < 0.001).",
             (Published("age_cystic", "Mean age, cystic (years)", 55.4, "55.4", 0.5),
              Published("age_solid", "Mean age, solid (years)", 59.7, "59.7", 0.5),
              Published("men_cystic", "Men, cystic", 0.58, "58 %", 0.01),
              Published("men_solid", "Men, solid", 0.51, "51 %", 0.01),
              Published("size_cystic", "Largest lesion, cystic (cm)", 7.3, "7.3", 0.2),
              Published("size_solid", "Largest lesion, solid (cm)", 3.8, "3.8", 0.1)),
             "Group means were set exactly when the synthetic cohort was generated; the paper may report means or "
             "medians (the abstract does not say).",
             "pages/table_one.py", "Table 1", ("cystic", "age", "sex", "largest_lesion_cm"),
             settings=AnalysisSettings(group="cystic"), controls={"TABLE_ONE_GROUP": "cystic"}),
        Step("os", "Overall survival in years, before matching",
             "Medians in years (months / 12). A median of the 12 cystic patients rests on a handful of deaths.",
             _mayo_survival("os_months", "os_event", "Overall survival"),
             "Median overall survival (OS) was 13.8 vs. 10.6 years (p = 0.513) …",
             (Published("median_cystic", "Median OS, cystic (years)", 13.8, "13.8", 0.15 * 13.8),
              Published("median_solid", "Median OS, solid (years)", 10.6, "10.6", 0.15 * 10.6),
              Published("p_value", "Log-rank p", 0.513, "p = 0.513")),
             "Death times were drawn from distributions with these medians; the p-value of a comparison with 12 "
             "patients in one group moves a lot from sample to sample.",
             "pages/survival.py", "Survival", ("cystic", "os_months", "os_event"),
             settings=AnalysisSettings(endpoint="os", group="cystic", time_unit="years")),
        Step("hpfs", "Hepatic progression-free survival, before matching",
             "The curves cross: about half of the cystic patients show early apparent 'progression' (changes of "
             "the cyst fluid), the rest progress late. A median or log-rank test summarises crossing curves poorly.",
             _mayo_survival("hepatic_pfs_months", "hepatic_pfs_event", "Hepatic progression-free survival"),
             "… and hepatic-progression-free survival (PFS) was 0.71 vs. 1.78 years (p = 0.507).",
             (Published("median_cystic", "Median hepatic PFS, cystic (years)", 0.71, "0.71", 0.15 * 0.71),
              Published("median_solid", "Median hepatic PFS, solid (years)", 1.78, "1.78", 0.15 * 1.78),
              Published("p_value", "Log-rank p", 0.507, "p = 0.507")),
             "Progression times were drawn to match the medians; the shape of the real curves is not known from the "
             "abstract.",
             "pages/survival.py", "Survival", ("cystic", "hepatic_pfs_months", "hepatic_pfs_event"),
             settings=AnalysisSettings(endpoint="hepatic_pfs", group="cystic", time_unit="years"),
             controls={"SURVIVAL_ENDPOINT": "hepatic_pfs"}),
        Step("matched", "After propensity matching",
             "Each cystic patient is matched to 3 solid patients with a similar propensity score; check the balance "
             "plot (standardized differences below 0.1) before reading the matched medians.",
             _mayo_matched,
             "Matched cohorts showed no significant difference in OS (13.80 vs. 8.57; p = 0.316) or hepatic-PFS "
             "(0.71 vs. 1.33; p = 0.620).",
             (Published("os_cystic", "Matched median OS, cystic (years)", 13.80, "13.80"),
              Published("os_solid", "Matched median OS, solid (years)", 8.57, "8.57"),
              Published("hpfs_cystic", "Matched median hepatic PFS, cystic (years)", 0.71, "0.71"),
              Published("hpfs_solid", "Matched median hepatic PFS, solid (years)", 1.33, "1.33")),
             "The matching variables and ratio of the paper are not in the abstract (1:3 on age, sex, synchronous, "
             "bilobar and extrahepatic disease and primary site are assumed), and the generator did not aim at the "
             "matched figures, so the solid group's medians differ most.",
             "pages/propensity.py", "Propensity", ("cystic", "os_months", "os_event") + _MAYO_PS[:2],
             settings=AnalysisSettings(endpoint="os", group="cystic", time_unit="years", treatment="cystic",
                                       treated="True", ps_covariates=_MAYO_PS,
                                       matching=MatchingSettings(ratio=3, caliper=0.2)),
             controls={"PROPENSITY_UNIT": "years", "PROPENSITY_ENDPOINT": "os"}),
    ),
)

WALKTHROUGHS: tuple[Walkthrough, ...] = (ICG_LPSH, MIMIC, MAYO, JP_MULTICENTER, AGGRESSIVE)


def walkthrough(key: str) -> Walkthrough:
    for w in WALKTHROUGHS:
        if w.key == key:
            return w
    raise KeyError(key)


def walkthrough_for_sample(sample: str) -> Walkthrough | None:
    return next((w for w in WALKTHROUGHS if w.sample == sample), None)


# ---- running and checking ------------------------------------------------------------------------


def step_missing_columns(step: Step, data: pd.DataFrame, lesions: pd.DataFrame | None = None) -> list[str]:
    """The columns ``step`` needs that ``data`` (or its lesion table) lacks or holds no value in;
    lesion-table columns are prefixed with :data:`LESION_PREFIX`."""
    out = [c for c in step.needs if not _has(data, c)]
    if step.needs_lesions:
        out += [LESION_PREFIX + c for c in step.needs_lesions if not _has(lesions, c)]
    return out


def missing_columns(walk: Walkthrough | Step, data: pd.DataFrame, lesions: pd.DataFrame | None = None) -> list[str]:
    """Every column a walkthrough (or one step) needs that these data lack, each named once."""
    steps = walk.steps if isinstance(walk, Walkthrough) else (walk,)
    return list(dict.fromkeys(c for s in steps for c in step_missing_columns(s, data, lesions)))


def run_step(step: Step, data: pd.DataFrame, lesions: pd.DataFrame | None = None) -> StepResult:
    """Run one step; a cohort without the columns it needs raises MissingColumnError naming them."""
    missing = step_missing_columns(step, data, lesions)
    if missing:
        raise MissingColumnError("This step needs " + ", ".join(f"`{c}`" for c in missing)
                                 + ", which these data do not hold.")
    return step.run(data, lesions)


def _published_text(p: Published) -> str:
    return p.text


def comparison_table(step: Step, result: StepResult) -> pd.DataFrame:
    """Published beside computed, one row per published number: What, Published, This cohort."""
    rows = []
    for p in step.published:
        rows.append({"What": p.label, "Published": _published_text(p),
                     "This cohort": result.texts.get(p.key, DASH)})
    return pd.DataFrame(rows, columns=["What", "Published", "This cohort"])
