/**
 * "Where the time went" in the markdown report (the model is `profile-view.ts`): the first
 * profiled suite with a failing metric open, with its top functions; any other suite folded.
 * Pure; every string from the report is escaped.
 */
import { markdownTable } from 'markdown-table';
import type { ComparisonReport } from '../model';
import { escapeMarkdown, inlineCode } from './escape';
import { type ProfileSection, profileSections } from './profile-view';

/** Rows per table in the comment; the HTML report has more. */
export const COMMENT_TOP = 5;
/** Suites with a table in the comment; the rest are in the HTML report. */
export const COMMENT_SUITES = 5;

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1)}…` : text;
}

function files(s: ProfileSection): string {
  const f = s.files!;
  return `Raw profiles: ${f.count} files under ${inlineCode(f.dir)} beside the results (${f.kind}: open in ${f.viewers}); the HTML report has the flame graph.`;
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
    // One line under the table: what was profiled, how it is counted, where the raw profiles are.
    const last = b === s.blocks[s.blocks.length - 1];
    out.push(
      `<sub>${b.metrics.map((m) => inlineCode(m)).join(', ')}: ${escapeMarkdown(b.caption)}. ${escapeMarkdown(b.legend)}${last && s.files ? ` ${files(s)}` : ''}</sub>`,
      '',
    );
  }
  for (const note of s.notes) out.push(`_${escapeMarkdown(note)}_`, '');
  if (s.files && (s.blocks.length === 0 || s.blocks[s.blocks.length - 1].empty)) out.push(`<sub>${files(s)}</sub>`, '');
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
