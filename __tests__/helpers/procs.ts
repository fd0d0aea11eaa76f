/** Finding processes by what they run, to check that nothing a test started survives. */
import { readFileSync } from 'node:fs';
import { isLive, processTable } from '../../src/adapters/procfs';

/** A number unlikely to appear in any other process's command line (e.g. `sleep ${marker()}`). */
export function marker(): string {
  return `${5000 + Math.floor(Math.random() * 4000)}.${process.pid}${Math.floor(Math.random() * 1e6)}`;
}

/** Live (non-zombie) processes whose command line contains `text`, as "pid cmdline". */
export function processesMatching(text: string): string[] {
  const found: string[] = [];
  for (const p of processTable() ?? []) {
    if (!isLive(p) || p.pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmdline.includes(text)) found.push(`${p.pid} ${cmdline}`);
    } catch {
      // exited meanwhile
    }
  }
  return found;
}
