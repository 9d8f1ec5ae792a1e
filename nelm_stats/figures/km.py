"""Kaplan–Meier and cumulative-incidence figures as journals print them.

Step curves from (0, 1), censor ticks, optional confidence bands and median lines, the test's
p-value on the plot, and the number-at-risk table under the x-axis at the tick times (a
second subplot row sharing the x-axis, so the numbers sit exactly under the ticks).
Colours and dashes from :mod:`nelm_stats.figures.style` (colour-blind safe, distinct in
grayscale).  Builders take result objects of nelm_stats and compute nothing but layout.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..report.narrative import display_label, fmt_p
from .style import FONT, base_layout, colour, dash

__all__ = [
    "risk_table_times", "PLOT_PX", "ROW_PX", "GAP_PX", "km_figure", "cif_figure", "default_horizon",
]

_STEPS = {"months": (1, 3, 6, 12, 24, 36, 60, 120, 240), "years": (0.25, 0.5, 1, 2, 5, 10, 20)}


def risk_table_times(horizon: float, time_unit: str = "months", max_ticks: int = 8) -> list[float]:
    """Tick (and number-at-risk) times: 0 and multiples of a round step up to the horizon."""
    steps = _STEPS.get(time_unit, _STEPS["months"])
    step = next((s for s in steps if horizon / s <= max_ticks), None)
    if step is None:
        step = 10 ** math.ceil(math.log10(horizon / max_ticks))
    n = int(math.floor(horizon / step + 1e-9))
    return [float(i * step) for i in range(n + 1)]


def _band_xy(t: np.ndarray, lo: np.ndarray, hi: np.ndarray, y0: float) -> tuple[np.ndarray, np.ndarray]:
    """Closed step polygons (x, y) of a confidence band, drawn only where both limits are
    defined (a missing limit leaves a gap, as R's plot.survfit leaves its CI lines out);
    the band starts at (0, y0).  Polygons are separated by NaN; plotly fills each one."""
    tt = np.concatenate([[0.0], t])
    ll = np.concatenate([[y0], lo])
    hh = np.concatenate([[y0], hi])
    ok = np.isfinite(ll) & np.isfinite(hh)
    edges = np.flatnonzero(np.diff(np.concatenate([[0], ok.astype(int), [0]])))
    xs, ys = [], []
    for a, b in zip(edges[::2], edges[1::2] - 1):  # runs a..b of defined limits
        end = tt[b + 1] if b + 1 < tt.size else tt[b]  # the last step lasts until the gap
        x = np.concatenate([[tt[a]], np.repeat(tt[a + 1:b + 1], 2), [end]])
        if end == tt[b] and b + 1 == tt.size:
            x = x[:-1]
        n = x.size
        yh = np.repeat(hh[a:b + 1], 2)[:n]
        yl = np.repeat(ll[a:b + 1], 2)[:n]
        xs += [x, x[::-1], [np.nan]]
        ys += [yh, yl[::-1], [np.nan]]
    if not xs:
        return np.array([]), np.array([])
    return np.concatenate(xs)[:-1], np.concatenate(ys)[:-1]


def _names(groups: list[str], group_name: str | None) -> list[str]:
    if groups == ["all"]:
        return ["All patients"]
    return [display_label(g) for g in groups]


def _risk_rows(fig: go.Figure, at: pd.DataFrame, groups: list[str], names: list[str], row: int) -> None:
    """Number at risk as text in subplot ``row``: one line per group, first group on top."""
    for i, g in enumerate(groups):
        sub = at[at["group"] == g]
        fig.add_trace(
            go.Scatter(
                x=sub["time"],
                y=[names[i]] * len(sub),
                mode="text",
                text=[str(int(v)) for v in sub["n_risk"]],
                textfont=dict(color=colour(i), size=FONT["size"] - 1, family=FONT["family"]),
                showlegend=False,
                hoverinfo="skip",
                cliponaxis=False,
            ),
            row=row,
            col=1,
        )
    fig.update_yaxes(
        row=row,
        col=1,
        type="category",
        categoryorder="array",
        categoryarray=list(reversed(names)),
        tickvals=names,
        ticktext=[f"<span style='color:{colour(i)}'>{n}</span>" for i, n in enumerate(names)],
        ticklabelstandoff=12,  # clear of the centred count at time 0, also in a narrow column
        showline=False,
        ticks="",
        showgrid=False,
        zeroline=False,
    )


PLOT_PX = 400  # height of the curve panel
ROW_PX = 24  # per group in the number-at-risk table
GAP_PX = 95  # between the panels: tick labels, axis title, "Number at risk"
MARGIN_T, MARGIN_B = 60, 20


def _frame(time_unit: str, horizon: float, risk: bool, groups: list[str], y_title: str,
           time_origin: str = "surgery") -> go.Figure:
    n_groups = len(groups)
    table_px = ROW_PX * n_groups + 10 if risk else 0
    inner = PLOT_PX + (GAP_PX + table_px if risk else 0)
    if risk:
        fig = make_subplots(
            rows=2,
            cols=1,
            shared_xaxes=True,
            row_heights=[PLOT_PX / (PLOT_PX + table_px), table_px / (PLOT_PX + table_px)],
            vertical_spacing=GAP_PX / inner,
        )
    else:
        fig = make_subplots(rows=1, cols=1)
    ticks = risk_table_times(horizon, time_unit)
    pad = horizon * 0.02
    fig.update_xaxes(range=[-pad, horizon + pad], tickvals=ticks, ticktext=[f"{t:g}" for t in ticks])
    fig.update_xaxes(title_text=f"Time since {time_origin} ({time_unit})", row=1, col=1, showticklabels=True,
                     title_standoff=8)
    if risk:
        fig.update_xaxes(row=2, col=1, showline=False, ticks="", showticklabels=False)
    fig.update_yaxes(
        title_text=y_title, range=[-0.02, 1.03], tickvals=[0, 0.25, 0.5, 0.75, 1.0],
        tickformat=".0%", row=1, col=1,
    )
    layout = base_layout(height=inner + MARGIN_T + MARGIN_B, hovermode="closest")
    layout["margin"] = dict(layout.get("margin", {}), t=MARGIN_T, b=MARGIN_B)
    fig.update_layout(**layout)
    if risk:
        fig.add_annotation(
            text="<b>Number at risk</b>", xref="paper", yref="y2 domain", x=0, y=1.0,
            xanchor="left", yanchor="bottom", yshift=6, showarrow=False,
            font=dict(size=FONT["size"] - 1),
        )
    return fig


def km_figure(
    km,
    *,
    test=None,
    test_name: str = "Log-rank",
    horizon: float | None = None,
    time_unit: str = "months",
    ci: bool = False,
    medians: bool = False,
    censor_marks: bool = True,
    risk_table: bool = True,
    group_name: str | None = None,
    y_title: str = "Survival probability",
    title: str | None = None,
    time_origin: str = "surgery",
) -> go.Figure:
    """Kaplan–Meier curves of a ``kaplan_meier`` result.

    ``test``: a result with ``p_value`` (log-rank) printed on the plot; ``horizon``: end of
    the x-axis (default: last time); ``ci``: confidence bands; ``medians``: dotted lines at
    S = 0.5 down to each reached median; ``risk_table``: number at risk under the axis at
    the tick times (from ``km.at``); ``time_origin``: what time is counted from (x-axis
    title "Time since <origin>": "surgery", or "landmark" for a landmark analysis).
    """
    curve = km.curve
    groups = list(km.medians["group"])
    names = _names(groups, group_name)
    if horizon is None:
        horizon = float(curve["time"].max()) if len(curve) else 1.0
    horizon = max(float(horizon), 1e-9)
    fig = _frame(time_unit, horizon, risk_table, groups, y_title, time_origin)

    for i, g in enumerate(groups):
        c = curve[curve["group"] == g]
        t = c["time"].to_numpy(dtype=float)
        s = c["survival"].to_numpy(dtype=float)
        col, dsh = colour(i), dash(i)
        if ci:
            # Where S = 1 (no event yet) the interval is the point itself: variance 0, the
            # log and plain CIs are [1, 1]; R's log-log CI is missing there, and drawing it
            # as 0 would drop the band to the axis before the first event.  Any other
            # missing limit (e.g. at S = 0) leaves a gap in the band, as R's plot.survfit.
            at_one = s == 1.0
            lo = np.where(at_one, 1.0, c["ci_lower"].to_numpy(dtype=float, na_value=np.nan))
            hi = np.where(at_one, 1.0, c["ci_upper"].to_numpy(dtype=float, na_value=np.nan))
            bx, by = _band_xy(t, lo, hi, 1.0)
            fig.add_trace(
                go.Scatter(
                    x=bx,
                    y=by,
                    fill="toself", fillcolor=col, opacity=0.15, line=dict(width=0),
                    hoverinfo="skip", showlegend=False, legendgroup=g,
                ),
                row=1, col=1,
            )
        x = np.concatenate([[0.0], t])
        y = np.concatenate([[1.0], s])
        fig.add_trace(
            go.Scatter(
                x=x, y=y, mode="lines", line=dict(shape="hv", color=col, dash=dsh, width=2.2),
                name=names[i], legendgroup=g,
                hovertemplate=f"{names[i]}<br>%{{x:.1f}} {time_unit}: %{{y:.1%}}<extra></extra>",
            ),
            row=1, col=1,
        )
        if censor_marks:
            cens = c[c["n_censor"] > 0]
            fig.add_trace(
                go.Scatter(
                    x=cens["time"], y=cens["survival"], mode="markers",
                    marker=dict(symbol="line-ns-open", size=9, color=col, line=dict(width=1.5, color=col)),
                    name=f"{names[i]} censored", legendgroup=g, showlegend=False,
                    hovertemplate=f"{names[i]}: censored at %{{x:.1f}} {time_unit}<extra></extra>",
                ),
                row=1, col=1,
            )
    if medians:
        med = km.medians
        for i, row in enumerate(med.itertuples(index=False)):
            if row.median is None or not np.isfinite(row.median):
                continue
            fig.add_trace(
                go.Scatter(
                    x=[0, row.median, row.median], y=[0.5, 0.5, 0], mode="lines",
                    line=dict(color="#666666", dash="dot", width=1),
                    hoverinfo="skip", showlegend=False,
                ),
                row=1, col=1,
            )
    if test is not None:
        fig.add_annotation(
            text=f"{test_name} {fmt_p(test.p_value)}", xref="x domain", yref="y domain",
            x=0.02, y=0.04, xanchor="left", yanchor="bottom", showarrow=False,
            font=dict(size=FONT["size"]), bgcolor="rgba(255,255,255,0.85)",
        )
    if risk_table:
        times = risk_table_times(horizon, time_unit)
        _risk_rows(fig, km.at(times), groups, names, row=2)
    fig.update_layout(legend_title_text=(group_name + ": ") if group_name and groups != ["all"] else "")
    if title:
        fig.update_layout(title=dict(text=title, x=0, xanchor="left"), margin=dict(t=90))
    return fig


def cif_figure(
    cif,
    *,
    cif_competing=None,
    at_risk=None,
    test=None,
    horizon: float | None = None,
    time_unit: str = "months",
    ci: bool = False,
    group_name: str | None = None,
    event_name: str = "Recurrence",
    competing_name: str = "Death without recurrence",
    time_origin: str = "surgery",
) -> go.Figure:
    """Cumulative incidence curves (rising from 0) of a ``cumulative_incidence`` result.

    ``cif_competing``: the competing cause's result, drawn faint; ``at_risk``: a
    ``kaplan_meier`` result of the composite event whose ``.at`` gives the number at risk;
    ``test``: Gray's test.
    """
    curve = cif.curve
    groups = list(pd.unique(curve["group"]))
    names = _names(groups, group_name)
    if horizon is None:
        horizon = float(curve["time"].max()) if len(curve) else 1.0
    horizon = max(float(horizon), 1e-9)
    fig = _frame(time_unit, horizon, at_risk is not None, groups, "Cumulative incidence", time_origin)
    for i, g in enumerate(groups):
        col, dsh = colour(i), dash(i)
        for res, what, opac in ((cif, event_name, 1.0), (cif_competing, competing_name, 0.45)):
            if res is None:
                continue
            c = res.curve[res.curve["group"] == g]
            t = c["time"].to_numpy(dtype=float)
            f = c["estimate"].to_numpy(dtype=float)
            label = names[i] if cif_competing is None else f"{names[i]}: {what.lower()}"
            if groups == ["all"]:
                label = what
            if ci and res is cif:
                # a missing limit (F = 1 with variance > 0) leaves a gap, not a drop to 0
                lo = c["ci_lower"].to_numpy(dtype=float, na_value=np.nan)
                hi = c["ci_upper"].to_numpy(dtype=float, na_value=np.nan)
                bx, by = _band_xy(t, lo, hi, 0.0)
                fig.add_trace(
                    go.Scatter(
                        x=bx, y=by,
                        fill="toself", fillcolor=col, opacity=0.15, line=dict(width=0),
                        hoverinfo="skip", showlegend=False,
                    ),
                    row=1, col=1,
                )
            fig.add_trace(
                go.Scatter(
                    x=np.concatenate([[0.0], t]), y=np.concatenate([[0.0], f]), mode="lines",
                    line=dict(shape="hv", color=col, dash=dsh, width=2.2 if res is cif else 1.5),
                    opacity=opac, name=label,
                    hovertemplate=f"{label}<br>%{{x:.1f}} {time_unit}: %{{y:.1%}}<extra></extra>",
                ),
                row=1, col=1,
            )
    if test is not None:
        fig.add_annotation(
            text=f"Gray's test {fmt_p(test.p_value)}", xref="x domain", yref="y domain",
            x=0.02, y=0.96, xanchor="left", yanchor="top", showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
        )
    if at_risk is not None:
        times = risk_table_times(horizon, time_unit)
        _risk_rows(fig, at_risk.at(times), groups, names, row=2)
    return fig


def default_horizon(longest: float, time_unit: str = "months") -> float:
    """A round end of the time axis: the longest follow-up rounded down to whole years
    (at least one year; at most 10 years)."""
    year = 12.0 if time_unit == "months" else 1.0
    if not np.isfinite(longest) or longest <= 0:
        return year
    whole = math.floor(longest / year) * year
    return float(min(max(whole, year if longest >= year else longest), 10 * year))
