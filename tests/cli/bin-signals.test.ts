import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { workspace } from './helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'incident-ledger.js');

/** The children of a process (none yet: an empty list). */
function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)]).toString().trim().split('\n').map(Number);
  } catch {
    return [];
  }
}

describe('bin/incident-ledger.js', () => {
  const ws = workspace();
  afterAll(() => ws.cleanup());

  it('reports a CLI killed by a signal as a shell does (128 + the signal), not as 1, "tampering found"', async () => {
    // An import from a named pipe nobody writes to waits forever: a CLI that is still running when killed.
    const fifo = ws.path('nobody-writes.fifo');
    execFileSync('mkfifo', [fifo]);
    const bin = spawn(process.execPath, [BIN, 'import', fifo, '--db', ws.path('never.db')], { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => bin.on('exit', (code) => resolve(code)));
    // bin → tsx → main.ts. tsx turns its own child's death into an exit status; a signal that
    // kills tsx itself (or the whole group, as Ctrl-C does) is what reaches bin as a signal.
    let tsx: number | undefined;
    let main: number | undefined;
    try {
      for (let tries = 0; main === undefined && tries < 200; tries++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        tsx = childrenOf(bin.pid!)[0];
        if (tsx !== undefined) main = childrenOf(tsx)[0];
      }
      expect(main).toBeDefined();
      process.kill(tsx!, 'SIGKILL');
      expect(await exited).toBe(128 + 9);
    } finally {
      if (bin.exitCode === null) bin.kill('SIGKILL');
      // Orphaned by the kill, it would wait on the pipe forever.
      if (main !== undefined) process.kill(main, 'SIGKILL');
    }
  }, 30_000);
});
