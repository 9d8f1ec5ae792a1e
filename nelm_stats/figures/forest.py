"""Forest plot of hazard ratios (log scale, reference line at 1) from a Cox result.

Takes a :class:`nelm_stats.cox.CoxResult` (one estimate per row) or a
:class:`nelm_stats.cox.RiskFactorTable` (univariable and multivariable estimates side by
side, as surgical papers show them).  Reference levels are drawn as labelled rows at 1.
Builders compute nothing but layout.
"""
from __future__ import annotations

import math
from typing import Mapping

import numpy as np
import plotly.graph_objects as go

from ..estimators.cox import CoxResult, RiskFactorTable
from ..report.views import format_hr, format_p, term_label
from ..report.narrative import display_label
from .style import FONT, base_layout, colour

__all__ = [
    "forest_figure",
]

_MARKERS = ("square", "circle")


def _rows(terms, labels):
    """Display rows (top to bottom): (label, term, level or None for headers/reference)."""
    rows = []
    for term in terms:
        name = term.name
        lab = term_label(term, name, labels)
        if term.kind == "categorical":
            rows.append((lab, name, None, "header"))
            rows.append((f"   {display_label(term.reference)} (reference)", name, None, "reference"))
            for lev in term.levels:
                rows.append((f"   {display_label(lev)}", name, lev, "level"))
        else:
            rows.append((lab, name, "", "level"))
    return rows


def forest_figure(result: CoxResult | RiskFactorTable, labels: Mapping[str, str] | None = None,
                  title: str | None = None) -> go.Figure:
    """Hazard ratios with 95 % CIs on a log axis; one row per coefficient, reference rows at 1."""
    labels = labels or {}
    if isinstance(result, RiskFactorTable):
        tab = result.table
        series = [("Univariable", "uni_"), ("Multivariable", "multi_")]
        if result.model is None or tab["multi_hazard_ratio"].isna().all():
            series = series[:1]
        terms = {}
        for m in (*result.screen.models, result.model):
            if m is not None:
                for t in m.terms:
                    terms.setdefault(t.name, t)
        ordered = [terms[n] for n in dict.fromkeys(tab["term"]) if n in terms]
    else:
        tab = result.table
        series = [("Hazard ratio", "")]
        ordered = list(result.terms)
    rows = _rows(ordered, labels)
    n = len(rows)
    y = np.arange(n)[::-1].astype(float)  # first row on top
    fig = go.Figure()
    offsets = [0.0] if len(series) == 1 else [0.15, -0.15]
    all_vals = []
    for si, (name, pre) in enumerate(series):
        xs, ys, lo, hi, texts = [], [], [], [], []
        for (lab, term, lev, kind), yy in zip(rows, y):
            if kind != "level":
                continue
            r = tab[(tab["term"] == term) & (tab["level"] == lev)]
            if r.empty:
                continue
            r = r.iloc[0]
            hr, l, h, p = (r[f"{pre}hazard_ratio"], r[f"{pre}ci_lower"], r[f"{pre}ci_upper"],
                           r[f"{pre}p_value"])
            if not np.isfinite(hr):
                continue
            xs.append(hr); ys.append(yy + offsets[si]); lo.append(hr - l); hi.append(h - hr)
            texts.append(f"{lab.strip()}: HR {format_hr(hr, l, h)}, p {format_p(p)}")
            all_vals.extend([l, h])
        fig.add_trace(go.Scatter(
            x=xs, y=ys, mode="markers", name=name,
            marker=dict(symbol=_MARKERS[si % 2], size=10, color=colour(si)),
            error_x=dict(type="data", symmetric=False, array=hi, arrayminus=lo, thickness=1.6,
                         width=4, color=colour(si)),
            text=texts, hovertemplate="%{text}<extra></extra>",
        ))
    ref_y = [yy for (lab, term, lev, kind), yy in zip(rows, y) if kind == "reference"]
    if ref_y:
        fig.add_trace(go.Scatter(
            x=[1.0] * len(ref_y), y=ref_y, mode="markers", name="Reference level",
            marker=dict(symbol="diamond-open", size=9, color="#555555"), hoverinfo="skip",
            showlegend=False,
        ))
    finite = [v for v in all_vals if np.isfinite(v) and v > 0]
    lo_x = min(finite + [0.5]) / 1.3
    hi_x = max(finite + [2.0]) * 1.3
    fig.add_vline(x=1.0, line=dict(color="#222222", width=1.2, dash="dash"))
    ticks = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
             if lo_x <= t <= hi_x]
    fig.update_xaxes(type="log", title="Hazard ratio (95 % CI, log scale)", range=[
        math.log10(lo_x), math.log10(hi_x)], tickvals=ticks, ticktext=[f"{t:g}" for t in ticks],
        showgrid=True, gridcolor="#eeeeee")
    ticktext = [f"<b>{r[0]}</b>" if r[3] == "header" else r[0] for r in rows]
    fig.update_yaxes(tickvals=y, ticktext=ticktext, range=[-0.7, n - 0.3],
                     showgrid=False, zeroline=False, ticks="", automargin=True)
    fig.add_annotation(x=0, xref="paper", y=-0.7, yref="y", yshift=-40, showarrow=False,
                       text="◀ lower hazard", font=dict(size=FONT["size"] - 2, color="#555555"),
                       xanchor="left")
    fig.add_annotation(x=1, xref="paper", y=-0.7, yref="y", yshift=-40, showarrow=False,
                       text="higher hazard ▶", font=dict(size=FONT["size"] - 2, color="#555555"),
                       xanchor="right")
    fig.update_layout(**base_layout(height=max(260, 34 * n + 150), title=title,
                                    margin=dict(l=40, r=30, t=60 if title else 40, b=90)))
    return fig
