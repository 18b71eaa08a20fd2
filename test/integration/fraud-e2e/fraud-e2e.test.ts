import { fileURLToPath } from 'node:url';
import { inject, onTestFinished } from 'vitest';
import { describe, expect, it } from 'vitest';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';
import { replay } from '../../../src/fraud/replay/index.js';
import type { Alert } from '../../../src/fraud/schema/types.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { connectProducer } from '../../../src/streams/kafka/index.js';
import { runFixture } from '../../fraud/topology/fixture-run.js';
import { uniqueName } from '../helpers.js';
import { fraudSerdes, freshFraudTopics } from '../fraud-helpers.js';
import { brokers, readToEnd, startStreams, tempStateDir, waitUntil } from '../streams/helpers.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/small', import.meta.url));
const MODEL = fileURLToPath(new URL('../../../models/fraud.onnx', import.meta.url));

/** Stage timings on stderr when VIGIL_TEST_LOG is set (a slow broker shows where the time goes). */
const started = Date.now();
const stage = (what: string) => {
  if (process.env.VIGIL_TEST_LOG) process.stderr.write(`[fraud-e2e +${((Date.now() - started) / 1000).toFixed(1)} s] ${what}\n`);
};

describe('fraud topology end to end on the broker and the registry', () => {
  it('turns a replayed fixture into exactly the alerts the test driver computes, and dead-letters poison records', async () => {
    const topics = await freshFraudTopics();
    const replayed = await replay({
      fixtureDir: FIXTURE,
      targets: { primary: brokers() },
      registryUrl: inject('schemaRegistryUrl'),
      speed: 'max',
      topics: { transactions: topics.transactions, profiles: topics.userProfiles },
      createTopics: false,
    });
    expect(replayed.transactions).toBe(1701);
    stage('fixture replayed');
    // A poison record after the fixture: not in the wire format at all.
    const producer = await connectProducer({ brokers: brokers() }, { idempotent: true });
    await producer.send([{ topic: topics.transactions, key: 'c-poison', value: Buffer.from('not protobuf') }]);
    await producer.close();

    const scorer = await OnnxScorer.load({ modelPath: MODEL });
    onTestFinished(() => scorer.close());
    const serdes = await fraudSerdes(topics);
    const topology = buildFraudTopology({ serdes, topics, storeType: 'leveldb', scoring: { scorer, batch: { maxBatchSize: 64, maxDelayMs: 20 } } });
    const expected = await runFixture(FIXTURE, scorer, topics);
    expect(expected.alerts.length).toBeGreaterThan(40);
    stage(`driver computed ${expected.alerts.length} alerts`);

    const streams = await startStreams(
      topology,
      fraudStreamsConfig({ applicationId: uniqueName('fraud-e2e'), deadLetterTopic: topics.deadLetter, stateDir: tempStateDir() }),
    );
    await streams.waitForState('RUNNING');
    stage('streams running');
    let alerts: Alert[] = [];
    await waitUntil(
      async () => {
        alerts = (await readToEnd(topics.alerts)).map((r) => serdes.alert.deserialize(topics.alerts, r.value) as Alert);
        stage(`${alerts.length} alerts on the topic`);
        return alerts.length >= expected.alerts.length;
      },
      180_000,
      `${expected.alerts.length} alerts`,
    );
    // The poison record is the last input; its dead letter may be produced after the last alert.
    let dead: Awaited<ReturnType<typeof readToEnd>> = [];
    await waitUntil(
      async () => {
        dead = await readToEnd(topics.deadLetter);
        return dead.length >= 1;
      },
      60_000,
      'the poison record in the dead-letter topic',
    );
    await streams.close();

    expect(alerts).toEqual(expected.alerts);
    // The located fields of the contract ride through replay, the registry serde, the engine and into the alert.
    const located = (pick: (t: NonNullable<Alert['transaction']>) => unknown) => alerts.filter((a) => a.transaction && pick(a.transaction) !== undefined).length;
    expect(located((t) => t.terminal_location)).toBeGreaterThan(0);
    expect(located((t) => t.payer_location)).toBeGreaterThan(0);
    expect(located((t) => t.merchant_location)).toBe(located((t) => t.payer_location));
    expect(dead).toHaveLength(1);
    expect(dead[0]?.key?.toString()).toBe('c-poison');
    expect(dead[0]?.headers['vigil.error.code']?.toString()).toBe('VIGIL_ERR_DESERIALIZATION');
  }, 300_000);
});
