"""The report as a Word document (DOCX).

Title page (title, subtitle, date, provenance), then each section: its heading, figures as
300-dpi PNGs at double-column width (17 cm, the text width of an A4 page with 2 cm margins)
with their captions, tables in journal style (three rules) and the text under them (results
in plain paragraphs, notes in italics); then the methods and the take-home points.  A4,
Arial 10.5 pt.  Everything arrives worded and formatted (:mod:`nelm_stats.report.document`).
"""
from __future__ import annotations

import io

from ..document import FigureBlock, Report, TableBlock, TextBlock
from .figures import figure_bytes
from .tables import add_docx_table, new_docx_document

__all__ = ["FIGURE_WIDTH_CM", "FIGURE_DPI", "report_docx", "paragraphs"]

FIGURE_WIDTH_CM = 17.0
FIGURE_DPI = 300


def paragraphs(text: str) -> list[str]:
    """Paragraphs of a text (separated by blank lines; single line breaks kept as spaces)."""
    out = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        chunk = " ".join(line.strip() for line in chunk.split("\n") if line.strip())
        if chunk:
            out.append(chunk)
    return out


def _text(doc, block: TextBlock) -> None:
    from docx.shared import Pt

    for para in paragraphs(block.text):
        p = doc.add_paragraph()
        run = p.add_run(para)
        if block.kind == "note":
            run.italic = True
            run.font.size = Pt(9.5)


def _figure(doc, block: FigureBlock, png: bytes, section_title: str = "") -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    if block.title and block.title != section_title:
        p = doc.add_paragraph()
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(8)
        r = p.add_run(block.title)
        r.bold = True
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.keep_with_next = bool(block.caption)
    p.add_run().add_picture(io.BytesIO(png), width=Cm(FIGURE_WIDTH_CM))
    if block.caption:
        cap = doc.add_paragraph(style="Caption")
        cap.paragraph_format.space_after = Pt(10)
        cap.add_run(block.caption)


def report_docx(report: Report) -> bytes:
    """``report`` as a DOCX file (bytes)."""
    from docx.enum.text import WD_BREAK
    from docx.shared import Pt, RGBColor

    doc = new_docx_document()
    core = doc.core_properties
    core.title = report.title
    core.subject = report.subtitle
    core.author = "NELM Outcomes Explorer"

    # title page
    doc.add_paragraph(report.title, style="Title")
    if report.subtitle:
        doc.add_paragraph(report.subtitle, style="Subtitle")
    if report.created:
        doc.add_paragraph(report.created)
    if report.provenance:
        p = doc.add_paragraph()
        p.paragraph_format.space_before = Pt(18)
        for k, (label, value) in enumerate(report.provenance):
            r1 = p.add_run(f"{label}: ")
            r1.bold = True
            r2 = p.add_run(str(value))
            for r in (r1, r2):
                r.font.size = Pt(9)
                r.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
            if k < len(report.provenance) - 1:
                r2.add_break()
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    for section in report.sections:
        doc.add_heading(section.title, level=1)
        for block in section.blocks:
            if isinstance(block, FigureBlock):
                _figure(doc, block, figure_bytes(block.figure, "png", size="double", dpi=FIGURE_DPI), section.title)
            elif isinstance(block, TableBlock):
                add_docx_table(doc, block)
            elif isinstance(block, TextBlock):
                _text(doc, block)

    if report.methods:
        doc.add_heading("Methods", level=1)
        for para in paragraphs(report.methods):
            doc.add_paragraph(para)
    if report.take_home:
        doc.add_heading("Take-home points", level=1)
        for point in report.take_home:
            doc.add_paragraph(point, style="List Bullet")

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
