import { ContextualProcessor } from '../../../processor/contextual-processor.js';
import type { ProcessorSupplier } from '../../../processor/processor.js';
import type { Record } from '../../../processor/record.js';

/**
 * A stateless operator as a function from one record to the records to
 * forward (zero or more, in order). filter, map, flatMap, peek and friends
 * are all this processor with a different function.
 */
export function statelessSupplier<KIn, VIn, KOut, VOut>(
  transform: (record: Record<KIn, VIn>) => Iterable<Record<KOut, VOut>>,
): ProcessorSupplier<KIn, VIn, KOut, VOut> {
  return () => new StatelessProcessor(transform);
}

class StatelessProcessor<KIn, VIn, KOut, VOut> extends ContextualProcessor<KIn, VIn, KOut, VOut> {
  constructor(private readonly transform: (record: Record<KIn, VIn>) => Iterable<Record<KOut, VOut>>) {
    super();
  }

  // Synchronous for the usual zero or one output: the task's shared resolved promise passes
  // through untouched when everything downstream was synchronous too.
  process(record: Record<KIn, VIn>): void | Promise<void> {
    const outs = this.transform(record);
    if (Array.isArray(outs)) {
      if (outs.length === 0) return;
      if (outs.length === 1) return this.context.forward(outs[0] as Record<KOut, VOut>);
    }
    return this.forwardAll(outs);
  }

  private async forwardAll(outs: Iterable<Record<KOut, VOut>>): Promise<void> {
    for (const out of outs) await this.context.forward(out);
  }
}

/**
 * The filter in front of a repartition topic. Kafka Streams drops null-key
 * records there, unless a join that keeps them (KIP-962: a left or outer
 * join) follows downstream; `keep.value` is decided when the topology is
 * built (BuilderContext.resolveNullKeyFilters).
 */
export function dropNullKeysSupplier<K, V>(keep: { readonly value: boolean }): ProcessorSupplier<K, V, K, V> {
  return () => new DropNullKeys<K, V>(keep);
}

class DropNullKeys<K, V> extends ContextualProcessor<K, V, K, V> {
  constructor(private readonly keep: { readonly value: boolean }) {
    super();
  }

  process(record: Record<K, V>): void | Promise<void> {
    if ((record.key === null || record.key === undefined) && !this.keep.value) {
      this.context.metrics.recordSkipped(this.context.taskId, 'null-key-before-repartition');
      return;
    }
    return this.context.forward(record);
  }
}
