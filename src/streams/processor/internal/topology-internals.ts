import type { Topology } from '../topology.js';
import type { StoreFactory, TopologyPlan } from './topology-model.js';

/**
 * The builder side of a {@link Topology}: what the DSL, the runtime and the
 * test driver need and an application never should. It hangs off the
 * topology under a symbol that only the engine imports (the public barrel
 * does not export it), so the public `Topology` type shows the Processor API
 * and nothing else, as Kafka Streams' does (its InternalTopologyBuilder).
 */
export const TOPOLOGY_INTERNALS: unique symbol = Symbol('vigil.topology.internals');

export interface TopologyInternals {
  /**
   * Adds a store whose builder depends on the final configuration (the DSL,
   * so `defaultStoreType` and caching apply). The factory must return a
   * builder named `name`.
   */
  addStateStoreFactory(name: string, factory: StoreFactory, ...processorNames: string[]): Topology;
  /**
   * Marks a topic the application owns (repartition topics): its name gets
   * the `<applicationId>-` prefix when the topology runs, and the test driver
   * feeds what is produced to it back into the topology.
   */
  addInternalTopic(name: string, options?: { numberOfPartitions?: number | undefined }): Topology;
  /**
   * Marks a key-value store whose values are `ValueAndTimestamp` (the DSL's
   * tables and aggregations); the test driver's `getKeyValueStore` then shows plain values.
   */
  markTimestampedStore(name: string): Topology;
  /**
   * Splits the topology into sub-topologies, numbered as Kafka Streams does,
   * and resolves internal topic names for `applicationId` (bare when undefined).
   */
  plan(applicationId: string | undefined): TopologyPlan;
}

/** The builder side of `topology`. */
export function internalsOf(topology: Topology): TopologyInternals {
  return topology[TOPOLOGY_INTERNALS];
}
