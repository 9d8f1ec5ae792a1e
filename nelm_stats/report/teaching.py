"""Every teaching text of the dashboard, in one place: the glossary, "How to read this" of each
analysis page, and the "why" of each naive-vs-correct contrast, written for a surgical resident.

The functions at the end word a contrast's result with its numbers; every number goes through
:mod:`nelm_stats.report.format`.
"""
from __future__ import annotations

from typing import NamedTuple

from .format import amount, display_label, fmt_num, fmt_p, fmt_pct, fmt_ratio

__all__ = [
    "GlossaryEntry", "GLOSSARY", "HowToRead", "HOW_TO_READ", "Contrast", "CONTRASTS", "search_glossary",
    "km_vs_cif_text", "crude_vs_adjusted_text", "pairwise_text", "immortal_time_text", "matched_pairs_text",
    "cutpoint_text",
]


class GlossaryEntry(NamedTuple):
    term: str
    definition: str  # plain words, for a surgical resident
    why: str  # why it matters in a series of resected neuroendocrine liver metastases
    see_also: tuple = ()


GLOSSARY: tuple[GlossaryEntry, ...] = (
    GlossaryEntry(
        "Censoring",
        "A patient is censored when follow-up ends without the event: the patient was alive (or free of "
        "recurrence) at the last visit, and what happened afterwards is unknown. A censored patient counts "
        "as at risk up to the last visit, and no longer.",
        "Neuroendocrine liver metastases grow slowly: many patients are still alive at the last visit, so most "
        "observations in a NELM series are censored. Dropping them, or counting them as event-free for the whole "
        "study, distorts every survival figure.",
        ("Kaplan–Meier estimate",)),
    GlossaryEntry(
        "Kaplan–Meier estimate",
        "The probability of remaining event-free over time, estimated step by step: at each event the "
        "survival drops by the share of patients at risk who had the event. Censored patients leave the risk "
        "set without making the curve drop.",
        "It is how 5- and 10-year overall survival after hepatectomy is reported. Read it together with the "
        "number at risk: the right-hand end of the curve rests on few patients.",
        ("Censoring", "Median vs mean survival")),
    GlossaryEntry(
        "Hazard ratio",
        "The ratio of the instantaneous event rates of two groups (from a Cox model): 0.5 means the event "
        "happens at half the rate, 2 at twice the rate, at any time point. It assumes the ratio stays the "
        "same over time (proportional hazards).",
        "Used for risk factors such as grade G3 vs G1 or R1 vs R0. A hazard ratio is not a risk ratio and "
        "not a difference in median survival; when the curves cross (cystic metastases) a single ratio misleads.",
        ("Log-rank test", "Confidence interval")),
    GlossaryEntry(
        "Log-rank test",
        "A test of whether two or more survival curves differ, comparing the events observed in each group "
        "with those expected if the groups had the same survival. It gives a p-value, not a size of effect.",
        "The standard comparison of RFS or OS between groups (ICG vs no ICG). It weighs all follow-up times "
        "equally and loses power when curves cross; a non-significant result in a small series does not show "
        "the groups are alike.",
        ("p-value", "Hazard ratio")),
    GlossaryEntry(
        "Median vs mean survival",
        "The median survival is the time by which half of the patients had the event: read where the curve "
        "crosses 50 %. It is 'not reached' when fewer than half had the event. A plain mean of follow-up "
        "times is wrong when there is censoring.",
        "With long survival after NELM resection the median OS is often not reached, or rests on very few "
        "patients. Report survival rates at fixed times or the restricted mean instead; never average the "
        "follow-up times of the patients who died.",
        ("Restricted mean survival time (RMST)",)),
    GlossaryEntry(
        "Restricted mean survival time (RMST)",
        "The area under the survival curve up to a chosen time (the horizon): the average event-free time "
        "within that window, e.g. 'over 5 years, patients lived on average 4.2 years free of recurrence'.",
        "It exists when the median is not reached and does not need proportional hazards, which makes it a "
        "good summary for slowly evolving NELM; state the horizon.",
        ("Median vs mean survival",)),
    GlossaryEntry(
        "Competing risks",
        "An event that prevents the event of interest from happening: a patient who dies without recurrence "
        "can no longer recur. Death is then a competing event for recurrence.",
        "After hepatectomy for NELM, older patients die of other causes before recurring. Treating those "
        "deaths as censored (1 − Kaplan–Meier) overstates the risk of recurrence.",
        ("Cumulative incidence",)),
    GlossaryEntry(
        "Cumulative incidence",
        "The probability of having had the event of interest by a given time when competing events are "
        "possible (Aalen–Johansen estimate); groups are compared with Gray's test.",
        "The correct way to report 'risk of recurrence at 5 years' in the presence of deaths without "
        "recurrence. It is always at or below 1 − Kaplan–Meier.",
        ("Competing risks",)),
    GlossaryEntry(
        "Standardized mean difference (SMD)",
        "The difference between two groups in a baseline characteristic, divided by its standard deviation, "
        "so that age, size and proportions are on one scale. Below 0.1 is usually taken as balanced.",
        "The way to judge whether ICG and non-ICG patients (or cystic and solid) are comparable, before and "
        "after matching. Unlike a p-value, it does not depend on the sample size.",
        ("Propensity score", "Caliper")),
    GlossaryEntry(
        "Caliper",
        "The largest distance in propensity score allowed between a treated patient and the matched control, "
        "often 0.2 standard deviations of the logit of the score. Patients without a control that close stay "
        "unmatched.",
        "A caliper protects against poor matches, but in a small NELM series it can discard many treated "
        "patients: report how many were matched.",
        ("Propensity score",)),
    GlossaryEntry(
        "Propensity score",
        "The probability that a patient received the treatment (e.g. ICG, a laparoscopic approach) given "
        "the baseline characteristics, estimated by logistic regression. Patients with similar scores can "
        "be compared as if treatment had been allocated at random, for the measured characteristics only.",
        "Observational NELM series are not randomized: the propensity score balances measured confounders "
        "(grade, size, bilobar disease) by matching or weighting. It cannot correct for what was not recorded.",
        ("Inverse probability of treatment weighting (IPTW)", "Standardized mean difference (SMD)")),
    GlossaryEntry(
        "Inverse probability of treatment weighting (IPTW)",
        "Each patient is weighted by the inverse of the probability of the treatment actually received, so "
        "that the weighted groups resemble each other (and the whole cohort) in measured characteristics.",
        "Keeps every patient (matching may discard many), but a few patients with extreme weights can dominate: "
        "check the weights and the effective sample size.",
        ("Propensity score",)),
    GlossaryEntry(
        "Immortal-time bias",
        "A bias that arises when patients are grouped by something that happens after the start of follow-up: "
        "to be in the 'treated' group a patient must survive until the treatment, so that time is 'immortal' "
        "and flatters the group.",
        "Groupings such as 'had a repeat hepatectomy', 'received PRRT after recurrence' or 'recurred' are "
        "defined after liver surgery. Analysed from the date of surgery they look protective even when they are not.",
        ("Landmark analysis",)),
    GlossaryEntry(
        "Landmark analysis",
        "Follow-up starts at a fixed time after surgery (the landmark, e.g. 12 months); only patients alive "
        "and followed at the landmark are analysed, grouped by what had happened by then.",
        "The simple correction of immortal-time bias for a grouping defined after surgery. Results apply to "
        "patients who reached the landmark; choose it before looking at the results.",
        ("Immortal-time bias",)),
    GlossaryEntry(
        "Events per variable (EPV)",
        "The number of events divided by the number of parameters in a regression model. With fewer than "
        "about 10 events per variable, Cox models overfit and their hazard ratios are unreliable.",
        "A NELM series with 40 recurrences supports about four covariates in a multivariable Cox model, not "
        "ten. Choose covariates on clinical grounds rather than by p-value screening.",
        ("Hazard ratio",)),
    GlossaryEntry(
        "E-value",
        "The minimum strength of association (as a risk ratio) that an unmeasured confounder would need with "
        "both the treatment and the outcome to explain away an observed association.",
        "Useful when presenting an adjusted effect of, say, parenchyma-sparing surgery: a small E-value means "
        "a modest unrecorded difference between groups (performance status, tumour biology) could explain the result.",
        ("Propensity score",)),
    GlossaryEntry(
        "Multiple testing and Holm's adjustment",
        "Each test at the 5 % level has a 5 % chance of a false positive; with many tests (every pair of "
        "grades, every subgroup) one 'significant' result is expected by chance. Holm's method adjusts the "
        "p-values so that the chance of any false positive stays at 5 %; it is uniformly better than Bonferroni.",
        "Comparing G1, G2 and G3 in pairs makes three tests; subgroup analyses of a NELM series can make dozens. "
        "Report adjusted p-values, or say how many tests were done.",
        ("p-value",)),
    GlossaryEntry(
        "Optimal cut point",
        "A continuous marker (Ki-67, size) split at the value that gives the smallest p-value. Because many "
        "cut points were tried, that minimum p-value is far too small; corrections (Altman 1994) or a "
        "permutation test give its true size.",
        "Ki-67 thresholds for NELM prognosis vary between papers partly because each series searched for "
        "its own 'optimal' cut. Use a pre-specified cut (WHO grade limits, the median) or keep the marker continuous.",
        ("Multiple testing and Holm's adjustment", "p-value")),
    GlossaryEntry(
        "Confidence interval",
        "The range of values of an estimate that are compatible with the data: a 95 % confidence interval "
        "would contain the true value in 95 of 100 repetitions of the study. Its width shows the precision.",
        "Small NELM series give wide intervals: 'hazard ratio 0.6 (95 % CI 0.3 to 1.2)' means anything from a "
        "large benefit to harm. Always report the interval beside the estimate.",
        ("p-value",)),
    GlossaryEntry(
        "p-value",
        "The probability of a result at least as extreme as the one observed if there were truly no "
        "difference. It is not the probability that the null hypothesis is true, and not a measure of the "
        "size or importance of an effect.",
        "A p-value above 0.05 in a series of 50 patients rarely shows that ICG (or any technique) makes no "
        "difference: it usually means the study was too small to tell. Report the effect with its confidence interval.",
        ("Confidence interval",)),
)


def search_glossary(query: str) -> tuple[GlossaryEntry, ...]:
    """The entries whose term, definition or relevance mention ``query`` (case-insensitive)."""
    q = (query or "").strip().lower()
    if not q:
        return GLOSSARY
    return tuple(e for e in GLOSSARY if q in e.term.lower() or q in e.definition.lower() or q in e.why.lower())


class HowToRead(NamedTuple):
    shows: str  # what the page shows
    assumptions: str
    mistakes: str  # common mistakes
    report: str  # how to report it


HOW_TO_READ: dict[str, HowToRead] = {
    "survival": HowToRead(
        "Kaplan–Meier curves of recurrence-free or overall survival from the date of liver surgery, by group, "
        "with the number at risk, the median survival, survival rates at chosen years, the log-rank test and "
        "the restricted mean survival time. The competing-risks view shows the cumulative incidence of "
        "recurrence with death as a competing event.",
        "Censoring unrelated to prognosis (patients lost to follow-up are like those still followed); groups "
        "known at the time of surgery; for the log-rank test, a difference that is roughly constant over time.",
        "Reading the tail of a curve that rests on a handful of patients; calling a non-significant log-rank "
        "test proof of equivalence; grouping by something that happened after surgery (immortal-time bias); "
        "using 1 − Kaplan–Meier as the risk of recurrence when patients die first.",
        "'Median RFS was 37.7 months (95 % CI …) with ICG and 28.0 months without (log-rank p = 0.097); "
        "5-year OS was …'. Give the number of events and the median follow-up (reverse Kaplan–Meier)."),
    "propensity": HowToRead(
        "Treated and untreated patients made comparable on measured baseline characteristics, by matching on "
        "the propensity score or by weighting, with the balance before and after (SMD) and the crude and "
        "adjusted hazard ratios.",
        "Every confounder is measured and in the model (no unmeasured confounding); every patient could have "
        "received either treatment (overlap of the scores); the model of the score is adequate.",
        "Checking balance with p-values instead of SMDs; putting variables measured after treatment in the "
        "model; ignoring the matched pairs in the outcome analysis; not saying how many treated patients "
        "were left unmatched.",
        "'After 1:1 nearest-neighbour matching on the logit of the propensity score (caliper 0.2 SD), 24 pairs "
        "were formed; all SMDs were below 0.1; HR 0.71 (95 % CI …), robust SE clustered on the pairs.'"),
    "table_one": HowToRead(
        "The baseline characteristics of the cohort, overall and by group: counts with percentages for "
        "categories, mean (SD) or median (IQR) for measurements, the number of missing values, and the "
        "standardized mean differences.",
        "Summaries fit the distribution (medians for skewed measurements such as Ki-67 or lesion size).",
        "Reading baseline p-values as proof that groups are comparable (small series: large differences are "
        "'not significant'); hiding missing data; means of skewed variables.",
        "As the first table of the paper, with the group sizes in the header and a footnote on the summaries "
        "used. Prefer SMDs to p-values for comparability."),
    "margins": HowToRead(
        "The rates of R1 margins and of complications (Clavien–Dindo) by group, with confidence intervals "
        "and Fisher's or the chi-square test; at lesion level, rates clustered on the patient.",
        "Patients are independent (lesions of one patient are not: the lesion-level analysis accounts for it); "
        "the definition of R1 (e.g. margin < 1 mm) is the same in every group.",
        "Counting lesions as if they were patients; comparing margin rates between groups that differ in "
        "tumour burden without adjustment; reporting a percentage without its denominator.",
        "'A positive margin was found in 1 of 77 lesions (1.3 %) with ICG and 12 of 73 (16.4 %) without "
        "(Fisher's exact test p < 0.001).' State the margin definition and the level (lesion or patient)."),
    "fluorescence": HowToRead(
        "How well fluorescence at the resection margin predicts a histological R1 margin: sensitivity, "
        "specificity, predictive values with exact confidence intervals, the ROC curve and its AUC, and the "
        "learning curve.",
        "Histology is the reference standard and is assessed without knowledge of the fluorescence; every "
        "lesion with a fluorescence assessment has a histological margin.",
        "Reading predictive values as fixed properties of the test (they depend on how common R1 margins are); "
        "treating lesions of one patient as independent; reporting accuracy without confidence intervals.",
        "Following STARD: 'Fluorescence at the margin had a sensitivity of 60 % (95 % CI …) and a specificity "
        "of 90 % (…) for an R1 margin; AUC 0.76 (…).'"),
    "risk_factors": HowToRead(
        "Univariable and multivariable Cox regression of recurrence-free or overall survival: hazard ratios "
        "with confidence intervals for each candidate risk factor, a forest plot and a check of proportional "
        "hazards.",
        "Proportional hazards (the effect is constant over time); enough events for the number of variables "
        "(about 10 per variable); linearity of continuous covariates.",
        "Selecting covariates by univariable p < 0.05 and then reporting the model as confirmed; too many "
        "variables for the events; reading a hazard ratio as a causal effect of a treatment.",
        "A table with univariable and multivariable hazard ratios (95 % CI, p) side by side, the number of "
        "events, and how the covariates were chosen."),
    "plan": HowToRead(
        "The number of events and patients a new study needs to detect a chosen hazard ratio or difference in "
        "rates with a given power, and the power of a given number of events, with the accrual timeline.",
        "Proportional hazards and exponential survival in the control group (Schoenfeld's or Freedman's "
        "formula); the expected effect is realistic, not the largest one seen in a small series.",
        "Planning on the effect of a single retrospective series (usually too optimistic); forgetting drop-out; "
        "computing power after the study ('post hoc power' says nothing new).",
        "'To detect a hazard ratio of 0.6 with 80 % power at a two-sided 5 % level, 120 events are needed; "
        "with 36 months of accrual and 24 of follow-up, 200 patients.'"),
}


class Contrast(NamedTuple):
    title: str
    naive: str  # the naive analysis, named
    correct: str  # the correct one
    why: str  # two sentences


CONTRASTS: dict[str, Contrast] = {
    "km_vs_cif": Contrast(
        "1 − Kaplan–Meier vs cumulative incidence",
        "1 − Kaplan–Meier of recurrence, deaths censored",
        "Cumulative incidence of recurrence, death competing",
        "Censoring a patient who died pretends that this patient could still recur later, so 1 − Kaplan–Meier "
        "estimates the risk of recurrence in a world where nobody dies and overstates the real risk. "
        "The cumulative incidence counts a death without recurrence as the end of that patient's chance to recur, "
        "and is the risk a patient actually faces."),
    "adjusted": Contrast(
        "Crude vs matched vs weighted",
        "Crude comparison of treated and untreated patients",
        "Propensity-matched or weighted comparison",
        "Surgeons choose a technique for a reason (tumour size, grade, bilobar disease), so treated and "
        "untreated patients differ before surgery and a crude comparison mixes the effect of the technique with "
        "that of case mix. Matching or weighting on the propensity score compares patients alike in the measured "
        "characteristics; it cannot fix what was not recorded."),
    "holm": Contrast(
        "Unadjusted vs Holm-adjusted pairwise p-values",
        "Unadjusted p-values of every pairwise log-rank test",
        "Holm-adjusted p-values",
        "Each extra comparison is another chance of a false-positive result, so with three grades compared in "
        "pairs the chance of at least one spurious p < 0.05 is well above 5 %. Holm's adjustment keeps that "
        "chance at 5 % for the whole family of comparisons while losing less power than Bonferroni."),
    "immortal_time": Contrast(
        "Immortal-time bias vs landmark",
        "Grouping defined after surgery, analysed from the date of surgery",
        "Landmark analysis",
        "A patient can only enter a group defined after surgery (recurrence, re-resection, therapy for "
        "recurrence) by surviving until then, so the time before it is 'immortal' and is wrongly credited to "
        "that group. A landmark analysis starts the clock at a fixed time after surgery and groups patients by what "
        "had happened by then, so both groups are compared from the same starting line."),
    "pairs": Contrast(
        "Matched pairs ignored vs clustered",
        "Cox model on the matched cohort, pairs ignored",
        "Cox model with the robust variance clustered on the matched sets",
        "A treated patient and the matched control are alike by design, so their outcomes are correlated and the "
        "matched cohort holds less independent information than its size suggests. The robust variance "
        "clustered on the matched sets accounts for this; the point estimate is the same, only the standard "
        "error, confidence interval and p-value change."),
    "cutpoint": Contrast(
        "“Optimal” cut point vs pre-specified cut",
        "Cut at the value with the smallest p-value",
        "Pre-specified cut, or the minimum p-value corrected for the search",
        "Trying every cut point and keeping the one with the smallest p-value is many tests in disguise, so the "
        "minimum p-value is far too small and the 'optimal' cut rarely replicates in another series. A cut chosen "
        "before looking at outcomes, or the minimum p-value corrected for the search (Altman 1994, or a "
        "permutation test), gives the honest answer."),
}


# ---- a contrast's result in words ------------------------------------------------------------


def _pp(x: float) -> str:
    """A difference of two proportions in percentage points."""
    return f"{fmt_num(100 * x, 1)} percentage points"


def km_vs_cif_text(at_row_km: float, at_row_cif: float, time: float, time_unit: str, n_death: int,
                   group_label: str | None = None) -> str:
    """'At 5 years, 1 − Kaplan–Meier puts the risk of recurrence at 62 %; the cumulative incidence at 55 %: …'."""
    who = "" if group_label in (None, "all") else f" ({display_label(group_label)})"
    lead = f"At {amount(time, time_unit)}{who}, 1 − Kaplan–Meier puts the risk of recurrence at {fmt_pct(at_row_km, 1)}; "
    lead += f"the cumulative incidence, with death competing, at {fmt_pct(at_row_cif, 1)}"
    if n_death == 0:
        return lead + ". No patient died without recurrence, so the two estimates are the same here."
    diff = at_row_km - at_row_cif
    return (lead + f": the naive estimate is higher by {_pp(diff)} because {n_death} "
            f"patient{'s' if n_death != 1 else ''} died without recurrence.")


def crude_vs_adjusted_text(table, treatment_label: str) -> str:
    """The crude, matched and weighted hazard ratios in one sentence (rows of compare_survival's table)."""
    names = {"crude": "crude", "matched": "propensity-matched", "weighted": "weighted (IPTW)"}
    parts = []
    for r in table.itertuples(index=False):
        parts.append(f"{names.get(r.analysis, r.analysis)} {fmt_ratio('HR', r.hazard_ratio, r.ci_lower, r.ci_upper)}, "
                     f"{fmt_p(r.p_value)}")
    return f"{treatment_label}: " + "; ".join(parts) + "."


def pairwise_text(result) -> str:
    """How many pairwise comparisons stay significant after Holm's adjustment."""
    n, sig = result.n_comparisons, result.n_significant
    t = result.table
    smallest = t.loc[t["p_value"].idxmin()] if len(t) and t["p_value"].notna().any() else None
    text = (f"{n} pairwise comparison{'s' if n != 1 else ''}: {sig['unadjusted']} with p < {result.alpha:g} unadjusted, "
            f"{sig['holm']} after Holm's adjustment and {sig['bonferroni']} after Bonferroni's.")
    if smallest is not None:
        text += (f" The smallest, {display_label(smallest['group_a'])} vs {display_label(smallest['group_b'])}, "
                 f"goes from {fmt_p(smallest['p_value'])} to {fmt_p(smallest['p_holm'])} with Holm's adjustment.")
    return text


def immortal_time_text(result, exposure_label: str, time_unit: str = "months") -> str:
    """The naive and landmark hazard ratios of a grouping defined after surgery."""
    t = result.table.set_index("analysis")
    nv, lm = t.loc["naive"], t.loc["landmark"]
    return (f"Analysed from surgery, {exposure_label.lower()} seems to carry "
            f"{fmt_ratio('a hazard ratio of', nv.hazard_ratio, nv.ci_lower, nv.ci_upper)} ({fmt_p(nv.p_value)}). "
            f"From a landmark at {amount(result.landmark, time_unit)} after surgery, among the {int(lm.n)} patients "
            f"still alive and followed, {fmt_ratio('the hazard ratio is', lm.hazard_ratio, lm.ci_lower, lm.ci_upper)} "
            f"({fmt_p(lm.p_value)}).")


def matched_pairs_text(result) -> str:
    """Naive vs clustered standard error of the matched hazard ratio."""
    t = result.table.set_index("analysis")
    nv, cl = t.loc["pairs ignored"], t.loc["clustered"]
    return (f"Same hazard ratio, {fmt_num(nv.hazard_ratio, 2)}, in {result.n_sets} matched sets. Pairs ignored: "
            f"standard error {fmt_num(nv.std_err, 3)}, 95 % CI {fmt_num(nv.ci_lower, 2)}–{fmt_num(nv.ci_upper, 2)}, "
            f"{fmt_p(nv.p_value)}. Clustered on the matched sets: standard error {fmt_num(cl.std_err, 3)}, 95 % CI "
            f"{fmt_num(cl.ci_lower, 2)}–{fmt_num(cl.ci_upper, 2)}, {fmt_p(cl.p_value)}.")


def cutpoint_text(result, covariate_label: str) -> str:
    """The minimum p-value of the cut-point search, the pre-specified cut's p and the corrected p."""
    pre = "the median" if result.prespecified_method == "median" else "the pre-specified value"
    return (f"Cut at {pre} ({fmt_num(result.prespecified, 1)}), {covariate_label} gives log-rank "
            f"{fmt_p(result.p_prespecified)}. Searching {len(result.scan)} cut points finds "
            f"{fmt_num(result.optimal_cutpoint, 1)} with {fmt_p(result.p_min)}; corrected for the search this is "
            f"{fmt_p(result.p_corrected)} (Altman 1994) and {fmt_p(result.p_permutation)} by "
            f"{result.n_permutations} permutations (seed {result.seed}).")
