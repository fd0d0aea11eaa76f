/**
 * "Where the time went" in the markdown report (the model is `profile-view.ts`): the first
 * profiled suite with a failing metric open, with its top functions; any other suite folded.
 * Pure; every string from the report is escaped.
 */
import { markdownTable } from 'markdown-table';
import type { ComparisonReport } from '../model';
import { escapeMarkdown, inlineCode } from './escape';
import { type ProfileSection, profileSections } from './profile-view';

export { viewCaption, viewFor, whereText } from './profile-view';

/** Rows per table in the comment; the HTML report has more. */
export const COMMENT_TOP = 5;
/** Suites with a table in the comment; the rest are in the HTML report. */
export const COMMENT_SUITES = 5;

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1)}…` : text;
}

function section(s: ProfileSection, heading: boolean): string[] {
  const out: string[] = [];
  if (heading) out.push(`#### Where the time went: ${inlineCode(s.profile.suite)}`, '');
  for (const b of s.blocks) {
    if (b.empty) {
      out.push(`${b.metrics.map((m) => inlineCode(m)).join(', ')}: _${escapeMarkdown(b.empty)}_`, '');
      out.push(`<sub>${escapeMarkdown(b.caption)}.</sub>`, '');
      continue;
    }
    const rows = b.rows.map((r) => [
      `${inlineCode(clip(r.name, 80))}${r.where ? ` ${escapeMarkdown(clip(r.where, 70))}` : ''}`,
      r.base,
      r.head,
      r.change,
      r.share,
    ]);
    out.push(
      markdownTable([['Function', 'Base', 'Head', 'Change', 'Share'], ...rows], { align: ['l', 'r', 'r', 'r', 'r'] }),
      '',
    );
    out.push(
      `<sub>${b.metrics.map((m) => inlineCode(m)).join(', ')}: ${escapeMarkdown(b.caption)}. ${escapeMarkdown(b.legend)}</sub>`,
      '',
    );
  }
  for (const note of s.notes) out.push(`_${escapeMarkdown(note)}_`, '');
  if (s.files)
    out.push(
      `<sub>Raw profiles: ${s.files.count} files under ${inlineCode(s.files.dir)} beside the results (${s.files.kind}: open in ${s.files.viewers}); the HTML report has the flame graph.</sub>`,
      '',
    );
  return out;
}

/**
 * The section for the profiled suites with failing metrics (accepted or not): the first open, the
 * others folded. Empty when there is nothing to show.
 */
export function renderProfileMarkdown(report: ComparisonReport): string[] {
  const sections = profileSections(report, COMMENT_TOP);
  const out: string[] = [];
  sections.slice(0, COMMENT_SUITES).forEach((s, i) => {
    if (i === 0) out.push(...section(s, true));
    else
      out.push(
        `<details><summary>Where the time went: ${inlineCode(s.profile.suite)}</summary>`,
        '',
        ...section(s, false),
        '</details>',
        '',
      );
  });
  if (sections.length > COMMENT_SUITES)
    out.push(`_${sections.length - COMMENT_SUITES} more profiled suites are in the HTML report._`, '');
  return out;
}
