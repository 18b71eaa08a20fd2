import type { Alert } from '../fraud/schema/index.js';
import { FeedbackError } from './errors.js';
import type { AlertFeedback, VerdictName } from './schema.js';

/** What the page sends, and the stored enum name it maps to. */
export const VERDICTS: Readonly<Record<string, VerdictName>> = {
  confirmed_fraud: 'VERDICT_CONFIRMED_FRAUD',
  false_positive: 'VERDICT_FALSE_POSITIVE',
  unsure: 'VERDICT_UNSURE',
};

/** Names are shown on the page and stored in Kafka: short, printable, no markup. */
const ANALYST = /^[\p{L}\p{N} ._@'-]{1,64}$/u;

export interface VerdictRequest {
  verdict: VerdictName;
  analyst: string;
}

/** Validates a `POST /api/alerts/:id/verdict` body; throws VIGIL_ERR_VERDICT_INPUT. */
export function parseVerdictRequest(body: unknown): VerdictRequest {
  const b = body as { verdict?: unknown; analyst?: unknown } | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new FeedbackError('VIGIL_ERR_VERDICT_INPUT', 'the body must be a JSON object');
  const extra = Object.keys(b).filter((k) => k !== 'verdict' && k !== 'analyst');
  if (extra.length > 0) throw new FeedbackError('VIGIL_ERR_VERDICT_INPUT', `unknown field(s): ${extra.join(', ')}`);
  const verdict = typeof b.verdict === 'string' && Object.hasOwn(VERDICTS, b.verdict) ? VERDICTS[b.verdict] : undefined;
  if (!verdict) throw new FeedbackError('VIGIL_ERR_VERDICT_INPUT', `verdict must be one of ${Object.keys(VERDICTS).join(', ')}`);
  const analyst = typeof b.analyst === 'string' ? b.analyst.trim() : '';
  if (!ANALYST.test(analyst)) throw new FeedbackError('VIGIL_ERR_VERDICT_INPUT', 'analyst must be 1–64 letters, digits, spaces or ._@\'-');
  return { verdict, analyst };
}

/** The record a verdict on `alert` becomes. */
export function feedbackFor(alertId: string, alert: Alert, request: VerdictRequest, decidedAtMs: number): AlertFeedback {
  const tx = alert.transaction;
  return {
    transaction_id: tx?.transaction_id ?? '',
    alert_id: alertId,
    verdict: request.verdict,
    analyst: request.analyst,
    decided_at_ms: decidedAtMs,
    model_version: alert.model_version,
    score: alert.score,
    card_id: tx?.card_id ?? '',
    event_time_ms: tx?.event_time_ms ?? 0,
  };
}

export interface VerdictCounts {
  confirmedFraud: number;
  falsePositive: number;
  unsure: number;
  /** confirmed / (confirmed + false positive); null before the first decisive verdict. Unsure is not a label. */
  precision: number | null;
}

/**
 * The latest verdict per transaction, as this dashboard wrote or loaded them,
 * and the counts the page shows. A second verdict on a transaction replaces
 * the first, as compaction does on the topic.
 */
export class VerdictBook {
  readonly #byTransaction = new Map<string, AlertFeedback>();

  record(feedback: AlertFeedback): void {
    // Delete first so the map's order stays "last decided last".
    this.#byTransaction.delete(feedback.transaction_id);
    this.#byTransaction.set(feedback.transaction_id, feedback);
  }

  get(transactionId: string): AlertFeedback | undefined {
    return this.#byTransaction.get(transactionId);
  }

  all(): AlertFeedback[] {
    return [...this.#byTransaction.values()];
  }

  counts(): VerdictCounts {
    let confirmedFraud = 0;
    let falsePositive = 0;
    let unsure = 0;
    for (const f of this.#byTransaction.values()) {
      if (f.verdict === 'VERDICT_CONFIRMED_FRAUD') confirmedFraud++;
      else if (f.verdict === 'VERDICT_FALSE_POSITIVE') falsePositive++;
      else unsure++;
    }
    const decided = confirmedFraud + falsePositive;
    return { confirmedFraud, falsePositive, unsure, precision: decided === 0 ? null : confirmedFraud / decided };
  }
}
