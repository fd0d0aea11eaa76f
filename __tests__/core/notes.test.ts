/**
 * The notes a reader sees and the columns that agree: which notes a row shows, two-mode samples,
 * quantized values and the outlier note, the Head column, the undecided-because-stopped verdict and
 * the oriented geometric mean.
 */
import { describe, expect, it } from 'vitest';
import { sampleNotes } from '../../src/core/gate/diagnostics';
import { twoModes, twoModesNote } from '../../src/core/gate/modes';
import type { MetricResult, Warning, WarningCode } from '../../src/core/model';
import { mulberry32 } from '../../src/core/random';
import { renderTerminal } from '../../src/core/render/terminal';
import { geomeanText, headValue, noteShown, stoppedUndecided } from '../../src/core/render/view';
import { makeReport } from '../helpers/reports';

function gauss(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

describe('two-mode samples', () => {
  it('are found on both sides and named in the metric’s unit', () => {
    const random = mulberry32(7);
    const side = (shift: number) =>
      Array.from({ length: 20 }, (_, i) => (i % 2 ? 25_000 : 50_000) * (1 + shift) * Math.exp(0.03 * gauss(random)));
    const note = twoModesNote('koa/get:throughput', side(0), side(0.02), '1/s');
    expect(note?.code).toBe('two-modes');
    expect(note?.text).toMatch(
      /^The samples have two modes on both sides \(base 2[\d.]+k\/s and 5[\d.]+k\/s; head 2[\d.]+k\/s and 5[\d.]+k\/s\)/,
    );
  });

  it('are rare in clean one-mode samples and never from a shift between the sides (seeded)', () => {
    const random = mulberry32(11);
    let flagged = 0;
    for (let t = 0; t < 1000; t++) {
      const side = (scale: number) => Array.from({ length: 10 }, () => scale * Math.exp(0.06 * gauss(random)));
      if (twoModesNote('m', side(1), side(1), 's')) flagged++;
    }
    expect(flagged).toBeLessThanOrEqual(5);
    // A regression: base all low, head all high — one mode each.
    expect(twoModes([1, 1.01, 0.99, 1, 1.02, 1, 0.98, 1, 1, 1.01])).toBeNull();
    expect(
      twoModesNote(
        'm',
        [1, 1.01, 0.99, 1, 1.02, 1, 0.98, 1, 1, 1.01],
        [2, 2.01, 1.99, 2, 2.02, 2, 1.98, 2, 2, 2.01],
        's',
      ),
    ).toBeNull();
  });

  it('are not read into quantized values a few steps apart (170 / 171 / 180 ns)', () => {
    const q = [180, 180, 170, 171, 180, 171, 180, 171, 171, 171, 171, 170, 180, 180, 180].map((v) => v * 1e-9);
    expect(twoModesNote('m', q, [...q].reverse(), 's')).toBeNull();
  });
});

describe('the outlier note', () => {
  it('is not raised by quantized values (most of them tied): the resolution note speaks for them', () => {
    const base = [180, 180, 170, 171, 180, 171, 180, 171, 171, 171, 171, 170, 180, 180, 180].map(Math.log);
    const head = [180, 171, 170, 171, 171, 170, 171, 180, 180, 180, 171, 170, 171, 180, 180].map(Math.log);
    expect(sampleNotes('m', base, head).filter((w) => w.code === 'outliers')).toEqual([]);
  });
});

describe('notes shown beside a row', () => {
  const row = (outcome: MetricResult['outcome']) => ({ outcome }) as MetricResult;
  const note = (code: WarningCode): Warning => ({ code, text: code });

  it('explain an undecided row only, and are never attached to a verdict they contradict', () => {
    for (const code of ['interval-level', 'too-noisy', 'outliers', 'drift', 'resolution'] as const) {
      expect(noteShown(note(code), row('inconclusive'), 'two-sample'), code).toBe(true);
      for (const outcome of ['within-budget', 'regression', 'improvement', 'ungated'] as const)
        expect(noteShown(note(code), row(outcome)), `${code} on ${outcome}`).toBe(false);
    }
    // Pairing by round cancels drift: no note when rounds are paired.
    expect(noteShown(note('drift'), row('inconclusive'), 'paired')).toBe(false);
    for (const code of ['two-modes', 'linear-scale', 'new-on-head', 'replicate', 'inconclusive'] as const)
      expect(noteShown(note(code), row('within-budget')), code).toBe(true);
  });
});

describe('columns that agree', () => {
  it('shows Head as the base median moved by the change, so Base → Head reads as the change', () => {
    const report = makeReport([
      { id: 'api:throughput', unit: '1/s', direction: 'higher', median: 36_300, ratio: 1.02, cv: 0.02 },
    ]);
    const r = report.results[0];
    expect(headValue(r)).toBeCloseTo(r.baseMedian! * (1 + r.change!.estimate), 9);
    expect(headValue({ ...r, change: null })).toBe(r.headMedian);
    expect(headValue({ ...r, budget: { kind: 'absolute', op: '<', bound: 1, unit: '1/s', source: 'x' } })).toBe(
      r.headMedian,
    );
  });

  it('says which way the geometric mean is worse', () => {
    const report = makeReport([{ id: 'a:time', unit: 's', direction: 'lower', median: 1, ratio: 1, cv: 0.01 }]);
    report.geomean = { estimate: 0.269, low: 0.2, high: 0.3, confidence: 0.95 };
    expect(geomeanText(report)).toBe(
      'Geometric mean of the gated changes: +26.9% worse (+20.0% … +30.0%; positive is worse).',
    );
    report.geomean = { estimate: -0.223, low: -0.3, high: -0.1, confidence: 0.95 };
    expect(geomeanText(report)).toContain('−22.3% better');
  });

  it('says in the row when a metric was left undecided because its suite stopped at a regression', () => {
    const report = makeReport([
      { id: 'nano/a:time', unit: 's', direction: 'lower', median: 1e-7, ratio: 2, cv: 0.01 },
      { id: 'nano/b:time', unit: 's', direction: 'lower', median: 1e-7, ratio: 1, cv: 0.01 },
    ]);
    const b = report.results[1];
    b.outcome = 'inconclusive';
    b.stopReason = 'undecided at look 1 (10 rounds)';
    expect(stoppedUndecided(b)).toBe(true);
    expect(renderTerminal(report)).toMatch(/nano\/b:time .*\? undecided: suite stopped at a regression/);
    b.stopReason = 'undecided at max-rounds (50)';
    expect(stoppedUndecided(b)).toBe(false);
  });
});
