/**
 * Fraud topology benchmark on the TopologyTestDriver (issue 14's second
 * target): a simulated history through the very topology the engine
 * serves, in one process, no broker.
 *
 * - backfill: features only, in-memory stores, no cache, no changelog
 *   (what `vigil train` and `npm run eval` run);
 * - serving:  LevelDB stores with the cache and changelogs, scoring with the
 *   fixed-weights logistic scorer of the latency benchmark, alerts out.
 *
 * The driver commits after every record (its contract), so the cache saves
 * reads, not writes. Prints transactions/s and a digest of every feature vector (bit-exact: a layout
 * change must not move it).
 *
 * Run: npx tsx bench/engine/fraud.ts [--transactions 100000] [--users 5000]
 *        [--setups backfill,serving] [--repeat 1]
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Serdes, TopologyTestDriver, protobufSerde } from '../../src/streams/index.js';
import type { Serde } from '../../src/streams/index.js';
import { buildFraudTopology } from '../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../src/fraud/topology/streams-config.js';
import { DEFAULT_FRAUD_TOPICS } from '../../src/fraud/topology/topics.js';
import { DECODE_OPTIONS, vigilSchema } from '../../src/fraud/schema/vigil-schema.js';
import type { Alert, FeatureVector, Transaction, UserProfile } from '../../src/fraud/schema/types.js';
import { simulateAll } from '../../src/fraud/simulator/index.js';
import { FEATURE_NAMES } from '../../src/fraud/features/feature-names.js';
import { LogisticScorer, logisticMetadata } from '../latency/logistic.js';

const { values } = parseArgs({
  options: {
    transactions: { type: 'string', default: '100000' },
    users: { type: 'string', default: '5000' },
    setups: { type: 'string', default: 'backfill,serving' },
    repeat: { type: 'string', default: '1' },
    seed: { type: 'string', default: '7' },
  },
});
const wanted = Number(values.transactions);
const users = Number(values.users);

const schema = vigilSchema();
const txSerde = protobufSerde<Transaction>(schema.type('vigil.v1.Transaction'), { conversion: DECODE_OPTIONS });
const profileSerde = protobufSerde<UserProfile>(schema.type('vigil.v1.UserProfile'), { conversion: DECODE_OPTIONS });
const alertSerde = protobufSerde<Alert>(schema.type('vigil.v1.Alert'), { conversion: DECODE_OPTIONS });

// Days grow until the simulation has enough transactions; then it is cut to exactly `wanted`.
let sim = simulateAll({ seed: Number(values.seed), users, days: 2, startMs: Date.UTC(2026, 0, 1) });
for (let days = 4; sim.transactions.length < wanted; days *= 2) sim = simulateAll({ seed: Number(values.seed), users, days, startMs: Date.UTC(2026, 0, 1) });
const transactions = sim.transactions.slice(0, wanted).map((t) => t.transaction);
const lastTime = transactions.reduce((m, t) => Math.max(m, t.event_time_ms), 0);
console.error(`simulated ${transactions.length} transactions of ${users} users`);

async function run(setup: string): Promise<{ setup: string; txPerSec: number; digest: string; alerts: number }> {
  const serving = setup === 'serving';
  const stateDir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-fraud-'));
  const scorer = new LogisticScorer(logisticMetadata(0.5));
  const topology = buildFraudTopology({
    serdes: { transaction: txSerde, profile: profileSerde, alert: alertSerde },
    storeType: serving ? 'leveldb' : 'memory',
    emitFeatures: true,
    ...(serving ? { scoring: { scorer, batch: { maxBatchSize: 64, maxDelayMs: 20 } } } : {}),
  });
  const driver = new TopologyTestDriver(
    topology,
    fraudStreamsConfig({ applicationId: `bench-fraud-${setup}`, stateDir, defaultStoreType: serving ? 'leveldb' : 'memory', loggingEnabled: serving, cachingEnabled: serving }),
    { initialWallClockTimeMs: lastTime + 1 },
  );
  const hash = createHash('sha256');
  let alerts = 0;
  try {
    const profiles = driver.createInputTopic(DEFAULT_FRAUD_TOPICS.userProfiles, Serdes.String(), profileSerde);
    for (const p of sim.profiles) await profiles.pipeInput(p.user_id, p, 0);
    const input = driver.createInputTopic(DEFAULT_FRAUD_TOPICS.transactions, Serdes.String(), txSerde as Serde<Transaction>);
    const features = driver.createOutputTopic(DEFAULT_FRAUD_TOPICS.features, Serdes.String(), Serdes.Json<FeatureVector>());
    const alertOut = driver.createOutputTopic(DEFAULT_FRAUD_TOPICS.alerts, Serdes.String(), alertSerde);
    const started = process.hrtime.bigint();
    for (const tx of transactions) {
      await input.pipeInput(tx.card_id, tx, tx.event_time_ms);
      for (const v of features.readValuesToList()) if (v) hash.update(`${v.transaction_id}:${FEATURE_NAMES.map((n) => v.features[n]).join(',')}\n`);
      alerts += alertOut.readValuesToList().length;
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { setup, txPerSec: transactions.length / seconds, digest: hash.digest('hex').slice(0, 16), alerts };
  } finally {
    await driver.close();
    await rm(stateDir, { recursive: true, force: true });
  }
}

const rows = [];
for (let r = 0; r < Number(values.repeat); r++) {
  for (const setup of values.setups.split(',')) {
    const row = await run(setup);
    console.error(JSON.stringify(row));
    rows.push(row);
  }
}
console.log(`fraud topology on the TopologyTestDriver, ${transactions.length} transactions, ${users} users, load ${os.loadavg()[0]?.toFixed(2)}, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MiB`);
for (const r of rows) console.log(`${r.setup.padEnd(9)} ${Math.round(r.txPerSec).toString().padStart(8)} tx/s  features ${r.digest}  alerts ${r.alerts}`);
