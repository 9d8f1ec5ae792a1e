"""Confidence bands of the Kaplan–Meier and cumulative-incidence figures (nelm_stats.figures.km).

R's survfit(..., conf.type = "log-log") leaves the CI missing where S = 1 (before the first
event) and where S = 0; the band must neither drop to 0 before the first event nor be drawn
where the interval is undefined.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

import nelm_stats as ns
from nelm_stats.figures.km import _band_xy, km_figure

# two censored before the first event (S = 1, log-log CI missing); the last patient dies (S = 0)
DATA = pd.DataFrame({"t": [1.0, 2, 3, 4, 5, 6, 7, 8], "e": [0, 0, 1, 0, 1, 1, 0, 1]})


def _band(fig):
    bands = [t for t in fig.data if t.fill == "toself"]
    assert len(bands) == 1
    return np.asarray(bands[0].x, dtype=float), np.asarray(bands[0].y, dtype=float)


def test_loglog_band_stays_at_one_before_the_first_event_and_stops_at_s_zero():
    km = ns.kaplan_meier(DATA, "t", "e", conf_type="log-log")
    c = km.curve
    assert c.loc[c["time"] < 3, ["ci_lower", "ci_upper"]].isna().all().all()  # as R
    assert c["survival"].iloc[-1] == 0 and np.isnan(c["ci_lower"].iloc[-1])
    x, y = _band(km_figure(km, ci=True, risk_table=False))
    assert not np.isnan(x).any()  # one polygon: no gap before the last time
    assert y.min() > 0  # never dropped to 0 (neither before the first event nor at S = 0)
    np.testing.assert_array_equal(y[x < 3], 1.0)  # zero-width band at S = 1
    defined = c.dropna(subset=["ci_lower"])
    inner = y[y < 1]
    assert set(np.round(inner, 12)) <= set(np.round(np.r_[defined["ci_lower"], defined["ci_upper"]], 12))
    assert x.max() == 8.0  # the last defined interval (from t = 6) lasts until S drops to 0
    assert np.isclose(y[x == 8].min(), defined["ci_lower"].iloc[-1])


def test_log_band_unchanged_where_every_limit_is_defined():
    km = ns.kaplan_meier(DATA.iloc[:-1], "t", "e")  # log CI, S > 0 throughout
    c = km.curve
    x, y = _band(km_figure(km, ci=True, risk_table=False))
    t, lo, hi = c["time"].to_numpy(), c["ci_lower"].to_numpy(), c["ci_upper"].to_numpy()
    upper_x = np.r_[0.0, np.repeat(t, 2)]
    upper_y = np.r_[1.0, 1.0, np.repeat(hi, 2)[:-1]]
    lower_y = np.r_[1.0, 1.0, np.repeat(lo, 2)[:-1]]
    np.testing.assert_allclose(x, np.r_[upper_x, upper_x[::-1]])
    np.testing.assert_allclose(y, np.r_[upper_y, lower_y[::-1]])


def test_band_gap_where_a_limit_is_missing():
    t = np.array([1.0, 2, 3, 4])
    lo = np.array([0.8, np.nan, 0.5, 0.4])
    hi = np.array([0.95, np.nan, 0.8, 0.7])
    x, y = _band_xy(t, lo, hi, 1.0)
    gaps = np.flatnonzero(np.isnan(x))
    assert len(gaps) == 1 and np.isnan(y[gaps[0]])
    first, second = x[: gaps[0]], x[gaps[0] + 1:]
    assert first.min() == 0 and first.max() == 2  # the interval at t = 1 lasts until t = 2
    assert second.min() == 3 and second.max() == 4
