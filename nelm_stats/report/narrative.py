"""Plain-language readings of results, for tumor boards and residents.

Pure text generation from result objects: no statistics are computed here, only read off
the results the estimators returned.  Every sentence states what was estimated, with its
uncertainty, and what a non-significant test does not prove.
"""
from __future__ import annotations

import math

import pandas as pd

from ..schema import COHORT_COLUMNS, YES_NO_GROUPS
from .format import amount, display_label, fmt_p, fmt_p_bare, group_in_sentence, is_missing
from .format import fmt_num as _fmt_num
from .format import fmt_pct as _fmt_pct

__all__ = ["amount", "display_label", "fmt_p", "fmt_num", "fmt_ci", "fmt_pct", "describe_survival",
           "describe_competing", "survival_warnings", "medians_view", "rates_view", "rates_footnote", "BEYOND_FOLLOW_UP", "pairwise_view", "rmst_view",
           "rmst_difference_view", "follow_up_view", "test_line", "survival_table_view", "describe_flow",
           "matching_assumptions"]

MIN_EVENTS = 5  # below this, a group's curve and median are too uncertain to read


def fmt_num(x: float, digits: int = 1) -> str:
    """A number in a sentence; a missing one (an upper CI limit of a median) reads 'not reached'."""
    return _fmt_num(x, digits, "not reached")


def _nan(x) -> bool:
    return is_missing(x)


def fmt_ci(lo: float, hi: float, digits: int = 1, pct: bool = False) -> str:
    """'95 % CI a to b' (an upper limit NaN reads 'not reached'); '' when neither is known."""
    if pct:
        if _nan(lo) and _nan(hi):
            return ""
        return f"95 % CI {fmt_pct(lo)} to {fmt_pct(hi)}"
    return f"95 % CI {fmt_num(lo, digits)} to {fmt_num(hi, digits)}"


def _with_ci(value: str, ci: str) -> str:
    return f"{value} ({ci})" if ci else value


def fmt_pct(x: float) -> str:
    """A proportion as a whole percentage in a sentence ('92 %'; 'n/a' when missing)."""
    return _fmt_pct(x, 0, "n/a")


_COLUMN_OF_LABEL = {c.label: c.name for c in COHORT_COLUMNS}


def group_phrase(group_name: str | None, label: str) -> str:
    """How a sentence names a group: 'patients with ICG fluorescence' for a yes/no column the schema
    knows (schema.YES_NO_GROUPS), else 'Tumour grade G3' / 'ICG fluorescence used: yes', or the label
    itself when it already names the column."""
    if group_name is None or label == "all":
        return "the whole cohort"
    if label.startswith(group_name):
        return label
    text = display_label(label)
    column = _COLUMN_OF_LABEL.get(group_name, group_name.lower().replace(" ", "_"))  # extras: their name
    if text in ("yes", "no") and column in YES_NO_GROUPS:
        return group_in_sentence(text, column)
    return f"{group_name}: {text}" if text in ("yes", "no") else f"{group_name} {text}"


def survival_warnings(medians: pd.DataFrame, time_unit: str, min_events: int = MIN_EVENTS) -> list[str]:
    """Warnings a reader of a Kaplan–Meier table needs: median not reached, too few events.

    ``medians``: the ``.medians`` table of a Kaplan–Meier result
    [group, n, events, median, ci_lower, ci_upper].
    """
    out = []
    for row in medians.itertuples(index=False):
        name = "the whole cohort" if row.group == "all" else f"group '{display_label(row.group)}'"
        if row.events < min_events:
            out.append(
                f"Only {int(row.events)} event{'s' if row.events != 1 else ''} in {name} "
                f"(n = {int(row.n)}): its curve and median are very uncertain; "
                f"do not over-interpret it."
            )
        if math.isnan(row.median):
            out.append(
                f"The median was not reached in {name}: fewer than half of its patients had an "
                f"event during follow-up. Report survival rates at fixed times (or RMST) instead."
            )
    return out


def describe_survival(
    medians: pd.DataFrame,
    *,
    endpoint: str,
    event_label: str,
    time_unit: str,
    group_name: str | None = None,
    test=None,
    trend=None,
    pairwise: pd.DataFrame | None = None,
    rates: pd.DataFrame | None = None,
    follow_up: pd.DataFrame | None = None,
    n_excluded: int = 0,
    landmark: float | None = None,
    follow_up_basis: str = "",
) -> str:
    """One paragraph reading a Kaplan–Meier analysis.

    ``medians`` is ``kaplan_meier(...).medians``; ``test``/``trend`` are log-rank results
    (attributes statistic, df, p_value); ``pairwise`` the pairwise_logrank table;
    ``rates`` a ``.at(times)`` table at one time; ``follow_up`` the median_follow_up table
    of the whole cohort.
    """
    n = int(medians["n"].sum())
    events = int(medians["events"].sum())
    parts = []
    intro = f"Of {n} patients"
    if landmark is not None:
        intro += (
            f" still event-free and followed at the landmark of {amount(landmark, time_unit)} "
            "(times below are counted from the landmark)"
        )
    if n_excluded:
        intro += f" ({n_excluded} left out for missing values)"
    parts.append(f"{intro}, {events} had an event ({event_label}).")

    meds = []
    for row in medians.itertuples(index=False):
        who = group_phrase(group_name, row.group)
        if math.isnan(row.median):
            meds.append(f"not reached for {who}")
        else:
            meds.append(
                f"{fmt_num(row.median)} {time_unit} for {who} ({fmt_ci(row.ci_lower, row.ci_upper)})"
            )
    parts.append(f"Median {endpoint.lower()} was " + "; ".join(meds) + ".")

    if rates is not None and len(rates):
        t = float(rates["time"].iloc[0])
        vals = [
            _with_ci(fmt_pct(r.survival), fmt_ci(r.ci_lower, r.ci_upper, pct=True))
            + ("" if r.group == "all" else f" for {group_phrase(group_name, r.group)}")
            for r in rates.itertuples(index=False)
        ]
        parts.append(f"At {amount(t, time_unit)}, the estimated {endpoint.lower()} was " + ", ".join(vals) + ".")

    if test is not None:
        k = len(medians)
        if test.p_value < 0.05:
            parts.append(
                f"The log-rank test shows a difference between the {k} groups ({fmt_p(test.p_value)}); "
                "this is an unadjusted comparison and may reflect differences in case mix."
            )
        else:
            parts.append(
                f"The log-rank test does not show a statistically significant difference "
                f"({fmt_p(test.p_value)}); this does not prove the groups are alike: with {events} "
                "events, a clinically relevant difference can go undetected."
            )
    if trend is not None:
        word = "a" if trend.p_value < 0.05 else "no clear"
        parts.append(f"Across the ordered groups there is {word} trend ({fmt_p(trend.p_value)}).")
    if pairwise is not None and len(pairwise):
        sig = pairwise[pairwise["p_adjusted"] < 0.05]
        if len(sig):
            pairs = ", ".join(
                f"{display_label(a)} vs {display_label(b)}" for a, b in zip(sig["group_a"], sig["group_b"])
            )
            parts.append(f"After Holm adjustment for multiple comparisons, the pairs that differ are: {pairs}.")
        else:
            parts.append("After Holm adjustment for multiple comparisons, no pair of groups differs significantly.")
    if follow_up is not None and len(follow_up):
        row = follow_up.iloc[0]
        if not math.isnan(row["median"]):
            parts.append(
                f"Median follow-up (reverse Kaplan–Meier{follow_up_basis}) was "
                f"{fmt_num(row['median'])} {time_unit}."
            )
    return " ".join(parts)


def describe_competing(
    at: pd.DataFrame,
    *,
    time_unit: str,
    group_name: str | None = None,
    gray_test=None,
    n: int,
    n_recurrence: int,
    n_death: int,
    n_excluded: int = 0,
) -> str:
    """One paragraph reading a cumulative-incidence analysis of recurrence (death competing).

    ``at`` is ``cumulative_incidence(...).at([t])`` for one time t.
    """
    parts = [
        f"Of {n} patients" + (f" ({n_excluded} left out for missing values)" if n_excluded else "")
        + f", {n_recurrence} had a recurrence and {n_death} died without a recurrence "
        "(a competing event: a patient who died can no longer recur)."
    ]
    if len(at):
        t = float(at["time"].iloc[0])
        vals = [
            _with_ci(fmt_pct(r.estimate), fmt_ci(r.ci_lower, r.ci_upper, pct=True))
            + ("" if r.group == "all" else f" for {group_phrase(group_name, r.group)}")
            for r in at.itertuples(index=False)
        ]
        parts.append(
            f"The cumulative incidence of recurrence at {amount(t, time_unit)} was " + ", ".join(vals)
            + "; unlike 1 − Kaplan–Meier, this does not overstate the risk of recurrence when "
            "patients die first."
        )
    if gray_test is not None:
        if gray_test.p_value < 0.05:
            parts.append(f"Gray's test shows a difference between groups ({fmt_p(gray_test.p_value)}).")
        else:
            parts.append(
                f"Gray's test does not show a statistically significant difference "
                f"({fmt_p(gray_test.p_value)}), which does not prove the groups are alike."
            )
    return " ".join(parts)


# ---------------------------------------------------------------------------------------
# Formatted views of result tables, for display and export (text cells; the tidy result
# tables stay numeric).


def _rng(lo, hi, digits: int = 1, pct: bool = False) -> str:
    if pct:
        if _nan(lo) and _nan(hi):
            return ""
        return f"{fmt_pct(lo)}–{fmt_pct(hi)}".replace(" %–", "–")
    return f"{fmt_num(lo, digits)}–{fmt_num(hi, digits)}"


def _time_label(t: float, time_unit: str) -> str:
    """'1-year', '3-year' for whole years (in months or years), else '18 months'."""
    years = t / 12 if time_unit == "months" else t
    if float(years).is_integer() and years > 0:
        return f"{years:g}-year"
    return amount(t, time_unit)


def medians_view(medians: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """[Group, Patients, Events, Median (95 % CI)] from a ``.medians`` table."""
    rows = []
    for r in medians.itertuples(index=False):
        if _nan(r.median):  # not reached, but its lower confidence bound is a result (R prints it)
            med = "not reached" + ("" if _nan(r.ci_lower) else f" ({_rng(r.ci_lower, r.ci_upper)})")
        else:
            med = f"{r.median:.1f} ({_rng(r.ci_lower, r.ci_upper)})"
        rows.append((display_label(r.group), int(r.n), int(r.events), med))
    return pd.DataFrame(rows, columns=["Group", "Patients", "Events", f"Median, {time_unit} (95 % CI)"])


BEYOND_FOLLOW_UP = "– beyond the longest follow-up of the group (no patient at risk): not a result."


def rates_view(at: pd.DataFrame, time_unit: str, estimate: str = "survival") -> pd.DataFrame:
    """One row per group, one column per time ('1-year', ...): 'percent (lower–upper)'
    from a ``.at`` table (survival, or ``estimate`` for cumulative incidence). A rate at a time
    when no patient of the group is still followed (n at risk 0: R carries the last value forward)
    is not a result and reads '–' (footnote: :data:`BEYOND_FOLLOW_UP`, see :func:`rates_footnote`)."""
    out: dict[str, dict[str, str]] = {}
    times = list(dict.fromkeys(at["time"]))

    def pc(x) -> str:
        return "–" if _nan(x) else f"{100 * x:.0f}"

    for r in at.itertuples(index=False):
        val = getattr(r, estimate)
        beyond = getattr(r, "n_risk", 1) == 0
        cell = "–" if beyond else pc(val)
        if not beyond and not (_nan(r.ci_lower) and _nan(r.ci_upper)):
            cell += f" ({pc(r.ci_lower)}–{pc(r.ci_upper)})"
        out.setdefault(display_label(r.group), {})[_time_label(r.time, time_unit)] = cell
    view = pd.DataFrame.from_dict(out, orient="index")
    view = view[[_time_label(t, time_unit) for t in times]]
    view.index.name = "Group"
    return view.reset_index()


def rates_footnote(at: pd.DataFrame) -> str:
    """The footnote a rates table needs ('' when every rate is a result)."""
    return BEYOND_FOLLOW_UP if "n_risk" in at.columns and bool((at["n_risk"] == 0).any()) else ""


def pairwise_view(pairwise: pd.DataFrame) -> pd.DataFrame:
    """[Comparison, Chi-square, p, p (Holm)] from a ``pairwise_logrank`` table."""
    return pd.DataFrame(
        {
            "Comparison": [f"{display_label(a)} vs {display_label(b)}" for a, b in zip(pairwise["group_a"], pairwise["group_b"])],
            "Chi-square": [f"{x:.2f}" for x in pairwise["statistic"]],
            "p": [fmt_p_bare(p) for p in pairwise["p_value"]],
            "p (Holm)": [fmt_p_bare(p) for p in pairwise["p_adjusted"]],
        }
    )


def rmst_view(rmst: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """[Group, RMST (95 % CI)] from a ``restricted_mean`` table."""
    return pd.DataFrame(
        {
            "Group": [display_label(g) for g in rmst["group"]],
            f"RMST, {time_unit} (95 % CI)": [
                f"{m:.1f} ({_rng(lo, hi)})" for m, lo, hi in zip(rmst["rmst"], rmst["ci_lower"], rmst["ci_upper"])
            ],
        }
    )


def rmst_difference_view(table: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """[Comparison, Difference (95 % CI), p] from ``rmst_difference(...).table``."""
    return pd.DataFrame(
        {
            "Comparison": [f"{display_label(b)} − {display_label(a)}" for a, b in zip(table["group_a"], table["group_b"])],
            f"Difference, {time_unit} (95 % CI)": [
                f"{d:+.1f} ({_rng(lo, hi)})" for d, lo, hi in zip(table["difference"], table["ci_lower"], table["ci_upper"])
            ],
            "p": [fmt_p_bare(p) for p in table["p_value"]],
        }
    )


def follow_up_view(follow_up: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """[Group, Median follow-up (95 % CI)] from a ``median_follow_up`` table."""
    return pd.DataFrame(
        {
            "Group": [display_label(g) if g != "all" else "All patients" for g in follow_up["group"]],
            f"Median follow-up, {time_unit} (95 % CI)": [
                "not reached" if _nan(m) else f"{m:.1f} ({_rng(lo, hi)})"
                for m, lo, hi in zip(follow_up["median"], follow_up["ci_lower"], follow_up["ci_upper"])
            ],
        }
    )


def test_line(result, name: str = "Log-rank") -> str:
    """'Log-rank χ² = 4.12, df 1, p = 0.04'."""
    return f"{name}: χ² = {result.statistic:.2f}, df {int(result.df)}, {fmt_p(result.p_value)}"


def survival_table_view(medians: pd.DataFrame, at: pd.DataFrame, time_unit: str) -> pd.DataFrame:
    """A manuscript table: per group, patients, events, median (95 % CI) and the rates at
    the times of ``at`` (% with 95 % CI) — medians_view and rates_view side by side."""
    rates = rates_view(at, time_unit)
    rates = rates.rename(columns={c: f"{c}, % (95 % CI)" for c in rates.columns if c != "Group"})
    return medians_view(medians, time_unit).merge(rates, on="Group", how="left")


def describe_flow(flow: pd.DataFrame) -> str:
    """One sentence from a patient-flow table [step, reason, n_excluded, n_remaining]
    (nelm_stats.quality.patient_flow): uploaded -> left out (why) -> analysed."""
    uploaded = int(flow.loc[flow["step"] == "uploaded", "n_remaining"].iloc[0])
    analysed = int(flow.loc[flow["step"] == "analysed", "n_remaining"].iloc[0])
    out = flow[flow["step"] == "excluded"]
    text = f"{uploaded} row{'s' if uploaded != 1 else ''} uploaded"
    if len(out):
        why = ", ".join(f"{int(k)} {r}" for r, k in zip(out["reason"], out["n_excluded"]))
        text += f"; {int(out['n_excluded'].sum())} left out ({why})"
    return text + f"; {analysed} patient{'s' if analysed != 1 else ''} analysed."


def matching_assumptions(m, covariate_labels: list[str] | None = None) -> list[str]:
    """What a propensity-score match assumed and how it decided, in words (cobalt-style), one
    sentence per item; ``m`` is a ``MatchResult``."""
    covs = ", ".join(covariate_labels or list(m.covariates))
    t, c = display_label(m.treated_label), display_label(m.control_label)
    scale = "the logit of the propensity score" if m.caliper_scale == "logit" else "the propensity score itself"
    out = [
        f"Propensity score: logistic regression of group {t} vs {c} on {covs} (as R's glm); "
        "patients with a missing value in one of these are left out.",
        f"Nearest-neighbour matching on {scale}, {m.ratio} control{'s' if m.ratio > 1 else ''} per treated "
        f"patient, {'with' if m.replace else 'without'} replacement; treated patients are matched from the "
        "highest score down (MatchIt's order).",
        (f"Caliper: {m.caliper:g} SD of {scale} (SD over all analysed patients); a treated patient with no "
         "control that close stays unmatched." if m.caliper is not None else
         "No caliper: every treated patient gets the nearest control left, however far."),
        "Same matches on every computer: patients with the same covariates get exactly the same score, and "
        "distances that differ by less than 1 in 100 million of the model's terms count as equal. Among equal "
        "scores the order of the file decides; of two controls equally near, the one with the lower score is taken.",
        "Balance: standardized mean differences use the SD of the treated patients before matching (the "
        "estimand is the effect in the treated, ATT); yes/no characteristics use p(1 − p).",
        "Survival after matching: Cox model with a robust standard error clustered on the matched set"
        + (" and on the patient, since a control can serve several treated patients." if m.replace else "."),
    ]
    if m.exact:
        out.insert(3, "Exact matching on " + ", ".join(m.exact) + ": matched patients agree on these.")
    return out
