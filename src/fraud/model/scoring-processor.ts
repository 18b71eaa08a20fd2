import { ContextualProcessor, Record, Serdes, Stores } from '../../streams/index.js';
import type { KeyValueStore, KeyValueStoreBuilder, ProcessorContext } from '../../streams/index.js';
import type { FeaturedTransaction } from '../features/feature-processor.js';
import type { MicroBatchOptions } from './micro-batch.js';
import type { Scorer } from './scorer.js';

/** A featured transaction with the model's fraud probability. */
export interface ScoredTransaction extends FeaturedTransaction {
  readonly score: number;
}

/** Records waiting to be scored, mirrored here so a crash before scoring does not lose them. */
export const SCORING_BUFFER_STORE = 'fraud-scoring-buffer';

interface Pending {
  readonly key: string;
  readonly bufferKey: string;
  readonly timestamp: number;
  readonly value: FeaturedTransaction;
}

interface BufferedEntry {
  readonly key: string;
  readonly timestamp: number;
  readonly value: FeaturedTransaction;
}

export function scoringBufferStoreBuilder(persistent: boolean): KeyValueStoreBuilder<string, BufferedEntry> {
  const supplier = persistent ? Stores.persistentKeyValueStore(SCORING_BUFFER_STORE) : Stores.inMemoryKeyValueStore(SCORING_BUFFER_STORE);
  return Stores.keyValueStoreBuilder(supplier, Serdes.String(), Serdes.Json<BufferedEntry>());
}

/**
 * Micro-batches records across the records in flight: one model call per
 * `maxBatchSize` records, or per `maxDelayMs` of wall-clock time for whatever
 * waits, whichever comes first. Output keeps input order.
 *
 * Why a store: the task commits input offsets after each record returns,
 * while the record may still wait here. Each waiting record is also in the
 * (change-logged) {@link SCORING_BUFFER_STORE}; `init` rescores what a
 * previous instance left there, so at-least-once holds across crashes.
 */
export class ScoringProcessor extends ContextualProcessor<string, FeaturedTransaction, string, ScoredTransaction> {
  private pending: Pending[] = [];
  private buffer!: KeyValueStore<string, BufferedEntry>;
  /** Serialises flushes: a punctuation and a full batch must not score the same records twice. */
  private flushing: Promise<void> = Promise.resolve();
  private sequence = 0;

  constructor(
    private readonly scorer: Scorer,
    private readonly batch: MicroBatchOptions,
  ) {
    super();
  }

  override async init(context: ProcessorContext<string, ScoredTransaction>): Promise<void> {
    super.init(context);
    this.buffer = context.getStateStore<KeyValueStore<string, BufferedEntry>>(SCORING_BUFFER_STORE);
    for await (const { key, value } of this.buffer.all()) {
      this.pending.push({ key: value.key, bufferKey: key, timestamp: value.timestamp, value: value.value });
      this.sequence++;
    }
    context.schedule(this.batch.maxDelayMs, 'WALL_CLOCK_TIME', () => this.flush());
  }

  async process(record: Record<string, FeaturedTransaction>): Promise<void> {
    const bufferKey = bufferKeyOf(record.value, this.sequence++);
    const entry = { key: record.key, timestamp: record.timestamp, value: record.value };
    await this.buffer.put(bufferKey, entry);
    this.pending.push({ ...entry, bufferKey });
    if (this.pending.length >= this.batch.maxBatchSize) await this.flush();
  }

  /**
   * Scores and forwards everything waiting. If the model fails, the error
   * goes to the caller (and so to the task's processing-error handler); the
   * failed batch stays in the buffer store and is rescored after a restart.
   */
  flush(): Promise<void> {
    // A failed flush has already reported its error; the next one starts clean.
    this.flushing = this.flushing.catch(() => {}).then(() => this.scoreWaiting());
    return this.flushing;
  }

  private async scoreWaiting(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.batch.maxBatchSize);
      const scores = await this.scorer.score(batch.map((p) => p.value.features));
      for (const [i, p] of batch.entries()) {
        const scored: ScoredTransaction = { ...p.value, score: scores[i] as number };
        await this.context.forward(new Record(p.key, scored, p.timestamp));
        await this.buffer.delete(p.bufferKey);
      }
    }
  }
}

/**
 * Buffer keys sort in arrival order: source offset (zero-padded) when known,
 * which also makes a restored buffer replay in input order.
 */
function bufferKeyOf(value: FeaturedTransaction, sequence: number): string {
  const s = value.source;
  if (s) return `${s.topic}\u0000${String(s.partition).padStart(6, '0')}\u0000${String(s.offset).padStart(20, '0')}`;
  return `~\u0000${String(sequence).padStart(20, '0')}`;
}
