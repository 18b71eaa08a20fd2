/** How failed deliveries are retried. All durations in milliseconds. */
export interface RetryPolicy {
  /** Attempts in total, the first included; after the last one the alert is dead-lettered. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A receiver's Retry-After is honoured up to this long; longer values are capped, not obeyed blindly. */
  maxRetryAfterMs: number;
}

export const defaultRetryPolicy = {
  // 12 attempts wait at least 152 s in all (303 s nominal): a receiver down for a couple of
  // minutes (a deploy, a restart) loses nothing to the DLQ.
  maxAttempts: 12,
  baseDelayMs: 500,
  maxDelayMs: 60_000,
  maxRetryAfterMs: 10 * 60_000,
} as const satisfies RetryPolicy;

/**
 * The wait before attempt `attempt + 1`, after `attempt` failures:
 * exponential, with "equal jitter" (half fixed, half random) so retries of a
 * burst spread out yet never come back sooner than half the nominal delay.
 * A Retry-After from the receiver is a floor.
 */
export function retryDelay(policy: RetryPolicy, failures: number, random: () => number, retryAfterMs?: number): number {
  const nominal = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.round(nominal / 2 + random() * (nominal / 2));
  if (retryAfterMs === undefined) return jittered;
  return Math.max(jittered, Math.min(retryAfterMs, policy.maxRetryAfterMs));
}

/**
 * Parses `Retry-After`: delta-seconds or an HTTP-date. Undefined when absent
 * or unreadable (then the backoff alone decides).
 */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

/** What an HTTP status means for delivery. */
export type StatusClass = 'delivered' | 'gone' | 'slow-down' | 'retry';

export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 410) return 'gone';
  // The receiver (or its proxy) is overloaded: back off the whole endpoint, not just this alert.
  if (status === 429 || status === 502 || status === 503 || status === 504) return 'slow-down';
  // Other 4xx/5xx are retried too: a 401 after a botched secret rotation or a 404 during a deploy heals.
  return 'retry';
}
