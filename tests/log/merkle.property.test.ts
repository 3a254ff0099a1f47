import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Frontier } from '../../src/log/frontier.js';
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  nodeHash,
  rootOf,
  subtreesFromNodes,
  subtreesOf,
  verifyConsistency,
  verifyInclusion,
} from '../../src/log/merkle.js';

/** MTH exactly as RFC 9162 2.1.1 words it, over raw entries: the yardstick for everything else. */
function referenceMth(entries: readonly Buffer[]): Buffer {
  if (entries.length === 0) return createHash('sha256').digest();
  if (entries.length === 1) return leafHash(entries[0]!);
  let k = 1;
  while (k * 2 < entries.length) k *= 2;
  return nodeHash(referenceMth(entries.slice(0, k)), referenceMth(entries.slice(k)));
}

const entriesOf = (size: number, seed: number): Buffer[] =>
  Array.from({ length: size }, (_, i) => createHash('sha256').update(`${seed}:${i}`).digest());

/** Stored complete subtrees, as the Frontier emits them: what the SQLite log holds. */
function nodeTable(leaves: readonly Buffer[]): (level: number, index: number) => Uint8Array {
  const table = new Map<string, Buffer>();
  const frontier = Frontier.empty();
  for (const leaf of leaves) for (const n of frontier.push(leaf)) table.set(`${n.level}/${n.index}`, n.hash);
  return (level, index) => {
    const hash = table.get(`${level}/${index}`);
    if (!hash) throw new Error(`no node ${level}/${index}`);
    return hash;
  };
}

const flip = (bytes: Uint8Array, at: number, mask: number): Buffer => {
  const copy = Buffer.from(bytes);
  copy[at % copy.length]! ^= mask;
  return copy;
};

const tree = fc.record({ size: fc.integer({ min: 1, max: 260 }), seed: fc.integer() });
const byteFlip = fc.record({ item: fc.nat(), at: fc.nat(), mask: fc.integer({ min: 1, max: 255 }) });

describe('Merkle tree properties', () => {
  it('every way of computing a root agrees with the RFC definition', () => {
    expect(rootOf([])).toEqual(EMPTY_ROOT);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer(), (size, seed) => {
        const entries = entriesOf(size, seed);
        const leaves = entries.map(leafHash);
        const frontier = Frontier.empty();
        for (const leaf of leaves) frontier.push(leaf);
        const expected = referenceMth(entries);
        expect(rootOf(leaves)).toEqual(expected);
        expect(frontier.root()).toEqual(expected);
        expect(Buffer.from(subtreesFromNodes(nodeTable(leaves))(0, size))).toEqual(expected);
      }),
    );
  });

  it('proofs from stored subtrees equal proofs from the leaves, for every index and pair of sizes', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = entriesOf(size, size).map(leafHash);
      const fromLeaves = subtreesOf(leaves);
      const fromNodes = subtreesFromNodes(nodeTable(leaves));
      for (let i = 0; i < size; i++) expect(inclusionProof(i, size, fromNodes)).toEqual(inclusionProof(i, size, fromLeaves));
      for (let m = 1; m <= size; m++) expect(consistencyProof(m, size, fromNodes)).toEqual(consistencyProof(m, size, fromLeaves));
    }
  });

  it('every inclusion proof verifies, and flipping any byte of proof, leaf or root fails it', () => {
    fc.assert(
      fc.property(tree, fc.nat(), byteFlip, ({ size, seed }, pick, { item, at, mask }) => {
        const leaves = entriesOf(size, seed).map(leafHash);
        const index = pick % size;
        const root = rootOf(leaves);
        const proof = inclusionProof(index, size, subtreesOf(leaves));
        const leaf = leaves[index]!;
        expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);

        // Pick one of the proof's hashes, the leaf or the root, and flip one of its bytes.
        const target = item % (proof.length + 2);
        if (target < proof.length) {
          const bent = proof.map((p, i) => (i === target ? flip(p, at, mask) : p));
          expect(verifyInclusion(index, size, leaf, bent, root)).toBe(false);
        } else if (target === proof.length) {
          expect(verifyInclusion(index, size, flip(leaf, at, mask), proof, root)).toBe(false);
        } else {
          expect(verifyInclusion(index, size, leaf, proof, flip(root, at, mask))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('every consistency proof verifies, and flipping any byte of proof or either root fails it', () => {
    fc.assert(
      fc.property(tree, fc.nat(), byteFlip, ({ size, seed }, pick, { item, at, mask }) => {
        const leaves = entriesOf(size, seed).map(leafHash);
        const size1 = (pick % size) + 1;
        const root1 = rootOf(leaves.slice(0, size1));
        const root2 = rootOf(leaves);
        const proof = consistencyProof(size1, size, subtreesOf(leaves));
        expect(verifyConsistency(size1, size, proof, root1, root2)).toBe(true);

        const target = item % (proof.length + 2);
        if (target < proof.length) {
          const bent = proof.map((p, i) => (i === target ? flip(p, at, mask) : p));
          expect(verifyConsistency(size1, size, bent, root1, root2)).toBe(false);
        } else if (target === proof.length) {
          expect(verifyConsistency(size1, size, proof, flip(root1, at, mask), root2)).toBe(false);
        } else {
          expect(verifyConsistency(size1, size, proof, root1, flip(root2, at, mask))).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });
});
