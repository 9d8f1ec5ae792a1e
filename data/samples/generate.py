"""Generate the synthetic demo cohorts in data/samples/ (all patients are synthetic).

Every cohort mirrors the published summary figures of one abstract in the
project's literature folder (see README.md beside this file). Each cohort has
its own numpy Generator with a fixed seed, so re-running this script rewrites
every file byte for byte:

    .venv/bin/python data/samples/generate.py [output_dir]

Exact counts that the abstracts report (e.g. 32 of 51 recurrences) are fixed by
construction where possible; event times are drawn from Weibull distributions
whose medians are set here, and the committed seed is one whose realised
figures land near the published ones (tests/test_samples.py checks them).

Derived times follow DESIGN.md's defaults: months = days / 30.4375; the RFS
event is recurrence or death, whichever comes first; the OS event is death;
patients are censored at their last follow-up (= date of death for the dead).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from nelm_stats.schema import (  # noqa: E402
    CLAVIEN_DINDO,
    COHORT_COLUMNS,
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    LESION_COLUMNS,
)

OUT_DIR = Path(__file__).resolve().parent

# One seed per cohort (chosen so that the realised figures land near the abstract's).
SEEDS = {
    "icg_lpsh": 880,
    "mimic": 15,
    "jp_multicenter": 2724,
    "mayo_cystic": 3142,
    "aggressive_resection": 1,
}

COHORT_NAMES = [c.name for c in COHORT_COLUMNS]
LESION_NAMES = [c.name for c in LESION_COLUMNS]
BOOL_COHORT = {c.name for c in COHORT_COLUMNS if c.kind == "bool"}
DATE_COHORT = {c.name for c in COHORT_COLUMNS if c.kind == "date"}


# ----------------------------------------------------------------------------- helpers
def day(s: str) -> np.datetime64:
    return np.datetime64(s, "D")


def uniform_dates(rng: np.random.Generator, n: int, start: str, end: str) -> np.ndarray:
    """n dates drawn uniformly between start and end (inclusive), as datetime64[D]."""
    a, b = day(start), day(end)
    offs = rng.integers(0, int((b - a).astype(int)) + 1, size=n)
    return a + offs.astype("timedelta64[D]")


def weibull(rng: np.random.Generator, n: int, median: float, shape: float, hr=1.0) -> np.ndarray:
    """Weibull times with the given median (at hazard ratio 1) and shape; hr scales the hazard."""
    e = rng.exponential(1.0, size=n)
    return median * (e / (np.log(2.0) * np.asarray(hr, dtype=float))) ** (1.0 / shape)


def exact_true(rng: np.random.Generator, n: int, k: int, p=None) -> np.ndarray:
    """A boolean vector of length n with exactly k True, positions drawn (optionally weighted)."""
    out = np.zeros(n, dtype=bool)
    if k:
        if p is not None:
            p = np.asarray(p, dtype=float)
            p = p / p.sum()
        out[rng.choice(n, size=k, replace=False, p=p)] = True
    return out


def exact_categories(rng: np.random.Generator, counts: dict[str, int]) -> np.ndarray:
    """Values with exactly the given counts, in random order."""
    vals = np.concatenate([np.repeat(np.array([k], dtype=object), v) for k, v in counts.items()])
    return rng.permutation(vals)


def split_count(rng: np.random.Generator, n_patients: int, total: int, max_per: int = 8) -> np.ndarray:
    """Lesions per patient (>= 1, <= max_per) summing exactly to total."""
    counts = np.ones(n_patients, dtype=int)
    extra = total - n_patients
    while extra > 0:
        # geometric-like: more weight to patients who already have few lesions
        w = 1.0 / counts**1.2
        w[counts >= max_per] = 0
        i = rng.choice(n_patients, p=w / w.sum())
        counts[i] += 1
        extra -= 1
    return counts


def ki67_for_grade(rng: np.random.Generator, grade: np.ndarray) -> np.ndarray:
    """Ki-67 % consistent with the WHO grade (G1 < 3, G2 3-20, G3 > 20)."""
    out = np.full(len(grade), np.nan)
    for i, g in enumerate(grade):
        if g == "G1":
            out[i] = rng.uniform(0.5, 2.9)
        elif g == "G2":
            out[i] = float(np.exp(rng.uniform(np.log(3.0), np.log(20.0))))
        elif g == "G3":
            out[i] = rng.uniform(21.0, 60.0)
    return np.round(out, 1)


def clavien_for(rng: np.random.Generator, n: int, counts: dict[str, int]) -> np.ndarray:
    """Clavien-Dindo grades with exactly the given counts of each grade, rest '0'."""
    rest = n - sum(counts.values())
    full = {"0": rest, **counts}
    return exact_categories(rng, {k: full.get(k, 0) for k in CLAVIEN_DINDO if full.get(k, 0)})


def outcome_dates(
    surgery: np.ndarray,
    t_rec: np.ndarray,
    t_death: np.ndarray,
    t_cens: np.ndarray,
    recurrence_applicable: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Turn latent times (days after surgery) into observed dates and derived survival times.

    Recurrence is observed when it precedes both death and censoring; death when it
    precedes censoring. Last follow-up = date of death for the dead, else censoring date.
    Where recurrence is not applicable (e.g. R2 resection) recurrence, its date and the
    RFS columns are missing.
    """
    n = len(surgery)
    t_rec = np.floor(np.asarray(t_rec, float))
    t_death = np.floor(np.asarray(t_death, float))
    t_cens = np.floor(np.asarray(t_cens, float))
    t_rec = np.maximum(t_rec, 1)
    t_death = np.maximum(t_death, 1)
    t_cens = np.maximum(t_cens, 1)
    if recurrence_applicable is None:
        recurrence_applicable = np.ones(n, dtype=bool)
    death = t_death <= t_cens
    fu = np.where(death, t_death, t_cens)
    rec = recurrence_applicable & (t_rec < fu)
    # a recurrence on the day of death is not distinguishable: count it as death only
    rec_days = np.where(rec, t_rec, np.nan)
    td = surgery.astype("datetime64[D]")
    rec_date = np.array([td[i] + np.timedelta64(int(rec_days[i]), "D") if rec[i] else None for i in range(n)], dtype=object)
    death_date = np.array([td[i] + np.timedelta64(int(fu[i]), "D") if death[i] else None for i in range(n)], dtype=object)
    last_fu = td + fu.astype(int).astype("timedelta64[D]")
    # derived from the dates (not from the latent times), exactly as DESIGN.md
    os_days = (last_fu - td).astype(int).astype(float)
    rfs_days = np.where(rec, rec_days, os_days)
    rfs_event = rec | death
    out = {
        "recurrence": np.where(recurrence_applicable, rec, None).astype(object),
        "recurrence_date": rec_date,
        "death": death,
        "death_date": death_date,
        "last_follow_up_date": last_fu,
        "rfs_months": np.where(recurrence_applicable, rfs_days / DAYS_PER_MONTH, np.nan),
        "rfs_event": np.where(recurrence_applicable, rfs_event, None).astype(object),
        "os_months": os_days / DAYS_PER_MONTH,
        "os_event": death,
    }
    return out


def lognormal(rng: np.random.Generator, n: int, median, sigma: float, lo: float, hi: float) -> np.ndarray:
    """Lognormal values with the given median(s), clipped to [lo, hi]."""
    return np.clip(np.asarray(median, float) * np.exp(rng.normal(0.0, sigma, n)), lo, hi)


def surgery_dates_for(rng: np.random.Generator, fu_days: np.ndarray, start: str, end: str,
                      cutoff: str) -> np.ndarray:
    """Surgery dates in [start, end] such that surgery + follow-up does not pass the cut-off.

    Follow-up longer than the window allows is shortened to reach the cut-off exactly.
    """
    a, b, c = day(start), day(end), day(cutoff)
    latest = np.minimum((b - a).astype(int), (c - a).astype(int) - np.ceil(fu_days).astype(int))
    latest = np.maximum(latest, 0)
    offs = np.floor(rng.random(len(fu_days)) * (latest + 1)).astype(int)
    return a + offs.astype("timedelta64[D]")


def with_mean(x: np.ndarray, target: float, decimals: int, multiplicative: bool = False) -> np.ndarray:
    """Shift (or scale) x to have mean target, then round, nudging one value so the rounded mean
    is as close to target as rounding allows."""
    x = np.asarray(x, float)
    x = x * (target / x.mean()) if multiplicative else x - x.mean() + target
    step = 10.0 ** -decimals
    out = np.round(x, decimals)
    diff = np.round((target * len(x) - out.sum()) / step)
    i = int(np.argmax(out))
    out[i] = np.round(out[i] + diff * step, decimals)
    return out.astype(int) if decimals == 0 else out


def censoring(rng: np.random.Generator, surgery: np.ndarray, cutoff: str, mean_lost_days: float,
              min_days: float = 91.0) -> np.ndarray:
    """Days to censoring: data cut-off or loss to follow-up (at least min_days, never past cut-off)."""
    admin = (day(cutoff) - surgery).astype(int).astype(float)
    lost = min_days + rng.exponential(mean_lost_days, len(surgery))
    return np.minimum(admin, lost)


def recurrence_sites(rng: np.random.Generator, rec, shares=(0.7, 0.1, 0.2)) -> np.ndarray:
    rec = np.array([bool(r) if r is not None else False for r in rec])
    k = int(rec.sum())
    n_i = int(round(shares[0] * k))
    n_e = int(round(shares[1] * k))
    n_b = k - n_i - n_e
    sites = exact_categories(rng, {"intrahepatic": n_i, "extrahepatic": n_e, "both": n_b}) if k else np.array([], dtype=object)
    out = np.full(len(rec), None, dtype=object)
    out[rec] = sites
    return out


def baseline(rng: np.random.Generator, n: int, *, age_mean=58.0, age_sd=11.0, male=0.5,
             sites=(0.45, 0.40, 0.10, 0.05), grades=(0.35, 0.55, 0.10), synchronous=0.6) -> dict:
    grade = rng.choice(np.array(["G1", "G2", "G3"], dtype=object), size=n, p=grades)
    sync = rng.random(n) < synchronous
    return {
        "age": np.round(np.clip(rng.normal(age_mean, age_sd, n), 20, 88)).astype(int),
        "sex": np.where(rng.random(n) < male, "male", "female").astype(object),
        "primary_site": rng.choice(np.array(["pancreas", "small_bowel", "other", "unknown"], dtype=object), size=n, p=sites),
        "grade": grade,
        "ki67": ki67_for_grade(rng, grade),
        "synchronous": sync,
        "primary_resected": np.where(sync, rng.random(n) < 0.85, True),
    }


def lesion_sizes(rng: np.random.Generator, n: int, median: float, sigma: float = 0.55) -> np.ndarray:
    return np.round(np.clip(np.exp(rng.normal(np.log(median), sigma, n)), 0.3, 25.0), 1)


def r0_margins(rng: np.random.Generator, n: int, median: float = 5.0) -> np.ndarray:
    """Closest margin (mm) of R0 lesions: >= 1 mm."""
    return np.round(np.clip(1.0 + np.exp(rng.normal(np.log(median), 0.8, n)), 1.0, 40.0), 1)


def r1_margins(rng: np.random.Generator, n: int) -> np.ndarray:
    """Closest margin (mm) of R1 lesions: 0 to 0.9 mm (half of them tumour at the margin)."""
    return np.where(rng.random(n) < 0.5, 0.0, np.round(rng.uniform(0.1, 0.9, n), 1))


def ids(prefix: str, n: int) -> list[str]:
    width = max(3, len(str(n)))
    return [f"{prefix}-{i + 1:0{width}d}" for i in range(n)]


def _fmt_bool(v):
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return ""
    return "True" if bool(v) else "False"


def _fmt_date(v):
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, np.datetime64):
        if np.isnat(v):
            return ""
        return str(v.astype("datetime64[D]"))
    return str(v)


def finish(cols: dict, order: list[str], bools: set[str], dates: set[str]) -> pd.DataFrame:
    """Assemble a frame with the canonical columns first (every one present), extras after."""
    n = len(next(iter(cols.values())))
    frame = {}
    extras = [k for k in cols if k not in order]
    for name in list(order) + extras:
        v = cols.get(name)
        if v is None:
            v = [None] * n
        v = list(v)
        if name in bools:
            v = [_fmt_bool(x) for x in v]
        elif name in INT_COLUMNS:
            v = ["" if x is None or (isinstance(x, float) and np.isnan(x)) else str(int(x)) for x in v]
        elif name in dates:
            v = [_fmt_date(x) for x in v]
        frame[name] = pd.Series(v, dtype=object)
    return pd.DataFrame(frame)


def write_csv(df: pd.DataFrame, path: Path) -> None:
    text = df.to_csv(index=False, lineterminator="\n", na_rep="")
    path.write_bytes(text.encode("utf-8"))


# ----------------------------------------------------------------------------- icg_lpsh
# latent medians (months) of recurrence by group, Weibull shape, OS median, data cut-off,
# mean time to loss to follow-up (months)
# The paper's 62.7 % recurrence with a median follow-up of 36 months and median RFS of 38 / 29
# months is built directly: exactly 32 recurrences (14 of 26 with ICG, 18 of 25 without), times
# to recurrence lognormal with the medians below, follow-up of patients without recurrence
# lognormal (median fu_free), follow-up after recurrence lognormal (median fu_after); surgery
# dates are then placed so that the last follow-up falls before the data cut-off.
ICG_LPSH = {"rec_icg": 14, "rec_no": 18, "ttr_icg": 28.0, "ttr_no": 23.0, "sigma": 0.7,
            "fu_free": 24.0, "fu_after": 12.0, "deaths": 4, "cutoff": "2024-06-30"}
def make_icg_lpsh(seed: int):
    """000: ICG vs no ICG in laparoscopic parenchyma-sparing hepatectomy (51 patients)."""
    rng = np.random.default_rng(seed)
    n_icg, n_no = 26, 25
    n = n_icg + n_no
    icg = np.array([True] * n_icg + [False] * n_no)
    rng.shuffle(icg)
    b = baseline(rng, n, age_mean=55.0, age_sd=11.0, male=0.53)
    # lesions: 77 with ICG (1 R1 = 1.3 %), 73 without (12 R1 = 16.4 %)
    counts = np.zeros(n, dtype=int)
    counts[icg] = split_count(rng, n_icg, 77, max_per=8)
    counts[~icg] = split_count(rng, n_no, 73, max_per=8)
    les_pid, les_icg = [], []
    pid = ids("LPSH", n)
    for i in range(n):
        les_pid += [pid[i]] * counts[i]
        les_icg += [icg[i]] * counts[i]
    les_icg = np.array(les_icg)
    m = len(les_pid)
    r1 = np.zeros(m, dtype=bool)
    r1[np.flatnonzero(les_icg)[exact_true(rng, int(les_icg.sum()), 1)]] = True
    r1[np.flatnonzero(~les_icg)[exact_true(rng, int((~les_icg).sum()), 12)]] = True
    size = lesion_sizes(rng, m, 1.9)
    margin_mm = np.where(r1, r1_margins(rng, m), r0_margins(rng, m, 4.0))
    # fluorescence at the margin only assessed with ICG; the R1 lesion and some R0 lesions fluoresce
    fl = np.full(m, None, dtype=object)
    fl[les_icg] = rng.random(int(les_icg.sum())) < 0.12
    fl[les_icg & r1] = True
    lesions = {
        "patient_id": les_pid,
        "lesion_id": [f"{p}-L{j}" for p, j in zip(les_pid, _within(les_pid))],
        "size_cm": size,
        "fluorescence_at_margin": fl,
        "margin_mm": margin_mm,
        "margin_status": np.where(r1, "R1", "R0").astype(object),
    }
    les_df = pd.DataFrame({"patient_id": les_pid, "r1": r1, "mm": margin_mm, "size": size})
    g = les_df.groupby("patient_id", sort=False)
    p_r1 = g["r1"].any().reindex(pid).to_numpy()
    p_mm = g["mm"].min().reindex(pid).to_numpy()
    p_size = g["size"].max().reindex(pid).to_numpy()

    # complications: 27/51 (52.9 %) Clavien-Dindo >= I, bile leak most common, no mortality
    cd = clavien_for(rng, n, {"I": 9, "II": 12, "IIIa": 5, "IIIb": 1})
    complicated = cd != "0"
    bile = np.zeros(n, dtype=bool)
    bile[np.flatnonzero(complicated)[exact_true(rng, int(complicated.sum()), 11)]] = True
    los = np.round(np.where(complicated, rng.uniform(5, 14, n), rng.uniform(3, 7, n))).astype(int)

    # times (days): recurrence Weibull with group medians, deaths rare, censoring by
    # data cut-off and loss to follow-up
    q = ICG_LPSH
    rec = np.zeros(n, dtype=bool)
    rec[np.flatnonzero(icg)[exact_true(rng, n_icg, q["rec_icg"])]] = True
    rec[np.flatnonzero(~icg)[exact_true(rng, n_no, q["rec_no"])]] = True
    ttr = lognormal(rng, n, np.where(icg, q["ttr_icg"], q["ttr_no"]), q["sigma"], 2.0, 100.0)
    fu = np.where(rec, ttr + lognormal(rng, n, q["fu_after"], 0.8, 1.0, 80.0),
                  lognormal(rng, n, q["fu_free"], 0.6, 6.0, 125.0))
    fu = np.minimum(fu, 128.0)  # the window from the first operation to the cut-off
    t_rec = np.where(rec, ttr, np.inf) * DAYS_PER_MONTH
    dead = np.zeros(n, dtype=bool)
    dead[np.flatnonzero(rec)[exact_true(rng, int(rec.sum()), q["deaths"])]] = True
    surgery = surgery_dates_for(rng, fu * DAYS_PER_MONTH, "2013-08-01", "2023-05-31", q["cutoff"])
    t_death = np.where(dead, fu * DAYS_PER_MONTH, np.inf)
    t_cens = fu * DAYS_PER_MONTH
    o = outcome_dates(surgery, t_rec, t_death, t_cens)
    cols = {
        "patient_id": pid,
        **b,
        "lesion_count": counts,
        "largest_lesion_cm": p_size,
        "bilobar": rng.random(n) < 0.4,
        "extrahepatic_disease": rng.random(n) < 0.08,
        "cystic": rng.random(n) < 0.04,
        "surgery_date": surgery,
        "approach": ["laparoscopic"] * n,
        "major_hepatectomy": [False] * n,
        "parenchyma_sparing": [True] * n,
        "cytoreduction_90": [True] * n,
        "icg": icg,
        "margin_status": np.where(p_r1, "R1", "R0").astype(object),
        "margin_mm": p_mm,
        "clavien_dindo": cd,
        "bile_leak": bile,
        "mortality_90d": [False] * n,
        "length_of_stay_days": los,
        **o,
        "recurrence_site": recurrence_sites(rng, o["recurrence"], (0.7, 0.12, 0.18)),
    }
    return cols, lesions


def _within(labels: list[str]) -> list[int]:
    """1, 2, ... numbering within consecutive equal labels."""
    out, last, k = [], None, 0
    for lab in labels:
        k = k + 1 if lab == last else 1
        last = lab
        out.append(k)
    return out


# ----------------------------------------------------------------------------- mimic
def make_mimic(seed: int):
    """001: MIMIC trial, ICG at the margin vs histological R1 (201 patients, 316 lesions)."""
    rng = np.random.default_rng(seed)
    n, m = 201, 316
    pid = ids("MIMIC", n)
    counts = split_count(rng, n, m, max_per=6)
    les_pid = [pid[i] for i in range(n) for _ in range(counts[i])]
    les_pi = np.repeat(np.arange(n), counts)
    # margins before re-resection: 40 R1 (R0 87.4 %); 24 of them fluoresce (sensitivity 60 %);
    # 16 of those become R0 after re-resection (R0 92.4 % after). Fluorescence assessed in 244
    # lesions: 20 false positives among 204 R0 (specificity 90 %, PPV 54.5 %, NPV 92 %).
    r1_before = exact_true(rng, m, 40)
    assessed = r1_before.copy()
    assessed[np.flatnonzero(~r1_before)[exact_true(rng, m - 40, 204)]] = True
    fl = np.full(m, None, dtype=object)
    tp_idx = np.flatnonzero(r1_before)[exact_true(rng, 40, 24)]
    fp_idx = np.flatnonzero(assessed & ~r1_before)[exact_true(rng, 204, 20)]
    fl[assessed] = False
    fl[tp_idx] = True
    fl[fp_idx] = True
    fluor = np.array([v is True for v in fl])
    converted = np.zeros(m, dtype=bool)
    converted[tp_idx[exact_true(rng, 24, 16)]] = True
    r1_after = r1_before & ~converted
    # score 0-10 (rim intensity); >= 5 reads as fluorescence at the margin
    score = np.full(m, np.nan)
    a = assessed
    score[a & fluor] = np.clip(np.round(rng.normal(6.5 + 0.15 * r1_before[a & fluor], 1.3)), 5, 10)
    score[a & ~fluor] = np.clip(np.round(rng.normal(1.8 + 0.15 * r1_before[a & ~fluor], 1.3)), 0, 4)
    reresected = fluor.copy()
    size = lesion_sizes(rng, m, 2.2)
    mm_before = np.where(r1_before, r1_margins(rng, m), r0_margins(rng, m, 4.0))
    mm_after = np.where(converted, r0_margins(rng, m, 3.0), mm_before)
    centre = rng.integers(1, 9, size=n)
    surgery = uniform_dates(rng, n, "2018-09-01", "2021-06-30")
    order = np.lexsort((surgery.astype(int), centre))
    proc = np.zeros(n, dtype=int)
    for c in np.unique(centre):
        idx = order[centre[order] == c]
        proc[idx] = np.arange(1, len(idx) + 1)
    lesions = {
        "patient_id": les_pid,
        "lesion_id": [f"{p}-L{j}" for p, j in zip(les_pid, _within(les_pid))],
        "size_cm": size,
        "fluorescence_at_margin": fl,
        "margin_mm": mm_after,
        "margin_status": np.where(r1_after, "R1", "R0").astype(object),
        "margin_status_before_reresection": np.where(r1_before, "R1", "R0").astype(object),
        "margin_mm_before_reresection": mm_before,
        "reresected": reresected,
        "fluorescence_score": score,
        "centre": [f"C{centre[i]}" for i in les_pi],
        "procedure_number": proc[les_pi],
    }
    ld = pd.DataFrame({"pi": les_pi, "r1": r1_after, "mm": mm_after, "size": size, "rr": reresected})
    g = ld.groupby("pi")
    p_r1 = g["r1"].any().to_numpy()
    p_mm = g["mm"].min().to_numpy()
    p_size = g["size"].max().to_numpy()
    p_rr = g["rr"].any().to_numpy()
    # management changed in 56 patients (27.9 %): every re-resection plus other changes
    changed = p_rr.copy()
    k_more = 56 - int(changed.sum())
    changed[np.flatnonzero(~changed)[exact_true(rng, int((~changed).sum()), k_more)]] = True
    age = np.round(np.clip(64.5 + rng.normal(0, 11.0, n), 32, 88)).astype(int)
    sex = np.where(exact_true(rng, n, 116), "male", "female").astype(object)
    cd = clavien_for(rng, n, {"I": 14, "II": 18, "IIIa": 9, "IIIb": 5, "IVa": 2, "V": 1})
    t_rec = weibull(rng, n, median=20.0 * DAYS_PER_MONTH, shape=1.1)
    t_death = weibull(rng, n, median=70.0 * DAYS_PER_MONTH, shape=1.3)
    v = np.flatnonzero(cd == "V")
    t_death[v] = rng.uniform(5, 40, len(v))
    t_cens = censoring(rng, surgery, "2023-06-30", 80 * DAYS_PER_MONTH)
    o = outcome_dates(surgery, t_rec, t_death, t_cens)
    mort90 = np.array([bool(d) and (fm * DAYS_PER_MONTH) <= 90 for d, fm in zip(o["death"], o["os_months"])])
    sync = rng.random(n) < 0.55
    cols = {
        "patient_id": pid,
        "age": age,
        "sex": sex,
        "primary_site": ["other"] * n,  # colorectal primaries
        "grade": [None] * n,
        "ki67": [np.nan] * n,
        "synchronous": sync,
        "primary_resected": np.where(sync, rng.random(n) < 0.6, True),
        "lesion_count": counts,
        "largest_lesion_cm": p_size,
        "bilobar": (counts > 1) & (rng.random(n) < 0.5),
        "extrahepatic_disease": rng.random(n) < 0.07,
        "cystic": [False] * n,
        "surgery_date": surgery,
        "approach": np.where(rng.random(n) < 0.8, "laparoscopic", "robotic").astype(object),
        "major_hepatectomy": rng.random(n) < 0.08,
        "parenchyma_sparing": rng.random(n) < 0.9,
        "cytoreduction_90": [True] * n,
        "icg": [True] * n,
        "margin_status": np.where(p_r1, "R1", "R0").astype(object),
        "margin_mm": p_mm,
        "clavien_dindo": cd,
        "bile_leak": (cd != "0") & (rng.random(n) < 0.15),
        "mortality_90d": mort90,
        "length_of_stay_days": np.round(np.where(cd != "0", rng.uniform(3, 14, n), rng.uniform(2, 5, n))).astype(int),
        **o,
        "recurrence_site": recurrence_sites(rng, o["recurrence"], (0.5, 0.3, 0.2)),
        "management_changed": changed,
        "centre": [f"C{c}" for c in centre],
        "procedure_number": proc,
    }
    return cols, lesions


# ----------------------------------------------------------------------------- jp_multicenter
def make_jp_multicenter(seed: int):
    """004: Japanese multicentre survey, 222 initial hepatic resections for NELM."""
    rng = np.random.default_rng(seed)
    n = 222
    pid = ids("JP", n)
    site = exact_categories(rng, {"pancreas": 130, "small_bowel": 24, "other": 60, "unknown": 8})
    sync = exact_true(rng, n, 140)
    concomitant = np.zeros(n, dtype=bool)
    concomitant[np.flatnonzero(sync)[exact_true(rng, 140, 93)]] = True
    grade = exact_categories(rng, {"G1": 84, "G2": 104, "G3": 34})
    g3 = grade == "G3"
    r2 = np.zeros(n, dtype=bool)
    r2[exact_true(rng, n, 58, p=np.where(g3, 2.0, 1.0))] = True
    r1 = np.zeros(n, dtype=bool)
    r1[np.flatnonzero(~r2)[exact_true(rng, int((~r2).sum()), 30)]] = True
    margin = np.where(r2, "R2", np.where(r1, "R1", "R0")).astype(object)
    cd = clavien_for(rng, n, {"I": 20, "II": 24, "IIIa": 16, "IIIb": 8, "IVa": 2, "V": 2})
    surgery = uniform_dates(rng, n, "2000-01-01", "2014-12-31")
    hr_os = np.where(g3, 3.5, 1.0) * np.where(r2, 1.6, 1.0) * np.where(grade == "G2", 1.3, 1.0)
    t_death = np.maximum(weibull(rng, n, median=118.0 * DAYS_PER_MONTH, shape=1.5, hr=hr_os), 120.0)
    v = np.flatnonzero(cd == "V")
    t_death[v] = rng.uniform(10, 80, len(v))
    hr_rec = np.where(g3, 3.0, 1.0) * np.where(grade == "G2", 1.3, 1.0)
    t_rec = weibull(rng, n, median=22.0 * DAYS_PER_MONTH, shape=1.0, hr=hr_rec)
    t_cens = censoring(rng, surgery, "2019-12-31", 250 * DAYS_PER_MONTH)
    o = outcome_dates(surgery, t_rec, t_death, t_cens, recurrence_applicable=~r2)
    mort90 = np.array([bool(d) and fm * DAYS_PER_MONTH <= 90 for d, fm in zip(o["death"], o["os_months"])])
    lesion_count = np.clip(np.round(np.exp(rng.normal(np.log(2.5), 0.9, n))), 1, 30).astype(int)
    lesion_count = np.where(r2, lesion_count + 4, lesion_count)
    major = rng.random(n) < 0.4
    age = np.round(np.clip(rng.normal(57, 12, n), 22, 85)).astype(int)
    cols = {
        "patient_id": pid,
        "age": age,
        "sex": np.where(rng.random(n) < 0.52, "male", "female").astype(object),
        "primary_site": site,
        "grade": grade,
        "ki67": ki67_for_grade(rng, grade),
        "synchronous": sync,
        "primary_resected": np.where(sync, concomitant | (rng.random(n) < 0.3), True),
        "lesion_count": lesion_count,
        "largest_lesion_cm": lesion_sizes(rng, n, 3.0, 0.7),
        "bilobar": (lesion_count > 1) & (rng.random(n) < 0.55),
        "extrahepatic_disease": rng.random(n) < 0.1,
        "cystic": rng.random(n) < 0.03,
        "surgery_date": surgery,
        "approach": np.where(rng.random(n) < 0.88, "open", "laparoscopic").astype(object),
        "major_hepatectomy": major,
        "parenchyma_sparing": ~major & (rng.random(n) < 0.7),
        "cytoreduction_90": ~r2 | (rng.random(n) < 0.5),
        "icg": rng.random(n) < 0.1,
        "margin_status": margin,
        "margin_mm": np.where(r2, np.nan, np.where(r1, r1_margins(rng, n), r0_margins(rng, n, 5.0))),
        "clavien_dindo": cd,
        "bile_leak": (cd != "0") & (rng.random(n) < 0.25),
        "mortality_90d": mort90,
        "length_of_stay_days": np.round(np.where(cd != "0", rng.uniform(10, 40, n), rng.uniform(7, 16, n))).astype(int),
        **o,
        "recurrence_site": recurrence_sites(rng, o["recurrence"], (0.72, 0.1, 0.18)),
        "concomitant_primary_resection": concomitant,
        "centre": [f"J{c:02d}" for c in rng.integers(1, 31, size=n)],
    }
    return cols, None


# ----------------------------------------------------------------------------- mayo_cystic
def make_mayo_cystic(seed: int):
    """003: Mayo Clinic, >90 % cytoreduction, 12 cystic vs 452 solid NETLM (464 patients)."""
    rng = np.random.default_rng(seed)
    n_c, n_s = 12, 452
    n = n_c + n_s
    pid = ids("MAYO", n)
    cystic = np.array([True] * n_c + [False] * n_s)
    perm = rng.permutation(n)
    cystic = cystic[perm]

    def by_group(kc, ks):
        out = np.zeros(n, dtype=bool)
        out[np.flatnonzero(cystic)[exact_true(rng, n_c, kc)]] = True
        out[np.flatnonzero(~cystic)[exact_true(rng, n_s, ks)]] = True
        return out

    male = by_group(7, 231)
    sync = by_group(11, 348)
    bilobar = by_group(10, 357)
    extra = by_group(1, 81)
    major_morb = by_group(3, 99)
    dead90 = np.zeros(n, dtype=bool)  # 6 solid (1.3 %), among the major morbidity
    dead90[np.flatnonzero(major_morb & ~cystic)[exact_true(rng, 99, 6)]] = True
    # group means of age and largest lesion set exactly to the published ones
    age = np.zeros(n, dtype=int)
    largest = np.zeros(n)
    for grp, a_mean, s_mean, s_med in ((cystic, 55.4, 7.3, 6.6), (~cystic, 59.7, 3.8, 3.2)):
        k = int(grp.sum())
        age[grp] = with_mean(rng.normal(a_mean, 10.5, k), a_mean, 0)
        largest[grp] = with_mean(lesion_sizes(rng, k, s_med, 0.5), s_mean, 1, multiplicative=True)
    site = rng.choice(np.array(["small_bowel", "pancreas"], dtype=object), size=n, p=[0.6, 0.4])
    grade = rng.choice(np.array(["G1", "G2", "G3"], dtype=object), size=n, p=[0.55, 0.40, 0.05])
    lesion_count = np.clip(np.round(np.exp(rng.normal(np.log(6), 0.9, n))), 1, 60).astype(int)
    lesion_count = np.where(bilobar, np.maximum(lesion_count, 2), lesion_count)
    surgery = uniform_dates(rng, n, "2000-01-01", "2020-12-31")
    cd = np.array(["0"] * n, dtype=object)
    minor = ~major_morb & (rng.random(n) < 0.25)
    cd[minor] = rng.choice(np.array(["I", "II"], dtype=object), size=int(minor.sum()))
    cd[major_morb] = rng.choice(np.array(["IIIa", "IIIb", "IVa"], dtype=object), size=int(major_morb.sum()), p=[0.6, 0.3, 0.1])
    cd[dead90] = "V"
    t_death = weibull(rng, n, median=np.where(cystic, 13.8, 10.9) * DAYS_PER_YEAR, shape=1.3)
    t_death = np.maximum(t_death, 120.0)  # no death within 90 days but the six operative deaths
    t_death[dead90] = rng.uniform(3, 85, int(dead90.sum()))
    # cystic: early apparent hepatic progression in about 7 of 12 (cyst dynamics), late otherwise;
    # crossing curves: shorter median hepatic PFS but no significant difference (as published)
    early = rng.random(n) < 0.6
    t_hep = np.where(
        cystic,
        np.where(early, lognormal(rng, n, 0.5, 0.5, 0.05, 2.0), weibull(rng, n, 4.0, 1.0)),
        weibull(rng, n, median=2.0, shape=1.0),
    ) * DAYS_PER_YEAR
    t_extra = weibull(rng, n, median=6.0 * DAYS_PER_YEAR, shape=1.0)
    t_cens = censoring(rng, surgery, "2022-12-31", 20 * DAYS_PER_YEAR)
    t_rec = np.minimum(t_hep, t_extra)
    o = outcome_dates(surgery, t_rec, t_death, t_cens)
    rec = np.array(o["recurrence"], dtype=bool)
    fu_days = np.round(o["os_months"] * DAYS_PER_MONTH).astype(float)
    th = np.maximum(np.floor(t_hep), 1)
    te = np.maximum(np.floor(t_extra), 1)
    hep = th < fu_days
    ext = te < fu_days
    site_rec = np.full(n, None, dtype=object)
    first = np.minimum(th, te)
    # both when the other site progresses within 3 months of the first progression
    for i in np.flatnonzero(rec):
        h_first = th[i] <= te[i]
        other_close = abs(th[i] - te[i]) <= 91 and hep[i] and ext[i]
        site_rec[i] = "both" if other_close else ("intrahepatic" if h_first else "extrahepatic")
    hep_date = np.array([surgery[i] + np.timedelta64(int(th[i]), "D") if hep[i] else None for i in range(n)], dtype=object)
    death = np.array(o["death"], dtype=bool)
    hp_days = np.where(hep, th, fu_days)
    cols = {
        "patient_id": pid,
        "age": age,
        "sex": np.where(male, "male", "female").astype(object),
        "primary_site": site,
        "grade": grade,
        "ki67": ki67_for_grade(rng, grade),
        "synchronous": sync,
        "primary_resected": np.where(sync, rng.random(n) < 0.9, True),
        "lesion_count": lesion_count,
        "largest_lesion_cm": largest,
        "bilobar": bilobar,
        "extrahepatic_disease": extra,
        "cystic": cystic,
        "surgery_date": surgery,
        "approach": np.where(rng.random(n) < 0.93, "open", "laparoscopic").astype(object),
        "major_hepatectomy": rng.random(n) < np.where(cystic, 0.5, 0.35),
        "parenchyma_sparing": rng.random(n) < 0.6,
        "cytoreduction_90": [True] * n,
        "icg": [False] * n,
        "margin_status": np.where(rng.random(n) < 0.3, "R2", np.where(rng.random(n) < 0.3, "R1", "R0")).astype(object),
        "margin_mm": [np.nan] * n,
        "clavien_dindo": cd,
        "bile_leak": (cd != "0") & (rng.random(n) < 0.2),
        "mortality_90d": dead90,
        "length_of_stay_days": np.round(np.where(cd != "0", rng.uniform(6, 25, n), rng.uniform(4, 9, n))).astype(int),
        **o,
        "recurrence_site": site_rec,
        "hepatic_progression": hep,
        "hepatic_progression_date": hep_date,
        "hepatic_pfs_months": hp_days / DAYS_PER_MONTH,
        "hepatic_pfs_event": hep | death,
    }
    # margin_mm: R0 >= 1, R1 < 1, R2 not applicable
    ms = cols["margin_status"]
    cols["margin_mm"] = np.where(ms == "R2", np.nan, np.where(ms == "R1", r1_margins(rng, n), r0_margins(rng, n, 4.0)))
    return cols, None


# ----------------------------------------------------------------------------- aggressive_resection
def make_aggressive_resection(seed: int):
    """002: historic series of 28 patients since 1981, 19 resected vs 9 not resected."""
    rng = np.random.default_rng(seed)
    n = 28
    pid = ids("AGR", n)
    operation = exact_categories(rng, {"resection": 19, "exploration": 3, "none": 6})
    resected = operation == "resection"
    # 16 curative (R0/R1) + 3 palliative (R2) resections
    curative = np.zeros(n, dtype=bool)
    curative[np.flatnonzero(resected)[exact_true(rng, 19, 16)]] = True
    margin = np.full(n, None, dtype=object)
    margin[resected] = "R2"
    r1 = np.zeros(n, dtype=bool)
    r1[np.flatnonzero(curative)[exact_true(rng, 16, 3)]] = True
    margin[curative] = np.where(r1[curative], "R1", "R0")
    major = np.zeros(n, dtype=bool)
    major[np.flatnonzero(resected)[exact_true(rng, 19, 11)]] = True
    prim_rm = np.zeros(n, dtype=bool)
    prim_rm[np.flatnonzero(resected)[exact_true(rng, 19, 8)]] = True
    site = rng.choice(np.array(["pancreas", "small_bowel", "other"], dtype=object), size=n, p=[0.35, 0.45, 0.2])
    site[np.flatnonzero(resected)[exact_true(rng, 19, 6)]] = "unknown"
    # Survival is built so that the 4-year actuarial (Kaplan-Meier) figures are those published:
    # resected: 5 recent operations censored early, then 1 death with 14 at risk (13/14 = 92.9 %),
    # the other 13 followed beyond 4 years (3 of them die later);
    # not resected: 4 deaths, 2 censored, 2 deaths, 1 alive at 4 years (5/9 x 1/3 = 18.5 %).
    fu = np.zeros(n)
    dead = np.zeros(n, dtype=bool)
    ri = rng.permutation(np.flatnonzero(resected))
    t_d = rng.uniform(14.0, 40.0)
    fu[ri[:5]] = rng.uniform(4.0, t_d - 1.0, 5)
    fu[ri[5]], dead[ri[5]] = t_d, True
    fu[ri[6:]] = rng.uniform(50.0, 200.0, 13)
    dead[ri[6:9]] = True
    ni = rng.permutation(np.flatnonzero(~resected))
    early = np.sort(rng.uniform(2.0, 14.0, 4))
    cens = rng.uniform(early[-1] + 0.5, 24.0, 2)
    late = rng.uniform(cens.max() + 0.5, 44.0, 2)
    fu[ni[:4]], dead[ni[:4]] = early, True
    fu[ni[4:6]] = cens
    fu[ni[6:8]], dead[ni[6:8]] = late, True
    fu[ni[8]], dead[ni[8]] = rng.uniform(55.0, 90.0), True
    # exactly 8 of the 16 curative resections recur (50 %), before death / last follow-up
    cur = np.flatnonzero(curative)
    t_rec = np.full(n, np.inf)
    recur = cur[exact_true(rng, len(cur), 8, p=np.where(fu[cur] > 12.0, 1.0, 1e-9))]
    t_rec[recur] = rng.uniform(0.15, 0.85, len(recur)) * fu[recur]
    surgery = surgery_dates_for(rng, fu * DAYS_PER_MONTH, "1981-01-01", "1998-12-31", "1999-06-30")
    o = outcome_dates(surgery, t_rec * DAYS_PER_MONTH, np.where(dead, fu, np.inf) * DAYS_PER_MONTH,
                      fu * DAYS_PER_MONTH, recurrence_applicable=curative)
    operated = operation != "none"
    cd = np.full(n, None, dtype=object)
    cd[operated] = rng.choice(np.array(["0", "I", "II", "IIIa"], dtype=object), size=int(operated.sum()), p=[0.5, 0.2, 0.2, 0.1])
    grade = rng.choice(np.array(["G1", "G2", "G3"], dtype=object), size=n, p=[0.5, 0.4, 0.1])
    cols = {
        "patient_id": pid,
        "age": np.round(np.clip(rng.normal(54, 12, n), 25, 80)).astype(int),
        "sex": np.where(rng.random(n) < 0.5, "male", "female").astype(object),
        "primary_site": site,
        "grade": grade,
        "ki67": [np.nan] * n,  # not measured in the 1980s-90s
        "synchronous": np.where(np.arange(n) < 3, False, True)[rng.permutation(n)],
        "primary_resected": prim_rm,
        "lesion_count": np.clip(np.round(np.exp(rng.normal(np.log(3), 0.8, n))), 1, 20).astype(int),
        "largest_lesion_cm": lesion_sizes(rng, n, 5.0, 0.6),
        "bilobar": rng.random(n) < np.where(resected, 0.35, 0.8),
        "extrahepatic_disease": rng.random(n) < np.where(resected, 0.1, 0.6),
        "cystic": [False] * n,
        "surgery_date": surgery,
        "approach": np.where(operated, "open", None).astype(object),
        "major_hepatectomy": np.where(resected, major, np.where(operated, False, None)),
        "parenchyma_sparing": np.where(resected, ~major, np.where(operated, False, None)),
        "cytoreduction_90": np.where(resected, curative | (rng.random(n) < 0.5), np.where(operated, False, None)),
        "icg": np.where(operated, False, None),
        "margin_status": margin,
        "margin_mm": np.where(margin == "R0", r0_margins(rng, n, 6.0), np.where(margin == "R1", r1_margins(rng, n), np.nan)),
        "clavien_dindo": cd,
        "bile_leak": np.where(resected, (cd != "0") & (rng.random(n) < 0.2), np.where(operated, False, None)),
        "mortality_90d": np.where(operated, False, None),
        "length_of_stay_days": [int(v) if ok else None for v, ok in zip(np.round(np.where(resected, rng.uniform(9, 25, n), rng.uniform(5, 10, n))), operated)],
        **o,
        "recurrence_site": recurrence_sites(rng, o["recurrence"], (0.6, 0.2, 0.2)),
        "resected": resected,
        "operation": operation,
        "curative": np.where(resected, curative, None),
    }
    return cols, None


# ----------------------------------------------------------------------------- main
COHORTS = {
    "icg_lpsh": (make_icg_lpsh, "icg_lpsh.csv", "icg_lpsh_lesions.csv"),
    "mimic": (make_mimic, "mimic_patients.csv", "mimic_lesions.csv"),
    "jp_multicenter": (make_jp_multicenter, "jp_multicenter.csv", None),
    "mayo_cystic": (make_mayo_cystic, "mayo_cystic.csv", None),
    "aggressive_resection": (make_aggressive_resection, "aggressive_resection.csv", None),
}

EXTRA_BOOLS = {"management_changed", "concomitant_primary_resection", "hepatic_progression",
               "hepatic_pfs_event", "resected", "curative", "reresected",
               "fluorescence_at_margin"}
EXTRA_DATES = {"hepatic_progression_date"}
INT_COLUMNS = {"age", "lesion_count", "length_of_stay_days", "procedure_number", "fluorescence_score"}


def build(name: str, seed: int | None = None) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The cohort (and lesion) frames of one sample, as written to CSV (text cells)."""
    make, _, _ = COHORTS[name]
    cols, lesions = make(SEEDS[name] if seed is None else seed)
    patients = finish(cols, COHORT_NAMES, BOOL_COHORT | EXTRA_BOOLS, DATE_COHORT | EXTRA_DATES)
    les = None
    if lesions is not None:
        les = finish(lesions, LESION_NAMES, {"fluorescence_at_margin", "reresected"}, set())
    return patients, les


def main(out_dir: Path = OUT_DIR) -> None:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, (_, pfile, lfile) in COHORTS.items():
        patients, les = build(name)
        write_csv(patients, out_dir / pfile)
        if les is not None:
            write_csv(les, out_dir / lfile)
        print(f"{name}: {len(patients)} patients" + (f", {len(les)} lesions" if les is not None else "")
              + f" -> {out_dir / pfile}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT_DIR)
