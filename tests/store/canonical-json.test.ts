import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/store/canonical-json.js';
import { flatMembers, joinMembers, withMember, withoutMember } from '../../src/store/canonical-members.js';
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

  it('refuses what has no JSON form', () => {
    expect(() => canonicalJson(undefined)).toThrow(TypeError);
    expect(() => canonicalJson(Number.NaN)).toThrow();
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow();
    expect(() => canonicalJson({ a: 1n })).toThrow();
  });
});

describe('isCanonicalText', () => {
  it('never vouches for a text that is not exactly the canonical form of what it parses to', () => {
    fc.assert(
      fc.property(fc.oneof(looseJson(anyJson), looseJson(ledgerLikeJson)), (text) => {
        const value = JSON.parse(text) as unknown;
        if (isCanonicalText(text, value)) expect(text).toBe(canonicalize(value));
      }),
      { numRuns: 5_000 },
    );
  });

  it.each(['{"a":100,"b":[170000,"1.5e3 in a string"]}', '{"quote":"rund 70.000 Nutzer","value":70000}', '[]', '{}', '"é€𝄞"', '-12'])(
    'vouches for %s',
    (text) => expect(isCanonicalText(text, JSON.parse(text))).toBe(true),
  );

  it('vouches for the canonical text of ledger-like data: raw strings, integers, nesting', () => {
    fc.assert(
      fc.property(ledgerLikeJson, (value) => {
        const text = canonicalJson(value);
        expect(isCanonicalText(text, JSON.parse(text))).toBe(true);
      }),
    );
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['an unneeded escape', '{"a":"\\u0041"}'],
    ['an escaped slash', '{"a":"\\/"}'],
    ['keys out of order', '{"b":1,"a":2}'],
    ['a duplicate member', '{"a":1,"a":2}'],
    ['a fraction, which has rivals as short', '{"a":0.05}'],
    ['a number in exponent form', '{"a":1e2}'],
    ['a round number beside one in exponent form', '[100,1E2]'],
    ['a whole text that is a round number in exponent form, padded to length', '1e3 '],
    ['the same with the padding first', ' 1e3'],
    ['negative zero', '-0'],
    ['an integer-like key, which JavaScript lists first', '{"b":1,"1":2}'],
    ['an escaped lone surrogate', '"\\ud800"'],
    ['a raw lone surrogate', '"a\udc00"'],
  ])('does not vouch for %s', (_, text) => {
    expect(isCanonicalText(text, JSON.parse(text))).toBe(false);
  });
});

describe('the members of a flat object', () => {
  it('join into canonicalJson of the object', () => {
    fc.assert(
      fc.property(flatRecord, (record) => {
        expect(joinMembers(flatMembers(record)!)).toBe(canonicalize(record));
      }),
      { numRuns: 1_000 },
    );
  });

  it('take a string member where canonicalJson would write it, replacing one of that name', () => {
    fc.assert(
      fc.property(flatRecord, fc.constantFrom('hash', 'prevHash', '', 'a', '__proto__', '10', 'zz'), text, (record, name, value) => {
        const expected = JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
        Object.defineProperty(expected, name, { value, enumerable: true, configurable: true, writable: true });
        expect(joinMembers(withMember(flatMembers(record)!, name, value))).toBe(canonicalize(expected));
      }),
      { numRuns: 1_000 },
    );
  });

  it('can be cut from the canonical text, giving canonicalJson of the object without it', () => {
    fc.assert(
      fc.property(flatRecord, text, (record, value) => {
        const withHash = { ...record, hash: value };
        const { hash: _, ...without } = withHash;
        expect(withoutMember(canonicalJson(withHash), withHash, 'hash')).toBe(canonicalJson(without));
      }),
      { numRuns: 1_000 },
    );
  });

  it('are not offered for an object that is not flat, rather than guessed', () => {
    const record = { a: { hash: 'x' }, hash: 'x' };
    expect(withoutMember(canonicalJson(record), record, 'hash')).toBeUndefined();
    expect(flatMembers({ a: [1] })).toBeUndefined();
    expect(flatMembers({ at: new Date(0) })).toBeUndefined();
  });
});
