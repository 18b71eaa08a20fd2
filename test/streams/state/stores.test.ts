import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { Stores } from '../../../src/streams/state/index.js';
import { utf8 } from './helpers.js';

const configError = expect.toSatisfy((e: unknown) => isVigilError(e, 'VIGIL_ERR_CONFIG'));

describe('Stores', () => {
  it('marks LevelDB suppliers persistent and in-memory ones not', () => {
    expect(Stores.persistentKeyValueStore('a').persistent).toBe(true);
    expect(Stores.inMemoryKeyValueStore('a').persistent).toBe(false);
    expect(Stores.persistentWindowStore('w', 100, 10).persistent).toBe(true);
    expect(Stores.inMemorySessionStore('s', 100).persistent).toBe(false);
  });

  it('builds stores with logging on and caching off by default', () => {
    const builder = Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), utf8, utf8);
    expect(builder.loggingEnabled).toBe(true);
    expect(builder.cachingEnabled).toBe(false);
    expect(builder.withCachingEnabled().withLoggingDisabled().cachingEnabled).toBe(true);
    expect(builder.loggingEnabled).toBe(false);
  });

  it('builds a fresh store instance per build() call (one per task)', () => {
    const builder = Stores.windowStoreBuilder(Stores.inMemoryWindowStore('w', 100, 10), utf8, utf8);
    const a = builder.build();
    const b = builder.build();
    expect(a).not.toBe(b);
    expect(a.name).toBe('w');
    expect(a.retentionMs).toBe(100);
  });

  it('refuses store names that are not safe directory names', () => {
    expect(() => Stores.persistentKeyValueStore('../escape')).toThrow(configError);
    expect(() => Stores.persistentKeyValueStore('')).toThrow(configError);
    expect(() => Stores.persistentKeyValueStore('..')).toThrow(configError);
  });

  it('refuses a window retention shorter than the window size', () => {
    expect(() => Stores.persistentWindowStore('w', 10, 100)).toThrow(configError);
  });

  it('refuses negative or fractional durations and cache sizes', () => {
    expect(() => Stores.inMemorySessionStore('s', -1)).toThrow(configError);
    expect(() => Stores.inMemoryWindowStore('w', 1.5, 1)).toThrow(configError);
    expect(() => Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('kv'), utf8, utf8).withCachingEnabled(0)).toThrow(configError);
  });
});
