/**
 * Restores stores from their changelog partitions with a short-lived
 * consumer. kafkajs has no manual partition assignment, so the restore
 * consumer joins a group of its own (`<applicationId>-restore-<instanceId>`),
 * where it is the only member and gets every partition of the changelog
 * topics; it seeks the partitions it needs to their start offsets, pauses
 * the others, and stops once each one reached the end offset read at the
 * start (transaction markers included, so read_committed ends too).
 */
import { connectConsumer } from '../kafka/index.js';
import type { KafkaConnectionOptions } from '../kafka/index.js';
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
}

/** Applies every changelog record in [from, to) of each request. Resolves when all are done. */
export async function restorePartitions(requests: readonly RestoreRequest[], options: RestoreOptions): Promise<void> {
  const pending = new Map<string, RestoreRequest>();
  for (const r of requests) if (r.from < r.to) pending.set(`${r.topic}:${r.partition}`, r);
  if (pending.size === 0) return;
  const restored = new Map<string, number>();
  const consumer = await connectConsumer(options.connection, {
    groupId: options.groupId,
    isolation: options.isolation,
    maxWaitTimeMs: 20,
    maxBytesPerPartition: 4 * 1024 * 1024,
  });
  try {
    options.logger.debug({ requests: requests.map((r) => ({ topic: r.topic, partition: r.partition, from: r.from.toString(), to: r.to.toString() })) }, 'restore consumer subscribing');
    await consumer.subscribe({ topics: [...new Set(requests.map((r) => r.topic))], fromBeginning: true });
    let failed: unknown;
    let finish: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const markDone = (key: string): void => {
      pending.delete(key);
      if (pending.size === 0) finish();
    };
    const positionReached = (key: string, nextOffset: bigint): void => {
      const r = pending.get(key);
      if (r && nextOffset >= r.to) markDone(key);
    };
    const poll = setInterval(() => {
      if (options.cancelled()) finish();
    }, 50);
    await consumer.run({
      autoCommit: false,
      onGroupJoin: (assignment) => {
        options.logger.debug({ assignment: Object.fromEntries(assignment.partitions), pending: [...pending.keys()] }, 'restore consumer joined');
        const pause: Array<{ topic: string; partition: number }> = [];
        for (const [topic, partitions] of assignment.partitions) {
          for (const partition of partitions) {
            const r = pending.get(`${topic}:${partition}`);
            if (r) consumer.seek({ topic, partition, offset: r.from.toString() });
            else pause.push({ topic, partition });
          }
        }
        if (pause.length > 0) consumer.pause(pause);
      },
      eachBatch: async ({ topic, partition, records }) => {
        const key = `${topic}:${partition}`;
        const r = pending.get(key);
        if (!r || failed !== undefined) return;
        const batch: Array<{ key: Buffer; value: Buffer | null }> = [];
        for (const rec of records) {
          const offset = BigInt(rec.offset);
          if (offset < r.from || offset >= r.to || rec.key === null) continue;
          batch.push({ key: rec.key, value: rec.value });
        }
        try {
          const soFar = (restored.get(key) ?? 0) + batch.length;
          restored.set(key, soFar);
          if (batch.length > 0) await r.apply(batch, soFar);
        } catch (error) {
          failed = error;
          finish();
        }
      },
      onBatchEnd: (p) => {
        options.logger.debug({ ...p }, 'restore batch end');
        positionReached(`${p.topic}:${p.partition}`, BigInt(p.lastOffset) + 1n);
      },
      onCrash: (error, restarting) => {
        if (!restarting) {
          failed = error;
          finish();
        }
      },
    });
    await done;
    clearInterval(poll);
    if (failed !== undefined) throw failed;
    options.logger.debug({ partitions: restored.size }, 'restoration consumer done');
  } finally {
    await consumer.close();
  }
}
