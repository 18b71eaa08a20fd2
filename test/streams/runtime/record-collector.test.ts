import { describe, expect, it } from 'vitest';
import { trackEnds } from '../../../src/streams/runtime/record-collector.js';

describe('trackEnds (changelog positions from produce results)', () => {
  it('moves each explicitly partitioned topic-partition past the records one request wrote there', () => {
    const ends = new Map<string, bigint>();
    const sent = [
      { topic: 'cl', partition: 0, key: 'a', value: '1' },
      { topic: 'cl', partition: 0, key: 'b', value: '2' },
      { topic: 'cl', partition: 1, key: 'c', value: '3' },
      { topic: 'out', key: 'a', value: 'x' },
    ];
    trackEnds(
      sent,
      [
        { topic: 'cl', partition: 0, baseOffset: '40', logAppendTime: -1 },
        { topic: 'cl', partition: 1, baseOffset: '7', logAppendTime: -1 },
        { topic: 'out', partition: 3, baseOffset: '100', logAppendTime: -1 },
      ],
      ends,
    );
    expect(ends).toEqual(new Map([['cl:0', 42n], ['cl:1', 8n]]));
  });

  it('keeps the furthest end across requests and ignores unknown base offsets', () => {
    const ends = new Map<string, bigint>([['cl:0', 50n]]);
    trackEnds([{ topic: 'cl', partition: 0, key: 'a', value: '1' }], [{ topic: 'cl', partition: 0, baseOffset: '-1', logAppendTime: -1 }], ends);
    trackEnds([{ topic: 'cl', partition: 0, key: 'a', value: '1' }], [{ topic: 'cl', partition: 0, baseOffset: '60', logAppendTime: -1 }], ends);
    expect(ends.get('cl:0')).toBe(61n);
  });
});
