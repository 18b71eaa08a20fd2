import type { Logger } from '../log.js';
import {
  connectAdmin,
  connectConsumer,
  connectProducer,
  type ConsumedRecord,
  type KafkaConnectionOptions,
  type KafkaConsumer,
  type KafkaProducer,
} from '../streams/kafka/index.js';
import { prepareAlert, type PreparedAlert } from './alert-envelope.js';
import type { DispatcherConfig } from './config.js';
import { MemoryDeliveryState, type DeliveryStateStore } from './delivery-state.js';
import { DeliveryEngine, type LaneStatus } from './delivery-engine.js';
import type { AttemptEvent, DeliveryOutcome } from './endpoint-lane.js';
import { WebhookError } from './errors.js';
import { HttpSender, type Sender } from './http-sender.js';
import { KafkaDeliveryState } from './kafka-delivery-state.js';
import type { DispatcherMetrics } from './metrics.js';
import { OffsetTracker } from './offset-tracker.js';
import { systemScheduler, type Scheduler } from './scheduler.js';

/** Dead-letter record headers; the value is the alert record's original bytes, so it can be replayed as is. */
export const DLQ_HEADERS = {
  reason: 'vigil-dlq-reason',
  endpoint: 'vigil-dlq-endpoint',
  attempts: 'vigil-dlq-attempts',
  webhookId: 'webhook-id',
  source: 'vigil-dlq-source',
} as const;

/**
 * A consumer whose loop completed no fetch for this long is stuck (seen once
 * in CI after a broker restart: the dispatcher stayed up and delivered
 * nothing more). It is replaced; a healthy one fetches every 50 ms, and a
 * group join (which can take a session timeout or two) counts as alive.
 */
const CONSUMER_STALL_MS = 90_000;

/** How long start() waits for the first partition assignment before returning anyway (the consumer keeps trying). */
const GROUP_JOIN_WAIT_MS = 30_000;

export interface DispatcherDeps {
  log: Logger;
  scheduler?: Scheduler;
  random?: () => number;
  sender?: Sender;
  /** Kafka client settings beyond the brokers (client id, timeouts). */
  connection?: Partial<KafkaConnectionOptions>;
  /** Metric hooks (see src/webhook/metrics.ts). */
  metrics?: DispatcherMetrics;
  /** `memory` forgets pending retries on restart: tests only. */
  stateStore?: 'kafka' | 'memory';
  onAttempt?: (e: AttemptEvent) => void;
  onOutcome?: (alert: PreparedAlert, outcomes: DeliveryOutcome[]) => void;
}

/**
 * Consumes `alerts` (read_committed) and delivers each alert to every
 * endpoint, signed per Standard Webhooks.
 *
 * Lifecycle: {@link WebhookDispatcher.start} creates the DLQ and state
 * topics if needed, loads pending retries, then consumes;
 * {@link WebhookDispatcher.stop} commits what is finished and closes
 * everything. Offsets only move past alerts that are delivered or
 * dead-lettered for every endpoint, so a crash re-reads the rest; the
 * `webhook-id` stays the same, and receivers deduplicate on it.
 */
export class WebhookDispatcher {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #tracker = new OffsetTracker();
  /** Partitions paused because maxInFlight was reached; resumed below the low-water mark. */
  readonly #paused = new Map<string, { topic: string; partition: number }>();
  #commitTimer: (() => void) | undefined;
  #watchdog: (() => void) | undefined;
  #lastFetch = 0;
  #replacing: Promise<void> | undefined;
  #stopped = false;
  #delivered = 0;
  #deadLettered = 0;

  private constructor(
    readonly config: DispatcherConfig,
    private readonly deps: DispatcherDeps & { scheduler: Scheduler },
    private consumer: KafkaConsumer,
    private readonly connection: KafkaConnectionOptions,
    private readonly producer: KafkaProducer,
    private readonly sender: Sender,
    private readonly engine: DeliveryEngine,
    /** Pending retries found at start (resumed, not restarted). */
    readonly resumedRetries: number,
  ) {}

  static async start(config: DispatcherConfig, deps: DispatcherDeps): Promise<WebhookDispatcher> {
    const { log } = deps;
    const scheduler = deps.scheduler ?? systemScheduler;
    const connection: KafkaConnectionOptions = { clientId: 'vigil-webhooks', ...deps.connection, brokers: [...config.brokers] };
    const admin = await connectAdmin(connection);
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(config.alertsTopic)) {
        throw new WebhookError('VIGIL_ERR_WEBHOOK_CONFIG', `topic "${config.alertsTopic}" does not exist; start the fraud topology first or pass --alerts-topic`);
      }
      const partitions = await admin.partitionCount(config.alertsTopic);
      await admin.createTopics([
        { topic: config.dlqTopic, partitions, config: { 'retention.ms': String(30 * 24 * 3600_000) } },
        { topic: config.stateTopic, partitions: 1, config: { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.1', 'segment.ms': '600000' } },
      ]);
    } finally {
      await admin.close();
    }
    const producer = await connectProducer(connection, { idempotent: true });
    let state: DeliveryStateStore;
    try {
      state = deps.stateStore === 'memory' ? new MemoryDeliveryState() : await KafkaDeliveryState.load(connection, config.stateTopic, producer, log);
    } catch (err) {
      await producer.close();
      throw err;
    }
    const sender = deps.sender ?? new HttpSender();
    const deadLetter = async (alert: PreparedAlert, endpoint: string, reason: string, attempts: number) => {
      await producer.send([
        {
          topic: config.dlqTopic,
          partition: alert.partition,
          key: alert.id,
          value: alert.raw,
          headers: {
            [DLQ_HEADERS.reason]: reason,
            [DLQ_HEADERS.endpoint]: endpoint,
            [DLQ_HEADERS.attempts]: String(attempts),
            [DLQ_HEADERS.webhookId]: alert.id,
            [DLQ_HEADERS.source]: `${alert.topic}/${alert.partition}@${alert.offset}`,
          },
        },
      ]);
      log.warn({ endpoint, id: alert.id, reason, attempts }, 'alert dead-lettered');
    };
    const engine = new DeliveryEngine(config.endpoints, {
      retry: config.retry,
      scheduler,
      random: deps.random ?? Math.random,
      sender,
      state,
      deadLetter,
      log,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      ...(deps.onAttempt ? { onAttempt: deps.onAttempt } : {}),
    });
    const consumer = await WebhookDispatcher.#newConsumer(connection, config);
    const dispatcher = new WebhookDispatcher(config, { ...deps, scheduler }, consumer, connection, producer, sender, engine, state.pendingCount());
    // Resolve start() only once partitions are assigned, so "started" means "consuming".
    let joined!: () => void;
    const groupJoined = new Promise<void>((resolve) => (joined = resolve));
    await dispatcher.#run(() => joined());
    const joinTimeout = new Promise<void>((resolve) => setTimeout(resolve, GROUP_JOIN_WAIT_MS).unref());
    await Promise.race([groupJoined, joinTimeout]);
    dispatcher.#scheduleCommit();
    dispatcher.#watch();
    log.info(
      { endpoints: config.endpoints.map((e) => ({ name: e.name, url: e.url, concurrency: e.concurrency })), resumedRetries: dispatcher.resumedRetries },
      'webhook dispatcher started',
    );
    return dispatcher;
  }

  static async #newConsumer(connection: KafkaConnectionOptions, config: DispatcherConfig): Promise<KafkaConsumer> {
    const consumer = await connectConsumer(connection, { groupId: config.groupId, isolation: 'read_committed', maxWaitTimeMs: 50 });
    await consumer.subscribe({ topics: [config.alertsTopic], fromBeginning: config.fromBeginning });
    return consumer;
  }

  #run(onJoin: () => void = () => {}): Promise<void> {
    const consumer = this.consumer;
    this.#lastFetch = this.deps.scheduler.now();
    return consumer.run({
      onFetch: () => {
        if (consumer === this.consumer) this.#lastFetch = this.deps.scheduler.now();
      },
      autoCommit: false,
      eachBatch: (batch) => this.#onBatch(batch.records),
      onBatchEnd: (p) => this.#tracker.seen(p.topic, p.partition, p.lastOffset),
      onRebalancing: () => this.#onRebalancing(),
      onGroupJoin: () => {
        if (consumer === this.consumer) this.#lastFetch = this.deps.scheduler.now();
        onJoin();
      },
      onCrash: (err, restarting) => {
        this.deps.log.error({ err, restarting }, 'alerts consumer crashed');
        // kafkajs gives up on some errors (no broker reachable for long enough): without a
        // new consumer the dispatcher would sit alive and deaf. Deliveries in flight go on.
        if (!restarting && consumer === this.consumer) this.#replaceConsumer('crashed');
      },
    });
  }

  #watch(): void {
    if (this.#stopped) return;
    this.#watchdog = this.deps.scheduler.setTimer(() => {
      const idleMs = this.deps.scheduler.now() - this.#lastFetch;
      if (idleMs > CONSUMER_STALL_MS) {
        this.deps.log.warn({ idleMs }, 'the alerts consumer completed no fetch for 90 s; replacing it');
        this.#replaceConsumer('stalled');
      }
      this.#watch();
    }, CONSUMER_STALL_MS / 4);
  }

  #replaceConsumer(why: 'crashed' | 'stalled'): void {
    this.#replacing ??= this.#newConsumerLoop(why).finally(() => {
      this.#replacing = undefined;
    });
  }

  /** A new consumer in the same group, retried with backoff; it re-reads from the committed offsets (redeliveries carry the same webhook-id). */
  async #newConsumerLoop(why: 'crashed' | 'stalled'): Promise<void> {
    const old = this.consumer;
    // A stuck client may never finish closing; do not wait on it forever.
    await Promise.race([old.close().catch(() => {}), new Promise<void>((r) => this.deps.scheduler.setTimer(r, 10_000))]);
    for (let backoff = 1_000; !this.#stopped; backoff = Math.min(backoff * 2, 30_000)) {
      try {
        const next = await WebhookDispatcher.#newConsumer(this.connection, this.config);
        if (this.#stopped) {
          await next.close();
          return;
        }
        this.consumer = next;
        this.#paused.clear();
        await this.#run();
        this.deps.log.warn({ why }, 'alerts consumer replaced');
        return;
      } catch (err) {
        this.deps.log.error({ err, retryInMs: backoff }, 'could not replace the alerts consumer; retrying');
        await new Promise<void>((r) => this.deps.scheduler.setTimer(r, backoff));
      }
    }
  }

  /** Alerts delivered (to every endpoint) and dead-lettered (for at least one) since start. */
  stats(): { delivered: number; deadLettered: number; inFlight: number; lanes: LaneStatus[] } {
    return { delivered: this.#delivered, deadLettered: this.#deadLettered, inFlight: this.#inFlight.size, lanes: this.engine.status() };
  }

  async #onBatch(records: ConsumedRecord[]): Promise<void> {
    for (const record of records) {
      if (this.#stopped) return;
      const key = `${record.topic}/${record.partition}@${record.offset}`;
      // After a rebalance the group re-reads from the committed offset; alerts still in delivery are not started twice.
      if (this.#inFlight.has(key)) continue;
      this.#tracker.start(record.topic, record.partition, record.offset);
      this.#inFlight.set(key, this.#handle(record).then(() => this.#finish(key, record)));
    }
    // Backpressure by pausing the partition, not by blocking here: a batch handler that waits
    // would stop the consumer's heartbeats and get it thrown out of the group.
    const first = records[0];
    if (first && this.#inFlight.size >= this.config.maxInFlight) {
      const tp = { topic: first.topic, partition: first.partition };
      this.#paused.set(`${tp.topic}/${tp.partition}`, tp);
      this.consumer.pause([tp]);
      this.deps.log.warn({ ...tp, inFlight: this.#inFlight.size }, 'maxInFlight reached; partition paused');
    }
  }

  async #handle(record: ConsumedRecord): Promise<void> {
    let alert: PreparedAlert;
    try {
      alert = prepareAlert(record);
    } catch (err) {
      // An alert that cannot be decoded cannot be delivered; keep it, with the reason, rather than block the partition.
      const reason = `undecodable alert: ${(err as Error).message}`;
      const id = `undecodable_${record.topic}_${record.partition}_${record.offset}`;
      for (;;) {
        try {
          await this.producer.send([
            { topic: this.config.dlqTopic, partition: record.partition, key: id, value: record.value, headers: { [DLQ_HEADERS.reason]: reason, [DLQ_HEADERS.source]: `${record.topic}/${record.partition}@${record.offset}` } },
          ]);
          break;
        } catch (sendErr) {
          // Stopping: leave it unfinished so its offset stays uncommitted and the next start retries it.
          if (this.#stopped) return new Promise(() => {});
          this.deps.log.error({ err: sendErr }, 'dead-letter write failed; retrying');
          await new Promise<void>((r) => this.deps.scheduler.setTimer(r, 1_000));
        }
      }
      this.#deadLettered++;
      this.deps.metrics?.deadLettered?.('', 'undecodable');
      return;
    }
    const outcomes = await this.engine.deliver(alert);
    if (outcomes.some((o) => o.result === 'dead-lettered')) this.#deadLettered++;
    else this.#delivered++;
    this.deps.onOutcome?.(alert, outcomes);
  }

  #finish(key: string, record: ConsumedRecord): void {
    this.#inFlight.delete(key);
    this.#tracker.finish(record.topic, record.partition, record.offset);
    // Resume below 90 %, so one batch does not flip the partition on and off.
    if (this.#paused.size > 0 && !this.#stopped && this.#inFlight.size < this.config.maxInFlight * 0.9) {
      this.consumer.resume([...this.#paused.values()]);
      this.#paused.clear();
    }
  }

  #onRebalancing(): void {
    // Commit what is finished before partitions may move; whatever is still in flight will be re-read by their next owner.
    void this.#commit();
  }

  #scheduleCommit(): void {
    if (this.#stopped) return;
    this.#commitTimer = this.deps.scheduler.setTimer(() => {
      void this.#commit().finally(() => this.#scheduleCommit());
    }, this.config.commitIntervalMs);
  }

  async #commit(): Promise<void> {
    const backlog = this.deps.metrics?.backlog;
    if (backlog) for (const lane of this.engine.status()) backlog(lane.endpoint, lane.backlog);
    const offsets = this.#tracker.committable();
    if (offsets.length === 0) return;
    try {
      await this.consumer.commit(offsets);
      this.#tracker.markCommitted(offsets);
    } catch (err) {
      this.deps.log.warn({ err }, 'offset commit failed; will retry');
    }
  }

  /** Commits finished alerts and closes. Alerts still in delivery are re-read on the next start. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#commitTimer?.();
    this.#watchdog?.();
    await this.#replacing;
    this.engine.close();
    await this.#commit();
    await this.consumer.close();
    await this.sender.close();
    await this.producer.close();
    this.deps.log.info(this.stats(), 'webhook dispatcher stopped');
  }
}
