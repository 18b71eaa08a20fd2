import { Branched, Consumed, Materialized, Named, Produced, Serdes, StreamsBuilder } from '../../streams/index.js';
import type { Serde, Topology } from '../../streams/index.js';
import { DecisionProcessor } from '../decision/decision-processor.js';
import type { Decision } from '../decision/decision-processor.js';
import { DEFAULT_REASON_OPTIONS } from '../decision/explain.js';
import type { ReasonOptions } from '../decision/explain.js';
import { FEATURE_NAMES } from '../features/feature-names.js';
import { CardProcessor } from '../features/card-processor.js';
import type { DedupeOptions, FeaturedTransaction, ProfiledTransaction } from '../features/card-processor.js';
import { CARD_STORE, cardStoreBuilder } from '../features/feature-stores.js';
import type { FeatureStoreType } from '../features/feature-stores.js';
import { microBatchOptions } from '../model/micro-batch.js';
import type { MicroBatchOptions } from '../model/micro-batch.js';
import type { Scorer } from '../model/scorer.js';
import { ScoringProcessor } from '../model/scoring-processor.js';
import type { Alert, FeatureVector, Transaction, UserProfile } from '../schema/types.js';
import { DEFAULT_FRAUD_TOPICS } from './topics.js';
import type { FraudTopics } from './topics.js';
import { ValidationProcessor } from './validation-processor.js';
import type { CheckedTransaction } from './validation-processor.js';
import { validationLimits } from './validation.js';
import type { ValidationLimits } from './validation.js';
import { FraudError } from '../errors.js';

/** Serdes for the fraud topics' values; keys are UTF-8 strings (card id, user id). */
export interface FraudSerdes {
  readonly transaction: Serde<Transaction>;
  readonly profile: Serde<UserProfile>;
  /** Needed when scoring. */
  readonly alert?: Serde<Alert>;
  /** For `emitFeatures`; default JSON. */
  readonly featureVector?: Serde<FeatureVector>;
}

export interface FraudScoringOptions {
  readonly scorer: Scorer;
  readonly batch?: Partial<MicroBatchOptions>;
  /** Default: the model metadata's threshold. */
  readonly threshold?: number;
  readonly reasons?: Partial<ReasonOptions>;
  /** Every scored transaction's decision, with a shadow model's when one runs (see DecisionProcessor). */
  readonly onDecision?: (decision: Decision) => void;
}

export interface FraudTopologyOptions {
  readonly serdes: FraudSerdes;
  /**
   * Topic names. `transactions` may also be a pattern over several
   * co-partitioned topics: on the central cluster, MirrorMaker 2's
   * `us-east.transactions` and `us-west.transactions` (`MIRRORED_TRANSACTIONS` in topics.ts).
   */
  readonly topics?: Partial<Omit<FraudTopics, 'transactions'>> & { readonly transactions?: string | RegExp };
  /** Where per-card state lives; default LevelDB. Backfill and tests use memory. */
  readonly storeType?: FeatureStoreType;
  readonly validation?: Partial<ValidationLimits>;
  /** Write each valid transaction's feature vector to `topics.features` (backfill mode). */
  readonly emitFeatures?: boolean;
  /** Score and alert; omit for a features-only (backfill) topology. */
  readonly scoring?: FraudScoringOptions;
  /**
   * Drop second copies of a transaction (same `transaction_id`) before they
   * reach the card's state, e.g. one payment arriving on both mirrored
   * topics. On by default; `false` turns it off.
   */
  readonly dedupe?: DedupeOptions | false;
}

/**
 * Builds the fraud topology with the engine's public DSL:
 *
 * transactions → validate → (rejected → dead-letter topic)
 *              → left join user-profiles (GlobalKTable, by user id)
 *              → per card (the `fraud-card` store): drop copies already seen
 *                (by transaction id), features → [feature vectors]
 *              → micro-batched scoring → decision → alerts
 *
 * The same function builds the serving topology and the backfill one that
 * exports training data (`emitFeatures` without `scoring`), so the model is
 * trained on exactly the features it is served. Run it with a config from
 * {@link fraudStreamsConfig} so undecodable records are dead-lettered too.
 */
export function buildFraudTopology(options: FraudTopologyOptions): Topology {
  const topics: Omit<FraudTopics, 'transactions'> & { transactions: string | RegExp } = { ...DEFAULT_FRAUD_TOPICS, ...options.topics };
  const limits = validationLimits(options.validation);
  if (!options.emitFeatures && !options.scoring) {
    throw new FraudError('VIGIL_ERR_FRAUD_CONFIG', 'buildFraudTopology: pass `scoring` (serving) or `emitFeatures: true` (backfill), or the topology has no output');
  }
  if (options.scoring && !options.serdes.alert) throw new FraudError('VIGIL_ERR_FRAUD_CONFIG', 'buildFraudTopology: `serdes.alert` is needed when scoring');
  const storeType = options.storeType ?? 'leveldb';
  const builder = new StreamsBuilder();
  builder.addStateStore(cardStoreBuilder(storeType));

  // In memory: the join reads it for every transaction, and an in-memory store answers without a
  // promise. It is rebuilt from the compacted topic at each start instead of kept in LevelDB.
  const profiles = builder.globalTable<string, UserProfile>(
    topics.userProfiles,
    Consumed.with(Serdes.String(), options.serdes.profile),
    Materialized.with<string, UserProfile>(Serdes.String(), options.serdes.profile).withStoreType('memory'),
  );
  const checked = builder
    .stream<string | null, Transaction | null>(
      topics.transactions,
      Consumed.with(Serdes.String(), options.serdes.transaction) as Consumed<string | null, Transaction | null>,
    )
    .process(() => new ValidationProcessor(limits));
  const branches = checked
    .split(Named.as('fraud-validation-'))
    .branch((_key, v: CheckedTransaction) => v.valid, Branched.as('valid'))
    .defaultBranch(Branched.as('rejected'));

  (branches.get('fraud-validation-rejected') as typeof checked)
    .mapValues((v) => v.transaction)
    .to(topics.deadLetter, Produced.with(Serdes.String(), options.serdes.transaction) as Produced<string | null, Transaction | null>);

  const valid = (branches.get('fraud-validation-valid') as typeof checked).map((_key, v) => {
    const tx = (v as Extract<CheckedTransaction, { valid: true }>).transaction;
    // Keyed by card id whatever the producer used, without a repartition:
    // the validated card id is what the record key should have been.
    return { key: tx.card_id, value: tx };
  });
  // Copies of a transaction (both mirrored topics) carry the same card id, so on
  // co-partitioned topics they meet in the same task and card record, where the
  // card processor drops the second one before it touches the card's state.
  const featured = valid
    .leftJoin(
      profiles,
      (_card, tx) => tx.user_id,
      (tx, profile): ProfiledTransaction => ({ transaction: tx, profile: profile ?? null }),
    )
    .process(() => new CardProcessor({ dedupe: options.dedupe ?? {} }), CARD_STORE);

  if (options.emitFeatures) {
    featured
      .mapValues(toFeatureVector)
      .to(topics.features, Produced.with(Serdes.String(), options.serdes.featureVector ?? Serdes.Json<FeatureVector>()));
  }

  if (options.scoring) {
    const { scorer } = options.scoring;
    const batch = microBatchOptions(options.scoring.batch);
    // Unset: each alert uses the threshold of the model that scored it, so a promoted model brings its own.
    const threshold = options.scoring.threshold;
    const reasons = { ...DEFAULT_REASON_OPTIONS, ...options.scoring.reasons };
    featured
      .process(() => new ScoringProcessor(scorer, batch))
      .process(() => new DecisionProcessor(scorer, { ...(threshold !== undefined ? { threshold } : {}), reasons, ...(options.scoring?.onDecision ? { onDecision: options.scoring.onDecision } : {}) }))
      .to(topics.alerts, Produced.with(Serdes.String(), options.serdes.alert as Serde<Alert>));
  }
  return builder.build();
}

/** A feature vector message for export: named values, unlabelled. */
export function toFeatureVector(value: FeaturedTransaction): FeatureVector {
  const tx = value.transaction;
  const features: { [name: string]: number } = {};
  FEATURE_NAMES.forEach((name, i) => {
    features[name] = value.features[i] as number;
  });
  return {
    transaction_id: tx.transaction_id,
    card_id: tx.card_id,
    user_id: tx.user_id,
    event_time_ms: tx.event_time_ms,
    features,
    label: false,
    scenario: '',
  };
}
