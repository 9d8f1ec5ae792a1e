"""Tables, report and deck exports, each opened with its own library and checked for content.

CSV (pandas), XLSX (openpyxl), DOCX (python-docx), PPTX (python-pptx), HTML (Chromium through
Playwright with every request that is not a file or data URL aborted and logged) and PDF
(pdftoppm).  The report is built by hand from real nelm_stats results (Table 1, Kaplan–Meier,
log-rank) plus a table of hostile cells, and also by ``report.analysis.build_report``.
"""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.figures.km import km_figure
from nelm_stats.report import narrative as nv
from nelm_stats.report.document import CurveSeries, FigureBlock, Report, Section, TableBlock, TextBlock
from nelm_stats.report.exports import html_report
from nelm_stats.report.exports.docx_report import FIGURE_WIDTH_CM, report_docx
from nelm_stats.report.exports.html_report import ExportUnavailableError, report_html, report_pdf
from nelm_stats.report.exports.pptx_deck import MAX_TABLE_ROWS, TABLE_MIN_PT, report_pptx
from nelm_stats.report.exports.tables import (
    as_number, indent_level, neutralise, sheet_names, table_csv, table_docx, tables_xlsx,
)

CHROMIUM = "/usr/bin/chromium"

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HOSTILE = ["=1+1", "+cmd", "-2+3", "@SUM(A1)", "\tx", "\rcr"]


# ---------------------------------------------------------------- the report
def _curves(km) -> tuple[CurveSeries, ...]:
    out = []
    for g in km.medians["group"]:
        c = km.curve[km.curve["group"] == g]
        t = np.concatenate([[0.0], c["time"].to_numpy(float)])
        s = np.concatenate([[1.0], c["survival"].to_numpy(float)])
        out.append(CurveSeries(nv.display_label(g), tuple(np.repeat(t, 2)[1:]), tuple(np.repeat(s, 2)[:-1])))
    return tuple(out)


def _hostile_block() -> TableBlock:
    frame = pd.DataFrame({
        "Label": HOSTILE + ["plain", "    indented"],
        "Count": ["25", "0.42", "\u22121.3", "-0.5", "007", "1e3", "–", "12.50"],
        "Note": ["ok"] * 6 + ["≥ 5 – yes", ""],
    })
    return TableBlock("hostile", "Cells a spreadsheet would run", frame, ("A footnote naming the test.",))


@pytest.fixture(scope="module")
def cohort():
    return ns.load_sample("icg_lpsh")


@pytest.fixture(scope="module")
def report(cohort) -> Report:
    d = cohort
    t1 = ns.table_one(d, "icg", ["age", "sex", "grade", "ki67", "lesion_count"])
    km = ns.kaplan_meier(d, "rfs_months", "rfs_event", "icg")
    lr = ns.logrank_test(d, "rfs_months", "rfs_event", "icg")
    medians = nv.medians_view(km.medians, "months").astype(str)  # display text, as the document model wants
    long_frame = pd.DataFrame({"Patient": [f"P{i:03d}" for i in range(30)],
                               "Months": [f"{x:.1f}" for x in d["rfs_months"].head(30)]})
    sections = (
        Section("table_one", "Baseline characteristics", (
            TableBlock("table_one", "Table 1. Baseline characteristics by ICG", t1.formatted(),
                       tuple(t1.footnotes()), t1.table),
        )),
        Section("survival", "Recurrence-free survival", (
            FigureBlock("km", "Recurrence-free survival by ICG", km_figure(km, test=lr),
                        "Kaplan–Meier estimate; numbers at risk below the axis.", _curves(km),
                        "Months since surgery", "Recurrence-free survival"),
            TableBlock("medians", "Median recurrence-free survival", medians, ("Log-rank test.",), km.medians),
            TextBlock(f"Median RFS was {medians.iloc[1, 3]} months with ICG; {nv.fmt_p(lr.p_value)}.", "results"),
            TextBlock("Few events in one group: read with care.", "note"),
        ), headline=(f"Log-rank {nv.fmt_p(lr.p_value)}",)),
        Section("checks", "Checks", (_hostile_block(),
                                      TableBlock("long", "A long listing", long_frame))),
    )
    return Report("Outcomes after liver resection", "icg_lpsh · 51 patients", sections,
                  "Survival was estimated with the Kaplan–Meier method.\n\nGroups were compared with the log-rank test.",
                  take_home=("ICG: longer median RFS.", "Margins similar."),
                  provenance=(("Software", "nelm_stats test"), ("Data", "icg_lpsh, fingerprint abc")),
                  created="2026-01-01")


@pytest.fixture(scope="module")
def chromium():
    """Figures are rendered by kaleido in Debian's chromium: skipped without it, required in CI."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing")
        pytest.skip(f"{CHROMIUM} not installed")
    return CHROMIUM


# ---------------------------------------------------------------- cell rules
def test_numbers_and_formulas():
    assert as_number("25") == 25 and as_number("0.42") == 0.42 and as_number("\u22121.3") == -1.3
    assert as_number("-0.5") == -0.5 and as_number("007") is None and as_number("0.722ᵃ") is None
    assert as_number("–") is None and as_number("") is None
    for bad in HOSTILE:
        assert neutralise(bad) == "'" + bad
    assert neutralise("-0.5") == "-0.5" and neutralise("≥ 5") == "≥ 5"
    assert indent_level("    female") == (1, "female") and indent_level("G1") == (0, "G1")


def test_csv_has_bom_neutralised_cells_and_round_trips():
    block = _hostile_block()
    raw = table_csv(block)
    assert raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    assert "Cells a spreadsheet" not in text and "footnote" not in text
    back = pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(back.columns) == list(block.frame.columns)
    assert back["Label"].tolist()[:6] == ["'" + h for h in HOSTILE]
    assert back["Count"].tolist() == block.frame["Count"].tolist()  # numbers untouched, "-0.5" too
    assert back["Note"].tolist() == block.frame["Note"].tolist()
    for cell in back.to_numpy().ravel():
        assert not cell.startswith(("=", "+", "@", "\t", "\r")) and (not cell.startswith("-") or as_number(cell) is not None)


def test_csv_of_table_one_equals_the_view(report):
    block = report.tables()[0]
    back = pd.read_csv(io.BytesIO(table_csv(block)), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(back, block.frame.astype(str).reset_index(drop=True), check_dtype=False)


# ---------------------------------------------------------------- XLSX
def test_xlsx_sheets_numbers_and_strings(report):
    import openpyxl

    blocks = report.tables()
    wb = openpyxl.load_workbook(io.BytesIO(tables_xlsx(blocks)))
    names = sheet_names(blocks)
    expected = []
    for n, b in zip(names, blocks):
        expected += [n] + ([n + " data"] if b.data is not None else [])
    assert wb.sheetnames == expected
    assert all(len(n) <= 31 and not re.search(r"[\[\]:*?/\\]", n) for n in wb.sheetnames)
    assert len({n.lower() for n in wb.sheetnames}) == len(wb.sheetnames)

    ws = wb[names[2]]  # the hostile table
    assert ws["A1"].value == "Cells a spreadsheet would run" and ws["A1"].font.b
    header = [c.value for c in ws[3]][:3]
    assert header == ["Label", "Count", "Note"]
    assert all(c.font.b and c.border.bottom.style for c in ws[3][:3])
    labels = [ws.cell(4 + i, 1) for i in range(8)]
    for cell, bad in zip(labels, HOSTILE):
        assert cell.data_type == "s" and isinstance(cell.value, str)
        assert not cell.value.startswith(("=", "+", "-", "@", "\t", "\r"))
        # (a carriage return is stored as Excel's escape _x000D_, which openpyxl leaves as is)
        assert cell.value.replace("_x000D_", "\r") == "'" + bad
    counts = [ws.cell(4 + i, 2).value for i in range(8)]
    assert counts[:4] == [25, 0.42, -1.3, -0.5] and all(isinstance(v, (int, float)) for v in counts[:4])
    assert counts[4] == "007" and counts[5] == 1000 and counts[6] == "–" and counts[7] == 12.5
    assert ws.cell(4 + 7, 2).number_format == "0.00"  # "12.50" keeps its decimals
    assert ws.cell(4 + 6, 3).value == "≥ 5 – yes"
    assert ws.cell(4 + 7, 1).border.bottom.style  # rule below the last row
    assert any(c.value == "A footnote naming the test." for c in ws["A"])
    assert ws.column_dimensions["A"].width >= len("Label") and ws.column_dimensions["C"].width >= len("≥ 5 – yes")
    # no formula anywhere
    for sheet in wb.worksheets:
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f"


def test_xlsx_table_one_numbers_equal_the_api(report):
    import openpyxl

    block = report.tables()[0]
    wb = openpyxl.load_workbook(io.BytesIO(tables_xlsx([block])))
    ws, data = wb.worksheets[0], wb.worksheets[1]
    grid = [[c.value for c in row] for row in ws.iter_rows(min_row=4, max_row=3 + len(block.frame),
                                                               max_col=block.frame.shape[1])]
    shown = [["" if v is None else (v if isinstance(v, str) else format(v, "g")) for v in r] for r in grid]
    assert [r[0] for r in shown] == list(block.frame.iloc[:, 0])
    # SMD column: numbers, equal to the text shown
    smd = [v for v in (r[-1] for r in grid) if v is not None]
    assert smd and all(isinstance(v, float) for v in smd)
    assert [round(v, 2) for v in smd] == [float(s) for s in block.frame.iloc[:, -1] if s]
    # the data sheet: the tidy numbers, as numbers
    head = [c.value for c in data[1]]
    assert head == [str(c) for c in block.data.columns]
    col = head.index("p_value") + 1
    got = [data.cell(r, col).value for r in range(2, 2 + len(block.data))]
    want = block.data["p_value"].tolist()
    for g, w in zip(got, want):
        assert (g is None and pd.isna(w)) or g == pytest.approx(w, rel=1e-12)


# ---------------------------------------------------------------- DOCX table
def _borders(el, tag):
    b = el.find(f"{W_NS}{tag}")
    return {} if b is None else {c.tag.replace(W_NS, ""): c.get(f"{W_NS}val") for c in b}


def test_docx_table_is_journal_style(report):
    import docx

    block = report.tables()[0]
    doc = docx.Document(io.BytesIO(table_docx(block)))
    assert len(doc.tables) == 1
    t = doc.tables[0]
    assert [c.text for c in t.rows[0].cells] == list(block.frame.columns)
    body = [[c.text for c in row.cells] for row in t.rows[1:]]
    want = [[indent_level(v)[1] if j == 0 else v for j, v in enumerate(r)] for r in block.frame.to_numpy().tolist()]
    assert body == want
    # three rules: table top and bottom, below the header cells; nothing vertical, nothing inside
    tb = _borders(t._tbl.tblPr, "tblBorders")
    assert tb == {"top": "single", "left": "nil", "bottom": "single", "right": "nil", "insideH": "nil", "insideV": "nil"}
    for c in t.rows[0].cells:
        assert _borders(c._tc.tcPr, "tcBorders") == {"bottom": "single"}
    for row in t.rows[1:]:
        for c in row.cells:
            assert c._tc.tcPr is None or c._tc.tcPr.find(f"{W_NS}tcBorders") is None
    paras = [p.text for p in doc.paragraphs if p.text]
    assert paras[0] == block.title
    assert paras[1:] == list(block.footnotes)
    assert all(r.font.size.pt == 8 for p in doc.paragraphs[-len(block.footnotes):] for r in p.runs)
    # the indented level rows ("    female") are indented, not padded with spaces
    female = next(r for r in t.rows if r.cells[0].text == "female")
    assert female.cells[0].paragraphs[0].paragraph_format.left_indent is not None


# ---------------------------------------------------------------- DOCX report
@pytest.fixture(scope="module")
def docx_bytes(report, chromium):
    return report_docx(report)


def test_docx_report_content(report, docx_bytes):
    import docx
    from PIL import Image

    doc = docx.Document(io.BytesIO(docx_bytes))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == report.title and report.subtitle in texts and report.created in texts
    assert any("fingerprint abc" in t for t in texts)
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.title for s in report.sections] + ["Methods", "Take-home points"]
    assert len(doc.tables) == len(report.tables())
    for t, block in zip(doc.tables, report.tables()):
        assert [c.text for c in t.rows[0].cells] == [str(c) for c in block.frame.columns]
        assert [c.text for c in t.rows[1].cells][1:] == list(block.frame.iloc[0, 1:])
        assert len(t.rows) == 1 + len(block.frame)
    assert "Median RFS was" in "\n".join(texts)
    note = next(p for p in doc.paragraphs if p.text.startswith("Few events"))
    assert all(r.italic for r in note.runs)
    assert "Groups were compared with the log-rank test." in texts
    assert [p.text for p in doc.paragraphs if p.style.name == "List Bullet"] == list(report.take_home)
    assert doc.styles["Normal"].font.size.pt == 10.5
    # the figure: 17 cm wide, a 300-dpi PNG of that width
    shapes = doc.inline_shapes
    assert len(shapes) == len(report.figures()) == 1
    assert abs(shapes[0].width.cm - FIGURE_WIDTH_CM) < 0.01
    blob = shapes[0]._inline.graphic.graphicData.pic.blipFill.blip.embed
    img = doc.part.related_parts[blob].blob
    with Image.open(io.BytesIO(img)) as im:
        assert im.format == "PNG"
        assert tuple(round(v) for v in im.info["dpi"]) == (300, 300)
        assert abs(im.width - 170 / 25.4 * 300) < 15
    assert "Kaplan–Meier estimate; numbers at risk below the axis." in texts


# ---------------------------------------------------------------- PPTX
@pytest.fixture(scope="module")
def deck(report, chromium):
    from pptx import Presentation

    return Presentation(io.BytesIO(report_pptx(report)))


def _slide_texts(slide):
    return [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]


def test_pptx_is_16_9_with_title_and_take_home(deck, report):
    assert (deck.slide_width, deck.slide_height) == (12192000, 6858000)
    assert abs(deck.slide_width / deck.slide_height - 16 / 9) < 1e-3
    first = _slide_texts(deck.slides[0])
    assert report.title in first and report.subtitle in first and report.created in first
    take = next(s for s in deck.slides if "Take-home points" in _slide_texts(s))
    assert any(all(t in txt for t in report.take_home) for txt in _slide_texts(take))
    assert any("Methods" in _slide_texts(s) for s in deck.slides)
    # nothing outside the slide
    for s in deck.slides:
        for sh in s.shapes:
            assert sh.left >= 0 and sh.top >= 0
            assert sh.left + sh.width <= deck.slide_width + 1 and sh.top + sh.height <= deck.slide_height + 1, sh.name


def test_pptx_native_tables_equal_the_frames(deck, report):
    tables = [sh for s in deck.slides for sh in s.shapes if sh.has_table]
    for block in report.tables():
        mine = [sh.table for sh in tables if [c.text for c in sh.table.rows[0].cells] == [str(c) for c in block.frame.columns]]
        assert mine, block.key
        # (python-pptx stores a carriage return as the escape _x000D_, which PowerPoint reads back)
        body = [[c.text.replace("_x000D_", "\r") for c in row.cells] for t in mine for row in list(t.rows)[1:]]
        assert body == block.frame.astype(str).to_numpy().tolist()
        for t in mine:
            assert len(t.rows) - 1 <= MAX_TABLE_ROWS
            sizes = [r.font.size.pt for row in t.rows for c in row.cells for p in c.text_frame.paragraphs for r in p.runs]
            assert min(sizes) >= TABLE_MIN_PT
    long = [sh for sh in tables if sh.table.cell(0, 0).text == "Patient"]
    assert len(long) == 3  # 30 rows over slides of at most 12


def test_pptx_native_km_chart_and_picture(deck, report):
    from pptx.enum.chart import XL_CHART_TYPE

    fig = report.figures()[0]
    charts = [sh.chart for s in deck.slides for sh in s.shapes if sh.has_chart]
    assert len(charts) == 1
    chart = charts[0]
    assert chart.chart_type == XL_CHART_TYPE.XY_SCATTER_LINES_NO_MARKERS
    series = list(chart.plots[0].series)
    assert [s.name for s in series] == [c.name for c in fig.curves]
    for s, c in zip(series, fig.curves):
        assert list(s.values) == pytest.approx(list(c.y), abs=0)
        xs = [float(v.text) for v in s._element.xpath("./c:xVal//c:v")]
        assert xs == pytest.approx(list(c.x), abs=0)
    assert chart.value_axis.minimum_scale == 0 and chart.value_axis.maximum_scale == 1
    assert chart.value_axis.tick_labels.number_format == "0%"
    assert chart.value_axis.axis_title.text_frame.text == fig.y_title
    assert chart.category_axis.axis_title.text_frame.text == fig.x_title
    assert chart.has_legend
    slide = next(s for s in deck.slides if any(sh.has_chart for sh in s.shapes))
    pics = [sh for sh in slide.shapes if sh.shape_type == 13]
    assert len(pics) == 1  # the picture beside the chart
    fig_slide = next(s for s in deck.slides if "Recurrence-free survival" in _slide_texts(s) and not any(sh.has_chart for sh in s.shapes))
    assert any(sh.shape_type == 13 for sh in fig_slide.shapes)
    assert any("Log-rank" in t for t in _slide_texts(fig_slide))  # the headline beside the figure
    from PIL import Image

    with Image.open(io.BytesIO(pics[0].image.blob)) as im:
        assert im.width >= 1900  # 254 mm at 200 dpi


# ---------------------------------------------------------------- HTML and PDF
@pytest.fixture(scope="module")
def html_text(report, chromium):
    return report_html(report)


def test_html_is_self_contained(html_text, report):
    low = html_text.lower()
    assert "<script" not in low and "<link" not in low and "@import" not in low
    assert not re.search(r"url\(\s*['\"]?https?:", low)
    assert not re.search(r"(src|href)\s*=\s*['\"]?https?:", low)
    assert html_text.count("<table") == len(report.tables())
    assert "&lt;" not in report.title and "=1+1" in html_text  # shown as text


@pytest.mark.browser
def test_html_offline_in_chromium(html_text, report, tmp_path, browser):
    path = tmp_path / "report.html"
    path.write_text(html_text, encoding="utf-8")
    blocked = []
    ctx = browser.new_context(viewport={"width": 1200, "height": 900})
    page = ctx.new_page()

    def route(r):
        url = r.request.url
        if url.startswith(("file:", "data:")):
            r.continue_()
        else:
            blocked.append(url)
            r.abort()

    page.route("**/*", route)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    box = page.locator("figure svg").first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 200
    assert page.locator("table.journal").count() == len(report.tables())
    first = [t.strip() for t in page.locator("table.journal").first.locator("th").all_inner_texts()]
    assert first == list(report.tables()[0].frame.columns)
    rules = page.evaluate("""() => {
        const t = document.querySelector('table.journal');
        const th = getComputedStyle(t.querySelector('thead th'));
        const last = getComputedStyle(t.querySelector('tbody tr:last-child td'));
        const mid = getComputedStyle(t.querySelector('tbody tr td'));
        return [th.borderTopStyle, th.borderBottomStyle, last.borderBottomStyle, mid.borderLeftStyle, mid.borderBottomStyle];
    }""")
    assert rules == ["solid", "solid", "solid", "none", "none"]
    ctx.close()
    assert blocked == []


def test_pdf_without_chromium_says_so(report, monkeypatch):
    monkeypatch.setattr(html_report, "chromium_path", lambda: None)
    with pytest.raises(ExportUnavailableError, match="Chromium"):
        report_pdf(report)
    assert issubclass(ExportUnavailableError, ns.AnalysisError)


@pytest.mark.browser
def test_pdf_pages(report, chromium, tmp_path):
    pdf = report_pdf(report)
    assert pdf.startswith(b"%PDF")
    assert re.search(rb"/MediaBox\s*\[0 0 59[45]\.\d+ 84[12]\.\d+\]", pdf)  # A4
    if shutil.which("pdftoppm") is None:
        if os.environ.get("CI"):
            pytest.fail("pdftoppm is missing: .ci/run must install Debian's poppler-utils")
        pytest.skip("pdftoppm (poppler-utils) not installed")
    (tmp_path / "r.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert len(pages) >= 2
    from PIL import Image

    with Image.open(pages[0]) as im:
        assert abs(im.width / im.height - 210 / 297) < 0.01
        assert im.convert("L").getextrema()[0] < 50  # ink on the title page


# ---------------------------------------------------------------- the real report
@pytest.fixture(scope="module")
def built(cohort, chromium):
    analysis = pytest.importorskip("nelm_stats.report.analysis")
    return analysis, analysis.build_report(analysis.run_analysis(cohort), dataset="icg_lpsh")


def test_build_report_exports(built, cohort):
    import docx
    import openpyxl
    from pptx import Presentation

    analysis, rep = built
    blocks = rep.tables()
    assert blocks
    doc = docx.Document(io.BytesIO(report_docx(rep)))
    assert len(doc.tables) == len(blocks)
    assert len(doc.inline_shapes) == len(rep.figures())
    prs = Presentation(io.BytesIO(report_pptx(rep)))
    n_charts = sum(sh.has_chart for s in prs.slides for sh in s.shapes)
    assert n_charts == sum(1 for f in rep.figures() if f.curves)
    wb = openpyxl.load_workbook(io.BytesIO(tables_xlsx(blocks)))
    assert len(wb.sheetnames) == len(blocks) + sum(b.data is not None for b in blocks)
    html = report_html(rep)
    assert "<script" not in html.lower()
    # numbers in the survival table equal the API's
    surv = rep.section("survival")
    if surv is not None:
        km = ns.kaplan_meier(cohort, "rfs_months", "rfs_event", "icg")
        table = next(b for b in surv.blocks if isinstance(b, TableBlock))
        t = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == [str(c) for c in table.frame.columns])
        patients = [int(row.cells[1].text) for row in t.rows[1:]]
        assert patients == km.medians["n"].astype(int).tolist()
        ws = wb[sheet_names(blocks)[blocks.index(table)]]
        assert [ws.cell(4 + i, 2).value for i in range(len(km.medians))] == km.medians["n"].astype(int).tolist()


def test_docx_zip_is_valid(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as z:
        assert z.testzip() is None
        assert "word/document.xml" in z.namelist()


def test_a_figure_is_drawn_again_when_the_chart_server_fails_once(monkeypatch):
    """Under load kaleido's page can start without its scripts ("kaleido_scopes is not defined"):
    the server is started again and the figure drawn, once."""
    import kaleido
    import plotly.graph_objects as go

    from nelm_stats.report.exports import figures as fx

    fig = go.Figure(go.Scatter(x=[1, 2], y=[1, 2]))
    fx.figure_bytes(fig, "svg")  # the server is up
    real, calls = kaleido.calc_fig_sync, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("ReferenceError: kaleido_scopes is not defined")
        return real(*args, **kwargs)

    monkeypatch.setattr(kaleido, "calc_fig_sync", flaky)
    assert fx.figure_bytes(fig, "svg").lstrip().startswith(b"<svg")
    assert len(calls) == 2


def test_report_keeps_figure_recipes_and_draws_them_when_asked(built, cohort, monkeypatch):
    """Composing the report draws no figure (0.1 s each at 100 000 patients): each figure block keeps
    its recipe, which pickles (a cached report) and draws the same figure as the builder called
    directly."""
    import pickle

    from nelm_stats.report.document import FigureRecipe

    from nelm_stats.figures.balance import love_plot
    from nelm_stats.figures.forest import forest_figure

    analysis, rep = built
    results = analysis.run_analysis(cohort)
    figures = {b.key: b for s in rep.sections for b in s.blocks if isinstance(b, FigureBlock)}
    assert set(figures) == {"km", "forest", "love"}
    for b in figures.values():
        assert isinstance(b.recipe, FigureRecipe)
        again = pickle.loads(pickle.dumps(b))
        assert again.figure.to_plotly_json() == b.recipe.builder(*b.recipe.args, **dict(b.recipe.kwargs)).to_plotly_json()
    # the recipes keep what is drawn, not the patients behind it: the same figures as from the results
    assert figures["forest"].figure.to_plotly_json() == forest_figure(results.cox).to_plotly_json()
    assert figures["love"].figure.to_plotly_json() == love_plot(results.matched).to_plotly_json()
    (matched,) = figures["love"].recipe.args
    assert matched.matched.empty and matched.propensity.empty and len(results.matched.matched) > 0
    (rft,) = figures["forest"].recipe.args
    assert all(m is None or m._fit is None for m in (*rft.screen.models, rft.model))
    # composing the report calls no figure builder
    calls = []
    for name in ("km_figure", "forest_figure", "love_plot"):
        monkeypatch.setattr(analysis, name, lambda *a, _n=name, **k: calls.append(_n))
    rep2 = analysis.build_report(analysis.run_analysis(cohort), dataset="icg_lpsh")
    assert calls == []
    assert len([b for s in rep2.sections for b in s.blocks if isinstance(b, FigureBlock)]) == len(figures)
