"""The 'Re-analyse the papers' page (AppTest): every step of every paper renders on its sample
without an exception; 'Open this on the … page' sets that page's controls and switches to it; a
dataset without the needed columns is told which."""
from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from nelm_stats.report import walkthroughs as wt

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGE = "pages/walkthroughs.py"
K = ui.Keys
TITLES = {"pages/survival.py": "Survival", "pages/table_one.py": "Table 1", "pages/margins.py": "Margins",
          "pages/fluorescence.py": "Fluorescence", "pages/risk_factors.py": "Risk factors",
          "pages/propensity.py": "Propensity"}


def _open(dataset: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.session_state[K.DATASET] = dataset
    at.run()
    at.switch_page(PAGE)
    at.run()
    assert not at.exception
    return at


@pytest.mark.parametrize("paper", [w.key for w in wt.WALKTHROUGHS])
def test_every_step_renders_on_its_sample(paper):
    w = wt.walkthrough(paper)
    at = _open(f"sample:{w.sample}")
    assert at.selectbox(key="walkthrough_paper").value == paper  # opens on the paper of the demo cohort
    labels = [e.label for e in at.expander]
    assert [f"Step {i}. {s.title}" for i, s in enumerate(w.steps, 1)] == labels
    assert not at.error and not at.info, [e.value for e in (*at.error, *at.info)]
    # the comparison table and the button of every step
    assert [d.value.shape[0] for d in at.dataframe] == [len(s.published) for s in w.steps]
    for s in w.steps:
        assert at.button(key=f"walkthrough_open_{paper}_{s.key}")
    assert len(at.get("plotly_chart")) == sum(
        wt.run_step(s, ns.load_sample(w.sample), ns.load_sample_lesions(w.sample)).figure is not None for s in w.steps)


STEPS = [(w.key, s.key) for w in wt.WALKTHROUGHS for s in w.steps]


@pytest.mark.parametrize("paper,key", STEPS)
def test_open_on_the_page_sets_its_controls(paper, key):
    w = wt.walkthrough(paper)
    step = next(s for s in w.steps if s.key == key)
    at = _open("sample:icg_lpsh" if paper != "icg_lpsh" else "sample:mimic")  # another dataset in use
    at.selectbox(key="walkthrough_paper").set_value(paper).run()
    at.button(key=f"walkthrough_open_{paper}_{key}").click().run()
    assert not at.exception, at.exception
    ss = at.session_state
    assert ss[K.DATASET] == f"sample:{w.sample}"  # the paper's cohort, not the one in use before
    assert any(t.value.startswith(TITLES[step.page]) for t in at.title), [t.value for t in at.title]
    for name, value in step.controls.items():
        assert ss[getattr(K, name)] == value, name
    a = step.settings
    if a is not None:
        if step.page == "pages/survival.py":
            assert ss[K.SURVIVAL_GROUP] == (a.group or "")
            assert ss[K.SURVIVAL_UNIT] == a.time_unit
            assert ss[K.SURVIVAL_ENDPOINT] == step.controls.get("SURVIVAL_ENDPOINT", a.endpoint)
            assert tuple(ss[K.SURVIVAL_RATE_YEARS]) == tuple(a.rate_years)
        if a.cox_covariates:
            assert tuple(ss[K.RISK_COVARIATES]) == a.cox_covariates and ss[K.ENDPOINT] == a.endpoint
        if a.treatment:
            assert ss[K.PROPENSITY_TREATMENT] == a.treatment and ss[K.PROPENSITY_RATIO] == a.matching.ratio
            assert tuple(ss[K.PROPENSITY_COVARIATES]) == a.ps_covariates
    if step.page == "pages/survival.py" and a.rate_years != (1, 3, 5):  # the page reads the paper's years
        shown = " ".join(str(x) for d in at.dataframe for x in [*d.value.columns, *d.value.astype(str).to_numpy().ravel()])
        assert f"{a.rate_years[-1]}-year" in shown, shown[:500]


def test_a_dataset_without_the_columns_is_told_which():
    at = _open("sample:icg_lpsh")
    at.selectbox(key="walkthrough_paper").set_value("aggressive_resection").run()
    at.radio(key="walkthrough_cohort").set_value("current").run()
    assert not at.exception
    warning = " ".join(w.value for w in at.warning)
    assert "`resected`" in warning and "`curative`" not in warning  # curative is optional
    infos = [i.value for i in at.info]
    assert infos and all("`resected`" in i for i in infos)
