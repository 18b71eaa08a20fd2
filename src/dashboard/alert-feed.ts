import type { Alert } from '../fraud/schema/index.js';
import type { Clock } from '../streams/index.js';

/** One alert as the dashboard received it. */
export interface FeedAlert {
  /** The webhook-id: stable across retries. */
  id: string;
  alert: Alert;
  /** When the dashboard accepted it (epoch ms). */
  receivedAt: number;
  /** The transaction's time in Kafka (epoch ms). */
  sourceTimestampMs: number;
  /**
   * receivedAt − sourceTimestampMs: append of the transaction → alert on the page. Null when it
   * cannot be a latency (see {@link MAX_MEASURABLE_LATENCY_MS}).
   */
  latencyMs: number | null;
}

export interface FeedStats {
  total: number;
  /** Alerts whose source timestamp gave no latency (replayed history, skewed clocks). */
  unmeasured: number;
  /** Alerts per minute for the last {@link MINUTES} minutes, oldest first; `minute` is epoch minutes. */
  perMinute: Array<{ minute: number; count: number }>;
  /** Upper bounds in ms; the last is Infinity (sent as null in JSON). */
  latencyBucketsMs: number[];
  latencyCounts: number[];
  latencyP50Ms: number | null;
  latencyP99Ms: number | null;
  latencyMaxMs: number | null;
}

export const LATENCY_BUCKETS_MS = [10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, Infinity];
/**
 * Longer than this is not a delivery latency but an old Kafka timestamp: a
 * replay stamps records with their simulated event times. Such alerts are
 * shown but kept out of the histogram, so it keeps meaning "append → here".
 */
export const MAX_MEASURABLE_LATENCY_MS = 60 * 60_000;
/** Clocks on one host agree; a little negative latency is rounding, more is skew. */
const CLOCK_SLACK_MS = 1_000;
const MINUTES = 30;
const RECENT = 500;
const LATENCY_WINDOW = 2_000;

/**
 * The alerts the dashboard has seen, with the figures the page charts.
 * Bounded in memory: the last {@link RECENT} alerts, per-minute counts for
 * half an hour, and quantiles over the last {@link LATENCY_WINDOW} latencies.
 */
export class AlertFeed {
  readonly #recent: FeedAlert[] = [];
  readonly #listeners = new Set<(a: FeedAlert) => void>();
  readonly #minutes = new Map<number, number>();
  readonly #latencies: number[] = [];
  readonly #bucketCounts = LATENCY_BUCKETS_MS.map(() => 0);
  #total = 0;
  #unmeasured = 0;
  #measured = 0;
  #latencySumMs = 0;

  constructor(private readonly clock: Clock) {}

  add(id: string, alert: Alert, sourceTimestampMs: number): FeedAlert {
    const receivedAt = this.clock.now();
    const raw = receivedAt - sourceTimestampMs;
    const measurable = sourceTimestampMs > 0 && raw >= -CLOCK_SLACK_MS && raw <= MAX_MEASURABLE_LATENCY_MS;
    const entry: FeedAlert = { id, alert, receivedAt, sourceTimestampMs, latencyMs: measurable ? Math.max(0, raw) : null };
    this.#recent.unshift(entry);
    if (this.#recent.length > RECENT) this.#recent.pop();
    this.#total++;
    const minute = Math.floor(receivedAt / 60_000);
    this.#minutes.set(minute, (this.#minutes.get(minute) ?? 0) + 1);
    for (const m of this.#minutes.keys()) if (m <= minute - MINUTES) this.#minutes.delete(m);
    if (entry.latencyMs === null) {
      this.#unmeasured++;
    } else {
      const latency = entry.latencyMs;
      this.#measured++;
      this.#latencies.push(latency);
      if (this.#latencies.length > LATENCY_WINDOW) this.#latencies.shift();
      this.#bucketCounts[LATENCY_BUCKETS_MS.findIndex((b) => latency <= b)]! += 1;
      this.#latencySumMs += latency;
    }
    for (const l of this.#listeners) l(entry);
    return entry;
  }

  /** Newest first. */
  recent(limit = 100): FeedAlert[] {
    return this.#recent.slice(0, limit);
  }

  /** One alert the feed still holds (the last {@link RECENT}), by webhook id. */
  get(id: string): FeedAlert | undefined {
    return this.#recent.find((a) => a.id === id);
  }

  /** Alerts seen for one card, newest first. */
  byCard(cardId: string): FeedAlert[] {
    return this.#recent.filter((a) => a.alert.transaction?.card_id === cardId);
  }

  /** Calls `listener` for each new alert; returns the unsubscribe function. */
  subscribe(listener: (a: FeedAlert) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Cumulative histogram figures, for /metrics. */
  histogram(): { bucketsMs: number[]; counts: number[]; sumMs: number; count: number } {
    return { bucketsMs: LATENCY_BUCKETS_MS, counts: [...this.#bucketCounts], sumMs: this.#latencySumMs, count: this.#measured };
  }

  stats(): FeedStats {
    const nowMinute = Math.floor(this.clock.now() / 60_000);
    const perMinute = [];
    for (let m = nowMinute - MINUTES + 1; m <= nowMinute; m++) perMinute.push({ minute: m, count: this.#minutes.get(m) ?? 0 });
    const sorted = [...this.#latencies].sort((a, b) => a - b);
    const q = (p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] as number) : null);
    return {
      total: this.#total,
      unmeasured: this.#unmeasured,
      perMinute,
      latencyBucketsMs: LATENCY_BUCKETS_MS,
      latencyCounts: [...this.#bucketCounts],
      latencyP50Ms: q(0.5),
      latencyP99Ms: q(0.99),
      latencyMaxMs: sorted.length ? (sorted[sorted.length - 1] as number) : null,
    };
  }
}
