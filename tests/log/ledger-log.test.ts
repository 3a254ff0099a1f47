import { createPrivateKey } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LedgerLogError, type LedgerLogErrorCode } from '../../src/log/errors.js';
import { LedgerLog } from '../../src/log/ledger-log.js';
import { EMPTY_ROOT, rootOf, verifyConsistency, verifyInclusion } from '../../src/log/merkle.js';
import { NodeStore } from '../../src/log/node-store.js';
import { checkpointSigner, generateSigningKeyPem, verifyCheckpointSignature } from '../../src/log/signing.js';
import { leafOf, storedEvent, storedEvents, tempDatabase } from './helpers.js';

const hex = (s: string): Buffer => Buffer.from(s, 'hex');
const rootOfEvents = (n: number): string => rootOf(storedEvents(0, n).map(leafOf)).toString('hex');

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
  vi.restoreAllMocks();
});

function openLog(events = 0): { log: LedgerLog; db: ReturnType<typeof tempDatabase> } {
  const db = tempDatabase();
  cleanups.push(db.cleanup);
  const log = new LedgerLog(db.db);
  if (events > 0) log.append(storedEvents(0, events));
  return { log, db };
}

function refusal(fn: () => unknown): LedgerLogErrorCode | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof LedgerLogError) return error.code;
    throw error;
  }
  return undefined;
}

describe('the ledger log', () => {
  it('an empty log has size 0, no position and the empty root', () => {
    const { log } = openLog();
    expect(log.size()).toBe(0);
    expect(log.lastPosition()).toBe(-1);
    expect(log.root()).toBe(EMPTY_ROOT.toString('hex'));
  });

  it('has, at every size, the RFC 6962 root of the events absorbed so far', () => {
    const { log } = openLog();
    const events = storedEvents(0, 37);
    log.append(events.slice(0, 5));
    log.append(events.slice(5, 6));
    log.append(events.slice(6));
    expect(log.size()).toBe(37);
    expect(log.lastPosition()).toBe(events.at(-1)!.position);
    for (let n = 0; n <= 37; n++) expect(log.root(n)).toBe(rootOfEvents(n));
  });

  it('absorbing the same events again changes nothing', () => {
    const { log } = openLog(10);
    const summary = log.append(storedEvents(5, 12));
    expect(summary).toEqual({ appended: 2, size: 12, lastPosition: storedEvent(11).position });
    expect(log.root()).toBe(rootOfEvents(12));
  });

  it('refuses an absorbed position that now holds a different event, and keeps nothing of that batch', () => {
    const { log } = openLog(10);
    expect(refusal(() => log.append([storedEvent(10), storedEvent(3, 1)]))).toBe('history-conflict');
    expect(log.size()).toBe(10);
    // The cached border must have been rolled back with the transaction.
    log.append(storedEvents(10, 20));
    expect(log.root()).toBe(rootOfEvents(20));
  });

  it('refuses an event id absorbed before at another position', () => {
    const { log } = openLog(4);
    const reused = { ...storedEvent(9), metadata: { ...storedEvent(9).metadata, eventId: storedEvent(2).metadata.eventId } };
    expect(refusal(() => log.append([reused]))).toBe('history-conflict');
  });

  it('refuses events out of global order and events without a chain hash', () => {
    const { log } = openLog(4);
    expect(refusal(() => log.append([storedEvent(6), storedEvent(5)]))).toBe('out-of-order');
    const broken = { ...storedEvent(4), metadata: { ...storedEvent(4).metadata, hash: 'abc' } };
    expect(refusal(() => log.append([broken]))).toBe('invalid-event');
    expect(log.size()).toBe(4);
  });

  it('proves every event at every size, from stored subtrees', () => {
    const n = 33;
    const { log } = openLog(n);
    for (let size = 1; size <= n; size++) {
      const root = hex(log.root(size));
      for (let i = 0; i < size; i++) {
        const p = log.inclusionProof(storedEvent(i).metadata.eventId, size);
        expect(p.leafIndex).toBe(i);
        expect(p.leafHash).toBe(leafOf(storedEvent(i)).toString('hex'));
        expect(verifyInclusion(p.leafIndex, p.size, hex(p.leafHash), p.proof.map(hex), root)).toBe(true);
      }
    }
  });

  it('proves every smaller tree consistent with every larger one', () => {
    const n = 33;
    const { log } = openLog(n);
    for (let from = 1; from <= n; from++) {
      for (let to = from; to <= n; to++) {
        const p = log.consistencyProof(from, to);
        expect(verifyConsistency(p.from, p.to, p.proof.map(hex), hex(log.root(from)), hex(log.root(to)))).toBe(true);
      }
    }
    expect(log.consistencyProof(5)).toMatchObject({ from: 5, to: n });
  });

  it('names what is wrong with a request', () => {
    const { log } = openLog(10);
    const id = storedEvent(7).metadata.eventId;
    expect(refusal(() => log.inclusionProof(id, 0))).toBe('invalid-size');
    expect(refusal(() => log.inclusionProof(id, 2.5))).toBe('invalid-size');
    expect(refusal(() => log.inclusionProof(id, 11))).toBe('size-beyond-log');
    expect(refusal(() => log.inclusionProof(id, 7))).toBe('event-after-size');
    expect(refusal(() => log.inclusionProof(storedEvent(99).metadata.eventId))).toBe('unknown-event');
    expect(refusal(() => log.consistencyProof(0, 5))).toBe('invalid-size');
    expect(refusal(() => log.consistencyProof(6, 5))).toBe('invalid-range');
    expect(refusal(() => log.consistencyProof(5, 11))).toBe('size-beyond-log');
    expect(refusal(() => log.root(-1))).toBe('invalid-size');
    expect(refusal(() => log.root(11))).toBe('size-beyond-log');
    expect(refusal(() => openLog().log.inclusionProof(id))).toBe('unknown-event');
  });

  it('resumes after a restart with the same size, root and position', () => {
    const { log, db } = openLog(21);
    const before = { size: log.size(), root: log.root(), position: log.lastPosition() };
    db.db.close();
    const reopened = new LedgerLog(db.reopen());
    expect({ size: reopened.size(), root: reopened.root(), position: reopened.lastPosition() }).toEqual(before);
    reopened.append(storedEvents(0, 30));
    expect(reopened.root()).toBe(rootOfEvents(30));
  });

  it('keeps one tree when two connections append to the same file', () => {
    const { log: a, db } = openLog(3);
    const b = new LedgerLog(db.reopen());
    b.append(storedEvents(3, 8));
    a.append(storedEvents(8, 13));
    b.append(storedEvents(13, 14));
    expect(a.root()).toBe(rootOfEvents(14));
    expect(b.root()).toBe(rootOfEvents(14));
  });

  it('checkpoints its size and root, signed when it has a key', () => {
    const { db } = openLog();
    const signer = checkpointSigner(createPrivateKey(generateSigningKeyPem()));
    const log = new LedgerLog(db.db, { signer });
    const at = new Date('2024-05-01T12:00:00Z');
    expect(log.checkpoint(at)).toMatchObject({ size: 0, root: EMPTY_ROOT.toString('hex'), at: '2024-05-01T12:00:00.000Z' });
    log.append(storedEvents(0, 9));
    const cp = log.checkpoint(at);
    expect(cp).toMatchObject({ size: 9, root: rootOfEvents(9) });
    expect(verifyCheckpointSignature(cp, signer.publicKeyPem)).toBe(true);
    expect(new LedgerLog(db.db).checkpoint(at).signature).toBeUndefined();
  });

  it('absorbs 100k events in batches and still answers a proof in O(log n) reads', () => {
    const n = 100_000;
    const { log } = openLog();
    const events = storedEvents(0, n);
    for (let from = 0; from < n; from += 10_000) log.append(events.slice(from, from + 10_000));
    expect(log.size()).toBe(n);
    expect(log.root()).toBe(rootOf(events.map(leafOf)).toString('hex'));

    const reads = vi.spyOn(NodeStore.prototype, 'readNode');
    const logN = Math.ceil(Math.log2(n));
    for (const i of [0, 1, 4_095, 65_536, 77_777, n - 4]) {
      reads.mockClear();
      const p = log.inclusionProof(events[i]!.metadata.eventId, n - 3);
      expect(reads.mock.calls.length).toBeLessThanOrEqual(2 * logN + 1);
      reads.mockClear();
      const root = hex(log.root(n - 3));
      expect(reads.mock.calls.length).toBeLessThanOrEqual(logN);
      expect(verifyInclusion(p.leafIndex, p.size, hex(p.leafHash), p.proof.map(hex), root)).toBe(true);
    }
    reads.mockClear();
    const c = log.consistencyProof(12_345, n - 1);
    expect(reads.mock.calls.length).toBeLessThanOrEqual(3 * logN);
    expect(verifyConsistency(c.from, c.to, c.proof.map(hex), hex(log.root(12_345)), hex(log.root(n - 1)))).toBe(true);
  });
});

