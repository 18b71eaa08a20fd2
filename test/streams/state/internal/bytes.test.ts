import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../../src/streams/errors.js';
import { prefixUpperBound, readTimestamp, writeTimestamp } from '../../../../src/streams/state/internal/bytes.js';

describe('timestamp encoding', () => {
  it('writes 8-byte big-endian and reads it back', () => {
    const buf = Buffer.alloc(8);
    writeTimestamp(buf, 0, 0x0102_0304_0506);
    expect(buf.toString('hex')).toBe('0000010203040506');
    expect(readTimestamp(buf, 0)).toBe(0x0102_0304_0506);
  });

  it('keeps byte order equal to numeric order', () => {
    const times = [0, 1, 255, 256, 2 ** 32 - 1, 2 ** 32, 1_700_000_000_000, Number.MAX_SAFE_INTEGER];
    const encoded = times.map((t) => {
      const buf = Buffer.alloc(8);
      writeTimestamp(buf, 0, t);
      return buf;
    });
    const sorted = [...encoded].sort(Buffer.compare);
    expect(sorted.map((buf) => readTimestamp(buf, 0))).toEqual(times);
  });

  it('refuses negative timestamps with VIGIL_ERR_STATE_STORE', () => {
    expect(() => writeTimestamp(Buffer.alloc(8), 0, -1)).toThrow(
      expect.toSatisfy((e: unknown) => isVigilError(e, 'VIGIL_ERR_STATE_STORE')),
    );
  });
});

describe('prefixUpperBound', () => {
  it('increments the last byte', () => {
    expect(prefixUpperBound(Buffer.from('6162', 'hex'))?.toString('hex')).toBe('6163');
  });

  it('drops trailing 0xff bytes before incrementing', () => {
    expect(prefixUpperBound(Buffer.from('61ffff', 'hex'))?.toString('hex')).toBe('62');
  });

  it('has no bound for an all-0xff prefix', () => {
    expect(prefixUpperBound(Buffer.from('ffff', 'hex'))).toBeUndefined();
  });

  it('does not modify its input', () => {
    const prefix = Buffer.from('61', 'hex');
    prefixUpperBound(prefix);
    expect(prefix.toString('hex')).toBe('61');
  });
});
