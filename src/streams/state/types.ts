/**
 * State store contracts. Point reads and writes return a MaybePromise: the
 * value itself when it is at hand (a cache hit, a buffered write, an
 * in-memory store, a LevelDB point read) and a promise only when the call
 * must wait (an eviction's batch write, a flush). Scans are async iterators.
 *
 * Inner stores work on bytes (Buffer keys compared lexicographically, as
 * LevelDB orders them); the typed layer applies the serdes. Range and
 * prefix scans therefore follow the key serde's byte order, exactly as in
 * Kafka Streams.
 */

/**
 * A value that is either at hand or on its way. Cached stores return the
 * plain value on a cache hit and on a buffered write, and a promise only
 * when they must go to disk; `await` accepts both, and hot paths can test
 * with isPromiseLike() to skip the microtask.
 */
export type MaybePromise<T> = T | Promise<T>;

export interface StoreContext {
  readonly applicationId: string;
  readonly taskId: string;
  /** Directory for this task's persistent stores. */
  readonly stateDir: string;
  /** Set by the runtime when the store is logged; the logging layer calls it for every change. */
  readonly onChange?: StoreChangeListener;
  /**
   * The timestamp of the record being processed, stamped on changelog
   * records. Optional: when absent the logging layer stamps 0.
   */
  readonly currentTimestamp?: () => number;
}

export interface StateStore {
  readonly name: string;
  readonly persistent: boolean;
  init(context: StoreContext): Promise<void>;
  /** Write buffered changes down (cache → inner store, inner → disk). */
  flush(): Promise<void>;
  close(): Promise<void>;
  isOpen(): boolean;
  /**
   * Apply changelog records straight to the innermost store, bypassing the
   * cache and the logging layer (used by restoration).
   */
  restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void>;
}

export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/** Async iteration in key order; always closed by `for await` or `return()`. */
export type KeyValueIterator<K, V> = AsyncIterableIterator<KeyValue<K, V>>;

export interface ReadOnlyKeyValueStore<K, V> {
  /** Synchronous on a cache hit (see MaybePromise); errors always arrive as a rejected promise. */
  get(key: K): MaybePromise<V | undefined>;
  /** Inclusive on both ends, in key byte order. Omitted bounds are open. */
  range(from?: K, to?: K): KeyValueIterator<K, V>;
  reverseRange?(from?: K, to?: K): KeyValueIterator<K, V>;
  /** Keys whose serialized form starts with the serialized prefix. */
  prefixScan<P>(prefix: P, prefixSerializer: (p: P) => Buffer): KeyValueIterator<K, V>;
  all(): KeyValueIterator<K, V>;
  approximateNumEntries(): Promise<number>;
}

export interface KeyValueStore<K, V> extends StateStore, ReadOnlyKeyValueStore<K, V> {
  /** Synchronous when the cache buffers the write; a promise when it must evict to disk. */
  put(key: K, value: V | null): MaybePromise<void>;
  putIfAbsent(key: K, value: V): Promise<V | undefined>;
  putAll(entries: ReadonlyArray<KeyValue<K, V | null>>): Promise<void>;
  delete(key: K): Promise<V | undefined>;
}

/** A window's bounds: start inclusive, end exclusive (Kafka Streams' TimeWindow). */
export interface Window {
  readonly start: number;
  readonly end: number;
}

export interface Windowed<K> {
  readonly key: K;
  readonly window: Window;
}

export interface ReadOnlyWindowStore<K, V> {
  /**
   * The value for `key` in the window that starts at `windowStart`.
   * Synchronous when the value is at hand (cache hit, in-memory store, a
   * LevelDB point read); errors always arrive as a rejected promise.
   */
  fetch(key: K, windowStart: number): MaybePromise<V | undefined>;
  /** Windows of `key` whose start lies in [timeFrom, timeTo], by start time. */
  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V>;
  /** Every key's windows whose start lies in [timeFrom, timeTo]. */
  fetchAll(timeFrom: number, timeTo: number): KeyValueIterator<Windowed<K>, V>;
  all(): KeyValueIterator<Windowed<K>, V>;
}

export interface WindowStore<K, V> extends StateStore, ReadOnlyWindowStore<K, V> {
  /**
   * Store `value` for `key` in the window starting at `windowStart`; null
   * deletes. Writes older than the retention period (relative to the
   * largest windowStart seen) are ignored, and expired windows are dropped.
   * Synchronous when the cache buffers the write or the store is in memory.
   */
  put(key: K, value: V | null, windowStart: number): MaybePromise<void>;
  readonly retentionMs: number;
}

export interface ReadOnlySessionStore<K, V> {
  /** Sessions of `key` that end at or after `earliestSessionEnd` and start at or before `latestSessionStart`. */
  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValueIterator<Windowed<K>, V>;
  /** Synchronous when the value is at hand, as WindowStore.fetch. */
  fetchSession(key: K, sessionStart: number, sessionEnd: number): MaybePromise<V | undefined>;
  /** All sessions of `key`. */
  fetch(key: K): KeyValueIterator<Windowed<K>, V>;
}

export interface SessionStore<K, V> extends StateStore, ReadOnlySessionStore<K, V> {
  /** Synchronous when the cache buffers the write or the store is in memory. */
  put(session: Windowed<K>, aggregate: V): MaybePromise<void>;
  remove(session: Windowed<K>): MaybePromise<void>;
  readonly retentionMs: number;
}

/**
 * One change to a store, in bytes, as the changelog topic will carry it.
 * `value === null` is a deletion (a tombstone). For window and session
 * stores, `key` is the store's composite key.
 */
export interface StoreChange {
  readonly store: string;
  readonly key: Buffer;
  readonly value: Buffer | null;
  readonly timestamp: number;
}

/** Receives every change a logged store makes; the runtime sends them to the changelog. */
export type StoreChangeListener = (change: StoreChange) => void;

/**
 * Builds a store for one task. `withCachingEnabled`, `withLoggingEnabled`
 * wrap the inner store (metered(caching(logging(inner)))).
 */
export interface StoreBuilder<S extends StateStore> {
  readonly name: string;
  readonly loggingEnabled: boolean;
  build(): S;
}
