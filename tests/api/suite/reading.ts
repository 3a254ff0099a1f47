import { describe, expect, it } from 'vitest';
import { ulid } from 'ulid';
import {
  about,
  correct,
  etagOf,
  expectStatus,
  no,
  openIncident,
  recordAssertion,
  registerSource,
  retract,
  scenario,
  text,
  tick,
  yes,
  type Json,
} from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

type Revision = { revision: number; type: string; recordedAt: string; actor: string; reason?: string; before?: Json; after?: Json };

/** The read side: every view's shape, statuses, histories, and "as of" a past instant. */
export function describeReading(t: ApiSuiteContext): void {
  const read = async (path: string): Promise<Json> => {
    const res = await t.api.as('reader').get(path);
    const body = expectStatus(res, 200);
    expect(res.headers.etag, `${path}: the ETag is the revision`).toBe(etagOf(body.revision as number));
    return body;
  };

  describe('views of an incident', () => {
    it('orders the timeline by the lower bound of each valid time, leaving out facts without one', async () => {
      const incident = await openIncident(t.api);
      const sourceId = await registerSource(t.api, 'Parquet de Paris');
      await recordAssertion(t.api, incident.id, { fact: 'searches.be-nl', value: text('searches'), validTime: '2021-03-09', sourceId });
      await recordAssertion(t.api, incident.id, { fact: 'investigation.fr.opened', value: text('opened'), validTime: '2019-07-20/..', sourceId });
      await recordAssertion(t.api, incident.id, { fact: 'users.monitored', value: about(70_000), validTime: '2021-02~', sourceId });
      await recordAssertion(t.api, incident.id, { fact: 'users.worldwide', value: about(170_000), sourceId });

      const timeline = await read(`/api/incidents/${incident.id}/timeline`);
      expect(timeline).toMatchObject({ incidentId: incident.id, revision: 4, asOf: null });
      const entries = timeline.entries as Array<{ fact: string; validTime: string; status: string; assertions: Json[] }>;
      expect(entries.map((e) => [e.fact, e.validTime])).toEqual([
        ['investigation.fr.opened', '2019-07-20/..'],
        ['users.monitored', '2021-02~'],
        ['searches.be-nl', '2021-03-09'],
      ]);
      expect(entries[0]).toMatchObject({ status: 'single-source', assertions: [expect.objectContaining({ sourceId, sourceName: 'Parquet de Paris' })] });
    });

    it('serves a view again as the same JSON, and a write’s new revision at once, for every view', async () => {
      const s = await scenario(t.api);
      for (const view of ['timeline', 'facts', 'disputes', 'facts/users.worldwide/history', `assertions/${s.assertionId}/history`]) {
        const path = `/api/incidents/${s.incidentId}/${view}`;
        const first = await t.api.as('reader').get(path);
        const again = await t.api.as('reader').get(path);
        expect(first.headers['content-type'], view).toBe('application/json; charset=utf-8');
        expect(again.text, view).toBe(first.text);
      }
      const before = await read(`/api/incidents/${s.incidentId}/facts`);
      await correct(t.api, s.incidentId, s.assertionId, { value: about(171_000) });
      const after = await read(`/api/incidents/${s.incidentId}/facts`);
      expect(after.revision).toBe((before.revision as number) + 1);
      expect(JSON.stringify(after)).toContain('171000');
      const history = await read(`/api/incidents/${s.incidentId}/assertions/${s.assertionId}/history`);
      expect(history.revision).toBe(after.revision);
    });

    it('gives every live fact its status: single-source, corroborated, disputed, assessed', async () => {
      const incident = await openIncident(t.api);
      const [europol, skyEcc] = [await registerSource(t.api, 'Europol'), await registerSource(t.api, 'Sky ECC', 'company')];
      const say = (fact: string, value: Json, sourceId: string) => recordAssertion(t.api, incident.id, { fact, value, sourceId });
      await say('subscription.price', about(2000), europol);
      await say('users.worldwide', about(170_000), europol);
      await say('users.worldwide', about(175_000), skyEcc);
      await say('device.hacked', yes, europol);
      await say('device.hacked', no, skyEcc);
      const unlocked = await say('encryption.compromised', yes, europol);
      await say('encryption.compromised', no, skyEcc);
      await t.api.as('editor').post(`/api/incidents/${incident.id}/facts/encryption.compromised/assessments`).send({ preferred: [unlocked.assertionId], rationale: 'quoted' });

      const facts = await read(`/api/incidents/${incident.id}/facts`);
      const status = Object.fromEntries((facts.facts as Array<{ fact: string; status: string }>).map((f) => [f.fact, f.status]));
      expect(status).toEqual({
        'subscription.price': 'single-source',
        'users.worldwide': 'corroborated',
        'device.hacked': 'disputed',
        'encryption.compromised': 'assessed',
      });
    });

    it('shows disputes side by side: positions with source names, and the conflicting pairs', async () => {
      const incident = await openIncident(t.api);
      const [iics, europol] = [await registerSource(t.api, 'IICS', 'newspaper'), await registerSource(t.api, 'Europol')];
      const thousands = await recordAssertion(t.api, incident.id, { fact: 'messages.monitored', value: { type: 'quantity', min: 1e5, max: 1e6 }, sourceId: iics, quote: 'hundreds of thousands of messages' });
      const millions = await recordAssertion(t.api, incident.id, { fact: 'messages.monitored', value: { type: 'quantity', min: 1e8, max: 1e9 }, sourceId: europol, quote: 'des centaines de millions de messages', citation: { language: 'fr' } });
      await recordAssertion(t.api, incident.id, { fact: 'users.worldwide', value: about(170_000), sourceId: europol });

      const disputes = await read(`/api/incidents/${incident.id}/disputes`);
      expect(disputes).toMatchObject({ incidentId: incident.id, revision: 3, asOf: null });
      expect(disputes.disputes).toEqual([
        {
          fact: 'messages.monitored',
          status: 'disputed',
          positions: expect.arrayContaining([
            { assertionId: thousands.assertionId, sourceId: iics, sourceName: 'IICS', value: { type: 'quantity', min: 1e5, max: 1e6 }, quote: 'hundreds of thousands of messages' },
            { assertionId: millions.assertionId, sourceId: europol, sourceName: 'Europol', value: { type: 'quantity', min: 1e8, max: 1e9 }, quote: 'des centaines de millions de messages', citation: { language: 'fr' } },
          ]),
          conflicts: [expect.arrayContaining([thousands.assertionId, millions.assertionId])],
        },
      ]);
    });

    it('tells a fact’s and an assertion’s history: who changed what, when, why, before and after', async () => {
      const s = await scenario(t.api, 'messages.per-day', about(300_000));
      await correct(t.api, s.incidentId, s.assertionId, { value: about(3_000_000), reason: 'a digit slipped' });
      const retracted = await retract(t.api, s.incidentId, s.assertionId);

      const history = await read(`/api/incidents/${s.incidentId}/assertions/${s.assertionId}/history`);
      expect(history).toMatchObject({ assertionId: s.assertionId, revision: retracted });
      const revisions = history.revisions as Revision[];
      expect(revisions.map((r) => [r.revision, r.type, r.actor])).toEqual([
        [1, 'AssertionRecorded', 'reporter'],
        [2, 'AssertionCorrected', 'editor'],
        [3, 'AssertionRetracted', 'editor'],
      ]);
      expect(revisions[1]).toMatchObject({ reason: 'a digit slipped', before: { value: about(300_000) }, after: { value: about(3_000_000) } });
      expect(revisions[2]).toMatchObject({ reason: 'recorded in error' });
      for (const r of revisions) expect(Number.isNaN(Date.parse(r.recordedAt))).toBe(false);

      const factHistory = await read(`/api/incidents/${s.incidentId}/facts/messages.per-day/history`);
      expect(factHistory).toMatchObject({ fact: 'messages.per-day', revision: retracted });
      expect((factHistory.revisions as Revision[]).map((r) => r.type)).toEqual(['AssertionRecorded', 'AssertionCorrected', 'AssertionRetracted']);
    });
  });

  describe('as of a past instant', () => {
    it('shows the old value before a correction and the new one after, each with its revision', async () => {
      const s = await scenario(t.api, 'messages.per-day', about(300_000));
      await tick();
      const beforeCorrection = new Date().toISOString();
      await tick();
      const corrected = await correct(t.api, s.incidentId, s.assertionId, { value: about(3_000_000) });
      await tick();
      const afterCorrection = new Date().toISOString();

      const valueAt = async (query: string) => {
        const facts = await read(`/api/incidents/${s.incidentId}/facts${query}`);
        const [fact] = facts.facts as Array<{ assertions: Array<{ value: Json; corrected: boolean }> }>;
        return { revision: facts.revision, asOf: facts.asOf, value: fact!.assertions[0]!.value, corrected: fact!.assertions[0]!.corrected };
      };
      expect(await valueAt(`?asOf=${beforeCorrection}`)).toEqual({ revision: s.revision, asOf: beforeCorrection, value: about(300_000), corrected: false });
      expect(await valueAt(`?asOf=${afterCorrection}`)).toEqual({ revision: corrected, asOf: afterCorrection, value: about(3_000_000), corrected: true });
      expect(await valueAt('')).toEqual({ revision: corrected, asOf: null, value: about(3_000_000), corrected: true });

      const history = await read(`/api/incidents/${s.incidentId}/assertions/${s.assertionId}/history?asOf=${beforeCorrection}`);
      expect((history.revisions as Revision[]).map((r) => r.type)).toEqual(['AssertionRecorded']);
      const incident = await read(`/api/incidents/${s.incidentId}?asOf=${beforeCorrection}`);
      expect(incident).toMatchObject({ revision: s.revision, asOf: beforeCorrection });
    });

    it('answers every view of an incident "as of", with the revision it reflects', async () => {
      const s = await scenario(t.api, 'searches.be-nl', { type: 'date', value: '2021-03-09' });
      await tick();
      const asOf = new Date().toISOString();
      // A retraction recorded within the same millisecond as asOf would count as before it.
      await tick();
      await retract(t.api, s.incidentId, s.assertionId);
      for (const view of ['timeline', 'facts', 'disputes', `facts/searches.be-nl/history`, `assertions/${s.assertionId}/history`]) {
        expect(await read(`/api/incidents/${s.incidentId}/${view}?asOf=${asOf}`), view).toMatchObject({ revision: s.revision, asOf });
      }
    });

    it('lists incidents as they stood, leaving out those opened since', async () => {
      const tag = ulid().toLowerCase();
      const before = await openIncident(t.api, `Earlier ${tag}`);
      await tick();
      const asOf = new Date().toISOString();
      await tick();
      const after = await openIncident(t.api, `Later ${tag}`);
      const list = expectStatus(await t.api.as('reader').get(`/api/incidents?q=${tag}&asOf=${asOf}`), 200);
      const ids = (list.incidents as Array<{ id: string }>).map((i) => i.id);
      expect(list.asOf).toBe(asOf);
      expect(ids).toEqual([before.id]);
      expect(after.id).not.toBe(before.id);
    });
  });
}
