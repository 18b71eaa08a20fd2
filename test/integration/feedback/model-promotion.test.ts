import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { ModelControlListener, writeModelControl, type ModelControl } from '../../../src/feedback/model-control.js';
import { loadModelVersion } from '../../../src/feedback/model-store.js';
import { OnnxScorer } from '../../../src/fraud/model/onnx-scorer.js';
import { SwitchableScorer } from '../../../src/fraud/model/switchable-scorer.js';
import type { Alert, Transaction } from '../../../src/fraud/schema/types.js';
import { readProfiles, readTransactionsPb } from '../../../src/fraud/simulator/fixture-reader.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { connectProducer } from '../../../src/streams/kafka/index.js';
import { runFixture } from '../../fraud/topology/fixture-run.js';
import { connection, uniqueName } from '../helpers.js';
import { fraudSerdes, freshFraudTopics } from '../fraud-helpers.js';
import { brokers, readToEnd, startStreams, tempStateDir, waitUntil } from '../streams/helpers.js';

const FIXTURE = fileURLToPath(new URL('../../fixtures/small', import.meta.url));
const MODELS = fileURLToPath(new URL('../../../models/', import.meta.url));

/** A models dir with the committed model under three versions: two good ones and one trained on other features. */
function modelsDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-models-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const metadata = JSON.parse(readFileSync(join(MODELS, 'fraud.metadata.json'), 'utf8')) as { version: string; feature_names: string[] };
  const put = (version: string, change: (m: typeof metadata) => void = () => {}) => {
    mkdirSync(join(dir, version));
    copyFileSync(join(MODELS, 'fraud.onnx'), join(dir, version, 'fraud.onnx'));
    const m = structuredClone(metadata);
    m.version = version;
    change(m);
    writeFileSync(join(dir, version, 'fraud.metadata.json'), JSON.stringify(m));
  };
  put('it-a');
  put('it-b');
  put('it-bad', (m) => m.feature_names.reverse());
  return dir;
}

describe('live model promotion through the model-control topic', () => {
  it('shadow-scores without alerting, switches the version on new alerts within seconds, loses and doubles nothing under exactly-once, and refuses a bad model', async () => {
    const dir = modelsDir();
    const topics = await freshFraudTopics();
    const controlTopic = uniqueName('model-control');
    const serdes = await fraudSerdes(topics);
    let shadowRows = 0;
    const scorer = new SwitchableScorer(await loadModelVersion(dir, 'it-a'), { onShadow: (rows) => (shadowRows += rows.length) });
    onTestFinished(() => scorer.close());
    const applied: Array<{ control: ModelControl; ok: boolean; code?: string; at: number }> = [];
    const listener = await ModelControlListener.start({
      connection: connection(),
      registryUrl: inject('schemaRegistryUrl'),
      topic: controlTopic,
      scorer,
      load: (version) => loadModelVersion(dir, version),
      log: pino({ level: 'silent' }),
      onApplied: (control, outcome) => applied.push({ control, ok: outcome.ok, ...(outcome.ok ? {} : { code: outcome.code }), at: Date.now() }),
    });
    onTestFinished(() => listener.close());

    // What the same model computes in the test driver: the alert set promotion must neither lose nor double.
    const reference = await OnnxScorer.load({ modelPath: join(dir, 'it-a', 'fraud.onnx') });
    onTestFinished(() => reference.close());
    const expected = (await runFixture(FIXTURE, reference, topics)).alerts;

    const streams = await startStreams(
      buildFraudTopology({ serdes, topics, storeType: 'leveldb', scoring: { scorer, batch: { maxBatchSize: 64, maxDelayMs: 20 } } }),
      { ...fraudStreamsConfig({ applicationId: uniqueName('promotion'), deadLetterTopic: topics.deadLetter, stateDir: tempStateDir() }), processingGuarantee: 'exactly_once' },
    );
    await streams.waitForState('RUNNING');

    const producer = await connectProducer({ brokers: brokers() }, { idempotent: true });
    onTestFinished(() => producer.close());
    await producer.send((await readProfiles(FIXTURE)).map((p) => ({ topic: topics.userProfiles, key: p.user_id, value: serdes.profile.serialize(topics.userProfiles, p) })));
    const txs: Transaction[] = [];
    for await (const { transaction } of readTransactionsPb(FIXTURE)) txs.push(transaction);
    const split = Math.floor(txs.length / 2);
    const send = (part: Transaction[]) => producer.send(part.map((t) => ({ topic: topics.transactions, key: t.card_id, value: serdes.transaction.serialize(topics.transactions, t) })));
    const alertsNow = async () => (await readToEnd(topics.alerts)).map((r) => serdes.alert.deserialize(topics.alerts, r.value) as Alert);
    const offsetOf = (a: Alert) => Number(a.source?.offset);

    // it-b scores beside it-a first: as a shadow it sees every row and alerts on none.
    const control = { connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic: controlTopic };
    await writeModelControl(control, { role: 'shadow', version: 'it-b', requested_by: 'test', requested_at_ms: Date.now() });
    await waitUntil(async () => scorer.shadow?.metadata.version === 'it-b', 10_000, 'the shadow model loaded');
    await send(txs.slice(0, split));
    const firstHalf = expected.filter((a) => offsetOf(a) < split).length;
    await waitUntil(async () => (await alertsNow()).length >= firstHalf, 90_000, `${firstHalf} alerts of the first half`);

    // The shadow scores beside the live model, off the alert path: the last rows of the half may land just after the last alert.
    await waitUntil(async () => shadowRows >= split, 10_000, `the shadow model scored all ${split} rows of the first half (so far ${shadowRows})`);
    const promotedAt = Date.now();
    await writeModelControl({ connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic: controlTopic }, { role: 'live', version: 'it-b', requested_by: 'test', requested_at_ms: promotedAt });
    await waitUntil(async () => applied.some((a) => a.control.role === 'live' && a.control.version === 'it-b' && a.ok), 10_000, 'the promotion applied');
    const switchMs = applied.find((a) => a.control.role === 'live' && a.control.version === 'it-b')!.at - promotedAt;
    expect(scorer.metadata.version).toBe('it-b');
    expect(scorer.shadow).toBeUndefined(); // the promoted shadow is live now, not scored twice

    await send(txs.slice(split));
    let alerts: Alert[] = [];
    await waitUntil(async () => (alerts = await alertsNow()).length >= expected.length, 90_000, `${expected.length} alerts`);

    // A model trained on other features is refused; it-b stays live and nothing more is alerted.
    await writeModelControl({ connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic: controlTopic }, { role: 'live', version: 'it-bad', requested_by: 'test', requested_at_ms: Date.now() });
    await waitUntil(async () => applied.some((a) => a.control.version === 'it-bad'), 10_000, 'the bad model refused');
    expect(applied.find((a) => a.control.version === 'it-bad')).toMatchObject({ ok: false, code: 'VIGIL_ERR_MODEL_METADATA' });
    expect(scorer.metadata.version).toBe('it-b');
    await streams.close();

    const ids = alerts.map((a) => a.alert_id);
    expect(new Set(ids).size).toBe(ids.length); // nothing doubled
    expect([...ids].sort()).toEqual(expected.map((a) => a.alert_id).sort()); // nothing lost
    for (const a of alerts) expect(a.model_version).toBe(offsetOf(a) < split ? 'it-a' : 'it-b');
    console.log(`promotion: control record → live in ${switchMs} ms; ${alerts.length} alerts (${firstHalf} by it-a, ${alerts.length - firstHalf} by it-b), none lost or doubled`);
  }, 240_000);
});
