/** CSV with a header row, through csv-parse, for the harness formats that write CSV. */
import { parse } from 'csv-parse/sync';
import { HarnessParseError, requireText } from './common';

export interface CsvTable {
  header: string[];
  /** Data rows with their 1-based line numbers in the file. */
  rows: { cells: string[]; line: number }[];
}

/** Parses CSV text (RFC 4180 quoting) into a header and rows; errors name the line. */
export function parseCsv(text: string, source: string, expected: string): CsvTable {
  requireText(text, source, expected);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      skip_empty_lines: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    const what =
      err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH'
        ? 'a row has a different number of fields than the header (truncated?)'
        : err.message.replace(/ on line \d+$/, '');
    throw new HarnessParseError(source, `not valid CSV (${what}); expected ${expected}`, err.lines);
  }
  if (records.length === 0) throw new HarnessParseError(source, `no header row; expected ${expected}`);
  const [first, ...rest] = records;
  return {
    header: first.record.map((h) => h.trim()),
    rows: rest.map((r) => ({ cells: r.record, line: r.info.lines })),
  };
}

/** Index of each wanted column; throws naming the first missing one and what was found. */
export function columns<K extends string>(
  table: CsvTable,
  wanted: Record<K, readonly string[]>,
  source: string,
  expected: string,
): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(wanted) as K[]) {
    const i = table.header.findIndex((h) => wanted[key].includes(h));
    if (i < 0)
      throw new HarnessParseError(
        source,
        `no "${wanted[key][0]}" column in the header (found ${table.header
          .slice(0, 8)
          .map((h) => JSON.stringify(h))
          .join(', ')}${table.header.length > 8 ? ', …' : ''}); expected ${expected}`,
        1,
      );
    out[key] = i;
  }
  return out;
}

/** A numeric cell; throws naming the line, the column and what it held. */
export function numberCell(cells: string[], index: number, column: string, line: number, source: string): number {
  const raw = (cells[index] ?? '').trim();
  const v = raw === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(v))
    throw new HarnessParseError(source, `column "${column}": expected a number, got ${JSON.stringify(raw)}`, line);
  return v;
}
