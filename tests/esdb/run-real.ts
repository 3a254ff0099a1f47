/**
 * `npm run test:esdb`: the EventStoreDB adapter and the store contract against a real server.
 *
 *   docker compose up -d eventstore
 *   ESDB_CONNECTION_STRING='esdb://localhost:2113?tls=false' npm run test:esdb
 *
 * Without ESDB_CONNECTION_STRING it says so and succeeds, so CI without a database stays green.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { redactConnectionString } from '../../src/store/esdb/connection.js';

const connectionString = process.env.ESDB_CONNECTION_STRING;
if (!connectionString) {
  console.log('ESDB_CONNECTION_STRING not set: skipped the real EventStoreDB suite');
  process.exit(0);
}

console.log(`Running tests/esdb and tests/store against EventStoreDB at ${redactConnectionString(connectionString)}`);
// Run vitest's own entry point with this Node, rather than trusting whatever `npx` finds on PATH.
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', 'tests/esdb', 'tests/store'], {
  stdio: 'inherit',
  env: { ...process.env, ESDB_CONNECTION_STRING: connectionString },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
