"""Small hypothesis tests and intervals that agree with R's stats package.

Workers only: they take plain numpy arrays / count tables and return plain numbers.
The public modules (describe, proportions, accuracy) validate the input first.

R equivalents (checked in tests/test_proportions.py and tests/test_describe.py):
- fisher_test: fisher.test (2x2: p-value, conditional-MLE odds ratio and its CI;
  r x c: exact p-value by a network algorithm, same 1e-7 relative tolerance as R)
- chisq_test: chisq.test (Yates' continuity correction for 2x2 when correct=True)
- wilson / clopper_pearson: prop.test(x, n, correct=FALSE)$conf.int / binom.test
- newcombe: Newcombe's (1998) hybrid score interval (method 10) for a difference
- mcnemar: mcnemar.test
- wilcoxon (Mann-Whitney), kruskal, welch_t, anova: wilcox.test, kruskal.test,
  t.test (Welch), summary(aov())
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from itertools import product

import numpy as np
from ._lazy import optimize, stats
from scipy.special import gammaln, ndtri

__all__ = [
    "Z975", "TestResult", "wilson", "clopper_pearson", "proportion_ci", "newcombe", "expected_counts",
    "chisq_test", "fisher_2x2", "fisher_rxc", "fisher_test", "contingency_test", "mcnemar", "wilcoxon",
    "kruskal", "welch_t", "anova",
]

Z975 = float(ndtri(0.975))  # = stats.norm.ppf(0.975), without importing scipy.stats


@dataclass(frozen=True)
class TestResult:
    """A hypothesis test: its name, statistic, degrees of freedom and p-value."""

    name: str
    statistic: float
    df: float
    p_value: float


# ----------------------------------------------------------------------------- intervals
def _z(conf_level: float) -> float:
    return float(stats.norm.ppf(1 - (1 - conf_level) / 2))


def wilson(x: float, n: float, conf_level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval without continuity correction (prop.test(correct=FALSE))."""
    if n <= 0:
        return (np.nan, np.nan)
    z = _z(conf_level)
    p = x / n
    centre = p + z * z / (2 * n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denom = 1 + z * z / n
    return (max(0.0, (centre - half) / denom), min(1.0, (centre + half) / denom))


def clopper_pearson(x: float, n: float, conf_level: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval, as binom.test."""
    if n <= 0:
        return (np.nan, np.nan)
    a = (1 - conf_level) / 2
    lo = 0.0 if x == 0 else float(stats.beta.ppf(a, x, n - x + 1))
    hi = 1.0 if x == n else float(stats.beta.ppf(1 - a, x + 1, n - x))
    return (lo, hi)


def proportion_ci(x, n, method: str, conf_level: float = 0.95) -> tuple[float, float]:
    return wilson(x, n, conf_level) if method == "wilson" else clopper_pearson(x, n, conf_level)


def newcombe(x1, n1, x2, n2, conf_level: float = 0.95) -> tuple[float, float, float]:
    """p2 - p1 and Newcombe's hybrid score CI built from the two Wilson intervals."""
    p1, p2 = x1 / n1, x2 / n2
    l1, u1 = wilson(x1, n1, conf_level)
    l2, u2 = wilson(x2, n2, conf_level)
    d = p2 - p1
    return d, d - np.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + np.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


# ----------------------------------------------------------------------------- tables
def expected_counts(table: np.ndarray) -> np.ndarray:
    t = np.asarray(table, dtype=float)
    return np.outer(t.sum(1), t.sum(0)) / t.sum()


def _drop_empty(table: np.ndarray) -> np.ndarray:
    t = np.asarray(table)
    return t[t.sum(1) > 0][:, t.sum(0) > 0]


def chisq_test(table, correct: bool = True) -> TestResult:
    """Pearson's chi-square test as chisq.test (rows/columns with no observation dropped)."""
    t = _drop_empty(np.asarray(table, dtype=float))
    if t.shape[0] < 2 or t.shape[1] < 2:
        return TestResult("Chi-square test", np.nan, np.nan, np.nan)
    e = expected_counts(t)
    dev = np.abs(t - e)
    yates = correct and t.shape == (2, 2)
    if yates:
        dev = dev - np.minimum(0.5, dev)
    stat = float(np.sum(dev**2 / e))
    df = (t.shape[0] - 1) * (t.shape[1] - 1)
    name = "Chi-square test with Yates' continuity correction" if yates else "Pearson's chi-square test"
    return TestResult(name, stat, float(df), float(stats.chi2.sf(stat, df)))


def fisher_2x2(table, conf_level: float = 0.95) -> tuple[float, float, float, float]:
    """fisher.test on a 2x2 table: (p_value, conditional MLE odds ratio, ci_lower, ci_upper).

    The odds ratio and its CI follow R's fisher.test step by step, including its
    root finder (uniroot, Brent, tol = eps^0.25), so the estimate agrees with what R
    prints rather than with the exact root (they differ by ~1e-6).
    """
    t = np.asarray(table, dtype=int)
    p = float(stats.fisher_exact(t).pvalue)
    m, n, k, x = int(t[:, 0].sum()), int(t[:, 1].sum()), int(t[0, :].sum()), int(t[0, 0])
    lo, hi = max(0, k - n), min(k, m)
    support = np.arange(lo, hi + 1)
    logdc = stats.hypergeom.logpmf(support, m + n, m, k)
    eps = np.finfo(float).eps
    tol = eps**0.25

    def dnh(ncp):
        d = logdc + np.log(ncp) * support
        d = np.exp(d - d.max())
        return d / d.sum()

    def mnh(ncp):
        if ncp == 0:
            return lo
        if np.isinf(ncp):
            return hi
        return float(np.sum(support * dnh(ncp)))

    def pnh(q, ncp, upper=False):
        if ncp == 1:
            return float(stats.hypergeom.sf(x - 1, m + n, m, k) if upper else stats.hypergeom.cdf(x, m + n, m, k))
        if ncp == 0:
            return float(q <= lo if upper else q >= lo)
        if np.isinf(ncp):
            return float(q <= hi if upper else q >= hi)
        d = dnh(ncp)
        return float(d[support >= q].sum() if upper else d[support <= q].sum())

    def root(f, a, b):
        return _zeroin(f, a, b, tol)

    if x == lo:
        est = 0.0
    elif x == hi:
        est = np.inf
    else:
        mu = mnh(1.0)
        if mu > x:
            est = root(lambda u: mnh(u) - x, 0.0, 1.0)
        elif mu < x:
            est = 1 / root(lambda u: mnh(1 / u) - x, eps, 1.0)
        else:
            est = 1.0
    alpha = (1 - conf_level) / 2

    def ncp_u():
        if x == hi:
            return np.inf
        pp = pnh(x, 1.0)
        if pp < alpha:
            return root(lambda u: pnh(x, u) - alpha, 0.0, 1.0)
        if pp > alpha:
            return 1 / root(lambda u: pnh(x, 1 / u) - alpha, eps, 1.0)
        return 1.0

    def ncp_l():
        if x == lo:
            return 0.0
        pp = pnh(x, 1.0, upper=True)
        if pp > alpha:
            return root(lambda u: pnh(x, u, upper=True) - alpha, 0.0, 1.0)
        if pp < alpha:
            return 1 / root(lambda u: pnh(x, 1 / u, upper=True) - alpha, eps, 1.0)
        return 1.0

    return p, float(est), float(ncp_l()), float(ncp_u())


def _zeroin(f, ax: float, bx: float, tol: float, maxit: int = 1000) -> float:
    """R's uniroot (R_zeroin2, Brent's method) step for step, so roots agree with R's."""
    eps = np.finfo(float).eps
    a, b = ax, bx
    fa, fb = f(a), f(b)
    c, fc = a, fa
    if fa == 0:
        return a
    if fb == 0:
        return b
    for _ in range(maxit + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * eps * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                p = cb * t1
                q = 1.0 - t1
            else:
                q = fa / fc
                t1 = fb / fc
                t2 = fb / fa
                p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if p > 0:
                q = -q
            else:
                p = -p
            if p < (0.75 * cb * q - abs(tol_act * q) / 2) and p < abs(prev_step * q / 2):
                new_step = p / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


_REL = 1 + 1e-7  # R's fisher.test tolerance on the table probability


def fisher_rxc(table, *, max_work: float = 3e6, n_sim: int = 20000, seed: int = 20240601) -> tuple[float, bool]:
    """Exact p-value of Fisher's test on an r x c table; (p_value, exact).

    A network algorithm (Mehta & Patel) over columns with exact bounds on the
    probability of the remaining columns.  When the table is too large for exact
    enumeration the p-value is simulated (as fisher.test(simulate.p.value=TRUE)),
    with a fixed seed, and ``exact`` is False.
    """
    t = _drop_empty(np.asarray(table, dtype=int))
    if t.shape[0] < 2 or t.shape[1] < 2:
        return 1.0, True
    if t.shape[0] > t.shape[1]:
        t = t.T
    rows = np.sort(t.sum(1))
    cols = np.sort(t.sum(0))[::-1]
    n = int(t.sum())
    log_k = gammaln(rows + 1).sum() + gammaln(cols + 1).sum() - gammaln(n + 1)
    obs = -gammaln(t + 1).sum()
    thr = obs + np.log(_REL)
    r = len(rows)
    # rough cost of the exact bounds: states x compositions per column
    work = 0.0
    for c in cols:
        work += (n + 1) ** (r - 1) * (c + 1) ** (r - 1)
    if work > max_work:
        return _fisher_sim(t, thr, n_sim, seed), False

    ncol = len(cols)
    suffix = np.concatenate([np.cumsum(cols[::-1])[::-1], [0]])

    def comps(c: int, R: tuple[int, ...]):
        # all x with sum c, 0 <= x_i <= R_i
        if len(R) == 1:
            if c <= R[0]:
                yield (c,)
            return
        rest_cap = sum(R[1:])
        for x0 in range(max(0, c - rest_cap), min(c, R[0]) + 1):
            for tail in comps(c - x0, R[1:]):
                yield (x0,) + tail

    lg = gammaln(np.arange(n + 2) + 1)

    @lru_cache(maxsize=None)
    def bounds(j: int, R: tuple[int, ...]) -> tuple[float, float]:
        if j == ncol - 1:
            v = -float(sum(lg[x] for x in R))
            return v, v
        hi, lo = -np.inf, np.inf
        for x in comps(int(cols[j]), R):
            nR = tuple(sorted(a - b for a, b in zip(R, x)))
            h, l = bounds(j + 1, nR)
            v = -float(sum(lg[k] for k in x))
            hi = max(hi, v + h)
            lo = min(lo, v + l)
        return hi, lo

    def total(j: int, R: tuple[int, ...]) -> float:
        # log of sum over completions of prod 1/x!  = log N! - sum log R! - sum log c!
        m = int(suffix[j])
        return float(lg[m] - sum(lg[a] for a in R) - sum(lg[int(c)] for c in cols[j:]))

    p = 0.0
    budget = max_work / 10  # expansions before giving up on exact enumeration
    nodes: dict[tuple[int, ...], dict[float, float]] = {tuple(int(v) for v in rows): {0.0: 1.0}}
    for j in range(ncol):
        new: dict[tuple[int, ...], dict[float, float]] = {}
        for R, pasts in nodes.items():
            hi, lo = bounds(j, R)
            tot = None
            for past, mult in pasts.items():
                if past + hi <= thr:
                    if tot is None:
                        tot = total(j, R)
                    p += mult * np.exp(log_k + past + tot)
                    continue
                if past + lo > thr:
                    continue
                for x in comps(int(cols[j]), R):
                    budget -= 1
                    if budget < 0:
                        return _fisher_sim(t, thr, n_sim, seed), False
                    nR = tuple(sorted(a - b for a, b in zip(R, x)))
                    v = past - float(sum(lg[k] for k in x))
                    d = new.setdefault(nR, {})
                    key = round(v, 9)
                    d[key] = d.get(key, 0.0) + mult
        nodes = new
    return float(min(1.0, p)), True


def _fisher_sim(t: np.ndarray, thr: float, n_sim: int, seed: int) -> float:
    """Monte-Carlo p-value as R's fisher.test(simulate.p.value = TRUE): random tables with the
    observed margins (here cell by cell from hypergeometric draws, all ``n_sim`` tables at once),
    p = (1 + #{tables at most as probable as the observed}) / (n_sim + 1)."""
    rng = np.random.default_rng(seed)
    rows, cols = t.sum(1).astype(np.int64), t.sum(0).astype(np.int64)
    r, c = len(rows), len(cols)
    left_cols = np.tile(cols, (n_sim, 1))  # column totals not yet placed, per simulated table
    logp = np.zeros(n_sim)
    for i in range(r):
        need = np.full(n_sim, rows[i], dtype=np.int64)
        for j in range(c):
            if i == r - 1:
                x = left_cols[:, j].copy()  # the last row takes what is left
            elif j == c - 1:
                x = need.copy()
            else:
                others = left_cols[:, j + 1:].sum(axis=1)
                x = rng.hypergeometric(left_cols[:, j], others, need) if need.any() else np.zeros(n_sim, np.int64)
            logp -= gammaln(x + 1)
            left_cols[:, j] -= x
            need -= x
    hits = int(np.count_nonzero(logp <= thr))
    return (1 + hits) / (n_sim + 1)


def fisher_test(table) -> TestResult:
    t = np.asarray(table, dtype=int)
    if _drop_empty(t).shape == (2, 2) or t.shape == (2, 2):
        p = fisher_2x2(t)[0] if t.shape == (2, 2) else fisher_rxc(t)[0]
        return TestResult("Fisher's exact test", np.nan, np.nan, p)
    p, exact = fisher_rxc(t)
    name = "Fisher's exact test" if exact else "Fisher's exact test (Monte Carlo p-value, 20 000 tables)"
    return TestResult(name, np.nan, np.nan, p)


def contingency_test(table, test: str = "auto", correct: bool = True) -> TestResult:
    """'auto': Fisher's exact when any expected count is below 5, else chi-square."""
    t = _drop_empty(np.asarray(table))
    if t.shape[0] < 2 or t.shape[1] < 2:
        return TestResult("no test (a single group or outcome)", np.nan, np.nan, np.nan)
    if test == "auto":
        test = "fisher" if np.any(expected_counts(t) < 5) else "chi-square"
    return fisher_test(t) if test == "fisher" else chisq_test(t, correct=correct)


def mcnemar(b: int, c: int, correct: bool = True) -> TestResult:
    """McNemar's test on the discordant counts, as mcnemar.test."""
    if b + c == 0:
        return TestResult("McNemar's test", np.nan, 1.0, np.nan)
    d = abs(b - c) - (1 if correct else 0)
    stat = float(d * d / (b + c)) if not (correct and abs(b - c) < 1) else 0.0
    name = "McNemar's test with continuity correction" if correct else "McNemar's test"
    return TestResult(name, stat, 1.0, float(stats.chi2.sf(stat, 1)))


# ----------------------------------------------------------------------------- continuous
def wilcoxon(x: np.ndarray, y: np.ndarray) -> TestResult:
    """Mann-Whitney U as wilcox.test(x, y): W = rank sum of x - n_x(n_x+1)/2.

    Exact p-value when both groups have fewer than 50 values and there are no ties
    (R's default), else the normal approximation with continuity correction and
    tie correction.
    """
    x, y = np.asarray(x, float), np.asarray(y, float)
    nx, ny = len(x), len(y)
    if nx == 0 or ny == 0:
        return TestResult("Mann-Whitney U test", np.nan, np.nan, np.nan)
    allv = np.concatenate([x, y])
    ranks = stats.rankdata(allv)
    w = float(ranks[:nx].sum() - nx * (nx + 1) / 2)
    ties = len(np.unique(allv)) < len(allv)
    if nx < 50 and ny < 50 and not ties:
        res = stats.mannwhitneyu(x, y, alternative="two-sided", method="exact")
        return TestResult("Mann-Whitney U test (exact)", w, np.nan, float(min(1.0, res.pvalue)))
    _, counts = np.unique(allv, return_counts=True)
    z = w - nx * ny / 2
    sigma = np.sqrt(nx * ny / 12 * ((nx + ny + 1) - np.sum(counts**3 - counts) / ((nx + ny) * (nx + ny - 1))))
    if sigma == 0:
        return TestResult("Mann-Whitney U test", w, np.nan, np.nan)
    z = (z - np.sign(z) * 0.5) / sigma
    return TestResult("Mann-Whitney U test", w, np.nan, float(2 * min(stats.norm.sf(z), stats.norm.cdf(z))))


def kruskal(groups: list[np.ndarray]) -> TestResult:
    groups = [np.asarray(g, float) for g in groups if len(g) > 0]
    if len(groups) < 2 or len(np.unique(np.concatenate(groups))) < 2:
        return TestResult("Kruskal-Wallis test", np.nan, np.nan, np.nan)
    res = stats.kruskal(*groups)
    return TestResult("Kruskal-Wallis test", float(res.statistic), float(len(groups) - 1), float(res.pvalue))


def welch_t(x: np.ndarray, y: np.ndarray) -> TestResult:
    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or len(y) < 2:
        return TestResult("Welch's t-test", np.nan, np.nan, np.nan)
    vx, vy = x.var(ddof=1) / len(x), y.var(ddof=1) / len(y)
    se = np.sqrt(vx + vy)
    if se == 0:
        return TestResult("Welch's t-test", np.nan, np.nan, np.nan)
    t = (x.mean() - y.mean()) / se
    df = (vx + vy) ** 2 / (vx**2 / (len(x) - 1) + vy**2 / (len(y) - 1))
    return TestResult("Welch's t-test", float(t), float(df), float(2 * stats.t.sf(abs(t), df)))


def anova(groups: list[np.ndarray]) -> TestResult:
    groups = [np.asarray(g, float) for g in groups if len(g) > 0]
    n = sum(len(g) for g in groups)
    k = len(groups)
    if k < 2 or n - k < 1:
        return TestResult("One-way ANOVA", np.nan, np.nan, np.nan)
    grand = np.concatenate(groups).mean()
    ssb = sum(len(g) * (g.mean() - grand) ** 2 for g in groups)
    ssw = sum(((g - g.mean()) ** 2).sum() for g in groups)
    if ssw == 0:
        return TestResult("One-way ANOVA", np.nan, np.nan, np.nan)
    f = (ssb / (k - 1)) / (ssw / (n - k))
    return TestResult("One-way ANOVA", float(f), float(k - 1), float(stats.f.sf(f, k - 1, n - k)))
