/**
 * The byte-level store contract every layer below the typed layer speaks.
 * Inner stores (memory, LevelDB), the time index that enforces retention,
 * the write-back cache and the changelog logger all implement it, so each
 * concern is a wrapper that can be stacked in any order the builder needs.
 */
import type { MaybePromise, StateStore } from '../types.js';

export interface BytesEntry {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** One write; `value === null` deletes. `timestamp` is the record time stamped on the changelog. */
export interface BytesWrite {
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp?: number;
}

/**
 * A key range in unsigned byte order. Bounds are optional; `lt` and `lte`
 * are alternatives for the upper bound (a prefix scan needs `lt`).
 */
export interface BytesRange {
  readonly gte?: Buffer;
  readonly lte?: Buffer;
  readonly lt?: Buffer;
  readonly reverse?: boolean;
}

/**
 * Ownership: a store may keep the key and value buffers it is given
 * without copying, so callers pass buffers they will not modify or reuse
 * (serializers and key schemas allocate fresh ones). `restore()` copies,
 * because changelog records can be views into a larger fetch buffer.
 */
export interface BytesStore extends StateStore {
  /** May answer synchronously (the cache does on a hit); see MaybePromise. */
  get(key: Buffer): MaybePromise<Buffer | undefined>;
  put(key: Buffer, value: Buffer | null, timestamp?: number): MaybePromise<void>;
  /**
   * Applies the writes in order; persistent stores apply them atomically.
   * In-memory stores and the cache (under budget) return synchronously.
   */
  write(batch: ReadonlyArray<BytesWrite>): MaybePromise<void>;
  /**
   * Entries in the range, in key order (or reverse). Iterators tolerate
   * writes to the store while they are open.
   */
  range(range: BytesRange): AsyncIterableIterator<BytesEntry>;
  approximateNumEntries(): Promise<number>;
}

/** Whether `key` lies inside `range` (ignores `reverse`). */
export function inRange(key: Buffer, range: BytesRange): boolean {
  if (range.gte !== undefined && Buffer.compare(key, range.gte) < 0) return false;
  if (range.lte !== undefined && Buffer.compare(key, range.lte) > 0) return false;
  if (range.lt !== undefined && Buffer.compare(key, range.lt) >= 0) return false;
  return true;
}

/**
 * Runs `then` after `result`: at once when `result` is a plain value, else
 * when its promise settles. The store layers chain through it so a call
 * that never touches the disk never allocates a promise.
 */
export function andThen<T, R>(result: MaybePromise<T>, then: (value: T) => MaybePromise<R>): MaybePromise<R> {
  return isPromiseLike(result) ? Promise.resolve(result).then(then) : then(result);
}

/** Whether a MaybePromise holds a promise (anything thenable). */
export function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
