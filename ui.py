"""What every page of the dashboard needs: session-state keys, the current cohort, the endpoint.

Pages are thin: they read widgets, call nelm_stats through the cached wrappers here,
and render.  Session-state keys are constants of :class:`Keys` only.
One user's upload lives in that user's st.session_state only (never on disk, never in
a cache shared between sessions).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import pickle
import sys
import threading
import weakref

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

import nelm_stats as ns
from nelm_stats import samples as ns_samples
from nelm_stats.report import document as ns_document
from nelm_stats.report import format as ns_format
from nelm_stats.report import settings as ns_settings
from nelm_stats.report import teaching as ns_teaching
from nelm_stats.report import views
from nelm_stats.report.views import column_titles


class Keys:
    """Every st.session_state key and widget key shared between pages."""

    DATASET = "dataset"  # sidebar selectbox: "sample:<name>" or "upload:<name>"
    UPLOADS = "uploads"  # dict name -> UploadedCohort (this session only)
    ENDPOINT = "endpoint"  # sidebar radio: key of ENDPOINTS
    # Import page (pages/data_import.py)
    IMPORT_FILE = "import_file"  # st.file_uploader: the patient table
    IMPORT_DEMO = "import_demo"  # (file name, bytes) of the demo export, when the user asks for it
    IMPORT_DEMO_BUTTON = "import_demo_button"
    IMPORT_TEMPLATE_DOWNLOAD = "import_template_download"
    IMPORT_SHEET = "import_sheet"  # + "_<file>"
    IMPORT_HEADER_ROW = "import_header_row"  # + "_<file>_<sheet>"
    IMPORT_MISSING = "import_missing"  # missing-value codes, comma-separated
    IMPORT_DECIMAL = "import_decimal"  # + "_<file>": how numbers written as text are read
    IMPORT_DROP = "import_drop_identifiers"
    IMPORT_AGE_FROM_BIRTH = "import_age_from_birth"
    IMPORT_MAPPING_FILE = "import_mapping_file"  # a saved mapping (JSON)
    IMPORT_MAPPING_EDITOR = "import_mapping_editor"  # + "_<file>"
    IMPORT_MAPPING_DOWNLOAD = "import_mapping_download"
    IMPORT_DATE_ORDER = "import_date_order"  # + "_<file>"
    IMPORT_RFS_DEFINITION = "import_rfs_definition"
    IMPORT_UNIT = "import_unit"
    IMPORT_SOURCE = "import_source"
    IMPORT_ACTION = "import_action"  # + "_<problem kind>"
    IMPORT_EXCLUDE_ROWS = "import_exclude_rows"  # + "_<file>"
    IMPORT_LESION_SHEET = "import_lesion_sheet"  # + "_<file>"
    IMPORT_LESION_FILE = "import_lesion_file"
    IMPORT_DROP_DATES = "import_drop_dates"
    IMPORT_AUDIT_OPEN = "import_audit_open"  # the per-patient audit table is open
    HOW_TO_READ_OPEN = "how_to_read_open"  # + "_<page's key>": its "How to read this" is open
    REPORT_SETTINGS_OPEN = "report_settings_open"  # the Report page's settings text is open
    REPORT_SECTION_OPEN = "report_section_open"  # + "_<section>": a section of the report preview is open
    LEARN_VIEW = "learn_view"  # the open tab of "Naive vs correct" (its title)
    MANUSCRIPT_OPEN = "manuscript_open"  # + "_<page's key>": its "Text for the manuscript" is open
    IMPORT_PREVIEW_OPEN = "import_preview_open"  # + "_<file>": the value preview is open
    IMPORT_PROBLEMS_OPEN = "import_problems_open"  # + "_<file>": the list of problem rows is open
    IMPORT_NAME = "import_name"
    IMPORT_USE = "import_use"
    IMPORT_USE_TOP = "import_use_top"  # the same, at the top of the page
    IMPORT_DONE = "import_done"  # name of the cohort just imported
    IMPORT_SETTINGS_FILE = "import_settings_file"  # a saved settings file to replay on this export
    IMPORT_SETTINGS_USE = "import_settings_use"
    # Overview page
    HOME_GROUP = "home_group"
    HOME_DATASET = "home_dataset"  # the dataset HOME_GROUP was chosen for
    # Survival page
    SURVIVAL_DATASET = "survival_dataset"  # the dataset the page's choices were made for
    SURVIVAL_ENDPOINT = "survival_endpoint"
    SURVIVAL_GROUP = "survival_group"
    SURVIVAL_CUT = "survival_cut"  # "median" | "value"
    SURVIVAL_CUT_VALUE = "survival_cut_value"
    SURVIVAL_UNIT = "survival_unit"
    SURVIVAL_HORIZON = "survival_horizon"  # + "_<unit>_<time column>": see horizon_key
    SURVIVAL_LANDMARK_ON = "survival_landmark_on"
    SURVIVAL_LANDMARK = "survival_landmark"  # + "_<unit>"
    SURVIVAL_CI = "survival_ci"
    SURVIVAL_RATE_YEARS = "survival_rate_years"  # the years at which survival rates are read
    SURVIVAL_RATE_OTHER = "survival_rate_other"  # further rate times typed in ("6 months, 2.5 years")
    SURVIVAL_MEDIANS = "survival_medians"
    SURVIVAL_REFERENCE = "survival_reference"  # + "_<group column>": the reference group
    # Propensity page
    PROPENSITY_TREATMENT = "propensity_treatment"
    PROPENSITY_TREATED = "propensity_treated"  # which value of the treatment column is "treated"
    PROPENSITY_COVARIATES = "propensity_covariates"
    PROPENSITY_RATIO = "propensity_ratio"
    PROPENSITY_CALIPER_ON = "propensity_caliper_on"
    PROPENSITY_CALIPER = "propensity_caliper"
    PROPENSITY_SCALE = "propensity_scale"
    PROPENSITY_REPLACE = "propensity_replace"
    PROPENSITY_EXACT = "propensity_exact"
    PROPENSITY_ESTIMAND = "propensity_estimand"
    PROPENSITY_STABILIZE = "propensity_stabilize"
    PROPENSITY_TRIM = "propensity_trim"
    PROPENSITY_BINARY = "propensity_binary"
    PROPENSITY_CHECK_VIEW = "propensity_check_view"  # + "_matched"/"_weighted": "Covariate balance" | "Overlap ..."
    PROPENSITY_BINARY_OPEN = "propensity_binary_open"  # the matched pairs' binary outcomes are open
    PROPENSITY_TABLE_ONE_OPEN = "propensity_table_one_open"  # the matched/weighted Table 1s are open
    PROPENSITY_ENDPOINT = "propensity_endpoint"
    PROPENSITY_UNIT = "propensity_unit"
    PROPENSITY_VIEW = "propensity_view"  # the open tab: "Matching" | "Weighting (IPTW)"
    PROPENSITY_TABLE_ONE_VIEW = "propensity_table_one_view"  # "Matched cohort" | "Weighted cohort"
    PROPENSITY_KM_VIEW = "propensity_km_view"  # survival curves: "Matched cohort" | "Weighted cohort"
    # Table 1 page
    TABLE_ONE_DATASET = "table_one_dataset"  # the dataset the page's choices were made for
    TABLE_ONE_GROUP = "table_one_group"
    TABLE_ONE_VARIABLES = "table_one_variables"
    TABLE_ONE_SUMMARY = "table_one_summary"
    TABLE_ONE_WEIGHTS = "table_one_weights"
    TABLE_ONE_MATCHED = "table_one_matched"
    # Margins & complications page
    MARGINS_DATASET = "margins_dataset"  # the dataset the page's choices were made for
    MARGINS_GROUP = "margins_group"
    MARGINS_REFERENCE = "margins_reference"  # + "_<group column>": the reference group
    MARGINS_CI = "margins_ci"
    MARGINS_TEST = "margins_test"
    MARGINS_THRESHOLD = "margins_threshold"
    MARGINS_PAIRED = "margins_paired"
    MARGINS_CORSTR = "margins_corstr"
    MARGINS_VIEW = "margins_view"  # the open tab of the Margins page
    # Fluorescence accuracy page
    FLUORESCENCE_TEST = "fluorescence_test"
    FLUORESCENCE_TRUTH = "fluorescence_truth"
    FLUORESCENCE_LEVEL = "fluorescence_level"
    FLUORESCENCE_SCORE = "fluorescence_score"
    FLUORESCENCE_SCORE2 = "fluorescence_score2"
    FLUORESCENCE_MEASURE = "fluorescence_measure"
    FLUORESCENCE_FIRST_N = "fluorescence_first_n"
    # Risk factors page (Cox regression)
    RISK_DATASET = "risk_dataset"  # the dataset the page's choices were made for
    RISK_ENDPOINT = "risk_endpoint"  # the page's endpoint selectbox (kept in step with the sidebar)
    RISK_COVARIATES = "risk_covariates"  # candidate covariates (univariable screen)
    RISK_TREND = "risk_trend"  # ordered columns coded as a linear trend
    RISK_REFERENCE = "risk_reference"  # + "_<column>": reference level
    RISK_UNIT = "risk_unit"  # + "_<column>": HR per this many units
    RISK_SELECTION = "risk_selection"  # "all" | "screen"
    RISK_THRESHOLD = "risk_threshold"  # p threshold of the screen
    RISK_PH_TERM = "risk_ph_term"  # covariate of the residual plot
    RISK_PH_PLOT_OPEN = "risk_ph_plot_open"  # the residual plot's section is open
    # Report page and the settings file
    REPORT_TITLE = "report_title"
    REPORT_SECTIONS = "report_sections"
    REPORT_SETTINGS_FILE = "report_settings_file"  # a settings file to load (JSON)
    REPORT_SETTINGS_NOTES = "report_settings_notes"  # what of a loaded settings file did not fit
    SETTINGS_DOWNLOAD = "settings_download"  # sidebar: the settings of the analysis
    # Plan a study page (pages/plan.py)
    PLAN_SOURCE = "plan_source"  # (dataset, endpoint, group, control, treated) the prefilled values came from
    PLAN_ENDPOINT = "plan_endpoint"
    PLAN_GROUP = "plan_group"
    PLAN_CONTROL = "plan_control"  # + "_<group>"
    PLAN_TREATED = "plan_treated"  # + "_<group>"
    PLAN_HR = "plan_hr"
    PLAN_MEDIAN = "plan_median"
    PLAN_ACCRUAL = "plan_accrual"
    PLAN_FOLLOW_UP = "plan_follow_up"
    PLAN_POWER = "plan_power"
    PLAN_ALPHA = "plan_alpha"
    PLAN_SIDED = "plan_sided"
    PLAN_ALLOCATION = "plan_allocation"
    PLAN_DROPOUT = "plan_dropout"
    PLAN_DROPOUT_TIME = "plan_dropout_time"
    PLAN_METHOD = "plan_method"
    PLAN_RATE_DESIGN = "plan_rate_design"  # "superiority" | "noninferiority"
    PLAN_P_CONTROL = "plan_p_control"
    PLAN_P_TREATED = "plan_p_treated"
    PLAN_RATE_METHOD = "plan_rate_method"
    PLAN_RATE_ALPHA = "plan_rate_alpha"
    PLAN_RATE_POWER = "plan_rate_power"
    PLAN_NI_MARGIN = "plan_ni_margin"


# endpoints are domain knowledge: they live in the schema (nelm_stats.schema)
Endpoint = ns.schema.Endpoint
ENDPOINTS = ns.schema.ENDPOINTS
EXTRA_ENDPOINTS = ns.schema.EXTRA_ENDPOINTS
data_endpoints = ns.schema.data_endpoints


@dataclass(frozen=True)
class UploadedCohort:
    """A cohort a user imported in this session."""

    name: str
    data: pd.DataFrame
    lesions: pd.DataFrame | None = None
    flow: pd.DataFrame | None = None  # patient flow (uploaded -> excluded -> analysed)
    import_settings: "ns.ImportSettings | None" = None  # the Import page's choices (None: not imported)
    source_file: str | None = None  # name of the file it was imported from
    fingerprint: str | None = None  # data_fingerprint(data), set by add_upload: once per cohort


@st.cache_data(show_spinner=False)
def _load_sample(name: str) -> pd.DataFrame:
    return ns.load_sample(name)


@st.cache_data(show_spinner=False)
def _load_sample_lesions(name: str) -> pd.DataFrame | None:
    return ns.load_sample_lesions(name)


_PAGES: dict[str, list] = {}


def register_pages(pages: dict[str, list]) -> None:
    """app.py hands its page list over, so pages can link to each other (st.page_link)."""
    _PAGES.clear()
    _PAGES.update(pages)


def analysis_pages() -> list:
    """The st.Page objects of the "Analyses" section, in app.py's order."""
    return list(_PAGES.get("Analyses", []))


def cohort_pages() -> list:
    """The "Cohort" section's pages after the landing page (its first), e.g. data import."""
    return list(_PAGES.get("Cohort", []))[1:]


def uploads() -> dict[str, UploadedCohort]:
    return st.session_state.setdefault(Keys.UPLOADS, {})


def add_upload(cohort: UploadedCohort) -> None:
    """Register an imported cohort in this session and make it the current dataset.  Its data
    fingerprint (the report's provenance) is computed here, once, not with every report."""
    from nelm_stats.report.analysis import data_fingerprint

    if cohort.fingerprint is None:
        cohort = dataclasses.replace(cohort, fingerprint=data_fingerprint(cohort.data))
    uploads()[cohort.name] = cohort
    st.session_state[Keys.DATASET] = f"upload:{cohort.name}"


def dataset_options() -> list[str]:
    return [f"sample:{n}" for n in ns_samples.sample_names()] + [f"upload:{n}" for n in uploads()]


def dataset_label(option: str) -> str:
    kind, name = option.split(":", 1)
    if kind == "sample":
        return f"Demo: {name}.csv (synthetic)"
    return f"Upload: {name}"


def _through_app() -> None:
    """Make sure app.py (page setup, sidebar, navigation) runs before any page.

    On the first request after the server starts, Streamlit's legacy ``pages/`` mode runs
    a page opened by its own URL (e.g. /survival) without app.py, so without the sidebar;
    app.py has then never registered its pages here.  Go through app.py instead.
    """
    if not _PAGES:
        st.switch_page("app.py")


def current_dataset() -> str:
    _through_app()
    option = st.session_state.get(Keys.DATASET)
    if option not in dataset_options():
        option = f"sample:{ns_samples.DEFAULT_SAMPLE}"
    return option


def current_cohort() -> pd.DataFrame:
    """The patient table the user is analysing (a copy-safe DataFrame)."""
    kind, name = current_dataset().split(":", 1)
    if kind == "sample":
        return _load_sample(name)
    return uploads()[name].data


def current_lesions() -> pd.DataFrame | None:
    """The lesion table of the current dataset, if it has one."""
    kind, name = current_dataset().split(":", 1)
    if kind == "sample":
        return _load_sample_lesions(name)
    return uploads()[name].lesions


def current_endpoint() -> Endpoint:
    return ENDPOINTS[st.session_state.get(Keys.ENDPOINT, "rfs")]


def _settings_download():
    """The settings file, written when clicked (in a thread without session state: the choices
    are read now, the data passed in)."""
    choices, data = _choices(), current_cohort()
    return lambda: ns_settings.settings_to_json(settings_from_choices(choices, data),
                                                software=f"nelm_stats {ns.__version__}")


def sidebar() -> None:
    """The shared sidebar: which dataset, which endpoint."""
    with st.sidebar:
        options = dataset_options()
        st.session_state[Keys.DATASET] = current_dataset()
        st.selectbox("Dataset", options, format_func=dataset_label, key=Keys.DATASET)
        st.radio(
            "Endpoint",
            list(ENDPOINTS),
            format_func=lambda k: ENDPOINTS[k].label,
            key=Keys.ENDPOINT,
        )
        st.download_button(
            "Save analysis settings", data=_settings_download(), file_name="nelm_settings.json",
            mime="application/json", key=Keys.SETTINGS_DOWNLOAD, on_click="ignore", icon=":material/save:",
            help="Every choice of this analysis (import, groupings, covariates, matching, report) in one file: "
                 "load it on the Report page, or replay it with  python -m nelm_stats report DATA --settings FILE.")
        st.caption("Your data stay on this computer: nothing is uploaded to the internet.")
        _preload_charts()


@functools.lru_cache(maxsize=1)
def _static_code_url(component: str) -> str | None:
    """The path of one of Streamlit's code bundles (static/js/<component>.<hash>.js), None if not found."""
    import streamlit as _st
    found = sorted((Path(_st.__file__).parent / "static" / "static" / "js").glob(f"{component}.*.js"))
    return f"./static/js/{found[0].name}" if found else None


@functools.lru_cache(maxsize=1)
def _preload_urls() -> tuple[str, ...]:
    """The chart code (PlotlyChart, 4.7 MB) and the interactive table's (DataFrame, 1.5 MB with what it
    imports): the first analysis page needs both, the Overview neither."""
    return tuple(u for u in (_static_code_url("PlotlyChart"), _static_code_url("DataFrame")) if u)


def _preload_charts() -> None:
    """Load the chart and table code (served by this computer's Streamlit) 1.5 s after the first page
    is drawn, when the browser is idle (while the clinician reads it), so the first chart or table
    she opens does not wait for it.  The same URLs as Streamlit's own imports: each module loads once."""
    urls = _preload_urls()
    if urls:
        imports = "; ".join(f"import('{u}').catch(() => {{}})" for u in urls)
        st.html(f"<script>setTimeout(() => (window.requestIdleCallback || setTimeout)("
                f"() => {{ {imports}; }}), 1500);</script>", unsafe_allow_javascript=True, width="content")


def show_error(err: Exception) -> None:
    """Show an AnalysisError in the clinician's words; the page stays usable."""
    st.error(str(err), icon=":material/error:")


def how_to_read(page_key: str) -> None:
    """'How to read this' for a surgical resident (what the page shows, assumptions, common mistakes,
    how to report it), from nelm_stats.report.teaching.HOW_TO_READ."""
    h = ns_teaching.HOW_TO_READ[page_key]
    box = lazy_expander("How to read this", f"{Keys.HOW_TO_READ_OPEN}_{page_key}", icon=":material/school:")
    if not box.open:  # on every analysis page, every run: its text is sent when she opens it
        return
    with box:
        st.markdown(f"**What it shows.** {h.shows}")
        st.markdown(f"**Assumptions.** {h.assumptions}")
        st.markdown(f"**Common mistakes.** {h.mistakes}")
        st.markdown(f"**How to report it.** {h.report}")


def grouping_columns(data: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(columns usable as groups as they are, numeric columns that must be cut in two): ns.grouping_columns."""
    return ns.grouping_columns(data)


# The question each demo cohort's paper asked: the grouping its pages open on.
SAMPLE_GROUPINGS = {
    "icg_lpsh": "icg",
    "jp_multicenter": "grade",
    "mayo_cystic": "cystic",
    "aggressive_resection": "resected",
}


def default_grouping(data: pd.DataFrame, options: list) -> str | None:
    """The grouping a page opens on: the demo cohort's question, else nelm_stats' guess."""
    kind, name = current_dataset().split(":", 1)
    preferred = SAMPLE_GROUPINGS.get(name) if kind == "sample" else None
    if preferred in options:
        return preferred
    return ns.default_grouping(data, options)


def forget_on_new_dataset(marker: str, keys: list[str]) -> None:
    """Drop a page's stored choices when the user switched to another dataset."""
    if st.session_state.get(marker) != current_dataset():
        for k in keys:
            st.session_state.pop(k, None)
        st.session_state[marker] = current_dataset()


def column_label(name: str | None) -> str:
    """The clinician's name of a column (canonical label, else the column name)."""
    if name is None:
        return "Whole cohort (no comparison)"
    return ns.schema.label(name)


_HASHED: dict[int, tuple] = {}  # id(frame) -> (weak reference to it, its shape, its digest)


def frame_hash(data: pd.DataFrame) -> str:
    """A digest of a DataFrame's whole content: values, index, column names, dtypes and the order
    of the rows (matching depends on it). Streamlit's own DataFrame hash samples large frames;
    this one reads every row.

    A page hashes the same frame for each cached call (20-30 times a run, 3 ms each at 5 000
    patients): the digest is kept while that very object lives (frames are never changed in
    place here; a new frame, e.g. after choosing a reference group, is hashed anew)."""
    known = _HASHED.get(id(data))
    if known is not None and known[0]() is data and known[1] == data.shape:
        return known[2]
    digest = _frame_digest(data)
    if len(_HASHED) > 512:
        _HASHED.clear()
    _HASHED[id(data)] = (weakref.ref(data), data.shape, digest)
    return digest


def _frame_digest(data: pd.DataFrame) -> str:
    h = pd.util.hash_pandas_object(data, index=True).to_numpy()
    d = hashlib.sha256(h.tobytes())
    d.update(repr((list(map(str, data.columns)), list(map(str, data.dtypes)), data.shape)).encode())
    # the order of a Categorical's categories (its reference group) changes results, not the values' hash
    d.update(repr([(c, list(map(str, data[c].cat.categories)), data[c].cat.ordered) for c in data.columns
                   if isinstance(data[c].dtype, pd.CategoricalDtype)]).encode())
    return d.hexdigest()


def _result_digest(result) -> str:
    """A digest of a nelm_stats result (a frozen dataclass: a match, a Kaplan-Meier fit ...) passed to
    a cached call (a figure of it), from the content of every field: every value is read (Streamlit's
    default deep-copies the result with dataclasses.asdict, then samples series of 50 000 rows or
    more), and a result read back from the cache gives the same digest as the one computed."""
    h = hashlib.sha256()
    _digest_into(result, h)
    return h.hexdigest()


def _digest_into(value, h) -> None:
    if isinstance(value, pd.DataFrame):
        h.update(b"frame" + frame_hash(value).encode())
    elif isinstance(value, pd.Series):
        h.update(b"series" + repr((value.name, str(value.dtype), len(value))).encode())
        if isinstance(value.dtype, pd.CategoricalDtype):
            h.update(repr((list(map(str, value.cat.categories)), value.cat.ordered)).encode())
        h.update(pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes())
    elif isinstance(value, pd.Index):
        h.update(b"index" + repr((value.name, str(value.dtype), len(value))).encode())
        h.update(pd.util.hash_pandas_object(value).to_numpy().tobytes())
    elif isinstance(value, np.ndarray) and value.dtype != object:
        h.update(b"array" + repr((value.dtype.str, value.shape)).encode() + np.ascontiguousarray(value).tobytes())
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        h.update(b"dataclass" + type(value).__qualname__.encode())
        for f in dataclasses.fields(value):
            h.update(f.name.encode())
            _digest_into(getattr(value, f.name), h)
    elif isinstance(value, (list, tuple)):
        h.update(f"{type(value).__name__}{len(value)}".encode())
        for item in value:
            _digest_into(item, h)
    elif isinstance(value, dict):
        h.update(f"dict{len(value)}".encode())
        for key, item in value.items():
            _digest_into(key, h)
            _digest_into(item, h)
    else:  # numbers, text, None, object arrays
        h.update(b"value" + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))


def _result_types() -> list[type]:
    return [c for name, module in list(sys.modules.items()) if name.split(".")[0] == "nelm_stats"
            for c in vars(module).values()
            if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == name
            and c.__dataclass_params__.frozen]


HASH_FUNCS = {pd.DataFrame: frame_hash, **{t: _result_digest for t in _result_types()}}
PAGE_SHOWN = threading.Event()  # set after the first page of this server was run (launch.py waits for it)
CACHE_ENTRIES = 256  # per function (and, for uploads, per session): a session of exploring stays cached


def session_cached(func):
    """Cache ``func(data, *plain values)`` with Streamlit's cache, never letting an upload leave
    its session.

    On a demo cohort (public, synthetic data) results go to the global cache that every session
    shares; on an upload they go to ``st.cache_data(scope="session")``, which only this session
    can read and which is dropped when the session ends. Keys are the whole data (frame_hash,
    row order included) and the plain arguments.
    """
    shared = st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES, hash_funcs=HASH_FUNCS)(func)
    private = st.cache_data(show_spinner=False, max_entries=CACHE_ENTRIES, hash_funcs=HASH_FUNCS,
                            scope="session")(func)

    def wrapper(data: pd.DataFrame, *args, **kwargs):
        cached = shared if current_dataset().startswith("sample:") else private
        return cached(data, *args, **kwargs)

    wrapper.__wrapped__ = func
    wrapper.__doc__ = func.__doc__
    return wrapper


def _figure_json(name: str, _builder, args: tuple, kwargs: tuple) -> dict:
    return _builder(*args, **dict(kwargs)).to_plotly_json()


_cached_figure_json = session_cached(_figure_json)  # global on demo cohorts, this session only on uploads


def figure(builder, *args, **kwargs) -> dict:
    """``builder(*args, **kwargs)`` (a nelm_stats.figures function) as the figure's JSON, built once per
    change of its inputs: rebuilding a plotly figure costs 0.1-0.2 s, handing the cached JSON to
    st.plotly_chart about 0.01 s. Cached like session_cached (uploads: this session only)."""
    return _cached_figure_json(f"{builder.__module__}.{builder.__qualname__}", builder, args,
                               tuple(sorted(kwargs.items())))


@st.cache_data(show_spinner=False, scope="session", max_entries=64)
def _session_step(step: str, key: tuple, _compute):
    return _compute()


def session_step(step: str, key: tuple, compute):
    """One step of the import pipeline on an upload, cached for this session only
    (``st.cache_data(scope="session")``); ``compute()`` on a miss.

    ``key`` holds plain values only (the uploaded bytes' hash, the choices the step depends on,
    the keys of the steps it builds on), so changing a later choice never redoes an earlier
    step, and switching a choice back is instant. An exception is not cached.
    """
    return _session_step(step, key, compute)


@session_cached
def cohort_summary(data: pd.DataFrame, group: str | None) -> "ns.estimators.cohort.CohortSummary":
    return ns.cohort_summary(data, group)


@session_cached
def survival_report(data: pd.DataFrame, time: str, event: str, group: str | None, cut,
                    time_unit: str, horizon: float | None, landmark: float | None,
                    endpoint: str, event_label: str,
                    follow_up: tuple[str, str] | None = None, rate_years: tuple = (1, 3, 5)) -> "ns.SurvivalReport":
    report = ns.survival_report(data, time, event, group, cut=cut, time_unit=time_unit,
                                horizon=horizon, landmark=landmark, endpoint=endpoint,
                                event_label=event_label, follow_up=follow_up, rate_years=rate_years)
    return views.with_level_labels(report, group)  # 'With cystic metastases', not 'yes'


@session_cached
def competing_report(data: pd.DataFrame, group: str | None, cut, time_unit: str,
                     horizon: float | None, landmark: float | None, rate_years: tuple = (1, 3, 5)) -> "ns.CompetingReport":
    report = ns.competing_report(data, group=group, cut=cut, time_unit=time_unit,
                                 horizon=horizon, landmark=landmark, rate_years=rate_years)
    return views.with_level_labels(report, group)


def _label_width(frame: pd.DataFrame, column) -> int:
    """Pixels that show the longest label of a text column (and its header) whole, within reason."""
    longest = max([len(str(v)) for v in frame[column].head(500)] + [len(str(column))], default=8)
    return int(min(max(6.6 * longest + 28, 80), 400))


def result_table(frame: pd.DataFrame, **kwargs):
    """st.dataframe for a result: its first column (the row labels, e.g. "Number of liver lesions,
    median [IQR]") is as wide as its longest label and pinned, so a narrow screen scrolls the
    numbers, never cuts the labels."""
    if isinstance(frame, pd.DataFrame) and len(frame.columns) > 1:
        first = frame.columns[0]
        if frame[first].dtype == object or pd.api.types.is_string_dtype(frame[first]):
            config = dict(kwargs.pop("column_config", None) or {})
            given = config.get(str(first), config.get(first))
            if given is None or isinstance(given, str):
                given = st.column_config.Column(given)
            given = dict(given)
            if given.get("width") is None:
                given["width"] = _label_width(frame, first)
            given["pinned"] = True
            config[str(first)] = given
            kwargs["column_config"] = config
    return st.dataframe(frame, **kwargs)


_MARKDOWN_SPECIAL = str.maketrans({ch: "\\" + ch for ch in "\\`*_{}[]<>()#+-.!|~$:"})


def markdown_table(frame: pd.DataFrame) -> None:
    """A small table of text cells (a few rows, e.g. the Overview's) as a Markdown table: drawn with
    the page's text, without the interactive table's code (1.5 MB the browser loads and compiles
    before the first page shows; it is preloaded afterwards, see _preload_charts).  Every cell is
    shown as written (Markdown and LaTeX characters escaped)."""
    def cell(v) -> str:
        return " ".join(str(v).split()).translate(_MARKDOWN_SPECIAL)

    lines = ["| " + " | ".join(cell(c) for c in frame.columns) + " |", "|" + " --- |" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    st.markdown("\n".join(lines))


def table(frame: pd.DataFrame, key: str, **kwargs) -> None:
    """A tidy table as people read it: headers from report.views.column_titles, cells from
    report.views.readable_frame (dates as dates, yes/no, "–" for a missing value)."""
    config = dict(column_titles(frame.columns))
    config.update(kwargs.pop("column_config", {}))
    result_table(views.readable_frame(frame), hide_index=True, key=key, column_config=config, **kwargs)


def _plain(text: str) -> str:
    """Text from the user's file, shown through markdown as it is (no markup, no icons)."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()<>#+-.!|~$:" else ch for ch in str(text))


def mapping_editor(table: pd.DataFrame, suggested, key: str) -> pd.DataFrame:
    """The column-mapping editor: one row per column of the user's file, its role chosen with one click.

    ``table`` is ``nelm_stats.mapping_table`` of the suggestion; returns the same frame with the
    user's roles and units (for ``mapping_from_table``).  Roles are shown in words with their
    unit (an RFS/OS time is offered in days, months or years); "Why" follows each edit (the
    suggestion's reason, "your choice", or a role given to two columns).
    """
    from nelm_stats.intake import mapping as ns_mapping

    target = suggested.target
    options = []
    for r in ns_mapping.roles_for(target):
        options += [f"{r}|{u}" for u in ("days", "months", "years")] if r in ns_mapping.TIME_ROLES else [r]

    def label(option: str) -> str:
        role, _, unit = option.partition("|")
        return f"{ns_mapping.role_label(role, target)}, in {unit}" if unit else ns_mapping.role_label(role, target)

    widths = [2.4, 3.2, 3.4]
    head = st.columns(widths, vertical_alignment="bottom")
    for col, title in zip(head, ["Your column (example values)", "Role", "Why"]):
        col.markdown(f"**{title}**")
    rows, why_cells = [], []
    for i, (source, role, unit, examples) in enumerate(
            zip(table["source_column"], table["role"], table["unit"], table["examples"])):
        c_name, c_role, c_why = st.columns(widths, vertical_alignment="center")
        c_name.markdown(f"{_plain(source)}  \n:gray[{_plain(examples)}]" if examples else _plain(source))
        if role in ns_mapping.TIME_ROLES:
            start = f"{role}|{unit if unit in ('days', 'months', 'years') else ns_mapping.header_time_unit(str(source))}"
        else:
            start = role if role in options else ns_mapping.KEEP
        chosen = c_role.selectbox(f"Role of “{source}”", options, index=options.index(start), format_func=label,
                                  label_visibility="collapsed", key=f"{key}_role_{i}")
        chosen_role, _, chosen_unit = chosen.partition("|")
        why_cells.append(c_why.empty())
        rows.append((str(source), chosen_role, chosen_unit, examples))
    edited = pd.DataFrame(rows, columns=["source_column", "role", "unit", "examples"])
    reasons = ns_mapping.role_reasons(dict(zip(edited["source_column"], edited["role"])), suggested,
                                      {c: u for c, u in zip(edited["source_column"], edited["unit"]) if u})
    for cell, source in zip(why_cells, edited["source_column"]):
        cell.markdown(f":gray[{_plain(reasons[source])}]")
    return edited


def keep_choices(defaults: dict) -> None:
    """Keep the values of widgets that are not drawn in every run (those in a closed tab of
    :func:`lazy_tabs`): Streamlit forgets a widget's value in a run that does not draw it, so each
    value is set again here (or its default, the first time).  The widgets then take no default
    of their own (``value=``/``index=``): the one here is it."""
    for key, default in defaults.items():
        st.session_state[key] = st.session_state.get(key, default)


def lazy_expander(label: str, key: str, expanded: bool = False, **kwargs):
    """An expander whose content is built and sent only while it is open (``box.open``): opening
    or closing it reruns the page, so a long table costs nothing until it is asked for."""
    return st.expander(label, expanded=expanded, key=key, on_change="rerun", **kwargs)


def lazy_tabs(labels: list[str], key: str):
    """Tabs of which only the open one is computed and drawn (``tab.open``): a page of five tabs
    sends one tab's charts and tables, not five, and switching tabs reruns the page (cached: fast)."""
    return st.tabs(labels, key=key, on_change="rerun")


def keep_valid(key: str, options: list, default) -> None:
    """Keep a widget's stored value valid when the dataset (and so its options) change."""
    if key not in st.session_state:
        st.session_state[key] = default
        return
    value = st.session_state[key]
    if isinstance(default, list):
        if value is None or not all(v in options for v in value):
            st.session_state[key] = [v for v in (value or default) if v in options] or default
    elif value not in options:
        st.session_state[key] = default


# ---- settings file: the analysis as the pages hold it --------------------------------------

_TRIM = {"none": None, "99th percentile": 0.99, "95th percentile": 0.95}


def _page_value(marker: str, key: str, default=None):
    """A page's stored choice, if it was made for the current dataset."""
    if marker and st.session_state.get(marker) != current_dataset():
        return default
    return st.session_state.get(key, default)


def horizon_key(unit: str, time_column: str) -> str:
    """The Survival page's horizon widget: one per unit and endpoint, so switching RFS -> OS fits the
    axis to OS's follow-up instead of keeping the RFS axis."""
    return f"{Keys.SURVIVAL_HORIZON}_{unit}_{time_column}"


def _endpoint_time(key: str) -> str:
    return {**ENDPOINTS, **EXTRA_ENDPOINTS}[key].time if key in {**ENDPOINTS, **EXTRA_ENDPOINTS} else "rfs_months"


def rate_years() -> tuple[float, ...]:
    """The Survival page's rate times in years: the years ticked plus the times typed in (InputError
    when a typed time is not understood)."""
    ticked = {float(y) for y in st.session_state.get(Keys.SURVIVAL_RATE_YEARS) or ()}
    typed = set(ns_settings.parse_rate_times(st.session_state.get(Keys.SURVIVAL_RATE_OTHER, "")))
    return tuple(sorted(ticked | typed)) or (1.0, 3.0, 5.0)


def _rate_years_or_default() -> tuple[float, ...]:
    try:
        return rate_years()
    except ns.AnalysisError:
        return tuple(float(y) for y in st.session_state.get(Keys.SURVIVAL_RATE_YEARS) or (1, 3, 5))


def _choices() -> dict:
    """The pages' stored choices, read from session state only (cheap; no data touched)."""
    ss = st.session_state
    unit = ss.get(Keys.SURVIVAL_UNIT, "months")
    group = _page_value(Keys.SURVIVAL_DATASET, Keys.SURVIVAL_GROUP)
    kind, name = current_dataset().split(":", 1)
    return dict(
        dataset=current_dataset(),
        preferred_group=SAMPLE_GROUPINGS.get(name) if kind == "sample" else None,
        endpoint=ss.get(Keys.ENDPOINT, "rfs"), group=group,
        cut_mode=_page_value(Keys.SURVIVAL_DATASET, Keys.SURVIVAL_CUT, "median"),
        cut_value=ss.get(f"{Keys.SURVIVAL_CUT_VALUE}_{group}") if group else None,
        unit=unit, rate_years=_rate_years_or_default(),
        horizon=_page_value(Keys.SURVIVAL_DATASET, horizon_key(unit, _endpoint_time(ss.get(Keys.ENDPOINT, "rfs")))),
        landmark=ss.get(f"{Keys.SURVIVAL_LANDMARK}_{unit}") if ss.get(Keys.SURVIVAL_LANDMARK_ON) else None,
        cox=_page_value(Keys.RISK_DATASET, Keys.RISK_COVARIATES),
        treatment=ss.get(Keys.PROPENSITY_TREATMENT), treated=ss.get(Keys.PROPENSITY_TREATED),
        ps=ss.get(Keys.PROPENSITY_COVARIATES), ratio=ss.get(Keys.PROPENSITY_RATIO, 1),
        caliper=ss.get(Keys.PROPENSITY_CALIPER, 0.2) if ss.get(Keys.PROPENSITY_CALIPER_ON, True) else None,
        scale=ss.get(Keys.PROPENSITY_SCALE, "logit"), replace=ss.get(Keys.PROPENSITY_REPLACE, False),
        exact=tuple(ss.get(Keys.PROPENSITY_EXACT) or ()), estimand=ss.get(Keys.PROPENSITY_ESTIMAND, "ATE"),
        stabilize=ss.get(Keys.PROPENSITY_STABILIZE, True), trim=_TRIM.get(ss.get(Keys.PROPENSITY_TRIM, "none")),
        title=ss.get(Keys.REPORT_TITLE) or ns_settings.ReportChoices().title,
        sections=tuple(ss.get(Keys.REPORT_SECTIONS) or ns_settings.SECTIONS),
        imported=uploads()[name].import_settings if kind == "upload" else None,
    )


def settings_from_choices(c: dict, data: pd.DataFrame) -> "ns_settings.Settings":
    """Settings from :func:`_choices` and the cohort (stale choices of another dataset fall back)."""
    group = c["group"]
    cats, nums = ns.grouping_columns(data)  # once: it counts every column's values
    if group is None:
        group = c["preferred_group"] if c["preferred_group"] in cats + nums else (ns.default_grouping(data, cats + nums) or "")
    cut = None
    if group and group in nums:
        cut = "median" if c["cut_mode"] == "median" or c["cut_value"] is None else float(c["cut_value"])
    analysis = ns_settings.AnalysisSettings(
        endpoint=c["endpoint"], group=group, cut=cut, time_unit=c["unit"], rate_years=c["rate_years"],
        horizon=None if c["horizon"] is None else float(c["horizon"]),
        landmark=None if c["landmark"] is None else float(c["landmark"]),
        cox_covariates=None if c["cox"] is None else tuple(c["cox"]),
        treatment=c["treatment"], treated=None if c["treated"] is None else str(c["treated"]),
        ps_covariates=None if c["ps"] is None else tuple(c["ps"]),
        matching=ns_settings.MatchingSettings(ratio=int(c["ratio"]), caliper=None if c["caliper"] is None else float(c["caliper"]),
                                              caliper_scale=c["scale"], replace=bool(c["replace"]), exact=c["exact"]),
        weighting=ns_settings.WeightingSettings(estimand=c["estimand"], stabilize=bool(c["stabilize"]), trim=c["trim"]),
    )
    analysis, _ = ns_settings.reconcile(analysis, data)
    analysis = ns_settings.resolve(analysis, data)
    return ns_settings.Settings(analysis=analysis, report=ns_settings.ReportChoices(title=c["title"], sections=c["sections"]),
                                import_=c["imported"])


def current_settings() -> "ns_settings.Settings":
    """The whole analysis as the user set it on the pages (untouched choices: the pages' defaults),
    with the import choices of an uploaded cohort."""
    return _settings_for(current_cohort(), _choices())


@session_cached
def _report_of(data: pd.DataFrame, settings_json: str, dataset: str, flow, fingerprint: str | None
               ) -> "ns_document.Report":
    from nelm_stats.report.analysis import build_report, run_analysis

    settings, _ = ns_settings.settings_from_json(settings_json)
    return build_report(run_analysis(data, settings.analysis, flow=flow, fingerprint=fingerprint),
                        dataset=dataset, settings=settings)


def current_report(settings_json: str) -> "ns_document.Report":
    """The report of the current cohort with these settings (:func:`settings_json` of the pages'
    choices), computed once for the Report and the Present page; AnalysisError when none of its
    analyses can be done."""
    kind, name = current_dataset().split(":", 1)
    upload = uploads()[name] if kind == "upload" else None
    source = (upload.source_file or name) if upload is not None else f"{name}.csv (synthetic demo)"
    return _report_of(current_cohort(), settings_json, source, upload.flow if upload is not None else None,
                      upload.fingerprint if upload is not None else None)


@session_cached
def _settings_for(data: pd.DataFrame, choices: dict) -> "ns_settings.Settings":
    """:func:`settings_from_choices`, once per cohort and choices (its defaults read every column:
    0.1 s at 100 000 patients, on every rerun of the Report page otherwise)."""
    return settings_from_choices(choices, data)


def settings_json() -> str:
    return ns_settings.settings_to_json(current_settings(), software=f"nelm_stats {ns.__version__}")


PAGE_DATASET_MARKERS = ("SURVIVAL_DATASET", "RISK_DATASET", "MARGINS_DATASET", "TABLE_ONE_DATASET")


def claim_page_choices() -> None:
    """The pages' stored choices are for the current dataset (they were just set for it), so a page
    does not start them again as it does after a switch of dataset."""
    for marker in PAGE_DATASET_MARKERS:
        st.session_state[getattr(Keys, marker)] = current_dataset()


def apply_settings(settings: "ns_settings.Settings") -> list[str]:
    """Set the pages' widgets to ``settings`` (what fits the current cohort); the notes say what did not."""
    data = current_cohort()
    a, notes = ns_settings.reconcile(settings.analysis, data)
    a = ns_settings.resolve(a, data)
    ss = st.session_state
    claim_page_choices()
    ss[Keys.ENDPOINT] = a.endpoint if a.endpoint in ENDPOINTS else "rfs"
    ss[Keys.SURVIVAL_ENDPOINT] = ss[Keys.ENDPOINT]
    ss[Keys.SURVIVAL_GROUP] = a.group or ""
    if a.cut is not None:
        ss[Keys.SURVIVAL_CUT] = "median" if a.cut == "median" else "value"
        if a.cut != "median":
            ss[f"{Keys.SURVIVAL_CUT_VALUE}_{a.group}"] = float(a.cut)
    ss[Keys.SURVIVAL_UNIT] = a.time_unit
    ss[Keys.SURVIVAL_RATE_YEARS] = [int(y) for y in a.rate_years if float(y).is_integer() and 1 <= y <= 15]
    ss[Keys.SURVIVAL_RATE_OTHER] = ns_settings.rate_times_text(
        [y for y in a.rate_years if not (float(y).is_integer() and 1 <= y <= 15)])
    if a.horizon is not None:
        ss[horizon_key(a.time_unit, _endpoint_time(a.endpoint))] = float(a.horizon)
    ss[Keys.SURVIVAL_LANDMARK_ON] = a.landmark is not None
    if a.landmark is not None:
        ss[f"{Keys.SURVIVAL_LANDMARK}_{a.time_unit}"] = float(a.landmark)
    ss[Keys.RISK_COVARIATES] = list(a.cox_covariates or [])
    if a.treatment:
        ss[Keys.PROPENSITY_TREATMENT] = a.treatment
        levels = ns.treatment_levels(data, a.treatment)
        ss[Keys.PROPENSITY_TREATED] = next((v for v in levels if str(v) == str(a.treated)), levels[-1])
    ss[Keys.PROPENSITY_COVARIATES] = list(a.ps_covariates or [])
    m, w = a.matching, a.weighting
    ss[Keys.PROPENSITY_RATIO] = int(m.ratio)
    ss[Keys.PROPENSITY_CALIPER_ON] = m.caliper is not None
    if m.caliper is not None:
        ss[Keys.PROPENSITY_CALIPER] = float(m.caliper)
    ss[Keys.PROPENSITY_SCALE] = m.caliper_scale
    ss[Keys.PROPENSITY_REPLACE] = bool(m.replace)
    ss[Keys.PROPENSITY_EXACT] = list(m.exact)
    ss[Keys.PROPENSITY_ESTIMAND] = w.estimand
    ss[Keys.PROPENSITY_STABILIZE] = bool(w.stabilize)
    ss[Keys.PROPENSITY_TRIM] = next((k for k, v in _TRIM.items() if v == w.trim), "none")
    ss[Keys.REPORT_TITLE] = settings.report.title
    ss[Keys.REPORT_SECTIONS] = list(settings.report.sections)
    return notes


# ---- downloads of figures and tables (rendered only when the user clicks) --------------------


def figure_downloads(fig, key: str, stem: str) -> None:
    """'Download figure' popover: journal size, format (PNG 300/600 dpi, SVG, PDF); the file is
    rendered server-side (kaleido) only when the button is clicked."""
    from plotly import graph_objects as go
    from nelm_stats.report.exports import figures as fx

    menu = st.popover("Download figure", icon=":material/download:", key=f"{key}_menu", on_change="rerun")
    if not menu.open:  # its choices are drawn when it is opened (a page has several such menus)
        return
    with menu:
        size = st.selectbox("Size", list(fx.SIZES), index=list(fx.SIZES).index("double"),
                            format_func=lambda s: fx.SIZES[s].label, key=f"{key}_size")
        fmt = st.radio("Format", list(fx.FORMATS), format_func=str.upper, horizontal=True, key=f"{key}_format")
        dpi = st.radio("Resolution", list(fx.DPI_CHOICES), format_func=lambda d: f"{d} dpi", horizontal=True,
                       key=f"{key}_dpi", disabled=fmt != "png")
        st.download_button(  # the go.Figure is built on click only
            f"Download {fmt.upper()}",
            data=lambda: fx.figure_bytes(fig if isinstance(fig, go.Figure) else go.Figure(fig), fmt, size=size,
                                         dpi=int(dpi)),
            file_name=fx.figure_filename(stem, fmt, size=size, dpi=int(dpi)), mime=fx.MIME[fmt],
            key=f"{key}_download", on_click="ignore", icon=":material/image:")


def table_downloads(block: "ns_document.TableBlock", key: str) -> None:
    """'Download table' popover: CSV, Excel (formatted) and Word (journal style); built only when clicked."""
    from nelm_stats.report.exports import tables as tx

    menu = st.popover("Download table", icon=":material/table_view:", key=f"{key}_menu", on_change="rerun")
    if not menu.open:  # its buttons are drawn when it is opened
        return
    with menu:
        st.download_button("CSV", data=lambda: tx.table_csv(block), file_name=f"{block.key}.csv",
                           mime="text/csv", key=f"{key}_csv", on_click="ignore", icon=":material/download:")
        st.download_button("Excel", data=lambda: tx.tables_xlsx([block]), file_name=f"{block.key}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                           key=f"{key}_xlsx", on_click="ignore", icon=":material/download:")
        st.download_button("Word (journal style)", data=lambda: tx.table_docx(block), file_name=f"{block.key}.docx",
                           mime="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                           key=f"{key}_docx", on_click="ignore", icon=":material/download:")


def text_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A display copy with every cell as text (missing: "–"), headers for people."""
    out = frame.rename(columns=column_titles(frame.columns))
    for c in out.columns:
        out[c] = [ns_format.display_label(v) if not isinstance(v, str) else v for v in out[c]]
    return out.astype(str)


def block(key: str, title: str, frame: pd.DataFrame, footnotes=(), data: pd.DataFrame | None = None):
    """A table as the exports take it (display text + the tidy numbers behind it)."""
    return ns_document.TableBlock(key, title, text_table(frame), tuple(footnotes), data)


def downloads(key: str, *, fig=None, stem: str = "figure", table=None) -> None:
    """One row of download buttons under a result: the figure, the table, or both."""
    with st.container(horizontal=True):  # side by side, each as wide as its label
        if fig is not None:
            figure_downloads(fig, f"{key}_figure", stem)
        if table is not None:
            table_downloads(table, f"{key}_table")


def manuscript_text(key: str, results: str | None, methods: str) -> None:
    """'Text for the manuscript': the results sentences and the methods of what the page shows,
    each in a box with a copy button."""
    box = lazy_expander("Text for the manuscript", f"{Keys.MANUSCRIPT_OPEN}_{key}", icon=":material/edit_note:")
    if not box.open:  # the text boxes are built and drawn when she opens it
        return
    with box:
        if results:
            st.caption("Results")
            st.code(results, language=None, wrap_lines=True)
        st.caption("Methods")
        st.code(methods, language=None, wrap_lines=True)


@functools.lru_cache(maxsize=1)
def _spec_class():
    from plotly.basedatatypes import BaseFigure

    class BuiltFigure(BaseFigure):
        """A figure's JSON as ``go.Figure.to_plotly_json`` gave it (so already checked by plotly),
        handed to st.plotly_chart as the figure it came from: Streamlit then takes it as it is
        instead of rebuilding and re-checking a go.Figure from the dict (10-30 ms per chart, each run)."""

        def __init__(self, spec: dict):  # noqa: D107 - nothing of BaseFigure but to_dict is used
            self._spec = spec

        def to_dict(self):
            return self._spec

    return BuiltFigure


def block_figure(block: "ns_document.FigureBlock"):
    """A report's figure block as the figure's cached JSON (:func:`figure`): drawn from its recipe
    once per change of the results it shows."""
    recipe = block.recipe
    if isinstance(recipe, ns_document.FigureRecipe):
        return figure(recipe.builder, *recipe.args, **dict(recipe.kwargs))
    return recipe


def plotly_chart(fig, **kwargs):
    """st.plotly_chart for a nelm_stats figure: a go.Figure, or its cached JSON from :func:`figure`."""
    if isinstance(fig, dict):
        fig = _spec_class()(fig)
    return st.plotly_chart(fig, **kwargs)


def chart(fig, *, key: str, stem: str | None = None, **kwargs) -> None:
    """A figure on the page with its 'Download figure' (PNG/SVG/PDF at journal sizes) under it."""
    plotly_chart(fig, key=key, **kwargs)
    figure_downloads(fig, f"{key}_download", stem or key)


def reference_group(data: pd.DataFrame, group: str | None, key: str, container=None) -> pd.DataFrame:
    """'Reference group' selectbox for a grouping column with two or more groups; returns ``data`` with
    that group first (ns.set_reference), so estimates compare the other groups with it. Default:
    ns.default_reference (first category, "no" for yes/no, else the most frequent)."""
    if group is None or group not in data.columns:
        return data
    levels = [str(v) for v in ns.estimators.cox.group_order(data[group])]
    if len(levels) < 2:
        return data
    widget = f"{key}_{group}"
    keep_valid(widget, levels, ns.default_reference(data[group]))
    ref = (container or st).selectbox("Reference group", levels, key=widget,
                                      format_func=lambda v: ns_format.level_label(v, group),
                                      help="The group the others are compared with (odds ratios, hazard ratios, "
                                           "differences), listed first.")
    return ns.set_reference(data, group, ref)
