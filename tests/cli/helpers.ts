import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll } from 'vitest';
import type { StoredEvent } from '../../events/index.js';
import { runCli } from '../../src/cli/main.js';
import { chainHash } from '../../src/store/hash-chain.js';
import { generateSigningKeyPem, loadSigningKey, publicKeyPem } from '../../src/log/signing.js';
import { toStoredEvent, type EventRow } from '../../src/store/sqlite/index.js';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, as `incident-ledger …` would, with its own environment and captured output. */
export async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { LOG_LEVEL: 'silent', ...env },
  });
  return { code, stdout, stderr };
}

/** `--json` output, parsed. */
export const json = <T = Record<string, unknown>>(run: Run): T => JSON.parse(run.stdout) as T;

export interface Workspace {
  dir: string;
  path(name: string): string;
  cleanup(): void;
}

export function workspace(): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-cli-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Seeded {
  incidentId: string;
  assertions: Record<string, string>;
}

/** Seeds the demo into `db` through the CLI. */
export async function seed(db: string, env: NodeJS.ProcessEnv = {}): Promise<Seeded> {
  const run = await cli(['seed', '--db', db, '--json'], env);
  if (run.code !== 0) throw new Error(`seed failed: ${run.stderr}`);
  return json<Seeded>(run);
}

export interface SeededWorkspace {
  readonly dir: string;
  path(name: string): string;
  /** The seeded ledger file. */
  readonly ledger: string;
  readonly demo: Seeded;
  /** The environment the ledger was seeded with, for commands that must sign as it did. */
  readonly env: NodeJS.ProcessEnv;
}

export interface SignedWorkspace extends SeededWorkspace {
  readonly keys: SigningKeys;
}

/**
 * A temporary directory holding a ledger seeded with the demo, made in a `beforeAll` and removed
 * in an `afterAll` of the enclosing describe. Register it before the describe's other hooks: vitest runs
 * `beforeAll`s in order and `afterAll`s in reverse, so those hooks can read its fields and finish before cleanup.
 * `signed` seeds with a fresh signing key (LEDGER_SIGNING_KEY in `env`).
 */
export function seededWorkspace(options?: { ledger?: string; signed?: false }): SeededWorkspace;
export function seededWorkspace(options: { ledger?: string; signed: true }): SignedWorkspace;
export function seededWorkspace({ ledger: name = 'ledger.db', signed = false }: { ledger?: string; signed?: boolean } = {}): SignedWorkspace {
  let ws: Workspace | undefined;
  let state: { ledger: string; demo: Seeded; env: NodeJS.ProcessEnv; keys?: SigningKeys } | undefined;
  beforeAll(async () => {
    ws = workspace();
    const keys = signed ? signingKeys(ws) : undefined;
    const env = keys ? { LEDGER_SIGNING_KEY: keys.privateKey } : {};
    const ledger = ws.path(name);
    state = { ledger, demo: await seed(ledger, env), env, keys };
  });
  // Optional chaining: a beforeAll that failed must not hide its error behind a second one here.
  afterAll(() => ws?.cleanup());
  const ready = () => {
    if (!ws || !state) throw new Error('seededWorkspace: read before its beforeAll ran');
    return { ws, ...state };
  };
  return {
    get dir() {
      return ready().ws.dir;
    },
    path: (file) => ready().ws.path(file),
    get ledger() {
      return ready().ledger;
    },
    get demo() {
      return ready().demo;
    },
    get env() {
      return ready().env;
    },
    get keys() {
      const { keys } = ready();
      if (!keys) throw new Error('seededWorkspace: keys only with { signed: true }');
      return keys;
    },
  };
}

/** A copy of a ledger file (closed, so its WAL was folded back into it). */
export function copyLedger(from: string, to: string): string {
  copyFileSync(from, to);
  for (const suffix of ['-wal', '-shm']) if (existsSync(from + suffix)) copyFileSync(from + suffix, to + suffix);
  return to;
}

export interface SigningKeys {
  privateKey: string;
  publicKey: string;
  publicPem: string;
}

/** A fresh Ed25519 key pair: the private key file (LEDGER_SIGNING_KEY) and the public key file (--public-key). */
export function signingKeys(ws: Pick<Workspace, 'path'>): SigningKeys {
  const privateKey = ws.path('signing-key.pem');
  writeFileSync(privateKey, generateSigningKeyPem());
  const publicPem = publicKeyPem(loadSigningKey(privateKey));
  const publicKey = ws.path('public-key.pem');
  writeFileSync(publicKey, publicPem);
  return { privateKey, publicKey, publicPem };
}

/** Raw access to a ledger file, as an attacker with the disk would have it. */
export function openRaw(path: string): Database.Database {
  return new Database(path);
}

export function storedEvents(db: Database.Database, where = '1 = 1', ...params: unknown[]): StoredEvent[] {
  return db
    .prepare<unknown[], EventRow>(`SELECT position, stream, revision, type, data, metadata FROM events WHERE ${where} ORDER BY position`)
    .all(...params)
    .map(toStoredEvent);
}

/**
 * The forger with write access to the file: replaces the data of one event of `stream` and
 * re-seals it and every later event of the stream (new hashes, new links), so the stream's
 * chain verifies again. The ledger log is left alone (callers rebuild it if they want).
 */
export function forgeStream(raw: Database.Database, stream: string, pick: (e: StoredEvent) => boolean, newData: (e: StoredEvent) => unknown): StoredEvent {
  const events = storedEvents(raw, 'stream = ?', stream);
  const first = events.findIndex(pick);
  if (first < 0) throw new Error(`no event of ${stream} to forge`);
  const update = raw.prepare('UPDATE events SET data = ?, metadata = ?, hash = ?, prev_hash = ? WHERE position = ?');
  let prevHash = events[first]!.metadata.prevHash;
  raw.transaction(() => {
    for (const e of events.slice(first)) {
      const data = e === events[first] ? newData(e) : e.data;
      const { hash: _old, ...rest } = e.metadata;
      const metadata = { ...rest, prevHash };
      const hash = chainHash({ stream, revision: e.revision, type: e.type, data, metadata });
      update.run(JSON.stringify(data), JSON.stringify({ ...metadata, hash }), hash, prevHash, e.position);
      prevHash = hash;
    }
  })();
  return events[first]!;
}
