/**
 * The stream thread's commits (Kafka Streams keeps them in
 * TaskManager.commit and StreamThread.maybeCommit): when one is due, the
 * guards before one may be written, and at most one in flight. A commit
 * flushes every task, then writes their output and consumed offsets (one
 * transaction under exactly-once). With `pipelinedCommits` it is sealed on
 * the thread's executor and written while processing goes on.
 */
import type { StreamsConfig } from '../config.js';
import type { KafkaAdmin } from '../kafka/index.js';
import { awaitCommitMarkers } from './commit-markers.js';
import type { KafkaStreamsOptions } from './options.js';
import type { RecordCollector } from './record-collector.js';
import type { TaskManager } from './task-manager.js';

/** Longest a closing exactly-once instance waits for its last commit's markers: Kafka Streams' default transaction timeout. */
const COMMIT_MARKER_TIMEOUT_MS = 10_000;

export interface CommitterOptions {
  readonly config: StreamsConfig;
  readonly options: KafkaStreamsOptions;
  readonly tasks: TaskManager;
  readonly collector: RecordCollector;
  readonly admin: KafkaAdmin;
  /** The group is rebalancing: partitions may be moving, so offsets must not be committed. */
  readonly rebalancing: () => boolean;
  /** When the coordinator last answered a heartbeat. */
  readonly lastHeartbeat: () => number;
  readonly stopping: () => boolean;
  readonly failed: () => boolean;
  /** A commit written in the background (pipelined) failed. */
  readonly onFailure: (error: unknown) => void;
}

export class Committer {
  private readonly o: CommitterOptions;
  private lastCommit: number;
  /** The sealed commit being written while the tasks go on (at most one). */
  private inFlight: Promise<void> | undefined;

  constructor(o: CommitterOptions) {
    this.o = o;
    this.lastCommit = o.options.clock.now();
  }

  private now(): number {
    return this.o.options.clock.now();
  }

  /** The commit interval has passed since the last commit ended. */
  due(): boolean {
    return this.now() - this.lastCommit >= this.o.config.commitIntervalMs;
  }

  /**
   * Flushes every task, then writes their output and consumed offsets.
   * Returns false when it could not commit because a rebalance is in
   * progress (the work stays buffered and is committed after the
   * assignment, or dropped with its revoked task).
   */
  async commit(final: boolean): Promise<boolean> {
    try {
      return await this.commitNow(final);
    } finally {
      // The interval runs from the end of a commit: a commit slower than the interval must not trigger another right away.
      this.lastCommit = this.now();
    }
  }

  /** Waits for the commit in flight, if any (its failure has already been reported). */
  async settle(): Promise<void> {
    const inFlight = this.inFlight;
    if (inFlight === undefined) return;
    await inFlight;
    if (this.inFlight === inFlight) this.inFlight = undefined;
  }

  /** Before leaving the group under exactly-once: the successor must see the last commit in the changelogs (see commit-markers.ts). */
  async awaitLastCommitVisible(): Promise<void> {
    const { options } = this.o;
    const started = this.now();
    const visible = await awaitCommitMarkers({
      admin: this.o.admin,
      written: this.o.collector.writtenByTopic(),
      clock: options.clock,
      timers: options.timers,
      logger: options.logger,
      timeoutMs: COMMIT_MARKER_TIMEOUT_MS,
    });
    if (visible) options.logger.debug({ ms: this.now() - started }, 'last commit visible in every changelog written');
  }

  private async commitNow(final: boolean): Promise<boolean> {
    const { options, config } = this.o;
    if (this.o.rebalancing() && !final) return false;
    // kafkajs' TxnOffsetCommit carries no generation (no KIP-447 fencing): a member the
    // coordinator has already dropped would still commit offsets for partitions another
    // member now owns. Past the session timeout without a heartbeat, assume we were dropped.
    const sinceHeartbeatMs = this.now() - this.o.lastHeartbeat();
    if (options.processingGuarantee === 'exactly_once' && !final && sinceHeartbeatMs > options.sessionTimeoutMs) {
      options.logger.warn({ sinceHeartbeatMs }, 'no heartbeat for a session timeout: holding the commit until the group answers');
      return false;
    }
    // At most one commit in flight: the next waits for the previous (which also bounds the memory held).
    await this.settle();
    if (this.o.failed()) return false;
    const started = this.now();
    const sealed = await this.o.tasks.seal();
    if (sealed === undefined) return true;
    // Partitions may be moving: committing offsets now could hand them over twice. Keep the work; retry after the assignment.
    const writing = this.o.tasks.write(sealed, () => this.o.rebalancing() && !final).then((done) => {
      if (done === undefined) return false;
      config.metrics.commitLatency?.(this.now() - started, done.records);
      options.logger.debug({ ...done, ms: this.now() - started }, 'committed');
      return true;
    });
    if (final || !options.pipelinedCommits) return writing;
    this.inFlight = writing.then(
      () => undefined,
      (error: unknown) => {
        // A failure while stopping is not fatal to report, but it must not go unseen.
        if (this.o.stopping()) options.logger.warn({ err: error }, 'a commit written while stopping failed; its work is committed by the final commit or dropped with its tasks');
        this.o.onFailure(error);
      },
    );
    return true;
  }
}
