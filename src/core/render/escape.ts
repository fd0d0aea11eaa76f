/**
 * Escaping of untrusted text (suite names, metric ids, commands, harness output, refs) for
 * GitHub-flavoured markdown. After escaping, text cannot break a table row, open HTML, spoof
 * perfgate's hidden comment marker, mention a user or team, reference an issue, or reorder what
 * a reader sees (bidi controls are made visible by `neutralize`).
 */
import { neutralize, oneLine } from './text';

// Parentheses, `#`, `+` and `!` only matter at a line start or right after `]`, which the
// escaping of `[`/`]` and the removal of newlines already rule out.
const MARKDOWN_SPECIAL = /[\\`*_{}[\]|<>&~]/g;

/** Escapes text for inline use in markdown (including inside table cells). */
export function escapeMarkdown(text: string): string {
  return (
    oneLine(neutralize(text))
      .replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`)
      // @mentions and #123 / GH-123 references: a zero-width joiner breaks the autolink.
      .replace(/@(?=[A-Za-z0-9])/g, '@\u200d')
      .replace(/:(?=[a-z0-9_+-]+:)/g, ':\u200d')
  );
}

/** Wraps text as inline code that no backtick inside can close early (for commands, ids). */
export function inlineCode(text: string): string {
  // A table pipe would split the cell even inside code; an HTML comment opener could spoof
  // perfgate's hidden sticky-comment marker. Both become look-alikes.
  const clean = oneLine(neutralize(text))
    .replace(/\|/g, '\u2223')
    .replace(/<!--/g, '<!\u2010\u2010')
    .replace(/-->/g, '\u2010\u2010>');
  // An empty pair of backticks is no code span: it would pair with the next span's opening
  // fence and expose that span's content as markdown. A code span of one space is.
  if (clean === '') return '` `';
  const longest = Math.max(0, ...(clean.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  const pad = clean.startsWith('`') || clean.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/**
 * Escapes text for a fenced code block: the fence is longer than any run of backticks in the text,
 * so no line can close it (whatever its indentation).
 */
export function codeBlock(untrusted: string, language = ''): string {
  const text = neutralize(untrusted);
  const longest = Math.max(2, ...(text.match(/`+/g) ?? []).map((m) => m.length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text.replace(/\s+$/, '')}\n${fence}`;
}
