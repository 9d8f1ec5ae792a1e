"""Scaled Schoenfeld residuals against time, one covariate at a time (the picture of cox.zph).

A roughly flat smooth around the line of the model's estimate means a constant hazard
ratio; a trend means the effect changes over follow-up.  Takes the DataFrames of
``nelm_stats.schoenfeld_residuals`` and ``nelm_stats.cox.schoenfeld_trend``.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from ..estimators.cox import CoxResult
from ..report.format import fmt_p
from .style import base_layout, colour

__all__ = [
    "schoenfeld_figure", "WEBGL_POINTS",
]

WEBGL_POINTS = 1000  # above this many residuals the points are drawn with WebGL


def schoenfeld_figure(model: CoxResult, residuals: pd.DataFrame, trend: pd.DataFrame, term: str,
                      zph: pd.DataFrame | None = None, label: str | None = None,
                      time_label: str = "Time (months)") -> go.Figure:
    """Residuals (points), lowess smooth (line) and the model's constant effect (dashed)."""
    part = residuals[residuals["term"] == term]
    tr = trend[trend["term"] == term]
    t = next(t for t in model.terms if t.name == term)
    const = float(model.coef[t.columns[0]]) if len(t.columns) == 1 else 1.0
    fig = go.Figure()
    # thousands of residuals: drawn with WebGL, which a browser paints far faster than SVG points
    scatter = go.Scattergl if len(part) > WEBGL_POINTS else go.Scatter
    fig.add_trace(scatter(x=part["time"], y=part["residual"], mode="markers", name="Residual",
                          marker=dict(size=5, color=colour(5), opacity=0.6)))
    fig.add_trace(go.Scatter(x=tr["time"], y=tr["fit"], mode="lines", name="Smoothed trend",
                             line=dict(color=colour(1), width=2.5)))
    fig.add_hline(y=const, line=dict(color="#222222", dash="dash", width=1.2))
    ylab = ("Effect at each time (log hazard ratio)" if len(t.columns) == 1
            else "Effect at each time, relative to its average (1 = constant)")
    title = f"{label or term}: effect over follow-up"
    if zph is not None:
        row = zph[zph["term"] == term]
        if len(row):
            title += f" (test of constant effect {fmt_p(float(row['p_value'].iloc[0]))})"
    fig.update_xaxes(title=time_label)
    fig.update_yaxes(title=ylab)
    fig.update_layout(**base_layout(
        height=420, title=dict(text=title, y=0.97, x=0.01, xanchor="left"),
        margin=dict(l=80, r=30, t=90, b=60),
        legend=dict(orientation="h", yanchor="bottom", y=1.01, xanchor="left", x=0)))
    return fig
