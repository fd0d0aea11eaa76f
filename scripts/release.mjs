#!/usr/bin/env node
// Prepares a release commit: `node scripts/release.mjs 1.2.0 [--notes FILE] [--date YYYY-MM-DD]`.
// - checks the version is MAJOR.MINOR.PATCH and above package.json's;
// - sets it in package.json and package-lock.json;
// - turns CHANGELOG.md's "## Unreleased" section into "## 1.2.0 — DATE" under a new, empty
//   "## Unreleased" (an empty section is an error: a release says what changed);
// - writes that section's text to FILE (the GitHub release's notes).
// The release workflow (.github/workflows/release.yml) runs it, rebuilds dist/, commits, tags
// vMAJOR.MINOR.PATCH and moves vMAJOR. Exits 1 with the reason on any problem.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = option('--root') ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const version = args[0];
const date = option('--date') ?? new Date().toISOString().slice(0, 10);

function fail(message) {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

const parse = (v) =>
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/
    .exec(v ?? '')
    ?.slice(1)
    .map(Number);
const next = parse(version);
if (!next) fail(`expected a version MAJOR.MINOR.PATCH (like 1.2.0, no "v"), got "${version ?? ''}"`);
if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) fail(`--date: expected YYYY-MM-DD, got "${date}"`);

const pkgFile = path.join(root, 'package.json');
const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
const current = parse(pkg.version);
const newer = current && (next[0] - current[0] || next[1] - current[1] || next[2] - current[2]) > 0;
if (!newer) fail(`${version} is not above package.json's version ${pkg.version}`);

const changelogFile = path.join(root, 'CHANGELOG.md');
const changelog = readFileSync(changelogFile, 'utf8');
const heading = /^## Unreleased[ \t]*$/m.exec(changelog);
if (!heading) fail('CHANGELOG.md has no "## Unreleased" section');
const bodyStart = heading.index + heading[0].length;
const nextHeading = changelog.slice(bodyStart).search(/^## /m);
const bodyEnd = nextHeading < 0 ? changelog.length : bodyStart + nextHeading;
const notes = changelog.slice(bodyStart, bodyEnd).trim();
if (!notes) fail('the "## Unreleased" section of CHANGELOG.md is empty: say what this release changes');

writeFileSync(
  changelogFile,
  `${changelog.slice(0, heading.index)}## Unreleased\n\n## ${version} — ${date}\n\n${notes}\n\n${changelog.slice(bodyEnd).replace(/^\n+/, '')}`,
);
pkg.version = version;
writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
const lockFile = path.join(root, 'package-lock.json');
const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
lock.version = version;
if (lock.packages?.['']) lock.packages[''].version = version;
writeFileSync(lockFile, `${JSON.stringify(lock, null, 2)}\n`);
const notesFile = option('--notes');
if (notesFile) writeFileSync(notesFile, `${notes}\n`);
process.stdout.write(`v${version}: package.json, package-lock.json and CHANGELOG.md updated\n`);
