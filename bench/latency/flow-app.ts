/**
 * The closest TypeScript peer, @kafkats/flow, running the fraud topology as
 * far as its DSL allows. What it cannot express, and how this works around it:
 *
 * - No Processor API and no access to state stores from the DSL: the
 *   per-card feature state (Vigil's `fraud-card-state` key-value store and
 *   `fraud-card-recent` window store) becomes one `aggregate` per card whose
 *   value holds the card state, its transactions of the last 24 h and the
 *   alert just computed; the whole aggregate is rewritten (and
 *   change-logged) on every transaction.
 * - Aggregators are synchronous: the scorer interface (async, for ONNX) and
 *   micro-batching cannot be used; the logistic score and its occlusion
 *   reasons are computed inline (logisticReasons).
 * - No record metadata (topic/partition/offset) in the DSL: the alert id is
 *   `tx/<transaction id>` (Vigil's fallback) and the alert has no `source`.
 * - GlobalKTable joins have no key extractor: the stream is re-keyed by
 *   user id for the profile join, then back to the card id.
 * - No dead-letter handler for undecodable bytes: the codec maps them to
 *   null and they are filtered out (not dead-lettered); invalid transactions
 *   do go to the DLQ through a branch.
 */
import { readFileSync } from 'node:fs';
import { flow, type Codec } from '@kafkats/flow';
import { buildAlert } from '../../src/fraud/decision/alert.js';
import type { CardState } from '../../src/fraud/features/card-state.js';
import { computeFeatures } from '../../src/fraud/features/compute-features.js';
import { toFeatureArray } from '../../src/fraud/features/feature-names.js';
import { DAY_MS, type RecentTransaction } from '../../src/fraud/features/recent-activity.js';
import type { Alert, Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import { VIGIL_PROTO_PATH } from '../../src/fraud/schema/vigil-schema.js';
import { validateTransaction, validationLimits } from '../../src/fraud/topology/validation.js';
import { registrySerde } from '../../src/registry/registry-serde.js';
import { logisticMetadata, logisticReasons, logisticScore } from './logistic.js';
import { READY_LINE, type SutConfig } from './systems.js';

const config = JSON.parse(process.argv[2] as string) as SutConfig;
const schema = readFileSync(VIGIL_PROTO_PATH, 'utf8');
const serde = <T>(topic: string, messageName: string) => registrySerde<T>({ url: config.registryUrl, topics: [topic], schema, messageName });
const txSerde = serde<Transaction>(config.topics.transactions, 'vigil.v1.Transaction');
const profileSerde = serde<UserProfile>(config.topics.userProfiles, 'vigil.v1.UserProfile');
const alertSerde = serde<Alert>(config.topics.alerts, 'vigil.v1.Alert');
for (const s of [txSerde, profileSerde, alertSerde]) await s.prepare();

const metadata = logisticMetadata(0);
const limits = validationLimits();
const utf8: Codec<string> = { encode: (s) => Buffer.from(s), decode: (b) => b.toString() };
const json = <T>(): Codec<T> => ({ encode: (v) => Buffer.from(JSON.stringify(v)), decode: (b) => JSON.parse(b.toString()) as T });
const decodeOrNull = <T>(f: () => T): T | null => {
  try {
    return f();
  } catch {
    return null;
  }
};
const txCodec: Codec<Transaction | null> = {
  encode: (v) => txSerde.serialize(config.topics.deadLetter, v) ?? Buffer.alloc(0),
  decode: (b) => decodeOrNull(() => txSerde.deserialize(config.topics.transactions, b)),
};
const profileCodec: Codec<UserProfile | null> = {
  encode: () => Buffer.alloc(0),
  decode: (b) => decodeOrNull(() => profileSerde.deserialize(config.topics.userProfiles, b)),
};
const alertCodec: Codec<Alert> = {
  encode: (v) => alertSerde.serialize(config.topics.alerts, v) ?? Buffer.alloc(0),
  decode: (b) => alertSerde.deserialize(config.topics.alerts, b) as Alert,
};

interface CardAggregate {
  state: CardState | null;
  recent: RecentTransaction[];
  alert: Alert | null;
}
interface Profiled {
  tx: Transaction;
  profile: UserProfile | null;
}

const app = flow({
  applicationId: config.applicationId,
  client: { brokers: config.brokers, clientId: config.applicationId },
  processingGuarantee: config.guarantee,
  commitIntervalMs: config.commitIntervalMs,
  stateDir: config.stateDir,
  changelog: { replicationFactor: 1 },
});
const profiles = app.globalTable<string, UserProfile | null>(config.topics.userProfiles, { key: utf8, value: profileCodec });
const [valid, rejected] = app
  .stream<string, Transaction | null>(config.topics.transactions, { key: utf8, value: txCodec, offsetReset: 'earliest' })
  .filter((_k, tx) => tx !== null)
  .branch(
    (_k, tx) => validateTransaction(tx, Date.now(), limits) === null,
    () => true,
  );
(rejected as NonNullable<typeof rejected>).to(config.topics.deadLetter, { key: utf8, value: txCodec });
(valid as NonNullable<typeof valid>)
  .selectKey((tx) => (tx as Transaction).user_id)
  .leftJoin(profiles, (tx, profile): Profiled => ({ tx: tx as Transaction, profile }))
  .selectKey((v) => (v as Profiled).tx.card_id)
  .groupByKey({ key: utf8, value: json<Profiled>() })
  .aggregate<CardAggregate>(
    () => ({ state: null, recent: [], alert: null }),
    (_card, { tx, profile }, agg) => {
      const t = tx.event_time_ms;
      // The window store's (t − 24 h, t] range, kept by hand.
      const recent = agg.recent.filter((r) => r.eventTimeMs > t - DAY_MS);
      const computed = computeFeatures(tx, profile, agg.state ?? undefined, recent.filter((r) => r.eventTimeMs <= t));
      const features = toFeatureArray(computed.values);
      const score = logisticScore(features);
      const alert = score >= metadata.threshold ? buildAlert(tx, score, metadata.version, logisticReasons(features, score, metadata), null) : null;
      recent.push(computed.recent);
      return { state: computed.nextState, recent, alert };
    },
    { key: utf8, value: json<CardAggregate>() },
  )
  .toStream()
  .filter((_k, agg) => agg?.alert != null)
  .mapValues((agg) => (agg as CardAggregate).alert as Alert)
  .to(config.topics.alerts, { key: utf8, value: alertCodec });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await app.close();
  for (const s of [txSerde, profileSerde, alertSerde]) s.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
await app.start();
process.stdout.write(`${READY_LINE}\n`);
