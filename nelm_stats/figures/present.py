"""Figures for projection (presentation mode): large type, and a dark-room theme.

:func:`presentation_figure` takes any figure of :mod:`nelm_stats.figures` and returns a copy with
every font scaled up (readable from the back of a tumor-board room) and, with ``dark=True``,
:func:`dark_theme` applied.  The dark theme keeps the Okabe–Ito palette of
:mod:`nelm_stats.figures.style` (colour-blind safe); only black and the dark greys of axes, text,
reference lines and error bars become light, so every curve keeps its colour and dash.
"""
from __future__ import annotations

import copy
import json

import plotly.graph_objects as go
import plotly.io as pio

from .style import FONT

__all__ = ["DARK_BACKGROUND", "DARK_TEXT", "dark_theme", "large_type", "presentation_figure"]

DARK_BACKGROUND = "#121212"
DARK_TEXT = "#EDEDED"
_DARK_LINES = "#BDBDBD"
# colours that would vanish on a dark background -> their light counterpart
_ON_DARK = {
    "#000000": "#FFFFFF", "black": "#FFFFFF", "#222222": DARK_TEXT, "#333333": DARK_TEXT, "#444444": _DARK_LINES,
    "#555555": _DARK_LINES, "#666666": _DARK_LINES, "#999999": "#9E9E9E",
    "#eeeeee": "#333333", "#EEEEEE": "#333333",
    "rgba(255,255,255,0.85)": "rgba(18,18,18,0.85)", "white": DARK_BACKGROUND, "#ffffff": DARK_BACKGROUND,
    "#FFFFFF": DARK_BACKGROUND,
}
_FONT_KEYS = {"font", "textfont", "tickfont", "insidetextfont", "outsidetextfont", "hoverlabel"}


def _as_figure(fig) -> go.Figure:
    return go.Figure(fig) if not isinstance(fig, go.Figure) else fig


def dark_theme(fig) -> go.Figure:
    """A copy of ``fig`` for a dark room: near-black background, light text, axes and reference
    lines; the data keep their colour-blind-safe colours (black curves become white)."""
    spec = _as_figure(fig).to_plotly_json()
    text = json.dumps(spec, default=str)
    for old, new in _ON_DARK.items():
        if old.startswith("#") or old.startswith("rgba"):
            text = text.replace(f'"{old}"', f'"{new}"').replace(f"color:{old}", f"color:{new}")
        else:
            text = text.replace(f'"{old}"', f'"{new}"')
    out = pio.from_json(text, skip_invalid=True)
    out.update_layout(  # the figure's own template stays (no grid lines added); only the colours change
        paper_bgcolor=DARK_BACKGROUND, plot_bgcolor=DARK_BACKGROUND,
        font=dict(color=DARK_TEXT), legend=dict(bgcolor="rgba(0,0,0,0)", font=dict(color=DARK_TEXT)),
    )
    out.update_xaxes(linecolor=_DARK_LINES, tickcolor=_DARK_LINES, gridcolor="#333333", zerolinecolor="#333333",
                     title_font_color=DARK_TEXT, tickfont_color=DARK_TEXT)
    out.update_yaxes(linecolor=_DARK_LINES, tickcolor=_DARK_LINES, gridcolor="#333333", zerolinecolor="#333333",
                     title_font_color=DARK_TEXT, tickfont_color=DARK_TEXT)
    for a in out.layout.annotations or ():
        if a.font is None or a.font.color in (None, "#222222", "#555555"):
            a.font.color = DARK_TEXT
    return out


def _scale_fonts(node, factor: float, parent: str = "") -> None:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "size" and parent in _FONT_KEYS and isinstance(value, (int, float)):
                node[key] = round(value * factor, 1)
            else:
                _scale_fonts(value, factor, key)
    elif isinstance(node, list):
        for item in node:
            _scale_fonts(item, factor, parent)


def large_type(fig, factor: float = 1.5) -> go.Figure:
    """A copy of ``fig`` with every font (titles, ticks, legend, annotations, numbers at risk)
    ``factor`` times larger, thicker lines, and room for the larger labels."""
    spec = copy.deepcopy(_as_figure(fig).to_plotly_json())
    layout = spec.setdefault("layout", {})
    layout.setdefault("font", {}).setdefault("size", FONT["size"])
    _scale_fonts(spec, factor)
    out = go.Figure(spec)
    for t in out.data:
        line = getattr(t, "line", None)
        if line is not None and getattr(line, "width", None):
            line.width = line.width * 1.4
    margin = out.layout.margin
    bottom = (margin.b or 60) * 1.2
    below = [a for a in out.layout.annotations or () if a.yshift is not None and a.yshift < 0]
    for a in below:  # labels under the x axis (forest plot: "lower / higher hazard") move down with the type
        a.yshift = a.yshift * factor
    if below:  # the x-axis title goes below them
        drop = abs(min(a.yshift for a in below))
        out.update_xaxes(title_standoff=int(drop * 0.8))
        bottom = max(bottom, drop + 70)
    out.update_layout(margin=dict(l=(margin.l or 70) * factor, r=(margin.r or 30), t=(margin.t or 50) * 1.2,
                                  b=bottom))
    if out.layout.height:
        out.update_layout(height=int(out.layout.height * 1.15))
    return out


def presentation_figure(fig, *, dark: bool = False, factor: float = 1.5) -> go.Figure:
    """``fig`` as projected: large type, and the dark-room theme when ``dark``."""
    out = large_type(fig, factor)
    return dark_theme(out) if dark else out
