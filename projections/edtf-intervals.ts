import { parseEdtfInterval, type EdtfInterval } from '../events/index.js';

// Parsing EDTF costs ~150 µs a string, which would dominate every timeline and dispute view;
// the same few hundred strings recur, so remember them. Bounded: a flood of distinct strings
// only costs re-parsing.
const MAX_ENTRIES = 20_000;
const cache = new Map<string, EdtfInterval | null>();

/** `parseEdtfInterval`, memoised. Undefined for a string that is not EDTF. */
export function edtfInterval(text: string): EdtfInterval | undefined {
  let hit = cache.get(text);
  if (hit === undefined) {
    if (cache.size >= MAX_ENTRIES) cache.clear();
    hit = parseEdtfInterval(text) ?? null;
    cache.set(text, hit);
  }
  return hit ?? undefined;
}
