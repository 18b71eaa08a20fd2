import { VigilError } from '../errors.js';
import type { Serde } from '../serde/serde.js';
import type { StateStore, StoreBuilder } from '../state/types.js';
import type { TimestampExtractor } from '../time/timestamp-extractor.js';
import type { ProcessorSupplier } from './processor.js';
import type {
  NodeDef,
  ProcessorNodeDef,
  SourceNodeDef,
  StoreDef,
  StoreFactory,
  StreamPartitioner,
  SubtopologyPlan,
  TopicNameExtractor,
  TopologyPlan,
} from './internal/topology-model.js';
import { describeTopology } from './topology-description.js';
import type { TopologyDescription } from './topology-description.js';
import { TOPOLOGY_INTERNALS, type TopologyInternals } from './internal/topology-internals.js';

export type { StreamPartitioner, TopicNameExtractor } from './internal/topology-model.js';

/** How a source node reads: a list of topics or a pattern, with the serdes to read them. */
export interface SourceOptions<K = unknown, V = unknown> {
  readonly topics?: readonly string[];
  readonly topicPattern?: RegExp;
  /** Defaults to `config.defaultKeySerde`. */
  readonly keySerde?: Serde<K>;
  /** Defaults to `config.defaultValueSerde`. */
  readonly valueSerde?: Serde<V>;
  /** Defaults to `config.defaultTimestampExtractor`. */
  readonly timestampExtractor?: TimestampExtractor<K, V>;
}

export interface SinkOptions<K = unknown, V = unknown> {
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly partitioner?: StreamPartitioner<K, V>;
}

export interface GlobalSourceOptions<K = unknown, V = unknown> {
  readonly topic: string;
  readonly keySerde?: Serde<K>;
  readonly valueSerde?: Serde<V>;
  readonly timestampExtractor?: TimestampExtractor<K, V>;
}

/**
 * A graph of source, processor and sink nodes with state stores attached:
 * the Processor API, and what the DSL lowers to. Nodes connected through
 * parent links or shared stores form a sub-topology; each sub-topology runs
 * as one task per input partition (`<subtopology>_<partition>`).
 *
 * Every `add*` method validates immediately and throws VIGIL_ERR_TOPOLOGY,
 * so a mistake points at the call that made it. Methods return `this` for
 * chaining.
 */
export class Topology {
  /** The builder side, for the engine only (see topology-internals.ts). */
  readonly [TOPOLOGY_INTERNALS]: TopologyInternals = {
    addStateStoreFactory: (name, factory, ...processorNames) => this.addStateStoreFactory(name, factory, ...processorNames),
    addInternalTopic: (name, options) => this.addInternalTopic(name, options),
    markTimestampedStore: (name) => this.markTimestampedStore(name),
    plan: (applicationId) => this.plan(applicationId),
  };

  private readonly nodes = new Map<string, NodeDef>();
  private readonly globalNodes = new Set<string>();
  private readonly stores = new Map<string, StoreDef>();
  private readonly topicToSource = new Map<string, string>();
  private readonly internalTopics = new Set<string>();
  private readonly timestamped = new Set<string>();
  private readonly internalPartitions = new Map<string, number>();

  addSource<K, V>(name: string, options: SourceOptions<K, V> | string | readonly string[]): this {
    const opts: SourceOptions<K, V> = typeof options === 'string' ? { topics: [options] } : isTopicList(options) ? { topics: options } : options;
    this.checkNewNode(name);
    const topics = opts.topics ?? [];
    if ((topics.length === 0) === (opts.topicPattern === undefined)) {
      throw topologyError(`source "${name}" needs either a non-empty topics list or a topicPattern, not both and not neither`);
    }
    for (const topic of topics) this.claimTopic(topic, name);
    const node: SourceNodeDef = {
      kind: 'source',
      name,
      topics: [...topics],
      pattern: opts.topicPattern,
      keySerde: opts.keySerde as Serde<unknown> | undefined,
      valueSerde: opts.valueSerde as Serde<unknown> | undefined,
      timestampExtractor: opts.timestampExtractor as TimestampExtractor | undefined,
    };
    this.nodes.set(name, node);
    return this;
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parentNames: string[]
  ): this {
    this.checkNewNode(name);
    if (typeof supplier !== 'function') throw topologyError(`processor "${name}" needs a supplier function that returns a new Processor`);
    this.checkParents(name, parentNames);
    this.nodes.set(name, {
      kind: 'processor',
      name,
      supplier: supplier as unknown as ProcessorSupplier,
      parents: [...parentNames],
      stores: new Set(),
    });
    return this;
  }

  /** Adds a store and connects it to the named processors (more can be connected later). */
  addStateStore<S extends StateStore>(storeBuilder: StoreBuilder<S>, ...processorNames: string[]): this {
    return this.addStateStoreFactory(storeBuilder.name, () => storeBuilder, ...processorNames);
  }

  /** See {@link TopologyInternals.addStateStoreFactory}. */
  private addStateStoreFactory(name: string, factory: StoreFactory, ...processorNames: string[]): this {
    if (!name) throw topologyError('a state store needs a non-empty name');
    if (this.stores.has(name)) throw topologyError(`state store "${name}" is already added; store names must be unique`);
    this.stores.set(name, { name, factory, global: false });
    this.connectProcessorAndStateStores(name, ...processorNames);
    return this;
  }

  /** Connects existing processors to an existing store. Note the argument order: store first. */
  connectProcessorAndStateStores(storeName: string, ...processorNames: string[]): this {
    const store = this.stores.get(storeName);
    if (!store) throw topologyError(`state store "${storeName}" is not added; call addStateStore first`);
    if (store.global) throw topologyError(`global store "${storeName}" cannot be connected; every processor can read it`);
    for (const p of processorNames) {
      const node = this.nodes.get(p);
      if (!node) throw topologyError(`processor "${p}" is not added, so store "${storeName}" cannot be connected to it`);
      if (node.kind !== 'processor' || this.globalNodes.has(p)) {
        throw topologyError(`store "${storeName}" can only be connected to processors, not to ${node.kind} "${p}"`);
      }
      node.stores.add(storeName);
    }
    return this;
  }

  /** A sink writes to a fixed topic or to one chosen per record. */
  addSink<K, V>(
    name: string,
    topic: string | TopicNameExtractor<K, V>,
    options: SinkOptions<K, V>,
    ...parentNames: string[]
  ): this {
    this.checkNewNode(name);
    if (typeof topic === 'string' ? topic === '' : typeof topic !== 'function') {
      throw topologyError(`sink "${name}" needs a topic name or a topic-name extractor function`);
    }
    this.checkParents(name, parentNames);
    this.nodes.set(name, {
      kind: 'sink',
      name,
      topic: topic as string | TopicNameExtractor,
      keySerde: options.keySerde as Serde<unknown> | undefined,
      valueSerde: options.valueSerde as Serde<unknown> | undefined,
      partitioner: options.partitioner as StreamPartitioner | undefined,
      parents: [...parentNames],
    });
    return this;
  }

  /**
   * A global store is filled from every partition of `source.topic` by the
   * state-update processor, and every task can read it without being
   * connected to it (GlobalKTable). The update processor must not forward.
   * The store's builder should have logging disabled: the source topic is
   * its changelog.
   */
  addGlobalStore<K, V, S extends StateStore>(
    storeBuilder: StoreBuilder<S> | { name: string; factory: StoreFactory },
    sourceName: string,
    source: GlobalSourceOptions<K, V>,
    processorName: string,
    stateUpdateSupplier: ProcessorSupplier<K, V, void, void>,
  ): this {
    const storeName = storeBuilder.name;
    const factory: StoreFactory = 'factory' in storeBuilder ? storeBuilder.factory : () => storeBuilder;
    if (this.stores.has(storeName)) throw topologyError(`state store "${storeName}" is already added; store names must be unique`);
    if (sourceName === processorName) throw topologyError(`global source and processor need different names, both are "${sourceName}"`);
    this.addSource(sourceName, {
      topics: [source.topic],
      ...(source.keySerde ? { keySerde: source.keySerde } : {}),
      ...(source.valueSerde ? { valueSerde: source.valueSerde } : {}),
      ...(source.timestampExtractor ? { timestampExtractor: source.timestampExtractor } : {}),
    });
    this.addProcessor(processorName, stateUpdateSupplier, sourceName);
    this.globalNodes.add(sourceName).add(processorName);
    this.stores.set(storeName, { name: storeName, factory, global: true });
    (this.nodes.get(processorName) as ProcessorNodeDef).stores.add(storeName);
    return this;
  }

  /** See {@link TopologyInternals.addInternalTopic}. */
  private addInternalTopic(name: string, options: { numberOfPartitions?: number | undefined } = {}): this {
    this.internalTopics.add(name);
    if (options.numberOfPartitions !== undefined) {
      if (!Number.isInteger(options.numberOfPartitions) || options.numberOfPartitions < 1) {
        throw topologyError(`internal topic "${name}" needs a positive integer number of partitions, got ${options.numberOfPartitions}`);
      }
      this.internalPartitions.set(name, options.numberOfPartitions);
    }
    return this;
  }

  /** See {@link TopologyInternals.markTimestampedStore}. */
  private markTimestampedStore(name: string): this {
    this.timestamped.add(name);
    return this;
  }

  describe(): TopologyDescription {
    return describeTopology(this.plan(undefined));
  }

  /** Names of all added stores. */
  storeNames(): string[] {
    return [...this.stores.keys()];
  }

  /**
   * Splits the topology into sub-topologies, numbered as Kafka Streams does
   * (source names in sorted order first, then the other nodes), and resolves
   * internal topic names for `applicationId` (left bare when undefined).
   */
  private plan(applicationId: string | undefined): TopologyPlan {
    const resolveTopic = (t: string): string => (applicationId !== undefined && this.internalTopics.has(t) ? `${applicationId}-${t}` : t);
    const groups = this.nodeGroups();
    const childrenOf = new Map<string, string[]>();
    for (const node of this.nodes.values()) {
      if (node.kind === 'source') continue;
      for (const p of node.parents) {
        const list = childrenOf.get(p) ?? [];
        list.push(node.name);
        childrenOf.set(p, list);
      }
    }
    const makePlan = (id: number | 'global', names: ReadonlySet<string>): SubtopologyPlan => {
      const nodes = [...this.nodes.values()].filter((n) => names.has(n.name));
      const storeNames = new Set(nodes.flatMap((n) => (n.kind === 'processor' ? [...n.stores] : [])));
      const sources = nodes.filter((n): n is SourceNodeDef => n.kind === 'source');
      return {
        id,
        nodes,
        children: new Map(nodes.map((n) => [n.name, childrenOf.get(n.name) ?? []])),
        stores: [...this.stores.values()].filter((s) => storeNames.has(s.name)),
        sourceTopics: sources.flatMap((s) => s.topics.map(resolveTopic)),
        sourcePatterns: sources.flatMap((s) => (s.pattern ? [s.pattern] : [])),
        resolveTopic,
      };
    };
    return {
      subtopologies: groups.map((g, i) => makePlan(i, g)),
      global: this.globalNodes.size > 0 ? makePlan('global', this.globalNodes) : undefined,
      internalTopics: [...this.internalTopics].map(resolveTopic),
      timestampedStores: [...this.timestamped],
      internalTopicPartitions: new Map([...this.internalPartitions].map(([t, n]) => [resolveTopic(t), n])),
    };
  }

  private nodeGroups(): Set<string>[] {
    const parent = new Map<string, string>();
    const find = (x: string): string => {
      let root = x;
      while (parent.get(root) !== root) root = parent.get(root) as string;
      parent.set(x, root);
      return root;
    };
    const unite = (a: string, b: string): void => {
      parent.set(find(a), find(b));
    };
    const regular = [...this.nodes.values()].filter((n) => !this.globalNodes.has(n.name));
    for (const n of regular) parent.set(n.name, n.name);
    const storeOwner = new Map<string, string>();
    for (const n of regular) {
      if (n.kind === 'source') continue;
      for (const p of n.parents) unite(n.name, p);
      if (n.kind === 'processor') {
        for (const s of n.stores) {
          const owner = storeOwner.get(s);
          if (owner === undefined) storeOwner.set(s, n.name);
          else unite(n.name, owner);
        }
      }
    }
    const byRoot = new Map<string, Set<string>>();
    const ordered = [
      ...regular.filter((n) => n.kind === 'source').map((n) => n.name).sort(),
      ...regular.filter((n) => n.kind !== 'source').map((n) => n.name).sort(),
    ];
    for (const name of ordered) {
      const root = find(name);
      const group = byRoot.get(root) ?? new Set<string>();
      group.add(name);
      byRoot.set(root, group);
    }
    return [...byRoot.values()];
  }

  private checkNewNode(name: string): void {
    if (typeof name !== 'string' || name === '') throw topologyError('a node needs a non-empty name');
    if (this.nodes.has(name)) throw topologyError(`a node named "${name}" is already added; node names must be unique`);
  }

  private checkParents(name: string, parentNames: readonly string[]): void {
    if (parentNames.length === 0) throw topologyError(`"${name}" needs at least one parent node`);
    for (const p of parentNames) {
      if (p === name) throw topologyError(`"${name}" cannot be its own parent`);
      const parent = this.nodes.get(p);
      if (!parent) throw topologyError(`parent "${p}" of "${name}" is not added; add parents before their children`);
      if (parent.kind === 'sink') throw topologyError(`sink "${p}" cannot be the parent of "${name}"; sinks have no children`);
      if (this.globalNodes.has(p)) throw topologyError(`global node "${p}" cannot be the parent of "${name}"`);
    }
  }

  private claimTopic(topic: string, sourceName: string): void {
    const owner = this.topicToSource.get(topic);
    if (owner !== undefined) {
      throw topologyError(`topic "${topic}" is already read by source "${owner}"; a topic can feed only one source node`);
    }
    this.topicToSource.set(topic, sourceName);
  }
}

function isTopicList(o: unknown): o is readonly string[] {
  return Array.isArray(o);
}

function topologyError(message: string): VigilError {
  return new VigilError('VIGIL_ERR_TOPOLOGY', `Invalid topology: ${message}.`);
}

