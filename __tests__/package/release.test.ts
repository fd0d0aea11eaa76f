/** scripts/release.mjs: the edits the release workflow commits, on a copy of this repository's files. */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const script = path.join(root, 'scripts', 'release.mjs');

function copy(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-release-'));
  for (const f of ['package.json', 'package-lock.json', 'CHANGELOG.md'])
    copyFileSync(path.join(root, f), path.join(dir, f));
  return dir;
}

const release = (dir: string, ...args: string[]) =>
  spawnSync(process.execPath, [script, ...args, '--root', dir], { encoding: 'utf8' });

describe('scripts/release.mjs', () => {
  it('sets the version, dates the Unreleased section and writes it as the release notes', () => {
    const dir = copy();
    const unreleased = readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8').split('## Unreleased\n')[1].trim();
    const notes = path.join(dir, 'notes.md');
    execFileSync(process.execPath, [script, '1.0.0', '--notes', notes, '--date', '2026-12-01', '--root', dir]);
    expect(JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version).toBe('1.0.0');
    const lock = JSON.parse(readFileSync(path.join(dir, 'package-lock.json'), 'utf8'));
    expect([lock.version, lock.packages[''].version]).toEqual(['1.0.0', '1.0.0']);
    const changelog = readFileSync(path.join(dir, 'CHANGELOG.md'), 'utf8');
    expect(changelog).toContain(`## Unreleased\n\n## 1.0.0 — 2026-12-01\n\n${unreleased}\n`);
    expect(readFileSync(notes, 'utf8')).toBe(`${unreleased}\n`);
    // The next release needs something new to say.
    const again = release(dir, '1.0.1');
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('the "## Unreleased" section of CHANGELOG.md is empty');
  });

  it('refuses a version that is not MAJOR.MINOR.PATCH or not above the current one', () => {
    const dir = copy();
    for (const [v, why] of [
      ['v1.0.0', 'expected a version MAJOR.MINOR.PATCH'],
      ['1.0', 'expected a version MAJOR.MINOR.PATCH'],
      ['0.0.1', 'is not above'],
    ]) {
      const r = release(dir, v);
      expect(r.status, v).toBe(1);
      expect(r.stderr).toContain(why);
    }
    writeFileSync(path.join(dir, 'CHANGELOG.md'), '# Changelog\n');
    expect(release(dir, '2.0.0').stderr).toContain('no "## Unreleased" section');
  });

  it('is what the release workflow runs, before it tags vMAJOR.MINOR.PATCH and moves vMAJOR', () => {
    const workflow = parse(readFileSync(path.join(root, '.github', 'workflows', 'release.yml'), 'utf8'));
    const steps = (workflow.jobs.release.steps as { run?: string }[]).map((s) => s.run ?? '').join('\n');
    expect(steps).toContain('node scripts/release.mjs "$VERSION"');
    expect(steps).toContain('npm run bundle');
    expect(steps).toContain('git tag -a "v$VERSION"');
    expect(steps).toContain('git tag -f -a "$major"');
    expect(steps).toContain('git push --force origin "$major"');
  });
});
