import { describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES, splitBySize } from '../../../src/streams/kafka/producer.js';
import type { ProducedRecord } from '../../../src/streams/kafka/types.js';

const record = (n: number, bytes: number): ProducedRecord => ({ topic: 't', partition: 0, key: `k${n}`, value: Buffer.alloc(bytes) });

describe('splitBySize (requests stay under the broker batch limit)', () => {
  it('keeps ordinary output in one request', () => {
    const records = Array.from({ length: 1_000 }, (_, i) => record(i, 200));
    expect(splitBySize(records)).toEqual([records]);
  });

  it('sends a large record (a dead-lettered 900 KB poison record) alone, keeping order', () => {
    const records = [record(0, 300_000), record(1, 900_000), record(2, 100), record(3, 300_000)];
    const chunks = splitBySize(records);
    expect(chunks.map((c) => c.map((r) => r.key))).toEqual([['k0'], ['k1'], ['k2', 'k3']]);
    expect(chunks.flat()).toEqual(records);
  });

  it('counts strings by their UTF-8 bytes and headers too', () => {
    const wide = { topic: 't', key: null, value: '€'.repeat(MAX_REQUEST_BYTES / 3 + 1) };
    const headed = { topic: 't', key: null, value: null, headers: { h: Buffer.alloc(MAX_REQUEST_BYTES) } };
    expect(splitBySize([wide, wide])).toHaveLength(2);
    expect(splitBySize([record(0, 10), headed])).toHaveLength(2);
  });
});
