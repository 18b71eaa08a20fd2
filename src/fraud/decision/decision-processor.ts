import { ContextualProcessor } from '../../streams/index.js';
import type { Record } from '../../streams/index.js';
import type { Scorer } from '../model/scorer.js';
import { modelThatScored, shadowScoreOf } from '../model/switchable-scorer.js';
import type { ScoredTransaction } from '../model/scoring-processor.js';
import type { Alert } from '../schema/types.js';
import { buildAlert } from './alert.js';
import { explainScore } from './explain.js';
import { impossibleTravelReason, isImpossibleTravel } from './impossible-travel.js';
import type { ReasonOptions } from './explain.js';

export interface DecisionOptions {
  /** Alert at or above this probability; default the threshold of the model that scored the record. */
  readonly threshold?: number;
  readonly reasons: ReasonOptions;
  /** Called for every scored transaction, alerted or not (shadow evaluation); must not throw. */
  readonly onDecision?: (decision: Decision) => void;
}

/** What the decision step made of one transaction, and what a shadow model would have. */
export interface Decision {
  readonly transactionId: string;
  readonly live: { readonly version: string; readonly score: number; readonly alerted: boolean };
  /** Present when a shadow model scored the same row; judged at its own threshold (the rule is the live path's). */
  readonly shadow?: { readonly version: string; readonly score: number; readonly alerted: boolean };
}

/** Turns scores at or above the threshold into alerts with reasons, and impossible travel (a rule, impossible-travel.ts) whatever the score; the rest stop here. */
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
    const threshold = this.options.threshold ?? metadata.threshold;
    const impossible = isImpossibleTravel(features);
    if (this.options.onDecision) {
      const shadow = shadowScoreOf(this.scorer, features);
      this.options.onDecision({
        transactionId: transaction.transaction_id,
        live: { version: metadata.version, score, alerted: score >= threshold || impossible },
        ...(shadow ? { shadow: { version: shadow.model.metadata.version, score: shadow.score, alerted: shadow.score >= shadow.model.metadata.threshold || impossible } } : {}),
      });
    }
    if (score >= threshold) {
      const reasons = await explainScore(model, metadata, features, score, this.options.reasons);
      await this.context.forward(record.withValue(buildAlert(transaction, score, metadata.version, reasons, source)));
      return;
    }
    if (!impossible) return;
    // The rule alerts below the model's threshold: its reason first, then what the model saw.
    const rule = impossibleTravelReason(features, score, threshold);
    const seen = await explainScore(model, metadata, features, score, this.options.reasons);
    const reasons = [rule, ...seen.filter((r) => r.feature !== rule.feature && r.contribution > 0)].slice(0, this.options.reasons.maxReasons);
    await this.context.forward(record.withValue(buildAlert(transaction, score, metadata.version, reasons, source)));
  }
}
