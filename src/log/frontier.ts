import { completeSubtrees, EMPTY_ROOT, nodeHash, type NodeId } from './merkle.js';

export interface StoredNode extends NodeId {
  hash: Buffer;
}

/**
 * The right border of a growing tree: the hashes of its maximal complete subtrees, largest
 * first (a "compact range" in transparency-dev's words). It is all an append needs, so
 * appending never reads storage, and it yields exactly the nodes each new leaf completes.
 */
export class Frontier {
  private constructor(
    private count: number,
    private readonly border: Array<{ level: number; hash: Buffer }>,
  ) {}

  static empty(): Frontier {
    return new Frontier(0, []);
  }

  /** Rebuilds the border of a tree of `size` leaves from its stored complete subtrees. */
  static load(size: number, readNode: (level: number, index: number) => Uint8Array): Frontier {
    const border = completeSubtrees(0, size).map(({ level, index }) => ({ level, hash: Buffer.from(readNode(level, index)) }));
    return new Frontier(size, border);
  }

  get size(): number {
    return this.count;
  }

  clone(): Frontier {
    return new Frontier(this.count, [...this.border]);
  }

  /** Adds one leaf hash; returns every node it completes, the leaf itself first. */
  push(leaf: Uint8Array): StoredNode[] {
    let hash: Buffer = Buffer.from(leaf);
    let level = 0;
    let index = this.count;
    const completed: StoredNode[] = [{ level, index, hash }];
    while (this.border.length > 0 && this.border.at(-1)!.level === level) {
      hash = nodeHash(this.border.pop()!.hash, hash);
      level += 1;
      index = Math.floor(index / 2);
      completed.push({ level, index, hash });
    }
    this.border.push({ level, hash });
    this.count += 1;
    return completed;
  }

  root(): Buffer {
    if (this.border.length === 0) return EMPTY_ROOT;
    let acc = this.border.at(-1)!.hash;
    for (let i = this.border.length - 2; i >= 0; i--) acc = nodeHash(this.border[i]!.hash, acc);
    return acc;
  }
}
