import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** `proto/vigil/v1/feedback.proto`: the text the registry stores for the feedback topics. */
export const FEEDBACK_PROTO_PATH = fileURLToPath(new URL('../../proto/vigil/v1/feedback.proto', import.meta.url));

export const ALERT_FEEDBACK_MESSAGE = 'vigil.v1.AlertFeedback';
export const CHARGEBACK_MESSAGE = 'vigil.v1.Chargeback';

/** Default topic names; both are compacted and keyed by transaction id. */
export const FEEDBACK_TOPICS = { alertFeedback: 'alert-feedback', chargebacks: 'chargebacks' } as const;

export type VerdictName = 'VERDICT_CONFIRMED_FRAUD' | 'VERDICT_FALSE_POSITIVE' | 'VERDICT_UNSURE';

/** The plain-object view of `AlertFeedback` (int64 as numbers, enums as names). */
export interface AlertFeedback {
  transaction_id: string;
  alert_id: string;
  verdict: VerdictName;
  analyst: string;
  decided_at_ms: number;
  model_version: string;
  score: number;
  card_id: string;
  event_time_ms: number;
}

/** The plain-object view of `Chargeback`. */
export interface Chargeback {
  transaction_id: string;
  card_id: string;
  amount_minor: number;
  currency: string;
  reason_code: string;
  transaction_time_ms: number;
  reported_at_ms: number;
}

let cached: string | undefined;

/** The committed feedback schema text, read once per process. */
export function feedbackSchemaText(): string {
  cached ??= readFileSync(FEEDBACK_PROTO_PATH, 'utf8');
  return cached;
}
