import { describe, expect, it } from 'vitest';
import { awaitCommitMarkers } from '../../../src/streams/runtime/commit-markers.js';
import { ManualClock } from '../../../src/streams/time/clock.js';
import { ManualTimers } from '../../../src/streams/time/timers.js';

/** A broker whose last stable offsets are set by the test; every ListOffsets call is counted. */
function broker(lsos: Record<string, number[]>) {
  const calls: string[] = [];
  const admin = {
    endOffsets: async (topic: string) => {
      calls.push(topic);
      return (lsos[topic] ?? []).map((offset, partition) => ({ partition, offset: String(offset) }));
    },
  };
  return { admin, calls, lsos };
}

function setup(written: Record<string, Record<number, number>>, lsos: Record<string, number[]>) {
  const clock = new ManualClock(0);
  const timers = new ManualTimers(clock);
  const warnings: unknown[] = [];
  const b = broker(lsos);
  const logger = { error: () => {}, info: () => {}, debug: () => {}, warn: (fields: unknown) => void warnings.push(fields) };
  const wait = awaitCommitMarkers({
    admin: b.admin,
    written: new Map(Object.entries(written).map(([t, ends]) => [t, new Map(Object.entries(ends).map(([p, e]) => [Number(p), BigInt(e)]))])),
    clock,
    timers,
    logger,
    timeoutMs: 1_000,
    pollMs: 20,
  });
  /** Lets the pending ListOffsets promises run, then fires the poll timer. */
  const tick = async (ms: number) => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
    timers.advance(ms);
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { wait, tick, warnings, ...b };
}

describe('awaitCommitMarkers', () => {
  it('resolves at once when every written partition is already stable, with one ListOffsets per topic', async () => {
    const { wait, calls } = setup({ 'a-changelog': { 0: 10, 1: 4 }, 'b-changelog': { 2: 7 } }, { 'a-changelog': [11, 4], 'b-changelog': [0, 0, 7] });
    await expect(wait).resolves.toBe(true);
    expect(calls.sort()).toEqual(['a-changelog', 'b-changelog']);
  });

  it('keeps asking about the partitions whose markers are missing until their LSO reaches the written end', async () => {
    const { wait, tick, calls, lsos } = setup({ 'a-changelog': { 0: 10 }, 'b-changelog': { 0: 3 } }, { 'a-changelog': [9], 'b-changelog': [3] });
    let done: boolean | undefined;
    void wait.then((v) => (done = v));
    await tick(20);
    await tick(20);
    expect(done).toBeUndefined();
    lsos['a-changelog'] = [10]; // the coordinator wrote the markers
    await tick(20);
    await tick(20);
    expect(done).toBe(true);
    expect(calls.filter((t) => t === 'b-changelog')).toHaveLength(1); // stable at the first look, not asked again
    expect(calls.filter((t) => t === 'a-changelog').length).toBeGreaterThanOrEqual(3);
  });

  it('gives up after the timeout with a warning naming the partitions still behind', async () => {
    const { wait, tick, warnings } = setup({ 'a-changelog': { 1: 10 } }, { 'a-changelog': [0, 2] });
    let done: boolean | undefined;
    void wait.then((v) => (done = v));
    for (let i = 0; i < 60 && done === undefined; i++) await tick(20);
    expect(done).toBe(false);
    expect(warnings).toEqual([expect.objectContaining({ partitions: ['a-changelog:1@10'] })]);
  });
});
