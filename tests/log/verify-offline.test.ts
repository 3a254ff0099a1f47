import { createPrivateKey } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { LedgerLog } from '../../src/log/ledger-log.js';
import { EMPTY_ROOT } from '../../src/log/merkle.js';
import type { Checkpoint } from '../../src/log/schemas.js';
import { checkpointSigner, generateSigningKeyPem } from '../../src/log/signing.js';
import { leafHashOfEvent, verifyConsistencyBetween, verifyInclusionAgainstCheckpoint } from '../../src/log/verify-offline.js';
import { storedEvent, storedEvents, tempDatabase } from './helpers.js';

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

const signer = checkpointSigner(createPrivateKey(generateSigningKeyPem()));
const publicKey = signer.publicKeyPem;
const at = (n: number): Date => new Date(Date.UTC(2024, 0, 1, 0, 0, n));

function signedLog(events = 0): LedgerLog {
  const db = tempDatabase();
  cleanups.push(db.cleanup);
  const log = new LedgerLog(db.db, { signer });
  if (events > 0) log.append(storedEvents(0, events));
  return log;
}

/** Every variant of a hex hash with exactly one byte changed. */
function everyByteAltered(hex: string): string[] {
  return Array.from({ length: hex.length / 2 }, (_, i) => {
    const bytes = Buffer.from(hex, 'hex');
    bytes[i]! ^= 0x5a;
    return bytes.toString('hex');
  });
}

describe('an auditor, offline', () => {
  it('verifies an inclusion proof against a signed checkpoint, tied to the event it holds', () => {
    const log = signedLog(29);
    const checkpoint = log.checkpoint(at(1));
    const event = storedEvent(17);
    const proof = log.inclusionProof(event.metadata.eventId);
    expect(proof.leafHash).toBe(leafHashOfEvent(event.metadata.hash));
    expect(verifyInclusionAgainstCheckpoint(proof, checkpoint, { publicKey, eventHash: event.metadata.hash })).toEqual({ ok: true });
    expect(verifyInclusionAgainstCheckpoint(proof, checkpoint, { publicKey, eventHash: storedEvent(16).metadata.hash }).ok).toBe(false);
  });

  it('rejects an inclusion proof when any byte of the proof, the leaf or the root is altered', () => {
    const log = signedLog(29);
    const checkpoint = log.checkpoint(at(1));
    const proof = log.inclusionProof(storedEvent(5).metadata.eventId);
    for (const [i, hash] of proof.proof.entries()) {
      for (const bent of everyByteAltered(hash)) {
        const altered = { ...proof, proof: proof.proof.map((h, j) => (j === i ? bent : h)) };
        expect(verifyInclusionAgainstCheckpoint(altered, checkpoint, { publicKey }).ok).toBe(false);
      }
    }
    for (const leafHash of everyByteAltered(proof.leafHash)) {
      expect(verifyInclusionAgainstCheckpoint({ ...proof, leafHash }, checkpoint, { publicKey }).ok).toBe(false);
    }
    for (const root of everyByteAltered(checkpoint.root)) {
      // Without the key the proof itself must fail; with it, the signature already does.
      expect(verifyInclusionAgainstCheckpoint(proof, { ...checkpoint, root }).ok).toBe(false);
      expect(verifyInclusionAgainstCheckpoint(proof, { ...checkpoint, root }, { publicKey }).ok).toBe(false);
    }
  });

  it('rejects a proof for another size, an unsigned checkpoint, and malformed hashes', () => {
    const log = signedLog(29);
    const checkpoint = log.checkpoint(at(1));
    const id = storedEvent(3).metadata.eventId;
    expect(verifyInclusionAgainstCheckpoint(log.inclusionProof(id, 20), checkpoint, { publicKey }).ok).toBe(false);
    const { signature: _, ...unsigned } = checkpoint;
    expect(verifyInclusionAgainstCheckpoint(log.inclusionProof(id), unsigned, { publicKey }).ok).toBe(false);
    const proof = log.inclusionProof(id);
    expect(verifyInclusionAgainstCheckpoint({ ...proof, leafHash: proof.leafHash.toUpperCase() }, checkpoint).ok).toBe(false);
  });

  it('proves every kept checkpoint consistent with every later one, across many appends', () => {
    const log = signedLog();
    const kept: Checkpoint[] = [log.checkpoint(at(0))];
    let n = 0;
    for (const batch of [1, 1, 2, 3, 5, 8, 13, 21, 34, 55, 1, 64, 127]) {
      log.append(storedEvents(n, n + batch));
      n += batch;
      kept.push(log.checkpoint(at(n)));
    }
    for (const [i, older] of kept.entries()) {
      for (const newer of kept.slice(i)) {
        const proof = older.size === 0 ? { from: 0, to: newer.size, proof: [] } : log.consistencyProof(older.size, newer.size);
        expect(verifyConsistencyBetween(older, newer, proof, { publicKey })).toEqual({ ok: true });
      }
    }
    expect(kept[0]).toMatchObject({ size: 0, root: EMPTY_ROOT.toString('hex') });
  });

  it('catches a log that rewrote history, and any altered byte of a consistency proof', () => {
    const honest = signedLog(40);
    const older = honest.checkpoint(at(1));

    // The same log, with event 12 quietly replaced, and grown since.
    const forked = signedLog();
    forked.append([...storedEvents(0, 12), storedEvent(12, 1), ...storedEvents(13, 60)]);
    const newer = forked.checkpoint(at(2));
    expect(verifyConsistencyBetween(older, newer, forked.consistencyProof(40, 60), { publicKey }).ok).toBe(false);

    honest.append(storedEvents(40, 60));
    const proof = honest.consistencyProof(40, 60);
    const honestNewer = honest.checkpoint(at(2));
    expect(verifyConsistencyBetween(older, honestNewer, proof, { publicKey }).ok).toBe(true);
    for (const [i, hash] of proof.proof.entries()) {
      for (const bent of everyByteAltered(hash)) {
        const altered = { ...proof, proof: proof.proof.map((h, j) => (j === i ? bent : h)) };
        expect(verifyConsistencyBetween(older, honestNewer, altered, { publicKey }).ok).toBe(false);
      }
    }
    expect(verifyConsistencyBetween(older, honestNewer, { ...proof, from: 39 }, { publicKey }).ok).toBe(false);
  });
});
