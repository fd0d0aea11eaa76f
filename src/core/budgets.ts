/**
 * Budget rules: what worsening each metric may show before the gate fails.
 *
 * The `budget` input is the default relative rule. The `budgets` input holds one rule a line,
 * `PATTERN: RULE`, where PATTERN is a glob over metric ids (`*` does not cross `/`, `**` does)
 * and RULE is `10%` (relative), `< 200ms` / `<= 1.5s` / `< 300MB` / `> 1000/s` (an absolute
 * bound on the head value) or `off`. The most specific matching pattern wins: the one with the
 * most literal characters, then the fewest wildcards, then the later rule (the `budgets` input's
 * rules come after the config file's).
 */
import picomatch from 'picomatch';
import type { BudgetRule, MetricId, Unit } from './model';
import { parsePercent, parseQuantity } from './units';

/** A budget rule with the pattern that selects its metrics. */
export interface BudgetEntry {
  pattern: string;
  rule: BudgetRule;
  /** 1-based line within the `budgets` input. */
  line: number;
  matches: (id: MetricId) => boolean;
  literalChars: number;
  wildcards: number;
}

/** A parse problem, naming the line and what is expected. */
export interface BudgetIssue {
  line: number;
  message: string;
}

const RULE_HELP =
  'expected a relative budget like "10%", an absolute bound like "< 200ms", "<= 1.5s", "< 300MB", "> 1000/s", or "off"';

/** Parses one RULE (the text after `PATTERN:`, or the `budget` input). */
export function parseBudgetRule(text: string): BudgetRule | string {
  const source = text.trim();
  if (source === 'off') return { kind: 'off', source };
  const percent = parsePercent(source);
  if (percent !== null) {
    if (!(percent > 0)) return `budget must be above 0%, got "${source}"`;
    if (percent > 10) return `budget "${source}" is over 1000%: expected a percentage like "5%"`;
    return { kind: 'relative', limit: percent, source };
  }
  const m = /^(<=|>=|<|>)\s*(.+)$/.exec(source);
  if (m) {
    const q = parseQuantity(m[2]);
    if (!q) return `cannot read the bound "${m[2].trim()}": ${RULE_HELP}`;
    if (!Number.isFinite(q.value)) return `the bound "${m[2].trim()}" is not a finite number: ${RULE_HELP}`;
    return { kind: 'absolute', op: m[1] as '<' | '<=' | '>' | '>=', bound: q.value, unit: q.unit, source };
  }
  return `cannot read the rule "${source}": ${RULE_HELP}`;
}

/** Parses the `budgets` input: one `PATTERN: RULE` a line; blank lines and `#` comments are skipped. */
export function parseBudgetLines(text: string): { entries: BudgetEntry[]; issues: BudgetIssue[] } {
  const entries: BudgetEntry[] = [];
  const issues: BudgetIssue[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const content = raw.replace(/(^|\s)#.*$/, '').trim();
    if (content === '') return;
    // The rule never contains ':' while metric ids always do, so split at the last ': '.
    const at = content.lastIndexOf(': ');
    if (at <= 0) {
      issues.push({ line, message: `expected "PATTERN: RULE" (e.g. "cli:wall: 10%"), got "${content}"` });
      return;
    }
    const pattern = content.slice(0, at).trim();
    const rule = parseBudgetRule(content.slice(at + 2));
    if (typeof rule === 'string') {
      issues.push({ line, message: rule });
      return;
    }
    const wildcards = (pattern.match(/[*?[\]{}]/g) ?? []).length;
    entries.push({
      pattern,
      rule,
      line,
      matches: picomatch(pattern, { dot: true }),
      literalChars: pattern.length - wildcards,
      wildcards,
    });
  });
  return { entries, issues };
}

/** Units an absolute rule can be compared in: a rule written in `fraction` (%) or `count` fits any dimensionless metric. */
function unitsCompatible(ruleUnit: Unit, metricUnit: Unit): boolean {
  if (ruleUnit === metricUnit) return true;
  if (ruleUnit === 'count') return !['s', 'B', '1/s', 'B/s'].includes(metricUnit);
  return false;
}

/** The outcome of looking up a metric's budget. */
export interface BudgetLookup {
  rule: BudgetRule;
  /** Rules that matched but could not apply (unit mismatch), as warnings. */
  warnings: string[];
}

/**
 * Picks the rule for a metric: the most specific matching entry whose unit fits, else the default.
 */
export function budgetFor(
  id: MetricId,
  unit: Unit,
  entries: readonly BudgetEntry[],
  fallback: BudgetRule,
): BudgetLookup {
  const warnings: string[] = [];
  // Ties go to the later entry: the config file's rules come first, the `budgets` input's after.
  const ranked = entries
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => entry.matches(id))
    .sort(
      (a, b) =>
        b.entry.literalChars - a.entry.literalChars || a.entry.wildcards - b.entry.wildcards || b.index - a.index,
    )
    .map(({ entry }) => entry);
  for (const entry of ranked) {
    if (entry.rule.kind === 'absolute' && !unitsCompatible(entry.rule.unit, unit)) {
      warnings.push(
        `Budget line ${entry.line} ("${entry.pattern}: ${entry.rule.source}") matches ${id}, but that metric is measured in ${unit}; the rule was skipped for it.`,
      );
      continue;
    }
    return { rule: entry.rule, warnings };
  }
  return { rule: fallback, warnings };
}
