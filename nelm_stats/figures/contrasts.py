"""Figures of the naive-vs-correct contrasts (nelm_stats.estimators.contrasts): each draws the
naive or the correct analysis in front, the other one faint behind it for comparison."""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..report.format import display_label, fmt_num, fmt_p
from .style import base_layout, colour, dash

__all__ = ["km_vs_cif_figure", "estimates_figure", "pvalues_figure", "cutpoint_figure"]

FAINT = "#BBBBBB"


def _title(text: str) -> dict:
    return dict(text=text, x=0, xanchor="left", font=dict(size=15))


def km_vs_cif_figure(result, *, correct: bool, time_unit: str = "months") -> go.Figure:
    """1 − Kaplan–Meier (naive) and the cumulative incidence (correct) of recurrence, per group;
    the chosen one in colour, the other grey and dotted."""
    div = 12.0 if time_unit == "years" else 1.0
    fig = go.Figure()
    t = result.table
    groups = list(dict.fromkeys(t["group"]))
    for i, g in enumerate(groups):
        sub = t[t["group"] == g]
        name = "All patients" if g == "all" else display_label(g)
        for col, label, front in (("one_minus_km", "1 − Kaplan–Meier", not correct),
                                  ("cif", "Cumulative incidence", correct)):
            fig.add_trace(go.Scatter(
                x=sub["time"] / div, y=100 * sub[col], mode="lines", line_shape="hv",
                name=f"{label}" + ("" if g == "all" else f", {name}"),
                line=dict(color=colour(i) if front else FAINT, dash=dash(i) if front else "dot",
                          width=2.5 if front else 1.5),
                hovertemplate=f"{label}" + ("" if g == "all" else f" ({name})") + ": %{y:.1f} % at %{x:.1f} "
                              + time_unit + "<extra></extra>",
            ))
    fig.update_layout(**base_layout(
        title=_title("Risk of recurrence: " + ("cumulative incidence (death competing)" if correct
                                                else "1 − Kaplan–Meier (deaths censored)")),
        xaxis=dict(title=f"Time since surgery ({time_unit})", rangemode="tozero"),
        yaxis=dict(title="Recurrence (%)", range=[0, 100]), height=430,
    ))
    fig.update_layout(margin=dict(t=100))
    return fig


def estimates_figure(rows, *, highlight, title: str = "", x_title: str = "Hazard ratio (95 % CI)") -> go.Figure:
    """Hazard ratios with CIs on a log axis, one row per analysis ``(label, hr, lower, upper, p)``;
    the rows in ``highlight`` (an index or several) in colour, the others grey."""
    front_rows = {int(highlight)} if isinstance(highlight, (int, np.integer)) else {int(i) for i in highlight}
    fig = go.Figure()
    labels = [r[0] for r in rows]
    for i, (label, hr, lo, hi, p) in enumerate(rows):
        if not np.isfinite(hr):
            continue
        front = i in front_rows
        fig.add_trace(go.Scatter(
            x=[hr], y=[label], mode="markers", showlegend=False,
            marker=dict(size=13 if front else 10, symbol="square", color=colour(0) if front else FAINT),
            error_x=dict(type="data", symmetric=False, array=[hi - hr], arrayminus=[hr - lo],
                         color=colour(0) if front else FAINT, thickness=2.5 if front else 1.5, width=6),
            hovertemplate=f"{label}: HR {fmt_num(hr, 2)} ({fmt_num(lo, 2)}–{fmt_num(hi, 2)}), {fmt_p(p)}<extra></extra>",
        ))
        fig.add_annotation(x=1, xref="paper", xanchor="left", y=label, showarrow=False,
                           text=f"{fmt_num(hr, 2)} ({fmt_num(lo, 2)}–{fmt_num(hi, 2)})<br>{fmt_p(p)}",
                           font=dict(size=12, color="#222222" if front else "#888888"))
    finite = [v for r in rows for v in r[1:4] if np.isfinite(v) and v > 0]
    lo_x = min(finite + [0.5]) / 1.3
    hi_x = max(finite + [2.0]) * 1.3
    fig.add_vline(x=1, line=dict(color="#222222", width=1, dash="dash"))
    fig.update_layout(**base_layout(
        title=_title(title), height=140 + 70 * len(rows),
        xaxis=dict(title=x_title, type="log", range=[np.log10(lo_x), np.log10(hi_x)]),
        yaxis=dict(title="", categoryorder="array", categoryarray=labels[::-1]),
    ))
    fig.update_layout(margin=dict(l=70, r=170, t=60, b=60))
    return fig


def _p_ticks(lo: float) -> list[float]:
    """Readable ticks of a log p-value axis from ``lo`` to 1."""
    ticks = [x for x in (1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 0.001, 0.01, 0.05, 1) if x >= lo]
    return ticks if len(ticks) <= 6 else [x for x in ticks if x >= 0.001 or x in ticks[::2]]


def pvalues_figure(result, *, correct: bool) -> go.Figure:
    """Pairwise p-values on a log axis with the 0.05 line: unadjusted (naive) or Holm (correct) in
    front."""
    t = result.table
    labels = [f"{display_label(a)} vs {display_label(b)}" for a, b in zip(t["group_a"], t["group_b"])]
    fig = go.Figure()
    for col, name, front in (("p_value", "Unadjusted", not correct), ("p_holm", "Holm-adjusted", correct)):
        fig.add_trace(go.Scatter(
            x=np.maximum(t[col].to_numpy(float), 1e-12), y=labels, mode="markers", name=name,
            marker=dict(size=13 if front else 10, color=colour(1 if col == "p_holm" else 0) if front else FAINT,
                        symbol="circle" if col == "p_value" else "diamond"),
            hovertemplate=[f"{lab}: {name.lower()} {fmt_p(p)}<extra></extra>" for lab, p in zip(labels, t[col])],
        ))
    fig.add_vline(x=result.alpha, line=dict(color="#222222", width=1, dash="dash"))
    fig.add_annotation(x=np.log10(result.alpha), y=1.02, yref="paper", showarrow=False, xanchor="left",
                       text=f" p = {result.alpha:g}", font=dict(size=12))
    ps = t[["p_value", "p_holm"]].to_numpy(float)
    lowest = float(np.nanmin(np.maximum(ps, 1e-12))) if np.isfinite(ps).any() else 0.01
    lo = min(0.005, lowest / 3)
    ticks = _p_ticks(lo)
    fig.update_layout(**base_layout(
        title=_title("Pairwise log-rank p-values: " + ("Holm-adjusted" if correct else "unadjusted")),
        xaxis=dict(title="p-value (log scale)", type="log", range=[np.log10(lo), 0.05],
                   tickvals=ticks, ticktext=[f"{x:g}" for x in ticks], tickangle=0),
        yaxis=dict(title="", autorange="reversed"), height=160 + 55 * len(labels),
    ))
    fig.update_layout(margin=dict(t=110))
    return fig


def cutpoint_figure(result, *, correct: bool, covariate_label: str = "") -> go.Figure:
    """Naive: the log-rank p-value of every candidate cut (log axis) with the minimum marked.
    Correct: the permutation distribution of the minimum p-value, the observed minimum and the
    corrected p-values."""
    fig = go.Figure()
    if not correct:
        s = result.scan
        fig.add_trace(go.Scatter(
            x=s["cutpoint"], y=s["p_value"], mode="lines+markers", showlegend=False,
            line=dict(color=colour(0), width=2), marker=dict(size=5),
            hovertemplate=f"{covariate_label} cut at %{{x}}: log-rank p %{{y:.3g}}<extra></extra>",
        ))
        fig.add_trace(go.Scatter(
            x=[result.optimal_cutpoint], y=[result.p_min], mode="markers", name=f"“Optimal” cut ({fmt_p(result.p_min)})",
            marker=dict(size=14, color=colour(1), symbol="star"),
        ))
        fig.add_trace(go.Scatter(
            x=[result.prespecified], y=[result.p_prespecified], mode="markers",
            name=f"Pre-specified cut ({fmt_p(result.p_prespecified)})", marker=dict(size=12, color=colour(2), symbol="diamond"),
        ))
        fig.add_hline(y=0.05, line=dict(color="#222222", width=1, dash="dash"))
        fig.update_layout(**base_layout(
            title=_title(f"Log-rank p-value of every cut point of {covariate_label}"),
            xaxis=dict(title=f"{covariate_label}: cut point (≥ goes to the upper group)"),
            yaxis=dict(title="p-value (log scale)", type="log", tickvals=_p_ticks(float(s["p_value"].min()) / 2),
                       ticktext=[f"{x:g}" for x in _p_ticks(float(s["p_value"].min()) / 2)]), height=430,
        ))
    else:
        null = result.null_min_p["min_p"].to_numpy(float)
        fig.add_trace(go.Histogram(
            x=np.log10(np.maximum(null, 1e-12)), nbinsx=40, marker=dict(color=FAINT, line=dict(color="#888888", width=0.5)),
            name=f"Smallest p-value in each of {result.n_permutations} permutations", showlegend=True,
            hovertemplate="%{y} permutations<extra></extra>",
        ))
        for x, name, i in ((result.p_min, f"Observed minimum ({fmt_p(result.p_min)})", 1),
                           (result.p_corrected, f"Corrected, Altman 1994 ({fmt_p(result.p_corrected)})", 0),
                           (result.p_prespecified, f"Pre-specified cut ({fmt_p(result.p_prespecified)})", 2)):
            fig.add_trace(go.Scatter(x=[np.log10(max(x, 1e-12))] * 2, y=[0, 1], yaxis="y2", mode="lines", name=name,
                                     line=dict(color=colour(i), width=2.5, dash=dash(i))))
        ticks = [t for t in (1e-6, 1e-5, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.5, 1)
                 if t >= min(float(np.min(null)) if null.size else 1e-3, result.p_min) / 2]
        fig.update_layout(**base_layout(
            title=_title("What the search does when there is no effect at all (permutations)"),
            xaxis=dict(title="Smallest p-value of the search (log scale)", tickvals=np.log10(ticks),
                       ticktext=[f"{t:g}" for t in ticks]),
            yaxis=dict(title="Permutations"), yaxis2=dict(overlaying="y", range=[0, 1], visible=False),
            height=500, bargap=0.05,
            legend=dict(orientation="v", yanchor="top", y=-0.2, xanchor="left", x=0),
        ))
        fig.update_layout(margin=dict(t=60, b=190))
        return fig
    fig.update_layout(margin=dict(t=110))
    return fig
