import pino from 'pino';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.js';
import { TokenRegistry } from '../../api/auth.js';
import { openServices, type Services } from '../../src/app/services.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';

describe('API requests while the read models catch up at start', () => {
  let services: Services | undefined;
  afterEach(async () => {
    await services?.close();
  });

  it('get a 503 problem with Retry-After, until caught up; liveness answers meanwhile', async () => {
    services = await openServices({ store: 'sqlite', eventStore: new SqliteEventStore(':memory:') });
    await services.ready;
    let caughtUp!: () => void;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    const { app } = createApp({ services: { ...services, ready }, tokens: TokenRegistry.fromConfig({}), logger: pino({ level: 'silent' }), publicRead: true });

    for (const path of ['/api/incidents', '/api/sources']) {
      const res = await request(app).get(path);
      expect(res.status, path).toBe(503);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.body).toMatchObject({ status: 503, type: expect.stringContaining('catching-up') });
    }
    expect((await request(app).get('/healthz')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(503);

    caughtUp();
    expect((await request(app).get('/api/incidents')).status).toBe(200);
    expect((await request(app).get('/readyz')).status).toBe(200);
  });

  it('say so when catching up failed', async () => {
    services = await openServices({ store: 'sqlite', eventStore: new SqliteEventStore(':memory:') });
    await services.ready;
    const failed = Promise.reject(new Error('the store went away'));
    const { app } = createApp({ services: { ...services, ready: failed }, tokens: TokenRegistry.fromConfig({}), logger: pino({ level: 'silent' }), publicRead: true });
    const res = await request(app).get('/api/incidents');
    expect(res.status).toBe(503);
    expect(res.body.detail).toContain('could not catch up');
  });
});
