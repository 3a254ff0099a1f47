/**
 * A sorted list with some of its items replaced: those `dropped` says go, and `fresh` ones (in any
 * order) are merged in where `compare` puts them. What an "as of" view does with its snapshot's
 * memoised list and the few facts its folded events changed: O(n) instead of a sort of n.
 */
export function patchSorted<T>(kept: readonly T[], dropped: (item: T) => boolean, fresh: T[], compare: (a: T, b: T) => number): T[] {
  fresh.sort(compare);
  const out: T[] = [];
  let k = 0;
  for (const item of kept) {
    if (dropped(item)) continue;
    while (k < fresh.length && compare(fresh[k]!, item) < 0) out.push(fresh[k++]!);
    out.push(item);
  }
  while (k < fresh.length) out.push(fresh[k++]!);
  return out;
}
