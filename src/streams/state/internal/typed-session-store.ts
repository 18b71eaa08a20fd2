/**
 * The outermost session layer: serdes plus session semantics over a byte
 * store stack whose innermost layer is a TimeIndexedBytesStore keyed by
 * session end, so a session expires when its end falls out of retention.
 */
import type { Serde } from '../../serde/serde.js';
import type { KeyValueIterator, MaybePromise, SessionStore, StoreContext, Windowed } from '../types.js';
import type { BytesStore } from './bytes-store.js';
import { MAX_TIMESTAMP, clampTimestamp } from './bytes.js';
import { storeClosedError } from './store-errors.js';
import { StoreSerdes, changelogTopic } from './typed-serdes.js';
import { SessionKeySchema } from './window-key-schema.js';

export class TypedSessionStore<K, V> implements SessionStore<K, V> {
  readonly name: string;
  readonly persistent: boolean;
  readonly retentionMs: number;
  private readonly serdes: StoreSerdes<K, V>;
  private observedStreamTime = -1;
  private open = false;

  constructor(
    readonly inner: BytesStore,
    keySerde: Serde<K>,
    valueSerde: Serde<V>,
    options: { readonly retentionMs: number },
  ) {
    this.name = inner.name;
    this.persistent = inner.persistent;
    this.retentionMs = options.retentionMs;
    this.serdes = new StoreSerdes(inner.name, keySerde, valueSerde);
  }

  async init(context: StoreContext): Promise<void> {
    this.serdes.topic = changelogTopic(context, this.name);
    await this.inner.init(context);
    this.open = true;
  }

  isOpen(): boolean {
    return this.open;
  }

  /** Synchronous when the layers below are (see WindowStore.put); errors always come back as a rejected promise. */
  put(session: Windowed<K>, aggregate: V | null): MaybePromise<void> {
    try {
      this.checkOpen();
      const { start, end } = session.window;
      if (aggregate !== null && end > this.observedStreamTime) this.observedStreamTime = end;
      if (aggregate !== null && this.expired(end)) return undefined;
      const composite = SessionKeySchema.toComposite(this.serdes.keyBytes(session.key), start, end);
      return this.inner.put(composite, this.serdes.valueBytes(aggregate));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  remove(session: Windowed<K>): MaybePromise<void> {
    return this.put(session, null);
  }

  fetchSession(key: K, sessionStart: number, sessionEnd: number): MaybePromise<V | undefined> {
    try {
      this.checkOpen();
      if (this.expired(sessionEnd)) return undefined;
      return this.serdes.valueOf(this.inner.get(SessionKeySchema.toComposite(this.serdes.keyBytes(key), sessionStart, sessionEnd)));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValueIterator<Windowed<K>, V> {
    this.checkOpen();
    return this.scan(key, earliestSessionEnd, latestSessionStart);
  }

  fetch(key: K): KeyValueIterator<Windowed<K>, V> {
    return this.findSessions(key, 0, MAX_TIMESTAMP);
  }

  flush(): Promise<void> {
    this.checkOpen();
    return this.inner.flush();
  }

  async close(): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.inner.close();
  }

  restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    return this.inner.restore(batch);
  }

  private expired(sessionEnd: number): boolean {
    return sessionEnd <= this.observedStreamTime - this.retentionMs;
  }

  /**
   * Sessions are ordered by end then start within a key, so the scan starts
   * at the earliest end; a session's end is not bounded by the latest
   * start, so the scan runs to the key's last session and filters on start.
   */
  private async *scan(key: K, earliestSessionEnd: number, latestSessionStart: number): AsyncGenerator<{ key: Windowed<K>; value: V }> {
    const keyBytes = this.serdes.keyBytes(key);
    const fromEnd = clampTimestamp(Math.max(earliestSessionEnd, this.observedStreamTime - this.retentionMs + 1));
    const range = {
      gte: SessionKeySchema.toComposite(keyBytes, 0, fromEnd),
      lte: SessionKeySchema.toComposite(keyBytes, MAX_TIMESTAMP, MAX_TIMESTAMP),
    };
    for await (const entry of this.inner.range(range)) {
      if (!SessionKeySchema.belongsTo(entry.key, keyBytes)) continue;
      const start = SessionKeySchema.startOf(entry.key);
      if (start > latestSessionStart) continue;
      yield {
        key: { key, window: { start, end: SessionKeySchema.endOf(entry.key) } },
        value: this.serdes.value(entry.value) as V,
      };
    }
  }

  private checkOpen(): void {
    if (!this.open) throw storeClosedError(this.name);
  }
}
