/**
 * Instruction counts from valgrind-based Rust harnesses, in any of their outputs (told apart by
 * their content):
 * - Gungraun (formerly iai-callgrind) on stdout (gungraun/gungraun, bencherdev/bencher
 *   `lib/bencher_adapter/src/adapters/rust/gungraun_stdout.rs`): the benchmark's
 *   `module::path id:args` (possibly over several lines), then indented metric lines
 *   `  Instructions:   1734|1650   (+5.09%) [+1.05x]` — the number before `|` is this run's, the
 *   rest compares with the previous run and is ignored — optionally under tool headers
 *   `  ======= CALLGRIND ====`, `DHAT`, `MEMCHECK`…;
 * - Gungraun's JSON summaries (`--output-format=json` / `pretty-json`, one per benchmark, version
 *   6 of its summary schema, mixed with other output): the `total` summary of every profile;
 * - Iai (bheisler/iai): the benchmark name, then `  Instructions:  1243 (+1.1%)`, `L1 Accesses`,
 *   `L2 Accesses`, `RAM Accesses`, `Estimated Cycles`.
 *
 * Metrics are named as the tool names them, in lower case with `-` (`instructions`, `l1-hits`,
 * `estimated-cycles`, `total-read-write`, DHAT's `total-bytes`; error-checking tools' counts get the
 * tool's name first, `memcheck-errors`). They are exact counts from one simulated run — no noise:
 * `count` (lower is better), `…bytes` in B, `… rate` metrics as fractions (`l1-hit-rate`
 * higher is better, the others lower).
 */
import type { Direction, Unit } from '../../core/model';
import {
  BenchmarkCollector,
  type HarnessMetric,
  HarnessParseError,
  type HarnessParseResult,
  isObject,
  NUMBER_TEXT,
  readNumber,
  requireText,
  textLines,
} from './common';

const EXPECTED =
  'Gungraun/iai-callgrind or Iai output: a benchmark name, then indented lines like "  Instructions:  1734|N/A  (*********)", or Gungraun JSON summaries';

const METRIC_LINE = new RegExp(
  `^\\s+([A-Za-z][A-Za-z0-9 +.\\-]*?):\\s+(${NUMBER_TEXT})(?:\\s*\\|.*|\\s+\\(.*\\)(?:\\s+\\[.*\\])?)?\\s*$`,
);
const TOOL_LINE = /^\s+=+ ([A-Z][A-Z0-9]*) =+\s*$/;
const ERROR_TOOLS = new Set(['memcheck', 'helgrind', 'drd']);

/** A label as the stdout report prints it → the metric name: `L1 Hit Rate` → `l1-hit-rate`. */
function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The JSON summaries' metric keys whose stdout label differs (gungraun `EventKind`, `DhatMetric`, `ErrorMetric`). */
const JSON_LABELS: Record<string, string> = {
  Ir: 'Instructions',
  L1hits: 'L1 Hits',
  LLhits: 'LL Hits',
  RamHits: 'RAM Hits',
  TotalRW: 'Total read+write',
  EstimatedCycles: 'Estimated Cycles',
  I1MissRate: 'I1 Miss Rate',
  D1MissRate: 'D1 Miss Rate',
  LLiMissRate: 'LLi Miss Rate',
  LLdMissRate: 'LLd Miss Rate',
  LLMissRate: 'LL Miss Rate',
  L1HitRate: 'L1 Hit Rate',
  LLHitRate: 'LL Hit Rate',
  RamHitRate: 'RAM Hit Rate',
  TotalBytes: 'Total bytes',
  TotalBlocks: 'Total blocks',
  TotalUnits: 'Total units',
  TotalEvents: 'Total events',
  TotalLifetimes: 'Total lifetimes',
  AtTGmaxBytes: 'At t-gmax bytes',
  AtTGmaxBlocks: 'At t-gmax blocks',
  AtTEndBytes: 'At t-end bytes',
  AtTEndBlocks: 'At t-end blocks',
  ReadsBytes: 'Reads bytes',
  WritesBytes: 'Writes bytes',
  MaximumBytes: 'Maximum bytes',
  MaximumBlocks: 'Maximum blocks',
  SuppressedErrors: 'Suppressed Errors',
  SuppressedContexts: 'Suppressed Contexts',
};

function metric(name: string, value: number): HarnessMetric {
  let unit: Unit = 'count';
  let direction: Direction = 'lower';
  let v = value;
  if (/-rate$/.test(name)) {
    unit = 'fraction';
    v = value / 100;
    if (name === 'l1-hit-rate') direction = 'higher';
  } else if (/(^|-)bytes$/.test(name)) unit = 'B';
  return { name, unit, direction, value: v };
}

/** The stdout report (Gungraun, iai-callgrind, Iai). */
function parseStdout(lines: string[], source: string, out: BenchmarkCollector): void {
  let name: string[] = [];
  let current: { name: string; metrics: HarnessMetric[] } | null = null;
  let tool = '';
  const flush = () => {
    if (current) out.add(current.name, current.metrics);
    current = null;
  };
  lines.forEach((line, index) => {
    const toolLine = TOOL_LINE.exec(line);
    if (toolLine && (current || name.length > 0)) {
      if (!current) {
        current = { name: name.join(' '), metrics: [] };
        name = [];
      }
      tool = toolLine[1].toLowerCase();
      return;
    }
    const m = METRIC_LINE.exec(line);
    if (m) {
      if (!current) {
        if (name.length === 0) return; // an indented "Label: N" line outside a benchmark
        current = { name: name.join(' '), metrics: [] };
        name = [];
        tool = '';
      }
      const base = slug(m[1]);
      const metricName = ERROR_TOOLS.has(tool) ? `${tool}-${base}` : base;
      const value = readNumber(m[2]);
      if (!Number.isFinite(value))
        throw new HarnessParseError(source, `benchmark "${current.name}": ${m[1]} is not a number`, index + 1);
      current.metrics.push(metric(metricName, value));
      return;
    }
    if (line.trim() === '' || /^\s/.test(line)) {
      flush();
      name = [];
      return;
    }
    flush();
    name.push(line.trim());
  });
  flush();
}

/** One Gungraun JSON summary (schema version 6): its benchmark name and metrics. */
function readSummary(doc: Record<string, unknown>, source: string, out: BenchmarkCollector): void {
  const name = `${doc.module_path}${doc.id !== null && doc.id !== undefined ? `::${doc.id}` : ''}`;
  const metrics: HarnessMetric[] = [];
  for (const profile of Array.isArray(doc.profiles) ? doc.profiles : []) {
    if (!isObject(profile) || !isObject(profile.summaries) || !isObject(profile.summaries.total)) continue;
    const summary = profile.summaries.total.summary;
    if (!isObject(summary)) continue;
    const tool = typeof profile.tool === 'string' ? profile.tool.toLowerCase() : '';
    for (const [kind, byMetric] of Object.entries(summary)) {
      if (!isObject(byMetric)) continue;
      for (const [label, diff] of Object.entries(byMetric)) {
        const both = isObject(diff) && isObject(diff.metrics) ? diff.metrics : null;
        const now = both ? (Array.isArray(both.Both) ? both.Both[0] : both.Left) : undefined;
        if (!isObject(now)) continue; // only the old run has it
        const value = typeof now.Int === 'number' ? now.Int : typeof now.Float === 'number' ? now.Float : Number.NaN;
        if (!Number.isFinite(value))
          throw new HarnessParseError(source, `benchmark "${name}": ${label} is not a finite number`);
        const base = slug(JSON_LABELS[label] ?? label);
        metrics.push(metric(kind === 'ErrorTool' && ERROR_TOOLS.has(tool) ? `${tool}-${base}` : base, value));
      }
    }
  }
  out.add(name, metrics);
}

/** The JSON summaries among the lines: one-line objects, or pretty ones from `{` to the `}` at its indent. */
function parseJsonSummaries(lines: string[], source: string, out: BenchmarkCollector): number {
  let found = 0;
  const read = (text: string) => {
    try {
      const doc = JSON.parse(text) as unknown;
      if (isObject(doc) && 'module_path' in doc && Array.isArray(doc.profiles)) {
        readSummary(doc, source, out);
        found++;
      }
    } catch (e) {
      if (e instanceof HarnessParseError) throw e;
      // not JSON, or another tool's: skipped
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const trimmed = lines[i].trim();
    if (trimmed === '{') {
      const indent = lines[i].length - lines[i].trimStart().length;
      const end = lines.findIndex((l, j) => j > i && l.trim() === '}' && l.length - l.trimStart().length === indent);
      if (end > i) {
        read(lines.slice(i, end + 1).join('\n'));
        i = end;
      }
    } else if (trimmed.startsWith('{') && trimmed.endsWith('}')) read(trimmed);
  }
  return found;
}

export function parseGungraun(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const lines = textLines(text);
  const out = new BenchmarkCollector(source, 'gungraun');
  if (/"module_path"\s*:/.test(text) && parseJsonSummaries(lines, source, out) > 0) return out.result(EXPECTED);
  parseStdout(lines, source, out);
  return out.result(EXPECTED);
}
