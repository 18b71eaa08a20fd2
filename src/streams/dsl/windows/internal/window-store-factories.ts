import type { StoreType, StreamsConfig } from '../../../config.js';
import { VigilError } from '../../../errors.js';
import type { StoreFactory } from '../../../processor/internal/topology-model.js';
import type { Serde } from '../../../serde/serde.js';
import { Stores } from '../../../state/stores.js';
import type { SessionBytesStoreSupplier, WindowBytesStoreSupplier } from '../../../state/stores.js';
import type { StoreBuilder, StateStore } from '../../../state/types.js';
import type { StoreSupplierLike } from '../../materialized.js';
import { outerJoinKeySerde, unjoinedValuesSerde } from './outer-join-store-serdes.js';

/** What a windowed operator asks of its store; anything unset falls back to the config. */
export interface WindowedStoreSpec<K, V> {
  readonly storeName: string;
  /** A `Stores.*WindowStore` / `Stores.*SessionStore` supplier given through `Materialized.as(supplier)`. */
  readonly supplier?: StoreSupplierLike | undefined;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  readonly storeType?: StoreType | undefined;
  readonly cachingEnabled?: boolean | undefined;
  readonly loggingEnabled?: boolean | undefined;
  readonly retentionMs: number;
  /** Turns the value serde into the serde of what the store holds (e.g. ValueAndTimestamp). */
  readonly wrapValueSerde?: ((serde: Serde<V>) => Serde<unknown>) | undefined;
}

export interface WindowStoreSpec<K, V> extends WindowedStoreSpec<K, V> {
  readonly windowSizeMs: number;
  readonly retainDuplicates: boolean;
}

/**
 * The factory of a DSL window store: the user's supplier if any, else a
 * LevelDB or in-memory store per `storeType ?? config.defaultStoreType`,
 * with caching and logging per the spec or the config. Join stores pass
 * `cachingEnabled: false`: a cache cannot hold duplicates.
 */
export function windowStoreFactory<K, V>(spec: WindowStoreSpec<K, V>): StoreFactory {
  return (config: StreamsConfig): StoreBuilder<StateStore> => {
    const supplier = isWindowSupplier(spec.supplier)
      ? spec.supplier
      : (spec.storeType ?? config.defaultStoreType) === 'memory'
        ? Stores.inMemoryWindowStore(spec.storeName, spec.retentionMs, spec.windowSizeMs, spec.retainDuplicates)
        : Stores.persistentWindowStore(spec.storeName, spec.retentionMs, spec.windowSizeMs, spec.retainDuplicates);
    const builder = Stores.windowStoreBuilder(supplier, keySerdeOf(spec.storeName, spec.keySerde, config), storedValueSerde(spec, config));
    return layered(builder, spec, config);
  };
}

export function sessionStoreFactory<K, V>(spec: WindowedStoreSpec<K, V>): StoreFactory {
  return (config: StreamsConfig): StoreBuilder<StateStore> => {
    const supplier = isSessionSupplier(spec.supplier)
      ? spec.supplier
      : (spec.storeType ?? config.defaultStoreType) === 'memory'
        ? Stores.inMemorySessionStore(spec.storeName, spec.retentionMs)
        : Stores.persistentSessionStore(spec.storeName, spec.retentionMs);
    const builder = Stores.sessionStoreBuilder(supplier, keySerdeOf(spec.storeName, spec.keySerde, config), storedValueSerde(spec, config));
    return layered(builder, spec, config);
  };
}

interface Layered<S extends StateStore> extends StoreBuilder<S> {
  withCachingEnabled(): this;
  withCachingDisabled(): this;
  withLoggingEnabled(): this;
  withLoggingDisabled(): this;
}

function layered<S extends StateStore>(
  builder: Layered<S>,
  layers: { cachingEnabled?: boolean | undefined; loggingEnabled?: boolean | undefined },
  config: StreamsConfig,
): Layered<S> {
  if (layers.cachingEnabled ?? config.cachingEnabled) builder.withCachingEnabled();
  else builder.withCachingDisabled();
  if (layers.loggingEnabled ?? config.loggingEnabled) builder.withLoggingEnabled();
  else builder.withLoggingDisabled();
  return builder;
}

function keySerdeOf<K>(storeName: string, serde: Serde<K> | undefined, config: StreamsConfig): Serde<K> {
  const resolved = serde ?? (config.defaultKeySerde as Serde<K> | undefined);
  if (resolved === undefined) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `Store "${storeName}" needs a key serde: pass one in Grouped/Materialized/StreamJoined or set config.defaultKeySerde.`,
    );
  }
  return resolved;
}

function valueSerdeOf<V>(storeName: string, serde: Serde<V> | undefined, config: StreamsConfig): Serde<V> {
  const resolved = serde ?? (config.defaultValueSerde as Serde<V> | undefined);
  if (resolved === undefined) {
    throw new VigilError(
      'VIGIL_ERR_CONFIG',
      `Store "${storeName}" needs a value serde: pass one in Materialized/StreamJoined or set config.defaultValueSerde.`,
    );
  }
  return resolved;
}

function storedValueSerde<V>(spec: WindowedStoreSpec<unknown, V>, config: StreamsConfig): Serde<unknown> {
  const serde = valueSerdeOf(spec.storeName, spec.valueSerde, config);
  return spec.wrapValueSerde ? spec.wrapValueSerde(serde) : serde;
}

function isWindowSupplier(supplier: StoreSupplierLike | undefined): supplier is WindowBytesStoreSupplier {
  return supplier !== undefined && 'windowSizeMs' in supplier && 'get' in supplier;
}

function isSessionSupplier(supplier: StoreSupplierLike | undefined): supplier is SessionBytesStoreSupplier {
  return supplier !== undefined && 'retentionMs' in supplier && !('windowSizeMs' in supplier) && 'get' in supplier;
}

export interface OuterJoinStoreSpec<K> {
  readonly storeName: string;
  readonly keySerde: Serde<K> | undefined;
  readonly leftValueSerde: Serde<unknown> | undefined;
  readonly rightValueSerde: Serde<unknown> | undefined;
  readonly storeType?: StoreType | undefined;
  readonly loggingEnabled?: boolean | undefined;
}

/**
 * The store of a left/outer join's unmatched records (Kafka Streams'
 * `…-outer-shared-join-store`): a key-value store keyed by
 * (timestamp, side, key), uncached, logged per the spec or the config.
 */
export function outerJoinStoreFactory<K>(spec: OuterJoinStoreSpec<K>): StoreFactory {
  return (config: StreamsConfig): StoreBuilder<StateStore> => {
    const keySerde = keySerdeOf(spec.storeName, spec.keySerde, config);
    const valueSerde = (which: Serde<unknown> | undefined) => valueSerdeOf(spec.storeName, which, config);
    const supplier =
      (spec.storeType ?? config.defaultStoreType) === 'memory'
        ? Stores.inMemoryKeyValueStore(spec.storeName)
        : Stores.persistentKeyValueStore(spec.storeName);
    const builder = Stores.keyValueStoreBuilder(
      supplier,
      outerJoinKeySerde(keySerde),
      unjoinedValuesSerde(valueSerde(spec.leftValueSerde), valueSerde(spec.rightValueSerde)),
    );
    return layered(builder, { cachingEnabled: false, loggingEnabled: spec.loggingEnabled }, config);
  };
}
