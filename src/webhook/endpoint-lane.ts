import type { Logger } from '../log.js';
import type { PreparedAlert } from './alert-envelope.js';
import type { EndpointConfig } from './config.js';
import type { DeliveryStateStore } from './delivery-state.js';
import type { Sender, SendResult } from './http-sender.js';
import { attemptOutcome, type DispatcherMetrics } from './metrics.js';
import { classifyStatus, parseRetryAfter, retryDelay, type RetryPolicy } from './retry-policy.js';
import type { Scheduler } from './scheduler.js';
import { signedHeaders } from './signature.js';

/** How one alert ended for one endpoint. */
export interface DeliveryOutcome {
  endpoint: string;
  id: string;
  result: 'delivered' | 'dead-lettered';
  attempts: number;
  /** Why it was dead-lettered. */
  reason?: string;
}

/** One HTTP attempt, reported for metrics and tests. */
export interface AttemptEvent {
  endpoint: string;
  id: string;
  attempt: number;
  atMs: number;
  status?: number;
  error?: string;
  durationMs: number;
}

/** Where alerts go after their last attempt. Resolves once the dead letter is durable. */
export type DeadLetter = (alert: PreparedAlert, endpoint: string, reason: string, attempts: number) => Promise<void>;

export interface LaneDeps {
  retry: RetryPolicy;
  scheduler: Scheduler;
  random: () => number;
  sender: Sender;
  state: DeliveryStateStore;
  deadLetter: DeadLetter;
  log: Logger;
  metrics?: DispatcherMetrics;
  onAttempt?: (e: AttemptEvent) => void;
}

interface Job {
  alert: PreparedAlert;
  attempts: number;
  nextAt: number;
  /** A retry entry exists in the state store and must be cleared at the end. */
  persisted: boolean;
  lastError: string;
  cancelTimer?: () => void;
  done: (o: DeliveryOutcome) => void;
}

const DEAD_LETTER_RETRY_MS = 1_000;

/**
 * One endpoint's queue. Each lane has its own ready queue, timers,
 * concurrency and pause, so a slow or dead endpoint only ever delays
 * itself. Congestion control is AIMD: a 429/502/503/504 halves the
 * concurrency and pauses the lane (for Retry-After when given); each
 * success adds one back up to the configured limit.
 */
export class EndpointLane {
  readonly endpoint: EndpointConfig;
  #current: number;
  #active = 0;
  #pausedUntil = 0;
  #wake: (() => void) | undefined;
  #disabled: string | undefined;
  #closed = false;
  /** Slow-down answers since the last success: the endpoint's own backoff exponent. */
  #slowDowns = 0;
  readonly #ready: Job[] = [];
  readonly #waiting = new Set<Job>();

  constructor(
    endpoint: EndpointConfig,
    private readonly deps: LaneDeps,
  ) {
    this.endpoint = endpoint;
    this.#current = endpoint.concurrency;
    const off = deps.state.disabled(endpoint);
    if (off) this.#disabled = off.reason;
  }

  /** Queued or waiting alerts plus requests in flight. */
  get backlog(): number {
    return this.#ready.length + this.#waiting.size + this.#active;
  }

  get concurrency(): number {
    return this.#current;
  }

  get disabledReason(): string | undefined {
    return this.#disabled;
  }

  get pausedUntil(): number {
    return this.#pausedUntil;
  }

  /** Delivers `alert`, resuming a persisted retry schedule if there is one. */
  deliver(alert: PreparedAlert): Promise<DeliveryOutcome> {
    return new Promise((done) => {
      const pending = this.deps.state.pending(this.endpoint.name, alert.id);
      const job: Job = {
        alert,
        attempts: pending?.attempts ?? 0,
        nextAt: pending?.nextAt ?? 0,
        persisted: pending !== undefined,
        lastError: pending?.lastError ?? '',
        done,
      };
      if (this.#disabled !== undefined) {
        void this.#deadLetter(job, `endpoint disabled: ${this.#disabled}`);
        return;
      }
      this.#schedule(job);
    });
  }

  /** Stops timers; queued jobs stay unresolved (their offsets stay uncommitted, their retries persisted). */
  close(): void {
    this.#closed = true;
    this.#wake?.();
    for (const job of this.#waiting) job.cancelTimer?.();
    this.#waiting.clear();
    this.#ready.length = 0;
  }

  #schedule(job: Job): void {
    const wait = job.nextAt - this.deps.scheduler.now();
    if (wait <= 0) {
      this.#ready.push(job);
      this.#pump();
      return;
    }
    this.#waiting.add(job);
    job.cancelTimer = this.deps.scheduler.setTimer(() => {
      this.#waiting.delete(job);
      this.#ready.push(job);
      this.#pump();
    }, wait);
  }

  #pump(): void {
    if (this.#closed) return;
    const now = this.deps.scheduler.now();
    if (this.#pausedUntil > now) {
      if (!this.#wake) {
        this.#wake = this.deps.scheduler.setTimer(() => {
          this.#wake = undefined;
          this.#pump();
        }, this.#pausedUntil - now);
      }
      return;
    }
    while (this.#active < this.#current && this.#ready.length > 0) {
      const job = this.#ready.shift() as Job;
      void this.#attempt(job);
    }
  }

  async #attempt(job: Job): Promise<void> {
    this.#active++;
    job.attempts++;
    const { scheduler } = this.deps;
    const startedAt = scheduler.now();
    const headers = signedHeaders(this.endpoint.secrets, job.alert.id, Math.floor(startedAt / 1000), job.alert.body);
    let result: SendResult;
    try {
      result = await this.deps.sender.send(this.endpoint, headers, job.alert.body);
    } catch (err) {
      result = { error: (err as Error).message, durationMs: 0 };
    }
    this.#active--;
    if (this.#closed) return;
    this.deps.metrics?.attempt?.(this.endpoint.name, attemptOutcome(result.status, result.error), result.durationMs / 1000);
    this.deps.onAttempt?.({
      endpoint: this.endpoint.name,
      id: job.alert.id,
      attempt: job.attempts,
      atMs: startedAt,
      durationMs: result.durationMs,
      ...(result.status !== undefined ? { status: result.status } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
    });
    try {
      await this.#settle(job, result);
    } catch (err) {
      // The state store failed: keep the job alive in memory rather than lose it.
      this.deps.log.error({ endpoint: this.endpoint.name, id: job.alert.id, err }, 'could not record a delivery outcome; retrying in memory');
      job.nextAt = scheduler.now() + DEAD_LETTER_RETRY_MS;
      this.#schedule(job);
    }
    this.#pump();
  }

  async #settle(job: Job, result: SendResult): Promise<void> {
    const now = this.deps.scheduler.now();
    const verdict = result.status === undefined ? 'retry' : classifyStatus(result.status);
    const what = result.status !== undefined ? `HTTP ${result.status}` : (result.error ?? 'no response');
    if (verdict === 'delivered') {
      this.#current = Math.min(this.endpoint.concurrency, this.#current + 1);
      this.#slowDowns = 0;
      this.deps.metrics?.delivered?.(this.endpoint.name, Math.max(0, now - job.alert.sourceTimestampMs) / 1000);
      if (job.persisted) await this.deps.state.clearPending(this.endpoint.name, job.alert.id);
      job.done({ endpoint: this.endpoint.name, id: job.alert.id, result: 'delivered', attempts: job.attempts });
      return;
    }
    if (verdict === 'gone') {
      await this.#disable(`HTTP 410 Gone from ${this.endpoint.url}`, now);
      await this.#deadLetter(job, `endpoint disabled: HTTP 410 Gone`);
      return;
    }
    if (this.#disabled !== undefined) {
      await this.#deadLetter(job, `endpoint disabled: ${this.#disabled}; last attempt ${what}`);
      return;
    }
    if (job.attempts >= this.deps.retry.maxAttempts) {
      await this.#deadLetter(job, `gave up after ${job.attempts} attempts; last: ${what}`);
      return;
    }
    const retryAfterMs = parseRetryAfter(result.retryAfter, now);
    const delay = retryDelay(this.deps.retry, job.attempts, this.deps.random, retryAfterMs);
    if (verdict === 'slow-down') {
      // The endpoint backs off on its own schedule (Retry-After, else by consecutive slow-downs), not this alert's.
      this.#slowDowns++;
      this.#current = Math.max(1, Math.floor(this.#current / 2));
      const pause = retryAfterMs !== undefined ? Math.min(retryAfterMs, this.deps.retry.maxRetryAfterMs) : retryDelay(this.deps.retry, this.#slowDowns, this.deps.random);
      this.#pausedUntil = Math.max(this.#pausedUntil, now + pause);
    }
    job.nextAt = now + delay;
    job.lastError = what;
    await this.deps.state.savePending(this.endpoint.name, job.alert.id, { attempts: job.attempts, nextAt: job.nextAt, lastError: what });
    job.persisted = true;
    this.deps.log.debug({ endpoint: this.endpoint.name, id: job.alert.id, attempt: job.attempts, result: what, delayMs: delay }, 'delivery failed; retry scheduled');
    this.#schedule(job);
  }

  async #disable(reason: string, now: number): Promise<void> {
    if (this.#disabled !== undefined) return;
    this.#disabled = reason;
    this.deps.log.warn({ endpoint: this.endpoint.name, reason }, 'endpoint disabled; its alerts go to the dead-letter topic');
    await this.deps.state.saveDisabled(this.endpoint.name, { url: this.endpoint.url, reason, at: now });
    const queued = [...this.#ready, ...this.#waiting];
    this.#ready.length = 0;
    for (const job of this.#waiting) job.cancelTimer?.();
    this.#waiting.clear();
    for (const job of queued) void this.#deadLetter(job, `endpoint disabled: ${reason}`);
  }

  /** Dead-letters until the write succeeds: an alert leaves the lane only when it is safe. */
  async #deadLetter(job: Job, reason: string): Promise<void> {
    for (;;) {
      if (this.#closed) return;
      try {
        await this.deps.deadLetter(job.alert, this.endpoint.name, reason, job.attempts);
        this.deps.metrics?.deadLettered?.(this.endpoint.name, reason.startsWith('endpoint disabled') ? 'disabled' : 'exhausted');
        if (job.persisted) await this.deps.state.clearPending(this.endpoint.name, job.alert.id);
        job.done({ endpoint: this.endpoint.name, id: job.alert.id, result: 'dead-lettered', attempts: job.attempts, reason });
        return;
      } catch (err) {
        this.deps.log.error({ endpoint: this.endpoint.name, id: job.alert.id, err }, 'dead-letter write failed; retrying');
        await new Promise<void>((r) => this.deps.scheduler.setTimer(r, DEAD_LETTER_RETRY_MS));
      }
    }
  }
}
