import { Serdes, Stores } from '../../streams/index.js';
import type { KeyValueStoreBuilder } from '../../streams/index.js';
import type { CardRecord } from './card-record.js';
import { cardRecordSerde } from './card-record-serde.js';

/** Per card: running statistics, the last 24 hours of transactions and the ids seen recently (card-record.ts). */
export const CARD_STORE = 'fraud-card';

/**
 * The stores of the layout before issue 14; their changelogs on a cluster
 * mean state this engine cannot read (see `checkStateLayout`).
 */
export const LEGACY_FRAUD_STORES = ['fraud-card-state', 'fraud-card-recent', 'fraud-dedupe', 'fraud-scoring-buffer'] as const;

/** Where feature state lives: LevelDB (survives restarts locally) or memory (backfill, tests). */
export type FeatureStoreType = 'leveldb' | 'memory';

/** The card store's builder, change-logged so a task can move. */
export function cardStoreBuilder(storeType: FeatureStoreType): KeyValueStoreBuilder<string, CardRecord> {
  const persistent = storeType === 'leveldb';
  const kv = persistent ? Stores.persistentKeyValueStore(CARD_STORE) : Stores.inMemoryKeyValueStore(CARD_STORE);
  const builder = Stores.keyValueStoreBuilder(kv, Serdes.String(), cardRecordSerde);
  // The processor holds decoded records itself; the store's cache saves LevelDB reads of cards it let go
  // and turns a commit's writes into one batch. In memory it would only add a flush per commit.
  if (persistent) builder.withCachingEnabled();
  return builder;
}
