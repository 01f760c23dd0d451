#!/usr/bin/env node
/**
 * Removes compiled files in `dist/` whose TypeScript source no longer exists. `tsc` never deletes
 * its outputs, so a test file that was moved or deleted kept running from `dist/` (mocha's spec is
 * `dist/tests/**\/*.test.js`) and counted in the suite — on a developer's machine only, since CI
 * builds a clean clone. Run after `tsc` by `npm run build`.
 * Usage: node scripts/prune-stale-dist.js [projectRoot]   (default: this repository)
 */
'use strict';
const { existsSync, readdirSync, unlinkSync } = require('node:fs');
const { join, relative } = require('node:path');

const root = process.argv[2] ?? join(__dirname, '..');
const dist = join(root, 'dist');
const COMPILED = /\.(js|js\.map|d\.ts|d\.ts\.map)$/;

function prune(dir) {
  let removed = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      removed += prune(path);
      continue;
    }
    if (!COMPILED.test(entry.name)) continue;
    const source = join(root, relative(dist, path)).replace(COMPILED, '');
    if (existsSync(`${source}.ts`) || existsSync(`${source}.tsx`)) continue;
    unlinkSync(path);
    removed++;
  }
  return removed;
}

if (existsSync(dist)) {
  const removed = prune(dist);
  if (removed > 0) process.stdout.write(`prune-stale-dist: removed ${removed} compiled file(s) whose source is gone\n`);
}
