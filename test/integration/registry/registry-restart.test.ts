import { describe, expect, inject, it } from 'vitest';
import { restartRegistry } from '../../../src/cluster/cluster.js';
import { createLogger } from '../../../src/log.js';
import { registrySerde } from '../../../src/registry/registry-serde.js';
import { connectRegistry, fetchSchemaById, listSubjectSchemaIds, registerProtobufSchema } from '../../../src/registry/schema-registry.js';
import { producer } from '../helpers.js';
import { readToEnd } from '../streams/helpers.js';
import { frame, startTransactionPipeline, transaction, vigilProto, vigilProtoV2, waitForRecords } from './pipeline.js';

describe('a registry restart in the middle of a stream', () => {
  it('keeps every subject, version and id (kafkasql storage), and nothing is dead-lettered', async () => {
    if (process.env.KAFKA_BROKERS) throw new Error('this test restarts the registry the global setup started; run it without KAFKA_BROKERS');
    const url = inject('schemaRegistryUrl');
    const { topics, serde } = await startTransactionPipeline();
    const subject = `${topics.transactions}-value`;
    const v1Id = serde.writerSchemaId(topics.transactions)!;
    await connectRegistry(url).setCompatibility(subject, 'BACKWARD');
    const v2Id = await registerProtobufSchema(url, subject, vigilProtoV2); // by another client; the engine has not seen it
    const idsBefore = await listSubjectSchemaIds(url, subject);
    expect(idsBefore).toEqual([v1Id, v2Id]);

    const p = await producer();
    const send = (from: number, to: number, make: (i: number) => Buffer) =>
      p.send(Array.from({ length: to - from }, (_, k) => ({ topic: topics.transactions, key: `k-${from + k}`, value: make(from + k) })));
    const asV1 = (i: number) => serde.serialize(topics.transactions, transaction(i))!;
    await send(0, 10, asV1);

    const restart = restartRegistry({ topology: 'single', log: createLogger('registry-restart-test', 'warn') });
    await send(10, 20, asV1); // while the registry is stopped or starting: known ids need no registry
    const { readyMs } = await restart;
    expect(readyMs).toBeGreaterThan(0);

    // Readiness is the HTTP API answering; give the kafkasql journal a moment if it lags behind it
    // (seen once under load in CI-like runs, not reproduced by hand: subjects were there at once).
    await expect.poll(() => listSubjectSchemaIds(url, subject), { timeout: 15_000, interval: 250 }).toEqual(idsBefore);
    expect(await fetchSchemaById(url, v2Id)).toBe(vigilProtoV2);
    // A producer that starts now registers the same schema and gets the same id back.
    expect(await registerProtobufSchema(url, subject, vigilProto)).toBe(v1Id);
    const fresh = registrySerde({ url, topics: [topics.transactions], schema: vigilProto, messageName: 'vigil.v1.Transaction' });
    await fresh.prepare();
    expect(fresh.writerSchemaId(topics.transactions)).toBe(v1Id);

    // The id the engine never saw is looked up in the restarted registry.
    await send(20, 30, (i) => frame(vigilProtoV2, v2Id, { ...transaction(i), terminal_id: `T-${i}` }));
    const out = await waitForRecords(topics.out, 30, 90_000);
    expect(out.map((r) => r.value?.toString())).toEqual(Array.from({ length: 30 }, (_, i) => `tx-${i}/${100 + i}`));
    expect(await readToEnd(topics.dlq)).toEqual([]);
  });
});
