import { request as httpRequest, type ClientRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { secretOf } from '../harness.js';
import { about, expectStatus, recordAssertion, scenario } from '../fixtures.js';
import type { ApiSuiteContext } from './context.js';

/** Every method and path of DESIGN.md's contract table, in OpenAPI's spelling. */
const CONTRACT: Array<[method: string, path: string]> = [
  ['post', '/api/incidents'],
  ['get', '/api/incidents'],
  ['get', '/api/incidents/{id}'],
  ['post', '/api/sources'],
  ['get', '/api/sources'],
  ['post', '/api/incidents/{id}/assertions'],
  ['post', '/api/incidents/{id}/assertions/{aid}/corrections'],
  ['post', '/api/incidents/{id}/assertions/{aid}/retractions'],
  ['post', '/api/incidents/{id}/facts/{fact}/assessments'],
  ['get', '/api/incidents/{id}/timeline'],
  ['get', '/api/incidents/{id}/facts'],
  ['get', '/api/incidents/{id}/disputes'],
  ['get', '/api/incidents/{id}/facts/{fact}/history'],
  ['get', '/api/incidents/{id}/assertions/{aid}/history'],
  ['get', '/api/incidents/{id}/events'],
  ['get', '/api/sources/{id}/events'],
  ['get', '/api/incidents/{id}/digest'],
  ['get', '/api/audit/checkpoint'],
  ['get', '/api/audit/proofs/inclusion'],
  ['get', '/api/audit/proofs/consistency'],
  ['post', '/api/audit/verify'],
  ['get', '/api/incidents/{id}/live'],
  ['get', '/openapi.json'],
  ['get', '/healthz'],
  ['get', '/readyz'],
  ['get', '/metrics'],
];

/** A server-sent event stream read with a raw request: the bytes so far, and a way to wait for more. */
interface EventStream {
  status: number;
  contentType: string | undefined;
  until(text: string, timeoutMs?: number): Promise<string>;
  close(): void;
}

function openEventStream(url: string, authorization: string, headers: Record<string, string> = {}): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    let received = '';
    const waiters = new Set<() => void>();
    const req: ClientRequest = httpRequest(url, { headers: { Authorization: authorization, Accept: 'text/event-stream', ...headers } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        received += chunk;
        for (const wake of waiters) wake();
      });
      res.on('error', () => undefined);
      resolve({
        status: res.statusCode ?? 0,
        contentType: res.headers['content-type'],
        until: (text, timeoutMs = 5_000) =>
          new Promise((done, fail) => {
            const check = () => {
              if (!received.includes(text)) return;
              waiters.delete(check);
              clearTimeout(timer);
              done(received);
            };
            const timer = setTimeout(() => {
              waiters.delete(check);
              fail(new Error(`no "${text}" on the event stream within ${timeoutMs} ms; got ${JSON.stringify(received)}`));
            }, timeoutMs);
            waiters.add(check);
            check();
          }),
        close: () => req.destroy(),
      });
    });
    req.on('error', (error) => (received === '' ? reject(error) : undefined));
    req.end();
  });
}

/** The operational edge: the OpenAPI document, health and readiness, metrics, and live updates. */
export function describeOperations(t: ApiSuiteContext): void {
  describe('the OpenAPI document', () => {
    it('lists every method and path of the contract, with no token needed', async () => {
      const document = expectStatus(await t.api.anonymous().get('/openapi.json'), 200) as { openapi: string; paths: Record<string, Record<string, unknown>> };
      expect(document.openapi).toMatch(/^3\.1/);
      const listed = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
      expect(listed).toEqual(expect.arrayContaining(CONTRACT.map(([method, path]) => `${method} ${path}`)));
    });

    it('documents request bodies and problem responses from the same schemas', async () => {
      const { paths } = expectStatus(await t.api.anonymous().get('/openapi.json'), 200) as { paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>> };
      const record = paths['/api/incidents/{id}/assertions']!.post!;
      expect(record.requestBody).toMatchObject({ content: { 'application/json': { schema: expect.anything() } } });
      expect(record.responses['400']).toMatchObject({ content: { 'application/problem+json': expect.anything() } });
      expect(Object.keys(record.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '403', '404', '409', '413', '422']));
    });
  });

  describe('health, readiness and metrics', () => {
    it('answers /healthz and /readyz without a token', async () => {
      expect(expectStatus(await t.api.anonymous().get('/healthz'), 200)).toEqual({ status: 'ok' });
      expect(expectStatus(await t.api.anonymous().get('/readyz'), 200)).toEqual({ status: 'ready', store: 'ok', projections: 'caught-up' });
    });

    it('exposes Prometheus metrics, counting requests by route pattern and appended events by type', async () => {
      await scenario(t.api);
      const res = await t.api.anonymous().get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/ledger_http_requests_total\{method="POST",route="\/api\/incidents\/:id\/assertions",status="201"\} \d+/);
      expect(res.text).toMatch(/ledger_events_appended_total\{type="AssertionRecorded"\} \d+/);
      expect(res.text).toContain('ledger_projection_lag_events');
    });
  });

  describe('live updates', () => {
    it('sends an `appended` server-sent event after a write to the incident', async () => {
      const s = await scenario(t.api);
      const stream = await openEventStream(`${t.api.baseUrl}/api/incidents/${s.incidentId}/live`, `Bearer ${secretOf('reader')}`);
      try {
        expect(stream.status).toBe(200);
        expect(stream.contentType).toMatch(/^text\/event-stream/);
        await stream.until('retry:');
        const { revision } = await recordAssertion(t.api, s.incidentId, { fact: 'users.monitored', value: about(70_000), sourceId: s.sourceId });
        const received = await stream.until('event: appended');
        const message = /event: appended\ndata: (.+)\n/.exec(received)?.[1];
        expect(JSON.parse(message!)).toMatchObject({ revision, type: 'AssertionRecorded', actor: 'reporter', recordedAt: expect.any(String) });
        expect(received).toContain(`id: ${revision}\n`);
      } finally {
        stream.close();
      }
    });

    it('resumes after Last-Event-ID: the missed events first, then live ones, each revision once', async () => {
      const s = await scenario(t.api);
      const missed = await recordAssertion(t.api, s.incidentId, { fact: 'users.monitored', value: about(70_000), sourceId: s.sourceId });
      const url = `${t.api.baseUrl}/api/incidents/${s.incidentId}/live`;
      const stream = await openEventStream(url, `Bearer ${secretOf('reader')}`, { 'Last-Event-ID': String(s.revision) });
      try {
        expect(stream.status).toBe(200);
        await stream.until(`id: ${missed.revision}\n`);
        const live = await recordAssertion(t.api, s.incidentId, { fact: 'users.arrested', value: about(100), sourceId: s.sourceId });
        const received = await stream.until(`id: ${live.revision}\n`);
        const ids = [...received.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
        expect(ids).toEqual([missed.revision, live.revision]);
      } finally {
        stream.close();
      }
    });

    it('refuses a Last-Event-ID that is not a revision, with a problem naming the header', async () => {
      const s = await scenario(t.api);
      for (const bad of ['abc', '-1', '1.5', '9'.repeat(16)]) {
        const res = await t.api.as('reader').get(`/api/incidents/${s.incidentId}/live`).set('Last-Event-ID', bad);
        expect(res.status, bad).toBe(400);
        expect(res.body.errors).toEqual([expect.objectContaining({ path: 'last-event-id' })]);
      }
    });
  });
}
