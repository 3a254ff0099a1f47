import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli, json, seededWorkspace } from './helpers.js';

const MAIN = join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts');

/**
 * `incident-ledger …` as its own process, its stdin fed from `input` (or a shell command line for
 * pipes and FIFOs). A child, because an import blocked on a pipe would block the test worker too.
 */
function cliProcess(args: string[], input?: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return cliProcessOf(process.execPath, ['--import', 'tsx', MAIN, ...args], input);
}

function cliProcessOf(command: string, args: string[], input?: Buffer): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, LOG_LEVEL: 'silent' }, timeout: 20_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `cat file | incident-ledger …`, as a shell runs it. */
function shellPipe(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return cliProcessOf('sh', ['-c', 'cat "$0" | "$@"', file, process.execPath, '--import', 'tsx', MAIN, ...args]);
}

describe('import reads its input once', () => {
  const ws = seededWorkspace({ ledger: 'source.db' });
  let file: string;
  let exported: Buffer;
  let n = 0;
  const fresh = (): string => ws.path(`target-${++n}.db`);

  beforeAll(async () => {
    file = ws.path('good.jsonl');
    await cli(['export', '--db', ws.ledger, '--out', file]);
    exported = readFileSync(file);
  });

  it('from stdin as - or /dev/stdin, and from a named pipe, giving the right verdict', async () => {
    const fifo = ws.path('in.fifo');
    execFileSync('mkfifo', [fifo]);
    const writer = spawn('sh', ['-c', 'cat "$0" > "$1"', file, fifo]);
    const [dash, devStdin, piped, named] = await Promise.all([
      cliProcess(['import', '-', '--db', fresh(), '--json'], exported),
      // With the format given, the old second pass found the pipe empty after creating the target.
      cliProcess(['import', '/dev/stdin', '--format', 'jsonl', '--db', fresh(), '--json'], exported),
      // Through a shell, stdin is a pipe rather than the socket Node hands its children.
      shellPipe(file, ['import', '/dev/stdin', '--db', fresh(), '--json']),
      cliProcess(['import', fifo, '--db', fresh(), '--json']),
    ]);
    writer.kill();
    for (const run of [dash, devStdin, piped, named]) {
      expect(run.code, run.stderr + run.stdout).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ ok: true, events: 31 });
    }
  }, 30_000);

  it('a refused file leaves no target behind, and a 0-byte target stays 0 bytes', async () => {
    const broken = ws.path('broken.jsonl');
    const lines = exported.toString().trimEnd().split('\n');
    const otherRoot = lines.at(-1)!.replace(/"root":"(.)/, (_, c: string) => `"root":"${c === '0' ? '1' : '0'}`);
    writeFileSync(broken, `${lines.slice(0, -1).join('\n')}\n${otherRoot}\n`);
    const created = fresh();
    const refused = await cli(['import', broken, '--db', created, '--format', 'jsonl']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('nothing was written');
    for (const suffix of ['', '-wal', '-shm']) expect(existsSync(created + suffix)).toBe(false);

    const empty = fresh();
    writeFileSync(empty, '');
    expect((await cli(['import', broken, '--db', empty])).code).toBe(1);
    expect(statSync(empty).size).toBe(0);
    expect(existsSync(`${empty}-wal`)).toBe(false);
  });

  it('refuses a line longer than 16 MiB quickly, naming it, with exit 2', async () => {
    const long = ws.path('long.jsonl');
    const lines = exported.toString().split('\n');
    writeFileSync(long, `${lines[0]}\n${lines[1]}\n${'x'.repeat(17 * 1024 * 1024)}\n`);
    const target = fresh();
    const run = await cli(['import', long, '--db', target]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`incident-ledger: ${long}: line 3 is longer than 16 MiB: not a line of an export\n`);
    expect(existsSync(target)).toBe(false);
  });
});

describe('import of something that is not an export', () => {
  const ws = seededWorkspace({ ledger: 'source.db' });
  let good: string;
  let n = 0;
  const fresh = (): string => ws.path(`target-${++n}.db`);

  beforeAll(async () => {
    good = (await cli(['export', '--db', ws.ledger])).stdout;
  });

  const importText = async (name: string, text: string | Buffer) => {
    const file = ws.path(name);
    writeFileSync(file, text);
    const target = fresh();
    const run = await cli(['import', file, '--db', target, '--json']);
    return { run, file, target };
  };

  it('an empty file, a text file or a JSON array is a usage error (exit 2), not tampering', async () => {
    for (const [name, text, reason] of [
      ['empty.jsonl', '', 'the file is empty'],
      ['text.txt', 'hello\n', 'not JSON'],
      ['array.json', '[]\n', 'not a stored event'],
    ] as const) {
      const { run, target } = await importText(name, text);
      expect(run.code, name).toBe(2);
      expect(json(run)).toMatchObject({ ok: false, line: 1, notAnExport: true, reason: expect.stringContaining(reason) });
      expect(existsSync(target)).toBe(false);
    }
    const human = await cli(['import', ws.path('text.txt'), '--db', fresh()]);
    expect(human.stdout).toContain('is not an incident-ledger export: line 1: not JSON');
  });

  it('a damaged line further on is still a refusal for tampering (exit 1)', async () => {
    const lines = good.trimEnd().split('\n');
    const { run } = await importText('damaged.jsonl', [lines[0], '{oops', ...lines.slice(1)].join('\n'));
    expect(run.code).toBe(1);
    expect(json(run)).toMatchObject({ line: 2 });
  });

  it('a leading UTF-8 byte order mark is ignored', async () => {
    const { run } = await importText('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(good)]));
    expect(run.code, run.stdout + run.stderr).toBe(0);
  });

  it('empty lines after the checkpoint are fine; content after it is not', async () => {
    const blank = await importText('blank.jsonl', `${good}\n\r\n`);
    expect(blank.run.code, blank.run.stdout).toBe(0);
    const extra = await importText('extra.jsonl', `${good}\n{"checkpoint":1}\n`);
    expect(extra.run.code).toBe(1);
    expect(json(extra.run)).toMatchObject({ reason: expect.stringContaining('nothing may follow the checkpoint') });
  });

  it('a directory gets a plain message', async () => {
    const dir = ws.path('a-directory');
    mkdirSync(dir);
    const run = await cli(['import', dir, '--db', fresh()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`incident-ledger: cannot read ${dir}: it is a directory, not a file\n`);
  });
});
