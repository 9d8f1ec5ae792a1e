"""Study-planning figures: power over the number of patients, and the expected accrual and events
over the study's time (from the result objects of nelm_stats.estimators.planning)."""
from __future__ import annotations

import plotly.graph_objects as go

from ..report.planning_text import power_text, rounded_up
from .style import base_layout, colour, dash

__all__ = ["power_curve_figure", "timeline_figure"]


def power_curve_figure(plan, *, x_title: str = "Patients (both arms)", title: str = "") -> go.Figure:
    """Power (%) against the number of patients; the planned size marked. Takes a
    SurvivalSampleSize (x: patients in all), ProportionsSampleSize or NoninferioritySampleSize
    (x: patients in all)."""
    curve = plan.power_curve()
    planned = plan.patients
    fig = go.Figure()
    hover = "%{x:.0f} patients: power %{y:.1f} %"
    if "events" in curve.columns:
        fig.add_trace(go.Scatter(x=curve["patients"], y=100 * curve["power"], customdata=curve["events"],
                                 mode="lines", line=dict(color=colour(0), width=2.5), name="Power",
                                 hovertemplate=hover + " (%{customdata:.0f} events)<extra></extra>"))
    else:
        fig.add_trace(go.Scatter(x=curve["patients"], y=100 * curve["power"], mode="lines",
                                 line=dict(color=colour(0), width=2.5), name="Power",
                                 hovertemplate=hover + "<extra></extra>"))
    fig.add_hline(y=100 * plan.power, line=dict(color="#777777", dash="dot", width=1))
    fig.add_trace(go.Scatter(
        x=[planned], y=[100 * plan.power], mode="markers+text", marker=dict(color=colour(1), size=11, symbol="diamond"),
        text=[f"{rounded_up(planned)} patients, {power_text(plan.power)}"], textposition="bottom right",
        name="Planned", hovertemplate="Planned: %{x:.1f} patients<extra></extra>"))
    fig.update_layout(**base_layout(
        title=dict(text=title, x=0, xanchor="left"), showlegend=False, height=360,
        xaxis=dict(title=x_title, rangemode="tozero"), yaxis=dict(title="Power (%)", range=[0, 100]),
    ))
    return fig


def timeline_figure(plan, *, time_unit: str = "months", title: str = "") -> go.Figure:
    """Patients enrolled and events expected (both arms) from the first patient to the analysis
    (a SurvivalSampleSize): end of accrual and the analysis marked."""
    t = plan.timeline()
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=t["time"], y=t["patients"], mode="lines", name="Patients enrolled",
                             line=dict(color=colour(0), dash=dash(0), width=2.5),
                             hovertemplate="%{x:.0f} " + time_unit + ": %{y:.0f} patients<extra></extra>"))
    fig.add_trace(go.Scatter(x=t["time"], y=t["events"], mode="lines", name="Events expected",
                             line=dict(color=colour(1), dash=dash(1), width=2.5),
                             hovertemplate="%{x:.0f} " + time_unit + ": %{y:.0f} events<extra></extra>"))
    top = float(max(t["patients"].max(), t["events"].max())) * 1.18  # room above the lines for the labels
    for x, text in ((plan.accrual_time, "end of accrual"), (plan.duration, "analysis")):
        fig.add_vline(x=x, line=dict(color="#777777", dash="dot", width=1))
        fig.add_annotation(x=x, y=top, text=text, showarrow=False, xanchor="right", yanchor="top", xshift=-4,
                           font=dict(size=12, color="#555555"), bgcolor="rgba(255,255,255,0.85)")
    fig.update_layout(**base_layout(
        title=dict(text=title, x=0, xanchor="left"), height=380,
        legend=dict(orientation="h", yanchor="top", y=-0.22, xanchor="left", x=0),
        margin=dict(l=70, r=30, t=50, b=90),
        xaxis=dict(title=f"Time since the first patient ({time_unit})", rangemode="tozero"),
        yaxis=dict(title="Number", range=[0, top]),
    ))
    return fig
