/**
 * An ordered map from Buffer keys (unsigned byte order) to values, used by
 * the in-memory store and by the write-back cache.
 *
 * Point reads go through a hash map; order is kept in a list of sorted
 * chunks (a flat B+tree of one level). A chunk of at most 256 entries keeps
 * inserts to a short splice instead of moving the whole array, and finding
 * a chunk is a binary search over chunks, so put and seek are O(log n).
 *
 * Order is paid for only when someone asks for it. A new key goes to a
 * pending list (O(1)); the first ordered read after it (entries()) sorts the
 * pending keys and merges them in. Point-only users (a windowed aggregation's
 * cache, which remembers every miss) then never pay for order, and a
 * flush's ordered walk pays once, with a sort, for all the keys added since
 * the last one. The engine benchmark spent a quarter of its time in ordered
 * inserts before this.
 *
 * Comparisons use each key's latin1 string (one char per byte, so string
 * order is unsigned byte order): a JS string comparison is inlined by V8,
 * while Buffer.compare is a native call that cost ~100 ns each and
 * dominated profiles of the window-store hot path.
 */
import type { BytesRange } from './bytes-store.js';
import { keyId } from './bytes.js';

interface Node<V> {
  readonly key: Buffer;
  /** latin1 form of key: the hash-map key and the comparison key. */
  readonly id: string;
  value: V;
  /** In the chunks (else in the pending list). */
  settled: boolean;
  /** Deleted while pending: dropped at the next settle. */
  dead: boolean;
}

const MAX_CHUNK = 256;

export class SortedBytesMap<V> {
  private readonly nodes = new Map<string, Node<V>>();
  private chunks: Node<V>[][] = [];
  /** Keys added since the last ordered read, in insertion order. */
  private pending: Node<V>[] = [];
  /** Bumped on every insert or delete, so open cursors know to re-seek. */
  private version = 0;

  get size(): number {
    return this.nodes.size;
  }

  get(key: Buffer, id: string = keyId(key)): V | undefined {
    return this.nodes.get(id)?.value;
  }

  has(key: Buffer, id: string = keyId(key)): boolean {
    return this.nodes.has(id);
  }

  set(key: Buffer, value: V, id: string = keyId(key)): void {
    const existing = this.nodes.get(id);
    if (existing !== undefined) {
      existing.value = value;
      return;
    }
    // The map keeps the caller's buffer: stores hand over fresh buffers they never touch again.
    const node: Node<V> = { key, id, value, settled: false, dead: false };
    this.nodes.set(id, node);
    this.pending.push(node);
    this.version++;
    // Keys added and deleted again without an ordered read in between stay in the list as dead; keep it bounded.
    if (this.pending.length > 1024 && this.pending.length > 2 * this.nodes.size) this.pending = this.pending.filter((n) => !n.dead);
  }

  delete(key: Buffer, id: string = keyId(key)): boolean {
    const node = this.nodes.get(id);
    if (node === undefined) return false;
    this.nodes.delete(id);
    this.version++;
    if (!node.settled) {
      node.dead = true;
      return true;
    }
    const [ci, i] = this.lowerBound(id);
    const chunk = this.chunks[ci] as Node<V>[];
    chunk.splice(i, 1);
    if (chunk.length === 0) this.chunks.splice(ci, 1);
    return true;
  }

  clear(): void {
    this.nodes.clear();
    this.chunks = [];
    this.pending = [];
    this.version++;
  }

  /**
   * Entries in the range, in order. The generator reads values as it
   * yields them and re-seeks after any insert or delete, so it never skips
   * or repeats a key that stays in the map while it is open.
   */
  *entries(range: BytesRange = {}): Generator<[Buffer, V]> {
    if (range.reverse === true) {
      yield* this.reverseEntries(range);
      return;
    }
    this.settle();
    let version = this.version;
    let [ci, i] = range.gte === undefined ? [0, 0] : this.lowerBound(keyId(range.gte));
    const lte = range.lte === undefined ? undefined : keyId(range.lte);
    const lt = range.lt === undefined ? undefined : keyId(range.lt);
    let last: string | undefined;
    for (;;) {
      if (version !== this.version && last !== undefined) {
        this.settle();
        [ci, i] = this.upperBound(last);
        version = this.version;
      }
      let chunk = this.chunks[ci];
      if (chunk !== undefined && i >= chunk.length) {
        ci++;
        i = 0;
        chunk = this.chunks[ci];
      }
      if (chunk === undefined) return;
      const node = chunk[i] as Node<V>;
      if (lte !== undefined && node.id > lte) return;
      if (lt !== undefined && node.id >= lt) return;
      last = node.id;
      i++;
      yield [node.key, node.value];
    }
  }

  private *reverseEntries(range: BytesRange): Generator<[Buffer, V]> {
    this.settle();
    let version = this.version;
    let [ci, i] = this.lastAtMost(range);
    const gte = range.gte === undefined ? undefined : keyId(range.gte);
    let last: string | undefined;
    for (;;) {
      if (version !== this.version && last !== undefined) {
        this.settle();
        [ci, i] = this.lowerBound(last);
        i--;
        version = this.version;
      }
      if (i < 0) {
        ci--;
        if (ci < 0) return;
        i = (this.chunks[ci] as Node<V>[]).length - 1;
      }
      const chunk = this.chunks[ci];
      if (chunk === undefined) return;
      const node = chunk[i] as Node<V>;
      if (gte !== undefined && node.id < gte) return;
      last = node.id;
      i--;
      yield [node.key, node.value];
    }
  }

  /** Position of the last key inside the range's upper bound. */
  private lastAtMost(range: BytesRange): [number, number] {
    if (range.lte !== undefined) {
      const [ci, i] = this.upperBound(keyId(range.lte));
      return [ci, i - 1];
    }
    if (range.lt !== undefined) {
      const [ci, i] = this.lowerBound(keyId(range.lt));
      return [ci, i - 1];
    }
    const ci = this.chunks.length - 1;
    return [ci, ci < 0 ? -1 : (this.chunks[ci] as Node<V>[]).length - 1];
  }

  /**
   * Moves the pending keys into the chunks. A few are inserted one by one
   * (O(log n) each); many are sorted and merged with the chunks in one pass.
   */
  private settle(): void {
    if (this.pending.length === 0) return;
    const added = this.pending.filter((n) => !n.dead);
    this.pending = [];
    if (added.length === 0) return;
    for (const node of added) node.settled = true;
    if (added.length * 16 < this.nodes.size) {
      for (const node of added) this.insertNode(node);
      return;
    }
    added.sort(byId);
    const merged: Node<V>[] = new Array(this.nodes.size);
    let m = 0;
    let a = 0;
    for (const chunk of this.chunks) {
      for (const node of chunk) {
        while (a < added.length && (added[a] as Node<V>).id < node.id) merged[m++] = added[a++] as Node<V>;
        merged[m++] = node;
      }
    }
    while (a < added.length) merged[m++] = added[a++] as Node<V>;
    merged.length = m;
    const chunks: Node<V>[][] = [];
    const half = MAX_CHUNK >> 1;
    for (let at = 0; at < m; at += half) chunks.push(merged.slice(at, at + half));
    this.chunks = chunks;
  }

  private insertNode(node: Node<V>): void {
    if (this.chunks.length === 0) {
      this.chunks.push([node]);
      return;
    }
    let [ci, i] = this.lowerBound(node.id);
    if (ci === this.chunks.length) {
      ci--;
      i = (this.chunks[ci] as Node<V>[]).length;
    }
    const chunk = this.chunks[ci] as Node<V>[];
    chunk.splice(i, 0, node);
    if (chunk.length > MAX_CHUNK) {
      this.chunks.splice(ci + 1, 0, chunk.splice(MAX_CHUNK >> 1));
    }
  }

  /** Position of the first key >= `key` (chunk index, index in chunk); chunk = length when none. */
  private lowerBound(key: string): [number, number] {
    return this.seek(key, false);
  }

  /** Position of the first key > `key`. */
  private upperBound(key: string): [number, number] {
    return this.seek(key, true);
  }

  /** First position whose key is > `key` (strict) or >= `key`. */
  private seek(key: string, strict: boolean): [number, number] {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid] as Node<V>[];
      const id = (chunk[chunk.length - 1] as Node<V>).id;
      if (strict ? id > key : id >= key) hi = mid;
      else lo = mid + 1;
    }
    if (lo === chunks.length) return [lo, 0];
    const chunk = chunks[lo] as Node<V>[];
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      const id = (chunk[mid] as Node<V>).id;
      if (strict ? id > key : id >= key) b = mid;
      else a = mid + 1;
    }
    return [lo, a];
  }
}

function byId<V>(a: Node<V>, b: Node<V>): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
