import { describe, expect, it } from 'vitest';
import { outerJoinKeySerde, unjoinedValuesSerde } from '../../../../../src/streams/dsl/windows/internal/outer-join-store-serdes.js';
import { suppressedUpdateSerde } from '../../../../../src/streams/dsl/windows/internal/suppression-buffer-serde.js';
import { valueAndTimestampSerde } from '../../../../../src/streams/dsl/windows/internal/value-and-timestamp.js';
import type { Serde } from '../../../../../src/streams/serde/serde.js';
import { Serdes } from '../../../../../src/streams/serde/serdes.js';

const S = Serdes.String();
const N = Serdes.Number();
const roundTrip = <T>(serde: Serde<T>, value: T) => serde.deserialize('t', serde.serialize('t', value));

describe('store serdes of the windowed operators', () => {
  it('ValueAndTimestamp puts the timestamp first as int64 big-endian, as Kafka Streams timestamped stores do', () => {
    const serde = valueAndTimestampSerde(S);
    expect(serde.serialize('t', { value: 'x', timestamp: 1 })!.toString('hex')).toBe('0000000000000001' + '78');
    expect(roundTrip(serde, { value: 'x', timestamp: 1_700_000_000_123 })).toEqual({ value: 'x', timestamp: 1_700_000_000_123 });
  });

  it('a suppressed update keeps the new value, the prior value and the timestamp, including nulls', () => {
    const serde = suppressedUpdateSerde(N);
    expect(roundTrip(serde, { newValue: 3, priorValue: 2, timestamp: 9 })).toEqual({ newValue: 3, priorValue: 2, timestamp: 9 });
    expect(roundTrip(serde, { newValue: null, priorValue: 2, timestamp: 9 })).toEqual({ newValue: null, priorValue: 2, timestamp: 9 });
    expect(roundTrip(serde, { newValue: 3, priorValue: null, timestamp: 9 })).toEqual({ newValue: 3, priorValue: null, timestamp: 9 });
  });

  it('an outer-join key orders by timestamp first, then left before right', () => {
    const serde = outerJoinKeySerde(S);
    const bytes = (timestamp: number, side: 'left' | 'right', key: string) => serde.serialize('t', { timestamp, side, key })!;
    expect(Buffer.compare(bytes(1, 'right', 'z'), bytes(2, 'left', 'a'))).toBeLessThan(0);
    expect(Buffer.compare(bytes(2, 'left', 'z'), bytes(2, 'right', 'a'))).toBeLessThan(0);
    expect(roundTrip(serde, { timestamp: 5, side: 'right', key: 'k' })).toEqual({ timestamp: 5, side: 'right', key: 'k' });
  });

  it('unjoined values use the serde of their side and keep their order', () => {
    const serde = unjoinedValuesSerde(S as Serde<unknown>, N as Serde<unknown>);
    expect(roundTrip(serde, { side: 'left', values: ['a', 'b'] })).toEqual({ side: 'left', values: ['a', 'b'] });
    expect(roundTrip(serde, { side: 'right', values: [1, 2, 3] })).toEqual({ side: 'right', values: [1, 2, 3] });
  });
});
