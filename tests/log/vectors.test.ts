import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { consistencyProof, inclusionProof, leafHash, rootOf, subtreesOf, verifyConsistency, verifyInclusion } from '../../src/log/merkle.js';

// Reference vectors from transparency-dev/merkle (Apache-2.0, see the folder's LICENSE).
const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/rfc6962');

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const proofOf = (c: { proof: string[] | null }): Buffer[] => (c.proof ?? []).map(b64);

function cases<T>(kind: 'inclusion' | 'consistency'): Array<[string, T]> {
  return readdirSync(join(ROOT, kind), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [`${kind}/${f}`, JSON.parse(readFileSync(join(ROOT, kind, f), 'utf8')) as T]);
}

const inclusionCases = cases<InclusionCase>('inclusion');
const consistencyCases = cases<ConsistencyCase>('consistency');

describe('RFC 6962 reference vectors', () => {
  it('are all present', () => {
    expect(inclusionCases.length).toBeGreaterThan(90);
    expect(consistencyCases.length).toBeGreaterThan(90);
  });

  describe('inclusion', () => {
    it.each(inclusionCases)('%s', (_, c) => {
      expect(verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), proofOf(c), b64(c.root))).toBe(!c.wantErr);
    });
  });

  describe('consistency', () => {
    it.each(consistencyCases)('%s', (_, c) => {
      expect(verifyConsistency(c.size1, c.size2, proofOf(c), b64(c.root1), b64(c.root2))).toBe(!c.wantErr);
    });
  });
});

/** The eight entries of the RFC 6962 / CT test tree the happy paths are drawn from. */
const ENTRIES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const leaves = ENTRIES.map((hex) => leafHash(Buffer.from(hex, 'hex')));

describe('our generator reproduces the reference proofs', () => {
  it('the root of the eight-entry tree is the well-known one', () => {
    expect(rootOf(leaves).toString('hex')).toBe('5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328');
  });

  const happyInclusion = inclusionCases.filter(([name, c]) => !c.wantErr && name.includes('happy-path'));
  it.each(happyInclusion)('%s', (_, c) => {
    const tree = leaves.slice(0, c.treeSize);
    expect(rootOf(tree).toString('base64')).toBe(c.root);
    expect(inclusionProof(c.leafIdx, c.treeSize, subtreesOf(tree)).map((h) => h.toString('base64'))).toEqual(c.proof ?? []);
  });

  const happyConsistency = consistencyCases.filter(([name, c]) => !c.wantErr && name.includes('happy-path'));
  it.each(happyConsistency)('%s', (_, c) => {
    const tree = leaves.slice(0, c.size2);
    expect(rootOf(leaves.slice(0, c.size1)).toString('base64')).toBe(c.root1);
    expect(consistencyProof(c.size1, c.size2, subtreesOf(tree)).map((h) => h.toString('base64'))).toEqual(c.proof ?? []);
  });
});
