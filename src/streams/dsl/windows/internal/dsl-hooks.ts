import { VigilError } from '../../../errors.js';
import type { Serde } from '../../../serde/serde.js';
import type { Windowed } from '../../../state/types.js';
import { KTable } from '../../ktable.js';
import { SessionWindowedKStream } from '../session-windowed-kstream.js';
import { SessionWindows } from '../session-windows.js';
import type { SlidingWindows } from '../sliding-windows.js';
import type { Suppressed } from '../suppressed.js';
import { TimeWindowedKStream } from '../time-windowed-kstream.js';
import type { TimeWindows } from '../time-windows.js';
import type { GroupedStreamLike } from './grouped-stream-like.js';
import { SuppressProcessor } from './suppress-processor.js';
import { suppressedUpdateSerde } from './suppression-buffer-serde.js';
import { windowCloseDelayOf } from './windowed-tables.js';

/** `KGroupedStream.windowedBy`: the windowed stream for the kind of windows given. */
export function windowedBy<K, V>(grouped: GroupedStreamLike<K, V>, windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
export function windowedBy<K, V>(grouped: GroupedStreamLike<K, V>, windows: SessionWindows): SessionWindowedKStream<K, V>;
export function windowedBy<K, V>(
  grouped: GroupedStreamLike<K, V>,
  windows: TimeWindows | SlidingWindows | SessionWindows,
): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V>;
export function windowedBy<K, V>(
  grouped: GroupedStreamLike<K, V>,
  windows: TimeWindows | SlidingWindows | SessionWindows,
): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
  return windows instanceof SessionWindows
    ? new SessionWindowedKStream(grouped, windows)
    : new TimeWindowedKStream(grouped, windows);
}

/**
 * `KTable.suppress(Suppressed.untilWindowCloses(...))`: adds the
 * suppression node under `table`, which must be the result of a windowed
 * aggregation (its windows' grace, plus the gap for sessions, says when a
 * window closes), and its buffer store. The result is not materialized,
 * as in Kafka Streams.
 *
 * Deliberate difference: Kafka Streams also accepts tables derived from a
 * windowed aggregation (filter, mapValues...) by walking the graph up;
 * here the windowed aggregation must be the direct parent.
 */
export function suppressTable<K, V>(table: KTable<K, V>, suppressed: Suppressed): KTable<K, V> {
  const { builder } = table;
  const closeDelayMs = windowCloseDelayOf(builder, table.nodeName);
  if (closeDelayMs === undefined) {
    throw new VigilError(
      'VIGIL_ERR_TOPOLOGY',
      `suppress(untilWindowCloses) needs the table of a windowed aggregation (windowedBy(...).count/reduce/aggregate) as its direct parent; "${table.nodeName}" is not one. Apply suppress right after the windowed aggregation.`,
    );
  }
  const name = suppressed.name ?? builder.newProcessorName('KTABLE-SUPPRESS-');
  // The buffer is mirrored in a key-value store (restorable) when the
  // table's serdes are known; config defaults cannot serve, as they are for
  // plain keys, not windowed ones. Without serdes it stays in memory only.
  const keySerde = table.keySerde as Serde<Windowed<unknown>> | undefined;
  const valueSerde = table.valueSerde;
  const storeName =
    keySerde !== undefined && valueSerde !== undefined
      ? suppressed.name !== undefined
        ? `${suppressed.name}-store`
        : builder.newStoreName('KTABLE-SUPPRESS-')
      : undefined;
  builder.addProcessor(name, SuppressProcessor.supplier<unknown, V>({ graceMs: closeDelayMs, storeName }), table.nodeName);
  if (storeName !== undefined) {
    builder.addStateStore(
      storeName,
      builder.keyValueStore(storeName, undefined, keySerde, suppressedUpdateSerde(valueSerde!)),
      name,
    );
  }
  return new KTable<K, V>(builder, name, { keySerde: table.keySerde, valueSerde: table.valueSerde });
}

