import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { Checkpoint } from '../../src/log/schemas.js';
import { startServer, type RunningServer } from '../../src/server.js';
import { cli, json, openRaw, seededWorkspace, signingKeys, storedEvents, workspace } from './helpers.js';

const TOKEN = 'prove-and-keys-auditor-secret';
/** A well-formed event id that no ledger here holds. */
const UNKNOWN_ULID = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

describe('prove: what is a usage error, and what a proof that fails', () => {
  const ws = seededWorkspace({ signed: true });
  let server: RunningServer;
  let remote: string[];
  let secondEvent: string;
  /** A kept checkpoint of a tree larger than the ledger ever was. */
  let tooBig: string;
  /** The ledger's current checkpoint, as kept by an auditor, without a signature. */
  let keptUnsigned: string;

  beforeAll(async () => {
    const raw = openRaw(ws.ledger);
    secondEvent = storedEvents(raw, 'position = 1')[0]!.metadata.eventId;
    raw.close();

    const current = json<Checkpoint>(await cli(['checkpoint', '--db', ws.ledger]));
    keptUnsigned = ws.path('kept-unsigned.json');
    writeFileSync(keptUnsigned, JSON.stringify({ size: current.size, root: current.root, at: current.at }));
    tooBig = ws.path('too-big.json');
    writeFileSync(tooBig, JSON.stringify({ size: 1_000_000, root: 'a'.repeat(64), at: current.at }));

    // A server that does not sign its checkpoints.
    server = await startServer(loadConfig({ LEDGER_DB: ws.ledger, PORT: '0', HOST: '127.0.0.1', LEDGER_TOKENS: `auditor:auditor:${TOKEN}`, LEDGER_SEED_DEMO: 'false', LOG_LEVEL: 'silent' }));
    await server.services.ready;
    remote = ['--url', server.url, '--token', TOKEN];
  });
  afterAll(async () => {
    await server?.close();
  });

  describe('an event id the ledger does not hold is a usage error, never a made-up proof', () => {
    for (const [mode, args] of [
      ['local', () => ['--db', ws.ledger]],
      ['remote', () => remote],
    ] as const) {
      for (const id of ['nope', UNKNOWN_ULID]) {
        for (const output of [[], ['--json']]) {
          it(`${mode}${output.length ? ' --json' : ''}: --event ${id} exits 2, "no event ${id} in this ledger", and no proof on stdout`, async () => {
            const run = await cli(['prove', ...args(), '--event', id, ...output]);
            expect(run.code, run.stderr).toBe(2);
            expect(run.stderr).toContain(`no event ${id} in this ledger`);
            // With --json, stdout carries the error as JSON (so a script reads JSON either way); never a proof.
            if (output.length === 0) expect(run.stdout).toBe('');
            else expect(JSON.parse(run.stdout)).toEqual({ ok: false, exitCode: 2, error: expect.stringContaining(`no event ${id} in this ledger`) });
          });
        }
      }
    }

    it('an event after the tree asked about has no proof in it: exit 2, not "leaf 0", locally and from a server', async () => {
      const local = await cli(['prove', '--db', ws.ledger, '--event', secondEvent, '--size', '1']);
      expect(local.code).toBe(2);
      expect(local.stderr).toContain(`event ${secondEvent} is leaf 1, after a tree of 1`);
      expect(local.stdout).toBe('');

      const firstTree = ws.path('kept-size-1.json');
      // The tree of size 1 as the local log computes it, kept as if an auditor had saved it then.
      const { older } = json<{ older: Checkpoint }>(await cli(['prove', '--db', ws.ledger, '--from', '1', '--json']));
      writeFileSync(firstTree, JSON.stringify(older));
      const remoteRun = await cli(['prove', ...remote, '--event', secondEvent, '--checkpoint', firstTree]);
      expect(remoteRun.code).toBe(2);
      expect(remoteRun.stderr).toContain(`no proof of event ${secondEvent} in the tree of size 1`);
      expect(remoteRun.stdout).toBe('');
    });
  });

  it('--from larger than --to is a usage error, not "events were removed"', async () => {
    const run = await cli(['prove', '--db', ws.ledger, '--from', '5', '--to', '3']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from 5 is larger than --to 3');
    expect(run.stdout).not.toContain('removed');
  });

  describe('a kept checkpoint beyond the ledger means events were removed: exit 1 on every path', () => {
    const paths: Array<[string, () => string[]]> = [
      ['local --event --checkpoint', () => ['--db', ws.ledger, '--event', secondEvent, '--checkpoint', tooBig]],
      ['local --checkpoint', () => ['--db', ws.ledger, '--checkpoint', tooBig]],
      ['remote --event --checkpoint', () => [...remote, '--event', secondEvent, '--checkpoint', tooBig]],
      ['remote --checkpoint', () => [...remote, '--checkpoint', tooBig]],
    ];
    for (const [name, args] of paths) {
      it(name, async () => {
        const run = await cli(['prove', ...args(), '--json']);
        expect(run.code, run.stderr).toBe(1);
        const answer = json<{ ok: boolean; proof: unknown; problems: string[] }>(run);
        expect(answer.ok).toBe(false);
        expect(answer.proof).toBeNull();
        expect(answer.problems[0]).toContain('events were removed');
      });
    }
  });

  describe('a pinned key demands signatures from others, not on roots the CLI computed itself', () => {
    it('with the right key, local proofs into past sizes verify (they are computed here, never signed)', async () => {
      for (const args of [['--from', '3'], ['--event', secondEvent, '--size', '3'], ['--event', secondEvent]]) {
        const run = await cli(['prove', '--db', ws.ledger, ...args, '--public-key', ws.keys.publicKey], ws.env);
        expect(run.code, `${args.join(' ')}: ${run.stdout}`).toBe(0);
        expect(run.stdout).toContain('verified: ok');
      }
    });

    it('an unsigned kept checkpoint is still refused under a pinned key', async () => {
      const run = await cli(['prove', '--db', ws.ledger, '--event', secondEvent, '--checkpoint', keptUnsigned, '--public-key', ws.keys.publicKey], ws.env);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('the checkpoint is not signed, and --public-key requires signed checkpoints');
    });

    it("an unsigned server's checkpoint is still refused under a pinned key", async () => {
      const run = await cli(['prove', ...remote, '--event', secondEvent, '--public-key', ws.keys.publicKey]);
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('the checkpoint is not signed, and --public-key requires signed checkpoints');
    });

    it('a local signature made with another key than the pinned one still fails', async () => {
      const keysDir = workspace();
      const other = signingKeys(keysDir);
      const run = await cli(['prove', '--db', ws.ledger, '--event', secondEvent, '--public-key', other.publicKey], ws.env).finally(() => keysDir.cleanup());
      expect(run.code).toBe(1);
      expect(run.stdout).toContain('does not verify with the pinned key');
    });
  });

  describe('a --public-key that is not an Ed25519 key is a usage error, not tampering', () => {
    const badKeys: Array<[string, string]> = [
      ['garbage text', 'garbage\n'],
      ['an empty file', ''],
      ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()],
    ];
    let exported: string;
    beforeAll(async () => {
      exported = ws.path('export.jsonl');
      const run = await cli(['export', '--db', ws.ledger, '--out', exported], ws.env);
      expect(run.code, run.stderr).toBe(0);
    });

    for (const [what, text] of badKeys) {
      it(`${what}: exit 2 in local and remote verify, prove, import and checkpoint --url`, async () => {
        const key = ws.path(`bad-key-${what.replaceAll(' ', '-')}.pem`);
        writeFileSync(key, text);
        const runs = {
          'verify --against': ['verify', '--db', ws.ledger, '--against', keptUnsigned],
          'verify remote': ['verify', ...remote],
          'prove local': ['prove', '--db', ws.ledger, '--from', '3'],
          'checkpoint --url': ['checkpoint', ...remote],
          import: ['import', exported, '--db', ws.path(`import-${what.replaceAll(' ', '-')}.db`)],
        };
        for (const [name, args] of Object.entries(runs)) {
          const run = await cli([...args, '--public-key', key], ws.env);
          expect(run.code, `${name}: ${run.stdout}${run.stderr}`).toBe(2);
          expect(run.stderr, name).toContain(`--public-key ${key} is not a usable key`);
          expect(run.stdout, name).not.toContain('TAMPERING');
        }
      });
    }
  });
});
