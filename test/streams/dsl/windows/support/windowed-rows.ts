import type { Change } from '../../../../../src/streams/processor/change.js';
import type { Record } from '../../../../../src/streams/processor/record.js';
import type { Windowed } from '../../../../../src/streams/state/types.js';

/** One forwarded windowed change as `[key, start, end, newValue, oldValue, timestamp]`, easy to compare by hand. */
export type WindowedRow<K, V> = [K, number, number, V | null, V | null, number];

export function rows<K, V>(records: Record<Windowed<K>, Change<V>>[]): WindowedRow<K, V>[] {
  return records.map((r) => [r.key.key, r.key.window.start, r.key.window.end, r.value.newValue, r.value.oldValue, r.timestamp]);
}
