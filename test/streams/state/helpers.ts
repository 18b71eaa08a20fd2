/**
 * Test helpers for the state stores: a UTF-8 string serde (kept local so
 * these tests do not depend on the serde package), temp state directories
 * that clean themselves up, and a store context that records changes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';
import type { Serde } from '../../../src/streams/serde/serde.js';
import type { StateStore, StoreChange, StoreContext } from '../../../src/streams/state/types.js';

export const utf8: Serde<string> = {
  serialize: (_topic, data) => (data === null ? null : Buffer.from(data, 'utf8')),
  deserialize: (_topic, data) => (data === null ? null : data.toString('utf8')),
};

/** 8-byte big-endian encoding of a timestamp, as composite keys hold it. */
export function be64(ms: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeBigUInt64BE(BigInt(ms));
  return out;
}

export function bytes(...parts: Array<string | Buffer>): Buffer {
  return Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of it) out.push(item);
  return out;
}

export interface RecordingContext extends StoreContext {
  readonly changes: StoreChange[];
  time: number;
}

export function recordingContext(stateDir: string): RecordingContext {
  const changes: StoreChange[] = [];
  const ctx: RecordingContext = {
    applicationId: 'app',
    taskId: '0_0',
    stateDir,
    changes,
    time: 0,
    onChange: (change) => changes.push(change),
    currentTimestamp: () => ctx.time,
  };
  return ctx;
}

/**
 * Registers an afterEach that closes every store opened through it and
 * removes the temp directories it made.
 */
export function useStateDirs(): {
  tempDir(): Promise<string>;
  track<S extends StateStore>(store: S): S;
} {
  const dirs: string[] = [];
  const stores: StateStore[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) if (store.isOpen()) await store.close();
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });
  return {
    async tempDir() {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-state-'));
      dirs.push(dir);
      return dir;
    },
    track(store) {
      stores.push(store);
      return store;
    },
  };
}
