import type { StoreType, StreamsConfig } from '../../config.js';
import { VigilError } from '../../errors.js';
import type { StoreFactory } from '../../processor/internal/topology-model.js';
import type { Serde } from '../../serde/serde.js';
import { Stores } from '../../state/index.js';
import type { KeyValueBytesStoreSupplier, KeyValueStore, StoreBuilder } from '../../state/index.js';
import type { Materialized } from '../materialized.js';
import { valueAndTimestampSerde } from '../windows/internal/value-and-timestamp.js';
import type { ValueAndTimestamp } from '../windows/internal/value-and-timestamp.js';

export type { ValueAndTimestamp } from '../windows/internal/value-and-timestamp.js';

/**
 * Builds DSL key-value stores: the one place the DSL meets `Stores`. The
 * store kind is the `Materialized` supplier's, else
 * `materialized.withStoreType`, else `config.defaultStoreType`; caching and
 * logging follow `Materialized`, else the config. Serdes fall back to the
 * config defaults, and a store without serdes fails with VIGIL_ERR_CONFIG
 * naming the store.
 */
export function keyValueStoreFactory<K, V>(
  storeName: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): StoreFactory {
  return (config: StreamsConfig): StoreBuilder<KeyValueStore<K, V>> =>
    build(storeName, materialized, config, serdesOf(storeName, materialized, keySerde, valueSerde, config));
}

/**
 * Like {@link keyValueStoreFactory}, but each value is stored with the
 * timestamp of the record that produced it (Kafka Streams'
 * TimestampedKeyValueStore: 8 bytes of big-endian time, then the value).
 * DSL tables and aggregations use these so their results carry the right
 * time; register them with `Topology.markTimestampedStore`.
 */
export function timestampedKeyValueStoreFactory<K, V>(
  storeName: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
): StoreFactory {
  return (config: StreamsConfig): StoreBuilder<KeyValueStore<K, ValueAndTimestamp<V>>> => {
    const serdes = serdesOf(storeName, materialized, keySerde, valueSerde, config);
    return build(storeName, materialized, config, { key: serdes.key, value: valueAndTimestampSerde(serdes.value) });
  };
}

function build<K, V>(
  storeName: string,
  materialized: Materialized<K, unknown> | undefined,
  config: StreamsConfig,
  serdes: { key: Serde<K>; value: Serde<V> },
): StoreBuilder<KeyValueStore<K, V>> {
  const supplier =
    (materialized?.storeSupplier as KeyValueBytesStoreSupplier | undefined) ??
    keyValueSupplier(storeName, materialized?.storeType ?? config.defaultStoreType);
  const builder = Stores.keyValueStoreBuilder(supplier, serdes.key, serdes.value);
  if (materialized?.cachingEnabled ?? config.cachingEnabled) builder.withCachingEnabled();
  else builder.withCachingDisabled();
  if (materialized?.loggingEnabled ?? config.loggingEnabled) builder.withLoggingEnabled();
  else builder.withLoggingDisabled();
  return builder;
}

function serdesOf<K, V>(
  storeName: string,
  materialized: Materialized<K, V> | undefined,
  keySerde: Serde<K> | undefined,
  valueSerde: Serde<V> | undefined,
  config: StreamsConfig,
): { key: Serde<K>; value: Serde<V> } {
  return {
    key: requireSerde(storeName, 'key', materialized?.keySerde ?? keySerde ?? (config.defaultKeySerde as Serde<K> | undefined)),
    value: requireSerde(storeName, 'value', materialized?.valueSerde ?? valueSerde ?? (config.defaultValueSerde as Serde<V> | undefined)),
  };
}

function keyValueSupplier(name: string, type: StoreType): KeyValueBytesStoreSupplier {
  return type === 'memory' ? Stores.inMemoryKeyValueStore(name) : Stores.persistentKeyValueStore(name);
}

function requireSerde<T>(storeName: string, which: 'key' | 'value', serde: Serde<T> | undefined): Serde<T> {
  if (serde) return serde;
  throw new VigilError(
    'VIGIL_ERR_CONFIG',
    `store "${storeName}" has no ${which} serde; pass it with Materialized.with(keySerde, valueSerde) (or Grouped/Consumed upstream), or set config.default${which === 'key' ? 'Key' : 'Value'}Serde`,
  );
}
