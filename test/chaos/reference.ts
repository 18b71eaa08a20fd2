import { existsSync } from 'node:fs';
import { Serdes, TopologyTestDriver } from '../../src/streams/index.js';
import type { Scorer } from '../../src/fraud/model/scorer.js';
import type { Alert } from '../../src/fraud/schema/types.js';
import { readLabelledTransactions, readManifest, readProfiles } from '../../src/fraud/simulator/fixture-reader.js';
import { simulate, writeFixture, type FixtureManifest } from '../../src/fraud/simulator/index.js';
import { buildFraudTopology } from '../../src/fraud/topology/fraud-topology.js';
import { fraudStreamsConfig } from '../../src/fraud/topology/streams-config.js';
import type { FraudTopics } from '../../src/fraud/topology/topics.js';
import { CARD_STORE } from '../../src/fraud/features/feature-stores.js';
import type { CardRecord } from '../../src/fraud/features/card-record.js';
import { serdes } from '../fraud/topology/harness.js';
import type { StoreDump } from './store-dump.js';
import { dumpStores } from './store-dump.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Writes a seeded fixture (≈2.8 payments per user and day) that ends at
 * the last UTC midnight: recent enough that the broker's retention keeps it,
 * and not in the future, which Kafka 4 refuses beyond an hour
 * (`log.message.timestamp.after.max.ms`).
 * Generated at test time: 100k transactions are 40 MB, not worth committing.
 */
export async function generateFixture(dir: string, options: { seed: number; users: number; days: number }): Promise<FixtureManifest> {
  if (existsSync(`${dir}/manifest.json`)) return readManifest(dir);
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  return writeFixture(dir, simulate({ ...options, startMs: today - options.days * DAY_MS }));
}

export interface Reference {
  alerts: Alert[];
  /** The feature stores after the whole fixture, as interactive queries would show them. */
  stores: StoreDump;
  transactions: number;
}

/**
 * The TopologyTestDriver's output for a fixture, fed as `vigil replay` feeds
 * Kafka (profiles first, then transactions in file order keyed by card),
 * on one partition (in-memory stores: LevelDB would take twice as long).
 */
export async function reference(dir: string, scorer: Scorer, topics: FraudTopics): Promise<Reference> {
  const manifest = await readManifest(dir);
  const topology = buildFraudTopology({ serdes, topics, storeType: 'memory', scoring: { scorer, batch: { maxBatchSize: 64, maxDelayMs: 10 } } });
  const driver = new TopologyTestDriver(
    topology,
    fraudStreamsConfig({ applicationId: 'chaos-reference', defaultStoreType: 'memory', deadLetterTopic: topics.deadLetter, cachingEnabled: false }),
    { initialWallClockTimeMs: manifest.end_ms },
  );
  try {
    const profiles = driver.createInputTopic(topics.userProfiles, Serdes.String(), serdes.profile);
    for (const p of await readProfiles(dir)) await profiles.pipeInput(p.user_id, p, manifest.start_ms);
    const input = driver.createInputTopic(topics.transactions, Serdes.String(), serdes.transaction);
    let transactions = 0;
    for await (const { transaction } of readLabelledTransactions(dir)) {
      await input.pipeInput(transaction.card_id, transaction, transaction.event_time_ms);
      transactions++;
    }
    await driver.advanceWallClockTime(10);
    const alerts = driver.createOutputTopic(topics.alerts, Serdes.String(), serdes.alert).readValuesToList() as Alert[];
    const cards = driver.getKeyValueStore<string, CardRecord>(CARD_STORE);
    if (!cards) throw new Error('the fraud topology has no card store');
    return { alerts, stores: await dumpStores(cards), transactions };
  } finally {
    await driver.close();
  }
}
