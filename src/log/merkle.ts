import { hash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 / RFC 9162 section 2.1, pure: hashing, tree heads, proof
 * generation and proof verification. Everything here works on bytes; hex lives at the edges.
 *
 * Sizes and indices are plain numbers, so all "bit" arithmetic below is done with division
 * rather than JavaScript's 32-bit bitwise operators: a log may outgrow 2^32 leaves.
 */

export const HASH_SIZE = 32;

/** Where a prefixed hash's input is put together: hashing is synchronous, so one buffer serves all. */
const joined = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);

/**
 * SHA-256(prefix ‖ a ‖ b), hashed in one shot: about twice as fast as createHash for these few
 * bytes. Node makes a fresh ArrayBuffer for a Buffer output, so base64 is asked for and decoded
 * into a pooled Buffer instead (quicker than hex).
 */
function prefixedHash(prefix: number, a: Uint8Array, b?: Uint8Array): Buffer {
  const length = 1 + a.length + (b?.length ?? 0);
  const input = length <= joined.length ? joined : Buffer.allocUnsafe(length);
  input[0] = prefix;
  input.set(a, 1);
  if (b) input.set(b, 1 + a.length);
  return Buffer.from(hash('sha256', input.subarray(0, length), 'base64'), 'base64');
}

/** MTH({}) = SHA-256() */
export const EMPTY_ROOT: Buffer = Buffer.from(hash('sha256', '', 'hex'), 'hex');

/** MTH({d}) = SHA-256(0x00 ‖ d) */
export const leafHash = (data: Uint8Array): Buffer => prefixedHash(0x00, data);

/** SHA-256(0x01 ‖ left ‖ right) */
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => prefixedHash(0x01, left, right);

/**
 * MTH(D[start:end]) for the ranges the RFC recursion visits: `start` is always a multiple of
 * the smallest power of two ≥ end − start. Storage answers it from complete subtrees.
 */
export type SubtreeHasher = (start: number, end: number) => Uint8Array;

/** A complete subtree: level L, index i covers leaves [i·2^L, (i+1)·2^L). */
export interface NodeId {
  level: number;
  index: number;
}

const isCount = (n: number): boolean => Number.isSafeInteger(n) && n >= 0;
const odd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

/** The largest power of two strictly below n (n ≥ 2): where MTH splits a list of n. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  if (!Number.isSafeInteger(n) || n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/** Splits [start, end) into maximal aligned complete subtrees, left to right. */
export function completeSubtrees(start: number, end: number): NodeId[] {
  const out: NodeId[] = [];
  let s = start;
  while (s < end) {
    let size = 1;
    let level = 0;
    while (s % (size * 2) === 0 && s + size * 2 <= end) {
      size *= 2;
      level += 1;
    }
    out.push({ level, index: s / size });
    s += size;
  }
  return out;
}

/**
 * A SubtreeHasher over stored complete subtrees: an RFC-shaped range decomposes into
 * strictly shrinking subtrees, and its MTH is their right fold. O(log n) reads.
 */
export function subtreesFromNodes(readNode: (level: number, index: number) => Uint8Array): SubtreeHasher {
  return (start, end) => {
    const parts = completeSubtrees(start, end);
    if (parts.length === 0) return EMPTY_ROOT;
    for (let i = 1; i < parts.length; i++) {
      // A growing subtree would mean a range the RFC never splits that way: the fold would be wrong.
      if (parts[i]!.level >= parts[i - 1]!.level) throw new RangeError(`[${start}, ${end}) is not an RFC 6962 subtree range`);
    }
    let acc: Uint8Array = readNode(parts.at(-1)!.level, parts.at(-1)!.index);
    for (let i = parts.length - 2; i >= 0; i--) acc = nodeHash(readNode(parts[i]!.level, parts[i]!.index), acc);
    return acc;
  };
}

/** A SubtreeHasher straight from the leaf hashes in memory, by the RFC's own recursion. */
export function subtreesOf(leafHashes: readonly Uint8Array[]): SubtreeHasher {
  const mth = (start: number, end: number): Uint8Array => {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (n === 1) return leafHashes[start]!;
    const k = splitPoint(n);
    return nodeHash(mth(start, start + k), mth(start + k, end));
  };
  return (start, end) => {
    if (start < 0 || end > leafHashes.length || start > end) throw new RangeError(`[${start}, ${end}) outside ${leafHashes.length} leaves`);
    return mth(start, end);
  };
}

/** MTH of the entries whose leaf hashes are given (RFC 9162 2.1.1). */
export const rootOf = (leafHashes: readonly Uint8Array[]): Buffer => Buffer.from(subtreesOf(leafHashes)(0, leafHashes.length));

/** PATH(m, D[n]) (RFC 9162 2.1.3.1): sibling hashes from the leaf up to the root. */
export function inclusionProof(index: number, size: number, subtree: SubtreeHasher): Buffer[] {
  if (!isCount(index) || !isCount(size) || index >= size) throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  const topDown: Uint8Array[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index - start < k) {
      topDown.push(subtree(start + k, end));
      end = start + k;
    } else {
      topDown.push(subtree(start, start + k));
      start += k;
    }
  }
  return topDown.reverse().map((h) => Buffer.from(h));
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) (RFC 9162 2.1.4.1); empty when m = n. */
export function consistencyProof(size1: number, size2: number, subtree: SubtreeHasher): Buffer[] {
  if (!isCount(size1) || !isCount(size2) || size1 < 1 || size1 > size2) {
    throw new RangeError(`no consistency proof from ${size1} to ${size2}`);
  }
  const topDown: Uint8Array[] = [];
  let m = size1;
  let start = 0;
  let end = size2;
  let whole = true; // SUBPROOF's b: the old tree is still exactly this subtree's left edge
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      topDown.push(subtree(start + k, end));
      end = start + k;
    } else {
      topDown.push(subtree(start, start + k));
      start += k;
      m -= k;
      whole = false;
    }
  }
  if (!whole) topDown.push(subtree(start, end));
  return topDown.reverse().map((h) => Buffer.from(h));
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
const allHashes = (proof: readonly Uint8Array[]): boolean => proof.every((p) => p.length === HASH_SIZE);

/** RFC 9162 2.1.3.2, step for step. */
export function verifyInclusion(
  leafIndex: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isCount(leafIndex) || !isCount(treeSize) || leafIndex >= treeSize) return false;
  if (leaf.length !== HASH_SIZE || !allHashes(proof)) return false;
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameBytes(r, root);
}

/**
 * RFC 9162 2.1.4.2, step for step, behind the preconditions transparency-dev applies: equal
 * sizes need an empty proof and equal roots, and nothing is proved from the empty tree
 * (any tree extends it, so such a "proof" would only lend false weight to a root).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): boolean {
  if (!isCount(size1) || !isCount(size2) || size1 > size2 || size1 === 0) return false;
  if (size1 === size2) return proof.length === 0 && sameBytes(root1, root2);
  if (proof.length === 0 || !allHashes(proof)) return false;
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && sameBytes(fr, root1) && sameBytes(sr, root2);
}
