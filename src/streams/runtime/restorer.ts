/**
 * Restores stores from their changelog partitions with a short-lived
 * consumer. kafkajs has no manual partition assignment, so the restore
 * consumer joins a group of its own (`<applicationId>-restore-<instanceId>`),
 * where it is the only member and gets every partition of the changelog
 * topics; it seeks the partitions it needs to their start offsets, pauses
 * the others, and stops once each one reached the end offset read at the
 * start (transaction markers included, so read_committed ends too).
 *
 * A restore consumer that reads nothing for `stallMs` (seen in CI, about one
 * crash-restart in twenty under load: joined or not, it fetched nothing more
 * for 90 s) is closed and replaced by a fresh one that starts where the
 * last applied batch ended. Applying is idempotent per record, but nothing
 * is applied twice anyway: the next offset is tracked per partition.
 */
import { VigilError } from '../errors.js';
import { connectConsumer } from '../kafka/index.js';
import { systemClock } from '../time/clock.js';
import type { KafkaConnectionOptions, KafkaConsumer } from '../kafka/index.js';
import type { StreamsLogger } from './logger.js';

export interface RestoreRequest {
  readonly topic: string;
  readonly partition: number;
  /** Partition count of the changelog topic (to pause the partitions not restored). */
  readonly partitions: number;
  /** First offset to apply. */
  readonly from: bigint;
  /** End offset (exclusive) at the time of the request. */
  readonly to: bigint;
  apply(records: Array<{ key: Buffer; value: Buffer | null }>, restoredSoFar: number): Promise<void>;
}

export interface RestoreOptions {
  readonly connection: KafkaConnectionOptions;
  readonly groupId: string;
  readonly isolation: 'read_committed' | 'read_uncommitted';
  readonly logger: StreamsLogger;
  /** Called between batches; returning true abandons the restoration. */
  readonly cancelled: () => boolean;
  readonly now?: () => number;
  /** No batch for this long replaces the consumer (default 15 s). */
  readonly stallMs?: number;
  /** Fresh consumers tried after stalls before giving up (default 4). */
  readonly maxRestarts?: number;
  /** Tests pass a fake. */
  readonly connect?: (connection: KafkaConnectionOptions, groupId: string, isolation: RestoreOptions['isolation']) => Promise<KafkaConsumer>;
}

const STALL_MS = 15_000;
const MAX_RESTARTS = 4;

/** One partition's progress, kept across consumers. */
interface Progress {
  readonly request: RestoreRequest;
  /** Next offset to apply. */
  next: bigint;
  restored: number;
}

function connectRestoreConsumer(connection: KafkaConnectionOptions, groupId: string, isolation: RestoreOptions['isolation']): Promise<KafkaConsumer> {
  return connectConsumer(connection, { groupId, isolation, maxWaitTimeMs: 20, maxBytesPerPartition: 4 * 1024 * 1024 });
}

/** Applies every changelog record in [from, to) of each request. Resolves when all are done. */
export async function restorePartitions(requests: readonly RestoreRequest[], options: RestoreOptions): Promise<void> {
  const progress = new Map<string, Progress>();
  for (const r of requests) if (r.from < r.to) progress.set(`${r.topic}:${r.partition}`, { request: r, next: r.from, restored: 0 });
  const maxRestarts = options.maxRestarts ?? MAX_RESTARTS;
  for (let attempt = 0; ; attempt++) {
    const pending = [...progress.values()].filter((p) => p.next < p.request.to);
    if (pending.length === 0 || options.cancelled()) return;
    const outcome = await readOnce(pending, options);
    if (outcome.kind === 'done') return;
    const where = pending.map((p) => ({ partition: `${p.request.topic}:${p.request.partition}`, next: p.next.toString(), to: p.request.to.toString() }));
    if (attempt >= maxRestarts) {
      throw new VigilError('VIGIL_ERR_STATE_STORE', `restoring the state stores made no progress with ${attempt + 1} consumers in a row (${JSON.stringify(where)}); check that the brokers are up and the changelog topics readable, then restart the instance`, { canRetry: true });
    }
    options.logger.warn({ joined: outcome.joined, pending: where, attempt: attempt + 1 }, 'the restore consumer read nothing for a while; replacing it with a fresh one that resumes where the last batch ended');
  }
}

type Outcome = { kind: 'done' } | { kind: 'stalled'; joined: boolean };

/** One restore consumer: reads until every partition reached its end, or until it stalls. */
async function readOnce(pending: readonly Progress[], options: RestoreOptions): Promise<Outcome> {
  const now = options.now ?? systemClock.now;
  const stallMs = options.stallMs ?? STALL_MS;
  const waiting = new Map(pending.map((p) => [`${p.request.topic}:${p.request.partition}`, p]));
  const consumer = await (options.connect ?? connectRestoreConsumer)(options.connection, options.groupId, options.isolation);
  try {
    options.logger.debug({ requests: pending.map((p) => ({ topic: p.request.topic, partition: p.request.partition, from: p.next.toString(), to: p.request.to.toString() })) }, 'restore consumer subscribing');
    await consumer.subscribe({ topics: [...new Set(pending.map((p) => p.request.topic))], fromBeginning: true });
    let failed: unknown;
    let joined = false;
    let applying = false; // a slow store write is not a stalled consumer
    let lastProgress = now();
    let finish: (outcome: Outcome) => void = () => {};
    const done = new Promise<Outcome>((resolve) => {
      finish = resolve;
    });
    const reached = (key: string, nextOffset: bigint): void => {
      lastProgress = now();
      const p = waiting.get(key);
      if (!p) return;
      if (nextOffset > p.next) p.next = nextOffset;
      if (p.next >= p.request.to) {
        waiting.delete(key);
        if (waiting.size === 0) finish({ kind: 'done' });
      }
    };
    const poll = setInterval(() => {
      if (options.cancelled()) finish({ kind: 'done' });
      else if (!applying && now() - lastProgress >= stallMs) finish({ kind: 'stalled', joined });
    }, 50);
    try {
      await consumer.run({
        autoCommit: false,
        onGroupJoin: (assignment) => {
          joined = true;
          lastProgress = now();
          options.logger.debug({ assignment: Object.fromEntries(assignment.partitions), pending: [...waiting.keys()] }, 'restore consumer joined');
          const pause: Array<{ topic: string; partition: number }> = [];
          for (const [topic, partitions] of assignment.partitions) {
            for (const partition of partitions) {
              const p = waiting.get(`${topic}:${partition}`);
              if (p) consumer.seek({ topic, partition, offset: p.next.toString() });
              else pause.push({ topic, partition });
            }
          }
          if (pause.length > 0) consumer.pause(pause);
        },
        eachBatch: async ({ topic, partition, records }) => {
          const key = `${topic}:${partition}`;
          const p = waiting.get(key);
          if (!p || failed !== undefined || records.length === 0) return;
          const batch: Array<{ key: Buffer; value: Buffer | null }> = [];
          let next = p.next;
          for (const rec of records) {
            const offset = BigInt(rec.offset);
            // Below `next`: a re-fetch after a fresh consumer's seek landed inside a record batch.
            if (offset < p.next || offset >= p.request.to) continue;
            next = offset + 1n;
            if (rec.key !== null) batch.push({ key: rec.key, value: rec.value });
          }
          applying = true;
          try {
            if (batch.length > 0) await p.request.apply(batch, p.restored + batch.length);
            p.restored += batch.length;
            reached(key, next);
          } catch (error) {
            failed = error;
            finish({ kind: 'done' });
          } finally {
            applying = false;
          }
        },
        onBatchEnd: (b) => reached(`${b.topic}:${b.partition}`, BigInt(b.lastOffset) + 1n),
        onCrash: (error, restarting) => {
          if (!restarting) {
            failed = error;
            finish({ kind: 'done' });
          }
        },
      });
      const outcome = await done;
      if (failed !== undefined) throw failed;
      if (outcome.kind === 'done') options.logger.debug({ partitions: pending.length }, 'restoration consumer done');
      return outcome;
    } finally {
      clearInterval(poll);
    }
  } finally {
    // kafkajs waits for a batch being applied before it disconnects, so `next` is final after this.
    await consumer.close();
  }
}
