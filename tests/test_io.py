"""Readers: every format from bytes in memory, encodings, delimiters, decimal comma, errors."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import nelm_stats as ns
from nelm_stats.intake.read import read_table


def test_csv_comma_utf8():
    r = read_table(b"id,age,ki67\nA,54,1.5\nB,61,7.25\n", "x.csv")
    assert r.delimiter == "," and r.encoding == "utf-8" and r.decimal == "."
    assert r.data["age"].tolist() == [54.0, 61.0]
    assert r.data["ki67"].tolist() == [1.5, 7.25]
    assert r.data["id"].tolist() == ["A", "B"]


def test_csv_semicolon_decimal_comma_bom():
    content = "id;ki67;note\r\nA;1,5;x\r\nB;12,25;y\r\n".encode("utf-8-sig")
    r = read_table(content, "x.csv")
    assert r.delimiter == ";" and r.decimal == "," and r.encoding == "utf-8-bom"
    assert list(r.data.columns) == ["id", "ki67", "note"]  # BOM not in the first header
    assert r.data["ki67"].tolist() == [1.5, 12.25]


def test_tsv():
    r = read_table(b"a\tb\n1\t2\n3\t4\n", "x.tsv")
    assert r.delimiter == "\t" and r.data["b"].tolist() == [2.0, 4.0]


@pytest.mark.parametrize("encoding", ["latin-1", "cp1252"])
def test_latin1_cp1252(encoding):
    content = "name,sex\nx,männlich\ny,weiblich\n".encode(encoding)
    r = read_table(content, "x.csv")
    assert r.data["sex"].tolist() == ["männlich", "weiblich"]


def test_cp1252_specific_character():
    r = read_table("a,b\n1,€\n".encode("cp1252"), "x.csv")
    assert r.data["b"].tolist() == ["€"]


def test_missing_codes_keep_numbers_numeric():
    r = read_table(b"a,b\n1,NA\n2,.\n3,not done\n4,5\n", "x.csv")
    assert r.data["a"].dtype == float
    assert r.data["b"].dtype == float and r.data["b"].isna().sum() == 3
    r2 = read_table(b"a,b\n1,NA\n2,5\n", "x.csv", missing_codes=[])
    assert not pd.api.types.is_numeric_dtype(r2.data["b"])  # "NA" is text when not a missing code


def test_text_column_keeps_values_and_missing_codes():
    r = read_table(b"a,b\n1,yes\n2,unknown\n3,\n", "x.csv")
    assert r.data["b"].tolist()[:2] == ["yes", "unknown"] and pd.isna(r.data["b"].iloc[2])


def test_duplicate_and_blank_headers_made_unique():
    r = read_table(b"a,a,,b\n1,2,3,4\n", "x.csv")
    assert list(r.data.columns) == ["a", "a (2)", "column 3", "b"]


def test_empty_rows_dropped_and_row_numbers_kept():
    r = read_table(b"a,b\n1,2\n,\n\n3,4\n", "x.csv")
    assert len(r.data) == 2 and list(r.data.index + 2) == [2, 5]  # spreadsheet rows


def _xlsx(sheets: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as w:
        for name, df in sheets.items():
            df.to_excel(w, sheet_name=name, index=False)
    return buf.getvalue()


def test_xlsx_sheets_and_choice():
    content = _xlsx({"patients": pd.DataFrame({"id": ["A", "B"], "d": pd.to_datetime(["2020-01-02", "2021-03-04"])}),
                     "lesions": pd.DataFrame({"id": ["A"], "size": [1.5]})})
    assert ns.list_sheets(content, "f.xlsx") == ["patients", "lesions"]
    r = read_table(content, "f.xlsx")
    assert r.sheet == "patients" and pd.api.types.is_datetime64_any_dtype(r.data["d"])
    r2 = read_table(content, "f.xlsx", sheet="lesions")
    assert r2.data["size"].tolist() == [1.5]
    with pytest.raises(ns.DataReadError, match="no sheet"):
        read_table(content, "f.xlsx", sheet="nope")


def test_xls_reader_errors_cleanly_on_garbage():
    with pytest.raises(ns.DataReadError, match="Excel"):
        read_table(b"not an excel file at all", "f.xls")


def test_parquet_roundtrip():
    df = pd.DataFrame({"id": ["A", "B"], "x": [1.0, np.nan], "flag": [True, False]})
    buf = io.BytesIO()
    df.to_parquet(buf)
    r = read_table(buf.getvalue(), "f.parquet")
    assert r.data["id"].tolist() == ["A", "B"] and r.data["x"].isna().tolist() == [False, True]


def test_stata_value_labels_from_memory(tmp_path):
    import pyreadstat

    df = pd.DataFrame({"sex": [1.0, 2.0, 1.0], "age": [50.0, 60.0, 70.0]})
    path = tmp_path / "t.dta"  # the *test* writes a fixture; the reader never touches disk
    pyreadstat.write_dta(df, str(path), variable_value_labels={"sex": {1.0: "male", 2.0: "female"}})
    r = read_table(path.read_bytes(), "t.dta")
    assert r.format == "stata" and r.data["sex"].tolist() == ["male", "female", "male"]
    assert r.value_labels["sex"] == {1.0: "male", 2.0: "female"}


def test_spss_value_labels_from_memory(tmp_path):
    import pyreadstat

    df = pd.DataFrame({"rec": [0.0, 1.0], "age": [50.0, 60.0]})
    path = tmp_path / "t.sav"
    pyreadstat.write_sav(df, str(path), variable_value_labels={"rec": {0.0: "no", 1.0: "yes"}})
    r = read_table(path.read_bytes(), "t.sav")
    assert r.format == "spss" and r.data["rec"].tolist() == ["no", "yes"]


def test_reader_does_not_write_to_disk(monkeypatch, tmp_path):
    """No reader opens a file for writing (uploads stay in memory)."""
    import builtins
    import tempfile

    opened = []
    real_open = builtins.open

    def spy(file, mode="r", *a, **k):
        if any(m in mode for m in "wax+"):
            opened.append(file)
        return real_open(file, mode, *a, **k)

    xlsx = _xlsx({"s": pd.DataFrame({"a": [1]})})
    monkeypatch.setattr(builtins, "open", spy)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", lambda *a, **k: opened.append("tmp"))
    monkeypatch.setattr(tempfile, "mkstemp", lambda *a, **k: opened.append("tmp"))
    read_table(b"a;b\n1,5;2\n", "x.csv")
    read_table(xlsx, "x.xlsx")
    assert opened == []


@pytest.mark.parametrize("content,name,match", [
    (b"", "x.csv", "empty"),
    (b"a,b\n", "x.csv", "no data rows"),
    (b"abc", "x.docx", "not a file type"),
    (b"\x00\x01\x02binary", "x.csv", "not a text file"),
    (b"PK\x03\x04garbage", "x.xlsx", "Excel"),
    (b"garbage", "x.dta", "Stata"),
    (b"garbage", "x.sav", "SPSS"),
    (b"garbage", "x.parquet", "Parquet"),
])
def test_unreadable_files_one_line_reason(content, name, match):
    with pytest.raises(ns.DataReadError, match=match) as err:
        read_table(content, name)
    assert "\n" not in str(err.value)


def test_describe_mentions_delimiter_and_decimal():
    r = read_table(b"a;b\n1,5;2\n", "x.csv")
    assert "semicolon" in r.describe() and "decimal mark ','" in r.describe()


def test_xls_legacy_workbook_with_sheets():
    """tests/corpus/readxl_datasets.xls: readxl's example workbook (MIT licence, R package readxl 1.4)."""
    from pathlib import Path

    content = (Path(__file__).resolve().parent / "corpus" / "readxl_datasets.xls").read_bytes()
    assert ns.list_sheets(content, "d.xls") == ["iris", "mtcars", "chickwts", "quakes"]
    r = read_table(content, "d.xls", sheet="mtcars")
    assert r.format == "xls" and r.sheet == "mtcars" and r.data.shape == (32, 11)
    assert r.data["mpg"].iloc[:3].tolist() == [21.0, 21.0, 22.8]
    iris = read_table(content, "d.xls").data  # first sheet by default
    assert iris["Species"].iloc[0] == "setosa" and iris.shape == (150, 5)


@pytest.mark.parametrize("fmt", ["dta", "sav", "parquet"])
def test_binary_readers_do_not_open_files(monkeypatch, fmt):
    """Stata/SPSS/Parquet bytes are parsed from a BytesIO: no file is opened, not even for reading."""
    import builtins
    import os
    from pathlib import Path

    content = (Path(__file__).resolve().parent / "corpus" /
               {"dta": "labelled.dta", "sav": "labelled.sav", "parquet": "canonical.parquet"}[fmt]).read_bytes()
    opened = []
    real_open, real_os_open = builtins.open, os.open
    monkeypatch.setattr(builtins, "open", lambda f, *a, **k: opened.append(f) or real_open(f, *a, **k))
    monkeypatch.setattr(os, "open", lambda f, *a, **k: opened.append(f) or real_os_open(f, *a, **k))
    r = read_table(content, f"upload.{fmt}")
    assert len(r.data) == 12
    assert not [f for f in opened if "upload" in str(f) or "tmp" in str(f)]


def test_title_lines_above_the_header_are_skipped():
    content = b"NET registry export;;\nexported 2024-01-01;;\n;;\nid;age;ki67\nA;54;1,5\nB;61;2\n"
    r = read_table(content, "x.csv")
    assert r.header_row == 4 and list(r.data.columns) == ["id", "age", "ki67"]
    assert r.delimiter == ";" and r.data["ki67"].tolist() == [1.5, 2.0]
    assert list(r.data.index + 2) == [5, 6]  # spreadsheet rows of the patients
    assert "row 4" in r.describe()
    r2 = read_table(content, "x.csv", header_row=4)
    assert r2.data.equals(r.data)


def test_title_rows_in_excel():
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Liver NET registry"])
    ws.append([])
    ws.append(["id", "age"])
    ws.append(["A", 54])
    ws.append(["B", 61])
    buf = io.BytesIO()
    wb.save(buf)
    r = read_table(buf.getvalue(), "x.xlsx")
    assert r.header_row == 3 and r.data["age"].tolist() == [54.0, 61.0]
    assert list(r.data.index + 2) == [4, 5]


def test_header_row_out_of_range():
    with pytest.raises(ns.DataReadError, match="fewer than"):
        read_table(b"a,b\n1,2\n", "x.csv", header_row=9)
    with pytest.raises(ns.InputError):
        read_table(b"a,b\n1,2\n", "x.csv", header_row=0)


def test_quoted_fields_with_delimiters():
    r = read_table(b'id,note\nA,"yes, with comma"\nB,"no"\n', "x.csv")
    assert r.delimiter == "," and r.data["note"].tolist() == ["yes, with comma", "no"]


@pytest.mark.parametrize("ext", ["csv", "tsv", "xlsx", "xls", "sav", "dta", "parquet"])
def test_damaged_files_never_raise_anything_but_data_read_error(ext):
    """Truncated and random-byte files: a DataReadError (one line) or a table, never another exception."""
    from pathlib import Path

    rng = np.random.default_rng(7)
    corpus = Path(__file__).resolve().parent / "corpus"
    source = {"csv": "european_semicolon.csv", "tsv": "registry_export.tsv", "xlsx": "two_sheets.xlsx",
              "xls": "readxl_datasets.xls", "sav": "labelled.sav", "dta": "labelled.dta",
              "parquet": "canonical.parquet"}[ext]
    good = (corpus / source).read_bytes()
    samples = [good[: len(good) // k] for k in (2, 3, 7)]
    samples += [bytes(rng.integers(0, 256, size=n, dtype=np.uint8)) for n in (10, 500, 5000)]
    flipped = bytearray(good)
    for i in rng.integers(0, len(good), size=20):
        flipped[i] ^= 0xFF
    samples.append(bytes(flipped))
    for content in samples:
        try:
            read_table(content, f"f.{ext}")
        except ns.DataReadError as err:
            assert "\n" not in str(err)


def test_reading_leaves_the_cycle_collector_as_it_was():
    """The collector is paused while a file is parsed (speed), and restored afterwards: also after
    an unreadable file, and left paused when the caller had paused it."""
    import gc

    from nelm_stats.errors import DataReadError

    assert gc.isenabled()
    read_table(b"a,b\n1,2\n", "ok.csv")
    assert gc.isenabled()
    with pytest.raises(DataReadError):
        read_table(b"\x00\x01binary", "bad.csv")
    assert gc.isenabled()
    gc.disable()
    try:
        read_table(b"a,b\n1,2\n", "ok.csv")
        assert not gc.isenabled()
    finally:
        gc.enable()
