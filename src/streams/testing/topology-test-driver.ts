import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { streamsConfig } from '../config.js';
import type { StreamsConfig, StreamsConfigInput } from '../config.js';
import { VigilError } from '../errors.js';
import type { ConsumedRecord, ProducedRecord, RecordCollector } from '../processor/internal/record-collector.js';
import { StreamTask } from '../processor/internal/stream-task.js';
import type { TopologyPlan } from '../processor/internal/topology-model.js';
import type { Headers } from '../processor/record.js';
import { EMPTY_HEADERS } from '../processor/record.js';
import type { Topology } from '../processor/topology.js';
import type { Deserializer, Serializer } from '../serde/serde.js';
import type { KeyValueStore, SessionStore, StateStore, WindowStore } from '../state/types.js';
import { ManualClock } from '../time/clock.js';
import type { ValueAndTimestamp } from '../dsl/internal/store-factories.js';
import { KeyValueStoreFacade } from './internal/key-value-store-facade.js';
import { TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';
import { TOPOLOGY_INTERNALS } from '../processor/internal/topology-internals.js';

export interface TopologyTestDriverOptions {
  /** The wall clock punctuators and `currentSystemTimeMs` read; defaults to a ManualClock. */
  readonly clock?: ManualClock;
  /** Start of the default ManualClock (ignored when `clock` is given). Default 0. */
  readonly initialWallClockTimeMs?: number;
  /** Keep persistent stores in this directory instead of a fresh temp directory. */
  readonly stateDir?: string;
  /** Leave the state directory on disk after `close()`. Default false. */
  readonly keepStateDir?: boolean;
}

/**
 * Runs a Topology without a broker, deterministically (Kafka Streams'
 * TopologyTestDriver). Every sub-topology runs as one task on partition 0,
 * on the same StreamTask the runtime uses.
 *
 * Deliberate difference from Kafka Streams: processing is asynchronous
 * (stores are), so every pipe call and `advanceWallClockTime` return a
 * promise. When it resolves, the record has gone through the whole
 * topology — records produced to repartition topics, and to topics the
 * topology itself reads, are fed back in-process first — and every task
 * has committed (stores flushed). Nothing runs in the background between
 * calls; calls made without awaiting the previous one are queued and run
 * in call order.
 *
 * Stores are opened asynchronously after construction: the first pipe
 * call waits for that; call `await driver.ready()` before reading a store
 * that no record has touched yet.
 */
export class TopologyTestDriver {
  readonly config: StreamsConfig;
  private readonly clock: ManualClock;
  private readonly plan: TopologyPlan;
  private readonly tasks: StreamTask[] = [];
  private readonly globalTask: StreamTask | undefined;
  private readonly globalStores = new Map<string, StateStore>();
  private readonly outputs = new Map<string, ProducedRecord[]>();
  private readonly produced = new Set<string>();
  private readonly pending: ProducedRecord[] = [];
  private readonly offsets = new Map<string, bigint>();
  private readonly stateDir: string;
  private readonly ownsStateDir: boolean;
  private readonly initialization: Promise<void>;
  private readonly timestampedStores: ReadonlySet<string>;
  private closed = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    topology: Topology,
    config: Partial<StreamsConfigInput> = {},
    private readonly options: TopologyTestDriverOptions = {},
  ) {
    this.ownsStateDir = options.stateDir === undefined;
    this.stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'vigil-ttd-'));
    this.config = streamsConfig({ applicationId: 'topology-test-driver', ...config, stateDir: this.stateDir });
    this.clock = options.clock ?? new ManualClock(options.initialWallClockTimeMs ?? 0);
    this.plan = topology[TOPOLOGY_INTERNALS].plan(this.config.applicationId);
    this.timestampedStores = new Set(this.plan.timestampedStores);
    const collector: RecordCollector = { send: (record) => this.capture(record) };
    const common = { partition: 0, config: this.config, collector, clock: this.clock, globalStores: this.globalStores };
    this.globalTask = this.plan.global ? new StreamTask({ ...common, plan: this.plan.global }) : undefined;
    for (const plan of this.plan.subtopologies) this.tasks.push(new StreamTask({ ...common, plan }));
    this.initialization = this.initialize();
    // A failed initialization surfaces on the next call; do not crash the process meanwhile.
    this.initialization.catch(() => {});
  }

  /** Resolves once every store is open and every processor initialized. */
  ready(): Promise<void> {
    return this.initialization;
  }

  /** The driver's wall-clock time in epoch ms. */
  get wallClockTimeMs(): number {
    return this.clock.now();
  }

  createInputTopic<K, V>(
    topic: string,
    keySerializer: Serializer<K>,
    valueSerializer: Serializer<V>,
    options: { startTimestampMs?: number; autoAdvanceMs?: number } = {},
  ): TestInputTopic<K, V> {
    if (!this.consumes(topic)) {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `topic "${topic}" is not read by this topology; its source topics are [${this.sourceTopics().join(', ')}]`);
    }
    return new TestInputTopic(this, topic, keySerializer, valueSerializer, options.startTimestampMs ?? this.clock.now(), options.autoAdvanceMs ?? 0);
  }

  createOutputTopic<K, V>(topic: string, keyDeserializer: Deserializer<K>, valueDeserializer: Deserializer<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this.outputQueue(topic), topic, keyDeserializer, valueDeserializer);
  }

  /** @internal Used by TestInputTopic: pipes one serialized record and processes it to completion. */
  pipeRaw(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers | undefined): Promise<void> {
    this.checkOpen();
    const offset = this.nextOffset(topic);
    return this.exclusive(async () => {
      await this.processFully({ topic, partition: 0, offset, key, value, timestamp, headers: headers ?? EMPTY_HEADERS });
      await this.commitAll();
    });
  }

  /**
   * Moves the wall clock forward, fires the WALL_CLOCK_TIME punctuators
   * that became due (each once, as Kafka Streams does after a jump),
   * processes what they produced and commits.
   */
  advanceWallClockTime(ms: number): Promise<void> {
    this.checkOpen();
    return this.exclusive(async () => {
      this.clock.advance(ms);
      for (const task of this.tasks) {
        await task.punctuateWallClock();
        await this.drain();
      }
      await this.commitAll();
    });
  }

  getStateStore(name: string): StateStore | undefined {
    return this.getAllStateStores().get(name);
  }

  /**
   * A key-value store by name, or undefined when there is none (or it is
   * another kind). DSL tables and aggregations keep a timestamp with each
   * value; this view shows the plain values (see `getTimestampedKeyValueStore`).
   */
  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> | undefined {
    const s = this.getStateStore(name) as Partial<KeyValueStore<K, V>> | undefined;
    if (!s || typeof s.putIfAbsent !== 'function') return undefined;
    const store = s as KeyValueStore<K, V>;
    return this.timestampedStores.has(name)
      ? new KeyValueStoreFacade(store as unknown as KeyValueStore<K, ValueAndTimestamp<V>>)
      : store;
  }

  /** A DSL table's or aggregation's store with each value's timestamp; undefined for other stores. */
  getTimestampedKeyValueStore<K, V>(name: string): KeyValueStore<K, ValueAndTimestamp<V>> | undefined {
    if (!this.timestampedStores.has(name)) return undefined;
    return this.getStateStore(name) as KeyValueStore<K, ValueAndTimestamp<V>> | undefined;
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> | undefined {
    const s = this.getStateStore(name) as Partial<WindowStore<K, V>> | undefined;
    return s && typeof s.fetchRange === 'function' ? (s as WindowStore<K, V>) : undefined;
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> | undefined {
    const s = this.getStateStore(name) as Partial<SessionStore<K, V>> | undefined;
    return s && typeof s.findSessions === 'function' ? (s as SessionStore<K, V>) : undefined;
  }

  /** Every store of every task, and the global stores. */
  getAllStateStores(): Map<string, StateStore> {
    const all = new Map<string, StateStore>();
    for (const task of this.tasks) for (const [name, store] of task.stores) all.set(name, store);
    for (const [name, store] of this.globalStores) all.set(name, store);
    return all;
  }

  /** Every topic something was produced to, internal topics and the dead-letter topic included. */
  producedTopicNames(): Set<string> {
    return new Set(this.produced);
  }

  /** Commits, closes every task and removes the temp state directory (unless kept). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.tail;
    // An initialization failure was already reported to whoever awaited it; closing still cleans up.
    const initialized = await this.initialization.then(
      () => true,
      () => false,
    );
    try {
      if (initialized) await this.commitAll();
    } finally {
      for (const task of [...this.tasks, ...(this.globalTask ? [this.globalTask] : [])]) await task.close();
      if (this.ownsStateDir && !this.options.keepStateDir) rmSync(this.stateDir, { recursive: true, force: true });
    }
  }

  /**
   * Runs `work` after initialization and after every earlier call, so a
   * test that forgets an `await` still sees records processed one at a time
   * in call order (the task itself forbids overlapping calls).
   */
  private exclusive(work: () => Promise<void>): Promise<void> {
    const run = this.tail.then(async () => {
      await this.initialization;
      await work();
    });
    this.tail = run.catch(() => {});
    return run;
  }

  private async initialize(): Promise<void> {
    if (this.globalTask) {
      await this.globalTask.initialize();
      for (const [name, store] of this.globalTask.stores) this.globalStores.set(name, store);
    }
    for (const task of this.tasks) await task.initialize();
  }

  private capture(record: ProducedRecord): void {
    this.produced.add(record.topic);
    this.outputQueue(record.topic).push(record);
    if (this.consumes(record.topic)) this.pending.push(record);
  }

  private async processFully(record: ConsumedRecord): Promise<void> {
    await this.route(record);
    await this.drain();
  }

  /** Feeds records produced to topics the topology reads (repartition topics first of all) back in, in order. */
  private async drain(): Promise<void> {
    for (let next = this.pending.shift(); next; next = this.pending.shift()) {
      await this.route({
        topic: next.topic,
        partition: 0,
        offset: this.nextOffset(next.topic),
        key: next.key,
        value: next.value,
        timestamp: next.timestamp,
        headers: next.headers,
      });
    }
  }

  private async route(record: ConsumedRecord): Promise<void> {
    if (this.globalTask?.accepts(record.topic)) {
      await this.globalTask.process(record);
      return;
    }
    const task = this.tasks.find((t) => t.accepts(record.topic));
    if (!task) throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `topic "${record.topic}" is not read by this topology`);
    await task.process(record);
  }

  private async commitAll(): Promise<void> {
    if (this.globalTask) await this.globalTask.commit();
    for (const task of this.tasks) await task.commit();
  }

  private consumes(topic: string): boolean {
    return (this.globalTask?.accepts(topic) ?? false) || this.tasks.some((t) => t.accepts(topic));
  }

  private sourceTopics(): string[] {
    return [...(this.globalTask?.sourceTopics ?? []), ...this.tasks.flatMap((t) => t.sourceTopics)];
  }

  private outputQueue(topic: string): ProducedRecord[] {
    let q = this.outputs.get(topic);
    if (!q) {
      q = [];
      this.outputs.set(topic, q);
    }
    return q;
  }

  private nextOffset(topic: string): string {
    const next = this.offsets.get(topic) ?? 0n;
    this.offsets.set(topic, next + 1n);
    return next.toString();
  }

  private checkOpen(): void {
    if (this.closed) throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', 'the TopologyTestDriver is closed; create a new one');
  }
}
