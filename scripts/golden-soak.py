#!/usr/bin/env python3
"""Reference values for the soak statistics (Theil-Sen slope with Sen's interval), computed with
SciPy. Writes __tests__/fixtures/stats/theil-sen.json.

Run from the repository root:  python3 scripts/golden-soak.py
"""
import json
import os
import random

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
