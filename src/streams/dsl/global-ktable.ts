import type { Serde } from '../serde/serde.js';

/**
 * A table replicated in full to every task, filled from every partition of
 * its topic (Kafka Streams' GlobalKTable). It can only be joined from a
 * stream, through a key selector, so no repartitioning is ever needed.
 */
export class GlobalKTable<K, V> {
  constructor(
    /** The global store holding the table; readable with `driver.getKeyValueStore(storeName)`. */
    readonly storeName: string,
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
  ) {}

  queryableStoreName(): string {
    return this.storeName;
  }
}
