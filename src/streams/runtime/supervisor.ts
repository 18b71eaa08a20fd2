import type { VigilError } from '../errors.js';
import type { StreamsLogger } from './logger.js';
import { noopLogger } from './logger.js';

/** What the supervisor needs of a KafkaStreams instance (KafkaStreams satisfies it). */
export interface SupervisedStreams {
  start(): Promise<void>;
  close(): Promise<void>;
  onError(listener: (error: VigilError) => void): unknown;
}

export interface SupervisorOptions {
  /** Wait before the first restart after a failure; doubles per failure in a row. Default 1 s. */
  readonly initialBackoffMs?: number;
  /** Longest wait between restarts. Default 30 s. */
  readonly maxBackoffMs?: number;
  /** Errors with these codes are not retried: a restart cannot fix them. Default: VIGIL_ERR_CONFIG, VIGIL_ERR_TOPOLOGY. */
  readonly fatalCodes?: readonly string[];
  readonly logger?: StreamsLogger;
  /** Injected for tests; default a timer. Resolves early if the supervisor closes. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called after each successful restart with the error that caused it. */
  readonly onRestart?: (restarts: number, cause: VigilError) => void;
}

const DEFAULT_FATAL_CODES = ['VIGIL_ERR_CONFIG', 'VIGIL_ERR_TOPOLOGY'];

/**
 * Keeps a KafkaStreams application running across fatal errors, as
 * systemd or Kubernetes would restart the process, but inside it.
 *
 * A KafkaStreams instance that reaches ERROR cannot resume (as in Kafka
 * Streams): its tasks were dropped, dirty local state wiped, and it must be
 * replaced. The supervisor closes it, waits (exponential backoff, reset by a
 * successful start), builds a new one from `factory` and starts it; the new
 * instance restores from the changelogs and resumes from the last commit,
 * so exactly-once output stays exact. A broker outage therefore costs a few
 * restarts, not the process. The first start is not retried: a failure
 * there (bad config, no broker at launch) is the caller's to report.
 *
 * Interactive queries must go through `current`, which changes on restart.
 */
export class StreamsSupervisor<T extends SupervisedStreams> {
  #current: T;
  #restarts = 0;
  #closed = false;
  #recovering: Promise<void> | undefined;
  #pending: VigilError | undefined;
  #wake: (() => void) | undefined;
  readonly #options: Required<Omit<SupervisorOptions, 'onRestart'>> & Pick<SupervisorOptions, 'onRestart'>;

  constructor(
    private readonly factory: () => T,
    options: SupervisorOptions = {},
  ) {
    this.#options = {
      initialBackoffMs: options.initialBackoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 30_000,
      fatalCodes: options.fatalCodes ?? DEFAULT_FATAL_CODES,
      logger: options.logger ?? noopLogger,
      sleep: options.sleep ?? ((ms) => this.#timer(ms)),
      onRestart: options.onRestart,
    };
    this.#current = this.#watch(factory());
  }

  /** The instance running now; replaced on each restart. */
  get current(): T {
    return this.#current;
  }

  /** Restarts so far. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Starts the first instance; its failure is thrown, not retried. */
  async start(): Promise<void> {
    await this.#current.start();
  }

  /** Stops restarting and closes the current instance. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#recovering;
    await this.#current.close();
  }

  #watch(instance: T): T {
    instance.onError((error) => {
      if (this.#closed || instance !== this.#current) return;
      if (this.#options.fatalCodes.includes(error.code)) {
        this.#options.logger.error({ err: error, code: error.code }, 'streams failed with an error a restart cannot fix; not restarting');
        return;
      }
      // A new instance that fails while its own start is awaited is handled by #recover.
      if (this.#recovering) {
        this.#pending = error;
        return;
      }
      this.#recovering = this.#recover(error).finally(() => {
        this.#recovering = undefined;
      });
    });
    return instance;
  }

  async #recover(cause: VigilError): Promise<void> {
    let backoff = this.#options.initialBackoffMs;
    let failed: T = this.#current;
    for (;;) {
      await failed.close().catch(() => {});
      if (this.#closed) return;
      this.#options.logger.warn({ err: cause, code: cause.code, retryInMs: backoff }, 'streams failed; restarting a new instance');
      await this.#options.sleep(backoff);
      if (this.#closed) return;
      const next = this.factory();
      this.#current = this.#watch(next);
      this.#pending = undefined;
      try {
        await next.start();
      } catch (error) {
        cause = error as VigilError;
        failed = next;
        backoff = Math.min(backoff * 2, this.#options.maxBackoffMs);
        continue;
      }
      if (this.#pending) {
        // Started, then failed before this loop saw it: go round again.
        cause = this.#pending;
        failed = next;
        backoff = Math.min(backoff * 2, this.#options.maxBackoffMs);
        continue;
      }
      this.#restarts++;
      this.#options.logger.info({ restarts: this.#restarts }, 'streams restarted');
      this.#options.onRestart?.(this.#restarts, cause);
      return;
    }
  }

  #timer(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.#wake = done;
    });
  }
}
