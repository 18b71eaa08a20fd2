import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';
import { describe, expect, inject, it } from 'vitest';
import { connectRegistry } from '../../src/registry/schema-registry.js';
import { isVigilError } from '../../src/streams/errors.js';
import { VIGIL_PROTO_PATH } from '../../src/fraud/schema/index.js';
import { uniqueName } from './helpers.js';

const schema = `
syntax = "proto3";
package vigiltest.v1;

message Payment {
  string card_id = 1;
  int64 amount_minor = 2;
  string currency = 3;
}

message Refund {
  string payment_id = 1;
  int64 amount_minor = 2;
}
`;

describe('schema registry round trip (Apicurio, Confluent-compatible API)', () => {
  const registry = connectRegistry(inject('schemaRegistryUrl'));

  it('registers a Protobuf schema and writes the Confluent wire format: magic byte, schema id, message indexes', async () => {
    const id = await registry.registerProtobuf({ subject: `${uniqueName('payments')}-value`, schema, messageName: 'vigiltest.v1.Payment' });
    expect(id).toBeGreaterThan(0);

    const value = { card_id: 'card-42', amount_minor: 1999, currency: 'EUR' };
    const bytes = await registry.encode(id, 'vigiltest.v1.Payment', value);

    expect(bytes[0]).toBe(0); // magic byte
    expect(bytes.readInt32BE(1)).toBe(id);
    expect(bytes[5]).toBe(0); // message indexes [0]: Confluent's one-byte shortcut
    const type = protobuf.parse(schema, { keepCase: true }).root.lookupType('vigiltest.v1.Payment');
    expect(bytes.subarray(6)).toEqual(Buffer.from(type.encode(type.fromObject(value)).finish()));

    const decoded = await registry.decode(bytes);
    expect(decoded).toEqual({ schemaId: id, messageName: 'vigiltest.v1.Payment', value });
  });

  it('writes the index of a message that is not the first in its file', async () => {
    const id = await registry.registerProtobuf({ subject: `${uniqueName('refunds')}-value`, schema, messageName: 'vigiltest.v1.Refund' });
    const bytes = await registry.encode(id, 'vigiltest.v1.Refund', { payment_id: 'p-1', amount_minor: 500 });
    // Array length 1 and index 1, both zigzag varints: 0x02 0x02.
    expect([...bytes.subarray(5, 7)]).toEqual([2, 2]);
    const decoded = await registry.decode(bytes);
    expect(decoded.messageName).toBe('vigiltest.v1.Refund');
    expect(decoded.value).toEqual({ payment_id: 'p-1', amount_minor: 500 });
  });

  it('reuses the id when the same schema is registered again under the same subject', async () => {
    const subject = `${uniqueName('same')}-value`;
    const first = await registry.registerProtobuf({ subject, schema, messageName: 'vigiltest.v1.Payment' });
    const second = await registry.registerProtobuf({ subject, schema, messageName: 'vigiltest.v1.Payment' });
    expect(second).toBe(first);
  });

  it('fails with VIGIL_ERR_UNKNOWN_SCHEMA for a schema id the registry does not know', async () => {
    const frame = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), Buffer.from([0, 0x0a, 0x01, 0x41])]);
    frame.writeInt32BE(987_654, 1);
    const error = await registry.decode(frame).catch((e: unknown) => e);
    expect(isVigilError(error, 'VIGIL_ERR_UNKNOWN_SCHEMA')).toBe(true);
    expect((error as Error).message).toContain('987654');
  });
});

describe('registering vigil.proto', () => {
  const registry = connectRegistry(inject('schemaRegistryUrl'));

  it('registers a file whose first element is an enum, and accepts enum names when encoding', async () => {
    const text = readFileSync(VIGIL_PROTO_PATH, 'utf8');
    const id = await registry.registerProtobuf({ subject: `${uniqueName('tx')}-value`, schema: text, messageName: 'vigil.v1.Transaction' });
    const bytes = await registry.encode(id, 'vigil.v1.Transaction', { transaction_id: 't-1', card_id: 'c-1', amount_minor: 1250, channel: 'CHANNEL_ONLINE' });
    const decoded = await registry.decode(bytes);
    expect(decoded.messageName).toBe('vigil.v1.Transaction');
    expect(decoded.value).toMatchObject({ transaction_id: 't-1', card_id: 'c-1', amount_minor: 1250, channel: 'CHANNEL_ONLINE' });
  });
});
