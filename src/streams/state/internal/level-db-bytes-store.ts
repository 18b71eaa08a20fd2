/**
 * The persistent inner store: one LevelDB database per store per task, in
 * `<stateDir>/<storeName>`.
 *
 * Keys are namespaced by a leading byte: DATA (0x01) for the store's
 * entries; META (0x00) is reserved for bookkeeping and holds nothing today
 * (changelog offsets live in the task's `.checkpoint` file, see
 * runtime/state-directory.ts). Kept so existing databases stay readable.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StoreContext } from '../types.js';
import type { BytesEntry, BytesRange, BytesStore, BytesWrite } from './bytes-store.js';
import { withPrefix } from './bytes.js';
import { LevelDb, type LevelDbOperation } from './level-db.js';
import { storeAlreadyOpenError, storeClosedError } from './store-errors.js';

const DATA = 0x01;
const DATA_START = Buffer.from([DATA]);
const DATA_END = Buffer.from([DATA + 1]);
/** Entries fetched from LevelDB per native call while iterating. */
const ITERATOR_BATCH = 128;

export class LevelDbBytesStore implements BytesStore {
  readonly persistent = true;
  private db: LevelDb | undefined;

  constructor(readonly name: string) {}

  async init(context: StoreContext): Promise<void> {
    if (this.db !== undefined) throw storeAlreadyOpenError(this.name);
    const location = path.join(context.stateDir, this.name);
    await mkdir(location, { recursive: true });
    this.db = await LevelDb.open(location);
  }

  isOpen(): boolean {
    return this.db !== undefined;
  }

  /** Synchronous: LevelDB point reads run on this thread (see LevelDb.get); failures throw. */
  get(key: Buffer): Buffer | undefined {
    return this.open().get(withPrefix(DATA, key));
  }

  async put(key: Buffer, value: Buffer | null): Promise<void> {
    const db = this.open();
    if (value === null) await db.del(withPrefix(DATA, key));
    else await db.put(withPrefix(DATA, key), value);
  }

  async write(batch: ReadonlyArray<BytesWrite>): Promise<void> {
    const db = this.open();
    const operations: LevelDbOperation[] = new Array(batch.length);
    for (let i = 0; i < batch.length; i++) {
      const { key, value } = batch[i] as BytesWrite;
      operations[i] =
        value === null
          ? { type: 'del', key: withPrefix(DATA, key) }
          : { type: 'put', key: withPrefix(DATA, key), value };
    }
    await db.batch(operations);
  }

  async *range(range: BytesRange): AsyncGenerator<BytesEntry> {
    const db = this.open();
    const it = db.iterator({
      gte: range.gte === undefined ? DATA_START : withPrefix(DATA, range.gte),
      ...(range.lte !== undefined
        ? { lte: withPrefix(DATA, range.lte) }
        : { lt: range.lt === undefined ? DATA_END : withPrefix(DATA, range.lt) }),
      reverse: range.reverse === true,
    });
    try {
      for (;;) {
        const entries = await it.nextv(ITERATOR_BATCH);
        if (entries.length === 0) return;
        for (const [key, value] of entries) {
          if (range.lt !== undefined && range.lte !== undefined && Buffer.compare(key.subarray(1), range.lt) >= 0) {
            continue;
          }
          yield { key: key.subarray(1), value };
        }
      }
    } finally {
      await it.close();
    }
  }

  /** Counts by scanning: LevelDB keeps no entry count. */
  async approximateNumEntries(): Promise<number> {
    let count = 0;
    for await (const _ of this.range({})) count++;
    return count;
  }

  async restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    await this.write(batch);
  }

  /** LevelDB has every write in its log already; nothing is buffered here. */
  async flush(): Promise<void> {
    this.open();
  }

  async close(): Promise<void> {
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }


  private open(): LevelDb {
    if (this.db === undefined) throw storeClosedError(this.name);
    return this.db;
  }
}
