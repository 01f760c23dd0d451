#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is written in TypeScript and compiled to dist/ by `npm run build`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '../dist/src/infrastructure/cli/main.js');
if (!existsSync(main)) {
  process.stderr.write('scayle-ledger: not built yet (dist/ is missing): run `npm run build` first\n');
  process.exit(1);
}
require(main).main(process.argv).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
