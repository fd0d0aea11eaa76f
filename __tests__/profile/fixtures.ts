/**
 * Fixture repositories whose head makes one named function slower: a Node.js command (20 times),
 * a Node.js HTTP server (30 times) and a C program (8 times). The slowdowns are large enough to be
 * detected in 6 rounds even on a 2-core machine shared with many other processes, so tests assert
 * wiring (which function tops the list), not statistics.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { git, makeRepo } from '../helpers/repo';

/** A Node.js command: `parseRecords` does `work.txt` times more work on head. */
export const NODE_APP = `'use strict';
const fs = require('node:fs');
const work = Number(fs.readFileSync(__dirname + '/work.txt', 'utf8'));

function parseRecords(n) {
  let acc = 0;
  for (let k = 0; k < work; k++) for (let i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003;
  return acc;
}

function formatReport(x) {
  let s = '';
  for (let i = 0; i < 2000; i++) s += String((x + i) % 97);
  return s.length;
}

console.log(parseRecords(1000000) + formatReport(7));
`;

/** A Node.js HTTP server: `renderItems` does `work.txt` times more work per request on head. */
export const NODE_SERVER = `'use strict';
const http = require('node:http');
const fs = require('node:fs');
const work = Number(fs.readFileSync(__dirname + '/work.txt', 'utf8'));

function renderItems(n) {
  let acc = 0;
  for (let k = 0; k < work; k++) for (let i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003;
  return JSON.stringify({ items: [acc % 10, 2, 3] });
}

http
  .createServer((req, res) => {
    if (req.url === '/health') return res.end('ok');
    res.setHeader('content-type', 'application/json');
    res.end(renderItems(20000));
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
`;

/** A C program: \`checksum\` does WORK times more work on head (a compile-time constant). */
export const C_PROGRAM = `#include <stdio.h>
#include "work.h"

__attribute__((noinline)) static unsigned long checksum(unsigned long n) {
  volatile unsigned long acc = 0;
  for (int k = 0; k < WORK; k++)
    for (unsigned long i = 0; i < n; i++) acc = (acc * 31 + i) % 1000003;
  return acc;
}

__attribute__((noinline)) static unsigned long prepare(unsigned long n) {
  volatile unsigned long acc = 1;
  for (unsigned long i = 0; i < n; i++) acc = acc * 7 + i;
  return acc;
}

int main(void) {
  printf("%lu\\n", checksum(3000000) + prepare(1000000));
  return 0;
}
`;

export const C_BUILD = 'cc -O1 -g -fno-omit-frame-pointer -o prog prog.c';

/** A repository whose base has `files` with work factor 1, and whose head commit raises it to `slower`. */
function twoCommits(files: Record<string, string>, workFile: string, base: string, head: string) {
  const repo = makeRepo({ ...files, [workFile]: base });
  const baseSha = git(repo, 'rev-parse', 'HEAD');
  writeFileSync(path.join(repo, workFile), head);
  git(repo, 'commit', '-qam', 'slower');
  return { repo, baseSha };
}

/** `preamble` goes before the program on both sides (e.g. a line that refuses to be profiled). */
export function nodeCommandRepo(slower = 20, preamble = '') {
  return twoCommits({ 'app.js': preamble + NODE_APP }, 'work.txt', '1', String(slower));
}

export function nodeServerRepo(slower = 30) {
  return twoCommits({ 'server.js': NODE_SERVER }, 'work.txt', '1', String(slower));
}

export function cProgramRepo(slower = 8) {
  return twoCommits({ 'prog.c': C_PROGRAM }, 'work.h', '#define WORK 1\n', `#define WORK ${slower}\n`);
}
