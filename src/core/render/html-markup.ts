/**
 * Building HTML safely: every interpolated string goes through the `html` tag, which escapes it
 * (after `neutralize`, so bidi controls cannot reorder what a reader sees); only markup built by
 * the HTML renderer itself is `Raw`.
 */
import { neutralize } from './text';

/** Markup the renderer built itself; everything else interpolated into `html` is escaped. */
export class Raw {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export type Part = Raw | string | number | null | undefined | false | readonly Part[];

/** Escapes text for HTML element content and quoted attribute values (`& < > " '`), after `neutralize`. */
export function escapeHtml(text: string): string {
  return neutralize(text).replace(
    /[&<>"']/g,
    (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string,
  );
}

function part(p: Part): string {
  if (p === null || p === undefined || p === false) return '';
  if (p instanceof Raw) return p.value;
  if (Array.isArray(p)) return p.map(part).join('');
  return escapeHtml(String(p));
}

/** Tagged template: escapes every interpolation except `Raw` (arrays are joined). */
export function html(strings: TemplateStringsArray, ...parts: Part[]): Raw {
  let out = strings[0];
  for (let i = 0; i < parts.length; i++) out += part(parts[i]) + strings[i + 1];
  return new Raw(out);
}
