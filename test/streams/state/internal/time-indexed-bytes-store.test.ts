import { describe, expect, it } from 'vitest';
import { MemoryBytesStore } from '../../../../src/streams/state/internal/memory-bytes-store.js';
import { TimeIndexedBytesStore } from '../../../../src/streams/state/internal/time-indexed-bytes-store.js';
import { LevelDbBytesStore } from '../../../../src/streams/state/internal/level-db-bytes-store.js';
import { be64, bytes, collect, useStateDirs } from '../helpers.js';

/** Composite keys of this test: key bytes + 8-byte time, like a window store's. */
const composite = (key: string, time: number) => bytes(key, be64(time));
const timestampOf = (key: Buffer) => key.readUInt32BE(key.length - 8) * 2 ** 32 + key.readUInt32BE(key.length - 4);

describe('TimeIndexedBytesStore', () => {
  const dirs = useStateDirs();

  it('stores each entry twice (data + time index) and reports one', async () => {
    const inner = new MemoryBytesStore('w');
    const store = new TimeIndexedBytesStore(inner, { retentionMs: 100, timestampOf });
    await store.init({ applicationId: 'a', taskId: 't', stateDir: '/unused' });
    await store.put(composite('a', 5), bytes('x'));
    expect(await inner.approximateNumEntries()).toBe(2);
    expect(await store.approximateNumEntries()).toBe(1);
  });

  it('spreads a large cleanup over the following writes, hiding expired entries meanwhile', async () => {
    const inner = new MemoryBytesStore('w');
    const store = new TimeIndexedBytesStore(inner, { retentionMs: 10_000, timestampOf, cleanupIntervalMs: 1 });
    await store.init({ applicationId: 'a', taskId: 't', stateDir: '/unused' });
    await store.write(Array.from({ length: 2000 }, (_, i) => ({ key: composite(`k${i}`, 1 + (i % 100)), value: bytes('v') })));
    expect(await store.approximateNumEntries()).toBe(2000);
    // Stream time jumps: all 2000 entries expire, but one write deletes at most 512 of them.
    await store.put(composite('new', 100_000), bytes('v'));
    const afterOne = await store.approximateNumEntries();
    expect(afterOne).toBe(2001 - 512);
    expect((await collect(store.range({}))).map((e) => e.key.toString('latin1', 0, 3))).toEqual(['new']);
    for (let i = 0; i < 3; i++) await store.put(composite('new', 100_001 + i), bytes('v'));
    expect(await store.approximateNumEntries()).toBe(4);
  });

  it('recovers stream time from its index on reopen and drops what expired', async () => {
    const stateDir = await dirs.tempDir();
    const ctx = { applicationId: 'a', taskId: 't', stateDir };
    const first = new TimeIndexedBytesStore(new LevelDbBytesStore('w'), { retentionMs: 100, timestampOf, cleanupIntervalMs: 1_000_000 });
    await first.init(ctx);
    await first.put(composite('old', 10), bytes('v'));
    await first.put(composite('new', 500), bytes('v'));
    // The cleanup interval is huge, so the old entry is hidden but still stored.
    expect(await first.approximateNumEntries()).toBe(2);
    await first.close();
    const reopened = dirs.track(new TimeIndexedBytesStore(new LevelDbBytesStore('w'), { retentionMs: 100, timestampOf }));
    await reopened.init(ctx);
    expect(await reopened.approximateNumEntries()).toBe(1);
    expect(reopened.expiredThrough).toBe(400);
  });
});
