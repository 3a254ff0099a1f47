import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OverlayEditor } from '../../projections/overlay-map.js';

describe('overlay map', () => {
  it('reads as the base with the writes applied, and leaves the base as it was', () =>
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 60 }),
        fc.array(fc.tuple(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 60 }),
        (before, writes) => {
          const base = new Map(before);
          const baseCopy = new Map(base);
          const reference = new Map(base);
          const editor = new OverlayEditor(base);
          for (const [key, value] of writes) {
            editor.set(key, value);
            reference.set(key, value);
            expect(editor.get(key)).toBe(value);
            expect(editor.size).toBe(reference.size);
          }
          const overlay = editor.freeze();
          expect(overlay.size).toBe(reference.size);
          expect(new Map(overlay)).toEqual(reference);
          const visited = new Map<string, number>();
          overlay.forEach((value, key) => visited.set(key, value));
          expect(visited).toEqual(reference);
          expect([...overlay.keys()].sort()).toEqual([...reference.keys()].sort());
          for (const [key, value] of reference) expect([overlay.get(key), overlay.has(key)]).toEqual([value, true]);
          expect(overlay.has('not a key at all')).toBe(false);
          expect(base).toEqual(baseCopy);
        },
      ),
    ));
});
