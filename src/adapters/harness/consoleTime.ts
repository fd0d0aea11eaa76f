/**
 * `console.time(label)` / `console.timeEnd(label)` output of the JavaScript runtimes:
 * - Node.js: `label: 1.234ms`, `label: 2.345s`, `label: 1:02.345 (m:ss.mmm)`,
 *   `label: 1:02:03.456 (h:mm:ss.mmm)` (nodejs/node `lib/internal/util/debuglog.js`, `formatTime`);
 * - Deno (and Bencher's `js_time`): `label: 1234ms - timer ended`;
 * - Bun: `[1.23ms] label`.
 * Other lines are ignored. A label timed several times in one run is reduced to the **median** of
 * its timings. Metric `time` (s).
 */
import { median } from '../../core/stats/quantiles';
import {
  BenchmarkCollector,
  type HarnessParseResult,
  NUMBER_TEXT,
  readNumber,
  requireText,
  textLines,
  timeFactor,
  timeMetric,
} from './common';

const EXPECTED =
  'console.timeEnd lines like "label: 1.234ms" (Node), "label: 1234ms - timer ended" (Deno) or "[1.23ms] label" (Bun)';
const UNIT = '(ns|µs|us|ms|s)';
const DENO = new RegExp(`^(.+):\\s+(${NUMBER_TEXT})${UNIT}\\s+-\\s+timer ended\\s*$`);
const NODE = new RegExp(`^(.+): (${NUMBER_TEXT})(ms|s)\\s*$`);
const NODE_LONG = /^(.+): (?:(\d+):)?(\d+):(\d{2}(?:\.\d+)?) \((?:h:m)?m:ss\.mmm\)\s*$/;
const BUN = new RegExp(`^\\[(${NUMBER_TEXT})${UNIT}\\] (.+?)\\s*$`);

function timing(line: string, source: string): { label: string; seconds: number } | null {
  let m = DENO.exec(line);
  if (m) return { label: m[1], seconds: readNumber(m[2]) * timeFactor(m[3], source, m[1]) };
  m = NODE_LONG.exec(line);
  if (m) return { label: m[1], seconds: Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]) };
  m = NODE.exec(line);
  if (m) return { label: m[1], seconds: readNumber(m[2]) * timeFactor(m[3], source, m[1]) };
  m = BUN.exec(line);
  if (m) return { label: m[3], seconds: readNumber(m[1]) * timeFactor(m[2], source, m[3]) };
  return null;
}

export function parseConsoleTime(text: string, source: string): HarnessParseResult {
  requireText(text, source, EXPECTED);
  const byLabel = new Map<string, number[]>();
  for (const line of textLines(text)) {
    const t = timing(line, source);
    if (!t) continue;
    const label = t.label.trim();
    byLabel.set(label, [...(byLabel.get(label) ?? []), t.seconds]);
  }
  const out = new BenchmarkCollector(source, 'console.time');
  for (const [label, times] of byLabel) out.add(label, [timeMetric('time', median(times))]);
  return out.result(EXPECTED);
}
