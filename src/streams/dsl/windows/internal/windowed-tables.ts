import type { BuilderContext } from '../../internal/builder-context.js';

/**
 * Remembers, per builder, which table nodes are windowed aggregations and
 * how long after a window's end its result is final (no record can change
 * it any more), so that `suppress(untilWindowCloses)` emits a window once
 * `end + delay <= stream time`. Kafka Streams finds the grace by walking
 * the graph up to the windowed aggregation.
 */
const closeDelays = new WeakMap<BuilderContext, Map<string, number>>();

export function registerWindowedTable(builder: BuilderContext, nodeName: string, closeDelayMs: number): void {
  let nodes = closeDelays.get(builder);
  if (nodes === undefined) {
    nodes = new Map();
    closeDelays.set(builder, nodes);
  }
  nodes.set(nodeName, closeDelayMs);
}

/** How long after a window's end the table's windows close, or undefined for a table that is not a windowed aggregation. */
export function windowCloseDelayOf(builder: BuilderContext, nodeName: string): number | undefined {
  return closeDelays.get(builder)?.get(nodeName);
}
