import fc from 'fast-check';

/** Characters that stress JSON: escapes, controls, non-BMP, the line separators, the BOM. */
const awkwardChar = fc.constantFrom('"', '\\', '/', '\n', '\t', '\b', '\u0000', '\u001f', '\u007f', '\u2028', '\u2029', '€', 'é', '𝄞', '😀', '\ufeff', '\uffff');

/** A lone half of a surrogate pair, alone or inside other text. */
export const loneSurrogate = fc
  .tuple(fc.integer({ min: 0xd800, max: 0xdfff }), fc.constantFrom('', 'a', '😀'))
  .map(([unit, around]) => `${around}${String.fromCharCode(unit)}${around === '😀' ? '' : around}`);

const char = fc.oneof(
  { weight: 8, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 2, arbitrary: awkwardChar },
);
/** Any well-formed string. */
export const text = fc.string({ unit: char, maxLength: 10 });

/** Any string, lone surrogates now and then. */
export const stringAmong = fc.oneof({ weight: 20, arbitrary: text }, { weight: 1, arbitrary: loneSurrogate });

/** Keys JavaScript orders by itself (integer-like), and other names with a history. */
const key = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 2, arbitrary: fc.constantFrom('0', '1', '2', '9', '10', '01', '-1', '1.5', '4294967294', '4294967295', '9007199254740993') },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'toJSON', '', 'hash', 'prevHash', 'a', 'b', 'B', 'é', '𝄞', '\uffff') },
);

const edgeNumber = fc.constantFrom(0, -0, 1, -1, 100, 170000, 1e21, 1e-7, 1e-6, 5e-324, -5e-324, Number.MAX_VALUE, Number.MIN_VALUE, 2 ** 53, 2 ** 53 + 2, 0.1, 0.5, 1e20, -1e21, 123456789012345680000);
const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.maxSafeInteger(), edgeNumber);

/** Plain JSON data (what JSON.parse returns), deep and wide enough to matter. */
const jsonOf = (leafString: fc.Arbitrary<string>, leafNumber: fc.Arbitrary<number>, objectKey: fc.Arbitrary<string>) =>
  fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leafString, leafNumber, fc.boolean(), fc.constant(null), tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 5 }),
    object: fc.dictionary(objectKey, tie('value'), { maxKeys: 6 }),
  })).value;

/** Any JSON value, with the occasional lone surrogate (which both serialisers must refuse). */
export const anyJson = jsonOf(stringAmong, number, fc.oneof({ weight: 30, arbitrary: key }, { weight: 1, arbitrary: loneSurrogate }));

/** Data shaped like ledger events: strings JSON writes raw, integers, keys that are names. */
const rawChar = fc.oneof(fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }), fc.constantFrom('é', '’', '€', '𝄞', ' ')).filter((c) => c !== '"' && c !== '\\');
const rawText = fc.string({ unit: rawChar, maxLength: 12 });
export const ledgerLikeJson = jsonOf(rawText, fc.oneof(fc.integer(), fc.constantFrom(0, 100, 170000, -2500)), rawText.filter((k) => !/^[0-9]/.test(k)));

/** An object whose members are all strings, numbers, booleans or null (as event metadata is). */
export const flatRecord = fc.dictionary(key, fc.oneof(text, number, fc.boolean(), fc.constant(null)), { maxKeys: 8 });

/** A tiny seeded generator (mulberry32), so a JSON text's liberties replay from its seed. */
function randomFrom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex4 = (unit: number): string => unit.toString(16).padStart(4, '0');

/**
 * A JSON text of `value` that JSON.parse reads back as the same data, written with the liberties
 * JSON allows: whitespace, escapes (needed or not, either case of hex), other number forms, keys in
 * any order, and members given twice (the last one wins, as in JSON.parse).
 */
export function writeLoosely(value: unknown, seed: number, liberty = 0.15): string {
  const random = randomFrom(seed);
  const maybe = (): boolean => random() < liberty;
  const space = (): string => (maybe() ? [' ', '\n', '\t', '\r\n  '][Math.floor(random() * 4)]! : '');
  const str = (s: string): string => {
    let out = '"';
    // By code point, so a pair stays raw unless escaped on purpose (a lone half is escaped anyway).
    for (const ch of s) {
      if (maybe()) {
        const upper = random() < 0.5;
        for (let i = 0; i < ch.length; i++) out += `\\u${upper ? hex4(ch.charCodeAt(i)).toUpperCase() : hex4(ch.charCodeAt(i))}`;
      } else if (ch === '/' && maybe()) out += '\\/';
      else if (ch.length === 1 && ch >= '\ud800' && ch <= '\udfff' && maybe()) out += ch; // JSON.parse takes a lone half raw too
      else out += JSON.stringify(ch).slice(1, -1);
    }
    return `${out}"`;
  };
  const num = (n: number): string => {
    if (!maybe()) return JSON.stringify(n);
    const forms = [n.toExponential(), n.toExponential().replace('e+', 'E'), n.toPrecision(17), Number.isInteger(n) && Math.abs(n) < 1e21 ? `${n}.0` : JSON.stringify(n), Object.is(n, 0) ? '-0' : JSON.stringify(n)];
    const form = forms[Math.floor(random() * forms.length)]!;
    return Number(form) === n ? form : JSON.stringify(n);
  };
  const write = (v: unknown): string => {
    if (typeof v === 'string') return str(v);
    if (typeof v === 'number') return num(v);
    if (v === null || typeof v !== 'object') return JSON.stringify(v);
    if (Array.isArray(v)) return `[${space()}${v.map((item) => `${write(item)}${space()}`).join(`,${space()}`)}]`;
    const keys = Object.keys(v);
    if (maybe()) keys.reverse();
    const members = keys.map((k) => {
      const own = `${str(k)}${space()}:${space()}${write((v as Record<string, unknown>)[k])}`;
      return maybe() ? `${str(k)}:${write('overridden')},${space()}${own}` : own;
    });
    return `{${space()}${members.join(`,${space()}`)}${space()}}`;
  };
  return `${space()}${write(value)}${space()}`;
}

/** JSON texts of values from `values`, canonical or written loosely. */
export const looseJson = (values: fc.Arbitrary<unknown>): fc.Arbitrary<string> =>
  fc.tuple(values, fc.integer(), fc.constantFrom(0, 0.02, 0.15, 0.5)).map(([value, seed, liberty]) => writeLoosely(value, seed, liberty));
