import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { replay, type ReplayResult } from '../../../src/fraud/replay/index.js';
import type { Transaction, UserProfile } from '../../../src/fraud/schema/index.js';
import { readLabelledTransactions, readProfiles } from '../../../src/fraud/simulator/index.js';
import { connectRegistry } from '../../../src/registry/schema-registry.js';
import { connectConsumer, type ConsumedRecord, type KafkaConsumer } from '../../../src/streams/kafka/index.js';
import { connection, uniqueName } from '../helpers.js';

const consumers: KafkaConsumer[] = [];
afterAll(() => Promise.all(consumers.map((c) => c.close())));

/** Like helpers.readRecords, but usable in beforeAll (it closes in afterAll, not per test). */
async function consume(topic: string, count: number, timeoutMs = 60_000): Promise<ConsumedRecord[]> {
  const c = await connectConsumer(connection(), { groupId: uniqueName('replay-reader') });
  consumers.push(c);
  await c.subscribe({ topics: [topic], fromBeginning: true });
  const records: ConsumedRecord[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    void c.run({
      eachBatch: async (batch) => {
        records.push(...batch.records);
        if (records.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return records;
}

const fixtureDir = join(import.meta.dirname, '../../fixtures/small');

describe('vigil replay of the small fixture into the real broker and registry', () => {
  const brokers = inject('kafkaBrokers');
  const registryUrl = inject('schemaRegistryUrl');
  const topics = { transactions: uniqueName('replay-transactions'), profiles: uniqueName('replay-profiles') };
  const registry = connectRegistry(registryUrl);
  let result: ReplayResult;
  let expectedTx: Transaction[];
  let expectedProfiles: UserProfile[];
  let txRecords: ConsumedRecord[];
  let profileRecords: ConsumedRecord[];
  let replayStartedAt: number;

  beforeAll(async () => {
    expectedTx = [];
    for await (const t of readLabelledTransactions(fixtureDir)) expectedTx.push(t.transaction);
    expectedProfiles = await readProfiles(fixtureDir);
    replayStartedAt = Date.now();
    result = await replay({ fixtureDir, targets: { primary: brokers.split(',') }, registryUrl, speed: 'max', topics, batchSize: 400 });
    txRecords = await consume(topics.transactions, expectedTx.length);
    profileRecords = await consume(topics.profiles, expectedProfiles.length);
  });

  it('reports what it sent', () => {
    expect(result.profiles).toBe(200);
    expect(result.transactions).toBe(expectedTx.length);
    expect(result.byCluster).toEqual({ primary: expectedTx.length });
    expect(result.rate).toBeGreaterThan(0);
  });

  it('produces exactly the fixture: every transaction once, keyed by card, stamped with its append time (event time in the value)', async () => {
    expect(txRecords).toHaveLength(expectedTx.length);
    const decoded = await Promise.all(txRecords.map((r) => registry.decode(r.value!)));
    const byId = new Map(decoded.map((d, i) => [(d.value as unknown as Transaction).transaction_id, { d, r: txRecords[i]! }]));
    expect(byId.size).toBe(expectedTx.length);
    for (const tx of expectedTx) {
      const got = byId.get(tx.transaction_id);
      expect(got, tx.transaction_id).toBeDefined();
      expect(got!.d.messageName).toBe('vigil.v1.Transaction');
      expect(got!.d.value).toEqual(tx);
      expect(got!.r.key!.toString()).toBe(tx.card_id);
      // The topic is LogAppendTime: the record says when the transaction landed in Kafka.
      expect(got!.r.timestamp).toBeGreaterThanOrEqual(replayStartedAt - 1_000);
      expect(got!.r.timestamp).toBeLessThanOrEqual(Date.now());
    }
  });

  it("keeps each card's transactions in one partition, in event-time order", async () => {
    const cards = new Map<string, { partition: number; times: number[] }>();
    const ordered = [...txRecords].sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
    for (const r of ordered) {
      const card = r.key!.toString();
      const entry = cards.get(card) ?? { partition: r.partition, times: [] };
      expect(r.partition, card).toBe(entry.partition);
      entry.times.push(((await registry.decode(r.value!)).value as unknown as Transaction).event_time_ms);
      cards.set(card, entry);
    }
    for (const [card, { times }] of cards) expect(times, card).toEqual([...times].sort((a, b) => a - b));
    expect(new Set([...cards.values()].map((c) => c.partition)).size).toBe(4); // spread over the topic's partitions
  });

  it('writes every profile keyed by user id, in the Confluent wire format with message index 1', async () => {
    expect(profileRecords).toHaveLength(expectedProfiles.length);
    for (const r of profileRecords) expect([...r.value!.subarray(5, 7)]).toEqual([2, 2]);
    const decoded = await Promise.all(profileRecords.map((r) => registry.decode(r.value!)));
    const byUser = new Map(decoded.map((d, i) => [profileRecords[i]!.key!.toString(), d.value]));
    for (const p of expectedProfiles) expect(byUser.get(p.user_id)).toEqual(p);
  });
});

describe('vigil replay errors', () => {
  it('says the broker is unreachable and what to do', async () => {
    const error = await replay({ fixtureDir, targets: { primary: ['127.0.0.1:1'] }, registryUrl: inject('schemaRegistryUrl'), speed: 'max', topics: { transactions: uniqueName('t'), profiles: uniqueName('p') } }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VIGIL_ERR_REPLAY_BROKER', message: expect.stringContaining('vigil kafka up') });
  });
});
