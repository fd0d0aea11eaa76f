/**
 * A command suite that counts instructions, run for real under valgrind (skipped with a message
 * when valgrind or a C compiler is missing; `.ci/run` installs valgrind): a compiled program
 * counts the same every run, a loop 3 % longer counts about 3 % more, the counter's files stay
 * out of the checkout and out of the command's output, and failures under the counter say so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { counterAvailability } from '../../src/adapters/instructions';
import { commandRunner, counterErrors, SuiteError } from '../../src/app/runners';
import { type CommandSuite, parseSuites } from '../../src/settings/suites';

const valgrind = await counterAvailability('valgrind');
const hasCc = (() => {
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!valgrind.ok || !hasCc)
  console.warn(`instructions: skipped: ${valgrind.ok ? 'no C compiler (cc)' : valgrind.reason}`);

const PROGRAM = `#include <stdio.h>
#include <stdlib.h>
__attribute__((noinline)) static unsigned long loop(unsigned long n) {
  unsigned long acc = 0;
  for (unsigned long i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003;
  return acc;
}
int main(int argc, char **argv) {
  printf("%lu\\n", loop(strtoul(argv[1], 0, 10)));
  fprintf(stderr, "done\\n");
  return argc > 2 ? atoi(argv[2]) : 0;
}
`;

function checkout(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'perfgate-instr-'));
  writeFileSync(path.join(dir, 'prog.c'), PROGRAM);
  execFileSync('cc', ['-O1', '-g', '-o', 'prog', 'prog.c'], { cwd: dir });
  return dir;
}

function suite(run: string, extra: Record<string, unknown> = {}): CommandSuite {
  const { suites, issues } = parseSuites([{ name: 'prog', run, instructions: true, ...extra }]);
  expect(issues).toEqual([]);
  return suites[0] as CommandSuite;
}

const count = (values: { id: string; value: number }[]) => values.find((v) => v.id === 'prog:instructions')!.value;

describe.skipIf(!valgrind.ok || !hasCc)('counting instructions with valgrind', () => {
  it('a sample has wall, cpu, rss and an exact count; a compiled program counts the same every run', async () => {
    const dir = checkout();
    const runner = commandRunner(suite('./prog 1000000'));
    const a = await runner.sample('head', dir);
    const b = await runner.sample('base', dir);
    expect(a.values.map((v) => v.id)).toEqual(['prog:wall', 'prog:cpu', 'prog:rss', 'prog:instructions']);
    expect(a.values[3]).toMatchObject({ unit: 'count', direction: 'lower', counter: 'valgrind' });
    expect(count(a.values)).toBe(count(b.values));
    expect(count(a.values)).toBeGreaterThan(10_000_000);
    // Not the simulator's wall time: the native run's (a simulated run is 20–100× slower).
    expect(a.values[0].value).toBeLessThan(5);
    // The counter wrote nothing into the checkout.
    expect(readdirSync(dir).sort()).toEqual(['prog', 'prog.c']);
  });

  it('3 % more loop iterations count about 3 % more instructions; every process of a shell line is counted', async () => {
    const dir = checkout();
    const base = count((await commandRunner(suite('./prog 3000000')).sample('base', dir)).values);
    const head = count((await commandRunner(suite('./prog 3090000')).sample('head', dir)).values);
    expect(head / base - 1).toBeGreaterThan(0.025);
    expect(head / base - 1).toBeLessThan(0.031);
    const twice = count((await commandRunner(suite('./prog 3000000 && ./prog 3000000')).sample('base', dir)).values);
    expect(twice / base).toBeGreaterThan(1.95);
  });

  it('a failure of the command is reported as without the counter; a failure under the counter says so', async () => {
    const dir = checkout();
    const runner = commandRunner(suite('./prog 1000 3'));
    const error = await runner.sample('head', dir).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SuiteError);
    // The native run fails first: the same message as without the counter.
    expect((error as SuiteError).message).toBe('suite "prog" on head: "./prog 1000 3" exited with code 3');
    // A command that fails only under valgrind (it sees valgrind's preload): the error says so.
    const picky = commandRunner(
      suite('case "$LD_PRELOAD" in *vgpreload*) echo refused >&2; exit 4;; esac; ./prog 1000'),
    );
    const under = (await picky.sample('head', dir).then(
      () => null,
      (e: unknown) => e,
    )) as SuiteError;
    expect(under).toBeInstanceOf(SuiteError);
    expect(under.message).toMatch(/^suite "prog" on head: under valgrind: ".*" exited with code 4$/);
    expect(under.outputTail).toContain('refused');
  });

  it('counterErrors: nothing to say when valgrind counts here', async () => {
    expect(await counterErrors([suite('./prog 1')])).toEqual([]);
  });
});

describe('a counter that cannot count here', () => {
  it('a missing valgrind is an error naming the install command, before anything runs', async () => {
    vi.resetModules();
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const runners = await import('../../src/app/runners');
      const errors = await runners.counterErrors([suite('./prog 1')]);
      expect(errors).toEqual([
        expect.stringContaining('Suite "prog" counts instructions, but valgrind is not installed'),
      ]);
      expect(errors[0]).toContain('`sudo apt-get install -y valgrind`');
    } finally {
      process.env.PATH = saved;
    }
  });

  it('hardware counters, where the kernel offers none (this machine), are an error that says what to use instead', async () => {
    const errors = await counterErrors([suite('./prog 1', { instructions: 'hardware' })]);
    const available = await counterAvailability('hardware');
    if (available.ok) {
      expect(errors).toEqual([]);
      return;
    }
    expect(errors[0]).toMatch(/^Suite "prog" counts instructions, but /);
    expect(errors[0]).toContain('`instructions: true` (valgrind)');
  });
});
