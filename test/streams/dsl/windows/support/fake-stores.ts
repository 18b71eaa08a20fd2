import type {
  KeyValue,
  KeyValueIterator,
  SessionStore,
  StateStore,
  Windowed,
  WindowStore,
} from '../../../../../src/streams/state/types.js';

/** Just enough of StateStore for processors that never touch the lifecycle. */
abstract class FakeStore implements StateStore {
  readonly persistent = false;
  constructor(readonly name: string) {}
  async init(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  isOpen(): boolean {
    return true;
  }
  async restore(): Promise<void> {}
}

async function* iterate<K, V>(entries: KeyValue<K, V>[]): KeyValueIterator<K, V> {
  for (const entry of entries) yield entry;
}

/**
 * A window store over an array: enough to check processors' logic without
 * the state engineer's stores. Keys compare with ===. No retention: the
 * driver tests cover retention on the real stores.
 */
export class FakeWindowStore<K, V> extends FakeStore implements WindowStore<K, V> {
  readonly retentionMs = Number.MAX_SAFE_INTEGER;
  readonly rows: { key: K; start: number; value: V }[] = [];

  constructor(name: string, private readonly retainDuplicates = false) {
    super(name);
  }

  async put(key: K, value: V | null, windowStart: number): Promise<void> {
    const at = this.rows.findIndex((r) => r.key === key && r.start === windowStart);
    if (value === null) {
      if (at >= 0 && !this.retainDuplicates) this.rows.splice(at, 1);
      return;
    }
    if (at >= 0 && !this.retainDuplicates) this.rows[at] = { key, start: windowStart, value };
    else this.rows.push({ key, start: windowStart, value });
  }

  async fetch(key: K, windowStart: number): Promise<V | undefined> {
    return this.rows.find((r) => r.key === key && r.start === windowStart)?.value;
  }

  fetchRange(key: K, timeFrom: number, timeTo: number): KeyValueIterator<number, V> {
    return iterate(
      this.rows
        .filter((r) => r.key === key && r.start >= timeFrom && r.start <= timeTo)
        .sort((a, b) => a.start - b.start)
        .map((r) => ({ key: r.start, value: r.value })),
    );
  }

  fetchAll(): KeyValueIterator<Windowed<K>, V> {
    throw new Error('not used by the processors under test');
  }

  all(): KeyValueIterator<Windowed<K>, V> {
    throw new Error('not used by the processors under test');
  }

  /** `start..end -> value` for one key, in start order, for assertions. */
  windowsOf(key: K): Record<number, V> {
    return Object.fromEntries(
      this.rows
        .filter((r) => r.key === key)
        .sort((a, b) => a.start - b.start)
        .map((r) => [r.start, r.value]),
    );
  }
}

export class FakeSessionStore<K, V> extends FakeStore implements SessionStore<K, V> {
  readonly retentionMs = Number.MAX_SAFE_INTEGER;
  readonly rows: { session: Windowed<K>; value: V }[] = [];

  async put(session: Windowed<K>, aggregate: V): Promise<void> {
    await this.remove(session);
    this.rows.push({ session, value: aggregate });
  }

  async remove(session: Windowed<K>): Promise<void> {
    const at = this.rows.findIndex(
      (r) =>
        r.session.key === session.key &&
        r.session.window.start === session.window.start &&
        r.session.window.end === session.window.end,
    );
    if (at >= 0) this.rows.splice(at, 1);
  }

  findSessions(key: K, earliestSessionEnd: number, latestSessionStart: number): KeyValueIterator<Windowed<K>, V> {
    return iterate(
      this.rows
        .filter(
          (r) =>
            r.session.key === key && r.session.window.end >= earliestSessionEnd && r.session.window.start <= latestSessionStart,
        )
        .sort((a, b) => a.session.window.end - b.session.window.end)
        .map((r) => ({ key: r.session, value: r.value })),
    );
  }

  async fetchSession(key: K, start: number, end: number): Promise<V | undefined> {
    return this.rows.find((r) => r.session.key === key && r.session.window.start === start && r.session.window.end === end)
      ?.value;
  }

  fetch(key: K): KeyValueIterator<Windowed<K>, V> {
    return this.findSessions(key, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  /** `[start,end] -> value` for one key, for assertions. */
  sessionsOf(key: K): [number, number, V][] {
    return this.rows
      .filter((r) => r.session.key === key)
      .sort((a, b) => a.session.window.start - b.session.window.start)
      .map((r) => [r.session.window.start, r.session.window.end, r.value]);
  }
}
