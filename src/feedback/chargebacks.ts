import { createHash } from 'node:crypto';
import type { LabelledTransaction } from '../fraud/simulator/events.js';
import type { Chargeback } from './schema.js';

const DAY_MS = 86_400_000;

export interface ChargebackOptions {
  /** Mixed into every draw, so two fixtures with the same ids differ; use the fixture's seed. */
  seed: number;
  /** Share of fraudulent payments whose holder disputes them; default 0.85 (the rest are never labelled). */
  reportRate?: number;
  /** Event-time delay between the payment and its chargeback, in days; default 3–45. */
  minDelayDays?: number;
  maxDelayDays?: number;
  /** Only chargebacks reported at or before this event time (the "now" of a replay); default all. */
  asOfMs?: number;
}

/** Card-network reason codes by scenario: 10.4 card-absent fraud, 10.5 monitoring program, 4837 no cardholder authorization. */
const REASON_CODES: Record<string, string> = {
  card_testing: '10.4',
  account_takeover: '4837',
  impossible_travel: '10.4',
  mcc_anomaly: '10.4',
  bust_out: '10.5',
};

/** Two uniform draws in [0, 1) from (seed, transaction id): stable whatever else the simulator does. */
function draws(seed: number, transactionId: string): [number, number] {
  const h = createHash('sha256').update(`${seed}:chargeback:${transactionId}`).digest();
  return [h.readUInt32BE(0) / 2 ** 32, h.readUInt32BE(4) / 2 ** 32];
}

/**
 * The chargebacks a labelled transaction stream produces: each fraudulent
 * payment is disputed with probability `reportRate`, `minDelayDays` to
 * `maxDelayDays` of event time after it happened, whether or not Vigil
 * alerted on it, so missed fraud (false negatives) gets its label too.
 * Legitimate payments get no label at all: absence of a chargeback is not
 * proof of legitimacy, which training has to state (docs/feedback.md).
 * Sorted by `reported_at_ms`, the order they would arrive in.
 */
export function chargebacksFor(transactions: Iterable<LabelledTransaction>, o: ChargebackOptions): Chargeback[] {
  const reportRate = o.reportRate ?? 0.85;
  const minDays = o.minDelayDays ?? 3;
  const maxDays = o.maxDelayDays ?? 45;
  if (!(reportRate >= 0 && reportRate <= 1) || !(minDays >= 0 && maxDays >= minDays)) {
    throw new RangeError(`chargeback options out of range: reportRate ${reportRate} (0–1), delay ${minDays}–${maxDays} days`);
  }
  const out: Chargeback[] = [];
  for (const { transaction: tx, label, scenario } of transactions) {
    if (!label) continue;
    const [report, delay] = draws(o.seed, tx.transaction_id);
    if (report >= reportRate) continue;
    const reported = tx.event_time_ms + Math.round((minDays + delay * (maxDays - minDays)) * DAY_MS);
    if (o.asOfMs !== undefined && reported > o.asOfMs) continue;
    out.push({
      transaction_id: tx.transaction_id,
      card_id: tx.card_id,
      amount_minor: tx.amount_minor,
      currency: tx.currency,
      reason_code: REASON_CODES[scenario] ?? '10.4',
      transaction_time_ms: tx.event_time_ms,
      reported_at_ms: reported,
    });
  }
  return out.sort((a, b) => a.reported_at_ms - b.reported_at_ms || (a.transaction_id < b.transaction_id ? -1 : 1));
}
