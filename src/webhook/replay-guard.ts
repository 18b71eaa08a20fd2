import { WebhookVerificationError } from './errors.js';
import { DEFAULT_TOLERANCE_SECONDS } from './signature.js';

/**
 * Remembers webhook ids seen within the timestamp tolerance and rejects a
 * second delivery of the same id. Older ids can be forgotten safely: their
 * timestamps fall outside the tolerance, so {@link verify} rejects them
 * before the guard is asked.
 *
 * Rejecting repeats is also what makes at-least-once delivery (retries,
 * dispatcher restarts) exactly-once for the receiver.
 */
export class ReplayGuard {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;
  readonly #maxEntries: number;

  constructor(options: { toleranceSeconds?: number; maxEntries?: number } = {}) {
    // Twice the tolerance: an id signed at the future edge stays remembered until it expires at the past edge.
    this.#windowMs = 2 * (options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS) * 1000;
    this.#maxEntries = options.maxEntries ?? 1_000_000;
  }

  /** Records `id`; throws `replayed` when it was seen within the window. */
  check(id: string, nowMs: number): void {
    this.#expire(nowMs);
    if (this.#seen.has(id)) throw new WebhookVerificationError('replayed', `webhook-id ${id} was already accepted`);
    if (this.#seen.size >= this.#maxEntries) {
      const oldest = this.#seen.keys().next().value;
      if (oldest !== undefined) this.#seen.delete(oldest);
    }
    this.#seen.set(id, nowMs + this.#windowMs);
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
    for (const [id, expiresAt] of this.#seen) {
      if (expiresAt > nowMs) break;
      this.#seen.delete(id);
    }
  }
}
