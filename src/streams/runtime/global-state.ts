import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamsConfig } from '../config.js';
import { VigilError } from '../errors.js';
import { StreamTask } from '../processor/internal/stream-task.js';
import type { SubtopologyPlan } from '../processor/internal/topology-model.js';
import type { StateStore } from '../state/types.js';
import { connectConsumer, type KafkaAdmin, type KafkaConnectionOptions, type KafkaConsumer } from '../kafka/index.js';
import type { KafkaStreamsOptions } from './options.js';
import { toConsumed } from './stream-thread.js';

/**
 * Keeps the global stores (GlobalKTable, addGlobalStore) of one instance:
 * every partition of their source topics, read from the beginning before
 * the stream thread starts, then followed in the background.
 *
 * Global stores are rebuilt from their source topics at every start rather
 * than checkpointed: the topics are compacted (user profiles, reference
 * data), so a rebuild reads about one record per key. Each instance reads
 * them with a group of its own (`<appId>-global-<instanceId>`) that never
 * commits, because kafkajs has no manual partition assignment; as the only
 * member it gets every partition.
 */
export interface GlobalStateManagerOptions {
  readonly plan: SubtopologyPlan;
  readonly config: StreamsConfig;
  readonly options: KafkaStreamsOptions;
  readonly connection: KafkaConnectionOptions;
  readonly admin: KafkaAdmin;
  /** How to open the global consumer; tests pass a fake. */
  readonly connect?: typeof connectConsumer;
}

export class GlobalStateManager {
  private task: StreamTask | undefined;
  private consumer: KafkaConsumer | undefined;
  private readonly plan: SubtopologyPlan;
  private readonly config: StreamsConfig;
  private readonly options: KafkaStreamsOptions;
  private readonly connection: KafkaConnectionOptions;
  private readonly admin: KafkaAdmin;
  private readonly connect: typeof connectConsumer;

  constructor(o: GlobalStateManagerOptions) {
    this.plan = o.plan;
    this.config = o.config;
    this.options = o.options;
    this.connection = o.connection;
    this.admin = o.admin;
    this.connect = o.connect ?? connectConsumer;
  }

  /** The global stores by name, for every stream task; empty before `start`. */
  get stores(): ReadonlyMap<string, StateStore> {
    return this.task?.stores ?? new Map();
  }

  /**
   * Resolves once every global store holds its topics up to their end
   * offsets at start. Rejects (VIGIL_ERR_STATE_STORE) when an update fails or
   * the consumer stops for good before that: the instance must not wait
   * forever for stores that will never catch up.
   */
  async start(): Promise<void> {
    const dir = join(this.config.stateDir, this.config.applicationId, 'global');
    await rm(dir, { recursive: true, force: true });
    const task = new StreamTask({
      plan: this.plan,
      partition: 0,
      config: this.config,
      clock: this.options.clock,
      stateDir: dir,
      // A global sub-topology only fills its stores; it has no sinks.
      collector: { send: () => {} },
    });
    this.task = task;
    await task.initialize();

    const remaining = new Map<string, bigint>();
    for (const topic of this.plan.sourceTopics) {
      for (const { partition, offset } of await this.admin.endOffsets(topic)) {
        if (BigInt(offset) > 0n) remaining.set(`${topic}:${partition}`, BigInt(offset));
      }
    }
    const started = this.options.clock.now();
    let markCaughtUp: () => void = () => {};
    let markFailed: (error: unknown) => void = () => {};
    const caughtUp = new Promise<void>((resolve, reject) => {
      markCaughtUp = resolve;
      markFailed = (error) =>
        reject(new VigilError('VIGIL_ERR_STATE_STORE', `global stores could not be built from ${this.plan.sourceTopics.join(', ')}: ${String(error)}`, { cause: error }));
    });
    if (remaining.size === 0) markCaughtUp();

    const consumer = await this.connect(this.connection, {
      groupId: `${this.config.applicationId}-global-${this.options.instanceId}`,
      isolation: this.options.processingGuarantee === 'exactly_once' ? 'read_committed' : 'read_uncommitted',
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      heartbeatIntervalMs: this.options.heartbeatIntervalMs,
      maxWaitTimeMs: this.options.fetchMaxWaitMs,
    });
    this.consumer = consumer;
    await consumer.subscribe({ topics: [...this.plan.sourceTopics], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      onCrash: (error, restarting) => {
        if (!restarting) markFailed(error);
      },
      eachBatch: async ({ records }) => {
        try {
          for (const r of records) await task.process(toConsumed(r));
          await task.commit();
        } catch (error) {
          this.options.logger.error({ err: error }, 'global store update failed');
          // Before catching up, start() fails (settling once; later calls are no-ops).
          markFailed(error);
          throw error;
        }
      },
      onBatchEnd: ({ topic, partition, lastOffset }) => {
        const key = `${topic}:${partition}`;
        const end = remaining.get(key);
        if (end !== undefined && BigInt(lastOffset) + 1n >= end) {
          remaining.delete(key);
          if (remaining.size === 0) {
            this.options.logger.info({ ms: this.options.clock.now() - started, topics: this.plan.sourceTopics }, 'global stores restored');
            markCaughtUp();
          }
        }
      },
    });
    await caughtUp;
  }

  async close(): Promise<void> {
    await this.consumer?.close().catch(() => {});
    this.consumer = undefined;
    if (this.task) await this.task.close().catch(() => {});
    this.task = undefined;
  }
}
