import { describe, expect, it } from 'vitest';
import type { BytesRange, BytesStore } from '../../../../src/streams/state/internal/bytes-store.js';
import { MemoryBytesStore } from '../../../../src/streams/state/internal/memory-bytes-store.js';
import { MemoryTimeBytesStore } from '../../../../src/streams/state/internal/memory-time-bytes-store.js';
import { TimeIndexedBytesStore } from '../../../../src/streams/state/internal/time-indexed-bytes-store.js';
import { seededRandom } from '../../../../src/webhook/scheduler.js';
import { be64, bytes, collect } from '../helpers.js';

/** Composite keys of this test: key bytes + 8-byte time, like a window store's. */
const composite = (key: string, time: number) => bytes(key, be64(time));
const timestampOf = (key: Buffer) => key.readUInt32BE(key.length - 8) * 2 ** 32 + key.readUInt32BE(key.length - 4);
const ctx = { applicationId: 'a', taskId: 't', stateDir: '/unused' };

async function open(retentionMs: number): Promise<MemoryTimeBytesStore> {
  const store = new MemoryTimeBytesStore('w', { retentionMs, timestampOf, suffixSize: 8 });
  await store.init(ctx);
  return store;
}

const show = (entries: Array<{ key: Buffer; value: Buffer }>) => entries.map((e) => `${e.key.toString('hex')}=${e.value.toString()}`);

describe('MemoryTimeBytesStore', () => {
  it('answers point reads and writes synchronously', async () => {
    const store = await open(100);
    expect(store.put(composite('a', 5), bytes('x'))).toBeUndefined();
    expect(store.get(composite('a', 5))?.toString()).toBe('x');
    expect(store.get(composite('a', 6))).toBeUndefined();
  });

  it('drops a whole time group once it falls out of retention, and ignores writes into it', async () => {
    const store = await open(100);
    store.write([
      { key: composite('a', 10), value: bytes('1') },
      { key: composite('b', 10), value: bytes('2') },
      { key: composite('a', 60), value: bytes('3') },
    ]);
    expect(await store.approximateNumEntries()).toBe(3);
    store.put(composite('c', 110), bytes('4'));
    // 10 <= 110 - 100: the group at 10 is gone, the one at 60 stays.
    expect(await store.approximateNumEntries()).toBe(2);
    expect(store.get(composite('a', 10))).toBeUndefined();
    store.put(composite('z', 5), bytes('late'));
    expect(store.get(composite('z', 5))).toBeUndefined();
    expect(show(await collect(store.range({ gte: composite('a', 0), lte: composite('a', 1000) })))).toEqual([
      `${composite('a', 60).toString('hex')}=3`,
    ]);
  });

  it('answers a one-key range from that key only, even when a longer key shares its prefix', async () => {
    const store = await open(1000);
    store.write([
      { key: composite('ab', 5), value: bytes('long') },
      { key: composite('a', 7), value: bytes('x') },
      { key: composite('a', 3), value: bytes('y') },
    ]);
    const range = { gte: composite('a', 0), lte: composite('a', 100) };
    expect((await collect(store.range(range))).map((e) => e.value.toString())).toEqual(['y', 'x']);
    expect((await collect(store.range({ ...range, reverse: true }))).map((e) => e.value.toString())).toEqual(['x', 'y']);
  });

  it('gives the same answers as the time-indexed sorted store over random writes, deletes, reads and scans', async () => {
    const keys = ['a', 'ab', 'b', 'ba', 'c', '\u00ff', ''];
    for (const seed of [1, 2, 3, 4, 5]) {
      const next = seededRandom(seed); // seeded, so a failure replays
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
      const fast = await open(50);
      const reference: BytesStore = new TimeIndexedBytesStore(new MemoryBytesStore('ref'), { retentionMs: 50, timestampOf, cleanupIntervalMs: 1 });
      await reference.init(ctx);
      let now = 0;
      for (let step = 0; step < 600; step++) {
        const op = next();
        const key = pick(keys);
        if (next() < 0.05) now += Math.floor(next() * 30);
        const time = Math.max(0, now - Math.floor(next() * 70));
        if (op < 0.45) {
          const writes = [{ key: composite(key, time), value: bytes(`v${step}`) }];
          if (next() < 0.3) writes.push({ key: composite(pick(keys), time), value: bytes(`w${step}`) });
          fast.write(writes);
          await reference.write(writes);
        } else if (op < 0.6) {
          fast.put(composite(key, time), null);
          await reference.put(composite(key, time), null);
        } else if (op < 0.75) {
          expect(fast.get(composite(key, time))?.toString(), `seed ${seed} step ${step} get`).toBe((await reference.get(composite(key, time)))?.toString());
        } else if (op < 0.95) {
          const from = Math.max(0, now - Math.floor(next() * 80));
          const range: BytesRange = { gte: composite(key, from), lte: composite(key, from + Math.floor(next() * 60)), ...(next() < 0.3 ? { reverse: true } : {}) };
          // The reference returns longer keys that fall inside the byte range too; the typed layers drop them.
          const own = (e: { key: Buffer }) => e.key.length === Buffer.byteLength(key) + 8;
          expect(show(await collect(fast.range(range))), `seed ${seed} step ${step} key range`).toEqual(show((await collect(reference.range(range))).filter(own)));
        } else {
          const range: BytesRange = next() < 0.5 ? {} : { gte: composite(pick(keys), 0), lt: composite(pick(keys), 0), ...(next() < 0.5 ? { reverse: true } : {}) };
          expect(show(await collect(fast.range(range))), `seed ${seed} step ${step} scan`).toEqual(show(await collect(reference.range(range))));
        }
      }
      expect(await fast.approximateNumEntries()).toBe((await collect(reference.range({}))).length);
    }
  });
});
