import { Serdes, Stores } from '../../streams/index.js';
import type { KeyValueStoreBuilder, WindowStoreBuilder } from '../../streams/index.js';
import type { CardState } from './card-state.js';
import { RECENT_RETENTION_MS } from './recent-activity.js';
import type { RecentTransaction } from './recent-activity.js';

/** Per-card state: running statistics, last location, seen devices/merchants. */
export const CARD_STATE_STORE = 'fraud-card-state';
/** Per-card transactions of the last 24 hours, one entry per transaction at its event time. */
export const CARD_RECENT_STORE = 'fraud-card-recent';

/** Where feature state lives: LevelDB (survives restarts locally) or memory (backfill, tests). */
export type FeatureStoreType = 'leveldb' | 'memory';

/** The builders of the two feature stores, both change-logged so a task can move. */
export function featureStoreBuilders(storeType: FeatureStoreType): {
  cardState: KeyValueStoreBuilder<string, CardState>;
  recent: WindowStoreBuilder<string, RecentTransaction>;
} {
  const persistent = storeType === 'leveldb';
  const kv = persistent ? Stores.persistentKeyValueStore(CARD_STATE_STORE) : Stores.inMemoryKeyValueStore(CARD_STATE_STORE);
  // Each transaction is a 1 ms "window"; duplicates are retained because two
  // payments of one card can share a millisecond.
  const win = persistent
    ? Stores.persistentWindowStore(CARD_RECENT_STORE, RECENT_RETENTION_MS, 1, true)
    : Stores.inMemoryWindowStore(CARD_RECENT_STORE, RECENT_RETENTION_MS, 1, true);
  const cardState = Stores.keyValueStoreBuilder(kv, Serdes.String(), Serdes.Json<CardState>());
  // The cache saves LevelDB reads of hot cards; in memory it would only add a
  // flush per commit (the test driver commits after every record).
  if (persistent) cardState.withCachingEnabled();
  return {
    cardState,
    recent: Stores.windowStoreBuilder(win, Serdes.String(), Serdes.Json<RecentTransaction>()),
  };
}
