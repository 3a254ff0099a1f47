import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/store/canonical-json.js';
import { chainBody, hashChainBody } from '../../src/store/chain-hash.js';
import { sealEventsJson } from '../../src/store/seal-events.js';
import { isCanonicalText } from '../../src/store/canonical-text.js';
import { anyJson, flatRecord, ledgerLikeJson, looseJson, loneSurrogate, text } from './json-arbitraries.js';

/** What canonicalize gives, or the fact that it throws. */
const oracle = (value: unknown): string | 'throws' => {
  try {
    return canonicalize(value) ?? 'throws';
  } catch {
    return 'throws';
  }
};
const ours = (value: unknown): string | 'throws' => {
  try {
    return canonicalJson(value);
  } catch {
    return 'throws';
  }
};

describe('canonicalJson', () => {
  it('writes every JSON value byte for byte as canonicalize 4.x does, or throws where it throws', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        expect(ours(value)).toBe(oracle(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses a lone surrogate wherever it stands, as canonicalize does', () => {
    const placed = fc.tuple(loneSurrogate, anyJson).chain(([lone, value]) =>
      fc.constantFrom(lone, [value, lone], { a: value, z: lone }, { [lone]: value }, { b: { c: [lone] } }, { 10: 1, 9: lone }),
    );
    fc.assert(
      fc.property(placed, (value) => {
        expect(() => canonicalize(value)).toThrow(/surrogate/i);
        expect(() => canonicalJson(value)).toThrow(/surrogate/i);
      }),
    );
  });

  it.each([
    ['integer-like keys, which JavaScript orders numerically', { 10: 'a', 9: 'b', 1: 'c', b: 1, a: 2, '01': 3 }],
    ['integer-like keys already in text order', { 1: 'a', 2: 'b', a: 'c' }],
    ['a "__proto__" key in a copy', JSON.parse('{"z":1,"__proto__":{"b":1,"a":2}}') as unknown],
    ['a "__proto__" key in order, beside a member that needs a copy', JSON.parse('{"__proto__":{"b":1,"a":2},"z":1}') as unknown],
    ['numbers at the edges of their forms', [1e21, 1e-7, 1e-6, -0, 5e-324, Number.MAX_VALUE, 2 ** 53 + 2, 0.1 + 0.2, 123456789012345680000]],
    ['unicode keys sorted by UTF-16 code units', { '€': 1, '𝄞': 2, '\uffff': 3, é: 4, e: 5, '': 6 }],
    ['escapes', { quote: '"\\\n\u0000\u001f\u007f\u2028/' }],
    ['toJSON, as in a Date', { at: new Date(0), nested: [{ toJSON: () => ({ b: 1, a: 2 }) }] }],
    ['undefined members and array items', { a: undefined, b: [undefined, 1] }],
    ['deep nesting', [[[[{ b: [[{ d: 1, c: 2 }]], a: {} }]]]]],
  ])('matches canonicalize on %s', (_, value) => {
    expect(canonicalJson(value)).toBe(canonicalize(value));
  });

  it('remembers the order of recent key lists without mixing one up with another', () => {
    // A few dozen key lists, more than it remembers, each met many times in random order.
    const lists = fc.array(fc.uniqueArray(fc.oneof(fc.constantFrom('a', 'b', 'z', '10', '9', '__proto__', 'é'), fc.string({ maxLength: 3 })), { maxLength: 5 }), { minLength: 1, maxLength: 40 });
    const objects = lists.chain((keyLists) =>
      fc.array(fc.tuple(fc.nat(keyLists.length - 1), fc.array(fc.oneof(fc.integer(), fc.string(), fc.constant({ y: 1, x: 2 })), { minLength: 5, maxLength: 5 })), { minLength: 1, maxLength: 200 }).map((picks) =>
        picks.map(([i, values]) => {
          const out: Record<string, unknown> = {};
          keyLists[i]!.forEach((k, j) => Object.defineProperty(out, k, { value: values[j], enumerable: true, configurable: true, writable: true }));
          return out;
        }),
      ),
    );
    fc.assert(
      fc.property(objects, (values) => {
        for (const value of values) expect(ours(value)).toBe(oracle(value));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalJson({ a: 1n })).toThrow();
  });
});

/** Whether some object in `value` has a name JSON writes with an escape. */
const hasEscapedName = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (Array.isArray(value) ? value : Object.entries(value).flat()).some((v, i) => (!Array.isArray(value) && i % 2 === 0 ? JSON.stringify(v) !== `"${String(v)}"` : hasEscapedName(v)));

describe('isCanonicalText', () => {
  it('never vouches for a text that is not exactly the canonical form of what it parses to', () => {
    fc.assert(
      fc.property(fc.oneof(looseJson(anyJson), looseJson(ledgerLikeJson)), (text) => {
        if (isCanonicalText(text)) expect(text).toBe(canonicalize(JSON.parse(text)));
      }),
      { numRuns: Number(process.env.CANONICAL_RUNS ?? 5_000) },
    );
  });

  it('never vouches for a text that is not JSON: any cut or changed character of a canonical text', () => {
    fc.assert(
      fc.property(anyJson, fc.nat(), fc.constantFrom('cut', 'drop', 'insert'), fc.constantFrom(' ', '"', '\\', ',', ':', '}', ']', '0', 'e', '-', '\u0000', '\ud800'), (value, n, how, char) => {
        const canonical = oracle(value);
        if (canonical === 'throws') return;
        const i = n % (canonical.length + 1);
        const text = how === 'cut' ? canonical.slice(0, i) : how === 'drop' ? canonical.slice(0, i) + canonical.slice(i + 1) : canonical.slice(0, i) + char + canonical.slice(i);
        if (text === canonical) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          expect(isCanonicalText(text)).toBe(false);
          return;
        }
        if (isCanonicalText(text)) expect(text).toBe(canonicalize(parsed));
      }),
      { numRuns: Number(process.env.CANONICAL_RUNS ?? 5_000) },
    );
  });

  it('vouches for the canonical text of any JSON value with no escape in a name', () => {
    fc.assert(
      fc.property(anyJson, (value) => {
        const text = oracle(value);
        if (text === 'throws') return;
        if (!hasEscapedName(value)) expect(isCanonicalText(text)).toBe(true);
      }),
      { numRuns: Number(process.env.CANONICAL_RUNS ?? 5_000) },
    );
  });

  it.each([
    '{"a":100,"b":[170000,"1.5e3 in a string"]}',
    '{"quote":"rund 70.000 Nutzer","value":70000}',
    '[]',
    '{}',
    '"é€𝄞"',
    '-12',
    '{"a":0.05}',
    '[1e+21,1.5e-7,-0.1,123456789012345680000]',
    '"tab\\t quote\\" nul\\u0000 del\u007f sep\u2028"',
    '{"":1,"a":2,"ab":3,"b":4,"é":5,"𝄞":6,"\uffff":7}',
    '{"10":1,"9":2,"b":3}',
  ])('vouches for %s', (text) => {
    expect(text).toBe(canonicalize(JSON.parse(text)));
    expect(isCanonicalText(text)).toBe(true);
  });

  it('vouches for the canonical text of ledger-like data: raw strings, integers, nesting', () => {
    fc.assert(
      fc.property(ledgerLikeJson, (value) => {
        expect(isCanonicalText(canonicalJson(value))).toBe(true);
      }),
    );
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['a trailing space', '{"a":1} '],
    ['two values', '{"a":1}{"b":2}'],
    ['an unneeded escape', '{"a":"\\u0041"}'],
    ['an escaped slash', '{"a":"\\/"}'],
    ['an upper-case escape', '{"a":"\\u001F"}'],
    ['a long escape for a short one', '{"a":"\\u000a"}'],
    ['a raw control character', '{"a":"\u0001"}'],
    ['keys out of order', '{"b":1,"a":2}'],
    ['a duplicate member', '{"a":1,"a":2}'],
    ['a fraction written long', '{"a":0.50}'],
    ['a number in exponent form', '{"a":1e2}'],
    ['an exponent written with a capital', '[1E+21]'],
    ['a round number beside one in exponent form', '[100,1E2]'],
    ['a leading zero', '[01]'],
    ['negative zero', '-0'],
    ['a long integer JavaScript writes otherwise', '9007199254740993'],
    ['an integer-like key out of text order', '{"b":1,"1":2}'],
    ['a name with an escape, which is not ordered', '{"\\n":1}'],
    ['an escaped lone surrogate', '"\\ud800"'],
    ['a raw lone surrogate', '"a\udc00"'],
    ['an unterminated string', '"abc'],
    ['a bare word', 'nul'],
    ['nesting deeper than the scan goes', `${'['.repeat(300)}${']'.repeat(300)}`],
  ])('does not vouch for %s', (_, text) => {
    expect(isCanonicalText(text)).toBe(false);
  });

  it('shows where each member of the top-level object is, and only of that object', () => {
    const text = '{"a":{"hash":"x"},"hash":"abc","prevHash":"def","z":[1,{"y":2}]}';
    const members: string[] = [];
    expect(isCanonicalText(text, (n0, n1, v0, v1) => members.push(`${text.slice(n0, n1)}=${text.slice(v0, v1)}`))).toBe(true);
    expect(members).toEqual(['"a"={"hash":"x"}', '"hash"="abc"', '"prevHash"="def"', '"z"=[1,{"y":2}]']);
  });
});

describe('sealed metadata', () => {
  it('is written as canonicalize writes it, with prevHash and the hash that covers the rest, whatever its members are named', () => {
    fc.assert(
      fc.property(flatRecord, (record) => {
        const prevHash = 'ab'.repeat(32);
        const [sealed] = sealEventsJson('incident-x', 0, prevHash, [{ type: 'AssertionRecorded', data: { a: 1 }, metadata: record as never }]);
        const expected = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
        for (const [name, value] of [['prevHash', prevHash], ['hash', sealed!.metadata.hash]] as const) {
          Object.defineProperty(expected, name, { value, enumerable: true, configurable: true, writable: true });
        }
        expect(sealed!.metadataJson).toBe(canonicalize(expected));
        const { hash: _, ...unsealed } = expected;
        expect(sealed!.metadata.hash).toBe(hashChainBody(prevHash, chainBody('{"a":1}', canonicalize(unsealed)!, '0', '"incident-x"', '"AssertionRecorded"')));
      }),
      { numRuns: 1_000 },
    );
  });

  it('is written as canonicalize writes it event after event, when records share their names or not', () => {
    const names = fc.uniqueArray(fc.constantFrom('eventId', 'actor', 'recordedAt', 'hash', 'prevHash', '10', 'z'), { maxLength: 5 });
    const records = fc.array(fc.tuple(names, fc.array(fc.oneof(text, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean()), { minLength: 5, maxLength: 5 })), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(records, (pairs) => {
        const prevHash = 'cd'.repeat(32);
        // Each record's names come three times in a row: the second and third meet the remembered order.
        const metadata = pairs.flatMap(([keys, values]) => {
          const record = Object.fromEntries(keys.map((k, i) => [k, values[i]]));
          return [record, { ...record }, { ...record }];
        });
        const sealed = sealEventsJson('incident-x', 0, prevHash, metadata.map((m) => ({ type: 'AssertionRecorded', data: { a: 1 }, metadata: m as never })));
        sealed.forEach((event, i) => {
          const expected: Record<string, unknown> = { ...metadata[i], prevHash: i === 0 ? prevHash : sealed[i - 1]!.metadata.hash };
          delete expected.hash;
          const unsealed = canonicalize(expected)!;
          expect(event.metadata.hash).toBe(hashChainBody(expected.prevHash as string, chainBody('{"a":1}', unsealed, String(i), '"incident-x"', '"AssertionRecorded"')));
          expect(event.metadataJson).toBe(canonicalize({ ...expected, hash: event.metadata.hash }));
        });
      }),
      { numRuns: 300 },
    );
  });
});
