import type { StoreType } from '../config.js';
import type { Serde } from '../serde/serde.js';
import { legalName } from './internal/names.js';

/**
 * A store supplier from the `Stores` factory (in-memory or LevelDB, key-value,
 * window or session). Only its name matters to the DSL; the store factory
 * hands it to `Stores.*StoreBuilder`.
 */
export interface StoreSupplierLike {
  readonly name: string;
}

/**
 * How a DSL operator's state is kept (Kafka Streams' `Materialized`): the
 * store's name (which makes it queryable through the test driver and the
 * runtime), its serdes, its kind and its layers. Anything left unset takes
 * the upstream serdes and the config defaults (`defaultStoreType`,
 * `cachingEnabled`, `loggingEnabled`).
 */
export class Materialized<K, V> {
  private constructor(
    readonly storeName: string | undefined,
    readonly storeSupplier: StoreSupplierLike | undefined,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly storeType: StoreType | undefined,
    readonly cachingEnabled: boolean | undefined,
    readonly loggingEnabled: boolean | undefined,
    /** Window and session stores keep data this long (at least window size + grace). */
    readonly retentionMs: number | undefined,
  ) {
    Object.freeze(this);
  }

  /** A named store, or a store supplier from `Stores` (e.g. `Stores.inMemoryKeyValueStore('counts')`). */
  static as<K, V>(nameOrSupplier: string | StoreSupplierLike): Materialized<K, V> {
    return typeof nameOrSupplier === 'string'
      ? new Materialized<K, V>(legalName(nameOrSupplier, 'Materialized'), undefined, undefined, undefined, undefined, undefined, undefined, undefined)
      : new Materialized<K, V>(nameOrSupplier.name, nameOrSupplier, undefined, undefined, undefined, undefined, undefined, undefined);
  }

  static with<K, V>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined): Materialized<K, V> {
    return new Materialized(undefined, undefined, keySerde, valueSerde, undefined, undefined, undefined, undefined);
  }

  withKeySerde(keySerde: Serde<K>): Materialized<K, V> {
    return this.copy({ keySerde });
  }

  withValueSerde(valueSerde: Serde<V>): Materialized<K, V> {
    return this.copy({ valueSerde });
  }

  /** Overrides `config.defaultStoreType` for this store (ignored when a supplier was given). */
  withStoreType(storeType: StoreType): Materialized<K, V> {
    return this.copy({ storeType });
  }

  withCachingEnabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: true });
  }

  withCachingDisabled(): Materialized<K, V> {
    return this.copy({ cachingEnabled: false });
  }

  withLoggingEnabled(): Materialized<K, V> {
    return this.copy({ loggingEnabled: true });
  }

  withLoggingDisabled(): Materialized<K, V> {
    return this.copy({ loggingEnabled: false });
  }

  withRetention(retentionMs: number): Materialized<K, V> {
    return this.copy({ retentionMs });
  }

  private copy(changes: Partial<Pick<Materialized<K, V>, 'keySerde' | 'valueSerde' | 'storeType' | 'cachingEnabled' | 'loggingEnabled' | 'retentionMs'>>): Materialized<K, V> {
    const m = { ...this, ...changes };
    return new Materialized(m.storeName, m.storeSupplier, m.keySerde, m.valueSerde, m.storeType, m.cachingEnabled, m.loggingEnabled, m.retentionMs);
  }
}
