import { createHash, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { TokenRegistry } from '../../api/auth.js';
import type { RunningServer } from '../../src/server.js';
import {
  call,
  captureLogs,
  Created,
  CreatedAssertion,
  EventsPage,
  expectJson,
  ProblemShape,
  rawRequest,
  ROLES,
  SECRETS,
  startInProcess,
  tempDir,
  TOKENS_ENV,
  VerifyAnswer,
  type RawAnswer,
  type RoleName,
} from './helpers.js';
import { fill, isWrite, MAY, ROUTES, type RouteCase } from './routes.js';

// A pass-through spy on timingSafeEqual, to see how the token registry compares.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const ADMIN = SECRETS.admin;
const dir = tempDir('access');
afterAll(() => dir.remove());

function signingKeyFile(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  const path = join(dir.path, 'signing.pem');
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  return path;
}

const isProblem = (answer: RawAnswer, status: number) => {
  expect(String(answer.headers['content-type'])).toMatch(/^application\/problem\+json/);
  expect(ProblemShape.parse(JSON.parse(answer.body)).status).toBe(status);
};

type Caller = RoleName | 'none';
const CALLERS: Caller[] = ['none', ...ROLES];

describe.each([{ publicRead: false }, { publicRead: true }])('role × route matrix (LEDGER_PUBLIC_READ=$publicRead)', ({ publicRead }) => {
  let running: RunningServer;
  let fixture: { id: string; aid: string; fact: string; sourceId: string; eventId: string };
  let counter = 0;

  const ledgerSize = async () => expectJson(VerifyAnswer, await call(running.url, 'POST', '/api/audit/verify', { token: ADMIN }), 200).checked;

  beforeAll(async () => {
    running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '0', LEDGER_SIGNING_KEY: signingKeyFile(), LEDGER_PUBLIC_READ: String(publicRead) });
    const base = running.url;
    const sourceId = expectJson(Created, await call(base, 'POST', '/api/sources', { token: ADMIN, body: { name: 'Europol', kind: 'agency' } }), 201).id;
    const id = expectJson(Created, await call(base, 'POST', '/api/incidents', { token: ADMIN, body: { title: 'Sky ECC' } }), 201).id;
    const fact = 'users.worldwide';
    const aid = expectJson(CreatedAssertion, await call(base, 'POST', `/api/incidents/${id}/assertions`, { token: ADMIN, body: { fact, value: { type: 'quantity', value: 170_000 }, sourceId } }), 201)
      .assertionId;
    const events = expectJson(EventsPage, await call(base, 'GET', `/api/incidents/${id}/events`, { token: ADMIN }), 200);
    fixture = { id, aid, fact, sourceId, eventId: events.events[0]!.metadata.eventId };
  });
  afterAll(async () => {
    await running?.close();
  });

  /** A request that succeeds for anyone allowed to make it: fresh data for every write. */
  async function prepare(route: RouteCase): Promise<{ path: string; body?: unknown }> {
    const n = ++counter;
    const { id, aid, fact, sourceId, eventId } = fixture;
    let ids = { id, aid, fact };
    let body: unknown;
    let query = '';
    switch (route.path) {
      case '/api/incidents':
        if (route.method === 'POST') body = { title: `matrix ${n}` };
        break;
      case '/api/incidents/:id/revisions':
        body = { title: `Sky ECC, revision ${n}` };
        break;
      case '/api/sources':
        if (route.method === 'POST') body = { name: `source ${n}`, kind: 'newspaper' };
        break;
      case '/api/incidents/:id/assertions':
        body = { fact: 'matrix.figure', value: { type: 'quantity', value: n }, sourceId };
        break;
      case '/api/incidents/:id/assertions/:aid/corrections':
        body = { reason: `correction ${n}`, value: { type: 'quantity', value: 170_000 + n } };
        break;
      case '/api/incidents/:id/assertions/:aid/retractions': {
        // Each retraction needs an assertion of its own.
        const own = expectJson(
          CreatedAssertion,
          await call(running.url, 'POST', `/api/incidents/${id}/assertions`, { token: ADMIN, body: { fact: 'matrix.retractable', value: { type: 'boolean', value: true }, sourceId } }),
          201,
        );
        ids = { ...ids, aid: own.assertionId };
        body = { reason: `retraction ${n}` };
        break;
      }
      case '/api/incidents/:id/facts/:fact/assessments':
        body = { preferred: [aid], rationale: `ruling ${n}` };
        break;
      case '/api/sources/:id/events':
        ids = { ...ids, id: sourceId };
        break;
      case '/api/audit/proofs/inclusion':
        query = `?eventId=${eventId}`;
        break;
      case '/api/audit/proofs/consistency':
        query = '?from=1';
        break;
      case '/api/audit/verify':
        body = {};
        break;
    }
    return { path: fill(route.path, ids) + query, ...(body !== undefined ? { body } : {}) };
  }

  function expected(route: RouteCase, caller: Caller): number {
    const ok = route.method === 'GET' ? 200 : isWrite(route) ? 201 : 200;
    if (route.needs === 'none') return ok;
    if (caller === 'none') return route.needs === 'reader' && publicRead ? ok : 401;
    return MAY[caller].includes(route.needs) ? ok : 403;
  }

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_name, route) => {
    const outcomes: string[] = [];
    const wanted: string[] = [];
    for (const caller of CALLERS) {
      const { path, body } = await prepare(route);
      const before = isWrite(route) ? await ledgerSize() : 0;
      const headers: Record<string, string> = { 'content-type': 'application/json', ...(caller === 'none' ? {} : { authorization: `Bearer ${SECRETS[caller]}` }) };
      const answer = await rawRequest(running.port, route.method, path, headers, body === undefined ? undefined : JSON.stringify(body));
      const want = expected(route, caller);
      outcomes.push(`${caller}: ${answer.status}${answer.status !== want ? ` ${answer.body.slice(0, 160)}` : ''}`);
      wanted.push(`${caller}: ${want}`);
      if (want === 401) {
        isProblem(answer, 401);
        expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      if (want === 403) isProblem(answer, 403);
      // A refused write leaves the ledger as it was.
      if (isWrite(route) && want >= 400) expect(await ledgerSize()).toBe(before);
    }
    expect(outcomes).toEqual(wanted);
  });

  it('answers 401 to an unknown or malformed token on every API route, public reads included', async () => {
    for (const route of ROUTES.filter((r) => r.needs !== 'none')) {
      const { path, body } = await prepare(route);
      for (const authorization of [`Bearer ${ADMIN}x`, `Bearer ${ADMIN.slice(0, -1)}`, 'Bearer', `Basic ${Buffer.from(`admin:${ADMIN}`).toString('base64')}`, ADMIN]) {
        const answer = await rawRequest(running.port, route.method, path, { authorization, 'content-type': 'application/json' }, body === undefined ? undefined : JSON.stringify(body));
        expect(answer.status, `${route.method} ${route.path} with ${authorization.slice(0, 12)}…`).toBe(401);
        isProblem(answer, 401);
      }
    }
  });
});

describe('tokens', () => {
  it('compares against every entry, whether the token matches the first, the last or none', () => {
    const spy = vi.mocked(timingSafeEqual);
    const entries = Array.from({ length: 7 }, (_, i) => `actor${i}:reader:secret-number-${i}-0123456789`);
    const registry = TokenRegistry.fromConfig({ tokens: entries.join(',') });
    for (const [secret, actor] of [
      ['secret-number-0-0123456789', 'actor0'],
      ['secret-number-6-0123456789', 'actor6'],
      ['not-a-secret-at-all-0123456789', undefined],
      ['secret-number-3-012345678', undefined],
    ] as const) {
      spy.mockClear();
      expect(registry.identify(secret)?.actor).toBe(actor);
      // One comparison per entry, of equal-length digests: no early exit that timing could reveal.
      expect(spy).toHaveBeenCalledTimes(entries.length);
      for (const [a, b] of spy.mock.calls) expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
    }
  });

  it('reads a tokens file with plain and sha256 secrets, comments and blank lines', async () => {
    const plain = 'file-reader-secret-0123456789';
    const hashedSecret = 'file-editor-secret-0123456789';
    const digest = createHash('sha256').update(hashedSecret).digest('hex');
    const file = join(dir.path, 'tokens');
    writeFileSync(file, ['# readers and editors', '', `filer:reader:${plain}`, `  hasher:editor:sha256:${digest}  `, '', '# end'].join('\n'));
    const logs = captureLogs();
    const running = await startInProcess({ LEDGER_TOKENS_FILE: file, LEDGER_RATE_LIMIT: '0' }, logs.logger);
    try {
      const base = running.url;
      expect(running.tokens.developmentMode).toBe(false);
      expect((await call(base, 'GET', '/api/incidents', { token: plain })).status).toBe(200);
      expect((await call(base, 'POST', '/api/incidents', { token: plain, body: { title: 'x' } })).status).toBe(403);
      const opened = await call(base, 'POST', '/api/incidents', { token: hashedSecret, body: { title: 'opened by the hashed token' } });
      expect(opened.status).toBe(201);
      // The stored hash is not itself a token.
      expect((await call(base, 'GET', '/api/incidents', { token: digest })).status).toBe(401);
      expect((await call(base, 'GET', '/api/incidents', { token: `sha256:${digest}` })).status).toBe(401);
      // Without the development mode, reads are not public.
      expect((await call(base, 'GET', '/api/incidents')).status).toBe(401);
      // The actor comes from the token, whatever the body says.
      const { id } = Created.parse(opened.json);
      const revised = await call(base, 'POST', `/api/incidents/${id}/revisions`, { token: hashedSecret, body: { title: 'renamed', actor: 'someone-else' } });
      expect(revised.status).toBe(400);
      expect(logs.text()).not.toContain(plain);
      expect(logs.text()).not.toContain(hashedSecret);
    } finally {
      await running.close();
    }
  });

  it('refuses a malformed tokens file at start without echoing its secrets', () => {
    const file = join(dir.path, 'bad-tokens');
    writeFileSync(file, 'someone:reader:short-secret\n');
    expect(() => TokenRegistry.fromConfig({ tokensFile: file })).toThrow(/shorter than 16/);
    try {
      TokenRegistry.fromConfig({ tokensFile: file });
    } catch (error) {
      expect(String(error)).not.toContain('short-secret');
    }
    writeFileSync(file, 'someone:superuser:a-long-enough-secret-123\n');
    expect(() => TokenRegistry.fromConfig({ tokensFile: file })).toThrow(/expected actor:role:secret/);
    try {
      TokenRegistry.fromConfig({ tokensFile: file });
    } catch (error) {
      expect(String(error)).not.toContain('a-long-enough-secret-123');
    }
  });

  it('never writes a token to the log, whatever the request carries', async () => {
    const logs = captureLogs('trace');
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '0', LOG_LEVEL: 'trace' }, logs.logger);
    try {
      const base = running.url;
      for (const role of ROLES) {
        await call(base, 'GET', '/api/incidents', { token: SECRETS[role] });
        await call(base, 'POST', '/api/incidents', { token: SECRETS[role], body: { title: `by ${role}` } });
      }
      await call(base, 'GET', '/api/incidents', { token: `${ADMIN}-wrong` });
      await call(base, 'GET', `/api/incidents?access_token=${ADMIN}`, {});
      await call(base, 'GET', '/api/nowhere', { token: ADMIN, headers: { 'x-api-key': ADMIN, cookie: `token=${ADMIN}` } });
      await call(base, 'POST', '/api/incidents', { token: ADMIN, body: { title: ADMIN, secret: ADMIN } });
      await call(base, 'POST', '/api/incidents', { token: ADMIN, body: `{"token":"${ADMIN}"` });
      expect(logs.lines().length).toBeGreaterThan(10);
      const text = logs.text();
      for (const role of ROLES) {
        expect(text).not.toContain(SECRETS[role]);
        expect(text).not.toContain(createHash('sha256').update(SECRETS[role]).digest('hex'));
      }
      expect(text.toLowerCase()).not.toContain('bearer');
    } finally {
      await running.close();
    }
  });
});

describe('edge defences', () => {
  it('sends helmet headers on every answer, successes and errors alike', async () => {
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV });
    try {
      for (const [path, token, status] of [
        ['/api/incidents', ADMIN, 200],
        ['/api/incidents', undefined, 401],
        ['/api/incidents/01ARZ3NDEKTSV4RRFFQ69G5FAV', ADMIN, 404],
        ['/healthz', undefined, 200],
      ] as const) {
        const answer = await call(running.url, 'GET', path, token ? { token } : {});
        expect(answer.status).toBe(status);
        const h = answer.headers;
        expect(h.get('content-security-policy')).toMatch(/default-src 'self'/);
        expect(h.get('strict-transport-security')).toMatch(/max-age=\d+/);
        expect(h.get('x-content-type-options')).toBe('nosniff');
        expect(h.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(h.get('referrer-policy')).toBe('no-referrer');
        expect(h.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(h.get('cross-origin-resource-policy')).toBe('same-origin');
        expect(h.get('x-dns-prefetch-control')).toBe('off');
        expect(h.get('x-permitted-cross-domain-policies')).toBe('none');
        expect(h.get('x-powered-by')).toBeNull();
      }
    } finally {
      await running.close();
    }
  });

  it('rate-limits per token and per IP with 429 and Retry-After, bad tokens included', async () => {
    const limit = 5;
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: String(limit) });
    try {
      const base = running.url;
      for (let i = 0; i < limit; i++) expect((await call(base, 'GET', '/api/incidents', { token: SECRETS.reader })).status).toBe(200);
      const limited = await call(base, 'GET', '/api/incidents', { token: SECRETS.reader });
      expect(limited.status).toBe(429);
      expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(ProblemShape.parse(limited.json).status).toBe(429);
      const retryAfter = Number(limited.headers.get('retry-after'));
      expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 60).toBe(true);
      // Writes are limited in the same window, and append nothing.
      expect((await call(base, 'POST', '/api/incidents', { token: SECRETS.reader, body: { title: 'x' } })).status).toBe(429);
      // Another token from the same address has its own allowance.
      expect((await call(base, 'GET', '/api/incidents', { token: SECRETS.editor })).status).toBe(200);

      // Anonymous callers of the API are limited per IP…
      for (let i = 0; i < limit; i++) expect((await call(base, 'GET', '/api/incidents')).status).toBe(401);
      const anonymous = await call(base, 'GET', '/api/sources');
      expect(anonymous.status).toBe(429);
      expect(anonymous.headers.get('retry-after')).toMatch(/^\d+$/);
      // …and so is anyone guessing tokens, on any path: the guesses count against the IP.
      expect((await call(base, 'GET', '/api/incidents', { token: 'guess-0123456789abcdef' })).status).toBe(429);
      expect((await call(base, 'GET', '/healthz', { token: 'guess-0123456789abcdef' })).status).toBe(429);
      // Probes and the page's static files are not limited.
      for (let i = 0; i < limit * 2; i++) expect((await call(base, 'GET', '/healthz')).status).toBe(200);
      // The token holders from that address are unaffected.
      expect((await call(base, 'GET', '/api/incidents', { token: SECRETS.auditor })).status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('limits token guessing even before any other anonymous traffic, outside the API too', async () => {
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '3' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) statuses.push((await call(running.url, 'GET', i % 2 ? '/api/incidents' : '/healthz', { token: `guess-${i}-0123456789abcdef` })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429, 429]);
    } finally {
      await running.close();
    }
  });

  it('tells anonymous clients behind a trusted proxy apart by their forwarded address, and believes no one else', async () => {
    const anonymous = (running: RunningServer, forwardedFor: string) =>
      call(running.url, 'GET', '/api/sources', { headers: { 'x-forwarded-for': forwardedFor } }).then((r) => r.status);
    const behindProxy = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '2', LEDGER_TRUST_PROXY: 'loopback' });
    try {
      expect([await anonymous(behindProxy, '198.51.100.1'), await anonymous(behindProxy, '198.51.100.1'), await anonymous(behindProxy, '198.51.100.1')]).toEqual([401, 401, 429]);
      // Another client behind the same proxy has its own budget.
      expect(await anonymous(behindProxy, '198.51.100.2')).toBe(401);
    } finally {
      await behindProxy.close();
    }
    // Without LEDGER_TRUST_PROXY a forwarded address is a header anyone can write: not believed.
    const direct = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '2' });
    try {
      expect([await anonymous(direct, '198.51.100.1'), await anonymous(direct, '198.51.100.2'), await anonymous(direct, '198.51.100.3')]).toEqual([401, 401, 429]);
    } finally {
      await direct.close();
    }
  });

  it('sends no CORS headers unless origins are configured', async () => {
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV });
    try {
      const origin = 'https://app.example';
      const get = await call(running.url, 'GET', '/api/incidents', { token: ADMIN, headers: { origin } });
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBeNull();
      const preflight = await call(running.url, 'OPTIONS', '/api/incidents', { headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
    } finally {
      await running.close();
    }
  });

  it('allows exactly the configured origins', async () => {
    const allowed = 'https://app.example';
    const running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_CORS_ORIGINS: `${allowed}, https://other.example` });
    try {
      const get = await call(running.url, 'GET', '/api/incidents', { token: ADMIN, headers: { origin: allowed } });
      expect(get.status).toBe(200);
      expect(get.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(get.headers.get('vary')).toMatch(/Origin/i);
      expect(get.headers.get('access-control-expose-headers')).toMatch(/ETag/i);

      const preflight = await call(running.url, 'OPTIONS', '/api/incidents', { headers: { origin: allowed, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe(allowed);
      expect(preflight.headers.get('access-control-allow-headers')).toMatch(/Authorization/i);

      for (const origin of ['https://evil.example', 'https://app.example.evil', 'null', 'http://app.example']) {
        const other = await call(running.url, 'GET', '/api/incidents', { token: ADMIN, headers: { origin } });
        expect(other.headers.get('access-control-allow-origin'), origin).toBeNull();
      }
    } finally {
      await running.close();
    }
  });
});
