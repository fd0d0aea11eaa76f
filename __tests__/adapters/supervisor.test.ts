/**
 * supervisor.py on its own terms: the runner finds and kills descendants wherever they went
 * (subreaping), a command that kills its runner or the supervisor itself is reported lost with
 * what it started killed, stops honour the grace period, and perfgate's death ends everything.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMeasured } from '../../src/adapters/process';
import { environEntry } from '../../src/adapters/procfs';
import {
  type CommandOutcome,
  FrameReader,
  frame,
  newTag,
  runToken,
  SUPERVISOR_PY,
  Supervisor,
  TREE_VARIABLE,
} from '../../src/adapters/supervisor';
import { marker, processesMatching } from '../helpers/procs';

const cwd = os.tmpdir();
const root = path.resolve(import.meta.dirname, '..', '..');
afterAll(() => Supervisor.shutdown());

async function launch(command: string, graceS = 1) {
  const supervisor = (await Supervisor.get())!;
  const tag = newTag();
  const launched = await supervisor.launch({
    shell: '/bin/bash',
    command,
    cwd,
    env: { PATH: process.env.PATH, [TREE_VARIABLE]: tag },
    graceS,
    tag,
  });
  let out = '';
  launched.stdout.on('data', (b) => (out += b));
  launched.stderr.resume();
  const closed = new Promise((resolve) => launched.stdout.once('close', resolve));
  // The outcome, once the output is read to its end too.
  const outcome = launched.outcome.then(async (o) => {
    await closed;
    return o;
  });
  return { ...launched, outcome, tag, output: () => out };
}

describe('supervisor.py: frames', () => {
  it('reads frames split anywhere, with any bytes but NUL in their fields', () => {
    const reader = new FrameReader();
    const bytes = Buffer.concat([frame(['a', 'multi\nline', 'é']), frame(['b', 42])]);
    const got: string[][] = [];
    for (let i = 0; i < bytes.length; i += 3) got.push(...reader.feed(bytes.subarray(i, i + 3)));
    expect(got).toEqual([
      ['a', 'multi\nline', 'é'],
      ['b', '42'],
    ]);
  });

  it('compiles (python3 -m py_compile without writing bytecode)', () => {
    const out = spawnSync(
      'python3',
      ['-c', 'import sys; compile(open(sys.argv[1]).read(), sys.argv[1], "exec")', SUPERVISOR_PY],
      {
        encoding: 'utf8',
      },
    );
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
  });
});

describe('supervisor.py: runners', () => {
  it('measures a command and reports nothing left when nothing is', async () => {
    const c = await launch('echo hi; exit 3');
    const o = await c.outcome;
    expect(o).toMatchObject({ kind: 'exit', code: 3, left: [] });
    if (o.kind === 'exit') {
      expect(o.wallS).toBeGreaterThan(0);
      expect(o.rssKiB).toBeGreaterThan(0);
    }
  });

  it('is the subreaper of what the command detaches, and kills it when the command ends', async () => {
    const m = marker();
    // The daemon's parent, once setsid -f's intermediate process has exited, is the runner.
    const c = await launch(
      `setsid -f sleep ${m} >/dev/null 2>&1; sleep 0.3; for p in /proc/[0-9]*; do grep -qs "sleep ${m}" $p/cmdline && awk '{print "ppid", $4}' $p/stat; done`,
    );
    const o = await c.outcome;
    expect(c.output()).toContain(`ppid ${c.pid}`);
    expect(o.kind).toBe('exit');
    expect(o.left.join('\n')).toContain(`sleep ${m}`);
    expect(processesMatching(m)).toEqual([]);
  });

  it('finds a double-forked daemon in its own session and process group, however the forks race its check', async () => {
    for (let i = 0; i < 5; i++) await doubleFork();
  });

  async function doubleFork() {
    const m = marker();
    const c = await launch(
      `python3 -c "M = ${m}
import os, time
if os.fork(): os._exit(0)
os.setsid()
if os.fork(): os._exit(0)
time.sleep(M)"`,
    );
    const o = await c.outcome;
    expect(o.left.join('\n')).toContain(`M = ${m}`);
    expect(processesMatching(m)).toEqual([]);
  }

  it('gives the command a PERFGATE_TREE of a fixed length, which its descendants inherit', async () => {
    const m = marker();
    const c = await launch(
      `echo "$${TREE_VARIABLE}"; sleep ${m} & sleep 0.2; cat /proc/$!/environ | tr '\\0' '\\n' | grep ${TREE_VARIABLE}; kill $!`,
    );
    await c.outcome;
    const [own, inherited] = c.output().trim().split('\n');
    expect(own).toBe(c.tag);
    expect(c.tag).toMatch(new RegExp(`^${runToken}-\\d{8}$`));
    expect(inherited).toBe(`${TREE_VARIABLE}=${c.tag}`);
  });

  it('keeps perfgate’s environment and the token out of its own processes', async () => {
    const supervisor = (await Supervisor.get())!;
    expect(environEntry(supervisor.pid!, TREE_VARIABLE)).toBeNull();
    expect(environEntry(supervisor.pid!, 'HOME')).toBeNull();
    const c = await launch(`tr '\\0' '\\n' < /proc/$PPID/environ | grep -c ${TREE_VARIABLE} || true`);
    await c.outcome;
    expect(c.output().trim()).toBe('0'); // the runner is a fork of the supervisor
  });
});

describe('supervisor.py: stopping', () => {
  it('stops a command with SIGTERM and waits the grace period before SIGKILL', async () => {
    const c = await launch(`trap 'echo got TERM' TERM; for i in $(seq 100); do sleep 0.1; done`, 0.5);
    await new Promise((r) => setTimeout(r, 300));
    process.kill(c.pid, 'SIGTERM');
    const o = await c.outcome;
    expect(c.output()).toContain('got TERM');
    expect(o).toMatchObject({ kind: 'exit', code: -9 });
  });

  it('kills at once on SIGINT, daemons included', async () => {
    const m = marker();
    const c = await launch(`setsid -f sleep ${m}; trap '' TERM; sleep ${m}`, 60);
    await expect.poll(() => processesMatching(`sleep ${m}`).length, { timeout: 20_000 }).toBe(2);
    process.kill(c.pid, 'SIGINT');
    const o = await c.outcome;
    expect(o).toMatchObject({ kind: 'exit', code: -9 });
    expect(processesMatching(m)).toEqual([]);
  });
});

describe('supervisor.py: a command that breaks its supervision', () => {
  it('kill -9 $PPID: the command is lost, and what it started (itself included) is named and killed', async () => {
    const m = marker();
    const c = await launch(`setsid -f sleep ${m} >/dev/null 2>&1; sleep 0.2; kill -9 $PPID; sleep ${m}`);
    const o: CommandOutcome = await c.outcome;
    expect(o.kind).toBe('lost');
    if (o.kind === 'lost') expect(o.how).toMatch(/was killed by SIGKILL/);
    expect(o.left.join('\n')).toContain(`sleep ${m}`);
    expect(processesMatching(m)).toEqual([]);
  });

  it('killing the supervisor too: found by PERFGATE_TREE, killed and named; the next command gets a new supervisor', async () => {
    const m = marker();
    const first = (await Supervisor.get())!.pid;
    const c = await launch(
      `setsid -f sleep ${m} >/dev/null 2>&1; sleep 0.2; kill -9 $(awk '{print $4}' /proc/$PPID/stat) $PPID; sleep ${m}`,
    );
    const o = await c.outcome;
    expect(o.kind).toBe('lost');
    if (o.kind === 'lost') expect(o.how).toMatch(/perfgate's supervisor \(pid \d+\) was killed by SIGKILL/);
    expect(o.left.join('\n')).toContain(`sleep ${m}`);
    expect(processesMatching(m)).toEqual([]);
    const again = await runMeasured('echo again', { cwd, timeoutS: 30 });
    expect(again.stdout).toBe('again\n');
    expect((await Supervisor.get())!.pid).not.toBe(first);
  });

  it('a sample through runMeasured says it was lost', async () => {
    const run = await runMeasured('kill -9 $PPID; sleep 5', { cwd, timeoutS: 30 });
    expect(run.lost).toMatch(/killed by SIGKILL/);
    expect(run.cpuS).toBeNull();
    expect(run.leftBehind.join('\n')).toContain('sleep 5');
  });
});

describe('supervisor.py: perfgate going away', () => {
  it('stops every command and daemon when perfgate is killed outright', async () => {
    const m = marker();
    const script = `
      import { runMeasured } from ${JSON.stringify(path.join(root, 'src/adapters/process.ts'))};
      runMeasured('setsid -f sleep ${m} >/dev/null 2>&1; sleep ${m}', { cwd: '/tmp', timeoutS: 600 });
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: root,
      stdio: 'ignore',
    });
    const sleeps = () => processesMatching(`sleep ${m}`).filter((p) => p.endsWith(` sleep ${m}`));
    await expect.poll(() => sleeps().length, { timeout: 30_000 }).toBe(2);
    child.kill('SIGKILL');
    await expect.poll(() => processesMatching(m), { timeout: 10_000 }).toEqual([]);
  });
});

describe('without python3', () => {
  it('runs commands in a process group and still finds their daemons by PERFGATE_TREE', () => {
    // A PATH with everything of /usr/bin and /bin but python.
    const bin = mkdtempSync(path.join(os.tmpdir(), 'perfgate-nopython-'));
    try {
      for (const dir of ['/usr/bin', '/bin']) {
        for (const name of readdirSync(dir)) {
          if (name.startsWith('python')) continue;
          try {
            symlinkSync(path.join(dir, name), path.join(bin, name));
          } catch {
            // already linked from the other directory
          }
        }
      }
      mkdirSync(path.join(bin, 'x'), { recursive: true });
      const m = marker();
      const script = `
        import { runMeasured } from ${JSON.stringify(path.join(root, 'src/adapters/process.ts'))};
        const r = await runMeasured('setsid -f sleep ${m} >/dev/null 2>&1; echo ran', { cwd: '/tmp', timeoutS: 60 });
        console.log(JSON.stringify(r));`;
      const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PATH: bin },
        timeout: 60_000,
      });
      const run = JSON.parse(out.stdout.trim().split('\n').pop()!);
      expect(run.stdout).toBe('ran\n');
      expect(run.cpuS).toBeNull();
      expect(run.leftBehind.join('\n')).toContain(`sleep ${m}`);
      expect(processesMatching(m)).toEqual([]);
      expect(readFileSync('/proc/self/stat', 'utf8')).toBeTruthy();
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });
});
