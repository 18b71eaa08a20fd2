/**
 * Everything the topology keeps about one card, in one entry of the
 * `fraud-card` key-value store: the running statistics ({@link CardState}),
 * the card's transactions of the last 24 hours (the windowed features read
 * them) and the transaction ids it processed recently (so a second copy of
 * a payment is dropped). One store read per transaction, and the cache
 * answers it for a card seen recently; before issue 14 the same facts took
 * three stores and about seven LevelDB round trips per transaction.
 */
import type { CardState } from './card-state.js';
import { RECENT_RETENTION_MS } from './recent-activity.js';
import type { RecentTransaction } from './recent-activity.js';

/** Where a copy of a transaction was read from. */
export interface SeenAt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A transaction the card processed, remembered for the dedupe window. */
export interface SeenTransaction {
  readonly transactionId: string;
  readonly eventTimeMs: number;
  readonly amountMinor: number;
  readonly at: SeenAt | null;
}

export interface CardRecord {
  /** Undefined until the card's first transaction. */
  readonly state: CardState | undefined;
  /** Oldest first (arrival order); entries older than 24 h of stream time are dropped on write. */
  readonly recent: readonly RecentTransaction[];
  /** Arrival order; entries older than the dedupe window of stream time are dropped on write. */
  readonly seen: readonly SeenTransaction[];
}

export const EMPTY_CARD: CardRecord = { state: undefined, recent: [], seen: [] };

/**
 * The card's earlier transactions in (t − 24 h, t] that have not expired:
 * what the windowed features of a transaction at `t` may see. Entries later
 * than `t` are an out-of-order payment's future; entries at or before
 * `expiredThrough` are gone, as they were from the window store this
 * replaced (its retention ran on the newest event time it had stored).
 */
export function recentBefore(record: CardRecord, t: number, expiredThrough: number): RecentTransaction[] {
  const from = Math.max(t - RECENT_RETENTION_MS, expiredThrough);
  const result: RecentTransaction[] = [];
  for (const r of record.recent) if (r.eventTimeMs > from && r.eventTimeMs <= t) result.push(r);
  return result;
}

/**
 * `entries` plus `added` (when given), without the entries at or before
 * `expiredThrough`. Like a window store's retention, a new entry that is
 * itself expired is not kept.
 */
export function appendUnexpired<T extends { readonly eventTimeMs: number }>(entries: readonly T[], added: T | undefined, expiredThrough: number): T[] {
  const kept: T[] = [];
  for (const e of entries) if (e.eventTimeMs > expiredThrough) kept.push(e);
  if (added !== undefined && added.eventTimeMs > expiredThrough) kept.push(added);
  return kept;
}
