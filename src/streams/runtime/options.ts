import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { StreamsConfigInput } from '../config.js';
import { VigilError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import type { KafkaSaslOptions, KafkaTlsOptions } from '../kafka/index.js';
import { systemClock } from '../time/clock.js';
import type { Timers } from '../time/timers.js';
import { systemTimers } from '../time/timers.js';
import type { StreamsLogger } from './logger.js';
import { noopLogger } from './logger.js';

export type ProcessingGuarantee = 'at_least_once' | 'exactly_once';

/** A record the producer could not write, and why. */
export interface ProductionErrorContext {
  readonly topic: string;
  readonly partition: number | undefined;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

/**
 * Decides what happens when a produced record is rejected (too large,
 * unknown topic...). CONTINUE drops it and goes on; FAIL moves the instance
 * to ERROR. Only at-least-once can skip a single record: under exactly-once
 * the whole transaction is aborted, so the verdict is always FAIL.
 */
export type ProductionExceptionHandler = (context: ProductionErrorContext, error: unknown) => 'CONTINUE' | 'FAIL';

export const failOnProductionError: ProductionExceptionHandler = () => 'FAIL';
export const continueOnProductionError: ProductionExceptionHandler = () => 'CONTINUE';

/** One step of restoring a store from its changelog. */
export interface RestoreProgress {
  readonly taskId: string;
  readonly store: string;
  readonly topic: string;
  readonly partition: number;
  readonly phase: 'start' | 'batch' | 'end';
  /** Changelog records applied so far in this restoration. */
  readonly restored: number;
  /** Records (offsets) between the start offset and the end offset at assignment. */
  readonly total: number;
  /** The changelog offset restoration started from (0 means a full restore). */
  readonly startOffset: string;
}

/** Runtime settings on top of StreamsConfig. Validated once by {@link kafkaStreamsOptions}. */
export interface KafkaStreamsOptions {
  /** `host:port` list; use 127.0.0.1 rather than localhost. */
  readonly brokers: readonly string[];
  readonly processingGuarantee: ProcessingGuarantee;
  /**
   * Identifies this instance across restarts. Under exactly-once it makes
   * the transactional id `<applicationId>-<instanceId>`, so a restarted
   * instance fences its own zombie. Default: `<hostname>-<random>`.
   */
  readonly instanceId: string;
  readonly clock: Clock;
  /** The runtime's timers (commit interval, wall-clock punctuation); tests pass ManualTimers on a ManualClock. */
  readonly timers: Timers;
  readonly logger: StreamsLogger;
  readonly productionExceptionHandler: ProductionExceptionHandler;
  /** Consumer-group session timeout: how long a crashed instance keeps its partitions. Broker minimum 6000. */
  readonly sessionTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** Longest a fetch waits at the broker for data; bounds idle latency. */
  readonly fetchMaxWaitMs: number;
  /** Replication factor of the topics the runtime creates. */
  readonly replicationFactor: number;
  /**
   * Commit early when this many output records are buffered, whatever the
   * interval. 12,000: over a backlog, fewer and larger transactions (with
   * eager sends off, bench/runtime's exactly-once backlog ran at 0.88 and
   * 0.96x with 5,000; at-least-once did not gain; see bench/README.md).
   */
  readonly maxBufferedRecords: number;
  /**
   * Write each commit while the tasks go on processing (at most one commit
   * in flight; see "Pipelined commits" in docs/runtime.md). Off by default:
   * on the 2-core benchmark machine it lowered p99 by 1–11 ms but cost ~6 %
   * of backlog throughput, and with the interval counted from the write's
   * end instead it raised p99 (bench/README.md).
   */
  readonly pipelinedCommits: boolean;
  /**
   * Hand output records to the producer as the tasks forward them (into
   * the open transaction under exactly-once), so a commit waits only for
   * what is still in flight (see "Eager sends" in docs/runtime.md). Not
   * with `pipelinedCommits`, whose next epoch cannot open a transaction
   * before the previous one ends: that option turns eager sends off.
   * Off by default for now: one loaded CI run saw an exactly-once cold
   * restore stop at 2,031 of 4,000 changelog records with it on, which I
   * could not reproduce or explain (docs/runtime.md, "Eager sends").
   */
  readonly eagerSends: boolean;
  /**
   * Prefetch: the consumer keeps fetching while the thread processes, with
   * up to this many fetched records queued (then it waits). 0 turns it off:
   * kafkajs then fetches only once the batches of its last fetch are
   * processed. Off by default: 10,000 gave +3–7 % in bench/runtime's
   * backlog and +3 % in the fraud topology's, but its p99 at 200 tx/s was
   * 133 ms against 118 ms without; see "Prefetch" in docs/runtime.md.
   */
  readonly prefetchRecords: number;
  /** How often store sizes are reported to metrics (LevelDB counts by scanning). 0 disables. */
  readonly storeSizeIntervalMs: number;
  /** Called for every restoration step; also reported as `metrics.restoreProgress`. */
  readonly onRestore: ((progress: RestoreProgress) => void) | undefined;
  /** TLS to the brokers (`true`: system CAs). Every client of the instance uses it. */
  readonly tls: KafkaTlsOptions | boolean | undefined;
  /** SASL credentials (SCRAM-SHA-512/256 or PLAIN); the password is a function so the options never print it. */
  readonly sasl: KafkaSaslOptions | undefined;
}

export type KafkaStreamsConfigInput = StreamsConfigInput & Partial<KafkaStreamsOptions> & { readonly brokers: readonly string[] };

/**
 * 100 ms: the fraud alert budget is 100 ms end to end, and under
 * exactly-once output is invisible until its transaction commits, so the
 * interval is the floor of the added latency. See docs/runtime.md.
 */
export const DEFAULT_COMMIT_INTERVAL_MS = 100;

export const kafkaStreamsOptionDefaults = {
  processingGuarantee: 'at_least_once',
  clock: systemClock,
  timers: systemTimers,
  logger: noopLogger,
  productionExceptionHandler: failOnProductionError,
  sessionTimeoutMs: 10_000,
  heartbeatIntervalMs: 1_000,
  fetchMaxWaitMs: 50,
  replicationFactor: 1,
  maxBufferedRecords: 12_000,
  pipelinedCommits: false,
  eagerSends: false,
  prefetchRecords: 0,
  storeSizeIntervalMs: 30_000,
  onRestore: undefined,
  tls: undefined,
  sasl: undefined,
} satisfies Partial<KafkaStreamsOptions>;

const RUNTIME_KEYS = new Set<string>([...Object.keys(kafkaStreamsOptionDefaults), 'brokers', 'instanceId']);

/** Splits the input into the engine's StreamsConfig input and validated, frozen runtime options. */
export function kafkaStreamsOptions(input: KafkaStreamsConfigInput): { streams: StreamsConfigInput; runtime: KafkaStreamsOptions } {
  const streams: Record<string, unknown> = {};
  const runtimeIn: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    (RUNTIME_KEYS.has(k) ? runtimeIn : streams)[k] = v;
  }
  if (streams.commitIntervalMs === undefined) streams.commitIntervalMs = DEFAULT_COMMIT_INTERVAL_MS;
  const runtime = { ...kafkaStreamsOptionDefaults, instanceId: `${hostname()}-${randomUUID().slice(0, 8)}`, ...runtimeIn } as KafkaStreamsOptions;
  const fail = (field: string, why: string): never => {
    throw new VigilError('VIGIL_ERR_CONFIG', `config.${field} ${why}`);
  };
  if (!Array.isArray(runtime.brokers) || runtime.brokers.length === 0 || runtime.brokers.some((b) => typeof b !== 'string' || !b.includes(':'))) {
    fail('brokers', `must be a non-empty list of "host:port", got ${JSON.stringify(runtime.brokers)}`);
  }
  if (runtime.processingGuarantee !== 'at_least_once' && runtime.processingGuarantee !== 'exactly_once') {
    fail('processingGuarantee', `must be 'at_least_once' or 'exactly_once', got ${JSON.stringify(runtime.processingGuarantee)}`);
  }
  if (typeof runtime.instanceId !== 'string' || !/^[a-zA-Z0-9._-]{1,100}$/.test(runtime.instanceId)) {
    fail('instanceId', `must be 1-100 characters of [a-zA-Z0-9._-], got ${JSON.stringify(runtime.instanceId)}`);
  }
  for (const field of ['sessionTimeoutMs', 'heartbeatIntervalMs', 'fetchMaxWaitMs', 'replicationFactor', 'maxBufferedRecords', 'prefetchRecords', 'storeSizeIntervalMs'] as const) {
    const v = runtime[field];
    if (!Number.isInteger(v) || v < 0) fail(field, `must be a non-negative integer, got ${String(v)}`);
  }
  if (runtime.heartbeatIntervalMs >= runtime.sessionTimeoutMs) {
    fail('heartbeatIntervalMs', `must be below sessionTimeoutMs (${runtime.sessionTimeoutMs}); a third of it is usual`);
  }
  if (runtimeIn.eagerSends === true && runtime.pipelinedCommits === true) {
    fail('eagerSends', 'cannot be used with pipelinedCommits (a pipelined commit writes its epoch while the next one would need a transaction of its own); set one of them to false');
  }
  if (typeof runtime.productionExceptionHandler !== 'function') fail('productionExceptionHandler', 'must be a function');
  if (runtime.sasl !== undefined) {
    const { mechanism, username, password } = runtime.sasl as Partial<KafkaSaslOptions>;
    if (mechanism !== 'scram-sha-512' && mechanism !== 'scram-sha-256' && mechanism !== 'plain') {
      fail('sasl.mechanism', `must be 'scram-sha-512', 'scram-sha-256' or 'plain', got ${JSON.stringify(mechanism)}`);
    }
    if (typeof username !== 'string' || username === '') fail('sasl.username', 'must be a non-empty string');
    if (typeof password !== 'function') fail('sasl.password', 'must be a function returning the password (so the options never print it)');
  }
  if (runtime.tls !== undefined && typeof runtime.tls !== 'boolean' && (typeof runtime.tls !== 'object' || runtime.tls === null)) {
    fail('tls', 'must be true, false or { ca?, cert?, key?, servername? } with PEM strings');
  }
  return { streams: streams as StreamsConfigInput, runtime: Object.freeze({ ...runtime, brokers: Object.freeze([...runtime.brokers]) }) };
}
