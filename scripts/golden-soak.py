#!/usr/bin/env python3
"""Reference values for the soak statistics (Student's t distribution and the two-sample t-test of
core/gate/growth.ts), computed with SciPy. Writes __tests__/fixtures/stats/student-t.json and
growth-t.json.

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


# --- Student's t ---------------------------------------------------------------------------------
dfs = [1, 2, 3, 4, 5, 8, 10, 18, 38, 100, 1000]
ts = [-30.0, -4.0, -1.0, -0.1, 0.0, 0.01, 0.3, 1.0, 1.7, 2.5, 4.303, 8.0, 30.0, 300.0]
qs = [1e-12, 1e-8, 1e-5, 0.001, 0.0125, 0.025, 0.05, 0.1, 0.3, 0.5, 0.7, 0.95]
write('student-t.json', {
    'sf': [{'t': t, 'df': df, 'sf': float(stats.t.sf(t, df))} for df in dfs for t in ts],
    'isf': [{'q': q, 'df': df, 't': float(stats.t.isf(q, df))} for df in dfs for q in qs],
})


# --- Student's two-sample t-test of head - base against a tolerance (core/gate/growth.ts) ----------
cases = []
for nb, nh, mb, mh, sd, tol in [(2, 2, 1.0, 3.0, 1.0, 0.5), (3, 3, 2e3, 5e4, 4e3, 16666.7), (3, 3, 2e3, 1.8e4, 6e3, 16666.7),
                                (5, 4, -100.0, 50.0, 80.0, 0.0), (10, 10, 0.0, 0.0, 1.0, 1.0)]:
    base = [mb + rng.gauss(0, sd) for _ in range(nb)]
    head = [mh + rng.gauss(0, sd) for _ in range(nh)]
    shifted = [h - tol for h in head]
    beyond = stats.ttest_ind(shifted, base, alternative='greater')
    within = stats.ttest_ind(shifted, base, alternative='less')
    worse = stats.ttest_ind(head, base, alternative='greater')
    df = nb + nh - 2
    d = sum(head) / nh - sum(base) / nb
    sp2 = (sum((v - sum(base) / nb) ** 2 for v in base) + sum((v - sum(head) / nh) ** 2 for v in head)) / df
    se = (sp2 * (1 / nb + 1 / nh)) ** 0.5
    cases.append({'base': base, 'head': head, 'tolerance': tol, 'pBeyond': float(beyond.pvalue),
                  'pWithin': float(within.pvalue), 'pWorse': float(worse.pvalue), 'df': df,
                  'lower025': float(d - stats.t.isf(0.025, df) * se), 'upper01': float(d + stats.t.isf(0.01, df) * se)})
write('growth-t.json', cases)
