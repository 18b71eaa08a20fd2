/**
 * One earlier transaction of a card, as kept in its `fraud-card` entry
 * (card-record.ts: one entry per transaction, retained for 24 hours). The windowed features are computed from these entries, so
 * every window (1 minute, 1 hour, 24 hours, the 5-minute hopping window) is
 * exact at the transaction's own event time.
 */
export interface RecentTransaction {
  readonly eventTimeMs: number;
  readonly amount: number;
  readonly merchantId: string;
  readonly category: string;
  /** The payment's region (shown in the dashboard's card history; no feature reads it). */
  readonly region: string;
  /** The merchant was first seen on the card with this transaction. */
  readonly newMerchant: boolean;
}

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** How long the window store keeps a transaction: the longest window. */
export const RECENT_RETENTION_MS = DAY_MS;

/** The category-spend window: hopping, 5 minutes long, advancing every minute. */
export const CATEGORY_WINDOW = { sizeMs: 5 * MINUTE_MS, advanceMs: MINUTE_MS } as const;

/**
 * Start of the oldest hopping window that still contains `timeMs`: windows
 * start on multiples of the advance, and the oldest one containing `timeMs`
 * covers the most history before it.
 */
export function oldestHoppingWindowStart(timeMs: number, sizeMs: number, advanceMs: number): number {
  const latestStart = Math.floor(timeMs / advanceMs) * advanceMs;
  return latestStart - (Math.ceil(sizeMs / advanceMs) - 1) * advanceMs;
}
