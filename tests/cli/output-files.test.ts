import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cli, seededWorkspace } from './helpers.js';

describe('--out', () => {
  const ws = seededWorkspace();
  let exported: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    exported = (await cli(['export', '--db', ws.ledger])).stdout;
  });
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null) child.kill();
  });

  describe('never writes onto the ledger it reads', () => {
    const unchanged = async (args: string[], named: string) => {
      const before = readFileSync(ws.ledger);
      const run = await cli(args);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`refusing to write ${named}: it is the ledger database`);
      expect(readFileSync(ws.ledger).equals(before)).toBe(true);
      expect((await cli(['verify', '--db', ws.ledger])).code).toBe(0);
    };

    it('export --out the database itself', () => unchanged(['export', '--db', ws.ledger, '--out', ws.ledger], ws.ledger));

    it('checkpoint --out the database itself', () => unchanged(['checkpoint', '--db', ws.ledger, '--out', ws.ledger], ws.ledger));

    it('through a symlink, a hard link, or a relative path', async () => {
      const link = ws.path('link.db');
      symlinkSync(ws.ledger, link);
      await unchanged(['export', '--db', ws.ledger, '--out', link], link);
      await unchanged(['checkpoint', '--db', link, '--out', ws.ledger], ws.ledger);
      const hard = ws.path('hard.db');
      linkSync(ws.ledger, hard);
      await unchanged(['export', '--db', ws.ledger, '--out', hard], hard);
      const relative = `${ws.dir}/./sub/../ledger.db`;
      mkdirSync(ws.path('sub'), { recursive: true });
      await unchanged(['export', '--db', ws.ledger, '--out', relative], relative);
    });

    it('its -wal and -shm files, even when they do not exist right now', async () => {
      await unchanged(['export', '--db', ws.ledger, '--out', `${ws.ledger}-wal`], `${ws.ledger}-wal`);
      await unchanged(['checkpoint', '--db', ws.ledger, '--out', `${ws.ledger}-shm`], `${ws.ledger}-shm`);
    });
  });

  it('writes through a symlink into the file it points to, and the link stays a link', async () => {
    const target = ws.path('target.jsonl');
    writeFileSync(target, 'old\n');
    const link = ws.path('out-link.jsonl');
    symlinkSync(target, link);
    const run = await cli(['export', '--db', ws.ledger, '--out', link]);
    expect(run.code, run.stderr).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe(exported);
    expect(readdirSync(ws.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
  });

  it('writes into a named pipe instead of replacing it with a file', async () => {
    const fifo = ws.path('out.fifo');
    execFileSync('mkfifo', [fifo]);
    // The reader is another process: the CLI writes synchronously and blocks until it reads.
    const reader = spawn('cat', [fifo]);
    children.push(reader);
    let received = '';
    reader.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const done = new Promise((resolve) => reader.on('close', resolve));
    const run = await cli(['checkpoint', '--db', ws.ledger, '--out', fifo, '--json']);
    expect(run.code, run.stderr).toBe(0);
    await done;
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(JSON.parse(received)).toMatchObject({ size: 31 });
  });

  it('refuses a directory with a plain usage error, leaving nothing behind', async () => {
    const dir = ws.path('a-directory');
    mkdirSync(dir);
    const run = await cli(['export', '--db', ws.ledger, '--out', dir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`incident-ledger: cannot write ${dir}: it is a directory (--out needs a file name)\n`);
    expect(readdirSync(ws.dir).filter((name) => name.includes('.partial-'))).toEqual([]);
    expect(lstatSync(dir).isDirectory()).toBe(true);
  });
});
