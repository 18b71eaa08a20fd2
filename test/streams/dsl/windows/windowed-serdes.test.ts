import { describe, expect, it } from 'vitest';
import { WindowedSerdes } from '../../../../src/streams/dsl/windows/windowed-serdes.js';
import { windowOf } from '../../../../src/streams/dsl/windows/window.js';
import { Serdes } from '../../../../src/streams/serde/serdes.js';

const S = Serdes.String();

describe('WindowedSerdes', () => {
  it('writes a time-windowed key as the key bytes then the start as int64 big-endian, like Kafka Streams', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const bytes = serde.serialize('t', { key: 'ab', window: windowOf(256, 266) });
    expect(bytes!.toString('hex')).toBe('6162' + '0000000000000100');
  });

  it('reads a time-windowed key back, deriving the end from the window size', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    const back = serde.deserialize('t', serde.serialize('t', { key: 'ab', window: windowOf(256, 266) }));
    expect(back).toEqual({ key: 'ab', window: { start: 256, end: 266 } });
  });

  it('writes a session key as the key bytes, then end, then start, like Kafka Streams', () => {
    const serde = WindowedSerdes.sessionWindowedSerdeFrom(S);
    const bytes = serde.serialize('t', { key: 'a', window: windowOf(1, 2) });
    expect(bytes!.toString('hex')).toBe('61' + '0000000000000002' + '0000000000000001');
    expect(serde.deserialize('t', bytes)).toEqual({ key: 'a', window: { start: 1, end: 2 } });
  });

  it('maps null to null and rejects bytes too short to hold a window', () => {
    const serde = WindowedSerdes.timeWindowedSerdeFrom(S, 10);
    expect(serde.serialize('t', null)).toBeNull();
    expect(serde.deserialize('t', null)).toBeNull();
    expect(() => serde.deserialize('t', Buffer.from('abc'))).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_SERDE' }));
  });
});
