"""Figures rendered server-side for journals and slides: PNG (300/600 dpi), SVG and PDF.

The engine is plotly + kaleido 1.x, which drives a headless Chromium through choreographer.
It uses Debian's ``/usr/bin/chromium`` (``BROWSER_PATH``), the plotly.js bundled with plotly
and no MathJax, so nothing is fetched from the web.  One kaleido server is started per
process, on first use, and reused (the first figure takes a few seconds, later ones a
fraction of a second); calls are serialised because the server answers one at a time.

The figure keeps its on-screen look (same builder, same palette: Okabe–Ito colours paired
with dash patterns, so curves stay distinct in grayscale), with a journal theme applied:
white background, black axes, fonts that exist offline (Liberation Sans, metric-compatible
with Arial), type scaled to the physical size.  Sizes are the journals' column widths
(single 85 mm, double 170 mm) and a 16:9 slide; the Kaplan–Meier figure keeps its
number-at-risk rows and censor marks because they are part of the figure itself.
"""
from __future__ import annotations

import copy
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import plotly.graph_objects as go

from ...errors import InvalidValueError

__all__ = [
    "FigureSize", "SIZES", "FORMATS", "DPI_CHOICES", "EXPORT_FONT", "journal_theme", "figure_bytes",
    "figure_filename", "MIME",
]

MM_PER_INCH = 25.4
CSS_DPI = 96.0  # plotly's layout pixels are CSS pixels: 96 per inch


@dataclass(frozen=True)
class FigureSize:
    """A physical figure size: width (and default height) in millimetres, type size in points."""
    key: str
    label: str
    width_mm: float
    height_mm: float | None  # None: keep the figure's own aspect ratio
    font_pt: float

    @property
    def width_px(self) -> int:
        return round(self.width_mm / MM_PER_INCH * CSS_DPI)


SIZES = {
    "single": FigureSize("single", "Single journal column (85 mm)", 85.0, None, 7.5),
    "double": FigureSize("double", "Double journal column (170 mm)", 170.0, None, 9.0),
    "slide": FigureSize("slide", "Slide, 16:9 (254 × 143 mm)", 254.0, 254.0 * 9 / 16, 14.0),
}
FORMATS = ("png", "svg", "pdf")
DPI_CHOICES = (300, 600)
MIME = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
EXPORT_FONT = "Liberation Sans, Arial, Helvetica, DejaVu Sans, sans-serif"
_SCREEN_FONT_PX = 14.0
_DEFAULT_ASPECT = 0.62  # height / width of a figure that sets no height

_lock = threading.Lock()
_started = False


def _plotly_js() -> str:
    import plotly  # the bundled plotly.min.js: never the CDN default

    return (Path(plotly.__file__).parent / "package_data" / "plotly.min.js").as_uri()


def _server():
    """The process's one kaleido server (started on first use)."""
    global _started
    os.environ.setdefault("BROWSER_PATH", "/usr/bin/chromium")
    if not Path(os.environ["BROWSER_PATH"]).exists():
        raise InvalidValueError("Figures are drawn for download by the Chromium browser, which is not installed on "
                                "this computer (Debian: apt-get install chromium).")
    import kaleido  # deferred: starting Chromium is only for exports

    if not _started:
        kaleido.start_sync_server(plotlyjs=_plotly_js(), mathjax=False, silence_warnings=True)
        _started = True
    return kaleido


def _restart_server() -> None:
    global _started
    import kaleido

    try:
        kaleido.stop_sync_server(silence_warnings=True)
    finally:
        _started = False


def _scale_fonts(fig: go.Figure, factor: float, family: str) -> None:
    """Scale every explicit type size (layout, annotations, trace text) by ``factor``."""
    base = fig.layout.font.size or _SCREEN_FONT_PX
    fig.update_layout(font=dict(family=family, size=base * factor, color="#000000"))
    for ann in fig.layout.annotations or ():
        if ann.font is not None and ann.font.size:
            ann.font.size = ann.font.size * factor
        if ann.font is not None:
            ann.font.family = family
    for trace in fig.data:
        tf = getattr(trace, "textfont", None)
        if tf is not None and tf.size:
            tf.size = tf.size * factor
        if tf is not None and tf.family:
            tf.family = family
        line = getattr(trace, "line", None)
        if factor < 1 and line is not None and line.width:
            line.width = max(line.width * factor, 0.75)
    if fig.layout.title and fig.layout.title.font and fig.layout.title.font.size:
        fig.layout.title.font.size = fig.layout.title.font.size * factor
    if fig.layout.legend and fig.layout.legend.font and fig.layout.legend.font.size:
        fig.layout.legend.font.size = fig.layout.legend.font.size * factor


def journal_theme(fig: go.Figure, size: str = "double") -> tuple[go.Figure, int, int]:
    """A copy of ``fig`` in the journal theme at ``size``; returns (figure, width px, height px)."""
    if size not in SIZES:
        raise InvalidValueError(f"Unknown figure size {size!r}: choose one of {', '.join(SIZES)}.")
    spec = SIZES[size]
    out = go.Figure(copy.deepcopy(fig.to_dict()))
    factor = (spec.font_pt / 72.0 * CSS_DPI) / (out.layout.font.size or _SCREEN_FONT_PX)
    width = spec.width_px
    if spec.height_mm is not None:
        height = round(spec.height_mm / MM_PER_INCH * CSS_DPI)
    elif out.layout.height:
        # the figure's own height (e.g. curves + number-at-risk rows) at the new type size
        height = round(out.layout.height * factor)
    else:
        height = round(width * _DEFAULT_ASPECT)
    _scale_fonts(out, factor, EXPORT_FONT)
    m = out.layout.margin
    out.update_layout(
        width=width, height=height, paper_bgcolor="white", plot_bgcolor="white",
        margin=dict(l=(m.l or 70),  # room for the number-at-risk row labels
                    r=(m.r or 30) * factor, t=(m.t or 50) * factor,
                    b=(m.b or 60) * factor),
    )
    out.update_xaxes(linecolor="black", tickcolor="black", showgrid=False, zeroline=False)
    out.update_yaxes(linecolor="black", tickcolor="black", showgrid=False, zeroline=False)
    return out, width, height


def _set_png_dpi(png: bytes, dpi: int) -> bytes:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as im:
        buf = io.BytesIO()
        im.save(buf, format="PNG", dpi=(dpi, dpi), optimize=False)
    return buf.getvalue()


def figure_bytes(fig: go.Figure, fmt: str = "png", *, size: str = "double", dpi: int = 300) -> bytes:
    """``fig`` rendered as PNG (at ``dpi``, the dpi written in the file), SVG or PDF at a
    physical ``size`` ("single", "double", "slide")."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidValueError(f"Figures can be saved as {', '.join(f.upper() for f in FORMATS)}, not {fmt!r}.")
    if fmt == "png" and not (72 <= int(dpi) <= 1200):
        raise InvalidValueError(f"A resolution of {dpi} dpi is not offered: choose between 72 and 1200.")
    themed, width, height = journal_theme(fig, size)
    opts = dict(format=fmt, width=width, height=height, scale=(dpi / CSS_DPI) if fmt == "png" else 1)
    with _lock:
        try:
            out = _server().calc_fig_sync(themed, opts=opts)
        except Exception:  # noqa: BLE001 - its page can start without its scripts under load
            # ("ReferenceError: kaleido_scopes is not defined"): start the server again, once
            _restart_server()
            out = _server().calc_fig_sync(themed, opts=opts)
    if fmt == "png":
        out = _set_png_dpi(out, int(dpi))
    elif fmt == "svg" and isinstance(out, str):
        out = out.encode("utf-8")
    return out


def figure_filename(stem: str, fmt: str, *, size: str = "double", dpi: int = 300) -> str:
    """A file name that says what the file is: ``km_rfs_double_300dpi.png``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem).strip("_") or "figure"
    suffix = f"_{dpi}dpi" if fmt == "png" else ""
    return f"{safe}_{size}{suffix}.{fmt}"
