import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { isVigilError } from '../../../src/streams/errors.js';
import { protobufSerde } from '../../../src/streams/serde/protobuf.js';

const root = protobuf.parse(`
  syntax = "proto3";
  package test.v1;
  enum Kind { KIND_UNSPECIFIED = 0; CARD = 1; TRANSFER = 2; }
  message Inner { string note = 1; }
  message Payment {
    string id = 1;
    int64 amount_cents = 2;
    Kind kind = 3;
    Inner inner = 4;
  }
`).root;
const Payment = root.lookupType('test.v1.Payment');
const serdeError = expect.toSatisfy((e: unknown) => isVigilError(e, 'VIGIL_ERR_SERDE'));

describe('protobufSerde', () => {
  it('encodes to the protobuf binary encoding', () => {
    const serde = protobufSerde(Payment);
    const bytes = serde.serialize('t', { id: 'p1', amountCents: 150, kind: 'CARD' });
    // field 1 (len) 'p1', field 2 (varint) 150 = 96 01, field 3 (varint) 1
    expect(bytes?.toString('hex')).toBe('0a0270311096011801');
  });

  it('decodes to a plain object with enum names, int64 as strings and defaults', () => {
    const serde = protobufSerde(Payment);
    expect(serde.deserialize('t', Buffer.from('0a0270311096011801', 'hex'))).toEqual({
      id: 'p1',
      amountCents: '150',
      kind: 'CARD',
      inner: null,
    });
  });

  it('round-trips a value with a nested message', () => {
    const serde = protobufSerde(Payment);
    const value = { id: 'p2', amountCents: '9007199254740993', kind: 'TRANSFER', inner: { note: 'rent' } };
    expect(serde.deserialize('t', serde.serialize('t', value))).toEqual(value);
  });

  it('maps null to null both ways (tombstones)', () => {
    const serde = protobufSerde(Payment);
    expect(serde.serialize('t', null)).toBeNull();
    expect(serde.deserialize('t', null)).toBeNull();
  });

  it('fails with VIGIL_ERR_SERDE naming the type and topic when a value does not match the message', () => {
    const serde = protobufSerde(Payment);
    const bad = { id: 'p1', inner: 42 };
    expect(() => serde.serialize('payments', bad)).toThrow(serdeError);
    expect(() => serde.serialize('payments', bad)).toThrow(/test\.v1\.Payment.*"payments"/);
  });

  it('fails with VIGIL_ERR_SERDE when bytes are not a valid message', () => {
    const serde = protobufSerde(Payment);
    // field 1's length varint is cut off after its continuation bit
    expect(() => serde.deserialize('payments', Buffer.from('0aff', 'hex'))).toThrow(serdeError);
    expect(() => serde.deserialize('payments', Buffer.from('0aff', 'hex'))).toThrow(/2 bytes from topic "payments" as test\.v1\.Payment/);
  });

  it('frames values in the wire format when given a schema id', () => {
    const serde = protobufSerde(Payment, { schemaId: 5 });
    const bytes = serde.serialize('t', { id: 'p1' });
    expect(bytes?.toString('hex')).toBe('00' + '00000005' + '00' + '0a027031');
    expect(serde.deserialize('t', bytes)).toEqual({ id: 'p1', amountCents: '0', kind: 'KIND_UNSPECIFIED', inner: null });
  });

  it('writes the configured message-index path in the frame', () => {
    const serde = protobufSerde(Payment, { schemaId: 5, messageIndexes: [1] });
    expect(serde.serialize('t', { id: 'p1' })?.toString('hex')).toBe('00' + '00000005' + '0202' + '0a027031');
  });
});
