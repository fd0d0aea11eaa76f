/**
 * "Where the time went" as one model that the comment, the terminal and the HTML report draw: per
 * profiled suite with a failing metric, the functions whose cost grew most, base vs head, and the
 * share of the growth each explains, with a caption saying how costs were normalized. Pure. Text
 * here is untrusted and unescaped: each renderer escapes it for its medium.
 */
import { type ComparisonReport, FAILING_OUTCOMES, type MetricResult } from '../model';
import { shareOfGrowth } from '../profile/diff';
import type { FunctionCost, ProfileFrame, ProfileView, SuiteProfile } from '../profile/types';
import { formatValue } from '../units';

/** A function's source location for display: package, file and line; `native` for V8 builtins. */
export function whereText(f: ProfileFrame): string {
  if (f.file === '') return f.name.startsWith('(') ? '' : 'native';
  const parts = f.file.split('/').filter(Boolean);
  const file = !f.package && f.file.startsWith('/') && parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : f.file;
  const at = f.line === null ? file : `${file}:${f.line}`;
  return f.package ? `${f.package} ${at}` : at;
}

/** A cost for display: a share of the side's profile (`18.4 %`), else time or bytes. */
export function costText(v: number, view: Pick<ProfileView, 'per' | 'unit'>): string {
  if (!Number.isFinite(v)) return '—';
  if (view.per === 'share') return `${(v * 100).toFixed(v < 0.001 && v > 0 ? 2 : 1)} %`;
  return formatValue(v, view.unit);
}

/** A signed change of cost: `+164 ms`, `−2.1 ms`, or in points of share (`+21.5 pts`). */
export function growthText(v: number, view: Pick<ProfileView, 'per' | 'unit'>): string {
  if (!Number.isFinite(v)) return '—';
  const sign = v < 0 ? '−' : '+';
  if (view.per === 'share') return `${sign}${Math.abs(v * 100).toFixed(1)} pts`;
  return `${sign}${formatValue(Math.abs(v), view.unit)}`;
}

/** What a view's costs are, as a noun: time, bytes or instructions. */
export function costNoun(view: Pick<ProfileView, 'kind' | 'unit'>): string {
  return view.kind === 'heap' ? 'bytes' : view.unit === 'count' ? 'instructions' : 'time';
}

/** Which view explains a metric: the heap profile for memory, else the CPU profile. */
export function viewFor(profile: SuiteProfile, metric: Pick<MetricResult, 'unit'>): ProfileView | undefined {
  const kind = metric.unit === 'B' ? 'heap' : 'cpu';
  return profile.views.find((v) => v.kind === kind) ?? profile.views.find((v) => v.kind === 'cpu');
}

/** One line saying what was profiled and how costs are counted. */
export function viewCaption(profile: SuiteProfile, view: ProfileView): string {
  const tool =
    view.kind === 'heap'
      ? 'V8 sampling heap profiles (live allocations at exit)'
      : profile.profiler === 'perf'
        ? 'perf CPU profiles'
        : profile.profiler === 'callgrind'
          ? 'callgrind instruction counts (exact, not sampled)'
          : 'V8 CPU profiles';
  const runs =
    profile.runs.base === profile.runs.head
      ? `${profile.runs.head} run${profile.runs.head === 1 ? '' : 's'} per side`
      : `${profile.runs.base} base and ${profile.runs.head} head runs`;
  const what = `self ${costNoun(view)}`;
  if (view.per === 'share') {
    const each = view.perRun
      ? `: ${formatValue(view.perRun.base, view.unit)} and ${formatValue(view.perRun.head, view.unit)} per run`
      : '';
    return `${tool}, ${runs}; ${what} as a share of each side's profile (the harness ran for a fixed time${each})`;
  }
  return `${tool}, ${runs}; ${what} per ${view.per}`;
}

/** What "Share" divides by, in words. */
export function shareLegend(view: ProfileView): string {
  const grew = view.grown ?? view.headTotal - view.baseTotal;
  const amount = grew > 0 ? growthText(grew, view) : 'none';
  const per = view.per === 'share' ? '' : ` per ${view.per}`;
  return `Share: of the growth of the functions listed and below them, each grown in every profiled run (${amount}${per}); they add up to 100 %.`;
}

export interface ProfileRow {
  cost: FunctionCost;
  name: string;
  where: string;
  base: string;
  head: string;
  change: string;
  share: string;
}

export interface ProfileBlock {
  view: ProfileView;
  /** The failing metrics this view explains. */
  metrics: string[];
  caption: string;
  rows: ProfileRow[];
  /** Said instead of rows when nothing grew. */
  empty: string | null;
  legend: string;
}

export interface ProfileSection {
  profile: SuiteProfile;
  blocks: ProfileBlock[];
  notes: string[];
  /** The directory the raw profiles are in, relative to the results (`perfgate-profiles/cli/`), and how many. */
  files: { dir: string; count: number; kind: string; viewers: string } | null;
}

/** What the raw profile files are, per profiler, and what opens them. */
export const RAW_FILES: Record<'v8' | 'perf' | 'callgrind', { kind: string; viewers: string }> = {
  v8: { kind: '`.cpuprofile`', viewers: 'speedscope or Chrome DevTools' },
  perf: { kind: '`perf script` text', viewers: 'speedscope' },
  callgrind: { kind: '`callgrind.out`', viewers: 'KCachegrind or QCachegrind' },
};

/** The longest directory all `files` lie in ('.' when none). */
function commonDir(files: readonly string[]): string {
  let common = files[0].split('/').slice(0, -1);
  for (const f of files) {
    const parts = f.split('/').slice(0, -1);
    let i = 0;
    while (i < common.length && common[i] === parts[i]) i++;
    common = common.slice(0, i);
  }
  return common.length ? `${common.join('/')}/` : '.';
}

/** The rows of a view's ranked functions (at most `max`). */
export function profileRows(view: ProfileView, max: number): ProfileRow[] {
  return view.top.slice(0, max).map((c) => {
    const f = view.functions[c.fn] ?? { name: '?', file: '', line: null };
    const share = shareOfGrowth(view, c);
    return {
      cost: c,
      name: f.name,
      where: whereText(f),
      base: costText(c.baseSelf, view),
      head: costText(c.headSelf, view),
      change: growthText(c.headSelf - c.baseSelf, view),
      share: share === null ? '—' : `${Math.round(share * 100)} %`,
    };
  });
}

/** The profiled suites with a failing metric (accepted or not), each with its blocks of rows. */
export function profileSections(report: ComparisonReport, rows: number): ProfileSection[] {
  const failing = new Map<string, MetricResult[]>();
  for (const r of report.results) {
    if (!FAILING_OUTCOMES.has(r.outcome)) continue;
    failing.set(r.suite, [...(failing.get(r.suite) ?? []), r]);
  }
  return (report.profiles ?? [])
    .filter((p) => failing.has(p.suite))
    .map((profile) => {
      const byView = new Map<ProfileView, MetricResult[]>();
      for (const m of failing.get(profile.suite)!) {
        const v = viewFor(profile, m);
        if (v) byView.set(v, [...(byView.get(v) ?? []), m]);
      }
      const blocks = [...byView].map(([view, ms]) => ({
        view,
        metrics: ms.map((m) => m.id),
        caption: viewCaption(profile, view),
        rows: profileRows(view, rows),
        empty:
          view.top.length > 0
            ? null
            : `No function's cost grew with its share of the profile in every profiled run${view.kind === 'cpu' && view.per !== 'share' ? ': the time may have gone to waiting (I/O, sleeps, locks), which a CPU profile does not see' : ''}.`,
        legend: shareLegend(view),
      }));
      const raw = profile.profiler === 'none' ? RAW_FILES.v8 : RAW_FILES[profile.profiler];
      return {
        profile,
        blocks,
        notes: profile.notes,
        files:
          profile.files.length > 0
            ? {
                dir: commonDir(profile.files),
                count: profile.files.length,
                ...raw,
              }
            : null,
      };
    });
}
