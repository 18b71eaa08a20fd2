import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';
import { replay } from '../../../src/fraud/replay/index.js';
import { readLabelledTransactions } from '../../../src/fraud/simulator/fixture-reader.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { vigilSchema, type Alert, type Transaction } from '../../../src/fraud/schema/index.js';
import { registrySerde } from '../../../src/registry/registry-serde.js';
import { runFixture } from '../../fraud/topology/fixture-run.js';
import { sampleAlert } from '../../webhook/alert-fixture.js';
import { fraudSerdes, freshFraudTopics } from '../fraud-helpers.js';
import { producer, uniqueName } from '../helpers.js';
import { brokers, createTopics, readToEnd, startStreams, tempStateDir, waitUntil } from '../streams/helpers.js';
import { ensureConfluentClient, runConfluentClient } from './confluent-client.js';
import { startTransactionPipeline, transaction, waitForRecords } from './pipeline.js';

/**
 * Confluent's own Python client (confluent-kafka 2.16.1, pinned in
 * interop/confluent/requirements.txt) against the real broker and registry,
 * through the compatibility shim (src/registry/ccompat-shim.ts) that the
 * cluster manager starts beside Apicurio.
 */

/** A value as Vigil's serde returns it, from Confluent's MessageToDict output (int64 as strings, etc.). */
function asVigil(messageName: 'vigil.v1.Transaction' | 'vigil.v1.Alert', dict: unknown): unknown {
  const type = vigilSchema().type(messageName);
  return type.toObject(type.fromObject(dict as { [k: string]: unknown }), { longs: Number, enums: String, defaults: true });
}

const FIXTURE = fileURLToPath(new URL('../../fixtures/small', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../models/fraud.onnx', import.meta.url));

beforeAll(() => ensureConfluentClient(), 600_000);

describe("Confluent's Python client and Vigil share the registry", () => {
  const url = inject('schemaRegistryUrl');
  const confluentUrl = inject('confluentRegistryUrl');
  const bootstrap = inject('kafkaBrokers');

  it("Confluent's ProtobufDeserializer reads Vigil's transactions and alerts through the registry, every field equal", async () => {
    const topics = { transactions: uniqueName('transactions'), alerts: uniqueName('alerts') };
    await createTopics(1, topics.transactions, topics.alerts);
    const txSerde = registrySerde<Transaction>({ url, topics: [topics.transactions], schema: vigilSchema().text, messageName: 'vigil.v1.Transaction' });
    const alertSerde = registrySerde<Alert>({ url, topics: [topics.alerts], schema: vigilSchema().text, messageName: 'vigil.v1.Alert' });
    await txSerde.prepare();
    await alertSerde.prepare();
    const txs = Array.from({ length: 20 }, (_, i) => transaction(i));
    const alerts = Array.from({ length: 5 }, (_, i) => sampleAlert(i));
    const p = await producer();
    await p.send(txs.map((tx) => ({ topic: topics.transactions, key: tx.card_id, value: txSerde.serialize(topics.transactions, tx) })));
    await p.send(alerts.map((a) => ({ topic: topics.alerts, key: a.alert_id, value: alertSerde.serialize(topics.alerts, a) })));

    const common = ['--bootstrap', bootstrap, '--registry', confluentUrl, '--group', uniqueName('confluent')];
    const readTx = await runConfluentClient(['consume', ...common, '--topic', topics.transactions, '--count', '20', '--message', 'vigil.v1.Transaction']);
    const readAlerts = await runConfluentClient(['consume', ...common, '--topic', topics.alerts, '--count', '5', '--message', 'vigil.v1.Alert']);

    expect(readTx.map((r) => r.schema_id)).toEqual(txs.map(() => txSerde.writerSchemaId(topics.transactions)));
    expect(readTx.map((r) => asVigil('vigil.v1.Transaction', r.value))).toEqual(txs);
    expect(readAlerts.map((r) => asVigil('vigil.v1.Alert', r.value))).toEqual(alerts);
    txSerde.close();
    alertSerde.close();
  });

  it("Confluent's ProtobufSerializer (use.latest.version) writes transactions that Vigil's engine reads, none dead-lettered", async () => {
    const { topics, serde } = await startTransactionPipeline();
    const txs = Array.from({ length: 20 }, (_, i) => ({ ...transaction(i), channel: i % 2 ? 'CHANNEL_CARD_PRESENT' : 'CHANNEL_ONLINE' }) as Transaction);
    const [summary] = await runConfluentClient(
      ['produce', '--latest', '--bootstrap', bootstrap, '--registry', confluentUrl, '--topic', topics.transactions, '--message', 'vigil.v1.Transaction'],
      txs.map((tx) => ({ key: tx.card_id, value: tx })),
    );
    expect(summary).toEqual({ sent: 20 });

    const out = await waitForRecords(topics.out, 20);
    expect(out.map((r) => r.value?.toString())).toEqual(txs.map((tx) => `${tx.transaction_id}/${tx.amount_minor}`));
    expect(await readToEnd(topics.dlq)).toEqual([]);
    // Framed with the id Vigil registered, and every field as Confluent wrote it.
    const written = await readToEnd(topics.transactions);
    expect(written.map((r) => r.value!.readUInt32BE(1))).toEqual(txs.map(() => serde.writerSchemaId(topics.transactions)));
    expect(written.map((r) => serde.deserialize(topics.transactions, r.value))).toEqual(txs);
  });

  it("Confluent's default producer (auto.register.schemas) registers its own version and produces at once; the engine reads every record", async () => {
    const { topics, serde } = await startTransactionPipeline();
    const vigilId = serde.writerSchemaId(topics.transactions);
    const txs = Array.from({ length: 20 }, (_, i) => transaction(i));
    await runConfluentClient(
      ['produce', '--bootstrap', bootstrap, '--registry', confluentUrl, '--topic', topics.transactions, '--message', 'vigil.v1.Transaction'],
      txs.map((tx) => ({ key: tx.card_id, value: tx })),
    );
    const out = await waitForRecords(topics.out, 20);
    expect(out.map((r) => r.value?.toString())).toEqual(txs.map((tx) => `${tx.transaction_id}/${tx.amount_minor}`));
    expect(await readToEnd(topics.dlq)).toEqual([]);
    // Confluent registered a second version (its base64 descriptor) and wrote with that id.
    const written = await readToEnd(topics.transactions);
    const confluentId = written[0]!.value!.readUInt32BE(1);
    expect(confluentId).not.toBe(vigilId);
    expect(serde.knownSchemaIds()).toContain(confluentId);
    expect(written.map((r) => serde.deserialize(topics.transactions, r.value))).toEqual(txs);
  });

  it("Vigil's fraud engine scores the fixture's transactions written by Confluent's producer exactly as the test driver does", async () => {
    const topics = await freshFraudTopics();
    const ignored = uniqueName('transactions-written-by-vigil');
    await createTopics(1, ignored);
    // Vigil's replay writes the profiles (its transactions go to a topic nobody reads) ...
    await replay({
      fixtureDir: FIXTURE,
      targets: { primary: brokers() },
      registryUrl: url,
      speed: 'max',
      topics: { transactions: ignored, profiles: topics.userProfiles },
      createTopics: false,
    });
    const serdes = await fraudSerdes(topics);
    // ... and Confluent's default producer writes every transaction, in file order, keyed by card.
    const lines: object[] = [];
    for await (const { transaction } of readLabelledTransactions(FIXTURE)) lines.push({ key: transaction.card_id, value: transaction });
    const [summary] = await runConfluentClient(
      ['produce', '--bootstrap', bootstrap, '--registry', confluentUrl, '--topic', topics.transactions, '--message', 'vigil.v1.Transaction'],
      lines,
    );
    expect(summary).toEqual({ sent: 1701 });

    const scorer = await OnnxScorer.load({ modelPath: MODEL });
    onTestFinished(() => scorer.close());
    const expected = await runFixture(FIXTURE, scorer, topics);
    expect(expected.alerts.length).toBeGreaterThan(40);
    const streams = await startStreams(
      buildFraudTopology({ serdes, topics, storeType: 'leveldb', scoring: { scorer, batch: { maxBatchSize: 64, maxDelayMs: 20 } } }),
      fraudStreamsConfig({ applicationId: uniqueName('confluent-fraud'), deadLetterTopic: topics.deadLetter, stateDir: tempStateDir() }),
    );
    await streams.waitForState('RUNNING');
    let alerts: Alert[] = [];
    await waitUntil(
      async () => {
        alerts = (await readToEnd(topics.alerts)).map((r) => serdes.alert.deserialize(topics.alerts, r.value) as Alert);
        return alerts.length >= expected.alerts.length;
      },
      180_000,
      `${expected.alerts.length} alerts`,
    );
    await streams.close();
    expect(alerts).toEqual(expected.alerts);
    expect(await readToEnd(topics.deadLetter)).toEqual([]);
  });
});
