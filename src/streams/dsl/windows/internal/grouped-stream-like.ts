import type { Serde } from '../../../serde/serde.js';
import type { BuilderContext } from '../../internal/builder-context.js';

/**
 * What a windowed stream needs of the KGroupedStream it came from. Kept
 * structural so KGroupedStream can hand itself over without this folder
 * depending on its internals.
 */
export interface GroupedStreamLike<K, V> {
  readonly builder: BuilderContext;
  readonly keySerde: Serde<K> | undefined;
  readonly valueSerde: Serde<V> | undefined;
  /** The parent node for an aggregation (a repartition source when the key changed). */
  aggregationParent(storeName: string): string;
}
