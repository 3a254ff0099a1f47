import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Value } from '../../events/index.js';
import { compatible } from '../../projections/compatibility.js';

const q = (fields: Omit<Extract<Value, { type: 'quantity' }>, 'type'>): Value => ({ type: 'quantity', ...fields });
const text = (value: string): Value => ({ type: 'text', value });
const date = (value: string): Value => ({ type: 'date', value });
const bool = (value: boolean): Value => ({ type: 'boolean', value });

describe('quantities', () => {
  it('exact values agree only when equal', () => {
    expect(compatible(q({ value: 170000 }), q({ value: 170000 }))).toBe(true);
    expect(compatible(q({ value: 170000 }), q({ value: 170001 }))).toBe(false);
  });

  it('"around 170,000" covers ±10%', () => {
    const around = q({ value: 170000, approximate: true });
    expect(compatible(around, q({ value: 153000 }))).toBe(true);
    expect(compatible(around, q({ value: 187000 }))).toBe(true);
    expect(compatible(around, q({ value: 152999 }))).toBe(false);
    expect(compatible(around, q({ value: 187001 }))).toBe(false);
  });

  it('two approximate figures agree when their ranges touch', () => {
    expect(compatible(q({ value: 100, approximate: true }), q({ value: 120, approximate: true }))).toBe(true);
    expect(compatible(q({ value: 100, approximate: true }), q({ value: 130, approximate: true }))).toBe(false);
  });

  it('an approximate negative figure still spans ±10%', () => {
    const around = q({ value: -100, approximate: true });
    expect(compatible(around, q({ value: -95 }))).toBe(true);
    expect(compatible(around, q({ value: -110 }))).toBe(true);
    expect(compatible(around, q({ value: -89 }))).toBe(false);
  });

  it('"at least 70,000" is open above', () => {
    const atLeast = q({ min: 70000 });
    expect(compatible(atLeast, q({ value: 1e12 }))).toBe(true);
    expect(compatible(atLeast, q({ value: 69999 }))).toBe(false);
    expect(compatible(atLeast, q({ max: 70000 }))).toBe(true);
  });

  it('"hundreds of thousands" and "hundreds of millions" do not overlap', () => {
    const thousands = q({ min: 1e5, max: 1e6, text: 'hundreds of thousands' });
    const millions = q({ min: 1e8, max: 1e9, text: 'hundreds of millions' });
    expect(compatible(thousands, millions)).toBe(false);
    expect(compatible(millions, q({ value: 3e8, approximate: true }))).toBe(true);
  });

  it('min and max bound an approximate value', () => {
    // ~100 is [90,110]; "at most 95" cuts it to [90,95].
    const bounded = q({ value: 100, approximate: true, max: 95 });
    expect(compatible(bounded, q({ value: 94 }))).toBe(true);
    expect(compatible(bounded, q({ value: 96 }))).toBe(false);
  });

  it('compares only like units', () => {
    expect(compatible(q({ value: 3e6, unit: 'messages/day' }), q({ value: 3e6, unit: 'messages/day' }))).toBe(true);
    expect(compatible(q({ value: 3e6, unit: 'messages/day' }), q({ value: 3e6 }))).toBe(false);
    expect(compatible(q({ value: 3, unit: 'MB' }), q({ value: 3, unit: 'Mb' }))).toBe(false);
  });

  it('ignores the words used', () => {
    expect(compatible(q({ value: 170000, text: 'some 170,000' }), q({ value: 170000, text: '170 000' }))).toBe(true);
  });
});

describe('booleans', () => {
  it('agree when equal', () => {
    expect(compatible(bool(true), bool(true))).toBe(true);
    expect(compatible(bool(true), bool(false))).toBe(false);
  });
});

describe('text', () => {
  it('ignores case, compatibility forms and white space', () => {
    expect(compatible(text('  Unlocked  the\tencryption '), text('unlocked the encryption'))).toBe(true);
    expect(compatible(text('ＳＫＹ ＥＣＣ'), text('Sky ECC'))).toBe(true);
    expect(compatible(text('ﬁle'), text('FILE'))).toBe(true);
    expect(compatible(text('Straße'), text('STRASSE'))).toBe(true);
  });

  it('still tells different words apart', () => {
    expect(compatible(text('unlocked'), text('not hacked'))).toBe(false);
  });
});

describe('dates', () => {
  it('a day falls inside its month', () => {
    expect(compatible(date('2021-03-09'), date('2021-03'))).toBe(true);
    expect(compatible(date('2021-03-09'), date('2021-03-10'))).toBe(false);
  });

  it('"since 20 July 2019" is open-ended', () => {
    expect(compatible(date('2019-07-20/..'), date('2024-01-01'))).toBe(true);
    expect(compatible(date('2019-07-20/..'), date('2019-07-19'))).toBe(false);
    expect(compatible(date('../2019-07-20'), date('2019-07-19'))).toBe(true);
  });

  it('"about February" overlaps a date in February', () => {
    expect(compatible(date('2021-02~'), date('2021-02-15'))).toBe(true);
    expect(compatible(date('2021-02~'), date('2021-04-01'))).toBe(false);
  });

  it('intervals overlap when they share any day', () => {
    expect(compatible(date('2021-02-01/2021-02-20'), date('2021-02-15/2021-03-01'))).toBe(true);
    expect(compatible(date('2021-02-01/2021-02-10'), date('2021-02-15/2021-03-01'))).toBe(false);
  });
});

describe('types', () => {
  it('values of different types never agree', () => {
    expect(compatible(text('true'), bool(true))).toBe(false);
    expect(compatible(q({ value: 2021 }), date('2021'))).toBe(false);
  });
});

const finite = fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
const quantity: fc.Arbitrary<Value> = fc
  .record(
    {
      value: finite,
      bounds: fc.tuple(finite, finite).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
      useMin: fc.boolean(),
      useMax: fc.boolean(),
      useValue: fc.boolean(),
      approximate: fc.boolean(),
      unit: fc.constantFrom(undefined, 'm', 'users'),
    },
    { requiredKeys: ['value', 'bounds', 'useMin', 'useMax', 'useValue', 'approximate', 'unit'] },
  )
  .map(({ value, bounds, useMin, useMax, useValue, approximate, unit }) => {
    const withValue = useValue || (!useMin && !useMax);
    return q({
      ...(withValue ? { value, approximate } : {}),
      ...(useMin ? { min: bounds[0] } : {}),
      ...(useMax ? { max: bounds[1] } : {}),
      ...(unit ? { unit } : {}),
    });
  });
const edtfs = ['2021', '2021-02~', '2021-03-09', '2019-07-20/..', '../2020-12-31', '2021-02-01/2021-03-15', '2020?', '2021-XX'];
const anyValue: fc.Arbitrary<Value> = fc.oneof(
  quantity,
  fc.boolean().map(bool),
  fc.string({ minLength: 1, maxLength: 12 }).map(text),
  fc.constantFrom(...edtfs).map(date),
);

describe('properties', () => {
  it('compatibility is symmetric', () =>
    fc.assert(fc.property(anyValue, anyValue, (a, b) => compatible(a, b) === compatible(b, a)), { numRuns: 2000 }));

  it('every value is compatible with itself', () => fc.assert(fc.property(anyValue, (a) => compatible(a, a)), { numRuns: 2000 }));

  it('an exact quantity agrees with an approximate one exactly when within 10%', () =>
    fc.assert(
      fc.property(fc.integer({ min: -1e6, max: 1e6 }), fc.integer({ min: -1e6, max: 1e6 }), (v, x) => {
        const inside = Math.abs(x - v) <= Math.abs(v) * 0.1;
        return compatible(q({ value: v, approximate: true }), q({ value: x })) === inside;
      }),
    ));
});
