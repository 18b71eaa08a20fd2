/**
 * The Stores factory: pick an inner store (persistent LevelDB or in-memory)
 * with a supplier, then wrap it with a builder, as in Kafka Streams:
 *
 * ```ts
 * const builder = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('counts'), stringSerde, numberSerde)
 *   .withCachingEnabled()
 *   .withLoggingEnabled();
 * const store = builder.build(); // one per task
 * await store.init(context);     // opens <context.stateDir>/counts
 * ```
 *
 * A built store is typed(caching(logging(inner))): each concern is a
 * wrapper, present only when enabled. Logging is on by default and caching
 * off, as in Kafka Streams.
 */
import { VigilError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { BytesStore } from './internal/bytes-store.js';
import { CachingBytesStore } from './internal/caching-bytes-store.js';
import { LevelDbBytesStore } from './internal/level-db-bytes-store.js';
import { LoggingBytesStore } from './internal/logging-bytes-store.js';
import { MemoryBytesStore } from './internal/memory-bytes-store.js';
import { MemoryTimeBytesStore } from './internal/memory-time-bytes-store.js';
import { TimeIndexedBytesStore } from './internal/time-indexed-bytes-store.js';
import { TypedKeyValueStore } from './internal/typed-key-value-store.js';
import { TypedSessionStore } from './internal/typed-session-store.js';
import { TypedWindowStore } from './internal/typed-window-store.js';
import { SESSION_SUFFIX_SIZE, SessionKeySchema, WindowKeySchema } from './internal/window-key-schema.js';
import type { KeyValueStore, SessionStore, StateStore, StoreBuilder, WindowStore } from './types.js';

export type { BytesStore, BytesEntry, BytesRange, BytesWrite } from './internal/bytes-store.js';

/** Default write-back cache budget per store: 10 MiB, Kafka Streams' default per thread. */
export const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024;

/** Makes the inner byte store of a key-value store; `get()` returns a fresh one per call (per task). */
export interface KeyValueBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  get(): BytesStore;
}

export interface WindowBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
  get(): BytesStore;
}

export interface SessionBytesStoreSupplier {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  get(): BytesStore;
}

/** Shared by the three builders: the caching and logging switches. */
abstract class LayeredStoreBuilder<S extends StateStore> implements StoreBuilder<S> {
  private caching = false;
  private cacheMaxBytes = DEFAULT_CACHE_MAX_BYTES;
  private logging = true;

  constructor(readonly name: string) {}

  get loggingEnabled(): boolean {
    return this.logging;
  }

  get cachingEnabled(): boolean {
    return this.caching;
  }

  /** Adds the write-back cache, flushed by `flush()` (at commit) or when it outgrows `maxBytes`. */
  withCachingEnabled(maxBytes: number = DEFAULT_CACHE_MAX_BYTES): this {
    if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) {
      throw new VigilError('VIGIL_ERR_CONFIG', `cache size for store "${this.name}" must be a positive integer of bytes, got ${maxBytes}`);
    }
    this.caching = true;
    this.cacheMaxBytes = maxBytes;
    return this;
  }

  withCachingDisabled(): this {
    this.caching = false;
    return this;
  }

  /** Reports every change to `StoreContext.onChange` (the runtime sends it to the changelog topic). */
  withLoggingEnabled(): this {
    this.logging = true;
    return this;
  }

  withLoggingDisabled(): this {
    this.logging = false;
    return this;
  }

  abstract build(): S;

  /** caching(logging(inner)), each layer only when enabled. */
  protected layers(inner: BytesStore): BytesStore {
    let store = inner;
    if (this.logging) store = new LoggingBytesStore(store);
    if (this.caching) store = new CachingBytesStore(store, { maxBytes: this.cacheMaxBytes });
    return store;
  }
}

export class KeyValueStoreBuilder<K, V> extends LayeredStoreBuilder<KeyValueStore<K, V>> {
  constructor(
    private readonly supplier: KeyValueBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(supplier.name);
  }

  build(): KeyValueStore<K, V> {
    return new TypedKeyValueStore(this.layers(this.supplier.get()), this.keySerde, this.valueSerde);
  }
}

export class WindowStoreBuilder<K, V> extends LayeredStoreBuilder<WindowStore<K, V>> {
  constructor(
    private readonly supplier: WindowBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(supplier.name);
  }

  build(): WindowStore<K, V> {
    const { retentionMs, windowSizeMs, retainDuplicates } = this.supplier;
    return new TypedWindowStore(this.layers(this.supplier.get()), this.keySerde, this.valueSerde, {
      retentionMs,
      windowSizeMs,
      retainDuplicates,
    });
  }
}

export class SessionStoreBuilder<K, V> extends LayeredStoreBuilder<SessionStore<K, V>> {
  constructor(
    private readonly supplier: SessionBytesStoreSupplier,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
  ) {
    super(supplier.name);
  }

  build(): SessionStore<K, V> {
    return new TypedSessionStore(this.layers(this.supplier.get()), this.keySerde, this.valueSerde, {
      retentionMs: this.supplier.retentionMs,
    });
  }
}

type InnerKind = 'persistent' | 'memory';

function innerStore(kind: InnerKind, name: string): BytesStore {
  return kind === 'persistent' ? new LevelDbBytesStore(name) : new MemoryBytesStore(name);
}

function windowSupplier(
  kind: InnerKind,
  name: string,
  retentionMs: number,
  windowSizeMs: number,
  retainDuplicates: boolean,
): WindowBytesStoreSupplier {
  validateName(name);
  validateDuration(name, 'retentionMs', retentionMs);
  validateDuration(name, 'windowSizeMs', windowSizeMs);
  if (retentionMs < windowSizeMs) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `window store "${name}": retentionMs (${retentionMs}) must be at least windowSizeMs (${windowSizeMs}), or windows expire before they close`,
    );
  }
  const schema = new WindowKeySchema(retainDuplicates);
  return {
    name,
    persistent: kind === 'persistent',
    retentionMs,
    windowSizeMs,
    retainDuplicates,
    get: () => {
      const timestampOf = (key: Buffer): number => schema.startOf(key);
      return kind === 'memory'
        ? new MemoryTimeBytesStore(name, { retentionMs, timestampOf, suffixSize: schema.suffixSize })
        : new TimeIndexedBytesStore(new LevelDbBytesStore(name), { retentionMs, timestampOf });
    },
  };
}

function sessionSupplier(kind: InnerKind, name: string, retentionMs: number): SessionBytesStoreSupplier {
  validateName(name);
  validateDuration(name, 'retentionMs', retentionMs);
  return {
    name,
    persistent: kind === 'persistent',
    retentionMs,
    get: () =>
      kind === 'memory'
        ? new MemoryTimeBytesStore(name, { retentionMs, timestampOf: SessionKeySchema.endOf, suffixSize: SESSION_SUFFIX_SIZE })
        : new TimeIndexedBytesStore(new LevelDbBytesStore(name), { retentionMs, timestampOf: SessionKeySchema.endOf }),
  };
}

function keyValueSupplier(kind: InnerKind, name: string): KeyValueBytesStoreSupplier {
  validateName(name);
  return { name, persistent: kind === 'persistent', get: () => innerStore(kind, name) };
}

/** Store names become directory names under the state dir, so they are kept to a safe alphabet. */
function validateName(name: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `store name "${name}" is invalid: use letters, digits, '.', '_' and '-' (it names a directory)`,
    );
  }
}

function validateDuration(name: string, field: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new VigilError('VIGIL_ERR_CONFIG', `store "${name}": ${field} must be a non-negative integer of milliseconds, got ${value}`);
  }
}

/** Factory for store suppliers and builders (Kafka Streams' `Stores`). */
export const Stores = {
  /** A LevelDB key-value store in `<stateDir>/<name>`. */
  persistentKeyValueStore: (name: string): KeyValueBytesStoreSupplier => keyValueSupplier('persistent', name),
  inMemoryKeyValueStore: (name: string): KeyValueBytesStoreSupplier => keyValueSupplier('memory', name),

  /**
   * A LevelDB window store. Windows whose start is `retentionMs` or more
   * behind the newest start written are dropped; `windowSizeMs` sets the
   * end of the windows it returns.
   */
  persistentWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier =>
    windowSupplier('persistent', name, retentionMs, windowSizeMs, retainDuplicates),
  inMemoryWindowStore: (name: string, retentionMs: number, windowSizeMs: number, retainDuplicates = false): WindowBytesStoreSupplier =>
    windowSupplier('memory', name, retentionMs, windowSizeMs, retainDuplicates),

  /** A LevelDB session store; a session is dropped when its end falls `retentionMs` behind the newest end. */
  persistentSessionStore: (name: string, retentionMs: number): SessionBytesStoreSupplier => sessionSupplier('persistent', name, retentionMs),
  inMemorySessionStore: (name: string, retentionMs: number): SessionBytesStoreSupplier => sessionSupplier('memory', name, retentionMs),

  keyValueStoreBuilder: <K, V>(supplier: KeyValueBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): KeyValueStoreBuilder<K, V> =>
    new KeyValueStoreBuilder(supplier, keySerde, valueSerde),
  windowStoreBuilder: <K, V>(supplier: WindowBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): WindowStoreBuilder<K, V> =>
    new WindowStoreBuilder(supplier, keySerde, valueSerde),
  sessionStoreBuilder: <K, V>(supplier: SessionBytesStoreSupplier, keySerde: Serde<K>, valueSerde: Serde<V>): SessionStoreBuilder<K, V> =>
    new SessionStoreBuilder(supplier, keySerde, valueSerde),
} as const;
