import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../events/index.js';
import { runCli } from '../../src/cli/main.js';
import { startProgress } from '../../src/cli/progress.js';
import { SqliteEventStore } from '../../src/store/sqlite/index.js';
import { copyLedger, openRaw, seed, seededWorkspace, storedEvents, workspace } from './helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'incident-ledger.js');

/** The installed command, as a child process: exit codes must survive bin → tsx → main.ts. */
async function bin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('incident-ledger as a process', () => {
  const ws = seededWorkspace();

  it('exits 0, 1 and 2 through bin/incident-ledger.js', async () => {
    const tampered = copyLedger(ws.ledger, ws.path('tampered.db'));
    const raw = openRaw(tampered);
    raw.prepare("UPDATE events SET data = replace(data, 'Europol', 'Eurapol') WHERE position = 0").run();
    raw.close();
    // Each run starts tsx: run the three at once.
    const [ok, bad, usage] = await Promise.all([bin(['verify', '--db', ws.ledger]), bin(['verify', '--db', tampered]), bin(['verify', '--nope'])]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^verify: ok/);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/source-\w+ revision 0: hash-mismatch/);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown option '--nope'");
  }, 60_000);
});

describe('progress', () => {
  it('prints plain lines with rate and ETA when stderr is not a terminal', async () => {
    let stderr = '';
    const io = { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, env: {}, progressIntervalMs: 0 };
    const progress = startProgress(io, 'verify', { total: 100 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    progress.tick(40);
    progress.finish(100);
    expect(stderr).toMatch(/^verify: 40\/100 events \(\d+ events\/s, ETA [\d.]+s\)\n/);
    expect(stderr).toMatch(/verify: 100 events in [\d.]+s\n$/);

    let quiet = '';
    const silent = startProgress({ ...io, stderr: { write: (s: string) => (quiet += s) }, progressIntervalMs: 60_000 }, 'verify', { total: 100 });
    silent.tick(50);
    silent.finish(100);
    expect(quiet).toBe('');
  });

  it('draws a cli-progress bar with rate and ETA on a terminal', () => {
    let out = '';
    const tty = { write: (s: string) => ((out += s), true), isTTY: true, columns: 160 };
    const progress = startProgress({ stdout: { write: () => true }, stderr: tty, env: {} }, 'verify', { total: 1000 });
    progress.tick(250);
    progress.finish(1000);
    expect(out).toMatch(/verify \[[█░]+\] 100% \| 1000\/1000 events \| \d+ events\/s \| ETA/);
  });

  it('stays off stdout, so --json output stays parseable', async () => {
    const ws = workspace();
    try {
      const db = ws.path('ledger.db');
      await seed(db);
      let stdout = '';
      let stderr = '';
      const code = await runCli(['verify', '--db', db, '--json'], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {}, progressIntervalMs: 0 });
      expect(code).toBe(0);
      expect(JSON.parse(stdout)).toMatchObject({ ok: true });
      expect(stderr).toMatch(/^verify: \d+\/\d+ events/);
    } finally {
      ws.cleanup();
    }
  });
});

describe('SqliteEventStore.importEvents (the import path)', () => {
  const ws = seededWorkspace({ ledger: 'source.db' });
  let events: StoredEvent[];
  beforeAll(() => {
    const raw = openRaw(ws.ledger);
    events = storedEvents(raw);
    raw.close();
  });

  const count = async (store: SqliteEventStore): Promise<number> => {
    let n = 0;
    for await (const _ of store.readAll()) n++;
    return n;
  };

  it('writes sealed events verbatim, positions included', async () => {
    const store = new SqliteEventStore(ws.path('copy.db'));
    try {
      expect(store.importEvents(events)).toEqual({ imported: events.length, lastPosition: events.at(-1)!.position });
      const back: StoredEvent[] = [];
      for await (const e of store.readAll()) back.push(e);
      expect(back).toEqual(events);
    } finally {
      await store.close();
    }
  });

  it('writes nothing when any event does not link, does not hash, or the input fails midway', async () => {
    const broken: Array<[string, StoredEvent[] | (() => Generator<StoredEvent>)]> = [
      ['a changed hash', events.map((e, i) => (i === 20 ? { ...e, metadata: { ...e.metadata, hash: 'f'.repeat(64) } } : e))],
      ['a changed datum', events.map((e, i) => (i === 20 ? { ...e, data: { ...(e.data as object), extra: 1 } } : e))],
      ['a missing event', events.filter((_, i) => i !== 12)],
      ['positions out of order', events.map((e, i) => (i === 15 ? { ...e, position: 0 } : e))],
      [
        'an input that throws',
        function* () {
          yield* events.slice(0, 10);
          throw new Error('disk on fire');
        },
      ],
    ];
    for (const [what, input] of broken) {
      const store = new SqliteEventStore(ws.path(`broken-${what.replace(/\W/g, '-')}.db`));
      try {
        expect(() => store.importEvents(typeof input === 'function' ? input() : input), what).toThrow();
        expect(await count(store), what).toBe(0);
      } finally {
        await store.close();
      }
    }
  });

  it('only into an empty store', async () => {
    const store = new SqliteEventStore(ws.path('twice.db'));
    try {
      store.importEvents(events.slice(0, 5));
      expect(() => store.importEvents(events.slice(5))).toThrow(/empty store/);
      expect(await count(store)).toBe(5);
    } finally {
      await store.close();
    }
  });
});
