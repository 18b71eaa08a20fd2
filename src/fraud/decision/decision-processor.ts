import { ContextualProcessor } from '../../streams/index.js';
import type { Record } from '../../streams/index.js';
import type { Scorer } from '../model/scorer.js';
import { modelThatScored } from '../model/switchable-scorer.js';
import type { ScoredTransaction } from '../model/scoring-processor.js';
import type { Alert } from '../schema/types.js';
import { buildAlert } from './alert.js';
import { explainScore } from './explain.js';
import type { ReasonOptions } from './explain.js';

export interface DecisionOptions {
  /** Alert at or above this probability; default the threshold of the model that scored the record. */
  readonly threshold?: number;
  readonly reasons: ReasonOptions;
}

/** Turns scores at or above the threshold into alerts with reasons; lower scores stop here. */
export class DecisionProcessor extends ContextualProcessor<string, ScoredTransaction, string, Alert> {
  constructor(
    private readonly scorer: Scorer,
    private readonly options: DecisionOptions,
  ) {
    super();
  }

  async process(record: Record<string, ScoredTransaction>): Promise<void> {
    const { transaction, features, score, source } = record.value;
    // The model that scored this record, not whichever is live now: a
    // promotion between scoring and this step must not relabel the alert.
    const model = modelThatScored(this.scorer, features);
    const metadata = model.metadata;
    if (!(score >= (this.options.threshold ?? metadata.threshold))) return;
    const reasons = await explainScore(model, metadata, features, score, this.options.reasons);
    await this.context.forward(record.withValue(buildAlert(transaction, score, metadata.version, reasons, source)));
  }
}
