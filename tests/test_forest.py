"""Figure builders of the Cox page: forest plot and scaled Schoenfeld residual plot."""
from __future__ import annotations

import numpy as np
import pandas as pd

import nelm_stats as ns
from nelm_stats.estimators.cox import (
    cox_regression,
    proportional_hazards_test,
    risk_factor_table,
    schoenfeld_residuals,
    schoenfeld_trend,
    univariable_screen,
)
from nelm_stats.figures.forest import forest_figure
from nelm_stats.figures.schoenfeld import schoenfeld_figure


def _data(n=150, seed=3):
    rng = np.random.default_rng(seed)
    grade = rng.choice(["G1", "G2", "G3"], n)
    lp = np.select([grade == "G2", grade == "G3"], [0.5, 1.2], 0.0)
    t = rng.exponential(30 * np.exp(-lp))
    c = rng.uniform(5, 80, n)
    return pd.DataFrame({
        "time": np.minimum(t, c), "event": t <= c, "age": rng.normal(60, 10, n),
        "grade": pd.Categorical(grade, categories=["G1", "G2", "G3"], ordered=True),
    })


def test_forest_from_model_and_from_combined_table():
    d = _data()
    model = cox_regression(d, "time", "event", ["grade", "age"])
    fig = forest_figure(model)
    assert fig.layout.xaxis.type == "log"
    assert any(s.x0 == 1.0 and s.x1 == 1.0 for s in fig.layout.shapes)  # line at HR = 1
    np.testing.assert_allclose(fig.data[0].x, model.table["hazard_ratio"])
    labels = list(fig.layout.yaxis.ticktext)
    assert labels[1].strip() == "G1 (reference)" and "Age" in labels[-1]
    combined = risk_factor_table(univariable_screen(d, "time", "event", ["grade", "age"]), model)
    fig2 = forest_figure(combined)
    assert [t.name for t in fig2.data[:2]] == ["Univariable", "Multivariable"]
    np.testing.assert_allclose(fig2.data[1].x, model.table["hazard_ratio"])


def test_schoenfeld_figure():
    d = _data()
    model = cox_regression(d, "time", "event", ["grade", "age"])
    res = schoenfeld_residuals(model)
    assert len(res) == 2 * model.events
    fig = schoenfeld_figure(model, res, schoenfeld_trend(res), "age", proportional_hazards_test(model))
    assert len(fig.data) == 2 and "p" in fig.layout.title.text
    assert fig.layout.shapes[0].y0 == model.coef[2]


def test_many_residuals_are_drawn_with_webgl(monkeypatch):
    from nelm_stats.figures import schoenfeld as S

    d = ns.load_sample("jp_multicenter")
    model = ns.cox_regression(d, "os_months", "os_event", ["age"])
    res = ns.schoenfeld_residuals(model)
    fig = S.schoenfeld_figure(model, res, schoenfeld_trend(res), "age")
    assert fig.data[0].type == ("scattergl" if (res["term"] == "age").sum() > S.WEBGL_POINTS else "scatter")
    monkeypatch.setattr(S, "WEBGL_POINTS", 0)
    assert S.schoenfeld_figure(model, res, schoenfeld_trend(res), "age").data[0].type == "scattergl"
