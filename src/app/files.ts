/**
 * Comparing result files made elsewhere (`perfgate compare`): each file is one harness
 * invocation, i.e. one replicate of one side. The samples go through the same gate as measured
 * ones, with a single look once every file is read (the rounds are as many as the files).
 */
import { existsSync, readFileSync } from 'node:fs';
import { harnessReplicate } from '../adapters/harness';
import { describeMetric } from '../core/metric';
import type { MetricId, MetricSamples } from '../core/model';
import type { Settings } from '../settings/settings';
import type { ReplicateFiles } from './io';
import { type Comparison, createGate, gateOptions } from './report';
import { reproduceCompare } from './reproduce';

/**
 * Reads every file and runs the gate on the samples. Throws on a missing or unreadable file,
 * naming it (and the line, where the harness parser can tell).
 */
export function compareFiles(settings: Settings, files: ReplicateFiles): Comparison {
  const samples = new Map<MetricId, MetricSamples>();
  const warnings = new Set<string>();
  for (const side of ['base', 'head'] as const) {
    for (const file of files[side]) {
      if (!existsSync(file)) throw new Error(`no such ${side} file: ${file}`);
      const replicate = harnessReplicate(files.name, files.format, readFileSync(file), file);
      for (const w of replicate.warnings) warnings.add(`${side} ${file}: ${w}`);
      for (const v of replicate.values) {
        const s = samples.get(v.id) ?? { ...describeMetric(files.name, v), base: [], head: [] };
        s[side].push(v.value);
        samples.set(v.id, s);
      }
    }
  }
  const rounds = Math.min(files.base.length, files.head.length);
  const options = gateOptions(settings, Math.max(1, rounds));
  const { gate, budgetWarnings } = createGate(settings, options);
  const look = gate.look([...samples.values()], rounds, true);
  const count = (n: number) => `${n} file${n === 1 ? '' : 's'}`;
  return {
    base: { sha: 'base', ref: count(files.base.length) },
    head: { sha: 'head', ref: count(files.head.length) },
    gate: options,
    looks: [rounds],
    rounds,
    results: look.results,
    geomean: look.geomean,
    durationS: 0,
    warnings: [
      ...[...warnings].map((text) => ({ code: 'replicate' as const, text })),
      ...look.warnings,
      ...budgetWarnings(),
    ],
    // The gate names, per metric, how many files a side would decide it.
    errors:
      rounds < 2
        ? [
            `Too few files: ${files.base.length} base and ${files.head.length} head; a comparison needs at least 2 per side, and a decision usually more (below).`,
            ...look.errors,
          ]
        : look.errors,
    reproduce: reproduceCompare(settings, files),
    looksTaken: gate.calls,
  };
}
