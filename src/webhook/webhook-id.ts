import { createHash } from 'node:crypto';

/** Where a record came from: unique per input record. */
export interface Coordinates {
  topic: string;
  partition: number;
  offset: number | string;
}

/**
 * The `webhook-id` of an alert, derived from the coordinates of the
 * transaction it scored (the alert's `source`). Retries, dispatcher
 * restarts and even a re-run of the topology that re-emits the alert all
 * produce the same id, so receivers can deduplicate on it.
 */
export function webhookId(source: Coordinates): string {
  const digest = createHash('sha256').update(`${source.topic}\u0000${source.partition}\u0000${source.offset}`).digest('base64url');
  return `msg_${digest.slice(0, 27)}`;
}
