/** Results files carry capacity curves through report mode's strict schema. */
import { describe, expect, it } from 'vitest';
import { reportSchema } from '../../src/adapters/results-file';
import type { ComparisonReport } from '../../src/core/model';
import { realisticReport } from '../render-html/fixtures/report';

const curve = {
  metric: 'api/items:capacity',
  side: 'base' as const,
  slo: 'p99 < 50ms',
  bound: 0.05,
  errorBound: 0.01,
  steps: [{ rate: 100, achieved: 99, latency: 0.01, errors: 0, holds: true }],
};

describe('results files with capacity curves', () => {
  it('validate, and reject an unknown key inside a step', () => {
    const report: ComparisonReport = { ...realisticReport(), curves: [curve] };
    expect(reportSchema.safeParse(JSON.parse(JSON.stringify(report))).success).toBe(true);
    const bad = { ...report, curves: [{ ...curve, steps: [{ ...curve.steps[0], command: 'rm -rf /' }] }] };
    const r = reportSchema.safeParse(JSON.parse(JSON.stringify(bad)));
    expect(r.success).toBe(false);
  });
});
