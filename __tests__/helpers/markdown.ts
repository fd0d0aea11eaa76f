/** Reading back the markdown perfgate writes, as GitHub would. */

/** Markdown with its code (fenced blocks, then inline code spans) removed: what GitHub interprets as markup. */
export function outsideCode(md: string): string {
  const lines: string[] = [];
  let fence: string | null = null;
  for (const line of md.split('\n')) {
    const m = /^ {0,3}(`{3,})/.exec(line.trimStart() === line ? line : line.replace(/^ {2}/, ''));
    if (fence === null && m) fence = m[1];
    else if (fence !== null && m && m[1].length >= fence.length && line.trim() === m[1]) fence = null;
    else if (fence === null) lines.push(line);
  }
  // A code span opens at a run of backticks and closes at the next run of the same length in its
  // block; the renderer writes each block on one line.
  return lines.map((l) => l.replace(/(?<!`)(`+)(?!`).*?(?<!`)\1(?!`)/g, '')).join('\n');
}
