import type { StreamPartitioner } from '../processor/topology.js';
import type { Serde } from '../serde/serde.js';
import { legalName } from './internal/names.js';

/** Options of `KStream.repartition` (Kafka Streams' `Repartitioned`). */
export class Repartitioned<K, V> {
  private constructor(
    readonly keySerde: Serde<K> | undefined,
    readonly valueSerde: Serde<V> | undefined,
    readonly name: string | undefined,
    readonly partitioner: StreamPartitioner<K, V> | undefined,
    /** The runtime creates the topic with this many partitions (`plan.internalTopicPartitions`); the test driver ignores it. */
    readonly numberOfPartitions: number | undefined,
  ) {
    Object.freeze(this);
  }

  static with<K, V>(keySerde: Serde<K>, valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(keySerde, valueSerde, undefined, undefined, undefined);
  }

  static as<K, V>(name: string): Repartitioned<K, V> {
    return new Repartitioned<K, V>(undefined, undefined, legalName(name, 'Repartitioned'), undefined, undefined);
  }

  withKeySerde(keySerde: Serde<K>): Repartitioned<K, V> {
    return new Repartitioned(keySerde, this.valueSerde, this.name, this.partitioner, this.numberOfPartitions);
  }

  withValueSerde(valueSerde: Serde<V>): Repartitioned<K, V> {
    return new Repartitioned(this.keySerde, valueSerde, this.name, this.partitioner, this.numberOfPartitions);
  }

  withName(name: string): Repartitioned<K, V> {
    return new Repartitioned(this.keySerde, this.valueSerde, legalName(name, 'Repartitioned'), this.partitioner, this.numberOfPartitions);
  }

  withStreamPartitioner(partitioner: StreamPartitioner<K, V>): Repartitioned<K, V> {
    return new Repartitioned(this.keySerde, this.valueSerde, this.name, partitioner, this.numberOfPartitions);
  }

  withNumberOfPartitions(n: number): Repartitioned<K, V> {
    return new Repartitioned(this.keySerde, this.valueSerde, this.name, this.partitioner, n);
  }
}
