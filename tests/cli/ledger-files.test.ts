import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { openLocal } from '../../src/cli/local.js';
import { loadConfig } from '../../src/config.js';
import { cli, json, seededWorkspace } from './helpers.js';

/** What a command may open as a ledger: it never creates one where it only reads, nor writes into another kind of file. */
const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');
const READING = [['verify'], ['export'], ['checkpoint'], ['prove', '--from', '1'], ['replay', '--incident', '01HK4JZH000EX4DER8NA5CDNV7', '--as-of', '2021-03-11']];

describe('ledger files', () => {
  const ws = seededWorkspace();

  it('reading commands refuse an empty file, leaving it empty', async () => {
    const empty = ws.path('empty.db');
    writeFileSync(empty, '');
    for (const command of READING) {
      const run = await cli([...command, '--db', empty]);
      expect(run.code, `${command.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/empty file, not a ledger/);
    }
    expect(readFileSync(empty)).toHaveLength(0);
    expect(existsSync(`${empty}-wal`)).toBe(false);
  });

  it('every command refuses a SQLite database of something else, and writes nothing into it', async () => {
    const other = ws.path('people.db');
    const db = new Database(other);
    db.exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('Ada')");
    db.close();
    const before = sha256(other);
    for (const command of [...READING, ['seed'], ['import', ws.path('nothing.jsonl')]]) {
      const run = await cli([...command, '--db', other]);
      expect(run.code, `${command.join(' ')}: ${run.stderr}`).toBe(2);
      if (command[0] !== 'import') expect(run.stderr).toMatch(/not an Incident Ledger database: a SQLite database of something else \(tables: people\)/);
    }
    expect(sha256(other)).toBe(before);
    expect(existsSync(`${other}-wal`)).toBe(false);
  });

  it('refuses a ledger of a newer schema and a file that is not SQLite at all', async () => {
    const newer = ws.path('newer.db');
    const db = new Database(newer);
    db.pragma('user_version = 99');
    db.exec('CREATE TABLE events (position INTEGER PRIMARY KEY)');
    db.close();
    expect((await cli(['verify', '--db', newer])).stderr).toMatch(/schema version 99, newer than this build/);
    const text = ws.path('notes.db');
    writeFileSync(text, 'these are notes, not a database\n'.repeat(100));
    const run = await cli(['seed', '--db', text]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/not a SQLite database/);
    expect(readFileSync(text, 'utf8')).toMatch(/^these are notes/);
  });

  it('refuses --db "" and an in-memory ledger with a usage error, creating nothing', async () => {
    for (const db of ['', ':memory:']) {
      for (const command of [['verify'], ['seed']]) {
        const run = await cli([...command, '--db', db], { LEDGER_DB: ws.path('default.db') });
        expect(run.code, `${command[0]} --db ${JSON.stringify(db)}: ${run.stderr}`).toBe(2);
        expect(run.stderr).toMatch(/--db needs a (path|ledger file)/);
      }
    }
    expect(existsSync(ws.path('default.db'))).toBe(false);
  });

  it('ends at once, with exit 2, when EventStoreDB does not answer', async () => {
    const run = await cli(['verify'], { LEDGER_STORE: 'esdb', ESDB_CONNECTION_STRING: 'esdb://127.0.0.1:1?tls=false', LEDGER_STATE_DB: ws.path('esdb-state.db') });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/cannot open the ledger: EventStoreDB at esdb:\/\/127\.0\.0\.1:1\?tls=false failed while pinging/);
  });

  it('reads a kept checkpoint file that starts with a byte-order mark', async () => {
    const kept = ws.path('kept.json');
    const run = await cli(['checkpoint', '--db', ws.ledger, '--out', kept]);
    expect(run.code, run.stderr).toBe(0);
    writeFileSync(kept, `\uFEFF${readFileSync(kept, 'utf8')}`);
    const verified = await cli(['verify', '--db', ws.ledger, '--against', kept]);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('verify --integrity finds a damaged index the chains cannot see', async () => {
    const damaged = ws.path('damaged-index.db');
    writeFileSync(damaged, readFileSync(ws.ledger));
    const db = new Database(damaged);
    const page = db.pragma('page_size', { simple: true }) as number;
    const root = db.prepare<[], number>("SELECT rootpage FROM sqlite_master WHERE name = 'sqlite_autoindex_events_1'").pluck().get()!;
    db.close();
    const bytes = readFileSync(damaged);
    bytes.fill(0xa5, (root - 1) * page, (root - 1) * page + 200);
    writeFileSync(damaged, bytes);
    // Every chain and the root are intact: only SQLite's own check sees the damage.
    expect((await cli(['verify', '--db', damaged])).code).toBe(0);
    const run = await cli(['verify', '--db', damaged, '--integrity', '--json']);
    expect(run.code).toBe(1);
    expect(json<{ failures: unknown[] }>(run).failures).toEqual([expect.objectContaining({ stream: '$file', reason: 'file-damaged' })]);
    const sound = await cli(['verify', '--db', ws.ledger, '--integrity']);
    expect(sound.code).toBe(0);
    // It says it ran: without --integrity the output would be the same either way.
    expect(sound.stdout).toContain("SQLite's quick_check found the file sound");
    expect((await cli(['verify', '--db', ws.ledger])).stdout).not.toContain('quick_check');
    expect((await cli(['verify', '--url', 'http://127.0.0.1:9', '--integrity'])).stderr).toMatch(/--integrity checks a local ledger file/);
  });

  it('with --json, a failed command answers JSON on stdout too: usage errors, refusals, unknown options', async () => {
    for (const args of [['verify', '--db', ws.path('absent.db'), '--json'], ['verify', '--json', '--colour', 'red'], ['prove', '--db', ws.ledger, '--from', '5', '--to', '3', '--json']]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(JSON.parse(run.stdout)).toEqual({ ok: false, exitCode: 2, error: expect.any(String) });
      expect(run.stderr).not.toBe('');
    }
    expect((await cli(['verify', '--db', ws.path('absent.db')])).stdout).toBe('');
  });

  it('reads while another process holds the write lock (a server mid-write)', async () => {
    const writer = new Database(ws.ledger);
    writer.exec('BEGIN IMMEDIATE');
    try {
      for (const command of [['verify'], ['checkpoint'], ['export', '--out', ws.path('locked.jsonl')]]) {
        const run = await cli([...command, '--db', ws.ledger]);
        expect(run.code, `${command[0]}: ${run.stderr}`).toBe(0);
      }
    } finally {
      writer.exec('ROLLBACK');
      writer.close();
    }
  });

  it('ignores the HTTP server’s settings, even invalid ones', async () => {
    const run = await cli(['verify', '--db', ws.ledger], { PORT: 'abc', LEDGER_RATE_LIMIT: '-1', HOST: '' });
    expect(run.code, run.stderr).toBe(0);
  });

  it('seeds into a new or an empty file', async () => {
    const empty = ws.path('empty-seed.db');
    writeFileSync(empty, '');
    expect((await cli(['seed', '--db', empty])).code).toBe(0);
    expect((await cli(['verify', '--db', empty])).code).toBe(0);
  });

  it('reads a ledger it may not write without writing to it, and verifies it the same', async () => {
    const writableReport = json<{ ok: boolean; checked: number; root: string }>(await cli(['verify', '--db', ws.ledger, '--json']));
    const before = sha256(ws.ledger);
    // Root may write any file, so the read-only open is asked for as a file without write permission gets it.
    const local = await openLocal(loadConfig({ LEDGER_STORE: 'sqlite', LEDGER_DB: ws.ledger }), { mustExist: true, readOnly: true });
    try {
      expect(local.readOnly).toBe(true);
      await local.catchUpLog();
      expect(local.log.size()).toBe(writableReport.checked);
      expect(local.log.checkpoint(new Date()).root).toBe(writableReport.root);
      await expect(local.store.append('incident-x', [])).rejects.toThrow(/read-only/);
    } finally {
      await local.close();
    }
    expect(sha256(ws.ledger)).toBe(before);
  });
});
