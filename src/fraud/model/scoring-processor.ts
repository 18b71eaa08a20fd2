import { ContextualProcessor, Record } from '../../streams/index.js';
import type { ProcessorContext } from '../../streams/index.js';
import type { FeaturedTransaction } from '../features/card-processor.js';
import type { MicroBatchOptions } from './micro-batch.js';
import type { Scorer } from './scorer.js';

/** A featured transaction with the model's fraud probability. */
export interface ScoredTransaction extends FeaturedTransaction {
  readonly score: number;
}

/**
 * Micro-batches records across the records in flight: one model call per
 * `maxBatchSize` records, or per `maxDelayMs` of wall-clock time for whatever
 * waits, whichever comes first. Output keeps input order.
 *
 * Nothing waits across a commit: the task's commit hook scores and forwards
 * whatever is pending before the offsets are taken, so a commit never
 * claims a transaction whose alert is still in memory, and a crash loses
 * only uncommitted input, which is fetched again. (Before issue 14 each
 * waiting record was also written to, and deleted from, a change-logged
 * buffer store: two Kafka records per transaction.)
 *
 * A batch whose scoring fails stays pending: the error goes to the caller
 * (the processing-exception handler, or the commit, which then fails and
 * the instance restarts from the last commit).
 */
export class ScoringProcessor extends ContextualProcessor<string, FeaturedTransaction, string, ScoredTransaction> {
  private pending: Array<Record<string, FeaturedTransaction>> = [];

  constructor(
    private readonly scorer: Scorer,
    private readonly batch: MicroBatchOptions,
  ) {
    super();
  }

  override init(context: ProcessorContext<string, ScoredTransaction>): void {
    super.init(context);
    context.schedule(this.batch.maxDelayMs, 'WALL_CLOCK_TIME', () => this.flush());
    context.onCommit(() => this.flush());
  }

  process(record: Record<string, FeaturedTransaction>): void | Promise<void> {
    this.pending.push(record);
    if (this.pending.length >= this.batch.maxBatchSize) return this.flush();
  }

  /** Scores and forwards everything waiting (nothing to do, no promise). */
  flush(): void | Promise<void> {
    if (this.pending.length === 0) return;
    return this.scoreWaiting();
  }

  private async scoreWaiting(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, this.batch.maxBatchSize);
      const scores = await this.scorer.score(batch.map((r) => r.value.features));
      // Taken off only once scored: a failed model call leaves the batch for the next flush.
      this.pending.splice(0, batch.length);
      for (const [i, r] of batch.entries()) {
        // The same features array goes on: the decision step asks the scorer which model scored it.
        const scored: ScoredTransaction = { ...r.value, score: scores[i] as number };
        await this.context.forward(new Record(r.key, scored, r.timestamp));
      }
    }
  }
}
