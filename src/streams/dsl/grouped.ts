import type { Serde } from '../serde/serde.js';
import { legalName } from './internal/names.js';

/**
 * Serdes for a grouping, and the name of its repartition topic when one is
 * needed (`<applicationId>-<name>-repartition`). Kafka Streams' `Grouped`.
 */
export class Grouped<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly name: string | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V>(keySerde: Serde<K> | undefined, valueSerde: Serde<V> | undefined): Grouped<K, V> {
    return new Grouped(keySerde, valueSerde, undefined);
  }

  static as<K, V>(name: string): Grouped<K, V> {
    return new Grouped<K, V>(undefined, undefined, legalName(name, 'Grouped'));
  }

  withKeySerde(keySerde: Serde<K>): Grouped<K, V> {
    return new Grouped(keySerde, this.valueSerde, this.name);
  }

  withValueSerde(valueSerde: Serde<V>): Grouped<K, V> {
    return new Grouped(this.keySerde, valueSerde, this.name);
  }

  withName(name: string): Grouped<K, V> {
    return new Grouped(this.keySerde, this.valueSerde, legalName(name, 'Grouped'));
  }
}
