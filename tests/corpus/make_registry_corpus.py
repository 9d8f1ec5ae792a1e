"""Registry exports that went wrong in real life, one folder: tests/corpus/registry/.

Run: .venv/bin/python tests/corpus/make_registry_corpus.py   (deterministic; the files are committed).

Every file holds the same kind of cohort (realistic NELM columns, 30-60 patients, seeded), written
the way a hospital export writes it and broken the way exports break (issue classes 1-10 of the
import: missing codes in dates, thousand separators, stray quotes, +/- flags, foreign dates,
clinical spellings, future dates, rows that are not patients, text that is not a table, time
units). ``truth_<file stem>.csv`` holds what each file means, in canonical form, so the tests
(tests/test_corpus_registry.py) compare every value read, not only counts.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

HERE = Path(__file__).resolve().parent / "registry"
EXPORT_DAY = dt.date(2026, 6, 30)  # the day these exports were made (before the tests' "today")

DE_MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
             "November", "Dezember"]
FR_MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
ES_MONTHS = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
             "noviembre", "diciembre"]
IT_MONTHS = ["gennaio", "febbraio", "marzo", "aprile", "maggio", "giugno", "luglio", "agosto", "settembre",
             "ottobre", "novembre", "dicembre"]
NL_MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
             "november", "december"]


def cohort(seed: int, n: int) -> pd.DataFrame:
    """A resected NELM series in canonical form (dates as datetime.date, None = missing)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        surgery = dt.date(2012, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3650)))
        horizon = (EXPORT_DAY - surgery).days
        fu_days = int(rng.integers(120, horizon))
        grade = rng.choice(["G1", "G2", "G3"], p=[0.35, 0.5, 0.15])
        ki67 = {"G1": rng.uniform(0.5, 2.9), "G2": rng.uniform(3, 19.9), "G3": rng.uniform(21, 70)}[grade]
        rec = bool(rng.random() < 0.5)
        rec_day = int(rng.integers(60, fu_days)) if rec else None
        dead = bool(rng.random() < 0.3)
        rows.append(dict(
            patient_id=f"NET-{i + 1:03d}", age=int(rng.integers(28, 84)), sex=rng.choice(["female", "male"]),
            grade=grade, ki67=round(float(ki67), 1), icg=bool(rng.random() < 0.5),
            margin_status=rng.choice(["R0", "R1"], p=[0.8, 0.2]), surgery_date=surgery,
            recurrence=rec, recurrence_date=surgery + dt.timedelta(days=rec_day) if rec else None,
            death=dead, death_date=surgery + dt.timedelta(days=fu_days) if dead else None,
            last_follow_up_date=surgery + dt.timedelta(days=fu_days), follow_up_days=fu_days,
        ))
    return pd.DataFrame(rows)


def truth(b: pd.DataFrame, name: str) -> None:
    t = b.copy()
    for c in ("surgery_date", "recurrence_date", "death_date", "last_follow_up_date"):
        t[c] = [x.isoformat() if x else "" for x in t[c]]
    t.to_csv(HERE / f"truth_{Path(name).stem}.csv", index=False, lineterminator="\n")


def d(x, fmt):
    return "" if x is None else fmt(x)


def iso(x):
    return x.isoformat()


def dot(x):
    return x.strftime("%d.%m.%Y")


def yn(v, yes="yes", no="no"):
    return yes if v else no


def write_text(name: str, lines: list[str], encoding: str = "utf-8", newline: str = "\n") -> None:
    (HERE / name).write_bytes((newline.join(lines) + newline).encode(encoding))


def write_xlsx(name: str, header: list, rows: list[list], extra_top: list[list] = ()) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Export"
    for r in extra_top:
        ws.append(r)
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.properties.creator = "corpus"
    wb.properties.created = dt.datetime(2026, 6, 30)
    wb.properties.modified = dt.datetime(2026, 6, 30)
    wb.save(HERE / name)


# ------------------------------------------------------------------ 1. missing codes in date columns
def c1(b: pd.DataFrame) -> None:
    name = "c1_r_export_na.csv"  # write.csv(): NA for missing, ISO dates, TRUE/FALSE
    lines = ['"patient_id","age","sex","grade","ki67","surgery_date","recurrence","recurrence_date","death",'
             '"death_date","last_follow_up_date"']
    for r in b.itertuples():
        lines.append(",".join([f'"{r.patient_id}"', str(r.age), f'"{r.sex}"', f'"{r.grade}"', f"{r.ki67}",
                               f'"{iso(r.surgery_date)}"', "TRUE" if r.recurrence else "FALSE",
                               f'"{iso(r.recurrence_date)}"' if r.recurrence_date else "NA",
                               "TRUE" if r.death else "FALSE",
                               f'"{iso(r.death_date)}"' if r.death_date else "NA",
                               f'"{iso(r.last_follow_up_date)}"']))
    write_text(name, lines)
    truth(b, name)

    name = "c1_spss_codes.csv"  # SPSS text export: ".", "unknown", "n/a" among dd.mm.yyyy dates
    codes = [".", "unknown", "n/a"]
    lines = ["PatID;Age;OP date;Recurrence;Date of recurrence;Death;Date of death;Last contact"]
    for k, r in enumerate(b.itertuples()):
        c = codes[k % 3]
        lines.append(";".join([r.patient_id, str(r.age), dot(r.surgery_date), yn(r.recurrence),
                               d(r.recurrence_date, dot) or c, yn(r.death), d(r.death_date, dot) or c,
                               dot(r.last_follow_up_date)]))
    write_text(name, lines, "cp1252", "\r\n")
    truth(b, name)

    name = "c1_excel_dates_with_text.xlsx"  # real date cells, text "NA" / "unknown" where missing
    header = ["Patient ID", "Age", "Surgery date", "Death", "Date of death", "Recurrence", "Recurrence date",
              "Last follow-up"]
    rows = []
    for k, r in enumerate(b.itertuples()):
        rows.append([r.patient_id, r.age, dt.datetime.combine(r.surgery_date, dt.time()), yn(r.death),
                     dt.datetime.combine(r.death_date, dt.time()) if r.death_date else ("NA" if k % 2 else "unknown"),
                     yn(r.recurrence),
                     dt.datetime.combine(r.recurrence_date, dt.time()) if r.recurrence_date else "NA",
                     dt.datetime.combine(r.last_follow_up_date, dt.time())])
    write_xlsx(name, header, rows)
    truth(b, name)


def c1_stat(b: pd.DataFrame) -> None:
    """SPSS and Parquet with dates stored as text and "NA"/"unknown" for the living."""
    import pyreadstat

    frame = pd.DataFrame({
        "patid": b.patient_id, "age": b.age.astype(float),
        "op_date": [iso(x) for x in b.surgery_date],
        "death": [yn(v) for v in b.death],
        "death_date": [d(x, iso) or ("NA" if k % 2 else "unknown") for k, x in enumerate(b.death_date)],
        "last_fu_date": [iso(x) for x in b.last_follow_up_date],
    })
    pyreadstat.write_sav(frame, str(HERE / "c1_spss_text_dates.sav"))
    truth(b, "c1_spss_text_dates.sav")
    frame.to_parquet(HERE / "c1_text_dates.parquet", index=False)
    truth(b, "c1_text_dates.parquet")


# ------------------------------------------------------------------ 2. thousand separators
def c2(b: pd.DataFrame) -> None:
    def de_num(x, dec=1):  # 1.090 / 2.345,5
        s = f"{x:,.{dec}f}" if dec else f"{int(x):,}"
        return s.replace(",", "X").replace(".", ",").replace("X", ".")

    name = "c2_semicolon_grouped_days.csv"  # follow-up in days with "." grouping, Ki-67 "12,5"
    lines = ["Pat-ID;Alter;Ki-67 (%);Tod;Nachbeobachtung (Tage)"]
    for r in b.itertuples():
        lines.append(";".join([r.patient_id, str(r.age), de_num(r.ki67), yn(r.death, "ja", "nein"),
                               de_num(r.follow_up_days, 0)]))
    write_text(name, lines, "utf-8-sig", "\r\n")
    truth(b, name)

    name = "c2_grouped_and_decimal_in_one_column.csv"  # "1.090" beside "2.345,5" in one column
    lines = ["id;age;death;os_days"]
    for k, r in enumerate(b.itertuples()):
        days = r.follow_up_days + (0.5 if k % 4 == 0 else 0.0)
        lines.append(";".join([r.patient_id, str(r.age), yn(r.death), de_num(days, 1 if k % 4 == 0 else 0)]))
    write_text(name, lines)
    t = b.copy()
    t["follow_up_days"] = [r.follow_up_days + (0.5 if k % 4 == 0 else 0.0) for k, r in enumerate(b.itertuples())]
    truth(t, name)

    name = "c2_comma_grouped_quoted.csv"  # US export: "1,090" quoted, decimals with a point
    lines = ["Patient ID,Age,Ki-67 (%),Death,OS (days)"]
    for r in b.itertuples():
        lines.append(",".join([r.patient_id, str(r.age), f"{r.ki67:.1f}", yn(r.death),
                               f'"{int(r.follow_up_days):,}"']))
    write_text(name, lines)
    truth(b, name)

    name = "c2_only_ambiguous.csv"  # nothing in the file settles 1.090: must be flagged
    lines = ["id;age;death;os_days"]
    for r in b.itertuples():
        lines.append(";".join([r.patient_id, str(r.age), yn(r.death), de_num(r.follow_up_days, 0)]))
    write_text(name, lines)
    truth(b, name)


# ------------------------------------------------------------------ 3. a stray quote
def c3(b: pd.DataFrame) -> None:
    for name, delim, k_bad in (("c3_stray_quote_semicolon.csv", ";", 9), ("c3_stray_quote_comma.csv", ",", 21)):
        lines = [delim.join(["Patient ID", "Age", "Comment", "Surgery date", "Death", "Date of death",
                             "Last follow-up"])]
        for k, r in enumerate(b.itertuples()):
            comment = f'"Leber{delim} Segment 7 und 8' if k == k_bad else ("komplikationslos" if k % 3 == 0 else "")
            lines.append(delim.join([r.patient_id, str(r.age), comment, iso(r.surgery_date), yn(r.death),
                                     d(r.death_date, iso), iso(r.last_follow_up_date)]))
        write_text(name, lines)
        truth(b, name)


# ------------------------------------------------------------------ 4. + / − as yes/no
def c4(b: pd.DataFrame) -> None:
    minus = ["-", "\u2212", "-"]
    name = "c4_plus_minus.csv"
    lines = ["ID;Age;ICG;Recurrence;Death;Surgery;Recurrence date;Date of death;Last follow-up"]
    for k, r in enumerate(b.itertuples()):
        lines.append(";".join([r.patient_id, str(r.age), "+" if r.icg else minus[k % 3],
                               "+" if r.recurrence else minus[(k + 1) % 3], "+" if r.death else "-",
                               dot(r.surgery_date), d(r.recurrence_date, dot), d(r.death_date, dot),
                               dot(r.last_follow_up_date)]))
    write_text(name, lines)
    truth(b, name)
    name = "c4_plus_minus.xlsx"
    rows = [[r.patient_id, r.age, "+" if r.icg else "\u2212", "+" if r.death else "-",
             dt.datetime.combine(r.surgery_date, dt.time()),
             dt.datetime.combine(r.death_date, dt.time()) if r.death_date else None,
             dt.datetime.combine(r.last_follow_up_date, dt.time())] for r in b.itertuples()]
    write_xlsx(name, ["Patient ID", "Age", "ICG", "Death", "Surgery date", "Date of death", "Last follow-up"], rows)
    truth(b, name)


# ------------------------------------------------------------------ 5. dates in other languages, time zones
def c5(b: pd.DataFrame) -> None:
    def de(x):
        return f"{x.day}. {DE_MONTHS[x.month - 1]} {x.year}"

    def fr(x):
        return f"{'1er' if x.day == 1 else x.day} {FR_MONTHS[x.month - 1]} {x.year}"

    def es(x):
        return f"{x.day} de {ES_MONTHS[x.month - 1]} de {x.year}"

    def it(x):
        return f"{x.day} {IT_MONTHS[x.month - 1]} {x.year}"

    def nl(x):
        return f"{x.day} {NL_MONTHS[x.month - 1]} {x.year}"

    for name, fmt, head in (("c5_german_months.csv", de, ["Pat-Nr", "Alter", "OP-Datum", "Tod", "Todesdatum",
                                                          "Letzte Nachsorge"]),
                            ("c5_french_months.csv", fr, ["ID", "Age", "Date opération", "Décès", "Date of death",
                                                          "Last follow-up"]),
                            ("c5_es_it_nl_months.csv", None, ["ID", "Age", "Surgery date", "Death", "Date of death",
                                                              "Last follow-up"])):
        lines = [";".join(head)]
        for k, r in enumerate(b.itertuples()):
            f = fmt or (es, it, nl)[k % 3]
            lines.append(";".join([r.patient_id, str(r.age), f(r.surgery_date), yn(r.death, "ja", "nein"),
                                   d(r.death_date, f), f(r.last_follow_up_date)]))
        write_text(name, lines, "utf-8")
        truth(b, name)

    name = "c5_iso_time_zones.csv"  # an EHR export: ISO date-times in UTC (Z) or with an offset
    lines = ["patient_id,age,surgery_date,death,death_date,last_follow_up_date"]
    for k, r in enumerate(b.itertuples()):
        tz = ("Z", "+02:00", "-05:00", "+0100")[k % 4]
        hh = ("08:15:00", "23:30:00", "00:45:00", "13:00:00")[k % 4]
        def w(x):
            return "" if x is None else f"{x.isoformat()}T{hh}{tz}"
        lines.append(",".join([r.patient_id, str(r.age), w(r.surgery_date), yn(r.death), w(r.death_date),
                               w(r.last_follow_up_date)]))
    write_text(name, lines)
    truth(b, name)


# ------------------------------------------------------------------ 6. clinical spellings
GRADE_SPELLINGS = {"G1": ["NET G1", "WHO grade 1", "G1 (Ki-67 2 %)", "grade I"],
                   "G2": ["NET G2", "G2 (Ki-67 8 %)", "WHO grade 2", "Grading: G2"],
                   "G3": ["NET G3", "NEC", "G3 (Ki-67 40 %)", "LCNEC"]}


def c6(b: pd.DataFrame) -> None:
    name = "c6_grade_and_ki67_spellings.csv"
    lines = ["Patient ID;Age;Grading;Ki-67;Death;Surgery date;Date of death;Last follow-up"]
    t = b.copy()
    t["written_grade"] = ""
    t["written_ki67"] = ""
    for k, r in enumerate(b.itertuples()):
        g = GRADE_SPELLINGS[r.grade][k % 4]
        ki = (f"{r.ki67:.1f}".replace(".", ",") + " %") if k % 3 == 0 else (
            f"<{int(np.ceil(r.ki67))}" if (r.grade == "G1" and k % 3 == 1) else f"{r.ki67:.1f}".replace(".", ","))
        t.loc[k, "written_grade"], t.loc[k, "written_ki67"] = g, ki
        if ki.startswith("<"):
            t.loc[k, "ki67"] = float(ki[1:])  # read as its bound
        lines.append(";".join([r.patient_id, str(r.age), g, ki, yn(r.death), dot(r.surgery_date),
                               d(r.death_date, dot), dot(r.last_follow_up_date)]))
    write_text(name, lines)
    truth(t, name)


# ------------------------------------------------------------------ 7. dates in the future
def c7(b: pd.DataFrame) -> None:
    name = "c7_future_dates.csv"  # typing errors: 2062 for 2026, 2031 for 2013
    t = b.copy()
    bad = {3: ("last_follow_up_date", 2062), 11: ("surgery_date", 2031), 17: ("death_date", 2092)}
    lines = ["Patient ID,Age,Surgery date,Death,Date of death,Last follow-up"]
    for k, r in enumerate(b.itertuples()):
        vals = {"surgery_date": r.surgery_date, "death_date": r.death_date, "last_follow_up_date": r.last_follow_up_date}
        if k in bad and vals[bad[k][0]] is not None:
            col, year = bad[k]
            vals[col] = vals[col].replace(year=year)
            t.loc[k, col] = vals[col]
        lines.append(",".join([r.patient_id, str(r.age), iso(vals["surgery_date"]), yn(r.death),
                               d(vals["death_date"], iso), iso(vals["last_follow_up_date"])]))
    write_text(name, lines)
    truth(t, name)


# ------------------------------------------------------------------ 8. rows that are not patients
def c8(b: pd.DataFrame) -> None:
    name = "c8_footer_rows.csv"
    lines = ["Patient ID;Age;Ki-67 (%);Death;Surgery date;Date of death;Last follow-up"]
    for r in b.itertuples():
        lines.append(";".join([r.patient_id, str(r.age), f"{r.ki67}".replace(".", ","), yn(r.death),
                               dot(r.surgery_date), d(r.death_date, dot), dot(r.last_follow_up_date)]))
    lines += [";;;;;;", f"Total;{len(b)};;{int(b.death.sum())};;;", f"n = {len(b)};;;;;;",
              "Created with RegistryExport 4.2 on 30.06.2026;;;;;;"]
    write_text(name, lines)
    truth(b, name)

    name = "c8_two_row_header.xlsx"  # merged upper header, units/sub-headers below
    top = ["Patient", "Age", "Ki-67", "Surgery", "Death", None, "Follow-up"]
    sub = ["ID", "(years)", "(%)", "date", "yes/no", "date", "last contact"]
    rows = [[r.patient_id, r.age, r.ki67, dt.datetime.combine(r.surgery_date, dt.time()), yn(r.death),
             dt.datetime.combine(r.death_date, dt.time()) if r.death_date else None,
             dt.datetime.combine(r.last_follow_up_date, dt.time())] for r in b.itertuples()]
    rows.append([None] * 7)
    rows.append(["Total", len(b), None, None, int(b.death.sum()), None, None])
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(top)
    ws.append(sub)
    for r in rows:
        ws.append(r)
    ws.merge_cells("E1:F1")
    wb.properties.created = dt.datetime(2026, 6, 30)
    wb.properties.modified = dt.datetime(2026, 6, 30)
    wb.save(HERE / name)
    truth(b, name)


# ------------------------------------------------------------------ 9. not a table
def c9() -> None:
    (HERE / "c9_discharge_letter.txt").write_bytes("""Universitätsklinikum Musterstadt
Klinik für Allgemein-, Viszeral- und Transplantationschirurgie

Sehr geehrte Frau Kollegin, sehr geehrter Herr Kollege,

wir berichten über Ihre Patientin, die sich vom 03.04.2021 bis 12.04.2021 in unserer stationären Behandlung befand.

Diagnosen: Lebermetastasen eines neuroendokrinen Tumors des Pankreas, G2, Ki-67 8 %.
Therapie: Laparoskopische parenchymsparende Leberresektion Segment 6/7, ICG-Fluoreszenz, R0.

Verlauf: Der postoperative Verlauf gestaltete sich komplikationslos, Clavien-Dindo 0.
Die Patientin konnte am 9. postoperativen Tag in gutem Allgemeinzustand entlassen werden.

Mit freundlichen Grüßen,
Dr. med. A. Beispiel, Oberarzt
""".encode("utf-8"))
    (HERE / "c9_operative_report.csv").write_bytes(
        b"Operative report, liver resection\n"
        b"Patient positioned supine, laparoscopic access with five trocars, pneumoperitoneum 12 mmHg.\n"
        b"ICG was given 24 hours before surgery, fluorescence showed two subcapsular lesions in segment 6.\n"
        b"Both lesions were resected with a margin of about 5 mm, specimen retrieved in a bag.\n"
        b"Blood loss 150 ml, no transfusion, drain placed in the resection bed.\n"
        b"Surgeon: Dr. X, assistant: Dr. Y\n")
    (HERE / "c9_single_column.csv").write_bytes(
        ("Patients operated 2019\n" + "\n".join(f"NET-{i:03d}" for i in range(1, 31)) + "\n").encode())


# ------------------------------------------------------------------ 10. time units
def c10(b: pd.DataFrame) -> None:
    name = "c10_follow_up_in_days.csv"  # a time column the mapping does not recognise: given by hand
    lines = ["Patient ID,Age,Dead,Follow-up (days)"]
    for r in b.itertuples():
        lines.append(",".join([r.patient_id, str(r.age), yn(r.death), str(r.follow_up_days)]))
    write_text(name, lines)
    truth(b, name)

    name = "c10_ttr_and_rfs.csv"  # both time to recurrence and RFS: both offered, RFS taken
    lines = ["Patient ID,Age,Recurrence,Dead,Time to recurrence (months),RFS (months),RFS event,OS (months)"]
    t = b.copy()
    t["ttr_months"] = np.nan
    t["rfs_months"] = np.nan
    t["os_months"] = t["follow_up_days"] / 30.4375
    for k, r in enumerate(b.itertuples()):
        rec_m = (r.recurrence_date - r.surgery_date).days / 30.4375 if r.recurrence else None
        fu_m = r.follow_up_days / 30.4375
        ttr = rec_m if rec_m is not None else fu_m
        rfs = rec_m if rec_m is not None else fu_m  # death at last follow-up when dead
        rfs_event = r.recurrence or r.death
        t.loc[k, "ttr_months"], t.loc[k, "rfs_months"] = round(ttr, 2), round(rfs, 2)
        t.loc[k, "os_months"] = round(fu_m, 2)
        lines.append(",".join([r.patient_id, str(r.age), yn(r.recurrence), yn(r.death), f"{ttr:.2f}", f"{rfs:.2f}",
                               yn(rfs_event), f"{fu_m:.2f}"]))
    write_text(name, lines)
    truth(t, name)

    name = "c10_os_days_header_silent.csv"  # "OS" says nothing of its unit, values are days
    lines = ["Patient ID,Age,Dead,OS"]
    for r in b.itertuples():
        lines.append(",".join([r.patient_id, str(r.age), yn(r.death), str(r.follow_up_days)]))
    write_text(name, lines)
    truth(b, name)


def main() -> None:
    HERE.mkdir(exist_ok=True)
    c1(cohort(101, 48))
    c1_stat(cohort(111, 33))
    c2(cohort(202, 40))
    c3(cohort(303, 36))
    c4(cohort(404, 32))
    c5(cohort(505, 45))
    c6(cohort(606, 40))
    c7(cohort(707, 30))
    c8(cohort(808, 40))
    c9()
    c10(cohort(1010, 50))


if __name__ == "__main__":
    main()
