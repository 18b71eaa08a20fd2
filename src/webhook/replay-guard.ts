import { WebhookVerificationError } from './errors.js';
import { DEFAULT_TOLERANCE_SECONDS } from './signature.js';

/** What the guard made of a verified message. */
export type ReplayVerdict = 'new' | 'duplicate';

/**
 * Remembers webhook ids accepted within the timestamp tolerance.
 *
 * - The same id with the same timestamp is a **replay**: somebody re-sent a
 *   captured message. It is rejected (`replayed`).
 * - The same id with a new timestamp is a **duplicate delivery**: only a
 *   holder of the secret can re-sign, so it is the sender retrying (after a
 *   lost response, or a dispatcher restart). It is acknowledged without
 *   effect, so the sender stops retrying and the receiver sees each alert
 *   once.
 *
 * Older ids can be forgotten safely: their timestamps fall outside the
 * tolerance, so {@link verify} rejects them before the guard is asked.
 */
export class ReplayGuard {
  readonly #seen = new Map<string, { expiresAt: number; timestamps: Set<number> }>();
  readonly #windowMs: number;
  readonly #maxEntries: number;

  constructor(options: { toleranceSeconds?: number; maxEntries?: number } = {}) {
    // Twice the tolerance: an id signed at the future edge stays remembered until it expires at the past edge.
    this.#windowMs = 2 * (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS) * 1000;
    this.#maxEntries = options.maxEntries ?? 1_000_000;
  }

  /** Records a verified message; throws `replayed` when this exact (id, timestamp) was accepted before. */
  check(id: string, timestamp: number, nowMs: number): ReplayVerdict {
    this.#expire(nowMs);
    const seen = this.#seen.get(id);
    if (seen) {
      if (seen.timestamps.has(timestamp)) throw new WebhookVerificationError('replayed', `webhook-id ${id} with timestamp ${timestamp} was already accepted`);
      seen.timestamps.add(timestamp);
      return 'duplicate';
    }
    if (this.#seen.size >= this.#maxEntries) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(id, { expiresAt: nowMs + this.#windowMs, timestamps: new Set([timestamp]) });
    return 'new';
  }

  /** Forgets `id`, for a receiver whose handler failed after the check and wants a retry accepted. */
  release(id: string): void {
    this.#seen.delete(id);
  }

  get size(): number {
    return this.#seen.size;
  }

  #expire(nowMs: number): void {
    // Insertion order is expiry order, so stop at the first live entry.
    for (const [id, { expiresAt }] of this.#seen) {
      if (expiresAt > nowMs) break;
      this.#seen.delete(id);
    }
  }
}
