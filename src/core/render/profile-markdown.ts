/**
 * "Where the time went" in the markdown report: per profiled suite with a failing metric, the
 * functions whose cost grew most, base vs head, and the share of the regression each explains.
 * Pure; every string from the report is escaped.
 */
import { markdownTable } from 'markdown-table';
import type { ComparisonReport, MetricResult } from '../model';
import { shareOfGrowth } from '../profile/diff';
import type { ProfileFrame, ProfileView, SuiteProfile } from '../profile/types';
import { formatValue } from '../units';
import { escapeMarkdown, inlineCode } from './escape';

/** Rows per table in the comment; the HTML report has more. */
export const COMMENT_TOP = 5;
/** Suites with a table in the comment; the rest are in the HTML report. */
export const COMMENT_SUITES = 5;

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}

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

/** A function's source location for display: the file (its last two path segments) and line; `native` for V8 builtins. */
export function whereText(f: ProfileFrame): string {
  if (f.file === '') return f.name.startsWith('(') ? '' : 'native';
  const parts = f.file.split('/').filter(Boolean);
  const file = f.file.startsWith('/') && parts.length > 2 ? `…/${parts.slice(-2).join('/')}` : f.file;
  return f.line === null ? file : `${file}:${f.line}`;
}

function signed(v: number, unit: string): string {
  const text = formatValue(Math.abs(v), unit);
  return v < 0 ? `−${text}` : `+${text}`;
}

/** What a view's costs are, as a noun: time, bytes or instructions. */
export function costNoun(view: Pick<ProfileView, 'kind' | 'unit'>): string {
  return view.kind === 'heap' ? 'bytes' : view.unit === 'count' ? 'instructions' : 'time';
}

/** What opens a profiler's raw files. */
export function rawFilesHint(profiler: SuiteProfile['profiler']): string {
  if (profiler === 'perf') return '`perf script` text: open in speedscope';
  if (profiler === 'callgrind') return '`callgrind.out`: open in KCachegrind or QCachegrind';
  return '`.cpuprofile`: open in speedscope or Chrome DevTools';
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
  return `${tool}, ${runs}; ${what} per ${view.per}`;
}

function table(view: ProfileView): string {
  const rows = view.top.slice(0, COMMENT_TOP).map((c) => {
    const f = view.functions[c.fn];
    const share = shareOfGrowth(view, c);
    const where = whereText(f);
    return [
      `${inlineCode(clip(f.name, 80))}${where ? ` ${escapeMarkdown(clip(where, 60))}` : ''}`,
      formatValue(c.baseSelf, view.unit),
      formatValue(c.headSelf, view.unit),
      signed(c.headSelf - c.baseSelf, view.unit),
      share === null ? '—' : `${Math.round(share * 100)} %`,
    ];
  });
  return markdownTable([['Function', 'Base', 'Head', 'Change', 'Share'], ...rows], {
    align: ['l', 'r', 'r', 'r', 'r'],
  });
}

/**
 * The section for the profiled suites with failing metrics (accepted or not). Empty when there is
 * nothing to show.
 */
export function renderProfileMarkdown(report: ComparisonReport): string[] {
  const failing = new Map<string, MetricResult[]>();
  for (const r of report.results) {
    if (r.outcome !== 'regression' && r.outcome !== 'breach') continue;
    failing.set(r.suite, [...(failing.get(r.suite) ?? []), r]);
  }
  const profiles = (report.profiles ?? []).filter((p) => failing.has(p.suite));
  const out: string[] = [];
  for (const profile of profiles.slice(0, COMMENT_SUITES)) {
    const metrics = failing.get(profile.suite)!;
    out.push(`#### Where the time went: ${inlineCode(profile.suite)}`, '');
    const byView = new Map<ProfileView, MetricResult[]>();
    for (const m of metrics) {
      const v = viewFor(profile, m);
      if (v) byView.set(v, [...(byView.get(v) ?? []), m]);
    }
    for (const [view, ms] of byView) {
      out.push(`${ms.map((m) => inlineCode(m.id)).join(', ')} — ${escapeMarkdown(viewCaption(profile, view))}`, '');
      if (view.top.length === 0) {
        out.push(
          `_No function costs more on head in these profiles${view.kind === 'cpu' ? ': the time may have gone to waiting (I/O, sleeps, locks), which a CPU profile does not see' : ''}._`,
          '',
        );
        continue;
      }
      const grew = view.headTotal - view.baseTotal;
      out.push(table(view), '');
      out.push(
        `<sub>Share: of the growth of all profiled ${costNoun(view)} (${grew > 0 ? signed(grew, view.unit) : 'none'} per ${view.per}).</sub>`,
        '',
      );
    }
    for (const note of profile.notes) out.push(`_${escapeMarkdown(note)}_`, '');
    if (profile.files.length > 0)
      out.push(
        `<sub>Raw profiles: ${profile.files.length} files under ${inlineCode(commonDir(profile.files))} beside the results (${rawFilesHint(profile.profiler)}). The HTML report has the flame graph.</sub>`,
        '',
      );
  }
  if (profiles.length > COMMENT_SUITES)
    out.push(`_${profiles.length - COMMENT_SUITES} more profiled suites are in the HTML report._`, '');
  return out;
}
