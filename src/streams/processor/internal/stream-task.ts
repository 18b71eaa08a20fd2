import { join } from 'node:path';
import type { StreamsConfig } from '../../config.js';
import { VigilError, isVigilError } from '../../errors.js';
import type { ErrorCode } from '../../errors.js';
import type { Deserializer, Serde } from '../../serde/serde.js';
import type { StateStore, StoreChangeListener } from '../../state/types.js';
import type { Clock } from '../../time/clock.js';
import { UNKNOWN_TIME } from '../../time/timestamp-extractor.js';
import type { ErrorHandlerContext } from '../exception-handlers.js';
import type { Cancellable, Processor, PunctuationType, Punctuator, RecordMetadata } from '../processor.js';
import { Record } from '../record.js';
import type { Headers } from '../record.js';
import { NodeContext } from './node-context.js';
import { PunctuationQueue } from './punctuation-queue.js';
import type { ConsumedRecord, ProducedRecord, RecordCollector } from './record-collector.js';
import type { NodeDef, SinkNodeDef, SourceNodeDef, SubtopologyPlan } from './topology-model.js';
import { RESOLVED } from './resolved.js';

/** Everything a task needs from its host (the runtime or the TopologyTestDriver). */
export interface StreamTaskOptions {
  /** The sub-topology this task runs, from `topology.plan(applicationId)`. */
  readonly plan: SubtopologyPlan;
  /** The input partition this task owns; with `plan.id` it makes the task id. Ignored for the global task. */
  readonly partition: number;
  readonly config: StreamsConfig;
  /** Receives every produced record: sink output and dead letters. */
  readonly collector: RecordCollector;
  /** Wall-clock time for punctuation and latency; never Date.now(). */
  readonly clock: Clock;
  /** Global stores (already initialized by the global task) that every processor may read. */
  readonly globalStores?: ReadonlyMap<string, StateStore>;
  /**
   * Receives changes of stores built with logging enabled; the runtime
   * writes them to `<applicationId>-<store>-changelog`.
   */
  readonly onStoreChange?: StoreChangeListener;
  /** Overrides `<config.stateDir>/<applicationId>/<taskId>`. */
  readonly stateDir?: string;
}

/** @internal A node of a running task. */
export interface TaskNode {
  readonly def: NodeDef;
  readonly children: TaskNode[];
  processor: Processor | undefined;
  context: NodeContext;
}

/**
 * Executes one sub-topology for one partition: the seam between the engine
 * and whatever feeds it. The host drives it like this:
 *
 * 1. `await task.initialize()` — builds and opens the stores, then runs
 *    every processor's `init`. To restore stores from changelogs first,
 *    call `initializeStores()`, restore through `task.stores`, then
 *    `completeRestoration()`. (Partition time is not kept across restarts:
 *    Kafka Streams stores it in the commit metadata, kafkajs cannot; see docs/runtime.md.)
 * 2. For each consumed record, in the order the host chooses (Kafka
 *    Streams picks the lowest timestamp across partitions):
 *    `await task.process(record)`. The promise settles when the record has
 *    gone through the whole sub-topology and stream-time punctuators due
 *    at the new stream time have fired. Output goes to the collector
 *    synchronously as sinks run.
 * 3. Periodically `await task.punctuateWallClock()` (fires WALL_CLOCK_TIME
 *    punctuators due at `clock.now()`).
 * 4. `await task.commit()` at the commit interval (or when
 *    `commitRequested`): flushes every store, then the collector. After it
 *    resolves, the host may commit the consumed offsets.
 * 5. `await task.close()` on revocation or shutdown.
 *
 * Calls must not overlap: the host awaits each before the next.
 * Errors: VIGIL_ERR_DESERIALIZATION / VIGIL_ERR_PROCESSING when a handler
 * answers FAIL; the task is then unusable and should be closed.
 */
export class StreamTask {
  readonly id: string;
  private readonly nodes = new Map<string, TaskNode>();
  private readonly sources: TaskNode[] = [];
  private readonly topicToSource = new Map<string, TaskNode>();
  private readonly storesByName = new Map<string, StateStore>();
  private readonly loggedStores = new Set<string>();
  private readonly streamPunctuation = new PunctuationQueue();
  private readonly wallClockPunctuation = new PunctuationQueue();
  private readonly partitionTimes = new Map<string, number>();
  private streamTime = UNKNOWN_TIME;
  private current: ConsumedRecord | null = null;
  private deadLettered = false;
  private initialized = false;
  private storesOpened = false;
  private closed = false;
  private commitFlag = false;
  /** Registered by processors through ProcessorContext.onCommit. */
  private readonly commitHooks: Array<() => void | Promise<void>> = [];
  private busy: string | undefined;

  constructor(private readonly options: StreamTaskOptions) {
    const { plan } = options;
    this.id = plan.id === 'global' ? 'global' : `${plan.id}_${options.partition}`;
    for (const def of plan.nodes) {
      const node: TaskNode = { def, children: [], processor: undefined, context: undefined as unknown as NodeContext };
      node.context = new NodeContext(this, node);
      this.nodes.set(def.name, node);
      if (def.kind === 'source') {
        this.sources.push(node);
        for (const t of def.topics) this.topicToSource.set(plan.resolveTopic(t), node);
        this.serdeOf(def, 'key');
        this.serdeOf(def, 'value');
      } else if (def.kind === 'sink') {
        this.serdeOf(def, 'key');
        this.serdeOf(def, 'value');
      }
    }
    for (const [name, kids] of plan.children) {
      const node = this.nodes.get(name);
      for (const k of kids) {
        const child = this.nodes.get(k);
        if (node && child) node.children.push(child);
      }
    }
  }

  get applicationId(): string {
    return this.options.config.applicationId;
  }

  get config(): StreamsConfig {
    return this.options.config;
  }

  /** True once a processor called `context.commit()` since the last commit. */
  get commitRequested(): boolean {
    return this.commitFlag;
  }

  /** The largest event time this task has processed; -1 before the first record. */
  get streamTimeMs(): number {
    return this.streamTime;
  }

  /** Resolved topics this task reads (patterns are in `plan.sourcePatterns`). */
  get sourceTopics(): readonly string[] {
    return this.options.plan.sourceTopics;
  }

  /** Whether a record from `topic` belongs to this task. */
  accepts(topic: string): boolean {
    return this.sourceFor(topic) !== undefined;
  }

  /**
   * Opens the stores, then runs every processor's `init` in node order:
   * `initializeStores()` followed by `completeRestoration()`.
   */
  async initialize(): Promise<void> {
    await this.initializeStores();
    await this.completeRestoration();
  }

  /**
   * Builds and opens this task's stores (idempotent). Between this and
   * `completeRestoration()` the host may restore them from their
   * changelogs through `task.stores.get(name).restore(batch)`, as Kafka
   * Streams does in the RESTORING state: no processor has run yet.
   */
  async initializeStores(): Promise<void> {
    if (this.storesOpened) return;
    if (this.closed) this.checkRunning();
    const { plan, config } = this.options;
    const stateDir = this.options.stateDir ?? join(config.stateDir, config.applicationId, this.id);
    for (const def of plan.stores) {
      const builder = def.factory(config);
      const store = builder.build();
      const logged = builder.loggingEnabled && !def.global;
      const onChange = logged ? this.options.onStoreChange : undefined;
      await store.init({
        applicationId: config.applicationId,
        taskId: this.id,
        stateDir,
        ...(onChange ? { onChange } : {}),
      });
      if (logged) this.loggedStores.add(def.name);
      this.storesByName.set(def.name, store);
    }
    this.storesOpened = true;
  }

  /** Runs every processor's `init` (after the stores are open and restored); the task then accepts records. */
  async completeRestoration(): Promise<void> {
    if (this.initialized) return;
    await this.initializeStores();
    for (const node of this.nodes.values()) {
      if (node.def.kind !== 'processor') continue;
      node.processor = node.def.supplier();
      await node.processor.init?.(node.context);
    }
    this.initialized = true;
  }

  /** The largest timestamp processed from one input partition; -1 before any. */
  partitionTimeMs(topic: string, partition: number): number {
    return this.partitionTimes.get(`${topic}:${partition}`) ?? UNKNOWN_TIME;
  }

  /**
   * Deserializes, timestamps and processes one consumed record through the
   * sub-topology, then fires stream-time punctuators that became due.
   * Returns nothing when every processor on the way answered synchronously
   * (no promise is allocated then), else a promise of the rest: callers
   * `await` it either way, one call at a time.
   */
  process(consumed: ConsumedRecord): void | Promise<void> {
    let pending: void | Promise<void>;
    try {
      this.enter('process');
    } catch (error) {
      return Promise.reject(error as Error);
    }
    try {
      pending = this.doProcess(consumed);
    } catch (error) {
      // Errors arrive as a rejected promise, as they did when this method was async.
      this.busy = undefined;
      return Promise.reject(error as Error);
    }
    if (pending === undefined) {
      this.busy = undefined;
      return;
    }
    return pending.finally(() => {
      this.busy = undefined;
    });
  }

  private doProcess(consumed: ConsumedRecord): void | Promise<void> {
    const source = this.sourceFor(consumed.topic);
    if (!source) {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `task ${this.id} has no source for topic "${consumed.topic}"; route records by task.accepts(topic)`, {
        taskId: this.id,
      });
    }
    const def = source.def as SourceNodeDef;
    const keySerde = this.serdeOf(def, 'key');
    const valueSerde = this.serdeOf(def, 'value');
    let key: unknown;
    let value: unknown;
    try {
      key = keySerde.deserialize(consumed.topic, consumed.key);
      value = valueSerde.deserialize(consumed.topic, consumed.value);
    } catch (error) {
      return this.processAfterLookup(consumed, source, keySerde, valueSerde, error);
    }
    return this.processDeserialized(consumed, source, key, value);
  }

  /** Off the hot path: a serde that can fetch what it lacked (a registry lookup) gets one more try. */
  private async processAfterLookup(consumed: ConsumedRecord, source: TaskNode, keySerde: Deserializer<unknown>, valueSerde: Deserializer<unknown>, error: unknown): Promise<void> {
    const def = source.def as SourceNodeDef;
    let key: unknown;
    let value: unknown;
    try {
      const askedKey = await resolveMissing(keySerde, consumed.topic, consumed.key);
      const askedValue = await resolveMissing(valueSerde, consumed.topic, consumed.value);
      if (!askedKey && !askedValue) throw error;
      key = keySerde.deserialize(consumed.topic, consumed.key);
      value = valueSerde.deserialize(consumed.topic, consumed.value);
    } catch (final) {
      this.current = consumed;
      this.deadLettered = false;
      try {
        this.onDeserializationError(def.name, final);
      } finally {
        this.current = null;
      }
      return;
    }
    await this.processDeserialized(consumed, source, key, value);
  }

  private processDeserialized(consumed: ConsumedRecord, source: TaskNode, key: unknown, value: unknown): void | Promise<void> {
    const def = source.def as SourceNodeDef;
    const { config } = this.options;
    const started = this.options.clock.now();
    const partitionKey = `${consumed.topic}:${consumed.partition}`;
    const partitionTime = this.partitionTimes.get(partitionKey) ?? UNKNOWN_TIME;
    const extractor = def.timestampExtractor ?? config.defaultTimestampExtractor;
    this.current = consumed;
    this.deadLettered = false;
    let timestamp: number;
    try {
      timestamp = extractor({ ...consumed, key, value }, partitionTime);
    } catch (error) {
      this.current = null;
      throw error;
    }
    if (!(timestamp >= 0)) {
      this.current = null;
      config.metrics.recordSkipped(this.id, 'negative-timestamp');
      return;
    }
    this.partitionTimes.set(partitionKey, Math.max(partitionTime, timestamp));
    this.streamTime = Math.max(this.streamTime, timestamp);
    let delivered: Promise<void>;
    try {
      delivered = this.forwardFrom(source, new Record(key, value, timestamp, consumed.headers));
    } catch (error) {
      this.current = null;
      throw error;
    }
    // A chain of synchronous processors hands back the shared resolved promise: no await needed.
    if (delivered === RESOLVED) return this.finishRecord(started);
    return delivered.then(
      () => this.finishRecord(started),
      (error: unknown) => {
        this.current = null;
        throw error;
      },
    );
  }

  /** After a record's delivery: metrics, then any stream-time punctuation it made due. (A method, not a local arrow: tsx names each arrow it creates.) */
  private finishRecord(started: number): void | Promise<void> {
    this.current = null;
    this.options.config.metrics.recordProcessed(this.id, this.options.clock.now() - started);
    if (this.streamTime !== UNKNOWN_TIME && this.streamPunctuation.isDue(this.streamTime)) {
      return this.streamPunctuation.mayPunctuate(this.streamTime, this.runPunctuator).then(() => undefined);
    }
  }

  /** Fires WALL_CLOCK_TIME punctuators due at `clock.now()`; returns whether any fired. */
  async punctuateWallClock(): Promise<boolean> {
    return this.exclusively('punctuateWallClock', () => this.wallClockPunctuation.mayPunctuate(this.options.clock.now(), this.runPunctuator));
  }

  /** When the next WALL_CLOCK_TIME punctuator is due (undefined: none scheduled); the runtime arms a timer for it. */
  get nextWallClockPunctuationMs(): number | undefined {
    return this.wallClockPunctuation.nextDueMs;
  }

  /** Runs the processors' commit hooks (see ProcessorContext.onCommit), flushes every store (caches down to disk), then the collector. */
  async commit(): Promise<void> {
    return this.exclusively('commit', async () => {
      for (const hook of this.commitHooks) {
        const done = hook();
        if (done !== undefined) await done;
      }
      for (const store of this.storesByName.values()) await store.flush();
      await this.options.collector.flush?.();
      this.commitFlag = false;
    });
  }

  /** Closes processors, then stores. Idempotent. Does not commit: call `commit` first for a clean close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const errors: unknown[] = [];
    for (const node of this.nodes.values()) {
      try {
        await node.processor?.close?.();
      } catch (e) {
        errors.push(e);
      }
    }
    for (const store of this.storesByName.values()) {
      try {
        if (store.isOpen()) await store.close();
      } catch (e) {
        errors.push(e);
      }
    }
    if (errors.length > 0) {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `task ${this.id} did not close cleanly (${errors.length} error(s)); see cause`, {
        taskId: this.id,
        cause: errors.length === 1 ? errors[0] : new AggregateError(errors),
      });
    }
  }

  /** The task's own stores by name (not the global ones). */
  get stores(): ReadonlyMap<string, StateStore> {
    return this.storesByName;
  }

  /** Stores whose builders enabled logging: their changes reach `onStoreChange`. */
  get loggedStoreNames(): ReadonlySet<string> {
    return this.loggedStores;
  }

  // ---- used by NodeContext ----

  /** @internal */
  forwardFrom(from: TaskNode, record: Record<unknown, unknown>, childName?: string): Promise<void> {
    if (childName !== undefined) {
      const child = from.children.find((c) => c.def.name === childName);
      if (!child) {
        return Promise.reject(
          new VigilError('VIGIL_ERR_TOPOLOGY', `"${childName}" is not a child of "${from.def.name}"; children are [${from.children.map((c) => c.def.name).join(', ')}]`, {
            taskId: this.id,
          }),
        );
      }
      return this.deliver(child, record);
    }
    const { children } = from;
    // Most nodes have one child: skip the extra async frame on the per-record path.
    if (children.length === 1) return this.deliver(children[0] as TaskNode, record);
    return this.deliverInOrder(children, record);
  }

  private async deliverInOrder(children: readonly TaskNode[], record: Record<unknown, unknown>): Promise<void> {
    for (const child of children) await this.deliver(child, record);
  }

  /** @internal */
  storeFor(node: TaskNode, name: string): StateStore {
    const connected = node.def.kind === 'processor' && node.def.stores.has(name);
    const store = connected ? this.storesByName.get(name) : this.options.globalStores?.get(name);
    if (!store) {
      throw new VigilError(
        'VIGIL_ERR_STORE_NOT_FOUND',
        `processor "${node.def.name}" asked for store "${name}", which is not connected to it; connect it with addStateStore(builder, "${node.def.name}") or connectProcessorAndStateStores`,
        { taskId: this.id },
      );
    }
    return store;
  }

  /** @internal */
  schedule(nodeName: string, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (!Number.isFinite(intervalMs) || intervalMs < 1) {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `punctuation interval must be at least 1 ms, got ${intervalMs}`, { taskId: this.id });
    }
    // Stream time aligns to 0 so the first record triggers it; wall clock fires one interval from now (as in Kafka Streams).
    return type === 'STREAM_TIME'
      ? this.streamPunctuation.schedule(nodeName, 0, intervalMs, punctuator)
      : this.wallClockPunctuation.schedule(nodeName, this.options.clock.now() + intervalMs, intervalMs, punctuator);
  }

  /** @internal */
  recordMetadata(): RecordMetadata | null {
    const c = this.current;
    return c ? { topic: c.topic, partition: c.partition, offset: c.offset } : null;
  }

  /** @internal */
  now(): number {
    return this.options.clock.now();
  }

  /** @internal */
  requestCommit(): void {
    this.commitFlag = true;
  }

  /** @internal */
  onCommit(hook: () => void | Promise<void>): Cancellable {
    this.commitHooks.push(hook);
    return {
      cancel: () => {
        const at = this.commitHooks.indexOf(hook);
        if (at >= 0) this.commitHooks.splice(at, 1);
      },
    };
  }

  // ---- internals ----

  private sourceFor(topic: string): TaskNode | undefined {
    const exact = this.topicToSource.get(topic);
    if (exact) return exact;
    return this.sources.find((s) => (s.def as SourceNodeDef).pattern?.test(topic));
  }

  /**
   * Hands `record` to one node. Synchronous processors and sinks complete
   * without allocating a promise chain; a processor's error goes to the
   * processing-exception handler, whose FAIL rejects the returned promise.
   */
  private deliver(node: TaskNode, record: Record<unknown, unknown>): Promise<void> {
    try {
      if (node.def.kind === 'sink') {
        this.sink(node.def, record);
        return RESOLVED;
      }
      const processor = node.processor;
      if (!processor) return RESOLVED;
      let result: void | Promise<void>;
      try {
        result = processor.process(record);
      } catch (error) {
        this.onProcessingError(node.def.name, record, error);
        return RESOLVED;
      }
      if (result === undefined || result === RESOLVED || typeof (result as Partial<PromiseLike<void>>).then !== 'function') return RESOLVED;
      return Promise.resolve(result).catch((error: unknown) => this.onProcessingError(node.def.name, record, error));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  private sink(def: SinkNodeDef, record: Record<unknown, unknown>): void {
    const topic = typeof def.topic === 'string' ? this.options.plan.resolveTopic(def.topic) : def.topic(record.key, record.value, record, this.recordMetadata());
    const produced: ProducedRecord = {
      topic,
      key: this.serdeOf(def, 'key').serialize(topic, record.key),
      value: this.serdeOf(def, 'value').serialize(topic, record.value),
      timestamp: record.timestamp,
      headers: record.headers,
      ...(def.partitioner
        ? { choosePartition: (n: number) => def.partitioner?.(topic, record.key, record.value, n) }
        : {}),
    };
    this.options.collector.send(produced);
  }

  private readonly runPunctuator = async (nodeName: string, punctuator: Punctuator, nowMs: number): Promise<void> => {
    const saved = this.current;
    this.current = null;
    try {
      await punctuator(nowMs);
    } catch (error) {
      this.onProcessingError(nodeName, null, error);
    } finally {
      this.current = saved;
    }
  };

  private handlerContext(nodeName: string): ErrorHandlerContext {
    return { taskId: this.id, nodeName, sourceRecord: this.current };
  }

  private onDeserializationError(nodeName: string, error: unknown): void {
    const c = this.current as ConsumedRecord;
    const verdict = this.ask(() => this.options.config.deserializationExceptionHandler(this.handlerContext(nodeName), error));
    if (verdict === 'CONTINUE') {
      this.options.config.metrics.recordSkipped(this.id, 'deserialization-error');
      this.deadLetter('VIGIL_ERR_DESERIALIZATION', error);
      return;
    }
    throw new VigilError(
      'VIGIL_ERR_DESERIALIZATION',
      `task ${this.id} could not deserialize the record at ${c.topic}-${c.partition}@${c.offset} (${messageOf(error)}); fix the producer or set a deserializationExceptionHandler that answers CONTINUE`,
      { taskId: this.id, cause: error },
    );
  }

  private onProcessingError(nodeName: string, record: Record<unknown, unknown> | null, error: unknown): void {
    // A failure already judged downstream travels up through forward(); judge it once.
    if (isVigilError(error, 'VIGIL_ERR_PROCESSING')) throw error;
    const verdict = this.ask(() => this.options.config.processingExceptionHandler(this.handlerContext(nodeName), record, error));
    if (verdict === 'CONTINUE') {
      this.options.config.metrics.recordSkipped(this.id, 'processing-error');
      this.deadLetter('VIGIL_ERR_PROCESSING', error);
      return;
    }
    const c = this.current;
    const where = c ? ` on the record at ${c.topic}-${c.partition}@${c.offset}` : ' while punctuating';
    throw new VigilError('VIGIL_ERR_PROCESSING', `processor "${nodeName}" in task ${this.id} failed${where}: ${messageOf(error)}`, {
      taskId: this.id,
      cause: error,
    });
  }

  private ask(handler: () => 'CONTINUE' | 'FAIL'): 'CONTINUE' | 'FAIL' {
    try {
      return handler() === 'CONTINUE' ? 'CONTINUE' : 'FAIL';
    } catch {
      return 'FAIL';
    }
  }

  /** Sends the consumed record's original bytes to the dead-letter topic, once per record. */
  private deadLetter(code: ErrorCode, error: unknown): void {
    const topic = this.options.config.deadLetterTopic;
    const c = this.current;
    if (topic === undefined || c === null || this.deadLettered) return;
    this.deadLettered = true;
    const headers: Headers = new Map([
      ...c.headers,
      ['vigil.error.code', Buffer.from(code)],
      ['vigil.error.message', Buffer.from(messageOf(error))],
      // What the serde or processor said, when it gave a code (e.g. VIGIL_ERR_UNKNOWN_SCHEMA):
      // the DLQ's reader can tell a missing schema from a damaged payload without parsing text.
      ...(error instanceof VigilError ? [['vigil.error.cause.code', Buffer.from(error.code)] as [string, Buffer]] : []),
      ['vigil.source.topic', Buffer.from(c.topic)],
      ['vigil.source.partition', Buffer.from(String(c.partition))],
      ['vigil.source.offset', Buffer.from(c.offset)],
      ['vigil.task.id', Buffer.from(this.id)],
    ]);
    this.options.collector.send({ topic, key: c.key, value: c.value, timestamp: c.timestamp, headers });
  }

  private serdeOf(def: SourceNodeDef | SinkNodeDef, which: 'key' | 'value'): Serde<unknown> {
    const { config } = this.options;
    const serde = which === 'key' ? (def.keySerde ?? config.defaultKeySerde) : (def.valueSerde ?? config.defaultValueSerde);
    if (!serde) {
      throw new VigilError(
        'VIGIL_ERR_CONFIG',
        `${def.kind} "${def.name}" has no ${which} serde; pass ${which}Serde to it (Consumed/Produced in the DSL) or set config.default${which === 'key' ? 'Key' : 'Value'}Serde`,
      );
    }
    return serde;
  }

  /** Runs one host call, refusing to overlap with another (the host must await each call). */
  /** Marks the task busy with `call`; throws if another call has not finished (each must be awaited before the next). */
  private enter(call: string): void {
    this.checkRunning();
    if (this.busy !== undefined) {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `task ${this.id}: ${call}() called while ${this.busy}() is still running; await each task call before the next`, {
        taskId: this.id,
      });
    }
    this.busy = call;
  }

  private async exclusively<T>(call: string, work: () => Promise<T>): Promise<T> {
    this.enter(call);
    try {
      return await work();
    } finally {
      this.busy = undefined;
    }
  }

  private checkRunning(): void {
    if (!this.initialized || this.closed) {
      throw new VigilError('VIGIL_ERR_ILLEGAL_STATE', `task ${this.id} is ${this.closed ? 'closed' : 'not initialized; await initialize() first'}`, {
        taskId: this.id,
      });
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Lets a serde that can fetch what a failed `deserialize` lacked (e.g. a
 * schema id registered a moment ago) do so; true when it had the hook, so
 * the record gets its second try (whose error, if any, is the one handled).
 */
async function resolveMissing(serde: Deserializer<unknown>, topic: string, data: Buffer | null): Promise<boolean> {
  if (data === null || serde.resolveMissing === undefined) return false;
  await serde.resolveMissing(topic, data).catch(() => false);
  return true;
}
