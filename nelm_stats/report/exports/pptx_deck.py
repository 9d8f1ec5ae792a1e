"""The tumor-board deck as PowerPoint (PPTX, 16:9).

Title slide; per section a slide with its figure (a PNG rendered at slide size) and the key
numbers beside it; for every Kaplan–Meier figure also a slide with a native, editable
PowerPoint XY-scatter step chart beside the picture (colours, labels and axes can be changed
in PowerPoint); tables as native PowerPoint tables, split over slides when long; the
take-home points and the methods.  The sentences of each section go into the speaker notes.

Text is sized to fit its box: font sizes are chosen from an estimate of the wrapped lines
(Arial's average character width), never below 12 pt for tables; boxes also carry
"shrink text on overflow" so PowerPoint can adjust after an edit.
"""
from __future__ import annotations

import io
import math
import textwrap

from ..document import FigureBlock, Report, Section, TableBlock, TextBlock
from ...figures.km import risk_table_times
from ...figures.style import colour, dash
from .docx_report import paragraphs
from .figures import figure_bytes
from .tables import _headers, _rows

__all__ = [
    "SLIDE_W_IN", "SLIDE_H_IN", "MAX_TABLE_ROWS", "TABLE_MIN_PT", "SLIDE_DPI", "report_pptx",
    "table_pages", "fit_font_size",
]

SLIDE_W_IN = 13.333
SLIDE_H_IN = 7.5
MAX_TABLE_ROWS = 12
TABLE_MIN_PT = 12
SLIDE_DPI = 200
MARGIN_IN = 0.5
TITLE_TOP_IN = 0.3
TITLE_H_IN = 0.85
BODY_TOP_IN = 1.35
_CHAR_EM = 0.55  # average character width of Arial in ems (a little generous, so text fits)
_LINE = 1.2  # line height in ems
_INSET_W = 0.2  # left + right insets of a text box, inches
_INSET_H = 0.1
_DASH_NAMES = {"solid": "SOLID", "dash": "DASH", "dot": "ROUND_DOT", "dashdot": "DASH_DOT",
               "longdash": "LONG_DASH", "longdashdot": "LONG_DASH_DOT"}
DARK = (0x1A, 0x1A, 0x1A)
GREY = (0x55, 0x55, 0x55)


# ---------------------------------------------------------------- text fitting
def _wrapped_lines(text: str, width_in: float, pt: float) -> int:
    per_line = max(1, int(width_in * 72 / (pt * _CHAR_EM)))
    n = 0
    for line in str(text).split("\n"):
        n += max(1, len(textwrap.wrap(line, per_line, break_long_words=True, break_on_hyphens=True)))
    return n


def _text_height(paras, width_in: float, pt: float, gap_pt: float = 0.0, indent_in: float = 0.0) -> float:
    lines = sum(_wrapped_lines(p, width_in - _INSET_W - indent_in, pt) for p in paras)
    return lines * pt * _LINE / 72 + len(paras) * gap_pt / 72 + _INSET_H


def fit_font_size(paras, width_in: float, height_in: float, sizes=(28, 24, 22, 20, 18, 16, 14, 12),
                  gap: float = 0.5, indent_in: float = 0.0) -> float | None:
    """The largest size in ``sizes`` at which ``paras`` fit a box (paragraph gap = gap × size),
    or None when none does."""
    for pt in sizes:
        if _text_height(paras, width_in, pt, gap * pt, indent_in) <= height_in:
            return pt
    return None


# ---------------------------------------------------------------- shapes
def _rgb(t):
    from pptx.dml.color import RGBColor

    return RGBColor(*t)


def _bullet(paragraph, indent_in: float = 0.3) -> None:
    from pptx.oxml.ns import qn
    from pptx.util import Inches

    pPr = paragraph._p.get_or_add_pPr()
    pPr.set("marL", str(int(Inches(indent_in))))
    pPr.set("indent", str(-int(Inches(indent_in))))
    for tag in ("a:buNone", "a:buChar", "a:buAutoNum"):
        for old in pPr.findall(qn(tag)):
            pPr.remove(old)
    bu = pPr.makeelement(qn("a:buChar"), {"char": "•"})
    pPr.append(bu)


def _textbox(slide, x, y, w, h, paras, pt, *, bold=False, color=DARK, bullets=False, gap=0.5,
             italic=False, align=None, anchor_top=True):
    from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE
    from pptx.util import Inches, Pt

    box = slide.shapes.add_textbox(Inches(x), Inches(y), Inches(w), Inches(h))
    tf = box.text_frame
    tf.word_wrap = True
    tf.auto_size = MSO_AUTO_SIZE.NONE
    tf.vertical_anchor = MSO_ANCHOR.TOP if anchor_top else MSO_ANCHOR.MIDDLE
    for i, text in enumerate(paras):
        p = tf.paragraphs[0] if i == 0 else tf.add_paragraph()
        if align is not None:
            p.alignment = align
        if i > 0:
            p.space_before = Pt(pt * gap)
        if bullets:
            _bullet(p)
        run = p.add_run()
        run.text = str(text)
        run.font.size = Pt(pt)
        run.font.bold = bold
        run.font.italic = italic
        run.font.name = "Arial"
        run.font.color.rgb = _rgb(color)
    # PowerPoint shrinks the text should an edit make it overflow
    bodyPr = tf._txBody.bodyPr
    for child in list(bodyPr):
        if child.tag.endswith("}noAutofit") or child.tag.endswith("}spAutoFit"):
            bodyPr.remove(child)
    bodyPr.append(bodyPr.makeelement("{http://schemas.openxmlformats.org/drawingml/2006/main}normAutofit", {}))
    return box


def _title(slide, text: str, subtitle: str = "") -> float:
    """Title (and an optional subtitle line) at the top; returns where the body starts."""
    w = SLIDE_W_IN - 2 * MARGIN_IN
    pt = fit_font_size([text], w, TITLE_H_IN, sizes=(30, 28, 26, 24, 22, 20, 18)) or 18
    _textbox(slide, MARGIN_IN, TITLE_TOP_IN, w, TITLE_H_IN, [text], pt, bold=True, anchor_top=False)
    top = BODY_TOP_IN
    if subtitle:
        spt = fit_font_size([subtitle], w, 0.5, sizes=(18, 16, 14, 12)) or 12
        _textbox(slide, MARGIN_IN, top - 0.15, w, 0.5, [subtitle], spt, color=GREY)
        top += 0.45
    return top


def _notes(slide, texts) -> None:
    texts = [t for t in texts if t]
    if texts:
        slide.notes_slide.notes_text_frame.text = "\n\n".join(texts)


def _blank(prs):
    return prs.slides.add_slide(prs.slide_layouts[6])


# ---------------------------------------------------------------- tables
def _col_widths(headers, rows, total_in: float) -> list[float]:
    n = max(len(headers), 1)
    want = []
    for c in range(n):
        texts = [headers[c] if c < len(headers) else ""] + [r[c] for r in rows if c < len(r)]
        longest = max((len(t) for t in texts), default=1)
        head_words = max((len(w) for w in (headers[c] if c < len(headers) else "").split()), default=1)
        want.append(max(min(longest, 40), head_words, 4))
    s = float(sum(want))
    widths = [max(total_in * w / s, 0.9) for w in want]
    k = total_in / sum(widths)
    return [w * k for w in widths]


def _row_height(cells, widths, pt: float) -> float:
    lines = max((_wrapped_lines(t, max(w - 0.2, 0.3), pt) for t, w in zip(cells, widths)), default=1)
    return lines * pt * _LINE / 72 + 0.1 + 0.02


def table_pages(block: TableBlock, width_in: float, height_in: float, pt: float,
                max_rows: int = MAX_TABLE_ROWS, reserve_last_in: float = 0.0) -> list[list[int]]:
    """Row indices of ``block`` per slide: at most ``max_rows`` body rows and the height of
    the header plus the rows (estimated at ``pt``) within ``height_in``."""
    headers, rows = _headers(block.frame), _rows(block.frame)
    widths = _col_widths(headers, rows, width_in)
    head_h = _row_height(headers, widths, pt)
    pages, cur, used = [], [], head_h
    for i, r in enumerate(rows):
        h = _row_height(r, widths, pt)
        if cur and (len(cur) >= max_rows or used + h > height_in):
            pages.append(cur)
            cur, used = [], head_h
        cur.append(i)
        used += h
    if cur or not pages:
        pages.append(cur)
    # the footnotes sit under the last page: move rows on if they would not fit
    if reserve_last_in > 0 and pages[-1]:
        last = pages[-1]
        used = head_h + sum(_row_height(rows[i], widths, pt) for i in last)
        if used + reserve_last_in > height_in and len(last) > 1:
            keep = []
            used = head_h
            for i in last:
                h = _row_height(rows[i], widths, pt)
                if used + h + reserve_last_in > height_in and keep:
                    break
                keep.append(i)
                used += h
            rest = last[len(keep):]
            pages[-1] = keep
            if rest:
                pages.append(rest)
    return pages


def _add_table(slide, block: TableBlock, row_ids, top: float, pt: float, width_in: float):
    from pptx.enum.text import MSO_ANCHOR, PP_ALIGN
    from pptx.util import Inches, Pt

    headers, rows = _headers(block.frame), _rows(block.frame)
    widths = _col_widths(headers, rows, width_in)
    ncol = max(len(headers), 1)
    body = [rows[i] for i in row_ids]
    heights = [_row_height(headers, widths, pt)] + [_row_height(r, widths, pt) for r in body]
    shape = slide.shapes.add_table(1 + len(body), ncol, Inches(MARGIN_IN), Inches(top),
                                   Inches(width_in), Inches(sum(heights)))
    table = shape.table
    table.first_row = True
    table.horz_banding = True
    for c, w in enumerate(widths):
        table.columns[c].width = Inches(w)
    for r, h in enumerate(heights):
        table.rows[r].height = Inches(h)
    for r, texts in enumerate([headers, *body]):
        for c in range(ncol):
            cell = table.cell(r, c)
            cell.margin_left = cell.margin_right = Inches(0.08)
            cell.margin_top = cell.margin_bottom = Inches(0.04)
            cell.vertical_anchor = MSO_ANCHOR.MIDDLE
            tf = cell.text_frame
            tf.word_wrap = True
            p = tf.paragraphs[0]
            p.alignment = PP_ALIGN.LEFT if c == 0 else PP_ALIGN.CENTER
            run = p.add_run()
            run.text = texts[c] if c < len(texts) else ""
            run.font.size = Pt(pt)
            run.font.name = "Arial"
            run.font.bold = r == 0
    return shape, sum(heights)


def _table_slides(prs, section: Section, block: TableBlock, subtitle: str) -> list:
    width = SLIDE_W_IN - 2 * MARGIN_IN
    bottom = SLIDE_H_IN - 0.35
    notes_pt = 12
    note_h = (_text_height(list(block.footnotes), width, notes_pt, 2) + 0.1) if block.footnotes else 0.0
    foot_on_slide = note_h <= 1.6
    slides = []
    # the largest readable size (14 or 12 pt) at which the table needs fewest slides
    top0 = BODY_TOP_IN + (0.45 if subtitle else 0.0)
    best = None
    for pt in (14, 13, TABLE_MIN_PT):
        pages = table_pages(block, width, bottom - top0, pt,
                            reserve_last_in=(note_h + 0.1) if foot_on_slide else 0.0)
        if best is None or len(pages) < len(best[1]):
            best = (pt, pages)
    pt, pages = best
    for k, ids in enumerate(pages):
        slide = _blank(prs)
        title = block.title or section.title
        if len(pages) > 1:
            title += f" ({k + 1}/{len(pages)})"
        top = _title(slide, title, subtitle if k == 0 else "")
        _, h = _add_table(slide, block, ids, top, pt, width)
        if k == len(pages) - 1 and block.footnotes and foot_on_slide:
            _textbox(slide, MARGIN_IN, top + h + 0.1, width, note_h, list(block.footnotes), notes_pt,
                     color=GREY, gap=0.15)
        if block.footnotes:
            _notes(slide, list(block.footnotes))
        slides.append(slide)
    return slides


# ---------------------------------------------------------------- figures and charts
def _picture(slide, png: bytes, x, y, w):
    from pptx.util import Inches

    return slide.shapes.add_picture(io.BytesIO(png), Inches(x), Inches(y), width=Inches(w))


def _figure_slide(prs, section: Section, block: FigureBlock, png: bytes, side: list[str], first: bool):
    slide = _blank(prs)
    subtitle = block.title if block.title and block.title != section.title else ""
    top = _title(slide, section.title if first else (block.title or section.title), subtitle if first else "")
    bottom = SLIDE_H_IN - 0.3
    cap_pt = 12
    cap_h = _text_height([block.caption], 8.6, cap_pt) if block.caption else 0.0
    pic_w = min(8.6, (bottom - top - cap_h - 0.1) * 16 / 9) if side else min(12.3, (bottom - top - cap_h - 0.1) * 16 / 9)
    pic_x = MARGIN_IN if side else (SLIDE_W_IN - pic_w) / 2
    _picture(slide, png, pic_x, top, pic_w)
    if block.caption:
        _textbox(slide, pic_x, top + pic_w * 9 / 16 + 0.05, max(pic_w, 6.0), cap_h + 0.05, [block.caption],
                 cap_pt, color=GREY)
    if side:
        x = MARGIN_IN + pic_w + 0.3
        w = SLIDE_W_IN - MARGIN_IN - x
        h = bottom - top - 0.2
        pt = fit_font_size(side, w, h, sizes=(22, 20, 18, 16, 14, 13, 12), gap=0.6, indent_in=0.3) or 12
        _textbox(slide, x, top + 0.2, w, h, side, pt, bullets=True, gap=0.6)
    return slide


def _chart_slide(prs, section: Section, block: FigureBlock, png: bytes):
    from pptx.chart.data import XyChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION
    from pptx.enum.dml import MSO_LINE
    from pptx.util import Inches, Pt

    slide = _blank(prs)
    top = _title(slide, (block.title or section.title) + " — editable chart")
    data = XyChartData()
    x_max = 0.0
    for curve in block.curves:
        s = data.add_series(curve.name)
        for x, y in zip(curve.x, curve.y):
            if x is None or y is None or not (math.isfinite(float(x)) and math.isfinite(float(y))):
                continue
            s.add_data_point(float(x), float(y))
            x_max = max(x_max, float(x))
    cw, ch = 6.9, SLIDE_H_IN - top - 0.9
    gframe = slide.shapes.add_chart(XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS, Inches(MARGIN_IN), Inches(top),
                                    Inches(cw), Inches(ch), data)
    chart = gframe.chart
    chart.font.size = Pt(12)
    chart.font.name = "Arial"
    chart.has_legend = len(block.curves) > 0
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(12)
    xa, ya = chart.category_axis, chart.value_axis
    ya.minimum_scale, ya.maximum_scale = 0.0, 1.0
    ya.major_unit = 0.2
    ya.tick_labels.number_format = "0%"
    ya.tick_labels.number_format_is_linked = False
    ya.has_major_gridlines = False
    xa.minimum_scale = 0.0
    if x_max > 0:  # round ticks, as on the figure (every 12 months, every 2 years, ...)
        ticks = risk_table_times(x_max, "years" if "year" in (block.x_title or "").lower() else "months")
        step = ticks[1] - ticks[0] if len(ticks) > 1 else x_max
        xa.major_unit = step
        xa.maximum_scale = ticks[-1] if ticks[-1] >= x_max else ticks[-1] + step
    xa.has_major_gridlines = False
    xa.tick_labels.number_format = "General"
    xa.tick_labels.number_format_is_linked = False
    for axis, text in ((xa, block.x_title), (ya, block.y_title)):
        if text:
            axis.has_title = True
            axis.axis_title.text_frame.text = text
            for p in axis.axis_title.text_frame.paragraphs:
                for r in p.runs:
                    r.font.size = Pt(13)
                    r.font.bold = False
    for i, series in enumerate(chart.plots[0].series):
        series.smooth = False
        line = series.format.line
        line.color.rgb = _rgb(tuple(int(colour(i)[k:k + 2], 16) for k in (1, 3, 5)))
        line.width = Pt(2.25)
        line.dash_style = getattr(MSO_LINE, _DASH_NAMES.get(dash(i), "SOLID"))
    # the picture, as in the report, beside the chart
    px = MARGIN_IN + cw + 0.3
    pw = SLIDE_W_IN - MARGIN_IN - px
    ph = pw * 9 / 16
    py = top + max((ch - ph) / 2 - 0.3, 0)
    _picture(slide, png, px, py, pw)
    _textbox(slide, px, py + ph + 0.1, pw, 0.9,
             ["Left: native PowerPoint chart (colours, labels and axes editable). Right: the figure as in the report."],
             12, color=GREY, italic=True)
    _textbox(slide, MARGIN_IN, top + ch + 0.05, cw, 0.5, ["Number at risk: see the figure."], 12, color=GREY,
             italic=True)
    return slide


# ---------------------------------------------------------------- slides
def _title_slide(prs, report: Report) -> None:
    slide = _blank(prs)
    w = SLIDE_W_IN - 2 * 0.9
    tpt = fit_font_size([report.title], w, 1.6, sizes=(40, 36, 32, 28, 24)) or 24
    _textbox(slide, 0.9, 1.6, w, 1.6, [report.title], tpt, bold=True, anchor_top=False)
    y = 3.3
    if report.subtitle:
        spt = fit_font_size([report.subtitle], w, 1.0, sizes=(24, 22, 20, 18, 16)) or 16
        _textbox(slide, 0.9, y, w, 1.0, [report.subtitle], spt, color=GREY)
        y += 1.0
    if report.created:
        _textbox(slide, 0.9, y, w, 0.5, [report.created], 18, color=GREY)
        y += 0.6
    if report.provenance:
        lines = [f"{k}: {v}" for k, v in report.provenance]
        h = SLIDE_H_IN - 0.3 - y
        pt = fit_font_size(lines, w, h, sizes=(12, 11, 10)) or 10
        _textbox(slide, 0.9, y, w, h, lines, pt, color=GREY, gap=0.1)
        _notes(slide, lines)


def _text_slides(prs, title: str, paras: list[str], *, bullets: bool, sizes, notes: list[str] | None = None):
    """Slides for ``paras`` at the largest size that fits; split over slides at the smallest
    size if they do not fit on one."""
    w = SLIDE_W_IN - 2 * MARGIN_IN
    h = SLIDE_H_IN - BODY_TOP_IN - 0.4
    indent = 0.3 if bullets else 0.0
    pt = fit_font_size(paras, w, h, sizes=sizes, gap=0.5, indent_in=indent)
    if pt is not None:
        groups = [paras]
    else:
        pt = sizes[-1]
        groups, cur = [], []
        for para in paras:
            if cur and _text_height(cur + [para], w, pt, 0.5 * pt, indent) > h:
                groups.append(cur)
                cur = []
            if _text_height([para], w, pt, 0.5 * pt, indent) > h:  # one paragraph longer than a slide
                words, chunk = para.split(), []
                for word in words:
                    if chunk and _text_height([" ".join(chunk + [word])], w, pt, 0, indent) > h:
                        groups.append([" ".join(chunk)])
                        chunk = []
                    chunk.append(word)
                cur = [" ".join(chunk)] if chunk else []
            else:
                cur.append(para)
        if cur:
            groups.append(cur)
    slides = []
    for k, g in enumerate(groups):
        slide = _blank(prs)
        t = title + (f" ({k + 1}/{len(groups)})" if len(groups) > 1 else "")
        top = _title(slide, t)
        _textbox(slide, MARGIN_IN, top, w, SLIDE_H_IN - top - 0.4, g, pt, bullets=bullets, gap=0.5)
        if notes:
            _notes(slide, notes)
        slides.append(slide)
    return slides


def _section_slides(prs, section: Section) -> None:
    figures = [b for b in section.blocks if isinstance(b, FigureBlock)]
    tables = [b for b in section.blocks if isinstance(b, TableBlock)]
    texts = [b for b in section.blocks if isinstance(b, TextBlock)]
    notes = [p for b in texts for p in paragraphs(b.text)]
    results = [p for b in texts if b.kind != "note" for p in paragraphs(b.text)]
    side = list(section.headline) or results
    first_slide = None
    for k, fig in enumerate(figures):
        png = figure_bytes(fig.figure, "png", size="slide", dpi=SLIDE_DPI)
        s = _figure_slide(prs, section, fig, png, side if k == 0 else [], first=k == 0)
        first_slide = first_slide or s
        if fig.curves:
            _chart_slide(prs, section, fig, png)
    for k, tab in enumerate(tables):
        subtitle = " · ".join(section.headline) if (not figures and k == 0 and section.headline) else ""
        if subtitle and fit_font_size([subtitle], SLIDE_W_IN - 2 * MARGIN_IN, 0.5, sizes=(16, 14, 12)) is None:
            subtitle = ""
        slides = _table_slides(prs, section, tab, subtitle)
        first_slide = first_slide or (slides[0] if slides else None)
    if first_slide is None and (section.headline or notes):
        paras = list(section.headline) + [p for p in results if p not in section.headline]
        slides = _text_slides(prs, section.title, paras or notes, bullets=bool(section.headline),
                              sizes=(24, 22, 20, 18, 16, 14))
        first_slide = slides[0] if slides else None
    if first_slide is not None and notes:
        existing = first_slide.notes_slide.notes_text_frame.text if first_slide.has_notes_slide else ""
        _notes(first_slide, [*notes, existing])


def report_pptx(report: Report) -> bytes:
    """``report`` as a 16:9 PPTX deck for a tumor board (bytes)."""
    from pptx import Presentation
    from pptx.util import Emu

    prs = Presentation()
    prs.slide_width = Emu(12_192_000)  # 13.333 in: PowerPoint's own 16:9 size
    prs.slide_height = Emu(6_858_000)  # 7.5 in
    prs.core_properties.title = report.title
    prs.core_properties.subject = report.subtitle
    prs.core_properties.author = "NELM Outcomes Explorer"
    _title_slide(prs, report)
    for section in report.sections:
        _section_slides(prs, section)
    if report.take_home:
        _text_slides(prs, "Take-home points", list(report.take_home), bullets=True,
                     sizes=(28, 26, 24, 22, 20, 18, 16, 14))
    if report.methods:
        paras = paragraphs(report.methods)
        _text_slides(prs, "Methods", paras, bullets=False, sizes=(16, 15, 14), notes=paras)
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()
