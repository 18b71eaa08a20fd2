/**
 * Where the tasks' output goes on its way to Kafka (Kafka Streams'
 * RecordCollectorImpl): sink records, dead letters and changelog writes,
 * written with the consumed offsets — in one transaction under
 * exactly-once — with the production exception handler deciding about
 * records the producer rejects (at-least-once only).
 *
 * Every record is kept per task until its commit. With `eagerSends` it is
 * also handed to the producer as the tasks go (`handOff`), into the open
 * transaction, so a commit waits only for what is still in flight, its
 * offsets and its end. Keeping the records is what makes a dirty close
 * cheap to get right: a task closed with records already in the open
 * transaction aborts it, and the other tasks' records, still held, are
 * sent again into the next one (see "Eager sends" in docs/runtime.md).
 *
 * The collector also remembers, per topic-partition, the end offset after
 * this thread's last committed write: changelog restoration needs it (see
 * `changelog-reader.ts`).
 */
import { VigilError } from '../errors.js';
import type { ProducedRecord } from '../processor/internal/record-collector.js';
import type { Headers } from '../processor/record.js';
import type { KafkaAdmin, KafkaProducer, KafkaTransaction, ProduceResult, ProducedRecord as KafkaProducedRecord, TopicPartitionOffset } from '../kafka/index.js';
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
  /** Hand records to the producer before their commit (`handOff`); off: everything is sent at commit. */
  readonly eagerSends?: boolean;
}

/**
 * The producer's side of the epoch being written: its transaction (begun
 * at the first send under exactly-once), the chain that keeps its sends in
 * order, the first error a send met and the ends they reached. A commit
 * ends it; an abort throws it away.
 */
interface OpenEpoch {
  tx: Promise<KafkaTransaction> | undefined;
  chain: Promise<void>;
  failure: unknown;
  readonly ends: Map<string, bigint>;
}

/**
 * Output taken out of the task buffers for one commit (StreamThread's
 * pipelined commits seal it, then write it while the tasks go on). A commit
 * that does not happen puts it back in front of what the tasks sent since.
 */
export interface SealedOutput {
  readonly byTask: ReadonlyMap<string, ProducedRecord[]>;
  /** task id → how many of its records were handed to the producer before the seal (eager sends). */
  readonly handedOff: ReadonlyMap<string, number>;
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
  /** task id → how many of its buffered records are already with the producer (eager sends). */
  private readonly handedOff = new Map<string, number>();
  private handedTotal = 0;
  private epoch: OpenEpoch | undefined;
  /** Set when an abort failed: the producer's transaction state is unknown, so the next commit fails. */
  private broken: unknown;

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

  /** Whether `handOff` sends anything (eager sends on, and not under pipelined commits: the wiring decides). */
  get eager(): boolean {
    return this.options.eagerSends === true;
  }

  /** Records held for the next commit that the producer does not have yet. */
  get unsent(): number {
    return this.count - this.handedTotal;
  }

  /**
   * Drops what the task sent since the last commit (it is closed dirty, or
   * its work is abandoned). Under exactly-once, when some of it is already
   * in the open transaction, that transaction is aborted: the other tasks'
   * records are still held and go into the next one.
   */
  async discard(taskId: string): Promise<void> {
    const handed = this.handedOff.get(taskId) ?? 0;
    this.count -= this.buffers.get(taskId)?.length ?? 0;
    this.handedTotal -= handed;
    this.buffers.delete(taskId);
    this.handedOff.delete(taskId);
    if (handed > 0 && this.options.exactlyOnce) await this.abortEpoch();
  }

  /**
   * Exactly-once: aborts the transaction the hand-offs opened, if any; the
   * records stay held and go into the next one. Called before an
   * assignment is applied, so no transaction stays open through a
   * restoration (which may outlast the transaction timeout, and whose
   * read_committed restore consumer would wait behind it).
   */
  async abortOpenTransaction(): Promise<void> {
    if (this.options.exactlyOnce && this.epoch !== undefined) await this.abortEpoch();
  }

  /**
   * Eager sends: hands every record buffered since the last hand-off to the
   * producer, in one request chained behind those already in flight, and
   * returns without waiting. Records of a sink whose partition count is not
   * known yet wait for the commit (with the rest of their task's output,
   * to keep its order); the count is looked up meanwhile.
   */
  handOff(): void {
    if (!this.eager || this.unsent === 0) return;
    const batch: KafkaProducedRecord[] = [];
    for (const [taskId, buffer] of this.buffers) {
      let i = this.handedOff.get(taskId) ?? 0;
      for (; i < buffer.length; i++) {
        const r = buffer[i] as ProducedRecord;
        if (r.partition === undefined && r.choosePartition && !this.partitionCounts.has(r.topic)) {
          void this.partitionCount(r.topic).catch(() => {}); // the commit looks it up again and reports the error
          break;
        }
        batch.push(this.toKafka(r));
      }
      this.handedTotal += i - (this.handedOff.get(taskId) ?? 0);
      this.handedOff.set(taskId, i);
    }
    if (batch.length > 0) this.enqueue(this.openEpoch(), batch);
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
    const sealed: SealedOutput = { byTask: new Map(this.buffers), handedOff: new Map(this.handedOff), count: this.count };
    this.buffers.clear();
    this.handedOff.clear();
    this.count = 0;
    this.handedTotal = 0;
    return sealed;
  }

  /** Puts sealed output back in front of what each task sent since (its commit did not happen, so none of it is with the producer). */
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
    if (this.broken !== undefined) throw productionError(this.broken);
    const rest: ProducedRecord[] = [];
    for (const [taskId, records] of sealed.byTask) {
      const from = sealed.handedOff.get(taskId) ?? 0;
      for (let i = from; i < records.length; i++) rest.push(records[i] as ProducedRecord);
    }
    // Partition counts are looked up once per sink topic, so the per-record conversion stays synchronous (no promise per record).
    for (const r of rest) if (r.partition === undefined && r.choosePartition && !this.partitionCounts.has(r.topic)) await this.partitionCount(r.topic);
    // The epoch the eager sends opened, if any: it is this commit's (pipelined commits and eager sends do not go together).
    const epoch = this.epoch ?? newEpoch();
    this.epoch = undefined;
    if (rest.length > 0) this.enqueue(epoch, rest.map((r) => this.toKafka(r)));
    await epoch.chain;
    if (this.options.exactlyOnce) {
      try {
        if (epoch.failure !== undefined) throw epoch.failure;
        const tx = await (epoch.tx ??= this.options.producer.transaction());
        if (abortIf()) {
          await tx.abort();
          return { committed: false, records: 0, ends: new Map() };
        }
        if (offsets.length > 0) await tx.sendOffsets(this.options.applicationId, offsets);
        await tx.commit();
      } catch (error) {
        if (epoch.tx !== undefined) await (await epoch.tx.catch(() => undefined))?.abort().catch(() => {});
        throw productionError(error);
      }
    } else {
      if (epoch.failure !== undefined) throw epoch.failure;
      if (offsets.length > 0) await this.options.commitOffsets(offsets);
    }
    for (const [key, end] of epoch.ends) if (end > (this.writtenEnds.get(key) ?? -1n)) this.writtenEnds.set(key, end);
    return { committed: true, records: sealed.count, ends: epoch.ends };
  }

  private openEpoch(): OpenEpoch {
    return (this.epoch ??= newEpoch());
  }

  /** Chains one send of `records` behind the epoch's earlier sends; its failure is kept for the commit to throw. */
  private enqueue(epoch: OpenEpoch, records: KafkaProducedRecord[]): void {
    epoch.chain = epoch.chain
      .then(async () => {
        if (epoch.failure !== undefined) return; // the epoch is lost already: send nothing more into it
        if (!this.options.exactlyOnce) return this.sendAtLeastOnce(records, epoch.ends);
        const tx = await (epoch.tx ??= this.options.producer.transaction());
        for (let i = 0; i < records.length; i += SEND_CHUNK) {
          const chunk = records.slice(i, i + SEND_CHUNK);
          trackEnds(chunk, await tx.send(chunk), epoch.ends);
        }
      })
      .catch((error: unknown) => {
        epoch.failure ??= error;
      });
  }

  /**
   * Aborts the open transaction (a task with records in it was closed
   * dirty). Nothing that was held is with the producer any more; what the
   * remaining tasks hold goes into the next transaction.
   */
  private async abortEpoch(): Promise<void> {
    const epoch = this.epoch;
    this.epoch = undefined;
    this.handedOff.clear();
    this.handedTotal = 0;
    if (epoch === undefined) return;
    await epoch.chain;
    try {
      if (epoch.tx !== undefined) await (await epoch.tx).abort();
    } catch (error) {
      this.broken = error;
      this.options.logger.warn({ err: error }, 'aborting the open transaction failed; the next commit fails and the instance restarts from the last commit');
    }
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

function newEpoch(): OpenEpoch {
  return { tx: undefined, chain: Promise.resolve(), failure: undefined, ends: new Map() };
}

function productionError(error: unknown): VigilError {
  return new VigilError('VIGIL_ERR_PRODUCTION', `the exactly-once transaction failed (${messageOf(error)}); the instance stops so its tasks restart from the last commit`, {
    cause: error,
  });
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
