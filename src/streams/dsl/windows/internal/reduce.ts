import type { Aggregator, Initializer, Merger, Reducer } from './functions.js';

/**
 * `reduce` as an aggregation whose first value becomes the aggregate.
 * The processors only see the marker between the initializer and the
 * first aggregator call, so it never reaches a store or a result.
 */
const NO_AGGREGATE: unique symbol = Symbol('no aggregate yet');

export function reduceInitializer<V>(): Initializer<V> {
  return () => NO_AGGREGATE as unknown as V;
}

export function reduceAggregator<K, V>(reducer: Reducer<V>): Aggregator<K, V, V> {
  return (_key, value, aggregate) => ((aggregate as unknown) === NO_AGGREGATE ? value : reducer(aggregate, value));
}

/** Merges two session aggregates with the reducer, skipping the marker (Kafka Streams' mergerForAggregator). */
export function reduceMerger<K, V>(reducer: Reducer<V>): Merger<K, V> {
  return (_key, aggregate1, aggregate2) => ((aggregate1 as unknown) === NO_AGGREGATE ? aggregate2 : reducer(aggregate1, aggregate2));
}
