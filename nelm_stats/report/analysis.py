"""The whole analysis in one call, and the report built from it.

:func:`run_analysis` takes a cohort (canonical schema) and :class:`~nelm_stats.report.
settings.AnalysisSettings`, runs the public API of nelm_stats (Table 1, Kaplan–Meier with the
log-rank test, margin rates, Cox regression, propensity matching and weighting) with the
settings' choices, and returns every result object; an analysis these data cannot support
is recorded with the reason instead.  :func:`build_report` words the results into the
document model (:mod:`nelm_stats.report.document`) that the DOCX, HTML, PDF and PPTX
exporters lay out.  The dashboard's Report page, the command line and a generated script all
go through here, so they give the same numbers.
"""
from __future__ import annotations

import csv
import hashlib
import io
import platform
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import AnalysisError, InputError
from ..estimators.cox import RiskFactorTable, cox_regression, risk_factor_table, univariable_screen
from ..estimators.propensity import MatchResult, iptw, propensity_match, treatment_levels
from ..estimators.propensity_outcomes import compare_survival
from ..estimators.proportions import compare_rates
from ..estimators.table_one import table_one
from ..figures.balance import love_plot
from ..figures.forest import forest_figure
from ..figures.km import km_figure
from ..schema import BASELINE_CHARACTERISTICS, DEFAULT_HR_UNITS, ENDPOINTS, EXTRA_ENDPOINTS, POSITIVE_MARGINS, data_endpoints, label
from . import narrative as nv
from .document import CurveSeries, FigureBlock, FigureRecipe, Report, Section, TableBlock, TextBlock
from .manuscript import (
    cox_methods, cox_results, general_methods, margins_methods, margins_results, propensity_methods,
    propensity_results, significant_terms, survival_methods, table_one_methods, term_estimate,
)
from .format import display_label, fmt_median, in_sentence, level_label, fmt_n_pct, fmt_num, fmt_p
from .settings import AnalysisSettings, Settings, resolve, settings_to_json
from .survival_report import SurvivalReport, survival_report
from .views import with_level_labels, ANALYSIS_NAMES, adjusted_hazard_view, balance_view, margin_rates_view, risk_factor_view

__all__ = ["AnalysisResults", "run_analysis", "build_report", "data_fingerprint", "software_line"]


@dataclass(frozen=True)
class AnalysisResults:
    """Every result of one analysis.  ``skipped``: {section: why it could not be done}."""
    settings: AnalysisSettings
    n_patients: int
    flow: pd.DataFrame | None
    table_one: object | None
    survival: SurvivalReport | None
    margins: object | None  # compare_rates of a positive margin (R1/R2) by group
    cox: object | None  # RiskFactorTable (univariable screen + multivariable model)
    matched: object | None  # MatchResult
    weighted: object | None  # WeightResult
    comparison: object | None  # SurvivalComparison (crude / matched / weighted)
    skipped: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""


def data_fingerprint(data: pd.DataFrame) -> str:
    """A short hash of the analysed data (values and column names), to tell two inputs apart.

    The hash of the table as CSV text (12 significant digits, dates as yyyy-mm-dd), so that 72 and
    72.0, or a boolean read as True/False text, give the same fingerprint: the text of
    ``data.to_csv(index=False, float_format="%.12g", date_format="%Y-%m-%d", lineterminator="\\n")``,
    written here from each column's distinct values (a second at 100 000 patients otherwise).
    """
    digest = hashlib.sha256()
    parts = _csv_parts(data)
    if parts is None:  # a kind of column written here as pandas would not be sure to: pandas writes it
        parts = [data.to_csv(index=False, float_format="%.12g", date_format="%Y-%m-%d",
                             lineterminator="\n").encode("utf-8")]
    for part in parts:
        digest.update(part)
    return digest.hexdigest()[:12]


def _csv_parts(data: pd.DataFrame) -> list | None:
    """The UTF-8 bytes of the CSV text pandas writes for :func:`data_fingerprint`, in pieces (the
    header line, then the rows), None for a table with a kind of column not handled here (then
    pandas writes it).

    Each column's distinct texts are quoted as Python's csv writer quotes them (pandas writes with
    it) and the rows joined in Arrow, each row ending in its line break: the rows' bytes are then
    the Arrow array's data, hashed without a Python string of the whole table.  A table of one
    column (whose empty cells the writer quotes as a row of its own) is left to pandas."""
    if not isinstance(data.columns, pd.Index) or isinstance(data.columns, pd.MultiIndex) \
            or not all(isinstance(c, str) for c in data.columns) or data.shape[1] < 2:
        return None
    columns = []
    for j in range(data.shape[1]):
        column = _csv_cells(data.iloc[:, j])
        if column is None:
            return None
        columns.append(column)
    import pyarrow as pa
    import pyarrow.compute as pc

    header = io.StringIO()
    csv.writer(header, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow(list(data.columns))  # as pandas
    if len(data) == 0:
        return [header.getvalue().encode("utf-8")]
    text = pa.large_string()
    arrays = []
    for j, (texts, codes) in enumerate(columns):
        texts = _csv_quoted(texts)
        cells = pa.concat_arrays([texts, pa.array([""], type=text)])  # the last: a missing value
        if j == len(columns) - 1:  # the row's line break after its last cell
            cells = pc.binary_join_element_wise(cells, pa.scalar("\n", text), pa.scalar("", text))
        arrays.append(cells.take(pa.array(np.where(codes < 0, len(texts), codes))))
    rows = pc.binary_join_element_wise(*arrays, pa.scalar(",", text))
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)[rows.offset:rows.offset + len(rows) + 1]
    return [header.getvalue().encode("utf-8"), memoryview(rows.buffers()[2])[offsets[0]:offsets[-1]]]


def _csv_quoted(texts):
    """Distinct texts (an Arrow array) as the csv writer writes each among other fields: quoted
    (by the writer itself) where a text holds a comma, a quote or a line break."""
    import pyarrow as pa
    import pyarrow.compute as pc

    special = pc.match_substring_regex(texts, '[,"\r\n]').to_numpy(zero_copy_only=False)
    if not special.any():
        return texts
    values = texts.to_pylist()
    for i in np.flatnonzero(special):
        line = io.StringIO()
        csv.writer(line, lineterminator="\n", quoting=csv.QUOTE_MINIMAL).writerow([values[i], ""])
        values[i] = line.getvalue()[:-2]  # without the second (empty) field's "," and the line end
    return pa.array(values, type=pa.large_string())


def _csv_cells(s: pd.Series):
    """A column as the texts pandas writes, formatted once per distinct value: (distinct texts as
    an Arrow array, each row's position among them, -1 for a missing value, written "")."""
    import pyarrow as pa

    text = pa.large_string()
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        cats = dtype.categories
        if not (pd.api.types.is_string_dtype(cats) or cats.dtype == object) \
                or not all(isinstance(c, str) for c in cats):
            return None
        return (pa.array([str(c) for c in cats], type=text), s.cat.codes.to_numpy())
    if pd.api.types.is_bool_dtype(dtype):  # bool and boolean (nullable)
        codes = np.where(s.isna().to_numpy(), -1, s.fillna(False).to_numpy(dtype=bool).astype(int))
        return (pa.array(["False", "True"], type=text), codes)
    if dtype == np.float64:
        values = s.to_numpy()
        if np.any((values == 0) & np.signbit(values)):  # -0.0: the same value as 0.0 for the lookup
            return None
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return (pa.array(["%.12g" % u for u in uniques], type=text), codes)
    if dtype == np.int64:
        codes, uniques = pd.factorize(s.to_numpy())
        return (pa.array([str(u) for u in uniques], type=text), codes)
    if pd.api.types.is_datetime64_dtype(dtype):
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return (pa.array([u.strftime("%Y-%m-%d") for u in uniques], type=text), codes)
    if pd.api.types.is_string_dtype(dtype) and dtype != object:
        codes, uniques = pd.factorize(s, use_na_sentinel=True)
        return (pa.array(uniques, type=text), codes)
    return None


def software_line() -> str:
    import scipy
    return (f"nelm_stats {__version__} (Python {platform.python_version()}, numpy {np.__version__}, "
            f"pandas {pd.__version__}, scipy {scipy.__version__})")


def _treated_value(data: pd.DataFrame, treatment: str, treated: str | None):
    levels = treatment_levels(data, treatment)
    for v in levels:
        if str(v) == str(treated):
            return v
    raise InputError(f"The treated group '{treated}' is not a value of {label(treatment)}.")


def run_analysis(data: pd.DataFrame, settings: AnalysisSettings | None = None, *,
                 flow: pd.DataFrame | None = None, fingerprint: str | None = None) -> AnalysisResults:
    """Run every analysis of the report on ``data`` with ``settings`` (None fields: defaults).

    ``fingerprint``: :func:`data_fingerprint` of ``data`` when known already (the dashboard keeps it
    with an imported cohort); computed here when None."""
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise InputError("The cohort has no patients to analyse.")
    a = resolve(settings or AnalysisSettings(), data)
    endpoint = data_endpoints(data).get(a.endpoint)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the fingerprint (mostly Arrow) and then the propensity analysis run beside the others: much
        # of their time is spent in compiled code that lets the other core work meanwhile (one thread
        # beside this one: more threads only wait for each other)
        written = pool.submit(data_fingerprint, data) if fingerprint is None else None
        propensity = pool.submit(_propensity_part, data, a, endpoint)
        parts = {"table_one": _table_one_part(data, a), "survival": _survival_part(data, a, endpoint),
                 "margins": _margins_part(data, a), "cox": _cox_part(data, a, endpoint)}
        parts["propensity"] = propensity.result()
        if written is not None:
            fingerprint = written.result()
    skipped = {key: why for key, (_, why) in parts.items() if why is not None}
    if len(skipped) == 5:
        raise InputError("None of the report's analyses can be done on these data: "
                         + " ".join(dict.fromkeys(skipped.values())))
    matched, weighted, comparison = parts["propensity"][0] or (None, None, None)
    return AnalysisResults(settings=a, n_patients=len(data), flow=flow, table_one=parts["table_one"][0],
                           survival=parts["survival"][0], margins=parts["margins"][0], cox=parts["cox"][0],
                           matched=matched, weighted=weighted, comparison=comparison, skipped=skipped,
                           fingerprint=fingerprint)


# each part: (its result, None) or (None, why it could not be done)

def _table_one_part(data: pd.DataFrame, a: AnalysisSettings):
    group = a.group or None
    variables = [c for c in BASELINE_CHARACTERISTICS if c in data.columns and c != group
                 and data[c].notna().any()]
    try:
        if not variables:
            raise InputError("These data hold none of the usual baseline characteristics.")
        return table_one(data, group, variables), None
    except AnalysisError as err:
        return None, str(err)


def _survival_part(data: pd.DataFrame, a: AnalysisSettings, endpoint):
    if endpoint is None:
        return None, "These data have no follow-up times for this endpoint."
    os_ep = ENDPOINTS["os"]
    fu = (os_ep.time, os_ep.event) if "os" in data_endpoints(data) else None
    try:
        return survival_report(
            data, endpoint.time, endpoint.event, a.group or None, cut=a.cut, time_unit=a.time_unit,
            horizon=a.horizon, landmark=a.landmark, rate_years=a.rate_years, endpoint=endpoint.label,
            event_label=endpoint.event_label, follow_up=fu), None
    except AnalysisError as err:
        return None, str(err)


def _margins_part(data: pd.DataFrame, a: AnalysisSettings):
    if "margin_status" not in data.columns or not data["margin_status"].notna().any():
        return None, "These data have no margin status (R0/R1/R2)."
    try:
        return compare_rates(data, "margin_status", a.group or None, event=list(POSITIVE_MARGINS)), None
    except AnalysisError as err:
        return None, str(err)


def _cox_part(data: pd.DataFrame, a: AnalysisSettings, endpoint):
    covs = [c for c in (a.cox_covariates or ()) if c in data.columns]
    if endpoint is None:
        return None, "These data have no follow-up times for this endpoint."
    if not covs:
        return None, "No covariate was chosen for the Cox model."
    try:
        units = {c: u for c, u in DEFAULT_HR_UNITS.items() if c in covs}
        screen = univariable_screen(data, endpoint.time, endpoint.event, covs, units=units)
        fitted = set(screen.tests["term"][screen.tests["p_value"].notna()])
        chosen = [c for c in covs if c in fitted]
        model = cox_regression(data, endpoint.time, endpoint.event, chosen,
                               units={c: u for c, u in units.items() if c in chosen}) if chosen else None
        return risk_factor_table(screen, model), None
    except AnalysisError as err:
        return None, str(err)


def _propensity_part(data: pd.DataFrame, a: AnalysisSettings, endpoint):
    """((matched, weighted, comparison), None) or (None, why)."""
    if not a.treatment:
        return None, "These data have no column with exactly two groups to compare."
    if not a.ps_covariates:
        return None, "No covariate was chosen for the propensity model."
    try:
        treated = _treated_value(data, a.treatment, a.treated)
        m = a.matching
        matched = propensity_match(data, a.treatment, list(a.ps_covariates), ratio=m.ratio, caliper=m.caliper,
                                   caliper_scale=m.caliper_scale, replace=m.replace,
                                   exact=list(m.exact) or None, treated=treated)
        w = a.weighting
        weighted = iptw(data, a.treatment, list(a.ps_covariates), estimand=w.estimand, stabilize=w.stabilize,
                        trim=w.trim, treated=treated)
        comparison = None
        if endpoint is not None:
            comparison = compare_survival(data, endpoint.time, endpoint.event, matched=matched,
                                          weighted=weighted, time_unit=a.time_unit)
        return (matched, weighted, comparison), None
    except AnalysisError as err:
        return None, str(err)


# ---- wording --------------------------------------------------------------------------------


def _frame_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as display text (the exporters write text)."""
    out = frame.copy()
    for c in out.columns:
        out[c] = [display_label(v) if not isinstance(v, str) else v for v in out[c]]
    return out.astype(str)


def _km_curves(km) -> tuple[CurveSeries, ...]:
    out = []
    for g in km.medians["group"]:
        c = km.curve[km.curve["group"] == g]
        t = np.concatenate([[0.0], c["time"].to_numpy(float)])
        s = np.concatenate([[1.0], c["survival"].to_numpy(float)])
        # step corners: (t0,s0) (t1,s0) (t1,s1) ...
        xs = np.repeat(t, 2)[1:]
        ys = np.repeat(s, 2)[:-1]
        out.append(CurveSeries(display_label(g), tuple(map(float, xs)), tuple(map(float, ys))))
    return tuple(out)


def _group_text(g, column: str | None = None) -> str:
    """A group as a headline names it: "All patients", "G3", or "Cystic metastases: yes" for a
    yes/no column (a bare "yes" says nothing on a slide)."""
    if str(g) == "all":
        return "All patients"
    return level_label(g, column)


def _flow_section(r: AnalysisResults) -> Section:
    blocks = []
    if r.flow is not None and len(r.flow):
        blocks.append(TextBlock("Patient flow: " + nv.describe_flow(r.flow), "results"))
        f = r.flow.rename(columns={"step": "Step", "reason": "Reason", "n_excluded": "Patients left out",
                                   "n_remaining": "Patients remaining"})
        blocks.append(TableBlock("flow", "Patient flow", _frame_text(f), data=r.flow))
        head = (nv.describe_flow(r.flow),)
    else:
        blocks.append(TextBlock(f"{r.n_patients} patients were analysed (the file was already in the analysis "
                                "format; no rows were left out on import).", "results"))
        head = ()
    return Section("flow", "Patients", tuple(blocks), head)


def _table_one_section(r: AnalysisResults) -> Section:
    t1 = r.table_one
    group = r.settings.group or None
    view = t1.formatted(group_title=label(group) if group else None)
    notes = tuple(t1.footnotes())
    if t1.n_excluded:
        notes += (f"{t1.n_excluded} patient(s) without a value for the grouping were left out.",)
    title = "Table 1. Baseline characteristics" + (f" by {in_sentence(label(group))}" if group else "")
    return Section("table_one", "Baseline characteristics",
                   (TableBlock("table_one", title, _frame_text(view), notes, t1.table),), ())


def _recipe(builder, *args, **kwargs) -> FigureRecipe:
    return FigureRecipe(builder, tuple(_drawn_only(a) for a in args), tuple(sorted(kwargs.items())))


def _drawn_only(result):
    """``result`` without the per-patient tables its figure does not draw (a cached report keeps
    its figures' recipes: at 100 000 patients the matched rows and the Cox models' fitted arrays
    made a report of 38 MB); other values unchanged."""
    if isinstance(result, MatchResult):  # the love plot draws the balance table
        return replace(result, matched=result.matched.iloc[:0], pairs=result.pairs.iloc[:0],
                       propensity=result.propensity.iloc[:0], distance=result.distance.iloc[:0],
                       model=replace(result.model, propensity=result.model.propensity.iloc[:0],
                                     treated=result.model.treated.iloc[:0]))
    if isinstance(result, RiskFactorTable):  # the forest plot draws the tables and the models' terms

        def unfitted(model):
            return None if model is None else replace(model, _fit=None)

        return replace(result, screen=replace(result.screen, models=tuple(unfitted(m) for m in result.screen.models)),
                       model=unfitted(result.model))
    return result


def _survival_section(r: AnalysisResults) -> Section:
    s = with_level_labels(r.survival, r.survival.group)  # groups named as on screen (the narrative is built)
    unit = s.time_unit
    fig = _recipe(km_figure, s.km, test=s.test, horizon=s.horizon, time_unit=unit, group_name=s.group_name,
                  y_title=s.endpoint, time_origin="landmark" if s.landmark is not None else "surgery")
    caption = (f"Kaplan–Meier estimate of {s.endpoint.lower()}" + (f" by {in_sentence(s.group_name)}" if s.group_name else "")
               + "; ticks mark censored patients; numbers at risk below the axis"
               + (f"; {nv.test_line(s.test)}" if s.test is not None else "") + ".")
    table = nv.survival_table_view(s.km.medians, s.rates, unit)
    notes = ["Median and rates: Kaplan–Meier estimates with 95 % CIs (log transformation, as R's survfit)."]
    foot = nv.rates_footnote(s.rates)
    if foot:
        notes.append(foot)
    if s.test is not None:
        notes.append("Groups compared with the log-rank test.")
    blocks = [
        FigureBlock("km", f"{s.endpoint}", fig, caption, _km_curves(s.km),
                    f"Time since surgery ({unit})", s.endpoint),
        TableBlock("survival", f"{s.endpoint}: medians and rates", _frame_text(table), tuple(notes),
                   s.km.medians),
        TextBlock(s.narrative, "results"),
    ]
    blocks += [TextBlock(w, "note") for w in s.warnings]
    head = []
    for row in s.km.medians.itertuples(index=False):
        head.append(f"{_group_text(row.group, s.group)} — median {fmt_median_short(row, unit)}")
    if s.test is not None:
        head.append(f"Log-rank {fmt_p(s.test.p_value)}")
    return Section("survival", s.endpoint, tuple(blocks), tuple(head))


def fmt_median_short(row, unit: str) -> str:
    return f"{fmt_median(row.median, row.ci_lower, row.ci_upper)} {unit}"


def _margins_section(r: AnalysisResults) -> Section:
    m = r.margins
    t = m.table
    view = margin_rates_view(with_level_labels(m, r.settings.group or None).table)
    sentence = margins_results(m, r.settings.group or None)
    notes = ["95 % CIs: Wilson score intervals."]
    if m.p_value == m.p_value:
        notes.append(f"p-value: {m.test}.")
    if m.odds_ratio == m.odds_ratio:
        notes.append("Odds ratio: conditional maximum-likelihood estimate with exact CI (as R's fisher.test).")
    head = tuple(f"{_group_text(g, r.settings.group or None)} — {fmt_n_pct(int(e), int(n))} R1/R2"
                 for g, e, n in zip(t["group"], t["events"], t["n"]))
    return Section("margins", "Resection margins",
                   (TableBlock("margins", "Positive resection margins", view, tuple(notes), t),
                    TextBlock(sentence, "results")), head + ((fmt_p(m.p_value),) if m.p_value == m.p_value else ()))


def _cox_section(r: AnalysisResults) -> Section:
    rft = r.cox
    view = risk_factor_view(rft)
    ep = data_label(r)
    fig = _recipe(forest_figure, rft)
    blocks = [FigureBlock("forest", f"Hazard ratios for {ep.lower()}", fig,
                          f"Hazard ratios (95 % CI, log scale) of {ep.lower()} from Cox regression.")]
    notes = ("Cox proportional-hazards regression (Efron ties); Wald 95 % CIs and p-values. Univariable: each "
             "covariate alone; multivariable: all covariates that could be estimated alone.",)
    blocks.append(TableBlock("cox", f"Cox regression of {ep.lower()}", _frame_text(view), notes, rft.table))
    sig = significant_terms(rft)
    text = cox_results(rft, ep)
    blocks.append(TextBlock(text, "results"))
    head = tuple(f"{label(row.term)}{(' ' + display_label(row.level)) if row.level else ''}: "
                 f"HR {fmt_num(term_estimate(row)[0], 2)}, {fmt_p(term_estimate(row)[3])}" for row in sig[:4])
    return Section("cox", "Risk factors (Cox regression)", tuple(blocks), head or (text,))


def data_label(r: AnalysisResults) -> str:
    e = {**ENDPOINTS, **EXTRA_ENDPOINTS}
    return e[r.settings.endpoint].label if r.settings.endpoint in e else "Survival"


def _propensity_section(r: AnalysisResults) -> Section:
    m, w, c = r.matched, r.weighted, r.comparison
    a = r.settings
    treat = label(a.treatment)
    bal = m.balance
    bview = balance_view(m, w)
    blocks = [FigureBlock("love", "Covariate balance", _recipe(love_plot, m),
                          "Absolute standardized mean differences before and after matching; dashed line at 0.1."),
              TableBlock("balance", f"Balance of the propensity model ({treat})", bview,
                         ("SMD: standardized mean difference; denominators: SD of the treated group (ATT), "
                          "computed in the unmatched sample; binary covariates standardized with p(1 − p).",), bal)]
    text = propensity_results(m, c, data_label(r))
    head = [f"{m.n_treated_matched}/{m.n_treated} treated matched"]
    if c is not None and len(c.table):
        t = c.table
        names = ANALYSIS_NAMES
        view = adjusted_hazard_view(t)
        blocks.append(TableBlock("contrast", f"{data_label(r)}: crude, matched and weighted hazard ratios", view,
                                 ("Crude: Cox model in the patients of the propensity model. Matched: Cox model with "
                                  "robust SE clustered on the matched sets. Weighted: Cox model with IPTW weights "
                                  f"({a.weighting.estimand}{', stabilised' if a.weighting.stabilize else ''}) and "
                                  "robust SE.",), t))
        for row in t.itertuples(index=False):
            if row.hazard_ratio == row.hazard_ratio:
                head.append(f"{names.get(row.analysis, row.analysis)} HR {fmt_num(row.hazard_ratio, 2)} "
                            f"({fmt_p(row.p_value)})")
        blocks += [TextBlock(x, "note") for x in c.warnings]
    blocks.insert(2, TextBlock(text, "results"))
    blocks += [TextBlock(x, "note") for x in m.warnings]
    return Section("propensity", f"Propensity score analysis: {treat}", tuple(blocks), tuple(head))


SECTION_TITLES = {"flow": "Patients", "table_one": "Baseline characteristics", "survival": "Survival",
                  "margins": "Resection margins", "cox": "Risk factors (Cox regression)",
                  "propensity": "Propensity score analysis"}
_BUILDERS = {"flow": _flow_section, "table_one": _table_one_section, "survival": _survival_section,
             "margins": _margins_section, "cox": _cox_section, "propensity": _propensity_section}
_RESULT = {"table_one": "table_one", "survival": "survival", "margins": "margins", "cox": "cox",
           "propensity": "matched"}


def methods_text(r: AnalysisResults) -> str:
    """The methods paragraph: endpoints, estimators, tests, models, matching, missing data, software."""
    a = r.settings
    ep = data_label(r)
    parts = [survival_methods(ep, a.time_unit, a.landmark), table_one_methods(), margins_methods(), cox_methods()]
    if a.treatment and r.matched is not None:
        m, w = a.matching, a.weighting
        parts.append(propensity_methods(a.treatment, a.ps_covariates, ratio=m.ratio, caliper=m.caliper,
                                        caliper_scale=m.caliper_scale, replace=m.replace, estimand=w.estimand,
                                        stabilize=w.stabilize, trim=w.trim))
    parts.append(general_methods(software_line()))
    return " ".join(parts)


def build_report(results: AnalysisResults, *, dataset: str = "", settings: Settings | None = None,
                 title: str | None = None) -> Report:
    """The report document of ``results`` (sections in the settings' order)."""
    s = settings or Settings(analysis=results.settings)
    sections = []
    for key in s.report.sections:
        if key not in _BUILDERS:
            continue
        if key != "flow" and getattr(results, _RESULT[key]) is None:
            why = results.skipped.get(key, "not available for these data")
            sections.append(Section(key, SECTION_TITLES[key], (TextBlock(f"Not done: {why}", "note"),), ()))
            continue
        sections.append(_BUILDERS[key](results))
    take_home = []
    for sec in sections:
        if sec.key in ("survival", "margins", "cox", "propensity") and sec.headline:
            take_home.append(f"{sec.title}: " + "; ".join(h.rstrip(".") for h in sec.headline[:3]) + ".")
    settings_hash = hashlib.sha256(settings_to_json(s).encode("utf-8")).hexdigest()[:12]
    provenance = (
        ("Software", software_line()),
        ("Data", f"{dataset or 'cohort'}: {results.n_patients} patients, fingerprint {results.fingerprint}"),
        ("Settings", f"fingerprint {settings_hash} (settings version 1)"),
    )
    return Report(
        title=title or s.report.title,
        subtitle=(f"{dataset} · " if dataset else "") + f"{results.n_patients} patients",
        sections=tuple(sections), methods=methods_text(results), take_home=tuple(take_home),
        provenance=provenance, created=date.today().isoformat())
