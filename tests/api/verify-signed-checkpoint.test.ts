import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { RunningServer } from '../../src/server.js';
import { call, Created, expectJson, SECRETS, startInProcess, tempDir, TOKENS_ENV, VerifyAnswer } from '../reliability/helpers.js';

/**
 * POST /api/audit/verify with a kept checkpoint, on a ledger that signs its checkpoints: the
 * checkpoint's signature is checked with the ledger's key, as the CLI's verify checks it, so a
 * checkpoint altered after signing (or signed by someone else) is a failure, not an ok.
 */
const SignedCheckpoint = z.object({ size: z.number().int(), root: z.string(), at: z.string(), signature: z.string() });

describe('verify against a signed checkpoint', () => {
  const dir = tempDir('verify-signed');
  let running: RunningServer;
  let kept: z.infer<typeof SignedCheckpoint>;
  const verify = async (checkpoint: unknown) => expectJson(VerifyAnswer, await call(running.url, 'POST', '/api/audit/verify', { token: SECRETS.auditor, body: { checkpoint } }), 200);

  beforeAll(async () => {
    const key = join(dir.path, 'signing.pem');
    writeFileSync(key, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    running = await startInProcess({ LEDGER_TOKENS: TOKENS_ENV, LEDGER_RATE_LIMIT: '0', LEDGER_SIGNING_KEY: key });
    expectJson(Created, await call(running.url, 'POST', '/api/incidents', { token: SECRETS.reporter, body: { title: 'Sky ECC' } }), 201);
    kept = expectJson(SignedCheckpoint, await call(running.url, 'GET', '/api/audit/checkpoint', { token: SECRETS.auditor }), 200);
    expectJson(Created, await call(running.url, 'POST', '/api/incidents', { token: SECRETS.reporter, body: { title: 'EncroChat' } }), 201);
  });
  afterAll(async () => {
    await running?.close();
    dir.remove();
  });

  it('is ok for the checkpoint as the ledger signed it', async () => {
    expect(await verify(kept)).toMatchObject({ ok: true, failures: [] });
  });

  it('fails on a signature that is not the ledger’s, or a signed field changed after signing', async () => {
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const { signCheckpoint } = await import('../../src/log/signing.js');
    const cases = [
      { ...kept, signature: 'not a signature' },
      { ...kept, signature: signCheckpoint(kept, otherKey) },
      { ...kept, at: new Date(Date.parse(kept.at) + 1).toISOString() },
      { size: kept.size, root: kept.root, signature: kept.signature },
    ];
    for (const checkpoint of cases) {
      const answer = await verify(checkpoint);
      expect(answer.ok).toBe(false);
      expect(answer.failures).toEqual([{ stream: '$log', revision: kept.size, reason: 'checkpoint-signature' }]);
    }
  });

  it('checks nothing of a checkpoint that claims no signature: size and root are what verify proves', async () => {
    expect(await verify({ size: kept.size, root: kept.root, at: kept.at })).toMatchObject({ ok: true, failures: [] });
  });
});
