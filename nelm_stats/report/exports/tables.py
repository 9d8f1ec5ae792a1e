"""Tables as files: CSV, XLSX (one formatted sheet per table) and DOCX (journal style).

Every cell arrives as display text from the presentation layer; the exporters only lay it
out.  Two rules protect whoever opens the file in a spreadsheet:

- text a spreadsheet would execute (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage
  return) is neutralised: prefixed with ``'`` (CSV and XLSX) and, in XLSX, written as an
  explicit string cell, never a formula;
- a cell whose display text is a plain number ("25", "0.42", "−1.3" with a Unicode minus) is a
  number, not text, in XLSX (its decimals kept by the cell's number format) — and a number is
  never "neutralised" (``-0.5`` stays ``-0.5``).

The DOCX table is a journal's: exactly three horizontal rules (above the header, below the
header, below the last row), no vertical lines, the title above and footnotes in small type
below.
"""
from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..document import TableBlock

__all__ = [
    "FORMULA_STARTS", "neutralise", "as_number", "indent_level", "table_csv", "tables_xlsx", "sheet_names",
    "new_docx_document", "add_docx_table", "table_docx",
]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[-\u2212]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_RESERVED_SHEETS = {"history"}
DOCX_FONT = "Arial"
DOCX_BODY_PT = 10.5
DOCX_TABLE_PT = 9
DOCX_NOTE_PT = 8
_RULE_HEAVY = 12  # eighths of a point: 1.5 pt above the header and below the last row
_RULE_LIGHT = 6  # 0.75 pt below the header


# ---------------------------------------------------------------- cell rules
def as_number(text) -> int | float | None:
    """The number a display cell shows, if it is just a number ("25", "0.42", "−1.3"), else
    None.  An integer written with a leading zero ("007", an identifier) stays text."""
    if not isinstance(text, str):
        return None
    s = text.strip()
    if not s or not _NUMBER.match(s):
        return None
    s = s.replace("\u2212", "-")
    digits = s.lstrip("-")
    if len(digits) > 1 and digits[0] == "0" and digits[1].isdigit():
        return None
    if re.fullmatch(r"-?\d+", s):
        v = int(s)
        return v if abs(v) < 10 ** 15 else None  # beyond a spreadsheet's 15 digits: keep the text
    v = float(s)
    return v if math.isfinite(v) else None


def neutralise(text: str) -> str:
    """Text a spreadsheet would read as a formula, prefixed with ``'``; numbers and other
    text unchanged."""
    if isinstance(text, str) and text.startswith(FORMULA_STARTS) and as_number(text) is None:
        return "'" + text
    return text


def _cell_text(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA or v is pd.NaT:
        return ""
    return str(v)


def _headers(frame: pd.DataFrame) -> list[str]:
    cols = frame.columns
    if isinstance(cols, pd.MultiIndex):
        return [" ".join(str(p) for p in c if str(p)) for c in cols]
    return [str(c) for c in cols]


def indent_level(text: str) -> tuple[int, str]:
    """A first-column label's indent (levels of leading spaces, as a view writes a category
    under its variable: "    female") and the label without them."""
    stripped = text.lstrip(" \u00a0")
    spaces = len(text) - len(stripped)
    return ((spaces + 3) // 4 if spaces else 0), stripped


def _rows(frame: pd.DataFrame) -> list[list[str]]:
    return [[_cell_text(v) for v in row] for row in frame.itertuples(index=False, name=None)]


# ---------------------------------------------------------------- CSV
def table_csv(block: TableBlock) -> bytes:
    """The table's display frame as CSV (UTF-8 with a byte-order mark, so Excel reads "–" and
    "≥"; comma-separated, CRLF line ends); just the grid — no title, no footnotes."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([neutralise(h) for h in _headers(block.frame)])
    for row in _rows(block.frame):
        w.writerow([neutralise(c) for c in row])
    return buf.getvalue().encode("utf-8-sig")


# ---------------------------------------------------------------- XLSX
def _legal_sheet(name: str, limit: int) -> str:
    name = _SHEET_BAD.sub(" ", name or "")
    name = " ".join(name.split()).strip("'").strip()
    name = name[:limit].rstrip().strip("'").rstrip()
    return name or "Table"


def sheet_names(blocks: Sequence[TableBlock]) -> list[str]:
    """A legal, unique sheet name per table (≤ 31 characters, room left for " data")."""
    base_limit = 31 - len(" data")
    out: list[str] = []
    taken: set[str] = set()
    for i, b in enumerate(blocks, start=1):
        base = _legal_sheet(b.title or b.key or f"Table {i}", base_limit)
        name, k = base, 2
        while name.lower() in taken or name.lower() in _RESERVED_SHEETS or (name + " data").lower() in taken:
            tail = f" ({k})"
            name = base[: base_limit - len(tail)].rstrip() + tail
            k += 1
        taken |= {name.lower(), (name + " data").lower()}
        out.append(name)
    return out


def _decimals(text: str) -> int:
    s = text.strip().lower().split("e")[0]
    return len(s.split(".", 1)[1]) if "." in s else 0


def _width(texts) -> float:
    longest = max((max((len(line) for line in t.split("\n")), default=0) for t in texts), default=0)
    return float(min(max(longest + 2, 6), 60))


def _write_text(ws, r, c, text, fmt=None):
    """A text cell, always a string cell (never a formula, never a number)."""
    ws.write_string(r, c, neutralise(text), fmt) if fmt is not None else ws.write_string(r, c, neutralise(text))


def _write_display_sheet(wb, ws, block: TableBlock, fmts) -> None:
    headers = _headers(block.frame)
    rows = _rows(block.frame)
    ncol = max(len(headers), 1)
    ws.write_string(0, 0, neutralise(block.title or block.key), fmts["title"])
    top = 2
    for c, h in enumerate(headers):
        _write_text(ws, top, c, h, fmts["header_first" if c == 0 else "header"])
    last = len(rows) - 1
    num_cache: dict[tuple[int, bool], object] = {}
    for i, row in enumerate(rows):
        r = top + 1 + i
        is_last = i == last
        for c, text in enumerate(row):
            v = as_number(text)
            if v is not None:
                key = (_decimals(text), is_last)
                if key not in num_cache:
                    props = {"num_format": "0" if key[0] == 0 else "0." + "0" * key[0], "align": "right"}
                    if is_last:
                        props["bottom"] = 2
                    num_cache[key] = wb.add_format(props)
                ws.write_number(r, c, v, num_cache[key])
            elif text == "":
                ws.write_blank(r, c, None, fmts["last" if is_last else "cell"])
            else:
                _write_text(ws, r, c, text, fmts["last" if is_last else "cell"])
    if not rows:  # a table without rows still ends in a rule
        for c in range(ncol):
            ws.write_blank(top + 1, c, None, fmts["last"])
    r = top + 1 + max(len(rows), 1) + 1
    for note in block.footnotes:
        ws.write_string(r, 0, neutralise(note), fmts["note"])
        r += 1
    for c in range(ncol):
        col_texts = [headers[c] if c < len(headers) else ""] + [row[c] for row in rows if c < len(row)]
        ws.set_column(c, c, _width(col_texts))
    ws.freeze_panes(top + 1, 0)


def _write_data_sheet(ws, data: pd.DataFrame, fmts) -> None:
    cols = [str(c) for c in data.columns]
    for c, h in enumerate(cols):
        _write_text(ws, 0, c, h, fmts["data_header"])
    widths = [len(h) for h in cols]
    for i, row in enumerate(data.itertuples(index=False, name=None), start=1):
        for c, v in enumerate(row):
            if v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v)):
                continue
            if isinstance(v, (bool, np.bool_)):
                ws.write_boolean(i, c, bool(v))
                shown = 5
            elif isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(float(v)):
                ws.write_number(i, c, float(v) if isinstance(v, (float, np.floating)) else int(v))
                shown = min(len(repr(float(v))), 12)
            else:
                text = str(v)
                _write_text(ws, i, c, text)
                shown = len(text)
            widths[c] = max(widths[c], shown)
    for c, w in enumerate(widths):
        ws.set_column(c, c, float(min(max(w + 2, 6), 50)))
    ws.freeze_panes(1, 0)


def tables_xlsx(blocks: Sequence[TableBlock]) -> bytes:
    """An XLSX workbook with one formatted sheet per table (title in bold on top, header row
    bold with rules, fitted column widths, footnotes under the table; plain numbers as
    numbers) and, for a table with tidy ``data``, a second sheet "<name> data"."""
    import xlsxwriter  # deferred: only for exports

    blocks = list(blocks)
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {
        "in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
        "strings_to_urls": False, "nan_inf_to_errors": False,
    })
    font = {"font_name": "Arial", "font_size": 10}
    fmts = {
        "title": wb.add_format({**font, "bold": True, "font_size": 12}),
        "header_first": wb.add_format({**font, "bold": True, "top": 2, "bottom": 1, "text_wrap": False}),
        "header": wb.add_format({**font, "bold": True, "top": 2, "bottom": 1, "align": "right"}),
        "cell": wb.add_format(font),
        "last": wb.add_format({**font, "bottom": 2}),
        "note": wb.add_format({**font, "italic": True, "font_size": 9}),
        "data_header": wb.add_format({**font, "bold": True, "bottom": 1}),
    }
    if not blocks:
        wb.add_worksheet("Tables").write_string(0, 0, "No tables.")
    for name, block in zip(sheet_names(blocks), blocks):
        ws = wb.add_worksheet(name)
        _write_display_sheet(wb, ws, block, fmts)
        if block.data is not None:
            _write_data_sheet(wb.add_worksheet(name + " data"), block.data, fmts)
    wb.close()
    return buf.getvalue()


# ---------------------------------------------------------------- DOCX
def new_docx_document():
    """A blank A4 document (2 cm margins) with the report's type: Arial, 10.5 pt body."""
    from docx import Document  # deferred: only for exports
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.left_margin = sec.right_margin = Cm(2.0)
    sec.top_margin = sec.bottom_margin = Cm(2.0)
    styles = doc.styles
    for name, size in (("Normal", DOCX_BODY_PT), ("Title", 22), ("Subtitle", 13), ("Heading 1", 14),
                       ("Heading 2", 12), ("Caption", 9), ("List Bullet", DOCX_BODY_PT)):
        try:
            st = styles[name]
        except KeyError:
            continue
        st.font.name = DOCX_FONT
        st.font.size = Pt(size)
        rpr = st.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = rpr.makeelement(qn("w:rFonts"), {})
            rpr.append(rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attr), DOCX_FONT)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attr), None)
        if name.startswith("Heading") or name in ("Title", "Subtitle"):
            st.font.color.rgb = RGBColor(0, 0, 0)
    styles["Normal"].paragraph_format.space_after = Pt(4)
    styles["Caption"].font.italic = False
    return doc


def _border_el(tag: str, val: str, size: int | None = None):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    el = OxmlElement(tag)
    el.set(qn("w:val"), val)
    if val != "nil":
        el.set(qn("w:sz"), str(size))
        el.set(qn("w:space"), "0")
        el.set(qn("w:color"), "000000")
    return el


def _set_table_borders(table) -> None:
    """Top and bottom rules on the table, nothing else (no inside or vertical lines)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tblPr = table._tbl.tblPr
    for old in tblPr.findall(qn("w:tblBorders")):
        tblPr.remove(old)
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if side in ("top", "bottom"):
            borders.append(_border_el(f"w:{side}", "single", _RULE_HEAVY))
        else:
            borders.append(_border_el(f"w:{side}", "nil"))
    # schema order: tblStyle, tblpPr, tblOverlap, bidiVisual, tblStyleRowBandSize,
    # tblStyleColBandSize, tblW, jc, tblCellSpacing, tblInd, tblBorders, shd, tblLayout, ...
    anchor = None
    for tag in ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription"):
        anchor = tblPr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(borders)
    else:
        tblPr.append(borders)


def _rule_below(cell) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tcPr = cell._tc.get_or_add_tcPr()
    tcb = OxmlElement("w:tcBorders")
    tcb.append(_border_el("w:bottom", "single", _RULE_LIGHT))
    # tcBorders follows tcW / gridSpan / vMerge in tcPr
    anchor = None
    for tag in ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"):
        anchor = tcPr.find(qn(tag))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(tcb)
    else:
        tcPr.append(tcb)


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


def _fill(cell, text: str, *, bold: bool = False, align=None, size_pt: float = DOCX_TABLE_PT,
          indent: bool = False) -> None:
    from docx.shared import Pt

    p = cell.paragraphs[0]
    if indent:
        level, text = indent_level(text)
        if level:
            p.paragraph_format.left_indent = Pt(9 * level)
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(1)
    if align is not None:
        p.alignment = align
    lines = text.split("\n")
    for k, line in enumerate(lines):
        run = p.add_run(line)
        run.font.size = Pt(size_pt)
        run.bold = bold
        if k < len(lines) - 1:
            run.add_break()


def add_docx_table(document, block: TableBlock):
    """Append ``block`` to a python-docx ``document`` in journal style (bold title above,
    three horizontal rules, footnotes in small type below); returns the docx table."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    headers = _headers(block.frame)
    rows = _rows(block.frame)
    ncol = max(len(headers), 1)
    if block.title:
        p = document.add_paragraph()
        p.paragraph_format.keep_with_next = True
        p.paragraph_format.space_before = Pt(8)
        p.paragraph_format.space_after = Pt(3)
        run = p.add_run(block.title)
        run.bold = True
        run.font.size = Pt(DOCX_BODY_PT)
    table = document.add_table(rows=1 + len(rows), cols=ncol)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = True
    _set_table_borders(table)
    all_rows = table.rows
    head = all_rows[0]
    _repeat_header(head)
    for c, cell in enumerate(head.cells):
        _fill(cell, headers[c] if c < len(headers) else "", bold=True,
              align=WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER)
        _rule_below(cell)
    for i, row in enumerate(rows, start=1):
        cells = all_rows[i].cells
        for c, cell in enumerate(cells):
            _fill(cell, row[c] if c < len(row) else "", indent=c == 0,
                  align=WD_ALIGN_PARAGRAPH.LEFT if c == 0 else WD_ALIGN_PARAGRAPH.CENTER)
    for k, note in enumerate(block.footnotes):
        p = document.add_paragraph()
        p.paragraph_format.space_before = Pt(3 if k == 0 else 0)
        p.paragraph_format.space_after = Pt(0)
        run = p.add_run(note)
        run.font.size = Pt(DOCX_NOTE_PT)
    if block.footnotes:
        document.paragraphs[-1].paragraph_format.space_after = Pt(8)
    return table


def table_docx(block: TableBlock) -> bytes:
    """One table as a DOCX file (journal style, see :func:`add_docx_table`)."""
    doc = new_docx_document()
    add_docx_table(doc, block)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
