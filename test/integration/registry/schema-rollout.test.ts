import { describe, expect, inject, it } from 'vitest';
import { connectRegistry, registerProtobufSchema } from '../../../src/registry/schema-registry.js';
import { producer } from '../helpers.js';
import { readToEnd } from '../streams/helpers.js';
import { frame, startTransactionPipeline, transaction, vigilProtoV2, waitForRecords } from './pipeline.js';

describe('a new schema version rolled out while the engine runs', () => {
  it('is looked up at once: a producer that registers a compatible version and produces at once loses nothing', async () => {
    const url = inject('schemaRegistryUrl');
    const { topics, serde } = await startTransactionPipeline();
    const subject = `${topics.transactions}-value`;
    await connectRegistry(url).setCompatibility(subject, 'BACKWARD');

    // Another client, as a Confluent producer does by default: register on first send, produce at once.
    const v2Id = await registerProtobufSchema(url, subject, vigilProtoV2);
    expect(v2Id).not.toBe(serde.writerSchemaId(topics.transactions));
    expect(serde.knownSchemaIds()).not.toContain(v2Id);
    const p = await producer();
    await p.send(
      Array.from({ length: 20 }, (_, i) => ({
        topic: topics.transactions,
        key: `k-${i}`,
        value: frame(vigilProtoV2, v2Id, { ...transaction(i), terminal_id: `T-${i}` }),
      })),
    );

    const out = await waitForRecords(topics.out, 20);
    expect(out.map((r) => r.value?.toString())).toEqual(Array.from({ length: 20 }, (_, i) => `tx-${i}/${100 + i}`));
    expect(await readToEnd(topics.dlq)).toEqual([]);
    expect(serde.knownSchemaIds()).toContain(v2Id);
  });

  it('dead-letters a record whose id the registry does not know, with VIGIL_ERR_UNKNOWN_SCHEMA, and keeps going', async () => {
    const { topics, serde } = await startTransactionPipeline();
    const id = serde.writerSchemaId(topics.transactions)!;
    const p = await producer();
    await p.send([
      { topic: topics.transactions, key: 'bad', value: frame(vigilProtoV2, 2_000_000_000, transaction(1)) },
      { topic: topics.transactions, key: 'good', value: serde.serialize(topics.transactions, transaction(2)) },
    ]);
    expect(id).toBeGreaterThan(0);
    const out = await waitForRecords(topics.out, 1);
    expect(out.map((r) => r.value?.toString())).toEqual(['tx-2/102']);
    const dead = await readToEnd(topics.dlq);
    expect(dead.map((r) => r.key?.toString())).toEqual(['bad']);
    expect(dead[0]!.headers['vigil.error.code']?.toString()).toBe('VIGIL_ERR_DESERIALIZATION');
    expect(dead[0]!.headers['vigil.error.cause.code']?.toString()).toBe('VIGIL_ERR_UNKNOWN_SCHEMA');
    expect(dead[0]!.headers['vigil.error.message']?.toString()).toMatch(/schema id 2000000000 is not registered/);
  });
});
