/**
 * An immutable map from strings, shaped as a fixed two-level trie (64 × 64 slots, small Maps at
 * the leaves). Changing one key copies two 64-slot arrays and one small leaf, so a model version
 * costs a few hundred bytes instead of a copy of every assertion: "as of" snapshots become cheap,
 * and every older version stays intact.
 */
const BITS = 6;
const WIDTH = 1 << BITS;
const MASK = WIDTH - 1;

type Leaf<V> = Map<string, V>;
type Branch<V> = Array<Leaf<V> | undefined>;
type Root<V> = Array<Branch<V> | undefined>;

/** FNV-1a: cheap, and spreads ULIDs and fact keys evenly enough over 4,096 leaves. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const emptyRoot = <V>(): Root<V> => new Array<Branch<V> | undefined>(WIDTH).fill(undefined);

export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private static readonly EMPTY = new PersistentMap<never>(emptyRoot(), 0);

  private constructor(
    private readonly root: Root<V>,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    // Empty is empty whatever the value type.
    return PersistentMap.EMPTY as unknown as PersistentMap<V>;
  }

  get(key: string): V | undefined {
    const h = hash(key);
    return this.root[h & MASK]?.[(h >>> BITS) & MASK]?.get(key);
  }

  has(key: string): boolean {
    const h = hash(key);
    return this.root[h & MASK]?.[(h >>> BITS) & MASK]?.has(key) ?? false;
  }

  /** A transient editor for many changes at once; its `freeze()` gives the new version. */
  edit(): MapEditor<V> {
    return new MapEditor(this.root, this.size, (root, size) => new PersistentMap(root, size));
  }

  *entries(): MapIterator<[string, V]> {
    for (const branch of this.root) {
      if (!branch) continue;
      for (const leaf of branch) if (leaf) yield* leaf.entries();
    }
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
    for (const [key, value] of this.entries()) callback(value, key, this);
  }
}

/**
 * Copy-on-write editing: the first write to a slot copies the path to it, later writes in the
 * same session reuse the copies. After `freeze()`, writes copy afresh, so a frozen version never
 * changes.
 */
export class MapEditor<V> {
  private root: Root<V>;
  private owned = new Set<object>();

  constructor(
    root: Root<V>,
    private count: number,
    private readonly make: (root: Root<V>, size: number) => PersistentMap<V>,
  ) {
    this.root = root;
  }

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    const h = hash(key);
    return this.root[h & MASK]?.[(h >>> BITS) & MASK]?.get(key);
  }

  set(key: string, value: V): void {
    const h = hash(key);
    const i = h & MASK;
    const j = (h >>> BITS) & MASK;
    if (!this.owned.has(this.root)) this.root = this.own([...this.root]);
    let branch = this.root[i];
    if (!branch || !this.owned.has(branch)) branch = this.root[i] = this.own(branch ? [...branch] : new Array<Leaf<V> | undefined>(WIDTH).fill(undefined));
    let leaf = branch[j];
    if (!leaf || !this.owned.has(leaf)) leaf = branch[j] = this.own(new Map(leaf));
    if (!leaf.has(key)) this.count++;
    leaf.set(key, value);
  }

  freeze(): PersistentMap<V> {
    this.owned = new Set();
    return this.make(this.root, this.count);
  }

  private own<T extends object>(node: T): T {
    this.owned.add(node);
    return node;
  }
}
