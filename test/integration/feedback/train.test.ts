import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, inject, it, onTestFinished } from 'vitest';
import { projectRoot } from '../../../src/cluster/paths.js';
import { train } from '../../../src/commands/train.js';
import { replayChargebacks } from '../../../src/feedback/chargeback-replay.js';
import { chargebacksFor } from '../../../src/feedback/chargebacks.js';
import { KafkaFeedbackSink } from '../../../src/feedback/feedback-sink.js';
import { checkModelVersion } from '../../../src/feedback/model-store.js';
import { featureListHash } from '../../../src/feedback/training-set.js';
import { FEATURE_NAMES } from '../../../src/fraud/features/feature-names.js';
import { driftReferenceOf } from '../../../src/fraud/model/drift.js';
import { readLabelledTransactions } from '../../../src/fraud/simulator/fixture-reader.js';
import { connection, uniqueName } from '../helpers.js';
import { fraudSerdes, freshFraudTopics } from '../fraud-helpers.js';
import { brokers, createTopics, readToEnd, startStreams, tempStateDir, waitUntil } from '../streams/helpers.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { readProfiles, readTransactionsPb } from '../../../src/fraud/simulator/fixture-reader.js';
import type { Transaction } from '../../../src/fraud/schema/types.js';
import { connectProducer } from '../../../src/streams/kafka/index.js';

const FIXTURE = 'test/fixtures/small';
const PYTHON = join(projectRoot, 'models', '.venv', 'bin', 'python');

/** The pinned environment, created from the project's own files when missing (as `npm run train` does). */
function ensureVenv(): void {
  if (existsSync(PYTHON)) return;
  execFileSync('python3', ['-m', 'venv', join(projectRoot, 'models', '.venv')], { stdio: 'inherit' });
  execFileSync(join(projectRoot, 'models', '.venv', 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', '-r', join(projectRoot, 'models', 'requirements.txt')], { stdio: 'inherit' });
}

describe('vigil train from Kafka', () => {
  it('trains a candidate from replayed chargebacks and verdicts, evaluated on a later time split, into a promotable version dir', async () => {
    ensureVenv();
    const log = pino({ level: 'silent' });
    const chargebacksTopic = uniqueName('chargebacks');
    const feedbackTopic = uniqueName('alert-feedback');
    const cb = await replayChargebacks({ fixtureDir: FIXTURE, connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic: chargebacksTopic, log });
    // Two analyst verdicts: a confirmed fraud the chargebacks missed, and a false positive on a legitimate payment.
    const txs = [];
    for await (const t of readLabelledTransactions(FIXTURE)) txs.push(t);
    const sink = await KafkaFeedbackSink.start({ connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic: feedbackTopic, log });
    onTestFinished(() => sink.close());
    const disputed = new Set(chargebacksFor(txs, { seed: 42 }).map((c) => c.transaction_id));
    const fraud = txs.find((t) => t.label && !disputed.has(t.transaction.transaction_id))!.transaction;
    const legit = txs.find((t) => !t.label)!.transaction;
    for (const [tx, verdict] of [[fraud, 'VERDICT_CONFIRMED_FRAUD'], [legit, 'VERDICT_FALSE_POSITIVE']] as const) {
      await sink.write({ transaction_id: tx.transaction_id, alert_id: `a-${tx.transaction_id}`, verdict, analyst: 'alice', decided_at_ms: tx.event_time_ms + 3_600_000, model_version: 'm', score: 0.9, card_id: tx.card_id, event_time_ms: tx.event_time_ms });
    }

    const modelsDir = mkdtempSync(join(tmpdir(), 'vigil-trained-'));
    onTestFinished(() => rmSync(modelsDir, { recursive: true, force: true }));
    const started = Date.now();
    const result = await train({ fixtureDir: FIXTURE, connection: connection(), registryUrl: inject('schemaRegistryUrl'), feedbackTopic, chargebacksTopic, unlabelled: 'legit', testFraction: 0.25, modelsDir, log });
    const trainMs = Date.now() - started;

    const training = JSON.parse(readFileSync(join(result.dir, 'training.json'), 'utf8'));
    expect(training.feature_list_hash).toBe(featureListHash(FEATURE_NAMES));
    expect(training.label_sources).toEqual({ alert_feedback: { topic: feedbackTopic, transactions: 2 }, chargebacks: { topic: chargebacksTopic, transactions: cb.chargebacks } });
    expect(training.rows.bySource.chargeback).toBe(cb.chargebacks);
    expect(training.rows.bySource.verdict_legit).toBe(1);
    expect(training.rows.bySource.verdict_fraud).toBe(1); // missed by the chargebacks, labelled by the analyst
    expect(training.rows.fraud).toBe(cb.chargebacks + 1);
    expect(training.time_split.train_fraud).toBeGreaterThan(0);
    expect(training.time_split.test_fraud).toBeGreaterThan(0);
    expect(training.held_out).toMatchObject({ transactions: training.time_split.test_rows, fraud_transactions: training.time_split.test_fraud });
    expect(training.held_out.pr_auc).toBeGreaterThan(0);
    // The candidate fits the engine's features: `vigil model promote` would accept it.
    expect(checkModelVersion(modelsDir, result.version).version).toBe(result.version);
    expect(existsSync(join(result.dir, 'MODEL_CARD.md'))).toBe(true);
    // The training distribution ships with the model, so the engine can report drift against it.
    const metadata = JSON.parse(readFileSync(join(result.dir, 'fraud.metadata.json'), 'utf8'));
    expect(driftReferenceOf(metadata)?.features.map((f) => f.name)).toEqual([...FEATURE_NAMES]);
    const h = training.held_out;
    console.log(`train: ${training.rows.rows} rows (${training.rows.fraud} fraud labels: ${training.rows.bySource.chargeback} chargebacks + ${training.rows.bySource.verdict_fraud} verdict), held out ${h.transactions} rows after the time split: PR-AUC ${h.pr_auc}, precision ${h.precision}, recall ${h.recall}; ${trainMs} ms`);
  }, 600_000);

  it('trains from the features topic a running engine wrote (--emit-features), labelled by the chargebacks', async () => {
    ensureVenv();
    const log = pino({ level: 'silent' });
    const topics = await freshFraudTopics();
    const featuresTopic = uniqueName('transaction-features');
    const chargebacksTopic = uniqueName('chargebacks');
    const feedbackTopic = uniqueName('alert-feedback');
    await createTopics(1, featuresTopic, feedbackTopic);
    const serdes = await fraudSerdes(topics);
    const streams = await startStreams(buildFraudTopology({ serdes, topics: { ...topics, features: featuresTopic }, storeType: 'leveldb', emitFeatures: true }), {
      ...fraudStreamsConfig({ applicationId: uniqueName('emit-features'), deadLetterTopic: topics.deadLetter, stateDir: tempStateDir() }),
      processingGuarantee: 'exactly_once',
    });
    await streams.waitForState('RUNNING');
    const producer = await connectProducer({ brokers: brokers() }, { idempotent: true });
    onTestFinished(() => producer.close());
    await producer.send((await readProfiles(FIXTURE)).map((p) => ({ topic: topics.userProfiles, key: p.user_id, value: serdes.profile.serialize(topics.userProfiles, p) })));
    const txs: Transaction[] = [];
    for await (const { transaction } of readTransactionsPb(FIXTURE)) txs.push(transaction);
    await producer.send(txs.map((t) => ({ topic: topics.transactions, key: t.card_id, value: serdes.transaction.serialize(topics.transactions, t) })));
    await waitUntil(async () => (await readToEnd(featuresTopic)).length >= txs.length, 90_000, `${txs.length} feature vectors`);
    await streams.close();
    const cb = await replayChargebacks({ fixtureDir: FIXTURE, connection: connection(), registryUrl: inject('schemaRegistryUrl'), topic: chargebacksTopic, log });

    const modelsDir = mkdtempSync(join(tmpdir(), 'vigil-trained-'));
    onTestFinished(() => rmSync(modelsDir, { recursive: true, force: true }));
    const result = await train({ featuresTopic, connection: connection(), registryUrl: inject('schemaRegistryUrl'), feedbackTopic, chargebacksTopic, unlabelled: 'legit', testFraction: 0.25, modelsDir, log });
    const training = JSON.parse(readFileSync(join(result.dir, 'training.json'), 'utf8'));
    expect(training.features_topic).toEqual({ topic: featuresTopic, rows: txs.length });
    expect(training.rows).toMatchObject({ rows: txs.length, fraud: cb.chargebacks });
    expect(training.time_split.train_fraud + training.time_split.test_fraud).toBe(cb.chargebacks);
    // The features learned from are the serving ones: a model trained on them ranks the later fraud (0.777 measured).
    expect(training.held_out).toMatchObject({ transactions: training.time_split.test_rows, fraud_transactions: training.time_split.test_fraud });
    expect(training.held_out.pr_auc).toBeGreaterThan(0.5);
    expect(checkModelVersion(modelsDir, result.version).version).toBe(result.version);
    expect(driftReferenceOf(JSON.parse(readFileSync(join(result.dir, 'fraud.metadata.json'), 'utf8')))?.score).toBeDefined();
    console.log(`train from ${featuresTopic}: ${training.rows.rows} rows, ${training.rows.fraud} fraud labels; held out PR-AUC ${training.held_out.pr_auc}`);
  }, 600_000);
});
