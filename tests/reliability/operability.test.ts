import { existsSync, statSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  allEvents,
  call,
  captureLogs,
  CheckpointAnswer,
  Created,
  CreatedAssertion,
  expectJson,
  HOST,
  inspectLedgerFile,
  SECRETS,
  sleep,
  spawnServer,
  startInProcess,
  stopChild,
  tempDir,
  TOKENS_ENV,
  VerifyAnswer,
  type ChildServer,
} from './helpers.js';

const ADMIN = SECRETS.admin;

const AccessLine = z.object({
  level: z.number(),
  time: z.number(),
  msg: z.literal('request'),
  requestId: z.string().min(1),
  method: z.string(),
  route: z.string(),
  status: z.number().int(),
  durationMs: z.number().nonnegative(),
  actor: z.string().optional(),
});

/** `name{labels} value` lines of the Prometheus text format. */
function samples(text: string, name: string): Array<{ labels: Record<string, string>; value: number }> {
  const out: Array<{ labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const labels: Record<string, string> = {};
    for (const [, k, v] of (m[2] ?? '').matchAll(/([a-z_]+)="([^"]*)"/g)) labels[k!] = v!;
    out.push({ labels, value: Number(m[3]) });
  }
  return out;
}

describe('structured logs and metrics', () => {
  it('logs one JSON line per request: request id, actor, route, status, duration, and never a body', async () => {
    const logs = captureLogs();
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '0' }, logs.logger);
    try {
      const base = running.url;
      const marker = 'BODY-MARKER-7f3a9c';
      const sourceId = expectJson(Created, await call(base, 'POST', '/api/sources', { token: ADMIN, body: { name: `${marker} source`, kind: 'agency' } }), 201).id;
      const opened = await call(base, 'POST', '/api/incidents', { token: SECRETS.reporter, body: { title: `${marker} title`, summary: marker }, headers: { 'x-request-id': 'req-open-1' } });
      expect(opened.status).toBe(201);
      expect(opened.headers.get('x-request-id')).toBe('req-open-1');
      const { id } = Created.parse(opened.json);
      const recorded = await call(base, 'POST', `/api/incidents/${id}/assertions`, { token: SECRETS.reporter, body: { fact: 'a.b', value: { type: 'text', value: marker }, sourceId, quote: marker } });
      const generatedId = recorded.headers.get('x-request-id');
      expect(generatedId).toMatch(/^[0-9a-f-]{36}$/);
      await call(base, 'GET', `/api/incidents/${id}/timeline`, { token: SECRETS.reader });
      await call(base, 'GET', '/api/incidents', {});
      await call(base, 'POST', '/api/incidents', { token: ADMIN, body: `{"title":"${marker}"` });
      // An id that could forge log lines is replaced, not echoed.
      const forged = await call(base, 'GET', '/healthz', { headers: { 'x-request-id': 'x"}\\n{"level":60' } });
      expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      const lines = logs.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
      const access = lines.filter((l) => l.msg === 'request').map((l) => AccessLine.parse(l));
      expect(access.length).toBeGreaterThanOrEqual(7);
      const byId = (requestId: string) => access.find((l) => l.requestId === requestId);
      expect(byId('req-open-1')).toMatchObject({ actor: 'reporter-actor', method: 'POST', route: '/api/incidents', status: 201 });
      expect(byId(generatedId!)).toMatchObject({ actor: 'reporter-actor', route: '/api/incidents/:id/assertions', status: 201 });
      expect(access.find((l) => l.route === '/api/incidents/:id/timeline')).toMatchObject({ actor: 'reader-actor', status: 200 });
      expect(access.find((l) => l.status === 401)).toMatchObject({ route: '/api/incidents', method: 'GET' });
      expect(access.find((l) => l.status === 401)?.actor).toBeUndefined();
      expect(access.find((l) => l.status === 400)).toMatchObject({ actor: 'admin-actor' });
      // Bodies, quotes, titles: none of it reaches the log.
      expect(logs.text()).not.toContain(marker);
      expect(logs.text()).not.toContain('"level":60');

      // The request id is the events' causation id: a log line leads to the events it caused.
      const events = await allEvents(base, ADMIN, id);
      expect(events[0]!.metadata.causationId).toBe('req-open-1');
      expect(events[1]!.metadata.causationId).toBe(generatedId);
    } finally {
      await running.close();
    }
  });

  it('exposes request rate and latency by route, appends, projection lag and store errors', async () => {
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '0' });
    try {
      const base = running.url;
      const sourceId = expectJson(Created, await call(base, 'POST', '/api/sources', { token: ADMIN, body: { name: 'Europol', kind: 'agency' } }), 201).id;
      const { id } = expectJson(Created, await call(base, 'POST', '/api/incidents', { token: ADMIN, body: { title: 'Sky ECC' } }), 201);
      for (let i = 0; i < 3; i++) {
        expectJson(CreatedAssertion, await call(base, 'POST', `/api/incidents/${id}/assertions`, { token: ADMIN, body: { fact: `f.${i}`, value: { type: 'boolean', value: true }, sourceId } }), 201);
      }
      for (let i = 0; i < 4; i++) expect((await call(base, 'GET', `/api/incidents/${id}/timeline`, { token: ADMIN })).status).toBe(200);
      expect((await call(base, 'GET', '/api/incidents/01ARZ3NDEKTSV4RRFFQ69G5FAV/timeline', { token: ADMIN })).status).toBe(404);

      const metrics = await call(base, 'GET', '/metrics');
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
      const text = metrics.text;
      const requests = samples(text, 'ledger_http_requests_total');
      const timeline = (status: string) =>
        requests.find((s) => s.labels.route === '/api/incidents/:id/timeline' && s.labels.method === 'GET' && s.labels.status === status)?.value;
      expect(timeline('200')).toBe(4);
      expect(timeline('404')).toBe(1);
      expect(requests.find((s) => s.labels.route === '/api/incidents/:id/assertions' && s.labels.status === '201')?.value).toBe(3);
      // Routes are patterns: no id ever becomes a label value.
      expect(requests.every((s) => !/[0-9A-HJKMNP-TV-Z]{26}/.test(s.labels.route ?? ''))).toBe(true);

      const latencyCount = samples(text, 'ledger_http_request_duration_seconds_count').find((s) => s.labels.route === '/api/incidents/:id/timeline');
      expect(latencyCount?.value).toBe(5);
      const buckets = samples(text, 'ledger_http_request_duration_seconds_bucket').filter((s) => s.labels.route === '/api/incidents/:id/timeline');
      expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(5);

      const appended = samples(text, 'ledger_events_appended_total');
      expect(appended.find((s) => s.labels.type === 'AssertionRecorded')?.value).toBe(3);
      expect(appended.find((s) => s.labels.type === 'IncidentOpened')?.value).toBe(1);
      expect(appended.find((s) => s.labels.type === 'SourceRegistered')?.value).toBe(1);
      expect(samples(text, 'ledger_projection_lag_events')[0]?.value).toBe(0);
      expect(samples(text, 'ledger_store_errors_total')[0]?.value).toBe(0);
      expect(samples(text, 'process_cpu_user_seconds_total').length).toBe(1);

      // The store goes away: requests fail with 503 and the store error counter says so.
      await running.services.store.close();
      const failed = await call(base, 'POST', `/api/incidents/${id}/assertions`, { token: ADMIN, body: { fact: 'f.x', value: { type: 'boolean', value: true }, sourceId } });
      expect(failed.status).toBe(503);
      expect(failed.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(failed.headers.get('retry-after')).toMatch(/^\d+$/);
      expect((await call(base, 'GET', '/readyz')).status).toBe(503);
      const after = (await call(base, 'GET', '/metrics')).text;
      expect(samples(after, 'ledger_store_errors_total')[0]?.value).toBeGreaterThanOrEqual(1);
    } finally {
      await running.close();
    }
  });
});

describe('graceful shutdown on SIGTERM', () => {
  const dir = tempDir('sigterm');
  const db = join(dir.path, 'ledger.db');
  let server: ChildServer | undefined;
  afterAll(async () => {
    if (server) await stopChild(server);
    dir.remove();
  });

  it('finishes the request in flight, ends live streams, closes the store cleanly and exits 0', { timeout: 60_000 }, async () => {
    const env = { LEDGER_DB: db, LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '0', LOG_LEVEL: 'info' };
    server = await spawnServer(env);
    const base = server.url;
    const sourceId = expectJson(Created, await call(base, 'POST', '/api/sources', { token: ADMIN, body: { name: 'Europol', kind: 'agency' } }), 201).id;
    const { id } = expectJson(Created, await call(base, 'POST', '/api/incidents', { token: ADMIN, body: { title: 'Sky ECC' } }), 201);
    const kept = expectJson(CheckpointAnswer, await call(base, 'GET', '/api/audit/checkpoint', { token: ADMIN }), 200);

    // A live stream, open when the signal arrives.
    const live = await openStream(server.port, `/api/incidents/${id}/live`, SECRETS.reader);
    expect(live.response.statusCode).toBe(200);
    expect(live.response.headers['content-type']).toMatch(/^text\/event-stream/);

    // A write whose body is half sent when the signal arrives.
    const body = JSON.stringify({ fact: 'users.worldwide', value: { type: 'quantity', value: 170_000, approximate: true }, sourceId, quote: 'around 170,000 users' });
    const slow = startSlowPost(server.port, `/api/incidents/${id}/assertions`, ADMIN, body);
    await sleep(300);

    const signalled = Date.now();
    server.child.kill('SIGTERM');
    await sleep(400);
    // No new connections once shutdown began.
    const refused = await fetch(`${base}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    expect(refused).toBe('refused');
    slow.finish();

    const answer = await slow.answer;
    expect(answer.status).toBe(201);
    const { assertionId } = CreatedAssertion.parse(JSON.parse(answer.body));

    // The live stream was ended cleanly (not cut off at the 5 s deadline), so its client reconnects elsewhere.
    const ended = await live.ended;
    expect(ended.how).toBe('end');
    expect(ended.text).toMatch(/^retry: \d+/);

    const exit = await server.exited;
    expect(exit).toEqual({ code: 0, signal: null });
    // Well before the 5 s after which remaining connections are forced closed.
    expect(Date.now() - signalled).toBeLessThan(4_500);
    expect(server.output()).toMatch(/SIGTERM: finishing in-flight requests/);
    expect(server.output()).not.toContain(ADMIN);

    // Closed cleanly: SQLite folded its write-ahead log back into the file on the last close.
    expect(!existsSync(`${db}-wal`) || statSync(`${db}-wal`).size === 0).toBe(true);
    const seen = await inspectLedgerFile(db, dir.path);
    expect(seen.integrity).toBe('ok');
    expect(seen.malformed).toEqual([]);
    expect(seen.report.ok).toBe(true);
    expect(seen.events.filter((e) => e.type === 'AssertionRecorded' && (e.data as { assertionId?: string }).assertionId === assertionId)).toHaveLength(1);

    // And it starts again on the same file, extending what it showed before.
    server = await spawnServer(env);
    const verified = expectJson(VerifyAnswer, await call(server.url, 'POST', '/api/audit/verify', { token: ADMIN, body: { checkpoint: { size: kept.size, root: kept.root } } }), 200);
    expect(verified.failures).toEqual([]);
    expect(verified.checked).toBe(seen.rows);
    await stopChild(server, 'SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
});

function openStream(port: number, path: string, token: string): Promise<{ response: IncomingMessage; ended: Promise<{ how: 'end' | 'aborted' | 'error'; text: string }> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: HOST, port, path, method: 'GET', headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (s: string) => (text += s));
      const ended = new Promise<{ how: 'end' | 'aborted' | 'error'; text: string }>((done) => {
        response.once('end', () => done({ how: 'end', text }));
        response.once('aborted', () => done({ how: 'aborted', text }));
        response.once('error', () => done({ how: 'error', text }));
      });
      resolve({ response, ended });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends the headers and half the body now; `finish()` sends the rest. */
function startSlowPost(port: number, path: string, token: string, body: string): { finish(): void; answer: Promise<{ status: number; body: string }> } {
  const half = Math.floor(body.length / 2);
  let finish = () => {};
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = httpRequest(
      { host: HOST, port, path, method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (s: string) => (text += s));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    req.write(body.slice(0, half));
    finish = () => req.end(body.slice(half));
  });
  return { finish: () => finish(), answer };
}
