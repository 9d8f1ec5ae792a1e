"""What the clinician reads, on every page of every sample cohort: no "0.000", "nan", "None",
"inf", and no raw snake_case column names (AppTest; the numbers come from report/format.py).

Allowed: a technical name shown as such in backticks (`fluorescence_at_margin`, telling which
column to map) and file names (icg_lpsh.csv). p-value columns are text (report.format.fmt_p_bare),
never numbers that a "%.3f" format would print as 0.000.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

import nelm_stats as ns
import ui
from nelm_stats.report import format as F

APP = str(Path(__file__).resolve().parents[1] / "app.py")
# every page app.py registers (a new page is scanned without editing this file)
# (but the Import page, whose "what the tool understands" table lists the template's column names
# on purpose: tests/test_import_page.py checks its texts)
PAGES = [p for p in re.findall(r'st\.Page\("(pages/[^"]+)"', Path(APP).read_text(encoding="utf-8"))
         if p != "pages/data_import.py"]
BAD = re.compile(r"Choose an option|Choose options|\bki67\b|\bicg\b|\biptw\b|\b0\.000\b|\bnan\b|\bNaN\b|\bNone\b|\binf\b|\b[a-z][a-z0-9]*_[a-z0-9_]+\b|\b_[a-z0-9_]+_\b")
ALLOWED = re.compile(r"`[^`]*`|\b[\w-]+\.(csv|xlsx|json|parquet|sav|dta|py)\b|\bnelm_stats\b")  # files, the software


def _texts(at: AppTest):
    for kind in ("markdown", "caption", "text", "title", "header", "subheader", "info", "warning", "success",
                 "error"):
        for e in getattr(at, kind):
            yield kind, str(e.value)
    for m in at.metric:
        yield "metric", f"{m.label}: {m.value}"
    for e in at.expander:
        yield "expander", e.label
    for c in at.code:  # text to copy into a manuscript (the settings file is JSON: its keys are names)
        if not c.value.lstrip().startswith("{"):
            yield "code", str(c.value)
    for w in (*at.selectbox, *at.multiselect, *at.radio, *at.checkbox, *at.number_input):
        yield "widget", str(w.label)
    # Streamlit's own placeholders ("Choose options", "Choose an option") where none is given
    for w in at.multiselect:
        yield "placeholder", w.proto.placeholder or "Choose options"
    for w in at.selectbox:
        if w.value is None:  # Streamlit shows its placeholder for None, even when None is an option
            yield "placeholder", w.proto.placeholder or "Choose an option"
    for d in at.dataframe:
        cfg = json.loads(d.proto.columns) if d.proto.columns else {}
        df = d.value
        for c in df.columns:
            c_cfg = cfg.get(str(c))
            c_cfg = c_cfg if isinstance(c_cfg, dict) else {}
            if c_cfg.get("hidden"):
                continue
            label = c_cfg.get("label", str(c))
            yield "column", label
            if ("p_value" in str(c) or label.strip() in ("p", "p-value")) and df[c].dtype.kind == "f":
                yield "p-column", f"p-values shown as numbers in column '{label}' (may print 0.000)"
            if pd.api.types.is_numeric_dtype(df[c]) and df[c].isna().any():
                yield "cell", f"None (a missing number in column '{label}' shows as None)"
            if df[c].dtype == object or pd.api.types.is_string_dtype(df[c]):
                for v in df[c].dropna().astype(str).unique()[:300]:
                    yield "cell", v


# tabs and sections drawn only when open (ui.lazy_tabs, ui.lazy_expander): opened in turn
LAZY_TABS = {
    "pages/margins.py": [("margins_view", ["Margin distance", "Before / after", "Per lesion",
                                           "Complications & recurrence"])],
    "pages/propensity.py": [("propensity_binary_open", [True]), ("propensity_table_one_open", [True]),
                            ("propensity_check_view_matched", ["Overlap of propensity scores"]),
                            ("propensity_view", ["Weighting (IPTW)"]),
                            ("propensity_check_view_weighted", ["Covariate balance", "Overlap of propensity scores"]),
                            ("propensity_table_one_view", ["Weighted cohort"]),
                            ("propensity_km_view", ["Weighted cohort"])],
    "pages/risk_factors.py": [("risk_ph_plot_open", [True])],  # the residual plot's section
    "pages/learn.py": [("learn_view", [ns.report.teaching.CONTRASTS[k].title
                                       for k in ("adjusted", "holm", "immortal_time", "pairs", "cutpoint")])],
}

# pages whose content depends on the sidebar's endpoint are also scanned with overall survival
ENDPOINT_PAGES = {"pages/survival.py", "pages/risk_factors.py", "pages/propensity.py", "pages/report.py",
                  "pages/present.py", "pages/plan.py"}
GRID = [(p, "rfs") for p in PAGES] + [(p, "os") for p in PAGES if p in ENDPOINT_PAGES]


@pytest.mark.parametrize("page, endpoint", GRID)
@pytest.mark.parametrize("sample", ns.sample_names())
def test_no_raw_values_on_screen(sample, page, endpoint):
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["dataset"] = f"sample:{sample}"
    at.session_state["endpoint"] = endpoint
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    found = []
    # sections drawn only when open (ui.lazy_expander): the manuscript text, "How to read this" and
    # the report's sections, opened from the start
    opened = [k for k in at.session_state.keys()
              if str(k).startswith((ui.Keys.MANUSCRIPT_OPEN, ui.Keys.HOW_TO_READ_OPEN, ui.Keys.REPORT_SECTION_OPEN,
                                    ui.Keys.REPORT_SETTINGS_OPEN))]
    for k in opened:
        at.session_state[k] = True
    if opened:
        at.run()
        assert not at.exception
        # the manuscript text is drawn, and scanned below
        assert len(at.code) >= 1 or not any(str(k).startswith(ui.Keys.MANUSCRIPT_OPEN) for k in opened)
        # the report's sections are drawn, tables and figures
        assert len(at.dataframe) >= 1 or not any(str(k).startswith(ui.Keys.REPORT_SECTION_OPEN) for k in opened)
    views = [None] + [(key, label) for key, labels in LAZY_TABS.get(page, ()) for label in labels]
    for view in views:
        if view is not None:  # a tab drawn only when open: open it
            at.session_state[view[0]] = view[1]
            at.run()
            assert not at.exception
        for kind, text in _texts(at):
            if kind == "p-column":
                found.append(text)
                continue
            for m in BAD.finditer(ALLOWED.sub(" ", text)):
                found.append(f"{kind}: {m.group(0)!r} in {text[:120]!r}" + (f" ({view[0]} = {view[1]})" if view else ""))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("page", PAGES)
def test_row_labels_are_never_cut(page):
    """On a narrow screen a table scrolls its numbers sideways but keeps its row labels whole: the
    first (text) column of every table is pinned and as wide as its longest label."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["dataset"] = "sample:mayo_cystic"
    at.run()
    at.switch_page(page)
    at.run()
    assert not at.exception
    for d in at.dataframe:
        df = d.value
        if len(df.columns) < 2 or not (df.dtypes.iloc[0] == object or pd.api.types.is_string_dtype(df.dtypes.iloc[0])):
            continue
        first = str(df.columns[0])
        cfg = (json.loads(d.proto.columns) if d.proto.columns else {}).get(first, {})
        longest = max([len(str(v)) for v in df[first]] + [len(cfg.get("label") or first)])
        assert cfg.get("pinned") is True, f"{page}: first column {first!r} not pinned"
        assert cfg.get("width", 0) >= min(6.5 * longest, 380), f"{page}: {first!r} narrower than its labels"


def test_format_rules():
    assert F.fmt_p(0.0004) == "p < 0.001" and F.fmt_p(0.0456) == "p = 0.046" and F.fmt_p(0.412) == "p = 0.41"
    assert F.fmt_p(float("nan")) == "p not available" and F.fmt_p_bare(None) == "–"
    assert F.fmt_p_bare(0.00049) == "< 0.001" and F.fmt_p_bare(1.0) == "1.00"
    assert F.fmt_num(float("nan")) == "–" and F.fmt_num(float("inf")) == "–"
    assert F.fmt_est_ci(0.714, 0.552, 0.921) == "0.71 (0.55–0.92)"
    assert F.fmt_est_ci(60, 44.3, 73.8, 1, unit=" %") == "60.0 % (44.3–73.8)"
    assert F.fmt_ratio("hazard ratio", 0.71, 0.55, 0.92) == "hazard ratio 0.71 (95 % CI 0.55–0.92)"
    # a bound below 0.01 keeps two significant digits (never "0.00"); R's 0 and Inf bounds read 0 and ∞
    assert F.fmt_ratio("odds ratio", 0.1, 0.0004, 0.52) == "odds ratio 0.10 (95 % CI 0.0004–0.52)"
    assert F.fmt_ratio("odds ratio", 0.0, 0.0, 0.52) == "odds ratio 0 (95 % CI 0–0.52)"
    assert F.fmt_ratio("hazard ratio", 12.3, 1.2, float("inf")) == "hazard ratio 12.30 (95 % CI 1.20–∞)"
    assert F.fmt_n_pct(3, 12) == "3 (25.0 %)" and F.fmt_n_pct(0, 0) == "0 (–)"
    assert F.fmt_median(float("nan"), 20.5, float("nan")) == "not reached (lower limit 20.5)"
    assert F.fmt_ci(15.3, float("nan")) == "95 % CI 15.3 to not reached"
    assert F.display_label("True") == "yes" and F.display_label(None) == "–"
    assert F.display_label("small_bowel") == "small bowel" and F.display_label("G2") == "G2"
    assert F.ci_label(0.9) == "90 % CI"


def test_an_analysis_that_cannot_be_done_shows_nothing_else():
    """aggressive_resection: the adjusted hazard ratios cannot be estimated (monotone likelihood).
    The warnings say why, in the clinician's words; no empty "Matched cohort" section follows."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state["dataset"] = "sample:aggressive_resection"
    at.run()
    at.switch_page("pages/propensity.py")
    at.run()
    assert not at.exception
    failed = [w.value for w in at.warning if "could not be estimated" in w.value]
    assert failed and not any("_treated_" in w for w in failed)
    for analysis in ("matched", "weighted"):
        if any(w.startswith(f"The {analysis} hazard ratio could not be estimated") for w in failed):
            # no curve tab, no hazard-ratio line of it (its Table 1 of the cohort may still be shown)
            at.session_state["propensity_km_view"] = f"{analysis.capitalize()} cohort"
            at.run()
            assert not any(m.value.startswith(f"**{analysis.capitalize()}**:") for m in at.markdown)
            assert not any(c.proto.spec and f"propensity_km_{analysis}" in str(c.key) for c in at.get("plotly_chart"))


def test_groups_of_a_yes_no_column_are_named_as_a_paper_names_them():
    assert F.level_label("True", "cystic") == "With cystic metastases"
    assert F.level_label(False, "cystic") == "With solid metastases"
    assert F.level_label("no", "bile_leak") == "Bile leak: no"  # no phrase known: the column says it
    assert F.level_label("G2", "grade") == "G2" and F.level_label("small_bowel", "primary_site") == "small bowel"
    assert F.level_label("True") == "yes"  # without its column a level stays as it is
    from nelm_stats.report.views import with_level_labels
    report = ns.survival_report(ns.load_sample("mayo_cystic"), "rfs_months", "rfs_event", "cystic")
    named = with_level_labels(report, "cystic")
    want = ["With solid metastases", "With cystic metastases"]
    assert list(named.km.medians["group"]) == want and list(named.km.groups) == want
    assert list(named.rmst_difference[["group_a", "group_b"]].iloc[0]) == want
    assert set(named.km.curve["group"]) == set(want) and list(named.test.table["group"]) == want
    # the numbers are the same objects' numbers
    pd.testing.assert_frame_equal(named.km.medians.drop(columns="group"), report.km.medians.drop(columns="group"))
    assert named.narrative == report.narrative
    assert with_level_labels(report, None) is report


def test_labels_inside_a_sentence_keep_acronyms_and_names():
    assert F.in_sentence("Tumour grade") == "tumour grade" and F.in_sentence("Overall survival") == "overall survival"
    assert F.in_sentence("ICG fluorescence used") == "ICG fluorescence used"
    assert F.in_sentence("Ki-67") == "Ki-67" and F.in_sentence("Clavien–Dindo grade") == "Clavien–Dindo grade"


def test_table_one_names_yes_no_groups_as_the_other_pages_do():
    t1 = ns.table_one(ns.load_sample("mayo_cystic"), "cystic", ["age", "sex"])
    cols = list(t1.formatted(group_title="Cystic metastases").columns)
    assert "With solid metastases (n = 452)" in cols and "With cystic metastases (n = 12)" in cols
