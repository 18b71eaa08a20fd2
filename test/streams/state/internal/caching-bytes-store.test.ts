import { describe, expect, it } from 'vitest';
import type { BytesWrite } from '../../../../src/streams/state/internal/bytes-store.js';
import { CachingBytesStore } from '../../../../src/streams/state/internal/caching-bytes-store.js';
import { LevelDbBytesStore } from '../../../../src/streams/state/internal/level-db-bytes-store.js';
import { MemoryBytesStore } from '../../../../src/streams/state/internal/memory-bytes-store.js';
import { collect, useStateDirs } from '../helpers.js';

const b = (s: string) => Buffer.from(s, 'utf8');
const ctx = { applicationId: 'app', taskId: '0_0', stateDir: '/nonexistent' };

/** An in-memory inner store that records what reaches it. */
class SpyStore extends MemoryBytesStore {
  gets: string[] = [];
  writes: Array<Array<{ key: string; value: string | null; timestamp: number | undefined }>> = [];

  override get(key: Buffer): Buffer | undefined {
    this.gets.push(key.toString());
    return super.get(key);
  }

  override put(key: Buffer, value: Buffer | null, timestamp?: number): void {
    this.write([{ key, value, ...(timestamp === undefined ? {} : { timestamp }) }]);
  }

  restores: Array<Array<{ key: string; value: string | null }>> = [];

  override async restore(batch: ReadonlyArray<{ key: Buffer; value: Buffer | null }>): Promise<void> {
    this.restores.push(batch.map((w) => ({ key: w.key.toString(), value: w.value?.toString() ?? null })));
    await super.restore(batch);
  }

  override write(batch: ReadonlyArray<BytesWrite>): void {
    this.writes.push(batch.map((w) => ({ key: w.key.toString(), value: w.value?.toString() ?? null, timestamp: w.timestamp })));
    super.write(batch);
  }
}

async function setup(maxBytes = 1_000_000): Promise<{ inner: SpyStore; cache: CachingBytesStore; time: { now: number } }> {
  const inner = new SpyStore('s');
  const cache = new CachingBytesStore(inner, { maxBytes });
  const time = { now: 0 };
  await cache.init({ ...ctx, currentTimestamp: () => time.now });
  return { inner, cache, time };
}

describe('CachingBytesStore', () => {
  const dirs = useStateDirs();

  it('a range scan sees the entries cached when it started, even if a write evicts them to LevelDB mid-scan', async () => {
    const inner = dirs.track(new LevelDbBytesStore('s'));
    // Room for 5 entries of 82 bytes.
    const cache = new CachingBytesStore(inner, { maxBytes: 5 * 82 });
    await cache.init({ ...ctx, stateDir: await dirs.tempDir() });
    for (const k of ['a', 'b', 'c']) await cache.put(b(k), b(k.toUpperCase()));
    const seen: string[] = [];
    for await (const { key, value } of cache.range({})) {
      seen.push(`${key}=${value}`);
      if (seen.length === 1) for (let i = 0; i < 5; i++) await cache.put(b(`z${i}`), b('Z'));
    }
    expect(seen).toEqual(['a=A', 'b=B', 'c=C']);
    expect(cache.cachedBytes).toBeLessThanOrEqual(5 * 82);
    expect((await inner.get(b('b')))?.toString()).toBe('B');
  });

  it('keeps writes in memory until flush', async () => {
    const { inner, cache } = await setup();
    await cache.put(b('a'), b('1'));
    expect(inner.writes).toEqual([]);
    expect((await cache.get(b('a')))?.toString()).toBe('1');
    expect(inner.gets).toEqual([]);
  });

  it('flush writes the dirty entries down in one batch, in key order, with the record timestamps', async () => {
    const { inner, cache, time } = await setup();
    time.now = 10;
    await cache.put(b('b'), b('2'));
    time.now = 20;
    await cache.put(b('a'), b('1'));
    await cache.put(b('c'), null);
    await cache.flush();
    expect(inner.writes).toEqual([
      [
        { key: 'a', value: '1', timestamp: 20 },
        { key: 'b', value: '2', timestamp: 10 },
        { key: 'c', value: null, timestamp: 20 },
      ],
    ]);
  });

  it('keeps flushed entries cached and clean: reads stay in memory and a second flush writes nothing', async () => {
    const { inner, cache } = await setup();
    await cache.put(b('a'), b('1'));
    await cache.flush();
    await cache.flush();
    expect(inner.writes.length).toBe(1);
    expect(cache.dirtyCount).toBe(0);
    expect((await cache.get(b('a')))?.toString()).toBe('1');
    expect(inner.gets).toEqual([]);
  });

  it('tracks dirty entries exactly through overwrites, clean reads, eviction and restore, and flushes only those', async () => {
    // Room for 3 entries of 82 bytes; a fourth evicts down to 90% (two entries).
    const { inner, cache } = await setup(3 * 82);
    await inner.write([{ key: b('r'), value: b('R') }]);
    inner.writes = [];
    await cache.put(b('c'), b('C'));
    await cache.put(b('a'), b('A'));
    await cache.put(b('c'), b('D'));
    expect(cache.dirtyCount).toBe(2);
    expect(await cache.get(b('r'))).toEqual(b('R'));
    expect(cache.dirtyCount).toBe(2);
    // 'x' overflows the budget: 'c' and 'a' (the oldest) are written down and leave the dirty list.
    await cache.put(b('x'), b('X'));
    expect(inner.writes).toEqual([
      [
        { key: 'a', value: 'A', timestamp: 0 },
        { key: 'c', value: 'D', timestamp: 0 },
      ],
    ]);
    expect(cache.dirtyCount).toBe(1);
    await cache.put(b('y'), b('Y'));
    await cache.restore([{ key: b('y'), value: b('restored') }]);
    expect(cache.dirtyCount).toBe(1);
    inner.writes = [];
    await cache.flush();
    expect(inner.writes).toEqual([[{ key: 'x', value: 'X', timestamp: 0 }]]);
    expect(cache.dirtyCount).toBe(0);
  });

  it('a flush of a few dirty keys among many clean ones still writes them in key order', async () => {
    const { inner, cache } = await setup();
    for (let i = 0; i < 20; i++) await cache.get(b(`k${String(i).padStart(2, '0')}`));
    for (const k of ['k15', 'k03', 'k09']) await cache.put(b(k), b('V'));
    await cache.flush();
    expect(inner.writes).toEqual([
      [
        { key: 'k03', value: 'V', timestamp: 0 },
        { key: 'k09', value: 'V', timestamp: 0 },
        { key: 'k15', value: 'V', timestamp: 0 },
      ],
    ]);
    expect(cache.dirtyCount).toBe(0);
  });

  it('remembers a miss so the next read of that key stays in memory', async () => {
    const { inner, cache } = await setup();
    expect(await cache.get(b('x'))).toBeUndefined();
    expect(await cache.get(b('x'))).toBeUndefined();
    expect(inner.gets).toEqual(['x']);
  });

  it('evicts least recently used entries when over budget, writing the dirty ones down', async () => {
    // Each entry costs 1 (key) + 1 (value) + 80 (overhead) = 82 bytes; budget for 3.
    const { inner, cache } = await setup(3 * 82);
    await cache.put(b('a'), b('1'));
    await cache.put(b('b'), b('2'));
    await cache.put(b('c'), b('3'));
    await cache.get(b('a')); // a is now the most recently used
    await cache.put(b('d'), b('4')); // over budget: evict down to 90% → b and c go
    expect(inner.writes).toEqual([
      [
        { key: 'b', value: '2', timestamp: 0 },
        { key: 'c', value: '3', timestamp: 0 },
      ],
    ]);
    expect(cache.cachedBytes).toBe(2 * 82);
    expect((await cache.get(b('b')))?.toString()).toBe('2');
    expect(inner.gets).toEqual(['b']);
  });

  it('merges cache and inner store in range scans, hiding keys deleted in the cache', async () => {
    const { cache } = await setup();
    await cache.put(b('a'), b('1'));
    await cache.put(b('c'), b('3'));
    await cache.put(b('e'), b('5'));
    await cache.flush();
    await cache.put(b('b'), b('2'));
    await cache.put(b('c'), null);
    await cache.put(b('e'), b('50'));
    const entries = (await collect(cache.range({}))).map((e) => `${e.key}=${e.value}`);
    expect(entries).toEqual(['a=1', 'b=2', 'e=50']);
    const reversed = (await collect(cache.range({ reverse: true }))).map((e) => `${e.key}=${e.value}`);
    expect(reversed).toEqual(['e=50', 'b=2', 'a=1']);
  });

  it('restore bypasses the cache and drops cached copies of the restored keys', async () => {
    const { inner, cache } = await setup();
    await cache.put(b('a'), b('stale'));
    await cache.restore([{ key: b('a'), value: b('restored') }]);
    expect((await cache.get(b('a')))?.toString()).toBe('restored');
    expect(inner.restores).toEqual([[{ key: 'a', value: 'restored' }]]);
    expect(inner.writes).toEqual([]);
  });

  it('close flushes dirty entries before closing the inner store', async () => {
    const { inner, cache } = await setup();
    await cache.put(b('a'), b('1'));
    await cache.close();
    expect(inner.writes).toEqual([[{ key: 'a', value: '1', timestamp: 0 }]]);
    expect(inner.isOpen()).toBe(false);
  });
});
