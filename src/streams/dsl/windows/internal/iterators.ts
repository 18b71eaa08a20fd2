import type { KeyValue, KeyValueIterator } from '../../../state/types.js';

/**
 * Reads a store iterator to the end. Operators collect before they write,
 * because they write to the store they are iterating.
 */
export async function collect<K, V>(iterator: KeyValueIterator<K, V>): Promise<KeyValue<K, V>[]> {
  const out: KeyValue<K, V>[] = [];
  for await (const entry of iterator) out.push(entry);
  return out;
}
