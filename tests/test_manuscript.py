"""The sentences of report.manuscript say what the result objects hold (numbers through report.format)."""
from __future__ import annotations

import nelm_stats as ns
from nelm_stats.report import manuscript
from nelm_stats.report.format import fmt_num, fmt_p


def test_cox_sentence_names_the_multivariable_associations():
    """jp_multicenter, overall survival: grade G3 is prognostic in the multivariable model (the survey's
    finding); the sentence gives that model's hazard ratio, CI and p, and leaves out what is not < 0.05."""
    d = ns.load_sample("jp_multicenter")
    covs = ["grade", "age", "primary_site"]
    screen = ns.univariable_screen(d, "os_months", "os_event", covs)
    model = ns.cox_regression(d, "os_months", "os_event", covs)
    rft = ns.risk_factor_table(screen, model)
    text = manuscript.cox_results(rft, "Overall survival")
    g3 = model.table[(model.table["term"] == "grade") & (model.table["level"] == "G3")].iloc[0]
    assert text.startswith("In the multivariable model, Tumour grade G3 was associated with overall survival")
    assert f"HR {fmt_num(g3.hazard_ratio, 2)} (95 % CI {fmt_num(g3.ci_lower, 2)}–{fmt_num(g3.ci_upper, 2)})" in text
    assert fmt_p(g3.p_value) in text
    assert "Age" not in text  # not associated at p < 0.05
    # a Cox model's own table words the same way
    assert manuscript.cox_results(model, "Overall survival") == text


def test_cox_sentence_when_nothing_is_associated():
    d = ns.load_sample("jp_multicenter")
    screen = ns.univariable_screen(d, "os_months", "os_event", ["age"])
    model = ns.cox_regression(d, "os_months", "os_event", ["age"])
    assert manuscript.cox_results(ns.risk_factor_table(screen, model), "Overall survival") == \
        "No covariate of the multivariable model was associated with overall survival at p < 0.05."
