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

/**
 * How values of one unit are shown at one magnitude: displayed = canonical / `divisor`, followed
 * by `suffix` (after a space when `spaced`). The one table of display units: single values
 * (`formatValue`) pick it from their own magnitude, charts from the typical magnitude of their
 * values, so a chart's axis and the table beside it speak the same unit.
 */
export interface DisplayScale {
  divisor: number;
  /** Unit label, e.g. `ms`, `MB`, `k/s`, `%`; empty for counts. */
  suffix: string;
  spaced: boolean;
}

const scale = (divisor: number, suffix: string, spaced = true): DisplayScale => ({ divisor, suffix, spaced });

/** The display unit for values of `unit` around `magnitude` (an absolute value in the canonical unit). */
export function displayScale(unit: Unit, magnitude: number): DisplayScale {
  const m = Math.abs(magnitude);
  switch (unit) {
    case 's':
      if (m === 0 || !Number.isFinite(m)) return scale(1, 's');
      if (m < 1e-6) return scale(1e-9, 'ns');
      if (m < 1e-3) return scale(1e-6, 'µs');
      if (m < 1) return scale(1e-3, 'ms');
      if (m < 120) return scale(1, 's');
      return scale(60, 'min');
    case 'B':
    case 'B/s': {
      const per = unit === 'B/s' ? '/s' : '';
      if (m < 1e3) return scale(1, `B${per}`);
      if (m < 1e6) return scale(1e3, `kB${per}`);
      if (m < 1e9) return scale(1e6, `MB${per}`);
      return scale(1e9, `GB${per}`);
    }
    case '1/s':
      if (m < 1e4) return scale(1, '/s', false);
      if (m < 1e6) return scale(1e3, 'k/s', false);
      return scale(1e6, 'M/s', false);
    case 'fraction':
      return scale(0.01, '%');
    case 'count':
      // Instruction counts run to billions: 90.1M reads at a glance, 90128347 does not.
      if (m >= 1e9) return scale(1e9, 'G', false);
      if (m >= 1e6) return scale(1e6, 'M', false);
      return scale(1, '', false);
    default:
      return scale(1, unit);
  }
}

/** A value in a given display scale, e.g. `412 ms`, `12k/s`. */
function formatScaled(value: number, s: DisplayScale): string {
  const n = trimNumber(value / s.divisor);
  return s.suffix ? `${n}${s.spaced ? ' ' : ''}${s.suffix}` : n;
}

/** The unit label of a scale for axis titles: `ms`, `1/s` (a bare `/s` reads oddly alone). */
export function scaleLabel(s: DisplayScale): string {
  return s.suffix === '/s' ? '1/s' : s.suffix;
}

/** Formats a duration in seconds with a unit a person reads at a glance (ns, µs, ms, s, min). */
export function formatDuration(seconds: number): string {
  return formatValue(seconds, 's');
}

/** Formats a value in its canonical unit for display (decimal prefixes for bytes, as `ls -h --si` does). */
export function formatValue(value: number, unit: Unit): string {
  return formatScaled(value, displayScale(unit, value));
}

/**
 * A growth rate (a value per second) as the soak settings write it, per minute: `1 MB/min` for a
 * memory growth in B/s, `0.5/min` for file descriptors in 1/s; other units as `formatValue`.
 */
export function formatGrowth(perSecond: number, unit: Unit): string {
  if (!Number.isFinite(perSecond)) return perSecond > 0 ? '∞' : '−∞';
  if (unit === 'B/s') return `${formatValue(perSecond * 60, 'B')}/min`;
  if (unit === '1/s') return `${trimNumber(perSecond * 60)}/min`;
  return formatValue(perSecond, unit);
}

/** Formats a fraction as a signed percentage: 0.031 → `+3.1%`, −0.2 → `−20.0%`. */
export function formatSignedPercent(fraction: number, digits = 1): string {
  if (!Number.isFinite(fraction)) return fraction > 0 ? '+∞%' : '−∞%';
  const pct = fraction * 100;
  const text = Math.abs(pct).toFixed(digits);
  if (Number(text) === 0) return `${(0).toFixed(digits)}%`;
  return `${pct < 0 ? '−' : '+'}${text}%`;
}

/**
 * A plain decimal with about `significant` digits and never an exponent (Mermaid's number
 * grammar and chart tick labels want plain decimals): 12.3456 → `12.35`, 0.000123 → `0.000123`.
 */
export function plainNumber(x: number, significant = 4): string {
  if (!Number.isFinite(x)) return '0';
  if (x === 0) return '0';
  // toFixed switches to exponent notation from 1e21 on; BigInt prints every digit.
  if (Math.abs(x) >= 1e21) return BigInt(Math.round(x)).toString();
  const magnitude = Math.floor(Math.log10(Math.abs(x)));
  const decimals = Math.min(12, Math.max(0, significant - 1 - magnitude));
  const text = x.toFixed(decimals);
  const trimmed = text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text;
  return trimmed === '-0' ? '0' : trimmed;
}
