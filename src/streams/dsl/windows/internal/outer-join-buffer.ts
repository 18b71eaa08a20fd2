import type { Headers } from '../../../processor/record.js';
import { EMPTY_HEADERS } from '../../../processor/record.js';
import type { KeyValueStore } from '../../../state/types.js';
import { keyIdentity } from './key-identity.js';
import type { OuterJoinKey, UnjoinedValues } from './outer-join-store-serdes.js';

export type JoinSide = 'left' | 'right';

/** A record of one side that has found no partner yet. */
export interface UnjoinedRecord {
  readonly side: JoinSide;
  readonly key: unknown;
  readonly value: unknown;
  readonly timestamp: number;
  readonly headers: Headers;
}

export type OuterJoinStore = KeyValueStore<OuterJoinKey<unknown>, UnjoinedValues>;

/**
 * The unmatched records of a left or outer stream–stream join, held until
 * their join window closes (Kafka Streams' outer-join store, KAFKA-10847),
 * so the null-side result is emitted once and only if no partner arrives.
 * Both sides of one join in one task share a buffer, as they share Kafka
 * Streams' store: a right record that matches removes the left record it
 * matched.
 *
 * An in-memory index over an optional key-value store that holds the same
 * entries (written through, read back by {@link load}), so held records
 * survive a restart. Headers are not stored.
 */
export class OuterJoinBuffer {
  /** `timestamp|side|key` → the records with that key, side and time, in arrival order. */
  private readonly entries = new Map<string, UnjoinedRecord[]>();
  private loaded: Promise<void> | undefined;
  /** The smallest timestamp that may be buffered; +Infinity when known empty. */
  minTime = Number.POSITIVE_INFINITY;
  /** The largest timestamp either side of the join has seen. */
  streamTime = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: OuterJoinStore | undefined,
    /** The key's bytes, for Kafka Streams' order among results sharing a timestamp and side; absent: a stable order by key identity. */
    private readonly keyBytes?: (key: unknown) => Buffer | null,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Reads the store once, whichever side's processor asks first. */
  load(): Promise<void> {
    this.loaded ??= this.readStore();
    return this.loaded;
  }

  private async readStore(): Promise<void> {
    if (this.store === undefined) return;
    for await (const { key, value } of this.store.all()) {
      const records = value.values.map((v) => ({
        side: key.side,
        key: key.key,
        value: v,
        timestamp: key.timestamp,
        headers: EMPTY_HEADERS,
      }));
      this.entries.set(entryId(key.side, key.key, key.timestamp), records);
      this.minTime = Math.min(this.minTime, key.timestamp);
    }
  }

  async add(record: UnjoinedRecord): Promise<void> {
    const id = entryId(record.side, record.key, record.timestamp);
    let list = this.entries.get(id);
    if (list === undefined) {
      list = [];
      this.entries.set(id, list);
    }
    list.push(record);
    this.minTime = Math.min(this.minTime, record.timestamp);
    await this.store?.put(storeKey(record), { side: record.side, values: list.map((r) => r.value) });
  }

  /** A partner arrived: the records of `side` with this key and time will never be emitted unjoined. */
  async removeMatched(side: JoinSide, key: unknown, timestamp: number): Promise<void> {
    if (this.entries.delete(entryId(side, key, timestamp))) {
      await this.store?.delete({ side, key, timestamp });
    }
  }

  /**
   * Removes and returns, in Kafka Streams' order (its outer-join store is
   * keyed `[timestamp][side: right 0, left 1][key bytes]`: by time, right
   * side first, then by key bytes; records of one key, side and time in
   * arrival order), every record whose window has closed according to `isClosed`.
   * Stops at the first still-open record of each side, as Kafka Streams
   * does, because later records of that side cannot be closed either.
   */
  async takeClosed(isClosed: (record: UnjoinedRecord) => boolean): Promise<UnjoinedRecord[]> {
    const ordered = [...this.entries.entries()].sort(([, a], [, b]) => this.compare(a[0]!, b[0]!));
    const out: UnjoinedRecord[] = [];
    const open = new Set<JoinSide>();
    this.minTime = Number.POSITIVE_INFINITY;
    for (const [id, list] of ordered) {
      const first = list[0]!;
      if (open.size === 2) {
        this.minTime = Math.min(this.minTime, first.timestamp);
        break;
      }
      if (open.has(first.side) || !isClosed(first)) {
        open.add(first.side);
        this.minTime = Math.min(this.minTime, first.timestamp);
        continue;
      }
      out.push(...list);
      this.entries.delete(id);
      await this.store?.delete(storeKey(first));
    }
    return out;
  }

  private compare(a: UnjoinedRecord, b: UnjoinedRecord): number {
    if (a.timestamp !== b.timestamp) return a.timestamp - b.timestamp;
    if (a.side !== b.side) return a.side === 'right' ? -1 : 1;
    if (this.keyBytes) {
      const ka = this.keyBytes(a.key) ?? EMPTY;
      const kb = this.keyBytes(b.key) ?? EMPTY;
      return Buffer.compare(ka, kb);
    }
    const ia = keyIdentity(a.key);
    const ib = keyIdentity(b.key);
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  }
}

const EMPTY = Buffer.alloc(0);

function entryId(side: JoinSide, key: unknown, timestamp: number): string {
  return `${timestamp}|${side}|${keyIdentity(key)}`;
}

function storeKey(record: UnjoinedRecord): OuterJoinKey<unknown> {
  return { timestamp: record.timestamp, side: record.side, key: record.key };
}


/**
 * One buffer per running task, shared by the two sides of one join (Kafka
 * Streams' TimeTrackerSupplier). Keyed by an object both sides' processors
 * hold in that task (the outer-join store, else the left side's store),
 * not by task id, so two drivers running the same topology never share a
 * buffer.
 */
export class OuterJoinBuffers {
  private readonly byTask = new WeakMap<object, OuterJoinBuffer>();

  forTask(anchor: object, store: OuterJoinStore | undefined, keyBytes?: (key: unknown) => Buffer | null): OuterJoinBuffer {
    let buffer = this.byTask.get(anchor);
    if (buffer === undefined) {
      buffer = new OuterJoinBuffer(store, keyBytes);
      this.byTask.set(anchor, buffer);
    }
    return buffer;
  }

  release(anchor: object): void {
    this.byTask.delete(anchor);
  }
}
