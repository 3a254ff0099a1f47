import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { errorMessage, usageError, type CliIO } from './io.js';

/** Where a command's artifact goes: a file (written whole or not at all) or stdout. */
export interface Sink {
  write(text: string): void;
  /** Completes the file (fsync, then rename into place). */
  commit(): void;
  /** Drops a half-written file. */
  abort(): void;
}

const BUFFER = 1 << 20;

/**
 * A file sink writes `path.partial-<pid>` and renames it over `path` on commit, so a failed run
 * never leaves a truncated file where a good one is expected. Writes are synchronous and buffered.
 */
export function sinkFor(io: CliIO, path: string | undefined): Sink {
  if (path === undefined) return { write: (text) => void io.stdout.write(text), commit: () => undefined, abort: () => undefined };
  const partial = `${path}.partial-${process.pid}`;
  let fd: number;
  try {
    fd = openSync(partial, 'w');
  } catch (error) {
    throw usageError(`cannot write ${path}: ${errorMessage(error)}`);
  }
  let pending: string[] = [];
  let size = 0;
  let open = true;
  const flush = (): void => {
    if (pending.length === 0) return;
    writeSync(fd, pending.join(''));
    pending = [];
    size = 0;
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
      fsyncSync(fd);
      close();
      renameSync(partial, path);
    },
    abort: () => {
      close();
      rmSync(partial, { force: true });
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

/**
 * The lines of a file, read synchronously in chunks: import verifies and writes inside one
 * SQLite transaction, which cannot await. A final line without a newline still counts; a
 * trailing newline does not make an extra empty line.
 */
export function* readLines(path: string): Generator<Line> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    throw usageError(`cannot read ${path}: ${errorMessage(error)}`);
  }
  try {
    const decoder = new StringDecoder('utf8');
    const chunk = Buffer.alloc(BUFFER);
    let rest = '';
    let number = 0;
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const text = rest + decoder.write(chunk.subarray(0, n));
      const parts = text.split('\n');
      rest = parts.pop()!;
      for (const part of parts) yield { number: ++number, text: part };
    }
    rest += decoder.end();
    if (rest.length > 0) yield { number: ++number, text: rest };
  } finally {
    closeSync(fd);
  }
}
