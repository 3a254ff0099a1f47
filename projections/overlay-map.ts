/**
 * A map that is a base map plus a few changes laid over it: what an "as of" model is, the last
 * snapshot plus the events since. Writing copies nothing (a persistent map would copy a path of
 * trie nodes per key), so folding a few hundred events over a snapshot costs a small Map.
 * The base must not change afterwards (snapshots are frozen), nor values be undefined.
 */
export class OverlayMap<V> implements ReadonlyMap<string, V> {
  readonly size: number;

  constructor(
    private readonly base: ReadonlyMap<string, V>,
    /** The entries laid over the base. */
    readonly changes: ReadonlyMap<string, V>,
  ) {
    let added = 0;
    for (const key of changes.keys()) if (!base.has(key)) added++;
    this.size = base.size + added;
  }

  get(key: string): V | undefined {
    return this.changes.get(key) ?? this.base.get(key);
  }

  has(key: string): boolean {
    return this.changes.has(key) || this.base.has(key);
  }

  *entries(): MapIterator<[string, V]> {
    for (const [key, value] of this.base) yield [key, this.changes.get(key) ?? value];
    for (const [key, value] of this.changes) if (!this.base.has(key)) yield [key, value];
  }

  *keys(): MapIterator<string> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    this.base.forEach((value, key) => callback(this.changes.get(key) ?? value, key, this));
    this.changes.forEach((value, key) => {
      if (!this.base.has(key)) callback(value, key, this);
    });
  }
}

/** The editor side: writes go to a private Map; `freeze()` hands out the overlay. Single use. */
export class OverlayEditor<V> {
  private readonly changes = new Map<string, V>();
  private added = 0;

  constructor(private readonly base: ReadonlyMap<string, V>) {}

  get size(): number {
    return this.base.size + this.added;
  }

  get(key: string): V | undefined {
    return this.changes.get(key) ?? this.base.get(key);
  }

  set(key: string, value: V): void {
    if (!this.changes.has(key) && !this.base.has(key)) this.added++;
    this.changes.set(key, value);
  }

  freeze(): OverlayMap<V> {
    return new OverlayMap(this.base, new Map(this.changes));
  }
}
