"""The words of study planning: the protocol sentences, what the cohort showed, and why an observed
value cannot be the planning value. Numbers are written through report.format; counts a protocol
states (events, patients) are rounded up here, once."""
from __future__ import annotations

import math

from .format import column_label, display_label, fmt_num, fmt_p, fmt_pct, fmt_ratio, is_missing

__all__ = [
    "rounded_up", "arms", "alpha_text", "method_name", "survival_protocol", "survival_design_note",
    "observed_survival", "hazard_ratio_note", "rates_protocol", "observed_rates", "rates_note",
    "noninferiority_protocol", "power_text", "group_text",
]

METHODS = {"schoenfeld": "Schoenfeld", "freedman": "Freedman", "arcsine": "arcsine approximation, Cohen's h",
           "normal": "normal approximation"}


def rounded_up(x: float) -> int:
    """A number of events or patients as a protocol states it: the next whole number (120.3 -> 121;
    a value within 1e-6 of a whole number is that number)."""
    return int(math.ceil(round(float(x), 6)))


def arms(treated: float, control: float) -> tuple[int, int, int]:
    """(treated, control, total), each arm rounded up, the total their sum."""
    t, c = rounded_up(treated), rounded_up(control)
    return t, c, t + c


def alpha_text(alpha: float, sided: int) -> str:
    """'two-sided α = 0.05'."""
    return f"{'two' if sided == 2 else 'one'}-sided α = {alpha:g}"


def power_text(power: float) -> str:
    """'80 %' (one decimal when needed: '82.5 %')."""
    return fmt_pct(power, 0 if round(100 * power, 6) == round(100 * power) else 1)


def method_name(method: str) -> str:
    return METHODS.get(method, display_label(method))


def group_text(group: str | None, level: str | None) -> str:
    """'ICG fluorescence: yes' — a group as people read it."""
    if group is None or level is None:
        return "the whole cohort"
    return f"{column_label(group)}: {display_label(level)}"


def _time(x: float, unit: str) -> str:
    return f"{fmt_num(x, 0 if float(x).is_integer() else 1)} {unit}"


def survival_protocol(plan, endpoint: str = "survival", time_unit: str = "months") -> str:
    """The protocol sentence of a survival sample size (an rpact getSampleSizeSurvival result)."""
    events = rounded_up(plan.events)
    t, c, n = arms(plan.patients_treated, plan.patients_control)
    per_arm = f"{t} per arm" if t == c else f"{t} treated and {c} control patients"
    dropout = ""
    if plan.dropout_rate > 0:
        dropout = (f", allowing for {fmt_pct(plan.dropout_rate, 0 if (100 * plan.dropout_rate).is_integer() else 1)}"
                   f" drop-out by {_time(plan.dropout_time, time_unit)}")
    allocation = "" if plan.allocation_ratio == 1 else f" and {fmt_num(plan.allocation_ratio, 2).rstrip('0').rstrip('.')}:1 allocation"
    return (
        f"To detect a hazard ratio of {fmt_num(plan.hazard_ratio, 2)} for {endpoint.lower()} "
        f"(median {_time(plan.median_control, time_unit)} in the control arm, "
        f"{_time(plan.median_treated, time_unit)} expected with the new treatment) with "
        f"{power_text(plan.power)} power at {alpha_text(plan.alpha, plan.sided)} (log-rank test, "
        f"{method_name(plan.method)}{allocation}), {events} events are required; with "
        f"{_time(plan.accrual_time, time_unit)} of accrual and {_time(plan.follow_up_time, time_unit)} of "
        f"further follow-up, {n} patients ({per_arm}) are to be enrolled{dropout}."
    )


def survival_design_note(plan, time_unit: str = "months") -> str:
    """What the numbers assume, in one sentence."""
    return (f"Assumes exponential survival in both arms and uniform accrual of about "
            f"{fmt_num(plan.accrual_rate, 1)} patients per {time_unit[:-1] if time_unit.endswith('s') else time_unit}; "
            f"{fmt_pct(plan.event_probability, 0)} of patients are expected to have an event by the analysis "
            f"at {_time(plan.duration, time_unit)}.")


def observed_survival(inputs, endpoint: str = "survival", time_unit: str = "months") -> str:
    """What this cohort showed: hazard ratio and the control group's median."""
    parts = []
    if inputs.group is not None and not is_missing(inputs.hazard_ratio):
        parts.append(f"{fmt_ratio('hazard ratio', inputs.hazard_ratio, inputs.hr_ci_lower, inputs.hr_ci_upper)}, "
                     f"{fmt_p(inputs.hr_p_value)} ({group_text(inputs.group, inputs.treated)} vs "
                     f"{display_label(inputs.control)}; Cox model, {inputs.n_control + inputs.n_treated} patients, "
                     f"{inputs.events_control + inputs.events_treated} events)")
    who = "the whole cohort" if inputs.group is None else f"the control group ({group_text(inputs.group, inputs.control)})"
    if inputs.median_source == "kaplan_meier":
        parts.append(f"median {endpoint.lower()} in {who} {_time(inputs.median_control, time_unit)} (Kaplan–Meier)")
    elif inputs.median_source == "exponential":
        parts.append(f"median {endpoint.lower()} in {who} not reached; {_time(inputs.median_control, time_unit)} "
                     "estimated from its events and follow-up (exponential model)")
    else:
        parts.append(f"no event in {who}, so no median: {_time(inputs.planning_median_control, time_unit)} "
                     "is entered as a placeholder")
    return "Observed in this cohort: " + "; ".join(parts) + "."


def hazard_ratio_note(inputs) -> str:
    """Why the observed hazard ratio is not the starting value (empty when it is)."""
    hr = fmt_num(inputs.planning_hazard_ratio, 2)
    status = inputs.hazard_ratio_status
    if status == "observed":
        return ""
    if status == "near_one":
        return (f"The observed hazard ratio ({fmt_num(inputs.hazard_ratio, 2)}) is close to 1: a study would "
                f"need thousands of events to detect it. Enter the smallest clinically relevant hazard ratio "
                f"instead ({hr} is entered to start from).")
    if status == "extreme":
        return (f"The observed hazard ratio ({fmt_num(inputs.hazard_ratio, 2)}) is too extreme or too uncertain "
                f"to plan with. Enter a clinically relevant hazard ratio ({hr} is entered to start from).")
    if status == "not_estimable":
        return ("The hazard ratio could not be estimated in this cohort (too few patients or events in one "
                f"group). Enter a clinically relevant hazard ratio ({hr} is entered to start from).")
    if status == "no_endpoint":
        return "This cohort has no follow-up times, so survival cannot be planned from it."
    return ("No two groups are compared, so there is no observed hazard ratio. Enter a clinically relevant "
            f"hazard ratio ({hr} is entered to start from).")


def observed_rates(inputs) -> str:
    """The positive-margin rates of this cohort, or '' when it has none."""
    if inputs.rate_status == "none":
        return ""
    parts = []
    for level, rate, n in ((inputs.control, inputs.rate_control, inputs.n_rate_control),
                           (inputs.treated, inputs.rate_treated, inputs.n_rate_treated)):
        if n:
            who = "whole cohort" if level is None else group_text(inputs.group, level)
            parts.append(f"{fmt_pct(rate, 1)} in {who} ({n} patients)")
    return "Positive margins (R1/R2) observed in this cohort: " + "; ".join(parts) + "."


def rates_note(inputs) -> str:
    """Why the observed rates are not both the starting values (empty when they are)."""
    if inputs.rate_status == "observed":
        return ""
    start = (f"{fmt_pct(inputs.planning_rate_control, 0)} and {fmt_pct(inputs.planning_rate_treated, 0)} "
             "are entered to start from")
    if inputs.rate_status == "equal":
        return f"The two groups have about the same positive-margin rate; enter the rates you expect ({start})."
    if inputs.rate_status == "one_group":
        return f"Only one group has a positive-margin rate here; enter the rate you expect with the new technique ({start})."
    return f"This cohort has no margin status; enter the rates you expect ({start})."


def rates_protocol(plan, outcome: str = "a positive margin (R1/R2)") -> str:
    """The protocol sentence of a two-rate sample size (pwr.2p.test / power.prop.test)."""
    n = rounded_up(plan.n_per_group)
    return (f"To detect a difference in the rate of {outcome} from {fmt_pct(plan.p1, 1)} to {fmt_pct(plan.p2, 1)} "
            f"with {power_text(plan.power)} power at {alpha_text(plan.alpha, 2)} "
            f"({method_name(plan.method)}), {n} patients per group ({2 * n} in all) are required.")


def noninferiority_protocol(plan, outcome: str = "a positive margin (R1/R2)") -> str:
    """The protocol sentence of a non-inferiority sample size (rpact getSampleSizeRates, one-sided)."""
    new, std, total = arms(plan.n_new, plan.n_standard)
    per = f"{new} per group" if new == std else f"{new} with the new technique and {std} with the standard"
    return (f"To show that the rate of {outcome} with the new technique is not more than "
            f"{fmt_num(100 * plan.margin, 1).removesuffix('.0')} percentage points above the standard's "
            f"(standard {fmt_pct(plan.p_standard, 1)}, new technique expected {fmt_pct(plan.p_new, 1)}) with "
            f"{power_text(plan.power)} power at {alpha_text(plan.alpha, 1)} (Farrington–Manning test), "
            f"{total} patients ({per}) are required.")
