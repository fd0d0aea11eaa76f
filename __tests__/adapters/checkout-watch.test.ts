/**
 * Writes into a checkout, seen by inotify (supervisor.py watch) and by the walking fallback:
 * untracked build output rewritten in place, new deep directories, the worktree's HEAD, a side's
 * own moves and floods, reads (not writes).
 */
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type Checkout, CheckoutWatcher } from '../../src/adapters/checkout-watch';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function checkouts(): Record<'base' | 'head', Checkout> {
  root = mkdtempSync(path.join(os.tmpdir(), 'perfgate-watch-'));
  const make = (side: string) => {
    const dir = path.join(root, side);
    const gitDir = path.join(root, `${side}.git`);
    mkdirSync(path.join(dir, 'src'), { recursive: true });
    mkdirSync(gitDir);
    writeFileSync(path.join(gitDir, 'HEAD'), 'abc\n');
    writeFileSync(path.join(dir, 'src', 'a.js'), '1');
    return { dir, gitDir };
  };
  return { base: make('base'), head: make('head') };
}

for (const walk of [false, true]) {
  describe(walk ? 'the walking fallback' : 'inotify', () => {
    it('sees the other side rewrite untracked build output in place, however deep, and nothing else', async () => {
      const c = checkouts();
      const w = await CheckoutWatcher.start(c, { walk });
      try {
        expect(w.mode).toBe(walk ? 'walk' : 'inotify');
        const b = c.base.dir;
        // base's build creates its output: its own business
        mkdirSync(path.join(b, 'dist', 'x', 'y'), { recursive: true });
        writeFileSync(path.join(b, 'dist', 'config.js'), 'fast');
        writeFileSync(path.join(b, 'node_modules.js'), 'x');
        writeFileSync(path.join(b, 'dist', 'x', 'y', 'deep.js'), 'a');
        expect((await w.check('base')).count).toBe(0);
        expect(await w.check('head')).toEqual({ writes: [], count: 0 });
        // head rewrites base's git-ignored dist/config.js in place (same size)
        writeFileSync(path.join(b, 'dist', 'config.js'), 'slow');
        expect(await w.check('head')).toEqual({ writes: [{ path: 'dist/config.js', kind: 'modified' }], count: 1 });
        writeFileSync(path.join(b, 'dist', 'x', 'y', 'deep.js'), 'b');
        expect((await w.check('head')).writes).toEqual([{ path: 'dist/x/y/deep.js', kind: 'modified' }]);
        // reading is not writing
        readFileSync(path.join(b, 'dist', 'x', 'y', 'deep.js'));
        expect((await w.check('head')).count).toBe(0);
        // the worktree's HEAD (git checkout of another commit)
        writeFileSync(path.join(c.base.gitDir, 'HEAD'), 'def\n');
        expect((await w.check('head')).writes.map((x) => x.path)).toEqual(['.git:HEAD']);
        // a side's own changes, new file in a moved directory included, are its own
        renameSync(path.join(c.head.dir, 'src'), path.join(c.head.dir, 'lib'));
        writeFileSync(path.join(c.head.dir, 'lib', 'new.js'), '1');
        expect((await w.check('head')).count).toBe(0);
        writeFileSync(path.join(c.head.dir, 'lib', 'new.js'), '22');
        expect((await w.check('base')).writes).toEqual([{ path: 'lib/new.js', kind: 'modified' }]);
        rmSync(path.join(c.head.dir, 'lib', 'a.js'));
        expect((await w.check('base')).writes).toEqual([{ path: 'lib/a.js', kind: 'deleted' }]);
      } finally {
        w.close();
      }
    });
  });
}

describe('inotify', () => {
  it('counts a file opened for writing (a shared mapping writes without write(2))', async () => {
    const c = checkouts();
    const w = await CheckoutWatcher.start(c);
    try {
      closeSync(openSync(path.join(c.head.dir, 'src', 'a.js'), 'r+'));
      expect((await w.check('base')).writes).toEqual([{ path: 'src/a.js', kind: 'opened for writing' }]);
    } finally {
      w.close();
    }
  });

  it("keeps watching after a side floods its own checkout past the event queue, and reports a flood of the other's", async () => {
    const c = checkouts();
    const w = await CheckoutWatcher.start(c);
    try {
      const flood = (dir: string) => {
        mkdirSync(path.join(dir, 'cache'));
        for (let i = 0; i < 17_000; i++) writeFileSync(path.join(dir, `f${i}`), '');
        mkdirSync(path.join(dir, 'cache', 'late'));
      };
      flood(c.base.dir); // more events than fs.inotify.max_queued_events (16384 by default)
      expect((await w.check('base')).count).toBe(0);
      writeFileSync(path.join(c.base.dir, 'cache', 'late', 'x'), '1');
      expect((await w.check('head')).writes).toEqual([{ path: 'cache/late/x', kind: 'created' }]);
      flood(c.head.dir);
      const r = await w.check('base');
      expect(r.count).toBeGreaterThan(10);
      expect(r.writes).toHaveLength(10);
    } finally {
      w.close();
    }
  });

  it('says so when the watch process is gone', async () => {
    const c = checkouts();
    const w = await CheckoutWatcher.start(c);
    const child = (w as unknown as { child: { pid: number; once(e: string, f: () => void): void } }).child;
    const gone = new Promise<void>((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGKILL');
    await gone;
    await expect(w.check('base')).rejects.toThrow(/killed by SIGKILL/);
  });
});
