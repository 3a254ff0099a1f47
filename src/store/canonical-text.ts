/**
 * Whether a stored JSON text is already the canonical (RFC 8785) text of what it says, shown
 * without writing that text again: what lets verification hash stored bytes as they are.
 */
import { isWellFormed } from './canonical-json.js';

/** Set by `shortestLength` when the value holds an integer that ends in 0. */
let sawRoundInteger = false;

/**
 * The length canonicalJson(value) would have if every token of it were the shortest JSON can
 * write, or -1 when that cannot be told cheaply. See `isCanonicalText`.
 */
function shortestLength(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return isWellFormed(value) ? value.length + 2 : -1;
    case 'number':
      // Other numbers have rivals as short as their canonical form ("5e-2" and "0.05", and two
      // 16-digit forms of one double above 2^53).
      if (!Number.isSafeInteger(value)) return -1;
      if (value % 10 === 0 && value !== 0) sawRoundInteger = true;
      return String(value).length;
    case 'boolean':
      return value ? 4 : 5;
    case 'object': {
      if (value === null) return 4;
      if (Array.isArray(value)) {
        let length = value.length === 0 ? 2 : value.length + 1; // brackets and commas
        for (const item of value) {
          const n = shortestLength(item);
          if (n < 0) return -1;
          length += n;
        }
        return length;
      }
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      let length = keys.length === 0 ? 2 : keys.length + 1; // braces and commas
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        // A key starting with a digit may be integer-like, and JavaScript lists those out of text order.
        const first = key.charCodeAt(0);
        if ((first >= 0x30 && first <= 0x39) || !isWellFormed(key)) return -1;
        if (i > 0 && !(keys[i - 1]! < key)) return -1;
        const n = shortestLength(record[key]);
        if (n < 0) return -1;
        length += key.length + 3 + n; // quotes and colon
      }
      return length;
    }
    default:
      return -1;
  }
}

/**
 * A number written with a fraction or an exponent, where a number can stand (and, harmlessly,
 * inside some strings): after a colon, comma or bracket, or at the very start. Two expressions
 * rather than one with `(?:^|[:[,])`, which scans the text nearly twice as slowly.
 */
const FRACTION_OR_EXPONENT = /[:[,]\s*-?[0-9]+[.eE]/;
const LEADING_FRACTION_OR_EXPONENT = /^\s*-?[0-9]+[.eE]/;

/**
 * True only if `text` is exactly canonicalJson(value), where `value` is what JSON.parse made of
 * `text`; false means "not shown", not "not canonical". Proved by length, without writing the
 * canonical text (which would cost as much as the parse):
 *
 * Take the canonical text of the value with every token counted at the shortest length any JSON
 * form of it could have: a string, its characters plus two quotes; a safe integer, its digits.
 * Any JSON text of the value is at least that long, and exactly that long only if it is made of
 * those very tokens and nothing else: whitespace, an escape (needed or not), a duplicated member
 * (JSON.parse keeps one, the text both), all add characters. So when the text has that length,
 * its strings are written raw (as canonical text writes any string that JSON allows raw), it has
 * no duplicate or extra member, and its keys come in the order JavaScript lists them, which the
 * walk checked to be canonical (with no integer-like key, which JavaScript would list out of text
 * order). Numbers need care: a safe integer has one plain-digit form, its canonical one, but an
 * integer ending in 0 has shorter rivals ("1e2" for 100), so where the value holds one the text
 * must show no number with a fraction or an exponent. Other numbers are not vouched for: they
 * have rivals as short as their canonical form.
 */
export function isCanonicalText(text: string, value: unknown): boolean {
  sawRoundInteger = false;
  if (shortestLength(value) !== text.length) return false;
  return !sawRoundInteger || !(FRACTION_OR_EXPONENT.test(text) || LEADING_FRACTION_OR_EXPONENT.test(text));
}
