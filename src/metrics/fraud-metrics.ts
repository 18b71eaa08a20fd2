import { Counter, type Registry } from 'prom-client';

/** The fraud application's own series (beside the engine's `vigil_stream_*`). */
export interface FraudMetrics {
  /** One copy of a transaction was dropped because its id was already processed; `path` is the topic the copy came by. */
  duplicateDropped(path: string, conflicting: boolean): void;
}

/**
 * Labels are bounded: `path` is a source topic name (one per mirrored
 * region), `conflicting` is true/false; never transaction or card ids.
 */
export function createFraudMetrics(registry: Registry): FraudMetrics {
  const duplicates = new Counter({
    name: 'vigil_fraud_duplicate_transactions_total',
    help: 'Copies of an already processed transaction (same transaction_id) that were dropped, by the topic they came by',
    labelNames: ['path', 'conflicting'],
    registers: [registry],
  });
  return {
    duplicateDropped(path, conflicting) {
      duplicates.inc({ path, conflicting: String(conflicting) });
    },
  };
}
