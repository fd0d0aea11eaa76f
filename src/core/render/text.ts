/**
 * Untrusted text, before any medium-specific escaping: characters that could disguise what a
 * reader sees are made visible, and long names are shortened for display. Every renderer
 * (markdown, HTML, terminal) passes every string taken from a report through `neutralize`.
 */

/**
 * Bidirectional formatting characters (LRM/RLM, ALM, the embeddings and overrides U+202A–U+202E,
 * the isolates U+2066–U+2069): they reorder how the text around them is displayed, so a name
 * could read as something else (CVE-2021-42574, "Trojan Source").
 */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** C0 controls except tab and newline, DEL and C1 controls (ESC starts terminal escape sequences). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Makes spoofing characters visible: bidi controls become U+FFFD (�), other control characters
 * their Unicode "control picture" (ESC → ␛, DEL → ␡; C1 → �). Tabs become a space; line breaks
 * become `\n` and are kept (each renderer decides what one means in its medium). Lone surrogates
 * become �.
 */
export function neutralize(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(LONE_SURROGATE, '\ufffd')
    .replace(BIDI, '\ufffd')
    .replace(/\t/g, ' ')
    .replace(CONTROL, (ch) => {
      const code = ch.charCodeAt(0);
      if (code < 0x20) return String.fromCharCode(0x2400 + code);
      return code === 0x7f ? '\u2421' : '\ufffd';
    });
}

/** `text` on one line: line breaks (any of \r\n, \n, \r) become spaces. */
export function oneLine(text: string): string {
  return text.replace(/\r\n|\n|\r/g, ' ');
}

/**
 * Shortens `text` to at most `max` characters (code points) by cutting its middle: both ends of a
 * benchmark id usually carry the meaning (suite and metric), e.g.
 * `suite/a-very-long-benchmark-name:time` → `suite/a-ve…name:time`.
 */
export function middleEllipsis(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  if (max <= 1) return '…';
  const keep = max - 1;
  const head = Math.ceil(keep / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (keep - head)).join('')}`;
}

/** `1 metric`, `2 metrics`. */
export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
