import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import {
  about,
  correct,
  etagOf,
  expectInvalid,
  expectRefused,
  expectStatus,
  no,
  openIncident,
  quantity,
  recordAssertion,
  registerSource,
  scenario,
  tick,
  yes,
} from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Writes that succeed: what each answers, and what the reads then show. */
export function describeWriting(t: ApiSuiteContext): void {
  describe('incidents', () => {
    it('opens an incident: 201 with its id and revision 0, an ETag and a Location', async () => {
      const res = await t.api.as('reporter').post('/api/incidents').send({ title: 'Sky ECC', summary: 'Encrypted phones' });
      const body = expectStatus(res, 201);
      expect(body).toEqual({ id: expect.stringMatching(ULID), revision: 0 });
      expect(res.headers.etag).toBe(etagOf(0));
      expect(res.headers.location).toBe(`/api/incidents/${body.id}`);
    });

    it('shows the incident summary, its ETag being the stream revision', async () => {
      const { incidentId, revision } = await scenario(t.api);
      const res = await t.api.as('reader').get(`/api/incidents/${incidentId}`);
      const body = expectStatus(res, 200);
      expect(body).toMatchObject({ id: incidentId, title: expect.any(String), revision, assertionCount: 1, factCount: 1, disputedFactCount: 0, asOf: null });
      expect(body.openedAt).toEqual(expect.any(String));
      expect(body.updatedAt).toEqual(expect.any(String));
      expect(res.headers.etag).toBe(etagOf(revision));
    });

    it('lists incidents newest first, searches titles with ?q= and pages with ?limit=&cursor=', async () => {
      const tag = ulid().toLowerCase();
      const older = await openIncident(t.api, `Older ${tag}`);
      await tick(5);
      const newer = await openIncident(t.api, `Newer ${tag}`);
      await openIncident(t.api, 'Unrelated');

      const first = expectStatus(await t.api.as('reader').get(`/api/incidents?q=${tag}&limit=1`), 200);
      expect(first).toMatchObject({ asOf: null, incidents: [{ id: newer.id, title: `Newer ${tag}`, revision: 0, assertionCount: 0 }] });
      expect(first.nextCursor).toEqual(expect.any(String));

      const second = expectStatus(await t.api.as('reader').get(`/api/incidents?q=${tag}&limit=1&cursor=${first.nextCursor}`), 200);
      expect(second).toMatchObject({ incidents: [{ id: older.id }], nextCursor: null });
    });

    it('revises an incident’s title: 201 with the new revision; a revision that changes nothing is refused', async () => {
      const incident = await openIncident(t.api, 'Sky ECC: first title');
      const res = await t.api.as('editor').post(`/api/incidents/${incident.id}/revisions`).send({ title: 'Sky ECC: revised title', reason: 'clearer' });
      expect(expectStatus(res, 201)).toEqual({ revision: 1 });
      expect(res.headers.etag).toBe(etagOf(1));
      expect(expectStatus(await t.api.as('reader').get(`/api/incidents/${incident.id}`), 200)).toMatchObject({ title: 'Sky ECC: revised title', revision: 1 });
      await expectRefused(t.api, () => t.api.as('editor').post(`/api/incidents/${incident.id}/revisions`).send({ title: 'Sky ECC: revised title' }), 422, 'details-unchanged');
    });
  });

  describe('sources', () => {
    it('registers a source: 201 with its id', async () => {
      const res = await t.api.as('reporter').post('/api/sources').send({ name: 'Europol', kind: 'agency', url: 'https://www.europol.europa.eu/', language: 'en' });
      expect(expectStatus(res, 201)).toMatchObject({ id: expect.stringMatching(ULID) });
    });

    it('lists sources with their fields, a page at a time', async () => {
      const name = `Parquet de Paris ${ulid()}`;
      const res = await t.api.as('reporter').post('/api/sources').send({ name, kind: 'agency', language: 'fr' });
      const { id } = expectStatus(res, 201);
      const sources: Array<Record<string, unknown>> = [];
      let cursor: unknown = undefined;
      do {
        const page = expectStatus(await t.api.as('reader').get(`/api/sources?limit=2${cursor ? `&cursor=${String(cursor)}` : ''}`), 200);
        const items = page.sources as Array<Record<string, unknown>>;
        expect(items.length).toBeLessThanOrEqual(2);
        sources.push(...items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(new Set(sources.map((s) => s.id)).size, 'no source twice across pages').toBe(sources.length);
      expect(sources).toContainEqual({ id, name, kind: 'agency', language: 'fr', registeredAt: expect.any(String) });
    });
  });

  describe('assertions, corrections, retractions, assessments', () => {
    it('records an assertion: 201 with its id and the new revision', async () => {
      const incident = await openIncident(t.api);
      const sourceId = await registerSource(t.api, 'Sky ECC', 'company');
      const res = await t.api
        .as('reporter')
        .post(`/api/incidents/${incident.id}/assertions`)
        .send({ fact: 'messages.per-day', value: about(3_000_000), validTime: '2021-03', sourceId, citation: { title: 'Press release', language: 'en', publishedAt: '2021-03-10' }, quote: 'around 3 million messages a day' });
      expect(expectStatus(res, 201)).toEqual({ assertionId: expect.stringMatching(ULID), revision: 1 });
      expect(res.headers.etag).toBe(etagOf(1));
    });

    it('corrects an assertion: 201 with the new revision; the view shows the corrected value', async () => {
      const s = await scenario(t.api, 'messages.per-day', about(300_000));
      const res = await t.api
        .as('editor')
        .post(`/api/incidents/${s.incidentId}/assertions/${s.assertionId}/corrections`)
        .send({ reason: 'a digit slipped', value: about(3_000_000) });
      expect(expectStatus(res, 201)).toMatchObject({ assertionId: s.assertionId, revision: s.revision + 1 });
      expect(res.headers.etag).toBe(etagOf(s.revision + 1));
      const facts = expectStatus(await t.api.as('reader').get(`/api/incidents/${s.incidentId}/facts`), 200);
      expect(facts.facts).toEqual([expect.objectContaining({ fact: 'messages.per-day', assertions: [expect.objectContaining({ value: about(3_000_000), corrected: true })] })]);
    });

    it('retracts an assertion: 201, and it leaves the current views', async () => {
      const s = await scenario(t.api, 'arrests.count', quantity(300));
      const res = await t.api.as('editor').post(`/api/incidents/${s.incidentId}/assertions/${s.assertionId}/retractions`).send({ reason: 'another case' });
      expect(expectStatus(res, 201)).toMatchObject({ assertionId: s.assertionId, revision: s.revision + 1 });
      const facts = expectStatus(await t.api.as('reader').get(`/api/incidents/${s.incidentId}/facts`), 200);
      expect(facts).toMatchObject({ revision: s.revision + 1, facts: [] });
    });

    it('assesses a disputed fact: 201, and the dispute stays visible with the ruling', async () => {
      const incident = await openIncident(t.api);
      const europol = await registerSource(t.api, 'Europol');
      const skyEcc = await registerSource(t.api, 'Sky ECC', 'company');
      const unlocked = await recordAssertion(t.api, incident.id, { fact: 'encryption.compromised', value: yes, sourceId: europol });
      await recordAssertion(t.api, incident.id, { fact: 'encryption.compromised', value: no, sourceId: skyEcc });

      const res = await t.api
        .as('editor')
        .post(`/api/incidents/${incident.id}/facts/encryption.compromised/assessments`)
        .send({ preferred: [unlocked.assertionId], rationale: 'Europol names the method' });
      expect(expectStatus(res, 201)).toEqual({ fact: 'encryption.compromised', revision: 3 });

      const disputes = expectStatus(await t.api.as('reader').get(`/api/incidents/${incident.id}/disputes`), 200);
      expect(disputes.disputes).toEqual([
        expect.objectContaining({
          fact: 'encryption.compromised',
          status: 'assessed',
          assessment: expect.objectContaining({ preferred: [unlocked.assertionId], rationale: 'Europol names the method', actor: 'editor', revision: 3 }),
        }),
      ]);
    });

    it('records the actor of the token, and refuses an actor in the body', async () => {
      await expectInvalid(t.api, () => t.api.as('reporter').post('/api/incidents').send({ title: 'Forged', actor: 'someone-else' }), ['actor']);
      const s = await scenario(t.api);
      await correct(t.api, s.incidentId, s.assertionId, { value: about(180_000) });
      const { events } = expectStatus(await t.api.as('auditor').get(`/api/incidents/${s.incidentId}/events`), 200) as { events: Array<{ metadata: { actor: string } }> };
      expect(events.map((e) => e.metadata.actor)).toEqual(['reporter', 'reporter', 'editor']);
    });
  });
}
