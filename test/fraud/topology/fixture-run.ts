import { Serdes, TopologyTestDriver } from '../../../src/streams/index.js';
import type { Scorer } from '../../../src/fraud/model/scorer.js';
import type { Alert } from '../../../src/fraud/schema/types.js';
import { readLabelledTransactions, readManifest, readProfiles } from '../../../src/fraud/simulator/fixture-reader.js';
import { buildFraudTopology } from '../../../src/fraud/topology/fraud-topology.js';
import { DEFAULT_FRAUD_TOPICS } from '../../../src/fraud/topology/topics.js';
import type { FraudTopics } from '../../../src/fraud/topology/topics.js';
import { fraudStreamsConfig } from '../../../src/fraud/topology/streams-config.js';
import { serdes } from './harness.js';

export interface FixtureRun {
  readonly alerts: Alert[];
  /** transaction id → scenario (`normal` for legitimate payments). */
  readonly scenarios: Map<string, string>;
}

/**
 * Replays a fixture through the serving topology on the driver, as
 * `vigil replay` feeds Kafka: every profile first, then the transactions in
 * file order keyed by card; the processor clock sits just after the last
 * event, and a final wall-clock step flushes the scoring micro-batch.
 */
export async function runFixture(dir: string, scorer: Scorer, topics: Partial<FraudTopics> = {}): Promise<FixtureRun> {
  const t = { ...DEFAULT_FRAUD_TOPICS, ...topics };
  const manifest = await readManifest(dir);
  const topology = buildFraudTopology({ serdes, topics: t, storeType: 'memory', scoring: { scorer, batch: { maxBatchSize: 64, maxDelayMs: 10 } } });
  const driver = new TopologyTestDriver(
    topology,
    fraudStreamsConfig({ applicationId: 'fraud-fixture', defaultStoreType: 'memory', deadLetterTopic: t.deadLetter, cachingEnabled: false }),
    { initialWallClockTimeMs: manifest.end_ms },
  );
  try {
    const profiles = driver.createInputTopic(t.userProfiles, Serdes.String(), serdes.profile);
    for (const p of await readProfiles(dir)) await profiles.pipeInput(p.user_id, p, manifest.start_ms);
    const input = driver.createInputTopic(t.transactions, Serdes.String(), serdes.transaction);
    const scenarios = new Map<string, string>();
    for await (const { transaction, scenario } of readLabelledTransactions(dir)) {
      scenarios.set(transaction.transaction_id, scenario);
      await input.pipeInput(transaction.card_id, transaction, transaction.event_time_ms);
    }
    await driver.advanceWallClockTime(10);
    const alerts = driver.createOutputTopic(t.alerts, Serdes.String(), serdes.alert).readValuesToList() as Alert[];
    return { alerts, scenarios };
  } finally {
    await driver.close();
  }
}
