"""The five papers as walkthroughs (nelm_stats.report.walkthroughs): every step runs on its synthetic
cohort and gives finite numbers; where the generator aimed the cohort at a published figure
(data/samples/generate.py, README "Realised headline figures") the computed number lands within the
stated distance; a cohort without the needed columns is told which ones are missing."""
from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

import nelm_stats as ns
import ui
from nelm_stats.report import walkthroughs as wt

ROOT = Path(__file__).resolve().parents[1]
STEPS = [(w.key, s.key) for w in wt.WALKTHROUGHS for s in w.steps]


def _step(paper, key):
    w = wt.walkthrough(paper)
    return w, next(s for s in w.steps if s.key == key)


def test_every_sample_has_its_paper():
    assert sorted(w.sample for w in wt.WALKTHROUGHS) == sorted(ns.sample_names())
    for w in wt.WALKTHROUGHS:
        assert wt.walkthrough_for_sample(w.sample) is w
        assert len(w.steps) >= 3 and len({s.key for s in w.steps}) == len(w.steps)


@pytest.mark.parametrize("paper,key", STEPS)
def test_step_runs_on_its_sample(paper, key):
    w, step = _step(paper, key)
    data, lesions = ns.load_sample(w.sample), ns.load_sample_lesions(w.sample)
    assert wt.step_missing_columns(step, data, lesions) == []
    r = wt.run_step(step, data, lesions)
    assert r.numbers, "a step computes numbers"
    bad = {k: v for k, v in r.numbers.items() if not math.isfinite(v)}
    assert not bad, bad
    for p in step.published:
        assert p.key in r.numbers and p.key in r.texts, p.key
        text = r.texts[p.key]
        assert text and not re.search(r"\bnan\b|\bNone\b|\b0\.000\b", text), text
    assert step.quote and step.why_differ and step.look_at
    table = wt.comparison_table(step, r)
    assert list(table.columns) == ["What", "Published", "This cohort"] and len(table) == len(step.published)


@pytest.mark.parametrize("paper,key", STEPS)
def test_published_numbers_where_the_cohort_was_aimed_at_them(paper, key):
    w, step = _step(paper, key)
    r = wt.run_step(step, ns.load_sample(w.sample), ns.load_sample_lesions(w.sample))
    for p in step.published:
        got = r.numbers[p.key]
        if p.bound == "below":
            assert got < p.value, (p.label, got, p.text)
        elif p.tolerance is not None:
            assert abs(got - p.value) <= p.tolerance, (p.label, got, p.value, p.tolerance)


def test_the_headline_figures_of_the_issue():
    """The numbers issue 17 names, computed (not copied): 4-year survival 92.6 vs 18.5 %, 10-year OS
    43.4 %, management changed 27.9 %, the learning-curve OR, cystic vs solid before/after matching."""
    def run(paper, key):
        w, s = _step(paper, key)
        return wt.run_step(s, ns.load_sample(w.sample), ns.load_sample_lesions(w.sample)).numbers

    a = run("aggressive_resection", "survival")
    assert a["s4_resected"] > 0.85 and a["s4_not_resected"] < 0.3 and a["p_value"] < 0.001
    assert abs(run("jp_multicenter", "os")["os10"] - 0.434) < 0.03
    assert abs(run("mimic", "management")["management_changed"] - 0.279) < 0.005
    lc = run("mimic", "learning")
    assert lc["or_lower"] < 1 < lc["or_upper"]  # "comparable", as published (1.36, 0.44-4.24)
    for key in ("cox_rfs", "cox_os"):
        c = run("jp_multicenter", key)
        assert c["uni_hr"] > 2 and c["uni_p"] < 0.05 and c["multi_hr"] > 2 and c["multi_p"] < 0.05
    before, after = run("mayo_cystic", "os"), run("mayo_cystic", "matched")
    assert before["median_cystic"] > before["median_solid"] and after["os_cystic"] > after["os_solid"]
    assert after["n_treated"] == 12 and after["n_control"] == 36
    # years, not months
    assert 5 < before["median_solid"] < 20 and 0.3 < after["hpfs_cystic"] < 2


def test_an_upload_with_the_columns_gives_the_same_numbers():
    """An uploaded cohort (rows in another order, only the needed columns, other index) runs every step."""
    for w in wt.WALKTHROUGHS:
        data, lesions = ns.load_sample(w.sample), ns.load_sample_lesions(w.sample)
        rng = np.random.default_rng(1)
        shuffled = data.iloc[rng.permutation(len(data))].reset_index(drop=True)
        shuffled.index = shuffled.index + 1000
        for step in w.steps:
            if step.key == "matched":  # matching depends on row order by design (MatchIt's tie rule)
                continue
            a = wt.run_step(step, data, lesions).numbers
            b = wt.run_step(step, shuffled, lesions).numbers
            for k in a:
                assert b[k] == pytest.approx(a[k], rel=1e-9, abs=1e-12), (w.key, step.key, k)


def test_missing_columns_are_named():
    agg = ns.load_sample("aggressive_resection").drop(columns=["resected"])
    w = wt.walkthrough("aggressive_resection")
    assert "resected" in wt.missing_columns(w, agg)
    with pytest.raises(ns.MissingColumnError, match="resected"):
        wt.run_step(w.steps[1], agg)
    # an empty column counts as missing; the lesion table is named as such
    mimic = ns.load_sample("mimic").assign(management_changed=None)
    missing = wt.missing_columns(wt.walkthrough("mimic"), mimic, None)
    assert "management_changed" in missing
    assert wt.LESION_PREFIX + "fluorescence_at_margin" in missing
    assert wt.LESION_PREFIX + "margin_status_before_reresection" in missing
    # a cohort of another paper lacks the paper-specific columns
    assert wt.missing_columns(wt.walkthrough("mayo_cystic"), ns.load_sample("icg_lpsh")) == [
        "hepatic_pfs_months", "hepatic_pfs_event"]
    assert "concomitant_primary_resection" in wt.missing_columns(wt.walkthrough("jp_multicenter"),
                                                                 ns.load_sample("icg_lpsh"))
    assert wt.missing_columns(wt.walkthrough("jp_multicenter"), ns.load_sample("jp_multicenter")) == []


def test_every_step_names_a_registered_page_and_real_controls():
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for w in wt.WALKTHROUGHS:
        for s in w.steps:
            assert f'st.Page("{s.page}"' in app, s.page
            for name in s.controls:
                assert hasattr(ui.Keys, name), name
            if s.settings is not None:
                data = ns.load_sample(w.sample)
                a, notes = ns.reconcile(s.settings, data)
                assert not notes, (w.key, s.key, notes)
