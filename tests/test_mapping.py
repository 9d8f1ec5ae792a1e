"""Mapping suggestions from headers and values, value rules, JSON save/load, apply."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.intake import normalise as nz
from nelm_stats.intake.mapping import (
    ColumnMapping,
    apply_mapping,
    load_mapping,
    mapping_from_table,
    mapping_table,
    normalise_header,
    remap,
    save_mapping,
    suggest_mapping,
)


@pytest.mark.parametrize("header,role", [
    ("Pat-ID", "patient_id"), ("OP date", "surgery_date"), ("DFS (mo)", "rfs_months"),
    ("f/u", "last_follow_up_date"), ("Rec", "recurrence"), ("R-status", "margin_status"),
    ("Ki-67 (%)", "ki67"), ("Clavien-Dindo", "clavien_dindo"), ("Date of death", "death_date"),
    ("Age at surgery (years)", "age"), ("Gender", "sex"), ("Closest margin (mm)", "margin_mm"),
    ("LOS (days)", "length_of_stay_days"), ("OS (months)", "os_months"), ("studyid", "patient_id"),
    ("Date of last follow-up", "last_follow_up_date"), ("Rezidivdatum", "recurrence_date"),
    ("ICG", "icg"), ("90-day mortality", "mortality_90d"), ("Primary tumour site", "primary_site"),
])
def test_header_suggestions(header, role):
    values = {"surgery_date": ["2020-01-01"], "last_follow_up_date": ["2021-01-01"],
              "death_date": ["2021-01-01"], "recurrence_date": ["2021-01-01"]}.get(role, ["x"])
    m = suggest_mapping(pd.DataFrame({header: values}))
    assert m.roles[header] == role, m.reasons


def test_normalise_header():
    assert normalise_header("DFS (mo)") == "dfs mo"
    assert normalise_header("Pat-ID") == "pat id"


def test_value_based_suggestion_when_header_says_nothing():
    df = pd.DataFrame({"col1": ["R0", "R1", "R0"], "col2": ["G1", "G3", "G2"], "col3": ["f", "m", "m"]})
    roles = suggest_mapping(df).roles
    assert roles == {"col1": "margin_status", "col2": "grade", "col3": "sex"}


def test_flag_header_with_date_values_becomes_the_date_role():
    df = pd.DataFrame({"Rec": ["2020-01-01", None], "Dead": ["2021-01-01", None]})
    roles = suggest_mapping(df).roles
    assert roles == {"Rec": "recurrence_date", "Dead": "death_date"}


def test_date_header_without_dates_is_not_a_date():
    df = pd.DataFrame({"f/u": [12.5, 30.2]})  # follow-up in months, not a date
    m = suggest_mapping(df)
    assert m.roles["f/u"] == "keep" and "not dates" in m.reasons["f/u"]


def test_one_source_column_per_role():
    df = pd.DataFrame({"Age": [50], "Alter": [51]})
    roles = suggest_mapping(df).roles
    assert roles == {"Age": "age", "Alter": "keep"}


def test_identifier_columns_suggested_drop():
    df = pd.DataFrame({"Patient ID": ["A"], "Name": ["Müller, Anna"], "E-mail": ["a@b.org"]})
    roles = suggest_mapping(df).roles
    assert roles == {"Patient ID": "patient_id", "Name": "drop", "E-mail": "drop"}


# ---------------------------------------------------------------- value rules

@pytest.mark.parametrize("value,expected", [
    ("yes", True), ("No", False), ("Y", True), ("n", False), ("1", True), ("0", False), (1.0, True),
    (0.0, False), ("true", True), ("FALSE", False), ("ja", True), ("Nein", False), (True, True),
    ("maybe", None), ("2", None),
])
def test_bool_rule(value, expected):
    assert nz.bool_value(value) is expected


def test_bool_rule_column_specific():
    assert nz.bool_value("dead", "death") is True and nz.bool_value("alive", "death") is False
    assert nz.bool_value("dead", "icg") is None


@pytest.mark.parametrize("value,expected", [
    ("R0", "R0"), ("r1", "R1"), ("R 2", "R2"), ("0", "R0"), ("1", "R1"), ("clear", "R0"),
    ("negative", "R0"), ("R1 (<1mm)", "R1"), ("R1 (1 mm)", "R1"), ("R0 (>= 1 mm)", "R0"), ("involved", "R1"),
    ("macroscopic", "R2"), ("R3", None), ("??", None), ("close", None),
])
def test_margin_rule(value, expected):
    assert nz.margin_value(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("G2", "G2"), ("2", "G2"), (2.0, "G2"), ("grade 2", "G2"), ("Grade II", "G2"), ("intermediate", "G2"),
    ("g 1", "G1"), ("low", "G1"), ("high", "G3"), ("WHO G3", "G3"), ("Gx", None), ("4", None),
])
def test_grade_rule(value, expected):
    assert nz.grade_value(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("3a", "IIIa"), ("IIIa", "IIIa"), ("III a", "IIIa"), ("IIIA", "IIIa"), ("3 b", "IIIb"), ("IVb", "IVb"),
    ("4a", "IVa"), ("0", "0"), ("none", "0"), ("1", "I"), ("II", "II"), ("grade V", "V"), (2.0, "II"),
    ("III", None), ("IV", None), ("6", None), ("Ia", None),
])
def test_clavien_rule(value, expected):
    assert nz.clavien_value(value) == expected


@pytest.mark.parametrize("value,expected", [
    ("F", "female"), ("female", "female"), ("w", "female"), ("weiblich", "female"), ("Frau", "female"),
    ("M", "male"), ("Male", "male"), ("männlich", "male"), ("x", None), ("1", None),
])
def test_sex_rule(value, expected):
    assert nz.category_value(value, "sex") == expected


def test_other_category_rules():
    assert nz.category_value("Pankreas", "primary_site") == "pancreas"
    assert nz.category_value("ileum", "primary_site") == "small_bowel"
    assert nz.category_value("unknown", "primary_site") == "unknown"  # a category, not a missing code
    assert nz.category_value("lap", "approach") == "laparoscopic"
    assert nz.category_value("liver", "recurrence_site") == "intrahepatic"


@pytest.mark.parametrize("value,expected", [("12,5", 12.5), ("15 %", 15.0), (3, 3.0), ("<1", None), ("x", None)])
def test_number_rule(value, expected):
    assert nz.number_value(value) == expected


def test_unrecognised_listed_with_rows_and_missing_codes_not():
    s = pd.Series(["yes", "maybe", "NA", "no", "maybe", "not done"], index=range(6))
    res = nz.normalise_column(s, "icg")
    assert res.values.tolist() == [True, None, None, False, None, None]
    assert res.unrecognised.to_dict("records") == [{"value": "maybe", "n": 2, "rows": "3, 6"}]
    assert set(res.preview["original"]) == {"yes", "NA", "no", "not done"}


def test_missing_codes_configurable():
    s = pd.Series(["yes", "nd"])
    assert nz.normalise_column(s, "icg").unrecognised["value"].tolist() == ["nd"]
    assert len(nz.normalise_column(s, "icg", missing_codes=["nd"]).unrecognised) == 0


# ---------------------------------------------------------------- apply, save, load

def _raw():
    return pd.DataFrame({
        "Pat-ID": ["1", "2", "3"], "Sex": ["w", "m", "x"], "Grade": ["G1", "grade 3", "2"],
        "OP date": ["01.02.2020", "15.03.2020", "2020-04-01"], "ICG": ["ja", "nein", "NA"],
        "Centre": ["A", "B", "A"],
    })


def test_apply_mapping_types_and_keep():
    raw = _raw()
    mc = apply_mapping(raw, suggest_mapping(raw))
    d = mc.data
    assert list(d.columns) == ["patient_id", "sex", "grade", "surgery_date", "icg", "centre"]
    assert d["sex"].tolist()[:2] == ["female", "male"] and pd.isna(d["sex"].iloc[2])
    assert d["grade"].cat.ordered and d["grade"].tolist() == ["G1", "G3", "G2"]
    assert d["surgery_date"].tolist() == [pd.Timestamp("2020-02-01"), pd.Timestamp("2020-03-15"),
                                          pd.Timestamp("2020-04-01")]
    assert d["icg"].dtype == "boolean" and d["icg"].tolist()[:2] == [True, False]
    assert mc.unrecognised[["column", "value", "rows"]].to_dict("records") == [
        {"column": "sex", "value": "x", "rows": "4"}]
    assert raw["Sex"].tolist() == ["w", "m", "x"]  # input not mutated


def test_apply_mapping_rejects_duplicate_roles_and_unknown_roles():
    raw = _raw()
    with pytest.raises(ns.InputError, match="Both"):
        apply_mapping(raw, ColumnMapping({"Pat-ID": "patient_id", "Centre": "patient_id"}))
    with pytest.raises(ns.InputError, match="not a column"):
        apply_mapping(raw, ColumnMapping({"Pat-ID": "pid"}))


def test_mapping_table_edit_roundtrip():
    raw = _raw()
    m = suggest_mapping(raw)
    table = mapping_table(raw, m)
    assert list(table.columns) == ["source_column", "role", "unit", "reason", "examples"]
    assert len(table) == raw.shape[1]
    table.loc[table["source_column"] == "Centre", "role"] = "drop"
    m2 = mapping_from_table(table, m)
    assert m2.roles["Centre"] == "drop" and "centre" not in apply_mapping(raw, m2).data.columns


def test_time_role_given_by_hand_takes_the_unit_of_its_header():
    """A follow-up column in days, mapped to os_months by hand in the editor: its header's unit is
    applied (2152 days -> 70.7 months, not 2152 months), shown in the unit column, and editable."""
    raw = pd.DataFrame({"id": ["a", "b", "c"], "Observed (days)": [2152.0, 900.0, 30.0],
                        "Dead": ["yes", "no", "yes"]}).rename(columns={"Observed (days)": "Follow-up (days)"})
    m = suggest_mapping(raw)
    # (the header is now recognised as a follow-up time; take it away, then map it by hand)
    table = mapping_table(raw, m)
    table.loc[table["source_column"] == "Follow-up (days)", "role"] = "keep"
    m = mapping_from_table(table, m)
    table = mapping_table(raw, m)
    assert m.roles["Follow-up (days)"] != "os_months"
    table.loc[table["source_column"] == "Follow-up (days)", "role"] = "os_months"
    m2 = mapping_from_table(table, m)
    assert m2.time_units == {"Follow-up (days)": "days"}
    assert mapping_table(raw, m2).set_index("source_column").loc["Follow-up (days)", "unit"] == "days"
    os = apply_mapping(raw, m2).data["os_months"]
    np.testing.assert_allclose(os, np.array([2152.0, 900.0, 30.0]) / 30.4375)
    # the user overrides the unit; a role taken away drops the unit
    t2 = mapping_table(raw, m2)
    t2.loc[t2["source_column"] == "Follow-up (days)", "unit"] = "months"
    assert mapping_from_table(t2, m2).time_units == {}
    t2.loc[t2["source_column"] == "Follow-up (days)", "unit"] = "years"
    assert mapping_from_table(t2, m2).time_units == {"Follow-up (days)": "years"}
    t2.loc[t2["source_column"] == "Follow-up (days)", "role"] = "keep"
    assert mapping_from_table(t2, m2).time_units == {}


def test_save_load_mapping_json_and_reapply_to_next_export():
    raw = _raw()
    m = suggest_mapping(raw)
    m = ColumnMapping({**m.roles, "Centre": "drop"}, date_order="dmy", missing_codes=("NA", "nd"))
    text = save_mapping(m)
    back = load_mapping(text.encode("utf-8"))
    assert back == m
    nxt = raw.rename(columns={"Centre": "Centre"}).assign(**{"New column": [1, 2, 3]})
    fitted = remap(back, nxt)
    assert fitted.roles["Centre"] == "drop" and fitted.roles["New column"] == "keep"
    assert fitted.date_order == "dmy"


@pytest.mark.parametrize("text", ["not json", "[1, 2]", '{"roles": {"a": "nonsense_role"}}'])
def test_load_mapping_rejects_bad_files(text):
    with pytest.raises(ns.InputError):
        load_mapping(text)


def test_sample_cohort_round_trip():
    """A sample CSV (canonical names) maps onto itself and keeps every value."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "data" / "samples" / "icg_lpsh.csv"
    if not path.exists():
        pytest.skip("sample not generated yet")
    raw = ns.read_table(path.read_bytes(), path.name).data
    m = suggest_mapping(raw)
    assert all(m.roles[c] == c for c in raw.columns if c in ns.schema.COLUMNS_BY_NAME)
    mc = apply_mapping(raw, m)
    assert len(mc.unrecognised) == 0 and len(mc.unparsed_dates) == 0
    expected = ns.load_sample("icg_lpsh")
    for c in ("sex", "grade", "margin_status", "icg", "surgery_date"):
        assert mc.data[c].astype(object).tolist() == expected[c].astype(object).tolist(), c


def test_kept_columns_yes_no_become_boolean_and_missing_codes_missing():
    raw = pd.DataFrame({"Pat-ID": ["1", "2", "3"], "Resected": ["yes", "no", "NA"],
                        "Centre": ["A", "unknown", "B"], "Score": [1.0, 2.0, 3.0]})
    d = apply_mapping(raw, suggest_mapping(raw)).data
    assert d["resected"].dtype == "boolean" and d["resected"].tolist()[:2] == [True, False]
    assert pd.isna(d["resected"].iloc[2])
    assert d["centre"].tolist()[0] == "A" and pd.isna(d["centre"].iloc[1])
    assert d["score"].tolist() == [1.0, 2.0, 3.0]


@pytest.mark.parametrize("header,unit,factor", [("DFS (days)", "days", 1 / 30.4375), ("DFS [y]", "years", 12.0),
                                                ("DFS (mo)", "months", 1.0)])
def test_supplied_time_units_from_header(header, unit, factor):
    from nelm_stats.intake.mapping import header_time_unit

    assert header_time_unit(header) == unit
    raw = pd.DataFrame({header: [30.4375, 365.25], "Rec": ["yes", "no"]})
    m = suggest_mapping(raw)
    assert m.roles[header] == "rfs_months"
    assert m.time_units.get(header, "months") == unit
    out = apply_mapping(raw, m).data["rfs_months"]
    assert out.tolist() == pytest.approx([30.4375 * factor, 365.25 * factor])
    back = load_mapping(save_mapping(m))
    assert back.time_units == m.time_units


def test_bad_time_unit_rejected():
    with pytest.raises(ns.InputError, match="days, months or years"):
        apply_mapping(pd.DataFrame({"t": [1.0]}), ColumnMapping({"t": "os_months"}, time_units={"t": "weeks"}))


def test_data_dictionary_and_template():
    from nelm_stats.intake.mapping import data_dictionary, template_csv

    dd = data_dictionary()
    assert list(dd.columns) == ["column", "meaning", "kind", "values", "unit", "headers_recognised"]
    assert dd["column"].tolist() == [c.name for c in ns.schema.COHORT_COLUMNS]
    assert dd.set_index("column").loc["margin_status", "values"] == "R0, R1, R2"
    import io

    raw = pd.read_csv(io.BytesIO(template_csv()))  # header only
    assert all(r == c for c, r in suggest_mapping(raw).roles.items())  # the template maps onto itself
    assert data_dictionary("lesions")["column"].tolist()[:2] == ["patient_id", "lesion_id"]


def test_headers_that_carry_their_coding_or_unit():
    """'Dead (1=yes)', 'Recurrence (1 = yes, 0 = no)', 'Follow-up (days)', 'Date of last contact' (issue 13)."""
    df = pd.DataFrame({"Pat-ID": ["a", "b"], "Dead (1=yes)": [1, 0], "Recurrence (1 = yes, 0 = no)": [0, 1],
                       "Follow-up (days)": [400, 800]})
    m = ns.suggest_mapping(df)
    assert m.roles["Dead (1=yes)"] == "death"
    assert m.roles["Recurrence (1 = yes, 0 = no)"] == "recurrence"
    assert m.roles["Follow-up (days)"] == "os_months" and m.time_units["Follow-up (days)"] == "days"
    dated = pd.DataFrame({"Date of surgery": ["2019-01-01"], "Date of last contact": ["2021-01-01"]})
    assert ns.suggest_mapping(dated).roles["Date of last contact"] == "last_follow_up_date"
    # a follow-up column of text is not a time
    assert ns.suggest_mapping(pd.DataFrame({"Follow-up": ["x", "y"]})).roles["Follow-up"] == "keep"


def test_roles_in_words_with_their_unit():
    from nelm_stats.intake.mapping import KEEP, DROP, role_label, roles_for
    assert role_label("ki67") == "Ki-67 (%)"
    assert role_label("age") == "Age (years)"
    assert role_label("death") == "Death (yes/no)"
    assert role_label("os_months") == "Overall survival time"
    assert role_label("size_cm", "lesions") == "Lesion size (cm)"
    assert role_label(KEEP).startswith("Keep") and role_label(DROP).startswith("Drop")
    for target in ("cohort", "lesions"):
        labels = [role_label(r, target) for r in roles_for(target)]
        assert len(set(labels)) == len(labels)  # no two roles read the same
        assert not any("_" in x for x in labels)


def test_why_follows_the_users_edits():
    """The reason shown beside a role is the suggestion's while it stands, "your choice" after an
    edit, and a role given to two columns names the other column."""
    from nelm_stats.intake.mapping import role_reasons
    data = pd.DataFrame({"Pat-ID": ["a", "b"], "OS (mo)": [1.0, 2.0], "Dead": ["yes", "no"],
                         "FU": [3.0, 4.0]})
    suggested = suggest_mapping(data)
    assert suggested.roles["OS (mo)"] == "os_months"
    now = role_reasons(suggested.roles, suggested)
    assert now["OS (mo)"] == "Header 'OS (mo)'"
    edited = dict(suggested.roles, **{"Dead": "keep"})
    why = role_reasons(edited, suggested)
    assert why["Dead"] == "Your choice (suggested: Death (yes/no))"
    assert why["OS (mo)"] == now["OS (mo)"]
    twice = dict(suggested.roles, **{"FU": "os_months"})
    why = role_reasons(twice, suggested)
    assert why["FU"].startswith("Also given to 'OS (mo)': choose one column for Overall survival time")
    assert why["OS (mo)"].startswith("Also given to 'FU'")
    # the same role in another unit is a choice too
    why = role_reasons(suggested.roles, suggested, {"OS (mo)": "days"})
    assert why["OS (mo)"] == "Your choice: times in days, converted to months (suggested: in months)"
    assert role_reasons(suggested.roles, suggested, {"OS (mo)": "months"})["OS (mo)"] == "Header 'OS (mo)'"


def _value_role_row_by_row(series, target="cohort", missing_codes=ns.DEFAULT_MISSING_CODES):
    """The definition of mapping._value_role: each pattern's share over the rows."""
    from nelm_stats.intake import mapping as m

    s = series.dropna()
    if len(s) and not pd.api.types.is_numeric_dtype(s):
        codes = m.missing_code_set(missing_codes)
        s = s[~s.astype(str).str.strip().str.lower().isin(codes)]
    if len(s) == 0 or pd.api.types.is_datetime64_any_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return None, ""
    text = s.astype(str).str.strip()
    upper = text.str.upper()
    if upper.str.fullmatch(r"R\s*[012].*").mean() > 0.8:
        return "margin_status", "values look like R0/R1/R2"
    if target == "lesions":
        return None, ""
    if upper.str.fullmatch(r"G\s*[123]").mean() > 0.8:
        return "grade", "values look like G1/G2/G3"
    if m._share(text, lambda v: m.category_value(v, "sex")) > 0.95 and text.nunique() <= 6:
        return "sex", "values look like sex (f/m)"
    if m._share(text, m.clavien_value) > 0.9 and upper.str.contains(r"I|V").mean() > 0.5:
        return "clavien_dindo", "values look like Clavien–Dindo grades"
    return _rest(text, m)


def _rest(text, m):
    if m._share(text, lambda v: m.category_value(v, "approach")) > 0.95:
        return "approach", "values look like surgical approaches"
    if m._share(text, lambda v: m.category_value(v, "primary_site")) > 0.95 and text.nunique() > 1:
        return "primary_site", "values look like primary tumour sites"
    return None, ""


@pytest.mark.parametrize("seed", range(4))
def test_value_roles_from_distinct_values_as_row_by_row(seed):
    """A column's role read from its values tests each distinct text once, weighted by its count:
    the same answer as testing every row (near the thresholds too)."""
    from nelm_stats.intake import mapping as m

    rng = np.random.default_rng(seed)
    pools = [["R0", "r1", "R 2", "R1 (<1mm)", "Rx", "clear", "NA", ""], ["G1", "g2", "G 3", "G4", "x", "unknown"],
             ["I", "II", "IIIa", "IVb", "V", "0", "none", "ﬁ", "ı"], ["f", "m", "w", "x", "Male"],
             ["laparoscopic", "open", "robotic", "lap", "other"], ["pancreas", "small intestine", "SI", "lung", "?"],
             ["ß", "Straße", "ﬁne", "ǆ", "İ", " r0 ", "R\u20030"]]
    for k in range(60):
        pool = pools[k % len(pools)] + (pools[int(rng.integers(0, len(pools)))] if rng.random() < 0.4 else [])
        n = int(rng.integers(1, 400))
        weights = rng.dirichlet(np.ones(len(pool)))
        values = pd.Series(rng.choice(pool, n, p=weights), dtype="str" if k % 2 else object)
        if rng.random() < 0.3:
            values = values.where(rng.random(n) > 0.2)
        for target in ("cohort", "lesions"):
            assert m._value_role(values, target) == _value_role_row_by_row(values, target), (pool, target)
