import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { incidentStream, type StoredEvent } from '../../events/index.js';
import { loadConfig } from '../../src/config.js';
import type { Checkpoint, InclusionProof } from '../../src/log/schemas.js';
import { verifyInclusionAgainstCheckpoint } from '../../src/log/verify-offline.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { cli, forgeStream, json, openRaw, seededWorkspace, signingKeys } from './helpers.js';

const TOKEN = 'cli-test-auditor-secret';

/** Every way to change one hex character of a hash. */
function* hexVariants(hash: string): Generator<string> {
  for (let i = 0; i < hash.length; i++) {
    const c = hash[i]!;
    const other = c === 'f' ? '0' : (parseInt(c, 16) + 1).toString(16);
    yield hash.slice(0, i) + other + hash.slice(i + 1);
  }
}

describe('incident-ledger against a running server (outside auditor)', () => {
  const ws = seededWorkspace({ ledger: 'served.db' });
  let server: RunningServer;
  let keys: ReturnType<typeof signingKeys>;
  let remote: string[];

  const get = async <T,>(path: string): Promise<T> => {
    const response = await fetch(server.url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as T;
  };

  beforeAll(async () => {
    // The server signs its checkpoints; the ledger itself was seeded unsigned.
    keys = signingKeys(ws);
    const config = loadConfig({
      LEDGER_DB: ws.ledger,
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGER_SIGNING_KEY: keys.privateKey,
      LEDGER_TOKENS: `auditor:auditor:${TOKEN}`,
      LEDGER_SEED_DEMO: 'false',
      LOG_LEVEL: 'silent',
    });
    server = await startServer(config);
    await server.services.ready;
    remote = ['--url', server.url, '--token', TOKEN];
  });
  afterAll(async () => {
    await server?.close();
  });

  it('fetches an inclusion proof over HTTP that verifies offline against the signed checkpoint; any altered byte fails', async () => {
    const checkpoint = await get<Checkpoint>('/api/audit/checkpoint');
    expect(checkpoint.signature).toBeDefined();
    const { events } = await get<{ events: StoredEvent[] }>(`/api/incidents/${ws.demo.incidentId}/events`);
    const event = events[3]!;
    const proof = await get<InclusionProof>(`/api/audit/proofs/inclusion?eventId=${event.metadata.eventId}&size=${checkpoint.size}`);
    const trust = { publicKey: keys.publicPem, eventHash: event.metadata.hash };
    expect(verifyInclusionAgainstCheckpoint(proof, checkpoint, trust)).toEqual({ ok: true });
    expect(proof.proof.length).toBeGreaterThan(2);

    let tried = 0;
    const mustFail = (p: InclusionProof, c: Checkpoint, what: string) => {
      tried++;
      expect(verifyInclusionAgainstCheckpoint(p, c, trust).ok, what).toBe(false);
      // Not only because a signature or the event hash no longer matches: the Merkle path itself fails.
      expect(verifyInclusionAgainstCheckpoint(p, c).ok, `${what} (unsigned)`).toBe(false);
    };
    for (const [k, sibling] of proof.proof.entries()) {
      for (const altered of hexVariants(sibling)) mustFail({ ...proof, proof: proof.proof.map((h, j) => (j === k ? altered : h)) }, checkpoint, `proof[${k}]`);
    }
    for (const altered of hexVariants(proof.leafHash)) mustFail({ ...proof, leafHash: altered }, checkpoint, 'leafHash');
    for (const altered of hexVariants(checkpoint.root)) mustFail(proof, { ...checkpoint, root: altered }, 'root');
    mustFail({ ...proof, leafIndex: proof.leafIndex + 1 }, checkpoint, 'leafIndex');
    expect(tried).toBe(64 * (proof.proof.length + 2) + 1);

    // The signature binds the checkpoint to the key: a changed byte of it, or another size, fails.
    const signature = Buffer.from(checkpoint.signature!, 'base64');
    signature[10] = signature[10]! ^ 0x01;
    expect(verifyInclusionAgainstCheckpoint(proof, { ...checkpoint, signature: signature.toString('base64') }, trust).ok).toBe(false);
    expect(verifyInclusionAgainstCheckpoint(proof, { ...checkpoint, at: new Date(0).toISOString() }, trust).ok).toBe(false);
  });

  it('prove --url verifies inclusion and consistency itself, with the pinned key', async () => {
    const { events } = await get<{ events: StoredEvent[] }>(`/api/incidents/${ws.demo.incidentId}/events`);
    const event = events.at(-1)!;
    const run = await cli(['prove', ...remote, '--event', event.metadata.eventId, '--hash', event.metadata.hash, '--public-key', keys.publicKey, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(json(run)).toMatchObject({ ok: true, kind: 'inclusion', eventId: event.metadata.eventId });

    const wrongHash = await cli(['prove', ...remote, '--event', event.metadata.eventId, '--hash', events[0]!.metadata.hash]);
    expect(wrongHash.code).toBe(1);

    const kept = ws.path('kept-for-prove.json');
    expect((await cli(['checkpoint', ...remote, '--public-key', keys.publicKey, '--out', kept])).code).toBe(0);
    const consistency = await cli(['prove', ...remote, '--checkpoint', kept, '--public-key', keys.publicKey]);
    expect(consistency.code, consistency.stderr).toBe(0);
    expect(consistency.stdout).toContain('verified: ok');
    // With --url a past size has no root the server vouches for: a usage error, not a verdict.
    expect((await cli(['prove', ...remote, '--from', '3'])).code).toBe(2);
  });

  it('verify --url recomputes the chains it fetches and checks every proof itself', async () => {
    const kept = ws.path('kept.json');
    const saved = await cli(['checkpoint', ...remote, '--public-key', keys.publicKey, '--out', kept, '--json']);
    expect(saved.code, saved.stderr).toBe(0);
    expect(json<{ checkpoint: Checkpoint }>(saved).checkpoint.signature).toBeDefined();

    const run = await cli(['verify', ...remote, '--public-key', keys.publicKey, '--against', kept, '--every-event', '--json']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const report = json<{ ok: boolean; checked: number; streams: number; sourceStreams: number; failures: unknown[] }>(run);
    const { sources } = await get<{ sources: Array<{ id: string }> }>('/api/sources?limit=500');
    expect(sources.length).toBeGreaterThan(0);
    expect(report).toMatchObject({ ok: true, streams: 1 + sources.length, sourceStreams: sources.length, failures: [] });
    // Every event of the incident and of every source, fetched and checked.
    let served = (await get<{ events: unknown[] }>(`/api/incidents/${ws.demo.incidentId}/events`)).events.length;
    for (const { id } of sources) served += (await get<{ events: unknown[] }>(`/api/sources/${id}/events`)).events.length;
    expect(report.checked).toBe(served);

    // A kept checkpoint the ledger never issued (root altered) is neither signed nor extended.
    const forged = ws.path('forged.json');
    const original = JSON.parse(JSON.stringify(json<{ checkpoint: Checkpoint }>(saved).checkpoint)) as Checkpoint;
    writeFileSync(forged, JSON.stringify({ ...original, root: [...hexVariants(original.root)][5] }));
    const bad = await cli(['verify', ...remote, '--public-key', keys.publicKey, '--against', forged, '--json']);
    expect(bad.code).toBe(1);
    const reasons = json<{ failures: Array<{ reason: string }> }>(bad).failures.map((f) => f.reason);
    expect(reasons).toEqual(expect.arrayContaining(['checkpoint-signature', 'checkpoint-not-extended']));
    // Unpinned, the server's own key still exposes the forged file.
    const unpinned = await cli(['verify', ...remote, '--against', forged]);
    expect(unpinned.code).toBe(1);
  });

  it('refuses with exit 2 when the server will not answer the auditor', async () => {
    const run = await cli(['verify', '--url', server.url, '--token', 'wrong-token']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/401/);
    expect((await cli(['verify', '--url', 'http://127.0.0.1:9'])).code).toBe(2);
  });

  it("replay gives exactly the API's asOf answers", async () => {
    for (const asOf of ['2021-03-11T00:00:00.000Z', '2021-03-14T00:00:00.000Z']) {
      const run = await cli(['replay', '--db', ws.ledger, '--incident', ws.demo.incidentId, '--as-of', asOf]);
      expect(run.code, run.stderr).toBe(0);
      const answer = json<Record<string, unknown>>(run);
      for (const view of ['timeline', 'facts', 'disputes'] as const) {
        expect(answer[view], view).toEqual(await get(`/api/incidents/${ws.demo.incidentId}/${view}?asOf=${asOf}`));
      }
      const viaUrl = await cli(['replay', ...remote, '--incident', ws.demo.incidentId, '--as-of', asOf, '--json']);
      expect(json<Record<string, unknown>>(viaUrl).timeline).toEqual(answer.timeline);
    }
  });

  it("catches a server whose store was tampered with, trusting none of its answers (runs last: it damages the served file)", async () => {
    const stream = incidentStream(ws.demo.incidentId);
    const raw = openRaw(ws.ledger);
    try {
      // A re-sealed stream: its chain verifies, but its new hashes are not the log's leaves.
      const forged = forgeStream(
        raw,
        stream,
        (e) => e.type === 'AssertionRecorded' && (e.data as { assertionId: string }).assertionId === ws.demo.assertions['messages-skyecc'],
        (e) => ({ ...(e.data as Record<string, unknown>), quote: 'around 3 million messages are sent a day' }),
      );
      const resealed = await cli(['verify', ...remote, '--public-key', keys.publicKey, '--json']);
      expect(resealed.code).toBe(1);
      const failures = json<{ failures: Array<{ stream: string; revision: number; reason: string }> }>(resealed).failures;
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.every((f) => f.stream === stream && f.reason === 'not-in-log')).toBe(true);
      const everyEvent = await cli(['verify', ...remote, '--every-event', '--json']);
      const proved = json<{ failures: Array<{ revision: number; reason: string }> }>(everyEvent).failures;
      expect(proved.map((f) => f.revision)).toContain(forged.revision);

      // One changed byte of data, no re-sealing: the chain names the event.
      raw.prepare("UPDATE events SET data = replace(data, 'sent a day', 'sent a dax') WHERE position = ?").run(forged.position);
      const flipped = await cli(['verify', ...remote, '--json']);
      expect(flipped.code).toBe(1);
      expect(json<{ failures: unknown[] }>(flipped).failures).toContainEqual(expect.objectContaining({ stream, revision: forged.revision, reason: 'hash-mismatch' }));

      // A source renamed and re-sealed: served over HTTP too, so its chain and its head's proof are checked.
      const source = raw.prepare<[], { stream: string }>("SELECT stream FROM events WHERE stream LIKE 'source-%' ORDER BY position LIMIT 1").get()!.stream;
      forgeStream(raw, source, (e) => e.revision === 0, (e) => ({ ...(e.data as Record<string, unknown>), name: 'A source that never was' }));
      const renamed = await cli(['verify', ...remote, '--json']);
      expect(renamed.code).toBe(1);
      expect(json<{ failures: unknown[] }>(renamed).failures).toContainEqual(expect.objectContaining({ stream: source, reason: 'not-in-log' }));
    } finally {
      raw.close();
    }
  });
});
