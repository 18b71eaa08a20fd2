import type { ProcessorContext } from '../../../processor/processor.js';

/** A record whose window has closed: dropped, and counted so it is never silent. */
export function recordLateDrop(context: ProcessorContext): void {
  context.metrics.lateRecordDropped(context.taskId, context.nodeName);
}

/** A record an aggregation cannot use (null key or value), counted as Kafka Streams' dropped-records sensor does. */
export function recordSkipped(context: ProcessorContext, reason: string): void {
  context.metrics.recordSkipped(context.taskId, `${context.nodeName}: ${reason}`);
}
