import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { decodeWireFormat, encodeWireFormat } from '../../../src/streams/serde/wire-format.js';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');
const wireError = expect.toSatisfy((e: unknown) => isVigilError(e, 'VIGIL_ERR_WIRE_FORMAT'));

describe('encodeWireFormat', () => {
  it('writes magic byte, big-endian schema id, the single-zero index shortcut, then the payload', () => {
    const bytes = encodeWireFormat({ schemaId: 0x01020304, messageIndexes: [0], payload: hex('0a03616263') });
    expect(bytes.toString('hex')).toBe('00' + '01020304' + '00' + '0a03616263');
  });

  it('writes a non-default index path as a zigzag count followed by zigzag indexes', () => {
    // [1] → count 1 (zigzag 2), index 1 (zigzag 2)
    expect(encodeWireFormat({ schemaId: 7, messageIndexes: [1], payload: hex('ff') }).toString('hex')).toBe('00000000070202ff');
    // [2, 0, 1] → count 3 (6), 2 (4), 0 (0), 1 (2)
    expect(encodeWireFormat({ schemaId: 1, messageIndexes: [2, 0, 1], payload: Buffer.alloc(0) }).toString('hex')).toBe(
      '000000000106040002',
    );
  });

  it('writes multi-byte varints for large indexes', () => {
    // index 64 → zigzag 128 → varint 80 01
    expect(encodeWireFormat({ schemaId: 1, messageIndexes: [64], payload: Buffer.alloc(0) }).toString('hex')).toBe(
      '0000000001028001',
    );
  });

  it('omits the index array when no indexes are given (Avro / JSON Schema frames)', () => {
    expect(encodeWireFormat({ schemaId: 258, payload: hex('abcd') }).toString('hex')).toBe('0000000102abcd');
  });

  it('refuses schema ids outside 0..2^31-1', () => {
    expect(() => encodeWireFormat({ schemaId: -1, payload: Buffer.alloc(0) })).toThrow(wireError);
    expect(() => encodeWireFormat({ schemaId: 2 ** 31, payload: Buffer.alloc(0) })).toThrow(wireError);
  });

  it('refuses negative message indexes', () => {
    expect(() => encodeWireFormat({ schemaId: 1, messageIndexes: [1, -1], payload: Buffer.alloc(0) })).toThrow(wireError);
  });
});

describe('decodeWireFormat', () => {
  it('reads the schema id, the [0] shortcut and the payload', () => {
    const frame = decodeWireFormat(hex('00 01020304 00 0a03616263'));
    expect(frame.schemaId).toBe(0x01020304);
    expect(frame.messageIndexes).toEqual([0]);
    expect(frame.payload.toString('hex')).toBe('0a03616263');
  });

  it('reads an explicit index path', () => {
    const frame = decodeWireFormat(hex('00 00000001 06 04 00 02 beef'));
    expect(frame.messageIndexes).toEqual([2, 0, 1]);
    expect(frame.payload.toString('hex')).toBe('beef');
  });

  it('round-trips what encodeWireFormat writes', () => {
    const payload = Buffer.from('payload');
    for (const messageIndexes of [[0], [3], [1, 2], [200, 0, 70000]]) {
      const frame = decodeWireFormat(encodeWireFormat({ schemaId: 99, messageIndexes, payload }));
      expect(frame).toEqual({ schemaId: 99, messageIndexes, payload });
    }
  });

  it('reads frames without an index array when told to', () => {
    const frame = decodeWireFormat(hex('00 00000102 abcd'), { messageIndexes: false });
    expect(frame).toEqual({ schemaId: 258, messageIndexes: [], payload: hex('abcd') });
  });

  it('rejects a wrong magic byte', () => {
    expect(() => decodeWireFormat(hex('01 00000001 00'))).toThrow(wireError);
    expect(() => decodeWireFormat(hex('01 00000001 00'))).toThrow(/magic byte 1/);
  });

  it('rejects frames shorter than the header', () => {
    expect(() => decodeWireFormat(hex('00 000000'))).toThrow(wireError);
    expect(() => decodeWireFormat(Buffer.alloc(0))).toThrow(/at least 5 bytes/);
  });

  it('rejects a frame that ends inside the index array', () => {
    expect(() => decodeWireFormat(hex('00 00000001'))).toThrow(/truncated/);
    expect(() => decodeWireFormat(hex('00 00000001 04 02'))).toThrow(wireError);
    expect(() => decodeWireFormat(hex('00 00000001 02 80'))).toThrow(/truncated/);
  });

  it('rejects an index count larger than the frame', () => {
    expect(() => decodeWireFormat(hex('00 00000001 7e 02'))).toThrow(/does not fit/);
  });

  it('rejects a negative count or index', () => {
    // zigzag 1 = -1
    expect(() => decodeWireFormat(hex('00 00000001 01'))).toThrow(wireError);
    expect(() => decodeWireFormat(hex('00 00000001 02 01'))).toThrow(/negative/);
  });

  it('rejects a varint longer than 5 bytes', () => {
    expect(() => decodeWireFormat(hex('00 00000001 ffffffffff01'))).toThrow(/longer than 5 bytes/);
  });
});
