"""Figures of the cohort comparison: rates with CIs, distributions, margin distances, ROC, learning curve.

Builders take result objects of nelm_stats.proportions / accuracy and only lay them out.
"""
from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..report.narrative import display_label, fmt_p
from .style import base_layout, colour, dash, level_colour

__all__ = [
    "rates_figure", "distribution_figure", "margin_figure", "roc_figure", "learning_curve_figure",
]


def _title(text: str) -> dict:
    return dict(text=text, x=0, xanchor="left", font=dict(size=15))


def rates_figure(result, *, title: str = "", outcome_label: str = "Event rate") -> go.Figure:
    """Rate per group (%) with its CI as error bars; the test and p-value in the subtitle.

    Takes a RateComparison or ClusteredRates (its table has group, rate, ci_lower, ci_upper).
    """
    t = result.table
    fig = go.Figure()
    names = []
    for i, r in enumerate(t.itertuples()):
        # the rate is written under the bar (in the axis label), where no error bar can cover it
        name = f"{display_label(r.group)}<br><b>{100 * r.rate:.1f} %</b> ({int(r.events)}/{int(r.n)})" \
            if hasattr(r, "events") and hasattr(r, "n") else f"{display_label(r.group)}<br><b>{100 * r.rate:.1f} %</b>"
        names.append(name)
        fig.add_trace(go.Bar(
            x=[name], y=[100 * r.rate], name=display_label(r.group),
            marker=dict(color=colour(i), pattern=dict(shape=["", "/", ".", "x", "-", "|"][i % 6])),
            error_y=dict(type="data", symmetric=False, array=[100 * (r.ci_upper - r.rate)],
                         arrayminus=[100 * (r.rate - r.ci_lower)], color="#222222", thickness=1.5, width=8),
            hovertemplate=f"{display_label(r.group)}: %{{y:.1f}} % (95 % CI {100 * r.ci_lower:.1f}–"
                          f"{100 * r.ci_upper:.1f})<extra></extra>",
        ))
    test = getattr(result, "test", "")
    p = getattr(result, "p_value", np.nan)
    sub = f"{test}, {fmt_p(p)}" if isinstance(test, str) and test and np.isfinite(p) else ""
    fig.update_layout(**base_layout(
        title=_title(title + (f"<br><sup>{sub}</sup>" if sub else "")), showlegend=False,
        yaxis=dict(title=f"{outcome_label} (%, 95 % CI)", rangemode="tozero"),
        xaxis=dict(title=""), bargap=0.45, height=380,
    ))
    return fig


def distribution_figure(result, *, title: str = "") -> go.Figure:
    """Stacked percentages of a multi-level outcome (R0/R1/R2, Clavien–Dindo) per group."""
    t = result.table
    groups = list(dict.fromkeys(t["group"]))
    levels = list(dict.fromkeys(t["level"]))
    fig = go.Figure()
    for j, lev in enumerate(levels):
        sub = t[t["level"] == lev].set_index("group").reindex(groups)
        fig.add_trace(go.Bar(
            y=[display_label(g) for g in groups], x=sub["percent"], name=str(lev), orientation="h",
            marker=dict(color=level_colour(j, len(levels)), line=dict(color="#222222", width=0.5),
                        pattern=dict(shape=["", "/", ".", "x", "-", "|", "+", "\\"][j % 8], fgcolor="#222222")),
            customdata=np.column_stack([sub["count"], sub["n"]]),
            hovertemplate=f"{lev}: %{{customdata[0]}} of %{{customdata[1]}} (%{{x:.1f}} %)<extra></extra>",
        ))
    sub = f"{result.test}, {fmt_p(result.p_value)}" if np.isfinite(result.p_value) else ""
    fig.update_layout(**base_layout(
        barmode="stack", title=_title(title + (f"<br><sup>{sub}</sup>" if sub else "")),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0, traceorder="normal"),
        xaxis=dict(title="Patients (%)", range=[0, 100]), yaxis=dict(title="", autorange="reversed"),
        height=max(260, 120 + 60 * len(groups)),
    ))
    fig.update_layout(margin=dict(t=110))
    return fig


def margin_figure(result, *, title: str = "Closest margin") -> go.Figure:
    """Margin distances per group (box + points) with the R1 threshold as a dashed line."""
    v = result.values
    groups = list(dict.fromkeys(result.summary["group"]))
    fig = go.Figure()
    for i, g in enumerate(groups):
        x = v.loc[v["group"] == g, "margin_mm"]
        fig.add_trace(go.Box(
            x=x, name=display_label(g), boxpoints="all", jitter=0.4, pointpos=0, marker=dict(color=colour(i), size=5,
                                                                                             opacity=0.6),
            line=dict(color=colour(i)), fillcolor="rgba(0,0,0,0)", orientation="h",
            hovertemplate="%{x:.1f} mm<extra></extra>",
        ))
    fig.add_shape(type="line", x0=result.threshold, x1=result.threshold, y0=0, y1=1, yref="paper",
                  line=dict(color="#D55E00", dash="dash", width=2))
    fig.add_annotation(x=result.threshold, y=1, yref="paper", text=f"R1 below {result.threshold:g} mm",
                       showarrow=False, xanchor="left", yanchor="bottom", font=dict(size=12, color="#D55E00"))
    fig.update_layout(**base_layout(
        title=_title(title), showlegend=False, xaxis=dict(title="Closest margin (mm)", rangemode="tozero"),
        yaxis=dict(title="", autorange="reversed"), height=max(280, 140 + 70 * len(groups)),
    ))
    fig.update_layout(margin=dict(t=90))
    return fig


def roc_figure(results, names: list[str] | None = None, *, title: str = "ROC curve") -> go.Figure:
    """ROC curve(s): sensitivity vs 1 − specificity, AUC with DeLong CI in the legend."""
    if not isinstance(results, (list, tuple)):
        results = [results]
    names = names or [r.score for r in results]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(color="#999999", dash="dot", width=1),
                             showlegend=False, hoverinfo="skip"))
    for i, (r, name) in enumerate(zip(results, names)):
        c = r.curve.sort_values(["specificity", "sensitivity"], ascending=[False, True])
        fig.add_trace(go.Scatter(
            x=1 - c["specificity"], y=c["sensitivity"], mode="lines+markers", line_shape="linear",
            line=dict(color=colour(i), dash=dash(i), width=2.5), marker=dict(size=5),
            name=(f"{name}: AUC {r.auc:.3f}" + ("" if np.isnan(r.ci_lower)
                  else f" (95 % CI {r.ci_lower:.3f}–{r.ci_upper:.3f})")),
            customdata=c["threshold"],
            hovertemplate="threshold %{customdata:.3g}<br>sensitivity %{y:.2f}<br>1 − specificity %{x:.2f}"
                          "<extra></extra>",
        ))
    fig.update_layout(**base_layout(
        title=_title(title), xaxis=dict(title="1 − specificity", range=[-0.01, 1.01], constrain="domain"),
        yaxis=dict(title="Sensitivity", range=[-0.01, 1.01], scaleanchor="x", scaleratio=1),
        height=520, legend=dict(orientation="v", x=0.98, xanchor="right", y=0.02, yanchor="bottom"),
    ))
    return fig


def learning_curve_figure(result, *, measure_label: str = "False-positive rate", title: str = "") -> go.Figure:
    """Cumulative rate over consecutive procedure number, one line per centre, first-N cut marked."""
    c = result.curve
    fig = go.Figure()
    for i, (centre, sub) in enumerate(c.groupby("centre", sort=True)):
        fig.add_trace(go.Scatter(
            x=sub["procedure"], y=100 * sub["cumulative_rate"], mode="lines+markers", name=str(centre),
            line=dict(color=colour(i), dash=dash(i), width=2), marker=dict(size=5),
            customdata=np.column_stack([sub["cumulative_events"], sub["cumulative_n"]]),
            hovertemplate=f"{centre}, procedure %{{x}}: %{{customdata[0]}}/%{{customdata[1]}} "
                          f"(%{{y:.0f}} %)<extra></extra>",
        ))
    fig.add_shape(type="line", x0=result.first_n + 0.5, x1=result.first_n + 0.5, y0=0, y1=1, yref="paper",
                  line=dict(color="#555555", dash="dash", width=1.5))
    fig.add_annotation(x=result.first_n + 0.5, y=1, yref="paper", text=f"first {result.first_n} | later",
                       showarrow=False, yanchor="bottom", font=dict(size=12, color="#555555"))
    sub = ""
    if np.isfinite(result.odds_ratio):
        sub = (f"OR first {result.first_n} vs later {result.odds_ratio:.2f} "
               f"(95 % CI {result.or_ci_lower:.2f}–{result.or_ci_upper:.2f}), {fmt_p(result.p_value)}")
    fig.update_layout(**base_layout(
        title=_title((title or f"{measure_label} over consecutive procedures") + (f"<br><sup>{sub}</sup>" if sub else "")),
        xaxis=dict(title="Procedure number within centre"), yaxis=dict(title=f"Cumulative {measure_label.lower()} (%)",
                                                                        rangemode="tozero"),
        height=440,
    ))
    fig.update_layout(margin=dict(t=110))
    return fig
