/**
 * The processing loop of one KafkaStreams instance: one consumer, one
 * producer (transactional under exactly-once: Kafka Streams' EOS-v2
 * "thread producer"), and one StreamTask per assigned (sub-topology,
 * partition).
 *
 * Everything that touches tasks runs through one SerialExecutor: fetched
 * batches, the commit/punctuation timer and rebalances. A task's output
 * (sink records, dead letters and changelog writes) is buffered per task
 * and written at commit time together with the consumed offsets, inside one
 * transaction under exactly-once. So nothing a task produced is visible
 * before its input offsets are committed, and a task revoked with
 * uncommitted work can simply drop it.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamsConfig } from '../config.js';
import { VigilError, isVigilError } from '../errors.js';
import type { ConsumedRecord, ProducedRecord } from '../processor/internal/record-collector.js';
import { StreamTask } from '../processor/internal/stream-task.js';
import type { SubtopologyPlan, TopologyPlan } from '../processor/internal/topology-model.js';
import type { Headers } from '../processor/record.js';
import type { StateStore } from '../state/types.js';
import { deleteCheckpoint, readCheckpoint, storesMissingFromDisk, writeCheckpoint } from './checkpoint-file.js';
import type { Checkpoint } from './checkpoint-file.js';
import type {
  ConsumedRecord as KafkaRecord,
  GroupAssignment,
  KafkaAdmin,
  KafkaConnectionOptions,
  KafkaConsumer,
  KafkaProducer,
  ProduceResult,
  ProducedRecord as KafkaProducedRecord,
  TopicPartitionOffset,
} from './kafka/index.js';
import type { KafkaStreamsOptions } from './options.js';
import { restorePartitions } from './restorer.js';
import type { RestoreRequest } from './restorer.js';
import { SerialExecutor } from './serial-executor.js';
import type { TopicLayout } from './topic-layout.js';

/** A record waiting for the next commit; `store` marks changelog writes. */
interface PendingRecord {
  readonly record: ProducedRecord;
  readonly store?: string;
}

/** @internal A running task and its bookkeeping. */
export interface TaskHandle {
  readonly task: StreamTask;
  readonly subtopology: number;
  readonly partition: number;
  readonly dir: string;
  /** Output since the last commit, in send order. */
  buffer: PendingRecord[];
  /** source topic → next offset to commit (uncommitted progress). */
  readonly offsets: Map<string, bigint>;
  /** source topic → next offset expected; older records are re-deliveries after a rebalance. */
  readonly positions: Map<string, bigint>;
  /** store → next changelog offset (what the local store reflects once committed). */
  readonly changelogPositions: Map<string, bigint>;
  /** Whether the checkpoint on disk is behind `changelogPositions`. */
  checkpointStale: boolean;
}

export interface StreamThreadHooks {
  /** The thread hit an error it cannot recover from; the owner moves to ERROR. */
  onFatal(error: VigilError): void;
  /** A rebalance started (true) or its assignment is applied and restored (false). */
  onRebalance(inProgress: boolean): void;
  /** The instance's global stores (GlobalKTable), which every task may read. */
  readonly globalStores?: ReadonlyMap<string, StateStore> | undefined;
}

/** Records per produce request: keeps each partition's batch well below the broker's 1 MB message.max.bytes. */
const SEND_CHUNK = 2_000;

export class StreamThread {
  private readonly executor = new SerialExecutor();
  private readonly handles = new Map<string, TaskHandle>();
  /** `<topic>:<partition>` → handle */
  private readonly routes = new Map<string, TaskHandle>();
  private readonly subPlans = new Map<number, SubtopologyPlan>();
  private readonly partitionCounts = new Map<string, number>();
  private pendingAssignment: Map<string, number[]> | undefined;
  private rebalancing = true;
  private lostAll = false;
  /** `<topic>:<partition>` → the end offset after this thread's last committed write there (outlives tasks). */
  private readonly writtenEnds = new Map<string, bigint>();
  /** This member's id in the group; a new one on a join means the coordinator had dropped us. */
  private memberId: string | undefined;
  /** Last time the coordinator answered a heartbeat (or assigned us partitions). */
  private lastHeartbeat: number;
  /** Last time processBatch asked kafkajs to heartbeat (at most once per heartbeat interval). */
  private lastHeartbeatCall = Number.NEGATIVE_INFINITY;
  private stopping = false;
  private failed = false;
  private lastCommit: number;
  private lastStoreSizes: number;
  private timer: NodeJS.Timeout | undefined;
  private buffered = 0;

  constructor(
    private readonly config: StreamsConfig,
    private readonly options: KafkaStreamsOptions,
    private readonly plan: TopologyPlan,
    private readonly layout: TopicLayout,
    private readonly connection: KafkaConnectionOptions,
    private readonly admin: KafkaAdmin,
    private readonly consumer: KafkaConsumer,
    private readonly producer: KafkaProducer,
    private readonly hooks: StreamThreadHooks,
  ) {
    for (const sub of plan.subtopologies) this.subPlans.set(sub.id as number, sub);
    this.lastCommit = options.clock.now();
    this.lastStoreSizes = options.clock.now();
    this.lastHeartbeat = options.clock.now();
  }

  get exactlyOnce(): boolean {
    return this.options.processingGuarantee === 'exactly_once';
  }

  /** Subscribes and starts fetching; tasks appear once the group assigns partitions. */
  async start(): Promise<void> {
    await this.consumer.subscribe({ topics: [...this.layout.sourceTopics.keys()], fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      // Only records a task processed are marked consumed: whatever a rebalance or shutdown interrupts is fetched again.
      autoResolve: false,
      eachBatch: async (batch) => {
        const groupError = await this.executor.run(() => this.processBatch(batch.topic, batch.partition, batch.records, batch.resolveOffset, batch.heartbeat));
        // Out of eachBatch, so kafkajs re-joins the group (outside the executor: the join's GROUP_JOIN queues work on it).
        if (groupError !== undefined) throw groupError;
      },
      onGroupJoin: (assignment) => this.onGroupJoin(assignment),
      onRebalancing: () => {
        this.rebalancing = true;
        this.hooks.onRebalance(true);
      },
      onHeartbeat: () => {
        this.lastHeartbeat = this.options.clock.now();
      },
      onBatchEnd: (p) => this.config.metrics.consumerLag?.(p.topic, p.partition, Number(p.offsetLag)),
      onCrash: (error, restarting) => {
        this.options.logger.warn({ err: error, restarting }, 'consumer crashed');
        if (!restarting) this.fail(new VigilError('VIGIL_ERR_ILLEGAL_STATE', `the consumer stopped: ${error.message}; restart the instance`, { cause: error }));
      },
    });
    this.scheduleTick();
  }

  /** Commits, closes every task cleanly (writing checkpoints) and stops the timer. The caller closes the clients. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.executor.run(async () => {
      let committed = false;
      if (!this.failed) {
        try {
          committed = await this.commit(true);
        } catch (error) {
          this.options.logger.warn({ err: error }, 'final commit failed; closing tasks without checkpoints');
        }
      }
      for (const h of [...this.handles.values()]) await this.closeTask(h, committed || !this.hasPending(h));
    });
  }

  /** Local tasks' stores named `name` (interactive queries). */
  storesNamed(name: string): StateStore[] {
    const result: StateStore[] = [];
    for (const h of this.handles.values()) {
      const s = h.task.stores.get(name);
      if (s?.isOpen()) result.push(s);
    }
    return result;
  }

  /** Ids of the tasks this instance runs now. */
  taskIds(): string[] {
    return [...this.handles.keys()].sort();
  }

  // ---- group membership ----

  private onGroupJoin(assignment: GroupAssignment): void {
    this.rebalancing = true;
    this.lastHeartbeat = this.options.clock.now();
    // kafkajs re-joins under a new member id after the coordinator dropped this member
    // (missed heartbeats), without a rebalancing event. Another member may have
    // owned and advanced our partitions meanwhile, so every task we hold is stale:
    // close them all dirty and restore, as Kafka Streams does for lost tasks.
    if (this.memberId !== undefined && assignment.memberId !== this.memberId) this.lostAll = true;
    this.memberId = assignment.memberId;
    this.pendingAssignment = assignment.partitions;
    this.hooks.onRebalance(true);
    // Fetch nothing until the new tasks are restored; the fetch loop keeps heartbeating meanwhile.
    const all = [...assignment.partitions].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
    if (all.length > 0) this.consumer.pause(all);
    void this.executor.run(() => this.applyAssignment()).catch((error: unknown) => this.fail(asVigil(error, 'applying the assignment')));
  }

  private async applyAssignment(): Promise<void> {
    const assigned = this.pendingAssignment;
    if (assigned === undefined || this.stopping || this.failed) return;
    this.pendingAssignment = undefined;
    if (this.lostAll) {
      this.lostAll = false;
      if (this.handles.size > 0) this.options.logger.warn({ tasks: this.taskIds() }, 'this member had been dropped from the group; closing every task dirty and restoring it');
      for (const h of [...this.handles.values()]) await this.closeTask(h, false);
    }
    const wanted = new Map<string, { sub: number; partition: number }>();
    for (const [topic, partitions] of assigned) {
      const sub = this.layout.sourceTopics.get(topic);
      if (sub === undefined) continue;
      for (const partition of partitions) wanted.set(`${sub}_${partition}`, { sub, partition });
    }
    for (const [id, h] of [...this.handles]) {
      if (!wanted.has(id)) await this.closeTask(h, !this.hasPending(h));
    }
    const created: TaskHandle[] = [];
    for (const [id, { sub, partition }] of wanted) {
      if (!this.handles.has(id)) created.push(await this.createTask(sub, partition));
    }
    await this.restore(created);
    // As Kafka Streams: processors are initialised once their stores are restored.
    for (const h of created) await h.task.completeRestoration();
    this.options.logger.info({ tasks: this.taskIds(), created: created.map((h) => h.task.id) }, 'assignment applied');
    if (this.pendingAssignment !== undefined) return; // another rebalance already arrived; it will resume
    const all = [...assigned].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
    this.rebalancing = false;
    if (all.length > 0) this.consumer.resume(all);
    this.hooks.onRebalance(false);
  }

  // ---- tasks ----

  private async createTask(sub: number, partition: number): Promise<TaskHandle> {
    const plan = this.subPlans.get(sub) as SubtopologyPlan;
    const dir = join(this.config.stateDir, this.config.applicationId, `${sub}_${partition}`);
    const taskId = `${sub}_${partition}`;
    let checkpoint = await readCheckpoint(dir);
    // Exactly-once: the checkpoint is only valid for the run that wrote it; a crash from now on must restore fully.
    if (this.exactlyOnce) await deleteCheckpoint(dir);
    const missing = checkpoint === undefined ? [] : await storesMissingFromDisk(dir, checkpoint);
    if (missing.length > 0) {
      this.options.logger.warn({ taskId, stores: missing }, 'state store directory missing; wiping the task state and restoring it from the changelog');
      checkpoint = undefined;
    } else if (checkpoint === undefined) {
      this.options.logger.info({ taskId }, 'no checkpoint (first start, crash, or state deleted): restoring the task state from the changelog');
    }
    // Without a checkpoint the local data may hold writes that never reached the changelog.
    if (checkpoint === undefined) await rm(dir, { recursive: true, force: true });
    let handle = this.newHandle(plan, sub, partition, dir);
    // Stores only: processors' init runs after restoration (see applyAssignment), so a
    // processor that reads its store in init (e.g. to resume buffered work) sees the restored data.
    try {
      await handle.task.initializeStores();
    } catch (error) {
      this.options.logger.warn({ err: error, taskId: handle.task.id }, 'state directory unusable; wiping it and restoring from the changelog');
      await handle.task.close().catch(() => {});
      await rm(dir, { recursive: true, force: true });
      checkpoint = undefined;
      handle = this.newHandle(plan, sub, partition, dir);
      await handle.task.initializeStores();
    }
    for (const [store, s] of handle.task.stores) {
      if (!this.layout.changelogs.has(store)) continue;
      handle.changelogPositions.set(store, s.persistent ? (checkpoint?.get(store) ?? 0n) : 0n);
    }
    this.handles.set(handle.task.id, handle);
    // The layout's sources include the topics a pattern matched at start, not only the listed ones.
    for (const [topic, owner] of this.layout.sourceTopics) if (owner === sub) this.routes.set(`${topic}:${partition}`, handle);
    return handle;
  }

  private newHandle(plan: SubtopologyPlan, sub: number, partition: number, dir: string): TaskHandle {
    const handle: TaskHandle = {
      task: undefined as unknown as StreamTask,
      subtopology: sub,
      partition,
      dir,
      buffer: [],
      offsets: new Map(),
      positions: new Map(),
      changelogPositions: new Map(),
      checkpointStale: false,
    };
    const push = (p: PendingRecord): void => {
      handle.buffer.push(p);
      this.buffered++;
    };
    (handle as { task: StreamTask }).task = new StreamTask({
      plan,
      partition,
      config: this.config,
      clock: this.options.clock,
      stateDir: dir,
      ...(this.hooks.globalStores ? { globalStores: this.hooks.globalStores } : {}),
      collector: { send: (record) => push({ record }) },
      onStoreChange: (change) => {
        const topic = this.layout.changelogs.get(change.store);
        if (topic === undefined) return;
        push({
          store: change.store,
          record: { topic, partition, key: change.key, value: change.value, timestamp: change.timestamp, headers: new Map() },
        });
      },
    });
    return handle;
  }

  /** Clean: the task has nothing uncommitted, so its checkpoint is written. Dirty: its local state is wiped. */
  private async closeTask(h: TaskHandle, clean: boolean): Promise<void> {
    this.handles.delete(h.task.id);
    for (const [key, v] of [...this.routes]) if (v === h) this.routes.delete(key);
    this.buffered -= h.buffer.length;
    try {
      await h.task.close();
    } catch (error) {
      this.options.logger.warn({ err: error, taskId: h.task.id }, 'task did not close cleanly');
      clean = false;
    }
    if (clean) {
      await writeCheckpoint(h.dir, this.checkpointOf(h));
    } else {
      this.options.logger.info({ taskId: h.task.id }, 'closing task with uncommitted work: dropping its local state');
      await rm(h.dir, { recursive: true, force: true });
    }
  }

  private checkpointOf(h: TaskHandle): Checkpoint {
    const cp: Checkpoint = new Map();
    for (const [store, offset] of h.changelogPositions) if (h.task.stores.get(store)?.persistent) cp.set(store, offset);
    return cp;
  }

  private hasPending(h: TaskHandle): boolean {
    return h.buffer.length > 0 || h.offsets.size > 0;
  }

  private async restore(created: readonly TaskHandle[]): Promise<void> {
    const requests: RestoreRequest[] = [];
    const ends = new Map<string, Map<number, bigint>>();
    for (const h of created) {
      for (const [store, from] of h.changelogPositions) {
        const topic = this.layout.changelogs.get(store) as string;
        let byPartition = ends.get(topic);
        if (!byPartition) {
          byPartition = new Map((await this.admin.endOffsets(topic)).map((o) => [o.partition, BigInt(o.offset)]));
          ends.set(topic, byPartition);
        }
        // endOffsets is the last stable offset: right after our own commit its markers may not be
        // written yet, and restoring only up to there would miss that commit's changes (whose input
        // offsets are committed). What this thread wrote itself is an end it knows for sure.
        const lso = byPartition.get(h.partition) ?? 0n;
        const written = this.writtenEnds.get(`${topic}:${h.partition}`) ?? 0n;
        const to = written > lso ? written : lso;
        let start = from;
        if (start > to) {
          // The changelog is shorter than the checkpoint says (topic recreated?): start over.
          this.options.logger.warn({ taskId: h.task.id, store, checkpoint: from.toString(), end: to.toString() }, 'checkpoint beyond changelog end; restoring fully');
          start = 0n;
        }
        const total = Number(to - start);
        const store$ = h.task.stores.get(store) as StateStore;
        const report = (phase: 'start' | 'batch' | 'end', restored: number): void => {
          this.config.metrics.restoreProgress?.(h.task.id, store, restored, total);
          this.options.onRestore?.({ taskId: h.task.id, store, topic, partition: h.partition, phase, restored, total, startOffset: start.toString() });
        };
        report('start', 0);
        h.changelogPositions.set(store, to);
        if (start >= to) {
          report('end', 0);
          continue;
        }
        let last = 0;
        requests.push({
          topic,
          partition: h.partition,
          partitions: this.layout.taskCounts.get(h.subtopology) ?? 1,
          from: start,
          to,
          apply: async (records, soFar) => {
            await store$.restore(records);
            last = soFar;
            report('batch', soFar);
          },
        });
        const req = requests[requests.length - 1] as RestoreRequest & { onDone?: () => void };
        req.onDone = () => report('end', last);
      }
    }
    if (requests.length === 0) return;
    const started = this.options.clock.now();
    await restorePartitions(requests, {
      connection: this.connection,
      groupId: `${this.config.applicationId}-restore-${this.options.instanceId}`,
      isolation: this.exactlyOnce ? 'read_committed' : 'read_uncommitted',
      logger: this.options.logger,
      cancelled: () => this.stopping || this.failed,
    });
    for (const r of requests) (r as RestoreRequest & { onDone?: () => void }).onDone?.();
    for (const h of created) h.checkpointStale = true;
    this.options.logger.info({ partitions: requests.length, ms: this.options.clock.now() - started }, 'restoration complete');
  }

  // ---- processing ----

  /** Returns the group's error when a heartbeat found the group rebalancing (the rest of the batch is fetched again). */
  private async processBatch(
    topic: string,
    partition: number,
    records: readonly KafkaRecord[],
    resolveOffset: (offset: string) => void,
    heartbeat: () => Promise<void>,
  ): Promise<unknown> {
    if (this.stopping || this.failed) return;
    const h = this.routes.get(`${topic}:${partition}`);
    if (!h) return; // fetched before a rebalance took the partition away
    let position = h.positions.get(topic);
    const started = this.options.clock.now();
    this.options.logger.debug({ topic, partition, records: records.length }, 'batch');
    try {
      for (const r of records) {
        const offset = BigInt(r.offset);
        if (position !== undefined && offset < position) {
          resolveOffset(r.offset);
          continue;
        }
        await h.task.process(toConsumed(r));
        resolveOffset(r.offset);
        position = offset + 1n;
        h.positions.set(topic, position);
        h.offsets.set(topic, position);
        if (this.buffered >= this.options.maxBufferedRecords || this.commitDue()) await this.commit(false);
        if (this.stopping || this.failed || this.routes.get(`${topic}:${partition}`) !== h) return;
        // kafkajs heartbeats only between batches; a batch of thousands of records with
        // commits in between can outlast the session timeout and get this member dropped.
        // Asked once per interval, not per record: the call costs promises even when kafkajs skips it.
        const now = this.options.clock.now();
        if (now - this.lastHeartbeatCall >= this.options.heartbeatIntervalMs) {
          this.lastHeartbeatCall = now;
          try {
            await heartbeat();
          } catch (groupError) {
            return groupError;
          }
        }
      }
    } catch (error) {
      this.fail(asVigil(error, `processing ${topic}-${partition}`));
    }
    this.options.logger.debug({ topic, partition, records: records.length, ms: this.options.clock.now() - started }, 'batch done');
  }

  private scheduleTick(): void {
    if (this.stopping || this.failed) return;
    const period = Math.max(5, Math.min(this.config.commitIntervalMs, 100));
    this.timer = setTimeout(() => {
      void this.executor
        .run(() => this.tick())
        .catch((error: unknown) => this.fail(asVigil(error, 'the commit loop')))
        .finally(() => this.scheduleTick());
    }, period);
  }

  private async tick(): Promise<void> {
    if (this.stopping || this.failed || this.rebalancing) return;
    for (const h of this.handles.values()) await h.task.punctuateWallClock();
    const requested = [...this.handles.values()].some((h) => h.task.commitRequested);
    if (requested || this.commitDue()) await this.commit(false);
    const interval = this.options.storeSizeIntervalMs;
    if (interval > 0 && this.config.metrics.storeSize && this.options.clock.now() - this.lastStoreSizes >= interval) {
      this.lastStoreSizes = this.options.clock.now();
      for (const h of this.handles.values()) {
        for (const [name, store] of h.task.stores) {
          const counter = store as Partial<{ approximateNumEntries(): Promise<number> }>;
          if (typeof counter.approximateNumEntries === 'function') this.config.metrics.storeSize(h.task.id, name, await counter.approximateNumEntries());
        }
      }
    }
  }

  private commitDue(): boolean {
    return this.options.clock.now() - this.lastCommit >= this.config.commitIntervalMs;
  }

  /**
   * Flushes every task, then writes their output and consumed offsets:
   * one transaction under exactly-once. Returns false when it could not
   * commit because a rebalance is in progress (the work stays buffered and
   * is committed after the assignment, or dropped with its revoked task).
   */
  private async commit(final: boolean): Promise<boolean> {
    try {
      return await this.commitNow(final);
    } finally {
      // The interval runs from the end of a commit: a commit slower than the interval must not trigger another right away.
      this.lastCommit = this.options.clock.now();
    }
  }

  private async commitNow(final: boolean): Promise<boolean> {
    if (this.rebalancing && !final) return false;
    // kafkajs' TxnOffsetCommit carries no generation (no KIP-447 fencing): a member the
    // coordinator has already dropped would still commit offsets for partitions another
    // member now owns. Past the session timeout without a heartbeat, assume we were dropped.
    if (this.exactlyOnce && !final && this.options.clock.now() - this.lastHeartbeat > this.options.sessionTimeoutMs) {
      this.options.logger.warn({ sinceHeartbeatMs: this.options.clock.now() - this.lastHeartbeat }, 'no heartbeat for a session timeout: holding the commit until the group answers');
      return false;
    }
    const started = this.options.clock.now();
    const handles = [...this.handles.values()];
    for (const h of handles) await h.task.commit();
    const pending = handles.flatMap((h) => h.buffer);
    const offsets: TopicPartitionOffset[] = handles.flatMap((h) =>
      [...h.offsets].map(([topic, offset]) => ({ topic, partition: h.partition, offset: offset.toString() })),
    );
    if (pending.length === 0 && offsets.length === 0) {
      await this.writeStaleCheckpoints(handles);
      return true;
    }
    const records = await Promise.all(pending.map((p) => this.toKafka(p.record)));
    const ends = new Map<string, bigint>();
    if (this.exactlyOnce) {
      const tx = await this.producer.transaction();
      try {
        for (let i = 0; i < records.length; i += SEND_CHUNK) {
          const chunk = records.slice(i, i + SEND_CHUNK);
          trackEnds(chunk, await tx.send(chunk), ends);
        }
        if (this.rebalancing && !final) {
          // Partitions may be moving: committing offsets now could hand them over twice. Keep the work; retry after the assignment.
          await tx.abort();
          return false;
        }
        if (offsets.length > 0) await tx.sendOffsets(this.config.applicationId, offsets);
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => {});
        throw new VigilError('VIGIL_ERR_PRODUCTION', `the exactly-once transaction failed (${messageOf(error)}); the instance stops so its tasks restart from the last commit`, {
          cause: error,
        });
      }
    } else {
      await this.sendAtLeastOnce(records, ends);
      if (offsets.length > 0) await this.consumer.commit(offsets);
    }
    this.advanceChangelogPositions(handles, ends);
    for (const h of handles) {
      h.buffer = [];
      h.offsets.clear();
    }
    this.buffered = 0;
    if (!this.exactlyOnce) await this.writeStaleCheckpoints(handles);
    this.config.metrics.commitLatency?.(this.options.clock.now() - started, records.length);
    this.options.logger.debug({ records: records.length, offsets: offsets.length, ms: this.options.clock.now() - started }, 'committed');
    return true;
  }

  private async sendAtLeastOnce(records: KafkaProducedRecord[], ends: Map<string, bigint>): Promise<void> {
    for (let i = 0; i < records.length; i += SEND_CHUNK) {
      const chunk = records.slice(i, i + SEND_CHUNK);
      try {
        trackEnds(chunk, await this.producer.send(chunk), ends);
      } catch {
        // Find the culprit(s) one by one and ask the handler about each.
        for (const r of chunk) {
          try {
            trackEnds([r], await this.producer.send([r]), ends);
          } catch (error) {
            const verdict = safeVerdict(() =>
              this.options.productionExceptionHandler({ topic: r.topic, partition: r.partition, key: asBuffer(r.key), value: asBuffer(r.value) }, error),
            );
            if (verdict === 'FAIL') {
              throw new VigilError('VIGIL_ERR_PRODUCTION', `could not produce to ${r.topic} (${messageOf(error)}); fix the topic or set a productionExceptionHandler that answers CONTINUE`, {
                cause: error,
              });
            }
            this.options.logger.warn({ err: error, topic: r.topic }, 'skipping a record the producer rejected');
          }
        }
      }
    }
  }

  /** Moves each task's changelog positions past what this commit wrote (`ends`: `<topic>:<partition>` → next offset). */
  private advanceChangelogPositions(handles: TaskHandle[], ends: ReadonlyMap<string, bigint>): void {
    for (const [key, end] of ends) if (end > (this.writtenEnds.get(key) ?? -1n)) this.writtenEnds.set(key, end);
    for (const h of handles) {
      for (const [store, current] of h.changelogPositions) {
        const end = ends.get(`${this.layout.changelogs.get(store)}:${h.partition}`);
        if (end !== undefined && end > current) {
          h.changelogPositions.set(store, end);
          h.checkpointStale = true;
        }
      }
    }
  }

  private async writeStaleCheckpoints(handles: TaskHandle[]): Promise<void> {
    if (this.exactlyOnce) return;
    for (const h of handles) {
      if (!h.checkpointStale) continue;
      await writeCheckpoint(h.dir, this.checkpointOf(h));
      h.checkpointStale = false;
    }
  }

  private async toKafka(r: ProducedRecord): Promise<KafkaProducedRecord> {
    let partition = r.partition;
    if (partition === undefined && r.choosePartition) partition = r.choosePartition(await this.partitionCount(r.topic));
    return {
      topic: r.topic,
      key: r.key,
      value: r.value,
      timestamp: r.timestamp,
      headers: headersToObject(r.headers),
      ...(partition !== undefined ? { partition } : {}),
    };
  }

  private async partitionCount(topic: string): Promise<number> {
    let n = this.partitionCounts.get(topic);
    if (n === undefined) {
      n = await this.admin.partitionCount(topic);
      if (n === 0) throw new VigilError('VIGIL_ERR_PRODUCTION', `sink topic "${topic}" does not exist; create it before producing to it`);
      this.partitionCounts.set(topic, n);
    }
    return n;
  }

  private fail(error: VigilError): void {
    if (this.failed || this.stopping) return;
    this.failed = true;
    if (this.timer) clearTimeout(this.timer);
    this.options.logger.error({ err: error, code: error.code }, 'stream thread failed');
    this.hooks.onFatal(error);
  }

  /** Drops every task without committing (after a fatal error): local state that may be ahead of the changelog is wiped. */
  async abandon(): Promise<void> {
    await this.executor.run(async () => {
      for (const h of [...this.handles.values()]) await this.closeTask(h, false);
    });
  }
}

/** A fetched Kafka record as the engine's task takes it. */
export function toConsumed(r: KafkaRecord): ConsumedRecord {
  const headers = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) headers.set(k, v);
  return { topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp, headers };
}

function headersToObject(headers: Headers): { [name: string]: Buffer } | undefined {
  if (headers.size === 0) return undefined;
  return Object.fromEntries(headers);
}

/**
 * One produce request returns each written partition's base offset; with
 * the number of records the request sent to that partition (known only for
 * explicitly partitioned records, which changelog records are), that gives
 * the partition's next offset.
 */
export function trackEnds(sent: readonly KafkaProducedRecord[], results: readonly ProduceResult[], ends: Map<string, bigint>): void {
  const counts = new Map<string, number>();
  for (const r of sent) {
    if (r.partition === undefined) continue;
    const k = `${r.topic}:${r.partition}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  for (const res of results) {
    const k = `${res.topic}:${res.partition}`;
    const n = counts.get(k);
    if (n === undefined || res.baseOffset === '-1') continue;
    const end = BigInt(res.baseOffset) + BigInt(n);
    if (end > (ends.get(k) ?? -1n)) ends.set(k, end);
  }
}

function asBuffer(v: Buffer | string | null): Buffer | null {
  return v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(v);
}

function safeVerdict(f: () => 'CONTINUE' | 'FAIL'): 'CONTINUE' | 'FAIL' {
  try {
    return f() === 'CONTINUE' ? 'CONTINUE' : 'FAIL';
  } catch {
    return 'FAIL';
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function asVigil(error: unknown, what: string): VigilError {
  if (isVigilError(error)) return error;
  return new VigilError('VIGIL_ERR_ILLEGAL_STATE', `${what} failed: ${messageOf(error)}; restart the instance (it resumes from the last commit)`, { cause: error });
}
