import { describe, expect, it } from 'vitest';
import type { KafkaConsumer, RunOptions } from '../../../src/streams/kafka/index.js';
import { restorePartitions } from '../../../src/streams/runtime/restorer.js';
import type { RestoreOptions, RestoreRequest } from '../../../src/streams/runtime/restorer.js';
import { isVigilError } from '../../../src/streams/errors.js';

/** A restore consumer the test drives: it records seeks, pauses and whether it was closed. */
class FakeConsumer {
  run: RunOptions | undefined;
  readonly seeks: string[] = [];
  readonly paused: string[] = [];
  closed = false;
  readonly api = {
    subscribe: async () => {},
    run: async (o: RunOptions) => void (this.run = o),
    commit: async () => {},
    seek: (o: { topic: string; partition: number; offset: string }) => void this.seeks.push(`${o.topic}:${o.partition}@${o.offset}`),
    pause: (ps: Array<{ topic: string; partition: number }>) => void this.paused.push(...ps.map((p) => `${p.topic}:${p.partition}`)),
    resume: () => {},
    close: async () => void (this.closed = true),
  } as unknown as KafkaConsumer;

  join(partitions: number[]): void {
    this.run?.onGroupJoin?.({ memberId: 'm', isLeader: true, partitions: new Map([['cl', partitions]]) });
  }

  /** Delivers records at the given offsets (null: a record without key) and ends the batch at `last`. */
  async batch(partition: number, offsets: Array<number | null>, last = Math.max(...offsets.map((o) => o ?? -1))): Promise<void> {
    const records = offsets.map((o, i) => ({ topic: 'cl', partition, offset: String(o ?? last - offsets.length + 1 + i), key: o === null ? null : Buffer.from(`k${o}`), value: Buffer.from('v'), timestamp: 0, headers: {} }));
    if (records.length > 0) await this.run?.eachBatch({ topic: 'cl', partition, highWatermark: '0', resolveOffset: () => {}, heartbeat: async () => {}, isStale: () => false, records });
    this.run?.onBatchEnd?.({ topic: 'cl', partition, lastOffset: String(last), highWatermark: '0', offsetLag: '0' });
  }
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

function setup(from: bigint, to: bigint, extra: Partial<RestoreOptions> = {}) {
  const consumers: FakeConsumer[] = [];
  const applied: string[] = [];
  const warnings: string[] = [];
  const request: RestoreRequest = {
    topic: 'cl',
    partition: 0,
    partitions: 2,
    from,
    to,
    apply: async (records) => void applied.push(...records.map((r) => r.key.toString())),
  };
  const options: RestoreOptions = {
    connection: { brokers: ['h:1'] },
    groupId: 'g',
    isolation: 'read_committed',
    logger: { error() {}, warn: (_f, m) => void warnings.push(m), info() {}, debug() {} },
    cancelled: () => false,
    stallMs: 150,
    connect: async () => {
      const c = new FakeConsumer();
      consumers.push(c);
      return c.api;
    },
    ...extra,
  };
  const until = async (n: number) => {
    while (consumers.length < n || consumers[n - 1]?.run === undefined) await tick(5);
    return consumers[n - 1] as FakeConsumer;
  };
  return { consumers, applied, warnings, request, options, until };
}

describe('restorePartitions', () => {
  it('applies the keyed records in [from, to), pauses the partitions it does not need, and ends on a batch that ends at the end (a marker)', async () => {
    const s = setup(2n, 6n);
    const restoring = restorePartitions([s.request], s.options);
    const c = await s.until(1);
    c.join([0, 1]);
    expect(c.seeks).toEqual(['cl:0@2']);
    expect(c.paused).toEqual(['cl:1']);
    await c.batch(0, [1, 2, null, 4]);
    await c.batch(0, [], 5); // the commit marker at 5: filtered, only the batch end says where the consumer is
    await restoring;
    expect(s.applied).toEqual(['k2', 'k4']);
    expect(c.closed).toBe(true);
    expect(s.consumers).toHaveLength(1);
  });

  it('replaces a consumer that stalls with a fresh one that resumes after the last applied record, applying nothing twice', async () => {
    const s = setup(0n, 6n);
    const restoring = restorePartitions([s.request], s.options);
    const first = await s.until(1);
    first.join([0]);
    await first.batch(0, [0, 1, 2]);
    // …and then nothing more: after stallMs it is closed and a second one seeks to 3.
    const second = await s.until(2);
    expect(first.closed).toBe(true);
    second.join([0]);
    expect(second.seeks).toEqual(['cl:0@3']);
    await second.batch(0, [2, 3, 4, 5]); // a re-fetch of the record batch holding offset 3 starts at 2
    await restoring;
    expect(s.applied).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5']);
    expect(s.warnings).toEqual([expect.stringContaining('replacing it with a fresh one')]);
  });

  it('a consumer that never joins is replaced too, and after maxRestarts stalls in a row the restoration fails with a code', async () => {
    const s = setup(0n, 3n, { maxRestarts: 1, stallMs: 80 });
    const error = await restorePartitions([s.request], s.options).catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_STATE_STORE')).toBe(true);
    expect((error as Error).message).toContain('"next":"0"');
    expect(s.consumers.map((c) => c.closed)).toEqual([true, true]);
    expect(s.applied).toEqual([]);
  });
});
