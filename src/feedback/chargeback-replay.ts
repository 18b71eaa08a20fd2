import { readLabelledTransactions, readManifest } from '../fraud/simulator/fixture-reader.js';
import type { LabelledTransaction } from '../fraud/simulator/events.js';
import type { Logger } from '../log.js';
import { registrySerde } from '../registry/registry-serde.js';
import { connectAdmin, connectProducer, type KafkaConnectionOptions } from '../streams/kafka/index.js';
import { chargebacksFor, type ChargebackOptions } from './chargebacks.js';
import { CHARGEBACK_MESSAGE, FEEDBACK_TOPICS, feedbackSchemaText, type Chargeback } from './schema.js';

export interface ChargebackReplayOptions extends Omit<ChargebackOptions, 'seed'> {
  fixtureDir: string;
  connection: KafkaConnectionOptions;
  registryUrl: string;
  /** Default `chargebacks`. */
  topic?: string;
  log: Logger;
}

export interface ChargebackReplayResult {
  fraud: number;
  chargebacks: number;
  /** Fraudulent payments without a chargeback (not disputed, or not yet by `asOfMs`). */
  unlabelledFraud: number;
  /** Event time span the chargebacks were reported over. */
  firstReportedMs: number | null;
  lastReportedMs: number | null;
}

const BATCH = 2_000;

/**
 * Writes a fixture's chargebacks to the `chargebacks` topic: registry-framed
 * Protobuf `Chargeback`, keyed by transaction id (compacted: a transaction
 * is disputed once), each stamped with its report time, days of event time
 * after the payment. The seed is the fixture's, so a replay yields the same
 * labels every time.
 */
export async function replayChargebacks(o: ChargebackReplayOptions): Promise<ChargebackReplayResult> {
  const manifest = await readManifest(o.fixtureDir);
  const labelled: LabelledTransaction[] = [];
  for await (const t of readLabelledTransactions(o.fixtureDir)) labelled.push(t);
  const chargebacks = chargebacksFor(labelled, { ...o, seed: manifest.seed });
  const topic = o.topic ?? FEEDBACK_TOPICS.chargebacks;
  const admin = await connectAdmin(o.connection);
  try {
    await admin.createTopics([{ topic, partitions: 3, config: { 'cleanup.policy': 'compact' } }]);
  } finally {
    await admin.close();
  }
  const serde = registrySerde<Chargeback>({ url: o.registryUrl, topics: [topic], schema: feedbackSchemaText(), messageName: CHARGEBACK_MESSAGE, refreshIntervalMs: 0 });
  const producer = await connectProducer(o.connection, { idempotent: true });
  try {
    await serde.prepare();
    for (let i = 0; i < chargebacks.length; i += BATCH) {
      await producer.send(
        chargebacks.slice(i, i + BATCH).map((c) => ({ topic, key: c.transaction_id, value: serde.serialize(topic, c), timestamp: c.reported_at_ms })),
      );
    }
  } finally {
    serde.close();
    await producer.close();
  }
  const fraud = labelled.filter((t) => t.label).length;
  const result = {
    fraud,
    chargebacks: chargebacks.length,
    unlabelledFraud: fraud - chargebacks.length,
    firstReportedMs: chargebacks[0]?.reported_at_ms ?? null,
    lastReportedMs: chargebacks.at(-1)?.reported_at_ms ?? null,
  };
  o.log.info({ topic, ...result }, 'chargebacks replayed');
  return result;
}
