import { z } from 'zod';

/** A cursor the caller did not get from us, or from an incompatible version (HTTP 400). */
export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
  constructor() {
    super('the cursor is not one this server issued');
  }
}

/** A sort key: compared element by element; the last element is always a unique id. */
export type SortKey = readonly [string | number, string];
const SortKeySchema = z.tuple([z.union([z.string(), z.number()]), z.string()]);

/** Opaque to clients: base64url of the last item's sort key, so pages stay stable under inserts. */
export const encodeCursor = (key: SortKey): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

export function decodeCursor(cursor: string): SortKey {
  try {
    return SortKeySchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidCursorError();
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * One page of `sorted` (ascending by `compare` on keys), after the cursor's key, keeping only items
 * that `keep`. Keyset pagination: an item added or removed elsewhere never shifts a page.
 */
export function paginate<T>(
  sorted: readonly T[],
  keyOf: (item: T) => SortKey,
  compare: (a: SortKey, b: SortKey) => number,
  options: { limit: number; cursor?: string | undefined; keep?: (item: T) => boolean },
): Page<T> {
  const after = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
  // A key of another type (a cursor from another list, or made up) names no place in this one.
  if (after && sorted.length > 0 && typeof after[0] !== typeof keyOf(sorted[0]!)[0]) throw new InvalidCursorError();
  let lo = 0;
  if (after) {
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compare(keyOf(sorted[mid]!), after) <= 0) lo = mid + 1;
      else hi = mid;
    }
  }
  const items: T[] = [];
  for (let i = lo; i < sorted.length; i++) {
    const item = sorted[i]!;
    if (options.keep && !options.keep(item)) continue;
    if (items.length === options.limit) return { items, nextCursor: encodeCursor(keyOf(items[items.length - 1]!)) };
    items.push(item);
  }
  return { items, nextCursor: null };
}

export const compareKeys = (a: SortKey, b: SortKey): number => {
  for (let i = 0; i < 2; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return 0;
};
