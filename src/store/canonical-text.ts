/**
 * Whether a stored JSON text is already the canonical (RFC 8785) text of what it says, decided in
 * one pass over its characters, without parsing it or writing the canonical text again: what lets
 * verification hash stored bytes as they are, at about the cost of reading them.
 *
 * A text passes only if it is one JSON value written exactly as canonicalJson writes it: no
 * whitespace; members in strictly rising UTF-16 order of their names (so none twice); strings with
 * only the escapes canonical text uses (\" \\ \b \f \n \r \t, and \u00xx in lower case for the other
 * control characters) and no lone surrogate; numbers as JavaScript writes them ("-0", "1E2",
 * "0.50" fail). Where that is costly to tell (a name with an escape, nesting deeper than
 * MAX_DEPTH) it fails too: false means "not shown", and the caller then works from the values.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const MAX_DEPTH = 256;
/** Up to this many digits an integer is exactly a double, and JavaScript writes it digit for digit. */
const EXACT_DIGITS = 15;

/** Called for each member of the top-level object: where its quoted name and its value start and end. */
export type MemberVisitor = (nameStart: number, nameEnd: number, valueStart: number, valueEnd: number) => void;

// Each step takes the text and where it starts, and returns where it ended, or -1: not shown.
// (Positions passed around rather than kept in module state: state read and written in the
// innermost loops made the scan several times slower.)
let visitor: MemberVisitor | undefined;
/** Set by `string` when the string it scanned holds an escape. */
let escaped = false;

export function isCanonicalText(json: string, visit?: MemberVisitor): boolean {
  visitor = visit;
  try {
    return value(json, 0, 0) === json.length;
  } finally {
    visitor = undefined;
  }
}

function value(s: string, i: number, depth: number): number {
  switch (s.charCodeAt(i)) {
    case QUOTE:
      return string(s, i);
    case 0x7b: // {
      return object(s, i, depth + 1);
    case 0x5b: // [
      return array(s, i, depth + 1);
    case 0x74: // t
      return s.startsWith('true', i) ? i + 4 : -1;
    case 0x66: // f
      return s.startsWith('false', i) ? i + 5 : -1;
    case 0x6e: // n
      return s.startsWith('null', i) ? i + 4 : -1;
    default:
      return number(s, i);
  }
}

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isNumberChar = (c: number): boolean => isDigit(c) || c === 0x2e || c === 0x65 || c === 0x45 || c === 0x2b || c === MINUS;

function number(s: string, start: number): number {
  let i = start;
  const negative = s.charCodeAt(i) === MINUS;
  if (negative) i++;
  const first = s.charCodeAt(i);
  if (!isDigit(first)) return -1;
  i++;
  if (first !== ZERO) while (isDigit(s.charCodeAt(i))) i++;
  if (!isNumberChar(s.charCodeAt(i))) {
    const digits = i - start - (negative ? 1 : 0);
    // "-0" is the one short integer JavaScript writes otherwise ("0").
    if (digits <= EXACT_DIGITS) return negative && first === ZERO ? -1 : i;
  } else {
    while (isNumberChar(s.charCodeAt(i))) i++;
  }
  // A fraction, an exponent or a long integer: canonical only if it is how JavaScript writes the
  // number it denotes (which is always valid JSON, and never "NaN" or "Infinity" for a digit start).
  const token = s.slice(start, i);
  return String(Number(token)) === token ? i : -1;
}

/** A string from its opening quote; `escaped` tells whether it held an escape. */
/** A string with nothing to look at: no escape, control character or surrogate, up to its closing quote. */
const PLAIN_STRING = /[^"\\\u0000-\u001f\ud800-\udfff]*"/y;

function string(s: string, start: number): number {
  PLAIN_STRING.lastIndex = start + 1;
  if (PLAIN_STRING.test(s)) {
    escaped = false;
    return PLAIN_STRING.lastIndex;
  }
  const end = s.length;
  let i = start + 1;
  let sawEscape = false;
  while (i < end) {
    const c = s.charCodeAt(i++);
    if (c === QUOTE) {
      escaped = sawEscape;
      return i;
    }
    if (c === BACKSLASH) {
      sawEscape = true;
      i = escape(s, i);
      if (i < 0) return -1;
    } else if (c < 0x20) {
      return -1;
    } else if (c >= 0xd800 && c <= 0xdfff) {
      // A surrogate only as the first half of a pair, followed by the second.
      if (c > 0xdbff) return -1;
      const next = s.charCodeAt(i);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return -1;
      i++;
    }
  }
  return -1;
}

/** The escapes canonical text writes, and only those: from just after the backslash. */
function escape(s: string, i: number): number {
  switch (s.charCodeAt(i)) {
    case QUOTE:
    case BACKSLASH:
    case 0x62: // b
    case 0x66: // f
    case 0x6e: // n
    case 0x72: // r
    case 0x74: // t
      return i + 1;
    case 0x75: {
      // u: only 00xx in lower-case hex, for a control character with no short escape.
      if (s.charCodeAt(i + 1) !== ZERO || s.charCodeAt(i + 2) !== ZERO) return -1;
      const high = hexDigit(s.charCodeAt(i + 3));
      const low = hexDigit(s.charCodeAt(i + 4));
      if (high < 0 || low < 0) return -1;
      const unit = high * 16 + low;
      return unit < 0x20 && unit !== 0x08 && unit !== 0x09 && unit !== 0x0a && unit !== 0x0c && unit !== 0x0d ? i + 5 : -1;
    }
    default:
      return -1;
  }
}

const hexDigit = (c: number): number => (isDigit(c) ? c - ZERO : c >= 0x61 && c <= 0x66 ? c - 0x61 + 10 : -1);

function object(s: string, start: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  let i = start + 1;
  if (s.charCodeAt(i) === 0x7d) return i + 1;
  let previousStart = -1;
  let previousEnd = -1;
  for (;;) {
    if (s.charCodeAt(i) !== QUOTE) return -1;
    const nameStart = i;
    i = string(s, i);
    // A name with an escape would have to be unescaped to be ordered: not worth it, not shown.
    if (i < 0 || escaped) return -1;
    const nameEnd = i;
    if (previousStart >= 0 && compareNames(s, previousStart, previousEnd, nameStart, nameEnd) >= 0) return -1;
    previousStart = nameStart;
    previousEnd = nameEnd;
    if (s.charCodeAt(i) !== COLON) return -1;
    const valueStart = i + 1;
    i = value(s, valueStart, depth);
    if (i < 0) return -1;
    if (depth === 1 && visitor) visitor(nameStart, nameEnd, valueStart, i);
    const c = s.charCodeAt(i++);
    if (c === 0x7d) return i;
    if (c !== COMMA) return -1;
  }
}

/** Two quoted names with no escapes, compared by UTF-16 code units as RFC 8785 orders members. */
function compareNames(s: string, aStart: number, aEnd: number, bStart: number, bEnd: number): number {
  const aLength = aEnd - aStart;
  const bLength = bEnd - bStart;
  const n = Math.min(aLength, bLength);
  // The closing quotes are excluded: one of two names may be a prefix of the other.
  for (let i = 1; i < n - 1; i++) {
    const d = s.charCodeAt(aStart + i) - s.charCodeAt(bStart + i);
    if (d !== 0) return d;
  }
  return aLength - bLength;
}

function array(s: string, start: number, depth: number): number {
  if (depth > MAX_DEPTH) return -1;
  let i = start + 1;
  if (s.charCodeAt(i) === 0x5d) return i + 1;
  for (;;) {
    i = value(s, i, depth);
    if (i < 0) return -1;
    const c = s.charCodeAt(i++);
    if (c === 0x5d) return i;
    if (c !== COMMA) return -1;
  }
}
