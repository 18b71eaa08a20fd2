import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { Serdes } from '../../../src/streams/serde/serdes.js';

describe('Serdes', () => {
  it('String round-trips UTF-8 text', () => {
    const s = Serdes.String();
    const bytes = s.serialize('t', 'héllo');
    expect(bytes?.toString('hex')).toBe('68c3a96c6c6f');
    expect(s.deserialize('t', bytes)).toBe('héllo');
  });

  it('Json round-trips objects as UTF-8 JSON text', () => {
    const s = Serdes.Json<{ a: number[] }>();
    const bytes = s.serialize('t', { a: [1, 2] });
    expect(bytes?.toString('utf8')).toBe('{"a":[1,2]}');
    expect(s.deserialize('t', bytes)).toEqual({ a: [1, 2] });
  });

  it('Json fails with VIGIL_ERR_SERDE on malformed input, naming the topic', () => {
    let error: unknown;
    try {
      Serdes.Json().deserialize('payments', Buffer.from('{oops'));
    } catch (e) {
      error = e;
    }
    expect(isVigilError(error, 'VIGIL_ERR_SERDE')).toBe(true);
    expect((error as Error).message).toBe('Json serde could not deserialize 5 bytes from topic "payments"; check the producer\'s format');
  });

  it('Number is a big-endian float64', () => {
    const s = Serdes.Number();
    expect(s.serialize('t', 1.5)?.toString('hex')).toBe('3ff8000000000000');
    expect(s.deserialize('t', Buffer.from('3ff8000000000000', 'hex'))).toBe(1.5);
    expect(() => s.deserialize('t', Buffer.alloc(4))).toThrow(/Number serde could not deserialize 4 bytes/);
  });

  it('Int32 is a big-endian signed 32-bit integer and rejects non-integers', () => {
    const s = Serdes.Int32();
    expect(s.serialize('t', -2)?.toString('hex')).toBe('fffffffe');
    expect(s.deserialize('t', Buffer.from('00000100', 'hex'))).toBe(256);
    expect(() => s.serialize('t', 1.5)).toThrow(/Int32 serde could not serialize/);
  });

  it('Long is a big-endian signed 64-bit integer whose byte order follows numeric order for non-negative values', () => {
    const s = Serdes.Long();
    expect(s.serialize('t', 1)?.toString('hex')).toBe('0000000000000001');
    expect(s.deserialize('t', Buffer.from('ffffffffffffffff', 'hex'))).toBe(-1);
    expect(Buffer.compare(s.serialize('t', 255)!, s.serialize('t', 256)!)).toBe(-1);
  });

  it('Bytes copies buffers both ways', () => {
    const s = Serdes.Bytes();
    const original = Buffer.from([1, 2, 3]);
    const out = s.serialize('t', original)!;
    original[0] = 9;
    expect([...out]).toEqual([1, 2, 3]);
  });

  it('every serde maps null to null (tombstones)', () => {
    for (const s of [Serdes.String(), Serdes.Json(), Serdes.Number(), Serdes.Int32(), Serdes.Long(), Serdes.Bytes()]) {
      expect(s.serialize('t', null)).toBeNull();
      expect(s.deserialize('t', null)).toBeNull();
    }
  });
});
