import { retryDelay, type RetryPolicy } from '../../src/webhook/index.js';
import { NotificationError } from './errors.js';

/** One message for the provider. The idempotency key lets the provider drop a resend after a crash. */
export interface Notification {
  idempotencyKey: string;
  channel: 'sms' | 'email';
  to: string;
  text: string;
}

/** Sends one notification or throws a NotificationError once it gives up. */
export interface NotificationSender {
  send(notification: Notification): Promise<{ attempts: number }>;
}

export interface ProviderClientOptions {
  /** e.g. `http://127.0.0.1:4170`; the client posts to `/v1/sms` and `/v1/email`. */
  baseUrl: string;
  retry?: Partial<RetryPolicy>;
  timeoutMs?: number;
  /** Injected so tests do not wait for real backoff. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 2_000, maxRetryAfterMs: 5_000 };

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The provider's HTTP client. 5xx, 429 and network errors are retried with
 * the webhook module's exponential backoff (equal jitter); any other 4xx is
 * the message's fault and is not retried. Either way the caller gets a
 * NotificationError, and the engine's processing handler dead-letters the
 * event with that reason.
 */
export class ProviderClient implements NotificationSender {
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly options: ProviderClientOptions) {
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 2_000;
    this.sleep = options.sleep ?? realSleep;
    this.random = options.random ?? Math.random;
  }

  async send(notification: Notification): Promise<{ attempts: number }> {
    const body = JSON.stringify({ to: notification.to, text: notification.text });
    let last = '';
    for (let attempt = 1; attempt <= this.policy.maxAttempts; attempt++) {
      try {
        const res = await fetch(`${this.options.baseUrl}/v1/${notification.channel}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': notification.idempotencyKey },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await res.arrayBuffer();
        if (res.ok) return { attempts: attempt };
        last = `HTTP ${res.status}`;
        if (res.status >= 400 && res.status < 500 && res.status !== 429) {
          throw new NotificationError('VIGIL_ERR_NOTIFY_PROVIDER', `the provider rejected the ${notification.channel} to ${notification.to} with ${last}; fix the message, resending will not help`);
        }
      } catch (err) {
        if (err instanceof NotificationError) throw err;
        last = (err as Error).message;
      }
      if (attempt < this.policy.maxAttempts) await this.sleep(retryDelay(this.policy, attempt, this.random));
    }
    throw new NotificationError(
      'VIGIL_ERR_NOTIFY_PROVIDER',
      `the provider failed ${this.policy.maxAttempts} attempts (last: ${last}); check that it is up at ${this.options.baseUrl}, then replay the event from the dead-letter topic`,
    );
  }
}
