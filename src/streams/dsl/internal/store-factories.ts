import type { StreamsConfig } from '../../config.js';
import type { StoreFactory } from '../../processor/internal/topology-model.js';
import type { Serde } from '../../serde/serde.js';
import type { KeyValue, KeyValueIterator, KeyValueStore, StoreBuilder, StoreContext } from '../../state/types.js';
import type { Materialized } from '../materialized.js';

/**
 * Builds DSL key-value stores. This is the one place the DSL meets the
 * `Stores` factory of `src/streams/state`.
 *
 * TEMPORARY: until `Stores` lands, every DSL store is the small in-memory
 * store below, whatever `defaultStoreType` says.
 */
export function keyValueStoreFactory<K, V>(
  storeName: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  _valueSerde: Serde<V> | undefined,
): StoreFactory {
  return (config: StreamsConfig): StoreBuilder<KeyValueStore<K, V>> => {
    const kSerde = materialized?.keySerde ?? keySerde ?? (config.defaultKeySerde as Serde<K> | undefined);
    if (!kSerde) throw new Error(`store "${storeName}" needs a key serde; pass Materialized.with(keySerde, valueSerde) or set config.defaultKeySerde`);
    const logging = materialized?.loggingEnabled ?? config.loggingEnabled;
    return { name: storeName, loggingEnabled: logging, build: () => new SimpleMemoryKeyValueStore<K, V>(storeName, kSerde) };
  };
}

class SimpleMemoryKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly persistent = false;
  private readonly entries = new Map<string, { key: K; bytes: Buffer; value: V }>();
  private open = false;

  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
  ) {}

  async init(_context: StoreContext): Promise<void> {
    this.open = true;
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {
    this.open = false;
  }
  isOpen(): boolean {
    return this.open;
  }
  async restore(): Promise<void> {}

  private id(key: K): { id: string; bytes: Buffer } {
    const bytes = this.keySerde.serialize(this.name, key) ?? Buffer.alloc(0);
    return { id: bytes.toString('hex'), bytes };
  }

  async get(key: K): Promise<V | undefined> {
    return this.entries.get(this.id(key).id)?.value;
  }
  async put(key: K, value: V | null): Promise<void> {
    const { id, bytes } = this.id(key);
    if (value === null || value === undefined) this.entries.delete(id);
    else this.entries.set(id, { key, bytes, value });
  }
  async putIfAbsent(key: K, value: V): Promise<V | undefined> {
    const old = await this.get(key);
    if (old === undefined) await this.put(key, value);
    return old;
  }
  async putAll(entries: ReadonlyArray<KeyValue<K, V | null>>): Promise<void> {
    for (const e of entries) await this.put(e.key, e.value);
  }
  async delete(key: K): Promise<V | undefined> {
    const old = await this.get(key);
    this.entries.delete(this.id(key).id);
    return old;
  }
  range(from?: K, to?: K): KeyValueIterator<K, V> {
    const lo = from === undefined ? undefined : this.id(from).bytes;
    const hi = to === undefined ? undefined : this.id(to).bytes;
    return this.iterate((b) => (lo === undefined || Buffer.compare(b, lo) >= 0) && (hi === undefined || Buffer.compare(b, hi) <= 0));
  }
  prefixScan<P>(prefix: P, prefixSerializer: (p: P) => Buffer): KeyValueIterator<K, V> {
    const p = prefixSerializer(prefix);
    return this.iterate((b) => b.subarray(0, p.length).equals(p));
  }
  all(): KeyValueIterator<K, V> {
    return this.iterate(() => true);
  }
  async approximateNumEntries(): Promise<number> {
    return this.entries.size;
  }
  private iterate(keep: (bytes: Buffer) => boolean): KeyValueIterator<K, V> {
    const rows = [...this.entries.values()].filter((e) => keep(e.bytes)).sort((a, b) => Buffer.compare(a.bytes, b.bytes));
    return (async function* () {
      for (const r of rows) yield { key: r.key, value: r.value };
    })();
  }
}
