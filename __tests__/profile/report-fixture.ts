/**
 * Deterministic reports with profiles for renderer tests: the realistic report of the HTML tests
 * (suite `cli` regressed) with the differential view of the real Node.js fixture recordings.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ComparisonReport } from '../../src/core/model';
import { differential } from '../../src/core/profile/diff';
import type { SuiteProfile } from '../../src/core/profile/types';
import { readCpuProfile, readHeapProfile } from '../../src/core/profile/v8';
import { HOSTILE, hostileReport, realisticReport } from '../render-html/fixtures/report';

const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'profile');
const json = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
const strip = (side: string) => (u: string) => u.replace(`file:///checkout/${side}/`, '');

/** The `cli` suite's profile, from the recorded fixture profiles. */
export function cliProfile(): SuiteProfile {
  const cpu = (side: string) =>
    readCpuProfile(json(`app-${side}.cpuprofile`), {
      file: strip(side),
      dropUrl: 'file:///perfgate/perfgate-profile-preload.cjs',
    });
  const heap = (side: string) => readHeapProfile(json(`app-${side}.heapprofile`), { file: strip(side) });
  const divisor = { base: 1, head: 1 };
  return {
    suite: 'cli',
    profiler: 'v8',
    metrics: ['cli:wall', 'cli:rss'],
    runs: { base: 1, head: 1 },
    views: [
      differential([cpu('base')], [cpu('head')], { kind: 'cpu', per: 'run', divisor }),
      differential([heap('base')], [heap('head')], { kind: 'heap', per: 'run', divisor }),
    ],
    files: ['perfgate-profiles/cli/base-1/353-0.cpuprofile', 'perfgate-profiles/cli/head-1/394-0.cpuprofile'],
    costS: 4.2,
    notes: [],
  };
}

export function profiledReport(): ComparisonReport {
  return { ...realisticReport(), profiles: [cliProfile()] };
}

/** Every string of the profile is hostile, and the suite matches the hostile report's. */
export function hostileProfiledReport(): ComparisonReport {
  const report = hostileReport();
  const p = cliProfile();
  const evil = `${HOSTILE}"'\`|</svg><script>alert(5)</script>`;
  p.suite = report.results[0].suite;
  p.files = [evil];
  p.notes = [evil];
  for (const v of p.views)
    v.functions = v.functions.map((f, i) => (i % 2 ? { ...f, name: evil } : { ...f, file: evil }));
  return { ...report, profiles: [p] };
}
