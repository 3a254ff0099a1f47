import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer } from '../../src/server.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { workspace, type Workspace } from './helpers.js';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/** A port this test holds, so that anything else listening on it finds it in use. */
async function holdPort(): Promise<{ port: number; release(): Promise<void> }> {
  const holder: Server = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const address = holder.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { port: address.port, release: () => new Promise((resolve) => holder.close(() => resolve())) };
}

/** `incident-ledger serve …` as its own process: what matters is how that process ends. */
async function serveProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['--import', 'tsx', MAIN, 'serve', ...args], { env: { ...process.env, ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('serve when it cannot listen', () => {
  let ws: Workspace;
  let held: Awaited<ReturnType<typeof holdPort>>;
  beforeAll(async () => {
    ws = workspace();
    held = await holdPort();
  });
  afterAll(async () => {
    await held?.release();
    ws?.cleanup();
  });

  const config = (host: string, port: number) =>
    loadConfig({ HOST: host, PORT: String(port), LEDGER_STATE_DB: ':memory:', LEDGER_SEED_DEMO: 'false', LOG_LEVEL: 'silent', LEDGER_TOKENS: 'a:auditor:serve-listen-test-secret' });

  it('startServer rejects on a port in use, saying so in one line, and closes the store it opened', async () => {
    const store = new SqliteEventStore(':memory:');
    const closed = vi.spyOn(store, 'close');
    const start = startServer(config('127.0.0.1', held.port), { logger: pino({ level: 'silent' }), services: { eventStore: store } });
    await expect(start).rejects.toThrow(`cannot listen on 127.0.0.1:${held.port}: address in use`);
    expect(closed).toHaveBeenCalled();
  });

  it('startServer rejects on a host that does not resolve', async () => {
    const start = startServer(config('256.1.1.1', 18090), { logger: pino({ level: 'silent' }), services: { eventStore: new SqliteEventStore(':memory:') } });
    await expect(start).rejects.toThrow(/^cannot listen on 256\.1\.1\.1:18090: /);
  });

  it('the serve command exits 2 with the reason, logs no "listening", and leaves an empty ledger unseeded', async () => {
    const db = ws.path('busy.db');
    const run = await serveProcess(['--host', '127.0.0.1', '--port', String(held.port)], { LEDGER_STORE: 'sqlite', LEDGER_DB: db, LOG_LEVEL: 'info', LEDGER_SEED_DEMO: 'true', LEDGER_TOKENS: 'a:auditor:serve-listen-test-secret' });
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`incident-ledger: cannot listen on 127.0.0.1:${held.port}: address in use`);
    expect(run.stdout).not.toContain('listening');
    const store = new SqliteEventStore(db);
    try {
      expect(await store.headPosition()).toBe(-1);
    } finally {
      await store.close();
    }
  });
});
