"""Data-quality report: each problem with its row, the user's fix or exclusion, the patient flow."""
from __future__ import annotations

import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.errors import InputError
from nelm_stats.intake.quality import FLOW_COLUMNS, PROBLEM_COLUMNS, find_problems, patient_flow, prepare_cohort

D = pd.Timestamp


def base(n=4):
    return pd.DataFrame({
        "patient_id": [f"p{i}" for i in range(n)],
        "age": [50.0] * n,
        "surgery_date": [D("2020-01-01")] * n,
        "recurrence": pd.array([False] * n, dtype="boolean"),
        "recurrence_date": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "death": pd.array([False] * n, dtype="boolean"),
        "death_date": pd.Series([pd.NaT] * n, dtype="datetime64[ns]"),
        "last_follow_up_date": [D("2022-01-01")] * n,
    })


def kinds(report):
    return sorted(zip(report.problems["row"], report.problems["problem"]))


def test_clean_cohort_has_no_problems():
    rep = find_problems(base())
    assert len(rep.problems) == 0 and list(rep.problems.columns) == PROBLEM_COLUMNS


def test_each_problem_found_on_its_row():
    c = base(8)
    c.loc[0, ["recurrence", "recurrence_date"]] = [True, D("2019-01-01")]
    c.loc[1, ["death", "death_date"]] = [True, D("2019-06-01")]
    c.loc[1, "last_follow_up_date"] = D("2019-06-01")
    c.loc[2, "last_follow_up_date"] = D("2019-12-01")
    c.loc[3, "recurrence"] = True
    c.loc[4, "age"] = 140.0
    c["ki67"] = [1.0, 2.0, 3.0, 4.0, 5.0, 101.0, 1.0, 1.0]
    c["margin_mm"] = [1.0] * 6 + [-0.5, 1.0]
    c.loc[7, "patient_id"] = "p0"
    rep = find_problems(c)
    found = kinds(rep)
    for expected in [(2, "recurrence_before_surgery"), (3, "death_before_surgery"), (3, "follow_up_before_surgery"),
                     (4, "follow_up_before_surgery"), (5, "event_without_date"), (6, "impossible_value"),
                     (7, "impossible_value"), (8, "impossible_value"), (2, "duplicate_id"), (9, "duplicate_id")]:
        assert expected in found, expected
    assert set(rep.summary["problem"]) >= {"duplicate_id", "impossible_value", "event_without_date"}


def test_zero_and_negative_supplied_times():
    c = pd.DataFrame({"patient_id": ["a", "b", "c"], "os_months": [0.0, -1.0, 5.0], "os_event": [True, False, True]})
    found = kinds(find_problems(c))
    assert (2, "zero_time") in found and (3, "negative_time") in found
    p = prepare_cohort(c)
    assert p.data["patient_id"].tolist() == ["a", "c"]  # zero kept by default, negative excluded
    p2 = prepare_cohort(c, actions={"zero_time": "exclude"})
    assert p2.data["patient_id"].tolist() == ["c"]


def test_default_actions_exclude_and_flow_counts():
    c = base(6)
    c.loc[0, ["recurrence", "recurrence_date"]] = [True, D("2019-01-01")]  # before surgery
    c.loc[1, "recurrence"] = True  # no date
    c.loc[2, "patient_id"] = "p3"  # duplicate of row 5 (index 3)
    p = prepare_cohort(c)
    assert p.data["patient_id"].tolist() == ["p3", "p4", "p5"]
    assert list(p.flow.columns) == FLOW_COLUMNS
    assert p.flow["step"].tolist() == ["uploaded", "excluded", "excluded", "excluded", "analysed"]
    assert p.flow["n_remaining"].tolist() == [6, 5, 4, 3, 3]
    assert p.excluded["row"].tolist() == [2, 3, 5]
    assert p.flow["n_excluded"].sum() == 6 - len(p.data)


def test_fix_choices():
    c = base(3)
    c.loc[0, ["recurrence", "recurrence_date"]] = [True, D("2019-01-01")]
    c.loc[1, ["death"]] = [True]  # death without date
    c.loc[2, "age"] = -3.0
    p = prepare_cohort(c, actions={"recurrence_before_surgery": "clear_date",
                                   "event_without_date": "date_at_last_follow_up",
                                   "impossible_value": "clear_value"})
    # row 2: date cleared -> RFS unknown but OS known -> kept (missing_endpoint keep)
    assert len(p.data) == 3
    assert pd.isna(p.data["rfs_months"].iloc[0]) and p.data["os_months"].notna().iloc[0]
    assert p.data["os_event"].iloc[1] == True and p.data["os_months"].iloc[1] > 0  # noqa: E712
    assert pd.isna(p.data["age"].iloc[2])
    p2 = prepare_cohort(c, actions={"recurrence_before_surgery": "clear_date", "missing_endpoint": "exclude",
                                    "event_without_date": "date_at_last_follow_up"})
    assert len(p2.data) == 2


def test_duplicate_choices():
    c = base(3)
    c.loc[2, "patient_id"] = "p0"
    assert len(prepare_cohort(c).data) == 2
    assert prepare_cohort(c, actions={"duplicate_id": "exclude_all"}).data["patient_id"].tolist() == ["p1"]
    assert len(prepare_cohort(c, actions={"duplicate_id": "keep_all"}).data) == 3


def test_unknown_action_rejected():
    with pytest.raises(ns.InputError):
        prepare_cohort(base(), actions={"duplicate_id": "merge"})
    with pytest.raises(ns.InputError):
        prepare_cohort(base(), actions={"bad_kind": "exclude"})


def test_user_excluded_rows():
    p = prepare_cohort(base(3), exclude_rows=[3])
    assert p.data["patient_id"].tolist() == ["p0", "p2"]
    assert p.flow.loc[1, "reason"] == "excluded by the user"


def test_unreadable_dates_from_mapping_listed():
    raw = pd.DataFrame({"patient_id": ["a", "b"], "surgery_date": ["2020-02-31", "2020-01-01"],
                        "death": ["no", "no"], "last_follow_up_date": ["2021-01-01", "2021-01-01"]})
    mc = ns.apply_mapping(raw, ns.suggest_mapping(raw))
    rep = find_problems(mc.data, unparsed_dates=mc.unparsed_dates)
    assert (2, "unreadable_date") in kinds(rep)
    p = prepare_cohort(mc.data, unparsed_dates=mc.unparsed_dates)
    assert p.data["patient_id"].tolist() == ["b"]


def test_patient_flow_empty():
    flow = patient_flow(5, pd.DataFrame(columns=["row", "patient_id", "reason"]))
    assert flow["n_remaining"].tolist() == [5, 5]


def test_input_not_mutated():
    c = base(3)
    c.loc[0, "age"] = 200.0
    before = c.copy()
    prepare_cohort(c)
    pd.testing.assert_frame_equal(c, before)


def test_event_after_last_follow_up():
    c = base(3)
    c.loc[0, ["recurrence", "recurrence_date"]] = [True, D("2022-06-01")]  # after follow-up 2022-01-01
    c.loc[1, ["death", "death_date"]] = [True, D("2022-03-01")]
    rep = find_problems(c)
    assert {(2, "event_after_follow_up"), (3, "event_after_follow_up")} <= set(kinds(rep))
    p = prepare_cohort(c)  # default: the last follow-up moves to the event date
    assert len(p.data) == 3
    assert p.data["os_months"].iloc[0] == pytest.approx((D("2022-06-01") - D("2020-01-01")).days / 30.4375)
    assert p.data["os_event"].iloc[0] == False  # noqa: E712
    assert len(prepare_cohort(c, actions={"event_after_follow_up": "exclude"}).data) == 1
    kept = prepare_cohort(c, actions={"event_after_follow_up": "keep"}).data
    assert kept["os_months"].iloc[0] == pytest.approx((D("2022-01-01") - D("2020-01-01")).days / 30.4375)


def test_text_index_numbered_by_position():
    c = base(3)
    c.index = ["x", "y", "z"]
    c.loc["y", "age"] = 300.0
    c.loc["z", "patient_id"] = "p0"
    rep = find_problems(c)
    assert (3, "impossible_value") in kinds(rep) and (4, "duplicate_id") in kinds(rep)
    p = prepare_cohort(c, exclude_rows=[2])
    assert list(p.data.index) == ["y"] and p.excluded["row"].tolist() == [2, 4]


def test_flow_carries_the_endpoint_definition():
    p = prepare_cohort(base(2), rfs_definition="recurrence_only")
    assert p.flow.attrs["endpoint_definition"] == p.definition and "censored at death" in p.definition


def test_row_numbers_and_restrict_lesions():
    from nelm_stats.intake.quality import restrict_lesions, row_numbers

    c = base(3)
    assert row_numbers(c) == [2, 3, 4]
    les = pd.DataFrame({"patient_id": ["p0", "p0", "p9", None], "lesion_id": ["a", "b", "c", "d"]})
    kept, n_out = restrict_lesions(les, c.iloc[:2])
    assert kept["lesion_id"].tolist() == ["a", "b"] and n_out == 2


@pytest.mark.parametrize("text,rows", [
    ("12, 40-45; 61", [12, 40, 41, 42, 43, 44, 45, 61]), (" 3 .. 5 ", [3, 4, 5]), ("", []), (None, []),
    ("2–4 7 7", [2, 3, 4, 7]), ("101", [101]), ("45-40x", None), ("abc", None), ("1", None), ("0", None),
    ("9-3", None), ("50-120", None), ("200", None), ("2-99999999999", None), ("1.5", None), ("-3", None),
])
def test_rows_typed_to_exclude(text, rows):
    """Row numbers as the clinician types them: lists, ranges, any separator; anything else, or a
    row that holds no patient, is refused in words (never silently ignored)."""
    from nelm_stats.intake.quality import parse_rows

    valid = list(range(2, 102))
    if rows is not None:
        assert parse_rows(text, valid) == rows
        return
    with pytest.raises(InputError) as err:
        parse_rows(text, valid)
    message = str(err.value)
    assert "is not a row number" in message or "is not a patient row" in message or "a range goes" in message
    if text in ("200", "1"):
        assert f"Row {text} is not a patient row of your file: its patients are in rows 2–101." == message


def test_rows_typed_to_exclude_skip_rows_set_apart():
    from nelm_stats.intake.quality import parse_rows

    valid = [3, 4, 5, 7, 8]  # row 2: a second header row; row 6: a subtotal line
    assert parse_rows("3-5, 8", valid) == [3, 4, 5, 8]
    with pytest.raises(InputError, match="Row 6 is not a patient row.*set apart as not patients"):
        parse_rows("5-7", valid)
