/**
 * The processing loop of one KafkaStreams instance (Kafka Streams'
 * StreamThread): poll → process → commit, with one consumer and one
 * producer (transactional under exactly-once: the EOS-v2 "thread
 * producer"). The jobs around the loop live in their own classes:
 * TaskManager (creates, routes, closes tasks), StateDirectory (lock, wipe,
 * checkpoints), ChangelogReader (restoration), RecordCollector (sends,
 * transactions, production errors) and Committer (when and whether to
 * commit). docs/runtime.md describes the split.
 *
 * Fetched batches, the commit and punctuation timers and rebalances run
 * one at a time through one SerialExecutor. Output is sent at the commit
 * or, with `eagerSends`, handed to the producer as the tasks go (at a
 * batch's end, after a punctuation, every HAND_OFF_RECORDS), and committed
 * with the consumed offsets (one transaction under exactly-once); the
 * collector keeps it until then, so a task revoked with uncommitted work
 * can drop it. With
 * `pipelinedCommits` a commit is sealed on the executor (stores flushed,
 * output and offsets taken) and then written while processing goes on, one
 * commit in flight at most.
 */
import { VigilError, isVigilError } from '../errors.js';
import type { ConsumedRecord } from '../processor/internal/record-collector.js';
import { EMPTY_HEADERS } from '../processor/record.js';
import type { StateStore } from '../state/types.js';
import type { TimerHandle } from '../time/timers.js';
import { Alarm } from './alarm.js';
import { Committer } from './committer.js';
import type { ConsumedRecord as KafkaRecord, GroupAssignment, PartitionBatch, TopicPartition } from '../kafka/index.js';
import { encodeSubscriptionInfo, unitsOfTasks } from './partition-assignment.js';
import type { RecordCollector } from './record-collector.js';
import { messageOf } from './record-collector.js';
import { SerialExecutor } from './serial-executor.js';
import type { StateDirectory } from './state-directory.js';
import type { TaskManager } from './task-manager.js';
import { wireThreadParts } from './thread-wiring.js';
import type { StreamThreadOptions } from './thread-wiring.js';

export type { StreamThreadOptions } from './thread-wiring.js';

/** Eager sends: a hand-off goes once this many records wait, or at a batch's end when the last hand-off is this long ago (a small linger). */
const HAND_OFF_RECORDS = 4_000;
const HAND_OFF_LINGER_MS = 5;

export class StreamThread {
  private readonly o: StreamThreadOptions;
  private readonly executor = new SerialExecutor();
  readonly stateDirectory: StateDirectory;
  private readonly collector: RecordCollector;
  private readonly tasks: TaskManager;
  private pendingAssignment: Map<string, number[]> | undefined;
  private rebalancing = true;
  private lostAll = false;
  /** This member's id in the group; a new one on a join means the coordinator had dropped us. */
  private memberId: string | undefined;
  /** Last time the coordinator answered a heartbeat (or assigned us partitions). */
  private lastHeartbeat: number;
  /** Last time processBatch asked kafkajs to heartbeat (at most once per heartbeat interval). */
  private lastHeartbeatCall = Number.NEGATIVE_INFINITY;
  private stopping = false;
  private failed = false;
  private lastStoreSizes: number;
  private commitTimer: TimerHandle | undefined;
  /** Armed for the earliest wall-clock punctuator of any task. */
  private readonly punctuation: Alarm;
  /** When the collector last handed records to the producer (eager sends). */
  private lastHandOff = Number.NEGATIVE_INFINITY;
  private readonly committer: Committer;

  constructor(o: StreamThreadOptions) {
    this.o = o;
    const { options } = o;
    ({ stateDirectory: this.stateDirectory, collector: this.collector, tasks: this.tasks } = wireThreadParts(o, () => this.stopping || this.failed));
    this.lastStoreSizes = options.clock.now();
    this.lastHeartbeat = options.clock.now();
    this.committer = new Committer({
      config: o.config,
      options,
      tasks: this.tasks,
      collector: this.collector,
      admin: o.admin,
      rebalancing: () => this.rebalancing,
      lastHeartbeat: () => this.lastHeartbeat,
      stopping: () => this.stopping,
      failed: () => this.failed,
      onFailure: (error) => this.fail(asVigil(error, 'writing a commit')),
    });
    this.punctuation = new Alarm(options.timers, options.clock, () => {
      void this.executor.run(() => this.punctuate()).catch((error: unknown) => this.fail(asVigil(error, 'wall-clock punctuation')));
    });
  }

  private get exactlyOnce(): boolean {
    return this.o.options.processingGuarantee === 'exactly_once';
  }

  private now(): number {
    return this.o.options.clock.now();
  }

  /** Locks the state directory, subscribes and starts fetching; tasks appear once the group assigns partitions. */
  async start(): Promise<void> {
    const { consumer, options } = this.o;
    await this.stateDirectory.lock();
    await consumer.subscribe({ topics: [...this.o.layout.sourceTopics.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      // Only records a task processed are marked consumed: whatever a rebalance or shutdown interrupts is fetched again.
      autoResolve: false,
      // Fetching goes on while batches are processed (see "Prefetch" in docs/runtime.md); 0 turns it off.
      prefetchRecords: options.prefetchRecords,
      eachBatch: async (batch) => {
        const groupError = await this.executor.run(() => this.processBatch(batch));
        // Out of eachBatch, so kafkajs re-joins the group (outside the executor: the join's GROUP_JOIN queues work on it).
        if (groupError !== undefined) throw groupError;
      },
      onGroupJoin: (assignment) => this.onGroupJoin(assignment),
      onRebalancing: () => {
        this.rebalancing = true;
        this.o.onRebalance(true);
      },
      onHeartbeat: () => {
        this.lastHeartbeat = this.now();
      },
      onBatchEnd: (p) => this.o.config.metrics.consumerLag?.(p.topic, p.partition, Number(p.offsetLag)),
      onCrash: (error, restarting) => {
        options.logger.warn({ err: error, restarting }, 'consumer crashed');
        if (!restarting) this.fail(new VigilError('VIGIL_ERR_ILLEGAL_STATE', `the consumer stopped: ${error.message}; restart the instance`, { cause: error }));
      },
    });
    this.scheduleCommitTick();
  }

  /** Commits, closes every task cleanly (writing checkpoints), stops the timers and unlocks. The caller closes the clients. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.clearTimers();
    try {
      await this.executor.run(async () => {
        await this.committer.settle();
        let committed = false;
        // A member the group dropped commits nothing: another member may own its partitions now (see onGroupJoin).
        if (!this.failed && !this.lostAll) {
          try {
            committed = await this.committer.commit(true);
          } catch (error) {
            this.o.options.logger.warn({ err: error }, 'final commit failed; closing tasks without checkpoints');
          }
        }
        await this.tasks.closeAll((h) => committed || (!this.lostAll && !this.tasks.hasPending(h)));
        if (committed && this.exactlyOnce) await this.committer.awaitLastCommitVisible();
      });
    } finally {
      await this.stateDirectory.unlock();
    }
  }

  /** Drops every task without committing (after a fatal error): local state that may be ahead of the changelog is wiped. */
  async abandon(): Promise<void> {
    this.clearTimers();
    try {
      await this.executor.run(async () => {
        await this.committer.settle();
        await this.tasks.closeAll(() => false);
      });
    } finally {
      await this.stateDirectory.unlock();
    }
  }

  /** Local tasks' stores named `name` (interactive queries). */
  storesNamed(name: string): StateStore[] {
    return this.tasks.storesNamed(name);
  }

  /** What this member tells the group at a join: the tasks it runs and those whose state it has on disk (sticky assignment). */
  subscriptionUserData(): Buffer {
    return encodeSubscriptionInfo({
      instanceId: this.o.options.instanceId,
      owned: unitsOfTasks(this.tasks.taskIds()),
      previous: unitsOfTasks(this.stateDirectory.tasksOnDisk()),
    });
  }

  /** Ids of the tasks this instance runs now. */
  taskIds(): string[] {
    return this.tasks.taskIds();
  }

  // ---- group membership ----

  private onGroupJoin(assignment: GroupAssignment): void {
    this.rebalancing = true;
    this.lastHeartbeat = this.now();
    // kafkajs re-joins under a new member id after the coordinator dropped this member
    // (missed heartbeats), without a rebalancing event. Another member may have
    // owned and advanced our partitions meanwhile, so every task we hold is stale:
    // close them all dirty and restore, as Kafka Streams does for lost tasks.
    if (this.memberId !== undefined && assignment.memberId !== this.memberId) this.lostAll = true;
    this.memberId = assignment.memberId;
    this.pendingAssignment = assignment.partitions;
    this.o.onRebalance(true);
    // Fetch nothing until the new tasks are restored; the fetch loop keeps heartbeating meanwhile.
    const all = partitionsOf(assignment.partitions);
    if (all.length > 0) this.o.consumer.pause(all);
    void this.executor.run(() => this.applyAssignment()).catch((error: unknown) => this.fail(asVigil(error, 'applying the assignment')));
  }

  private async applyAssignment(): Promise<void> {
    // A commit written meanwhile either lands or gives its work back to the tasks before any of them moves.
    await this.committer.settle();
    const assigned = this.pendingAssignment;
    if (assigned === undefined || this.stopping || this.failed) return;
    // Records handed off before the rebalance must not sit in an open transaction through the restoration: abort it, keep them.
    await this.collector.abortOpenTransaction();
    this.pendingAssignment = undefined;
    const { logger } = this.o.options;
    if (this.lostAll) {
      this.lostAll = false;
      if (this.tasks.taskIds().length > 0) logger.warn({ tasks: this.taskIds() }, 'this member had been dropped from the group; closing every task dirty and restoring it');
      await this.tasks.closeAll(() => false);
    }
    const created = await this.tasks.assign(assigned);
    if (this.exactlyOnce && created.length > 0) await this.startFromCommitted(created);
    logger.info({ tasks: this.taskIds(), created }, 'assignment applied');
    if (this.pendingAssignment !== undefined) return; // another rebalance already arrived; it will resume
    this.rebalancing = false;
    const all = partitionsOf(assigned);
    if (all.length > 0) this.o.consumer.resume(all);
    this.o.onRebalance(false);
    this.armPunctuation();
  }

  /**
   * Under exactly-once, new tasks consume from the offsets committed *now*,
   * read right after their restoration settled (ChangelogReader.settle),
   * not from those kafkajs fetched when the group assigned the partitions:
   * a previous owner's last transaction may have become visible in between,
   * and the state and the offsets must agree on it (seen in CI: a hand-over
   * that lost 411 counts). kafkajs has no `require_stable` offset fetch
   * (KIP-447), which closes this in Kafka Streams.
   */
  private async startFromCommitted(taskIds: readonly string[]): Promise<void> {
    const partitions = this.tasks.sourcePartitionsOf(taskIds);
    for (const topic of new Set(partitions.map((p) => p.topic))) {
      const wanted = new Set(partitions.filter((p) => p.topic === topic).map((p) => p.partition));
      for (const c of await this.o.admin.committedOffsets(this.o.config.applicationId, topic)) {
        if (!wanted.has(c.partition) || !(BigInt(c.offset) >= 0n)) continue;
        this.o.consumer.seek({ topic, partition: c.partition, offset: c.offset });
      }
    }
  }

  // ---- processing ----

  /** Returns the group's error when a heartbeat found the group rebalancing (the rest of the batch is fetched again). */
  private async processBatch(batch: PartitionBatch): Promise<unknown> {
    const { topic, partition, records, resolveOffset, heartbeat } = batch;
    if (this.stopping || this.failed || batch.isStale()) return;
    const h = this.tasks.route(topic, partition);
    if (!h) return; // fetched before a rebalance took the partition away
    // Offsets ascend within a batch: once one record is past the task's position, all that follow are.
    const position = h.positions.get(topic);
    let skipping = position !== undefined;
    // The last record processed whose offset the task's position does not show yet. Positions are written
    // before anything reads them (a commit, a punctuation) and on the way out (finally), not per record:
    // a BigInt parse and two map writes per record were measurable on this path.
    let unrecorded: string | undefined;
    const recordPosition = (): void => {
      if (unrecorded === undefined) return;
      const next = BigInt(unrecorded) + 1n;
      unrecorded = undefined;
      h.positions.set(topic, next);
      h.offsets.set(topic, next);
    };
    try {
      for (const r of records) {
        if (skipping) {
          if (BigInt(r.offset) < position!) {
            resolveOffset(r.offset);
            continue;
          }
          skipping = false;
        }
        // Undefined when the record went through synchronous processors only: no microtask then.
        const processing = h.task.process(toConsumed(r));
        if (processing !== undefined) await processing;
        resolveOffset(r.offset);
        unrecorded = r.offset;
        // Punctuators due while a long batch runs fire between its records, not after it.
        if (this.punctuation.isDue()) {
          recordPosition();
          await this.punctuate();
        }
        if (this.collector.buffered >= this.o.options.maxBufferedRecords || this.committer.due()) {
          recordPosition();
          await this.committer.commit(false);
        } else if (this.collector.eager && this.collector.unsent >= HAND_OFF_RECORDS) this.handOff();
        // Stale: a rebalance or a seek came while the record was processed (possible with prefetch); the rest is fetched again.
        if (this.stopping || this.failed || batch.isStale() || this.tasks.route(topic, partition) !== h) return;
        // kafkajs heartbeats only between batches; a batch of thousands of records with
        // commits in between can outlast the session timeout and get this member dropped.
        // Asked once per interval, not per record: the call costs promises even when kafkajs skips it.
        const now = this.now();
        if (now - this.lastHeartbeatCall >= this.o.options.heartbeatIntervalMs) {
          this.lastHeartbeatCall = now;
          try {
            await heartbeat();
          } catch (groupError) {
            return groupError;
          }
        }
      }
      if (this.collector.eager && this.now() - this.lastHandOff >= HAND_OFF_LINGER_MS) this.handOff();
      // A record may have scheduled a punctuator earlier than the armed timer.
      this.armPunctuation();
    } catch (error) {
      this.fail(asVigil(error, `processing ${topic}-${partition}`));
    } finally {
      // Every way out (a stale batch, a rebalance, a failure) leaves the task's position at its last processed record.
      recordPosition();
    }
  }

  // ---- timers ----

  /**
   * Arms the punctuation timer for the earliest wall-clock punctuator of
   * any task, so punctuators fire at their own interval whether or not
   * records arrive (while a batch runs, processBatch fires them between
   * records). Called whenever schedules may have changed.
   */
  private armPunctuation(): void {
    if (this.stopping || this.failed || this.rebalancing) return;
    this.punctuation.arm(this.tasks.nextWallClockPunctuationMs());
  }

  private async punctuate(): Promise<void> {
    if (this.stopping || this.failed || this.rebalancing) return;
    await this.tasks.punctuateWallClock();
    // A punctuator that called context.commit() gets its commit now, not at the next interval.
    if (this.tasks.commitRequested) await this.committer.commit(false);
    else this.handOff();
    this.punctuation.clear();
    this.armPunctuation();
  }

  /** Eager sends: what the tasks forwarded goes to the producer now, not at the commit. */
  private handOff(): void {
    // While the group rebalances, nothing is sent: the assignment aborts the open transaction; hand-offs resume once it is applied.
    if (!this.collector.eager || this.rebalancing) return;
    this.lastHandOff = this.now();
    this.collector.handOff();
  }

  private scheduleCommitTick(): void {
    if (this.stopping || this.failed) return;
    const period = Math.max(5, Math.min(this.o.config.commitIntervalMs, 100));
    this.commitTimer = this.o.options.timers.set(() => {
      void this.executor
        .run(() => this.tick())
        .catch((error: unknown) => this.fail(asVigil(error, 'the commit loop')))
        .finally(() => this.scheduleCommitTick());
    }, period);
  }

  private async tick(): Promise<void> {
    if (this.stopping || this.failed || this.rebalancing) return;
    if (this.tasks.commitRequested || this.committer.due()) await this.committer.commit(false);
    const interval = this.o.options.storeSizeIntervalMs;
    const storeSize = this.o.config.metrics.storeSize;
    if (interval > 0 && storeSize && this.now() - this.lastStoreSizes >= interval) {
      this.lastStoreSizes = this.now();
      await this.tasks.reportStoreSizes(storeSize);
    }
  }

  private clearTimers(): void {
    if (this.commitTimer !== undefined) this.o.options.timers.clear(this.commitTimer);
    this.commitTimer = undefined;
    this.punctuation.clear();
  }

  private fail(error: VigilError): void {
    if (this.failed || this.stopping) return;
    this.failed = true;
    this.clearTimers();
    this.o.options.logger.error({ err: error, code: error.code }, 'stream thread failed');
    this.o.onFatal(error);
  }
}

/** A fetched Kafka record as the engine's task takes it. */
export function toConsumed(r: KafkaRecord): ConsumedRecord {
  // Most records carry no headers: share one empty map rather than build one per record.
  let headers: Map<string, Buffer> | undefined;
  for (const k in r.headers) {
    const v = r.headers[k];
    if (v !== undefined) (headers ??= new Map()).set(k, v);
  }
  return { topic: r.topic, partition: r.partition, offset: r.offset, key: r.key, value: r.value, timestamp: r.timestamp, headers: headers ?? EMPTY_HEADERS };
}

function partitionsOf(assignment: ReadonlyMap<string, readonly number[]>): TopicPartition[] {
  return [...assignment].flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
}

function asVigil(error: unknown, what: string): VigilError {
  if (isVigilError(error)) return error;
  return new VigilError('VIGIL_ERR_ILLEGAL_STATE', `${what} failed: ${messageOf(error)}; restart the instance (it resumes from the last commit)`, { cause: error });
}
