/**
 * Parsing and formatting of quantities. Everything is parsed into the canonical units of
 * `model.ts` (seconds, bytes, 1/s) and formatted out of them only for display.
 */
import type { Unit } from './model';

/**
 * Seconds per time unit: the abbreviations of perfgate's inputs (`ns` … `h`) and the ones harnesses
 * write (`ps`, `sec`, `hr`, `day`, the Greek-mu `μs` beside the micro-sign `µs`).
 */
export const TIME_FACTORS: Readonly<Record<string, number>> = {
  ps: 1e-12,
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  sec: 1,
  m: 60,
  min: 60,
  h: 3600,
  hr: 3600,
  day: 86400,
};

/** Bytes per size unit (decimal and binary prefixes). */
export const SIZE_FACTORS: Readonly<Record<string, number>> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** A parsed quantity: a number in a canonical unit. */
export interface Quantity {
  value: number;
  unit: Unit;
}

const NUMBER = '([0-9]+(?:\\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)';

/**
 * Parses a duration such as `10m`, `1.5s`, `200ms` or `250us` into seconds.
 * Returns null when the text is not a duration.
 */
export function parseDuration(text: string): number | null {
  const match = new RegExp(`^${NUMBER}\\s*(ns|us|µs|ms|s|min|m|h)$`).exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * TIME_FACTORS[match[2]];
}

/**
 * Parses a quantity with a unit: a duration (`200ms`), a size (`300MB`, `1GiB`), a rate
 * (`1000/s`, `5MB/s`), a percentage (`2%`, as a fraction) or a bare number (`count`).
 */
export function parseQuantity(text: string): Quantity | null {
  const t = text.trim();
  const seconds = parseDuration(t);
  if (seconds !== null) return { value: seconds, unit: 's' };
  const sizes = Object.keys(SIZE_FACTORS).join('|');
  let m = new RegExp(`^${NUMBER}\\s*(${sizes})$`).exec(t);
  if (m) return { value: Number(m[1]) * SIZE_FACTORS[m[2]], unit: 'B' };
  // A size per second, minute or hour (`5MB/s`, `1MB/min` for a memory growth rate), in B/s.
  m = new RegExp(`^${NUMBER}\\s*(${sizes})/(s|min|h)$`).exec(t);
  if (m) return { value: (Number(m[1]) * SIZE_FACTORS[m[2]]) / TIME_FACTORS[m[3]], unit: 'B/s' };
  m = new RegExp(`^${NUMBER}\\s*(?:/s|rps|ops/s|req/s)$`).exec(t);
  if (m) return { value: Number(m[1]), unit: '1/s' };
  m = new RegExp(`^${NUMBER}\\s*%$`).exec(t);
  if (m) return { value: Number(m[1]) / 100, unit: 'fraction' };
  m = new RegExp(`^${NUMBER}$`).exec(t);
  if (m) return { value: Number(m[1]), unit: 'count' };
  return null;
}

/** Parses a percentage such as `5%` or `0.5%` into a fraction (0.05). Null when malformed. */
export function parsePercent(text: string): number | null {
  const m = new RegExp(`^${NUMBER}\\s*%$`).exec(text.trim());
  return m ? Number(m[1]) / 100 : null;
}

function trimNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs === 0) return '0';
  const decimals = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : digits;
  return x
    .toFixed(decimals)
    .replace(/(\.\d*?)0+$/, '$1')
    .replace(/\.$/, '');
}

/** Formats a duration in seconds with a unit a person reads at a glance (ns, µs, ms, s, min). */
export function formatDuration(seconds: number): string {
  const abs = Math.abs(seconds);
  if (abs === 0) return '0 s';
  if (abs < 1e-6) return `${trimNumber(seconds * 1e9)} ns`;
  if (abs < 1e-3) return `${trimNumber(seconds * 1e6)} µs`;
  if (abs < 1) return `${trimNumber(seconds * 1e3)} ms`;
  if (abs < 120) return `${trimNumber(seconds)} s`;
  return `${trimNumber(seconds / 60)} min`;
}

/** Formats bytes with decimal prefixes (kB, MB, GB), as `ls -h --si` and most dashboards do. */
export function formatBytes(bytes: number): string {
  const abs = Math.abs(bytes);
  if (abs < 1e3) return `${trimNumber(bytes)} B`;
  if (abs < 1e6) return `${trimNumber(bytes / 1e3)} kB`;
  if (abs < 1e9) return `${trimNumber(bytes / 1e6)} MB`;
  return `${trimNumber(bytes / 1e9)} GB`;
}

/** Formats a value in its canonical unit for display. Custom units are appended verbatim. */
export function formatValue(value: number, unit: Unit): string {
  switch (unit) {
    case 's':
      return formatDuration(value);
    case 'B':
      return formatBytes(value);
    case 'B/s':
      return `${formatBytes(value)}/s`;
    case '1/s':
      if (Math.abs(value) >= 1e6) return `${trimNumber(value / 1e6)}M/s`;
      if (Math.abs(value) >= 1e4) return `${trimNumber(value / 1e3)}k/s`;
      return `${trimNumber(value)}/s`;
    case 'count':
      return trimNumber(value);
    case 'fraction':
      return `${trimNumber(value * 100)} %`;
    default:
      return `${trimNumber(value)} ${unit}`;
  }
}

/** Formats a fraction as a signed percentage: 0.031 → `+3.1%`, −0.2 → `−20%`. */
export function formatSignedPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? '+∞%' : '−∞%';
  const pct = fraction * 100;
  const text = Math.abs(pct).toFixed(digits);
  if (Number(text) === 0) return `${(0).toFixed(digits)}%`;
  return `${pct < 0 ? '−' : '+'}${text}%`;
}
