import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { leafHash, rootOf } from '../../src/log/merkle.js';
import { eventLeaf, RunningRoot } from '../../src/log/running-root.js';

/** Hex digits of either case, and now and then a character that is not one. */
const hex = (size: { minLength?: number; maxLength?: number }) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFz'), ...size });

const eventHash = (seed: string): string => createHash('sha256').update(seed).digest('hex');

/** The root as verification computed it before: leafHash of Buffer.from(hash, 'hex'), then MTH. */
const expectedRoot = (hashes: readonly string[]): string => rootOf(hashes.map((h) => leafHash(Buffer.from(h, 'hex')))).toString('hex');

const rootOfPushed = (hashes: readonly string[]): string => {
  const running = new RunningRoot();
  for (const h of hashes) running.push(h);
  expect(running.size).toBe(hashes.length);
  return running.rootHex();
};

describe('the running root of event hashes', () => {
  it('is the RFC 6962 root of their leaves at every size', () => {
    const hashes = Array.from({ length: 70 }, (_, i) => eventHash(`e${i}`));
    for (let n = 0; n <= hashes.length; n++) expect(rootOfPushed(hashes.slice(0, n))).toBe(expectedRoot(hashes.slice(0, n)));
  });

  it('takes a damaged hash as the bytes Buffer.from makes of it', () => {
    const good = eventHash('x');
    const damaged = ['', 'ab', good.toUpperCase(), `${good}00`, `zz${good.slice(2)}`, `${good.slice(0, 40)}zz${good.slice(42)}`, good.slice(1)];
    for (const h of damaged) expect(rootOfPushed([good, h, good])).toBe(expectedRoot([good, h, good]));
  });

  it('takes a claimed hash that is not a string (an edited row) as the bytes of its text, rather than throwing', () => {
    const good = eventHash('a');
    for (const damaged of [17, null, { hash: good }, true]) {
      const root = new RunningRoot();
      expect(() => root.push(damaged as never)).not.toThrow();
      expect(eventLeaf(damaged as never)).toBe(eventLeaf(String(damaged)));
      expect(eventLeaf(damaged as never)).not.toBe(eventLeaf(good));
    }
  });

  it('agrees with the root of the leaves for any list of hex strings, pushed as hashes or as leaves made first', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(hex({ minLength: 64, maxLength: 64 }), hex({ maxLength: 70 })), { maxLength: 40 }), (hashes) => {
        expect(rootOfPushed(hashes)).toBe(expectedRoot(hashes));
        // Leaves made in any order, then pushed in order: what a verifier meeting events stream by stream does.
        const leaves = new Map([...hashes.entries()].reverse().map(([i, h]) => [i, eventLeaf(h)]));
        const running = new RunningRoot();
        for (let i = 0; i < hashes.length; i++) running.pushLeaf(leaves.get(i)!);
        expect(running.rootHex()).toBe(expectedRoot(hashes));
      }),
      { numRuns: 300 },
    );
  });
});
