import type { CardRecord } from '../../src/fraud/features/card-record.js';
import { CARD_STORE } from '../../src/fraud/features/feature-stores.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { down, restartMirrorMaker, up, type UpResult } from '../../src/cluster/cluster.js';
import { OnnxScorer } from '../../src/fraud/model/onnx-scorer.js';
import type { Alert, Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import { vigilSchema } from '../../src/fraud/schema/vigil-schema.js';
import type { DuplicateTransaction } from '../../src/fraud/features/card-processor.js';
import { buildFraudTopology } from '../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../src/fraud/topology/streams-config.js';
import { MIRRORED_TRANSACTIONS } from '../../src/fraud/topology/topics.js';
import { createLogger } from '../../src/log.js';
import { registrySerde, type RegistrySerde } from '../../src/registry/registry-serde.js';
import { KafkaStreams, StreamsSupervisor } from '../../src/streams/runtime/index.js';
import { admin, connection, producer, readRecords, uniqueName } from './helpers.js';
import { LA, NYC, tx as baseTx } from '../fraud/features/builders.js';

const log = createLogger('test-multi-region', process.env.LOG_LEVEL ?? 'warn');
const MODEL = fileURLToPath(new URL('../../models/fraud.onnx', import.meta.url));
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

/** Waits for `condition`, polling; fails naming `what`. */
async function waitFor(condition: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

// The multi-region topology has its own ports, so it runs beside the
// single cluster of the global setup. One cluster serves both tests: the
// start-up (three brokers, MM2, the registry) is most of the file's time.
describe('multi-region topology: MirrorMaker 2 mirrors regional transactions into central', () => {
  let cluster: UpResult;

  beforeAll(async () => {
    cluster = await up({ topology: 'multi-region', log, ownerPid: process.pid, fresh: true });
  });

  afterAll(async () => {
    if (cluster?.started) await down({ topology: 'multi-region', log });
  });

  it('delivers a record produced in us-east to central as us-east.transactions, with key, value and headers', async () => {
    const east = await producer({}, connection(cluster.brokers['us-east']));
    await east.send([{ topic: 'transactions', key: 'card-7', value: 'tx-east-1', headers: { region: 'us-east' } }]);
    const west = await producer({}, connection(cluster.brokers['us-west']));
    await west.send([{ topic: 'transactions', key: 'card-8', value: 'tx-west-1', headers: { region: 'us-west' } }]);

    const central = connection(cluster.primary);
    const [fromEast] = await readRecords(['us-east.transactions'], 1, { conn: central, timeoutMs: 60_000 });
    expect(fromEast?.key?.toString()).toBe('card-7');
    expect(fromEast?.value?.toString()).toBe('tx-east-1');
    expect(fromEast?.headers.region?.toString()).toBe('us-east');

    const both = await readRecords([/^us-(east|west)\.transactions$/], 2, { conn: central, timeoutMs: 60_000 });
    expect(both.map((r) => `${r.topic}:${r.value?.toString()}`).sort()).toEqual([
      'us-east.transactions:tx-east-1',
      'us-west.transactions:tx-west-1',
    ]);
  });

  it('runs the fraud topology on central over both mirrored topics by regex: one card state across regions, impossible travel alerted once though it arrived twice', async () => {
    const serde = async <T>(topics: string[], messageName: string): Promise<RegistrySerde<T>> => {
      const s = registrySerde<T>({ url: cluster.registryUrl, topics, schema: vigilSchema().text, messageName, refreshIntervalMs: 0 });
      await s.prepare();
      onTestFinished(() => s.close());
      return s;
    };
    const alertsTopic = uniqueName('alerts');
    const serdes = {
      transaction: await serde<Transaction>(['transactions'], 'vigil.v1.Transaction'),
      profile: await serde<UserProfile>(['user-profiles'], 'vigil.v1.UserProfile'),
      alert: await serde<Alert>([alertsTopic], 'vigil.v1.Alert'),
    };
    const scorer = await OnnxScorer.load({ modelPath: MODEL });
    onTestFinished(() => scorer.close());
    const duplicates: DuplicateTransaction[] = [];
    const stateDir = mkdtempSync(join(tmpdir(), 'vigil-multi-region-'));
    onTestFinished(() => rmSync(stateDir, { recursive: true, force: true }));

    const card = uniqueName('card');
    const user = uniqueName('user');
    const now = Date.now();
    const tx = (id: string, o: Partial<Transaction>): Transaction =>
      baseTx({ transaction_id: `${card}-${id}`, card_id: card, user_id: user, event_time_ms: now, ...o });
    await (await admin(connection(cluster.primary))).createTopics([{ topic: alertsTopic, partitions: 4 }]);
    const central = await producer({ idempotent: true }, connection(cluster.primary));
    const profile: UserProfile = {
      user_id: user,
      card_ids: [card],
      home_latitude: NYC.latitude,
      home_longitude: NYC.longitude,
      home_region: 'us-east',
      account_created_ms: now - 400 * DAY,
      typical_spend_by_category: { grocery: 40 },
    };
    await central.send([{ topic: 'user-profiles', key: user, value: serdes.profile.serialize('user-profiles', profile) }]);

    // Under the supervisor, as `vigil engine` runs it: an instance that fails is replaced
    // in-process and restores from its changelogs, so exactly-once still holds. Each
    // failure is logged with its cause, and counted below.
    const applicationId = uniqueName('fraud-central');
    const restarts: string[] = [];
    const supervisor = new StreamsSupervisor(
      () =>
        new KafkaStreams(
          buildFraudTopology({
            serdes,
            topics: { transactions: MIRRORED_TRANSACTIONS, alerts: alertsTopic },
            scoring: { scorer, batch: { maxBatchSize: 16, maxDelayMs: 10 } },
            dedupe: { onDuplicate: (d) => duplicates.push(d) },
          }),
          { ...fraudStreamsConfig({ applicationId, stateDir }), brokers: [cluster.primary], processingGuarantee: 'exactly_once', logger: log },
        ),
      { logger: log, onRestart: (_n, cause) => restarts.push(`${cause.code}: ${cause.message}`) },
    );
    onTestFinished(() => supervisor.close());
    await supervisor.start();
    await supervisor.current.waitForState('RUNNING', 90_000);
    expect([...(supervisor.current.layout?.patternSources.values() ?? [])].flat()).toEqual(['us-east.transactions', 'us-west.transactions']);

    // A week of groceries at home, paid in us-east; the engine sees them through the mirror.
    const east = await producer({ idempotent: true }, connection(cluster.brokers['us-east']));
    const west = await producer({ idempotent: true }, connection(cluster.brokers['us-west']));
    const send = (p: typeof east, t: Transaction) =>
      p.send([{ topic: 'transactions', key: t.card_id, value: serdes.transaction.serialize('transactions', t), timestamp: t.event_time_ms }]);
    const history = Array.from({ length: 8 }, (_, i) => tx(`home-${i}`, { event_time_ms: now - (8 - i) * DAY + (i === 7 ? DAY - 20 * MIN : 0), amount_minor: 3800 + i * 100 }));
    for (const t of history) await send(east, t);
    // Through the supervisor's current instance at each query: a restart replaces it.
    const cardState = {
      get: async (key: string) => {
        const streams = supervisor.current;
        if (streams.state !== 'RUNNING') return undefined;
        return (await streams.keyValueStore<string, CardRecord>(CARD_STORE).get(key))?.state;
      },
    };
    await waitFor(async () => (await cardState.get(card))?.count === history.length, 60_000, 'the us-east history to reach the card state on central');

    // Twenty minutes after the last one, the card pays in Los Angeles: in us-west,
    // and the same payment also lands in us-east (a retry after a regional failover).
    const away = tx('away', { ...LA, region: 'us-west', merchant_id: 'm-grocer-la', event_time_ms: now - 10 * MIN });
    await send(west, away);
    await send(east, away);

    const alerts: Alert[] = [];
    const reader = await readRecords([alertsTopic], 1, { conn: connection(cluster.primary), timeoutMs: 60_000, isolation: 'read_committed' });
    alerts.push(...reader.map((r) => serdes.alert.deserialize(alertsTopic, r.value) as Alert));
    await waitFor(() => duplicates.length === 1, 60_000, 'the second copy of the payment to be dropped');
    // The state holds the payment once: nine payments, not ten.
    await waitFor(async () => (await cardState.get(card))?.count === history.length + 1, 10_000, 'the card state to count the payment');
    expect((await cardState.get(card))?.count).toBe(history.length + 1);
    // And the alerts topic holds one alert for it, now that both copies went through.
    const all = await readRecords([alertsTopic], 2, { conn: connection(cluster.primary), timeoutMs: 5_000, isolation: 'read_committed' });
    expect(all.map((r) => (serdes.alert.deserialize(alertsTopic, r.value) as Alert).transaction?.transaction_id)).toEqual([away.transaction_id]);
    expect(alerts[0]?.reasons[0]?.feature).toBe('geo_velocity_kmh');
    expect(duplicates[0]?.transactionId).toBe(away.transaction_id);
    if (restarts.length) console.log(`multi-region: the engine was restarted in-process ${restarts.length}× (${restarts.join('; ')})`);
    expect([duplicates[0]?.source?.topic, duplicates[0]?.firstSeen?.topic].sort()).toEqual(['us-east.transactions', 'us-west.transactions']);
  });

  // bench/latency --topology multi-region mirrors its session topics this way.
  it('restarts MirrorMaker 2 with extra topics mirrored beside the shipped ones', async () => {
    const extra = uniqueName('mr-extra');
    const eastConn = connection(cluster.brokers['us-east']);
    const eastAdmin = await admin(eastConn);
    await eastAdmin.createTopics([{ topic: extra, partitions: 2 }]);
    await restartMirrorMaker({ topology: 'multi-region', log, ownerPid: process.pid, extraTopics: ['mr-extra-.*'] });
    const east = await producer({}, eastConn);
    await east.send([{ topic: extra, key: 'k', value: 'mirrored by pattern' }]);
    await east.send([{ topic: 'transactions', key: 'card-9', value: 'tx-after-restart' }]);
    const central = connection(cluster.primary);
    const centralAdmin = await admin(central);
    await waitFor(async () => (await centralAdmin.listTopics()).includes(`us-east.${extra}`), 60_000, `MirrorMaker 2 to create us-east.${extra} on central`);
    const [viaPattern] = await readRecords([`us-east.${extra}`], 1, { conn: central, timeoutMs: 60_000 });
    expect(viaPattern?.value?.toString()).toBe('mirrored by pattern');
    // And the shipped flow still mirrors.
    await waitFor(
      async () => (await readRecords(['us-east.transactions'], Number.MAX_SAFE_INTEGER, { conn: central, timeoutMs: 2_000 })).some((r) => r.value?.toString() === 'tx-after-restart'),
      60_000,
      'us-east.transactions to mirror after the restart',
    );
  });
});
