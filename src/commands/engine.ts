import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../cluster/paths.js';
import { OnnxScorer } from '../fraud/model/onnx-scorer.js';
import { SwitchableScorer } from '../fraud/model/switchable-scorer.js';
import { DriftTracker, driftReferenceOf } from '../fraud/model/drift.js';
import type { Scorer } from '../fraud/model/scorer.js';
import { MODEL_CONTROL_TOPIC, ModelControlListener } from '../feedback/model-control.js';
import { loadModelVersion } from '../feedback/model-store.js';
import { VIGIL_PROTO_PATH, type Alert, type Transaction, type UserProfile } from '../fraud/schema/index.js';
import { buildFraudTopology } from '../fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../fraud/topology/streams-config.js';
import { DEFAULT_FRAUD_TOPICS, MIRRORED_TRANSACTIONS } from '../fraud/topology/topics.js';
import type { Logger } from '../log.js';
import { createFraudMetrics } from '../metrics/fraud-metrics.js';
import { createDriftMetrics, createLabelledOutcomeMetrics, createMetricsRegistry, createShadowMetrics, createStreamsMetrics, serveMetrics } from '../metrics/index.js';
import { LabelFollower } from '../feedback/label-follower.js';
import { StoredDecisionLog } from '../feedback/decision-log.js';
import { ShadowOutcomes } from '../feedback/shadow-outcomes.js';
import { registrySerde } from '../registry/registry-serde.js';
import { KafkaStreams, StreamsSupervisor, systemClock, type ProcessingGuarantee } from '../streams/index.js';
import { connectAdmin } from '../streams/kafka/index.js';
import { checkStateLayout } from '../fraud/topology/state-layout.js';
import { help, UsageError, type Command } from './command.js';
import { kafkaSecurityFromEnv, type KafkaSecurity } from './security-env.js';
import { untilStopped } from './command.js';

const USAGE = `vigil engine [--brokers host:port] [--registry url] [--guarantee exactly_once|at_least_once]
             [--model models/fraud.onnx] [--state-dir .vigil/state] [--metrics-port 9464]
             [--transactions topic | --mirrored]

Runs the fraud topology on Kafka: transactions in, scored alerts out.
TLS and SASL/SCRAM come from VIGIL_KAFKA_* variables (docs/security.md).

options:
  --brokers      bootstrap servers (default: KAFKA_BROKERS)
  --registry     schema registry URL (default: SCHEMA_REGISTRY_URL)
  --guarantee    processing guarantee (default: exactly_once)
  --model        ONNX model; its .metadata.json must sit beside it
  --state-dir    where LevelDB state lives (default: .vigil/state)
  --metrics-port Prometheus /metrics port (default: VIGIL_METRICS_PORT or 9464; 0 picks one)
  --app-id       application id: consumer group and internal topic prefix (default: vigil-fraud)
  --transactions the transactions topic, or /regex/ over co-partitioned topics (default: transactions)
  --models-dir   versioned models for live promotion: <dir>/<version>/fraud.onnx (default: models/versions)
  --model-control-topic  the compacted topic \`vigil model promote\` writes (default: model-control)
  --emit-features  also write every transaction's feature vector to transaction-features (JSON),
                 which \`vigil train --features-topic transaction-features\` learns from
  --mirrored     read MirrorMaker 2's us-east.transactions and us-west.transactions on a central
                 cluster: --transactions '/^(us-east|us-west)\\.transactions$/' (docs/multi-region.md)
  --decision-retention-days  how long each decision is kept on disk for the labels that come later
                 (chargebacks: days to weeks; default 60; ~52 bytes per transaction, docs/feedback.md)`;

export interface EngineHandle {
  /** The running instance; a new one after each supervised restart, so read it at each use. */
  readonly streams: KafkaStreams;
  metricsUrl: string;
  /** The live (and shadow) model; promotions go through the model-control topic. */
  readonly scorer: SwitchableScorer;
  close(): Promise<void>;
}

export interface EngineOptions {
  brokers: string[];
  registryUrl: string;
  guarantee: ProcessingGuarantee;
  modelPath: string;
  stateDir: string;
  metricsPort: number;
  applicationId: string;
  log: Logger;
  /**
   * Where transactions come from: a topic (default `transactions`) or a
   * pattern resolved at start, e.g. {@link MIRRORED_TRANSACTIONS} on the
   * central cluster of the multi-region deployment.
   */
  transactions?: string | RegExp;
  /** TLS and SASL for every Kafka client of the engine (see docs/security.md). */
  security?: KafkaSecurity;
  /**
   * Live promotion: follow the compacted model-control topic and load the
   * versions it names from `modelsDir/<version>/` (docs/feedback.md).
   */
  modelControl?: { modelsDir: string; topic?: string };
  /** Also write each transaction's feature vector (JSON) to the features topic, for `vigil train --features-topic`. */
  emitFeatures?: boolean;
  /** How long decisions are kept for the labelled precision and recall (default 60 days). */
  decisionRetentionMs?: number;
}

/** Starts the fraud engine and its /metrics endpoint; `close` stops both cleanly. */
export async function startEngine(o: EngineOptions): Promise<EngineHandle> {
  // Before anything else starts: card state of an older layout stops the engine with what to do.
  const admin = await connectAdmin({ brokers: o.brokers, clientId: `${o.applicationId}-layout-check`, ...o.security });
  try {
    await checkStateLayout(admin, o.applicationId);
    if (o.emitFeatures) await admin.createTopics([{ topic: DEFAULT_FRAUD_TOPICS.features, partitions: 4 }]);
  } finally {
    await admin.close();
  }
  const schema = readFileSync(VIGIL_PROTO_PATH, 'utf8');
  const topics = DEFAULT_FRAUD_TOPICS;
  const serde = <T>(topic: string, messageName: string) =>
    registrySerde<T>({ url: o.registryUrl, topics: [topic], schema, messageName });
  const serdes = {
    transaction: serde<Transaction>(topics.transactions, 'vigil.v1.Transaction'),
    profile: serde<UserProfile>(topics.userProfiles, 'vigil.v1.UserProfile'),
    alert: serde<Alert>(topics.alerts, 'vigil.v1.Alert'),
  };
  for (const s of Object.values(serdes)) await s.prepare();
  const initial = await OnnxScorer.load({ modelPath: o.modelPath });
  const registry = createMetricsRegistry({ service: 'engine' });
  const metrics = await serveMetrics(registry, o.metricsPort);
  const shadowMetrics = createShadowMetrics(registry);
  // Drift of the live model's inputs against its training data, restarted at each promotion.
  let drift: { model: Scorer; tracker: DriftTracker | undefined } | undefined;
  createDriftMetrics(registry, () => {
    const tracker = drift?.tracker;
    if (!drift || !tracker) return undefined;
    const score = tracker.scorePsi();
    return { version: drift.model.metadata.version, features: tracker.psi(), ...(score !== undefined ? { score } : {}) };
  });
  // The topology's scorer: the loaded model until a model-control record says otherwise.
  const scorer: SwitchableScorer = new SwitchableScorer(initial, {
    onScored: (rows, model, scores) => {
      if (drift?.model !== model) {
        const reference = driftReferenceOf(model.metadata);
        drift = { model, tracker: reference ? new DriftTracker(reference) : undefined };
      }
      drift.tracker?.observe(rows, scores);
    },
    onShadow: (_rows, live, shadow) =>
      shadowMetrics.observe({
        liveVersion: live.model.metadata.version,
        shadowVersion: shadow.model.metadata.version,
        liveThreshold: live.model.metadata.threshold,
        shadowThreshold: shadow.model.metadata.threshold,
        liveScores: live.scores,
        shadowScores: shadow.scores,
      }),
    onShadowError: (err) => {
      shadowMetrics.shadowFailed(scorer.shadow?.metadata.version ?? 'unknown');
      o.log.warn({ err, code: 'VIGIL_ERR_MODEL_SCORE' }, 'shadow model failed to score a batch; the live model is unaffected');
    },
  });
  const fraudMetrics = createFraudMetrics(registry);
  // Precision and recall of the live and the shadow model on transactions that get labels.
  // Decisions are kept on disk for the labels' whole delay (chargebacks come days later) and survive restarts.
  const decisionLog = await StoredDecisionLog.open({
    stateDir: o.stateDir,
    applicationId: o.applicationId,
    clock: systemClock,
    log: o.log.child({ component: 'decisions' }),
    onExpired: (expired) => outcomes.forget(expired),
    ...(o.decisionRetentionMs !== undefined ? { retentionMs: o.decisionRetentionMs } : {}),
  });
  const outcomes = new ShadowOutcomes(decisionLog);
  let loaded = 0;
  for await (const decision of decisionLog.load()) {
    outcomes.restored(decision);
    loaded++;
  }
  if (loaded > 0) o.log.info({ decisions: loaded }, 'decisions loaded for the labelled precision and recall');
  createLabelledOutcomeMetrics(registry, () => outcomes.outcomes());
  const streamsMetrics = createStreamsMetrics(registry); // once: every instance reports into it
  const build = (): KafkaStreams => {
    const instance = new KafkaStreams(
      buildFraudTopology({
        serdes,
        scoring: { scorer, onDecision: (d) => outcomes.decided(d) },
        ...(o.emitFeatures ? { emitFeatures: true } : {}),
        topics: { transactions: o.transactions ?? topics.transactions },
        dedupe: {
          onDuplicate: (d) => {
            fraudMetrics.duplicateDropped(d.source?.topic ?? 'unknown', d.conflicting);
            // A second delivery is expected (failover, MM2 restart) and logged quietly; a conflicting one is a producer bug.
            o.log[d.conflicting ? 'warn' : 'debug']({ duplicate: d }, d.conflicting ? 'transaction id reused by a different payment; dropped' : 'duplicate transaction dropped');
          },
        },
      }),
      {
        ...fraudStreamsConfig({ applicationId: o.applicationId, stateDir: o.stateDir, metrics: streamsMetrics }),
        brokers: o.brokers,
        processingGuarantee: o.guarantee,
        logger: o.log,
        ...o.security,
      },
    );
    instance.onStateChange((next, previous) => o.log.info({ from: previous, to: next }, 'engine state'));
    return instance;
  };
  // A broker outage or a failed exactly-once commit puts an instance in
  // ERROR; the supervisor replaces it, and the new one resumes from the last
  // commit, so the engine rides out the outage without a process restart.
  const supervisor = new StreamsSupervisor(build, { logger: o.log });

  await supervisor.start();
  const control = o.modelControl;
  const listener = control
    ? await ModelControlListener.start({
        connection: { brokers: o.brokers, clientId: `${o.applicationId}-model-control`, ...o.security },
        registryUrl: o.registryUrl,
        topic: control.topic ?? MODEL_CONTROL_TOPIC,
        scorer,
        load: (version) => loadModelVersion(control.modelsDir, version),
        log: o.log.child({ component: 'model-control' }),
      })
    : undefined;
  // Labels are optional: without the label topics (no chargebacks or verdicts yet) the gauges stay empty.
  const labels = await LabelFollower.start({
    connection: { brokers: o.brokers, clientId: `${o.applicationId}-labels`, ...o.security },
    registryUrl: o.registryUrl,
    outcomes,
    log: o.log.child({ component: 'labels' }),
  }).catch((err: unknown) => {
    o.log.warn({ err }, 'not following the label topics (chargebacks, alert-feedback); vigil_model_precision/recall stay empty');
    return undefined;
  });
  const sources = [...(supervisor.current.layout?.sourceTopics.keys() ?? [])].filter((t) => t !== topics.userProfiles);
  o.log.info({ metrics: metrics.url, model: scorer.metadata.version, guarantee: o.guarantee, sources }, 'engine started');
  return {
    get streams() {
      return supervisor.current;
    },
    metricsUrl: metrics.url,
    scorer,
    async close() {
      await listener?.close();
      await labels?.close();
      await supervisor.close();
      await decisionLog.close();
      await scorer.close();
      for (const s of Object.values(serdes)) s.close();
      await metrics.close();
    },
  };
}

export function engineCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: 'Run the fraud detection topology on Kafka (transactions in, alerts out).',
    async run(args) {
      const { values } = parseArgs({
        args,
        options: {
          brokers: { type: 'string' },
          registry: { type: 'string' },
          guarantee: { type: 'string', default: 'exactly_once' },
          model: { type: 'string', default: join(projectRoot, 'models', 'fraud.onnx') },
          'state-dir': { type: 'string', default: join(projectRoot, '.vigil', 'state') },
          'metrics-port': { type: 'string', default: process.env.VIGIL_METRICS_PORT ?? '9464' },
          'app-id': { type: 'string', default: 'vigil-fraud' },
          transactions: { type: 'string' },
          mirrored: { type: 'boolean' },
          'models-dir': { type: 'string', default: join(projectRoot, 'models', 'versions') },
          'model-control-topic': { type: 'string', default: MODEL_CONTROL_TOPIC },
          'emit-features': { type: 'boolean' },
          'decision-retention-days': { type: 'string', default: '60' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help(cmd);
      const brokers = values.brokers ?? process.env.KAFKA_BROKERS;
      const registryUrl = values.registry ?? process.env.SCHEMA_REGISTRY_URL;
      if (!brokers || !registryUrl) {
        throw new UsageError('set --brokers and --registry (or KAFKA_BROKERS and SCHEMA_REGISTRY_URL); `vigil kafka up` starts a local cluster and prints both');
      }
      if (values.guarantee !== 'exactly_once' && values.guarantee !== 'at_least_once') {
        throw new UsageError(`--guarantee must be exactly_once or at_least_once, got "${values.guarantee}"`);
      }
      if (values.mirrored && values.transactions !== undefined) throw new UsageError('pass --transactions or --mirrored, not both');
      const transactions = values.mirrored ? MIRRORED_TRANSACTIONS : values.transactions === undefined ? undefined : topicOrPattern(values.transactions);
      const metricsPort = Number(values['metrics-port']);
      if (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65_535) throw new UsageError('--metrics-port must be 0–65535');
      const retentionDays = Number(values['decision-retention-days']);
      if (!(retentionDays > 0)) throw new UsageError('--decision-retention-days must be a positive number of days');
      const security = kafkaSecurityFromEnv();
      const stopped = untilStopped();
      const engine = await startEngine({
        security,
        brokers: brokers.split(','),
        registryUrl,
        guarantee: values.guarantee,
        modelPath: values.model,
        stateDir: values['state-dir'],
        metricsPort,
        applicationId: values['app-id'],
        log,
        modelControl: { modelsDir: values['models-dir'], topic: values['model-control-topic'] },
        ...(values['emit-features'] ? { emitFeatures: true } : {}),
        decisionRetentionMs: retentionDays * 86_400_000,
        ...(transactions !== undefined ? { transactions } : {}),
      });
      await stopped;
      await engine.close();
      return 0;
    },
  };
  return cmd;
}

/** `name` → the topic; `/regex/flags` → a pattern. */
export function topicOrPattern(value: string): string | RegExp {
  const m = /^\/(.+)\/([a-z]*)$/.exec(value);
  if (!m) return value;
  try {
    return new RegExp(m[1] as string, m[2]);
  } catch (cause) {
    throw new UsageError(`--transactions ${value} is not a valid regular expression: ${(cause as Error).message}`);
  }
}
