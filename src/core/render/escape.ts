/**
 * Escaping of untrusted text (suite names, metric ids, commands, harness output, refs) for
 * GitHub-flavoured markdown. After escaping, text cannot break a table row, open HTML, spoof
 * perfgate's hidden comment marker, mention a user or team, reference an issue, pull request or
 * commit, become a link, or reorder what a reader sees (bidi controls are made visible by
 * `neutralize`). Inside code (spans and fenced blocks) GitHub links nothing; everywhere else,
 * `defang` breaks what it would link.
 */
import { neutralize, oneLine } from './text';

// Parentheses, `#`, `+` and `!` only matter at a line start or right after `]`, which the
// escaping of `[`/`]` and the removal of newlines already rule out.
const MARKDOWN_SPECIAL = /[\\`*_{}[\]|<>&~]/g;

/** U+200D ZERO WIDTH JOINER: invisible, and no GitHub autolink pattern matches across it. */
const JOIN = '\u200d';

/**
 * Breaks everything GitHub would turn into a link, a reference or a mention in rendered text, by a
 * zero-width joiner right inside the pattern (GitHub links after rendering, in text nodes, so an
 * HTML entity would not do): @mentions and e-mail addresses, `#123`, `owner/repo#123` and `GH-123`
 * references, commit SHAs (runs of 7 or more hex digits, broken every 6), bare `https://…` and
 * `www.…` URLs, and `:emoji:` codes.
 */
export function defang(text: string): string {
  return text
    .replace(/@(?=[A-Za-z0-9])/g, `@${JOIN}`)
    .replace(/#(?=\d)/g, `#${JOIN}`)
    .replace(/\b(gh)-(?=\d)/gi, `$1-${JOIN}`)
    .replace(/:(?=\/\/)/g, `:${JOIN}`)
    .replace(/(www)\./gi, `$1${JOIN}.`)
    .replace(/(?<![0-9a-f])[0-9a-f]{7,}(?![0-9a-f])/gi, (run) => run.replace(/(.{6})(?=.)/g, `$1${JOIN}`))
    .replace(/:(?=[a-z0-9_+-]+:)/g, `:${JOIN}`);
}

/** Escapes text for inline use in markdown (including inside table cells). */
export function escapeMarkdown(text: string): string {
  // Defanged before the specials become entities: their `&#NN;` must stay intact.
  return defang(oneLine(neutralize(text))).replace(MARKDOWN_SPECIAL, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Text as code inside raw HTML (a `<summary>` line, which GitHub does not read as markdown, so a
 * backtick code span there would be literal backticks around live text): a `<code>` element with
 * the text HTML-escaped and defanged.
 */
export function htmlCode(text: string): string {
  const escaped = defang(oneLine(neutralize(text))).replace(/[&<>"'|`*_~[\]\\]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<code>${escaped === '' ? ' ' : escaped}</code>`;
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
