#!/usr/bin/env python3
"""Reference values for the statistics tests, computed with SciPy/NumPy (and small independent
Python implementations where SciPy has no public function). Writes __tests__/fixtures/stats/*.json.

Run from the repository root:  python3 scripts/golden-stats.py
"""
import json
import math
import os
import random

import numpy as np
from scipy import stats

OUT = os.path.join('__tests__', 'fixtures', 'stats')
rng = random.Random(20261121)


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), 'w') as fh:
        json.dump(payload, fh, indent=1)
        fh.write('\n')


def lognormal(n, mu=0.0, sigma=0.05, digits=None):
    v = [math.exp(rng.gauss(mu, sigma)) for _ in range(n)]
    return [round(x, digits) for x in v] if digits is not None else v


# --- normal distribution -------------------------------------------------------------------------
zs = [-37, -20, -8, -5, -3, -2.5, -2.4, -1.96, -1, -0.3, 0, 0.3, 1, 1.6448536269514722, 2.5, 3, 5, 8, 12, 20]
ps = [1e-300, 1e-100, 1e-20, 1e-12, 1e-8, 1e-6, 1e-4, 0.001, 0.01, 0.02425, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.9,
      0.95, 0.975, 0.99, 0.999]
write('normal.json', {
    'cdf': [{'z': z, 'cdf': float(stats.norm.cdf(z)), 'sf': float(stats.norm.sf(z))} for z in zs],
    'ppf': [{'p': p, 'z': float(stats.norm.ppf(p))} for p in ps],
    'isf': [{'q': q, 'z': float(stats.norm.isf(q))} for q in [1e-300, 1e-15, 1e-9, 1e-6, 0.0125, 0.025]],
})

# --- quantiles and MAD -------------------------------------------------------------------------
qcases = []
for n in [1, 2, 3, 4, 7, 10, 31]:
    x = [round(rng.uniform(-5, 5), 6) for _ in range(n)]
    qcases.append({
        'x': x,
        'median': float(np.median(x)),
        'quantiles': {str(q): float(np.quantile(x, q)) for q in [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1]},
        'mad': float(stats.median_abs_deviation(x, scale=1.0)) * 1.4826,
    })
write('quantiles.json', qcases)

# --- Mann–Whitney U ----------------------------------------------------------------------------
mw = []


def add_mw(x, y, method):
    u = None
    out = {'x': x, 'y': y, 'method': method}
    for alt, key in [('greater', 'pGreater'), ('less', 'pLess'), ('two-sided', 'pTwoSided')]:
        kwargs = {'alternative': alt, 'method': method}
        if method == 'asymptotic':
            kwargs['use_continuity'] = True
        r = stats.mannwhitneyu(x, y, **kwargs)
        u = float(r.statistic)
        out[key] = float(r.pvalue)
    out['u'] = u
    mw.append(out)


for (m, n, shift) in [(3, 3, 0.0), (4, 6, 0.05), (5, 5, 0.2), (8, 7, -0.03), (10, 10, 0.05), (12, 9, 0.0),
                      (20, 20, 0.03), (30, 25, 0.02), (50, 50, 0.01), (10, 10, 1.0)]:
    add_mw(lognormal(m, shift), lognormal(n), 'exact')
for (m, n, shift, digits) in [(10, 10, 0.02, 2), (15, 12, 0.0, 2), (30, 30, 0.03, 2), (60, 55, 0.01, 3),
                              (8, 8, 0.0, 1), (40, 40, 0.0, None), (80, 70, 0.02, None)]:
    add_mw(lognormal(m, shift, 0.05, digits), lognormal(n, 0, 0.05, digits), 'asymptotic')
write('mann-whitney.json', mw)


# --- Hodges–Lehmann estimate and Mann–Whitney-inverted interval ---------------------------------
def exact_counts(m, n):
    """Number of arrangements with U = k for sizes m, n (integer recurrence, independent of the TS code)."""
    # Gaussian binomial coefficient [m+n choose m]_q by the recurrence on partitions in an m x n box.
    table = {}

    def f(i, j):
        if i == 0 or j == 0:
            return [1]
        key = (i, j)
        if key in table:
            return table[key]
        a = f(i - 1, j)
        b = f(i, j - 1)
        res = [0] * (i * j + 1)
        for k, c in enumerate(a):
            res[k + j] += c
        for k, c in enumerate(b):
            res[k] += c
        table[key] = res
        return res

    return f(m, n)


def hl_interval(x, y, confidence):
    m, n = len(x), len(y)
    d = sorted(yj - xi for yj in y for xi in x)
    est = float(np.median(d))
    tail = (1 - confidence) / 2
    pooled = list(x) + list(y)
    ties = len(set(pooled)) < len(pooled)
    if not ties and m <= 50 and n <= 50:
        counts = exact_counts(m, n)
        total = math.comb(m + n, m)
        cum = 0
        k = 0
        for u, c in enumerate(counts):
            cum += c
            if cum / total <= tail * (1 + 1e-12):
                k = u + 1
            else:
                break
        method = 'exact'
    else:
        _, tcounts = np.unique(pooled, return_counts=True)
        N = m + n
        tie_term = float(np.sum(tcounts ** 3 - tcounts))
        sigma = math.sqrt(m * n / 12 * ((N + 1) - tie_term / (N * (N - 1))))
        z = stats.norm.isf(tail)
        k = max(0, math.floor(m * n / 2 - z * sigma + 0.5))
        method = 'normal'
    if k < 1:
        return None
    return {'estimate': est, 'low': d[k - 1], 'high': d[m * n - k], 'method': method}


hl = []
for (m, n, shift, digits, conf) in [(5, 5, 0.1, None, 0.9), (6, 8, 0.0, None, 0.95), (10, 10, 0.05, None, 0.95),
                                    (10, 12, 0.03, None, 0.99), (20, 20, 0.02, None, 0.95), (30, 30, 0.05, None, 0.9),
                                    (50, 50, 0.0, None, 0.95), (12, 12, 0.02, 2, 0.95), (60, 60, 0.01, None, 0.95),
                                    (25, 25, 0.01, 3, 0.99), (20, 20, 0.0, None, 0.999999)]:
    x = lognormal(m, 0.0, 0.05, digits)
    y = lognormal(n, shift, 0.05, digits)
    lx = [math.log(v) for v in x]
    ly = [math.log(v) for v in y]
    r = hl_interval(lx, ly, conf)
    if r is None:
        continue
    hl.append({'x': lx, 'y': ly, 'confidence': conf, **r})
write('hodges-lehmann.json', hl)

# Exact null distribution of U (cumulative) for a few sizes, from integer counts.
dist = []
for (m, n) in [(3, 4), (5, 5), (10, 8), (20, 20)]:
    counts = exact_counts(m, n)
    total = math.comb(m + n, m)
    cum = np.cumsum(counts) / total
    dist.append({'m': m, 'n': n, 'cdf': [float(c) for c in cum]})
write('mann-whitney-exact.json', dist)

# --- Wilcoxon signed-rank and the Walsh-average Hodges-Lehmann interval --------------------------
def signed_rank_counts(n):
    """Exact null distribution of W+ by brute force over sign vectors (independent of the recurrence)."""
    if n <= 16:
        counts = [0] * (n * (n + 1) // 2 + 1)
        for mask in range(1 << n):
            w = sum(r + 1 for r in range(n) if mask >> r & 1)
            counts[w] += 1
        return counts
    # Larger n: the generating function prod(1 + x^r), multiplied out with exact integers.
    poly = [1]
    for r in range(1, n + 1):
        nxt = [0] * (len(poly) + r)
        for w, c in enumerate(poly):
            nxt[w] += c
            nxt[w + r] += c
        poly = nxt
    return poly


def walsh_interval(d, low_tail, high_tail):
    n = len(d)
    walsh = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    M = len(walsh)
    est = float(np.median(walsh))
    absd = [abs(v) for v in d]
    ties = len(set(absd)) < len(absd)

    def rank(tail):
        if not ties and n <= 50:
            counts = signed_rank_counts(n)
            total = 2 ** n
            cum, k = 0, 0
            for w, c in enumerate(counts):
                cum += c
                if cum / total <= tail * (1 + 1e-12):
                    k = w + 1
                else:
                    break
            return k
        _, tc = np.unique(absd, return_counts=True)
        sigma = math.sqrt(n * (n + 1) * (2 * n + 1) / 24 - sum(t ** 3 - t for t in tc) / 48)
        k = math.floor(M / 2 - stats.norm.isf(tail) * sigma + 0.5)
        return max(0, min(k, (M + 1) // 2))

    kl, kh = rank(low_tail), rank(high_tail)
    return {
        'estimate': est,
        'low': walsh[kl - 1] if kl >= 1 else None,
        'high': walsh[M - kh] if kh >= 1 else None,
    }


sr = []
for n, ties, theta in [(6, False, 0.0), (10, False, 0.02), (10, True, 0.0), (20, False, 0.05), (30, True, 0.01),
                       (50, False, 0.0), (60, False, 0.03)]:
    d = [round(rng.gauss(theta, 0.05), 4 if ties else 12) for _ in range(n)]
    if ties:
        d = [round(v, 2) for v in d]
    case = {'d': d, 'p': {}, 'interval': []}
    for theta0 in [0.0, 0.01, -0.02]:
        shifted = [v - theta0 for v in d]
        nz = [v for v in shifted if v != 0]
        exact_ok = len(set(map(abs, nz))) == len(nz) and len(nz) <= 50
        res = stats.wilcoxon(nz, alternative='greater', zero_method='wilcox', correction=True,
                             method='exact' if exact_ok else 'asymptotic')
        case['p'][str(theta0)] = float(res.pvalue)
    for lt, ht in [(0.025, 0.025), (0.005, 0.05), (1e-4, 0.01)]:
        case['interval'].append({'lowTail': lt, 'highTail': ht, **walsh_interval(d, lt, ht)})
    sr.append(case)
write('signed-rank.json', sr)

# --- median interval (binomial order statistics) -------------------------------------------------
med = []
for (n, conf) in [(5, 0.9), (6, 0.95), (10, 0.95), (20, 0.99), (31, 0.95), (100, 0.95), (400, 0.999)]:
    tail = (1 - conf) / 2
    l = 0
    while l + 1 <= math.ceil(n / 2) and stats.binom.cdf(l, n, 0.5) <= tail * (1 + 1e-12):
        l += 1
    x = sorted(round(rng.gauss(10, 2), 6) for _ in range(n))
    if l >= 1:
        med.append({'x': x, 'confidence': conf, 'low': x[l - 1], 'high': x[n - l],
                    'coverage': float(1 - 2 * stats.binom.cdf(l - 1, n, 0.5))})
write('median-interval.json', med)

# --- Kendall trend ------------------------------------------------------------------------------
ken = []
for (n, slope, digits) in [(10, 0.0, None), (20, 0.01, None), (30, 0.002, 2), (50, -0.001, None), (15, 0.0, 1)]:
    v = [round(rng.gauss(0, 0.05) + slope * i, digits) if digits is not None else rng.gauss(0, 0.05) + slope * i
         for i in range(n)]
    r = stats.kendalltau(np.arange(n), v, method='asymptotic')
    ken.append({'values': v, 'tau': float(r.statistic), 'p': float(r.pvalue)})
write('kendall.json', ken)

# --- group-sequential boundaries with Hwang–Shih–DeCani spending -------------------------------------
# An independent computation: the one-sided boundary c_k solves P(Z_1 < c_1, …, Z_{k-1} < c_{k-1}, Z_k ≥ c_k)
# = α(t_k) − α(t_{k-1}) with (Z_1…Z_K) jointly normal, Cov(Z_j, Z_k) = √(t_j/t_k) (Jennison & Turnbull §3.1),
# by SciPy's multivariate normal CDF and Brent's root finder.
from scipy.optimize import brentq


def hsd_spent(alpha, t, gamma, delay=0.0):
    if t >= 1:
        return alpha
    u = max(0.0, (t - delay) / (1 - delay))
    if abs(gamma) < 1e-9:
        return alpha * u
    return alpha * (1 - math.exp(-gamma * u)) / (1 - math.exp(-gamma))


def boundaries(alpha, fractions, gamma, delay=0.0):
    cs = []
    for k, t in enumerate(fractions):
        target = hsd_spent(alpha, t, gamma, delay) - (hsd_spent(alpha, fractions[k - 1], gamma, delay) if k else 0.0)
        if target <= 0:
            cs.append(float('inf'))
            continue
        cov = np.array([[math.sqrt(min(a, b) / max(a, b)) for b in fractions[:k + 1]] for a in fractions[:k + 1]])
        finite = [c if math.isfinite(c) else 40.0 for c in cs]

        def cross(c):
            if k == 0:
                return stats.norm.sf(c) - target
            upper = np.array(finite + [c])
            lower = np.array(finite + [np.inf])
            below_all = stats.multivariate_normal(mean=np.zeros(k + 1), cov=cov).cdf(upper)
            below_prev = stats.multivariate_normal(mean=np.zeros(k), cov=cov[:k, :k]).cdf(np.array(finite)) if k else 1.0
            return (below_prev - below_all) - target

        cs.append(brentq(cross, -5, 15, xtol=1e-10))
    return cs


gs = []
for (alpha, fractions, gamma, delay) in [(0.05, [0.3, 0.6, 1.0], -4, 0.0), (0.05, [0.2, 0.5, 1.0], 1, 0.0),
                                          (0.025, [0.25, 0.5, 0.75], -2, 0.0), (0.05, [0.2, 0.3, 1.0], 4, 0.1)]:
    gs.append({'alpha': alpha, 'fractions': fractions, 'gamma': gamma, 'delay': delay,
               'z': boundaries(alpha, fractions, gamma, delay)})
write('hsd-boundaries.json', gs)

print('wrote', OUT)
