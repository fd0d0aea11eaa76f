#!/usr/bin/env python3
"""Reference values for the soak statistics (Theil-Sen slope with Sen's interval, Wilcoxon's
signed-rank test, Walsh-average bounds), computed with SciPy/NumPy. Writes
__tests__/fixtures/stats/theil-sen.json and signed-rank.json.

Run from the repository root:  python3 scripts/golden-soak.py
"""
import json
import math
import os
import random

import numpy as np
from scipy import stats

OUT = os.path.join('__tests__', 'fixtures', 'stats')
rng = random.Random(20261130)


def write(name, payload):
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, name), 'w') as fh:
        json.dump(payload, fh, indent=1)
        fh.write('\n')


# --- Theil-Sen ---------------------------------------------------------------------------------
cases = []
for n, slope, noise, ties in [(10, 2.0, 1.0, False), (25, -0.5, 3.0, False), (60, 1000.0, 5000.0, False),
                              (12, 0.0, 1.0, True), (40, 3.0, 0.5, True)]:
    x = [float(i) if not ties else float(i // 3) for i in range(n)]
    y = [slope * xi + rng.gauss(0, noise) for xi in x]
    if ties:
        y = [round(v) for v in y]
    for conf in (0.9, 0.95):
        r = stats.theilslopes(y, x, alpha=conf)
        cases.append({'x': x, 'y': y, 'confidence': conf, 'slope': float(r[0]), 'low': float(r[2]),
                      'high': float(r[3])})
write('theil-sen.json', cases)

# --- signed-rank -------------------------------------------------------------------------------
def walsh_bounds(d, tail):
    # Hollander & Wolfe: lower bound = W(C), C = N + 1 - t, t the smallest value with P(T+ >= t) <= tail
    n = len(d)
    w = sorted((d[i] + d[j]) / 2 for i in range(n) for j in range(i, n))
    N = len(w)
    # exact null distribution of T+ for ranks 1..n
    counts = [1] + [0] * N
    for k in range(1, n + 1):
        nxt = counts[:]
        for s in range(N - k + 1):
            nxt[s + k] += counts[s]
        counts = nxt
    total = 2 ** n
    c, tailsum = N + 1, 0
    for s in range(N, -1, -1):
        if (tailsum + counts[s]) / total > tail:
            break
        tailsum += counts[s]
        c = s
    k = N + 1 - c
    if k < 1:
        return None
    return [w[k - 1], w[N - k]]


sr = []
for n, shift in [(6, 0.0), (9, 1.0), (12, 0.3), (20, -0.2), (30, 0.5), (45, 0.1)]:
    d = [rng.gauss(shift, 1.0) for _ in range(n)]
    p = stats.wilcoxon(d, alternative='greater', method='exact' if n <= 50 else 'approx').pvalue
    sr.append({'d': d, 'p': float(p), 'bounds': walsh_bounds(d, 0.05),
               'hl': float(np.median([(d[i] + d[j]) / 2 for i in range(n) for j in range(i, n)]))})
# ties (exact distribution with tied ranks: SciPy has no exact method with ties; Python enumeration)
def exact_with_ties(d):
    v = [x for x in d if x != 0]
    r = stats.rankdata([abs(x) for x in v])
    tp = sum(ri for ri, x in zip(r, v) if x > 0)
    n = len(v)
    hits = 0
    for mask in range(2 ** n):
        s = sum(r[i] for i in range(n) if mask >> i & 1)
        if s >= tp - 1e-9:
            hits += 1
    return hits / 2 ** n
for d in ([1, 2, 2, -1, 3, 3, 3, 0, 4, -2, 5, 1], [0.5, -0.5, 1, 1, 1, 2, -2, 3, 0]):
    sr.append({'d': d, 'p': exact_with_ties(d), 'bounds': None, 'hl': None})
write('signed-rank.json', sr)
