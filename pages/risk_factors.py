"""Risk factors page: univariable screen, multivariable Cox model, forest plot, PH check.

Thin: reads widgets, calls nelm_stats (univariable_screen, cox_regression,
proportional_hazards_test) through session-safe caches, renders the formatted views and
the figures of nelm_stats.figures.forest / .schoenfeld.
"""
import pandas as pd
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.estimators import cox as nc
from nelm_stats.figures.forest import forest_figure
from nelm_stats.figures.schoenfeld import schoenfeld_figure
from nelm_stats.report import manuscript
from nelm_stats.report import views
from nelm_stats.report.format import fmt_num, fmt_p, fmt_p_bare, level_label

K = ui.Keys
DEFAULT_COVARIATES = ns.schema.DEFAULT_COX_COVARIATES
DEFAULT_UNITS = ns.schema.DEFAULT_HR_UNITS
THRESHOLDS = (0.05, 0.10, 0.20)
PLOT_CONFIG = {"displaylogo": False,
               "toImageButtonOptions": {"format": "png", "scale": 3, "filename": "forest_plot"}}


@ui.session_cached
def _screen(data: pd.DataFrame, time: str, event: str, covariates: tuple, reference: tuple,
            units: tuple, trend: tuple) -> "ns.UnivariableScreen":
    return ns.univariable_screen(data, time, event, list(covariates), reference=dict(reference),
                                 units=dict(units), trend=list(trend))


@ui.session_cached
def _model(data: pd.DataFrame, time: str, event: str, covariates: tuple, reference: tuple,
           units: tuple, trend: tuple):
    model = ns.cox_regression(data, time, event, list(covariates), reference=dict(reference),
                              units=dict(units), trend=list(trend))
    zph = ns.proportional_hazards_test(model)
    resid = ns.schoenfeld_residuals(model)
    return model, zph, resid


@ui.session_cached
def _trend(resid: pd.DataFrame, term: str) -> pd.DataFrame:
    """The smoothed residuals of the term on screen only."""
    return nc.schoenfeld_trend(resid, terms=[term])


def _candidates(data: pd.DataFrame, endpoint) -> tuple[list[str], list[str]]:
    """(categorical, numeric) covariates of a Cox model of this endpoint (ns.covariate_columns)."""
    usable = ns.covariate_columns(data, roles=ns.schema.GROUPING_ROLES, exclude=[endpoint.time, endpoint.event])
    cats = [c for c in usable if nc.is_categorical(data[c])]
    return cats, [c for c in usable if c not in cats]


st.title("Risk factors")
ui.how_to_read("risk_factors")
data = ui.current_cohort()


def _sync_sidebar_endpoint() -> None:
    """The endpoint chosen here is the sidebar's too (the other pages show the same endpoint)."""
    st.session_state[K.ENDPOINT] = st.session_state[K.RISK_ENDPOINT]


st.session_state[K.RISK_ENDPOINT] = ui.current_endpoint().key  # follow the sidebar
st.selectbox("Endpoint", list(ui.ENDPOINTS), format_func=lambda k: ui.ENDPOINTS[k].label, key=K.RISK_ENDPOINT,
             on_change=_sync_sidebar_endpoint)
endpoint = ui.ENDPOINTS[st.session_state[K.RISK_ENDPOINT]]
st.caption(
    f"Cox proportional-hazards regression of **{endpoint.label.lower()}** (event: "
    f"{endpoint.event_label}). Hazard ratios above 1 mean a higher risk of the event."
)
if endpoint.time not in data.columns or endpoint.event not in data.columns \
        or data[endpoint.time].isna().all():
    ui.show_error(ns.MissingColumnError(
        f"This cohort has no follow-up for {endpoint.label.lower()} (columns `{endpoint.time}` and `{endpoint.event}`), so "
        f"{endpoint.label.lower()} cannot be analysed. Map the follow-up (or the dates) when "
        "importing the data."))
    st.stop()

ui.forget_on_new_dataset(K.RISK_DATASET, [K.RISK_COVARIATES, K.RISK_TREND, K.RISK_PH_TERM])
cats, nums = _candidates(data, endpoint)
options = cats + nums
default = [c for c in DEFAULT_COVARIATES if c in options] or options[:3]
ui.keep_valid(K.RISK_COVARIATES, options, default)
covariates = st.multiselect(
    "Candidate covariates (each is first tested alone: univariable screen)",
    options, format_func=ui.column_label, key=K.RISK_COVARIATES, placeholder="Choose the covariates",
)
if not covariates:
    st.info("Choose at least one covariate.")
    st.stop()

ordered = [c for c in covariates if c in cats and isinstance(data[c].dtype, pd.CategoricalDtype)
           and data[c].cat.ordered]
reference: dict[str, str] = {}
units: dict[str, float] = {}
st.markdown("**Reference groups and units** (hazard ratios compare each group with its reference)")
with st.container():
    ui.keep_valid(K.RISK_TREND, ordered, [])
    trend = st.multiselect(
        "Ordered covariates as a linear trend (one hazard ratio per step, e.g. G1 → G2 → G3) "
        "instead of categories",
        ordered, format_func=ui.column_label, key=K.RISK_TREND, placeholder="Each category against the reference",
    ) if ordered else []
    cols = st.columns(3)
    i = 0
    for c in covariates:
        if c in cats and c not in trend:
            levels = [str(v) for v in nc.group_order(data[c])]
            if len(levels) < 2:
                continue
            key = f"{K.RISK_REFERENCE}_{c}"
            ui.keep_valid(key, levels, ns.default_reference(data[c]))
            reference[c] = cols[i % 3].selectbox(f"Reference group of {ui.column_label(c)}",
                                                 levels, key=key,
                                                 format_func=lambda v, c=c: level_label(v, c))
            i += 1
        elif c in nums:
            key = f"{K.RISK_UNIT}_{c}"
            st.session_state.setdefault(key, DEFAULT_UNITS.get(c, 1.0))
            unit = ns.schema.COLUMNS_BY_NAME[c].unit if c in ns.schema.COLUMNS_BY_NAME else ""
            units[c] = cols[i % 3].number_input(
                f"{ui.column_label(c)}: hazard ratio per … {unit or 'units'}", min_value=0.001,
                step=1.0, format="%g", key=key)
            i += 1
ref_t = tuple(sorted(reference.items()))
unit_t = tuple(sorted((k, float(v)) for k, v in units.items() if v != 1))
trend_t = tuple(trend)

try:
    screen = _screen(data, endpoint.time, endpoint.event, tuple(covariates), ref_t, unit_t, trend_t)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.stop()

st.subheader("Univariable screen")
uni_view = views.risk_factor_view(nc.risk_factor_table(screen, None))
uni_view = uni_view[["Covariate", "Univariable HR (95 % CI)", "p (univariable)"]]
ui.result_table(uni_view, hide_index=True, width="stretch")
tests = screen.tests
st.caption(
    "Each covariate alone in a Cox model (Efron ties, Wald 95 % CIs); patients with a missing "
    "value of that covariate are left out of its model. " + "; ".join(
        f"{ui.column_label(t)}: n = {int(n)}, {int(e)} events"
        for t, n, e in zip(tests["term"], tests["n"], tests["events"]) if pd.notna(n))
)
with st.container():  # however many warnings: what follows keeps its place (charts are updated, not redrawn)
    for msg in screen.warnings:
        st.warning(msg, icon=":material/warning:")

st.subheader("Multivariable model")
row = st.columns([3, 1])
selection = row[0].radio(
    "Covariates in the multivariable model",
    ["all", "screen"], horizontal=True, key=K.RISK_SELECTION,
    format_func=lambda v: {"all": "All candidate covariates",
                           "screen": "Only those with univariable p below a threshold"}[v],
)
threshold = row[1].selectbox("Threshold", THRESHOLDS, index=1, key=K.RISK_THRESHOLD,
                             format_func=lambda p: f"p < {p:g}",
                             disabled=selection != "screen")
notes = st.container()  # the selection's note, when there is one, in a fixed place
if selection == "screen":
    chosen = screen.selected(threshold)
    notes.caption(
        f"Selected by the univariable screen (likelihood-ratio p < {threshold:g}): "
        + (", ".join(ui.column_label(c) for c in chosen) or "none")
        + ". Data-driven selection makes the multivariable p-values optimistic; say so in a paper."
    )
else:
    fitted = set(screen.tests["term"][screen.tests["p_value"].notna()])
    chosen = [c for c in covariates if c in fitted]
    dropped = [c for c in covariates if c not in fitted]
    if dropped:
        notes.caption("Left out of the multivariable model because they could not be estimated alone "
                   "(see the warnings above): " + ", ".join(map(ui.column_label, dropped)) + ".")
if not chosen:
    st.info("No covariate meets the selection: no multivariable model.")
    st.stop()

try:
    model, zph, resid = _model(
        data, endpoint.time, endpoint.event, tuple(chosen),
        tuple((k, v) for k, v in ref_t if k in chosen),
        tuple((k, v) for k, v in unit_t if k in chosen), tuple(c for c in trend_t if c in chosen))
except ns.AnalysisError as err:
    ui.show_error(err)
    st.stop()

m = st.columns(4)
m[0].metric("Patients in the model", model.n)
m[1].metric("Events", model.events)
m[2].metric("Excluded (missing data)", model.n_excluded)
m[3].metric("Concordance (C-index)", fmt_num(model.concordance, 3))
st.caption(
    f"Likelihood-ratio test {fmt_num(model.lr_statistic, 2)} on {model.df} df, {fmt_p(model.lr_p_value)}; "
    f"Wald test {fmt_p(model.wald_p_value)}; score (log-rank) test "
    f"{fmt_p(model.score_p_value)}. {model.n_excluded} patient(s) with a missing value in "
    "the endpoint or a model covariate were left out."
)
with st.container():
    for msg in model.warnings:
        st.warning(msg, icon=":material/warning:")

combined = nc.risk_factor_table(screen, model)
ui.result_table(views.risk_factor_view(combined), hide_index=True, width="stretch")
ui.manuscript_text("risk_factors", manuscript.cox_results(combined, endpoint.label), manuscript.cox_methods())
ui.downloads("risk_factors_table", table=ui.block(
    f"cox_{endpoint.key}", f"Cox regression of {endpoint.label.lower()}", views.risk_factor_view(combined),
    ["Cox proportional-hazards regression (Efron ties); Wald 95 % CIs and p-values."], combined.table))

st.subheader("Forest plot")
forest = ui.figure(forest_figure, combined)
ui.plotly_chart(forest, config=PLOT_CONFIG, key="risk_factors_forest")
ui.downloads("risk_factors_forest", fig=forest, stem=f"forest_{endpoint.key}")

st.subheader("Proportional-hazards check")
verdict = views.ph_verdict(zph)
bad = (zph["p_value"] < 0.05).any()
(st.warning if bad else st.success)(verdict, icon=":material/warning:" if bad else ":material/check:")
zview = zph.assign(
    Covariate=[("All covariates (global)" if t == "GLOBAL" else ui.column_label(t)) for t in zph["term"]],
    **{"χ²": [fmt_num(x, 2) for x in zph["statistic"]], "df": zph["df"], "p": zph["p_value"].map(fmt_p_bare)},
)[["Covariate", "χ²", "df", "p"]]
ui.result_table(zview, hide_index=True)
st.caption("Score test of each covariate's effect changing with time (R's cox.zph, Kaplan–Meier "
           "time scale).")
terms = [t.name for t in model.terms]
ui.keep_valid(K.RISK_PH_TERM, terms, terms[0])
ui.keep_choices({K.RISK_PH_TERM: terms[0]})  # kept while the plot is folded away
# the residual plot (thousands of points) is drawn only when its section is open
plot_box = ui.lazy_expander("Residual plot (scaled Schoenfeld residuals over time)", K.RISK_PH_PLOT_OPEN,
                            icon=":material/scatter_plot:")
if plot_box.open:
    with plot_box:
        term = st.selectbox("Residual plot for", terms, format_func=ui.column_label, key=K.RISK_PH_TERM)
        ui.chart(
            ui.figure(schoenfeld_figure, model, resid, _trend(resid, term), term, zph, label=ui.column_label(term)),
            config=PLOT_CONFIG, key="risk_factors_schoenfeld",
        )
