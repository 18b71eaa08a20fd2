/**
 * Where ShadowOutcomes keeps the engine's decisions until their labels come
 * (issue 16). Chargebacks arrive 3–45 days after the payment, so the
 * decisions must outlive both memory bounds and restarts:
 *
 * - `MemoryDecisionLog`: the latest N decisions in a Map (tests, and an
 *   engine without a state directory). A restart forgets them.
 * - `StoredDecisionLog`: every decision of the last `retentionMs` (60 days
 *   by default) in a LevelDB store under the engine's state directory,
 *   through the engine's own store API (no changelog: it is this
 *   instance's record of what it decided, rebuilt by nobody). Reads are
 *   synchronous (recent writes from memory, the rest a LevelDB point read);
 *   writes are batched once a second. A crash loses at most that second's
 *   decisions; a restart loads the rest and the label topics are read again
 *   from their beginning, so the figures come back whole.
 *
 * Cost per decision, measured with 200,000 decisions (load ~2): 4.9 µs
 * against 1.1 µs in memory (a LevelDB point read for a previous decision,
 * a share of a batch write), 52 bytes on disk.
 */
import path from 'node:path';
import { Serdes, Stores, systemTimers, type Clock, type KeyValueStore, type Serde, type TimerHandle, type Timers } from '../streams/index.js';
import type { Logger } from '../log.js';
import type { DecidedTransaction } from './shadow-outcomes.js';

export interface DecisionLog {
  get(transactionId: string): DecidedTransaction | undefined;
  /** Keeps `decision` (replacing one with the same id); returns the decisions dropped to stay within bounds. */
  set(decision: DecidedTransaction): readonly DecidedTransaction[];
}

/** The latest `maxTransactions` decisions, in memory. */
export class MemoryDecisionLog implements DecisionLog {
  readonly #decisions = new Map<string, DecidedTransaction>();

  constructor(private readonly maxTransactions = 500_000) {}

  get(transactionId: string): DecidedTransaction | undefined {
    return this.#decisions.get(transactionId);
  }

  set(decision: DecidedTransaction): DecidedTransaction[] {
    // Delete first, so a re-decided transaction moves to the newest end.
    this.#decisions.delete(decision.transactionId);
    this.#decisions.set(decision.transactionId, decision);
    const dropped: DecidedTransaction[] = [];
    for (const [oldest, d] of this.#decisions) {
      if (this.#decisions.size <= this.maxTransactions) break;
      this.#decisions.delete(oldest);
      dropped.push(d);
    }
    return dropped;
  }
}

/** A decision as stored: when it was made (for retention) and the two models' parts. */
interface StoredDecision {
  readonly at: number;
  readonly live: { readonly version: string; readonly alerted: boolean };
  readonly shadow?: { readonly version: string; readonly alerted: boolean };
}

export interface StoredDecisionLogOptions {
  /** The engine's state directory; the store lives in `<stateDir>/<applicationId>.decisions/`. */
  readonly stateDir: string;
  readonly applicationId: string;
  /** Decisions older than this are deleted (default 60 days: chargebacks come within 45). */
  readonly retentionMs?: number;
  readonly clock: Clock;
  readonly timers?: Timers;
  readonly log: Logger;
  /** How often buffered decisions are written down (default 1 s). */
  readonly flushIntervalMs?: number;
  /** How often expired decisions are looked for (default 1 hour). */
  readonly sweepIntervalMs?: number;
  /** Told about the decisions a sweep deleted, so their counts can go. */
  readonly onExpired?: (decisions: readonly DecidedTransaction[]) => void;
}

export const DEFAULT_DECISION_RETENTION_MS = 60 * 24 * 3_600_000;

export class StoredDecisionLog implements DecisionLog {
  /** Written since the last flush began. */
  #pending = new Map<string, StoredDecision>();
  /** Being written by the flush in progress. */
  #flushing = new Map<string, StoredDecision>();
  #flush: Promise<void> | undefined;
  readonly #timers: Timers;
  readonly #handles: TimerHandle[] = [];
  readonly #retentionMs: number;
  #closed = false;

  private constructor(
    private readonly store: KeyValueStore<string, StoredDecision>,
    private readonly o: StoredDecisionLogOptions,
  ) {
    this.#timers = o.timers ?? systemTimers;
    this.#retentionMs = o.retentionMs ?? DEFAULT_DECISION_RETENTION_MS;
  }

  /** Opens (creating) the store. Call `load()` next, then the log is ready for `set`. */
  static async open(o: StoredDecisionLogOptions): Promise<StoredDecisionLog> {
    const store = Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('decisions'), Serdes.String(), storedDecisionSerde)
      .withCachingDisabled()
      .withLoggingDisabled()
      .build();
    await store.init({ applicationId: o.applicationId, taskId: 'decisions', stateDir: path.join(o.stateDir, `${o.applicationId}.decisions`) });
    return new StoredDecisionLog(store, o);
  }

  /**
   * The stored decisions still within retention, deleting the expired ones
   * on the way; iterated to its end, it then starts the flush and sweep
   * timers (until then decisions are only held in memory).
   */
  async *load(): AsyncGenerator<DecidedTransaction> {
    const expired: string[] = [];
    const cutoff = this.o.clock.now() - this.#retentionMs;
    for await (const { key, value } of this.store.all()) {
      if (value.at < cutoff) expired.push(key);
      else yield toDecided(key, value);
    }
    await this.store.putAll(expired.map((key) => ({ key, value: null })));
    if (expired.length > 0) this.o.log.info({ expired: expired.length }, 'deleted decisions past their retention');
    this.#schedule(this.o.flushIntervalMs ?? 1_000, () => this.flush());
    this.#schedule(this.o.sweepIntervalMs ?? 3_600_000, () => this.sweep());
  }

  get(transactionId: string): DecidedTransaction | undefined {
    const held = this.#pending.get(transactionId) ?? this.#flushing.get(transactionId);
    if (held !== undefined) return toDecided(transactionId, held);
    // A LevelDB point read runs synchronously (no cache layer, so no eviction to wait for).
    const stored = this.store.get(transactionId);
    if (stored instanceof Promise) {
      // Only a failed read comes back as a promise here (no cache, so no eviction to wait for). The
      // figures then miss one decision; the engine must not stop for its bookkeeping.
      stored.catch((err: unknown) => this.o.log.warn({ err, code: 'VIGIL_ERR_STATE_STORE', transactionId }, 'decision store read failed; the labelled figures may miss this decision'));
      return undefined;
    }
    return stored === undefined ? undefined : toDecided(transactionId, stored);
  }

  set(decision: DecidedTransaction): readonly DecidedTransaction[] {
    this.#pending.set(decision.transactionId, { at: this.o.clock.now(), live: decision.live, ...(decision.shadow ? { shadow: decision.shadow } : {}) });
    return [];
  }

  /** Writes the buffered decisions in one batch (one flush at a time). */
  async flush(): Promise<void> {
    if (this.#flush !== undefined) await this.#flush;
    if (this.#pending.size === 0) return;
    this.#flushing = this.#pending;
    this.#pending = new Map();
    this.#flush = this.store
      .putAll([...this.#flushing].map(([key, value]) => ({ key, value })))
      .finally(() => {
        this.#flushing = new Map();
        this.#flush = undefined;
      });
    await this.#flush;
  }

  /** Deletes the decisions past retention and reports them (their labels no longer count). */
  async sweep(): Promise<void> {
    await this.flush();
    const cutoff = this.o.clock.now() - this.#retentionMs;
    const expired: DecidedTransaction[] = [];
    for await (const { key, value } of this.store.all()) if (value.at < cutoff) expired.push(toDecided(key, value));
    if (expired.length === 0) return;
    await this.store.putAll(expired.map((d) => ({ key: d.transactionId, value: null })));
    this.o.onExpired?.(expired);
    this.o.log.info({ expired: expired.length }, 'deleted decisions past their retention');
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const h of this.#handles) this.#timers.clear(h);
    await this.flush();
    await this.store.close();
  }

  #schedule(intervalMs: number, job: () => Promise<void>): void {
    const tick = (): void => {
      if (this.#closed) return;
      const handle = this.#timers.set(() => {
        this.#handles.splice(this.#handles.indexOf(handle), 1);
        job()
          .catch((err: unknown) => this.o.log.warn({ err }, 'decision log: a flush or sweep failed; it is retried at the next interval'))
          .finally(tick);
      }, intervalMs);
      this.#handles.push(handle);
    };
    tick();
  }
}

function toDecided(transactionId: string, d: StoredDecision): DecidedTransaction {
  return { transactionId, live: d.live, ...(d.shadow ? { shadow: d.shadow } : {}) };
}

/** Compact JSON: decisions are read back rarely (a label, a restart), written for every transaction. */
const storedDecisionSerde: Serde<StoredDecision> = {
  serialize: (_topic, d) => {
    if (d === null) return null;
    const fields = [d.at, d.live.version, d.live.alerted ? 1 : 0, ...(d.shadow ? [d.shadow.version, d.shadow.alerted ? 1 : 0] : [])];
    return Buffer.from(JSON.stringify(fields));
  },
  deserialize: (_topic, data) => {
    if (data === null) return null;
    const [at, lv, la, sv, sa] = JSON.parse(data.toString('utf8')) as [number, string, number, string?, number?];
    return { at, live: { version: lv, alerted: la === 1 }, ...(sv !== undefined ? { shadow: { version: sv, alerted: sa === 1 } } : {}) };
  },
};
