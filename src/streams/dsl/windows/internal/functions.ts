/**
 * The user functions windowed operators call. They are structural, so the
 * matching types of the rest of the DSL are accepted as they are.
 */
export type Initializer<VA> = () => VA;
export type Aggregator<K, V, VA> = (key: K, value: V, aggregate: VA) => VA;
/** Combines two session aggregates when a record bridges their sessions. */
export type Merger<K, VA> = (key: K, aggregate1: VA, aggregate2: VA) => VA;
export type Reducer<V> = (aggregate: V, value: V) => V;
/** Joins two values; on the outer side of a left/outer join one of them is null. */
export type ValueJoiner<V1, V2, VR> = (value1: V1, value2: V2) => VR;
