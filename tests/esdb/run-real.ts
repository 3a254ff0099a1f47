/**
 * `npm run test:esdb`: the EventStoreDB adapter, the store contract and the HTTP API suite against a real server.
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

console.log(`Running tests/esdb, tests/store and tests/api against EventStoreDB at ${redactConnectionString(connectionString)}`);
// Run vitest's own entry point with this Node, rather than trusting whatever `npx` finds on PATH.
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
// One file at a time: the files share one server, and the API suite proves a refused request left $all unchanged.
const result = spawnSync(process.execPath, [vitest, 'run', '--no-file-parallelism', 'tests/esdb', 'tests/store', 'tests/api'], {
  stdio: 'inherit',
  env: { ...process.env, ESDB_CONNECTION_STRING: connectionString },
});
if (result.error) throw result.error;
process.exit(result.status ?? 1);
