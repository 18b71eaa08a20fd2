/**
 * Where the tasks' output goes on its way to Kafka (Kafka Streams'
 * RecordCollectorImpl): sink records, dead letters and changelog writes,
 * kept per task until the commit, then written with the consumed offsets —
 * in one transaction under exactly-once — with the production exception
 * handler deciding about records the producer rejects (at-least-once only).
 *
 * Output is held until the commit (not sent eagerly) so that a task closed
 * with uncommitted work can simply drop it. The collector also remembers,
 * per topic-partition, the end offset after this thread's last committed
 * write: changelog restoration needs it (see `changelog-reader.ts`).
 */
import { VigilError } from '../errors.js';
import type { ProducedRecord } from '../processor/internal/record-collector.js';
import type { Headers } from '../processor/record.js';
import type { KafkaAdmin, KafkaProducer, ProduceResult, ProducedRecord as KafkaProducedRecord, TopicPartitionOffset } from '../kafka/index.js';
import type { StreamsLogger } from './logger.js';
import type { ProductionExceptionHandler } from './options.js';

/** Records per produce request: keeps each partition's batch well below the broker's 1 MB message.max.bytes. */
export const SEND_CHUNK = 2_000;

export interface RecordCollectorOptions {
  readonly producer: KafkaProducer;
  /** For the partition count of sinks with a custom partitioner. */
  readonly admin: Pick<KafkaAdmin, 'partitionCount'>;
  readonly exactlyOnce: boolean;
  /** The consumer group the offsets belong to. */
  readonly applicationId: string;
  readonly productionExceptionHandler: ProductionExceptionHandler;
  /** At-least-once: commits the consumed offsets once the output is written (the consumer's commit). */
  readonly commitOffsets: (offsets: TopicPartitionOffset[]) => Promise<void>;
  readonly logger: StreamsLogger;
}

/**
 * Output taken out of the task buffers for one commit (StreamThread's
 * pipelined commits seal it, then write it while the tasks go on). A commit
 * that does not happen puts it back in front of what the tasks sent since.
 */
export interface SealedOutput {
  readonly byTask: ReadonlyMap<string, ProducedRecord[]>;
  readonly count: number;
}

/** What one commit did. */
export interface CommitResult {
  /** False when `abortIf` said so before the offsets were committed: the output stays buffered. */
  readonly committed: boolean;
  /** Records written. */
  readonly records: number;
  /** `<topic>:<partition>` → next offset, for the explicitly partitioned records written (changelogs). */
  readonly ends: ReadonlyMap<string, bigint>;
}

export class RecordCollector {
  private readonly options: RecordCollectorOptions;
  /** task id → output since the last commit, in send order. */
  private readonly buffers = new Map<string, ProducedRecord[]>();
  private readonly partitionCounts = new Map<string, number>();
  /** `<topic>:<partition>` → the end offset after this thread's last committed write there (outlives tasks). */
  private readonly writtenEnds = new Map<string, bigint>();
  private count = 0;

  constructor(options: RecordCollectorOptions) {
    this.options = options;
  }

  /** Records held for the next commit, over all tasks. */
  get buffered(): number {
    return this.count;
  }

  /** Holds `record`, sent by task `taskId`, for the next commit. */
  send(taskId: string, record: ProducedRecord): void {
    let buffer = this.buffers.get(taskId);
    if (buffer === undefined) {
      buffer = [];
      this.buffers.set(taskId, buffer);
    }
    buffer.push(record);
    this.count++;
  }

  hasPending(taskId: string): boolean {
    return (this.buffers.get(taskId)?.length ?? 0) > 0;
  }

  /** Drops what the task sent since the last commit (it is closed dirty, or its work is abandoned). */
  discard(taskId: string): void {
    this.count -= this.buffers.get(taskId)?.length ?? 0;
    this.buffers.delete(taskId);
  }

  /** The end offset after this thread's last committed write to the partition (undefined when it wrote none). */
  writtenEnd(topic: string, partition: number): bigint | undefined {
    return this.writtenEnds.get(`${topic}:${partition}`);
  }

  /** topic → partition → the end after this thread's last committed write there (what `commit-markers.ts` waits for). */
  writtenByTopic(): Map<string, Map<number, bigint>> {
    const result = new Map<string, Map<number, bigint>>();
    for (const [key, end] of this.writtenEnds) {
      const at = key.lastIndexOf(':'); // topic names cannot contain ':'
      const topic = key.slice(0, at);
      let ends = result.get(topic);
      if (ends === undefined) result.set(topic, (ends = new Map()));
      ends.set(Number(key.slice(at + 1)), end);
    }
    return result;
  }

  /** Takes everything buffered, for one commit; the buffers start empty for the next. */
  seal(): SealedOutput {
    const sealed: SealedOutput = { byTask: new Map(this.buffers), count: this.count };
    this.buffers.clear();
    this.count = 0;
    return sealed;
  }

  /** Puts sealed output back in front of what each task sent since (its commit did not happen). */
  requeue(sealed: SealedOutput): void {
    for (const [taskId, records] of sealed.byTask) {
      const later = this.buffers.get(taskId);
      this.buffers.set(taskId, later === undefined ? records : records.concat(later));
    }
    this.count += sealed.count;
  }

  /** Seals what is buffered and commits it with `offsets` (see commitSealed). */
  commit(offsets: TopicPartitionOffset[], abortIf: () => boolean = () => false): Promise<CommitResult> {
    return this.commitSealed(this.seal(), offsets, abortIf);
  }

  /**
   * Writes the sealed records and then commits `offsets`: one transaction
   * under exactly-once (aborted, and `committed: false`, when `abortIf()`
   * is true once the records are sent); under at-least-once the sends, then
   * the consumer's offset commit. Throws VIGIL_ERR_PRODUCTION when the
   * transaction fails or the handler answers FAIL. When it does not commit
   * (abort or error) the sealed output is buffered again, ahead of anything
   * sent since, for the caller to retry or discard.
   */
  async commitSealed(sealed: SealedOutput, offsets: TopicPartitionOffset[], abortIf: () => boolean = () => false): Promise<CommitResult> {
    try {
      const result = await this.write(sealed, offsets, abortIf);
      if (!result.committed) this.requeue(sealed);
      return result;
    } catch (error) {
      this.requeue(sealed);
      throw error;
    }
  }

  private async write(sealed: SealedOutput, offsets: TopicPartitionOffset[], abortIf: () => boolean): Promise<CommitResult> {
    const pending = [...sealed.byTask.values()].flat();
    // Partition counts are looked up once per sink topic, so the per-record conversion stays synchronous (no promise per record).
    for (const r of pending) if (r.partition === undefined && r.choosePartition && !this.partitionCounts.has(r.topic)) await this.partitionCount(r.topic);
    const records = pending.map((r) => this.toKafka(r));
    const ends = new Map<string, bigint>();
    if (this.options.exactlyOnce) {
      const tx = await this.options.producer.transaction();
      try {
        for (let i = 0; i < records.length; i += SEND_CHUNK) {
          const chunk = records.slice(i, i + SEND_CHUNK);
          trackEnds(chunk, await tx.send(chunk), ends);
        }
        if (abortIf()) {
          await tx.abort();
          return { committed: false, records: 0, ends: new Map() };
        }
        if (offsets.length > 0) await tx.sendOffsets(this.options.applicationId, offsets);
        await tx.commit();
      } catch (error) {
        await tx.abort().catch(() => {});
        throw new VigilError('VIGIL_ERR_PRODUCTION', `the exactly-once transaction failed (${messageOf(error)}); the instance stops so its tasks restart from the last commit`, {
          cause: error,
        });
      }
    } else {
      await this.sendAtLeastOnce(records, ends);
      if (offsets.length > 0) await this.options.commitOffsets(offsets);
    }
    for (const [key, end] of ends) if (end > (this.writtenEnds.get(key) ?? -1n)) this.writtenEnds.set(key, end);
    return { committed: true, records: records.length, ends };
  }

  private async sendAtLeastOnce(records: KafkaProducedRecord[], ends: Map<string, bigint>): Promise<void> {
    const { producer, productionExceptionHandler, logger } = this.options;
    for (let i = 0; i < records.length; i += SEND_CHUNK) {
      const chunk = records.slice(i, i + SEND_CHUNK);
      try {
        trackEnds(chunk, await producer.send(chunk), ends);
      } catch {
        // Find the culprit(s) one by one and ask the handler about each.
        for (const r of chunk) {
          try {
            trackEnds([r], await producer.send([r]), ends);
          } catch (error) {
            const verdict = safeVerdict(() => productionExceptionHandler({ topic: r.topic, partition: r.partition, key: asBuffer(r.key), value: asBuffer(r.value) }, error));
            if (verdict === 'FAIL') {
              throw new VigilError('VIGIL_ERR_PRODUCTION', `could not produce to ${r.topic} (${messageOf(error)}); fix the topic or set a productionExceptionHandler that answers CONTINUE`, {
                cause: error,
              });
            }
            logger.warn({ err: error, topic: r.topic }, 'skipping a record the producer rejected');
          }
        }
      }
    }
  }

  /** The record as the producer takes it; a custom partitioner's topic has its partition count cached by then (write). */
  private toKafka(r: ProducedRecord): KafkaProducedRecord {
    let partition = r.partition;
    if (partition === undefined && r.choosePartition) partition = r.choosePartition(this.partitionCounts.get(r.topic) as number);
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
      n = await this.options.admin.partitionCount(topic);
      if (n === 0) throw new VigilError('VIGIL_ERR_PRODUCTION', `sink topic "${topic}" does not exist; create it before producing to it`);
      this.partitionCounts.set(topic, n);
    }
    return n;
  }
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

function headersToObject(headers: Headers): { [name: string]: Buffer } | undefined {
  if (headers.size === 0) return undefined;
  return Object.fromEntries(headers);
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

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
