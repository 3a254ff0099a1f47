import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { patchSorted } from '../../projections/sorted-patch.js';

describe('patching a sorted list', () => {
  it('gives what dropping, adding and sorting again gives', () =>
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 200 })), fc.uniqueArray(fc.integer({ min: 0, max: 200 })), fc.integer({ min: 2, max: 5 }), (keptItems, freshItems, every) => {
        const compare = (a: number, b: number): number => a - b;
        const kept = [...keptItems].sort(compare);
        const dropped = (n: number): boolean => n % every === 0 || freshItems.includes(n);
        const expected = [...kept.filter((n) => !dropped(n)), ...freshItems].sort(compare);
        expect(patchSorted(kept, dropped, [...freshItems], compare)).toEqual(expected);
      }),
    ));
});
