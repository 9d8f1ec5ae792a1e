"""Make the corpus of awkward registry exports the import tests read (tests/corpus/*).

Run: .venv/bin/python tests/corpus/make_corpus.py   (deterministic; the files are committed).
Each file mimics one way a clinician's export goes wrong; tests/test_corpus.py states the
expected outcome of each.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyreadstat

HERE = Path(__file__).resolve().parent

# 12 patients: surgery, recurrence, death, last follow-up (ISO), written differently per file.
BASE = [
    # id, age, sex, grade, ki67, margin, cd, rec, rec_date, death, death_date, fu_date, surgery
    ("NET-01", 54, "f", "G1", 1.5, "R0", "I", "yes", "2019-03-14", "no", "", "2023-06-30", "2017-01-09"),
    ("NET-02", 61, "m", "G2", 7.25, "R1", "II", "yes", "2018-11-02", "yes", "2021-02-17", "2021-02-17", "2016-05-23"),
    ("NET-03", 47, "f", "G2", 12.0, "R0", "0", "no", "", "no", "", "2022-12-01", "2018-08-30"),
    ("NET-04", 70, "m", "G3", 35.5, "R2", "IIIa", "yes", "2019-01-20", "yes", "2019-09-05", "2019-09-05", "2018-02-13"),
    ("NET-05", 39, "f", "G1", 0.8, "R0", "0", "no", "", "no", "", "2024-01-15", "2019-10-21"),
    ("NET-06", 66, "m", "G2", 4.1, "R1", "IIIb", "yes", "2020-06-29", "no", "", "2023-11-30", "2018-12-04"),
    ("NET-07", 58, "f", "G1", 2.2, "R0", "I", "no", "", "yes", "2022-04-18", "2022-04-18", "2019-03-27"),
    ("NET-08", 73, "m", "G3", 41.0, "R1", "IVa", "yes", "2020-02-11", "yes", "2020-10-30", "2020-10-30", "2019-06-17"),
    ("NET-09", 50, "f", "G2", 9.6, "R0", "II", "no", "", "no", "", "2023-08-08", "2020-01-28"),
    ("NET-10", 44, "m", "G1", 1.1, "R0", "0", "yes", "2022-09-19", "no", "", "2024-03-01", "2020-09-14"),
    ("NET-11", 62, "f", "G2", 15.3, "R1", "I", "no", "", "no", "", "2023-05-25", "2021-04-06"),
    ("NET-12", 57, "m", "G2", 6.4, "R0", "0", "yes", "2022-07-07", "no", "", "2024-02-20", "2021-07-19"),
]
COLS = ["id", "age", "sex", "grade", "ki67", "margin", "cd", "rec", "rec_date", "death", "death_date",
        "fu_date", "surgery"]


def base() -> pd.DataFrame:
    return pd.DataFrame(BASE, columns=COLS)


def _fmt(iso: str, pattern: str) -> str:
    if not iso:
        return ""
    return dt.date.fromisoformat(iso).strftime(pattern)


def _serial(iso: str):
    if not iso:
        return None
    return (dt.date.fromisoformat(iso) - dt.date(1899, 12, 30)).days


def european_semicolon(b: pd.DataFrame) -> None:
    """Semicolon-separated, decimal comma, dd.mm.yyyy, ja/nein, German headers, UTF-8 with BOM."""
    out = pd.DataFrame({
        "Pat-ID": b.id, "Alter": b.age, "Geschlecht": b.sex.map({"f": "w", "m": "m"}),
        "Grading": b.grade, "Ki-67 (%)": b.ki67.map(lambda x: f"{x:g}".replace(".", ",")),
        "R-Status": b.margin, "Clavien-Dindo": b.cd,
        "OP-Datum": b.surgery.map(lambda d: _fmt(d, "%d.%m.%Y")),
        "Rezidiv": b.rec.map({"yes": "ja", "no": "nein"}),
        "Rezidivdatum": b.rec_date.map(lambda d: _fmt(d, "%d.%m.%Y")),
        "verstorben": b.death.map({"yes": "ja", "no": "nein"}),
        "Todesdatum": b.death_date.map(lambda d: _fmt(d, "%d.%m.%Y")),
        "Letzte Nachsorge": b.fu_date.map(lambda d: _fmt(d, "%d.%m.%Y")),
    })
    text = out.to_csv(sep=";", index=False, lineterminator="\r\n")
    (HERE / "european_semicolon.csv").write_bytes(text.encode("utf-8-sig"))


def latin1(b: pd.DataFrame) -> None:
    """Comma-separated Latin-1 (umlauts), dd/mm/yyyy with days above 12 (order settled)."""
    out = pd.DataFrame({
        "Patient ID": b.id, "Age": b.age, "Sex": b.sex.map({"f": "weiblich", "m": "männlich"}),
        "Primärtumor": ["Pankreas", "Dünndarm", "Dünndarm", "Pankreas", "Dünndarm", "other", "Dünndarm",
                        "Pankreas", "Dünndarm", "unbekannt", "Dünndarm", "Pankreas"],
        "Date of surgery": b.surgery.map(lambda d: _fmt(d, "%d/%m/%Y")),
        "Recurrence": b.rec, "Date of recurrence": b.rec_date.map(lambda d: _fmt(d, "%d/%m/%Y")),
        "Died": b.death, "Date of death": b.death_date.map(lambda d: _fmt(d, "%d/%m/%Y")),
        "Last follow-up": b.fu_date.map(lambda d: _fmt(d, "%d/%m/%Y")),
    })
    (HERE / "latin1.csv").write_bytes(out.to_csv(index=False).encode("latin-1"))


def excel_serial(b: pd.DataFrame) -> None:
    """Dates stored as Excel serial numbers (cells formatted as numbers), xlsx."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Registry"
    ws.append(["Study ID", "Age", "OP date", "Rec", "Rec date", "Dead", "DOD", "Last FU"])
    for r in b.itertuples(index=False):
        ws.append([r.id, r.age, _serial(r.surgery), r.rec, _serial(r.rec_date), r.death,
                   _serial(r.death_date), _serial(r.fu_date)])
    wb.save(HERE / "excel_serial_dates.xlsx")


def two_sheets(b: pd.DataFrame) -> None:
    """A workbook with a patient sheet (real date cells) and a lesion sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Patients"
    ws.append(["Patient ID", "Age", "Sex", "Grade", "ICG", "Surgery date", "Recurrence",
               "Recurrence date", "Death", "Death date", "Last follow-up"])
    for i, r in enumerate(b.itertuples(index=False)):
        d = lambda s: dt.datetime.fromisoformat(s) if s else None  # noqa: E731
        ws.append([r.id, r.age, r.sex, r.grade, "yes" if i % 2 else "no", d(r.surgery), r.rec,
                   d(r.rec_date), r.death, d(r.death_date), d(r.fu_date)])
    ls = wb.create_sheet("Lesions")
    ls.append(["Patient ID", "Lesion", "Size (cm)", "Fluorescence at margin", "Margin (mm)", "R status"])
    k = 0
    for i, r in enumerate(b.itertuples(index=False)):
        for j in range(1 + i % 3):
            k += 1
            ls.append([r.id, f"{r.id}-L{j + 1}", round(0.5 + 0.3 * ((i + j) % 7), 1),
                       "yes" if (i + j) % 4 == 0 else "no", round(0.4 * ((i * 3 + j) % 9), 1),
                       "R1" if (i * 3 + j) % 9 == 0 else "R0"])
    wb.save(HERE / "two_sheets.xlsx")


def mixed_yes_no(b: pd.DataFrame) -> None:
    """Yes/no columns written every way (and two values no rule knows: 'maybe', '2')."""
    codes = ["yes", "No", "Y", "n", "1", "0", "ja", "nein", "TRUE", "false", "maybe", "2"]
    out = pd.DataFrame({
        "Pat-ID": b.id, "ICG": codes, "Bile leak": list(reversed(codes[:10])) + ["", "NA"],
        "Bilobar": ["y", "n"] * 6, "Sex": ["F", "M", "female", "Male", "w", "m", "f", "M", "Frau", "x",
                                            "female", "male"],
    })
    (HERE / "mixed_yes_no.csv").write_text(out.to_csv(index=False), encoding="utf-8")


def duplicated_ids(b: pd.DataFrame) -> None:
    """NET-03 appears twice, NET-07 three times; ISO dates."""
    out = pd.DataFrame({
        "patient_id": b.id, "surgery_date": b.surgery, "recurrence": b.rec, "recurrence_date": b.rec_date,
        "death": b.death, "death_date": b.death_date, "last_follow_up_date": b.fu_date,
    })
    out = pd.concat([out, out.iloc[[2, 6, 6]]], ignore_index=True)
    (HERE / "duplicated_ids.csv").write_text(out.to_csv(index=False), encoding="utf-8")


def impossible(b: pd.DataFrame) -> None:
    """Impossible dates and values, each on a known row (spreadsheet row = index + 2)."""
    out = pd.DataFrame({
        "patient_id": b.id, "age": b.age.astype(float), "ki67": b.ki67, "margin_mm": 1.0,
        "surgery_date": b.surgery, "recurrence": b.rec, "recurrence_date": b.rec_date,
        "death": b.death, "death_date": b.death_date, "last_follow_up_date": b.fu_date,
    })
    out.loc[0, "surgery_date"] = "2017-02-31"          # row 2: no 31 February
    out.loc[1, "recurrence_date"] = "2015-01-01"        # row 3: recurrence before surgery
    out.loc[2, "last_follow_up_date"] = "2018-01-01"    # row 4: follow-up before surgery
    out.loc[3, "death_date"] = ""                       # row 5: death without a date
    out.loc[4, "age"] = 150                             # row 6: impossible age
    out.loc[5, "ki67"] = 120                            # row 7: Ki-67 > 100
    out.loc[6, "margin_mm"] = -2                        # row 8: negative margin
    out.loc[7, "death_date"] = "2019-01-01"             # row 9: death before surgery
    (HERE / "impossible_values.csv").write_text(out.to_csv(index=False), encoding="utf-8")


def identifiers(b: pd.DataFrame) -> None:
    """Direct identifiers: names, hospital record numbers, e-mail, birth date, a free-text note."""
    out = pd.DataFrame({
        "Patient ID": b.id,
        "Name": ["Müller, Anna", "Smith, John", "Rossi, Maria", "Dubois, Pierre", "Novak, Eva", "Berg, Lars",
                 "Kowalski, Ewa", "Jensen, Ole", "Silva, Ana", "Meier, Hans", "Ricci, Lucia", "Weber, Paul"],
        "MRN": [10234567 + 17 * i for i in range(12)],
        "Contact": [f"patient{i}@example.org" for i in range(12)],
        "DOB": ["1963-04-1%d" % (i % 10) for i in range(12)],
        "Age": b.age, "Surgery date": b.surgery, "Death": b.death, "Date of death": b.death_date,
        "Last follow-up": b.fu_date,
    })
    (HERE / "identifier_columns.csv").write_text(out.to_csv(index=False), encoding="utf-8")


def birth_dates(b: pd.DataFrame) -> None:
    """A birth-date column and no age: the page offers age at surgery before the birth date is dropped."""
    out = pd.DataFrame({
        "Patient ID": b.id, "Date of birth": [f"19{40 + i}-0{1 + i % 9}-15" for i in range(12)],
        "Surgery date": b.surgery, "Death": b.death, "Date of death": b.death_date, "Last follow-up": b.fu_date,
    })
    (HERE / "birth_dates.csv").write_text(out.to_csv(index=False), encoding="utf-8")


def ambiguous(b: pd.DataFrame) -> None:
    """US export: mm/dd/yyyy where every day is <= 12, so the order cannot be read from the values."""
    dates = ["2017-01-09", "2016-05-03", "2018-08-10", "2018-02-11", "2019-10-07", "2018-12-04",
             "2019-03-02", "2019-06-05", "2020-01-08", "2020-09-11", "2021-04-06", "2021-07-12"]
    fus = ["2023-06-03", "2021-02-07", "2022-12-01", "2019-09-05", "2024-01-10", "2023-11-03",
           "2022-04-08", "2020-10-10", "2023-08-08", "2024-03-01", "2023-05-12", "2024-02-02"]
    out = pd.DataFrame({
        "Pat-ID": b.id, "OP date": [_fmt(d, "%m/%d/%Y") for d in dates], "Dead": b.death.map({"yes": "1", "no": "0"}),
        "f/u": [_fmt(d, "%m/%d/%Y") for d in fus],
    })
    (HERE / "ambiguous_dates.csv").write_text(out.to_csv(index=False), encoding="utf-8")


def registry_tsv(b: pd.DataFrame) -> None:
    """A registry export with the usual abbreviations and supplied times (tab-separated)."""
    out = pd.DataFrame({
        "Pat-ID": b.id, "Age": b.age, "R-status": ["R0", "R1 (<1mm)", "clear", "R2", "negative", "R 1",
                                                   "0", "1", "R0", "R0", "involved", "??"],
        "Grade": ["G1", "2", "grade 2", "G3", "1", "intermediate", "G I", "high", "Grade II", "G2", "G2", "Gx"],
        "CD": ["I", "2", "0", "3a", "none", "III b", "I", "IVa", "II", "0", "III", "I"],
        "DFS (mo)": [26.1, 29.3, 51.1, 11.2, 50.8, 18.8, 36.7, 7.8, 42.3, 24.2, 25.6, 11.6],
        "Rec": b.rec, "OS (mo)": [77.7, 56.8, 51.1, 18.7, 50.8, 59.9, 36.7, 16.4, 42.3, 41.6, 25.6, 31.1],
        "Dead": b.death,
    })
    (HERE / "registry_export.tsv").write_text(out.to_csv(sep="\t", index=False), encoding="utf-8")


def stata_spss(b: pd.DataFrame) -> None:
    """Stata .dta and SPSS .sav with value labels (codes 1/2 for sex, 0/1 for events, 1-3 grade)."""
    df = pd.DataFrame({
        "studyid": b.id,
        "age": b.age.astype(float),
        "sex": b.sex.map({"m": 1.0, "f": 2.0}),
        "grade": b.grade.str[1].astype(float),
        "recurrence": b.rec.map({"yes": 1.0, "no": 0.0}),
        "surgery_date": pd.to_datetime(b.surgery),
        "death": b.death.map({"yes": 1.0, "no": 0.0}),
        "death_date": pd.to_datetime(b.death_date.replace("", None)),
        "rec_date": pd.to_datetime(b.rec_date.replace("", None)),
        "last_fu": pd.to_datetime(b.fu_date),
    })
    labels = {"sex": {1.0: "male", 2.0: "female"}, "grade": {1.0: "G1", 2.0: "G2", 3.0: "G3"},
              "recurrence": {0.0: "no", 1.0: "yes"}, "death": {0.0: "alive", 1.0: "dead"}}
    pyreadstat.write_dta(df, str(HERE / "labelled.dta"), variable_value_labels=labels)
    pyreadstat.write_sav(df, str(HERE / "labelled.sav"), variable_value_labels=labels)


def parquet(b: pd.DataFrame) -> None:
    """Canonical column names already, real dtypes (Parquet keeps them)."""
    df = pd.DataFrame({
        "patient_id": b.id, "age": b.age, "surgery_date": pd.to_datetime(b.surgery),
        "recurrence": b.rec == "yes", "recurrence_date": pd.to_datetime(b.rec_date.replace("", None)),
        "death": b.death == "yes", "death_date": pd.to_datetime(b.death_date.replace("", None)),
        "last_follow_up_date": pd.to_datetime(b.fu_date),
    })
    df.to_parquet(HERE / "canonical.parquet", index=False)


def main() -> None:
    b = base()
    np.random.seed(0)
    for make in (european_semicolon, latin1, excel_serial, two_sheets, mixed_yes_no, duplicated_ids,
                 impossible, identifiers, birth_dates, ambiguous, registry_tsv, stata_spss, parquet):
        make(b)
    (HERE / "not_a_table.csv").write_bytes(bytes(range(256)) * 4)
    print("corpus written to", HERE)


if __name__ == "__main__":
    main()
