import { beforeAll, describe, expect, it } from 'vitest';
import { BODY_LIMIT_BYTES } from '../harness.js';
import { about, expectInvalid, expectRefused, scenario, unknownId, type Json, type Scenario } from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

/** 400s: every malformed body, query and header is refused with field paths, and changes nothing. */
export function describeValidation(t: ApiSuiteContext): void {
  let s: Scenario;
  beforeAll(async () => {
    s = await scenario(t.api);
  });

  const post = (path: string, body: unknown) => () => t.api.as('admin').post(path).send(body as Json);
  const get = (path: string) => () => t.api.as('admin').get(path);
  const assertion = (overrides: Json = {}): Json => ({ fact: 'users.worldwide', value: about(170_000), sourceId: s.sourceId, ...overrides });
  const recordAt = () => `/api/incidents/${s.incidentId}/assertions`;

  describe('bodies', () => {
    it('refuses unknown keys, naming each one, at any depth', async () => {
      await expectInvalid(t.api, post('/api/incidents', { title: 'Sky ECC', colour: 'red' }), ['colour']);
      await expectInvalid(t.api, post(recordAt(), assertion({ citation: { title: 'Le Monde', colour: 'red' } })), ['citation.colour']);
      await expectInvalid(t.api, post(recordAt(), assertion({ value: { ...about(1), colour: 'red' } })), ['value.colour']);
    });

    it('lists at most 100 errors, saying how many there were', async () => {
      const body = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`k${i}`, 1]));
      const problem = await expectRefused(t.api, post('/api/incidents', { title: 'Sky ECC', ...body }), 400, 'validation');
      expect(problem.errors).toHaveLength(100);
      expect(problem.detail).toBe('the request did not validate: the first 100 of 250 errors are listed');
    });

    it('refuses missing fields and wrong types', async () => {
      await expectInvalid(t.api, post('/api/incidents', {}), ['title']);
      await expectInvalid(t.api, post('/api/incidents', { title: 42 }), ['title']);
      await expectInvalid(t.api, post('/api/incidents', { title: '   ' }), ['title']);
      await expectInvalid(t.api, post('/api/sources', { name: 'Europol', kind: 'agency', url: 'ftp://example.org', language: 'not a tag' }), ['url', 'language']);
      await expectInvalid(t.api, post(recordAt(), assertion({ value: { type: 'quantity', value: 'many' } })), ['value.value']);
      await expectInvalid(t.api, post(recordAt(), assertion({ sourceId: 'europol' })), ['sourceId']);
    });

    it('refuses a body that is not a JSON object', async () => {
      await expectRefused(t.api, post('/api/incidents', ['Sky ECC']), 400);
      await expectRefused(t.api, () => t.api.as('admin').post('/api/incidents').set('Content-Type', 'application/json').send('{"title": '), 400);
      await expectRefused(t.api, () => t.api.as('admin').post('/api/incidents'), 400);
    });

    it('refuses a body that is not UTF-8, rather than store U+FFFD in its place', async () => {
      // Sent as the bytes they are (superagent would otherwise write a Buffer as JSON).
      const bytes = Buffer.concat([Buffer.from('{"title":"'), Buffer.from([0xff, 0xfe]), Buffer.from(' Sky ECC"}')]);
      await expectRefused(t.api, () => t.api.as('admin').post('/api/incidents').set('Content-Type', 'application/json').serialize((raw: unknown) => raw as string).send(bytes), 400, 'ill-formed-utf8');
    });

    it('refuses values the ledger cannot read', async () => {
      await expectInvalid(t.api, post(recordAt(), assertion({ value: { type: 'colour', value: 'red' } })), ['value.type']);
      await expectInvalid(t.api, post(recordAt(), assertion({ value: { type: 'quantity' } })), ['value']);
      await expectInvalid(t.api, post(recordAt(), assertion({ value: { type: 'quantity', min: 10, max: 1 } })), ['value.min']);
      await expectInvalid(t.api, post(recordAt(), assertion({ value: { type: 'date', value: 'the ninth of March' } })), ['value.value']);
    });

    it('refuses invalid EDTF valid times and publication dates', async () => {
      await expectInvalid(t.api, post(recordAt(), assertion({ validTime: 'last Tuesday' })), ['validTime']);
      await expectInvalid(t.api, post(recordAt(), assertion({ validTime: '2021-13-45' })), ['validTime']);
      await expectInvalid(t.api, post(recordAt(), assertion({ citation: { publishedAt: 'March 2021' } })), ['citation.publishedAt']);
    });

    it('refuses dates the calendar does not have, and years no date can hold', async () => {
      await expectInvalid(t.api, post(recordAt(), assertion({ validTime: '2021-02-29' })), ['validTime']);
      await expectInvalid(t.api, post(recordAt(), assertion({ validTime: '[2021-02-28,2021-02-29]' })), ['validTime']);
      await expectInvalid(t.api, post(recordAt(), assertion({ value: { type: 'date', value: '1900-02-29' } })), ['value.value']);
      // Beyond a JavaScript date's ±275,760 years: invalid (400), not an open end (422).
      await expectInvalid(t.api, post(recordAt(), assertion({ validTime: 'Y170000002' })), ['validTime']);
      await expectInvalid(t.api, post(recordAt(), assertion({ citation: { publishedAt: 'Y17E7' } })), ['citation.publishedAt']);
    });

    it('refuses an over-long date for its length (tests/events/values.test.ts: without parsing it)', async () => {
      const set = `[${Array.from({ length: 1_000 }, () => '2021-03-09').join(',')}]`;
      const problem = await expectRefused(t.api, post(recordAt(), assertion({ validTime: set })), 400, 'validation');
      expect(problem.errors).toEqual([{ path: 'validTime', message: expect.stringMatching(/100/) }]);
    });

    it('refuses an invalid fact key', async () => {
      await expectInvalid(t.api, post(recordAt(), assertion({ fact: 'Users Worldwide' })), ['fact']);
      await expectInvalid(t.api, post(recordAt(), assertion({ fact: '.hidden' })), ['fact']);
      await expectInvalid(t.api, post(recordAt(), assertion({ fact: 'x'.repeat(129) })), ['fact']);
    });

    it('refuses corrections, retractions and assessments without what they need', async () => {
      const base = `/api/incidents/${s.incidentId}`;
      await expectInvalid(t.api, post(`${base}/assertions/${s.assertionId}/corrections`, { value: about(1) }), ['reason']);
      await expectInvalid(t.api, post(`${base}/assertions/${s.assertionId}/corrections`, { reason: 'typo', fact: 'Not A Key' }), ['fact']);
      await expectInvalid(t.api, post(`${base}/assertions/${s.assertionId}/retractions`, {}), ['reason']);
      await expectInvalid(t.api, post(`${base}/facts/users.worldwide/assessments`, { preferred: [], rationale: 'none' }), ['preferred']);
      await expectInvalid(t.api, post(`${base}/facts/users.worldwide/assessments`, { preferred: ['first'], rationale: 'none' }), ['preferred.0']);
    });

    it('refuses a body over the limit with 413', async () => {
      const quote = 'x'.repeat(BODY_LIMIT_BYTES + 1);
      await expectRefused(t.api, post(recordAt(), assertion({ quote })), 413);
    });
  });

  describe('queries and headers', () => {
    it('refuses a bad asOf on every view', async () => {
      for (const view of ['', '/timeline', '/facts', '/disputes', '/facts/users.worldwide/history', `/assertions/${s.assertionId}/history`]) {
        await expectInvalid(t.api, get(`/api/incidents/${s.incidentId}${view}?asOf=yesterday`), ['asOf']);
      }
      await expectInvalid(t.api, get(`/api/incidents?asOf=2021-02-30T25:00:00Z`), ['asOf']);
    });

    it('refuses a bad limit or cursor on lists', async () => {
      for (const list of ['/api/incidents', '/api/sources']) {
        await expectInvalid(t.api, get(`${list}?limit=0`), ['limit']);
        await expectInvalid(t.api, get(`${list}?limit=many`), ['limit']);
        await expectInvalid(t.api, get(`${list}?limit=100000`), ['limit']);
        await expectInvalid(t.api, get(`${list}?cursor=not-a-cursor`), ['cursor']);
        // Only digits: not hexadecimal, padded or empty.
        await expectInvalid(t.api, get(`${list}?limit=0x10`), ['limit']);
        await expectInvalid(t.api, get(`${list}?limit=%205`), ['limit']);
        await expectInvalid(t.api, get(`${list}?limit=`), ['limit']);
        await expectInvalid(t.api, get(`${list}?limit=1e1`), ['limit']);
      }
      // A well-formed cursor whose key is of another type than the list's names no place in it.
      const numberKey = Buffer.from(JSON.stringify([5, 'x'])).toString('base64url');
      const textKey = Buffer.from(JSON.stringify(['zzz', 'x'])).toString('base64url');
      const [incidentsA, incidentsB] = await Promise.all([get(`/api/incidents?cursor=${numberKey}`)(), get(`/api/incidents?cursor=${textKey}`)()]);
      expect([incidentsA.status, incidentsB.status].sort()).toEqual([200, 400]);
      const [sourcesA, sourcesB] = await Promise.all([get(`/api/sources?cursor=${numberKey}`)(), get(`/api/sources?cursor=${textKey}`)()]);
      expect([sourcesA.status, sourcesB.status].sort()).toEqual([200, 400]);
    });

    it('refuses unknown query parameters, naming them', async () => {
      await expectInvalid(t.api, get('/api/incidents?colour=red'), ['colour']);
      await expectInvalid(t.api, get(`/api/incidents/${s.incidentId}/timeline?at=2021-03-09`), ['at']);
      // Routes that take no parameters at all refuse them too, rather than answer as if unasked.
      await expectInvalid(t.api, get(`/api/incidents/${s.incidentId}/digest?at=2021-03-09`), ['at']);
      await expectInvalid(t.api, get('/api/audit/checkpoint?fresh=1'), ['fresh']);
      await expectInvalid(t.api, get(`/api/incidents/${s.incidentId}/live?asOf=2021-03-09`), ['asOf']);
    });

    it('refuses bad paging and proof parameters on audit routes', async () => {
      await expectInvalid(t.api, get(`/api/incidents/${s.incidentId}/events?from=-1&limit=0`), ['from', 'limit']);
      await expectInvalid(t.api, get(`/api/incidents/${s.incidentId}/events?from=&limit=0x10`), ['from', 'limit']);
      await expectInvalid(t.api, get('/api/audit/proofs/inclusion?eventId=not-an-id'), ['eventId']);
      await expectInvalid(t.api, get(`/api/audit/proofs/inclusion?eventId=${unknownId()}&size=0`), ['size']);
      await expectInvalid(t.api, get('/api/audit/proofs/consistency'), ['from']);
      await expectInvalid(t.api, post('/api/audit/verify', { checkpoint: { size: 1, root: 'ABC' } }), ['checkpoint.root']);
    });

    it('refuses a malformed If-Match or Idempotency-Key', async () => {
      await expectRefused(t.api, () => t.api.as('admin').post(recordAt()).set('If-Match', 'yesterday').send(assertion()), 400);
      for (const halfQuoted of ['"0', '0"', 'W/"0']) {
        await expectRefused(t.api, () => t.api.as('admin').post(recordAt()).set('If-Match', halfQuoted).send(assertion()), 400, 'bad-if-match');
      }
      await expectRefused(t.api, () => t.api.as('admin').post(recordAt()).set('Idempotency-Key', 'x'.repeat(256)).send(assertion()), 400);
    });
  });
}
