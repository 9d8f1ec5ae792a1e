"""The import's once-per-distinct-value paths give exactly what the one-value-at-a-time paths give.

Reading text cells, value rules, date parsing and slash-date evidence look at each distinct
value once (nelm_stats.dates.distinct_values); forcing the per-value path (distinct_values
returning None, as it does for mixed columns) must not change any result.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nelm_stats.intake import dates as ns_dates
from nelm_stats.intake import read as ns_io
from nelm_stats.intake import normalise as ns_normalise
from nelm_stats.intake import privacy as ns_privacy

RNG = np.random.default_rng(11)
POOLS = {
    "dates": ["2019-03-14", "14.03.2019", "14/03/2019", "03/04/2019", "04/04/2019", "31.02.2020", "2020-13-01",
              "", "NA", "unknown", "43500", "43500.5", "1.1.19", "12/31/99", "5 Jan 2020", "garbage",
              " 2018-01-02 ", "2021-02-29", "-", "99999", "13/13/2020"],
    "bool": ["yes", "no", "ja", "nein", "1", "0", "Y", "n", "maybe", "", "NA", "dead", "alive", " Yes ", "x"],
    "margin": ["R0", "R1", "r2", "R1 (<1mm)", "clear", "0", "positive", "Rx", "", "R 1", "3", "NA"],
    "clavien": ["0", "I", "II", "IIIa", "3b", "IV", "IVa", "V", "none", "III", "grade IIIb", "", "6"],
    "number": ["12", "12,5", "15 %", "<1", "abc", "", "1e3", "-3", "150", "NA", "0", "200,0", " 7 "],
    "sex": ["f", "m", "w", "Female", "MALE", "x", "", "unknown"],
}


def _column(pool: str, n: int = 400, missing: float = 0.1) -> pd.Series:
    values = [POOLS[pool][i] for i in RNG.integers(0, len(POOLS[pool]), n)]
    values = [None if RNG.random() < missing else v for v in values]
    return pd.Series(values, index=pd.RangeIndex(n) + 3, dtype="string")


def _per_value(monkeypatch):
    monkeypatch.setattr(ns_dates, "distinct_values", lambda series: None)
    monkeypatch.setattr(ns_normalise, "distinct_values", lambda series: None)


@pytest.mark.parametrize("pool,column", [("bool", "recurrence"), ("bool", "death"), ("margin", "margin_status"),
                                         ("clavien", "clavien_dindo"), ("number", "ki67"), ("sex", "sex"),
                                         ("number", "patient_id")])
def test_value_rules(monkeypatch, pool, column):
    series = _column(pool)
    fast = ns_normalise.normalise_column(series, column)
    _per_value(monkeypatch)
    slow = ns_normalise.normalise_column(series, column)
    pd.testing.assert_series_equal(fast.values, slow.values)
    pd.testing.assert_frame_equal(fast.preview, slow.preview)
    pd.testing.assert_frame_equal(fast.unrecognised, slow.unrecognised)
    assert len(fast.unrecognised) or pool in ("bool", "sex") or column == "patient_id"


@pytest.mark.parametrize("order", ["dmy", "mdy"])
def test_dates(monkeypatch, order):
    series = _column("dates")
    fast = ns_dates.parse_dates(series, order=order)
    evidence = ns_dates.slash_evidence(series)
    _per_value(monkeypatch)
    slow = ns_dates.parse_dates(series, order=order)
    pd.testing.assert_series_equal(fast.values, slow.values)
    pd.testing.assert_frame_equal(fast.unparsed, slow.unparsed)
    assert fast.formats == slow.formats and len(fast.unparsed) > 0
    assert evidence == ns_dates.slash_evidence(series) and evidence[0] > 0


def test_ambiguous_date_error_names_the_first_ambiguous_value(monkeypatch):
    series = pd.Series(["2019-01-01", None, "05/06/2020", "03/04/2020", "05/06/2020"], dtype="string")
    with pytest.raises(ns_dates.AmbiguousDateOrderError, match="05/06/2020") as fast:
        ns_dates.parse_dates(series)
    _per_value(monkeypatch)
    with pytest.raises(ns_dates.AmbiguousDateOrderError) as slow:
        ns_dates.parse_dates(series)
    assert str(fast.value) == str(slow.value)


def test_numbers_of_mixed_cells_are_not_merged():
    """1, 1.0 and True are equal in Python: a mixed column must take the per-value path."""
    series = pd.Series([1, 1.0, True, "1"], dtype=object)
    assert ns_dates.distinct_values(series) is None
    codes, uniques = ns_dates.distinct_values(pd.Series(["a", None, "b", "a", np.nan], dtype=object))
    assert codes.tolist() == [0, -1, 1, 0, -1] and uniques == ["a", "b"]


@pytest.mark.parametrize("pool", ["number", "dates", "bool"])
@pytest.mark.parametrize("decimal", [".", ","])
def test_reading_text_cells(pool, decimal):
    codes = ns_io._codes(ns_io.DEFAULT_MISSING_CODES)
    raw = _column(pool).astype(object).where(lambda s: s.notna(), "")
    for cells in (raw, raw[raw.isin(["12", "-3", "150", "0", "", "NA", " 7 ", "12,5"])]):
        fast = ns_io._text_or_number(cells, codes, decimal)
        slow = ns_io._text_or_number_cells(cells.where(cells.notna(), None), codes, decimal)
        pd.testing.assert_series_equal(fast, slow)


def test_identifier_shares_are_weighted_by_frequency():
    emails = pd.Series(["a@b.de"] * 4 + ["x"] * 6, dtype="string")
    assert ns_privacy._value_reason(emails) == "values look like e-mail addresses"  # 40 % > 30 %
    assert ns_privacy._value_reason(pd.Series(["a@b.de"] * 3 + ["x"] * 7, dtype="string")) is None


@pytest.mark.parametrize("pool", ["bool", "plus_minus", "text", "codes_only"])
def test_extra_columns(monkeypatch, pool):
    """A kept (non-schema) column: yes/no spellings (also + / −) become boolean, other text stays
    text, missing codes become missing — the same once per distinct text as value by value."""
    pools = {"bool": ["yes", "no", " Ja ", "nein", "NA", "", "unknown", "1", "0", "1.0"],
             "plus_minus": ["+", "-", " - ", "NA", "yes"],
             "text": ["yes", "no", "pancreas", "NA", "ileum", ""],
             "codes_only": ["NA", "", "unknown", "n/a"]}
    values = [pools[pool][i] for i in RNG.integers(0, len(pools[pool]), 300)]
    series = pd.Series([None if RNG.random() < 0.1 else v for v in values], index=pd.RangeIndex(300) + 5,
                       dtype=object)
    fast = ns_normalise.normalise_extra(series)
    monkeypatch.setattr(ns_normalise, "distinct_values", lambda series: None)
    slow = ns_normalise.normalise_extra(series)
    pd.testing.assert_series_equal(fast, slow)
    expected = {"bool": "boolean", "plus_minus": "boolean", "text": "string", "codes_only": "string"}[pool]
    assert str(fast.dtype) == expected
    assert fast.isna().sum() == sum(v is None or v.strip().lower() in ("na", "", "unknown", "n/a")
                                    for v in series)


@pytest.mark.parametrize("texts", [["a", "b", None, "ä ü"], [None], [], ["x" * 300, "", "\u00a0"]])
def test_text_series_from_distinct_texts(texts):
    """A column built in Arrow from its distinct texts equals the one built cell by cell."""
    codes = RNG.integers(-1, len(texts), 500) if texts else np.full(500, -1)
    index = pd.RangeIndex(500) + 2
    fast = ns_dates.text_series(texts, codes, index)
    cells = np.array(list(texts) + [None], dtype=object)[np.where(codes < 0, len(texts), codes)]
    pd.testing.assert_series_equal(fast, pd.Series(cells, index=index, dtype="string"))


def _same_read(content: bytes, name: str, monkeypatch, **kwargs) -> bool:
    """read_table with the Arrow reading of plain CSV files and Python's csv reader (forced) agree
    on everything: the table (values, types, row labels), the header row, the number formats, the
    warnings, the rows set apart; or both refuse the file with the same words.  Returns whether the
    Arrow path was taken."""
    taken = []
    real = ns_io._arrow_rows

    def arrow(text, delimiter):
        rows = real(text, delimiter)
        taken.append(rows is not None)
        return rows

    def read(path_on: bool):
        with monkeypatch.context() as m:
            m.setattr(ns_io, "_arrow_rows", arrow if path_on else (lambda text, delimiter: None))
            try:
                return ns_io.read_table(content, name, **kwargs)
            except Exception as err:  # noqa: BLE001 - compared below
                return err

    fast, slow = read(True), read(False)
    if isinstance(slow, Exception) or isinstance(fast, Exception):
        assert type(fast) is type(slow) and str(fast) == str(slow)
        return bool(taken and taken[0])
    pd.testing.assert_frame_equal(fast.data, slow.data)
    for attr in ("format", "encoding", "delimiter", "decimal", "header_row", "number_formats", "warnings"):
        assert getattr(fast, attr) == getattr(slow, attr), attr
    pd.testing.assert_frame_equal(fast.non_patient_rows, slow.non_patient_rows)
    return bool(taken and taken[0])


def test_plain_csv_read_by_arrow_as_by_pythons_reader_corpus(monkeypatch):
    """Every CSV/TSV file of the awkward-file corpus reads the same either way."""
    from pathlib import Path

    corpus = Path(__file__).parent / "corpus"
    files = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in (".csv", ".tsv", ".txt"))
    assert len(files) >= 20
    arrow = [p.name for p in files if _same_read(p.read_bytes(), p.name, monkeypatch)]
    assert len(arrow) >= 5  # the plain ones went through Arrow


@pytest.mark.parametrize("seed", range(6))
def test_plain_csv_read_by_arrow_as_by_pythons_reader_random(seed, monkeypatch):
    """Random tables written in every way a plain export writes them: delimiters, line ends (\\n,
    \\r\\n, \\r, mixed), empty lines inside and at the end, title lines above the header, a second
    header row of units, footers, ragged rows, missing codes, decimal commas, thousands separators,
    dates, spaces around values, accents; a few with a quotation mark or a NUL (Python reads them)."""
    rng = np.random.default_rng(seed)
    cells = ["12", "12,5", "1.090", "2.345,5", "1,090.5", "-3", "", "NA", "nv", " 7 ", "abc", "Zürich", "G2",
             "14.03.2019", "2019-03-14", "03/04/2019", "ja", "nein", "R0", "x y z", "1e3", "0", "99999", "\t"]
    arrow_taken = 0
    for k in range(40):
        delimiter = [",", ";", "\t", "|"][k % 4]
        width = int(rng.integers(2, 7))
        header = [f"col{j}" if rng.random() < 0.9 else "" for j in range(width)]
        kinds = [rng.choice(["num", "dec", "text", "date", "mixed"]) for _ in range(width)]
        pools = {"num": ["12", "-3", "0", "150", "", "NA"], "dec": ["12,5", "1.090", "2.345,5", "7", "", "-1,5"],
                 "date": ["14.03.2019", "01.02.2020", "", "31.12.1999"], "text": ["G1", "G2", "Zürich", " a b ", ""],
                 "mixed": cells}
        rows = [[str(rng.choice(pools[kind])).replace(delimiter, "") for kind in kinds]
                for _ in range(int(rng.integers(1, 60)))]
        lines = []
        if rng.random() < 0.15:
            lines.append("Registry export 2026")  # a title line above the header
        lines.append(delimiter.join(header))
        if rng.random() < 0.15:
            lines.append(delimiter.join(["years" if kind != "text" else "" for kind in kinds]))  # units
        lines += [delimiter.join(r) for r in rows]
        if rng.random() < 0.2:
            lines.insert(int(rng.integers(1, len(lines) + 1)), "")  # an empty line
        if rng.random() < 0.15:
            lines.append(delimiter.join(["Total"] + [""] * (width - 1)))
        if rng.random() < 0.1:
            lines[-1] = lines[-1].rsplit(delimiter, 1)[0]  # a ragged last row
        if rng.random() < 0.1:
            lines[int(rng.integers(0, len(lines)))] += '"'  # a stray quotation mark
        ending = ["\n", "\r\n", "\r"][int(rng.integers(0, 3))]
        text = ending.join(lines) + (ending if rng.random() < 0.7 else "") + ("\n" if rng.random() < 0.1 else "")
        encoding = "utf-8" if rng.random() < 0.7 else "cp1252"
        for kwargs in ({}, {"decimal": ","}, {"header_row": 1}):
            arrow_taken += _same_read(text.encode(encoding, errors="replace"), "export.csv", monkeypatch, **kwargs)
    assert arrow_taken > 20
