/**
 * One HTTP figure against a kept bench ledger, with the server under the profiler:
 *
 *   npx tsx bench/profile-http.ts DIR/ledger.db timeline|assertion|constant INCIDENT_ID SOURCE_ID [seconds]
 *   npx tsx bench/profile-summary.ts /tmp/prof-http/<file>.cpuprofile
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { load, startServer } from './figures/http.js';

const [dbPath, what, incidentId, sourceId, seconds] = process.argv.slice(2);
if (!dbPath || !what || !incidentId || !sourceId) throw new Error('usage: profile-http.ts LEDGER_DB timeline|assertion|constant INCIDENT_ID SOURCE_ID [seconds]');
const token = randomBytes(18).toString('base64url');
const constantFile = '/tmp/profile-http-constant.json';
writeFileSync(constantFile, JSON.stringify({ constant: true }));
const server = await startServer(dbPath, constantFile, token, ['--cpu-prof', '--cpu-prof-dir=/tmp/prof-http']);
const base = `http://127.0.0.1:${server.port}`;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const duration = Number(seconds ?? 5);
const body = JSON.stringify({ fact: 'users.worldwide', value: { type: 'quantity', value: 170_000, approximate: true }, sourceId });
const result =
  what === 'assertion'
    ? await load({ url: `${base}/api/incidents/${incidentId}/assertions`, method: 'POST', headers, body, duration })
    : await load({ url: what === 'timeline' ? `${base}/api/incidents/${incidentId}/timeline` : `${base}/bench/constant`, headers, duration });
console.log(what, result);
await server.close();
