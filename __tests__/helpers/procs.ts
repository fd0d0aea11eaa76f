/** Finding processes by what they run, to check that nothing a test started survives. */
import { readdirSync, readFileSync } from 'node:fs';

/** A number unlikely to appear in any other process's command line (e.g. `sleep ${marker()}`). */
export function marker(): string {
  return `${5000 + Math.floor(Math.random() * 4000)}.${process.pid}${Math.floor(Math.random() * 1e6)}`;
}

/** Live (non-zombie) processes whose command line contains `text`, as "pid cmdline". */
export function processesMatching(text: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (state === 'Z' || state === 'X') continue;
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmdline.includes(text)) found.push(`${name} ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
