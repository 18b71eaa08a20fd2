import { pino } from 'pino';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { replayChargebacks } from '../../../src/feedback/chargeback-replay.js';
import { chargebacksFor } from '../../../src/feedback/chargebacks.js';
import { CHARGEBACK_MESSAGE, feedbackSchemaText, type Chargeback } from '../../../src/feedback/schema.js';
import type { LabelledTransaction } from '../../../src/fraud/simulator/events.js';
import { readLabelledTransactions } from '../../../src/fraud/simulator/fixture-reader.js';
import { registrySerde } from '../../../src/registry/registry-serde.js';
import { connection, readRecords, uniqueName } from '../helpers.js';

describe('chargebacks replayed to Kafka', () => {
  it('lands every chargeback of the fixture, keyed by transaction id and stamped with its report time', async () => {
    const topic = uniqueName('chargebacks');
    const result = await replayChargebacks({ fixtureDir: 'test/fixtures/small', connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic, log: pino({ level: 'silent' }) });
    const txs: LabelledTransaction[] = [];
    for await (const t of readLabelledTransactions('test/fixtures/small')) txs.push(t);
    const expected = chargebacksFor(txs, { seed: 42 });
    expect(result).toMatchObject({ fraud: 53, chargebacks: expected.length, unlabelledFraud: 53 - expected.length });

    const records = await readRecords([topic], expected.length, { timeoutMs: 20_000 });
    const serde = registrySerde<Chargeback>({ url: inject('schemaRegistryUrl'), topics: [topic], schema: feedbackSchemaText(), messageName: CHARGEBACK_MESSAGE, refreshIntervalMs: 0 });
    await serde.prepare();
    onTestFinished(() => serde.close());
    expect(records).toHaveLength(expected.length);
    const got = records.map((r) => ({ key: r.key!.toString(), timestamp: Number(r.timestamp), value: serde.deserialize(topic, r.value)! }));
    for (const g of got) {
      expect(g.key).toBe(g.value.transaction_id);
      expect(g.timestamp).toBe(g.value.reported_at_ms);
    }
    const sortById = (a: Chargeback, b: Chargeback) => (a.transaction_id < b.transaction_id ? -1 : 1);
    expect(got.map((g) => g.value).sort(sortById)).toEqual([...expected].sort(sortById));
  });
});
