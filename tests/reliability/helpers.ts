import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { EventMetadata, LedgerEvent, type StoredEvent } from '../../events/index.js';
import { verifyLedger, type VerifyReport } from '../../src/audit/verify-ledger.js';
import type { ServiceOptions } from '../../src/app/services.js';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const HOST = '127.0.0.1';

/** A port nobody listens on right now: bind 0 on loopback, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), `ledger-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Secrets are ≥ 16 characters; each role gets one actor. */
export const SECRETS = {
  reader: 'reader-secret-0123456789abcdef',
  reporter: 'reporter-secret-0123456789abcdef',
  editor: 'editor-secret-0123456789abcdef',
  auditor: 'auditor-secret-0123456789abcdef',
  admin: 'admin-secret-0123456789abcdef',
} as const;
export type RoleName = keyof typeof SECRETS;
export const ROLES = Object.keys(SECRETS) as RoleName[];
export const TOKENS_ENV = ROLES.map((role) => `${role}-actor:${role}:${SECRETS[role]}`).join(',');

// ---------------------------------------------------------------------------------------------
// HTTP

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** A small JSON client over fetch; never throws on a status, only on a network failure. */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] ??= 'application/json';
  const response = await fetch(base + path, {
    method,
    headers,
    ...(options.body !== undefined ? { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/**
 * node:http with the path and headers exactly as given (fetch and URL would normalise `..`).
 * A text/event-stream answer is cut after its headers.
 */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string | Buffer,
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  return new Promise((resolveAnswer, reject) => {
    const withLength = body === undefined || Object.keys(headers).some((h) => h.toLowerCase() === 'content-length') ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) };
    const req = httpRequest({ host: HOST, port, method, path, headers: withLength, agent: false, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: '' });
        res.destroy();
        return;
      }
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolveAnswer({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------
// Response shapes the tests rely on

export const Created = z.object({ id: z.string(), revision: z.number().int() });
export const CreatedAssertion = z.object({ assertionId: z.string(), revision: z.number().int() });
export const Appended = z.object({ revision: z.number().int() });
export const VerifyAnswer = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  root: z.string(),
  failures: z.array(z.object({ stream: z.string(), revision: z.number().int(), reason: z.string() })),
});
export type VerifyAnswer = z.infer<typeof VerifyAnswer>;
export const CheckpointAnswer = z.object({ size: z.number().int(), root: z.string(), at: z.string() });
export const EventsPage = z.object({
  stream: z.string(),
  revision: z.number().int(),
  events: z.array(z.object({ stream: z.string(), revision: z.number().int(), type: z.string(), data: z.record(z.string(), z.unknown()), metadata: EventMetadata })),
});
export const ProblemShape = z.object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string() });

export function expectJson<T>(schema: z.ZodType<T>, answer: Answer, status: number): T {
  if (answer.status !== status) throw new Error(`expected ${status}, got ${answer.status}: ${answer.text.slice(0, 500)}`);
  return schema.parse(answer.json);
}

/** Every event of an incident stream, paged with ?from=&limit=. */
export async function allEvents(base: string, token: string, incidentId: string): Promise<z.infer<typeof EventsPage>['events']> {
  const events: z.infer<typeof EventsPage>['events'] = [];
  for (;;) {
    const page = expectJson(EventsPage, await call(base, 'GET', `/api/incidents/${incidentId}/events?from=${events.length}&limit=1000`, { token }), 200);
    events.push(...page.events);
    if (page.events.length < 1000) return events;
  }
}

// ---------------------------------------------------------------------------------------------
// The real server as a child process

export interface ChildServer {
  url: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `incident-ledger serve` on a fresh loopback port and waits until /readyz answers 200. */
export async function spawnServer(env: Record<string, string>, readyTimeoutMs = 30_000): Promise<ChildServer> {
  const port = await freePort();
  // `--import tsx` keeps the server in this one process: the tsx CLI would run it in a grandchild
  // that a SIGKILL to the CLI leaves running.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), HOST, PORT: String(port), LEDGER_SEED_DEMO: 'false', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (out += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (out += s));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) => child.once('exit', (code, signal) => r({ code, signal })));
  const url = `http://${HOST}:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw new Error(`the server exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the server was not ready in ${readyTimeoutMs} ms:\n${out}`);
    }
    const ready = await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) return { url, port, child, output: () => out, exited };
    await sleep(100);
  }
}

/** SIGKILL (or another signal) and wait for the exit; safe to call on an exited child. */
export async function stopChild(server: ChildServer, signal: NodeJS.Signals = 'SIGKILL'): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
  return server.exited;
}

// ---------------------------------------------------------------------------------------------
// The server in this process

export interface LogCapture {
  logger: Logger;
  lines(): string[];
  text(): string;
}

/** A pino logger that writes JSON lines into memory, configured as the server configures its own. */
export function captureLogs(level: pino.Level = 'info'): LogCapture {
  const lines: string[] = [];
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      partial += chunk.toString();
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
      done();
    },
  });
  const logger = pino({ level, redact: ['req.headers.authorization', '*.secret', '*.token'] }, sink);
  return { logger, lines: () => [...lines], text: () => lines.join('\n') };
}

/** startServer on port 0 with an in-memory store unless LEDGER_DB is given. */
export async function startInProcess(env: Record<string, string>, logger?: Logger, services: Partial<ServiceOptions> = {}): Promise<RunningServer> {
  const config = loadConfig({ HOST, PORT: '0', LEDGER_DB: ':memory:', LEDGER_STATE_DB: ':memory:', LEDGER_SEED_DEMO: 'false', LOG_LEVEL: 'silent', ...env });
  const running = await startServer(config, { logger: logger ?? pino({ level: 'silent' }), services });
  await running.services.ready;
  return running;
}

// ---------------------------------------------------------------------------------------------
// Looking at a ledger file from outside the server

export interface FileInspection {
  integrity: string;
  rows: number;
  /** Rows whose JSON does not parse or does not match the event catalogue: half-written or corrupt. */
  malformed: Array<{ position: number; reason: string }>;
  events: StoredEvent[];
  report: VerifyReport;
}

/**
 * Copies the database (with its -wal and -shm, as a crash left them) and inspects the copy, so
 * the server that restarts next recovers the original itself.
 */
export async function inspectLedgerFile(dbPath: string, scratch: string): Promise<FileInspection> {
  const copy = join(scratch, `inspect-${Date.now()}-${Math.random().toString(36).slice(2)}.db`);
  for (const suffix of ['', '-wal', '-shm']) if (existsSync(dbPath + suffix)) copyFileSync(dbPath + suffix, copy + suffix);
  const db = new Database(copy);
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const rows = db
      .prepare<[], { position: number; stream: string; revision: number; type: string; event_id: string; data: string; metadata: string; hash: string; prev_hash: string }>(
        'SELECT position, stream, revision, type, event_id, data, metadata, hash, prev_hash FROM events ORDER BY position',
      )
      .all();
    const malformed: FileInspection['malformed'] = [];
    const events: StoredEvent[] = [];
    for (const row of rows) {
      let data: unknown;
      let metadata: unknown;
      try {
        data = JSON.parse(row.data);
        metadata = JSON.parse(row.metadata);
      } catch (error) {
        malformed.push({ position: row.position, reason: `JSON does not parse: ${String(error)}` });
        continue;
      }
      const body = LedgerEvent.safeParse({ type: row.type, data });
      const meta = EventMetadata.safeParse(metadata);
      if (!body.success) malformed.push({ position: row.position, reason: `not a catalogue event: ${body.error.message}` });
      if (!meta.success) malformed.push({ position: row.position, reason: `bad metadata: ${meta.error.message}` });
      if (meta.success && (meta.data.hash !== row.hash || meta.data.prevHash !== row.prev_hash || meta.data.eventId !== row.event_id)) {
        malformed.push({ position: row.position, reason: 'columns disagree with the metadata JSON' });
      }
      if (meta.success) events.push({ stream: row.stream, revision: row.revision, position: row.position, type: row.type, data, metadata: meta.data });
    }
    const report = await verifyLedger(
      (async function* () {
        yield* events;
      })(),
    );
    return { integrity, rows: rows.length, malformed, events, report };
  } finally {
    db.close();
    for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
  }
}
