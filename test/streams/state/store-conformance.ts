/**
 * The store conformance suite (abstract-level style): every store
 * implementation runs the same specification. Call it from a test file
 * with a factory that builds the implementation under test:
 *
 * ```ts
 * storeConformanceSuite({ name: 'LevelDB + cache', factory: stackFactory({ persistent: true, cached: true }) });
 * ```
 *
 * Behaviour that depends on the stack (data surviving a reopen, when the
 * changelog hears of a write) is asserted according to the factory's flags.
 */
import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { Stores } from '../../../src/streams/state/index.js';
import type { KeyValueStore, SessionStore, StateStore, WindowStore } from '../../../src/streams/state/types.js';
import { be64, bytes, collect, recordingContext, useStateDirs, utf8, type RecordingContext } from './helpers.js';

export interface ConformanceFactory {
  /** Data survives close() and a new instance on the same state dir. */
  readonly persistent: boolean;
  /** Writes reach the changelog only on flush (a write-back cache sits above the logger). */
  readonly cached: boolean;
  /** The stack reports changes to `StoreContext.onChange`. */
  readonly logged: boolean;
  keyValue(name: string): KeyValueStore<string, string>;
  window(name: string, retentionMs: number, windowSizeMs: number, retainDuplicates?: boolean): WindowStore<string, string>;
  session(name: string, retentionMs: number): SessionStore<string, string>;
}

/** A factory for the stacks the Stores builders make. */
export function stackFactory(options: { persistent: boolean; cached: boolean; logged: boolean; cacheMaxBytes?: number }): ConformanceFactory {
  const layers = <B extends { withCachingEnabled(max?: number): B; withLoggingEnabled(): B; withLoggingDisabled(): B }>(builder: B): B => {
    const cached = options.cached ? builder.withCachingEnabled(options.cacheMaxBytes) : builder;
    return options.logged ? cached.withLoggingEnabled() : cached.withLoggingDisabled();
  };
  return {
    ...options,
    keyValue: (name) =>
      layers(
        Stores.keyValueStoreBuilder(
          options.persistent ? Stores.persistentKeyValueStore(name) : Stores.inMemoryKeyValueStore(name),
          utf8,
          utf8,
        ),
      ).build(),
    window: (name, retentionMs, windowSizeMs, retainDuplicates = false) =>
      layers(
        Stores.windowStoreBuilder(
          options.persistent
            ? Stores.persistentWindowStore(name, retentionMs, windowSizeMs, retainDuplicates)
            : Stores.inMemoryWindowStore(name, retentionMs, windowSizeMs, retainDuplicates),
          utf8,
          utf8,
        ),
      ).build(),
    session: (name, retentionMs) =>
      layers(
        Stores.sessionStoreBuilder(
          options.persistent ? Stores.persistentSessionStore(name, retentionMs) : Stores.inMemorySessionStore(name, retentionMs),
          utf8,
          utf8,
        ),
      ).build(),
  };
}

export function storeConformanceSuite({ name, factory }: { name: string; factory: ConformanceFactory }): void {
  describe(`store conformance: ${name}`, () => {
    const dirs = useStateDirs();

    async function open<S extends StateStore>(store: S, ctx?: RecordingContext): Promise<{ store: S; ctx: RecordingContext }> {
      const context = ctx ?? recordingContext(await dirs.tempDir());
      dirs.track(store);
      await store.init(context);
      return { store, ctx: context };
    }

    describe('key-value store', () => {
      async function seeded(keys: string[]): Promise<{ store: KeyValueStore<string, string>; ctx: RecordingContext }> {
        const opened = await open(factory.keyValue('kv'));
        for (const key of keys) await opened.store.put(key, `v-${key}`);
        return opened;
      }

      it('returns undefined for a key never written', async () => {
        const { store } = await open(factory.keyValue('kv'));
        expect(await store.get('missing')).toBeUndefined();
      });

      // Registered only for stacks whose writes stay in memory (not skipped elsewhere): LevelDB without the cache writes through a promise.
      if (factory.cached || !factory.persistent) {
        it('answers a hit after a put, and the put itself, without a promise', async () => {
          const { store } = await open(factory.keyValue('kv'));
          const written = store.put('a', '1');
          expect(written).toBeUndefined();
          const hit = store.get('a');
          expect(hit).toBe('1');
          // A known-absent key (deleted in the cache) is a synchronous hit too.
          expect(store.put('a', null)).toBeUndefined();
          expect(store.get('a')).toBeUndefined();
        });
      }

      it('answers a miss without a promise: memory and LevelDB point reads are synchronous', async () => {
        const { store } = await open(factory.keyValue('kv'));
        expect(store.get('never-written')).toBeUndefined();
        // Again (a cached stack now remembers the miss), and after a flush.
        expect(store.get('never-written')).toBeUndefined();
        await store.put('b', '2');
        await store.flush();
        expect(store.get('b')).toBe('2');
      });

      it('returns the last value put for a key', async () => {
        const { store } = await open(factory.keyValue('kv'));
        await store.put('a', '1');
        await store.put('a', '2');
        expect(await store.get('a')).toBe('2');
      });

      it('deletes a key when null is put', async () => {
        const { store } = await seeded(['a']);
        await store.put('a', null);
        expect(await store.get('a')).toBeUndefined();
      });

      it('delete returns the old value and removes the key', async () => {
        const { store } = await seeded(['a']);
        expect(await store.delete('a')).toBe('v-a');
        expect(await store.delete('a')).toBeUndefined();
        expect(await store.get('a')).toBeUndefined();
      });

      it('putIfAbsent writes only when the key is absent and returns the existing value', async () => {
        const { store } = await open(factory.keyValue('kv'));
        expect(await store.putIfAbsent('a', 'first')).toBeUndefined();
        expect(await store.putIfAbsent('a', 'second')).toBe('first');
        expect(await store.get('a')).toBe('first');
      });

      it('putAll applies puts and deletes in order', async () => {
        const { store } = await seeded(['a', 'b']);
        await store.putAll([
          { key: 'a', value: null },
          { key: 'c', value: 'x' },
          { key: 'c', value: 'y' },
        ]);
        expect(await collect(store.all())).toEqual([
          { key: 'b', value: 'v-b' },
          { key: 'c', value: 'y' },
        ]);
      });

      it('range is inclusive on both ends and ordered by key bytes', async () => {
        const { store } = await seeded(['d', 'b', 'a', 'c', 'e']);
        expect(await collect(store.range('b', 'd'))).toEqual([
          { key: 'b', value: 'v-b' },
          { key: 'c', value: 'v-c' },
          { key: 'd', value: 'v-d' },
        ]);
      });

      it('range with open bounds runs to the ends of the store', async () => {
        const { store } = await seeded(['a', 'b', 'c']);
        expect((await collect(store.range(undefined, 'b'))).map((e) => e.key)).toEqual(['a', 'b']);
        expect((await collect(store.range('b'))).map((e) => e.key)).toEqual(['b', 'c']);
      });

      it('range orders by unsigned bytes, not by string collation', async () => {
        const { store } = await seeded(['é', 'z', 'Z', 'a']);
        // UTF-8: 'Z' 0x5a < 'a' 0x61 < 'z' 0x7a < 'é' 0xc3 0xa9
        expect((await collect(store.all())).map((e) => e.key)).toEqual(['Z', 'a', 'z', 'é']);
      });

      it('range with from after to is empty', async () => {
        const { store } = await seeded(['a', 'b', 'c']);
        expect(await collect(store.range('c', 'a'))).toEqual([]);
      });

      it('reverseRange returns the same entries in descending order', async () => {
        const { store } = await seeded(['a', 'b', 'c', 'd']);
        expect((await collect(store.reverseRange!('b', 'd'))).map((e) => e.key)).toEqual(['d', 'c', 'b']);
        expect((await collect(store.reverseRange!())).map((e) => e.key)).toEqual(['d', 'c', 'b', 'a']);
      });

      it('prefixScan returns exactly the keys that start with the prefix', async () => {
        const { store } = await seeded(['a', 'ab', 'abc', 'abd', 'ac', 'b']);
        const scan = store.prefixScan('ab', (p: string) => Buffer.from(p, 'utf8'));
        expect((await collect(scan)).map((e) => e.key)).toEqual(['ab', 'abc', 'abd']);
      });

      it('prefixScan handles a prefix ending in 0xff bytes', async () => {
        const store = factory.keyValue('kv-bytes');
        await open(store);
        const hex: (h: string) => Buffer = (h) => Buffer.from(h, 'hex');
        // Keys here are latin1 strings so each char is one byte through a custom prefix serializer.
        await store.put('\u0061', 'a');
        await store.put('\u0061\u00ff', 'a-ff');
        await store.put('\u0062', 'b');
        const scan = store.prefixScan('61c3bf', hex);
        expect((await collect(scan)).map((e) => e.value)).toEqual(['a-ff']);
      });

      it('range skips keys deleted after they were flushed', async () => {
        const { store } = await seeded(['a', 'b', 'c']);
        await store.flush();
        await store.delete('b');
        expect((await collect(store.all())).map((e) => e.key)).toEqual(['a', 'c']);
        await store.flush();
        expect((await collect(store.all())).map((e) => e.key)).toEqual(['a', 'c']);
      });

      it('range returns values overwritten after a flush', async () => {
        const { store } = await seeded(['a', 'b']);
        await store.flush();
        await store.put('b', 'new');
        await store.put('c', 'added');
        expect(await collect(store.all())).toEqual([
          { key: 'a', value: 'v-a' },
          { key: 'b', value: 'new' },
          { key: 'c', value: 'added' },
        ]);
      });

      it('approximateNumEntries counts live keys after a flush', async () => {
        const { store } = await seeded(['a', 'b', 'c']);
        await store.delete('b');
        await store.flush();
        expect(await store.approximateNumEntries()).toBe(2);
      });

      it('refuses operations before init and after close with VIGIL_ERR_STORE_CLOSED', async () => {
        const store = factory.keyValue('kv');
        await expect(store.get('a')).rejects.toSatisfy((e: unknown) => isVigilError(e, 'VIGIL_ERR_STORE_CLOSED'));
        await open(store);
        await store.close();
        expect(store.isOpen()).toBe(false);
        await expect(store.put('a', 'b')).rejects.toSatisfy((e: unknown) => isVigilError(e, 'VIGIL_ERR_STORE_CLOSED'));
      });

      it('restore writes changelog bytes that get() then reads, without logging them', async () => {
        const { store, ctx } = await open(factory.keyValue('kv'));
        await store.restore([
          { key: bytes('a'), value: bytes('1') },
          { key: bytes('b'), value: bytes('2') },
          { key: bytes('a'), value: null },
        ]);
        expect(await store.get('a')).toBeUndefined();
        expect(await store.get('b')).toBe('2');
        await store.flush();
        expect(ctx.changes).toEqual([]);
      });

      if (factory.persistent) {
        it('finds its data after being closed and reopened', async () => {
          const { store, ctx } = await seeded(['a', 'b']);
          await store.delete('a');
          await store.close();
          const reopened = factory.keyValue('kv');
          await open(reopened, ctx);
          expect(await collect(reopened.all())).toEqual([{ key: 'b', value: 'v-b' }]);
        });

        it('keeps each store in its own directory under the state dir', async () => {
          const { ctx } = await seeded(['a']);
          const other = factory.keyValue('other');
          await open(other, ctx);
          expect(await other.get('a')).toBeUndefined();
        });
      } else {
        it('starts empty after a reopen', async () => {
          const { store, ctx } = await seeded(['a']);
          await store.flush();
          await store.close();
          const reopened = factory.keyValue('kv');
          await open(reopened, ctx);
          expect(await reopened.get('a')).toBeUndefined();
        });
      }

      if (factory.logged) {
        it('reports every change with its bytes, store name and record timestamp', async () => {
          const { store, ctx } = await open(factory.keyValue('kv'));
          ctx.time = 100;
          await store.put('a', '1');
          ctx.time = 200;
          await store.put('b', '2');
          ctx.time = 300;
          await store.delete('a');
          await store.flush();
          const expected = factory.cached
            ? [
                // The cache writes down one change per key (the last), in key order, at flush.
                { store: 'kv', key: bytes('a'), value: null, timestamp: 300 },
                { store: 'kv', key: bytes('b'), value: bytes('2'), timestamp: 200 },
              ]
            : [
                { store: 'kv', key: bytes('a'), value: bytes('1'), timestamp: 100 },
                { store: 'kv', key: bytes('b'), value: bytes('2'), timestamp: 200 },
                { store: 'kv', key: bytes('a'), value: null, timestamp: 300 },
              ];
          expect(ctx.changes).toEqual(expected);
        });

        it(factory.cached ? 'reports changes only when flushed' : 'reports a change as soon as it is written', async () => {
          const { store, ctx } = await open(factory.keyValue('kv'));
          await store.put('a', '1');
          expect(ctx.changes.length).toBe(factory.cached ? 0 : 1);
          await store.flush();
          expect(ctx.changes.length).toBe(1);
          await store.flush();
          expect(ctx.changes.length).toBe(1);
        });
      } else {
        it('reports no changes', async () => {
          const { store, ctx } = await open(factory.keyValue('kv'));
          await store.put('a', '1');
          await store.flush();
          expect(ctx.changes).toEqual([]);
        });
      }
    });

    describe('window store', () => {
      it('fetch answers without a promise, and so does put when the write stays in memory', async () => {
        const { store } = await open(factory.window('w', 1000, 100));
        const written = store.put('a', 'x', 100);
        if (factory.cached || !factory.persistent) expect(written).toBeUndefined();
        await written;
        expect(store.fetch('a', 100)).toBe('x');
        expect(store.fetch('a', 200)).toBeUndefined();
        await store.flush();
        expect(store.fetch('a', 100)).toBe('x');
      });

      it('fetches the value of a key in the window starting at a time', async () => {
        const { store } = await open(factory.window('w', 1000, 100));
        await store.put('a', 'x', 100);
        await store.put('a', 'y', 200);
        expect(await store.fetch('a', 100)).toBe('x');
        expect(await store.fetch('a', 200)).toBe('y');
        expect(await store.fetch('a', 300)).toBeUndefined();
        expect(await store.fetch('b', 100)).toBeUndefined();
      });

      it('fetchRange returns one key’s windows with start in [from, to], by start time', async () => {
        const { store } = await open(factory.window('w', 1000, 100));
        for (const t of [300, 0, 200, 100, 400]) await store.put('a', `a${t}`, t);
        await store.put('b', 'b200', 200);
        expect(await collect(store.fetchRange('a', 100, 300))).toEqual([
          { key: 100, value: 'a100' },
          { key: 200, value: 'a200' },
          { key: 300, value: 'a300' },
        ]);
      });

      it('fetchRange does not return windows of a longer key sharing the prefix', async () => {
        const { store } = await open(factory.window('w', 1000, 100));
        await store.put('a', 'short', 100);
        await store.put('ab', 'long', 100);
        await store.put('a\u0000', 'nul', 100);
        expect(await collect(store.fetchRange('a', 0, 1000))).toEqual([{ key: 100, value: 'short' }]);
      });

      it('putting null deletes a window', async () => {
        const { store } = await open(factory.window('w', 1000, 100));
        await store.put('a', 'x', 100);
        await store.flush();
        await store.put('a', null, 100);
        expect(await store.fetch('a', 100)).toBeUndefined();
        expect(await collect(store.fetchRange('a', 0, 500))).toEqual([]);
      });

      it('fetchAll returns every key’s windows in the time range with their bounds', async () => {
        const { store } = await open(factory.window('w', 1000, 100));
        await store.put('b', 'b100', 100);
        await store.put('a', 'a0', 0);
        await store.put('a', 'a100', 100);
        await store.put('a', 'a300', 300);
        expect(await collect(store.fetchAll(50, 200))).toEqual([
          { key: { key: 'a', window: { start: 100, end: 200 } }, value: 'a100' },
          { key: { key: 'b', window: { start: 100, end: 200 } }, value: 'b100' },
        ]);
        expect((await collect(store.all())).map((e) => e.value)).toEqual(['a0', 'a100', 'a300', 'b100']);
      });

      it('drops windows that fall out of retention and ignores writes into them', async () => {
        const { store } = await open(factory.window('w', 300, 100));
        for (const t of [0, 100, 200, 300]) await store.put('a', `a${t}`, t);
        await store.put('a', 'a500', 500);
        // stream time 500, retention 300: windows starting at or before 200 are gone
        expect(await collect(store.fetchRange('a', 0, 1000))).toEqual([
          { key: 300, value: 'a300' },
          { key: 500, value: 'a500' },
        ]);
        expect(await store.fetch('a', 200)).toBeUndefined();
        await store.put('a', 'late', 100);
        expect(await store.fetch('a', 100)).toBeUndefined();
        expect((await collect(store.all())).map((e) => e.value)).toEqual(['a300', 'a500']);
      });

      it('frees the storage of expired windows', async () => {
        const { store } = await open(factory.window('w', 100, 10));
        for (let t = 0; t < 100; t += 10) await store.put(`k${t}`, 'v', t);
        await store.flush();
        const stack = (store as unknown as { inner: { approximateNumEntries(): Promise<number> } }).inner;
        expect(await stack.approximateNumEntries()).toBe(10);
        await store.put('k', 'v', 1000);
        await store.flush();
        expect(await stack.approximateNumEntries()).toBe(1);
      });

      it('keeps every value put for the same window when retaining duplicates', async () => {
        const { store } = await open(factory.window('w', 1000, 100, true));
        await store.put('a', 'first', 100);
        await store.put('a', 'second', 100);
        await store.put('a', null, 100);
        await store.put('a', 'third', 200);
        expect(await collect(store.fetchRange('a', 0, 500))).toEqual([
          { key: 100, value: 'first' },
          { key: 100, value: 'second' },
          { key: 200, value: 'third' },
        ]);
        expect(await store.fetch('a', 100)).toBe('first');
      });

      it('restore writes composite changelog keys (key + 8-byte big-endian start)', async () => {
        const { store } = await open(factory.window('w', 1000, 100));
        await store.restore([
          { key: bytes('a', be64(100)), value: bytes('x') },
          { key: bytes('a', be64(200)), value: bytes('y') },
        ]);
        expect(await collect(store.fetchRange('a', 0, 1000))).toEqual([
          { key: 100, value: 'x' },
          { key: 200, value: 'y' },
        ]);
      });

      if (factory.logged) {
        it('reports changes keyed by the composite key', async () => {
          const { store, ctx } = await open(factory.window('w', 1000, 100));
          ctx.time = 150;
          await store.put('a', 'x', 100);
          await store.flush();
          expect(ctx.changes).toEqual([{ store: 'w', key: bytes('a', be64(100)), value: bytes('x'), timestamp: 150 }]);
        });
      }

      if (factory.persistent) {
        it('finds its windows after a reopen and still enforces retention', async () => {
          const { store, ctx } = await open(factory.window('w', 300, 100));
          for (const t of [0, 100, 200, 300]) await store.put('a', `a${t}`, t);
          await store.close();
          const reopened = factory.window('w', 300, 100);
          await open(reopened, ctx);
          expect((await collect(reopened.fetchRange('a', 0, 1000))).map((e) => e.key)).toEqual([100, 200, 300]);
          await reopened.put('a', 'a500', 500);
          expect((await collect(reopened.fetchRange('a', 0, 1000))).map((e) => e.key)).toEqual([300, 500]);
        });
      }
    });

    describe('session store', () => {
      const session = (key: string, start: number, end: number) => ({ key, window: { start, end } });

      it('fetchSession answers without a promise, and so do put and remove when the write stays in memory', async () => {
        const { store } = await open(factory.session('s', 10_000));
        const written = store.put(session('a', 0, 10), 'agg');
        if (factory.cached || !factory.persistent) expect(written).toBeUndefined();
        await written;
        expect(store.fetchSession('a', 0, 10)).toBe('agg');
        const removed = store.remove(session('a', 0, 10));
        if (factory.cached || !factory.persistent) expect(removed).toBeUndefined();
        await removed;
        expect(store.fetchSession('a', 0, 10)).toBeUndefined();
      });

      it('fetchSession returns the aggregate of exactly that session', async () => {
        const { store } = await open(factory.session('s', 10_000));
        await store.put(session('a', 0, 10), 'agg');
        expect(await store.fetchSession('a', 0, 10)).toBe('agg');
        expect(await store.fetchSession('a', 0, 11)).toBeUndefined();
        expect(await store.fetchSession('b', 0, 10)).toBeUndefined();
      });

      it('findSessions returns sessions ending at or after the earliest end and starting at or before the latest start', async () => {
        const { store } = await open(factory.session('s', 10_000));
        await store.put(session('a', 0, 10), 's1');
        await store.put(session('a', 30, 40), 's2');
        await store.put(session('a', 60, 100), 's3');
        await store.put(session('a', 120, 130), 's4');
        await store.put(session('b', 30, 40), 'other');
        // A record at 50 with a gap of 20 looks for sessions overlapping [30, 70].
        expect(await collect(store.findSessions('a', 30, 70))).toEqual([
          { key: session('a', 30, 40), value: 's2' },
          { key: session('a', 60, 100), value: 's3' },
        ]);
      });

      it('finds the two sessions a bridging record merges', async () => {
        const { store } = await open(factory.session('s', 10_000));
        await store.put(session('a', 0, 10), 'left');
        await store.put(session('a', 30, 40), 'right');
        // gap 15, record at 20: sessions ending >= 5 and starting <= 35
        const found = await collect(store.findSessions('a', 5, 35));
        expect(found.map((e) => e.value)).toEqual(['left', 'right']);
        for (const { key } of found) await store.remove(key);
        await store.put(session('a', 0, 40), 'merged');
        expect(await collect(store.fetch('a'))).toEqual([{ key: session('a', 0, 40), value: 'merged' }]);
      });

      it('orders a key’s sessions by end, then start', async () => {
        const { store } = await open(factory.session('s', 10_000));
        await store.put(session('a', 20, 50), 'late-start');
        await store.put(session('a', 0, 50), 'early-start');
        await store.put(session('a', 0, 10), 'first');
        expect((await collect(store.fetch('a'))).map((e) => e.value)).toEqual(['first', 'early-start', 'late-start']);
      });

      it('does not return sessions of a longer key sharing the prefix', async () => {
        const { store } = await open(factory.session('s', 10_000));
        await store.put(session('a', 0, 10), 'a');
        await store.put(session('ab', 0, 10), 'ab');
        expect((await collect(store.fetch('a'))).map((e) => e.value)).toEqual(['a']);
      });

      it('drops sessions whose end falls out of retention', async () => {
        const { store } = await open(factory.session('s', 100));
        await store.put(session('a', 0, 10), 'old');
        await store.put(session('a', 50, 60), 'kept');
        await store.put(session('a', 150, 160), 'new');
        // stream time 160, retention 100: sessions ending at or before 60 are gone
        expect((await collect(store.fetch('a'))).map((e) => e.value)).toEqual(['new']);
        expect(await store.fetchSession('a', 50, 60)).toBeUndefined();
      });

      it('restore writes composite changelog keys (key + end + start)', async () => {
        const { store } = await open(factory.session('s', 10_000));
        await store.restore([{ key: bytes('a', be64(40), be64(30)), value: bytes('r') }]);
        expect(await collect(store.fetch('a'))).toEqual([{ key: session('a', 30, 40), value: 'r' }]);
      });

      if (factory.logged) {
        it('reports changes keyed by key + end + start, and removals as tombstones', async () => {
          const { store, ctx } = await open(factory.session('s', 10_000));
          ctx.time = 7;
          await store.put(session('a', 1, 5), 'x');
          await store.flush();
          await store.remove(session('a', 1, 5));
          await store.flush();
          expect(ctx.changes).toEqual([
            { store: 's', key: bytes('a', be64(5), be64(1)), value: bytes('x'), timestamp: 7 },
            { store: 's', key: bytes('a', be64(5), be64(1)), value: null, timestamp: 7 },
          ]);
        });
      }

      if (factory.persistent) {
        it('finds its sessions after a reopen', async () => {
          const { store, ctx } = await open(factory.session('s', 10_000));
          await store.put(session('a', 0, 10), 'x');
          await store.close();
          const reopened = factory.session('s', 10_000);
          await open(reopened, ctx);
          expect(await collect(reopened.fetch('a'))).toEqual([{ key: session('a', 0, 10), value: 'x' }]);
        });
      }
    });
  });
}
