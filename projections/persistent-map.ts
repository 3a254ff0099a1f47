/**
 * An immutable map from strings: a hash array mapped trie (HAMT, 32-way, bitmap-compressed, as in
 * Clojure and Immutable.js). Changing one key copies the few small nodes on its path, so a model
 * version costs a few hundred bytes instead of a copy of every assertion, "as of" snapshots are
 * cheap, and every older version stays intact. Nodes hold only the slots in use, so a map of ten
 * keys is a few small arrays, not a fixed table.
 */

/** FNV-1a: cheap, and spreads ULIDs and fact keys evenly enough. Exported for tests. */
export function hashKey(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const BITS = 5;
const MASK = (1 << BITS) - 1;
/** Below this depth every hash bit has been used: keys still together there share their hash. */
const MAX_SHIFT = 30;

/** An editing session: nodes it created may be changed in place until it freezes. */
type Owner = object;

/**
 * A trie node. `slots` holds pairs: [key, value] for an entry, or [undefined, child] for a
 * subtree. `bitmap` says which of the 32 hash fragments are present; a pair's index is the count
 * of set bits below its fragment. At MAX_SHIFT a node is a bucket: every pair is an entry and
 * the bitmap is unused (keys with one hash, compared one by one).
 */
interface Node<V> {
  owner: Owner | undefined;
  bitmap: number;
  slots: Array<string | V | Node<V> | undefined>;
}

const popcount = (n: number): number => {
  n -= (n >>> 1) & 0x55555555;
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

function lookup<V>(root: Node<V>, key: string): V | undefined {
  const h = hashKey(key);
  let node = root;
  for (let shift = 0; ; shift += BITS) {
    if (shift > MAX_SHIFT) {
      for (let i = 0; i < node.slots.length; i += 2) if (node.slots[i] === key) return node.slots[i + 1] as V;
      return undefined;
    }
    const bit = 1 << ((h >>> shift) & MASK);
    if ((node.bitmap & bit) === 0) return undefined;
    const at = 2 * popcount(node.bitmap & (bit - 1));
    const k = node.slots[at];
    if (k === undefined) node = node.slots[at + 1] as Node<V>;
    else return k === key ? (node.slots[at + 1] as V) : undefined;
  }
}

function* walk<V>(node: Node<V>): Generator<[string, V]> {
  for (let i = 0; i < node.slots.length; i += 2) {
    const k = node.slots[i];
    if (k === undefined) yield* walk(node.slots[i + 1] as Node<V>);
    else yield [k as string, node.slots[i + 1] as V];
  }
}

const EMPTY_NODE: Node<never> = Object.freeze({ owner: undefined, bitmap: 0, slots: [] }) as Node<never>;

export class PersistentMap<V> implements ReadonlyMap<string, V> {
  private static readonly EMPTY = new PersistentMap<never>(EMPTY_NODE, 0);

  private constructor(
    private readonly root: Node<V>,
    readonly size: number,
  ) {}

  static empty<V>(): PersistentMap<V> {
    // Empty is empty whatever the value type.
    return PersistentMap.EMPTY as unknown as PersistentMap<V>;
  }

  get(key: string): V | undefined {
    return lookup(this.root, key);
  }

  has(key: string): boolean {
    return lookup(this.root, key) !== undefined;
  }

  /** A transient editor for many changes at once; its `freeze()` gives the new version. */
  edit(): MapEditor<V> {
    return new MapEditor(this.root, this.size, (root, size) => new PersistentMap(root, size));
  }

  entries(): MapIterator<[string, V]> {
    return walk(this.root);
  }

  *keys(): MapIterator<string> {
    for (const [key] of walk(this.root)) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of walk(this.root)) yield value;
  }

  [Symbol.iterator](): MapIterator<[string, V]> {
    return walk(this.root);
  }

  /** Without an iterator step per entry: what whole-map reads (every fact's analysis) use. */
  forEach(callback: (value: V, key: string, map: ReadonlyMap<string, V>) => void): void {
    visit(this.root, (key, value) => callback(value, key, this));
  }
}

function visit<V>(node: Node<V>, callback: (key: string, value: V) => void): void {
  for (let i = 0; i < node.slots.length; i += 2) {
    const k = node.slots[i];
    if (k === undefined) visit(node.slots[i + 1] as Node<V>, callback);
    else callback(k as string, node.slots[i + 1] as V);
  }
}

/**
 * Transient editing: the first write to a node copies it (and the path to it) for this session,
 * later writes in the same session change the copies in place. After `freeze()` the session is
 * over and writes copy afresh, so a frozen version never changes. Values must not be undefined.
 */
export class MapEditor<V> {
  private owner: Owner = {};

  constructor(
    private root: Node<V>,
    private count: number,
    private readonly make: (root: Node<V>, size: number) => PersistentMap<V>,
  ) {}

  get size(): number {
    return this.count;
  }

  get(key: string): V | undefined {
    return lookup(this.root, key);
  }

  set(key: string, value: V): void {
    this.root = this.put(this.root, 0, hashKey(key), key, value);
  }

  freeze(): PersistentMap<V> {
    this.owner = {};
    return this.make(this.root, this.count);
  }

  private own(node: Node<V>): Node<V> {
    return node.owner === this.owner ? node : { owner: this.owner, bitmap: node.bitmap, slots: node.slots.slice() };
  }

  /** Sets key in the subtree `node` at depth `shift`; returns the subtree (the same node when owned). */
  private put(node: Node<V>, shift: number, h: number, key: string, value: V): Node<V> {
    if (shift > MAX_SHIFT) {
      const bucket = this.own(node);
      for (let i = 0; i < bucket.slots.length; i += 2) {
        if (bucket.slots[i] === key) {
          bucket.slots[i + 1] = value;
          return bucket;
        }
      }
      bucket.slots.push(key, value);
      this.count++;
      return bucket;
    }
    const bit = 1 << ((h >>> shift) & MASK);
    const at = 2 * popcount(node.bitmap & (bit - 1));
    if ((node.bitmap & bit) === 0) {
      const grown = this.own(node);
      grown.bitmap |= bit;
      grown.slots.splice(at, 0, key, value);
      this.count++;
      return grown;
    }
    const k = node.slots[at];
    const v = node.slots[at + 1];
    let replacement: Node<V> | undefined;
    if (k === undefined) {
      const child = v as Node<V>;
      const next = this.put(child, shift + BITS, h, key, value);
      if (next === child) return node;
      replacement = next;
    } else if (k === key) {
      if (v === value) return node;
      const changed = this.own(node);
      changed.slots[at + 1] = value;
      return changed;
    } else {
      // Two keys on one fragment: push both a level down.
      const other = k as string;
      let split: Node<V> = { owner: this.owner, bitmap: 0, slots: [] };
      split = this.put(split, shift + BITS, hashKey(other), other, v as V);
      this.count--; // moved, not added
      replacement = this.put(split, shift + BITS, h, key, value);
    }
    const changed = this.own(node);
    changed.slots[at] = undefined;
    changed.slots[at + 1] = replacement;
    return changed;
  }
}
