import type { Alert, Reason, SourceCoordinates, Transaction } from '../schema/types.js';

/**
 * An alert's id is a function of where its transaction was read, so
 * reprocessing the same input (a restart, a replay) yields the same id and
 * downstream consumers can deduplicate. Without coordinates (never the case
 * for records read from a topic) the transaction id stands in.
 */
export function alertIdOf(source: SourceCoordinates | null, transaction: Transaction): string {
  return source ? `${source.topic}/${source.partition}/${source.offset}` : `tx/${transaction.transaction_id}`;
}

export function buildAlert(
  transaction: Transaction,
  score: number,
  modelVersion: string,
  reasons: Reason[],
  source: SourceCoordinates | null,
): Alert {
  return { alert_id: alertIdOf(source, transaction), transaction, score, model_version: modelVersion, reasons, source };
}
