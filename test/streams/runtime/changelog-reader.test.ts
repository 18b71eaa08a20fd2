import { describe, expect, it } from 'vitest';
import { ChangelogReader } from '../../../src/streams/runtime/changelog-reader.js';
import type { StoreToRestore } from '../../../src/streams/runtime/changelog-reader.js';
import { noopLogger } from '../../../src/streams/runtime/logger.js';
import type { RestoreProgress } from '../../../src/streams/runtime/options.js';
import type { RestoreRequest } from '../../../src/streams/runtime/restorer.js';
import type { StateStore } from '../../../src/streams/state/types.js';

/** A store that records what restoration applied to it. */
function fakeStore(): StateStore & { applied: string[] } {
  const applied: string[] = [];
  return { applied, restore: async (batch: ReadonlyArray<{ key: Buffer }>) => void applied.push(...batch.map((r) => r.key.toString())) } as unknown as StateStore & { applied: string[] };
}

function reader(o: { lso: number | (() => number); written?: number }) {
  const requests: RestoreRequest[] = [];
  const progress: RestoreProgress[] = [];
  const r = new ChangelogReader({
    admin: { endOffsets: async () => [{ partition: 0, offset: String(typeof o.lso === 'number' ? o.lso : o.lso()) }] },
    connection: { brokers: ['h:1'] },
    groupId: 'app-restore-a',
    exactlyOnce: true,
    logger: noopLogger,
    now: () => 0,
    writtenEnd: () => (o.written === undefined ? undefined : BigInt(o.written)),
    cancelled: () => false,
    onProgress: (p) => void progress.push(p),
    // Applies one record per offset in [from, to), as the restore consumer would.
    restore: async (reqs) => {
      for (const req of reqs) {
        requests.push(req);
        const records = [];
        for (let i = req.from; i < req.to; i++) records.push({ key: Buffer.from(`k${i}`), value: Buffer.from('v') });
        await req.apply(records, records.length);
      }
    },
  });
  return { r, requests, progress };
}

const store = (from: bigint, instance = fakeStore()): StoreToRestore => ({ taskId: '0_0', store: 'counts', instance, changelog: 'app-counts-changelog', partition: 0, partitions: 1, from });

describe('ChangelogReader', () => {
  it('restores from the checkpoint to the last stable offset and reports start, batch and end', async () => {
    const { r, progress } = reader({ lso: 4 });
    const s = fakeStore();
    const positions = await r.restore([store(2n, s)]);
    expect(s.applied).toEqual(['k2', 'k3']);
    expect(positions).toEqual(new Map([['0_0/counts', 4n]]));
    expect(progress.map((p) => [p.phase, p.restored, p.total, p.startOffset])).toEqual([
      ['start', 0, 2, '2'],
      ['batch', 2, 2, '2'],
      ['end', 2, 2, '2'],
    ]);
  });

  it("restores up to this thread's own last write when the last stable offset lags behind it (markers not written yet)", async () => {
    const { r, requests } = reader({ lso: 3, written: 5 });
    const positions = await r.restore([store(0n)]);
    expect(requests.map((q) => [q.from, q.to])).toEqual([[0n, 5n]]);
    expect(positions.get('0_0/counts')).toBe(5n);
  });

  it('restores fully when the checkpoint is beyond the changelog end (topic recreated)', async () => {
    const { r, requests } = reader({ lso: 3 });
    await r.restore([store(9n)]);
    expect(requests.map((q) => [q.from, q.to])).toEqual([[0n, 3n]]);
  });

  it('starts no restore consumer when every store is up to date', async () => {
    const { r, requests, progress } = reader({ lso: 7 });
    expect(await r.restore([store(7n)])).toEqual(new Map([['0_0/counts', 7n]]));
    expect(requests).toEqual([]);
    expect(progress.map((p) => p.phase)).toEqual(['start', 'end']);
  });

  it('restores a previous owner\'s transaction that became readable during restoration, until two reads of the end agree', async () => {
    // The end reads 4 at first; the previous owner's last commit (offsets 4-5 and its marker at 6) lands while restoring.
    const ends = [4, 7, 7];
    const { r, requests } = reader({ lso: () => ends.shift() ?? 7 });
    const s = fakeStore();
    const positions = await r.restore([store(0n, s)]);
    expect(requests.map((q) => [q.from, q.to])).toEqual([
      [0n, 4n],
      [4n, 7n],
    ]);
    expect(s.applied).toEqual(['k0', 'k1', 'k2', 'k3', 'k4', 'k5', 'k6']);
    expect(positions).toEqual(new Map([['0_0/counts', 7n]]));
  });
});
