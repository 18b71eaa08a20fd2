import type { Transaction } from '../schema/types.js';
import type { Scenario } from './options.js';

/** One simulated payment with its ground truth. */
export interface LabelledTransaction {
  transaction: Transaction;
  /** True for fraudulent payments; always `scenario !== 'normal'`. */
  label: boolean;
  scenario: Scenario;
}

/**
 * A transaction before it gets its id (`transaction_id` is '' until then):
 * ids are handed out in event-time order.
 */
export interface PendingTransaction {
  tx: Transaction;
  label: boolean;
  scenario: Scenario;
}

/** Event time first, then creation order, so sorting is deterministic. */
export function byEventTime(a: { tx: { event_time_ms: number }; seq: number }, b: { tx: { event_time_ms: number }; seq: number }): number {
  return a.tx.event_time_ms - b.tx.event_time_ms || a.seq - b.seq;
}
