import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ZERO_HASH, type EventMetadata } from '../../events/index.js';
import { rehash, sealEvents, sealEventsJson, storedEventHash, verifyStreamChain } from '../../src/store/hash-chain.js';
import { anyJson, ledgerLikeJson, writeLoosely } from './json-arbitraries.js';
import { newEvent } from './fixtures.js';

/** The chain hash as first specified: SHA-256(prevHash bytes ‖ canonicalize(…)), through createHash. */
function specifiedHash(stream: string, revision: number, type: string, data: unknown, metadata: object): string {
  const { hash: _, ...rest } = metadata as Record<string, unknown>;
  const body = canonicalize({ stream, revision, type, data, metadata: rest })!;
  return createHash('sha256').update(Buffer.from(rest['prevHash'] as string, 'hex')).update(body, 'utf8').digest('hex');
}

const data = fc.oneof(ledgerLikeJson, anyJson.filter((v) => {
  try {
    return canonicalize(v) !== undefined;
  } catch {
    return false;
  }
}));
/** Metadata as the application gives it, now and then with a member of an odd shape. */
const metadataExtra = fc.option(fc.record({ note: fc.oneof(fc.string(), fc.constant({ nested: true }), fc.constant([1, 2])) }), { nil: undefined });

describe('sealing', () => {
  it('hashes exactly as the chain was first specified, and writes the canonical texts it hashed', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(data, metadataExtra), { minLength: 1, maxLength: 4 }), fc.nat(5), (items, first) => {
        const events = items.map(([d, extra]) => {
          const e = newEvent('AssertionRecorded', d);
          return extra ? { ...e, metadata: { ...e.metadata, ...extra } } : e;
        });
        const prevHash = first === 0 ? ZERO_HASH : 'ab'.repeat(32);
        const sealed = sealEventsJson('incident-x', first, prevHash, events);
        expect(sealed.map(({ dataJson: _d, metadataJson: _m, ...e }) => e)).toEqual(sealEvents('incident-x', first, prevHash, events));
        let prev = prevHash;
        for (const e of sealed) {
          expect(e.metadata.prevHash).toBe(prev);
          expect(e.metadata.hash).toBe(specifiedHash(e.stream, e.revision, e.type, e.data, e.metadata));
          expect(e.dataJson).toBe(canonicalize(e.data));
          expect(e.metadataJson).toBe(canonicalize(e.metadata));
          prev = e.metadata.hash;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses data that has no JSON text', () => {
    expect(() => sealEventsJson('incident-x', 0, ZERO_HASH, [newEvent('AssertionRecorded', undefined)])).toThrow(TypeError);
  });
});

describe('recomputing a stored event’s hash from its JSON text', () => {
  it('gives what its values give, however the text was written', () => {
    fc.assert(
      fc.property(data, fc.integer(), fc.constantFrom(0, 0.05, 0.3), fc.boolean(), (value, seed, liberty, tampered) => {
        const [sealed] = sealEventsJson('incident-x', 3, 'cd'.repeat(32), [newEvent('AssertionRecorded', value)]);
        // Read back from the canonical texts, so that without liberties they are written canonically again.
        const stored = JSON.parse(sealed!.metadataJson) as EventMetadata;
        const metadata: EventMetadata = tampered ? { ...stored, actor: 'someone-else' } : stored;
        const dataJson = writeLoosely(JSON.parse(sealed!.dataJson), seed, liberty);
        const metadataJson = writeLoosely(metadata, seed + 1, liberty);
        const fromText = rehash({ stream: 'incident-x', revision: 3, position: 9, type: 'AssertionRecorded', dataJson, metadataJson });
        const fromValues = storedEventHash({ stream: 'incident-x', revision: 3, position: 9, type: 'AssertionRecorded', data: JSON.parse(dataJson), metadata: JSON.parse(metadataJson) as EventMetadata });
        expect(fromText.actual).toBe(fromValues);
        expect(fromText.actual === metadata.hash).toBe(!tampered);
      }),
      { numRuns: 1_000 },
    );
  });

  it('checks a stream given as text just as one given as values', () => {
    const sealed = sealEventsJson('incident-x', 0, ZERO_HASH, [newEvent('A', { n: 1 }), newEvent('B', { n: 2 }), newEvent('C', { n: 3 })]);
    const asText = sealed.map((e, position) => ({ stream: e.stream, revision: e.revision, position, type: e.type, dataJson: e.dataJson, metadataJson: e.metadataJson }));
    expect(verifyStreamChain(asText)).toEqual([]);
    const edited = asText.map((e) => (e.revision === 1 ? { ...e, dataJson: '{"n":5}' } : e));
    const asValues = edited.map((e) => ({ ...e, data: JSON.parse(e.dataJson) as unknown, metadata: JSON.parse(e.metadataJson) as EventMetadata }));
    expect(verifyStreamChain(edited)).toEqual([expect.objectContaining({ revision: 1, reason: 'hash-mismatch' })]);
    expect(verifyStreamChain(edited)).toEqual(verifyStreamChain(asValues.map(({ dataJson: _d, metadataJson: _m, ...e }) => e)));
  });
});
