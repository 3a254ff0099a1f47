import edtf, { parse as parseEdtfTree } from 'edtf';
import { z } from 'zod';

/** Fact keys are stable, URL-safe names unique within an incident. */
export const FactKey = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'a fact key is lowercase letters, digits, ".", "_" or "-", at most 128 characters');
export type FactKey = z.infer<typeof FactKey>;

const EDTF_MAX_LENGTH = 100;

/** An EDTF (ISO 8601-2) string; parsed with the `edtf` package, never by hand. */
export const EdtfString = z
  .string()
  .min(1)
  .max(EDTF_MAX_LENGTH)
  // zod runs a refinement even when .max has failed: a string too long is not parsed at all
  // (the parser takes about a second on a 20 KB set of dates).
  .refine((s) => s.length > EDTF_MAX_LENGTH || parseEdtfInterval(s) !== undefined, { message: 'not a valid EDTF date or interval' });
export type EdtfString = z.infer<typeof EdtfString>;

/** The interval an EDTF string covers, in epoch milliseconds; open ends are ±Infinity. */
export interface EdtfInterval {
  readonly min: number;
  readonly max: number;
}

// Parsing EDTF costs 80–280 µs a string, and the same few hundred strings recur: in every
// timeline and dispute view, and in a write (validated by its schema, then checked by the
// decider). So parses are remembered; bounded, a flood of distinct strings only costs re-parsing.
// Only strings as long as EdtfString allows: zod runs the refinement on longer ones too.
const MAX_REMEMBERED = 20_000;
const remembered = new Map<string, EdtfInterval | null>();

/** The interval an EDTF string covers, memoised; undefined for a string that is not EDTF. */
export function parseEdtfInterval(value: string): EdtfInterval | undefined {
  if (value.length > EDTF_MAX_LENGTH) return parseEdtf(value);
  let hit = remembered.get(value);
  if (hit === undefined) {
    if (remembered.size >= MAX_REMEMBERED) remembered.clear();
    hit = parseEdtf(value) ?? null;
    remembered.set(value, hit);
  }
  return hit ?? undefined;
}

function parseEdtf(value: string): EdtfInterval | undefined {
  try {
    const parsed = edtf(value);
    // NaN: a year beyond what a JavaScript date holds (±275,760), not an open end (null or ±Infinity).
    if (Number.isNaN(parsed.min) || Number.isNaN(parsed.max)) return undefined;
    // The grammar knows each month's length but not leap years: "2021-02-29" parses.
    if (value.includes('02-29') && namesMissingLeapDay(parseEdtfTree(value))) return undefined;
    const min = typeof parsed.min === 'number' && Number.isFinite(parsed.min) ? parsed.min : -Infinity;
    const max = typeof parsed.max === 'number' && Number.isFinite(parsed.max) ? parsed.max : Infinity;
    if (min > max) return undefined;
    return { min, max };
  } catch {
    return undefined;
  }
}

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Whether a parse tree holds 29 February of a known year that has none (intervals and sets nest dates in `values`). */
function namesMissingLeapDay(node: unknown): boolean {
  if (typeof node !== 'object' || node === null) return false;
  const { type, values, unspecified } = node as { type?: unknown; values?: unknown; unspecified?: unknown };
  if (!Array.isArray(values)) return false;
  if (type === 'Date' && values.length === 3 && values[1] === 1 && values[2] === 29) {
    // The year's four digits are the low bits of `unspecified`: "20XX-02-29" may be a leap year.
    const yearKnown = typeof unspecified !== 'number' || (unspecified & 0b1111) === 0;
    if (yearKnown && typeof values[0] === 'number' && !isLeapYear(values[0])) return true;
  }
  return values.some(namesMissingLeapDay);
}

const finite = z.number().refine(Number.isFinite, { message: 'must be a finite number' });

export const QuantityValue = z
  .strictObject({
    type: z.literal('quantity'),
    value: finite.optional(),
    min: finite.optional(),
    max: finite.optional(),
    approximate: z.boolean().optional(),
    unit: z.string().min(1).max(64).optional(),
    text: z.string().min(1).max(500).optional(),
  })
  .refine((q) => q.value !== undefined || q.min !== undefined || q.max !== undefined, {
    message: 'a quantity needs value, min or max',
  })
  .refine((q) => q.min === undefined || q.max === undefined || q.min <= q.max, {
    message: 'min must not exceed max',
    path: ['min'],
  });

export const BooleanValue = z.strictObject({ type: z.literal('boolean'), value: z.boolean() });
export const TextValue = z.strictObject({ type: z.literal('text'), value: z.string().min(1).max(10_000) });
export const DateValue = z.strictObject({ type: z.literal('date'), value: EdtfString });

export const Value = z.discriminatedUnion('type', [QuantityValue, BooleanValue, TextValue, DateValue]);
export type Value = z.infer<typeof Value>;
export type QuantityValue = z.infer<typeof QuantityValue>;

/** BCP 47 language tag, loosely checked (the full grammar is not worth a dependency here). */
export const LanguageTag = z
  .string()
  .regex(/^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, 'a BCP 47 language tag such as "en" or "fr-BE"');

export const HttpUrl = z
  .string()
  .max(2048)
  .url()
  .refine((u) => /^https?:\/\//i.test(u), { message: 'must be an http(s) URL' });

export const Citation = z.strictObject({
  url: HttpUrl.optional(),
  title: z.string().min(1).max(500).optional(),
  publishedAt: EdtfString.optional(),
  language: LanguageTag.optional(),
});
export type Citation = z.infer<typeof Citation>;

/** The source's own words, verbatim, in the citation's language. */
export const Quote = z.string().min(1).max(10_000);
export type Quote = z.infer<typeof Quote>;
