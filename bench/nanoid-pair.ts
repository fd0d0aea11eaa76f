/**
 * The reversed nanoid pair with a tinybench harness: a real library (nanoid, from the npm
 * registry) whose head is nanoid 5.1.7's `index.js` and whose base is 5.1.8's — 5.1.8 made
 * `customAlphabet` faster by rewriting the closure `customRandom` returns, so head makes only that
 * closure slower. The harness is tinybench 6.2.5 with a fixed time per task (`time: 300`), the
 * kind of harness whose profile must be compared by shares. Needs `npm` and the registry.
 *
 * Used by `bench/profile.ts` (rank of the changed function over several profiling phases) and
 * `bench/notes.ts`; `node --import tsx bench/nanoid-pair.ts` prints the repository path, to try the
 * CLI on it by hand.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { git, makeRepo } from '../__tests__/helpers/repo';

export const NANOID_BENCH = `import { Bench } from 'tinybench';
import { customAlphabet, nanoid } from './index.js';

const alphanumeric = customAlphabet('0123456789abcdefghijklmnopqrstuvwxyz', 21);
const bench = new Bench({ time: 300 });
bench
  .add('nanoid', () => {
    nanoid();
  })
  .add('customAlphabet', () => {
    alphanumeric();
  });
await bench.run();
console.log(JSON.stringify(bench.table()));
`;

/** The suite, as a config file lists it. */
export const NANOID_SUITE = { name: 'nano', run: 'node nanoid-bench.mjs', format: 'tinybench' };
/** The build each checkout runs. */
export const NANOID_BUILD = 'npm install --no-audit --no-fund --loglevel=error';

/** Where the changed function is on head: the closure `customRandom` returns (nanoid 5.1.7's index.js). */
export const CHANGED = { file: 'index.js', line: 24 };

function unpack(spec: string, into: string): string {
  mkdirSync(into, { recursive: true });
  const name = execFileSync('npm', ['pack', spec, '--silent'], { cwd: into, encoding: 'utf8' })
    .trim()
    .split('\n')
    .pop()!;
  execFileSync('tar', ['xzf', name], { cwd: into });
  return path.join(into, 'package');
}

/** A git repository whose base has nanoid 5.1.8's code and whose head has 5.1.7's. */
export function nanoidPairRepo(): { repo: string; baseSha: string } {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'perfgate-nanoid-'));
  try {
    const fast = unpack('nanoid@5.1.8', path.join(tmp, 'fast'));
    const slow = unpack('nanoid@5.1.7', path.join(tmp, 'slow'));
    const repo = makeRepo({
      'package.json': `${JSON.stringify({ name: 'nanoid-pair', private: true, type: 'module', dependencies: { tinybench: '6.2.5' } }, null, 2)}\n`,
      '.gitignore': 'node_modules\n',
      'index.js': readFileSync(path.join(fast, 'index.js'), 'utf8'),
      'url-alphabet/index.js': readFileSync(path.join(fast, 'url-alphabet', 'index.js'), 'utf8'),
      'nanoid-bench.mjs': NANOID_BENCH,
    });
    const baseSha = git(repo, 'rev-parse', 'HEAD');
    copyFileSync(path.join(slow, 'index.js'), path.join(repo, 'index.js'));
    git(repo, 'commit', '-qam', 'customRandom: nanoid 5.1.7 (slower customAlphabet)');
    return { repo, baseSha };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { repo, baseSha } = nanoidPairRepo();
  console.log(`${repo} (base ${baseSha})`);
}
