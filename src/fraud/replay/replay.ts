import type { Serializer } from '../../streams/index.js';
import {
  connectAdmin,
  connectProducer,
  type KafkaAdmin,
  type KafkaConnectionOptions,
  type KafkaProducer,
  type ProducedRecord,
  type ProducerOptions,
  type TopicSpec,
} from '../../streams/kafka/index.js';
import { registrySerde, type RegistrySerde } from '../../registry/registry-serde.js';
import type { Transaction, UserProfile } from '../schema/types.js';
import { vigilSchema } from '../schema/vigil-schema.js';
import { FraudDataError } from '../simulator/errors.js';
import { readManifest, readProfiles, readTransactionsPb } from '../simulator/fixture-reader.js';
import type { FixtureManifest } from '../simulator/fixture-format.js';
import { createPacer, systemClock, type ReplayClock } from './pacer.js';

export interface ReplayTargets {
  /** The cluster that gets the profiles (and every transaction when `regions` is absent): `host:port` list. */
  primary: string[];
  /** Multi-region: region (`us-east`, `us-west`) → that region's cluster; each transaction goes to its region's. */
  regions?: Record<string, string[]>;
}

export interface ReplayOptions {
  fixtureDir: string;
  targets: ReplayTargets;
  /** Confluent-compatible registry URL; one registry serves every cluster. */
  registryUrl: string;
  /** Event-time speed-up (10 = ten times faster than recorded), or `max` for as fast as possible. */
  speed: number | 'max';
  /** Topic names; default `transactions` and `user-profiles`. */
  topics?: { transactions?: string; profiles?: string };
  /** Create missing topics (4 partitions; profiles compacted); default true. */
  createTopics?: boolean;
  /** Records per produce request; default 4000 (measured: 500 → 5k tx/s, 4000 → 10k tx/s on the local broker). */
  batchSize?: number;
  clock?: ReplayClock;
  /** The Kafka client; default the engine's kafkajs facade (tests pass fakes). */
  kafka?: ReplayKafka;
  /**
   * Value serdes; default registry serdes prepared against `registryUrl`.
   * Tests pass `staticRegistrySerde`s to run without a registry.
   */
  serdes?: { transactions: Serializer<Transaction>; profiles: Serializer<UserProfile> };
  /** Called after each produce request with the totals so far. */
  onProgress?(progress: ReplayProgress): void;
  signal?: AbortSignal;
  /** TLS and SASL for every cluster (see docs/security.md). */
  security?: Pick<KafkaConnectionOptions, 'tls' | 'sasl'>;
}

export interface ReplayProgress {
  profiles: number;
  transactions: number;
  /** Of transactions, from the manifest. */
  total: number;
  /** Event time of the last transaction sent. */
  eventTimeMs: number;
}

export interface ReplayResult {
  manifest: FixtureManifest;
  profiles: number;
  transactions: number;
  /** Transactions per cluster (the primary is `primary`, regions by name). */
  byCluster: Record<string, number>;
  elapsedMs: number;
  /** Transactions per second achieved over the transaction phase. */
  rate: number;
}

/** The two facade calls replay needs. */
export interface ReplayKafka {
  connectProducer(connection: KafkaConnectionOptions, options: ProducerOptions): Promise<KafkaProducer>;
  connectAdmin(connection: KafkaConnectionOptions): Promise<Pick<KafkaAdmin, 'createTopics' | 'close'>>;
}

const defaultKafka: ReplayKafka = { connectProducer, connectAdmin };

interface Target {
  name: string;
  brokers: string[];
  producer?: KafkaProducer;
  pending: ProducedRecord[];
  /** The one request in flight: sends overlap with reading the next batch, never with each other. */
  inflight?: Promise<void>;
  sent: number;
}

const PARTITIONS = 4;

function connection(brokers: string[], security: ReplayOptions['security'] = {}): KafkaConnectionOptions {
  // Fail fast (a few seconds) when nothing listens, rather than kafkajs' long default retry.
  return { brokers, clientId: 'vigil-replay', connectionTimeoutMs: 3_000, retries: 2, ...security };
}

function brokerError(target: { name: string; brokers: string[] }, action: string, cause: unknown): FraudDataError {
  return new FraudDataError(
    'VIGIL_ERR_REPLAY_BROKER',
    `${action} on the ${target.name} cluster (${target.brokers.join(',')}) failed: ${(cause as Error).message}. ` +
      'Is the cluster up? Start it with `vigil kafka up --topology single` (or multi-region), or pass the right --brokers.',
    { cause },
  );
}

// Transactions are stamped on append (see src/cluster/topology.ts): the
// record timestamp is then when the transaction landed in Kafka, which is
// what alert latency is measured from. Event time travels in the value.
const TOPIC_CONFIG = { compacted: { 'cleanup.policy': 'compact' }, appendTimed: { 'message.timestamp.type': 'LogAppendTime' } };

async function ensureTopics(kafka: ReplayKafka, target: Target, specs: Array<{ topic: string; compacted?: boolean }>, security: ReplayOptions['security']): Promise<void> {
  let admin;
  try {
    admin = await kafka.connectAdmin(connection(target.brokers, security));
  } catch (cause) {
    throw brokerError(target, 'connecting', cause);
  }
  try {
    await admin.createTopics(
      specs.map((s): TopicSpec => ({ topic: s.topic, partitions: PARTITIONS, config: s.compacted ? TOPIC_CONFIG.compacted : TOPIC_CONFIG.appendTimed })),
    );
  } catch (cause) {
    throw brokerError(target, `creating ${specs.map((s) => s.topic).join(', ')}`, cause);
  } finally {
    await admin.close();
  }
}

async function prepareSerde<T>(serde: RegistrySerde<T>, url: string): Promise<RegistrySerde<T>> {
  try {
    await serde.prepare();
  } catch (cause) {
    serde.close();
    throw new FraudDataError(
      'VIGIL_ERR_REPLAY_REGISTRY',
      `the schema registry at ${url} did not accept the vigil.v1 schema: ${(cause as Error).message}. ` +
        'Is it up? `vigil kafka up` starts one; or pass --registry http://host:port/apis/ccompat/v7.',
      { cause },
    );
  }
  return serde;
}

/**
 * Replays a fixture into Kafka: every profile to the compacted profiles
 * topic (keyed by user_id) first, then the transactions in file order
 * (event-time order) keyed by card_id, so the default partitioner keeps
 * each card's transactions in one partition, in order. One idempotent
 * producer per cluster and sequential sends keep that order through retries.
 * Values are registry-framed Protobuf (subjects `<topic>-value`); record
 * timestamps are the event times.
 *
 * In multi-region mode each transaction goes to the cluster of its `region`
 * (order per card holds within a region; a card seen in both regions is, by
 * design, ordered only by event time on the mirrored topics).
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const clock = options.clock ?? systemClock;
  const kafka = options.kafka ?? defaultKafka;
  const manifest = await readManifest(options.fixtureDir);
  const profiles = await readProfiles(options.fixtureDir);
  const txTopic = options.topics?.transactions ?? 'transactions';
  const profileTopic = options.topics?.profiles ?? 'user-profiles';
  const batchSize = options.batchSize ?? 4_000;
  const schema = vigilSchema().text;

  const primary: Target = { name: 'primary', brokers: options.targets.primary, pending: [], sent: 0 };
  const regional = new Map<string, Target>(
    Object.entries(options.targets.regions ?? {}).map(([name, brokers]) => [name, { name, brokers, pending: [], sent: 0 }]),
  );
  const targetFor = (region: string): Target => {
    if (regional.size === 0) return primary;
    const t = regional.get(region);
    if (!t) throw new FraudDataError('VIGIL_ERR_FIXTURE', `a transaction has region "${region}", which has no cluster; regions: ${[...regional.keys()].join(', ')}`);
    return t;
  };
  const all = [primary, ...regional.values()];

  const owned: Array<RegistrySerde<unknown>> = [];
  try {
    let txSerde: Serializer<Transaction>;
    let profileSerde: Serializer<UserProfile>;
    if (options.serdes) {
      ({ transactions: txSerde, profiles: profileSerde } = options.serdes);
    } else {
      const common = { url: options.registryUrl, schema, refreshIntervalMs: 0 };
      const tx = registrySerde<Transaction>({ ...common, topics: [txTopic], messageName: 'vigil.v1.Transaction' });
      const pr = registrySerde<UserProfile>({ ...common, topics: [profileTopic], messageName: 'vigil.v1.UserProfile' });
      owned.push(tx as RegistrySerde<unknown>, pr as RegistrySerde<unknown>);
      txSerde = await prepareSerde(tx, options.registryUrl);
      profileSerde = await prepareSerde(pr, options.registryUrl);
    }

    if (options.createTopics ?? true) {
      const profileSpec = { topic: profileTopic, compacted: true };
      await ensureTopics(kafka, primary, regional.size === 0 ? [profileSpec, { topic: txTopic }] : [profileSpec], options.security);
      for (const t of regional.values()) await ensureTopics(kafka, t, [{ topic: txTopic }], options.security);
    }
    for (const t of all) {
      try {
        t.producer = await kafka.connectProducer(connection(t.brokers, options.security), { idempotent: true });
      } catch (cause) {
        throw brokerError(t, 'connecting a producer', cause);
      }
    }

    const settle = async (t: Target) => {
      const inflight = t.inflight;
      t.inflight = undefined;
      await inflight;
    };
    /** Hands the pending batch to the producer once the previous request of this cluster is done. */
    const flush = async (t: Target) => {
      await settle(t);
      if (t.pending.length === 0) return;
      const batch = t.pending;
      t.pending = [];
      t.inflight = t.producer!.send(batch).then(
        () => {
          t.sent += batch.length;
        },
        (cause: unknown) => {
          throw brokerError(t, `producing ${batch.length} records`, cause);
        },
      );
      // Reported when settled; until then a rejection must not count as unhandled.
      t.inflight.catch(() => {});
    };
    const progress: ReplayProgress = { profiles: 0, transactions: 0, total: manifest.counts.transactions, eventTimeMs: manifest.first_event_ms };
    const report = () => {
      progress.transactions = all.reduce((n, t) => n + t.sent, 0);
      options.onProgress?.({ ...progress });
    };

    // Profiles first, so a join on user-profiles finds them before the first payment.
    for (const profile of profiles) {
      primary.pending.push({ topic: profileTopic, key: profile.user_id, value: profileSerde.serialize(profileTopic, profile) });
      if (primary.pending.length >= batchSize) await flush(primary);
    }
    await flush(primary);
    await settle(primary);
    primary.sent = 0; // from here on, `sent` counts transactions
    progress.profiles = profiles.length;
    report();

    const started = clock.now();
    const pacer = options.speed === 'max' ? undefined : createPacer(options.speed, clock);
    const flushAll = async () => {
      for (const t of all) {
        await flush(t);
        await settle(t);
      }
      report();
    };
    for await (const { transaction } of readTransactionsPb(options.fixtureDir)) {
      if (options.signal?.aborted) break;
      if (pacer) {
        const wait = pacer.delayFor(transaction.event_time_ms);
        if (wait > 0) {
          await flushAll(); // what is due goes out before we sleep
          await clock.sleep(wait);
        }
      }
      const t = targetFor(transaction.region);
      t.pending.push({ topic: txTopic, key: transaction.card_id, value: txSerde.serialize(txTopic, transaction), timestamp: transaction.event_time_ms });
      progress.eventTimeMs = transaction.event_time_ms;
      if (t.pending.length >= batchSize) {
        await flush(t);
        report();
      }
    }
    await flushAll();
    const elapsedMs = clock.now() - started;
    // Transactions per cluster that received them: the primary alone, or each region.
    const byCluster = Object.fromEntries((regional.size === 0 ? [primary] : [...regional.values()]).map((t) => [t.name, t.sent]));
    return { manifest, profiles: profiles.length, transactions: progress.transactions, byCluster, elapsedMs, rate: elapsedMs > 0 ? (progress.transactions / elapsedMs) * 1000 : 0 };
  } finally {
    for (const serde of owned) serde.close();
    await Promise.all(all.map((t) => t.producer?.close().catch(() => {})));
  }
}
