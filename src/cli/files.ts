import { closeSync, fstatSync, fsyncSync, lstatSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { Config } from '../config.js';
import { errorMessage, usageError, type CliIO } from './io.js';

/** Where a command's artifact goes: a file (written whole or not at all, where it can be) or stdout. */
export interface Sink {
  write(text: string): void;
  /** Completes the file (fsync, then rename into place). */
  commit(): void;
  /** Drops a half-written file. */
  abort(): void;
}

const BUFFER = 1 << 20;

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/**
 * How `--out` reaches its path. A regular file, or a new one, is written beside itself as
 * `.partial-<pid>` and renamed over on commit, so a failed run never leaves a truncated file where a
 * good one is expected; through a symlink this happens beside the file it points to, so the link
 * stays a link. Anything else (a device such as /dev/null, a named pipe) would be destroyed by a
 * rename: it is opened and written as it is, as a shell's `>` would. A symlink to nowhere is written
 * through too (opening creates its target), without the rename.
 */
interface Target {
  /** Written as `file.partial-<pid>` and renamed over `file`, or written into `file` as it is. */
  replace: boolean;
  file: string;
}

function targetOf(path: string): Target {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw usageError(`cannot write ${path}: ${errorMessage(error)}`);
    return { replace: !isSymlink(path), file: path };
  }
  if (stats.isDirectory()) throw usageError(`cannot write ${path}: it is a directory (--out needs a file name)`);
  return stats.isFile() ? { replace: true, file: realpathSync(path) } : { replace: false, file: path };
}

function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** The path with every symlink resolved, as far as it exists. */
function resolvedPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    const absolute = resolve(path);
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(resolvedPath(parent), basename(absolute));
  }
}

/** Device and inode, for files that exist: a hard link is the same file under another name. */
function identity(path: string): string | undefined {
  try {
    const stats = statSync(path);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}

/** The files SQLite keeps a database in: the file, its write-ahead log, its shared memory, its rollback journal. */
const SQLITE_COMPANIONS = ['', '-wal', '-shm', '-journal'];

/**
 * Checks `--out` before a command opens anything: it must not be a directory, nor the ledger
 * database or one of its companion files (writing there would replace the ledger with its own
 * export). Compared by resolved path, so symlinks and relative paths do not hide it, and by
 * identity, so hard links do not either. SQLite may keep the -wal beside the link or beside the
 * file it points to: both are refused.
 */
export function checkOutput(out: string | undefined, database: string): void {
  if (out === undefined) return;
  const target = resolvedPath(out);
  const targetId = identity(out);
  for (const base of new Set([database, resolvedPath(database)])) {
    for (const suffix of SQLITE_COMPANIONS) {
      const file = base + suffix;
      if (resolvedPath(file) !== target && (targetId === undefined || identity(file) !== targetId)) continue;
      throw usageError(`refusing to write ${out}: it is the ledger database${suffix ? `'s ${suffix.slice(1)} file` : ''} (${database}); nothing was written`);
    }
  }
  targetOf(out);
}

/** The SQLite file a command's store keeps its state in: the ledger itself, or EventStoreDB's local state. */
export const ledgerDatabase = (config: Config): string => (config.LEDGER_STORE === 'sqlite' ? config.LEDGER_DB : config.LEDGER_STATE_DB);

/** Writes all of `bytes`: a pipe may take fewer than offered. */
function writeAll(fd: number, bytes: Buffer): void {
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
}

/** A sink for stdout, or for the file `path` (see Target for how it is reached). Writes are synchronous and buffered. */
export function sinkFor(io: CliIO, path: string | undefined): Sink {
  if (path === undefined) return { write: (text) => void io.stdout.write(text), commit: () => undefined, abort: () => undefined };
  const target = targetOf(path);
  const written = target.replace ? `${target.file}.partial-${process.pid}` : target.file;
  const failed = (error: unknown) => usageError(`cannot write ${path}: ${errorMessage(error)}`);
  let fd: number;
  try {
    fd = openSync(written, 'w');
  } catch (error) {
    throw failed(error);
  }
  let pending: string[] = [];
  let size = 0;
  let open = true;
  const flush = (): void => {
    if (pending.length === 0) return;
    const bytes = Buffer.from(pending.join(''));
    pending = [];
    size = 0;
    try {
      writeAll(fd, bytes);
    } catch (error) {
      throw failed(error);
    }
  };
  const close = (): void => {
    if (!open) return;
    open = false;
    closeSync(fd);
  };
  return {
    write: (text) => {
      pending.push(text);
      size += text.length;
      if (size >= BUFFER) flush();
    },
    commit: () => {
      flush();
      if (!target.replace) return close();
      try {
        fsyncSync(fd);
        close();
        renameSync(written, target.file);
      } catch (error) {
        throw failed(error);
      }
    },
    abort: () => {
      close();
      if (target.replace) rmSync(written, { force: true });
    },
  };
}

/** Writes a small artifact (a checkpoint) whole. */
export function writeWhole(io: CliIO, path: string | undefined, text: string): void {
  const sink = sinkFor(io, path);
  try {
    sink.write(text);
    sink.commit();
  } catch (error) {
    sink.abort();
    throw error;
  }
}

export interface Line {
  /** 1-based. */
  number: number;
  text: string;
}

/** An event line is a few kilobytes; a line this long is not one, and reading on would only eat memory. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** An input file opened once: a pipe, a named pipe or stdin (`-`) can be read only once. */
export interface Input {
  readonly name: string;
  readonly fd: number;
  close(): void;
}

export function openInput(path: string): Input {
  // /dev/stdin too: opening it anew fails when stdin is a socket (as Node gives its children).
  if (path === '-' || path === '/dev/stdin') return { name: path, fd: 0, close: () => undefined };
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw usageError(`cannot read ${path}: ${errorMessage(error)}`);
  }
  if (fstatSync(fd).isDirectory()) {
    closeSync(fd);
    throw usageError(`cannot read ${path}: it is a directory, not a file`);
  }
  return { name: path, fd, close: () => closeSync(fd) };
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** readSync, waiting out EAGAIN: a stdin pipe left non-blocking by whoever started us has no data *yet*. */
function readChunk(fd: number, chunk: Buffer): number {
  for (;;) {
    try {
      return readSync(fd, chunk, 0, chunk.length, null);
    } catch (error) {
      if (errorCode(error) !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 10);
    }
  }
}

/**
 * The lines of an input, read synchronously in chunks and once: import verifies and writes inside
 * one SQLite transaction, which cannot await. Lines are split on the "\n" byte (which UTF-8 never
 * uses inside a character) and only the new chunk is searched, so a long line costs its length,
 * not its length squared; a line beyond MAX_LINE_BYTES is refused. A leading UTF-8 byte order mark
 * is dropped. A final line without a newline still counts; a trailing newline does not make an
 * extra empty line.
 */
export function* readLines(input: Input): Generator<Line> {
  const chunk = Buffer.alloc(BUFFER);
  let parts: Buffer[] = [];
  let partBytes = 0;
  let number = 0;
  const line = (): Line => {
    const text = Buffer.concat(parts, partBytes).toString('utf8');
    parts = [];
    partBytes = 0;
    return { number: ++number, text: number === 1 && text.startsWith('\uFEFF') ? text.slice(1) : text };
  };
  const take = (bytes: Buffer): void => {
    partBytes += bytes.length;
    if (partBytes > MAX_LINE_BYTES) throw usageError(`${input.name}: line ${number + 1} is longer than ${MAX_LINE_BYTES / (1024 * 1024)} MiB: not a line of an export`);
    // Copied: the chunk buffer is reused by the next read.
    if (bytes.length > 0) parts.push(Buffer.from(bytes));
  };
  for (;;) {
    let n: number;
    try {
      n = readChunk(input.fd, chunk);
    } catch (error) {
      throw usageError(`cannot read ${input.name}: ${errorMessage(error)}`);
    }
    if (n === 0) break;
    const data = chunk.subarray(0, n);
    let start = 0;
    for (let end = data.indexOf(10); end !== -1; end = data.indexOf(10, start)) {
      take(data.subarray(start, end));
      yield line();
      start = end + 1;
    }
    take(data.subarray(start));
  }
  if (partBytes > 0) yield line();
}
