// The closing lines of a CI test run, from vitest's JSON reports (one or more files): the slowest
// test files, every skipped test by name, and "N passed, N failed, N skipped". Under CI (`CI` set)
// a skipped test fails the run: .ci/run installs what every test needs, so a test that skips there
// has stopped testing something without a word. Exit status 1 on a failed or (under CI) skipped test.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const reports = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
const files = reports.flatMap((r) => r.testResults);
const tests = files.flatMap((f) => f.assertionResults.map((a) => ({ ...a, file: path.relative('.', f.name) })));
const count = (status) => tests.filter((t) => t.status === status).length;
const passed = count('passed');
// A file that failed outside its tests (an import, a hook) counts as one failure.
const failed =
  count('failed') +
  files.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed')).length;
const skipped = tests.filter((t) => t.status !== 'passed' && t.status !== 'failed');

const slowest = [...files].sort((a, b) => b.endTime - b.startTime - (a.endTime - a.startTime)).slice(0, 8);
console.log('slowest test files (wall seconds, shared workers):');
for (const f of slowest)
  console.log(`  ${((f.endTime - f.startTime) / 1000).toFixed(1).padStart(6)}  ${path.relative('.', f.name)}`);
if (skipped.length > 0) {
  console.log(
    `skipped tests${process.env.CI ? ' (not allowed under CI: each one is a test that stopped testing)' : ''}:`,
  );
  for (const t of skipped) console.log(`  ${t.file}: ${t.fullName} (${t.status})`);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
process.exitCode = failed > 0 || (process.env.CI && skipped.length > 0) ? 1 : 0;
