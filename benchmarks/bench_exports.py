"""What a surgeon waits for before the tumor board: figure, report and deck exports (issue 14).

On the mayo_cystic sample (464 patients) times, in one fresh process:

- the first figure export after start (kaleido starts its Chromium), then a warm one
  (Kaplan–Meier, PNG 300 dpi, double column);
- building the report document (``report.analysis.run_analysis`` + ``build_report``);
- the DOCX report, the PPTX deck, the HTML report and the PDF (Chromium printing);
- the tables as XLSX and CSV.

Targets: warm figure < 1 s, report or deck < 5 s.  Prints a Markdown table (seconds; warm
rows are the best of ``--reps``).

    .venv/bin/python benchmarks/bench_exports.py [--sample mayo_cystic] [--reps 3]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import nelm_stats as ns  # noqa: E402
from nelm_stats.report.analysis import build_report, run_analysis  # noqa: E402
from nelm_stats.report.exports.docx_report import report_docx  # noqa: E402
from nelm_stats.report.exports.figures import figure_bytes  # noqa: E402
from nelm_stats.report.exports.html_report import report_html, report_pdf  # noqa: E402
from nelm_stats.report.exports.pptx_deck import report_pptx  # noqa: E402
from nelm_stats.report.exports.tables import table_csv, tables_xlsx  # noqa: E402

TARGETS = {"warm figure (KM, PNG 300 dpi)": 1.0, "DOCX report": 5.0, "PPTX deck": 5.0,
           "HTML report": 5.0, "PDF report": 5.0}


def _once(fn):
    t = time.perf_counter()
    out = fn()
    return time.perf_counter() - t, out


def _best(fn, reps: int):
    times, out = [], None
    for _ in range(reps):
        dt, out = _once(fn)
        times.append(dt)
    return min(times), out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", default="mayo_cystic")
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)

    data = ns.load_sample(args.sample)
    rows = []
    dt, report = _once(lambda: build_report(run_analysis(data), dataset=args.sample))
    rows.append(("report document (run_analysis + build_report)", dt, ""))
    fig = report.figures()[0].figure
    dt, png = _once(lambda: figure_bytes(fig, "png", size="double", dpi=300))
    rows.append(("first figure after start (KM, PNG 300 dpi)", dt, f"{len(png) // 1024} kB"))
    dt, png = _best(lambda: figure_bytes(fig, "png", size="double", dpi=300), args.reps)
    rows.append(("warm figure (KM, PNG 300 dpi)", dt, f"{len(png) // 1024} kB"))
    dt, svg = _best(lambda: figure_bytes(fig, "svg", size="double"), args.reps)
    rows.append(("warm figure (KM, SVG)", dt, f"{len(svg) // 1024} kB"))
    figs = len(report.figures())
    for label, fn in (("DOCX report", lambda: report_docx(report)),
                      ("PPTX deck", lambda: report_pptx(report)),
                      ("HTML report", lambda: report_html(report)),
                      ("PDF report", lambda: report_pdf(report)),
                      ("XLSX tables", lambda: tables_xlsx(report.tables())),
                      ("CSV tables (all)", lambda: [table_csv(b) for b in report.tables()])):
        dt, out = _best(fn, args.reps)
        size = sum(map(len, out)) if isinstance(out, list) else len(out)
        what = f"{len(report.tables())} tables" if "tables" in label else f"{figs} figures, {len(report.tables())} tables"
        rows.append((label, dt, f"{size // 1024} kB, {what}"))

    print(f"\n{args.sample}: {len(data)} patients\n")
    print("| export | seconds | target | size |")
    print("|---|---:|---:|---|")
    ok = True
    for label, dt, note in rows:
        target = TARGETS.get(label)
        mark = "" if target is None else (f"< {target:g} s" + ("" if dt < target else " MISSED"))
        ok &= target is None or dt < target
        print(f"| {label} | {dt:.2f} | {mark} | {note} |")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
