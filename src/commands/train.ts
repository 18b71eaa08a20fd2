import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { endpointsOf } from '../cluster/cluster.js';
import { projectRoot } from '../cluster/paths.js';
import { describeTopology } from '../cluster/topology.js';
import { FeedbackError } from '../feedback/errors.js';
import { readTopicToEnd } from '../feedback/read-topic.js';
import { ALERT_FEEDBACK_MESSAGE, CHARGEBACK_MESSAGE, FEEDBACK_TOPICS, feedbackSchemaText, type AlertFeedback, type Chargeback } from '../feedback/schema.js';
import { featureListHash, labelRows, timeSplit, trainingCsv, type FeatureRow, type UnlabelledPolicy } from '../feedback/training-set.js';
import { FEATURE_NAMES } from '../fraud/features/feature-names.js';
import { driftReference } from '../fraud/model/drift.js';
import { OnnxScorer } from '../fraud/model/onnx-scorer.js';
import { readLabelledTransactions, readManifest, readProfiles } from '../fraud/simulator/fixture-reader.js';
import type { LabelledTransaction } from '../fraud/simulator/events.js';
import { backfillFeatures } from '../fraud/topology/backfill.js';
import { DEFAULT_FRAUD_TOPICS } from '../fraud/topology/topics.js';
import type { FeatureVector } from '../fraud/schema/types.js';
import type { Logger } from '../log.js';
import { registrySerde } from '../registry/registry-serde.js';
import type { KafkaConnectionOptions } from '../streams/kafka/index.js';
import { help, UsageError, type Command } from './command.js';

const USAGE = `vigil train (--fixture <dir> | --features-topic <topic>) [--unlabelled legit|drop]
            [--test-fraction 0.25] [--models-dir models/versions] [--brokers h:p] [--registry url]
            [--feedback-topic alert-feedback] [--chargebacks-topic chargebacks]

Trains a candidate model from what the loop learned: the serving features, labelled by the
verdicts on alert-feedback and the chargebacks on chargebacks. The features come either from
a replayed fixture (--fixture: backfill mode, the very topology the engine runs) or from the
features topic a running engine writes (--features-topic transaction-features, from
\`vigil engine --emit-features\`;
one JSON feature vector per transaction, the latest per transaction id).
The simulator's own labels are NOT used.

Labels: a chargeback is fraud (it wins over any verdict); then confirmed fraud = 1,
false positive = 0; unsure is no label. Rows with no label are legitimate
(--unlabelled legit, the default: the dispute window has passed) or left out (drop).
The later --test-fraction of event time is held out for evaluation. The model is fitted by
models/train.py in the pinned models/.venv (npm run train creates it) and written to
<models-dir>/<version>/ with fraud.metadata.json (metrics), training.json (label sources,
feature-list hash) and MODEL_CARD.md. Promote it with \`vigil model promote <version>\`.`;

export function trainCommand(log: Logger): Command {
  const cmd: Command = {
    usage: USAGE,
    summary: 'Train a candidate model from verdicts and chargebacks in Kafka.',
    async run(args) {
      const { values } = parseArgs({
        args,
        options: {
          fixture: { type: 'string' },
          'features-topic': { type: 'string' },
          unlabelled: { type: 'string', default: 'legit' },
          'test-fraction': { type: 'string', default: '0.25' },
          'models-dir': { type: 'string', default: join(projectRoot, 'models', 'versions') },
          brokers: { type: 'string', short: 'b' },
          registry: { type: 'string', short: 'r' },
          'feedback-topic': { type: 'string', default: FEEDBACK_TOPICS.alertFeedback },
          'chargebacks-topic': { type: 'string', default: FEEDBACK_TOPICS.chargebacks },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) return help(cmd);
      const featuresTopic = values['features-topic'];
      if (!values.fixture === !featuresTopic) {
        throw new UsageError('which features? pass --fixture <dir> (the fixture that was replayed) or --features-topic <topic> (what `vigil engine --emit-features` wrote), not both');
      }
      if (values.unlabelled !== 'legit' && values.unlabelled !== 'drop') throw new UsageError(`--unlabelled must be legit or drop, got "${values.unlabelled}"`);
      const testFraction = Number(values['test-fraction']);
      if (!(testFraction > 0 && testFraction < 1)) throw new UsageError(`--test-fraction must be in (0, 1), got "${values['test-fraction']}"`);
      const local = endpointsOf(describeTopology('single'));
      const connection: KafkaConnectionOptions = { brokers: (values.brokers ?? process.env.KAFKA_BROKERS ?? local.primary).split(','), clientId: 'vigil-train' };
      const registryUrl = values.registry ?? process.env.SCHEMA_REGISTRY_URL ?? local.registryUrl;
      const result = await train({
        ...(values.fixture ? { fixtureDir: values.fixture } : { featuresTopic: featuresTopic as string }),
        connection,
        registryUrl,
        feedbackTopic: values['feedback-topic'],
        chargebacksTopic: values['chargebacks-topic'],
        unlabelled: values.unlabelled,
        testFraction,
        modelsDir: values['models-dir'],
        log,
      });
      process.stdout.write(`trained ${result.version} → ${result.dir}\n${JSON.stringify(result.summary, null, 2)}\n`);
      return 0;
    },
  };
  return cmd;
}

export interface TrainOptions {
  /** The replayed fixture to backfill features from; or… */
  fixtureDir?: string;
  /** …the features topic a running engine wrote (`vigil engine --emit-features`). */
  featuresTopic?: string;
  connection: KafkaConnectionOptions;
  registryUrl: string;
  feedbackTopic: string;
  chargebacksTopic: string;
  unlabelled: UnlabelledPolicy;
  testFraction: number;
  modelsDir: string;
  log: Logger;
  /** Default models/.venv/bin/python. */
  python?: string;
}

/** Latest value per transaction id of a compacted label topic. */
async function latest<T extends { transaction_id: string }>(o: TrainOptions, topic: string, messageName: string): Promise<Map<string, T>> {
  const serde = registrySerde<T>({ url: o.registryUrl, topics: [topic], schema: feedbackSchemaText(), messageName, refreshIntervalMs: 0 });
  await serde.prepare();
  try {
    const byId = new Map<string, T>();
    for (const r of await readTopicToEnd(o.connection, topic)) {
      const key = r.key?.toString();
      if (!key) continue;
      const value = r.value === null ? null : serde.deserialize(topic, r.value);
      if (value === null) byId.delete(key);
      else byId.set(key, value);
    }
    return byId;
  } finally {
    serde.close();
  }
}

/** Serving features of a replayed fixture, through the topology in backfill mode. */
async function backfilled(fixtureDir: string): Promise<FeatureRow[]> {
  const history: LabelledTransaction[] = [];
  for await (const t of readLabelledTransactions(fixtureDir)) history.push(t);
  const features: FeatureRow[] = [];
  // The simulator's labels ride along in the backfill's rows; they are dropped here on purpose.
  for await (const row of backfillFeatures({ profiles: await readProfiles(fixtureDir), transactions: history })) {
    features.push({ transactionId: row.transactionId, cardId: row.cardId, eventTimeMs: row.eventTimeMs, features: row.features });
  }
  return features;
}

/** The feature vectors an engine wrote (JSON `FeatureVector`s), the latest per transaction id, in model order. */
async function fromFeaturesTopic(o: TrainOptions, topic: string): Promise<FeatureRow[]> {
  const byId = new Map<string, FeatureRow>();
  for (const r of await readTopicToEnd(o.connection, topic)) {
    if (r.value === null) continue;
    const v = JSON.parse(r.value.toString('utf8')) as FeatureVector;
    const values = FEATURE_NAMES.map((name) => v.features[name]);
    const missing = FEATURE_NAMES.find((_, i) => typeof values[i] !== 'number');
    if (missing !== undefined) {
      throw new FeedbackError('VIGIL_ERR_TRAIN_DATA', `${topic} offset ${r.offset} has no "${missing}": it was written by an engine with another feature set; train from a topic this version wrote`);
    }
    byId.set(v.transaction_id, { transactionId: v.transaction_id, cardId: v.card_id, eventTimeMs: Number(v.event_time_ms), features: values as number[] });
  }
  if (byId.size === 0) throw new FeedbackError('VIGIL_ERR_TRAIN_DATA', `${topic} holds no feature vectors; run the engine with --emit-features first`);
  return [...byId.values()].sort((a, b) => a.eventTimeMs - b.eventTimeMs);
}

export async function train(o: TrainOptions) {
  const python = o.python ?? join(projectRoot, 'models', '.venv', 'bin', 'python');
  if (!existsSync(python)) {
    throw new FeedbackError('VIGIL_ERR_TRAIN_ENV', `no pinned Python at ${python}; create it once with \`npm run train\` (or python3 -m venv models/.venv && models/.venv/bin/pip install -r models/requirements.txt)`);
  }
  const verdicts = await latest<AlertFeedback>(o, o.feedbackTopic, ALERT_FEEDBACK_MESSAGE);
  const chargebacks = await latest<Chargeback>(o, o.chargebacksTopic, CHARGEBACK_MESSAGE);
  const features = o.fixtureDir !== undefined ? await backfilled(o.fixtureDir) : await fromFeaturesTopic(o, o.featuresTopic ?? DEFAULT_FRAUD_TOPICS.features);
  const source =
    o.fixtureDir !== undefined ? { fixture: { dir: o.fixtureDir, seed: (await readManifest(o.fixtureDir)).seed } } : { features_topic: { topic: o.featuresTopic ?? DEFAULT_FRAUD_TOPICS.features, rows: features.length } };
  const { rows, summary } = labelRows(features, verdicts, chargebacks, o.unlabelled);
  const split = timeSplit(rows, o.testFraction);
  const testFraud = split.test.filter((r) => r.label === 1).length;
  const trainFraud = split.train.filter((r) => r.label === 1).length;
  if (trainFraud === 0 || testFraud === 0) {
    throw new FeedbackError('VIGIL_ERR_TRAIN_DATA', `too few fraud labels to train and evaluate: ${trainFraud} before and ${testFraud} after the time split; replay chargebacks or give verdicts first`);
  }
  const work = mkdtempSync(join(tmpdir(), 'vigil-train-'));
  try {
    writeFileSync(join(work, 'train.csv'), trainingCsv(split.train, FEATURE_NAMES));
    writeFileSync(join(work, 'test.csv'), trainingCsv(split.test, FEATURE_NAMES));
    const out = join(work, 'out');
    mkdirSync(out);
    await run(python, [join(projectRoot, 'models', 'train.py'), '--train', join(work, 'train.csv'), '--test', join(work, 'test.csv'), '--out', out], o.log);
    const metadataPath = join(out, 'fraud.metadata.json');
    const metadata = JSON.parse(readFileSync(metadataPath, 'utf8')) as { version: string; held_out: unknown; drift_reference?: unknown };
    // The training distribution the engine measures drift against (vigil_feature_psi), and the
    // candidate's own scores on those rows (vigil_score_psi).
    const trainRows = split.train.map((r) => r.features);
    metadata.drift_reference = driftReference(FEATURE_NAMES, trainRows, undefined, await scoresOf(join(out, 'fraud.onnx'), trainRows));
    writeFileSync(metadataPath, JSON.stringify(metadata, null, 2) + '\n');
    const training = {
      version: metadata.version,
      feature_list_hash: featureListHash(FEATURE_NAMES),
      ...source,
      label_sources: { alert_feedback: { topic: o.feedbackTopic, transactions: verdicts.size }, chargebacks: { topic: o.chargebacksTopic, transactions: chargebacks.size } },
      unlabelled_policy: o.unlabelled === 'legit' ? 'unlabelled rows are legitimate (label 0)' : 'unlabelled rows are left out',
      rows: summary,
      time_split: { cut_ms: split.cutMs, train_rows: split.train.length, train_fraud: trainFraud, test_rows: split.test.length, test_fraud: testFraud },
      held_out: metadata.held_out,
    };
    writeFileSync(join(out, 'training.json'), JSON.stringify(training, null, 2) + '\n');
    const dir = join(o.modelsDir, metadata.version);
    mkdirSync(o.modelsDir, { recursive: true });
    rmSync(dir, { recursive: true, force: true }); // same version = same ONNX bytes: replacing is idempotent
    renameSync(out, dir);
    o.log.info({ version: metadata.version, dir }, 'candidate model written');
    return { version: metadata.version, dir, summary: training };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The model's scores of `rows`, in batches (the same ONNX runtime the engine serves with). */
export async function scoresOf(modelPath: string, rows: ReadonlyArray<readonly number[]>): Promise<number[]> {
  const scorer = await OnnxScorer.load({ modelPath });
  try {
    const scores: number[] = [];
    for (let i = 0; i < rows.length; i += 4_096) scores.push(...(await scorer.score(rows.slice(i, i + 4_096))));
    return scores;
  } finally {
    await scorer.close();
  }
}

function run(cmd: string, args: string[], log: Logger): Promise<void> {
  return new Promise((resolve, reject) => {
    // One OpenMP thread, as train.sh: the fit does not depend on it, and a busy machine does not stall.
    const proc = spawn(cmd, args, { env: { ...process.env, OMP_NUM_THREADS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    proc.stderr.on('data', (c: Buffer) => {
      tail = (tail + c.toString()).slice(-4000);
      log.debug({ train: c.toString().trim() }, 'train.py');
    });
    proc.stdout.on('data', () => {});
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0 ? resolve() : reject(new FeedbackError('VIGIL_ERR_TRAIN_DATA', `models/train.py exited with ${code}: ${tail.trim().split('\n').slice(-3).join(' | ')}`)),
    );
  });
}
