"""Balance figures for propensity analyses: love plot and propensity-score overlap.

Both take a result of ``ns.propensity_match`` or ``ns.iptw``.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..estimators.propensity import SMD_THRESHOLD, MatchResult
from ..schema import label
from ..report.format import display_label, level_label
from .style import base_layout, colour

__all__ = [
    "love_plot", "overlap_plot",
]


def _term_label(term: str) -> str:
    if term == "distance":
        return "Propensity score (distance)"
    if ": " in term:
        col, level = term.split(": ", 1)
        return f"{label(col)}: {level}"
    return label(term)


def love_plot(result, *, threshold: float = SMD_THRESHOLD) -> go.Figure:
    """|SMD| of every covariate before and after matching/weighting, with the threshold line."""
    bal = result.balance
    after_name = "After matching" if isinstance(result, MatchResult) else "After weighting"
    terms = [_term_label(t) for t in bal["term"]]
    y = terms[::-1]
    before = bal["smd_before"].abs().to_numpy()[::-1]
    after = bal["smd_after"].abs().to_numpy()[::-1]
    fig = go.Figure()
    fig.add_trace(go.Scatter(
        x=before, y=y, mode="markers", name="Before",
        marker=dict(symbol="circle-open", size=11, color=colour(1), line=dict(width=2)),
        hovertemplate="%{y}<br>|SMD| before: %{x:.3f}<extra></extra>",
    ))
    fig.add_trace(go.Scatter(
        x=after, y=y, mode="markers", name=after_name,
        marker=dict(symbol="circle", size=10, color=colour(0)),
        hovertemplate="%{y}<br>|SMD| after: %{x:.3f}<extra></extra>",
    ))
    xmax = np.nanmax(np.concatenate([before, after, [threshold]])) if len(bal) else threshold
    fig.add_vline(x=threshold, line=dict(color="#555555", dash="dash", width=1.5))
    fig.update_layout(**base_layout(
        height=max(320, 34 * len(bal) + 130),
        margin=dict(l=70, r=30, t=40, b=60),
        xaxis=dict(title="|Standardized mean difference|", range=[0, float(xmax) * 1.08 + 0.02]),
        yaxis=dict(title="", automargin=True),
    ))
    return fig


def _tint(hex_colour: str, keep: float = 0.25) -> str:
    """``hex_colour`` mixed with white (``keep`` of the colour): the light fill of unmatched patients."""
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#{:02X}{:02X}{:02X}".format(*(round(255 - keep * (255 - c)) for c in (r, g, b)))


def overlap_plot(result, *, bins: int = 20) -> go.Figure:
    """Mirrored histograms of the propensity score, as % of each group: treated above the axis,
    controls below (so groups of very different size stay comparable).

    For a matching result the matched patients are drawn solid and the unmatched ones light,
    so one sees whom the matching left out.
    """
    ps = result.propensity
    keep = ps.notna().to_numpy()
    p = ps.to_numpy()[keep]
    treated = result.model.treated.to_numpy(dtype=bool, na_value=False)[keep]
    matched = None
    if isinstance(result, MatchResult):
        matched = ps.index[keep].isin(result.matched.index)
    lo = float(np.floor(p.min() * 10) / 10) if len(p) else 0.0
    hi = float(min(1.0, np.ceil(p.max() * 10) / 10)) if len(p) else 1.0
    if hi <= lo:
        lo, hi = 0.0, 1.0
    edges = np.linspace(lo, hi, bins + 1)
    centres = (edges[:-1] + edges[1:]) / 2
    width = edges[1] - edges[0]
    fig = go.Figure()
    top = 10.0
    for sign, grp, name, col in ((1, treated, result.treated_label, colour(0)),
                                 (-1, ~treated, result.control_label, colour(1))):
        what = (level_label(name, result.treatment) if display_label(name) in ("yes", "no")
                else f"{label(result.treatment)}: {display_label(name)}")  # 'With ICG fluorescence'
        n_grp = max(int(grp.sum()), 1)
        # unmatched patients: light and hatched, so they differ from the matched ones in grayscale too
        parts = [("", np.ones(len(p), dtype=bool), 1.0)] if matched is None else [
            (", matched", matched, 1.0), (", unmatched", ~matched, 0.0)]
        total = np.zeros(bins)
        for suffix, sel, opacity in parts:
            h, _ = np.histogram(p[grp & sel], edges)
            pct = 100.0 * h / n_grp
            total += pct
            fig.add_trace(go.Bar(
                x=centres, y=sign * pct, width=width, name=what + suffix,
                marker=dict(color=col if opacity else _tint(col), line=dict(color=col, width=1),
                            pattern=dict(shape="" if opacity else "/", fgcolor=col, fgopacity=1.0, size=6)),
                customdata=np.column_stack([h, pct]),
                hovertemplate="%{customdata[0]} patients (%{customdata[1]:.1f}%)<extra>" + what + suffix + "</extra>",
            ))
        top = max(top, float(total.max()))
    fig.add_hline(y=0, line=dict(color="#222222", width=1))
    step = float(np.ceil(top / 4 / 5) * 5) or 5.0
    ticks = [k * step for k in range(-4, 5) if abs(k * step) <= top + step]
    fig.update_layout(**base_layout(
        barmode="relative",
        height=420,
        bargap=0.05,
        margin=dict(l=70, r=30, t=40, b=60),
        xaxis=dict(title="Propensity score", range=[lo, hi]),
        yaxis=dict(title="% of group (treated up, controls down)", tickvals=ticks,
                   ticktext=[f"{abs(t):g}" for t in ticks]),
    ))
    return fig
