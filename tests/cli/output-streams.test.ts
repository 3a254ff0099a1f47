import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { streamIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { copyLedger, openRaw, seededWorkspace } from './helpers.js';

/** A stdout whose every write fails as a closed pipe (EPIPE) or a full disk (ENOSPC) does, now or a moment later. */
function failingOutput(code: 'EPIPE' | 'ENOSPC', when: 'now' | 'later' = 'now') {
  const calls = { writes: 0 };
  const stream = new Writable({
    write(_chunk, _encoding, callback) {
      calls.writes += 1;
      const error = Object.assign(new Error(`write ${code}`), { code });
      if (when === 'now') callback(error);
      else setTimeout(() => callback(error), 5);
    },
  });
  return { stream, calls };
}

function capturedOutput() {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString();
      callback();
    },
  });
  return { stream, text: () => text };
}

describe('when stdout fails', () => {
  const ws = seededWorkspace();

  const run = async (args: string[], stdout: Writable) => {
    const stderr = capturedOutput();
    const code = await runCli([...args, '--no-progress'], streamIO(stdout, stderr.stream, { LOG_LEVEL: 'silent' }));
    return { code, stderr: stderr.text() };
  };

  it('a reader that left (EPIPE) stops an export quietly, with exit 0 and no stack trace', async () => {
    const stdout = failingOutput('EPIPE');
    const { code, stderr } = await run(['export', '--db', ws.ledger], stdout.stream);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    // The export stopped at the first refused write instead of writing 31 more lines into the void.
    expect(stdout.calls.writes).toBe(1);
  });

  it('a reader that left does not hide a verdict: tampering still exits 1', async () => {
    const tampered = copyLedger(ws.ledger, ws.path('tampered.db'));
    const raw = openRaw(tampered);
    raw.prepare("UPDATE events SET data = replace(data, 'Europol', 'Eurapol') WHERE position = 0").run();
    raw.close();
    const { code, stderr } = await run(['verify', '--db', tampered, '--json'], failingOutput('EPIPE').stream);
    expect(code).toBe(1);
    expect(stderr).toBe('');
  });

  it('a full disk (ENOSPC) is one line on stderr and exit 2, for export, checkpoint and verify', async () => {
    for (const args of [['export'], ['checkpoint'], ['verify', '--json']]) {
      const { code, stderr } = await run([...args, '--db', ws.ledger], failingOutput('ENOSPC').stream);
      expect(code, args[0]).toBe(2);
      expect(stderr).toBe('incident-ledger: cannot write to stdout: write ENOSPC\n');
    }
  });

  it('a write that fails after the command finished (a slow pipe) still decides the exit code', async () => {
    const { code, stderr } = await run(['verify', '--db', ws.ledger], failingOutput('ENOSPC', 'later').stream);
    expect(code).toBe(2);
    expect(stderr).toBe('incident-ledger: cannot write to stdout: write ENOSPC\n');
  });

  it('a full disk under stderr is exit 2 even when stdout is fine', async () => {
    const stdout = capturedOutput();
    const code = await runCli(['export', '--db', ws.ledger, '--no-progress'], streamIO(stdout.stream, failingOutput('ENOSPC').stream, { LOG_LEVEL: 'silent' }));
    expect(code).toBe(2);
    expect(stdout.text()).toContain('"checkpoint"');
  });
});
