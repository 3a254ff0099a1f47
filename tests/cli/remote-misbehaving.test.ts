import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ulid } from 'ulid';
import { afterEach, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

/**
 * An outside audit against servers that misbehave: it ends, with exit 2 and a message that says
 * what went wrong, instead of hanging or looping.
 */
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));

describe('verify --url against a misbehaving server', () => {
  it('gives up on a server that accepts the request and never answers', async () => {
    const url = await serve(() => {
      // never answers
    });
    const started = Date.now();
    const run = await cli(['verify', '--url', url], { LEDGER_HTTP_TIMEOUT: '0.3' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no whole answer within 0\.3 s/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('gives up on a server that sends headers and then never finishes the body', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"size":');
    });
    const run = await cli(['verify', '--url', url], { LEDGER_HTTP_TIMEOUT: '0.3' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no whole answer within 0\.3 s/);
  });

  it('stops a list whose pages name a next page but bring nothing new', async () => {
    const id = ulid();
    let pages = 0;
    const url = await serve((req, res) => {
      const path = req.url ?? '';
      if (path.startsWith('/api/audit/public-key')) return send(res, 404, { title: 'Not found', detail: 'not signed' });
      if (path.startsWith('/api/incidents?')) {
        pages++;
        return send(res, 200, { incidents: [{ id }], nextCursor: `page-${pages}` });
      }
      if (path.startsWith(`/api/incidents/${id}/events`)) return send(res, 200, { stream: `incident-${id}`, revision: -1, events: [] });
      return send(res, 404, { title: 'Not found' });
    });
    const run = await cli(['verify', '--url', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/list does not end/);
    expect(pages).toBe(2);
  });

  it('refuses at once to wait out a Retry-After beyond a minute', async () => {
    let asked = 0;
    const url = await serve((_req, res) => {
      asked++;
      send(res, 429, { title: 'Too many requests' }, { 'retry-after': '100000' });
    });
    const run = await cli(['verify', '--url', url]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/asks to wait 100000 s/);
    expect(asked).toBe(1);
  });

  it('refuses a timeout that is not a positive number of seconds', async () => {
    const run = await cli(['verify', '--url', 'http://127.0.0.1:9'], { LEDGER_HTTP_TIMEOUT: 'soon' });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/LEDGER_HTTP_TIMEOUT must be a positive number/);
  });
});
