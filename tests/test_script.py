"""The generated analysis script (nelm_stats.report.script.generate_script).

Each case writes a data file and a settings file into tmp_path, generates the script, runs it as
``python analysis.py DATA SETTINGS`` in a fresh interpreter and compares what it prints with the
report the command line builds from the same file and settings (``read_cohort`` → ``reconcile``
→ ``run_analysis`` → ``build_report``): section by section, every number of the report's
sentences and tables (and the log-rank line of the Kaplan–Meier caption) in the same order, every
sentence word for word, and the data and settings fingerprints of the provenance.  The script
prints no number the report does not have (outside its header).
"""
from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import nelm_stats as ns
from nelm_stats.report.analysis import build_report, run_analysis
from nelm_stats.report.document import FigureBlock, TableBlock, TextBlock
from nelm_stats.report.format import fmt_median
from nelm_stats.report.script import generate_script
from nelm_stats.report.settings import AnalysisSettings, MatchingSettings, Settings, WeightingSettings

ROOT = Path(__file__).resolve().parents[1]
REGISTRY = ROOT / "tests" / "corpus" / "registry"
NUMBER = re.compile(r"\d+(?:\.\d+)?")
LOGRANK = re.compile(r"Log-rank: χ² = [^;]*?, df \d+, p (?:=|<) [\d.]+")


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1"}


def _run(tmp_path: Path, settings: Settings, data: Path, *, generated_with: Settings | None = None,
         args=None) -> subprocess.CompletedProcess:
    script = tmp_path / "analysis.py"
    script.write_text(generate_script(generated_with or settings, data_name=data.name), encoding="utf-8")
    settings_file = tmp_path / "settings.json"
    settings_file.write_text(ns.settings_to_json(settings), encoding="utf-8")
    argv = [str(data), str(settings_file)] if args is None else args
    return subprocess.run([sys.executable, str(script), *argv], cwd=tmp_path, env=_env(), capture_output=True,
                          text=True, timeout=600)


def _report(data_file: Path, settings: Settings):
    """The report as the command line builds it from this file and these settings."""
    cohort = ns.read_cohort(data_file.read_bytes(), data_file.name, settings.import_)
    a, _ = ns.reconcile(settings.analysis, cohort.data)
    results = run_analysis(cohort.data, a, flow=cohort.flow)
    return results, build_report(results, dataset=data_file.name, settings=replace(settings, analysis=results.settings))


def _report_sections(report) -> list[tuple[str, list[str], list[str]]]:
    """(title, text pieces in order, sentences) of every section: sentences, table titles, headers,
    cells and footnotes; of the figures only the log-rank line of the Kaplan–Meier caption."""
    out = []
    for sec in report.sections:
        pieces, sentences = [], []
        for b in sec.blocks:
            if isinstance(b, TextBlock):
                pieces.append(b.text)
                sentences.append(b.text)
            elif isinstance(b, TableBlock):
                pieces.append(b.title)
                pieces.extend(str(c) for c in b.frame.columns)
                pieces.extend(str(v) for row in b.frame.itertuples(index=False) for v in row)
                pieces.extend(b.footnotes)
            elif isinstance(b, FigureBlock) and b.key == "km":
                pieces.extend(LOGRANK.findall(b.caption))
        out.append((sec.title, pieces, sentences))
    return out


def _script_sections(stdout: str) -> tuple[list[str], list[tuple[str, str]]]:
    """(header lines, [(title, text)]) of the script's output ('== title ==' starts a section)."""
    header, sections = [], []
    for line in stdout.splitlines():
        m = re.fullmatch(r"== (.+) ==", line)
        if m:
            sections.append((m.group(1), []))
        elif sections:
            sections[-1][1].append(line)
        else:
            header.append(line)
    return header, [(t, "\n".join(lines)) for t, lines in sections]


def _compare(proc: subprocess.CompletedProcess, report) -> None:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    header, printed = _script_sections(proc.stdout)
    expected = _report_sections(report)
    assert [t for t, _ in printed] == [t for t, _, _ in expected]
    for (title, text), (_, pieces, sentences) in zip(printed, expected):
        want = [n for p in pieces for n in NUMBER.findall(p)]
        got = NUMBER.findall(text)
        assert got == want, f"section {title!r}: the script's numbers differ from the report's"
        flat = " ".join(text.split())
        for s in sentences:
            assert " ".join(s.split()) in flat, f"section {title!r}: sentence not printed: {s}"
    prov = dict(report.provenance)
    assert f"Data: {prov['Data']}" in header
    assert any(line.startswith("Settings: " + prov["Settings"]) for line in header)
    assert f"Software: {prov['Software']}" in header


def _canonical(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.csv"
    ns.load_sample(name).to_csv(path, index=False)
    return path


@pytest.mark.parametrize("name", ns.sample_names())
def test_script_prints_the_reports_numbers_for_each_sample(tmp_path, name):
    data = _canonical(tmp_path, name)
    settings = Settings()
    proc = _run(tmp_path, settings, data)
    results, report = _report(data, settings)
    _compare(proc, report)
    # the same numbers as the report of the sample as loaded in memory (the CSV loses nothing)
    _compare(proc, build_report(run_analysis(ns.load_sample(name)), dataset=f"{name}.csv"))
    # the analyses the report has are all in the script's output, with their key numbers
    if results.survival is not None:
        for row in results.survival.km.medians.itertuples(index=False):
            assert fmt_median(row.median, row.ci_lower, row.ci_upper) in proc.stdout
    if results.comparison is not None and results.comparison.table["hazard_ratio"].notna().any():
        assert "crude HR" in proc.stdout or "matched HR" in proc.stdout
    assert proc.stderr == "" or all(line.startswith("Note: ") for line in proc.stderr.splitlines())


VARIANTS = {
    "grade_years_landmark": AnalysisSettings(endpoint="os", group="grade", time_unit="years", rate_years=(2, 4),
                                             landmark=0.5, cox_covariates=("age", "ki67", "grade")),
    "age_cut_matching_2to1": AnalysisSettings(group="age", cut="median", ps_covariates=("age", "grade"),
                                              matching=MatchingSettings(ratio=2, caliper=None, replace=True),
                                              weighting=WeightingSettings(estimand="ATT", stabilize=False,
                                                                          trim=0.99)),
    "whole_cohort": AnalysisSettings(group="", cut=None, cox_covariates=("primary_site",), treatment="",
                                     ps_covariates=()),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_script_follows_non_default_settings(tmp_path, variant):
    data = _canonical(tmp_path, "jp_multicenter")
    settings = Settings(analysis=VARIANTS[variant])
    proc = _run(tmp_path, settings, data)
    _, report = _report(data, settings)
    _compare(proc, report)


def test_script_replays_the_import_of_a_registry_export(tmp_path):
    src = REGISTRY / "c4_plus_minus.csv"
    data = tmp_path / src.name
    data.write_bytes(src.read_bytes())
    settings = Settings(analysis=AnalysisSettings(endpoint="os", rate_years=(1, 3)),
                        import_=ns.ImportSettings(excluded_ids=("NET-003", "NET-999")))
    proc = _run(tmp_path, settings, data)
    results, report = _report(data, settings)
    assert results.flow is not None and (results.flow["step"] == "excluded").any()
    _compare(proc, report)
    assert "Patient flow:" in proc.stdout
    # the import's message (an excluded id that is not in the file) is said, on stderr
    assert "NET-999" in proc.stderr


def test_the_settings_file_on_the_command_line_is_what_is_used(tmp_path):
    data = _canonical(tmp_path, "icg_lpsh")
    used = Settings(analysis=AnalysisSettings(endpoint="os", group="grade", time_unit="years"))
    proc = _run(tmp_path, used, data, generated_with=Settings())
    _, report = _report(data, used)
    _compare(proc, report)
    assert "differs from the one this script was generated from" in proc.stderr


def test_the_script_reads_as_a_statistician_expects(tmp_path):
    text = generate_script(Settings(), data_name="cohort.csv")
    ast.parse(text)
    assert "streamlit" not in text
    assert "import nelm_stats as ns" in text
    for call in ("ns.kaplan_meier(", "ns.logrank_test(", "ns.median_follow_up(", "ns.compare_rates(",
                 "ns.univariable_screen(", "ns.cox_regression(", "ns.risk_factor_table(", "ns.propensity_match(",
                 "ns.iptw(", "ns.compare_survival(", "ns.table_one(", "ns.read_cohort("):
        assert call in text, call
    for r in ("survfit", "survdiff", "coxph", "matchit", "weightit", "fisher.test"):
        assert r in text, r
    # nothing private of the package
    assert not re.search(r"nelm_stats\.[\w.]*\._|from nelm_stats[\w.]* import _|ns\._", text)
    assert "cohort.csv" in text


@pytest.mark.parametrize("case", ["missing data file", "data is a folder", "not a settings file",
                                  "newer settings version", "too few arguments", "not a table"])
def test_bad_input_gives_one_line_and_exit_status_2(tmp_path, case):
    data = _canonical(tmp_path, "icg_lpsh")
    settings = Settings()
    args = None
    if case == "missing data file":
        args = [str(tmp_path / "nope.csv"), str(tmp_path / "settings.json")]
    elif case == "data is a folder":
        args = [str(tmp_path), str(tmp_path / "settings.json")]
    elif case == "too few arguments":
        args = [str(data)]
    elif case == "not a table":
        bad = tmp_path / "letter.csv"
        bad.write_text("Dear colleague, the patient did well after the operation and goes home today.\n",
                       encoding="utf-8")
        args = [str(bad), str(tmp_path / "settings.json")]
    proc = _run(tmp_path, settings, data, args=args)
    if case in ("not a settings file", "newer settings version"):
        (tmp_path / "settings.json").write_text(
            "{not json" if case == "not a settings file" else '{"nelm_settings_version": 99}', encoding="utf-8")
        proc = subprocess.run([sys.executable, str(tmp_path / "analysis.py"), str(data),
                               str(tmp_path / "settings.json")], cwd=tmp_path, env=_env(), capture_output=True,
                              text=True, timeout=600)
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("analysis.py: "), proc.stderr
    assert proc.stdout == ""


def test_generate_script_needs_settings():
    with pytest.raises(TypeError):
        generate_script({"analysis": {}})


def test_tests_leave_the_work_tree_clean():
    out = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", "."], cwd=ROOT,
                         capture_output=True, text=True).stdout
    new = [line[3:] for line in out.splitlines() if line.startswith("??")]  # files the tests could have left
    assert not [f for f in new if f.endswith(("analysis.py", "settings.json"))]
