/**
 * Every version of every keyed record, by the revision that produced it: the model "as of" any
 * revision without refolding. A record's version at revision r is its last version at or before r.
 */
interface Versions<V> {
  readonly revisions: number[];
  readonly states: V[];
}

/** Index of the last entry ≤ r in an ascending array, or -1. */
function lastAtOrBefore(sorted: readonly number[], r: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= r) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

export class VersionIndex<V> {
  private readonly byKey = new Map<string, Versions<V>>();
  /** Keys in order of first appearance, with that revision: "which keys existed at r" is a prefix. */
  private readonly order: string[] = [];
  private readonly firstRevisions: number[] = [];

  /** Records the state of `key` after `revision`; revisions must not decrease. */
  record(key: string, revision: number, state: V): void {
    let versions = this.byKey.get(key);
    if (!versions) {
      versions = { revisions: [], states: [] };
      this.byKey.set(key, versions);
      this.order.push(key);
      this.firstRevisions.push(revision);
    }
    const last = versions.revisions.length - 1;
    if (last >= 0 && versions.revisions[last] === revision) versions.states[last] = state;
    else {
      versions.revisions.push(revision);
      versions.states.push(state);
    }
  }

  at(key: string, revision: number): V | undefined {
    const versions = this.byKey.get(key);
    if (!versions) return undefined;
    const i = lastAtOrBefore(versions.revisions, revision);
    return i < 0 ? undefined : versions.states[i];
  }

  /** How many keys existed at `revision`; they are the first that many of `keyAt`. */
  countAt(revision: number): number {
    return lastAtOrBefore(this.firstRevisions, revision) + 1;
  }

  keyAt(index: number): string {
    return this.order[index]!;
  }

  /** A read-only map of the records as they stood at `revision`. */
  asMapAt(revision: number): ReadonlyMap<string, V> {
    return new MapAtRevision(this, revision);
  }
}

class MapAtRevision<V> implements ReadonlyMap<string, V> {
  readonly size: number;

  constructor(
    private readonly index: VersionIndex<V>,
    private readonly revision: number,
  ) {
    this.size = index.countAt(revision);
  }

  get(key: string): V | undefined {
    return this.index.at(key, this.revision);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  *entries(): MapIterator<[string, V]> {
    for (let i = 0; i < this.size; i++) {
      const key = this.index.keyAt(i);
      yield [key, this.index.at(key, this.revision)!];
    }
  }

  *keys(): MapIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.index.keyAt(i);
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}

/** One value over revisions (the incident's details, counts): the last recorded at or before r. */
export class ValueHistory<T> {
  private readonly revisions: number[] = [];
  private readonly values: T[] = [];

  record(revision: number, value: T): void {
    this.revisions.push(revision);
    this.values.push(value);
  }

  at(revision: number): T | undefined {
    const i = lastAtOrBefore(this.revisions, revision);
    return i < 0 ? undefined : this.values[i];
  }
}
