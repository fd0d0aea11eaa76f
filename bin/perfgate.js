#!/usr/bin/env node
// The `perfgate` command: the bundled CLI (built by `npm run build` into dist/cli).
await import('../dist/cli/index.js');
