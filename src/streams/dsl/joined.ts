import type { Serde } from '../serde/serde.js';
import { legalName } from './internal/names.js';

/** Serdes of a stream–table join: the stream's key and value, and the table's value (Kafka Streams' `Joined`). */
export class Joined<K, V, VT> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly otherValueSerde: Serde<VT> | undefined,
    /** Names the join node and, when the stream is repartitioned first, its topic. */
    readonly name: string | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V, VT>(keySerde: Serde<K>, valueSerde: Serde<V>, otherValueSerde?: Serde<VT>): Joined<K, V, VT> {
    return new Joined(keySerde, valueSerde, otherValueSerde, undefined);
  }

  static as<K, V, VT>(name: string): Joined<K, V, VT> {
    return new Joined<K, V, VT>(undefined, undefined, undefined, legalName(name, 'Joined'));
  }

  withName(name: string): Joined<K, V, VT> {
    return new Joined(this.keySerde, this.valueSerde, this.otherValueSerde, legalName(name, 'Joined'));
  }
}
