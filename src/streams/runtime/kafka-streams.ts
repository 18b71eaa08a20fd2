import { streamsConfig } from '../config.js';
import type { StreamsConfig } from '../config.js';
import { VigilError } from '../errors.js';
import type { TopologyPlan } from '../processor/internal/topology-model.js';
import type { Topology } from '../processor/topology.js';
import type { KeyValueIterator, ReadOnlyKeyValueStore, ReadOnlyWindowStore, StateStore, Windowed } from '../state/types.js';
import type { TimerHandle } from '../time/timers.js';
import { connectAdmin, connectConsumer, connectProducer } from '../kafka/index.js';
import type { KafkaAdmin, KafkaConnectionOptions, KafkaConsumer, KafkaProducer } from '../kafka/index.js';
import { kafkaStreamsOptions } from './options.js';
import type { KafkaStreamsConfigInput, KafkaStreamsOptions } from './options.js';
import { GlobalStateManager } from './global-state.js';
import { StreamThread } from './stream-thread.js';
import { planTopicLayout, resolveSourcePatterns } from './topic-layout.js';
import type { TopicLayout } from './topic-layout.js';
import { TOPOLOGY_INTERNALS } from '../processor/internal/topology-internals.js';

/**
 * Kafka Streams' states. CREATED → REBALANCING ⇄ RUNNING → PENDING_SHUTDOWN
 * → NOT_RUNNING; any state but NOT_RUNNING → ERROR on a fatal error (the
 * instance then releases its partitions; create a new one to resume).
 */
export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR';

export type StateListener = (newState: KafkaStreamsState, oldState: KafkaStreamsState) => void;

/** How long close() after ERROR waits for the abandoned tasks before disconnecting anyway. */
const ABANDON_WAIT_MS = 5_000;

const TRANSITIONS: Record<KafkaStreamsState, readonly KafkaStreamsState[]> = {
  CREATED: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  REBALANCING: ['RUNNING', 'PENDING_SHUTDOWN', 'ERROR'],
  RUNNING: ['REBALANCING', 'PENDING_SHUTDOWN', 'ERROR'],
  PENDING_SHUTDOWN: ['NOT_RUNNING'],
  NOT_RUNNING: [],
  ERROR: ['PENDING_SHUTDOWN'],
};

/**
 * Runs a Topology on a Kafka cluster: the consumer group is the
 * `applicationId`, internal topics are `<applicationId>-…`, and each
 * (sub-topology, partition) is a StreamTask whose logged stores are backed
 * by compacted changelog topics.
 *
 * Lifecycle: `new` (CREATED) → `await start()` (creates internal topics,
 * joins the group; REBALANCING until the assigned tasks are restored, then
 * RUNNING) → `await close()` (commits, writes checkpoints, leaves the
 * group; NOT_RUNNING). A fatal error moves to ERROR and is passed to the
 * error listener; `close()` is still required afterwards.
 */
export class KafkaStreams {
  readonly config: StreamsConfig;
  readonly options: KafkaStreamsOptions;
  private readonly plan: TopologyPlan;
  private current: KafkaStreamsState = 'CREATED';
  private readonly stateListeners: StateListener[] = [];
  private readonly errorListeners: Array<(error: VigilError) => void> = [];
  private admin: KafkaAdmin | undefined;
  private consumer: KafkaConsumer | undefined;
  private producer: KafkaProducer | undefined;
  private thread: StreamThread | undefined;
  private global: GlobalStateManager | undefined;
  private topicLayout: TopicLayout | undefined;
  private closing: Promise<void> | undefined;
  /** Set once a fatal error started dropping the tasks; close() waits for it. */
  private abandoning: Promise<void> | undefined;

  constructor(
    private readonly topology: Topology,
    config: KafkaStreamsConfigInput,
  ) {
    const { streams, runtime } = kafkaStreamsOptions(config);
    this.config = streamsConfig(streams);
    this.options = runtime;
    this.plan = topology[TOPOLOGY_INTERNALS].plan(this.config.applicationId);
  }

  get state(): KafkaStreamsState {
    return this.current;
  }

  /** Called on every state change, synchronously. */
  onStateChange(listener: StateListener): this {
    this.stateListeners.push(listener);
    return this;
  }

  /** Called once when the instance moves to ERROR. */
  onError(listener: (error: VigilError) => void): this {
    this.errorListeners.push(listener);
    return this;
  }

  /** The topics, partition counts and changelogs computed at start (undefined before). */
  get layout(): TopicLayout | undefined {
    return this.topicLayout;
  }

  /** Ids of the tasks this instance runs now (`<subtopology>_<partition>`). */
  localTaskIds(): string[] {
    return this.thread?.taskIds() ?? [];
  }

  /** Resolves when the instance reaches `state` (or rejects after `timeoutMs`, or when it reaches ERROR instead). */
  waitForState(state: KafkaStreamsState, timeoutMs = 60_000): Promise<void> {
    if (this.current === state) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        remove();
        reject(new VigilError('VIGIL_ERR_ILLEGAL_STATE', `KafkaStreams did not reach ${state} within ${timeoutMs} ms (it is ${this.current}); check the broker and the logs`));
      }, timeoutMs);
      const listener: StateListener = (next) => {
        if (next === state || next === 'ERROR') {
          clearTimeout(timer);
          remove();
          if (next === state) resolve();
          else reject(new VigilError('VIGIL_ERR_ILLEGAL_STATE', `KafkaStreams moved to ERROR while waiting for ${state}; see the error listener`));
        }
      };
      const remove = (): void => {
        const i = this.stateListeners.indexOf(listener);
        if (i >= 0) this.stateListeners.splice(i, 1);
      };
      this.stateListeners.push(listener);
    });
  }

  /**
   * Checks the topology against the cluster (source topics exist and are
   * co-partitioned), creates the repartition, changelog and dead-letter
   * topics, then joins the group. Resolves once joined and fetching; the
   * state moves to RUNNING when the first assignment is restored.
   */
  async start(): Promise<void> {
    if (this.current !== 'CREATED') {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `start() was called in state ${this.current}; a KafkaStreams instance starts once, create a new one`);
    }
    this.transition('REBALANCING');
    const { applicationId } = this.config;
    const connection: KafkaConnectionOptions = {
      brokers: [...this.options.brokers],
      clientId: `${applicationId}-${this.options.instanceId}`,
      logger: this.options.logger,
      ...(this.options.tls !== undefined ? { tls: this.options.tls } : {}),
      ...(this.options.sasl !== undefined ? { sasl: this.options.sasl } : {}),
    };
    try {
      this.admin = await connectAdmin(connection);
      const layout = await this.prepareTopics(this.admin);
      this.topicLayout = layout;
      // Global stores are complete before any task reads them, as in Kafka Streams.
      if (this.plan.global) {
        this.global = new GlobalStateManager({ plan: this.plan.global, config: this.config, options: this.options, connection, admin: this.admin });
        await this.global.start();
      }
      const exactlyOnce = this.options.processingGuarantee === 'exactly_once';
      this.producer = await connectProducer(connection, exactlyOnce ? { transactionalId: `${applicationId}-${this.options.instanceId}` } : { idempotent: true });
      this.consumer = await connectConsumer(connection, {
        groupId: applicationId,
        isolation: exactlyOnce ? 'read_committed' : 'read_uncommitted',
        sessionTimeoutMs: this.options.sessionTimeoutMs,
        heartbeatIntervalMs: this.options.heartbeatIntervalMs,
        maxWaitTimeMs: this.options.fetchMaxWaitMs,
        copartitioned: true,
        // Read at each join; before the thread exists the member has nothing to report.
        subscriptionUserData: () => this.thread?.subscriptionUserData() ?? Buffer.alloc(0),
      });
      this.thread = new StreamThread({
        config: this.config,
        options: this.options,
        plan: this.plan,
        layout,
        connection,
        admin: this.admin,
        consumer: this.consumer,
        producer: this.producer,
        onFatal: (error) => this.onFatal(error),
        onRebalance: (inProgress) => {
          if (this.current === 'RUNNING' || this.current === 'REBALANCING') this.transition(inProgress ? 'REBALANCING' : 'RUNNING');
        },
        globalStores: this.global?.stores,
      });
      await this.thread.start();
    } catch (error) {
      await this.disconnect();
      const e =
        error instanceof VigilError
          ? error
          : new VigilError('VIGIL_ERR_ILLEGAL_STATE', `KafkaStreams could not start: ${error instanceof Error ? error.message : String(error)}; check that the brokers are reachable`, { cause: error });
      this.onFatal(e);
      throw e;
    }
  }

  /** Commits, closes tasks cleanly (writing checkpoints), leaves the group and disconnects. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  /**
   * A read-only view of the key-value store `name` across this instance's
   * tasks (interactive queries). `get` asks each local task that has the
   * store; `range`/`all` walk them one after another (ordered within a
   * task). Only keys of locally assigned partitions are visible. DSL stores
   * keep a value with its timestamp; this view returns the plain value, as
   * Kafka Streams' `QueryableStoreTypes.keyValueStore()` does
   * (see {@link timestampedKeyValueStore}).
   */
  keyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    return kvView<K, V>(() => this.localStores(name) as unknown as Array<ReadOnlyKeyValueStore<K, unknown>>, unwrapTimestamped as (v: unknown) => V);
  }

  /** Like {@link keyValueStore}, but values are returned as stored (`{ value, timestamp }` for DSL stores). */
  timestampedKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    return kvView<K, V>(() => this.localStores(name) as unknown as Array<ReadOnlyKeyValueStore<K, unknown>>, (v) => v as V);
  }

  /** A read-only view of the window store `name` across this instance's tasks (plain values, as {@link keyValueStore}). */
  windowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> {
    const stores = (): Array<ReadOnlyWindowStore<K, unknown>> => this.localStores(name) as unknown as Array<ReadOnlyWindowStore<K, unknown>>;
    const un = unwrapTimestamped as (v: unknown) => V;
    return {
      async fetch(key, windowStart) {
        for (const s of stores()) {
          const v = await s.fetch(key, windowStart);
          if (v !== undefined) return un(v);
        }
        return undefined;
      },
      fetchRange: (key, from, to) => mapValues(concat(stores().map((s) => () => s.fetchRange(key, from, to))), un),
      fetchAll: (from, to) => mapValues(concat<Windowed<K>, unknown>(stores().map((s) => () => s.fetchAll(from, to))), un),
      all: () => mapValues(concat<Windowed<K>, unknown>(stores().map((s) => () => s.all())), un),
    };
  }

  private localStores(name: string): StateStore[] {
    if (!this.topology.storeNames().includes(name)) {
      throw new VigilError('VIGIL_ERR_STORE_NOT_FOUND', `the topology has no store "${name}"; its stores are [${this.topology.storeNames().join(', ')}]`);
    }
    if (this.current !== 'RUNNING' && this.current !== 'REBALANCING') {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `store "${name}" can be queried only while the instance runs (it is ${this.current}); wait for RUNNING`, { canRetry: true });
    }
    return this.thread?.storesNamed(name) ?? [];
  }

  private async prepareTopics(admin: KafkaAdmin): Promise<TopicLayout> {
    const internal = new Set(this.plan.internalTopics);
    const external = new Map<string, number>();
    for (const sub of [...this.plan.subtopologies, ...(this.plan.global ? [this.plan.global] : [])]) {
      for (const topic of sub.sourceTopics) {
        if (internal.has(topic) || external.has(topic)) continue;
        const n = await admin.partitionCount(topic);
        if (n > 0) external.set(topic, n);
      }
    }
    // Pattern subscriptions are resolved once, here: the matching topics become ordinary sources (co-partitioning applies).
    let patternSources = new Map<number, string[]>();
    if (this.plan.subtopologies.some((s) => s.sourcePatterns.length > 0)) {
      const exclude = this.config.deadLetterTopic !== undefined ? [this.config.deadLetterTopic] : [];
      patternSources = resolveSourcePatterns(this.plan, this.config.applicationId, await admin.listTopics(), exclude);
      for (const topic of [...patternSources.values()].flat()) {
        if (external.has(topic)) continue;
        const n = await admin.partitionCount(topic);
        if (n > 0) external.set(topic, n);
      }
    }
    const logged = new Map<number, string[]>();
    for (const sub of this.plan.subtopologies) {
      const names = sub.stores.filter((s) => !s.global && s.factory(this.config).loggingEnabled).map((s) => s.name);
      logged.set(sub.id as number, names);
    }
    const layout = planTopicLayout(this.plan, this.config.applicationId, external, logged, this.options.replicationFactor, patternSources);
    const specs = [...layout.internalTopics];
    if (this.config.deadLetterTopic !== undefined) specs.push({ topic: this.config.deadLetterTopic, partitions: 1, replicationFactor: this.options.replicationFactor });
    await admin.createTopics(specs);
    // Internal topics that already existed must match too (a changed topology or partition count).
    for (const spec of layout.internalTopics) {
      const n = await admin.partitionCount(spec.topic);
      if (n !== spec.partitions) {
        throw new VigilError(
          'VIGIL_ERR_COPARTITIONING',
          `internal topic "${spec.topic}" has ${n} partitions but the application needs ${spec.partitions}; delete it (and reset the application) or restore the source topics' partition counts`,
        );
      }
    }
    this.options.logger.info(
      { tasks: Object.fromEntries(layout.taskCounts), created: specs.map((s) => s.topic), ...(patternSources.size > 0 ? { patternSources: Object.fromEntries(patternSources) } : {}) },
      'topics ready',
    );
    return layout;
  }

  private onFatal(error: VigilError): void {
    if (this.current === 'ERROR' || this.current === 'PENDING_SHUTDOWN' || this.current === 'NOT_RUNNING') return;
    this.transition('ERROR');
    for (const l of this.errorListeners) {
      try {
        l(error);
      } catch {
        // A listener's failure must not hide the original error.
      }
    }
    // Release the partitions quickly so another instance can take over.
    this.abandoning = (async () => {
      await this.thread?.abandon().catch(() => {});
      await this.disconnect();
    })();
  }

  private async doClose(): Promise<void> {
    if (this.current === 'NOT_RUNNING') return;
    const wasError = this.current === 'ERROR';
    this.transition('PENDING_SHUTDOWN');
    try {
      if (wasError) await this.abandoned();
      else await this.thread?.stop();
    } finally {
      await this.disconnect();
      this.transition('NOT_RUNNING');
    }
  }

  /**
   * After ERROR: waits for the abandoned tasks to be wiped and the state
   * directory unlocked (a supervisor starts the next instance on it), but
   * at most ABANDON_WAIT_MS: a job stuck on a dead broker is released only
   * by disconnecting, and a next instance that finds the directory still
   * locked fails and is retried.
   */
  private async abandoned(): Promise<void> {
    let timer: TimerHandle | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = this.options.timers.set(resolve, ABANDON_WAIT_MS);
    });
    await Promise.race([this.abandoning, timeout]);
    if (timer !== undefined) this.options.timers.clear(timer);
  }

  private async disconnect(): Promise<void> {
    const consumer = this.consumer;
    const producer = this.producer;
    const admin = this.admin;
    const global = this.global;
    this.global = undefined;
    this.consumer = undefined;
    this.producer = undefined;
    this.admin = undefined;
    await consumer?.close().catch(() => {});
    await global?.close();
    await producer?.close().catch(() => {});
    await admin?.close().catch(() => {});
  }

  private transition(next: KafkaStreamsState): void {
    const prev = this.current;
    if (prev === next) return;
    if (!TRANSITIONS[prev].includes(next)) {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `KafkaStreams cannot go from ${prev} to ${next}`);
    }
    this.current = next;
    this.options.logger.info({ from: prev, to: next }, 'state change');
    for (const l of [...this.stateListeners]) {
      try {
        l(next, prev);
      } catch (error) {
        this.options.logger.warn({ err: error }, 'a state listener threw');
      }
    }
  }
}

function kvView<K, V>(stores: () => Array<ReadOnlyKeyValueStore<K, unknown>>, un: (v: unknown) => V): ReadOnlyKeyValueStore<K, V> {
  return {
    async get(key) {
      for (const s of stores()) {
        const v = await s.get(key);
        if (v !== undefined) return un(v);
      }
      return undefined;
    },
    range: (from, to) => mapValues(concat(stores().map((s) => () => s.range(from, to))), un),
    prefixScan: (prefix, serializer) => mapValues(concat(stores().map((s) => () => s.prefixScan(prefix, serializer))), un),
    all: () => mapValues(concat(stores().map((s) => () => s.all())), un),
    async approximateNumEntries() {
      let n = 0;
      for (const s of stores()) n += await s.approximateNumEntries();
      return n;
    },
  };
}

/** DSL stores hold `{ value, timestamp }` (Kafka Streams' ValueAndTimestamp); queries want the value. */
function unwrapTimestamped(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && 'value' in v && 'timestamp' in v && Object.keys(v).length === 2) return (v as { value: unknown }).value;
  return v;
}

async function* mapValues<K, A, B>(it: KeyValueIterator<K, A>, f: (a: A) => B): KeyValueIterator<K, B> {
  for await (const { key, value } of it) yield { key, value: f(value) };
}

/** Walks iterators one after another, opening each only when the previous is done. */
async function* concat<K, V>(sources: Array<() => KeyValueIterator<K, V>>): KeyValueIterator<K, V> {
  for (const open of sources) yield* open();
}
