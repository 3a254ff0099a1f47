import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/log/schemas.js';
import {
  checkpointMessage,
  checkpointSigner,
  generateSigningKeyPem,
  loadSigningKey,
  verifyCheckpointSignature,
} from '../../src/log/signing.js';

const dir = mkdtempSync(join(tmpdir(), 'ledger-signing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keyFile(pem = generateSigningKeyPem()): string {
  const path = join(dir, `key-${Math.random().toString(36).slice(2)}.pem`);
  writeFileSync(path, pem);
  return path;
}

const body = { size: 42, root: 'ab'.repeat(32), at: '2024-05-01T12:00:00.000Z' };
const signed = (signer = checkpointSigner(keyFile())): { checkpoint: Checkpoint; signer: ReturnType<typeof checkpointSigner> } => ({
  checkpoint: { ...body, signature: signer.sign(body) },
  signer,
});

describe('checkpoint signatures', () => {
  it('sign the canonical JSON of {size, root, at} and nothing else', () => {
    expect(checkpointMessage({ ...body, signature: 'x' } as Checkpoint).toString('utf8')).toBe(
      `{"at":"2024-05-01T12:00:00.000Z","root":"${'ab'.repeat(32)}","size":42}`,
    );
  });

  it('made with a key from a PEM file verify with its public key, as PEM or raw base64', () => {
    const { checkpoint, signer } = signed();
    expect(Buffer.from(checkpoint.signature!, 'base64')).toHaveLength(64);
    expect(signer.publicKeyPem).toContain('-----BEGIN PUBLIC KEY-----');
    expect(Buffer.from(signer.publicKeyRaw, 'base64')).toHaveLength(32);
    expect(verifyCheckpointSignature(checkpoint, signer.publicKeyPem)).toBe(true);
    expect(verifyCheckpointSignature(checkpoint, signer.publicKeyRaw)).toBe(true);
  });

  it('break when the size, root, time or signature changes', () => {
    const { checkpoint, signer } = signed();
    const key = signer.publicKeyPem;
    expect(verifyCheckpointSignature({ ...checkpoint, size: 43 }, key)).toBe(false);
    expect(verifyCheckpointSignature({ ...checkpoint, root: 'ac' + 'ab'.repeat(31) }, key)).toBe(false);
    expect(verifyCheckpointSignature({ ...checkpoint, at: '2024-05-01T12:00:01.000Z' }, key)).toBe(false);
    const sig = Buffer.from(checkpoint.signature!, 'base64');
    sig[10]! ^= 1;
    expect(verifyCheckpointSignature({ ...checkpoint, signature: sig.toString('base64') }, key)).toBe(false);
    expect(verifyCheckpointSignature({ ...checkpoint, signature: `${checkpoint.signature!}!` }, key)).toBe(false);
    expect(verifyCheckpointSignature({ ...body }, key)).toBe(false);
  });

  it('do not verify with another key, nor with something that is not a key', () => {
    const { checkpoint } = signed();
    expect(verifyCheckpointSignature(checkpoint, checkpointSigner(keyFile()).publicKeyPem)).toBe(false);
    expect(verifyCheckpointSignature(checkpoint, 'not a key')).toBe(false);
  });

  it('refuse a key that is not Ed25519', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(() => loadSigningKey(keyFile(ec))).toThrow(/Ed25519/);
  });
});
