"""The command line: the dashboard's report and a reproducible script, without the dashboard.

    python -m nelm_stats report DATA --out report.docx|.html|.pdf|.pptx
        [--endpoint rfs|os] [--group COLUMN] [--time-unit months|years]
        [--settings FILE] [--save-settings FILE] [--title TEXT]
    python -m nelm_stats script DATA --settings FILE --out analysis.py

DATA is a CSV or Excel file: either already in the analysis format (the canonical schema),
or a registry export together with a settings file saved by the dashboard (which records how
it was imported).  The plain flags and the settings file are interchangeable: flags override
the file, and ``--save-settings`` writes the settings used.  Bad input gives one line on
stderr and exit status 2, never a traceback.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from . import __version__
from .errors import AnalysisError
from .intake.pipeline import read_cohort
from .report.analysis import build_report, run_analysis
from .report.settings import Settings, reconcile, settings_from_json, settings_to_json

__all__ = ["main"]

REPORT_FORMATS = (".docx", ".html", ".pdf", ".pptx")


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit status 2 (argparse would print the usage too)
        raise _Usage(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m nelm_stats", description="NELM Outcomes Explorer from the command line.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    r = sub.add_parser("report", help="write the report (.docx, .html, .pdf) or the tumor-board deck (.pptx)")
    r.add_argument("data", help="CSV or Excel file")
    r.add_argument("--out", required=True, help="report.docx, report.html, report.pdf or deck.pptx")
    r.add_argument("--endpoint", choices=("rfs", "os", "hepatic_pfs"))
    r.add_argument("--group", help="grouping column (canonical name), or 'none' for the whole cohort")
    r.add_argument("--time-unit", choices=("months", "years"))
    r.add_argument("--settings", help="settings file saved by the dashboard (JSON)")
    r.add_argument("--save-settings", help="write the settings used to this file")
    r.add_argument("--title", help="title of the report")
    s = sub.add_parser("script", help="write a Python script that reproduces the report's numbers")
    s.add_argument("data", help="CSV or Excel file")
    s.add_argument("--settings", required=True, help="settings file saved by the dashboard (JSON)")
    s.add_argument("--out", required=True, help="analysis.py")
    return p


def _read_bytes(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise _Usage(f"{what} '{path}' does not exist.") from None
    except IsADirectoryError:
        raise _Usage(f"{what} '{path}' is a folder, not a file.") from None
    except OSError as err:
        raise _Usage(f"{what} '{path}' cannot be read: {err.strerror}.") from None


def _settings(args):

    notes: list[str] = []
    if args.settings:
        settings, notes = settings_from_json(_read_bytes(args.settings, "The settings file"))
    else:
        settings = Settings()
    return settings, notes


def _write(path: Path, content: bytes | str) -> None:
    try:
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8")
        else:
            path.write_bytes(content)
    except OSError as err:
        raise _Usage(f"Cannot write '{path}': {err.strerror}.") from None


def _report(args) -> int:
    out = Path(args.out)
    if out.suffix.lower() not in REPORT_FORMATS:
        raise _Usage(f"The report can be written as {', '.join(REPORT_FORMATS)}; '{out.name}' has none of these "
                     "extensions.")

    settings, notes = _settings(args)
    a = settings.analysis
    if args.endpoint:
        a = replace(a, endpoint=args.endpoint)
    if args.group:
        a = replace(a, group="" if args.group.lower() in ("none", "") else args.group, cut=None)
    if args.time_unit:
        a = replace(a, time_unit=args.time_unit)
    if args.title:
        settings = replace(settings, report=replace(settings.report, title=args.title))
    cohort = read_cohort(_read_bytes(args.data, "The data file"), Path(args.data).name, settings.import_)
    notes += list(cohort.messages)
    data = cohort.data
    if args.group and a.group and a.group not in data.columns:
        raise _Usage(f"There is no column '{args.group}' in {Path(args.data).name}.")
    a, more = reconcile(a, data)
    notes += more
    results = run_analysis(data, a, flow=cohort.flow)
    settings = replace(settings, analysis=results.settings)
    report = build_report(results, dataset=Path(args.data).name, settings=settings)
    for note in notes:
        print(f"Note: {note}", file=sys.stderr)
    fmt = out.suffix.lower()
    if fmt == ".docx":
        from .report.exports.docx_report import report_docx
        _write(out, report_docx(report))
    elif fmt == ".html":
        from .report.exports.html_report import report_html
        _write(out, report_html(report))
    elif fmt == ".pdf":
        from .report.exports.html_report import report_pdf
        _write(out, report_pdf(report))
    else:
        from .report.exports.pptx_deck import report_pptx
        _write(out, report_pptx(report))
    if args.save_settings:
        _write(Path(args.save_settings), settings_to_json(settings, software=f"nelm_stats {__version__}"))
    print(f"Wrote {out} ({results.n_patients} patients).")
    return 0


def _script(args) -> int:
    from .report.script import generate_script

    settings, notes = _settings(args)
    cohort = read_cohort(_read_bytes(args.data, "The data file"), Path(args.data).name, settings.import_)
    a, more = reconcile(settings.analysis, cohort.data)
    for note in notes + list(cohort.messages) + more:
        print(f"Note: {note}", file=sys.stderr)
    _write(Path(args.out), generate_script(replace(settings, analysis=a), data_name=Path(args.data).name))
    print(f"Wrote {args.out}: run it with  python {args.out} {args.data} {args.settings}")
    return 0


def main(argv=None) -> int:
    try:
        args = _parser().parse_args(argv)
        return _report(args) if args.command == "report" else _script(args)
    except (_Usage, AnalysisError) as err:
        print(f"nelm_stats: {err}".splitlines()[0], file=sys.stderr)
        return 2
    except (ValueError, OSError) as err:  # a file that is not what it says it is
        print(f"nelm_stats: the input could not be used ({err})".splitlines()[0], file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
