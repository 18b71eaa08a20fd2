/**
 * The in-memory inner store of window and session stores, laid out as
 * Kafka Streams' InMemoryWindowStore is: entries grouped by their time
 * (window start, or session end), one hash map per time, so that
 *
 * - a point read or write is two hash lookups, with no ordered insert;
 * - retention drops whole groups: no time index, no per-entry delete scan.
 *
 * The generic stack (TimeIndexedBytesStore over MemoryBytesStore) kept two
 * entries per window in one sorted map of every window, and the engine
 * benchmark spent about half its time inserting into and deleting from it.
 *
 * One key's entries are also listed per record key, ordered by composite
 * key (so by time), for the per-key scans that sliding windows, stream–
 * stream joins and session merges make on every record. A range whose two
 * bounds are composite keys of the same record key is answered from that
 * list and holds only that key's entries (the typed layers keep exactly
 * those; a longer key sharing the prefix is theirs to drop anyway). Any
 * other range collects and sorts every live entry: that path serves
 * interactive queries and full scans, not the per-record path.
 *
 * Like MemoryBytesStore it starts empty at every init() and is rebuilt from
 * its changelog; everything it holds is lost at close().
 */
import type { StoreContext } from '../types.js';
import type { BytesEntry, BytesRange, BytesStore, BytesWrite } from './bytes-store.js';
import { keyId } from './bytes.js';
import { storeAlreadyOpenError, storeClosedError } from './store-errors.js';

interface Entry {
  readonly key: Buffer;
  /** latin1 form of the composite key: hash key and comparison key (string order = unsigned byte order). */
  readonly id: string;
  /** latin1 form of the record key (the composite without its time suffix). */
  readonly recordId: string;
  readonly time: number;
  value: Buffer;
}

export interface MemoryTimeStoreOptions {
  readonly retentionMs: number;
  /** The time a composite key expires by: window start, or session end. */
  readonly timestampOf: (compositeKey: Buffer) => number;
  /** Bytes after the record key in a composite key (window: 8 or 12, session: 16). */
  readonly suffixSize: number;
}

export class MemoryTimeBytesStore implements BytesStore {
  readonly persistent = false;
  private readonly retentionMs: number;
  private readonly timestampOf: (compositeKey: Buffer) => number;
  private readonly suffixSize: number;
  /** Entries by time, then by composite id. */
  private readonly byTime = new Map<number, Map<string, Entry>>();
  /** The times present in byTime, ascending. */
  private times: number[] = [];
  /** Each record key's entries, ascending by composite id. */
  private readonly byKey = new Map<string, Entry[]>();
  private count = 0;
  /** Largest time written (stream time as this store sees it). */
  private observed = -1;
  private open = false;

  constructor(
    readonly name: string,
    options: MemoryTimeStoreOptions,
  ) {
    this.retentionMs = options.retentionMs;
    this.timestampOf = options.timestampOf;
    this.suffixSize = options.suffixSize;
  }

  async init(_context: StoreContext): Promise<void> {
    if (this.open) throw storeAlreadyOpenError(this.name);
    this.clear();
    this.open = true;
  }

  isOpen(): boolean {
    return this.open;
  }

  /** Entries with a time at or below this are expired. */
  get expiredThrough(): number {
    return this.observed - this.retentionMs;
  }

  get(key: Buffer): Buffer | undefined {
    this.checkOpen();
    const time = this.timestampOf(key);
    if (time <= this.expiredThrough) return undefined;
    return this.byTime.get(time)?.get(keyId(key))?.value;
  }

  put(key: Buffer, value: Buffer | null): void {
    this.checkOpen();
    this.apply(key, value);
    this.expire();
  }

  write(batch: ReadonlyArray<BytesWrite>): void {
    this.checkOpen();
    for (const { key, value } of batch) this.apply(key, value);
    this.expire();
  }

  async *range(range: BytesRange): AsyncGenerator<BytesEntry> {
    this.checkOpen();
    // A snapshot: the caller may write to the store while it iterates.
    const entries = this.entriesIn(range);
    for (const entry of entries) yield { key: entry.key, value: entry.value };
  }

  async approximateNumEntries(): Promise<number> {
    this.checkOpen();
    return this.count;
  }

  /** Restored records are copied: they may be views into a large fetch buffer. */
  async restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    this.checkOpen();
    for (const { key, value } of batch) this.apply(Buffer.from(key), value === null ? null : Buffer.from(value));
    this.expire();
  }

  async flush(): Promise<void> {
    this.checkOpen();
  }

  async close(): Promise<void> {
    this.open = false;
    this.clear();
  }

  private apply(key: Buffer, value: Buffer | null): void {
    const time = this.timestampOf(key);
    if (value === null) {
      this.remove(key, time);
      return;
    }
    // A write into an expired time is dropped; only new data moves stream time.
    if (time <= this.expiredThrough) return;
    if (time > this.observed) this.observed = time;
    const id = keyId(key);
    let group = this.byTime.get(time);
    if (group === undefined) {
      group = new Map();
      this.byTime.set(time, group);
      this.insertTime(time);
    }
    const existing = group.get(id);
    if (existing !== undefined) {
      // Buffers are kept, not copied: the layers above pass fresh ones (see BytesStore).
      existing.value = value;
      return;
    }
    const entry: Entry = { key, id, recordId: id.slice(0, id.length - this.suffixSize), time, value };
    group.set(id, entry);
    this.count++;
    const list = this.byKey.get(entry.recordId);
    if (list === undefined) this.byKey.set(entry.recordId, [entry]);
    else list.splice(upperIndex(list, id), 0, entry);
  }

  private remove(key: Buffer, time: number): void {
    const group = this.byTime.get(time);
    if (group === undefined) return;
    const id = keyId(key);
    const entry = group.get(id);
    if (entry === undefined) return;
    group.delete(id);
    this.count--;
    if (group.size === 0) {
      this.byTime.delete(time);
      this.times.splice(lowerTime(this.times, time), 1);
    }
    const list = this.byKey.get(entry.recordId) as Entry[];
    const at = upperIndex(list, id) - 1;
    if (list[at] === entry) list.splice(at, 1);
    if (list.length === 0) this.byKey.delete(entry.recordId);
  }

  /** Drops every group whose time has fallen out of retention, oldest first. */
  private expire(): void {
    const through = this.expiredThrough;
    let dropped = 0;
    while (dropped < this.times.length && (this.times[dropped] as number) <= through) {
      const time = this.times[dropped] as number;
      const group = this.byTime.get(time) as Map<string, Entry>;
      this.byTime.delete(time);
      this.count -= group.size;
      // Each key's list is ordered by time, so its expired entries are its head.
      for (const entry of group.values()) {
        const list = this.byKey.get(entry.recordId);
        if (list === undefined) continue;
        let head = 0;
        while (head < list.length && (list[head] as Entry).time <= through) head++;
        if (head === list.length) this.byKey.delete(entry.recordId);
        else if (head > 0) list.splice(0, head);
      }
      dropped++;
    }
    if (dropped > 0) this.times = this.times.slice(dropped);
  }

  private insertTime(time: number): void {
    const times = this.times;
    // Time mostly moves forward: append without a search.
    if (times.length === 0 || (times[times.length - 1] as number) < time) times.push(time);
    else times.splice(lowerTime(times, time), 0, time);
  }

  private entriesIn(range: BytesRange): Entry[] {
    const gte = range.gte === undefined ? undefined : keyId(range.gte);
    const lte = range.lte === undefined ? undefined : keyId(range.lte);
    const lt = range.lt === undefined ? undefined : keyId(range.lt);
    const upper = lte ?? lt;
    // No expiry filter: every write drops what expired at once, so nothing expired is held.
    const inside = (e: Entry): boolean => (gte === undefined || e.id >= gte) && (lte === undefined || e.id <= lte) && (lt === undefined || e.id < lt);
    let entries: Entry[];
    const recordId = gte === undefined ? undefined : gte.slice(0, gte.length - this.suffixSize);
    if (recordId !== undefined && upper !== undefined && upper.length === gte?.length && upper.startsWith(recordId)) {
      entries = (this.byKey.get(recordId) ?? []).filter(inside);
    } else {
      entries = [];
      for (const group of this.byTime.values()) for (const e of group.values()) if (inside(e)) entries.push(e);
      entries.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    }
    if (range.reverse === true) entries.reverse();
    return entries;
  }

  private clear(): void {
    this.byTime.clear();
    this.byKey.clear();
    this.times = [];
    this.count = 0;
    this.observed = -1;
  }

  private checkOpen(): void {
    if (!this.open) throw storeClosedError(this.name);
  }
}

/** Index of the first entry whose id is greater than `id`. */
function upperIndex(list: readonly Entry[], id: string): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((list[mid] as Entry).id <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first time >= `time`. */
function lowerTime(times: readonly number[], time: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((times[mid] as number) < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
