import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  allEvents,
  call,
  CheckpointAnswer,
  Created,
  CreatedAssertion,
  expectJson,
  inspectLedgerFile,
  sleep,
  spawnServer,
  stopChild,
  tempDir,
  VerifyAnswer,
  type ChildServer,
} from './helpers.js';

/**
 * Crash safety: the real server, a real file, SIGKILL while writers are mid-flight. Whatever was
 * acknowledged with a 201 must be there after the restart, exactly once, on intact hash chains.
 */

const ADMIN = 'crash-admin-secret-0123456789';
const ENV = (db: string) => ({ LEDGER_DB: db, LEDGER_TOKENS: `crash-admin:admin:${ADMIN}`, LEDGER_RATE_LIMIT: '0', LOG_LEVEL: 'warn' });

const KILLS = 4;
const WORKERS = 8;
/** Load runs at least this long, and until this many writes were acknowledged, before the kill. */
const LOAD_MS = 400;
const MIN_ACKS = 20;

type Ack =
  | { kind: 'source'; id: string }
  | { kind: 'incident'; id: string }
  | { kind: 'assertion'; incidentId: string; assertionId: string; revision: number; fact: string }
  | { kind: 'correction'; incidentId: string; assertionId: string; revision: number; value: number };

const Listed = z.object({ sources: z.array(z.object({ id: z.string() })), nextCursor: z.string().nullable() });

describe('crash safety under SIGKILL', () => {
  const dir = tempDir('crash');
  const db = join(dir.path, 'ledger.db');
  let server: ChildServer | undefined;
  afterAll(async () => {
    if (server) await stopChild(server);
    dir.remove();
  });

  it(`keeps every acknowledged append, exactly once, across ${KILLS} kills mid-load`, { timeout: 90_000 }, async () => {
    const acks: Ack[] = [];
    const sources: string[] = [];
    const incidents: string[] = [];
    const assertions: Array<{ incidentId: string; assertionId: string }> = [];
    let attempted = 0;
    let failedInFlight = 0;
    let counter = 0;

    server = await spawnServer(ENV(db));
    {
      const base = server.url;
      for (const name of ['Europol', 'Sky ECC']) {
        const { id } = expectJson(Created, await call(base, 'POST', '/api/sources', { token: ADMIN, body: { name, kind: 'agency' } }), 201);
        sources.push(id);
        acks.push({ kind: 'source', id });
      }
      for (let i = 0; i < 3; i++) {
        const { id } = expectJson(Created, await call(base, 'POST', '/api/incidents', { token: ADMIN, body: { title: `crash incident ${i}` } }), 201);
        incidents.push(id);
        acks.push({ kind: 'incident', id });
      }
    }

    const pick = <T>(xs: T[]): T => xs[Math.floor(Math.random() * xs.length)]!;

    /** One write; records the acknowledgement only when a 201 with a parsable body arrived. */
    async function oneWrite(base: string): Promise<void> {
      const n = counter++;
      const roll = Math.random();
      attempted++;
      if (roll < 0.06) {
        const answer = await call(base, 'POST', '/api/sources', { token: ADMIN, body: { name: `source ${n}`, kind: 'newspaper' } });
        if (answer.status === 201) {
          const { id } = Created.parse(answer.json);
          sources.push(id);
          acks.push({ kind: 'source', id });
        } else throw new Error(`source: ${answer.status} ${answer.text}`);
      } else if (roll < 0.12) {
        const answer = await call(base, 'POST', '/api/incidents', { token: ADMIN, body: { title: `incident ${n}` }, headers: { 'idempotency-key': `open-${n}` } });
        if (answer.status === 201) {
          const { id } = Created.parse(answer.json);
          incidents.push(id);
          acks.push({ kind: 'incident', id });
        } else throw new Error(`incident: ${answer.status} ${answer.text}`);
      } else if (roll < 0.27 && assertions.length > 0) {
        const target = pick(assertions);
        const value = 1_000_000 + n;
        const answer = await call(base, 'POST', `/api/incidents/${target.incidentId}/assertions/${target.assertionId}/corrections`, {
          token: ADMIN,
          body: { reason: `typo ${n}`, value: { type: 'quantity', value } },
        });
        if (answer.status === 201) {
          const { revision } = Appended.parse(answer.json);
          acks.push({ kind: 'correction', ...target, revision, value });
        } else throw new Error(`correction: ${answer.status} ${answer.text}`);
      } else {
        const incidentId = pick(incidents);
        const fact = `users.f${n % 7}`;
        const answer = await call(base, 'POST', `/api/incidents/${incidentId}/assertions`, {
          token: ADMIN,
          body: { fact, value: { type: 'quantity', value: n, approximate: n % 2 === 0 }, sourceId: pick(sources), validTime: '2021-03-09', quote: `quote ${n} — «citation» 日本` },
        });
        if (answer.status === 201) {
          const { assertionId, revision } = CreatedAssertion.parse(answer.json);
          assertions.push({ incidentId, assertionId });
          acks.push({ kind: 'assertion', incidentId, assertionId, revision, fact });
        } else throw new Error(`assertion: ${answer.status} ${answer.text}`);
      }
    }

    async function worker(base: string, stop: { now: boolean }): Promise<void> {
      while (!stop.now) {
        try {
          await oneWrite(base);
        } catch (error) {
          // A request cut by the kill has no answer: it may or may not have been stored.
          if (error instanceof TypeError) failedInFlight++;
          else throw error;
        }
      }
    }

    for (let round = 1; round <= KILLS; round++) {
      const running = server;
      const base = running.url;
      // A checkpoint an auditor keeps from before the crash: the ledger after the restart must extend it.
      const kept = expectJson(CheckpointAnswer, await call(base, 'GET', '/api/audit/checkpoint', { token: ADMIN }), 200);
      const acksBefore = acks.length;
      const stop = { now: false };
      const load = Promise.all(Array.from({ length: WORKERS }, () => worker(base, stop)));
      // At least LOAD_MS of load and MIN_ACKS acknowledged writes (a loaded machine is slow), then a random extra moment.
      const loadStarted = Date.now();
      while ((Date.now() - loadStarted < LOAD_MS || acks.length - acksBefore < MIN_ACKS) && Date.now() - loadStarted < 20_000) await sleep(20);
      await sleep(Math.random() * 250);
      running.child.kill('SIGKILL');
      stop.now = true;
      const exit = await running.exited;
      await load;
      expect(exit.signal).toBe('SIGKILL');
      expect(acks.length - acksBefore, `round ${round}: the load acknowledged too little before the kill`).toBeGreaterThanOrEqual(MIN_ACKS);

      // 1. The file as the crash left it: intact, every row whole, every chain verifies.
      const seen = await inspectLedgerFile(db, dir.path);
      expect(seen.integrity).toBe('ok');
      expect(seen.malformed).toEqual([]);
      expect(seen.report.failures).toEqual([]);
      expect(seen.report.ok).toBe(true);
      checkAcknowledged(seen.events, acks, round);

      // 2. The restarted server recovers it, agrees, and extends what was promised before.
      server = await spawnServer(ENV(db));
      const next = server.url;
      const verified = expectJson(VerifyAnswer, await call(next, 'POST', '/api/audit/verify', { token: ADMIN, body: { checkpoint: { size: kept.size, root: kept.root } } }), 200);
      expect(verified.failures).toEqual([]);
      expect(verified.ok).toBe(true);
      expect(verified.checked).toBe(seen.rows);
      expect(verified.root).toBe(seen.report.root);

      // 3. The read models rebuilt after the crash know every acknowledged assertion (this round's, and a sample of older ones).
      const recorded = new Set<string>();
      for (const incidentId of incidents) {
        for (const e of await allEvents(next, ADMIN, incidentId)) if (e.type === 'AssertionRecorded') recorded.add(String(e.data.assertionId));
      }
      const acked = acks.filter((a): a is Extract<Ack, { kind: 'assertion' }> => a.kind === 'assertion');
      const recent = acked.filter((_a, i) => i >= acked.length - (acks.length - acksBefore) || Math.random() < 0.1);
      for (const ack of acked) expect(recorded.has(ack.assertionId)).toBe(true);
      await Promise.all(
        recent.map(async (ack) => {
          const history = await call(next, 'GET', `/api/incidents/${ack.incidentId}/assertions/${ack.assertionId}/history`, { token: ADMIN });
          expect(history.status, `history of ${ack.assertionId}`).toBe(200);
        }),
      );
      const listedSources = new Set<string>();
      for (let cursor: string | undefined | null = undefined, pages = 0; pages < 50; pages++) {
        const page: z.infer<typeof Listed> = expectJson(Listed, await call(next, 'GET', `/api/sources?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token: ADMIN }), 200);
        for (const item of page.sources) listedSources.add(item.id);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      for (const ack of acks) if (ack.kind === 'source') expect(listedSources.has(ack.id)).toBe(true);
    }

    process.stdout.write(`crash: ${attempted} writes attempted, ${acks.length} acknowledged, ${failedInFlight} cut by ${KILLS} kills\n`);
    // Some requests must have been cut mid-flight, or the kill did not land mid-load.
    expect(failedInFlight).toBeGreaterThan(0);
    // The secret never reached the server's output.
    expect(server.output()).not.toContain(ADMIN);
    await stopChild(server, 'SIGTERM');
  });
});

const Appended = z.object({ revision: z.number().int() });

/** Each acknowledged write is at the revision it was acknowledged with, and its assertion is recorded once. */
function checkAcknowledged(events: ReadonlyArray<{ stream: string; revision: number; type: string; data: unknown }>, acks: Ack[], round: number): void {
  const at = new Map(events.map((e) => [`${e.stream}@${e.revision}`, e]));
  const recordedCount = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'AssertionRecorded') continue;
    const id = String((e.data as { assertionId?: unknown }).assertionId);
    recordedCount.set(id, (recordedCount.get(id) ?? 0) + 1);
  }
  // Nothing at all is stored twice, acknowledged or not.
  expect([...recordedCount.values()].filter((n) => n !== 1), `round ${round}: assertions recorded more than once`).toEqual([]);
  for (const ack of acks) {
    switch (ack.kind) {
      case 'source':
        expect(at.get(`source-${ack.id}@0`)?.type, `round ${round}: source ${ack.id}`).toBe('SourceRegistered');
        break;
      case 'incident':
        expect(at.get(`incident-${ack.id}@0`)?.type, `round ${round}: incident ${ack.id}`).toBe('IncidentOpened');
        break;
      case 'assertion': {
        const e = at.get(`incident-${ack.incidentId}@${ack.revision}`);
        expect(e?.type, `round ${round}: assertion ${ack.assertionId}`).toBe('AssertionRecorded');
        expect(e?.data).toMatchObject({ assertionId: ack.assertionId, fact: ack.fact });
        expect(recordedCount.get(ack.assertionId)).toBe(1);
        break;
      }
      case 'correction': {
        const e = at.get(`incident-${ack.incidentId}@${ack.revision}`);
        expect(e?.type, `round ${round}: correction of ${ack.assertionId}`).toBe('AssertionCorrected');
        expect(e?.data).toMatchObject({ assertionId: ack.assertionId, value: { type: 'quantity', value: ack.value } });
        break;
      }
    }
  }
}
