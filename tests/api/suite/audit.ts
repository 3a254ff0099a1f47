import { ulid } from 'ulid';
import { describe, expect, it } from 'vitest';
import { ZERO_HASH, type StoredEvent } from '../../../events/index.js';
import type { Checkpoint, ConsistencyProof, InclusionProof } from '../../../src/log/schemas.js';
import { leafHashOfEvent, verifyConsistencyBetween, verifyInclusionAgainstCheckpoint } from '../../../src/log/verify-offline.js';
import { about, correct, etagOf, expectRefused, expectStatus, retract, scenario } from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

const HEX64 = /^[0-9a-f]{64}$/;

/** The auditor's routes: raw events and their chain, digests, checkpoints, proofs an outsider can check, verification. */
export function describeAudit(t: ApiSuiteContext): void {
  const audit = async <T>(path: string): Promise<T> => expectStatus(await t.api.as('auditor').get(path), 200) as T;
  const checkpoint = () => audit<Checkpoint>('/api/audit/checkpoint');
  const eventsOf = async (incidentId: string, query = '') =>
    audit<{ stream: string; revision: number; events: StoredEvent[] }>(`/api/incidents/${incidentId}/events${query}`);

  describe('events and digests', () => {
    it('serves an incident’s raw events with their chain fields, each linked to the one before', async () => {
      const s = await scenario(t.api);
      await correct(t.api, s.incidentId, s.assertionId, { value: about(171_000) });
      const { stream, revision, events } = await eventsOf(s.incidentId);
      expect(stream).toBe(`incident-${s.incidentId}`);
      expect(revision).toBe(2);
      expect(events.map((e) => [e.revision, e.type])).toEqual([[0, 'IncidentOpened'], [1, 'AssertionRecorded'], [2, 'AssertionCorrected']]);
      expect(events[0]!.metadata.prevHash).toBe(ZERO_HASH);
      events.forEach((e, i) => {
        expect(e.metadata).toMatchObject({ eventId: expect.any(String), recordedAt: expect.any(String), actor: expect.any(String), correlationId: expect.any(String), causationId: expect.any(String), schemaVersion: 1, hash: expect.stringMatching(HEX64) });
        if (i > 0) expect(e.metadata.prevHash, `revision ${i} chains from revision ${i - 1}`).toBe(events[i - 1]!.metadata.hash);
      });
    });

    it('pages raw events with ?from=&limit=', async () => {
      const s = await scenario(t.api);
      await retract(t.api, s.incidentId, s.assertionId);
      const page = await eventsOf(s.incidentId, '?from=1&limit=1');
      expect(page.revision).toBe(2);
      expect(page.events.map((e) => e.revision)).toEqual([1]);
      expect((await eventsOf(s.incidentId, '?from=3')).events).toEqual([]);
    });

    it('serves a source’s raw events with their chain fields, and a 404 for a source never registered', async () => {
      const s = await scenario(t.api);
      const { stream, revision, events } = await audit<{ stream: string; revision: number; events: StoredEvent[] }>(`/api/sources/${s.sourceId}/events`);
      expect(stream).toBe(`source-${s.sourceId}`);
      expect(revision).toBe(0);
      expect(events).toEqual([expect.objectContaining({ stream, revision: 0, type: 'SourceRegistered', metadata: expect.objectContaining({ prevHash: ZERO_HASH, hash: expect.stringMatching(HEX64) }) })]);
      expect((await t.api.as('auditor').get(`/api/sources/${ulid()}/events`)).status).toBe(404);
    });

    it('gives an incident’s digest: its last revision and hash', async () => {
      const s = await scenario(t.api);
      const { events } = await eventsOf(s.incidentId);
      const res = await t.api.as('auditor').get(`/api/incidents/${s.incidentId}/digest`);
      expect(expectStatus(res, 200)).toEqual({ stream: `incident-${s.incidentId}`, revision: s.revision, hash: events.at(-1)!.metadata.hash });
      expect(res.headers.etag).toBe(etagOf(s.revision));
    });

    it('gives the digest as of an instant, as every other read of an incident takes asOf', async () => {
      const s = await scenario(t.api);
      await correct(t.api, s.incidentId, s.assertionId, { reason: 'later figure', value: about(180_000) });
      const { events } = await eventsOf(s.incidentId);
      const asOf = events[1]!.metadata.recordedAt;
      // The last event recorded by then (two events may share a millisecond).
      const then = events.filter((e) => e.metadata.recordedAt <= asOf).at(-1)!;
      expect(then.revision).toBeLessThan(events.at(-1)!.revision);
      const res = await t.api.as('auditor').get(`/api/incidents/${s.incidentId}/digest?asOf=${asOf}`);
      expect(expectStatus(res, 200)).toEqual({ stream: `incident-${s.incidentId}`, revision: then.revision, hash: then.metadata.hash });
      await expectRefused(t.api, () => t.api.as('auditor').get(`/api/incidents/${s.incidentId}/digest?asOf=1970-01-01T00:00:00Z`), 404);
    });
  });

  describe('checkpoints and proofs', () => {
    it('proves an event is in the ledger of the current checkpoint, checkable offline', async () => {
      const s = await scenario(t.api);
      const [, recorded] = (await eventsOf(s.incidentId)).events;
      const cp = await checkpoint();
      expect(cp).toEqual({ size: expect.any(Number), root: expect.stringMatching(HEX64), at: expect.any(String) });

      const proof = await audit<InclusionProof>(`/api/audit/proofs/inclusion?eventId=${recorded!.metadata.eventId}&size=${cp.size}`);
      expect(proof).toMatchObject({ size: cp.size, leafHash: leafHashOfEvent(recorded!.metadata.hash) });
      expect(verifyInclusionAgainstCheckpoint(proof, cp, { eventHash: recorded!.metadata.hash })).toEqual({ ok: true });
      expect(verifyInclusionAgainstCheckpoint(proof, { ...cp, root: ZERO_HASH })).toMatchObject({ ok: false });

      const latest = await audit<InclusionProof>(`/api/audit/proofs/inclusion?eventId=${recorded!.metadata.eventId}`);
      expect(latest.size).toBeGreaterThanOrEqual(cp.size);
    });

    it('proves a later checkpoint extends an earlier one, checkable offline', async () => {
      const s = await scenario(t.api);
      const older = await checkpoint();
      await correct(t.api, s.incidentId, s.assertionId, { value: about(172_000) });
      await retract(t.api, s.incidentId, s.assertionId);
      const newer = await checkpoint();
      expect(newer.size).toBe(older.size + 2);

      const proof = await audit<ConsistencyProof>(`/api/audit/proofs/consistency?from=${older.size}&to=${newer.size}`);
      expect(proof).toMatchObject({ from: older.size, to: newer.size, proof: expect.any(Array) });
      expect(verifyConsistencyBetween(older, newer, proof)).toEqual({ ok: true });
      expect(verifyConsistencyBetween({ ...older, root: newer.root }, newer, proof)).toMatchObject({ ok: false });
    });

    it('refuses proofs about sizes the ledger has not reached', async () => {
      const cp = await checkpoint();
      const s = await scenario(t.api);
      const { events } = await eventsOf(s.incidentId);
      await expectRefused(t.api, () => t.api.as('auditor').get(`/api/audit/proofs/consistency?from=${cp.size + 1000}`), 400);
      await expectRefused(t.api, () => t.api.as('auditor').get(`/api/audit/proofs/consistency?from=2&to=1`), 400);
      await expectRefused(t.api, () => t.api.as('auditor').get(`/api/audit/proofs/inclusion?eventId=${events[0]!.metadata.eventId}&size=${cp.size}`), 400);
    });
  });

  describe('verification', () => {
    it('recomputes every chain and the log root: ok, with nothing failing', async () => {
      await scenario(t.api);
      let count = 0;
      for await (const _ of t.api.store.readAll()) count++;
      const report = expectStatus(await t.api.as('auditor').post('/api/audit/verify'), 200);
      expect(report).toEqual({ ok: true, checked: count, root: expect.stringMatching(HEX64), failures: [] });
      expect(report.root).toBe((await checkpoint()).root);
    });

    it('proves the ledger still extends a checkpoint an auditor kept, and says when one was forged', async () => {
      const kept = await checkpoint();
      await scenario(t.api);
      const extended = expectStatus(await t.api.as('auditor').post('/api/audit/verify').send({ checkpoint: kept }), 200);
      expect(extended).toMatchObject({ ok: true, failures: [] });

      const forged = expectStatus(await t.api.as('auditor').post('/api/audit/verify').send({ checkpoint: { size: kept.size, root: ZERO_HASH.replace(/0$/, '1') } }), 200);
      expect(forged).toMatchObject({ ok: false, failures: [expect.objectContaining({ reason: 'checkpoint-not-extended' })] });
    });

    it('answers afresh when asked again with an Idempotency-Key: a verify writes nothing to replay', async () => {
      const ask = () => t.api.as('auditor').post('/api/audit/verify').set('Idempotency-Key', 'verify-twice');
      const first = await ask();
      expect(expectStatus(first, 200)).toMatchObject({ ok: true });
      await scenario(t.api);
      const second = await ask();
      expect(second.headers['idempotent-replayed']).toBeUndefined();
      expect((expectStatus(second, 200).checked as number) > (first.body.checked as number)).toBe(true);
    });
  });
}
