import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { StoreUnavailableError } from '../../../src/store/errors.js';
import { ulid } from 'ulid';
import {
  about,
  correct,
  etagOf,
  expectRefused,
  expectStatus,
  no,
  recordAssertion,
  registerSource,
  retract,
  scenario,
  unknownId,
  yes,
  type Json,
  type Scenario,
} from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

/** 404, 409, 422 and idempotent retries: what the ledger refuses, and that a refusal changes nothing. */
export function describeRefusals(t: ApiSuiteContext): void {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario(t.api);
  });

  const get = (path: string) => () => t.api.as('admin').get(path);
  const post = (path: string, body: Json, headers: Record<string, string> = {}) => () => t.api.as('admin').post(path).set(headers).send(body);
  const newAssertion = (): Json => ({ fact: 'users.worldwide', value: about(170_000), sourceId: s.sourceId });

  describe('404: an unknown id in the path', () => {
    it('for every view of an incident that does not exist', async () => {
      const id = unknownId();
      for (const view of ['', '/timeline', '/facts', '/disputes', '/facts/users.worldwide/history', `/assertions/${s.assertionId}/history`, '/events', '/digest', '/live']) {
        await expectRefused(t.api, get(`/api/incidents/${id}${view}`), 404, 'not-found');
      }
    });

    it('for every write to an incident that does not exist, with or without If-Match', async () => {
      const id = unknownId();
      await expectRefused(t.api, post(`/api/incidents/${id}/assertions`, newAssertion()), 404);
      await expectRefused(t.api, post(`/api/incidents/${id}/assertions`, newAssertion(), { 'If-Match': '"3"' }), 404);
      await expectRefused(t.api, post(`/api/incidents/${id}/assertions/${s.assertionId}/corrections`, { reason: 'typo', value: about(1) }), 404);
      await expectRefused(t.api, post(`/api/incidents/${id}/assertions/${s.assertionId}/retractions`, { reason: 'error' }), 404);
      await expectRefused(t.api, post(`/api/incidents/${id}/facts/users.worldwide/assessments`, { preferred: [s.assertionId], rationale: 'r' }), 404);
    });

    it('for an unknown assertion or fact of a known incident', async () => {
      const base = `/api/incidents/${s.incidentId}`;
      await expectRefused(t.api, post(`${base}/assertions/${unknownId()}/corrections`, { reason: 'typo', value: about(1) }), 404);
      await expectRefused(t.api, post(`${base}/assertions/${unknownId()}/retractions`, { reason: 'error' }), 404);
      await expectRefused(t.api, get(`${base}/assertions/${unknownId()}/history`), 404);
      await expectRefused(t.api, get(`${base}/facts/never.asserted/history`), 404);
    });

    it('for an assertion of another incident', async () => {
      const other = await scenario(t.api);
      await expectRefused(t.api, post(`/api/incidents/${s.incidentId}/assertions/${other.assertionId}/retractions`, { reason: 'wrong incident' }), 404);
      await expectRefused(t.api, get(`/api/incidents/${s.incidentId}/assertions/${other.assertionId}/history`), 404);
    });

    it('for ids and fact keys that do not even parse', async () => {
      const base = `/api/incidents/${s.incidentId}`;
      await expectRefused(t.api, get('/api/incidents/sky-ecc'), 404);
      await expectRefused(t.api, get(`/api/incidents/${s.incidentId.toLowerCase()}/timeline`), 404);
      await expectRefused(t.api, get(`${base}/assertions/42/history`), 404);
      await expectRefused(t.api, get(`${base}/facts/Not%20A%20Key/history`), 404);
      await expectRefused(t.api, post('/api/incidents/sky-ecc/assertions', newAssertion()), 404);
      await expectRefused(t.api, post(`${base}/assertions/42/corrections`, { reason: 'typo', value: about(1) }), 404);
      await expectRefused(t.api, post(`${base}/facts/NOT_A_KEY/assessments`, { preferred: [s.assertionId], rationale: 'r' }), 404);
    });

    it('for an incident asked about before it was opened', async () => {
      await expectRefused(t.api, get(`/api/incidents/${s.incidentId}?asOf=2001-01-01T00:00:00Z`), 404);
      await expectRefused(t.api, get(`/api/incidents/${s.incidentId}/timeline?asOf=2001-01-01`), 404);
    });

    it('for an unknown event in an inclusion proof, and for a route that does not exist', async () => {
      await expectRefused(t.api, get(`/api/audit/proofs/inclusion?eventId=${unknownId()}`), 404);
      await expectRefused(t.api, get('/api/nothing-here'), 404);
    });
  });

  describe('409: a stale If-Match', () => {
    it('is refused with the current revision and changes nothing; the right If-Match succeeds', async () => {
      const mine = await scenario(t.api);
      const stale = mine.revision - 1;
      const path = `/api/incidents/${mine.incidentId}/assertions`;
      const problem = await expectRefused(t.api, post(path, { ...newAssertion(), sourceId: mine.sourceId }, { 'If-Match': etagOf(stale) }), 409, 'stale-revision');
      expect(problem.currentRevision).toBe(mine.revision);

      const res = await t.api.as('reporter').post(path).set('If-Match', etagOf(mine.revision)).send({ ...newAssertion(), sourceId: mine.sourceId });
      expect(expectStatus(res, 201).revision).toBe(mine.revision + 1);
      expect(res.headers.etag).toBe(etagOf(mine.revision + 1));
    });

    it('guards corrections, retractions and assessments too, in every ETag form', async () => {
      const mine = await scenario(t.api);
      const base = `/api/incidents/${mine.incidentId}`;
      for (const ifMatch of [etagOf(mine.revision + 1), `W/"${mine.revision - 1}"`, '0']) {
        await expectRefused(t.api, post(`${base}/assertions/${mine.assertionId}/corrections`, { reason: 'typo', value: about(1) }, { 'If-Match': ifMatch }), 409);
        await expectRefused(t.api, post(`${base}/assertions/${mine.assertionId}/retractions`, { reason: 'error' }, { 'If-Match': ifMatch }), 409);
        await expectRefused(t.api, post(`${base}/facts/users.worldwide/assessments`, { preferred: [mine.assertionId], rationale: 'r' }, { 'If-Match': ifMatch }), 409);
      }
      expectStatus(await t.api.as('editor').post(`${base}/assertions/${mine.assertionId}/retractions`).set('If-Match', `W/"${mine.revision}"`).send({ reason: 'error' }), 201);
    });
  });

  describe('422: a well-formed command the ledger refuses', () => {
    it('correcting or retracting a retracted assertion', async () => {
      const mine = await scenario(t.api);
      await retract(t.api, mine.incidentId, mine.assertionId);
      const base = `/api/incidents/${mine.incidentId}/assertions/${mine.assertionId}`;
      await expectRefused(t.api, post(`${base}/corrections`, { reason: 'typo', value: about(1) }), 422, 'assertion-retracted');
      await expectRefused(t.api, post(`${base}/retractions`, { reason: 'again' }), 422, 'assertion-retracted');
    });

    it('citing a source that is not registered', async () => {
      await expectRefused(t.api, post(`/api/incidents/${s.incidentId}/assertions`, { ...newAssertion(), sourceId: unknownId() }), 422, 'unknown-source');
    });

    it('a time open at both ends, as valid time, date value or publication date; one open end is fine', async () => {
      const mine = await scenario(t.api);
      const assertions = `/api/incidents/${mine.incidentId}/assertions`;
      const citation = { url: 'https://example.org/a', title: 'A', publishedAt: '../..' };
      for (const body of [
        { ...newAssertion(), validTime: '../..' },
        { ...newAssertion(), validTime: '/' },
        { ...newAssertion(), value: { type: 'date', value: '../..' } },
        { ...newAssertion(), citation },
      ]) {
        await expectRefused(t.api, post(assertions, body), 422, 'time-unbounded');
      }
      await expectRefused(t.api, post(`${assertions}/${mine.assertionId}/corrections`, { reason: 'typo', validTime: '/..' }), 422, 'time-unbounded');
      const incident = expectStatus(await t.api.as('reader').get(`/api/incidents/${mine.incidentId}`), 200);
      expect(incident.revision).toBe(mine.revision);
      expectStatus(await t.api.as('admin').post(assertions).send({ ...newAssertion(), validTime: '2021-03-09/..' }), 201);
    });

    it('a correction that changes nothing', async () => {
      const mine = await scenario(t.api, 'users.worldwide', about(170_000));
      const path = `/api/incidents/${mine.incidentId}/assertions/${mine.assertionId}/corrections`;
      await expectRefused(t.api, post(path, { reason: 'same again', value: about(170_000) }), 422, 'correction-changes-nothing');
      await expectRefused(t.api, post(path, { reason: 'same key', fact: 'users.worldwide' }), 422, 'correction-changes-nothing');
      await expectRefused(t.api, post(path, { reason: 'nothing at all' }), 422, 'correction-changes-nothing');
      // An empty citation says what none says.
      await expectRefused(t.api, post(path, { reason: 'empty citation', citation: {} }), 422, 'correction-changes-nothing');
    });

    it('an assessment naming an assertion of another fact, an unknown one, or a retracted one', async () => {
      const mine = await scenario(t.api);
      const skyEcc = await registerSource(t.api, 'Sky ECC', 'company');
      const unlocked = await recordAssertion(t.api, mine.incidentId, { fact: 'encryption.compromised', value: yes, sourceId: mine.sourceId });
      const denied = await recordAssertion(t.api, mine.incidentId, { fact: 'encryption.compromised', value: no, sourceId: skyEcc });
      await retract(t.api, mine.incidentId, denied.assertionId);
      const assess = (preferred: string[]) => post(`/api/incidents/${mine.incidentId}/facts/encryption.compromised/assessments`, { preferred, rationale: 'r' });
      await expectRefused(t.api, assess([mine.assertionId]), 422, 'assessment-names-assertion-off-fact');
      await expectRefused(t.api, assess([unlocked.assertionId, unknownId()]), 422, 'assessment-names-unknown-assertion');
      await expectRefused(t.api, assess([denied.assertionId]), 422, 'assessment-names-retracted-assertion');
    });
  });

  describe('Idempotency-Key', () => {
    it('a retried write returns the first answer and appends nothing', async () => {
      const key = `open-${ulid()}`;
      const open = () => t.api.as('reporter').post('/api/incidents').set('Idempotency-Key', key).send({ title: 'Opened once' });
      const first = await open();
      expectStatus(first, 201);
      const after = await t.api.ledgerDigest();

      const retried = await open();
      expect(retried.status).toBe(201);
      expect(retried.body).toEqual(first.body);
      expect(retried.headers.etag).toBe(first.headers.etag);
      expect(retried.headers.location).toBe(first.headers.location);
      expect(retried.headers['idempotent-replayed']).toBe('true');
      expect(await t.api.ledgerDigest()).toEqual(after);
    });

    it('replays an assertion recorded under a key, even after the incident moved on', async () => {
      const mine = await scenario(t.api);
      const key = `record-${mine.assertionId}`;
      const record = () => t.api.as('reporter').post(`/api/incidents/${mine.incidentId}/assertions`).set('Idempotency-Key', key).send({ ...newAssertion(), sourceId: mine.sourceId });
      const first = expectStatus(await record(), 201);
      await correct(t.api, mine.incidentId, mine.assertionId, { value: about(1) });
      const after = await t.api.ledgerDigest();
      expect(expectStatus(await record(), 201)).toEqual(first);
      expect(await t.api.ledgerDigest()).toEqual(after);
    });

    it('concurrent retries with one key make one write, and all get its answer', async () => {
      const key = `race-${ulid()}`;
      const before = await t.api.ledgerDigest();
      const answers = await Promise.all(
        Array.from({ length: 4 }, () => t.api.as('reporter').post('/api/incidents').set('Idempotency-Key', key).send({ title: 'Opened once, asked four times' })),
      );
      const bodies = answers.map((res) => expectStatus(res, 201));
      expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
      const after = await t.api.ledgerDigest();
      expect(Object.keys(after.streams).length - Object.keys(before.streams).length, 'one new stream').toBe(1);
      expect(after.streams[`incident-${bodies[0]!.id}`]).toMatchObject({ revision: 0 });
    });

    it('the same key with a different body is refused with 422 and changes nothing', async () => {
      const key = `open-${ulid()}`;
      expectStatus(await t.api.as('reporter').post('/api/incidents').set('Idempotency-Key', key).send({ title: 'First body' }), 201);
      await expectRefused(t.api, () => t.api.as('reporter').post('/api/incidents').set('Idempotency-Key', key).send({ title: 'Second body' }), 422, 'idempotency-key-reused');
    });

    describe('after a crash between the append and its answer', () => {
      afterEach(() => vi.restoreAllMocks());

      /** The process "dies" after appending: the answer under the key is never stored. */
      const loseTheNextAnswer = () => vi.spyOn(t.api.services.idempotency, 'put').mockImplementationOnce(() => undefined);

      it('a retry finds the append, answers with the ids the first attempt used, and appends nothing', async () => {
        const mine = await scenario(t.api);
        const key = `crash-${ulid()}`;
        const record = () => t.api.as('reporter').post(`/api/incidents/${mine.incidentId}/assertions`).set('Idempotency-Key', key).send({ ...newAssertion(), sourceId: mine.sourceId });
        loseTheNextAnswer();
        const first = await record();
        expectStatus(first, 201);
        // Others write on the incident before the client retries.
        await correct(t.api, mine.incidentId, mine.assertionId, { value: about(2) });
        const after = await t.api.ledgerDigest();

        const retried = await record();
        expect(retried.status).toBe(201);
        expect(retried.body).toEqual(first.body);
        expect(retried.headers.location).toBe(first.headers.location);
        expect(await t.api.ledgerDigest()).toEqual(after);
        // From then on the answer is stored and replayed.
        const again = await record();
        expect(again.headers['idempotent-replayed']).toBe('true');
        expect(again.body).toEqual(first.body);
      });

      it('a retry of a write whose append never happened makes it, once', async () => {
        const key = `lost-${ulid()}`;
        const open = () => t.api.as('reporter').post('/api/incidents').set('Idempotency-Key', key).send({ title: 'Opened after a failed append' });
        vi.spyOn(t.api.store, 'append').mockRejectedValueOnce(new StoreUnavailableError('the disk went away'));
        expect((await open()).status).toBe(503);
        const before = await t.api.ledgerDigest();

        const retried = expectStatus(await open(), 201);
        const after = await t.api.ledgerDigest();
        expect(Object.keys(after.streams).length - Object.keys(before.streams).length, 'one new stream').toBe(1);
        expect(after.streams[`incident-${retried.id}`]).toMatchObject({ revision: 0 });
        expect(expectStatus(await open(), 201)).toEqual(retried);
      });
    });

    it('keys belong to the caller: another actor with the same key makes a write of its own', async () => {
      const key = `shared-${ulid()}`;
      const mine = expectStatus(await t.api.as('reporter').post('/api/incidents').set('Idempotency-Key', key).send({ title: 'Same key' }), 201);
      const theirs = expectStatus(await t.api.as('editor').post('/api/incidents').set('Idempotency-Key', key).send({ title: 'Same key' }), 201);
      expect(theirs.id).not.toBe(mine.id);
    });
  });
}
