#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx incident-ledger …` works right after `npm install`.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx/cli');
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli', 'main.ts');
const result = spawnSync(process.execPath, [tsx, main, ...process.argv.slice(2)], { stdio: 'inherit' });
if (result.error) {
  console.error(`incident-ledger: cannot run the CLI: ${result.error.message}`);
  process.exit(2);
}
// A CLI killed by a signal has no exit status. 1 would read as "tampering found"; report it as a
// shell does, 128 + the signal's number (130 for SIGINT, 143 for SIGTERM), so scripts see a kill.
if (result.signal) process.exit(128 + (constants.signals[result.signal] ?? 0));
process.exit(result.status ?? 2);
