"""What leaves the dashboard: figures (PNG/SVG/PDF), tables (CSV/XLSX/DOCX), the report
(DOCX/HTML/PDF) and the tumor-board deck (PPTX).

Built from result objects and the presentation layer (number formats live in
:mod:`nelm_stats.report.format`, never in an exporter); no Streamlit.
"""
__all__: list[str] = []
