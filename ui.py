"""What every page of the dashboard needs: session-state keys, the current cohort, the endpoint.

Pages are thin: they read widgets, call nelm_stats through the cached wrappers here,
and render.  Session-state keys are constants of :class:`Keys` only.
One user's upload lives in that user's st.session_state only (never on disk, never in
a cache shared between sessions).
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

import nelm_stats as ns
from nelm_stats import samples as ns_samples


class Keys:
    """Every st.session_state key and widget key shared between pages."""

    DATASET = "dataset"  # sidebar selectbox: "sample:<name>" or "upload:<name>"
    UPLOADS = "uploads"  # dict name -> UploadedCohort (this session only)
    ENDPOINT = "endpoint"  # sidebar radio: key of ENDPOINTS
    # Import page (pages/data_import.py)
    IMPORT_FILE = "import_file"  # st.file_uploader: the patient table
    IMPORT_DEMO = "import_demo"  # (file name, bytes) of the demo export, when the user asks for it
    IMPORT_DEMO_BUTTON = "import_demo_button"
    IMPORT_SHEET = "import_sheet"
    IMPORT_MISSING = "import_missing"  # missing-value codes, comma-separated
    IMPORT_DROP = "import_drop_identifiers"
    IMPORT_MAPPING_FILE = "import_mapping_file"  # a saved mapping (JSON)
    IMPORT_MAPPING_EDITOR = "import_mapping_editor"  # + "_<file>"
    IMPORT_MAPPING_DOWNLOAD = "import_mapping_download"
    IMPORT_DATE_ORDER = "import_date_order"
    IMPORT_RFS_DEFINITION = "import_rfs_definition"
    IMPORT_UNIT = "import_unit"
    IMPORT_SOURCE = "import_source"
    IMPORT_ACTION = "import_action"  # + "_<problem kind>"
    IMPORT_EXCLUDE_ROWS = "import_exclude_rows"
    IMPORT_LESION_SHEET = "import_lesion_sheet"
    IMPORT_LESION_FILE = "import_lesion_file"
    IMPORT_DROP_DATES = "import_drop_dates"
    IMPORT_NAME = "import_name"
    IMPORT_USE = "import_use"
    IMPORT_DONE = "import_done"  # name of the cohort just imported


@dataclass(frozen=True)
class Endpoint:
    key: str
    label: str
    time: str
    event: str
    event_label: str


ENDPOINTS: dict[str, Endpoint] = {
    "rfs": Endpoint("rfs", "Recurrence-free survival", "rfs_months", "rfs_event", "recurrence or death"),
    "os": Endpoint("os", "Overall survival", "os_months", "os_event", "death"),
}


@dataclass(frozen=True)
class UploadedCohort:
    """A cohort a user imported in this session."""

    name: str
    data: pd.DataFrame
    lesions: pd.DataFrame | None = None
    flow: pd.DataFrame | None = None  # patient flow (uploaded -> excluded -> analysed)


@st.cache_data(show_spinner=False)
def _load_sample(name: str) -> pd.DataFrame:
    return ns.load_sample(name)


@st.cache_data(show_spinner=False)
def _load_sample_lesions(name: str) -> pd.DataFrame | None:
    return ns.load_sample_lesions(name)


def uploads() -> dict[str, UploadedCohort]:
    return st.session_state.setdefault(Keys.UPLOADS, {})


def add_upload(cohort: UploadedCohort) -> None:
    """Register an imported cohort in this session and make it the current dataset."""
    uploads()[cohort.name] = cohort
    st.session_state[Keys.DATASET] = f"upload:{cohort.name}"


def dataset_options() -> list[str]:
    return [f"sample:{n}" for n in ns_samples.sample_names()] + [f"upload:{n}" for n in uploads()]


def dataset_label(option: str) -> str:
    kind, name = option.split(":", 1)
    if kind == "sample":
        return f"Demo: {name}.csv (synthetic)"
    return f"Upload: {name}"


def current_dataset() -> str:
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
        st.caption("Your data stay on this computer: nothing is uploaded to the internet.")


def show_error(err: Exception) -> None:
    """Show an AnalysisError in the clinician's words; the page stays usable."""
    st.error(str(err), icon="⚠️")


def categorical_columns(data: pd.DataFrame, max_levels: int = 8) -> list[str]:
    """Columns usable as a grouping: bool, category, or text/number with few distinct values."""
    out = []
    for c in data.columns:
        s = data[c]
        if c == "patient_id" or pd.api.types.is_datetime64_any_dtype(s):
            continue
        n = s.nunique(dropna=True)
        if 2 <= n <= max_levels:
            out.append(c)
    return out
