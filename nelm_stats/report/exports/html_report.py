"""The report as one self-contained HTML file, and as PDF printed from it by Chromium.

The HTML opens offline and asks nothing of the network: figures are inline SVG (vector,
text selectable), the style sheet is inline, there is no script, no link and no web
address to fetch.  Tables are set as journals set them (three horizontal rules).  The PDF
is that page printed by Debian's Chromium (A4, figures and table headers kept whole,
section headings kept with what follows), with every host name resolving to nothing so a
stray reference could not leave the machine either.
"""
from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from ...errors import AnalysisError
from ..document import FigureBlock, Report, TableBlock, TextBlock
from .docx_report import paragraphs
from .figures import figure_bytes
from .tables import _headers, _rows, indent_level

__all__ = ["ExportUnavailableError", "CSS", "report_html", "report_pdf", "chromium_path"]

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
PDF_TIMEOUT_S = 120


class ExportUnavailableError(AnalysisError):
    """A file format cannot be produced on this machine (e.g. no Chromium to print a PDF)."""


CSS = """
@page { size: A4; margin: 18mm 17mm 18mm 17mm; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font-family: "Liberation Sans", Arial, Helvetica, "DejaVu Sans", sans-serif; font-size: 10.5pt;
       line-height: 1.4; color: #111; background: #fff; max-width: 176mm; margin: 0 auto; padding: 8mm 0; }
header.title { margin-bottom: 10mm; }
h1 { font-size: 20pt; margin: 0 0 2mm 0; line-height: 1.2; }
.subtitle { font-size: 13pt; color: #333; margin: 0 0 2mm 0; }
.created { color: #333; margin: 0 0 4mm 0; }
dl.provenance { font-size: 8.5pt; color: #444; display: grid; grid-template-columns: max-content auto;
                gap: 0.5mm 4mm; margin: 0; }
dl.provenance dt { font-weight: bold; }
dl.provenance dd { margin: 0; overflow-wrap: anywhere; }
h2 { font-size: 14pt; margin: 9mm 0 3mm 0; border-bottom: 0.5pt solid #999; padding-bottom: 1mm;
     break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 2.5mm 0; }
p.note { font-style: italic; color: #333; }
figure { margin: 4mm 0 6mm 0; break-inside: avoid; page-break-inside: avoid; }
figure .figure-title, .table-title { font-weight: bold; margin: 0 0 2mm 0; break-after: avoid; }
figure svg, figure img { display: block; width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 9pt; color: #222; margin-top: 2mm; }
.table-wrap { margin: 4mm 0 6mm 0; }
.table-head { break-inside: avoid; page-break-inside: avoid; }
table.journal { border-collapse: collapse; font-size: 9pt; margin: 0; width: auto; min-width: 60%; }
table.journal thead { display: table-header-group; }
table.journal th, table.journal td { padding: 1.2mm 2.5mm; text-align: center; vertical-align: top; border: none; }
table.journal th:first-child, table.journal td:first-child { text-align: left; }
table.journal td:not(:first-child) { white-space: nowrap; }
table.journal thead tr th { border-top: 1.5pt solid #000; border-bottom: 0.75pt solid #000; font-weight: bold; }
table.journal tbody tr:last-child td { border-bottom: 1.5pt solid #000; }
table.journal tr { break-inside: avoid; page-break-inside: avoid; }
ol.footnotes { list-style: none; padding: 0; margin: 1.5mm 0 0 0; font-size: 8pt; color: #222; }
ul.take-home li { margin-bottom: 1.5mm; }
@media screen { body { padding: 12mm 8mm; } }
"""

_SVG_SIZE = re.compile(r'^(<svg\b[^>]*?)\s(width|height)="[^"]*"', re.S)


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _svg(fig, title: str) -> str:
    svg = figure_bytes(fig, "svg", size="double").decode("utf-8")
    svg = re.sub(r"<\?xml[^>]*\?>", "", svg).strip()
    for _ in range(2):  # the size comes from the CSS (viewBox kept): the figure scales to the column
        svg = _SVG_SIZE.sub(r"\1", svg, count=1)
    return svg.replace("<svg ", f'<svg role="img" aria-label="{_e(title)}" ', 1)


def _td(text: str, col: int) -> str:
    if col == 0:
        level, label = indent_level(text)
        if level:
            return f'<td style="padding-left:{2.5 + 4 * level:g}mm">{_e(label)}</td>'
    return f"<td>{_e(text)}</td>"


def _table(block: TableBlock) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in _headers(block.frame))
    body = "\n".join("<tr>" + "".join(_td(c, k) for k, c in enumerate(row)) + "</tr>" for row in _rows(block.frame))
    notes = "".join(f"<li>{_e(n)}</li>" for n in block.footnotes)
    title = f'<div class="table-title">{_e(block.title)}</div>' if block.title else ""
    return (
        f'<div class="table-wrap" id="table-{_e(block.key)}">{title}'
        f'<table class="journal"><thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>'
        + (f'<ol class="footnotes">{notes}</ol>' if notes else "") + "</div>"
    )


def _figure(block: FigureBlock, section_title: str = "") -> str:
    show = block.title and block.title != section_title
    title = f'<div class="figure-title">{_e(block.title)}</div>' if show else ""
    cap = f"<figcaption>{_e(block.caption)}</figcaption>" if block.caption else ""
    return f'<figure id="figure-{_e(block.key)}">{title}{_svg(block.figure, block.title or block.key)}{cap}</figure>'


def _text(block: TextBlock) -> str:
    cls = ' class="note"' if block.kind == "note" else ""
    return "\n".join(f"<p{cls}>{_e(p)}</p>" for p in paragraphs(block.text))


def report_html(report: Report) -> str:
    """``report`` as one self-contained HTML page (no script, no external resource)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(report.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        '<header class="title">',
        f"<h1>{_e(report.title)}</h1>",
    ]
    if report.subtitle:
        parts.append(f'<p class="subtitle">{_e(report.subtitle)}</p>')
    if report.created:
        parts.append(f'<p class="created">{_e(report.created)}</p>')
    if report.provenance:
        parts.append('<dl class="provenance">' + "".join(
            f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in report.provenance) + "</dl>")
    parts.append("</header><main>")
    for section in report.sections:
        parts.append(f'<section id="section-{_e(section.key)}"><h2>{_e(section.title)}</h2>')
        for block in section.blocks:
            if isinstance(block, FigureBlock):
                parts.append(_figure(block, section.title))
            elif isinstance(block, TableBlock):
                parts.append(_table(block))
            elif isinstance(block, TextBlock):
                parts.append(_text(block))
        parts.append("</section>")
    if report.methods:
        parts.append('<section id="section-methods"><h2>Methods</h2>')
        parts.extend(f"<p>{_e(p)}</p>" for p in paragraphs(report.methods))
        parts.append("</section>")
    if report.take_home:
        parts.append('<section id="section-take-home"><h2>Take-home points</h2><ul class="take-home">')
        parts.extend(f"<li>{_e(p)}</li>" for p in report.take_home)
        parts.append("</ul></section>")
    parts.append("</main></body></html>")
    return "\n".join(parts)


def chromium_path() -> str | None:
    """The Chromium used to print PDFs: $BROWSER_PATH, else Debian's, else one on the PATH."""
    for cand in (os.environ.get("BROWSER_PATH"), *CHROMIUM_CANDIDATES):
        if cand and os.path.isfile(cand) and os.access(cand, os.X_OK):
            return cand
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def report_pdf(report: Report) -> bytes:
    """``report`` as PDF (A4): the HTML report printed by headless Chromium."""
    browser = chromium_path()
    if browser is None:
        raise ExportUnavailableError(
            "A PDF cannot be made on this computer: it is printed by Chromium, which is not installed "
            "(install it with 'apt-get install chromium', or download the HTML report and print it from "
            "a browser).")
    page = report_html(report)
    with tempfile.TemporaryDirectory(prefix="nelm_pdf_") as tmp:
        src = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        src.write_text(page, encoding="utf-8")
        cmd = [
            browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-first-run",
            "--no-default-browser-check", "--disable-dev-shm-usage", "--mute-audio",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing resolves: no request can leave
            f"--user-data-dir={Path(tmp) / 'profile'}", f"--crash-dumps-dir={tmp}",
            "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
            f"--print-to-pdf={out}", src.as_uri(),
        ]
        try:
            res = subprocess.run(cmd, cwd=tmp, capture_output=True, timeout=PDF_TIMEOUT_S,
                                 env=dict(os.environ, HOME=tmp))
        except subprocess.TimeoutExpired as e:
            raise ExportUnavailableError(
                f"Chromium did not finish printing the PDF within {PDF_TIMEOUT_S} seconds; "
                "try the HTML or DOCX report instead.") from e
        except OSError as e:
            raise ExportUnavailableError(f"Chromium could not be started to print the PDF ({e}).") from e
        if not out.exists() or out.stat().st_size == 0:
            tail = res.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
            raise ExportUnavailableError(
                f"Chromium did not print the PDF (exit status {res.returncode}{': ' + tail[0] if tail[0] else ''}).")
        data = out.read_bytes()
    if not data.startswith(b"%PDF"):
        raise ExportUnavailableError("Chromium produced a file that is not a PDF.")
    return data
