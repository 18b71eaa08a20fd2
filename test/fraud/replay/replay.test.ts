import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replay, type ReplayClock, type ReplayKafka } from '../../../src/fraud/replay/index.js';
import { vigilSchema, type Transaction, type UserProfile } from '../../../src/fraud/schema/index.js';
import { readLabelledTransactions, readManifest, readProfiles } from '../../../src/fraud/simulator/index.js';
import { staticRegistrySerde } from '../../../src/registry/registry-serde.js';
import type { ProducedRecord, TopicSpec } from '../../../src/streams/kafka/index.js';

const small = join(import.meta.dirname, '../../fixtures/small');

describe('replay without a cluster', () => {
  it('rejects a directory that is not a fixture before touching the network', async () => {
    const error = await replay({ fixtureDir: join(small, 'nope'), targets: { primary: ['127.0.0.1:1'] }, registryUrl: 'http://127.0.0.1:1', speed: 'max' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_FIXTURE', message: expect.stringContaining('vigil simulate') });
  });

  it('says the registry is unreachable and how to start one', async () => {
    const error = await replay({ fixtureDir: small, targets: { primary: ['127.0.0.1:1'] }, registryUrl: 'http://127.0.0.1:1/apis/ccompat/v7', speed: 'max' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_REPLAY_REGISTRY', message: expect.stringContaining('vigil kafka up') });
  });
});

// --- With a fake Kafka client and static serdes: what goes where, in which order. ---


function fakeKafka() {
  const sent = new Map<string, ProducedRecord[]>();
  const topics = new Map<string, TopicSpec[]>();
  const kafka: ReplayKafka = {
    async connectProducer(conn) {
      const key = conn.brokers.join(',');
      return {
        async send(records) {
          sent.set(key, [...(sent.get(key) ?? []), ...records]);
          return [];
        },
        transaction: () => Promise.reject(new Error('not used')),
        close: async () => {},
      };
    },
    async connectAdmin(conn) {
      return {
        async createTopics(specs) {
          topics.set(conn.brokers.join(','), specs);
        },
        close: async () => {},
      };
    },
  };
  return { kafka, sent, topics };
}

const schema = vigilSchema().text;
const txSerde = staticRegistrySerde<Transaction>({ schema, messageName: 'vigil.v1.Transaction', schemaIds: new Map([['transactions-value', [1]]]) });
const profileSerde = staticRegistrySerde<UserProfile>({ schema, messageName: 'vigil.v1.UserProfile', schemaIds: new Map([['user-profiles-value', [2]]]) });
const serdes = { transactions: txSerde, profiles: profileSerde };

async function fixtureTransactions(): Promise<Transaction[]> {
  const out: Transaction[] = [];
  for await (const t of readLabelledTransactions(small)) out.push(t.transaction);
  return out;
}

describe('replay routing (fake Kafka)', () => {
  it('connects its admin and producers with the TLS and SASL settings it is given', async () => {
    const { kafka } = fakeKafka();
    const seen: Array<{ tls?: unknown; sasl?: { username: string } }> = [];
    const spying: ReplayKafka = {
      connectProducer: (conn, o) => (seen.push(conn), kafka.connectProducer(conn, o)),
      connectAdmin: (conn) => (seen.push(conn), kafka.connectAdmin(conn)),
    };
    const security = { tls: true, sasl: { mechanism: 'scram-sha-512' as const, username: 'replayer', password: () => 'pw' } };
    await replay({ fixtureDir: small, targets: { primary: ['p:1'] }, registryUrl: 'unused', speed: 'max', kafka: spying, serdes, security });
    expect(seen.length).toBeGreaterThanOrEqual(2);
    for (const conn of seen) expect(conn).toMatchObject({ tls: true, sasl: { username: 'replayer' } });
  });

  it('sends every profile before the first transaction, then every transaction in file order keyed by card', async () => {
    const { kafka, sent, topics } = fakeKafka();
    const result = await replay({ fixtureDir: small, targets: { primary: ['p:1'] }, registryUrl: 'unused', speed: 'max', kafka, serdes, batchSize: 128 });
    const records = sent.get('p:1')!;
    const profiles = await readProfiles(small);
    const txs = await fixtureTransactions();
    expect(records.slice(0, profiles.length).every((r) => r.topic === 'user-profiles')).toBe(true);
    expect(records.slice(profiles.length).every((r) => r.topic === 'transactions')).toBe(true);
    expect(records.slice(0, profiles.length).map((r) => r.key)).toEqual(profiles.map((p) => p.user_id));
    const txRecords = records.slice(profiles.length);
    expect(txRecords.map((r) => r.key)).toEqual(txs.map((t) => t.card_id));
    expect(txRecords.map((r) => r.timestamp)).toEqual(txs.map((t) => t.event_time_ms));
    expect(txRecords.map((r) => txSerde.deserialize('transactions', r.value as Buffer))).toEqual(txs);
    expect(result).toMatchObject({ profiles: profiles.length, transactions: txs.length, byCluster: { primary: txs.length } });
    expect(topics.get('p:1')).toEqual([
      { topic: 'user-profiles', partitions: 4, config: { 'cleanup.policy': 'compact' } },
      { topic: 'transactions', partitions: 4, config: { 'message.timestamp.type': 'LogAppendTime' } },
    ]);
  });

  it('in multi-region mode sends each transaction to the cluster of its region, profiles to the primary', async () => {
    const { kafka, sent } = fakeKafka();
    const targets = { primary: ['central:1'], regions: { 'us-east': ['east:1'], 'us-west': ['west:1'] } };
    const result = await replay({ fixtureDir: small, targets, registryUrl: 'unused', speed: 'max', kafka, serdes });
    const manifest = await readManifest(small);
    expect(sent.get('central:1')!.every((r) => r.topic === 'user-profiles')).toBe(true);
    for (const [region, brokers] of [['us-east', 'east:1'], ['us-west', 'west:1']] as const) {
      const values = sent.get(brokers)!.map((r) => txSerde.deserialize('transactions', r.value as Buffer)!);
      expect(values.length).toBe(manifest.counts.by_region[region]);
      expect(values.every((t) => t.region === region)).toBe(true);
    }
    expect(result.byCluster).toEqual({ 'us-east': manifest.counts.by_region['us-east'], 'us-west': manifest.counts.by_region['us-west'] });
  });

  it('keeps the recorded cadence divided by the speed', async () => {
    let now = 0;
    let slept = 0;
    const clock: ReplayClock = {
      now: () => now,
      sleep: async (ms) => {
        slept += ms;
        now += ms;
      },
    };
    const { kafka } = fakeKafka();
    await replay({ fixtureDir: small, targets: { primary: ['p:1'] }, registryUrl: 'unused', speed: 3_600, kafka, serdes, clock });
    const m = await readManifest(small);
    expect(slept).toBeCloseTo((m.last_event_ms - m.first_event_ms) / 3_600, 0);
  });

  it('reports a failed produce as VIGIL_ERR_REPLAY_BROKER', async () => {
    const { kafka } = fakeKafka();
    const failing: ReplayKafka = {
      ...kafka,
      async connectProducer(conn, o) {
        const p = await kafka.connectProducer(conn, o);
        return { ...p, send: () => Promise.reject(new Error('NOT_LEADER_FOR_PARTITION')) };
      },
    };
    const error = await replay({ fixtureDir: small, targets: { primary: ['p:1'] }, registryUrl: 'unused', speed: 'max', kafka: failing, serdes }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_REPLAY_BROKER', message: expect.stringContaining('NOT_LEADER_FOR_PARTITION') });
  });
});
