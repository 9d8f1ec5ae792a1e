"""Import data: upload a registry export, map its columns, derive RFS/OS, see every problem.

Thin: every step is a public function of nelm_stats (read_table, flag_identifiers,
suggest_mapping/apply_mapping, date_order_check, find_problems, prepare_cohort); this page
reads widgets and renders.  The file is read from memory and the cohort lives in this
session's st.session_state only (ui.add_upload): nothing is written to disk or shared.

Every step is memoised in this session (ui.session_step), keyed on the file's hash and the
plain-valued choices the step depends on (plus the keys of the steps before it), so a
change to a later choice (endpoint definition, unit, an action) does not redo earlier steps.
"""
from __future__ import annotations

import dataclasses
import hashlib

import pandas as pd
import streamlit as st

import nelm_stats as ns
import ui
from nelm_stats.report import narrative as nv
from nelm_stats.report import settings as ns_settings
from nelm_stats.report import views
from nelm_stats.intake import derive as ns_derive
from nelm_stats.intake import read as ns_io
from nelm_stats.intake import mapping as ns_mapping
from nelm_stats.intake import quality as ns_quality

K = ui.Keys
FILE_TYPES = ["csv", "tsv", "txt", "xlsx", "xlsm", "xls", "sav", "zsav", "dta", "parquet"]
PROBLEM_ROWS_SHOWN = 20  # up to this many problem rows are listed at once; more behind a click
RFS_LABELS = {
    "recurrence_or_death": "Recurrence or death (default)",
    "recurrence_only": "Recurrence only (death censored)",
    "hepatic_progression": "Hepatic progression (liver recurrence)",
}
SOURCE_LABELS = {
    "auto": "Dates, else supplied",
    "dates": "Dates only",
    "supplied": "Supplied times (months)",
}


def _use_cohort(name: str, data: pd.DataFrame, lesions, flow: pd.DataFrame, choices=None, source=None) -> None:
    """Button callback (runs before the next script run, so the sidebar can switch to it)."""
    ui.add_upload(ui.UploadedCohort(name, data, lesions, flow, import_settings=choices, source_file=source))
    st.session_state[K.IMPORT_DONE] = name


def _replay(content: bytes, file_name: str, settings_bytes: bytes):
    """(settings, notes on what no longer fits, imported cohort) of a saved settings file on this file."""
    settings, notes = ns_settings.settings_from_json(settings_bytes)
    if settings.import_ is None:
        raise ns.InputError("This settings file holds no import choices (it was saved on a demo cohort or a file "
                            "already in the analysis format): load it on the Report page instead.")
    key = (hashlib.sha1(content).hexdigest(), hashlib.sha1(settings_bytes).hexdigest())
    imported = ui.session_step("replay_settings", key, lambda: ns.import_cohort(content, file_name, settings.import_))
    analysis_notes = ns_settings.reconcile(settings.analysis, imported.data)[1]
    return settings, [*notes, *imported.messages, *analysis_notes], imported


def _use_with_settings(name: str, imported, settings, file_name: str) -> None:
    """Button callback: the replayed cohort becomes the current dataset, every page set as saved."""
    ui.add_upload(ui.UploadedCohort(name, imported.data, None, imported.flow, import_settings=settings.import_,
                                    source_file=file_name))
    ui.apply_settings(settings)
    st.session_state[K.IMPORT_DONE] = name


def _demo() -> None:
    data = ns.load_sample(ns.samples.DEFAULT_SAMPLE)
    st.session_state[K.IMPORT_DEMO] = ("demo_registry_export.csv", ns_io.demo_registry_export(data))


def _stop_with(err: Exception) -> None:
    ui.show_error(err)
    st.stop()


st.title("Import data")
st.write(
    "Bring your own series: a CSV/TSV, Excel, SPSS (.sav), Stata (.dta) or Parquet file with one "
    "row per patient. The file is read in this browser session's memory only — it is never saved "
    "to disk and no other session can see it."
)

done = st.session_state.get(K.IMPORT_DONE)
note = st.container()  # always there: the message appearing must not shift (and redraw) the page below
if done and done in ui.uploads():
    note.success(
        f"“{done}” is now the current dataset ({len(ui.uploads()[done].data)} patients). "
        "Every analysis page uses it; switch datasets in the sidebar.",
        icon=":material/check_circle:",
    )

with st.expander("What the tool understands (columns, codes, a template)"):
    st.caption("Your own column names are fine: each is matched to one of these, and you confirm the match. "
               "Columns that match none are kept as extra covariates unless you drop them.")
    ui.table(ns_mapping.data_dictionary(), "import_dictionary_table")
    st.download_button("Download an empty template (CSV)", ns_mapping.template_csv(),
                       file_name="nelm_template.csv", mime="text/csv", key=K.IMPORT_TEMPLATE_DOWNLOAD)

# every file type is accepted here, so that a refused one (a Word letter, a PDF) is explained in
# words by the reader instead of a red mark on the file chip
uploaded = st.file_uploader("1. Patient table", key=K.IMPORT_FILE,
                            help="CSV/TSV, Excel (.xlsx, .xls), SPSS (.sav), Stata (.dta) or Parquet: "
                                 + ", ".join(f".{t}" for t in FILE_TYPES))
if uploaded is not None:
    file_name, content = uploaded.name, uploaded.getvalue()
    st.session_state.pop(K.IMPORT_DEMO, None)
elif st.session_state.get(K.IMPORT_DEMO):
    file_name, content = st.session_state[K.IMPORT_DEMO]
    st.info("Using a demo registry export made from the synthetic sample (semicolons, decimal commas, "
            "dd.mm.yyyy dates, ja/nein).", icon=":material/science:")
else:
    st.button("Try it with a demo registry export", key=K.IMPORT_DEMO_BUTTON, on_click=_demo)
    st.stop()
file_hash = hashlib.sha1(content).hexdigest()
file_id = file_hash[:10]
step = ui.session_step
# filled at the end of the page: "Use this cohort" within reach once the checks below are done
shortcut = st.container()

# ---- a new export of the same registry: replay the choices of a saved settings file in one step
with st.expander("Re-use the settings of an earlier import (next year's export of the same registry)",
                 icon=":material/history:"):
    saved_settings = st.file_uploader("Settings file (.json) saved from this dashboard", type=["json"],
                                      key=K.IMPORT_SETTINGS_FILE)
    if saved_settings is not None:
        try:
            replay = _replay(content, file_name, saved_settings.getvalue())
        except ns.AnalysisError as err:
            ui.show_error(err)
        else:
            settings, notes, imported = replay
            for note in notes:
                st.warning(note, icon=":material/warning:")
            if not notes:
                st.caption("Every choice of the settings file fits this file.")
            st.caption("Patient flow: " + nv.describe_flow(imported.flow))
            replay_name = file_name.rsplit(".", 1)[0]
            st.button(f"Use “{replay_name}” with these settings", type="primary", key=K.IMPORT_SETTINGS_USE,
                      on_click=_use_with_settings, args=(replay_name, imported, settings, file_name))

# ---- read
try:
    sheets = step("sheets", (file_hash, file_name), lambda: ns.list_sheets(content, file_name))
except ns.AnalysisError as err:
    _stop_with(err)
sheet = None
if len(sheets) > 1:
    c1, c0, c2 = st.columns([2, 1, 3])
    sheet = c1.selectbox("Sheet with one row per patient", sheets, key=f"{K.IMPORT_SHEET}_{file_id}")
else:
    c0, c2 = st.columns([1, 4])
missing_text = c2.text_input(
    "Values that mean “missing” (comma-separated; empty cells always count)",
    value=", ".join(c for c in ns.DEFAULT_MISSING_CODES if c),
    key=K.IMPORT_MISSING,
)
missing_codes = tuple([""] + [c.strip() for c in missing_text.split(",") if c.strip()])
DECIMAL_LABELS = {None: "decided from the values", ",": "1.234,5 (decimal comma)", ".": "1,234.5 (decimal point)"}
decimal = st.session_state.get(f"{K.IMPORT_DECIMAL}_{file_id}")
try:
    read_key = (file_hash, file_name, sheet, missing_codes, None, decimal)
    read = step("read", read_key, lambda: ns.read_table(content, file_name, sheet=sheet,
                                                        missing_codes=missing_codes, decimal=decimal))
    if read.format in ("csv", "excel", "xls"):
        header_row = c0.number_input("Column names on row", min_value=1, max_value=100, value=read.header_row,
                                     key=f"{K.IMPORT_HEADER_ROW}_{file_id}_{sheet}")
        if header_row != read.header_row:
            read_key = (file_hash, file_name, sheet, missing_codes, int(header_row), decimal)
            read = step("read", read_key, lambda: ns.read_table(content, file_name, sheet=sheet,
                                                                missing_codes=missing_codes,
                                                                header_row=int(header_row), decimal=decimal))
except ns.AnalysisError as err:
    _stop_with(err)
raw = read.data
raw_key = read_key
header_choice = int(header_row) if read.format in ("csv", "excel", "xls") and header_row != read.header_row else None
age_choice = None
to_drop: list[str] = []
st.caption(f"Read {file_name}: {read.describe()}.")
for note in read.warnings:
    st.warning(note, icon=":material/warning:")
if read.number_formats or decimal is not None:
    st.radio("Numbers written as text are (e.g. 1.090 or 12,5)", list(DECIMAL_LABELS), format_func=DECIMAL_LABELS.get, horizontal=True,
             key=f"{K.IMPORT_DECIMAL}_{file_id}",
             help="Whether 1.090 means one thousand and ninety (decimal comma, as in much of Europe) or "
                  "1.09 (decimal point). Decided per column from values such as 12,5 or 2.345,5 unless you choose.")
if len(read.non_patient_rows):
    st.info(f"{len(read.non_patient_rows)} row(s) of the file are not patients and were set apart (they are not "
            "counted as uploaded patients):", icon=":material/table_rows:")
    ui.table(read.non_patient_rows, "import_non_patient_rows")

# ---- privacy: identifiers first
flags = step("flags", read_key, lambda: ns.flag_identifiers(raw))
if len(flags):
    st.warning(
        "Some columns look like they identify patients. Drop them before going on: the analyses "
        "never need them.", icon=":material/lock:"
    )
    ui.table(flags, "import_flags_table")
    births = [c for c, r in zip(flags["column"], flags["reason"]) if "birth date" in r]
    raw_roles = step("suggest_raw", read_key, lambda: ns.suggest_mapping(raw)).roles
    surgery = [c for c, r in raw_roles.items() if r == "surgery_date"]
    has_age = "age" in raw_roles.values()
    if births and surgery and not has_age:
        if st.checkbox(f"Compute age at surgery from “{births[0]}” (then the birth date can go)", value=True,
                       key=K.IMPORT_AGE_FROM_BIRTH):
            try:
                age = step("age", (read_key, births[0], surgery[0]),
                           lambda: ns.intake.privacy.age_from_birth_date(raw, births[0], surgery[0]))
                raw = raw.assign(**{"Age at surgery": age})
                age_choice = (births[0], surgery[0])
                raw_key = (raw_key, "age", births[0], surgery[0])
            except ns.AmbiguousDateOrderError:
                st.warning("Age cannot be computed here: the dates could be read day-first or month-first. "
                           "Add an age column to your file instead.", icon=":material/calendar_month:")
            except ns.AnalysisError as err:
                ui.show_error(err)
    raw_columns = list(raw.columns)
    to_drop = st.multiselect("Drop these columns now", raw_columns, default=list(flags["column"]),
                             key=K.IMPORT_DROP, placeholder="No column dropped")
    raw = ns.drop_columns(raw, to_drop)
    raw_key = (raw_key, "drop", tuple(c for c in to_drop if c in raw_columns))

# ---- mapping
st.subheader("2. Map your columns")
saved = st.file_uploader("Re-use a saved mapping (optional, .json)", type=["json"], key=K.IMPORT_MAPPING_FILE)
try:
    if saved is not None:
        saved_bytes = saved.getvalue()
        loaded = ns.load_mapping(saved_bytes)
        if loaded.target != "cohort":
            raise ns.InputError("This mapping was saved for a lesion table, not for the patient table.")
        suggest_key = (raw_key, missing_codes, hashlib.sha1(saved_bytes).hexdigest())
        mapping = step("suggest", suggest_key, lambda: dataclasses.replace(ns.remap(loaded, raw),
                                                                           missing_codes=missing_codes))
    else:
        suggest_key = (raw_key, missing_codes, None)
        mapping = step("suggest", suggest_key, lambda: ns.suggest_mapping(raw, missing_codes=missing_codes))
except ns.AnalysisError as err:
    _stop_with(err)
st.caption("Check the suggested role of each column and change it where needed (one click opens the list; "
           "type to search it): a column of the analysis, “keep” (an extra column, e.g. a covariate of your "
           "own) or “drop”.")
table = step("mapping_table", suggest_key, lambda: ns.mapping_table(raw, mapping))
edited = ui.mapping_editor(
    table, mapping, key=f"{K.IMPORT_MAPPING_EDITOR}_{file_id}_{saved.file_id if saved is not None else 'suggested'}")
mapping = ns.mapping_from_table(edited, mapping)

# ---- dates
check = step("date_order", (raw_key, ns.save_mapping(mapping)), lambda: ns.date_order_check(raw, mapping))
if check.ambiguous:
    options = list(ns.intake.dates.ORDERS)
    saved_order = mapping.date_order if mapping.date_order in options else None
    order = st.radio(
        check.question(), options, format_func=ns.intake.dates.ORDER_LABELS.get,
        index=options.index(saved_order) if saved_order else None, key=f"{K.IMPORT_DATE_ORDER}_{file_id}",
    )
    if order is None:
        st.info("Choose the date order to go on: it changes every date such as 03/04/2020.",
                icon=":material/calendar_month:")
        st.stop()
    mapping = dataclasses.replace(mapping, date_order=order)
elif check.suggested:
    st.caption(f"Dates are {ns.intake.dates.ORDER_LABELS[check.suggested]}: some days are above 12.")

mapping_json = ns.save_mapping(mapping)  # every choice apply_mapping depends on, as plain text
st.download_button(
    "Download this mapping (JSON)", mapping_json.encode("utf-8"),
    file_name="nelm_mapping.json", mime="application/json", key=K.IMPORT_MAPPING_DOWNLOAD,
)
mapped_key = (raw_key, mapping_json)
try:
    mapped = step("apply", mapped_key, lambda: ns.apply_mapping(raw, mapping))
except ns.AnalysisError as err:
    _stop_with(err)

if "patient_id" not in mapped.data.columns:
    st.info("No column has the role patient_id: duplicates cannot be checked and a lesion table cannot be "
            "linked. Map your study id column if the file has one.", icon=":material/badge:")

# ---- values
st.subheader("3. Values")
if len(mapped.unrecognised):
    st.warning(
        "Some values were not recognised. They are treated as missing — correct them in your file "
        "(or change the column's role) if they mean something.", icon=":material/help:"
    )
    ui.table(views.mapped_column_view(mapped.unrecognised, mapping.roles), "import_unrecognised_table")
else:
    st.caption("Every value of the mapped columns was recognised.")
preview_box = ui.lazy_expander("How values were read (preview)", f"{K.IMPORT_PREVIEW_OPEN}_{file_id}")
if preview_box.open:  # a row per distinct value: 100 000 study ids are built and sent only when asked for
    with preview_box:
        ui.table(views.mapped_column_view(mapped.preview, mapping.roles), "import_preview_table")
if len(mapped.unparsed_dates):
    st.warning("Some dates could not be read; they are listed as problems below.",
               icon=":material/calendar_month:")

# ---- endpoints
st.subheader("4. Endpoints")
e1, e2, e3 = st.columns(3)
rfs_definition = e1.radio("Recurrence-free survival counts", list(ns.RFS_DEFINITIONS),
                          format_func=RFS_LABELS.get, key=K.IMPORT_RFS_DEFINITION)
unit = e2.radio("Also give times in", ["months", "days", "years"], horizontal=True, key=K.IMPORT_UNIT)
source = e3.selectbox("Times come from", list(SOURCE_LABELS), format_func=SOURCE_LABELS.get,
                      key=K.IMPORT_SOURCE)
try:
    sources = ns_derive.endpoint_sources(mapped.data, source)
except ns.AnalysisError as err:
    _stop_with(err)
st.caption(ns.describe_endpoints(rfs_definition, unit, sources))
if sources == {"rfs": "none", "os": "none"}:
    st.warning("No endpoint can be derived: map the dates of surgery, last follow-up and death "
               "(and recurrence), or columns with RFS/OS times.", icon=":material/timer:")

# ---- problems
st.subheader("5. Problems")
try:
    report = step("problems", (mapped_key, rfs_definition, source),
                  lambda: ns.find_problems(mapped.data, rfs_definition=rfs_definition, source=source,
                                           unparsed_dates=mapped.unparsed_dates))
except ns.AnalysisError as err:
    _stop_with(err)
for note in report.warnings:
    st.warning(note, icon=":material/timer:")
actions: dict[str, str] = {}
if len(report.problems):
    n_rows = report.n_problem_rows
    st.write(f"{n_rows} row{' has' if n_rows == 1 else 's have'} a problem (row = row in your spreadsheet, "
             "header = row 1). "
             "Choose what to do with each kind:")
    for item in report.summary.itertuples(index=False):
        kind = ns_quality.PROBLEM_KINDS[item.problem]
        actions[item.problem] = st.selectbox(
            f"{kind.description} — {item.n_rows} row(s)", list(kind.actions),
            format_func=ns_quality.ACTION_LABELS.get, key=f"{K.IMPORT_ACTION}_{item.problem}",
        )
    problems_box = ui.lazy_expander(f"The {n_rows} row{'' if n_rows == 1 else 's'} with a problem",
                                    f"{K.IMPORT_PROBLEMS_OPEN}_{file_id}", expanded=n_rows <= PROBLEM_ROWS_SHOWN)
    if problems_box.open:  # a long list (thousands of rows in a large registry) only when asked for
        with problems_box:
            ui.table(views.problems_view(report.problems,
                                         {k: v.description for k, v in ns_quality.PROBLEM_KINDS.items()}),
                     "import_problems_table")
else:
    st.caption("No problems found.")
all_rows = step("row_numbers", mapped_key, lambda: ns_quality.row_numbers(mapped.data))
exclude_text = st.text_input(
    "Exclude further rows (optional): their row numbers in your spreadsheet", key=f"{K.IMPORT_EXCLUDE_ROWS}_{file_id}",
    placeholder="No row excluded by hand (e.g. 12, 40-45)",
    help="Rows as the problems above number them (row 1 holds the column names). Separate them with commas; "
         "40-45 is rows 40 to 45.")
try:
    exclude_rows = ns_quality.parse_rows(exclude_text, all_rows)
except ns.AnalysisError as err:
    ui.show_error(err)
    st.caption("No row is excluded by hand until the rows above are corrected.")
    exclude_rows = []

try:
    prepared_key = (mapped_key, tuple(sorted(actions.items())), rfs_definition, unit, source,
                    tuple(exclude_rows))
    prepared = step("prepare", prepared_key,
                    lambda: ns.prepare_cohort(mapped.data, actions=actions, rfs_definition=rfs_definition,
                                              unit=unit, source=source, unparsed_dates=mapped.unparsed_dates,
                                              exclude_rows=exclude_rows))
except ns.AnalysisError as err:
    _stop_with(err)

# ---- lesions (optional)
st.subheader("6. Lesion table (optional)")
lesions = None
patient_sheet = sheet if sheet is not None else (sheets[0] if sheets else None)
lesion_sheets = [s for s in sheets if s != patient_sheet]
lesion_sheet = None
if lesion_sheets:
    lc1, lc2 = st.columns(2)
    likely = [s for s in lesion_sheets if any(w in s.lower() for w in ("lesion", "läsion", "nodul", "metast"))]
    lesion_sheet = lc1.selectbox("Lesion sheet of this workbook", [""] + lesion_sheets,  # "": none (None would
                                 index=1 + lesion_sheets.index(likely[0]) if likely else 0,  # read "Choose an option")
                                 format_func=lambda s: s or "(none)",
                                 key=f"{K.IMPORT_LESION_SHEET}_{file_id}") or None
else:
    lc2 = st.container()
lesion_file = lc2.file_uploader(("…or a" if lesion_sheets else "A") + " separate lesion file (one row per resected "
                                "lesion)",
                                key=K.IMPORT_LESION_FILE)
try:
    lesion_read = lesion_key = None
    if lesion_file is not None:
        lesion_bytes = lesion_file.getvalue()
        lesion_key = ("file", hashlib.sha1(lesion_bytes).hexdigest(), lesion_file.name, missing_codes)
        lesion_read = step("lesion_read", lesion_key,
                           lambda: ns.read_table(lesion_bytes, lesion_file.name, missing_codes=missing_codes))
    elif lesion_sheet is not None:
        lesion_key = ("sheet", file_hash, file_name, lesion_sheet, missing_codes)
        lesion_read = step("lesion_read", lesion_key,
                           lambda: ns.read_table(content, file_name, sheet=lesion_sheet, missing_codes=missing_codes))
    if lesion_read is not None:
        lmap = step("lesion_suggest", lesion_key,
                    lambda: ns.suggest_mapping(lesion_read.data, target="lesions", missing_codes=missing_codes))
        ltable = step("lesion_mapping_table", lesion_key, lambda: ns.mapping_table(lesion_read.data, lmap))
        lesion_id = step("lesion_id", lesion_key,
                         lambda: hashlib.sha1(lesion_read.data.to_csv().encode()).hexdigest()[:10])
        ledited = ui.mapping_editor(ltable, lmap, key=f"{K.IMPORT_MAPPING_EDITOR}_lesions_{lesion_id}")
        lmap = dataclasses.replace(ns.mapping_from_table(ledited, lmap), date_order=mapping.date_order)
        lmapped_key = (lesion_key, ns.save_mapping(lmap))
        lmapped = step("lesion_apply", lmapped_key, lambda: ns.apply_mapping(lesion_read.data, lmap))
        if len(lmapped.unrecognised):
            ui.table(views.mapped_column_view(lmapped.unrecognised, lmap.roles), "import_lesion_unrecognised_table")
        lesions, n_out = step("lesion_restrict", (lmapped_key, prepared_key),
                              lambda: ns_quality.restrict_lesions(lmapped.data, prepared.data))
        if n_out:
            st.caption(f"{n_out} lesions belong to patients not in the analysed cohort and are left out.")
        st.caption(f"{len(lesions)} lesions.")
except ns.AnalysisError as err:
    ui.show_error(err)
    lesions = None

# ---- result
st.subheader("7. Your cohort")
n_up = int(prepared.flow["n_remaining"].iloc[0])
n_an = len(prepared.data)
m1, m2, m3 = st.columns(3)
m1.metric("Uploaded", n_up)
m2.metric("Excluded", n_up - n_an)
m3.metric("Analysed", n_an)
st.write("Patient flow")
ui.table(prepared.flow, "import_flow_table")
if len(prepared.excluded):
    with st.expander(f"Excluded patients ({len(prepared.excluded)})"):
        ui.table(prepared.excluded, "import_excluded_table")
audit_box = ui.lazy_expander("Audit: how each patient's times and events were derived", K.IMPORT_AUDIT_OPEN)
if audit_box.open:  # a row per patient: built and sent only when she opens it
    with audit_box:
        ui.table(prepared.audit, "import_audit_table")

drop_dates = st.checkbox("Drop the raw dates once times are derived (keeps only intervals)", value=True,
                         key=K.IMPORT_DROP_DATES)
name = st.text_input("Name of this cohort", value=file_name.rsplit(".", 1)[0], key=K.IMPORT_NAME)
final = prepared.data.reset_index(drop=True)
# every choice made on this page, to replay on the next export of the registry (settings file)
excluded_ids = ()
if exclude_rows and "patient_id" in mapped.data.columns:
    by_row = dict(zip(all_rows, mapped.data["patient_id"].astype("string")))
    excluded_ids = tuple(str(by_row[r]) for r in exclude_rows if r in by_row and not pd.isna(by_row[r]))
choices = ns.ImportSettings(
    sheet=sheet, header_row=header_choice, decimal=decimal, missing_codes=missing_codes, age_from_birth=age_choice,
    dropped_columns=tuple(to_drop), roles=dict(mapping.roles), date_order=mapping.date_order,
    time_units=dict(mapping.time_units), rfs_definition=rfs_definition, unit=unit, source=source,
    actions=dict(actions), excluded_ids=excluded_ids, drop_raw_dates=bool(drop_dates))
if drop_dates:
    final = ns.drop_raw_dates(final)
st.button(
    "Use this cohort", type="primary", key=K.IMPORT_USE, disabled=n_an == 0 or not name.strip(),
    on_click=_use_cohort, args=(name.strip(), final, lesions, prepared.flow, choices, file_name),
)
with shortcut:
    if n_an and name.strip():
        st.button(f"Use “{name.strip()}” now ({n_an} patients analysed)", key=K.IMPORT_USE_TOP,
                  on_click=_use_cohort, args=(name.strip(), final, lesions, prepared.flow, choices, file_name),
                  help="The cohort as the steps below prepare it (the suggested mapping and problem choices "
                       "unless you change them); the same as the button at the end of the page.")
if st.session_state.get(K.IMPORT_DONE) == name.strip() and name.strip() in ui.uploads():
    st.success(f"“{name.strip()}” is in use. Open an analysis:", icon=":material/check_circle:")
    links = st.columns(4)
    for i, target in enumerate(ui.analysis_pages()):
        links[i % 4].page_link(target)
