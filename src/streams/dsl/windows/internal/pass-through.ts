import type { Processor, ProcessorContext, ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';

/** Forwards every record unchanged: the node where both sides of a join meet (Kafka Streams' KSTREAM-MERGE). */
class PassThroughProcessor<K, V> implements Processor<K, V, K, V> {
  private context!: ProcessorContext<K, V>;

  init(context: ProcessorContext<K, V>): void {
    this.context = context;
  }

  process(record: Record<K, V>): Promise<void> {
    return this.context.forward(record);
  }
}

export function passThroughSupplier<K, V>(): ProcessorSupplier<K, V, K, V> {
  return () => new PassThroughProcessor<K, V>();
}
