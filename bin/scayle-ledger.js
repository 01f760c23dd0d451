#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is written in TypeScript and compiled to dist/ by `npm run build`.
require('../dist/src/infrastructure/cli/main.js').main(process.argv).catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
