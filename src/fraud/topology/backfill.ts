import { protobufSerde, Serdes, TopologyTestDriver } from '../../streams/index.js';
import type { Serde } from '../../streams/index.js';
import { DECODE_OPTIONS, vigilSchema } from '../schema/vigil-schema.js';
import type { FeatureVector, Transaction, UserProfile } from '../schema/types.js';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { buildFraudTopology } from './fraud-topology.js';
import { DEFAULT_FRAUD_TOPICS } from './topics.js';
import { fraudStreamsConfig } from './streams-config.js';

/** A transaction of a labelled history (the simulator's `LabelledTransaction`). */
export interface LabelledInput {
  readonly transaction: Transaction;
  readonly label: boolean;
  readonly scenario: string;
}

/** One exported training row: ids, ground truth and the feature values in model order. */
export interface LabelledFeatureRow {
  readonly transactionId: string;
  readonly cardId: string;
  readonly eventTimeMs: number;
  readonly label: boolean;
  readonly scenario: string;
  readonly features: readonly number[];
}

export interface BackfillOptions {
  /** Profiles, published to the `user-profiles` table before any transaction. */
  readonly profiles: readonly UserProfile[];
  /** In event-time order, as replay would produce them. */
  readonly transactions: Iterable<LabelledInput>;
  /**
   * The processor clock for validation (no payment may be later than it).
   * Default: after the last transaction, so the whole history is valid.
   */
  readonly wallClockMs?: number;
}

/**
 * Backfill mode: runs the serving topology's feature stage (the very same
 * `buildFraudTopology`, with `emitFeatures`) over a labelled history through
 * the TopologyTestDriver, and yields each valid transaction's feature
 * vector with its label. Training on these rows means training on exactly
 * what serving computes.
 */
export async function* backfillFeatures(options: BackfillOptions): AsyncGenerator<LabelledFeatureRow> {
  const schema = vigilSchema();
  const txSerde = protobufSerde<Transaction>(schema.type('vigil.v1.Transaction'), { conversion: DECODE_OPTIONS });
  const profileSerde = protobufSerde<UserProfile>(schema.type('vigil.v1.UserProfile'), { conversion: DECODE_OPTIONS });
  const topology = buildFraudTopology({
    serdes: { transaction: txSerde, profile: profileSerde },
    storeType: 'memory',
    emitFeatures: true,
  });
  const transactions = [...options.transactions];
  const lastTime = transactions.reduce((max, t) => Math.max(max, t.transaction.event_time_ms), 0);
  const driver = new TopologyTestDriver(
    topology,
    fraudStreamsConfig({ applicationId: 'vigil-fraud-backfill', defaultStoreType: 'memory', loggingEnabled: false, cachingEnabled: false }),
    { initialWallClockTimeMs: options.wallClockMs ?? lastTime + 1 },
  );
  try {
    const profiles = driver.createInputTopic(DEFAULT_FRAUD_TOPICS.userProfiles, Serdes.String(), profileSerde);
    for (const p of options.profiles) await profiles.pipeInput(p.user_id, p, 0);
    const input = driver.createInputTopic(DEFAULT_FRAUD_TOPICS.transactions, Serdes.String(), txSerde as Serde<Transaction>);
    const output = driver.createOutputTopic(DEFAULT_FRAUD_TOPICS.features, Serdes.String(), Serdes.Json<FeatureVector>());
    const truth = new Map<string, LabelledInput>();
    for (const item of transactions) {
      const tx = item.transaction;
      truth.set(tx.transaction_id, item);
      await input.pipeInput(tx.card_id, tx, tx.event_time_ms);
      for (const vector of output.readValuesToList()) {
        if (vector === null) continue;
        const known = truth.get(vector.transaction_id);
        truth.delete(vector.transaction_id);
        yield {
          transactionId: vector.transaction_id,
          cardId: vector.card_id,
          eventTimeMs: vector.event_time_ms,
          label: known?.label ?? false,
          scenario: known?.scenario ?? 'normal',
          features: FEATURE_NAMES.map((name) => vector.features[name] as number),
        };
      }
    }
  } finally {
    await driver.close();
  }
}
